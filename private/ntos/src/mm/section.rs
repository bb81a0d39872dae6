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
}
