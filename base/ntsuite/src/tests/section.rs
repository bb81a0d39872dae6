//! Section objects: NtCreateSection, NtOpenSection, NtMapViewOfSection,
//! NtUnmapViewOfSection, NtQuerySection, NtExtendSection (pagefile-backed sections).
//!
//! Sources for the expected behaviour (facts, not code):
//! - [RING3K] the ring3k native test suite's `section.c`, run against Windows:
//!   the allocation attributes are checked first (0, SEC_FILE, SEC_BASED, SEC_NO_CHANGE
//!   alone or ~0 are STATUS_INVALID_PARAMETER_6 even with a NULL handle pointer), then
//!   the handle pointer (SEC_IMAGE with a NULL one: STATUS_ACCESS_VIOLATION), then the
//!   protection (0: STATUS_INVALID_PAGE_PROTECTION), then the file (SEC_IMAGE without one:
//!   STATUS_INVALID_FILE_FOR_SECTION, a bogus handle STATUS_INVALID_HANDLE), then the
//!   size (0 without a file: STATUS_INVALID_PARAMETER_4); NtOpenSection(0, 0, 0) is
//!   STATUS_ACCESS_VIOLATION, an unknown name STATUS_OBJECT_NAME_NOT_FOUND;
//!   NtUnmapViewOfSection with a section handle STATUS_OBJECT_TYPE_MISMATCH;
//! - [REACTOS-MAP] ReactOS' `apitests/ntdll/NtMapViewOfSection.c`, recorded against
//!   Windows: a base off 64 KiB is STATUS_MAPPED_ALIGNMENT, PAGE_EXECUTE_READWRITE on a
//!   PAGE_READWRITE section STATUS_SECTION_PROTECTION, MEM_COMMIT / MEM_RESERVE as
//!   AllocationType STATUS_INVALID_PARAMETER_9, decommit or release inside a view
//!   STATUS_UNABLE_TO_DELETE_SECTION, a 512 GiB SEC_COMMIT section
//!   STATUS_COMMITMENT_LIMIT, PAGE_NOACCESS STATUS_INVALID_PAGE_PROTECTION, a 2^47-byte
//!   one STATUS_SECTION_TOO_BIG, ViewSize MAXULONG_PTR STATUS_INVALID_PARAMETER_3 (x64),
//!   ViewSize 0 maps to the end, two views of one section see the same memory,
//!   SEC_RESERVE views commit CommitSize and the rest is reserved;
//! - [REACTOS-QUERY] ReactOS' `apitests/ntdll/NtQuerySection.c`: SectionBasicInformation
//!   reports BaseAddress NULL, Attributes SEC_COMMIT / SEC_RESERVE and the size rounded
//!   up to pages, ReturnLength its size; one byte short is STATUS_INFO_LENGTH_MISMATCH,
//!   a NULL buffer STATUS_ACCESS_VIOLATION, a NULL handle STATUS_INVALID_HANDLE;
//! - [WDK] ZwMapViewOfSection / ZwCreateSection documentation (PROCESS_VM_OPERATION on
//!   the process handle; SECTION_MAP_* rights by protection; ViewSize 0 maps from the
//!   offset to the end; MEM_MAPPED views in VirtualQuery);
//! - [WRK] NtExtendSection: a section not backed by a data file is
//!   STATUS_SECTION_NOT_EXTENDED; SECTION_EXTEND_SIZE is required;
//! - [MSDN] MapViewOfFile: offsets must be multiples of the allocation granularity;
//!   a copy-on-write view (FILE_MAP_COPY, PAGE_WRITECOPY) sees the section until it
//!   writes a page, which then becomes private (the section and other views do not see
//!   the write) and reads back as PAGE_READWRITE in VirtualQuery ("Memory Protection
//!   Constants": PAGE_WRITECOPY);
//! - [WINE] Wine's `dlls/ntdll/tests/om.c`: opening a named object as another type is
//!   STATUS_OBJECT_TYPE_MISMATCH.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use ntdef::memory::*;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtCreateSection(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        size: *const i64,
        protect: u32,
        attributes: u32,
        file: HANDLE,
    ) -> NtStatus;
    fn NtOpenSection(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    fn NtMapViewOfSection(
        section: HANDLE,
        process: HANDLE,
        base: *mut usize,
        zero_bits: usize,
        commit: usize,
        offset: *mut i64,
        view_size: *mut usize,
        inherit: u32,
        alloc_type: u32,
        protect: u32,
    ) -> NtStatus;
    fn NtUnmapViewOfSection(process: HANDLE, base: usize) -> NtStatus;
    fn NtQuerySection(
        h: HANDLE,
        class: u32,
        info: *mut c_void,
        length: usize,
        returned: *mut usize,
    ) -> NtStatus;
    fn NtExtendSection(h: HANDLE, size: *mut i64) -> NtStatus;

}

const STATUS_IMAGE_NOT_AT_BASE: u32 = 0x4000_0003;
const STATUS_NOT_MAPPED_VIEW: u32 = 0xC000_0019;
const STATUS_UNABLE_TO_DELETE_SECTION: u32 = 0xC000_001B;
const STATUS_INVALID_VIEW_SIZE: u32 = 0xC000_001F;
const STATUS_INVALID_FILE_FOR_SECTION: u32 = 0xC000_0020;
const STATUS_SECTION_TOO_BIG: u32 = 0xC000_0040;
const STATUS_SECTION_NOT_IMAGE: u32 = 0xC000_0049;
const STATUS_SECTION_PROTECTION: u32 = 0xC000_004E;
const STATUS_SECTION_NOT_EXTENDED: u32 = 0xC000_0087;
const STATUS_INSUFFICIENT_RESOURCES: u32 = 0xC000_009A;
const STATUS_INVALID_PARAMETER_8: u32 = 0xC000_00F6;
const STATUS_INVALID_PARAMETER_9: u32 = 0xC000_00F7;
const STATUS_MAPPED_ALIGNMENT: u32 = 0xC000_0220;

const SEC_BASED: u32 = 0x0020_0000;
const SEC_NO_CHANGE: u32 = 0x0040_0000;
const SEC_FILE: u32 = 0x0080_0000;
const SEC_IMAGE: u32 = 0x0100_0000;
const SEC_RESERVE: u32 = 0x0400_0000;
const SEC_COMMIT: u32 = 0x0800_0000;
const SECTION_QUERY: u32 = 0x0001;
const SECTION_MAP_WRITE: u32 = 0x0002;
const SECTION_MAP_READ: u32 = 0x0004;
const SECTION_ALL_ACCESS: u32 = 0x000F_001F;
const VIEW_SHARE: u32 = 1;
const PROCESS_VM_OPERATION: u32 = 0x0008;
const BASIC_LEN: usize = if W == 8 { 24 } else { 16 };

fn create_raw(
    oa: *const OBJECT_ATTRIBUTES,
    size: i64,
    protect: u32,
    attributes: u32,
) -> (NtStatus, HANDLE) {
    let mut h = NULL;
    // SAFETY: pointers to locals (or a caller-provided OBJECT_ATTRIBUTES).
    let s = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_ALL_ACCESS,
            oa,
            &size,
            protect,
            attributes,
            NULL,
        )
    };
    (s, h)
}

fn create(size: i64, protect: u32, attributes: u32) -> Result<HANDLE, String> {
    let (s, h) = create_raw(core::ptr::null(), size, protect, attributes);
    expect_status("NtCreateSection", s, STATUS_SUCCESS)?;
    Ok(h)
}

/// Maps with everything explicit; returns (status, base, size).
#[allow(clippy::too_many_arguments)]
fn map_full(
    h: HANDLE,
    process: HANDLE,
    base: usize,
    offset: Option<i64>,
    size: usize,
    commit: usize,
    alloc_type: u32,
    protect: u32,
) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    let mut off = offset.unwrap_or(0);
    let offp: *mut i64 = if offset.is_some() {
        &mut off
    } else {
        core::ptr::null_mut()
    };
    // SAFETY: pointers to locals.
    let st = unsafe {
        NtMapViewOfSection(
            h, process, &mut b, 0, commit, offp, &mut s, VIEW_SHARE, alloc_type, protect,
        )
    };
    (st, b, s)
}

fn map(h: HANDLE, protect: u32) -> Result<(usize, usize), String> {
    let (s, b, n) = map_full(h, CURRENT_PROCESS, 0, None, 0, 0, 0, protect);
    expect_status("NtMapViewOfSection", s, STATUS_SUCCESS)?;
    Ok((b, n))
}

fn unmap(base: usize) -> Result<(), String> {
    // SAFETY: plain values.
    let s = unsafe { NtUnmapViewOfSection(CURRENT_PROCESS, base) };
    expect_status("NtUnmapViewOfSection", s, STATUS_SUCCESS)
}

fn query_vm(addr: usize) -> Result<MEMORY_BASIC_INFORMATION, String> {
    let mut m = MEMORY_BASIC_INFORMATION::default();
    // SAFETY: `m` is a local of the size passed.
    let s = unsafe {
        NtQueryVirtualMemory(
            CURRENT_PROCESS,
            addr,
            MEMORY_BASIC_INFORMATION_CLASS,
            (&raw mut m).cast(),
            size_of::<MEMORY_BASIC_INFORMATION>(),
            core::ptr::null_mut(),
        )
    };
    expect_status("NtQueryVirtualMemory", s, STATUS_SUCCESS)?;
    Ok(m)
}

fn query_basic(h: HANDLE) -> Result<(usize, u32, i64, usize), String> {
    let mut b = [0u8; 32];
    let mut ret = 0usize;
    // SAFETY: a local buffer bigger than the length passed.
    let s = unsafe { NtQuerySection(h, 0, b.as_mut_ptr().cast(), BASIC_LEN, &mut ret) };
    expect_status("NtQuerySection", s, STATUS_SUCCESS)?;
    let base = usize::from_le_bytes(b[..W].try_into().unwrap_or([0; W]));
    let attrs = u32::from_le_bytes([b[W], b[W + 1], b[W + 2], b[W + 3]]);
    let at = if W == 8 { 16 } else { 8 };
    let size = i64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]));
    Ok((base, attrs, size, ret))
}

/// Reads / writes a view directly (the test's own memory).
fn peek(addr: usize) -> u32 {
    // SAFETY: callers pass committed, readable view addresses.
    unsafe { core::ptr::read_volatile(addr as *const u32) }
}

fn poke(addr: usize, v: u32) {
    // SAFETY: callers pass committed, writable view addresses.
    unsafe { core::ptr::write_volatile(addr as *mut u32, v) }
}

fn create_bad_arguments() -> Result<(), String> {
    let sz = 0i64;
    let null = core::ptr::null::<OBJECT_ATTRIBUTES>();
    // [RING3K] attributes first, even with a NULL handle pointer.
    for attrs in [
        0,
        SEC_FILE,
        SEC_BASED,
        SEC_NO_CHANGE,
        !0,
        SEC_COMMIT | SEC_RESERVE,
    ] {
        // SAFETY: NULL and a local; the executive checks them.
        let s = unsafe {
            NtCreateSection(
                core::ptr::null_mut(),
                SECTION_ALL_ACCESS,
                null,
                &sz,
                0,
                attrs,
                NULL,
            )
        };
        expect_status(
            &format!("attributes {attrs:#x}"),
            s,
            STATUS_INVALID_PARAMETER_6,
        )?;
    }
    // [RING3K] then the handle pointer.
    // SAFETY: as above.
    let s = unsafe { NtCreateSection(core::ptr::null_mut(), 0, null, &sz, 0, SEC_IMAGE, NULL) };
    expect_status("NULL handle pointer", s, STATUS_ACCESS_VIOLATION)?;
    for (at, want) in [
        (KERNEL, STATUS_ACCESS_VIOLATION),
        (UNMAPPED + 1, STATUS_DATATYPE_MISALIGNMENT),
    ] {
        // SAFETY: the executive probes the bad pointer; nothing is written.
        let s = unsafe {
            NtCreateSection(
                at as *mut HANDLE,
                0,
                null,
                &sz,
                PAGE_READONLY,
                SEC_COMMIT,
                NULL,
            )
        };
        expect_status(&format!("handle pointer {at:#x}"), s, want)?;
    }
    let mut h = NULL;
    // [RING3K] protection, then the file, then the size.
    let cases: [(u32, u32, HANDLE, i64, u32); 9] = [
        (0, SEC_IMAGE, NULL, 0, STATUS_INVALID_PAGE_PROTECTION),
        (
            PAGE_READONLY,
            SEC_IMAGE,
            NULL,
            0,
            STATUS_INVALID_FILE_FOR_SECTION,
        ),
        (
            PAGE_READONLY,
            SEC_IMAGE,
            0x8000 as HANDLE,
            0,
            STATUS_INVALID_HANDLE,
        ),
        (
            PAGE_READONLY,
            SEC_RESERVE,
            NULL,
            0,
            STATUS_INVALID_PARAMETER_4,
        ),
        (
            PAGE_NOACCESS,
            SEC_RESERVE,
            NULL,
            0,
            STATUS_INVALID_PAGE_PROTECTION,
        ),
        (
            PAGE_EXECUTE,
            SEC_RESERVE,
            NULL,
            0,
            STATUS_INVALID_PARAMETER_4,
        ),
        // [REACTOS-MAP]
        (
            PAGE_NOACCESS,
            SEC_COMMIT,
            NULL,
            0x1000,
            STATUS_INVALID_PAGE_PROTECTION,
        ),
        (
            PAGE_READWRITE,
            SEC_COMMIT,
            NULL,
            0x80_0000_0000,
            STATUS_COMMITMENT_LIMIT,
        ),
        (
            PAGE_READWRITE,
            SEC_RESERVE,
            NULL,
            0x8000_0000_0000,
            STATUS_SECTION_TOO_BIG,
        ),
    ];
    for (protect, attrs, file, size, want) in cases {
        // SAFETY: pointers to locals.
        let s = unsafe { NtCreateSection(&mut h, 0, null, &size, protect, attrs, file) };
        expect_status(
            &format!("protect {protect:#x} attributes {attrs:#x} size {size:#x}"),
            s,
            want,
        )?;
    }
    // [REACTOS-MAP] x64: 8 TiB reserve-only is more than Windows will keep.
    let (s, _) = create_raw(null, 0x800_0000_0000, PAGE_READWRITE, SEC_RESERVE);
    expect_status("8 TiB SEC_RESERVE", s, STATUS_INSUFFICIENT_RESOURCES)?;
    // A NULL MaximumSize without a file [RING3K, WDK].
    // SAFETY: a local out pointer.
    let s = unsafe {
        NtCreateSection(
            &mut h,
            0,
            null,
            core::ptr::null(),
            PAGE_READWRITE,
            SEC_COMMIT,
            NULL,
        )
    };
    expect_status("NULL MaximumSize", s, STATUS_INVALID_PARAMETER_4)?;
    // A handle that is not a file.
    let mut ev = NULL;
    // SAFETY: a local out pointer.
    let s = unsafe { NtCreateEvent(&mut ev, 0x1F_0003, null, 0, 0) };
    expect_status("NtCreateEvent", s, STATUS_SUCCESS)?;
    let size = 0x1000i64;
    // SAFETY: pointers to locals.
    let s = unsafe { NtCreateSection(&mut h, 0, null, &size, PAGE_READONLY, SEC_COMMIT, ev) };
    close(ev);
    expect_status("event as FileHandle", s, STATUS_OBJECT_TYPE_MISMATCH)
}

fn query_section() -> Result<(), String> {
    let h = create(0x123, PAGE_EXECUTE_READWRITE, SEC_COMMIT)?;
    let r = (|| -> Result<(), String> {
        // [REACTOS-QUERY]
        let (base, attrs, size, ret) = query_basic(h)?;
        eq("BaseAddress", base, 0)?;
        eq("Attributes", attrs, SEC_COMMIT)?;
        eq("Size", size, 0x1000)?;
        eq("ReturnLength", ret, BASIC_LEN)?;
        let mut b = [0u8; 64];
        let mut ret = 0usize;
        let bp = b.as_mut_ptr().cast::<c_void>();
        // SAFETY: a local buffer (or NULL) of at least the lengths passed.
        let cases = unsafe {
            [
                (
                    "one byte short",
                    NtQuerySection(h, 0, bp, BASIC_LEN - 1, &mut ret),
                    STATUS_INFO_LENGTH_MISMATCH,
                ),
                (
                    "NULL buffer",
                    NtQuerySection(h, 0, core::ptr::null_mut(), BASIC_LEN, &mut ret),
                    STATUS_ACCESS_VIOLATION,
                ),
                (
                    "kernel buffer",
                    NtQuerySection(h, 0, KERNEL as *mut c_void, BASIC_LEN, &mut ret),
                    STATUS_ACCESS_VIOLATION,
                ),
                (
                    "NULL handle",
                    NtQuerySection(NULL, 0, bp, BASIC_LEN, &mut ret),
                    STATUS_INVALID_HANDLE,
                ),
                (
                    "SectionImageInformation",
                    NtQuerySection(h, 1, bp, 64, &mut ret),
                    STATUS_SECTION_NOT_IMAGE,
                ),
                (
                    "class 2",
                    NtQuerySection(h, 2, bp, 64, &mut ret),
                    STATUS_INVALID_INFO_CLASS,
                ),
                (
                    "process handle",
                    NtQuerySection(CURRENT_PROCESS, 0, bp, BASIC_LEN, &mut ret),
                    STATUS_OBJECT_TYPE_MISMATCH,
                ),
            ]
        };
        for (what, got, want) in cases {
            expect_status(what, got, want)?;
        }
        Ok(())
    })();
    close(h);
    r?;
    // SEC_RESERVE, rounded up to pages [REACTOS-QUERY].
    let h = create(0x1001, PAGE_EXECUTE_READWRITE, SEC_RESERVE)?;
    let r = query_basic(h);
    close(h);
    let (_, attrs, size, _) = r?;
    eq("SEC_RESERVE attributes", attrs, SEC_RESERVE)?;
    eq("SEC_RESERVE size", size, 0x2000)?;
    // A handle without SECTION_QUERY, and a closed one.
    let mut h = NULL;
    let size = 0x1000i64;
    // SAFETY: pointers to locals.
    let s = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_MAP_READ,
            core::ptr::null(),
            &size,
            PAGE_READONLY,
            SEC_COMMIT,
            NULL,
        )
    };
    expect_status("create SECTION_MAP_READ", s, STATUS_SUCCESS)?;
    let mut b = [0u8; 32];
    // SAFETY: a local buffer.
    let s = unsafe {
        NtQuerySection(
            h,
            0,
            b.as_mut_ptr().cast(),
            BASIC_LEN,
            core::ptr::null_mut(),
        )
    };
    close(h);
    expect_status("query without SECTION_QUERY", s, STATUS_ACCESS_DENIED)?;
    // SAFETY: as above.
    let s = unsafe {
        NtQuerySection(
            h,
            0,
            b.as_mut_ptr().cast(),
            BASIC_LEN,
            core::ptr::null_mut(),
        )
    };
    expect_status("query closed handle", s, STATUS_INVALID_HANDLE)
}

/// Two views of one section in this process are one memory.
fn views_alias() -> Result<(), String> {
    let h = create(0x2_0000, PAGE_READWRITE, SEC_COMMIT)?;
    let r = (|| {
        let (a, na) = map(h, PAGE_READWRITE)?;
        let (b, nb) = map(h, PAGE_READWRITE)?;
        eq("ViewSize 0 maps it all", (na, nb), (0x2_0000, 0x2_0000))?;
        if a == b || a % 0x1_0000 != 0 || b % 0x1_0000 != 0 {
            return Err(format!("views at {a:#x} and {b:#x}"));
        }
        eq("fresh pages read zero", peek(a + 0x1_F000), 0)?;
        poke(a, 0x1234_5678);
        poke(b + 0x1_F00C, 0xCAFE);
        eq("A's write seen in B", peek(b), 0x1234_5678)?;
        eq("B's write seen in A", peek(a + 0x1_F00C), 0xCAFE)?;
        // A third view at offset 64 KiB aliases the second half.
        let (st, c, nc) = map_full(
            h,
            CURRENT_PROCESS,
            0,
            Some(0x1_0000),
            0x1000,
            0,
            0,
            PAGE_READONLY,
        );
        expect_status("map at offset", st, STATUS_SUCCESS)?;
        eq("offset view size", nc, 0x1000)?;
        poke(a + 0x1_0010, 77);
        eq("offset view sees it", peek(c + 0x10), 77)?;
        // [WDK] MEM_MAPPED, AllocationBase / AllocationProtect as asked.
        let m = query_vm(c)?;
        eq(
            "query of the read-only view",
            (
                m.AllocationBase,
                m.AllocationProtect,
                m.RegionSize,
                m.State,
                m.Protect,
                m.Type,
            ),
            (
                c,
                PAGE_READONLY,
                0x1000,
                MEM_COMMIT,
                PAGE_READONLY,
                MEM_MAPPED,
            ),
        )?;
        let m = query_vm(b + 0x5000)?;
        eq(
            "query inside a view",
            (m.AllocationBase, m.RegionSize, m.Protect, m.Type),
            (b, 0x1_B000, PAGE_READWRITE, MEM_MAPPED),
        )?;
        // Service writes reach the view through the executive's shadow.
        let v = 0xABCD_EF01u32;
        // SAFETY: a local source, a committed writable view.
        let s = unsafe {
            NtWriteVirtualMemory(
                CURRENT_PROCESS,
                a + 0x40,
                (&raw const v).cast(),
                4,
                core::ptr::null_mut(),
            )
        };
        expect_status("NtWriteVirtualMemory into a view", s, STATUS_SUCCESS)?;
        eq("seen in the other view", peek(b + 0x40), v)?;
        // [REACTOS-MAP] not freeable as private memory.
        let (mut fb, mut fs) = (a, 0x1000usize);
        // SAFETY: pointers to locals.
        let s = unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut fb, &mut fs, MEM_DECOMMIT) };
        expect_status("decommit in a view", s, STATUS_UNABLE_TO_DELETE_SECTION)?;
        let (mut fb, mut fs) = (a, 0usize);
        // SAFETY: as above.
        let s = unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut fb, &mut fs, MEM_RELEASE) };
        expect_status("release a view", s, STATUS_UNABLE_TO_DELETE_SECTION)?;
        // Any address inside the view names it.
        unmap(c + 0x800)?;
        unmap(b)?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(CURRENT_PROCESS, b) };
        expect_status("unmap twice", s, STATUS_NOT_MAPPED_VIEW)?;
        let m = query_vm(b)?;
        eq("unmapped view is free", m.State, MEM_FREE)?;
        // The view outlives the handle.
        close(h);
        eq("view after close", peek(a), 0x1234_5678)?;
        unmap(a)
    })();
    if r.is_err() {
        close(h);
    }
    r
}

/// A bad-argument case of NtMapViewOfSection: (what, base, offset, size, allocation
/// type, protection, expected status).
type MapCase = (&'static str, usize, Option<i64>, usize, u32, u32, u32);

fn map_bad_arguments() -> Result<(), String> {
    let h = create(0x2_0000, PAGE_READWRITE, SEC_COMMIT)?;
    let r = (|| {
        let cp = CURRENT_PROCESS;
        let rw = PAGE_READWRITE;
        // (what, base, offset, size, alloc type, protect, want)
        let cases: [MapCase; 11] = [
            // [REACTOS-MAP]
            (
                "base off 64K",
                0x3000_1000,
                None,
                0x1000,
                0,
                rw,
                STATUS_MAPPED_ALIGNMENT,
            ),
            (
                "execute on RW section",
                0,
                None,
                0x1000,
                0,
                PAGE_EXECUTE_READWRITE,
                STATUS_SECTION_PROTECTION,
            ),
            (
                "MEM_COMMIT",
                0,
                None,
                0x1000,
                MEM_COMMIT,
                rw,
                STATUS_INVALID_PARAMETER_9,
            ),
            (
                "MEM_RESERVE",
                0,
                None,
                0x1000,
                MEM_RESERVE,
                rw,
                STATUS_INVALID_PARAMETER_9,
            ),
            (
                "protect 0",
                0,
                None,
                0,
                0,
                0,
                STATUS_INVALID_PAGE_PROTECTION,
            ),
            (
                "guard view",
                0,
                None,
                0,
                0,
                rw | PAGE_GUARD,
                STATUS_INVALID_PAGE_PROTECTION,
            ),
            (
                "offset off 64K",
                0,
                Some(0x1000),
                0x1000,
                0,
                rw,
                STATUS_MAPPED_ALIGNMENT,
            ),
            (
                "offset at end",
                0,
                Some(0x2_0000),
                0,
                0,
                rw,
                STATUS_INVALID_VIEW_SIZE,
            ),
            (
                "view past end",
                0,
                None,
                0x2_1000,
                0,
                rw,
                STATUS_INVALID_VIEW_SIZE,
            ),
            (
                "ViewSize MAXULONG_PTR",
                0,
                None,
                usize::MAX,
                0,
                rw,
                STATUS_INVALID_PARAMETER_3,
            ),
            (
                "kernel base",
                KERNEL,
                None,
                0x1000,
                0,
                rw,
                STATUS_INVALID_PARAMETER_3,
            ),
        ];
        for (what, base, off, size, ty, protect, want) in cases {
            let (s, _, _) = map_full(h, cp, base, off, size, 0, ty, protect);
            expect_status(what, s, want)?;
        }
        // InheritDisposition and ZeroBits.
        let (mut b, mut n) = (0usize, 0usize);
        // SAFETY: pointers to locals.
        let s = unsafe {
            NtMapViewOfSection(h, cp, &mut b, 0, 0, core::ptr::null_mut(), &mut n, 0, 0, rw)
        };
        expect_status("inherit 0", s, STATUS_INVALID_PARAMETER_8)?;
        // SAFETY: as above.
        let s = unsafe {
            NtMapViewOfSection(
                h,
                cp,
                &mut b,
                22,
                0,
                core::ptr::null_mut(),
                &mut n,
                1,
                0,
                rw,
            )
        };
        expect_status("ZeroBits 22", s, STATUS_INVALID_PARAMETER_4)?;
        // [RING3K] a NULL ViewSize.
        // SAFETY: as above; NULL is checked by the executive.
        let s = unsafe {
            NtMapViewOfSection(
                h,
                cp,
                &mut b,
                0,
                0,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                1,
                0,
                rw,
            )
        };
        expect_status("NULL ViewSize", s, STATUS_ACCESS_VIOLATION)?;
        // SAFETY: a kernel-range BaseAddress pointer, probed by the executive.
        let s = unsafe {
            NtMapViewOfSection(
                h,
                cp,
                KERNEL as *mut usize,
                0,
                0,
                core::ptr::null_mut(),
                &mut n,
                1,
                0,
                rw,
            )
        };
        expect_status("kernel BaseAddress pointer", s, STATUS_ACCESS_VIOLATION)?;
        // SAFETY: a misaligned BaseAddress pointer, probed by the executive (pointer
        // alignment, as ProbeForWrite of a PVOID).
        let s = unsafe {
            NtMapViewOfSection(
                h,
                cp,
                (UNMAPPED + 1) as *mut usize,
                0,
                0,
                core::ptr::null_mut(),
                &mut n,
                1,
                0,
                rw,
            )
        };
        expect_status(
            "misaligned BaseAddress pointer",
            s,
            STATUS_DATATYPE_MISALIGNMENT,
        )?;
        // Wrong handle types [RING3K] and a handle without the right [WDK].
        let (s, _, _) = map_full(cp, cp, 0, None, 0, 0, 0, rw);
        expect_status("process as section", s, STATUS_OBJECT_TYPE_MISMATCH)?;
        let (s, _, _) = map_full(h, h, 0, None, 0, 0, 0, rw);
        expect_status("section as process", s, STATUS_OBJECT_TYPE_MISMATCH)?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(h, 0x1_0000) };
        expect_status(
            "unmap with a section handle",
            s,
            STATUS_OBJECT_TYPE_MISMATCH,
        )?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(CURRENT_PROCESS, 0x1_0000) };
        expect_status("unmap a non-view", s, STATUS_NOT_MAPPED_VIEW)?;
        let mut ro = NULL;
        let size = 0x1000i64;
        // SAFETY: pointers to locals.
        let s = unsafe {
            NtCreateSection(
                &mut ro,
                SECTION_MAP_READ | SECTION_QUERY,
                core::ptr::null(),
                &size,
                PAGE_READWRITE,
                SEC_COMMIT,
                NULL,
            )
        };
        expect_status("create map-read handle", s, STATUS_SUCCESS)?;
        let (s, _, _) = map_full(ro, cp, 0, None, 0, 0, 0, rw);
        let (s2, b2, _) = map_full(ro, cp, 0, None, 0, 0, 0, PAGE_READONLY);
        close(ro);
        expect_status("RW view without SECTION_MAP_WRITE", s, STATUS_ACCESS_DENIED)?;
        expect_status("RO view with SECTION_MAP_READ", s2, STATUS_SUCCESS)?;
        unmap(b2)?;
        // A view where memory is taken [MSDN].
        let (b1, _) = map(h, rw)?;
        let (s, _, _) = map_full(h, cp, b1, None, 0x1000, 0, 0, rw);
        unmap(b1)?;
        expect_status("view over a view", s, STATUS_CONFLICTING_ADDRESSES)?;
        // Closed handle.
        let (s, _, _) = map_full(0x1234 as HANDLE, cp, 0, None, 0, 0, 0, rw);
        expect_status("bogus handle", s, STATUS_INVALID_HANDLE)
    })();
    close(h);
    r
}

fn protections() -> Result<(), String> {
    // A read-only section: no writable view, no write through the executive.
    let h = create(0x1000, PAGE_READONLY, SEC_COMMIT)?;
    let r = (|| {
        let (s, _, _) = map_full(h, CURRENT_PROCESS, 0, None, 0, 0, 0, PAGE_READWRITE);
        expect_status("RW view of RO section", s, STATUS_SECTION_PROTECTION)?;
        let (a, _) = map(h, PAGE_READONLY)?;
        let v = 1u32;
        // SAFETY: a local source; the target is read-only.
        let s = unsafe {
            NtWriteVirtualMemory(
                CURRENT_PROCESS,
                a,
                (&raw const v).cast(),
                4,
                core::ptr::null_mut(),
            )
        };
        expect_status("write into a RO view", s, STATUS_PARTIAL_COPY)?;
        let (mut pb, mut ps, mut old) = (a, 0x1000usize, 0u32);
        // SAFETY: pointers to locals.
        let s = unsafe {
            NtProtectVirtualMemory(CURRENT_PROCESS, &mut pb, &mut ps, PAGE_READWRITE, &mut old)
        };
        unmap(a)?;
        expect_status("RO view made RW", s, STATUS_SECTION_PROTECTION)
    })();
    close(h);
    r?;
    // A read-only view of a writable section may become writable.
    let h = create(0x1000, PAGE_READWRITE, SEC_COMMIT)?;
    let r = (|| {
        let (a, _) = map(h, PAGE_READONLY)?;
        let (b, _) = map(h, PAGE_READWRITE)?;
        let (mut pb, mut ps, mut old) = (a, 0x1000usize, 0u32);
        // SAFETY: pointers to locals.
        let s = unsafe {
            NtProtectVirtualMemory(CURRENT_PROCESS, &mut pb, &mut ps, PAGE_READWRITE, &mut old)
        };
        expect_status("RO view of RW section made RW", s, STATUS_SUCCESS)?;
        eq("old protection", old, PAGE_READONLY)?;
        poke(a + 8, 99);
        eq("write after protect seen", peek(b + 8), 99)?;
        unmap(a)?;
        unmap(b)
    })();
    close(h);
    r
}

fn reserve_section() -> Result<(), String> {
    let h = create(0x2_0000, PAGE_READWRITE, SEC_RESERVE)?;
    let r = (|| {
        // [REACTOS-MAP] map two pages, commit one.
        let (s, a, n) = map_full(
            h,
            CURRENT_PROCESS,
            0,
            None,
            0x2000,
            0x1000,
            0,
            PAGE_READWRITE,
        );
        expect_status("map SEC_RESERVE", s, STATUS_SUCCESS)?;
        eq("view size", n, 0x2000)?;
        let m0 = query_vm(a)?;
        let m1 = query_vm(a + 0x1000)?;
        eq(
            "committed first page",
            (m0.State, m0.Protect, m0.RegionSize),
            (MEM_COMMIT, PAGE_READWRITE, 0x1000),
        )?;
        eq(
            "reserved second page",
            (m1.State, m1.Protect, m1.Type),
            (MEM_RESERVE, 0, MEM_MAPPED),
        )?;
        poke(a, 5);
        // A second view sees the committed page too.
        let (s, b, _) = map_full(h, CURRENT_PROCESS, 0, None, 0x2000, 0, 0, PAGE_READWRITE);
        expect_status("second view", s, STATUS_SUCCESS)?;
        eq("second view sees it", peek(b), 5)?;
        eq("second view's commit", query_vm(b)?.State, MEM_COMMIT)?;
        // [REACTOS-MAP] committing the second page through the second view makes it
        // accessible through the first one too.
        let commit = |at: usize, len: usize, protect: u32| {
            let (mut cb, mut cs) = (at, len);
            // SAFETY: pointers to locals.
            let s = unsafe {
                NtAllocateVirtualMemory(CURRENT_PROCESS, &mut cb, 0, &mut cs, MEM_COMMIT, protect)
            };
            (s, cb, cs)
        };
        let (s, cb, cs) = commit(b + 0x1000, 0x1000, PAGE_READWRITE);
        expect_status("commit in the second view", s, STATUS_SUCCESS)?;
        eq("commit range", (cb, cs), (b + 0x1000, 0x1000))?;
        poke(b + 0x1004, 0xB0B);
        eq("first view sees the new page", peek(a + 0x1004), 0xB0B)?;
        eq(
            "first view's page now committed",
            query_vm(a + 0x1000)?.State,
            MEM_COMMIT,
        )?;
        let (s, _, _) = commit(b + 0x1000, 0x2000, PAGE_READWRITE);
        expect_status("commit past the view", s, STATUS_CONFLICTING_ADDRESSES)?;
        // Committing again changes the protection [REACTOS-MAP].
        let (s, _, _) = commit(b + 0x1000, 0x1000, PAGE_READONLY);
        expect_status("commit again read-only", s, STATUS_SUCCESS)?;
        eq(
            "protection after",
            query_vm(b + 0x1000)?.Protect,
            PAGE_READONLY,
        )?;
        let (mut fb, mut fs) = (b + 0x1000, 0x1000usize);
        // SAFETY: pointers to locals.
        let s = unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut fb, &mut fs, MEM_DECOMMIT) };
        expect_status("decommit in a view", s, STATUS_UNABLE_TO_DELETE_SECTION)?;
        unmap(b)?;
        unmap(a)
    })();
    close(h);
    r
}

fn oa(n: &Name, attributes: u32) -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, Some(&n.us), attributes)
}

fn named_sections() -> Result<(), String> {
    let n = name("\\BaseNamedObjects\\ntsuite.section");
    let a = oa(&n, 0);
    let (s, h1) = create_raw(&a, 0x1000, PAGE_READWRITE, SEC_COMMIT);
    expect_status("create named", s, STATUS_SUCCESS)?;
    let r = (|| {
        let (s, _) = create_raw(&a, 0x1000, PAGE_READWRITE, SEC_COMMIT);
        expect_status("create again", s, STATUS_OBJECT_NAME_COLLISION)?;
        let openif = oa(&n, OBJ_OPENIF);
        let (s, h2) = create_raw(&openif, 0x1000, PAGE_READWRITE, SEC_COMMIT);
        expect_status("OBJ_OPENIF", s, STATUS_OBJECT_NAME_EXISTS)?;
        let mut h3 = NULL;
        // SAFETY: pointers to locals.
        let s = unsafe { NtOpenSection(&mut h3, SECTION_MAP_READ | SECTION_MAP_WRITE, &a) };
        expect_status("NtOpenSection", s, STATUS_SUCCESS)?;
        let r = (|| {
            let (v1, _) = map(h1, PAGE_READWRITE)?;
            let (v2, _) = map(h2, PAGE_READWRITE)?;
            let (v3, _) = map(h3, PAGE_READONLY)?;
            poke(v1 + 4, 0x5EC7);
            let seen = (peek(v2 + 4), peek(v3 + 4));
            unmap(v1)?;
            unmap(v2)?;
            unmap(v3)?;
            eq("one section behind three handles", seen, (0x5EC7, 0x5EC7))
        })();
        close(h2);
        close(h3);
        r
    })();
    close(h1);
    r?;
    // Gone with its last handle.
    let mut h = NULL;
    // SAFETY: pointers to locals.
    let s = unsafe { NtOpenSection(&mut h, SECTION_MAP_READ, &a) };
    expect_status("open after close", s, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // A named object of another type [WINE om.c: STATUS_OBJECT_TYPE_MISMATCH].
    let en = name("\\BaseNamedObjects\\ntsuite.section.event");
    let ea = oa(&en, 0);
    let mut ev = NULL;
    // SAFETY: pointers to locals.
    let s = unsafe { NtCreateEvent(&mut ev, 0x1F_0003, &ea, 0, 0) };
    expect_status("named event", s, STATUS_SUCCESS)?;
    // SAFETY: pointers to locals.
    let s = unsafe { NtOpenSection(&mut h, SECTION_MAP_READ, &ea) };
    close(ev);
    expect_status("event opened as a section", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    // SAFETY: all NULL: the executive probes the handle pointer.
    let s = unsafe { NtOpenSection(core::ptr::null_mut(), 0, core::ptr::null()) };
    expect_status("NtOpenSection(0, 0, 0)", s, STATUS_ACCESS_VIOLATION)
}

fn extend_section() -> Result<(), String> {
    let h = create(0x1000, PAGE_READWRITE, SEC_COMMIT)?;
    let mut size = 0x2000i64;
    // SAFETY: a local.
    let s = unsafe { NtExtendSection(h, &mut size) };
    close(h);
    expect_status("extend pagefile section", s, STATUS_SECTION_NOT_EXTENDED)?;
    let mut h = NULL;
    let max = 0x1000i64;
    // SAFETY: pointers to locals.
    let s = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_QUERY,
            core::ptr::null(),
            &max,
            PAGE_READWRITE,
            SEC_COMMIT,
            NULL,
        )
    };
    expect_status("create query-only", s, STATUS_SUCCESS)?;
    // SAFETY: a local.
    let s = unsafe { NtExtendSection(h, &mut size) };
    close(h);
    expect_status(
        "extend without SECTION_EXTEND_SIZE",
        s,
        STATUS_ACCESS_DENIED,
    )?;
    // SAFETY: a kernel-range pointer, probed by the executive.
    let s = unsafe { NtExtendSection(h, KERNEL as *mut i64) };
    expect_status("kernel NewSectionSize", s, STATUS_ACCESS_VIOLATION)
}

/// A view mapped into sleeper.exe by process handle (it keeps running: `ps` tests end
/// it later with the view still mapped, which must only drop its cap copies).
fn cross_process() -> Result<(), String> {
    let Some(cid) = super::ps::sleeper_ids() else {
        crate::suite::println("section.cross_process: sleeper.exe not running, skipped");
        return Ok(());
    };
    let weak = super::ps::open_process(&cid, PROCESS_QUERY_LIMITED_INFORMATION)
        .map_err(|s| format!("open sleeper: {}", describe(s.as_u32())))?;
    let hp = super::ps::open_process(&cid, PROCESS_VM_OPERATION);
    let h = create(0x2_0000, PAGE_READWRITE, SEC_COMMIT);
    let r = (|| {
        let hp = hp.map_err(|s| format!("open sleeper: {}", describe(s.as_u32())))?;
        let h = h.clone()?;
        let (s, _, _) = map_full(h, weak, 0, None, 0, 0, 0, PAGE_READWRITE);
        expect_status("without PROCESS_VM_OPERATION", s, STATUS_ACCESS_DENIED)?;
        let (s, there, n) = map_full(h, hp, 0, None, 0, 0, MEM_TOP_DOWN, PAGE_READWRITE);
        expect_status("map into sleeper", s, STATUS_SUCCESS)?;
        eq("size there", n, 0x2_0000)?;
        let (s, _, _) = map_full(h, hp, there, None, 0x1000, 0, 0, PAGE_READWRITE);
        expect_status("same place again there", s, STATUS_CONFLICTING_ADDRESSES)?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(weak, there) };
        expect_status(
            "unmap without PROCESS_VM_OPERATION",
            s,
            STATUS_ACCESS_DENIED,
        )?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(hp, there) };
        expect_status("unmap there", s, STATUS_SUCCESS)?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(hp, there) };
        expect_status("unmap there twice", s, STATUS_NOT_MAPPED_VIEW)?;
        // Leave one mapped, written from here, for the sleeper's end.
        let (s, _, _) = map_full(h, hp, there, None, 0, 0, 0, PAGE_READWRITE);
        expect_status("map into sleeper again", s, STATUS_SUCCESS)?;
        let (mine, _) = map(h, PAGE_READWRITE)?;
        poke(mine, 0x51EE9);
        unmap(mine)
    })();
    if let Ok(hp) = hp {
        close(hp);
    }
    if let Ok(h) = h {
        close(h);
    }
    close(weak);
    r
}

fn read_u32(at: usize) -> u32 {
    // SAFETY: callers pass addresses inside mapped images.
    unsafe { core::ptr::read_unaligned(at as *const u32) }
}

/// `\KnownDlls\ntdll.dll`, the image section the executive publishes: its
/// information matches the loaded ntdll, and a view of it is a private, relocated copy
/// (ntdll's own base is taken: STATUS_IMAGE_NOT_AT_BASE, as Windows reports a moved
/// image) of MEM_IMAGE memory with the sections' protections.
fn known_dll_image() -> Result<(), String> {
    let n = name("ntdll.dll");
    let mut loaded = core::ptr::null_mut();
    // SAFETY: a valid name and output.
    let s = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &n.us, &mut loaded) };
    expect_status("LdrGetDllHandle(ntdll.dll)", s, STATUS_SUCCESS)?;
    let loaded = loaded as usize;
    let nt = loaded + read_u32(loaded + 0x3C) as usize;
    let image_size = read_u32(nt + 24 + 56) as usize;
    let k = name("\\KnownDlls\\ntdll.dll");
    let a = oa(&k, 0x40);
    let mut h = NULL;
    // SAFETY: pointers to locals.
    let s = unsafe { NtOpenSection(&mut h, SECTION_MAP_READ | 0x8 | SECTION_QUERY, &a) };
    expect_status("NtOpenSection(\\KnownDlls\\ntdll.dll)", s, STATUS_SUCCESS)?;
    let r = (|| {
        // [REACTOS-QUERY] image sections report SEC_FILE | SEC_IMAGE.
        let (_, attrs, size, _) = query_basic(h)?;
        eq("image attributes", attrs, SEC_FILE | SEC_IMAGE)?;
        eq(
            "image size",
            size as usize,
            image_size.next_multiple_of(0x1000),
        )?;
        let mut info = [0u8; 0x40];
        let len = if W == 8 { 0x40 } else { 0x30 };
        // SAFETY: a local buffer of at least `len` bytes.
        let s =
            unsafe { NtQuerySection(h, 1, info.as_mut_ptr().cast(), len, core::ptr::null_mut()) };
        expect_status("SectionImageInformation", s, STATUS_SUCCESS)?;
        let machine_at = if W == 8 { 0x30 } else { 0x20 };
        let machine = u16::from_le_bytes([info[machine_at], info[machine_at + 1]]);
        eq("Machine", machine, if W == 8 { 0x8664 } else { 0x014C })?;
        // Mapped where ntdll already is: refused.
        let (s, _, _) = map_full(h, CURRENT_PROCESS, loaded, None, 0, 0, 0, PAGE_READONLY);
        expect_status("map over the loaded ntdll", s, STATUS_CONFLICTING_ADDRESSES)?;
        let (s, view, n) = map_full(h, CURRENT_PROCESS, 0, None, 0, 0, 0, PAGE_READONLY);
        expect_status("map the image", s, STATUS_IMAGE_NOT_AT_BASE)?;
        let r = (|| -> Result<(), String> {
            eq("view size", n, image_size.next_multiple_of(0x1000))?;
            eq("MZ", read_u32(view) & 0xFFFF, 0x5A4D)?;
            let vnt = view + read_u32(view + 0x3C) as usize;
            eq("PE signature", read_u32(vnt), 0x4550)?;
            eq("SizeOfImage", read_u32(vnt + 24 + 56) as usize, image_size)?;
            let m = query_vm(view)?;
            eq(
                "header page",
                (
                    m.AllocationBase,
                    m.AllocationProtect,
                    m.State,
                    m.Protect,
                    m.Type,
                ),
                (
                    view,
                    PAGE_EXECUTE_WRITECOPY,
                    MEM_COMMIT,
                    PAGE_READONLY,
                    MEM_IMAGE,
                ),
            )?;
            // The first section is ntdll's code.
            let m = query_vm(view + 0x1000)?;
            eq(
                "code page",
                (m.Protect, m.Type),
                (PAGE_EXECUTE_READ, MEM_IMAGE),
            )?;
            Ok(())
        })();
        unmap(view)?;
        // SAFETY: plain values.
        let s = unsafe { NtUnmapViewOfSection(CURRENT_PROCESS, view) };
        expect_status("unmap the image twice", s, STATUS_NOT_MAPPED_VIEW)?;
        eq("after unmap", query_vm(view)?.State, MEM_FREE)?;
        r
    })();
    close(h);
    r?;
    // The loaded ntdll is the loader's, not a view: not unmappable here.
    // SAFETY: plain values.
    let s = unsafe { NtUnmapViewOfSection(CURRENT_PROCESS, loaded) };
    expect_status("unmap the loaded ntdll", s, STATUS_NOT_MAPPED_VIEW)
}

/// Generic rights map as the Section type's generic mapping says (winnt.h:
/// read = STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ, write =
/// STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE, execute = STANDARD_RIGHTS_EXECUTE |
/// SECTION_MAP_EXECUTE, all = SECTION_ALL_ACCESS), seen in ObjectBasicInformation's
/// GrantedAccess; MAXIMUM_ALLOWED grants SECTION_ALL_ACCESS.
fn generic_mapping() -> Result<(), String> {
    for (desired, want) in [
        (0x8000_0000u32, 0x0002_0005u32),
        (0x4000_0000, 0x0002_0002),
        (0x2000_0000, 0x0002_0008),
        (0x1000_0000, SECTION_ALL_ACCESS),
        (0x0200_0000, SECTION_ALL_ACCESS),
    ] {
        let mut h = NULL;
        let size = 0x1000i64;
        // SAFETY: pointers to locals.
        let s = unsafe {
            NtCreateSection(
                &mut h,
                desired,
                core::ptr::null(),
                &size,
                PAGE_READWRITE,
                SEC_COMMIT,
                NULL,
            )
        };
        expect_status("NtCreateSection", s, STATUS_SUCCESS)?;
        let mut info = [0u32; 14];
        // SAFETY: a local buffer of the size passed (OBJECT_BASIC_INFORMATION, 56 bytes).
        let s = unsafe { NtQueryObject(h, 0, info.as_mut_ptr().cast(), 56, core::ptr::null_mut()) };
        close(h);
        expect_status("NtQueryObject", s, STATUS_SUCCESS)?;
        eq(&format!("granted for {desired:#x}"), info[1], want)?;
    }
    Ok(())
}

fn copy_on_write() -> Result<(), String> {
    let h = create(0x2000, PAGE_READWRITE, SEC_COMMIT)?;
    let r = (|| {
        let (a, _) = map(h, PAGE_READWRITE)?;
        let (c, _) = map(h, PAGE_WRITECOPY)?;
        let r = (|| {
            poke(a, 1);
            poke(a + 0x1000, 10);
            eq(
                "copy view sees the section",
                (peek(c), peek(c + 0x1000)),
                (1, 10),
            )?;
            eq("before the write", query_vm(c)?.Protect, PAGE_WRITECOPY)?;
            poke(c, 2);
            eq("the copy has the write", peek(c), 2)?;
            eq("the section does not", peek(a), 1)?;
            poke(a, 3);
            eq("the copy no longer follows page 0", peek(c), 2)?;
            poke(a + 0x1000, 11);
            eq("but still follows page 1", peek(c + 0x1000), 11)?;
            let m0 = query_vm(c)?;
            let m1 = query_vm(c + 0x1000)?;
            eq(
                "protections after",
                (m0.Protect, m0.Type, m1.Protect),
                (PAGE_READWRITE, MEM_MAPPED, PAGE_WRITECOPY),
            )
        })();
        unmap(c)?;
        // The same place again: the private page went with the view.
        let (s, c2, _) = map_full(h, CURRENT_PROCESS, c, None, 0, 0, 0, PAGE_READONLY);
        expect_status("map where the copy was", s, STATUS_SUCCESS)?;
        let back = peek(c2);
        unmap(c2)?;
        unmap(a)?;
        r?;
        eq("a new view shows the section again", back, 3)
    })();
    close(h);
    r
}

/// Running out of commit is STATUS_COMMITMENT_LIMIT (the status Windows gives when
/// the commit limit is reached, [REACTOS-MAP]), never a crash, and closing returns
/// the charge. Nereid's limit for all sections is far lower than Windows' (see
/// docs/FEATURES.md), so 1 MiB sections reach it within a few tries.
fn commit_limit() -> Result<(), String> {
    let mut held = Vec::new();
    let mut hit = None;
    for _ in 0..64 {
        let (s, h) = create_raw(core::ptr::null(), 0x10_0000, PAGE_READWRITE, SEC_COMMIT);
        if s.as_u32() == STATUS_SUCCESS {
            held.push(h);
        } else {
            hit = Some(s.as_u32());
            break;
        }
    }
    // A SEC_RESERVE view cannot commit past the limit either.
    let r = (|| {
        eq("status at the limit", hit, Some(STATUS_COMMITMENT_LIMIT))?;
        let h = create(0x100_0000, PAGE_READWRITE, SEC_RESERVE)?;
        let (s, b, _) = map_full(
            h,
            CURRENT_PROCESS,
            0,
            None,
            0,
            0x100_0000,
            0,
            PAGE_READWRITE,
        );
        close(h);
        if s.as_u32() == STATUS_SUCCESS {
            unmap(b)?;
        }
        expect_status("CommitSize past the limit", s, STATUS_COMMITMENT_LIMIT)
    })();
    for h in held {
        close(h);
    }
    r?;
    let h = create(0x10_0000, PAGE_READWRITE, SEC_COMMIT)?;
    close(h);
    Ok(())
}

/// Sections come and go without leaking their frames: many more section pages than the
/// executive could hold at once, each section mapped twice, written, unmapped, closed.
fn lifecycle_reclaims() -> Result<(), String> {
    for round in 0..40u32 {
        let h = create(0x4_0000, PAGE_READWRITE, SEC_COMMIT)
            .map_err(|e| format!("round {round}: {e}"))?;
        let r = (|| {
            let (a, n) = map(h, PAGE_READWRITE)?;
            let (b, _) = map(h, PAGE_READONLY)?;
            let mut at = 0;
            while at < n {
                poke(a + at, round ^ at as u32);
                at += 0x1000;
            }
            let seen = peek(b + n - 0x1000);
            unmap(a)?;
            unmap(b)?;
            eq(
                "last page through the other view",
                seen,
                round ^ (n - 0x1000) as u32,
            )
        })();
        close(h);
        r.map_err(|e| format!("round {round}: {e}"))?;
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("section.create_bad_arguments", create_bad_arguments),
    ("section.query", query_section),
    ("section.views_alias", views_alias),
    ("section.map_bad_arguments", map_bad_arguments),
    ("section.protections", protections),
    ("section.reserve", reserve_section),
    ("section.named", named_sections),
    ("section.extend", extend_section),
    ("section.cross_process", cross_process),
    ("section.lifecycle_reclaims", lifecycle_reclaims),
    ("section.known_dll_image", known_dll_image),
    ("section.generic_mapping", generic_mapping),
    ("section.commit_limit", commit_limit),
    ("section.copy_on_write", copy_on_write),
];
