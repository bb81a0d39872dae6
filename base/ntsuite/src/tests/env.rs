//! Environment blocks and process-parameter blocks built by ntdll:
//! `RtlQueryEnvironmentVariable_U`, `RtlExpandEnvironmentStrings_U`,
//! `RtlCreateEnvironment`, `RtlSetEnvironmentVariable`, `RtlDestroyEnvironment`,
//! `RtlCreateProcessParameters[Ex]`, `RtlDestroyProcessParameters`,
//! `RtlNormalizeProcessParams`, `RtlDeNormalizeProcessParams`.
//!
//! Expectations: [WINE] Wine's `dlls/ntdll/tests/env.c`, which runs against Windows:
//! the query table (`foo` → `toto`, case-insensitive, `foo=`/`foo `/`f`/empty not
//! found, `sr` → `an=ouo`, `=oOH` → `III`, a value filling the buffer exactly succeeds
//! on Windows 7+, a shorter buffer is `STATUS_BUFFER_TOO_SMALL` with `Length` = bytes
//! needed, nothing written past `MaximumLength`); the expansion table (unknown and
//! unterminated references stay, the returned length counts the NUL, an 8-character
//! buffer is too small and untouched past it); `RtlSetEnvironmentVariable` (`me=too`
//! is `STATUS_INVALID_PARAMETER`, `=too` and `=` are names, deleting a missing variable
//! succeeds); `RtlCreateProcessParameters` (a heap block, `Flags` 0, `AllocationSize`
//! = `Size`, strings in the order CurrentDirectory, DllPath, ImagePathName,
//! CommandLine, WindowTitle, Desktop, ShellInfo, RuntimeInfo at pointer-aligned
//! offsets with `MaximumLength = Length + 2`, current directory `MAX_PATH` characters,
//! defaults from the current parameters / the image name / empty strings / a null
//! RuntimeInfo, the environment copied right after `Size`, `EnvironmentSize` to the
//! end of the heap block). [NTSTATUS] values from MS-ERREF 2.3.1;
//! `RTL_USER_PROC_PARAMS_NORMALIZED` = 1 from the NDK headers.

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
    fn RtlQueryEnvironmentVariable_U(
        env: *const c_void,
        name: *const UNICODE_STRING,
        value: *mut UNICODE_STRING,
    ) -> NtStatus;
    fn RtlExpandEnvironmentStrings_U(
        env: *const c_void,
        src: *const UNICODE_STRING,
        dst: *mut UNICODE_STRING,
        returned: *mut u32,
    ) -> NtStatus;
    fn RtlCreateEnvironment(clone: u8, env: *mut *mut c_void) -> NtStatus;
    fn RtlDestroyEnvironment(env: *mut c_void) -> NtStatus;
    fn RtlSetEnvironmentVariable(
        env: *mut *mut c_void,
        name: *const UNICODE_STRING,
        value: *const UNICODE_STRING,
    ) -> NtStatus;
    fn RtlCreateProcessParameters(
        out: *mut *mut c_void,
        image: *const UNICODE_STRING,
        dll_path: *const UNICODE_STRING,
        cur_dir: *const UNICODE_STRING,
        cmd: *const UNICODE_STRING,
        env: *const c_void,
        title: *const UNICODE_STRING,
        desktop: *const UNICODE_STRING,
        shell: *const UNICODE_STRING,
        runtime: *const UNICODE_STRING,
    ) -> NtStatus;
    fn RtlCreateProcessParametersEx(
        out: *mut *mut c_void,
        image: *const UNICODE_STRING,
        dll_path: *const UNICODE_STRING,
        cur_dir: *const UNICODE_STRING,
        cmd: *const UNICODE_STRING,
        env: *const c_void,
        title: *const UNICODE_STRING,
        desktop: *const UNICODE_STRING,
        shell: *const UNICODE_STRING,
        runtime: *const UNICODE_STRING,
        flags: u32,
    ) -> NtStatus;
    fn RtlDestroyProcessParameters(p: *mut c_void) -> NtStatus;
    fn RtlNormalizeProcessParams(p: *mut c_void) -> *mut c_void;
    fn RtlDeNormalizeProcessParams(p: *mut c_void) -> *mut c_void;
    fn RtlSizeHeap(heap: *mut c_void, flags: u32, p: *const c_void) -> usize;
}

const STATUS_VARIABLE_NOT_FOUND: u32 = 0xC000_0100;

const PEB_PROCESS_HEAP: usize = if X64 { 0x30 } else { 0x18 };
const CURRENT_DIRECTORY: usize = if X64 { 0x38 } else { 0x24 };
const DLL_PATH: usize = if X64 { 0x50 } else { 0x30 };
const IMAGE_PATH_NAME: usize = if X64 { 0x60 } else { 0x38 };
const COMMAND_LINE: usize = if X64 { 0x70 } else { 0x40 };
const ENVIRONMENT: usize = if X64 { 0x80 } else { 0x48 };
const WINDOW_TITLE: usize = if X64 { 0xB0 } else { 0x70 };
const DESKTOP_INFO: usize = if X64 { 0xC0 } else { 0x78 };
const SHELL_INFO: usize = if X64 { 0xD0 } else { 0x80 };
const RUNTIME_DATA: usize = if X64 { 0xE0 } else { 0x88 };
const ENVIRONMENT_SIZE: usize = if X64 { 0x3F0 } else { 0x290 };
const PARAMS_SIZE: usize = if X64 { 0x400 } else { 0x298 };
const STRINGS: [usize; 8] = [
    CURRENT_DIRECTORY,
    DLL_PATH,
    IMAGE_PATH_NAME,
    COMMAND_LINE,
    WINDOW_TITLE,
    DESKTOP_INFO,
    SHELL_INFO,
    RUNTIME_DATA,
];
const NORMALIZED: u32 = 1;

/// A block from `name=value` entries.
fn block(entries: &[&str]) -> Vec<u16> {
    let mut b = Vec::new();
    for e in entries {
        b.extend(e.encode_utf16());
        b.push(0);
    }
    b.push(0);
    b
}

/// The block Wine's env.c queries (without its long `g` entry).
fn small_env() -> Vec<u16> {
    block(&[
        "foo=toto",
        "fo=titi",
        "fooo=tutu",
        "sr=an=ouo",
        "=oOH=III",
        "nul=",
    ])
}

fn word(addr: usize) -> usize {
    // SAFETY: callers pass addresses inside the TEB, PEB or a parameter block.
    unsafe { (addr as *const usize).read() }
}

fn peb() -> usize {
    word(current_teb() + TEB_PEB)
}

/// Queries `name` in `env` with a buffer of `chars` characters (pre-filled with `@`):
/// (status, Length, the buffer including one guard unit).
fn query(env: *const c_void, name: &str, chars: usize) -> (NtStatus, u16, Vec<u16>) {
    let n = wide(name);
    let name_us = unicode(&n);
    let mut buf = vec![u16::from(b'@'); chars + 1];
    let mut value = unicode_raw(0, (chars * 2) as u16, buf.as_mut_ptr() as usize);
    // SAFETY: valid strings; the buffer holds `chars` + 1 units.
    let st = unsafe { RtlQueryEnvironmentVariable_U(env, &name_us, &mut value) };
    (st, value.Length, buf)
}

fn env_query() -> Result<(), String> {
    let env = small_env();
    let e = env.as_ptr().cast::<c_void>();
    let found = [
        ("foo", "toto"),
        ("FoO", "toto"),
        ("fooo", "tutu"),
        ("sr", "an=ouo"),
        ("=oOH", "III"),
        ("nul", ""),
    ];
    for (name, want) in found {
        let (st, len, buf) = query(e, name, 256);
        expect_status(name, st, STATUS_SUCCESS)?;
        let got = String::from_utf16_lossy(&buf[..usize::from(len) / 2]);
        check(&format!("{name}: got {got:?}"), got == want)?;
        check(&format!("{name}: not terminated"), buf[want.len()] == 0)?;
    }
    for name in ["foo=", "foo ", "f", ""] {
        let (st, _, _) = query(e, name, 256);
        expect_status(&format!("{name:?}"), st, STATUS_VARIABLE_NOT_FOUND)?;
    }
    // [WINE] too small: Length says what is needed, nothing is written.
    for chars in [1, 3] {
        let (st, len, buf) = query(e, "foo", chars);
        expect_status("foo, small buffer", st, STATUS_BUFFER_TOO_SMALL)?;
        check("needed length", len == 8)?;
        check("written past the buffer", buf[chars] == u16::from(b'@'))?;
    }
    // Exactly the value: success without terminator (Windows 7+).
    let (st, len, buf) = query(e, "foo", 4);
    expect_status("foo, exact buffer", st, STATUS_SUCCESS)?;
    check("exact: Length", len == 8)?;
    check("exact: past the buffer", buf[4] == u16::from(b'@'))?;
    Ok(())
}

fn expand(env: *const c_void, src: &str, chars: usize) -> (NtStatus, u32, String, u16) {
    let s = wide(src);
    let src_us = unicode(&s);
    let mut buf = vec![u16::from(b'-'); chars + 1];
    let mut dst = unicode_raw(0, (chars * 2) as u16, buf.as_mut_ptr() as usize);
    if chars == 0 {
        dst.Buffer = core::ptr::null_mut();
    }
    let mut returned = 0u32;
    // SAFETY: valid strings; the buffer holds `chars` + 1 units.
    let st = unsafe { RtlExpandEnvironmentStrings_U(env, &src_us, &mut dst, &mut returned) };
    let text = String::from_utf16_lossy(&buf[..usize::from(dst.Length) / 2]);
    (st, returned, text, buf[chars])
}

fn env_expand() -> Result<(), String> {
    let env = small_env();
    let e = env.as_ptr().cast::<c_void>();
    let cases = [
        ("hello%foo%world", "hellototoworld"),
        ("hello%=oOH%world", "helloIIIworld"),
        ("hello%foo", "hello%foo"),
        ("hello%bar%world", "hello%bar%world"),
    ];
    for (src, want) in cases {
        let needed = (want.len() as u32 + 1) * 2;
        // [WINE] no buffer: too small, with the length needed (NUL included).
        let (st, ret, _, _) = expand(e, src, 0);
        expect_status(src, st, STATUS_BUFFER_TOO_SMALL)?;
        check(&format!("{src}: needed {ret}"), ret == needed)?;
        let (st, ret, text, _) = expand(e, src, 256);
        expect_status(src, st, STATUS_SUCCESS)?;
        check(
            &format!("{src}: got {text:?}"),
            text == want && ret == needed,
        )?;
        let (st, ret, _, guard) = expand(e, src, 8);
        expect_status(src, st, STATUS_BUFFER_TOO_SMALL)?;
        check(&format!("{src}: 8 chars"), ret == needed)?;
        check("written past 8 characters", guard == u16::from(b'-'))?;
    }
    // NULL: the process environment (SystemRoot=C:\Nereid from the executive).
    let (st, _, text, _) = expand(core::ptr::null(), "%SystemRoot%\\x", 64);
    expect_status("current environment", st, STATUS_SUCCESS)?;
    check(&format!("%SystemRoot%: {text:?}"), text == "C:\\Nereid\\x")
}

fn set(env: *mut *mut c_void, name: &str, value: Option<&str>) -> NtStatus {
    let n = wide(name);
    let v = value.map(wide);
    let v_us = v.as_ref().map(|v| unicode(v));
    // SAFETY: valid strings; `env` NULL or a block pointer.
    unsafe {
        RtlSetEnvironmentVariable(
            env,
            &unicode(&n),
            v_us.as_ref().map_or(core::ptr::null(), |v| v as *const _),
        )
    }
}

fn value_of(env: *const c_void, name: &str) -> Result<Option<String>, String> {
    let (st, len, buf) = query(env, name, 64);
    if st.as_u32() == STATUS_VARIABLE_NOT_FOUND {
        return Ok(None);
    }
    expect_status(name, st, STATUS_SUCCESS)?;
    Ok(Some(String::from_utf16_lossy(&buf[..usize::from(len) / 2])))
}

fn env_set() -> Result<(), String> {
    let mut env: *mut c_void = core::ptr::null_mut();
    // SAFETY: writable output.
    let st = unsafe { RtlCreateEnvironment(0, &mut env) };
    expect_status("RtlCreateEnvironment(FALSE)", st, STATUS_SUCCESS)?;
    check("empty block", value_of(env, "cat")?.is_none())?;
    expect_status("set cat", set(&mut env, "cat", Some("dog")), STATUS_SUCCESS)?;
    check("cat=dog", value_of(env, "cat")?.as_deref() == Some("dog"))?;
    expect_status(
        "reset cat",
        set(&mut env, "CAT", Some("horse")),
        STATUS_SUCCESS,
    )?;
    check(
        "cat=horse",
        value_of(env, "cat")?.as_deref() == Some("horse"),
    )?;
    expect_status("delete cat", set(&mut env, "cat", None), STATUS_SUCCESS)?;
    check("cat deleted", value_of(env, "cat")?.is_none())?;
    // [WINE] deleting again succeeds on Windows.
    expect_status("delete again", set(&mut env, "cat", None), STATUS_SUCCESS)?;
    expect_status(
        "me=too",
        set(&mut env, "me=too", Some("also")),
        STATUS_INVALID_PARAMETER,
    )?;
    expect_status("me", set(&mut env, "me", Some("too=also")), STATUS_SUCCESS)?;
    check("me", value_of(env, "me")?.as_deref() == Some("too=also"))?;
    expect_status("=too", set(&mut env, "=too", Some("also")), STATUS_SUCCESS)?;
    check("=too", value_of(env, "=too")?.as_deref() == Some("also"))?;
    expect_status("=", set(&mut env, "=", Some("also")), STATUS_SUCCESS)?;
    check("=", value_of(env, "=")?.as_deref() == Some("also"))?;
    // SAFETY: the block made above.
    expect_status(
        "RtlDestroyEnvironment",
        unsafe { RtlDestroyEnvironment(env) },
        STATUS_SUCCESS,
    )
}

fn env_current() -> Result<(), String> {
    let params = word(peb() + PEB_PROCESS_PARAMETERS);
    expect_status(
        "set NtSuiteVar",
        set(core::ptr::null_mut(), "NtSuiteVar", Some("42")),
        STATUS_SUCCESS,
    )?;
    check(
        "NtSuiteVar in the current environment",
        value_of(core::ptr::null(), "ntsuitevar")?.as_deref() == Some("42"),
    )?;
    let env = word(params + ENVIRONMENT);
    let size = word(params + ENVIRONMENT_SIZE);
    // SAFETY: the process heap and a block of it.
    let heap_size = unsafe {
        RtlSizeHeap(
            word(peb() + PEB_PROCESS_HEAP) as *mut c_void,
            0,
            env as *const c_void,
        )
    };
    check(
        &format!("EnvironmentSize {size} vs heap block {heap_size}"),
        size == heap_size,
    )?;
    check(
        "SystemRoot survives",
        value_of(core::ptr::null(), "SystemRoot")?.as_deref() == Some("C:\\Nereid"),
    )?;
    // A clone of the current environment has it too.
    let mut clone: *mut c_void = core::ptr::null_mut();
    // SAFETY: writable output.
    let st = unsafe { RtlCreateEnvironment(1, &mut clone) };
    expect_status("RtlCreateEnvironment(TRUE)", st, STATUS_SUCCESS)?;
    check(
        "clone has NtSuiteVar",
        value_of(clone, "NtSuiteVar")?.as_deref() == Some("42"),
    )?;
    // SAFETY: the clone made above.
    unsafe { RtlDestroyEnvironment(clone) };
    expect_status(
        "delete NtSuiteVar",
        set(core::ptr::null_mut(), "NtSuiteVar", None),
        STATUS_SUCCESS,
    )?;
    check(
        "NtSuiteVar gone",
        value_of(core::ptr::null(), "NtSuiteVar")?.is_none(),
    )
}

/// The string at `field` of the block `p`: (Length, MaximumLength, Buffer field).
fn field(p: usize, field: usize) -> (usize, usize, usize) {
    // SAFETY: `field` lies inside the structure.
    let s = unsafe { ((p + field) as *const UNICODE_STRING).read() };
    (
        usize::from(s.Length),
        usize::from(s.MaximumLength),
        s.Buffer as usize,
    )
}

fn text_at(p: usize, f: usize) -> String {
    let (len, _, buf) = field(p, f);
    let flags = word(p + 8) as u32;
    let at = if flags & NORMALIZED != 0 {
        buf
    } else {
        p + buf
    };
    // SAFETY: the block holds the string.
    String::from_utf16_lossy(unsafe { core::slice::from_raw_parts(at as *const u16, len / 2) })
}

/// Checks the Wine-observed placement of a denormalized block; `want` gives per
/// string `Some((text, MaximumLength))` or `None` for a null string.
fn check_block(p: usize, want: &[Option<(&str, usize)>; 8], env: &[u16]) -> Result<(), String> {
    // SAFETY: the block starts with MaximumLength, Length, Flags.
    let (max, len, flags) = unsafe {
        (
            (p as *const u32).read() as usize,
            ((p + 4) as *const u32).read() as usize,
            ((p + 8) as *const u32).read(),
        )
    };
    check(&format!("Flags {flags:#x}"), flags == 0)?;
    check("AllocationSize == Size", max == len)?;
    let mut pos = PARAMS_SIZE;
    for (i, (f, w)) in STRINGS.iter().zip(want).enumerate() {
        let (l, m, buf) = field(p, *f);
        match w {
            None => check(&format!("string {i} not null"), (l, m, buf) == (0, 0, 0))?,
            Some((text, wmax)) => {
                check(
                    &format!(
                        "string {i}: buffer {buf:#x}, expected {:#x}",
                        pos.next_multiple_of(W)
                    ),
                    buf == pos.next_multiple_of(W),
                )?;
                check(&format!("string {i}: MaximumLength {m}"), m == *wmax)?;
                let got = text_at(p, *f);
                check(&format!("string {i}: {got:?}"), got == *text)?;
                // SAFETY: the terminator lies within MaximumLength.
                let nul = unsafe { ((p + buf + l) as *const u16).read() };
                check(&format!("string {i} not terminated"), nul == 0)?;
                pos = buf + m;
            }
        }
    }
    check(
        &format!("Size {len:#x} after the strings ({pos:#x})"),
        len == pos.next_multiple_of(W),
    )?;
    let e = word(p + ENVIRONMENT);
    check("environment right after Size", e == p + len)?;
    // SAFETY: the process heap and the block.
    let heap_size = unsafe {
        RtlSizeHeap(
            word(peb() + PEB_PROCESS_HEAP) as *mut c_void,
            0,
            p as *const c_void,
        )
    };
    check(
        "EnvironmentSize to the end of the heap block",
        word(p + ENVIRONMENT_SIZE) == heap_size - len,
    )?;
    // SAFETY: the copied environment holds `env.len()` units.
    let copied = unsafe { core::slice::from_raw_parts(e as *const u16, env.len()) };
    check("environment copied", copied == env)
}

/// The current environment block (up to its terminating empty string).
fn current_env() -> Vec<u16> {
    let params = word(peb() + PEB_PROCESS_PARAMETERS);
    let mut p = word(params + ENVIRONMENT) as *const u16;
    let mut out = Vec::new();
    loop {
        // SAFETY: the process's block is terminated.
        let c = unsafe { p.read() };
        out.push(c);
        if c == 0 && out.len() >= 2 && out[out.len() - 2] == 0 || out == [0] {
            break;
        }
        // SAFETY: not past the terminator yet.
        p = unsafe { p.add(1) };
    }
    out
}

fn params_defaults() -> Result<(), String> {
    let image = wide("c:\\foo.exe");
    let image_us = unicode(&image);
    let mut p: *mut c_void = core::ptr::null_mut();
    // SAFETY: valid output and image name; the rest NULL.
    let st = unsafe {
        RtlCreateProcessParameters(
            &mut p,
            &image_us,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    expect_status("RtlCreateProcessParameters", st, STATUS_SUCCESS)?;
    let cur = word(peb() + PEB_PROCESS_PARAMETERS);
    let (_, dll_max, _) = field(cur, DLL_PATH);
    let dll = text_at(cur, DLL_PATH);
    let img = "c:\\foo.exe";
    let want = [
        Some(("C:\\", 520)),
        Some((dll.as_str(), dll_max)),
        Some((img, 22)),
        Some((img, 22)),
        Some(("", 2)),
        Some(("", 2)),
        Some(("", 2)),
        None,
    ];
    let env = current_env();
    let result = check_block(p as usize, &want, &env);
    // SAFETY: the block made above.
    let st = unsafe { RtlDestroyProcessParameters(p) };
    result?;
    expect_status("RtlDestroyProcessParameters", st, STATUS_SUCCESS)
}

fn params_given() -> Result<(), String> {
    let image = wide("c:\\foo.exe");
    let dummy = wide("dummy1");
    let dir = wide("dummy2");
    let env = block(&["a=b", "c=d"]);
    let (i, d, c) = (unicode(&image), unicode(&dummy), unicode(&dir));
    let mut p: *mut c_void = core::ptr::null_mut();
    // SAFETY: valid output, strings and environment.
    let st = unsafe {
        RtlCreateProcessParameters(&mut p, &i, &d, &c, &d, env.as_ptr().cast(), &d, &d, &d, &d)
    };
    expect_status("RtlCreateProcessParameters", st, STATUS_SUCCESS)?;
    let dm = Some(("dummy1", 14));
    let want = [
        Some(("dummy2", 520)),
        dm,
        Some(("c:\\foo.exe", 22)),
        dm,
        dm,
        dm,
        dm,
        dm,
    ];
    let result = check_block(p as usize, &want, &env);
    // SAFETY: the block made above.
    unsafe { RtlDestroyProcessParameters(p) };
    result
}

fn params_normalize() -> Result<(), String> {
    let image = wide("c:\\bar.exe");
    let i = unicode(&image);
    let mut p: *mut c_void = core::ptr::null_mut();
    // SAFETY: valid output and image name; the rest NULL.
    let st = unsafe {
        RtlCreateProcessParametersEx(
            &mut p,
            &i,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            NORMALIZED,
        )
    };
    expect_status(
        "RtlCreateProcessParametersEx(NORMALIZED)",
        st,
        STATUS_SUCCESS,
    )?;
    let base = p as usize;
    let flags = || word(base + 8) as u32;
    check("normalized flag", flags() & NORMALIZED != 0)?;
    let (_, _, img) = field(base, IMAGE_PATH_NAME);
    check(
        "an address",
        img > base && img < base + PARAMS_SIZE + 0x1000,
    )?;
    check(
        "image text",
        text_at(base, IMAGE_PATH_NAME) == "c:\\bar.exe",
    )?;
    // SAFETY: the block made above.
    let r = unsafe { RtlDeNormalizeProcessParams(p) };
    check("DeNormalize returns the block", r == p)?;
    check("denormalized flag", flags() & NORMALIZED == 0)?;
    check("an offset", field(base, IMAGE_PATH_NAME).2 == img - base)?;
    check("null stays null", field(base, RUNTIME_DATA).2 == 0)?;
    // SAFETY: as above; twice is harmless.
    unsafe { RtlDeNormalizeProcessParams(p) };
    check(
        "still an offset",
        field(base, IMAGE_PATH_NAME).2 == img - base,
    )?;
    // SAFETY: as above.
    let r = unsafe { RtlNormalizeProcessParams(p) };
    check("Normalize returns the block", r == p)?;
    check("address again", field(base, IMAGE_PATH_NAME).2 == img)?;
    check("command line", text_at(base, COMMAND_LINE) == "c:\\bar.exe")?;
    // SAFETY: NULL is passed through.
    check(
        "NULL",
        unsafe { RtlNormalizeProcessParams(core::ptr::null_mut()) }.is_null(),
    )?;
    // SAFETY: the block made above.
    expect_status(
        "destroy",
        unsafe { RtlDestroyProcessParameters(p) },
        STATUS_SUCCESS,
    )
}

pub const TESTS: &[Test] = tests![
    ("env.query", env_query),
    ("env.expand", env_expand),
    ("env.set", env_set),
    ("env.current", env_current),
    ("params.defaults", params_defaults),
    ("params.given", params_given),
    ("params.normalize", params_normalize),
];
