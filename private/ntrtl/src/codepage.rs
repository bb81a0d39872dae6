//! The ANSI code page: Windows-1252.
//!
//! Windows' `Rtl*MultiByte*` routines and the ANSI string conversions use the system's
//! ANSI code page. Nereid fixes it to 1252 (Western European), the code page of US and
//! Western European Windows installations. It is a single-byte code page, so one byte is
//! always one UTF-16 code unit and sizes convert 1:2.
//!
//! - Bytes → Unicode: 0x00–0x7F and 0xA0–0xFF are Latin-1; 0x80–0x9F follow Microsoft's
//!   1252 table, whose five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1
//!   control with the same value, as `MultiByteToWideChar(1252, …)` does.
//! - Unicode → bytes: the exact inverse. Every other code unit becomes `?` (0x3F), the
//!   code page's default character. Windows would first try its "best fit" table (e.g.
//!   Ā → A); Nereid does not, so such text converts to `?` instead.

/// The code page's default character, substituted for unmappable code units.
pub const DEFAULT_CHAR: u8 = b'?';

/// Unicode values of bytes 0x80–0x9F in code page 1252.
const HIGH_C1: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 0x80
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 0x88
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 0x90
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 0x98
];

/// One byte of code page 1252 as a UTF-16 code unit.
pub const fn ansi_to_unicode_char(b: u8) -> u16 {
    match b {
        0x80..=0x9F => HIGH_C1[(b - 0x80) as usize],
        _ => b as u16,
    }
}

/// One UTF-16 code unit in code page 1252, if it has a byte there.
pub fn unicode_to_ansi_char(c: u16) -> Option<u8> {
    match c {
        0x0000..=0x007F | 0x00A0..=0x00FF => Some(c as u8),
        _ => HIGH_C1.iter().position(|&u| u == c).map(|i| 0x80 + i as u8),
    }
}

/// `RtlMultiByteToUnicodeN`: converts as many bytes as both buffers allow and returns
/// the number of code units written. Truncation is silent, as on Windows.
pub fn multibyte_to_unicode(dst: &mut [u16], src: &[u8]) -> usize {
    let n = dst.len().min(src.len());
    for (d, &s) in dst.iter_mut().zip(&src[..n]) {
        *d = ansi_to_unicode_char(s);
    }
    n
}

/// `RtlUnicodeToMultiByteN`: converts as many code units as both buffers allow and
/// returns the number of bytes written. Truncation is silent, as on Windows.
pub fn unicode_to_multibyte(dst: &mut [u8], src: &[u16]) -> usize {
    let n = dst.len().min(src.len());
    for (d, &s) in dst.iter_mut().zip(&src[..n]) {
        *d = unicode_to_ansi_char(s).unwrap_or(DEFAULT_CHAR);
    }
    n
}

/// `RtlMultiByteToUnicodeSize`: bytes of UTF-16 that `bytes` bytes of ANSI become.
pub const fn multibyte_to_unicode_size(bytes: usize) -> usize {
    bytes * 2
}

/// `RtlUnicodeToMultiByteSize`: bytes of ANSI that `units` UTF-16 code units become.
pub const fn unicode_to_multibyte_size(units: usize) -> usize {
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_latin1_are_identity() {
        assert_eq!(ansi_to_unicode_char(b'A'), 0x41);
        assert_eq!(ansi_to_unicode_char(0x00), 0x00);
        assert_eq!(ansi_to_unicode_char(0xE9), 0x00E9); // é
        assert_eq!(ansi_to_unicode_char(0xA0), 0x00A0);
        assert_eq!(unicode_to_ansi_char(0x00FF), Some(0xFF));
    }

    #[test]
    fn windows_1252_specials() {
        assert_eq!(ansi_to_unicode_char(0x80), 0x20AC); // €
        assert_eq!(ansi_to_unicode_char(0x8A), 0x0160); // Š
        assert_eq!(ansi_to_unicode_char(0x99), 0x2122); // ™
        assert_eq!(ansi_to_unicode_char(0x9F), 0x0178); // Ÿ
        assert_eq!(ansi_to_unicode_char(0x81), 0x0081); // undefined → C1 control
        assert_eq!(unicode_to_ansi_char(0x20AC), Some(0x80));
        assert_eq!(unicode_to_ansi_char(0x2014), Some(0x97)); // —
        assert_eq!(unicode_to_ansi_char(0x0090), Some(0x90));
    }

    #[test]
    fn unmappable_becomes_default_char() {
        assert_eq!(unicode_to_ansi_char(0x0080), None); // C1 that 1252 redefines
        assert_eq!(unicode_to_ansi_char(0x0100), None); // Ā: no best fit
        assert_eq!(unicode_to_ansi_char(0x4E2D), None);
        let mut out = [0u8; 3];
        assert_eq!(unicode_to_multibyte(&mut out, &[0x41, 0x4E2D, 0x20AC]), 3);
        assert_eq!(out, [b'A', b'?', 0x80]);
    }

    #[test]
    fn every_byte_round_trips() {
        for b in 0..=255u8 {
            assert_eq!(
                unicode_to_ansi_char(ansi_to_unicode_char(b)),
                Some(b),
                "{b:#04x}"
            );
        }
    }

    #[test]
    fn conversions_truncate_to_the_smaller_buffer() {
        let mut wide = [0xFFFFu16; 2];
        assert_eq!(multibyte_to_unicode(&mut wide, b"abc"), 2);
        assert_eq!(wide, [0x61, 0x62]);
        let mut wide = [0xFFFFu16; 4];
        assert_eq!(multibyte_to_unicode(&mut wide, b"\x80z"), 2);
        assert_eq!(wide, [0x20AC, 0x7A, 0xFFFF, 0xFFFF]);
        let mut narrow = [0xEEu8; 1];
        assert_eq!(unicode_to_multibyte(&mut narrow, &[0x62, 0x63]), 1);
        assert_eq!(narrow, [b'b']);
        assert_eq!(multibyte_to_unicode_size(5), 10);
        assert_eq!(unicode_to_multibyte_size(5), 5);
    }
}
