//! NtTerminateProcess / NtTerminateThread with handles that name nothing (the calls
//! that would end this process are not made here).
//!
//! Expectation: both reference their handle with `ObReferenceObjectByHandle`, which
//! fails with STATUS_INVALID_HANDLE for a value with no handle-table entry (WDK
//! documentation of ObReferenceObjectByHandle, return values).
//! `NtTerminateProcess(NULL, …)` terminates every other thread of the calling process
//! and returns to the caller (documented for ZwTerminateProcess: "If ProcessHandle is
//! NULL, all threads except the caller are terminated"); with no other thread: success.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::string::String;

fn bogus_thread() -> Result<(), String> {
    // SAFETY: a service call with plain values.
    let got = unsafe { NtTerminateThread(0x7FF0 as HANDLE, NtStatus::from_u32(0x55)) };
    expect_status("NtTerminateThread(0x7ff0)", got, STATUS_INVALID_HANDLE)
}

fn bogus_process() -> Result<(), String> {
    // SAFETY: a service call with plain values.
    let got = unsafe { NtTerminateProcess(0x7FF0 as HANDLE, NtStatus::from_u32(0x55)) };
    expect_status("NtTerminateProcess(0x7ff0)", got, STATUS_INVALID_HANDLE)
}

fn null_process_returns() -> Result<(), String> {
    // SAFETY: a service call; NULL ends the other threads only (there are none).
    let got = unsafe { NtTerminateProcess(core::ptr::null_mut(), NtStatus::from_u32(0x55)) };
    expect_status("NtTerminateProcess(NULL)", got, STATUS_SUCCESS)
}

pub const TESTS: &[Test] = tests![
    ("terminate.bogus_thread_handle", bogus_thread),
    ("terminate.bogus_process_handle", bogus_process),
    ("terminate.null_process_returns", null_process_returns),
];
