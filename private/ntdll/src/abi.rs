//! The ABI edge: turning the caller's pointers into Rust values and views.
//!
//! Every exported routine receives raw pointers whose validity only its caller can
//! vouch for. The rules Nereid applies, in one place:
//!
//! - A required pointer that is NULL faults (a trap, through the panic handler), as the
//!   access would on Windows. Optional pointers are `Option`s.
//! - Structures are read and written by value ([`load`], [`store`]) rather than borrowed,
//!   because a caller may legitimately pass the same structure twice (for example
//!   `RtlUpcaseUnicodeString(&s, &s, FALSE)`).
//! - Buffers must be aligned for their element type, as the C declarations (`WCHAR *`,
//!   `ULONG *`) already require; a misaligned buffer faults rather than being misread.
//! - Views are made only as long as the data actually accessed, never of a length the
//!   caller merely claims.

use core::slice;
use ntdef::types::{STRING, UNICODE_STRING};
use ntrtl::string::CodeUnit;

/// Faults the calling thread for a pointer Windows would have faulted on.
#[cold]
#[track_caller]
pub(crate) fn fault(what: &str) -> ! {
    panic!("ntdll: invalid {what} pointer")
}

fn check<T>(p: *const T, len: usize) {
    if p.is_null() {
        fault("NULL");
    }
    if !p.is_aligned()
        || len
            .checked_mul(size_of::<T>())
            .is_none_or(|b| b > isize::MAX as usize)
    {
        fault("misaligned or oversized");
    }
}

/// Reads a required argument structure.
///
/// # Safety
/// If `p` is not NULL it must point to a readable, initialised `T`.
pub(crate) unsafe fn load<T: Copy>(p: *const T) -> T {
    check(p, 1);
    // SAFETY: non-NULL and aligned (checked); readability is the caller's contract.
    unsafe { p.read() }
}

/// Writes a required output structure.
///
/// # Safety
/// If `p` is not NULL it must point to writable memory for a `T`.
pub(crate) unsafe fn store<T>(p: *mut T, value: T) {
    check(p, 1);
    // SAFETY: non-NULL and aligned (checked); writability is the caller's contract.
    unsafe { p.write(value) }
}

/// Reads a `LARGE_INTEGER`. The i386 ABI aligns 64-bit stack variables of C callers
/// only to 4 bytes (the stack's guarantee), and x86 reads them either way, so only
/// pointer alignment is required.
///
/// # Safety
/// If `p` is not NULL it must point to 8 readable bytes.
pub(crate) unsafe fn load_quad(p: *const ntdef::types::LARGE_INTEGER) -> i64 {
    check(p.cast::<usize>(), 1);
    // SAFETY: non-NULL and pointer-aligned (checked); readability is the contract.
    unsafe { p.read_unaligned() }.QuadPart
}

/// Writes a `LARGE_INTEGER` (alignment as [`load_quad`]).
///
/// # Safety
/// If `p` is not NULL it must point to 8 writable bytes.
pub(crate) unsafe fn store_quad(p: *mut ntdef::types::LARGE_INTEGER, value: i64) {
    check(p.cast::<usize>().cast_const(), 1);
    // SAFETY: non-NULL and pointer-aligned (checked); writability is the contract.
    unsafe { p.write_unaligned(ntdef::types::LARGE_INTEGER::new(value)) }
}

/// Writes an optional output value.
///
/// # Safety
/// As [`store`] when `p` is not NULL.
pub(crate) unsafe fn store_opt<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: forwarded.
        unsafe { store(p, value) }
    }
}

/// `len` elements at `p`; an empty view needs no pointer.
///
/// # Safety
/// When `len` is not 0, `p` must be NULL or point to `len` readable, initialised
/// elements that nothing writes during `'a`.
pub(crate) unsafe fn elems<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        return &[];
    }
    check(p, len);
    // SAFETY: non-NULL, aligned, size within isize (checked); the rest is the contract.
    unsafe { slice::from_raw_parts(p, len) }
}

/// `len` writable elements at `p`.
///
/// # Safety
/// When `len` is not 0, `p` must be NULL or point to `len` writable, initialised
/// elements that nothing else accesses during `'a`.
pub(crate) unsafe fn elems_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        return &mut [];
    }
    check(p, len);
    // SAFETY: non-NULL, aligned, size within isize (checked); the rest is the contract.
    unsafe { slice::from_raw_parts_mut(p, len) }
}

/// Validates a buffer of `len` elements that is accessed through raw pointers, because
/// it may overlap another argument (which rules out references), and returns it.
pub(crate) fn raw_buffer<T>(p: *const T, len: usize) -> *const T {
    if len != 0 {
        check(p, len);
    }
    p
}

/// Length of a NUL-terminated string, scanning at most `limit` elements (the result is
/// then `limit`).
///
/// # Safety
/// `p` must be NULL or point to elements readable up to the NUL or to `limit`.
pub(crate) unsafe fn terminated_len<T: CodeUnit>(p: *const T, limit: usize) -> usize {
    check(p, 0);
    let mut n = 0;
    // SAFETY: each element read lies before the NUL or the limit (the contract).
    while n < limit && unsafe { p.add(n).read() } != T::NUL {
        n += 1;
    }
    n
}

/// The code units of a NUL-terminated string, read lazily (for parsers that stop early).
#[derive(Clone)]
pub(crate) struct Terminated<T> {
    next: *const T,
}

impl<T> Terminated<T> {
    /// # Safety
    /// `p` must point to elements readable up to and including a NUL.
    pub(crate) unsafe fn new(p: *const T) -> Self {
        check(p, 0);
        Self { next: p }
    }
}

impl<T: CodeUnit + Into<u32>> Iterator for Terminated<T> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        // SAFETY: `next` never moves past the NUL, and the contract of `new` makes every
        // element up to it readable.
        let c = unsafe { self.next.read() };
        if c == T::NUL {
            return None;
        }
        // SAFETY: `c` was not the NUL, so the element after it is still in the string.
        self.next = unsafe { self.next.add(1) };
        Some(c.into())
    }
}

/// The characters of a `UNICODE_STRING` (`Length / 2` of them).
///
/// # Safety
/// `s.Buffer` must hold `s.Length` readable bytes that nothing writes during `'a`.
pub(crate) unsafe fn unicode_chars<'a>(s: &UNICODE_STRING) -> &'a [u16] {
    // SAFETY: forwarded.
    unsafe { elems(s.Buffer, usize::from(s.Length) / 2) }
}

/// The bytes of a `STRING`.
///
/// # Safety
/// `s.Buffer` must hold `s.Length` readable bytes that nothing writes during `'a`.
pub(crate) unsafe fn ansi_bytes<'a>(s: &STRING) -> &'a [u8] {
    // SAFETY: forwarded.
    unsafe { elems(s.Buffer, usize::from(s.Length)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminated_len_stops_at_nul_or_limit() {
        let s = [b'a' as u16, b'b' as u16, 0, b'c' as u16];
        // SAFETY: the array is terminated within its bounds.
        assert_eq!(unsafe { terminated_len(s.as_ptr(), 10) }, 2);
        // SAFETY: the limit keeps the scan inside the array.
        assert_eq!(unsafe { terminated_len(s.as_ptr(), 1) }, 1);
    }

    #[test]
    fn terminated_iterator_yields_up_to_the_nul() {
        let s = b"42\0x";
        // SAFETY: terminated within bounds.
        let v: Vec<u32> = unsafe { Terminated::new(s.as_ptr()) }.collect();
        assert_eq!(v, [b'4' as u32, b'2' as u32]);
    }

    #[test]
    fn empty_views_need_no_pointer() {
        // SAFETY: zero-length views never dereference.
        assert!(unsafe { elems::<u16>(core::ptr::null(), 0) }.is_empty());
    }

    #[test]
    #[should_panic(expected = "NULL")]
    fn null_required_pointer_faults() {
        // SAFETY: the NULL is caught before any access.
        unsafe { load::<u32>(core::ptr::null()) };
    }

    #[test]
    #[should_panic(expected = "misaligned")]
    fn misaligned_buffer_faults() {
        let words = [0u32; 2];
        let p = (words.as_ptr() as *const u8).wrapping_add(1) as *const u16;
        // SAFETY: the misalignment is caught before any access.
        unsafe { elems(p, 1) };
    }
}
