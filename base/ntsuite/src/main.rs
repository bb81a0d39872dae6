//! ntsuite.exe: the conformance suite. Runs every registered test (`src/tests/<area>.rs`)
//! against the executive's system services, prints `ok <name>` or `FAIL <name>: <why>`
//! per test and a last line `N passed, N failed`, and exits with 0 when nothing failed,
//! otherwise 1.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
extern crate alloc;

#[cfg(target_os = "windows")]
#[path = "../../hello/src/native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod heap;
#[cfg(target_os = "windows")]
mod suite;
#[cfg(target_os = "windows")]
mod sys;
#[cfg(target_os = "windows")]
mod tests;

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    let (_, failed) = suite::run(&tests::all());
    native::exit(u32::from(failed != 0))
}

#[cfg(not(target_os = "windows"))]
fn main() {}
