//! Time conversion routines over `ntrtl::time`.
#![allow(non_snake_case)]

use crate::abi::{load, load_quad, store, store_quad};
use ntdef::types::{BOOLEAN, FALSE, LARGE_INTEGER, TIME_FIELDS, TRUE, ULONG};
use ntrtl::time::{self as rt, NtTime};

/// Stores `value` and answers TRUE, or answers FALSE leaving the output alone.
///
/// # Safety
/// `out` is a required output of the caller.
unsafe fn store_if<T>(out: *mut T, value: Option<T>) -> BOOLEAN {
    match value {
        Some(v) => {
            // SAFETY: forwarded.
            unsafe { store(out, v) };
            TRUE
        }
        None => FALSE,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToTimeFields(
    time: *const LARGE_INTEGER,
    time_fields: *mut TIME_FIELDS,
) {
    // SAFETY: caller's input.
    let t = NtTime(unsafe { load_quad(time) });
    // SAFETY: caller's output.
    unsafe { store(time_fields, rt::time_to_fields(t).into()) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeFieldsToTime(
    time_fields: *const TIME_FIELDS,
    time: *mut LARGE_INTEGER,
) -> BOOLEAN {
    // SAFETY: caller's input.
    let fields = unsafe { load(time_fields) }.into();
    match rt::fields_to_time(&fields) {
        Some(t) => {
            // SAFETY: caller's output.
            unsafe { store_quad(time, t.0) };
            TRUE
        }
        None => FALSE,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToSecondsSince1970(
    time: *const LARGE_INTEGER,
    elapsed_seconds: *mut ULONG,
) -> BOOLEAN {
    // SAFETY: caller's input.
    let t = NtTime(unsafe { load_quad(time) });
    // SAFETY: caller's output.
    unsafe { store_if(elapsed_seconds, rt::time_to_seconds_since_1970(t)) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlSecondsSince1970ToTime(
    elapsed_seconds: ULONG,
    time: *mut LARGE_INTEGER,
) {
    let t = rt::seconds_since_1970_to_time(elapsed_seconds);
    // SAFETY: caller's output.
    unsafe { store_quad(time, t.0) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToSecondsSince1980(
    time: *const LARGE_INTEGER,
    elapsed_seconds: *mut ULONG,
) -> BOOLEAN {
    // SAFETY: caller's input.
    let t = NtTime(unsafe { load_quad(time) });
    // SAFETY: caller's output.
    unsafe { store_if(elapsed_seconds, rt::time_to_seconds_since_1980(t)) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlSecondsSince1980ToTime(
    elapsed_seconds: ULONG,
    time: *mut LARGE_INTEGER,
) {
    let t = rt::seconds_since_1980_to_time(elapsed_seconds);
    // SAFETY: caller's output.
    unsafe { store_quad(time, t.0) }
}
