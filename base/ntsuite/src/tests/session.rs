//! What the Session Manager (smss.exe) set up before it started the suite: the DOS
//! device links from `Session Manager\DOS Devices` (`\GLOBAL??\NUL` →
//! `\Device\Null`, reachable as `\??\NUL` too), the `BootExecute` list it ran, and
//! that it is the suite's parent.
//!
//! Expectations: Windows' smss creates one symbolic link in the global DOS-devices
//! directory per value of that key (the registry documents `NUL` → `\Device\Null`), and
//! `\??` lookups fall through to `\GLOBAL??` (Windows Internals, "Object Manager:
//! DOS device names"). When the suite runs without smss (a boot configuration
//! without `session=`), these tests report that and pass.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

const KEY_READ: u32 = 0x0002_0019;

fn attributes(name: &UNICODE_STRING) -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, Some(name), OBJ_CASE_INSENSITIVE)
}

/// Whether smss started us: our parent process is not the executive (id 0).
fn parent_pid() -> usize {
    process_basic(CURRENT_PROCESS).map_or(0, |(_, _, parent)| parent)
}

fn link_target(path: &str) -> Result<String, String> {
    let name = wide(path);
    let us = unicode(&name);
    let oa = attributes(&us);
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, &oa) };
    expect_status(&format!("open {path}"), s, STATUS_SUCCESS)?;
    let mut buf = [0u16; 64];
    let mut target = UNICODE_STRING {
        Length: 0,
        MaximumLength: 128,
        Buffer: buf.as_mut_ptr(),
    };
    // SAFETY: a handle and locals.
    let s = unsafe { NtQuerySymbolicLinkObject(h, &mut target, core::ptr::null_mut()) };
    // SAFETY: the handle opened above.
    unsafe { NtClose(h) };
    expect_status(&format!("query {path}"), s, STATUS_SUCCESS)?;
    Ok(String::from_utf16_lossy(
        &buf[..usize::from(target.Length / 2)],
    ))
}

fn dos_device_links() -> Result<(), String> {
    if parent_pid() == 0 {
        crate::suite::println("session.dos_device_links: not started by smss, skipped");
        return Ok(());
    }
    for path in ["\\GLOBAL??\\NUL", "\\??\\nul", "\\DosDevices\\NUL"] {
        let target = link_target(path)?;
        if target != "\\Device\\Null" {
            return Err(format!("{path} -> {target:?}, want \\Device\\Null"));
        }
    }
    Ok(())
}

fn boot_execute_lists_the_suite() -> Result<(), String> {
    if parent_pid() == 0 {
        crate::suite::println("session.boot_execute_lists_the_suite: not started by smss, skipped");
        return Ok(());
    }
    let key = wide("\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Session Manager");
    let us = unicode(&key);
    let oa = attributes(&us);
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenKey(&mut h, KEY_READ, &oa) };
    expect_status("open Session Manager", s, STATUS_SUCCESS)?;
    let value = wide("BootExecute");
    let vs = unicode(&value);
    let mut b = [0u64; 256];
    let mut len = 0u32;
    // SAFETY: a handle and local buffers (KeyValuePartialInformation).
    let s = unsafe { NtQueryValueKey(h, &vs, 2, b.as_mut_ptr().cast(), 2048, &mut len) };
    // SAFETY: the handle opened above.
    unsafe { NtClose(h) };
    expect_status("query BootExecute", s, STATUS_SUCCESS)?;
    // SAFETY: reading the local buffer as bytes.
    let bytes = unsafe { core::slice::from_raw_parts(b.as_ptr() as *const u8, 2048) };
    let ty = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let units: Vec<u16> = bytes[12..12 + n.min(2000)]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16_lossy(&units);
    if ty != 7 || !text.split('\0').any(|e| e.trim() == "ntsuite.exe") {
        return Err(format!("BootExecute type {ty}, strings {text:?}"));
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("session.dos_device_links", dos_device_links),
    (
        "session.boot_execute_lists_the_suite",
        boot_execute_lists_the_suite
    ),
];
