//! Object names: UTF-16 code units as captured from a `UNICODE_STRING`.
//!
//! The object manager gives meaning to one character only, the separator `\`. Every
//! other code unit, NUL included, is an ordinary name character (NT names are counted
//! strings; nothing stops at a NUL). Case-insensitive comparison upcases through
//! `ntrtl`'s `RtlUpcaseUnicodeChar` table, whose coverage is documented there.

use alloc::vec::Vec;

use super::status::*;
use ntdef::NtStatus;

/// `\`.
pub const SEPARATOR: u16 = b'\\' as u16;

/// Longest name a `UNICODE_STRING` can carry: `Length` is a `USHORT` byte count, and an
/// odd byte count is not a whole name.
pub const MAX_NAME_UNITS: usize = 0xFFFE / 2;

/// Copies a name, reporting allocation failure instead of aborting.
pub fn try_copy(units: &[u16]) -> Result<Vec<u16>, NtStatus> {
    let mut out = Vec::new();
    out.try_reserve_exact(units.len())
        .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
    out.extend_from_slice(units);
    Ok(out)
}

/// `a` followed by `b`, or `STATUS_NAME_TOO_LONG` past [`MAX_NAME_UNITS`].
pub fn try_concat(a: &[u16], b: &[u16]) -> Result<Vec<u16>, NtStatus> {
    let len = a.len() + b.len();
    if len > MAX_NAME_UNITS {
        return Err(STATUS_NAME_TOO_LONG);
    }
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    Ok(out)
}

/// The key directories index names by: the upcased name.
pub fn upcase_key(name: &[u16]) -> Result<Vec<u16>, NtStatus> {
    let mut key = try_copy(name)?;
    for c in &mut key {
        *c = ntrtl::upcase::upcase_char(*c);
    }
    Ok(key)
}

/// `RtlEqualUnicodeString`.
pub fn equal(a: &[u16], b: &[u16], case_insensitive: bool) -> bool {
    ntrtl::string::equal(a, b, case_insensitive)
}

/// UTF-16 of an ASCII/Unicode literal (init and tests).
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_beyond_ascii() {
        assert_eq!(upcase_key(&wide("abc\u{e9}")).unwrap(), wide("ABC\u{c9}"));
        assert!(equal(&wide("Device"), &wide("DEVICE"), true));
        assert!(!equal(&wide("Device"), &wide("DEVICE"), false));
        assert!(!equal(&wide("a\0b"), &wide("a"), true));
    }

    #[test]
    fn concat_respects_the_unicode_string_limit() {
        let a = alloc::vec![0x41u16; MAX_NAME_UNITS];
        assert_eq!(try_concat(&a, &[]).unwrap().len(), MAX_NAME_UNITS);
        assert_eq!(try_concat(&a, &[0x41]), Err(STATUS_NAME_TOO_LONG));
    }
}
