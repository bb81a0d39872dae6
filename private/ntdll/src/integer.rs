//! Integer ⇄ string routines. Parsing and formatting rules are in `ntrtl::integer`.
#![allow(non_snake_case)]

use crate::abi::{elems_mut, load, store, unicode_chars, Terminated};
use ntdef::status::{NtStatus, STATUS_SUCCESS};
use ntdef::types::{PCSZ, PSTR, ULONG, UNICODE_STRING};
use ntrtl::integer::{self as ri, Digits, Radix};
use ntrtl::string::CountedBuf;

#[no_mangle]
pub unsafe extern "system" fn RtlIntegerToChar(
    value: ULONG,
    base: ULONG,
    output_length: i32,
    string: PSTR,
) -> NtStatus {
    let digits = match Radix::for_formatting(base) {
        Ok(radix) => Digits::new(value, radix),
        Err(status) => return status,
    };
    // A negative length, as an unsigned size, is "no limit": the routine then writes
    // the digits and their NUL, which is all it ever writes.
    let room = (output_length as u32 as usize).min(digits.as_bytes().len() + 1);
    // SAFETY: the caller's buffer holds `output_length` bytes, of which `room` are used.
    let out = unsafe { elems_mut(string, room) };
    match ri::integer_to_char(value, base, out) {
        Ok(_) => STATUS_SUCCESS,
        Err(status) => status,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlCharToInteger(
    string: PCSZ,
    base: ULONG,
    value: *mut ULONG,
) -> NtStatus {
    // SAFETY: `string` is NUL-terminated (the routine's contract).
    let chars = unsafe { Terminated::new(string) };
    match ri::parse_integer(chars, base) {
        Ok(v) => {
            // SAFETY: required output.
            unsafe { store(value, v) };
            STATUS_SUCCESS
        }
        Err(status) => status,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlIntegerToUnicodeString(
    value: ULONG,
    base: ULONG,
    string: *mut UNICODE_STRING,
) -> NtStatus {
    let digits = match Radix::for_formatting(base) {
        Ok(radix) => Digits::new(value, radix),
        Err(status) => return status,
    };
    // SAFETY: caller's string.
    let mut s = unsafe { load(string) };
    // SAFETY: its buffer holds MaximumLength bytes.
    let storage = unsafe { elems_mut(s.Buffer, usize::from(s.MaximumLength) / 2) };
    let mut buf = CountedBuf::new(storage, 0);
    // As on Windows, the digits go through the ANSI conversion, which wants room for a
    // NUL too (else STATUS_BUFFER_OVERFLOW, string unchanged).
    if let Err(status) = buf.ansi_to_unicode_from(digits.as_bytes()) {
        return status;
    }
    s.Length = buf.byte_len();
    // SAFETY: caller's string.
    unsafe { store(string, s) };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeStringToInteger(
    string: *const UNICODE_STRING,
    base: ULONG,
    value: *mut ULONG,
) -> NtStatus {
    // SAFETY: caller's string, only read.
    let s = unsafe { load(string) };
    // SAFETY: as above.
    let chars = unsafe { unicode_chars(&s) };
    match ri::parse_integer(chars.iter().map(|&c| u32::from(c)), base) {
        Ok(v) => {
            // SAFETY: required output.
            unsafe { store(value, v) };
            STATUS_SUCCESS
        }
        Err(status) => status,
    }
}
