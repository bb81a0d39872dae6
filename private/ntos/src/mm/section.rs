//! Section objects as pure logic: parameter rules of NtCreateSection and
//! NtMapViewOfSection, view placement arithmetic, protection compatibility and the
//! `SECTION_BASIC_INFORMATION` layout. The frames of a section live in
//! `ex::sectsvc` (they need seL4); everything here is host-tested.
//!
//! Sources for the rules (facts only): the WDK pages of `ZwCreateSection`,
//! `ZwMapViewOfSection`, `ZwUnmapViewOfSection`; ReactOS' `NtMapViewOfSection` and
//! `NtQuerySection` API tests and the ring3k native test suite, both recorded against
//! real Windows (cited at each rule).

use ntdef::memory::*;
use ntdef::status::*;

pub const PAGE_SIZE: u64 = 0x1000;
/// Views start on the allocation granularity (64 KiB), as do section offsets.
pub const GRANULARITY: u64 = 0x1_0000;

/// `SEC_*` allocation attributes (winnt.h).
pub const SEC_BASED: u32 = 0x0020_0000;
pub const SEC_NO_CHANGE: u32 = 0x0040_0000;
pub const SEC_FILE: u32 = 0x0080_0000;
pub const SEC_IMAGE: u32 = 0x0100_0000;
pub const SEC_RESERVE: u32 = 0x0400_0000;
pub const SEC_COMMIT: u32 = 0x0800_0000;
pub const SEC_NOCACHE: u32 = 0x1000_0000;
pub const SEC_WRITECOMBINE: u32 = 0x4000_0000;
pub const SEC_LARGE_PAGES: u32 = 0x8000_0000;

/// Section access rights (winnt.h).
pub const SECTION_QUERY: u32 = 0x0001;
pub const SECTION_MAP_WRITE: u32 = 0x0002;
pub const SECTION_MAP_READ: u32 = 0x0004;
pub const SECTION_MAP_EXECUTE: u32 = 0x0008;
pub const SECTION_EXTEND_SIZE: u32 = 0x0010;
pub const SECTION_ALL_ACCESS: u32 = 0x000F_001F;

/// `SECTION_INHERIT`.
pub const VIEW_SHARE: u32 = 1;
pub const VIEW_UNMAP: u32 = 2;

/// `SECTION_INFORMATION_CLASS`.
pub const SECTION_BASIC_INFORMATION: u32 = 0;
pub const SECTION_IMAGE_INFORMATION: u32 = 1;

/// Sizes from 2^47 bytes are `STATUS_SECTION_TOO_BIG` (ReactOS NtMapViewOfSection
/// test: 0x800000000000 bytes, SEC_RESERVE).
pub const SECTION_TOO_BIG: u64 = 1 << 47;
/// Largest reserve-only section this executive keeps bookkeeping for; above it
/// `STATUS_INSUFFICIENT_RESOURCES`, as Windows x64 answers a 8 TiB SEC_RESERVE section
/// (same test). 8 GiB succeeds there and here.
pub const RESERVE_LIMIT: u64 = 1 << 36;

/// What NtCreateSection was asked for, once the rules allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionSpec {
    /// Bytes, a page multiple (Windows rounds pagefile-backed sizes up to pages:
    /// ReactOS NtQuerySection test, 0x123 → 0x1000).
    pub size: u64,
    /// What `SectionBasicInformation` reports (SEC_COMMIT or SEC_RESERVE, plus
    /// SEC_BASED / SEC_NOCACHE / … as given).
    pub attributes: u32,
    pub protect: u32,
}

/// Step 1 of NtCreateSection: the allocation attributes, checked before any pointer
/// (ring3k `test_createsection_invalid`: attributes 0, SEC_FILE, SEC_BASED or
/// SEC_NO_CHANGE alone, or ~0 are `STATUS_INVALID_PARAMETER_6` even with a NULL
/// handle pointer).
pub fn check_attributes(attributes: u32) -> Result<(), NtStatus> {
    let known = SEC_BASED
        | SEC_NO_CHANGE
        | SEC_IMAGE
        | SEC_RESERVE
        | SEC_COMMIT
        | SEC_NOCACHE
        | SEC_WRITECOMBINE
        | SEC_LARGE_PAGES;
    let kinds = attributes & (SEC_IMAGE | SEC_RESERVE | SEC_COMMIT);
    if attributes & !known != 0 || kinds.count_ones() != 1 {
        return Err(STATUS_INVALID_PARAMETER_6);
    }
    Ok(())
}

/// A section page protection: one base protection, not PAGE_NOACCESS, no modifiers
/// (ring3k: 0 and PAGE_NOACCESS are `STATUS_INVALID_PAGE_PROTECTION`; ReactOS:
/// PAGE_NOACCESS with SEC_COMMIT too).
pub fn valid_section_protection(p: u32) -> bool {
    p.count_ones() == 1 && p & 0xFF == p && p != PAGE_NOACCESS
}

/// Step 3 of NtCreateSection for a pagefile-backed section (no file): `size` is the
/// captured MaximumSize (`None`: NULL pointer); `committable` the pages the commit
/// limit still allows.
pub fn check_pagefile(
    attributes: u32,
    protect: u32,
    size: Option<i64>,
    committable: u64,
) -> Result<SectionSpec, NtStatus> {
    if !valid_section_protection(protect) {
        return Err(STATUS_INVALID_PAGE_PROTECTION);
    }
    if attributes & SEC_IMAGE != 0 {
        // ring3k: SEC_IMAGE with PAGE_READONLY and no file.
        return Err(STATUS_INVALID_FILE_FOR_SECTION);
    }
    // ring3k: SEC_RESERVE with size 0 and no file is STATUS_INVALID_PARAMETER_4.
    let size = match size {
        Some(s) if s > 0 => s as u64,
        _ => return Err(STATUS_INVALID_PARAMETER_4),
    };
    if size >= SECTION_TOO_BIG {
        return Err(STATUS_SECTION_TOO_BIG);
    }
    let size = size.next_multiple_of(PAGE_SIZE);
    if attributes & SEC_COMMIT != 0 {
        // ReactOS: a 512 GiB SEC_COMMIT section is STATUS_COMMITMENT_LIMIT.
        if size / PAGE_SIZE > committable {
            return Err(STATUS_COMMITMENT_LIMIT);
        }
    } else if size > RESERVE_LIMIT {
        return Err(STATUS_INSUFFICIENT_RESOURCES);
    }
    Ok(SectionSpec {
        size,
        attributes,
        protect,
    })
}

/// The base protection bits, `None` if not exactly one.
fn base(p: u32) -> Option<u32> {
    let b = p & 0xFF;
    (b.count_ones() == 1).then_some(b)
}

/// A view protection (Win32Protect): one base protection, optionally PAGE_NOCACHE /
/// PAGE_WRITECOMBINE (not GUARD: views have no guard pages here).
pub fn valid_view_protection(p: u32) -> bool {
    base(p).is_some() && p & !0xFF & !(PAGE_NOCACHE | PAGE_WRITECOMBINE) == 0
}

/// The section rights a view with protection `p` needs (Windows' MmMakeSectionAccess
/// table: read for NOACCESS/READONLY/WRITECOPY, write alone for READWRITE, execute
/// added for the EXECUTE_* protections).
pub fn map_access(p: u32) -> u32 {
    match p & 0xFF {
        PAGE_EXECUTE => SECTION_MAP_EXECUTE,
        PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY => SECTION_MAP_EXECUTE | SECTION_MAP_READ,
        PAGE_READWRITE => SECTION_MAP_WRITE,
        PAGE_EXECUTE_READWRITE => SECTION_MAP_EXECUTE | SECTION_MAP_WRITE,
        _ => SECTION_MAP_READ,
    }
}

/// Whether a view (or a page of one) may have protection `view` in a section made
/// with `section`: writing needs a writable section, executing an executable one,
/// reading (and copy-on-write) a readable one; PAGE_NOACCESS always fits (ReactOS
/// test: PAGE_EXECUTE_READWRITE on a PAGE_READWRITE section is
/// `STATUS_SECTION_PROTECTION`).
pub fn compatible(section: u32, view: u32) -> bool {
    let (Some(s), Some(v)) = (base(section), base(view)) else {
        return false;
    };
    let reads = |p: u32| p & (PAGE_NOACCESS | PAGE_EXECUTE) == 0;
    let writes = |p: u32| p & (PAGE_READWRITE | PAGE_EXECUTE_READWRITE) != 0;
    let execs = |p: u32| p & 0xF0 != 0;
    if v == PAGE_NOACCESS {
        return true;
    }
    if writes(v) && !writes(s) {
        return false;
    }
    if execs(v) && !execs(s) {
        return false;
    }
    // PAGE_EXECUTE alone grants no reads.
    !reads(v) || reads(s)
}

/// Whether a view page with protection `p` is mapped writable (copy-on-write pages are
/// mapped read-only: no private copies yet).
pub fn writable(p: u32) -> bool {
    matches!(p & 0xFF, PAGE_READWRITE | PAGE_EXECUTE_READWRITE)
}

/// The part of a section a view covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewSpan {
    /// Byte offset in the section (granularity-aligned).
    pub offset: u64,
    /// Bytes, a page multiple.
    pub size: usize,
}

/// The section range of a view: `offset` must be on the granularity
/// (`STATUS_MAPPED_ALIGNMENT`, what MapViewOfFile's ERROR_MAPPED_ALIGNMENT comes
/// from); a view size of 0 runs to the end of the section; a view past the end, or an
/// offset at or past it, is `STATUS_INVALID_VIEW_SIZE`. The size is rounded up to
/// pages (ReactOS test: 0 on a 0x123-byte section maps 0x1000).
pub fn view_span(section_size: u64, offset: i64, view_size: usize) -> Result<ViewSpan, NtStatus> {
    if offset < 0 || offset as u64 % GRANULARITY != 0 {
        return Err(STATUS_MAPPED_ALIGNMENT);
    }
    let offset = offset as u64;
    if offset >= section_size {
        return Err(STATUS_INVALID_VIEW_SIZE);
    }
    let size = if view_size == 0 {
        section_size - offset
    } else {
        view_size as u64
    };
    let end = offset
        .checked_add(size)
        .ok_or(STATUS_INVALID_VIEW_SIZE)?
        .next_multiple_of(PAGE_SIZE);
    if end > section_size {
        return Err(STATUS_INVALID_VIEW_SIZE);
    }
    let size = usize::try_from(end - offset).map_err(|_| STATUS_INVALID_VIEW_SIZE)?;
    Ok(ViewSpan { offset, size })
}

/// NtMapViewOfSection's argument checks that need no object, in Windows' order
/// (ReactOS NtMapViewOfSection): InheritDisposition (`STATUS_INVALID_PARAMETER_8`),
/// AllocationType (`_9`: MEM_COMMIT and MEM_RESERVE are refused, ReactOS test),
/// Win32Protect, ZeroBits (`_4`).
pub fn check_map_arguments(
    inherit: u32,
    alloc_type: u32,
    protect: u32,
    zero_bits: usize,
) -> Result<(), NtStatus> {
    if inherit != VIEW_SHARE && inherit != VIEW_UNMAP {
        return Err(STATUS_INVALID_PARAMETER_8);
    }
    if alloc_type & !(MEM_TOP_DOWN | SEC_NO_CHANGE) != 0 {
        return Err(STATUS_INVALID_PARAMETER_9);
    }
    if !valid_view_protection(protect) {
        return Err(STATUS_INVALID_PAGE_PROTECTION);
    }
    if zero_bits > crate::mm::vad::MAX_ZERO_BITS {
        return Err(STATUS_INVALID_PARAMETER_4);
    }
    Ok(())
}

/// The caller's requested base and size against the user range: a base past it or a
/// size that runs past it is `STATUS_INVALID_PARAMETER_3` (ReactOS test, x64:
/// ViewSize MAXULONG_PTR), a base off the granularity `STATUS_MAPPED_ALIGNMENT`
/// (ReactOS test: 0x30001000).
pub fn check_base(base: usize, view_size: usize, limit: usize) -> Result<(), NtStatus> {
    if base >= limit || view_size > limit - base {
        return Err(STATUS_INVALID_PARAMETER_3);
    }
    if base as u64 % GRANULARITY != 0 {
        return Err(STATUS_MAPPED_ALIGNMENT);
    }
    Ok(())
}

/// `SECTION_BASIC_INFORMATION { PVOID BaseAddress; ULONG Attributes; LARGE_INTEGER
/// Size; }`: 24 bytes on 64-bit (padding after Attributes), 16 on 32-bit.
pub fn basic_information(attributes: u32, size: u64, wide: bool) -> alloc::vec::Vec<u8> {
    let mut v = alloc::vec::Vec::with_capacity(24);
    let word = if wide { 8 } else { 4 };
    v.resize(word, 0);
    v.extend_from_slice(&attributes.to_le_bytes());
    if wide {
        v.extend_from_slice(&[0; 4]);
    }
    v.extend_from_slice(&size.to_le_bytes());
    v
}

/// What `SectionImageInformation` reports of an image (`SECTION_IMAGE_INFORMATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageInfo {
    /// `AddressOfEntryPoint` (0: none).
    pub entry_rva: u32,
    pub stack_reserve: u64,
    pub stack_commit: u64,
    pub subsystem: u16,
    pub characteristics: u16,
    pub dll_characteristics: u16,
    pub machine: u16,
    pub contains_code: bool,
    pub image_size: u32,
    /// Size of the file the image came from.
    pub file_size: u32,
}

impl ImageInfo {
    /// The facts of the parsed image `img`, whose file is `file_len` bytes long.
    pub fn of(img: &peimage::PeImage<'_>, file_len: usize) -> Self {
        ImageInfo {
            entry_rva: img.entry_point_rva().unwrap_or(0),
            stack_reserve: img.stack_reserve(),
            stack_commit: img.stack_commit(),
            subsystem: img.subsystem(),
            characteristics: img.characteristics(),
            dll_characteristics: img.dll_characteristics(),
            machine: img.machine().coff(),
            contains_code: img.sections().any(|s| s.protection().execute),
            image_size: img.size_of_image(),
            file_size: u32::try_from(file_len).unwrap_or(u32::MAX),
        }
    }
}

/// An image as its views show it: laid out at its preferred base, with the protection
/// of every page. Views of an image section are private copies of these bytes
/// (relocated when not at the preferred base).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLayout {
    pub preferred_base: u64,
    /// `SizeOfImage` bytes rounded up to pages.
    pub bytes: alloc::vec::Vec<u8>,
    /// Per page: PAGE_READONLY / PAGE_READWRITE / PAGE_EXECUTE_READ /
    /// PAGE_EXECUTE_READWRITE (private copies: no copy-on-write state to report).
    pub protect: alloc::vec::Vec<u32>,
    pub info: ImageInfo,
}

impl ImageLayout {
    /// Lays out the PE file `file` for `machine`: not a PE image (or one for another
    /// machine, or one that does not fit) is STATUS_INVALID_IMAGE_FORMAT.
    pub fn new(file: &[u8], machine: peimage::Machine) -> Result<Self, NtStatus> {
        let img = peimage::PeImage::parse(file).map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
        if img.machine() != machine {
            return Err(STATUS_INVALID_IMAGE_FORMAT);
        }
        let size = (img.size_of_image() as u64).next_multiple_of(PAGE_SIZE);
        let size = usize::try_from(size).map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
        let mut bytes = alloc::vec::Vec::new();
        bytes
            .try_reserve_exact(size)
            .map_err(|_| STATUS_NO_MEMORY)?;
        bytes.resize(size, 0);
        img.copy_mapped(&mut bytes)
            .map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
        let page = PAGE_SIZE as usize;
        let mut protect = alloc::vec![PAGE_READONLY; size / page];
        for s in img.sections() {
            let p = s.protection();
            let start = s.virtual_address as usize / page;
            let end =
                (s.virtual_address as usize + (s.virtual_size as usize).max(1)).div_ceil(page);
            for slot in protect.iter_mut().take(end).skip(start) {
                let (x, w) = (
                    p.execute || *slot & 0xF0 != 0,
                    p.write || matches!(*slot, PAGE_READWRITE | PAGE_EXECUTE_READWRITE),
                );
                *slot = match (x, w) {
                    (true, true) => PAGE_EXECUTE_READWRITE,
                    (true, false) => PAGE_EXECUTE_READ,
                    (false, true) => PAGE_READWRITE,
                    (false, false) => PAGE_READONLY,
                };
            }
        }
        let info = ImageInfo::of(&img, file.len());
        Ok(Self {
            preferred_base: img.image_base(),
            bytes,
            protect,
            info,
        })
    }

    /// The bytes of a view at `base`: relocated when `base` is not the preferred base
    /// (an image linked with IMAGE_FILE_RELOCS_STRIPPED cannot move:
    /// STATUS_CONFLICTING_ADDRESSES).
    pub fn at(&self, base: u64) -> Result<alloc::vec::Vec<u8>, NtStatus> {
        const RELOCS_STRIPPED: u16 = 0x0001;
        if base != self.preferred_base && self.info.characteristics & RELOCS_STRIPPED != 0 {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        let mut v = alloc::vec::Vec::new();
        v.try_reserve_exact(self.bytes.len())
            .map_err(|_| STATUS_NO_MEMORY)?;
        v.extend_from_slice(&self.bytes);
        if base != self.preferred_base {
            peimage::relocate(&mut v, base).map_err(|_| STATUS_CONFLICTING_ADDRESSES)?;
        }
        Ok(v)
    }
}

/// `SECTION_IMAGE_INFORMATION` (Windows 7: 0x40 bytes on 64-bit, 0x30 on 32-bit) for an
/// image whose preferred base is `base`.
pub fn image_information(i: &ImageInfo, base: u64, wide: bool) -> alloc::vec::Vec<u8> {
    let w = if wide { 8 } else { 4 };
    let mut v = alloc::vec![0u8; if wide { 0x40 } else { 0x30 }];
    let mut put = |at: usize, bytes: &[u8]| v[at..at + bytes.len()].copy_from_slice(bytes);
    let entry = if i.entry_rva == 0 {
        0
    } else {
        base + u64::from(i.entry_rva)
    };
    put(0, &entry.to_le_bytes()[..w]);
    // ZeroBits at w (0), then MaximumStackSize, CommittedStackSize (SIZE_T, aligned).
    let stacks = if wide { 0x10 } else { 8 };
    put(stacks, &i.stack_reserve.to_le_bytes()[..w]);
    put(stacks + w, &i.stack_commit.to_le_bytes()[..w]);
    let rest = stacks + 2 * w;
    put(rest, &u32::from(i.subsystem).to_le_bytes());
    // SubSystemVersion (rest + 4) and GpValue (rest + 8) stay 0.
    put(rest + 0xC, &i.characteristics.to_le_bytes());
    put(rest + 0xE, &i.dll_characteristics.to_le_bytes());
    put(rest + 0x10, &i.machine.to_le_bytes());
    put(rest + 0x12, &[u8::from(i.contains_code)]);
    // ImageFlags, LoaderFlags 0; ImageFileSize; CheckSum 0.
    put(rest + 0x18, &i.file_size.to_le_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_follow_windows() {
        for bad in [
            0,
            SEC_FILE,
            SEC_BASED,
            SEC_NO_CHANGE,
            !0,
            SEC_COMMIT | SEC_RESERVE,
        ] {
            assert_eq!(
                check_attributes(bad),
                Err(STATUS_INVALID_PARAMETER_6),
                "{bad:#x}"
            );
        }
        for good in [SEC_COMMIT, SEC_RESERVE, SEC_IMAGE, SEC_BASED | SEC_RESERVE] {
            assert_eq!(check_attributes(good), Ok(()));
        }
    }

    #[test]
    fn pagefile_rules() {
        let big = u64::MAX;
        assert_eq!(
            check_pagefile(SEC_IMAGE, PAGE_READONLY, None, big),
            Err(STATUS_INVALID_FILE_FOR_SECTION)
        );
        assert_eq!(
            check_pagefile(SEC_IMAGE, 0, None, big),
            Err(STATUS_INVALID_PAGE_PROTECTION)
        );
        assert_eq!(
            check_pagefile(SEC_RESERVE, PAGE_NOACCESS, Some(0), big),
            Err(STATUS_INVALID_PAGE_PROTECTION)
        );
        assert_eq!(
            check_pagefile(SEC_RESERVE, PAGE_EXECUTE, Some(0), big),
            Err(STATUS_INVALID_PARAMETER_4)
        );
        assert_eq!(
            check_pagefile(SEC_COMMIT, PAGE_READWRITE, None, big),
            Err(STATUS_INVALID_PARAMETER_4)
        );
        assert_eq!(
            check_pagefile(SEC_COMMIT, PAGE_READWRITE, Some(0x80_0000_0000), 100),
            Err(STATUS_COMMITMENT_LIMIT)
        );
        assert_eq!(
            check_pagefile(SEC_RESERVE, PAGE_READWRITE, Some(0x800_0000_0000), 100),
            Err(STATUS_INSUFFICIENT_RESOURCES)
        );
        assert_eq!(
            check_pagefile(SEC_RESERVE, PAGE_READWRITE, Some(0x8000_0000_0000), 100),
            Err(STATUS_SECTION_TOO_BIG)
        );
        let s = check_pagefile(SEC_COMMIT, PAGE_EXECUTE_READWRITE, Some(0x123), 1).unwrap();
        assert_eq!((s.size, s.attributes), (0x1000, SEC_COMMIT));
        let s = check_pagefile(SEC_RESERVE, PAGE_READWRITE, Some(0x2_0000_0000), 0).unwrap();
        assert_eq!(s.size, 0x2_0000_0000);
    }

    #[test]
    fn protections_and_access() {
        assert!(compatible(PAGE_READWRITE, PAGE_READONLY));
        assert!(compatible(PAGE_READWRITE, PAGE_WRITECOPY));
        assert!(compatible(PAGE_READWRITE, PAGE_NOACCESS));
        assert!(!compatible(PAGE_READWRITE, PAGE_EXECUTE_READWRITE));
        assert!(!compatible(PAGE_READONLY, PAGE_READWRITE));
        assert!(compatible(PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_READ));
        assert!(compatible(PAGE_EXECUTE, PAGE_EXECUTE));
        assert!(!compatible(PAGE_EXECUTE, PAGE_READONLY));
        assert!(compatible(PAGE_EXECUTE_READ, PAGE_EXECUTE_WRITECOPY));
        assert_eq!(map_access(PAGE_READWRITE), SECTION_MAP_WRITE);
        assert_eq!(map_access(PAGE_READONLY), SECTION_MAP_READ);
        assert_eq!(
            map_access(PAGE_EXECUTE_READ),
            SECTION_MAP_EXECUTE | SECTION_MAP_READ
        );
        assert!(valid_view_protection(PAGE_READWRITE | PAGE_NOCACHE));
        assert!(!valid_view_protection(PAGE_READWRITE | PAGE_GUARD));
        assert!(!valid_view_protection(0));
        assert!(!valid_section_protection(PAGE_NOACCESS));
        assert!(valid_section_protection(PAGE_EXECUTE));
    }

    #[test]
    fn view_spans() {
        let s = 0x2_0000;
        assert_eq!(
            view_span(s, 0, 0),
            Ok(ViewSpan {
                offset: 0,
                size: 0x2_0000
            })
        );
        assert_eq!(
            view_span(s, 0x1_0000, 0x1000),
            Ok(ViewSpan {
                offset: 0x1_0000,
                size: 0x1000
            })
        );
        assert_eq!(view_span(s, 0x1_0000, 1).unwrap().size, 0x1000);
        assert_eq!(view_span(s, 0x1000, 0), Err(STATUS_MAPPED_ALIGNMENT));
        assert_eq!(view_span(s, -0x1_0000, 0), Err(STATUS_MAPPED_ALIGNMENT));
        assert_eq!(view_span(s, 0x2_0000, 0), Err(STATUS_INVALID_VIEW_SIZE));
        assert_eq!(view_span(s, 0, 0x2_1000), Err(STATUS_INVALID_VIEW_SIZE));
        assert_eq!(
            view_span(s, 0x1_0000, usize::MAX),
            Err(STATUS_INVALID_VIEW_SIZE)
        );
        assert_eq!(view_span(0x1000, 0, 0).unwrap().size, 0x1000);
    }

    #[test]
    fn map_argument_order() {
        assert_eq!(
            check_map_arguments(0, 0, 0, 99),
            Err(STATUS_INVALID_PARAMETER_8)
        );
        assert_eq!(
            check_map_arguments(VIEW_SHARE, MEM_COMMIT, 0, 99),
            Err(STATUS_INVALID_PARAMETER_9)
        );
        assert_eq!(
            check_map_arguments(VIEW_SHARE, MEM_RESERVE, PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_9)
        );
        assert_eq!(
            check_map_arguments(VIEW_UNMAP, MEM_TOP_DOWN, 0, 99),
            Err(STATUS_INVALID_PAGE_PROTECTION)
        );
        assert_eq!(
            check_map_arguments(VIEW_UNMAP, 0, PAGE_READONLY, 22),
            Err(STATUS_INVALID_PARAMETER_4)
        );
        assert_eq!(
            check_map_arguments(VIEW_UNMAP, 0, PAGE_READONLY, 21),
            Ok(())
        );
        let lim = 0x7FFF_0000;
        assert_eq!(
            check_base(0, usize::MAX, lim),
            Err(STATUS_INVALID_PARAMETER_3)
        );
        assert_eq!(check_base(lim, 0, lim), Err(STATUS_INVALID_PARAMETER_3));
        assert_eq!(
            check_base(0x3000_1000, 0x1000, lim),
            Err(STATUS_MAPPED_ALIGNMENT)
        );
        assert_eq!(check_base(0x3000_0000, 0x1000, lim), Ok(()));
    }

    #[test]
    fn basic_information_layout() {
        let b = basic_information(SEC_COMMIT, 0x1000, true);
        assert_eq!(b.len(), 24);
        assert_eq!(&b[8..12], &SEC_COMMIT.to_le_bytes());
        assert_eq!(&b[16..24], &0x1000u64.to_le_bytes());
        let b = basic_information(SEC_RESERVE, 0x2000, false);
        assert_eq!(b.len(), 16);
        assert_eq!(&b[4..8], &SEC_RESERVE.to_le_bytes());
        assert_eq!(&b[8..16], &0x2000u64.to_le_bytes());
    }

    /// A minimal PE (headers page + one code page + one data page), no relocations.
    fn tiny_pe(wide: bool) -> alloc::vec::Vec<u8> {
        let mut f = alloc::vec![0u8; 0x600];
        let p16 = |f: &mut [u8], at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_le_bytes());
        let p32 = |f: &mut [u8], at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
        f[0] = b'M';
        f[1] = b'Z';
        p32(&mut f, 0x3C, 0x40);
        f[0x40..0x44].copy_from_slice(b"PE\0\0");
        let coff = 0x44;
        let opt_size: u16 = if wide { 0xF0 } else { 0xE0 };
        p16(&mut f, coff, if wide { 0x8664 } else { 0x14C });
        p16(&mut f, coff + 2, 2);
        p16(&mut f, coff + 16, opt_size);
        p16(&mut f, coff + 18, 0x0022);
        let o = coff + 20;
        p16(&mut f, o, if wide { 0x20B } else { 0x10B });
        p32(&mut f, o + 16, 0x1000); // AddressOfEntryPoint
        if wide {
            f[o + 24..o + 32].copy_from_slice(&0x1_4000_0000u64.to_le_bytes());
        } else {
            p32(&mut f, o + 28, 0x40_0000);
        }
        p32(&mut f, o + 32, 0x1000); // SectionAlignment
        p32(&mut f, o + 36, 0x200); // FileAlignment
        p16(&mut f, o + 40, 6); // OS version
        p16(&mut f, o + 48, 6); // subsystem version
        p32(&mut f, o + 56, 0x3000); // SizeOfImage
        p32(&mut f, o + 60, 0x200); // SizeOfHeaders
        p16(&mut f, o + 68, 1); // native
        let (stack, rva_count) = if wide {
            (o + 72, o + 108)
        } else {
            (o + 72, o + 92)
        };
        if wide {
            f[stack..stack + 8].copy_from_slice(&0x4_0000u64.to_le_bytes());
            f[stack + 8..stack + 16].copy_from_slice(&0x1000u64.to_le_bytes());
        } else {
            p32(&mut f, stack, 0x4_0000);
            p32(&mut f, stack + 4, 0x1000);
        }
        p32(&mut f, rva_count, 16);
        let st = o + opt_size as usize;
        for (i, (name, rva, raw, chars)) in [
            (b".text\0\0\0", 0x1000u32, 0x200u32, 0x6000_0020u32),
            (b".data\0\0\0", 0x2000, 0x400, 0xC000_0040),
        ]
        .iter()
        .enumerate()
        {
            let h = st + i * 40;
            f[h..h + 8].copy_from_slice(*name);
            p32(&mut f, h + 8, 0x10);
            p32(&mut f, h + 12, *rva);
            p32(&mut f, h + 16, 0x200);
            p32(&mut f, h + 20, *raw);
            p32(&mut f, h + 36, *chars);
        }
        f[0x200] = 0xC3;
        f[0x400..0x404].copy_from_slice(b"DATA");
        f
    }

    #[test]
    fn image_layout_and_information() {
        for wide in [true, false] {
            let machine = if wide {
                peimage::Machine::Amd64
            } else {
                peimage::Machine::I386
            };
            let l = ImageLayout::new(&tiny_pe(wide), machine).unwrap();
            assert_eq!(l.bytes.len(), 0x3000);
            assert_eq!(&l.bytes[..2], b"MZ");
            assert_eq!(l.bytes[0x1000], 0xC3);
            assert_eq!(&l.bytes[0x2000..0x2004], b"DATA");
            assert_eq!(
                l.protect,
                [PAGE_READONLY, PAGE_EXECUTE_READ, PAGE_READWRITE]
            );
            assert!(l.info.contains_code);
            assert_eq!(l.info.entry_rva, 0x1000);
            // Nothing to relocate: it moves unchanged; stripped of relocations it cannot.
            assert_eq!(l.at(l.preferred_base).ok().as_ref(), Some(&l.bytes));
            let moved = l.at(0x7000_0000).unwrap_or_default();
            assert_eq!(moved.get(0x1000..), l.bytes.get(0x1000..));
            let mut stripped = tiny_pe(wide);
            stripped[0x44 + 18] |= 1;
            let l2 = ImageLayout::new(&stripped, machine).unwrap();
            assert_eq!(l2.at(0x7000_0000).err(), Some(STATUS_CONFLICTING_ADDRESSES));
            let other = if wide {
                peimage::Machine::I386
            } else {
                peimage::Machine::Amd64
            };
            assert_eq!(
                ImageLayout::new(&tiny_pe(wide), other).err(),
                Some(STATUS_INVALID_IMAGE_FORMAT)
            );
            let info = image_information(&l.info, l.preferred_base, wide);
            let w = if wide { 8 } else { 4 };
            assert_eq!(info.len(), if wide { 0x40 } else { 0x30 });
            let entry = l.preferred_base + 0x1000;
            assert_eq!(&info[..w], &entry.to_le_bytes()[..w]);
            let machine_at = if wide { 0x30 } else { 0x20 };
            assert_eq!(
                &info[machine_at..machine_at + 2],
                &machine.coff().to_le_bytes()
            );
            assert_eq!(info[machine_at + 2], 1);
            let stack_at = if wide { 0x10 } else { 8 };
            assert_eq!(&info[stack_at..stack_at + 4], &0x4_0000u32.to_le_bytes());
            assert_eq!(
                &info[stack_at + 2 * w..stack_at + 2 * w + 2],
                &1u16.to_le_bytes()
            );
        }
        assert_eq!(
            ImageLayout::new(b"not a PE", peimage::Machine::Amd64).err(),
            Some(STATUS_INVALID_IMAGE_FORMAT)
        );
    }
}
