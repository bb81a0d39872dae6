//! Counted-string routines: initialisation, copy, append, comparison, case, ANSI ⇄
//! Unicode conversion and freeing. Semantics are in `ntrtl::string`; this module moves
//! them across the ABI.
#![allow(non_snake_case)]

use crate::abi::{
    ansi_bytes, elems, elems_mut, load, raw_buffer, store, store_opt, terminated_len, unicode_chars,
};
use crate::alloc::{ProcessHeap, StringAllocator};
use core::ptr::{self, NonNull};
use ntdef::status::{NtStatus, STATUS_NO_MEMORY, STATUS_SUCCESS};
use ntdef::types::{BOOLEAN, FALSE, PCSZ, PCWSTR, STRING, TRUE, ULONG, UNICODE_STRING, WCHAR};
use ntrtl::codepage;
use ntrtl::string::{self as rs, CodeUnit, CountedBuf, InitLengths, Placement};
use ntrtl::upcase::upcase_char;

fn boolean(b: bool) -> BOOLEAN {
    if b {
        TRUE
    } else {
        FALSE
    }
}

/// Byte count of `units` elements of `T`, for a `USHORT` length field. Callers pass
/// counts that came from such a field or were checked against `MAXUSHORT`.
fn byte_len<T: CodeUnit>(units: usize) -> u16 {
    (units * T::BYTES) as u16
}

/// Scans a NUL-terminated source for `RtlInit*String[Ex]`. NULL describes no string.
///
/// # Safety
/// `source` must be NULL or a NUL-terminated string.
unsafe fn init_units<T: CodeUnit>(source: *const T) -> Option<usize> {
    // SAFETY: forwarded; the scan stops at the NUL or once the length is decided.
    (!source.is_null()).then(|| unsafe { terminated_len(source, rs::init_scan_limit::<T>()) })
}

const NO_STRING: InitLengths = InitLengths {
    length: 0,
    maximum_length: 0,
};

/// The two counted-string layouts `RtlInit*String[Ex]` fill, with their code unit.
trait InitTarget: Sized {
    type Unit: CodeUnit;
    fn describe(lengths: InitLengths, buffer: *const Self::Unit) -> Self;
}

impl InitTarget for UNICODE_STRING {
    type Unit = WCHAR;
    fn describe(lengths: InitLengths, buffer: *const WCHAR) -> Self {
        UNICODE_STRING {
            Length: lengths.length,
            MaximumLength: lengths.maximum_length,
            Buffer: buffer.cast_mut(),
        }
    }
}

impl InitTarget for STRING {
    type Unit = u8;
    fn describe(lengths: InitLengths, buffer: *const u8) -> Self {
        STRING {
            Length: lengths.length,
            MaximumLength: lengths.maximum_length,
            Buffer: buffer.cast_mut(),
        }
    }
}

/// `RtlInit*String`: an over-long source is clamped (the routine returns nothing).
///
/// # Safety
/// `source` is NULL or NUL-terminated; `destination` is the caller's output structure.
unsafe fn init_clamped<S: InitTarget>(destination: *mut S, source: *const S::Unit) {
    // SAFETY: forwarded from the caller.
    let lengths =
        unsafe { init_units(source) }.map_or(NO_STRING, rs::init_lengths_clamped::<S::Unit>);
    // SAFETY: forwarded from the caller.
    unsafe { store(destination, S::describe(lengths, source)) }
}

/// `RtlInit*StringEx`: an over-long source fails and leaves `destination` untouched.
///
/// # Safety
/// As [`init_clamped`].
unsafe fn init_checked<S: InitTarget>(destination: *mut S, source: *const S::Unit) -> NtStatus {
    // SAFETY: forwarded from the caller.
    let lengths = match unsafe { init_units(source) }.map(rs::init_lengths::<S::Unit>) {
        None => NO_STRING,
        Some(Ok(lengths)) => lengths,
        Some(Err(status)) => return status,
    };
    // SAFETY: forwarded from the caller.
    unsafe { store(destination, S::describe(lengths, source)) };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitUnicodeString(
    destination: *mut UNICODE_STRING,
    source: PCWSTR,
) {
    // SAFETY: the routine's contract: terminated source, caller's output structure.
    unsafe { init_clamped(destination, source) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitUnicodeStringEx(
    destination: *mut UNICODE_STRING,
    source: PCWSTR,
) -> NtStatus {
    // SAFETY: the routine's contract: terminated source, caller's output structure.
    unsafe { init_checked(destination, source) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitAnsiString(destination: *mut STRING, source: PCSZ) {
    // SAFETY: the routine's contract: terminated source, caller's output structure.
    unsafe { init_clamped(destination, source) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitAnsiStringEx(
    destination: *mut STRING,
    source: PCSZ,
) -> NtStatus {
    // SAFETY: the routine's contract: terminated source, caller's output structure.
    unsafe { init_checked(destination, source) }
}

/// `RtlInitString` is `RtlInitAnsiString` under its older name.
#[no_mangle]
pub unsafe extern "system" fn RtlInitString(destination: *mut STRING, source: PCSZ) {
    // SAFETY: same contract.
    unsafe { RtlInitAnsiString(destination, source) }
}

/// Carries out a copy placement with `memmove` semantics: the source may lie inside the
/// destination's own buffer (appending a string to itself is legal on Windows).
///
/// # Safety
/// `dest` must have room for the placement and `src` hold `placement.count` elements.
unsafe fn move_units(placement: Placement, dest: *mut WCHAR, src: *const WCHAR) {
    let end = placement.new_len + usize::from(placement.terminate);
    let dest = raw_buffer(dest, end).cast_mut();
    let src = raw_buffer(src, placement.count);
    if placement.count != 0 {
        // SAFETY: both ranges are valid (contract, checked for NULL/alignment); `copy`
        // allows overlap.
        unsafe { ptr::copy(src, dest.add(placement.offset), placement.count) };
    }
    if placement.terminate {
        // SAFETY: `new_len` < capacity when `terminate` is set.
        unsafe { dest.add(placement.new_len).write(0) };
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlCopyUnicodeString(
    destination: *mut UNICODE_STRING,
    source: *const UNICODE_STRING,
) {
    // SAFETY: `destination` is the caller's string.
    let mut dest = unsafe { load(destination) };
    if source.is_null() {
        dest.Length = 0;
    } else {
        // SAFETY: `source` is the caller's string.
        let src = unsafe { load(source) };
        let placement = rs::place_copy(
            usize::from(dest.MaximumLength) / 2,
            usize::from(src.Length) / 2,
        );
        // SAFETY: the placement fits `dest`'s MaximumLength and `src`'s Length.
        unsafe { move_units(placement, dest.Buffer, src.Buffer) };
        dest.Length = byte_len::<u16>(placement.new_len);
    }
    // SAFETY: as above.
    unsafe { store(destination, dest) }
}

/// # Safety
/// `destination` is a caller's string, `src` holds `src_len` characters.
unsafe fn append(
    destination: *mut UNICODE_STRING,
    src: *const WCHAR,
    src_len: usize,
) -> Result<(), NtStatus> {
    // SAFETY: forwarded.
    let mut dest = unsafe { load(destination) };
    let placement = rs::place_append(
        usize::from(dest.Length) / 2,
        usize::from(dest.MaximumLength) / 2,
        src_len,
    )?;
    // SAFETY: the placement fits `dest`'s MaximumLength; `src` holds `src_len`.
    unsafe { move_units(placement, dest.Buffer, src) };
    dest.Length = byte_len::<u16>(placement.new_len);
    // SAFETY: forwarded.
    unsafe { store(destination, dest) };
    Ok(())
}

#[no_mangle]
pub unsafe extern "system" fn RtlAppendUnicodeStringToString(
    destination: *mut UNICODE_STRING,
    source: *const UNICODE_STRING,
) -> NtStatus {
    // SAFETY: both are the caller's strings.
    let src = unsafe { load(source) };
    // SAFETY: as above.
    NtStatus::from_result(unsafe { append(destination, src.Buffer, usize::from(src.Length) / 2) })
}

#[no_mangle]
pub unsafe extern "system" fn RtlAppendUnicodeToString(
    destination: *mut UNICODE_STRING,
    source: PCWSTR,
) -> NtStatus {
    if source.is_null() {
        return STATUS_SUCCESS;
    }
    // Past 0x7FFF characters nothing fits in a UNICODE_STRING, so the scan can stop there.
    // SAFETY: `source` is terminated (the routine's contract).
    let len = unsafe { terminated_len(source, 0x8000) };
    // SAFETY: `destination` is the caller's string; `source` holds `len` characters.
    NtStatus::from_result(unsafe { append(destination, source, len) })
}

#[no_mangle]
pub unsafe extern "system" fn RtlCompareUnicodeString(
    string1: *const UNICODE_STRING,
    string2: *const UNICODE_STRING,
    case_insensitive: BOOLEAN,
) -> i32 {
    // SAFETY: both are the caller's strings, only read.
    let (a, b) = unsafe { (load(string1), load(string2)) };
    // SAFETY: as above.
    let (a, b) = unsafe { (unicode_chars(&a), unicode_chars(&b)) };
    rs::compare(a, b, case_insensitive != FALSE)
}

#[no_mangle]
pub unsafe extern "system" fn RtlEqualUnicodeString(
    string1: *const UNICODE_STRING,
    string2: *const UNICODE_STRING,
    case_insensitive: BOOLEAN,
) -> BOOLEAN {
    // SAFETY: both are the caller's strings, only read.
    let (a, b) = unsafe { (load(string1), load(string2)) };
    // SAFETY: as above.
    let (a, b) = unsafe { (unicode_chars(&a), unicode_chars(&b)) };
    boolean(rs::equal(a, b, case_insensitive != FALSE))
}

#[no_mangle]
pub extern "system" fn RtlUpcaseUnicodeChar(source: WCHAR) -> WCHAR {
    upcase_char(source)
}

/// A fresh buffer of `units` elements, zeroed so it can be viewed as initialised.
fn allocate_units<T: CodeUnit>(
    heap: &impl StringAllocator,
    units: usize,
) -> Result<NonNull<T>, NtStatus> {
    let bytes = units * T::BYTES;
    let buffer = heap.allocate(bytes).ok_or(STATUS_NO_MEMORY)?;
    // SAFETY: the allocator handed out `bytes` writable bytes.
    unsafe { buffer.as_ptr().write_bytes(0, bytes) };
    Ok(buffer.cast())
}

/// `RtlUpcaseUnicodeString` against any allocator.
///
/// # Safety
/// The routine's contract: valid strings; `destination` may be `source` itself.
pub(crate) unsafe fn upcase_string(
    heap: &impl StringAllocator,
    destination: *mut UNICODE_STRING,
    source: *const UNICODE_STRING,
    allocate: bool,
) -> Result<(), NtStatus> {
    // SAFETY: caller's strings.
    let (mut dest, src) = unsafe { (load(destination), load(source)) };
    let src_len = usize::from(src.Length) / 2;
    let placement = if allocate {
        dest.Buffer = allocate_units::<u16>(heap, src_len)?.as_ptr();
        dest.MaximumLength = byte_len::<u16>(src_len);
        rs::place_upcase(src_len, src_len)?
    } else {
        rs::place_upcase(usize::from(dest.MaximumLength) / 2, src_len)?
    };
    let to = raw_buffer(dest.Buffer, placement.count).cast_mut();
    let from = raw_buffer(src.Buffer, placement.count);
    for i in 0..placement.count {
        // SAFETY: both buffers hold `count` characters. They may be the same buffer
        // (upcasing in place), so each character is read before it is written.
        unsafe { to.add(i).write(upcase_char(from.add(i).read())) };
    }
    dest.Length = byte_len::<u16>(placement.new_len);
    // SAFETY: caller's string.
    unsafe { store(destination, dest) };
    Ok(())
}

#[no_mangle]
pub unsafe extern "system" fn RtlUpcaseUnicodeString(
    destination: *mut UNICODE_STRING,
    source: *const UNICODE_STRING,
    allocate_destination_string: BOOLEAN,
) -> NtStatus {
    // SAFETY: same contract.
    NtStatus::from_result(unsafe {
        upcase_string(
            &ProcessHeap,
            destination,
            source,
            allocate_destination_string != FALSE,
        )
    })
}

/// `RtlAnsiStringToUnicodeString` against any allocator. On failure the destination is
/// left as it was.
///
/// # Safety
/// The routine's contract: valid strings whose buffers do not overlap.
pub(crate) unsafe fn ansi_to_unicode_string(
    heap: &impl StringAllocator,
    destination: *mut UNICODE_STRING,
    source: *const STRING,
    allocate: bool,
) -> Result<(), NtStatus> {
    // SAFETY: caller's strings.
    let (mut dest, src) = unsafe { (load(destination), load(source)) };
    // SAFETY: the source's buffer holds `Length` bytes and is not the destination's.
    let ansi = unsafe { ansi_bytes(&src) };
    let size = rs::unicode_size_of_ansi(ansi.len())?;
    let fresh = if allocate {
        let buffer = allocate_units::<u16>(heap, size / 2)?;
        dest.Buffer = buffer.as_ptr();
        dest.MaximumLength = size as u16;
        Some(buffer)
    } else {
        None
    };
    // SAFETY: the buffer holds MaximumLength bytes, freshly allocated or the caller's.
    let storage = unsafe { elems_mut(dest.Buffer, usize::from(dest.MaximumLength) / 2) };
    let mut buf = CountedBuf::new(storage, 0);
    if let Err(status) = buf.ansi_to_unicode_from(ansi) {
        if let Some(buffer) = fresh {
            // SAFETY: allocated above from `heap`, and not stored anywhere.
            unsafe { heap.free(buffer.cast()) };
        }
        return Err(status);
    }
    dest.Length = buf.byte_len();
    // SAFETY: caller's string.
    unsafe { store(destination, dest) };
    Ok(())
}

#[no_mangle]
pub unsafe extern "system" fn RtlAnsiStringToUnicodeString(
    destination: *mut UNICODE_STRING,
    source: *const STRING,
    allocate_destination_string: BOOLEAN,
) -> NtStatus {
    // SAFETY: same contract.
    NtStatus::from_result(unsafe {
        ansi_to_unicode_string(
            &ProcessHeap,
            destination,
            source,
            allocate_destination_string != FALSE,
        )
    })
}

/// `RtlUnicodeStringToAnsiString` against any allocator. A caller's buffer that is too
/// small still receives a truncated, terminated string with `STATUS_BUFFER_OVERFLOW`.
///
/// # Safety
/// The routine's contract: valid strings whose buffers do not overlap.
pub(crate) unsafe fn unicode_to_ansi_string(
    heap: &impl StringAllocator,
    destination: *mut STRING,
    source: *const UNICODE_STRING,
    allocate: bool,
) -> NtStatus {
    // SAFETY: caller's strings.
    let (mut dest, src) = unsafe { (load(destination), load(source)) };
    // SAFETY: the source's buffer holds `Length` bytes and is not the destination's.
    let wide = unsafe { unicode_chars(&src) };
    let size = match rs::ansi_size_of_unicode(wide.len()) {
        Ok(size) => size,
        Err(status) => return status,
    };
    if allocate {
        match allocate_units::<u8>(heap, size) {
            Ok(buffer) => dest.Buffer = buffer.as_ptr(),
            Err(status) => return status,
        }
        dest.MaximumLength = size as u16;
    }
    // SAFETY: the buffer holds MaximumLength bytes, freshly allocated or the caller's.
    let storage = unsafe { elems_mut(dest.Buffer, usize::from(dest.MaximumLength)) };
    let mut buf = CountedBuf::new(storage, 0);
    // Only an empty caller buffer fails outright; an allocated one always fits.
    let fit = match buf.unicode_to_ansi_from(wide) {
        Ok(fit) => fit,
        Err(status) => return status,
    };
    dest.Length = buf.byte_len();
    // SAFETY: caller's string.
    unsafe { store(destination, dest) };
    fit.status()
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeStringToAnsiString(
    destination: *mut STRING,
    source: *const UNICODE_STRING,
    allocate_destination_string: BOOLEAN,
) -> NtStatus {
    // SAFETY: same contract.
    unsafe {
        unicode_to_ansi_string(
            &ProcessHeap,
            destination,
            source,
            allocate_destination_string != FALSE,
        )
    }
}

/// Frees a string's buffer and zeroes the structure; a NULL buffer is left alone.
///
/// # Safety
/// A non-NULL `Buffer` must come from `heap` (an earlier allocating call).
unsafe fn free_string<S: Copy + Default>(
    heap: &impl StringAllocator,
    string: *mut S,
    buffer: fn(&S) -> *mut u8,
) {
    // SAFETY: caller's string.
    let s = unsafe { load(string) };
    if let Some(b) = NonNull::new(buffer(&s)) {
        // SAFETY: the buffer came from this allocator (contract) and the structure
        // that referred to it is cleared next.
        unsafe { heap.free(b) };
        // SAFETY: caller's string.
        unsafe { store(string, S::default()) };
    }
}

/// `RtlFreeUnicodeString` against any allocator.
///
/// # Safety
/// See [`free_string`].
pub(crate) unsafe fn free_unicode_string(heap: &impl StringAllocator, string: *mut UNICODE_STRING) {
    // SAFETY: forwarded.
    unsafe { free_string(heap, string, |s| s.Buffer.cast()) }
}

/// `RtlFreeAnsiString` against any allocator.
///
/// # Safety
/// See [`free_string`].
pub(crate) unsafe fn free_ansi_string(heap: &impl StringAllocator, string: *mut STRING) {
    // SAFETY: forwarded.
    unsafe { free_string(heap, string, |s| s.Buffer) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlFreeUnicodeString(unicode_string: *mut UNICODE_STRING) {
    // SAFETY: same contract.
    unsafe { free_unicode_string(&ProcessHeap, unicode_string) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlFreeAnsiString(ansi_string: *mut STRING) {
    // SAFETY: same contract.
    unsafe { free_ansi_string(&ProcessHeap, ansi_string) }
}

#[no_mangle]
pub unsafe extern "system" fn RtlMultiByteToUnicodeN(
    unicode_string: *mut WCHAR,
    max_bytes_in_unicode_string: ULONG,
    bytes_in_unicode_string: *mut ULONG,
    multi_byte_string: *const u8,
    bytes_in_multi_byte_string: ULONG,
) -> NtStatus {
    let n = (max_bytes_in_unicode_string as usize / 2).min(bytes_in_multi_byte_string as usize);
    // SAFETY: the caller's buffers hold at least `n` elements each (their stated
    // sizes) and do not overlap.
    let (dst, src) = unsafe { (elems_mut(unicode_string, n), elems(multi_byte_string, n)) };
    let written = codepage::multibyte_to_unicode(dst, src);
    // SAFETY: optional output.
    unsafe { store_opt(bytes_in_unicode_string, (written * 2) as ULONG) };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeToMultiByteN(
    multi_byte_string: *mut u8,
    max_bytes_in_multi_byte_string: ULONG,
    bytes_in_multi_byte_string: *mut ULONG,
    unicode_string: *const WCHAR,
    bytes_in_unicode_string: ULONG,
) -> NtStatus {
    let n = (max_bytes_in_multi_byte_string as usize).min(bytes_in_unicode_string as usize / 2);
    // SAFETY: the caller's buffers hold at least `n` elements each (their stated
    // sizes) and do not overlap.
    let (dst, src) = unsafe { (elems_mut(multi_byte_string, n), elems(unicode_string, n)) };
    let written = codepage::unicode_to_multibyte(dst, src);
    // SAFETY: optional output.
    unsafe { store_opt(bytes_in_multi_byte_string, written as ULONG) };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlMultiByteToUnicodeSize(
    bytes_in_unicode_string: *mut ULONG,
    _multi_byte_string: *const u8,
    bytes_in_multi_byte_string: ULONG,
) -> NtStatus {
    // A single-byte code page: the size follows from the count alone.
    let size = codepage::multibyte_to_unicode_size(bytes_in_multi_byte_string as usize);
    // SAFETY: required output (ULONG arithmetic wraps as on Windows).
    unsafe { store(bytes_in_unicode_string, size as ULONG) };
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeToMultiByteSize(
    bytes_in_multi_byte_string: *mut ULONG,
    _unicode_string: *const WCHAR,
    bytes_in_unicode_string: ULONG,
) -> NtStatus {
    let size = codepage::unicode_to_multibyte_size(bytes_in_unicode_string as usize / 2);
    // SAFETY: required output.
    unsafe { store(bytes_in_multi_byte_string, size as ULONG) };
    STATUS_SUCCESS
}

/// `RtlAnsiStringToUnicodeSize` in the headers: bytes including the NUL.
#[no_mangle]
pub unsafe extern "system" fn RtlxAnsiStringToUnicodeSize(ansi_string: *const STRING) -> ULONG {
    // SAFETY: caller's string.
    let s = unsafe { load(ansi_string) };
    (codepage::multibyte_to_unicode_size(usize::from(s.Length)) + 2) as ULONG
}

/// `RtlUnicodeStringToAnsiSize` in the headers: bytes including the NUL.
#[no_mangle]
pub unsafe extern "system" fn RtlxUnicodeStringToAnsiSize(
    unicode_string: *const UNICODE_STRING,
) -> ULONG {
    // SAFETY: caller's string.
    let s = unsafe { load(unicode_string) };
    (codepage::unicode_to_multibyte_size(usize::from(s.Length) / 2) + 1) as ULONG
}
