//! smss.exe: the Session Manager, the first native process, as Windows' smss does its
//! early work:
//!
//! 1. prints its banner;
//! 2. makes the DOS device links: every `REG_SZ` value of
//!    `\Registry\Machine\System\CurrentControlSet\Control\Session Manager\DOS Devices`
//!    becomes a permanent symbolic link `\GLOBAL??\<name>` → value (the object manager
//!    already has `\GLOBAL??`, `\??` and `\DosDevices`);
//! 3. runs the `BootExecute` programs of the same key (REG_MULTI_SZ, one
//!    `program [arguments]` per string; the executive writes the boot configuration's
//!    `start=` lines there) in order: each from `\SystemRoot` (`C:\Nereid`) with
//!    RtlCreateProcessParameters + RtlCreateUserProcess, resumed, waited for, and its
//!    exit status reported — except entries written `async program …`, which are
//!    started and left to run while the next ones start (the executive reports how
//!    they end);
//! 4. exits with STATUS_SUCCESS after the last entry.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../../hello/src/native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod session;

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    native::exit(session::run())
}

#[cfg(not(target_os = "windows"))]
fn main() {}
