//! nop.exe: does nothing and exits with 0 (procbench.exe starts it over and over).
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

/// The native-subsystem entry point: returning ends the process with the result.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    0
}

#[cfg(not(target_os = "windows"))]
fn main() {}
