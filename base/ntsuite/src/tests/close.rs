//! NtClose on handles that name nothing.
//!
//! Expectation: the NtClose documentation (WDK, `ZwClose`/`NtClose`) lists
//! STATUS_INVALID_HANDLE for a handle that is not valid; with no debugger attached and
//! without the "raise on close" global flag, Windows returns it rather than raising.
//! Handle values are multiples of 4 from a process's own table, so never-opened values
//! are invalid; the pseudo-handles (`-1`, `-2`) are not table entries either.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::string::String;

fn close(h: usize) -> NtStatus {
    // SAFETY: a service call with a plain value.
    unsafe { NtClose(h as HANDLE) }
}

fn null_handle() -> Result<(), String> {
    expect_status("NtClose(NULL)", close(0), STATUS_INVALID_HANDLE)
}

fn never_opened() -> Result<(), String> {
    // Far beyond any handle a fresh process has been given.
    expect_status("NtClose(0x7ff0)", close(0x7FF0), STATUS_INVALID_HANDLE)
}

fn unaligned_value() -> Result<(), String> {
    expect_status("NtClose(0x7ff3)", close(0x7FF3), STATUS_INVALID_HANDLE)
}

fn current_process_pseudo() -> Result<(), String> {
    expect_status(
        "NtClose(NtCurrentProcess())",
        close(CURRENT_PROCESS as usize),
        STATUS_INVALID_HANDLE,
    )
}

fn current_thread_pseudo() -> Result<(), String> {
    expect_status(
        "NtClose(NtCurrentThread())",
        close(CURRENT_THREAD as usize),
        STATUS_INVALID_HANDLE,
    )
}

fn same_bogus_twice() -> Result<(), String> {
    expect_status("first close", close(0x7FE0), STATUS_INVALID_HANDLE)?;
    expect_status("second close", close(0x7FE0), STATUS_INVALID_HANDLE)
}

pub const TESTS: &[Test] = tests![
    ("close.null_handle", null_handle),
    ("close.never_opened", never_opened),
    ("close.unaligned_value", unaligned_value),
    ("close.current_process_pseudo", current_process_pseudo),
    ("close.current_thread_pseudo", current_thread_pseudo),
    ("close.same_bogus_twice", same_bogus_twice),
];
