//! Counted strings: `UNICODE_STRING` (UTF-16) and `STRING`/`ANSI_STRING` (bytes).
//!
//! On the ABI both carry byte counts in `USHORT`s: `Length` (excluding any NUL) and
//! `MaximumLength` (the buffer). Here they are element counts: a source string is a slice
//! of its `Length / size_of::<T>()` elements and a destination is a [`CountedBuf`] over
//! its `MaximumLength / size_of::<T>()` elements. A Unicode length is meaningful only in
//! whole `WCHAR`s; an odd byte count (invalid on Windows too) is rounded down, so a
//! routine never touches a partial character nor writes past `MaximumLength`.

use crate::codepage;
use crate::upcase::upcase_char;
use ntdef::status::{
    NtStatus, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER_2,
    STATUS_NAME_TOO_LONG,
};

/// Largest value of a `USHORT` length field.
const MAXUSHORT: usize = 0xFFFF;

/// An element of a counted string: a byte or a UTF-16 code unit.
pub trait CodeUnit: Copy + Eq + core::fmt::Debug {
    /// The terminator written after the string when the buffer has room.
    const NUL: Self;
    /// Size in bytes; the ABI length fields count bytes.
    const BYTES: usize;
    /// Longest `Length`, in bytes, that still leaves room for a NUL within
    /// `MAXUSHORT` rounded down to whole elements: 0xFFFC for UTF-16, 0xFFFE for bytes.
    const MAX_TERMINATED_BYTES: usize = (MAXUSHORT / Self::BYTES - 1) * Self::BYTES;
}

impl CodeUnit for u8 {
    const NUL: Self = 0;
    const BYTES: usize = 1;
}

impl CodeUnit for u16 {
    const NUL: Self = 0;
    const BYTES: usize = 2;
}

/// The `Length`/`MaximumLength` pair that `RtlInit*String` store, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitLengths {
    pub length: u16,
    pub maximum_length: u16,
}

/// The most elements `RtlInit*String` ever needs to scan: one past the longest string
/// it can describe. A NUL-terminated source longer than this gives the same result
/// however much longer it is.
pub const fn init_scan_limit<T: CodeUnit>() -> usize {
    T::MAX_TERMINATED_BYTES / T::BYTES + 1
}

/// `RtlInitUnicodeStringEx` / `RtlInitAnsiStringEx`: lengths for a NUL-terminated
/// source of `units` elements (the NUL not counted), or `STATUS_NAME_TOO_LONG` when
/// `Length` plus the NUL would not fit in a `USHORT`.
pub fn init_lengths<T: CodeUnit>(units: usize) -> Result<InitLengths, NtStatus> {
    match units.checked_mul(T::BYTES) {
        Some(bytes) if bytes <= T::MAX_TERMINATED_BYTES => Ok(InitLengths {
            length: bytes as u16,
            maximum_length: (bytes + T::BYTES) as u16,
        }),
        _ => Err(STATUS_NAME_TOO_LONG),
    }
}

/// `RtlInitUnicodeString` / `RtlInitAnsiString`: as [`init_lengths`], but a source that is
/// too long is described truncated to the longest length that fits (Unicode: `Length`
/// 0xFFFC, `MaximumLength` 0xFFFE; ANSI: 0xFFFE, 0xFFFF), as Windows does.
pub fn init_lengths_clamped<T: CodeUnit>(units: usize) -> InitLengths {
    let units = units.min(T::MAX_TERMINATED_BYTES / T::BYTES);
    init_lengths::<T>(units).unwrap_or(InitLengths {
        length: 0,
        maximum_length: 0,
    })
}

/// Where an operation puts source elements into a destination string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// First destination element written.
    pub offset: usize,
    /// Elements copied from the source.
    pub count: usize,
    /// The destination's length afterwards.
    pub new_len: usize,
    /// Whether a NUL goes at `new_len` (only when the buffer has room for it).
    pub terminate: bool,
}

/// `RtlCopyUnicodeString` / `RtlCopyString`: as much of the source as fits, then a NUL
/// if there is room. Never fails.
pub fn place_copy(capacity: usize, src_len: usize) -> Placement {
    let count = src_len.min(capacity);
    Placement {
        offset: 0,
        count,
        new_len: count,
        terminate: count < capacity,
    }
}

/// `RtlAppendUnicodeStringToString` / `RtlAppendUnicodeToString`: all of the source or
/// nothing (`STATUS_BUFFER_TOO_SMALL`), then a NUL if there is room. Appending an empty
/// source writes nothing at all.
pub fn place_append(len: usize, capacity: usize, src_len: usize) -> Result<Placement, NtStatus> {
    if src_len == 0 {
        return Ok(Placement {
            offset: len,
            count: 0,
            new_len: len,
            terminate: false,
        });
    }
    let new_len = len
        .checked_add(src_len)
        .filter(|&n| n <= capacity)
        .ok_or(STATUS_BUFFER_TOO_SMALL)?;
    Ok(Placement {
        offset: len,
        count: src_len,
        new_len,
        terminate: new_len < capacity,
    })
}

/// `RtlUpcaseUnicodeString` without allocation: the destination must hold the whole
/// source (no NUL is written), else `STATUS_BUFFER_OVERFLOW`.
pub fn place_upcase(capacity: usize, src_len: usize) -> Result<Placement, NtStatus> {
    if src_len > capacity {
        return Err(STATUS_BUFFER_OVERFLOW);
    }
    Ok(Placement {
        offset: 0,
        count: src_len,
        new_len: src_len,
        terminate: false,
    })
}

/// The writable side of a counted string: its whole buffer (`MaximumLength`) and its
/// current length, both in elements.
#[derive(Debug)]
pub struct CountedBuf<'a, T: CodeUnit> {
    storage: &'a mut [T],
    len: usize,
}

impl<'a, T: CodeUnit> CountedBuf<'a, T> {
    /// A length beyond the buffer (an invalid string) is clamped to it.
    pub fn new(storage: &'a mut [T], len: usize) -> Self {
        let len = len.min(storage.len());
        Self { storage, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.storage.len()
    }

    /// The string's `Length` field, in bytes.
    pub fn byte_len(&self) -> u16 {
        // A buffer described by a USHORT byte count never exceeds it.
        (self.len * T::BYTES) as u16
    }

    pub fn as_slice(&self) -> &[T] {
        &self.storage[..self.len]
    }

    /// The whole buffer, including any terminator written past the length.
    pub fn storage(&self) -> &[T] {
        self.storage
    }

    /// Carries out a placement computed for this buffer from `src`.
    fn apply(&mut self, placement: Placement, src: &[T], map: impl Fn(T) -> T) {
        let dst = &mut self.storage[placement.offset..placement.offset + placement.count];
        for (d, &s) in dst.iter_mut().zip(&src[..placement.count]) {
            *d = map(s);
        }
        self.len = placement.new_len;
        if placement.terminate {
            self.storage[placement.new_len] = T::NUL;
        }
    }

    /// `RtlCopyUnicodeString` / `RtlCopyString`.
    pub fn copy_from(&mut self, src: &[T]) {
        self.apply(place_copy(self.capacity(), src.len()), src, |c| c);
    }

    /// `RtlAppendUnicodeStringToString` / `RtlAppendUnicodeToString`.
    pub fn append(&mut self, src: &[T]) -> Result<(), NtStatus> {
        let placement = place_append(self.len, self.capacity(), src.len())?;
        self.apply(placement, src, |c| c);
        Ok(())
    }
}

impl CountedBuf<'_, u16> {
    /// `RtlUpcaseUnicodeString` into a caller-supplied buffer.
    pub fn upcase_from(&mut self, src: &[u16]) -> Result<(), NtStatus> {
        let placement = place_upcase(self.capacity(), src.len())?;
        self.apply(placement, src, upcase_char);
        Ok(())
    }

    /// `RtlAnsiStringToUnicodeString` into a caller-supplied buffer: the whole string
    /// plus its NUL must fit, else `STATUS_BUFFER_OVERFLOW` and nothing is written.
    pub fn ansi_to_unicode_from(&mut self, src: &[u8]) -> Result<(), NtStatus> {
        unicode_size_of_ansi(src.len())?;
        if src.len() >= self.capacity() {
            return Err(STATUS_BUFFER_OVERFLOW);
        }
        let n = codepage::multibyte_to_unicode(self.storage, src);
        self.len = n;
        self.storage[n] = 0;
        Ok(())
    }
}

/// How much of a source a conversion into a caller's buffer could take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Whole,
    /// The buffer holds a prefix: the routine still succeeds in writing it but returns
    /// the warning `STATUS_BUFFER_OVERFLOW`.
    Truncated,
}

impl Fit {
    /// The NTSTATUS a routine returns for this outcome.
    pub fn status(self) -> NtStatus {
        match self {
            Fit::Whole => ntdef::status::STATUS_SUCCESS,
            Fit::Truncated => STATUS_BUFFER_OVERFLOW,
        }
    }
}

impl CountedBuf<'_, u8> {
    /// `RtlUnicodeStringToAnsiString` into a caller-supplied buffer. When the string and
    /// its NUL do not fit, the buffer still receives as much as fits plus a NUL
    /// ([`Fit::Truncated`]); an empty buffer gets nothing (`STATUS_BUFFER_OVERFLOW`).
    pub fn unicode_to_ansi_from(&mut self, src: &[u16]) -> Result<Fit, NtStatus> {
        ansi_size_of_unicode(src.len())?;
        let capacity = self.capacity();
        if capacity == 0 {
            return Err(STATUS_BUFFER_OVERFLOW);
        }
        let fit = if src.len() < capacity {
            Fit::Whole
        } else {
            Fit::Truncated
        };
        let take = src.len().min(capacity - 1);
        let n = codepage::unicode_to_multibyte(self.storage, &src[..take]);
        self.len = n;
        self.storage[n] = 0;
        Ok(fit)
    }
}

/// `RtlxAnsiStringToUnicodeSize`: bytes needed for the Unicode form of an ANSI string
/// of `ansi_len` bytes, NUL included; `STATUS_INVALID_PARAMETER_2` (the source string
/// argument) when that exceeds `MAXUSHORT`.
pub fn unicode_size_of_ansi(ansi_len: usize) -> Result<usize, NtStatus> {
    let size = codepage::multibyte_to_unicode_size(ansi_len) + 2;
    if size > MAXUSHORT {
        return Err(STATUS_INVALID_PARAMETER_2);
    }
    Ok(size)
}

/// `RtlxUnicodeStringToAnsiSize`: bytes needed for the ANSI form of `units` UTF-16 code
/// units, NUL included; `STATUS_INVALID_PARAMETER_2` beyond `MAXUSHORT`.
pub fn ansi_size_of_unicode(units: usize) -> Result<usize, NtStatus> {
    let size = codepage::unicode_to_multibyte_size(units) + 1;
    if size > MAXUSHORT {
        return Err(STATUS_INVALID_PARAMETER_2);
    }
    Ok(size)
}

/// `RtlCompareUnicodeString`: the difference of the first differing code units (after
/// upcasing both when `case_insensitive`), else the difference of the `Length`s in bytes.
pub fn compare(a: &[u16], b: &[u16], case_insensitive: bool) -> i32 {
    for (&x, &y) in a.iter().zip(b) {
        if x == y {
            continue;
        }
        let (x, y) = if case_insensitive {
            (upcase_char(x), upcase_char(y))
        } else {
            (x, y)
        };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    (a.len() as i32 - b.len() as i32) * 2
}

/// `RtlEqualUnicodeString`.
pub fn equal(a: &[u16], b: &[u16], case_insensitive: bool) -> bool {
    a.len() == b.len() && compare(a, b, case_insensitive) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntdef::status::STATUS_BUFFER_TOO_SMALL;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn init_lengths_count_bytes_and_the_nul() {
        assert_eq!(
            init_lengths::<u16>(5),
            Ok(InitLengths {
                length: 10,
                maximum_length: 12
            })
        );
        assert_eq!(
            init_lengths::<u8>(5),
            Ok(InitLengths {
                length: 5,
                maximum_length: 6
            })
        );
        assert_eq!(
            init_lengths::<u16>(0),
            Ok(InitLengths {
                length: 0,
                maximum_length: 2
            })
        );
    }

    #[test]
    fn unicode_limit_is_0xfffc_bytes() {
        assert_eq!(u16::MAX_TERMINATED_BYTES, 0xFFFC);
        assert_eq!(
            init_lengths::<u16>(0x7FFE),
            Ok(InitLengths {
                length: 0xFFFC,
                maximum_length: 0xFFFE
            })
        );
        assert_eq!(init_lengths::<u16>(0x7FFF), Err(STATUS_NAME_TOO_LONG));
        assert_eq!(init_lengths::<u16>(usize::MAX), Err(STATUS_NAME_TOO_LONG));
        // MaximumLength stays even: 0xFFFF would split a WCHAR.
        assert_eq!(
            init_lengths_clamped::<u16>(0x10000),
            InitLengths {
                length: 0xFFFC,
                maximum_length: 0xFFFE
            }
        );
        assert_eq!(init_scan_limit::<u16>(), 0x7FFF);
    }

    #[test]
    fn ansi_limit_is_0xfffe_bytes() {
        assert_eq!(
            init_lengths::<u8>(0xFFFE),
            Ok(InitLengths {
                length: 0xFFFE,
                maximum_length: 0xFFFF
            })
        );
        assert_eq!(init_lengths::<u8>(0xFFFF), Err(STATUS_NAME_TOO_LONG));
        assert_eq!(
            init_lengths_clamped::<u8>(70_000),
            InitLengths {
                length: 0xFFFE,
                maximum_length: 0xFFFF
            }
        );
        assert_eq!(init_scan_limit::<u8>(), 0xFFFF);
    }

    #[test]
    fn copy_truncates_and_terminates_when_room() {
        let mut buf = [0xAAAAu16; 4];
        let mut s = CountedBuf::new(&mut buf, 0);
        s.copy_from(&w("ab"));
        assert_eq!(s.as_slice(), w("ab"));
        assert_eq!(s.storage(), [0x61, 0x62, 0, 0xAAAA]);
        s.copy_from(&w("abcdef"));
        assert_eq!(s.as_slice(), w("abcd"));
        assert_eq!(s.byte_len(), 8);
        let mut s = CountedBuf::new(&mut buf, 4);
        s.copy_from(&[]);
        assert_eq!(s.len(), 0);
        assert_eq!(s.storage()[0], 0);
    }

    #[test]
    fn append_is_all_or_nothing() {
        let mut buf = [0xAAAAu16; 6];
        let mut s = CountedBuf::new(&mut buf, 0);
        s.append(&w("abc")).unwrap();
        assert_eq!(s.storage(), [0x61, 0x62, 0x63, 0, 0xAAAA, 0xAAAA]);
        assert_eq!(s.append(&w("defg")), Err(STATUS_BUFFER_TOO_SMALL));
        assert_eq!(s.as_slice(), w("abc"));
        assert_eq!(s.storage()[4], 0xAAAA, "a failed append writes nothing");
        s.append(&w("def")).unwrap();
        assert_eq!(s.as_slice(), w("abcdef"));
        assert_eq!(s.byte_len(), 12);
        s.append(&[]).unwrap();
        assert_eq!(s.len(), 6);
    }

    #[test]
    fn append_placement() {
        assert_eq!(
            place_append(2, 5, 3),
            Ok(Placement {
                offset: 2,
                count: 3,
                new_len: 5,
                terminate: false
            })
        );
        assert_eq!(
            place_append(2, 6, 3),
            Ok(Placement {
                offset: 2,
                count: 3,
                new_len: 5,
                terminate: true
            })
        );
        assert_eq!(place_append(2, 4, 3), Err(STATUS_BUFFER_TOO_SMALL));
        assert_eq!(
            place_append(usize::MAX, usize::MAX, 1),
            Err(STATUS_BUFFER_TOO_SMALL)
        );
    }

    #[test]
    fn compare_orders_like_windows() {
        assert_eq!(compare(&w("abc"), &w("abc"), false), 0);
        assert_eq!(compare(&w("abc"), &w("abd"), false), -1);
        assert_eq!(compare(&w("b"), &w("a"), false), 1);
        assert_eq!(compare(&w("ab"), &w("abc"), false), -2);
        assert_eq!(compare(&w("abcd"), &w("ab"), false), 4);
        assert_eq!(
            compare(&w("ABC"), &w("abc"), false),
            'A' as i32 - 'a' as i32
        );
        assert_eq!(compare(&w("ABC"), &w("abc"), true), 0);
        assert_eq!(compare(&w("a"), &w("B"), true), -1);
        assert_eq!(compare(&w("Ärger"), &w("äRGER"), true), 0);
        assert_eq!(compare(&[], &[], true), 0);
    }

    #[test]
    fn equality() {
        assert!(equal(&w("Straße"), &w("STRAßE"), true));
        assert!(!equal(&w("Straße"), &w("STRAßE"), false));
        assert!(!equal(&w("abc"), &w("abcd"), true));
        assert!(equal(&w("ΣΊΣΥΦΟΣ"), &w("σίσυφος"), true));
        assert!(!equal(&w("a"), &w("b"), true));
    }

    #[test]
    fn upcase_needs_room_for_the_string_only() {
        let mut buf = [0xAAAAu16; 3];
        let mut s = CountedBuf::new(&mut buf, 0);
        s.upcase_from(&w("aé1")).unwrap();
        assert_eq!(s.as_slice(), w("AÉ1"));
        assert_eq!(s.upcase_from(&w("abcd")), Err(STATUS_BUFFER_OVERFLOW));
        assert_eq!(s.as_slice(), w("AÉ1"));
    }

    #[test]
    fn ansi_to_unicode_needs_room_for_the_nul() {
        let mut buf = [0xAAAAu16; 4];
        let mut s = CountedBuf::new(&mut buf, 0);
        assert_eq!(s.ansi_to_unicode_from(b"abcd"), Err(STATUS_BUFFER_OVERFLOW));
        assert_eq!(s.storage(), [0xAAAA; 4]);
        s.ansi_to_unicode_from(b"\x80bc").unwrap();
        assert_eq!(s.storage(), [0x20AC, 0x62, 0x63, 0]);
        assert_eq!(s.byte_len(), 6);
    }

    #[test]
    fn unicode_to_ansi_truncates_with_a_warning() {
        let mut buf = [0xEEu8; 4];
        let mut s = CountedBuf::new(&mut buf, 0);
        assert_eq!(s.unicode_to_ansi_from(&w("a€c")), Ok(Fit::Whole));
        assert_eq!(s.storage(), [b'a', 0x80, b'c', 0]);
        let mut s = CountedBuf::new(&mut buf, 0);
        assert_eq!(s.unicode_to_ansi_from(&w("wxyz")), Ok(Fit::Truncated));
        assert_eq!(Fit::Truncated.status(), STATUS_BUFFER_OVERFLOW);
        assert_eq!(Fit::Whole.status(), ntdef::status::STATUS_SUCCESS);
        assert_eq!(s.as_slice(), b"wxy");
        assert_eq!(s.storage(), b"wxy\0");
        let mut empty: [u8; 0] = [];
        let mut s = CountedBuf::new(&mut empty, 0);
        assert_eq!(s.unicode_to_ansi_from(&w("a")), Err(STATUS_BUFFER_OVERFLOW));
    }

    #[test]
    fn conversion_sizes_include_the_nul() {
        assert_eq!(unicode_size_of_ansi(3), Ok(8));
        assert_eq!(unicode_size_of_ansi(0x7FFE), Ok(0xFFFE));
        assert_eq!(
            unicode_size_of_ansi(0x7FFF),
            Err(STATUS_INVALID_PARAMETER_2)
        );
        assert_eq!(ansi_size_of_unicode(3), Ok(4));
        assert_eq!(ansi_size_of_unicode(0x7FFF), Ok(0x8000));
        assert_eq!(
            ansi_size_of_unicode(0xFFFF),
            Err(STATUS_INVALID_PARAMETER_2)
        );
    }

    #[test]
    fn a_length_past_the_buffer_is_clamped() {
        let mut buf = [1u16, 2];
        let s = CountedBuf::new(&mut buf, 9);
        assert_eq!(s.len(), 2);
    }
}
