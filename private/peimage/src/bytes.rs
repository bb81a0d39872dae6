//! Bounds-checked little-endian reads over borrowed bytes. All return `None` past the end.

/// `usize` is at least 32 bits on every target we build for, so `u32 as usize` is exact.
const _: () = assert!(core::mem::size_of::<usize>() >= 4);

/// `v` as an index (exact, see the assertion above).
#[inline]
pub(crate) fn idx(v: u32) -> usize {
    v as usize
}

#[inline]
pub(crate) fn slice(b: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    b.get(off..off.checked_add(len)?)
}

#[inline]
fn array<const N: usize>(b: &[u8], off: usize) -> Option<[u8; N]> {
    slice(b, off, N)?.try_into().ok()
}

#[inline]
pub(crate) fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    array(b, off).map(u16::from_le_bytes)
}

#[inline]
pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    array(b, off).map(u32::from_le_bytes)
}

#[inline]
pub(crate) fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    array(b, off).map(u64::from_le_bytes)
}

/// A pointer-sized field: 8 bytes when `wide`, else 4 (zero-extended).
#[inline]
pub(crate) fn ptr_at(b: &[u8], off: usize, wide: bool) -> Option<u64> {
    if wide {
        u64_at(b, off)
    } else {
        u32_at(b, off).map(u64::from)
    }
}

/// The NUL-terminated string at `off`, without its NUL; `None` when no NUL follows.
pub(crate) fn cstr(b: &[u8], off: usize) -> Option<&[u8]> {
    let tail = b.get(off..)?;
    let len = tail.iter().position(|&c| c == 0)?;
    tail.get(..len)
}

/// `v` rounded up to `align` (a power of two); `None` on overflow.
#[inline]
pub(crate) fn align_up(v: u32, align: u32) -> Option<u32> {
    let mask = align.checked_sub(1)?;
    Some(v.checked_add(mask)? & !mask)
}
