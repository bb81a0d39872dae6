//! The exported routines called through their ABI, with Windows structures, on the host
//! (where `extern "system"` is the C convention). Semantics are tested in ntrtl; these
//! tests cover what this crate adds: reading and writing the structures, optional and
//! overlapping arguments, allocation and the status codes that reach the caller.
#![allow(clippy::undocumented_unsafe_blocks)] // every block: buffers owned by the test

use crate::alloc::test_heap::TestHeap;
use crate::alloc::ProcessHeap;
use crate::bitmap::*;
use crate::integer::*;
use crate::string::*;
use crate::time::*;
use core::ptr;
use ntdef::status::*;
use ntdef::types::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// A UNICODE_STRING over `buf` holding its first `chars` characters.
fn ustr(buf: &mut [u16], chars: usize) -> UNICODE_STRING {
    UNICODE_STRING {
        Length: (chars * 2) as u16,
        MaximumLength: (buf.len() * 2) as u16,
        Buffer: buf.as_mut_ptr(),
    }
}

/// The characters a UNICODE_STRING describes.
fn chars(s: &UNICODE_STRING) -> Vec<u16> {
    unsafe { std::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2) }.to_vec()
}

fn text(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[test]
fn init_unicode_string_describes_the_source_in_place() {
    let src = wide("hello");
    let mut s = UNICODE_STRING::default();
    unsafe { RtlInitUnicodeString(&mut s, src.as_ptr()) };
    assert_eq!((s.Length, s.MaximumLength), (10, 12));
    assert_eq!(s.Buffer.cast_const(), src.as_ptr());

    let mut s = ustr(&mut [0; 4], 3);
    unsafe { RtlInitUnicodeString(&mut s, ptr::null()) };
    assert_eq!(s, UNICODE_STRING::empty());
}

#[test]
fn init_unicode_string_limits() {
    let mut long = vec![b'x' as u16; 0x9000];
    long.push(0);
    let mut s = UNICODE_STRING::default();
    unsafe { RtlInitUnicodeString(&mut s, long.as_ptr()) };
    assert_eq!((s.Length, s.MaximumLength), (0xFFFC, 0xFFFE));

    let mut s = ustr(&mut [0; 2], 1);
    let before = s;
    assert_eq!(
        unsafe { RtlInitUnicodeStringEx(&mut s, long.as_ptr()) },
        STATUS_NAME_TOO_LONG
    );
    assert_eq!(s, before, "left alone on failure");

    long[0x7FFE] = 0; // exactly the longest allowed
    assert_eq!(
        unsafe { RtlInitUnicodeStringEx(&mut s, long.as_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!((s.Length, s.MaximumLength), (0xFFFC, 0xFFFE));
    assert_eq!(
        unsafe { RtlInitUnicodeStringEx(&mut s, ptr::null()) },
        STATUS_SUCCESS
    );
    assert_eq!((s.Length, s.MaximumLength), (0, 0));
    assert!(s.Buffer.is_null());
}

#[test]
fn init_ansi_string_limits() {
    let mut s = STRING::default();
    unsafe { RtlInitAnsiString(&mut s, c"abc".as_ptr().cast()) };
    assert_eq!((s.Length, s.MaximumLength), (3, 4));
    unsafe { RtlInitString(&mut s, c"".as_ptr().cast()) };
    assert_eq!((s.Length, s.MaximumLength), (0, 1));

    let mut long = vec![b'y'; 0x10005];
    long.push(0);
    unsafe { RtlInitAnsiString(&mut s, long.as_ptr()) };
    assert_eq!((s.Length, s.MaximumLength), (0xFFFE, 0xFFFF));
    assert_eq!(
        unsafe { RtlInitAnsiStringEx(&mut s, long.as_ptr()) },
        STATUS_NAME_TOO_LONG
    );
    long[0xFFFE] = 0;
    assert_eq!(
        unsafe { RtlInitAnsiStringEx(&mut s, long.as_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!((s.Length, s.MaximumLength), (0xFFFE, 0xFFFF));
}

#[test]
fn copy_truncates_terminates_and_accepts_null() {
    let mut src_buf = text("abcdef");
    let src = ustr(&mut src_buf, 6);
    let mut buf = [0xAAAAu16; 4];
    let mut dst = ustr(&mut buf, 0);
    unsafe { RtlCopyUnicodeString(&mut dst, &src) };
    assert_eq!(dst.Length, 8);
    assert_eq!(buf, *text("abcd"));

    let mut buf = [0xAAAAu16; 8];
    let mut dst = ustr(&mut buf, 0);
    unsafe { RtlCopyUnicodeString(&mut dst, &src) };
    assert_eq!(dst.Length, 12);
    assert_eq!(buf[6..], [0, 0xAAAA]);

    let mut dst = ustr(&mut buf, 5);
    unsafe { RtlCopyUnicodeString(&mut dst, ptr::null()) };
    assert_eq!(dst.Length, 0);
    assert_eq!(buf[0], b'a' as u16, "a NULL source writes no terminator");
}

#[test]
fn append_reports_buffer_too_small_and_may_append_to_itself() {
    let mut buf = [0u16; 7];
    buf[..3].copy_from_slice(&text("abc"));
    let mut s = ustr(&mut buf, 3);
    let copy = s;
    assert_eq!(
        unsafe { RtlAppendUnicodeStringToString(&mut s, &copy) },
        STATUS_SUCCESS
    );
    assert_eq!(chars(&s), text("abcabc"));
    assert_eq!(buf[6], 0);
    let copy = s;
    assert_eq!(
        unsafe { RtlAppendUnicodeStringToString(&mut s, &copy) },
        STATUS_BUFFER_TOO_SMALL
    );
    assert_eq!(s.Length, 12);

    // The very same structure as destination and source.
    let mut buf = [0u16; 4];
    buf[..2].copy_from_slice(&text("xy"));
    let mut s = ustr(&mut buf, 2);
    let p: *mut UNICODE_STRING = &mut s;
    assert_eq!(
        unsafe { RtlAppendUnicodeStringToString(p, p) },
        STATUS_SUCCESS
    );
    assert_eq!(chars(&s), text("xyxy"));
}

#[test]
fn append_terminated_source() {
    let mut buf = [0xAAAAu16; 6];
    let mut s = ustr(&mut buf, 0);
    let more = wide("abc");
    assert_eq!(
        unsafe { RtlAppendUnicodeToString(&mut s, more.as_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!(
        unsafe { RtlAppendUnicodeToString(&mut s, ptr::null()) },
        STATUS_SUCCESS
    );
    assert_eq!(
        unsafe { RtlAppendUnicodeToString(&mut s, more.as_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!(chars(&s), text("abcabc"));
    assert_eq!(
        unsafe { RtlAppendUnicodeToString(&mut s, more.as_ptr()) },
        STATUS_BUFFER_TOO_SMALL
    );
}

#[test]
fn compare_and_equal() {
    let (mut a, mut b) = (text("Hello"), text("hELLO!"));
    let sa = ustr(&mut a, 5);
    let sb5 = ustr(&mut b, 5);
    let sb6 = ustr(&mut b, 6);
    assert_eq!(unsafe { RtlCompareUnicodeString(&sa, &sb5, TRUE) }, 0);
    assert_eq!(
        unsafe { RtlCompareUnicodeString(&sa, &sb5, FALSE) },
        'H' as i32 - 'h' as i32
    );
    assert_eq!(unsafe { RtlCompareUnicodeString(&sa, &sb6, TRUE) }, -2);
    assert_eq!(unsafe { RtlEqualUnicodeString(&sa, &sb5, TRUE) }, TRUE);
    assert_eq!(unsafe { RtlEqualUnicodeString(&sa, &sb5, FALSE) }, FALSE);
    assert_eq!(unsafe { RtlEqualUnicodeString(&sa, &sb6, TRUE) }, FALSE);
    assert_eq!(RtlUpcaseUnicodeChar(0x00E4), 0x00C4);
}

#[test]
fn upcase_in_place_into_buffer_and_allocated() {
    let mut buf = text("straße é");
    let mut s = ustr(&mut buf, 8);
    let p: *mut UNICODE_STRING = &mut s;
    assert_eq!(
        unsafe { RtlUpcaseUnicodeString(p, p, FALSE) },
        STATUS_SUCCESS
    );
    assert_eq!(chars(&s), text("STRAßE É"));

    let mut small = [0u16; 3];
    let mut d = ustr(&mut small, 0);
    assert_eq!(
        unsafe { RtlUpcaseUnicodeString(&mut d, &s, FALSE) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(d.Length, 0);

    let heap = TestHeap::default();
    let mut d = UNICODE_STRING::default();
    let mut src = text("abc");
    let s = ustr(&mut src, 3);
    assert_eq!(unsafe { upcase_string(&heap, &mut d, &s, true) }, Ok(()));
    assert_eq!((d.Length, d.MaximumLength), (6, 6));
    assert_eq!(chars(&d), text("ABC"));
    unsafe { free_unicode_string(&heap, &mut d) };
    assert_eq!(d, UNICODE_STRING::empty());

    let mut d = UNICODE_STRING::default();
    assert_eq!(
        unsafe { RtlUpcaseUnicodeString(&mut d, &s, TRUE) },
        STATUS_NO_MEMORY,
        "no process heap yet"
    );
}

fn ansi(bytes: &mut [u8], len: usize) -> STRING {
    STRING {
        Length: len as u16,
        MaximumLength: bytes.len() as u16,
        Buffer: bytes.as_mut_ptr(),
    }
}

#[test]
fn ansi_to_unicode_into_a_caller_buffer() {
    let mut a = *b"caf\xE9 \x80";
    let src = ansi(&mut a, 6);
    let mut buf = [0xAAAAu16; 7];
    let mut d = ustr(&mut buf, 0);
    assert_eq!(
        unsafe { RtlAnsiStringToUnicodeString(&mut d, &src, FALSE) },
        STATUS_SUCCESS
    );
    assert_eq!(chars(&d), text("café €"));
    assert_eq!(buf[6], 0);

    let mut buf = [0xAAAAu16; 6];
    let mut d = ustr(&mut buf, 0);
    assert_eq!(
        unsafe { RtlAnsiStringToUnicodeString(&mut d, &src, FALSE) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(d.Length, 0);
    assert_eq!(buf, [0xAAAA; 6]);
}

#[test]
fn ansi_to_unicode_allocating() {
    let heap = TestHeap::default();
    let mut a = *b"xyz";
    let src = ansi(&mut a, 3);
    let mut d = UNICODE_STRING::default();
    assert_eq!(
        unsafe { ansi_to_unicode_string(&heap, &mut d, &src, true) },
        Ok(())
    );
    assert_eq!((d.Length, d.MaximumLength), (6, 8));
    assert_eq!(unsafe { *d.Buffer.add(3) }, 0);
    assert_eq!(chars(&d), text("xyz"));
    assert_eq!(heap.live(), 1);
    unsafe { free_unicode_string(&heap, &mut d) };
    assert_eq!(heap.live(), 0);

    let mut exhausted = TestHeap::default();
    exhausted.exhausted = true;
    let mut d = UNICODE_STRING::default();
    assert_eq!(
        unsafe { ansi_to_unicode_string(&exhausted, &mut d, &src, true) },
        Err(STATUS_NO_MEMORY)
    );
    assert_eq!(d, UNICODE_STRING::empty());
    assert_eq!(
        unsafe { RtlAnsiStringToUnicodeString(&mut d, &src, TRUE) },
        STATUS_NO_MEMORY
    );
}

#[test]
fn ansi_to_unicode_rejects_what_cannot_be_described() {
    let mut a = vec![b'a'; 0x7FFF];
    let src = ansi(&mut a, 0x7FFF);
    let heap = TestHeap::default();
    let mut d = UNICODE_STRING::default();
    assert_eq!(
        unsafe { ansi_to_unicode_string(&heap, &mut d, &src, true) },
        Err(STATUS_INVALID_PARAMETER_2)
    );
    assert_eq!(heap.live(), 0);
    assert_eq!(unsafe { RtlxAnsiStringToUnicodeSize(&src) }, 0x10000);
}

#[test]
fn unicode_to_ansi_truncates_with_a_warning() {
    let mut w = text("naïve €");
    let src = ustr(&mut w, 7);
    let mut out = [0xEEu8; 8];
    let mut d = ansi(&mut out, 0);
    assert_eq!(
        unsafe { RtlUnicodeStringToAnsiString(&mut d, &src, FALSE) },
        STATUS_SUCCESS
    );
    assert_eq!(out, *b"na\xEFve \x80\0");
    assert_eq!(d.Length, 7);

    let mut out = [0xEEu8; 4];
    let mut d = ansi(&mut out, 0);
    assert_eq!(
        unsafe { RtlUnicodeStringToAnsiString(&mut d, &src, FALSE) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(out, *b"na\xEF\0");
    assert_eq!(d.Length, 3);

    let mut d = STRING::default();
    assert_eq!(
        unsafe { RtlUnicodeStringToAnsiString(&mut d, &src, FALSE) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(unsafe { RtlxUnicodeStringToAnsiSize(&src) }, 8);

    let heap = TestHeap::default();
    let mut d = STRING::default();
    assert_eq!(
        unsafe { unicode_to_ansi_string(&heap, &mut d, &src, true) },
        STATUS_SUCCESS
    );
    assert_eq!((d.Length, d.MaximumLength), (7, 8));
    assert_eq!(
        unsafe { std::slice::from_raw_parts(d.Buffer, 8) },
        b"na\xEFve \x80\0"
    );
    unsafe { free_ansi_string(&heap, &mut d) };
    assert_eq!(d, STRING::empty());
}

#[test]
fn free_leaves_a_string_without_buffer_alone() {
    let heap = TestHeap::default();
    let mut s = UNICODE_STRING {
        Length: 4,
        MaximumLength: 8,
        Buffer: ptr::null_mut(),
    };
    unsafe { free_unicode_string(&heap, &mut s) };
    assert_eq!(s.Length, 4);
    unsafe { RtlFreeUnicodeString(&mut s) };
    unsafe { RtlFreeAnsiString(&mut STRING::default()) };
    let _ = ProcessHeap;
}

#[test]
fn multibyte_n_conversions_report_bytes() {
    let mut out = [0u16; 3];
    let mut written = 0xDEAD;
    let st = unsafe {
        RtlMultiByteToUnicodeN(out.as_mut_ptr(), 6, &mut written, b"ab\x99d".as_ptr(), 4)
    };
    assert_eq!((st, written), (STATUS_SUCCESS, 6));
    assert_eq!(out, [0x61, 0x62, 0x2122]);
    let st =
        unsafe { RtlMultiByteToUnicodeN(out.as_mut_ptr(), 5, ptr::null_mut(), b"z".as_ptr(), 1) };
    assert_eq!(st, STATUS_SUCCESS);
    assert_eq!(out[0], 0x7A);

    let mut out = [0u8; 4];
    let src = text("A€\u{4E2D}");
    let st = unsafe { RtlUnicodeToMultiByteN(out.as_mut_ptr(), 4, &mut written, src.as_ptr(), 6) };
    assert_eq!((st, written), (STATUS_SUCCESS, 3));
    assert_eq!(out, [b'A', 0x80, b'?', 0]);

    let mut size = 0;
    assert_eq!(
        unsafe { RtlMultiByteToUnicodeSize(&mut size, b"abc".as_ptr(), 3) },
        STATUS_SUCCESS
    );
    assert_eq!(size, 6);
    assert_eq!(
        unsafe { RtlUnicodeToMultiByteSize(&mut size, src.as_ptr(), 6) },
        STATUS_SUCCESS
    );
    assert_eq!(size, 3);
}

#[test]
fn integer_to_char_and_back() {
    let mut out = [0xEEu8; 12];
    assert_eq!(
        unsafe { RtlIntegerToChar(0xBEEF, 16, 12, out.as_mut_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!(&out[..5], b"BEEF\0");
    assert_eq!(
        unsafe { RtlIntegerToChar(12345, 10, 4, out.as_mut_ptr()) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(
        unsafe { RtlIntegerToChar(7, 3, 12, out.as_mut_ptr()) },
        STATUS_INVALID_PARAMETER
    );
    let mut out = [0xEEu8; 4];
    assert_eq!(
        unsafe { RtlIntegerToChar(5, 2, -1, out.as_mut_ptr()) },
        STATUS_SUCCESS
    );
    assert_eq!(out, *b"101\0", "negative length: no limit");

    let mut v = 0;
    assert_eq!(
        unsafe { RtlCharToInteger(c" -0x1A".as_ptr().cast(), 0, &mut v) },
        STATUS_SUCCESS
    );
    assert_eq!(v, 0x1Au32.wrapping_neg());
    assert_eq!(
        unsafe { RtlCharToInteger(c"10".as_ptr().cast(), 5, &mut v) },
        STATUS_INVALID_PARAMETER
    );
}

#[test]
fn integer_to_unicode_string_needs_room_for_the_nul() {
    let mut buf = [0xAAAAu16; 4];
    let mut s = ustr(&mut buf, 0);
    assert_eq!(
        unsafe { RtlIntegerToUnicodeString(123, 0, &mut s) },
        STATUS_SUCCESS
    );
    assert_eq!(s.Length, 6);
    assert_eq!(buf, [0x31, 0x32, 0x33, 0]);
    let mut s = ustr(&mut buf, 0);
    assert_eq!(
        unsafe { RtlIntegerToUnicodeString(1234, 10, &mut s) },
        STATUS_BUFFER_OVERFLOW
    );
    assert_eq!(s.Length, 0);
    assert_eq!(
        unsafe { RtlIntegerToUnicodeString(1, 7, &mut s) },
        STATUS_INVALID_PARAMETER
    );
}

#[test]
fn unicode_string_to_integer() {
    let mut w = text("  0b1011 trailing");
    let s = ustr(&mut w, 8);
    let mut v = 0;
    assert_eq!(
        unsafe { RtlUnicodeStringToInteger(&s, 0, &mut v) },
        STATUS_SUCCESS
    );
    assert_eq!(v, 11);
    // Length bounds the parse: "0b10" of "0b1011".
    let s = ustr(&mut w, 6);
    assert_eq!(
        unsafe { RtlUnicodeStringToInteger(&s, 0, &mut v) },
        STATUS_SUCCESS
    );
    assert_eq!(v, 2);
    v = 77;
    assert_eq!(
        unsafe { RtlUnicodeStringToInteger(&s, 17, &mut v) },
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(v, 77);
}

#[test]
fn bitmap_routines_through_the_header() {
    let mut words = [0u32; 3];
    let mut h = RTL_BITMAP::default();
    unsafe { RtlInitializeBitMap(&mut h, words.as_mut_ptr(), 80) };
    assert_eq!(h.SizeOfBitMap, 80);
    unsafe { RtlSetBits(&mut h, 4, 30) };
    assert_eq!(unsafe { RtlNumberOfSetBits(&mut h) }, 30);
    assert_eq!(unsafe { RtlNumberOfClearBits(&mut h) }, 50);
    assert_eq!(unsafe { RtlAreBitsSet(&mut h, 4, 30) }, TRUE);
    assert_eq!(unsafe { RtlAreBitsSet(&mut h, 3, 2) }, FALSE);
    assert_eq!(unsafe { RtlAreBitsClear(&mut h, 34, 46) }, TRUE);
    assert_eq!(
        unsafe { RtlAreBitsClear(&mut h, 34, 47) },
        FALSE,
        "past the end"
    );
    assert_eq!(unsafe { RtlFindClearBits(&mut h, 5, 0) }, 34);
    assert_eq!(unsafe { RtlFindClearBits(&mut h, 4, 0) }, 0);
    assert_eq!(unsafe { RtlFindClearBitsAndSet(&mut h, 46, 10) }, 34);
    assert_eq!(unsafe { RtlFindClearBitsAndSet(&mut h, 5, 0) }, 0xFFFF_FFFF);
    assert_eq!(unsafe { RtlFindSetBits(&mut h, 76, 0) }, 4);
    assert_eq!(unsafe { RtlFindSetBitsAndClear(&mut h, 10, 50) }, 50);
    unsafe { RtlClearBits(&mut h, 0, 80) };
    assert_eq!(words, [0; 3]);
    unsafe { RtlSetAllBits(&mut h) };
    assert_eq!(
        words,
        [u32::MAX, u32::MAX, u32::MAX],
        "whole ULONGs, padding included"
    );
    unsafe { RtlClearAllBits(&mut h) };
    assert_eq!(words, [0; 3]);
}

#[test]
fn empty_bitmap_needs_no_buffer() {
    let mut h = RTL_BITMAP::default();
    assert_eq!(unsafe { RtlNumberOfSetBits(&mut h) }, 0);
    assert_eq!(unsafe { RtlFindClearBits(&mut h, 1, 0) }, 0xFFFF_FFFF);
}

#[test]
fn time_routines_through_large_integer() {
    // 2024-02-29 12:34:56.789, a Thursday.
    let fields = TIME_FIELDS {
        Year: 2024,
        Month: 2,
        Day: 29,
        Hour: 12,
        Minute: 34,
        Second: 56,
        Milliseconds: 789,
        Weekday: 0,
    };
    let mut t = LARGE_INTEGER::default();
    assert_eq!(unsafe { RtlTimeFieldsToTime(&fields, &mut t) }, TRUE);
    let mut back = TIME_FIELDS::default();
    unsafe { RtlTimeToTimeFields(&t, &mut back) };
    assert_eq!(
        back,
        TIME_FIELDS {
            Weekday: 4,
            ..fields
        }
    );

    let mut secs = 0;
    assert_eq!(unsafe { RtlTimeToSecondsSince1970(&t, &mut secs) }, TRUE);
    assert_eq!(secs, 1_709_210_096);
    let mut t2 = LARGE_INTEGER::default();
    unsafe { RtlSecondsSince1970ToTime(secs, &mut t2) };
    assert_eq!(t2.QuadPart, t.QuadPart - 7_890_000);
    assert_eq!(unsafe { RtlTimeToSecondsSince1980(&t2, &mut secs) }, TRUE);
    assert_eq!(secs, 1_709_210_096 - 315_532_800);
    unsafe { RtlSecondsSince1980ToTime(0, &mut t2) };
    assert_eq!(t2.QuadPart, 119_600_064_000_000_000);

    let bad = TIME_FIELDS {
        Month: 13,
        ..fields
    };
    let mut untouched = LARGE_INTEGER::new(42);
    assert_eq!(unsafe { RtlTimeFieldsToTime(&bad, &mut untouched) }, FALSE);
    assert_eq!(untouched.QuadPart, 42);
    assert_eq!(
        unsafe { RtlTimeToSecondsSince1970(&LARGE_INTEGER::new(0), &mut secs) },
        FALSE
    );
}

/// A block from `name=value` entries.
fn env_block(entries: &[&str]) -> Vec<u16> {
    let mut b = Vec::new();
    for e in entries {
        b.extend(e.encode_utf16());
        b.push(0);
    }
    b.push(0);
    b
}

#[test]
fn environment_query_and_expand_through_the_abi() {
    use crate::env::*;
    let env = env_block(&["foo=toto", "=oOH=III"]);
    let name = text("FOO");
    let name_us = UNICODE_STRING {
        Length: 6,
        MaximumLength: 6,
        Buffer: name.as_ptr().cast_mut(),
    };
    let mut buf = [0x40u16; 6];
    let mut value = ustr(&mut buf, 0);
    value.MaximumLength = 6;
    let st = unsafe { RtlQueryEnvironmentVariable_U(env.as_ptr().cast(), &name_us, &mut value) };
    assert_eq!((st, value.Length), (STATUS_BUFFER_TOO_SMALL, 8));
    assert_eq!(buf[0], 0x40, "nothing written when too small");
    let mut value = ustr(&mut buf, 0);
    let st = unsafe { RtlQueryEnvironmentVariable_U(env.as_ptr().cast(), &name_us, &mut value) };
    assert_eq!(st, STATUS_SUCCESS);
    assert_eq!(&buf[..5], &wide("toto")[..]);
    let missing = text("bar");
    let missing_us = UNICODE_STRING {
        Length: 6,
        MaximumLength: 6,
        Buffer: missing.as_ptr().cast_mut(),
    };
    let mut value = ustr(&mut buf, 0);
    let st = unsafe { RtlQueryEnvironmentVariable_U(env.as_ptr().cast(), &missing_us, &mut value) };
    assert_eq!(st, ntrtl::env::STATUS_VARIABLE_NOT_FOUND);

    let src = text("a%foo%b%=oOH%");
    let src_us = UNICODE_STRING {
        Length: (src.len() * 2) as u16,
        MaximumLength: (src.len() * 2) as u16,
        Buffer: src.as_ptr().cast_mut(),
    };
    let mut out = [0x2Du16; 16];
    let mut dst = ustr(&mut out, 0);
    dst.MaximumLength = 8;
    let mut returned = 0;
    let st = unsafe {
        RtlExpandEnvironmentStrings_U(env.as_ptr().cast(), &src_us, &mut dst, &mut returned)
    };
    assert_eq!((st, returned), (STATUS_BUFFER_TOO_SMALL, 20));
    assert_eq!(out[4], 0x2D, "nothing past MaximumLength");
    let mut dst = ustr(&mut out, 0);
    let st = unsafe {
        RtlExpandEnvironmentStrings_U(env.as_ptr().cast(), &src_us, &mut dst, ptr::null_mut())
    };
    assert_eq!((st, dst.Length), (STATUS_SUCCESS, 18));
    assert_eq!(&out[..10], &wide("atotobIII")[..]);
}

#[test]
fn environment_set_rejects_bad_names_before_touching_memory() {
    let name = text("a=b");
    let name_us = UNICODE_STRING {
        Length: 6,
        MaximumLength: 6,
        Buffer: name.as_ptr().cast_mut(),
    };
    let mut env: *mut core::ffi::c_void = ptr::null_mut();
    let st = unsafe { crate::env::RtlSetEnvironmentVariable(&mut env, &name_us, ptr::null()) };
    assert_eq!(st, STATUS_INVALID_PARAMETER);
    assert!(env.is_null());
}

#[test]
fn process_parameters_normalize_through_the_abi() {
    use crate::params::*;
    use ntrtl::params::{self as p, Layout, Source, STRINGS};
    let l = Layout::NATIVE;
    let image = text("C:\\x.exe");
    let mut strings: [Source; STRINGS] = [None; STRINGS];
    strings[2] = Some(&image);
    let plan = p::plan(l, &strings, 1).unwrap();
    // usize storage keeps the block pointer-aligned, as a heap block is.
    let mut storage = vec![0usize; plan.total.div_ceil(size_of::<usize>())];
    let base = storage.as_mut_ptr() as usize;
    let bytes = unsafe { std::slice::from_raw_parts_mut(base as *mut u8, plan.total) };
    p::build(l, bytes, base, plan, &strings, &[0], false);
    let field = base + l.image_path_name() + l.w;
    let offset = unsafe { (field as *const usize).read() };
    assert!(offset >= l.size() && offset < plan.length);
    let r = unsafe { RtlNormalizeProcessParams(base as *mut _) };
    assert_eq!(r as usize, base);
    assert_eq!(unsafe { (field as *const usize).read() }, base + offset);
    assert_eq!(unsafe { ((base + 8) as *const u32).read() }, p::NORMALIZED);
    unsafe { RtlDeNormalizeProcessParams(base as *mut _) };
    assert_eq!(unsafe { (field as *const usize).read() }, offset);
    assert!(unsafe { RtlNormalizeProcessParams(ptr::null_mut()) }.is_null());
}

// NULL and misaligned pointers are tested at `abi`: a fault inside an `extern "system"`
// function cannot unwind into a test harness (it aborts, which is the point).

/// The exports as the sources declare them: `(name, parameter count)` of each
/// `#[no_mangle]` function.
fn declared_exports() -> Vec<(String, usize)> {
    let sources = [
        include_str!("string.rs"),
        include_str!("integer.rs"),
        include_str!("bitmap.rs"),
        include_str!("time.rs"),
        include_str!("crt.rs"),
        include_str!("ldr.rs"),
        include_str!("ldrdata.rs"),
        include_str!("heap.rs"),
        include_str!("path.rs"),
        include_str!("thread.rs"),
        include_str!("process.rs"),
        include_str!("env.rs"),
        include_str!("params.rs"),
        include_str!("registry.rs"),
    ];
    let mut exports = Vec::new();
    for source in sources {
        let mut lines = source.lines();
        while let Some(line) = lines.next() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            let mut signature = String::new();
            for line in lines.by_ref() {
                signature.push_str(line);
                if line.contains(')') {
                    break;
                }
            }
            let name = signature
                .split("fn ")
                .nth(1)
                .and_then(|s| s.split('(').next())
                .unwrap();
            let params = signature.split('(').nth(1).unwrap().matches(':').count();
            exports.push((name.to_owned(), params));
        }
    }
    // C-variadic exports defined in assembly (`dbgprint.rs`); cdecl, so no argument
    // size is checked.
    for name in ["DbgPrint", "DbgPrintEx"] {
        exports.push((name.to_owned(), 0));
    }
    // The service stubs are generated from the `ntsvc` table.
    for s in ntsvc::SERVICES {
        exports.push((s.name.to_owned(), s.params));
        exports.push((s.zw_name.to_owned(), s.params));
    }
    exports.sort();
    exports
}

#[test]
fn import_library_list_matches_the_sources() {
    use ntdll_implib::{Call, EXPORTS};
    let declared = declared_exports();
    let listed: Vec<&str> = EXPORTS.iter().map(|e| e.name).collect();
    let names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, listed);
    for ((name, params), export) in declared.iter().zip(EXPORTS) {
        // Every parameter of these routines takes one 4-byte stack slot on i386.
        if let Call::Stdcall { arg_bytes } = export.call {
            assert_eq!(arg_bytes as usize, 4 * params, "{name}");
        }
    }
}
