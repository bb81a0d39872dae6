//! The ntdll imports the tests call (beyond the two `native` declares) and helpers for
//! handling statuses.
#![allow(non_snake_case, dead_code, clippy::upper_case_acronyms)]

use alloc::format;
use alloc::string::String;
use core::ffi::c_void;
pub use ntdef::status::NtStatus;
pub use ntdef::types::UNICODE_STRING;

pub use crate::native::{NtDisplayString, NtTerminateProcess};

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    pub fn NtClose(Handle: HANDLE) -> NtStatus;
    pub fn NtTerminateThread(ThreadHandle: HANDLE, ExitStatus: NtStatus) -> NtStatus;
}

/// `HANDLE`.
pub type HANDLE = *mut c_void;

/// `NtCurrentProcess()`: `(HANDLE)-1`.
pub const CURRENT_PROCESS: HANDLE = usize::MAX as HANDLE;
/// `NtCurrentThread()`: `(HANDLE)-2`.
pub const CURRENT_THREAD: HANDLE = (usize::MAX - 1) as HANDLE;

/// Highest user address + 1 (`MmUserProbeAddress`: 0x7FFF0000 on 32-bit Windows,
/// 0x7FFFFFFF0000 on 64-bit Windows).
#[cfg(target_pointer_width = "64")]
pub const USER_LIMIT: usize = 0x0000_7FFF_FFFF_0000;
#[cfg(target_pointer_width = "32")]
pub const USER_LIMIT: usize = 0x7FFF_0000;

/// The first kernel-space address.
#[cfg(target_pointer_width = "64")]
pub const KERNEL: usize = 0xFFFF_8000_0000_0000;
#[cfg(target_pointer_width = "32")]
pub const KERNEL: usize = 0x8000_0000;

/// Inside the first 64 KiB, which Windows never maps (allocations start at 0x10000) and
/// neither does the executive; 0x10000 itself is where the process heap may land.
pub const UNMAPPED: usize = 0x0000_8000;

pub const STATUS_SUCCESS: u32 = 0x0000_0000;
pub const STATUS_DATATYPE_MISALIGNMENT: u32 = 0x8000_0002;
pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
pub const STATUS_INVALID_HANDLE: u32 = 0xC000_0008;

/// `0xc0000008 (STATUS_INVALID_HANDLE)`.
pub fn describe(status: u32) -> String {
    match NtStatus::from_u32(status).name() {
        Some(name) => format!("{status:#010x} ({name})"),
        None => format!("{status:#010x}"),
    }
}

/// `Ok` when `got` is `want`, otherwise says what came back instead.
pub fn expect_status(what: &str, got: NtStatus, want: u32) -> Result<(), String> {
    if got.as_u32() == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, want {}",
            describe(got.as_u32()),
            describe(want)
        ))
    }
}

/// A `UNICODE_STRING` with the given fields, for handing over hostile descriptors.
pub fn unicode_raw(length: u16, maximum: u16, buffer: usize) -> UNICODE_STRING {
    UNICODE_STRING {
        Length: length,
        MaximumLength: maximum,
        Buffer: buffer as *mut u16,
    }
}
