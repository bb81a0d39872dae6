//! The Rtl registry helpers: `RtlCheckRegistryKey`, `RtlCreateRegistryKey`,
//! `RtlWriteRegistryValue`, `RtlDeleteRegistryValue`, `RtlQueryRegistryValues`.
//!
//! Expectations: [WDK] the WDK pages of `RtlQueryRegistryValues` ("If … REQUIRED …
//! and the value is not found, STATUS_OBJECT_NAME_NOT_FOUND"; `RelativeTo` values and
//! their keys: SERVICES = `\Registry\Machine\System\CurrentControlSet\Services`,
//! `RTL_REGISTRY_HANDLE`, `RTL_REGISTRY_OPTIONAL`), `RTL_QUERY_REGISTRY_TABLE`
//! (SUBKEY/TOPKEY/NOVALUE/NOEXPAND/DIRECT/DELETE; REG_MULTI_SZ delivered one string
//! at a time unless NOEXPAND, REG_EXPAND_SZ expanded and delivered as REG_SZ; DIRECT
//! strings into a `UNICODE_STRING`, allocated when its buffer is NULL; DIRECT
//! non-string data of more than 4 bytes: a negative first LONG is the buffer size for
//! the bare data, a positive one the size of a length/type/data record), and
//! `RtlWriteRegistryValue` / `RtlCreateRegistryKey` / `RtlCheckRegistryKey` /
//! `RtlDeleteRegistryValue`; [REACTOS] ReactOS' `sdk/lib/rtl/registry.c` for the
//! details the pages leave open (a bad `RelativeTo` is STATUS_INVALID_PARAMETER,
//! DIRECT without a name is STATUS_INVALID_PARAMETER, a routine's failure ends the
//! walk with its status, a missing value without REQUIRED or default is skipped,
//! defaults with length 0 are measured, REQUIRED on a key without values fails).
//! [NTSTATUS] values from MS-ERREF 2.3.1. The executive creates no
//! `CurrentControlSet`, so the tests create the keys they need.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;

type Routine = unsafe extern "system" fn(
    name: *mut u16,
    ty: u32,
    data: *mut c_void,
    len: u32,
    context: *mut c_void,
    entry: *mut c_void,
) -> NtStatus;

#[repr(C)]
#[derive(Clone, Copy)]
struct Table {
    routine: Option<Routine>,
    flags: u32,
    name: *const u16,
    entry: *mut c_void,
    default_type: u32,
    default_data: *const c_void,
    default_length: u32,
}

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn RtlCheckRegistryKey(relative_to: u32, path: *const u16) -> NtStatus;
    fn RtlCreateRegistryKey(relative_to: u32, path: *const u16) -> NtStatus;
    fn RtlWriteRegistryValue(
        relative_to: u32,
        path: *const u16,
        name: *const u16,
        ty: u32,
        data: *const c_void,
        len: u32,
    ) -> NtStatus;
    fn RtlDeleteRegistryValue(relative_to: u32, path: *const u16, name: *const u16) -> NtStatus;
    fn RtlQueryRegistryValues(
        relative_to: u32,
        path: *const u16,
        table: *mut Table,
        context: *mut c_void,
        env: *const c_void,
    ) -> NtStatus;

}

const ABSOLUTE: u32 = 0;
const SERVICES: u32 = 1;
const CONTROL: u32 = 2;
const WINDOWS_NT: u32 = 3;
const USER: u32 = 5;
const HANDLE_FLAG: u32 = 0x4000_0000;
const OPTIONAL: u32 = 0x8000_0000;

const SUBKEY: u32 = 0x01;
const TOPKEY: u32 = 0x02;
const REQUIRED: u32 = 0x04;
const NOVALUE: u32 = 0x08;
const NOEXPAND: u32 = 0x10;
const DIRECT: u32 = 0x20;
const DELETE: u32 = 0x40;

const KEY: &str = "\\Registry\\Machine\\Software\\NtSuiteRtl";

/// NUL-terminated UTF-16.
fn z(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

fn bytes(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_le_bytes()).collect()
}

fn write(rel: u32, path: &str, name: &str, ty: u32, data: &[u8]) -> NtStatus {
    let (p, n) = (z(path), z(name));
    // SAFETY: terminated strings; `data` holds its length.
    unsafe {
        RtlWriteRegistryValue(
            rel,
            p.as_ptr(),
            n.as_ptr(),
            ty,
            data.as_ptr().cast(),
            data.len() as u32,
        )
    }
}

fn create_key(rel: u32, path: &str) -> NtStatus {
    let p = z(path);
    // SAFETY: a terminated string.
    unsafe { RtlCreateRegistryKey(rel, p.as_ptr()) }
}

fn check_key(rel: u32, path: &str) -> NtStatus {
    let p = z(path);
    // SAFETY: a terminated string.
    unsafe { RtlCheckRegistryKey(rel, p.as_ptr()) }
}

fn delete_value(rel: u32, path: &str, name: &str) -> NtStatus {
    let (p, n) = (z(path), z(name));
    // SAFETY: terminated strings.
    unsafe { RtlDeleteRegistryValue(rel, p.as_ptr(), n.as_ptr()) }
}

/// What the recording routine saw: (name, type, data).
type Seen = Vec<(Option<String>, u32, Vec<u8>)>;

/// Records each call into the `Seen` behind `context`; fails with the status in
/// `entry` when that is not NULL.
unsafe extern "system" fn record(
    name: *mut u16,
    ty: u32,
    data: *mut c_void,
    len: u32,
    context: *mut c_void,
    entry: *mut c_void,
) -> NtStatus {
    // SAFETY: the tests pass a `Seen` as context.
    let seen = unsafe { &mut *context.cast::<Seen>() };
    let name = (!name.is_null()).then(|| {
        let mut n = 0;
        // SAFETY: the name is NUL-terminated.
        while unsafe { name.add(n).read() } != 0 {
            n += 1;
        }
        // SAFETY: `n` units before the NUL.
        String::from_utf16_lossy(unsafe { core::slice::from_raw_parts(name, n) })
    });
    let data = if data.is_null() {
        Vec::new()
    } else {
        // SAFETY: the routine's contract: `len` bytes at `data`.
        unsafe { core::slice::from_raw_parts(data.cast::<u8>(), len as usize) }.to_vec()
    };
    seen.push((name, ty, data));
    NtStatus::from_u32(entry as usize as u32)
}

fn entry(routine: Option<Routine>, flags: u32, name: Option<&[u16]>) -> Table {
    Table {
        routine,
        flags,
        name: name.map_or(core::ptr::null(), |n| n.as_ptr()),
        entry: core::ptr::null_mut(),
        default_type: REG_NONE,
        default_data: core::ptr::null(),
        default_length: 0,
    }
}

fn end() -> Table {
    entry(None, 0, None)
}

/// Runs a table over `path`: (status, what the routine saw).
fn run(rel: u32, path: &str, table: &mut [Table], env: *const c_void) -> (NtStatus, Seen) {
    let p = z(path);
    let mut seen: Seen = Vec::new();
    // SAFETY: a terminated path; the table ends with an empty entry; the context is
    // the `Seen` the routine expects.
    let st = unsafe {
        RtlQueryRegistryValues(
            rel,
            p.as_ptr(),
            table.as_mut_ptr(),
            (&mut seen as *mut Seen).cast(),
            env,
        )
    };
    (st, seen)
}

fn setup(sub: &str) -> Result<String, String> {
    let path = format!("{KEY}{sub}");
    expect_status(
        "create NtSuiteRtl",
        create_key(ABSOLUTE, KEY),
        STATUS_SUCCESS,
    )?;
    expect_status(
        &format!("create {path}"),
        create_key(ABSOLUTE, &path),
        STATUS_SUCCESS,
    )?;
    Ok(path)
}

fn keys() -> Result<(), String> {
    let path = format!("{KEY}\\Keys");
    expect_status("create parent", create_key(ABSOLUTE, KEY), STATUS_SUCCESS)?;
    // [WDK] RtlCheckRegistryKey: STATUS_SUCCESS if the key exists, else the error.
    expect_status(
        "check missing",
        check_key(ABSOLUTE, &path),
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    expect_status("create", create_key(ABSOLUTE, &path), STATUS_SUCCESS)?;
    expect_status("create again", create_key(ABSOLUTE, &path), STATUS_SUCCESS)?;
    expect_status("check", check_key(OPTIONAL, &path), STATUS_SUCCESS)?;
    // Only the last component is created (ZwCreateKey semantics).
    expect_status(
        "create below a missing key",
        create_key(ABSOLUTE, &format!("{KEY}\\Missing\\Child")),
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    // [REACTOS] RelativeTo beyond RTL_REGISTRY_MAXIMUM.
    for rel in [6, 0x100] {
        expect_status("check bad", check_key(rel, &path), STATUS_INVALID_PARAMETER)?;
        expect_status(
            "create bad",
            create_key(rel, &path),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "write bad",
            write(rel, &path, "x", REG_DWORD, &[0; 4]),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "delete bad",
            delete_value(rel, &path, "x"),
            STATUS_INVALID_PARAMETER,
        )?;
        let mut t = [entry(Some(record), 0, None), end()];
        expect_status(
            "query bad",
            run(rel, &path, &mut t, core::ptr::null()).0,
            STATUS_INVALID_PARAMETER,
        )?;
    }
    // RTL_REGISTRY_USER is \Registry\User\.Default without a logged-on user.
    expect_status(
        "create .Default",
        create_key(ABSOLUTE, "\\Registry\\User\\.Default"),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "create in USER",
        create_key(USER, "NtSuite"),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "check absolute",
        check_key(ABSOLUTE, "\\Registry\\User\\.Default\\NtSuite"),
        STATUS_SUCCESS,
    )
}

fn services() -> Result<(), String> {
    for p in [
        "\\Registry\\Machine\\System\\CurrentControlSet",
        "\\Registry\\Machine\\System\\CurrentControlSet\\Services",
    ] {
        expect_status(p, create_key(ABSOLUTE, p), STATUS_SUCCESS)?;
    }
    expect_status(
        "create NtSuiteSvc",
        create_key(SERVICES, "NtSuiteSvc"),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "write Start",
        write(
            SERVICES,
            "NtSuiteSvc",
            "Start",
            REG_DWORD,
            &3u32.to_le_bytes(),
        ),
        STATUS_SUCCESS,
    )?;
    // A leading separator after a relative base is dropped.
    expect_status(
        "check \\NtSuiteSvc",
        check_key(SERVICES, "\\NtSuiteSvc"),
        STATUS_SUCCESS,
    )?;
    let name = z("Start");
    let mut start = 0xFFFF_FFFFu32;
    let mut t = [entry(None, DIRECT | REQUIRED, Some(&name)), end()];
    t[0].entry = (&mut start as *mut u32).cast();
    let (st, _) = run(SERVICES | OPTIONAL, "NtSuiteSvc", &mut t, core::ptr::null());
    expect_status("query Start", st, STATUS_SUCCESS)?;
    check(&format!("Start = {start}"), start == 3)?;
    // The same value under the absolute name.
    start = 0;
    let (st, _) = run(
        ABSOLUTE,
        "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\NtSuiteSvc",
        &mut t,
        core::ptr::null(),
    );
    expect_status("query absolute", st, STATUS_SUCCESS)?;
    check("absolute Start", start == 3)?;
    // CONTROL and WINDOWS_NT name their keys the same way.
    let v_name = z("V");
    for p in [
        "\\Registry\\Machine\\System\\CurrentControlSet\\Control",
        "\\Registry\\Machine\\Software\\Microsoft",
        "\\Registry\\Machine\\Software\\Microsoft\\Windows NT",
        "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion",
    ] {
        expect_status(p, create_key(ABSOLUTE, p), STATUS_SUCCESS)?;
    }
    for (rel, absolute) in [
        (
            CONTROL,
            "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\NtSuite",
        ),
        (
            WINDOWS_NT,
            "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion\\NtSuite",
        ),
    ] {
        expect_status(
            absolute,
            write(rel, "NtSuite", "V", REG_DWORD, &rel.to_le_bytes()),
            STATUS_SUCCESS,
        )?;
        let mut v = 0u32;
        t[0].entry = (&mut v as *mut u32).cast();
        t[0].name = v_name.as_ptr();
        let (st, _) = run(ABSOLUTE, absolute, &mut t, core::ptr::null());
        expect_status(absolute, st, STATUS_SUCCESS)?;
        check(&format!("{absolute}: {v}"), v == rel)?;
    }
    Ok(())
}

fn write_and_delete() -> Result<(), String> {
    let path = setup("\\Write")?;
    let text = bytes(&z("hello"));
    expect_status(
        "write",
        write(ABSOLUTE, &path, "Greeting", REG_SZ, &text),
        STATUS_SUCCESS,
    )?;
    let name = z("Greeting");
    let mut t = [entry(Some(record), 0, Some(&name)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("query", st, STATUS_SUCCESS)?;
    check(
        &format!("seen {seen:?}"),
        seen == [(Some("Greeting".into()), REG_SZ, text.clone())],
    )?;
    expect_status(
        "delete",
        delete_value(ABSOLUTE, &path, "Greeting"),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "delete again",
        delete_value(ABSOLUTE, &path, "Greeting"),
        STATUS_OBJECT_NAME_NOT_FOUND,
    )?;
    // Writing creates a missing key (one level).
    let fresh = format!("{path}\\Fresh");
    expect_status(
        "write into a new key",
        write(ABSOLUTE, &fresh, "v", REG_DWORD, &1u32.to_le_bytes()),
        STATUS_SUCCESS,
    )?;
    expect_status("key created", check_key(ABSOLUTE, &fresh), STATUS_SUCCESS)
}

fn required_and_defaults() -> Result<(), String> {
    let path = setup("\\Defaults")?;
    let name = z("Missing");
    // [WDK] REQUIRED and missing: STATUS_OBJECT_NAME_NOT_FOUND; the routine never runs.
    let mut t = [entry(Some(record), REQUIRED, Some(&name)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("required", st, STATUS_OBJECT_NAME_NOT_FOUND)?;
    check("routine called", seen.is_empty())?;
    // Not required, no default: skipped.
    let mut t = [entry(Some(record), 0, Some(&name)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("optional", st, STATUS_SUCCESS)?;
    check("optional: routine called", seen.is_empty())?;
    // A default is delivered instead (a string's length measured when 0).
    let def = z("fallback");
    let mut t = [entry(Some(record), REQUIRED, Some(&name)), end()];
    t[0].default_type = REG_SZ;
    t[0].default_data = def.as_ptr().cast();
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("default", st, STATUS_SUCCESS)?;
    check(
        &format!("default seen {seen:?}"),
        seen == [(Some("Missing".into()), REG_SZ, bytes(&def))],
    )?;
    let number = 7u32;
    t[0].default_type = REG_DWORD;
    t[0].default_data = (&number as *const u32).cast();
    t[0].default_length = 4;
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("dword default", st, STATUS_SUCCESS)?;
    check(
        "dword default seen",
        seen == [(
            Some("Missing".into()),
            REG_DWORD,
            7u32.to_le_bytes().to_vec(),
        )],
    )?;
    // REQUIRED on a key without values.
    let mut t = [entry(Some(record), REQUIRED, None), end()];
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("required, no values", st, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // The routine's failure ends the walk.
    expect_status(
        "write",
        write(ABSOLUTE, &path, "A", REG_DWORD, &1u32.to_le_bytes()),
        STATUS_SUCCESS,
    )?;
    let a = z("A");
    let mut t = [
        entry(Some(record), 0, Some(&a)),
        entry(Some(record), 0, Some(&a)),
        end(),
    ];
    t[0].entry = STATUS_UNSUCCESSFUL as usize as *mut c_void;
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("failing routine", st, STATUS_UNSUCCESSFUL)?;
    check("walk stopped", seen.len() == 1)
}

fn multi_and_expand() -> Result<(), String> {
    let path = setup("\\Strings")?;
    let multi = bytes(&z("a\0bc\0"));
    expect_status(
        "write multi",
        write(ABSOLUTE, &path, "M", REG_MULTI_SZ, &multi),
        STATUS_SUCCESS,
    )?;
    let m = z("M");
    let mut t = [entry(Some(record), 0, Some(&m)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("multi", st, STATUS_SUCCESS)?;
    let want: Seen = vec![
        (Some("M".into()), REG_SZ, bytes(&z("a"))),
        (Some("M".into()), REG_SZ, bytes(&z("bc"))),
    ];
    check(&format!("multi seen {seen:?}"), seen == want)?;
    // DIRECT: one UNICODE_STRING per string.
    let mut two = [unicode_raw(0, 0, 0), unicode_raw(0, 0, 0)];
    let mut t = [entry(None, DIRECT, Some(&m)), end()];
    t[0].entry = two.as_mut_ptr().cast();
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("multi DIRECT", st, STATUS_SUCCESS)?;
    let mut got = Vec::new();
    for s in &mut two {
        check("multi DIRECT allocated", !s.Buffer.is_null())?;
        // SAFETY: the routine allocated and filled Length bytes.
        got.push(String::from_utf16_lossy(unsafe {
            core::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2)
        }));
        // SAFETY: a heap buffer of the string routines.
        unsafe { RtlFreeUnicodeString(s) };
    }
    check(&format!("multi DIRECT {got:?}"), got == ["a", "bc"])?;
    let mut t = [entry(Some(record), NOEXPAND, Some(&m)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("multi NOEXPAND", st, STATUS_SUCCESS)?;
    check(
        &format!("NOEXPAND seen {seen:?}"),
        seen.len() == 1 && seen[0].1 == REG_MULTI_SZ && seen[0].2.starts_with(&multi),
    )?;
    let raw = bytes(&z("%SystemRoot%\\x"));
    expect_status(
        "write expand",
        write(ABSOLUTE, &path, "E", REG_EXPAND_SZ, &raw),
        STATUS_SUCCESS,
    )?;
    let e = z("E");
    let mut t = [entry(Some(record), 0, Some(&e)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("expand", st, STATUS_SUCCESS)?;
    check(
        &format!("expanded {seen:?}"),
        seen == [(Some("E".into()), REG_SZ, bytes(&z("C:\\Nereid\\x")))],
    )?;
    // Against a given environment.
    let env: Vec<u16> = "SystemRoot=D:\\W\0\0".encode_utf16().collect();
    let (st, seen) = run(ABSOLUTE, &path, &mut t, env.as_ptr().cast());
    expect_status("expand with env", st, STATUS_SUCCESS)?;
    check(
        "expanded with env",
        seen == [(Some("E".into()), REG_SZ, bytes(&z("D:\\W\\x")))],
    )?;
    let mut t = [entry(Some(record), NOEXPAND, Some(&e)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("expand NOEXPAND", st, STATUS_SUCCESS)?;
    check(
        "raw",
        seen == [(Some("E".into()), REG_EXPAND_SZ, raw.clone())],
    )
}

fn direct() -> Result<(), String> {
    let path = setup("\\Direct")?;
    let text = bytes(&z("value"));
    expect_status(
        "write",
        write(ABSOLUTE, &path, "S", REG_SZ, &text),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "write q",
        write(
            ABSOLUTE,
            &path,
            "Q",
            REG_QWORD,
            &0x1122_3344_5566_7788u64.to_le_bytes(),
        ),
        STATUS_SUCCESS,
    )?;
    let s = z("S");
    // Into a caller buffer.
    let mut buf = [0u16; 16];
    let mut us = unicode_raw(0, 32, buf.as_mut_ptr() as usize);
    let mut t = [entry(None, DIRECT, Some(&s)), end()];
    t[0].entry = (&mut us as *mut UNICODE_STRING).cast();
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct string", st, STATUS_SUCCESS)?;
    check(
        &format!("direct string Length {}", us.Length),
        us.Length == 10 && buf[..6] == z("value")[..],
    )?;
    // A NULL buffer is allocated (freed with RtlFreeUnicodeString).
    let mut us = unicode_raw(0, 0, 0);
    t[0].entry = (&mut us as *mut UNICODE_STRING).cast();
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct allocated", st, STATUS_SUCCESS)?;
    check("allocated buffer", !us.Buffer.is_null() && us.Length == 10)?;
    // SAFETY: the routine allocated Length bytes.
    let got = unsafe { core::slice::from_raw_parts(us.Buffer, 5) }.to_vec();
    // SAFETY: a heap buffer of the string routines.
    unsafe { RtlFreeUnicodeString(&mut us) };
    check("allocated text", got == z("value")[..5])?;
    // Eight bytes: negative size → bare data; positive → length, type, data.
    let q = z("Q");
    let mut out = [0i32; 4];
    out[0] = -8;
    let mut t = [entry(None, DIRECT, Some(&q)), end()];
    t[0].entry = out.as_mut_ptr().cast();
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct bare", st, STATUS_SUCCESS)?;
    check(
        "bare",
        out[0] as u32 == 0x5566_7788 && out[1] as u32 == 0x1122_3344,
    )?;
    let mut out = [16i32, 0, 0, 0];
    t[0].entry = out.as_mut_ptr().cast();
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct record", st, STATUS_SUCCESS)?;
    check(
        &format!("record {out:x?}"),
        out[0] == 8 && out[1] as u32 == REG_QWORD && out[2] as u32 == 0x5566_7788,
    )?;
    // [REACTOS] DIRECT needs a name and no routine.
    let mut t = [entry(None, DIRECT, None), end()];
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct without name", st, STATUS_INVALID_PARAMETER)?;
    let mut t = [entry(Some(record), DIRECT, Some(&q)), end()];
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("direct with routine", st, STATUS_INVALID_PARAMETER)
}

fn enumerate_subkey_delete() -> Result<(), String> {
    let path = setup("\\Walk")?;
    let child = format!("{path}\\Child");
    expect_status("child", create_key(ABSOLUTE, &child), STATUS_SUCCESS)?;
    for (n, v) in [("One", 1u32), ("Two", 2)] {
        expect_status(
            n,
            write(ABSOLUTE, &path, n, REG_DWORD, &v.to_le_bytes()),
            STATUS_SUCCESS,
        )?;
    }
    expect_status(
        "child value",
        write(ABSOLUTE, &child, "Inner", REG_DWORD, &9u32.to_le_bytes()),
        STATUS_SUCCESS,
    )?;
    // No name: every value of the key.
    let mut t = [entry(Some(record), 0, None), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("enumerate", st, STATUS_SUCCESS)?;
    let mut names: Vec<String> = seen.iter().filter_map(|s| s.0.clone()).collect();
    names.sort_unstable();
    check(&format!("enumerated {names:?}"), names == ["One", "Two"])?;
    // SUBKEY switches to the child, TOPKEY back; NOVALUE calls without a value.
    let (c, inner, one) = (z("Child"), z("Inner"), z("One"));
    let mut t = [
        entry(None, SUBKEY, Some(&c)),
        entry(Some(record), 0, Some(&inner)),
        entry(Some(record), TOPKEY, Some(&one)),
        entry(Some(record), NOVALUE, None),
        end(),
    ];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("subkey walk", st, STATUS_SUCCESS)?;
    let want: Seen = vec![
        (Some("Inner".into()), REG_DWORD, 9u32.to_le_bytes().to_vec()),
        (Some("One".into()), REG_DWORD, 1u32.to_le_bytes().to_vec()),
        (None, REG_NONE, Vec::new()),
    ];
    check(&format!("subkey seen {seen:?}"), seen == want)?;
    // A SUBKEY entry with a routine enumerates the subkey's values.
    let mut t = [entry(Some(record), SUBKEY, Some(&c)), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("subkey enumerate", st, STATUS_SUCCESS)?;
    check(
        "subkey values",
        seen.len() == 1 && seen[0].0.as_deref() == Some("Inner"),
    )?;
    let missing = z("NoSuchChild");
    let mut t = [entry(None, SUBKEY, Some(&missing)), end()];
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("missing subkey", st, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // DELETE removes what was delivered.
    let mut t = [entry(Some(record), DELETE, None), end()];
    let (st, seen) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("delete all", st, STATUS_SUCCESS)?;
    check("delete saw both", seen.len() == 2)?;
    let mut t = [entry(Some(record), REQUIRED, None), end()];
    let (st, _) = run(ABSOLUTE, &path, &mut t, core::ptr::null());
    expect_status("values gone", st, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // RTL_REGISTRY_HANDLE: the path is an open key, which stays open.
    let name_units: Vec<u16> = child.encode_utf16().collect();
    let name = unicode_raw(
        (name_units.len() * 2) as u16,
        (name_units.len() * 2) as u16,
        name_units.as_ptr() as usize,
    );
    let oa = object_attributes(NULL, Some(&name), OBJ_CASE_INSENSITIVE);
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: valid attributes and output.
    let st = unsafe { NtOpenKey(&mut h, 0x2_0019, &oa) };
    expect_status("NtOpenKey", st, STATUS_SUCCESS)?;
    let mut t = [entry(Some(record), 0, Some(&inner)), end()];
    let mut seen: Seen = Vec::new();
    // SAFETY: the handle stands for the path; the table ends with an empty entry.
    let st = unsafe {
        RtlQueryRegistryValues(
            HANDLE_FLAG,
            h as *const u16,
            t.as_mut_ptr(),
            (&mut seen as *mut Seen).cast(),
            core::ptr::null(),
        )
    };
    expect_status("by handle", st, STATUS_SUCCESS)?;
    check("by handle seen", seen.len() == 1)?;
    // SAFETY: the handle opened above.
    expect_status("handle still open", unsafe { NtClose(h) }, STATUS_SUCCESS)
}

pub const TESTS: &[Test] = tests![
    ("rtlreg.keys", keys),
    ("rtlreg.services", services),
    ("rtlreg.write_and_delete", write_and_delete),
    ("rtlreg.required_and_defaults", required_and_defaults),
    ("rtlreg.multi_and_expand", multi_and_expand),
    ("rtlreg.direct", direct),
    ("rtlreg.enumerate_subkey_delete", enumerate_subkey_delete),
];
