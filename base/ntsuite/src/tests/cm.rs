//! Registry: keys and values under `\Registry\Machine`, through the `Nt*Key` services.
//!
//! Sources for the expected behaviour (facts, not code):
//! - [DOC] the WDK documentation of `ZwCreateKey` (`Disposition`: `REG_CREATED_NEW_KEY`
//!   = 1, `REG_OPENED_EXISTING_KEY` = 2; `REG_OPTION_VOLATILE`), `ZwQueryValueKey` /
//!   `ZwEnumerateKey` / `ZwQueryKey` ("`STATUS_BUFFER_OVERFLOW` … the buffer is too
//!   small to hold all the data, `STATUS_BUFFER_TOO_SMALL` … too small to hold any
//!   data; `ResultLength` receives the size required"), `ZwDeleteKey` (the key goes
//!   when its last handle closes), and the `KEY_VALUE_BASIC_INFORMATION`,
//!   `KEY_VALUE_FULL_INFORMATION`, `KEY_VALUE_PARTIAL_INFORMATION`,
//!   `KEY_BASIC_INFORMATION` and `KEY_NAME_INFORMATION` layouts;
//! - [WINE] Wine's `dlls/ntdll/tests/reg.c` checks against Windows: a non-volatile key
//!   under a volatile one is `STATUS_CHILD_MUST_BE_VOLATILE`, operations on a deleted
//!   key are `STATUS_KEY_DELETED`, deleting a key with subkeys is
//!   `STATUS_CANNOT_DELETE`, and the data of `KeyValueFullInformation` starts 8-aligned
//!   on 64-bit Windows;
//! - [ACCESS] "Registry Key Security and Access Rights": `KEY_QUERY_VALUE` to query
//!   values, `KEY_SET_VALUE` to set them; a handle without the right gets
//!   `STATUS_ACCESS_DENIED`;
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

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
    fn NtCreateKey(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        title: u32,
        class: *const UNICODE_STRING,
        options: u32,
        disposition: *mut u32,
    ) -> NtStatus;
    fn NtSetValueKey(
        h: HANDLE,
        name: *const UNICODE_STRING,
        title: u32,
        ty: u32,
        data: *const c_void,
        size: u32,
    ) -> NtStatus;
    fn NtEnumerateKey(
        h: HANDLE,
        index: u32,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        result: *mut u32,
    ) -> NtStatus;
    fn NtEnumerateValueKey(
        h: HANDLE,
        index: u32,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        result: *mut u32,
    ) -> NtStatus;
    fn NtQueryKey(
        h: HANDLE,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        result: *mut u32,
    ) -> NtStatus;
    fn NtDeleteKey(h: HANDLE) -> NtStatus;
    fn NtDeleteValueKey(h: HANDLE, name: *const UNICODE_STRING) -> NtStatus;
    fn NtFlushKey(h: HANDLE) -> NtStatus;

}

const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;
const STATUS_CANNOT_DELETE: u32 = 0xC000_0121;
const STATUS_KEY_DELETED: u32 = 0xC000_017C;
const STATUS_CHILD_MUST_BE_VOLATILE: u32 = 0xC000_0181;

const KEY_QUERY_VALUE: u32 = 0x0001;
const KEY_SET_VALUE: u32 = 0x0002;
const KEY_ALL_ACCESS: u32 = 0x000F_003F;
const REG_OPTION_VOLATILE: u32 = 1;
const REG_CREATED_NEW_KEY: u32 = 1;
const REG_OPENED_EXISTING_KEY: u32 = 2;

const REG_BINARY: u32 = 3;
const REG_DWORD_BIG_ENDIAN: u32 = 5;

// KEY_VALUE_INFORMATION_CLASS / KEY_INFORMATION_CLASS.
const KEY_VALUE_BASIC: u32 = 0;
const KEY_VALUE_FULL: u32 = 1;
const KEY_VALUE_PARTIAL: u32 = 2;
const KEY_BASIC: u32 = 0;
const KEY_NAME: u32 = 3;

fn bytes_of(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_le_bytes()).collect()
}

fn oa(root: HANDLE, n: &Name) -> OBJECT_ATTRIBUTES {
    object_attributes(root, Some(&n.us), OBJ_CASE_INSENSITIVE)
}

/// `NtCreateKey` relative to `root` (or absolute): (status, handle, disposition).
fn create_in(root: HANDLE, path: &str, options: u32) -> (NtStatus, HANDLE, u32) {
    let n = name(path);
    let a = oa(root, &n);
    let (mut h, mut d) = (NULL, 0u32);
    // SAFETY: valid out pointers and attributes; NULL class is allowed.
    let s = unsafe {
        NtCreateKey(
            &mut h,
            KEY_ALL_ACCESS,
            &a,
            0,
            core::ptr::null(),
            options,
            &mut d,
        )
    };
    (s, h, d)
}

fn create(path: &str, options: u32) -> Result<HANDLE, String> {
    let (s, h, _) = create_in(NULL, path, options);
    ok(&format!("NtCreateKey {path}"), s)?;
    Ok(h)
}

fn open(path: &str, access: u32) -> (NtStatus, HANDLE) {
    let n = name(path);
    let a = oa(NULL, &n);
    let mut h = NULL;
    // SAFETY: valid out pointer and attributes.
    let s = unsafe { NtOpenKey(&mut h, access, &a) };
    (s, h)
}

/// Deletes and closes (cleanup; errors ignored).
fn remove(h: HANDLE) {
    // SAFETY: a plain value.
    let _ = unsafe { NtDeleteKey(h) };
    close(h);
}

fn set(h: HANDLE, value: &str, ty: u32, data: &[u8]) -> NtStatus {
    let n = name(value);
    // SAFETY: the name and data outlive the call; the size is the slice's.
    unsafe { NtSetValueKey(h, &n.us, 0, ty, data.as_ptr().cast(), data.len() as u32) }
}

/// `NtQueryValueKey` into a buffer of `length` bytes (pre-filled with 0xCC):
/// (status, ResultLength, buffer).
fn query(h: HANDLE, value: &str, class: u32, length: usize) -> (NtStatus, u32, Vec<u8>) {
    let n = name(value);
    // u64 storage keeps the buffer 8-aligned, as Windows' callers align it.
    let mut buf = vec![0xCCCC_CCCC_CCCC_CCCCu64; length.div_ceil(8) + 1];
    let mut result = 0xDEAD_BEEF;
    // SAFETY: the buffer holds at least `length` bytes.
    let s = unsafe {
        NtQueryValueKey(
            h,
            &n.us,
            class,
            buf.as_mut_ptr().cast(),
            length as u32,
            &mut result,
        )
    };
    let bytes: Vec<u8> = buf
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .take(length)
        .collect();
    (s, result, bytes)
}

fn partial(ty: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [0, ty, data.len() as u32] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(data);
    v
}

fn expect_bytes(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:02x?}, want {want:02x?}"))
    }
}

fn expect_u32(what: &str, got: u32, want: u32) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:#x}, want {want:#x}"))
    }
}

const BASE: &str = "\\Registry\\Machine\\Software\\";

fn create_disposition() -> Result<(), String> {
    let path = format!("{BASE}NtSuiteCreate");
    let (s, h, d) = create_in(NULL, &path, 0);
    ok("first NtCreateKey", s)?;
    expect_u32("first disposition", d, REG_CREATED_NEW_KEY)?;
    // [DOC] a create of an existing key opens it: REG_OPENED_EXISTING_KEY, success.
    let (s, h2, d) = create_in(NULL, &path.to_uppercase(), 0);
    ok("second NtCreateKey", s)?;
    expect_u32("second disposition", d, REG_OPENED_EXISTING_KEY)?;
    close(h2);
    let (s, h3) = open(&path, KEY_QUERY_VALUE);
    ok("NtOpenKey", s)?;
    close(h3);
    let (s, _) = open(&format!("{BASE}NtSuiteMissing"), KEY_QUERY_VALUE);
    expect_status("open missing", s, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // Relative: a leading separator after a root key is a syntax error.
    let (s, _, _) = create_in(h, "\\x", 0);
    expect_status("relative with separator", s, STATUS_OBJECT_PATH_SYNTAX_BAD)?;
    let (s, child, d) = create_in(h, "Child", 0);
    ok("relative NtCreateKey", s)?;
    expect_u32("relative disposition", d, REG_CREATED_NEW_KEY)?;
    remove(child);
    remove(h);
    Ok(())
}

fn volatile_children() -> Result<(), String> {
    let v = create(&format!("{BASE}NtSuiteVolatile"), REG_OPTION_VOLATILE)?;
    let (s, child, d) = create_in(v, "VolatileChild", REG_OPTION_VOLATILE);
    ok("volatile child of volatile", s)?;
    expect_u32("disposition", d, REG_CREATED_NEW_KEY)?;
    remove(child);
    // [WINE] a stable key cannot live under a volatile one.
    let (s, _, _) = create_in(v, "StableChild", 0);
    expect_status(
        "non-volatile under volatile",
        s,
        STATUS_CHILD_MUST_BE_VOLATILE,
    )?;
    remove(v);
    // HARDWARE is volatile from boot.
    let (s, _, _) = create_in(NULL, "\\Registry\\Machine\\Hardware\\NtSuite", 0);
    expect_status("stable under HARDWARE", s, STATUS_CHILD_MUST_BE_VOLATILE)
}

fn values_all_types() -> Result<(), String> {
    let h = create(&format!("{BASE}NtSuiteValues"), 0)?;
    let sz = bytes_of(&wide("text\0"));
    let multi = bytes_of(&wide("a\0bc\0\0"));
    let cases: [(&str, u32, Vec<u8>); 8] = [
        ("None", REG_NONE, vec![]),
        ("Sz", REG_SZ, sz.clone()),
        ("Expand", REG_EXPAND_SZ, bytes_of(&wide("%x%\0"))),
        ("Binary", REG_BINARY, vec![1, 2, 3, 0xFF, 0]),
        ("Dword", REG_DWORD, 0x1234_5678u32.to_le_bytes().to_vec()),
        (
            "Big",
            REG_DWORD_BIG_ENDIAN,
            0x1234_5678u32.to_be_bytes().to_vec(),
        ),
        ("Multi", REG_MULTI_SZ, multi),
        (
            "Qword",
            REG_QWORD,
            0x0102_0304_0506_0708u64.to_le_bytes().to_vec(),
        ),
    ];
    for (n, ty, data) in &cases {
        ok(&format!("set {n}"), set(h, n, *ty, data))?;
    }
    for (n, ty, data) in &cases {
        let want = partial(*ty, data);
        let (s, r, buf) = query(h, n, KEY_VALUE_PARTIAL, want.len());
        ok(&format!("partial {n}"), s)?;
        expect_u32(&format!("partial {n} length"), r, want.len() as u32)?;
        expect_bytes(&format!("partial {n}"), &buf, &want)?;
    }
    // Basic: TitleIndex, Type, NameLength, Name.
    let mut want = Vec::new();
    for x in [0u32, REG_DWORD, 10] {
        want.extend_from_slice(&x.to_le_bytes());
    }
    want.extend_from_slice(&bytes_of(&wide("Dword")));
    let (s, r, buf) = query(h, "dWoRd", KEY_VALUE_BASIC, want.len());
    ok("basic", s)?;
    expect_u32("basic length", r, want.len() as u32)?;
    expect_bytes("basic", &buf, &want)?;
    // Full: TitleIndex, Type, DataOffset, DataLength, NameLength, Name, data at
    // DataOffset: 20 + 10 name bytes = 30, aligned up to 32 (8-aligned on 64-bit
    // [WINE], 4-aligned on 32-bit: both 32 here).
    let off: u32 = 32;
    let mut want = Vec::new();
    for x in [0u32, REG_DWORD, off, 4, 10] {
        want.extend_from_slice(&x.to_le_bytes());
    }
    want.extend_from_slice(&bytes_of(&wide("Dword")));
    let (s, r, buf) = query(h, "Dword", KEY_VALUE_FULL, off as usize + 4);
    ok("full", s)?;
    expect_u32("full length", r, off + 4)?;
    expect_bytes("full head", &buf[..30], &want)?;
    expect_bytes(
        "full data",
        &buf[off as usize..],
        &0x1234_5678u32.to_le_bytes(),
    )?;
    // Replace keeps one value; delete removes it.
    ok("replace", set(h, "Dword", REG_DWORD, &7u32.to_le_bytes()))?;
    let (s, _, buf) = query(h, "Dword", KEY_VALUE_PARTIAL, 16);
    ok("partial after replace", s)?;
    expect_bytes("replaced", &buf, &partial(REG_DWORD, &7u32.to_le_bytes()))?;
    let n = name("Dword");
    // SAFETY: the name outlives the call.
    ok("NtDeleteValueKey", unsafe { NtDeleteValueKey(h, &n.us) })?;
    let (s, _, _) = query(h, "Dword", KEY_VALUE_PARTIAL, 16);
    expect_status("query deleted value", s, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // SAFETY: a plain value.
    ok("NtFlushKey", unsafe { NtFlushKey(h) })?;
    remove(h);
    Ok(())
}

fn buffer_rules() -> Result<(), String> {
    let h = create(&format!("{BASE}NtSuiteBuffers"), 0)?;
    ok("set", set(h, "V", REG_BINARY, &[1, 2, 3, 4, 5, 6, 7, 8]))?;
    let want = partial(REG_BINARY, &[1, 2, 3, 4, 5, 6, 7, 8]);
    // [DOC] room for the fixed part but not the data: STATUS_BUFFER_OVERFLOW, the
    // fixed part written, ResultLength the full size.
    let (s, r, buf) = query(h, "V", KEY_VALUE_PARTIAL, 14);
    expect_status("overflow", s, STATUS_BUFFER_OVERFLOW)?;
    expect_u32("overflow length", r, 20)?;
    expect_bytes("overflow fixed part", &buf[..12], &want[..12])?;
    // Smaller than the fixed part: STATUS_BUFFER_TOO_SMALL, nothing written.
    let (s, r, buf) = query(h, "V", KEY_VALUE_PARTIAL, 11);
    expect_status("too small", s, STATUS_BUFFER_TOO_SMALL)?;
    expect_u32("too small length", r, 20)?;
    expect_bytes("untouched", &buf, &[0xCC; 11])?;
    let (s, r, _) = query(h, "V", KEY_VALUE_PARTIAL, 0);
    expect_status("zero length", s, STATUS_BUFFER_TOO_SMALL)?;
    expect_u32("zero length result", r, 20)?;
    remove(h);
    Ok(())
}

/// The names `NtEnumerateKey(KeyBasicInformation)` returns, in index order.
fn subkey_names(h: HANDLE) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for i in 0.. {
        let mut buf = [0u64; 64];
        let mut r = 0;
        // SAFETY: the buffer holds 512 bytes.
        let s = unsafe { NtEnumerateKey(h, i, KEY_BASIC, buf.as_mut_ptr().cast(), 512, &mut r) };
        if s.as_u32() == STATUS_NO_MORE_ENTRIES {
            break;
        }
        ok("NtEnumerateKey", s)?;
        // KEY_BASIC_INFORMATION: LastWriteTime, TitleIndex, NameLength, Name.
        let bytes: Vec<u8> = buf.iter().flat_map(|w| w.to_le_bytes()).collect();
        let len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
        let units: Vec<u16> = bytes[16..16 + len]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        names.push(String::from_utf16_lossy(&units));
    }
    Ok(names)
}

fn enumerate_order() -> Result<(), String> {
    let h = create(&format!("{BASE}NtSuiteEnum"), 0)?;
    let mut kids = Vec::new();
    for (n, o) in [("b", 0), ("Vol", REG_OPTION_VOLATILE), ("C", 0), ("a", 0)] {
        let (s, k, _) = create_in(h, n, o);
        ok(&format!("create {n}"), s)?;
        kids.push(k);
    }
    // Stable subkeys by upcased name, then volatile ones.
    let names = subkey_names(h)?;
    if names != ["a", "b", "C", "Vol"] {
        return Err(format!("subkey order {names:?}"));
    }
    // Values: creation order.
    for n in ["z", "y", "x"] {
        ok("set", set(h, n, REG_DWORD, &[0; 4]))?;
    }
    for (i, want) in ["z", "y", "x"].iter().enumerate() {
        let mut buf = [0u64; 8];
        let mut r = 0;
        // SAFETY: the buffer holds 64 bytes.
        let s = unsafe {
            NtEnumerateValueKey(
                h,
                i as u32,
                KEY_VALUE_BASIC,
                buf.as_mut_ptr().cast(),
                64,
                &mut r,
            )
        };
        ok("NtEnumerateValueKey", s)?;
        let name_unit = (buf[1] >> 32) as u16;
        if name_unit != want.encode_utf16().next().unwrap_or(0) {
            return Err(format!("value {i}: got unit {name_unit:#x}, want {want}"));
        }
    }
    let mut r = 0;
    let mut buf = [0u64; 8];
    // SAFETY: the buffer holds 64 bytes.
    let s =
        unsafe { NtEnumerateValueKey(h, 3, KEY_VALUE_BASIC, buf.as_mut_ptr().cast(), 64, &mut r) };
    expect_status("past the last value", s, STATUS_NO_MORE_ENTRIES)?;
    for k in kids {
        remove(k);
    }
    remove(h);
    Ok(())
}

fn delete_rules() -> Result<(), String> {
    let h = create(&format!("{BASE}NtSuiteDelete"), 0)?;
    let (s, child, _) = create_in(h, "Child", 0);
    ok("create child", s)?;
    // SAFETY: a plain value.
    let s = unsafe { NtDeleteKey(h) };
    expect_status("delete with subkeys", s, STATUS_CANNOT_DELETE)?;
    // SAFETY: a plain value.
    ok("delete child", unsafe { NtDeleteKey(child) })?;
    // [WINE] the handle stays open; everything on it is STATUS_KEY_DELETED.
    expect_status(
        "set on deleted",
        set(child, "v", REG_DWORD, &[0; 4]),
        STATUS_KEY_DELETED,
    )?;
    let (s, _, _) = query(child, "v", KEY_VALUE_PARTIAL, 16);
    expect_status("query on deleted", s, STATUS_KEY_DELETED)?;
    // SAFETY: a plain value.
    let s = unsafe { NtDeleteKey(child) };
    expect_status("delete twice", s, STATUS_KEY_DELETED)?;
    close(child);
    let (s, _) = open(&format!("{BASE}NtSuiteDelete\\Child"), KEY_QUERY_VALUE);
    expect_status("open deleted", s, STATUS_OBJECT_NAME_NOT_FOUND)?;
    remove(h);
    Ok(())
}

fn access_and_types() -> Result<(), String> {
    let path = format!("{BASE}NtSuiteAccess");
    let h = create(&path, 0)?;
    let (s, ro) = open(&path, KEY_QUERY_VALUE);
    ok("open read-only", s)?;
    // [ACCESS] setting needs KEY_SET_VALUE.
    expect_status(
        "set via query handle",
        set(ro, "v", REG_DWORD, &[0; 4]),
        STATUS_ACCESS_DENIED,
    )?;
    let (s, wo) = open(&path, KEY_SET_VALUE);
    ok("open write-only", s)?;
    ok("set via set handle", set(wo, "v", REG_DWORD, &[0; 4]))?;
    let (s, _, _) = query(wo, "v", KEY_VALUE_PARTIAL, 16);
    expect_status("query via set handle", s, STATUS_ACCESS_DENIED)?;
    // KeyNameInformation needs no access: the full name as the keys were created.
    let mut buf = [0u64; 32];
    let mut r = 0;
    // SAFETY: the buffer holds 256 bytes.
    let s = unsafe { NtQueryKey(wo, KEY_NAME, buf.as_mut_ptr().cast(), 256, &mut r) };
    ok("KeyNameInformation", s)?;
    let full = wide("\\REGISTRY\\MACHINE\\SOFTWARE\\NtSuiteAccess");
    let mut want = ((full.len() * 2) as u32).to_le_bytes().to_vec();
    want.extend_from_slice(&bytes_of(&full));
    let bytes: Vec<u8> = buf.iter().flat_map(|w| w.to_le_bytes()).collect();
    expect_bytes("key name", &bytes[..want.len()], &want)?;
    expect_u32("key name length", r, want.len() as u32)?;
    close(ro);
    close(wo);
    // A handle of another type.
    let mut e = NULL;
    // SAFETY: valid out pointer; NULL attributes are allowed.
    ok("NtCreateEvent", unsafe {
        NtCreateEvent(&mut e, 0x001F_0003, core::ptr::null(), 0, 0)
    })?;
    let (s, _, _) = query(e, "v", KEY_VALUE_PARTIAL, 16);
    expect_status("event handle", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    close(e);
    let (s, _, _) = query(CURRENT_PROCESS, "v", KEY_VALUE_PARTIAL, 16);
    expect_status("process pseudo-handle", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    close(h);
    let (s, _, _) = query(h, "v", KEY_VALUE_PARTIAL, 16);
    expect_status("closed handle", s, STATUS_INVALID_HANDLE)?;
    let (s, h) = open(&path, KEY_ALL_ACCESS);
    ok("reopen", s)?;
    remove(h);
    Ok(())
}

fn bad_pointers() -> Result<(), String> {
    let h = create(&format!("{BASE}NtSuitePointers"), 0)?;
    ok("set", set(h, "v", REG_DWORD, &[1, 0, 0, 0]))?;
    let n = name("v");
    let mut buf = [0u64; 4];
    let mut r = 0;
    // SAFETY (all calls below): the executive must reject the bad pointers without
    // touching memory; the good ones are valid.
    let s = unsafe {
        NtQueryValueKey(
            h,
            &n.us,
            KEY_VALUE_PARTIAL,
            buf.as_mut_ptr().cast(),
            32,
            core::ptr::null_mut(),
        )
    };
    expect_status("NULL ResultLength", s, STATUS_ACCESS_VIOLATION)?;
    let s = unsafe {
        NtQueryValueKey(
            h,
            &n.us,
            KEY_VALUE_PARTIAL,
            KERNEL as *mut c_void,
            32,
            &mut r,
        )
    };
    expect_status("kernel buffer", s, STATUS_ACCESS_VIOLATION)?;
    let s = unsafe {
        NtQueryValueKey(
            h,
            KERNEL as *const UNICODE_STRING,
            KEY_VALUE_PARTIAL,
            buf.as_mut_ptr().cast(),
            32,
            &mut r,
        )
    };
    expect_status("kernel name", s, STATUS_ACCESS_VIOLATION)?;
    let bad_name = unicode_raw(2, 2, KERNEL);
    let s = unsafe { NtSetValueKey(h, &bad_name, 0, REG_DWORD, buf.as_ptr().cast(), 4) };
    expect_status("kernel name buffer", s, STATUS_ACCESS_VIOLATION)?;
    let s = unsafe { NtSetValueKey(h, &n.us, 0, REG_DWORD, KERNEL as *const c_void, 4) };
    expect_status("kernel data", s, STATUS_ACCESS_VIOLATION)?;
    let path = name(&format!("{BASE}NtSuitePointers"));
    let a = oa(NULL, &path);
    let s = unsafe { NtOpenKey(KERNEL as *mut HANDLE, KEY_QUERY_VALUE, &a) };
    expect_status("kernel KeyHandle", s, STATUS_ACCESS_VIOLATION)?;
    let mut k = NULL;
    let s = unsafe { NtOpenKey(&mut k, KEY_QUERY_VALUE, KERNEL as *const OBJECT_ATTRIBUTES) };
    expect_status("kernel attributes", s, STATUS_ACCESS_VIOLATION)?;
    // The value is intact.
    let (s, _, got) = query(h, "v", KEY_VALUE_PARTIAL, 16);
    ok("query after", s)?;
    expect_bytes("value", &got, &partial(REG_DWORD, &[1, 0, 0, 0]))?;
    remove(h);
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("cm.create_disposition", create_disposition),
    ("cm.volatile_children", volatile_children),
    ("cm.values_all_types", values_all_types),
    ("cm.buffer_rules", buffer_rules),
    ("cm.enumerate_order", enumerate_order),
    ("cm.delete_rules", delete_rules),
    ("cm.access_and_types", access_and_types),
    ("cm.bad_pointers", bad_pointers),
];
