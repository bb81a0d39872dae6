//! `RTL_BITMAP` routines over `ntrtl::bitmap`.
#![allow(non_snake_case)]

use crate::abi::{elems, elems_mut, load, store};
use ntdef::types::{BOOLEAN, FALSE, RTL_BITMAP, TRUE, ULONG};
use ntrtl::bitmap::{words_for, BitMap, NOT_FOUND};

/// A read-only view of the caller's bitmap.
///
/// # Safety
/// `header` is the caller's `RTL_BITMAP`, its `Buffer` holding `SizeOfBitMap` bits.
unsafe fn view<'a>(header: *const RTL_BITMAP) -> BitMap<&'a [u32]> {
    // SAFETY: forwarded.
    let h = unsafe { load(header) };
    // SAFETY: forwarded.
    let words = unsafe { elems(h.Buffer, words_for(h.SizeOfBitMap)) };
    BitMap::new(words, h.SizeOfBitMap).expect("the view spans SizeOfBitMap bits")
}

/// A writable view of the caller's bitmap.
///
/// # Safety
/// As [`view`], and nothing else accesses the bits meanwhile.
unsafe fn view_mut<'a>(header: *const RTL_BITMAP) -> BitMap<&'a mut [u32]> {
    // SAFETY: forwarded.
    let h = unsafe { load(header) };
    // SAFETY: forwarded.
    let words = unsafe { elems_mut(h.Buffer, words_for(h.SizeOfBitMap)) };
    BitMap::new(words, h.SizeOfBitMap).expect("the view spans SizeOfBitMap bits")
}

fn boolean(b: bool) -> BOOLEAN {
    if b {
        TRUE
    } else {
        FALSE
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlInitializeBitMap(
    header: *mut RTL_BITMAP,
    buffer: *mut ULONG,
    size_of_bit_map: ULONG,
) {
    // SAFETY: caller's header.
    unsafe {
        store(
            header,
            RTL_BITMAP {
                SizeOfBitMap: size_of_bit_map,
                Buffer: buffer,
            },
        )
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlSetBits(
    header: *mut RTL_BITMAP,
    starting_index: ULONG,
    number_to_set: ULONG,
) {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }.set_range(starting_index, number_to_set)
}

#[no_mangle]
pub unsafe extern "system" fn RtlClearBits(
    header: *mut RTL_BITMAP,
    starting_index: ULONG,
    number_to_clear: ULONG,
) {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }.clear_range(starting_index, number_to_clear)
}

#[no_mangle]
pub unsafe extern "system" fn RtlSetAllBits(header: *mut RTL_BITMAP) {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }.set_all()
}

#[no_mangle]
pub unsafe extern "system" fn RtlClearAllBits(header: *mut RTL_BITMAP) {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }.clear_all()
}

#[no_mangle]
pub unsafe extern "system" fn RtlAreBitsSet(
    header: *mut RTL_BITMAP,
    starting_index: ULONG,
    length: ULONG,
) -> BOOLEAN {
    // SAFETY: caller's bitmap.
    boolean(unsafe { view(header) }.are_set(starting_index, length))
}

#[no_mangle]
pub unsafe extern "system" fn RtlAreBitsClear(
    header: *mut RTL_BITMAP,
    starting_index: ULONG,
    length: ULONG,
) -> BOOLEAN {
    // SAFETY: caller's bitmap.
    boolean(unsafe { view(header) }.are_clear(starting_index, length))
}

#[no_mangle]
pub unsafe extern "system" fn RtlFindClearBits(
    header: *mut RTL_BITMAP,
    number_to_find: ULONG,
    hint_index: ULONG,
) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view(header) }
        .find_clear(number_to_find, hint_index)
        .unwrap_or(NOT_FOUND)
}

#[no_mangle]
pub unsafe extern "system" fn RtlFindSetBits(
    header: *mut RTL_BITMAP,
    number_to_find: ULONG,
    hint_index: ULONG,
) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view(header) }
        .find_set(number_to_find, hint_index)
        .unwrap_or(NOT_FOUND)
}

#[no_mangle]
pub unsafe extern "system" fn RtlFindClearBitsAndSet(
    header: *mut RTL_BITMAP,
    number_to_find: ULONG,
    hint_index: ULONG,
) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }
        .find_clear_and_set(number_to_find, hint_index)
        .unwrap_or(NOT_FOUND)
}

#[no_mangle]
pub unsafe extern "system" fn RtlFindSetBitsAndClear(
    header: *mut RTL_BITMAP,
    number_to_find: ULONG,
    hint_index: ULONG,
) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view_mut(header) }
        .find_set_and_clear(number_to_find, hint_index)
        .unwrap_or(NOT_FOUND)
}

#[no_mangle]
pub unsafe extern "system" fn RtlNumberOfSetBits(header: *mut RTL_BITMAP) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view(header) }.count_set()
}

#[no_mangle]
pub unsafe extern "system" fn RtlNumberOfClearBits(header: *mut RTL_BITMAP) -> ULONG {
    // SAFETY: caller's bitmap.
    unsafe { view(header) }.count_clear()
}
