//! The process parameters the executive gives every NT process: `PEB.ProcessParameters`
//! read through `TEB.ProcessEnvironmentBlock`, and the current directory it gives
//! `RtlDosPathNameToNtPathName_U`.
//!
//! Expectations: `RTL_USER_PROCESS_PARAMETERS` and `CURDIR` as in Windows' public
//! symbols (`dt ntdll!_RTL_USER_PROCESS_PARAMETERS`: Flags 0x08; CurrentDirectory
//! 0x38 / 0x24, DllPath 0x50 / 0x30, ImagePathName 0x60 / 0x38, CommandLine 0x70 /
//! 0x40, Environment 0x80 / 0x48, EnvironmentSize 0x3F0 / 0x290 on x64 / x86); TEB
//! `Self` 0x30 / 0x18 and `ProcessEnvironmentBlock` 0x60 / 0x30, PEB
//! `ProcessParameters` 0x20 / 0x10; `RTL_USER_PROC_PARAMS_NORMALIZED` (1) means buffers
//! hold addresses; an environment block is `name=value` strings ended by an empty one
//! (the SDK's GetEnvironmentStrings page); Microsoft's "Naming Files, Paths, and
//! Namespaces" for relative names resolved against the current directory. Nereid's
//! choices (ImagePathName `\??\C:\Nereid\<program>`, current directory `C:\`) are
//! in `private/ntos/src/ps/params.rs`.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

const FLAGS: usize = 0x08;
const CURRENT_DIRECTORY: usize = if X64 { 0x38 } else { 0x24 };
const DLL_PATH: usize = if X64 { 0x50 } else { 0x30 };
const IMAGE_PATH_NAME: usize = if X64 { 0x60 } else { 0x38 };
const COMMAND_LINE: usize = if X64 { 0x70 } else { 0x40 };
const ENVIRONMENT: usize = if X64 { 0x80 } else { 0x48 };
const ENVIRONMENT_SIZE: usize = if X64 { 0x3F0 } else { 0x290 };
const NORMALIZED: u32 = 0x01;

fn word(addr: usize) -> usize {
    // SAFETY: callers pass addresses inside the TEB, PEB or parameter block, all
    // mapped for the life of the process.
    unsafe { (addr as *const usize).read() }
}

/// The parameter block and its `Length`.
fn parameters() -> Result<(usize, usize), String> {
    let peb = word(current_teb() + TEB_PEB);
    check("TEB.ProcessEnvironmentBlock is NULL", peb != 0)?;
    let params = word(peb + PEB_PROCESS_PARAMETERS);
    check("PEB.ProcessParameters is NULL", params != 0)?;
    // SAFETY: the block starts with MaximumLength and Length (ULONGs).
    let (max, len) = unsafe {
        (
            (params as *const u32).read(),
            ((params + 4) as *const u32).read(),
        )
    };
    check("MaximumLength < Length", max >= len)?;
    Ok((params, len as usize))
}

/// The UNICODE_STRING at `field`, checked: even lengths, Length < MaximumLength, the
/// buffer inside the block (after the structure's fixed part).
fn string(params: usize, len: usize, field: usize, name: &str) -> Result<String, String> {
    // SAFETY: `field` lies inside the structure.
    let s = unsafe { ((params + field) as *const UNICODE_STRING).read() };
    let at = s.Buffer as usize;
    let (l, m) = (usize::from(s.Length), usize::from(s.MaximumLength));
    if !l.is_multiple_of(2) || !m.is_multiple_of(2) || l > m || !at.is_multiple_of(2) {
        return Err(format!(
            "{name}: Length {l}, MaximumLength {m}, Buffer {at:#x}"
        ));
    }
    if at < params + ENVIRONMENT_SIZE || at + m > params + len {
        return Err(format!(
            "{name}: Buffer {at:#x}+{m} outside the block {params:#x}+{len:#x}"
        ));
    }
    // SAFETY: `l` bytes inside the block.
    let units = unsafe { core::slice::from_raw_parts(s.Buffer, l / 2) };
    Ok(String::from_utf16_lossy(units))
}

fn process_parameters() -> Result<(), String> {
    let (params, len) = parameters()?;
    check("Length covers the structure", len > ENVIRONMENT_SIZE + W)?;
    // SAFETY: inside the structure.
    let flags = unsafe { ((params + FLAGS) as *const u32).read() };
    check("RTL_USER_PROC_PARAMS_NORMALIZED", flags & NORMALIZED != 0)?;
    let image = string(params, len, IMAGE_PATH_NAME, "ImagePathName")?;
    if !image.to_ascii_lowercase().ends_with("\\ntsuite.exe") {
        return Err(format!("ImagePathName {image:?}"));
    }
    let command = string(params, len, COMMAND_LINE, "CommandLine")?;
    if command.is_empty() || !command.to_ascii_lowercase().contains("ntsuite.exe") {
        return Err(format!("CommandLine {command:?}"));
    }
    let cd = string(params, len, CURRENT_DIRECTORY, "CurrentDirectory")?;
    if cd != "C:\\" {
        return Err(format!("CurrentDirectory {cd:?}"));
    }
    check(
        "CurrentDirectory.Handle is not NULL",
        word(params + CURRENT_DIRECTORY + 2 * W) == 0,
    )?;
    let dll = string(params, len, DLL_PATH, "DllPath")?;
    check("DllPath not empty", dll.is_empty())?;
    Ok(())
}

fn environment() -> Result<(), String> {
    let (params, _) = parameters()?;
    let env = word(params + ENVIRONMENT);
    let size = word(params + ENVIRONMENT_SIZE);
    check("Environment is NULL", env != 0)?;
    check("Environment misaligned", env.is_multiple_of(2))?;
    if size < 4 || !size.is_multiple_of(2) {
        return Err(format!("EnvironmentSize {size}"));
    }
    // SAFETY: the executive mapped EnvironmentSize bytes at Environment.
    let units = unsafe { core::slice::from_raw_parts(env as *const u16, size / 2) };
    check("not double-NUL-terminated", units.ends_with(&[0, 0]))?;
    let vars: Vec<String> = units[..units.len() - 1]
        .split(|&u| u == 0)
        .filter(|v| !v.is_empty())
        .map(String::from_utf16_lossy)
        .collect();
    let count = units[..units.len() - 1]
        .split(|&u| u == 0)
        .take_while(|v| !v.is_empty())
        .count();
    check("an empty string before the end", count == vars.len())?;
    check(
        "every entry is name=value",
        vars.iter().all(|v| v.contains('=')),
    )?;
    if !vars
        .iter()
        .any(|v| v.to_ascii_lowercase().starts_with("systemroot="))
    {
        return Err(format!("no SystemRoot= in {vars:?}"));
    }
    Ok(())
}

fn relative_name() -> Result<(), String> {
    let dos: Vec<u16> = "foo.txt".encode_utf16().chain([0]).collect();
    let mut nt = UNICODE_STRING::empty();
    let mut part: *mut u16 = core::ptr::null_mut();
    // SAFETY: a NUL-terminated name and writable outputs.
    let ok = unsafe {
        RtlDosPathNameToNtPathName_U(dos.as_ptr(), &mut nt, &mut part, core::ptr::null_mut())
    };
    check("RtlDosPathNameToNtPathName_U(\"foo.txt\") failed", ok != 0)?;
    // SAFETY: the routine filled `nt` with Length bytes in Buffer.
    let chars = unsafe { core::slice::from_raw_parts(nt.Buffer, usize::from(nt.Length) / 2) };
    let s = String::from_utf16_lossy(chars);
    let file = (!part.is_null())
        .then(|| String::from_utf16_lossy(&chars[(part as usize - nt.Buffer as usize) / 2..]));
    // SAFETY: the routine's buffer.
    unsafe { RtlFreeUnicodeString(&mut nt) };
    if s != "\\??\\C:\\foo.txt" || file.as_deref() != Some("foo.txt") {
        return Err(format!("got {s:?}, file part {file:?}"));
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("peb.process_parameters", process_parameters),
    ("peb.environment", environment),
    ("peb.relative_name", relative_name),
];
