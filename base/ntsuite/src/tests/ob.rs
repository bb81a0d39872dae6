//! Object-manager services: directories, symbolic links, NtQueryObject,
//! NtDuplicateObject, NtMakeTemporaryObject, NtClose, with good and hostile input.
//!
//! Sources for the expected statuses (facts, not code):
//! - [DOC] the WDK documentation of `ZwCreateDirectoryObject`, `ZwOpenDirectoryObject`,
//!   `ZwOpenSymbolicLinkObject`, `ZwQuerySymbolicLinkObject`, `ZwDuplicateObject`,
//!   `ZwMakeTemporaryObject` (needs `DELETE`), `ZwQueryObject`, `ZwClose`,
//!   `InitializeObjectAttributes` and `ProbeForRead`/`ProbeForWrite`;
//! - [WINE] the behaviour Wine's `dlls/ntdll/tests/om.c` checks against real Windows
//!   (name syntax: PATH_SYNTAX_BAD / NAME_INVALID / PATH_NOT_FOUND / NAME_NOT_FOUND,
//!   collisions, OPENIF, type mismatches, NtQueryDirectoryObject buffer and context
//!   rules, NtQueryObject lengths);
//! - [NTSTATUS] values from MS-ERREF 2.3.1.
//!
//! Names live under `\BaseNamedObjects\ntsuite.ob.*` and are temporary, so runs do not
//! collide.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtCreateDirectoryObject(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
    ) -> NtStatus;
    fn NtOpenDirectoryObject(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES)
        -> NtStatus;
    fn NtQueryDirectoryObject(
        h: HANDLE,
        buffer: *mut c_void,
        length: u32,
        single: u8,
        restart: u8,
        context: *mut u32,
        returned: *mut u32,
    ) -> NtStatus;
    fn NtCreateSymbolicLinkObject(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        target: *const UNICODE_STRING,
    ) -> NtStatus;
    fn NtMakeTemporaryObject(h: HANDLE) -> NtStatus;

}

// [NTSTATUS]
const STATUS_OBJECT_NAME_INVALID: u32 = 0xC000_0033;

// Access rights and flags (`ntdef.h`, `wdm.h`, `winnt.h`).
const DELETE: u32 = 0x0001_0000;
const DIRECTORY_QUERY: u32 = 0x0001;
const DIRECTORY_TRAVERSE: u32 = 0x0002;
const DIRECTORY_ALL_ACCESS: u32 = 0x000F_000F;
const SYMBOLIC_LINK_ALL_ACCESS: u32 = 0x000F_0001;
const PROCESS_DUP_HANDLE: u32 = 0x0040;
const OBJ_PERMANENT: u32 = 0x10;
const DUPLICATE_CLOSE_SOURCE: u32 = 1;
const DUPLICATE_SAME_ACCESS: u32 = 2;

const PTR: usize = size_of::<usize>();
/// `OBJECT_DIRECTORY_INFORMATION`: two `UNICODE_STRING`s.
const DIR_INFO: usize = 2 * size_of::<UNICODE_STRING>();

fn oa(root: HANDLE, n: Option<&Name>, attributes: u32) -> OBJECT_ATTRIBUTES {
    object_attributes(root, n.map(|n| &n.us), attributes)
}

fn create_dir(path: &str, attributes: u32) -> (NtStatus, HANDLE) {
    let n = name(path);
    let a = oa(NULL, Some(&n), attributes);
    let mut h = NULL;
    // SAFETY: a service call with valid pointers.
    let s = unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_ALL_ACCESS, &a) };
    (s, h)
}

fn open_dir(root: HANDLE, path: &str, access: u32, attributes: u32) -> (NtStatus, HANDLE) {
    let n = name(path);
    let a = oa(root, Some(&n), attributes);
    let mut h = NULL;
    // SAFETY: as above.
    let s = unsafe { NtOpenDirectoryObject(&mut h, access, &a) };
    (s, h)
}

fn create_link(path: &str, target: &str) -> (NtStatus, HANDLE) {
    let n = name(path);
    let t = name(target);
    let a = oa(NULL, Some(&n), 0);
    let mut h = NULL;
    // SAFETY: as above.
    let s = unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_ALL_ACCESS, &a, &t.us) };
    (s, h)
}

fn close(h: HANDLE) -> NtStatus {
    // SAFETY: a service call with a plain value.
    unsafe { NtClose(h) }
}

fn query_dir(
    h: HANDLE,
    buf: &mut [u8],
    single: bool,
    restart: bool,
    ctx: &mut u32,
) -> (NtStatus, u32) {
    let mut ret = 0u32;
    // SAFETY: `buf`, `ctx` and `ret` are live for the call.
    let s = unsafe {
        NtQueryDirectoryObject(
            h,
            buf.as_mut_ptr().cast(),
            buf.len() as u32,
            u8::from(single),
            u8::from(restart),
            ctx,
            &mut ret,
        )
    };
    (s, ret)
}

/// Reads `UNICODE_STRING` `i` of a buffer the executive filled (its Buffer points into
/// the same buffer).
fn string_at(buf: &[u8], i: usize) -> String {
    let at = i * size_of::<UNICODE_STRING>();
    let len = usize::from(u16::from_le_bytes([buf[at], buf[at + 1]]));
    let mut p = [0u8; PTR];
    p.copy_from_slice(&buf[at + PTR..at + 2 * PTR]);
    let ptr = usize::from_le_bytes(p);
    let base = buf.as_ptr() as usize;
    if ptr < base || ptr + len > base + buf.len() {
        return String::from("<outside buffer>");
    }
    let off = ptr - base;
    let units: Vec<u16> = buf[off..off + len]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn check(cond: bool, what: &str) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(String::from(what))
    }
}

// ----- directories ---------------------------------------------------------------------

/// [DOC][WINE] create, collision without OBJ_OPENIF, NAME_EXISTS with it, open.
fn create_collide_openif() -> Result<(), String> {
    let p = "\\BaseNamedObjects\\ntsuite.ob.d1";
    let (s, h) = create_dir(p, 0);
    ok("create", s)?;
    expect_status(
        "create again",
        create_dir(p, 0).0,
        STATUS_OBJECT_NAME_COLLISION,
    )?;
    let (s, h2) = create_dir(p, OBJ_OPENIF);
    expect_status("create OPENIF", s, STATUS_OBJECT_NAME_EXISTS)?;
    check(h2 != h && !h2.is_null(), "OPENIF gives a new handle")?;
    let (s, h3) = open_dir(NULL, p, DIRECTORY_QUERY, 0);
    ok("open", s)?;
    ok("close", close(h3))?;
    ok("close", close(h2))?;
    ok("close", close(h))
}

/// [WINE] missing last component vs missing intermediate one.
fn name_vs_path_not_found() -> Result<(), String> {
    expect_status(
        "missing leaf",
        open_dir(
            NULL,
            "\\BaseNamedObjects\\ntsuite.ob.none",
            DIRECTORY_QUERY,
            0,
        )
        .0,
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    expect_status(
        "missing intermediate",
        open_dir(NULL, "\\ntsuite.ob.none\\x", DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_PATH_NOT_FOUND,
    )
}

/// [WINE] relative name without root, trailing separator, empty component.
fn invalid_names() -> Result<(), String> {
    expect_status(
        "relative without root",
        open_dir(NULL, "BaseNamedObjects", DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_PATH_SYNTAX_BAD,
    )?;
    expect_status(
        "trailing backslash",
        open_dir(NULL, "\\BaseNamedObjects\\", DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_NAME_INVALID,
    )?;
    expect_status(
        "empty component",
        open_dir(NULL, "\\\\BaseNamedObjects", DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_NAME_INVALID,
    )?;
    // [WINE] an odd name length is NAME_INVALID.
    let mut n = name("\\BaseNamedObjects");
    n.us.Length = 3;
    let a = oa(NULL, Some(&n), 0);
    let mut h = NULL;
    // SAFETY: a service call with valid pointers.
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) };
    expect_status("odd length", s, STATUS_OBJECT_NAME_INVALID)
}

/// [DOC] OBJECT_ATTRIBUTES.Length must be sizeof; invalid attribute bits; bad pointers
/// (ProbeForRead: NULL/kernel → ACCESS_VIOLATION, misaligned → DATATYPE_MISALIGNMENT).
fn bad_object_attributes() -> Result<(), String> {
    let n = name("\\BaseNamedObjects");
    let mut h = NULL;
    let mut a = oa(NULL, Some(&n), 0);
    a.Length = 0;
    // SAFETY (all calls below): service calls; the executive checks the pointers.
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) };
    expect_status("Length 0", s, STATUS_INVALID_PARAMETER)?;
    let a = oa(NULL, Some(&n), 0x8000_0000);
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) };
    expect_status("bad attribute bit", s, STATUS_INVALID_PARAMETER)?;
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, core::ptr::null()) };
    expect_status("NULL attributes", s, STATUS_ACCESS_VIOLATION)?;
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, KERNEL as *const _) };
    expect_status("kernel attributes", s, STATUS_ACCESS_VIOLATION)?;
    let buf = [0u8; 2 * size_of::<OBJECT_ATTRIBUTES>()];
    let odd = (buf.as_ptr() as usize | 1) as *const OBJECT_ATTRIBUTES;
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, odd) };
    expect_status("misaligned attributes", s, STATUS_DATATYPE_MISALIGNMENT)?;
    let a = oa(NULL, Some(&n), 0);
    let s = unsafe { NtOpenDirectoryObject(KERNEL as *mut HANDLE, DIRECTORY_QUERY, &a) };
    expect_status("kernel handle out", s, STATUS_ACCESS_VIOLATION)?;
    let mut bad = name("\\BaseNamedObjects");
    bad.us.Buffer = KERNEL as *mut u16;
    let a = oa(NULL, Some(&bad), 0);
    let s = unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) };
    expect_status("kernel name buffer", s, STATUS_ACCESS_VIOLATION)
}

/// [DOC] OBJ_CASE_INSENSITIVE, and names relative to RootDirectory.
fn case_and_root() -> Result<(), String> {
    let (s, h) = create_dir("\\BaseNamedObjects\\ntsuite.ob.Case", 0);
    ok("create", s)?;
    let (s, h2) = open_dir(
        NULL,
        "\\BASENAMEDOBJECTS\\NTSUITE.OB.CASE",
        DIRECTORY_QUERY,
        OBJ_CASE_INSENSITIVE,
    );
    ok("open case-insensitively", s)?;
    close(h2);
    expect_status(
        "case-sensitive miss",
        open_dir(
            NULL,
            "\\BaseNamedObjects\\NTSUITE.OB.CASE",
            DIRECTORY_QUERY,
            0,
        )
        .0,
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    let (s, bno) = open_dir(NULL, "\\BaseNamedObjects", DIRECTORY_TRAVERSE, 0);
    ok("open root", s)?;
    let (s, h3) = open_dir(bno, "ntsuite.ob.Case", DIRECTORY_QUERY, 0);
    ok("open relative", s)?;
    expect_status(
        "relative starting with \\",
        open_dir(bno, "\\ntsuite.ob.Case", DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_PATH_SYNTAX_BAD,
    )?;
    close(h3);
    close(bno);
    ok("close", close(h))
}

/// `\??` and `\GLOBAL??` exist from boot.
fn dos_devices_directories() -> Result<(), String> {
    for p in ["\\??", "\\GLOBAL??"] {
        let (s, h) = open_dir(NULL, p, DIRECTORY_QUERY, 0);
        ok(p, s)?;
        close(h);
    }
    Ok(())
}

/// [WINE] enumeration one entry at a time, all at once, too small, exhausted.
fn query_directory() -> Result<(), String> {
    let (s, d) = create_dir("\\BaseNamedObjects\\ntsuite.ob.q", 0);
    ok("create", s)?;
    let (s, sub) = create_dir("\\BaseNamedObjects\\ntsuite.ob.q\\a", 0);
    ok("create a", s)?;
    let (s, link) = create_link("\\BaseNamedObjects\\ntsuite.ob.q\\b", "\\BaseNamedObjects");
    ok("create b", s)?;
    let mut buf = vec![0u8; 512];
    let mut ctx = 0xFFFF;
    let (s, _) = query_dir(d, &mut buf, true, true, &mut ctx);
    ok("first single", s)?;
    check(
        string_at(&buf, 0) == "a" && string_at(&buf, 1) == "Directory",
        "entry 0 is a/Directory",
    )?;
    check(ctx == 1, "context 1")?;
    check(
        buf[DIR_INFO..2 * DIR_INFO].iter().all(|&b| b == 0),
        "zero terminator",
    )?;
    let (s, _) = query_dir(d, &mut buf, true, false, &mut ctx);
    ok("second single", s)?;
    check(
        string_at(&buf, 0) == "b" && string_at(&buf, 1) == "SymbolicLink",
        "entry 1 is b/SymbolicLink",
    )?;
    let (s, _) = query_dir(d, &mut buf, true, false, &mut ctx);
    expect_status("exhausted", s, STATUS_NO_MORE_ENTRIES)?;
    let (s, _) = query_dir(d, &mut buf, false, true, &mut ctx);
    ok("all at once", s)?;
    check(ctx == 2 && string_at(&buf, 2) == "b", "both entries")?;
    let mut tiny = [0u8; 8];
    let (s, need) = query_dir(d, &mut tiny, false, true, &mut ctx);
    expect_status("too small", s, STATUS_BUFFER_TOO_SMALL)?;
    check(
        need as usize > tiny.len(),
        "ReturnLength says what is needed",
    )?;
    // Misaligned Context ([DOC] ProbeForWrite of a ULONG).
    let mut raw = [0u32; 2];
    let odd = (raw.as_mut_ptr() as usize + 1) as *mut u32;
    // SAFETY: a service call; the executive checks the pointer.
    let s = unsafe {
        NtQueryDirectoryObject(
            d,
            buf.as_mut_ptr().cast(),
            512,
            0,
            1,
            odd,
            core::ptr::null_mut(),
        )
    };
    expect_status("misaligned context", s, STATUS_DATATYPE_MISALIGNMENT)?;
    close(link);
    close(sub);
    ok("close", close(d))
}

// ----- symbolic links ------------------------------------------------------------------

/// [DOC][WINE] create, follow, open the link itself, query the target.
fn symbolic_links() -> Result<(), String> {
    let (s, l) = create_link("\\BaseNamedObjects\\ntsuite.ob.l", "\\BaseNamedObjects");
    ok("create", s)?;
    let (s, d) = open_dir(NULL, "\\BaseNamedObjects\\ntsuite.ob.l", DIRECTORY_QUERY, 0);
    ok("open through the link", s)?;
    close(d);
    let n = name("\\BaseNamedObjects\\ntsuite.ob.l");
    let a = oa(NULL, Some(&n), 0);
    let mut l2 = NULL;
    // SAFETY: valid pointers.
    let s = unsafe { NtOpenSymbolicLinkObject(&mut l2, SYMBOLIC_LINK_QUERY, &a) };
    ok("open link", s)?;
    let mut text = [0u16; 64];
    let mut us = unicode_raw(0, 128, text.as_mut_ptr() as usize);
    let mut ret = 0;
    // SAFETY: valid pointers.
    let s = unsafe { NtQuerySymbolicLinkObject(l2, &mut us, &mut ret) };
    ok("query", s)?;
    let want = wide("\\BaseNamedObjects");
    check(usize::from(us.Length) == want.len() * 2, "Length")?;
    check(text[..want.len()] == want[..], "target text")?;
    check(
        ret as usize == want.len() * 2 + 2,
        "ReturnedLength includes the NUL",
    )?;
    let mut small = unicode_raw(0, 4, text.as_mut_ptr() as usize);
    // SAFETY: valid pointers.
    let s = unsafe { NtQuerySymbolicLinkObject(l2, &mut small, &mut ret) };
    expect_status("too small", s, STATUS_BUFFER_TOO_SMALL)?;
    // [DOC] the target must be a valid UNICODE_STRING.
    let n = name("\\BaseNamedObjects\\ntsuite.ob.l2");
    let a = oa(NULL, Some(&n), 0);
    let t = unicode_raw(8, 6, text.as_ptr() as usize);
    let mut h = NULL;
    // SAFETY: valid pointers.
    let s = unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_ALL_ACCESS, &a, &t) };
    expect_status("Length > MaximumLength", s, STATUS_INVALID_PARAMETER)?;
    close(l2);
    ok("close", close(l))
}

/// [WINE] a link handle to NtQueryDirectoryObject and a directory handle to
/// NtQuerySymbolicLinkObject.
fn wrong_handle_types() -> Result<(), String> {
    let (s, l) = create_link("\\BaseNamedObjects\\ntsuite.ob.t", "\\BaseNamedObjects");
    ok("create", s)?;
    let mut buf = [0u8; 256];
    let mut ctx = 0;
    expect_status(
        "link as directory",
        query_dir(l, &mut buf, true, true, &mut ctx).0,
        STATUS_OBJECT_TYPE_MISMATCH,
    )?;
    let (s, d) = open_dir(NULL, "\\BaseNamedObjects", DIRECTORY_QUERY, 0);
    ok("open", s)?;
    let mut text = [0u16; 8];
    let mut us = unicode_raw(0, 16, text.as_mut_ptr() as usize);
    // SAFETY: valid pointers.
    let s = unsafe { NtQuerySymbolicLinkObject(d, &mut us, core::ptr::null_mut()) };
    expect_status("directory as link", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    close(d);
    ok("close", close(l))
}

// ----- access, duplication, lifetime -----------------------------------------------------

/// [DOC] the handle's granted access is checked: NtQueryDirectoryObject needs
/// DIRECTORY_QUERY, NtMakeTemporaryObject DELETE, NtQuerySymbolicLinkObject
/// SYMBOLIC_LINK_QUERY.
fn access_denied_by_handle_mask() -> Result<(), String> {
    let (s, d) = open_dir(NULL, "\\BaseNamedObjects", DIRECTORY_TRAVERSE, 0);
    ok("open traverse-only", s)?;
    let mut buf = [0u8; 256];
    let mut ctx = 0;
    expect_status(
        "query without DIRECTORY_QUERY",
        query_dir(d, &mut buf, true, true, &mut ctx).0,
        STATUS_ACCESS_DENIED,
    )?;
    // SAFETY: a service call with a plain value.
    expect_status(
        "temporary without DELETE",
        unsafe { NtMakeTemporaryObject(d) },
        STATUS_ACCESS_DENIED,
    )?;
    close(d);
    let (s, l) = create_link("\\BaseNamedObjects\\ntsuite.ob.a", "\\BaseNamedObjects");
    ok("create link", s)?;
    let mut reduced = NULL;
    // SAFETY: valid pointers.
    let s = unsafe {
        NtDuplicateObject(
            CURRENT_PROCESS,
            l,
            CURRENT_PROCESS,
            &mut reduced,
            DELETE,
            0,
            0,
        )
    };
    ok("duplicate with DELETE only", s)?;
    let mut text = [0u16; 32];
    let mut us = unicode_raw(0, 64, text.as_mut_ptr() as usize);
    // SAFETY: valid pointers.
    let s = unsafe { NtQuerySymbolicLinkObject(reduced, &mut us, core::ptr::null_mut()) };
    expect_status(
        "query beyond the duplicate's access",
        s,
        STATUS_ACCESS_DENIED,
    )?;
    close(reduced);
    ok("close", close(l))
}

/// [DOC] DUPLICATE_SAME_ACCESS, DUPLICATE_CLOSE_SOURCE, pseudo-handles, bad process
/// handles.
fn duplicate() -> Result<(), String> {
    let (s, d) = create_dir("\\BaseNamedObjects\\ntsuite.ob.dup", 0);
    ok("create", s)?;
    let mut d2 = NULL;
    // SAFETY (all calls below): valid pointers or plain values.
    let s = unsafe {
        NtDuplicateObject(
            CURRENT_PROCESS,
            d,
            CURRENT_PROCESS,
            &mut d2,
            0,
            0,
            DUPLICATE_SAME_ACCESS,
        )
    };
    ok("same access", s)?;
    let mut basic = [0u32; 14];
    let s = unsafe { NtQueryObject(d2, 0, basic.as_mut_ptr().cast(), 56, core::ptr::null_mut()) };
    ok("basic info", s)?;
    check(basic[1] == DIRECTORY_ALL_ACCESS, "granted access copied")?;
    let mut d3 = NULL;
    let s = unsafe {
        NtDuplicateObject(
            CURRENT_PROCESS,
            d2,
            CURRENT_PROCESS,
            &mut d3,
            0,
            0,
            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
        )
    };
    ok("close source", s)?;
    expect_status("source closed", close(d2), STATUS_INVALID_HANDLE)?;
    let mut p = NULL;
    let s = unsafe {
        NtDuplicateObject(
            CURRENT_PROCESS,
            CURRENT_PROCESS,
            CURRENT_PROCESS,
            &mut p,
            PROCESS_DUP_HANDLE,
            0,
            0,
        )
    };
    ok("duplicate NtCurrentProcess()", s)?;
    let mut ty = [0u8; 256];
    let s = unsafe { NtQueryObject(p, 2, ty.as_mut_ptr().cast(), 256, core::ptr::null_mut()) };
    ok("type info", s)?;
    check(string_at(&ty, 0) == "Process", "type is Process")?;
    let mut x = NULL;
    let s = unsafe {
        NtDuplicateObject(
            0x7FF0 as HANDLE,
            d3,
            CURRENT_PROCESS,
            &mut x,
            0,
            0,
            DUPLICATE_SAME_ACCESS,
        )
    };
    expect_status("bogus source process", s, STATUS_INVALID_HANDLE)?;
    let s =
        unsafe { NtDuplicateObject(d3, d3, CURRENT_PROCESS, &mut x, 0, 0, DUPLICATE_SAME_ACCESS) };
    expect_status("directory as process", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    let s = unsafe {
        NtDuplicateObject(
            CURRENT_PROCESS,
            0x7FF0 as HANDLE,
            CURRENT_PROCESS,
            &mut x,
            0,
            0,
            DUPLICATE_SAME_ACCESS,
        )
    };
    expect_status("bogus source handle", s, STATUS_INVALID_HANDLE)?;
    close(p);
    ok("close", close(d3))
}

/// [DOC] a temporary named object loses its name with its last handle; OBJ_PERMANENT
/// keeps it until NtMakeTemporaryObject.
fn temporary_and_permanent() -> Result<(), String> {
    let p = "\\BaseNamedObjects\\ntsuite.ob.tmp";
    let (s, h) = create_dir(p, 0);
    ok("create", s)?;
    ok("close", close(h))?;
    expect_status(
        "gone after last close",
        open_dir(NULL, p, DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    let (s, h) = create_dir(p, OBJ_PERMANENT);
    ok("create permanent", s)?;
    ok("close", close(h))?;
    let (s, h) = open_dir(NULL, p, DELETE, 0);
    ok("still there", s)?;
    // SAFETY: a plain value.
    ok("make temporary", unsafe { NtMakeTemporaryObject(h) })?;
    ok("close", close(h))?;
    expect_status(
        "gone",
        open_dir(NULL, p, DIRECTORY_QUERY, 0).0,
        STATUS_OBJECT_NAME_NOT_FOUND,
    )
}

/// [DOC] closed handles are invalid for every service.
fn closed_handles() -> Result<(), String> {
    let (s, h) = create_dir("\\BaseNamedObjects\\ntsuite.ob.c", 0);
    ok("create", s)?;
    ok("close", close(h))?;
    expect_status("close again", close(h), STATUS_INVALID_HANDLE)?;
    let mut buf = [0u8; 64];
    let mut ctx = 0;
    expect_status(
        "query closed",
        query_dir(h, &mut buf, true, true, &mut ctx).0,
        STATUS_INVALID_HANDLE,
    )?;
    let mut basic = [0u32; 14];
    // SAFETY: valid pointers.
    let s = unsafe { NtQueryObject(h, 0, basic.as_mut_ptr().cast(), 56, core::ptr::null_mut()) };
    expect_status("NtQueryObject closed", s, STATUS_INVALID_HANDLE)
}

/// [WINE] NtQueryObject lengths: basic needs exactly 56 bytes; name and type report the
/// size they need with INFO_LENGTH_MISMATCH; unknown classes.
fn query_object() -> Result<(), String> {
    let (s, d) = open_dir(NULL, "\\BaseNamedObjects", DIRECTORY_QUERY, 0);
    ok("open", s)?;
    let mut buf = [0u8; 512];
    let mut ret = 0u32;
    // SAFETY (all calls below): valid pointers.
    let s = unsafe { NtQueryObject(d, 0, buf.as_mut_ptr().cast(), 55, &mut ret) };
    expect_status("basic 55 bytes", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check(ret == 56, "basic ReturnLength 56")?;
    let s = unsafe { NtQueryObject(d, 1, buf.as_mut_ptr().cast(), 512, &mut ret) };
    ok("name", s)?;
    check(
        string_at(&buf, 0) == "\\BaseNamedObjects",
        &format!("name is {}", string_at(&buf, 0)),
    )?;
    let need = ret;
    let s = unsafe { NtQueryObject(d, 1, buf.as_mut_ptr().cast(), need - 1, &mut ret) };
    expect_status("name one byte short", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check(ret == need, "name ReturnLength")?;
    let s = unsafe { NtQueryObject(d, 2, buf.as_mut_ptr().cast(), 512, &mut ret) };
    ok("type", s)?;
    check(string_at(&buf, 0) == "Directory", "type Directory")?;
    let s = unsafe { NtQueryObject(d, 99, buf.as_mut_ptr().cast(), 512, &mut ret) };
    expect_status("class 99", s, STATUS_INVALID_INFO_CLASS)?;
    let odd = (buf.as_mut_ptr() as usize + 1) as *mut u32;
    let s = unsafe { NtQueryObject(d, 0, buf.as_mut_ptr().cast(), 56, odd) };
    expect_status("misaligned ReturnLength", s, STATUS_DATATYPE_MISALIGNMENT)?;
    let s = unsafe { NtQueryObject(d, 0, KERNEL as *mut c_void, 56, &mut ret) };
    expect_status("kernel buffer", s, STATUS_ACCESS_VIOLATION)?;
    ok("close", close(d))
}

pub const TESTS: &[Test] = tests![
    ("ob.create_collide_openif", create_collide_openif),
    ("ob.name_vs_path_not_found", name_vs_path_not_found),
    ("ob.invalid_names", invalid_names),
    ("ob.bad_object_attributes", bad_object_attributes),
    ("ob.case_and_root", case_and_root),
    ("ob.dos_devices_directories", dos_devices_directories),
    ("ob.query_directory", query_directory),
    ("ob.symbolic_links", symbolic_links),
    ("ob.wrong_handle_types", wrong_handle_types),
    (
        "ob.access_denied_by_handle_mask",
        access_denied_by_handle_mask
    ),
    ("ob.duplicate", duplicate),
    ("ob.temporary_and_permanent", temporary_and_permanent),
    ("ob.closed_handles", closed_handles),
    ("ob.query_object", query_object),
];
