//! hello.exe: the first native NT program. Prints one line through NtDisplayString
//! and ends with status 0x1234 (the QEMU test checks both).
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
mod native;

#[cfg(target_os = "windows")]
static GREETING: [u16; 31] = native::utf16("hello from a native PE process\n");

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    native::display(&GREETING);
    native::exit(0x1234)
}

#[cfg(not(target_os = "windows"))]
fn main() {}
