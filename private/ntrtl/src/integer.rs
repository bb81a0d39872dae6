//! Integers ⇄ text: `RtlIntegerToChar`, `RtlCharToInteger`,
//! `RtlIntegerToUnicodeString`, `RtlUnicodeStringToInteger`.

use ntdef::status::{NtStatus, STATUS_BUFFER_OVERFLOW, STATUS_INVALID_PARAMETER};

/// A base the Rtl integer routines accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    Binary = 2,
    Octal = 8,
    Decimal = 10,
    Hexadecimal = 16,
}

impl Radix {
    /// The `Base` argument: 2, 8, 10 or 16; anything else is `STATUS_INVALID_PARAMETER`.
    pub fn new(base: u32) -> Result<Self, NtStatus> {
        match base {
            2 => Ok(Self::Binary),
            8 => Ok(Self::Octal),
            10 => Ok(Self::Decimal),
            16 => Ok(Self::Hexadecimal),
            _ => Err(STATUS_INVALID_PARAMETER),
        }
    }

    /// The `Base` argument of the formatting routines, where 0 means decimal.
    pub fn for_formatting(base: u32) -> Result<Self, NtStatus> {
        if base == 0 {
            Ok(Self::Decimal)
        } else {
            Self::new(base)
        }
    }

    pub const fn value(self) -> u32 {
        self as u32
    }
}

/// The digits of a `u32` in some radix: at most 32 (binary), no sign, no prefix.
#[derive(Clone, Copy)]
pub struct Digits {
    buf: [u8; 32],
    start: usize,
}

impl Digits {
    /// Uppercase digits, as Windows writes them.
    pub fn new(mut value: u32, radix: Radix) -> Self {
        let mut buf = [0u8; 32];
        let mut start = buf.len();
        loop {
            start -= 1;
            buf[start] = b"0123456789ABCDEF"[(value % radix.value()) as usize];
            value /= radix.value();
            if value == 0 {
                break;
            }
        }
        Self { buf, start }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// `RtlIntegerToChar`: writes the digits into `out` and a NUL after them when there is
/// room; `STATUS_BUFFER_OVERFLOW` (nothing written) when the digits do not fit. Returns
/// the number of digits.
pub fn integer_to_char(value: u32, base: u32, out: &mut [u8]) -> Result<usize, NtStatus> {
    let digits = Digits::new(value, Radix::for_formatting(base)?);
    let digits = digits.as_bytes();
    let dst = out.get_mut(..digits.len()).ok_or(STATUS_BUFFER_OVERFLOW)?;
    dst.copy_from_slice(digits);
    if let Some(nul) = out.get_mut(digits.len()) {
        *nul = 0;
    }
    Ok(digits.len())
}

/// `RtlCharToInteger` / `RtlUnicodeStringToInteger` over any code units (bytes or
/// UTF-16), as Windows parses them:
///
/// 1. leading code units up to and including space (0x20) are skipped;
/// 2. one optional `+` or `-`;
/// 3. with `base` 0 only, a lowercase prefix `0x` (16), `0o` (8) or `0b` (2) picks the
///    base, else it is 10; with a nonzero `base` a prefix is not recognised;
/// 4. digits (`0`–`9`, then letters of either case) are accumulated until the first
///    code unit that is not a digit of the base; the rest is ignored. No digits at all
///    yields 0. Overflow wraps modulo 2³², and `-` negates in two's complement.
///
/// `base` other than 0, 2, 8, 10, 16 is `STATUS_INVALID_PARAMETER`.
pub fn parse_integer<I>(units: I, base: u32) -> Result<u32, NtStatus>
where
    I: IntoIterator<Item = u32>,
    I::IntoIter: Clone,
{
    let requested = if base == 0 {
        None
    } else {
        Some(Radix::new(base)?)
    };
    let mut units = units
        .into_iter()
        .skip_while(|&c| c <= u32::from(b' '))
        .peekable();
    let negative = match units.peek() {
        Some(&c) if c == u32::from(b'-') => {
            units.next();
            true
        }
        Some(&c) if c == u32::from(b'+') => {
            units.next();
            false
        }
        _ => false,
    };
    let radix = match requested {
        Some(radix) => radix,
        None => {
            let mut lookahead = units.clone();
            let prefix = match (lookahead.next(), lookahead.next()) {
                (Some(zero), Some(letter)) if zero == u32::from(b'0') => {
                    match char::from_u32(letter) {
                        Some('x') => Some(Radix::Hexadecimal),
                        Some('o') => Some(Radix::Octal),
                        Some('b') => Some(Radix::Binary),
                        _ => None,
                    }
                }
                _ => None,
            };
            if prefix.is_some() {
                units = lookahead;
            }
            prefix.unwrap_or(Radix::Decimal)
        }
    };
    let mut value: u32 = 0;
    for c in units {
        match char::from_u32(c).and_then(|c| c.to_digit(36)) {
            Some(digit) if digit < radix.value() => {
                value = value.wrapping_mul(radix.value()).wrapping_add(digit);
            }
            _ => break,
        }
    }
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, base: u32) -> Result<u32, NtStatus> {
        parse_integer(s.encode_utf16().map(u32::from), base)
    }

    #[test]
    fn digits_in_every_base() {
        assert_eq!(Digits::new(0, Radix::Decimal).as_bytes(), b"0");
        assert_eq!(Digits::new(1234, Radix::Decimal).as_bytes(), b"1234");
        assert_eq!(Digits::new(0xBEEF, Radix::Hexadecimal).as_bytes(), b"BEEF");
        assert_eq!(Digits::new(8, Radix::Octal).as_bytes(), b"10");
        assert_eq!(Digits::new(5, Radix::Binary).as_bytes(), b"101");
        assert_eq!(Digits::new(u32::MAX, Radix::Binary).as_bytes(), [b'1'; 32]);
        assert_eq!(
            Digits::new(u32::MAX, Radix::Decimal).as_bytes(),
            b"4294967295"
        );
    }

    #[test]
    fn bases_are_validated() {
        assert_eq!(Radix::for_formatting(0), Ok(Radix::Decimal));
        assert_eq!(Radix::new(0), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(Radix::new(3), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(Radix::new(36), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(
            integer_to_char(5, 7, &mut [0; 8]),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(parse("12", 12), Err(STATUS_INVALID_PARAMETER));
    }

    #[test]
    fn integer_to_char_terminates_only_with_room() {
        let mut out = [0xEEu8; 4];
        assert_eq!(integer_to_char(255, 16, &mut out), Ok(2));
        assert_eq!(out, *b"FF\0\xEE");
        let mut out = [0xEEu8; 3];
        assert_eq!(integer_to_char(123, 10, &mut out), Ok(3));
        assert_eq!(out, *b"123");
        let mut out = [0xEEu8; 2];
        assert_eq!(
            integer_to_char(123, 0, &mut out),
            Err(STATUS_BUFFER_OVERFLOW)
        );
        assert_eq!(out, [0xEE; 2]);
    }

    #[test]
    fn parse_decimal_with_sign_and_whitespace() {
        assert_eq!(parse("1234", 0), Ok(1234));
        assert_eq!(parse("  \t+42", 10), Ok(42));
        assert_eq!(parse("-1", 0), Ok(0xFFFF_FFFF));
        assert_eq!(parse("-0", 10), Ok(0));
        assert_eq!(parse("12abc", 10), Ok(12));
        assert_eq!(parse("", 10), Ok(0));
        assert_eq!(parse("   ", 0), Ok(0));
        assert_eq!(parse("+", 0), Ok(0));
        assert_eq!(parse("x1", 0), Ok(0));
    }

    #[test]
    fn prefixes_pick_the_base_only_when_base_is_zero() {
        assert_eq!(parse("0x1F", 0), Ok(0x1F));
        assert_eq!(parse("0xff", 0), Ok(0xFF));
        assert_eq!(parse("0o17", 0), Ok(0o17));
        assert_eq!(parse("0b101", 0), Ok(5));
        assert_eq!(parse("-0x10", 0), Ok(0x10u32.wrapping_neg()));
        assert_eq!(parse("0X1F", 0), Ok(0), "uppercase X is no prefix");
        assert_eq!(parse("0x1F", 16), Ok(0), "no prefix with an explicit base");
        assert_eq!(parse("0b1", 16), Ok(0xB1));
        assert_eq!(parse("0x", 0), Ok(0));
        assert_eq!(parse("0b2", 0), Ok(0));
        assert_eq!(parse("019", 0), Ok(19), "a leading zero is not octal");
    }

    #[test]
    fn digits_stop_at_the_base() {
        assert_eq!(parse("1012", 2), Ok(5));
        assert_eq!(parse("789", 8), Ok(7));
        assert_eq!(parse("fFg", 16), Ok(0xFF));
        assert_eq!(parse("1 2", 10), Ok(1));
        assert_eq!(
            parse_integer([u32::from(b'7'), 0x0663], 10),
            Ok(7),
            "non-ASCII digit stops"
        );
    }

    #[test]
    fn overflow_wraps() {
        assert_eq!(parse("4294967295", 10), Ok(u32::MAX));
        assert_eq!(parse("4294967296", 10), Ok(0));
        assert_eq!(parse("0x123456789", 0), Ok(0x2345_6789));
    }
}
