//! NtDisplayString with good and hostile arguments.
//!
//! Expectations: Windows captures the `UNICODE_STRING` with `ProbeForRead` (alignment of
//! the structure) and probes its buffer with `ProbeForRead(Buffer, Length,
//! sizeof(WCHAR))`, inside an exception handler. The WDK documentation of
//! `ProbeForRead` says it raises STATUS_ACCESS_VIOLATION for a range that is not in user
//! space (beyond `MmUserProbeAddress`, including ranges that wrap), raises
//! STATUS_DATATYPE_MISALIGNMENT when the start is not aligned as asked, and does nothing
//! when Length is zero; the handler turns the exception into the service's status, and a
//! read of an unmapped user page (including NULL) faults into the same handler as
//! STATUS_ACCESS_VIOLATION.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::string::String;

static TEXT: [u16; 4] = [b'.' as u16, b'.' as u16, b'.' as u16, b'\n' as u16];

fn call(s: *const UNICODE_STRING) -> NtStatus {
    // SAFETY: a service call; the executive must check whatever it is given.
    unsafe { NtDisplayString(s) }
}

fn good() -> UNICODE_STRING {
    unicode_raw(8, 8, TEXT.as_ptr() as usize)
}

fn prints_a_good_string() -> Result<(), String> {
    expect_status("valid string", call(&good()), STATUS_SUCCESS)
}

fn null_string() -> Result<(), String> {
    expect_status("NULL", call(core::ptr::null()), STATUS_ACCESS_VIOLATION)
}

fn kernel_range_string() -> Result<(), String> {
    expect_status(
        "kernel address",
        call(KERNEL as *const _),
        STATUS_ACCESS_VIOLATION,
    )
}

fn misaligned_string() -> Result<(), String> {
    let s = good();
    let odd = (&s as *const UNICODE_STRING as usize + 1) as *const UNICODE_STRING;
    expect_status("address + 1", call(odd), STATUS_DATATYPE_MISALIGNMENT)
}

fn unmapped_string() -> Result<(), String> {
    expect_status(
        "unmapped",
        call(UNMAPPED as *const _),
        STATUS_ACCESS_VIOLATION,
    )
}

fn string_straddling_user_limit() -> Result<(), String> {
    // Starts in user space, ends past it.
    let at = USER_LIMIT - core::mem::size_of::<usize>();
    expect_status(
        "at limit - word",
        call(at as *const _),
        STATUS_ACCESS_VIOLATION,
    )
}

fn null_buffer() -> Result<(), String> {
    let s = unicode_raw(8, 8, 0);
    expect_status("Buffer NULL, Length 8", call(&s), STATUS_ACCESS_VIOLATION)
}

fn kernel_range_buffer() -> Result<(), String> {
    let s = unicode_raw(8, 8, KERNEL);
    expect_status("Buffer in kernel space", call(&s), STATUS_ACCESS_VIOLATION)
}

fn unmapped_buffer() -> Result<(), String> {
    let s = unicode_raw(8, 8, UNMAPPED);
    expect_status("Buffer unmapped", call(&s), STATUS_ACCESS_VIOLATION)
}

fn misaligned_buffer() -> Result<(), String> {
    let s = unicode_raw(4, 4, TEXT.as_ptr() as usize + 1);
    expect_status("Buffer odd", call(&s), STATUS_DATATYPE_MISALIGNMENT)
}

fn buffer_straddling_user_limit() -> Result<(), String> {
    let s = unicode_raw(8, 8, USER_LIMIT - 4);
    expect_status(
        "Buffer crossing the limit",
        call(&s),
        STATUS_ACCESS_VIOLATION,
    )
}

fn empty_string_with_null_buffer() -> Result<(), String> {
    // Length 0: ProbeForRead probes nothing, nothing is read.
    let s = unicode_raw(0, 0, 0);
    expect_status("Length 0, Buffer NULL", call(&s), STATUS_SUCCESS)
}

pub const TESTS: &[Test] = tests![
    ("display.good_string", prints_a_good_string),
    ("display.null_string", null_string),
    ("display.kernel_range_string", kernel_range_string),
    ("display.misaligned_string", misaligned_string),
    ("display.unmapped_string", unmapped_string),
    (
        "display.string_straddling_user_limit",
        string_straddling_user_limit
    ),
    ("display.null_buffer", null_buffer),
    ("display.kernel_range_buffer", kernel_range_buffer),
    ("display.unmapped_buffer", unmapped_buffer),
    ("display.misaligned_buffer", misaligned_buffer),
    (
        "display.buffer_straddling_user_limit",
        buffer_straddling_user_limit
    ),
    (
        "display.empty_string_null_buffer",
        empty_string_with_null_buffer
    ),
];
