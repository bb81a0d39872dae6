//! Environment blocks: `RtlCreateEnvironment`, `RtlDestroyEnvironment`,
//! `RtlSetEnvironmentVariable`, `RtlQueryEnvironmentVariable_U`,
//! `RtlExpandEnvironmentStrings_U` — the ABI edge of `ntrtl::env`.
//!
//! A NULL environment means the current process's (`ProcessParameters->Environment`).
//! Blocks made here come from the process heap, as Windows 10 keeps them (Wine's
//! `dlls/ntdll/tests/env.c` checks `HeapSize` of the current block against
//! `EnvironmentSize`); Windows 7 used virtual memory, which callers cannot tell apart
//! through these routines. Setting a variable builds a new block and frees the old
//! one; the block the executive gives a new process is not a heap block, and
//! `RtlFreeHeap` leaves it alone. One thread per process so far: no PEB lock.
#![allow(non_snake_case)]

use crate::abi;
use crate::alloc::{ProcessHeap, StringAllocator};
use core::ffi::c_void;
use ntdef::status::{
    NtStatus, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_SUCCESS,
};
use ntdef::types::UNICODE_STRING;
use ntrtl::env;

/// `UNICODE_STRING_MAX_CHARS`.
const MAX_CHARS: usize = 32767;

/// The code units of the block at `p` up to and including its terminating empty
/// string.
///
/// # Safety
/// `p` must point to a block readable up to its terminating empty string.
pub(crate) unsafe fn block<'a>(p: *const u16) -> &'a [u16] {
    let mut len = 0;
    loop {
        // SAFETY: every string before the terminator is NUL-terminated (contract).
        let n = unsafe { abi::terminated_len(p.wrapping_add(len), usize::MAX) };
        len += n + 1;
        if n == 0 {
            break;
        }
    }
    // SAFETY: `len` units were just read.
    unsafe { abi::elems(p, len) }
}

/// `Environment`, or the current block when NULL (an empty block if there is none).
///
/// # Safety
/// A non-NULL `environment` must be a terminated block.
pub(crate) unsafe fn environment_or_current<'a>(environment: *const c_void) -> &'a [u16] {
    let p = if environment.is_null() {
        crate::peb::current_environment() as *const u16
    } else {
        environment.cast()
    };
    if p.is_null() {
        return &[0];
    }
    // SAFETY: the contract, or the process's own block.
    unsafe { block(p) }
}

/// A heap copy of `units` with room for `len` units: (pointer, bytes).
fn allocate_block(len: usize) -> Option<(*mut u16, usize)> {
    let bytes = len.checked_mul(2)?;
    let p = ProcessHeap.allocate(bytes)?;
    Some((p.as_ptr().cast(), bytes))
}

/// Makes an environment block: a copy of the current one (`CloneCurrentEnvironment`)
/// or an empty one (a lone terminator).
///
/// # Safety
/// `Environment` must be writable.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateEnvironment(
    CloneCurrentEnvironment: u8,
    Environment: *mut *mut c_void,
) -> NtStatus {
    let source: &[u16] = if CloneCurrentEnvironment != 0 {
        // SAFETY: NULL selects the process's own block.
        unsafe { environment_or_current(core::ptr::null()) }
    } else {
        &[0]
    };
    let Some((p, _)) = allocate_block(source.len().max(1)) else {
        return STATUS_NO_MEMORY;
    };
    // SAFETY: a fresh block of `source.len()` units.
    unsafe {
        abi::elems_mut(p, source.len()).copy_from_slice(source);
        abi::store(Environment, p.cast());
    }
    STATUS_SUCCESS
}

/// Frees a block made by [`RtlCreateEnvironment`] or [`RtlSetEnvironmentVariable`].
///
/// # Safety
/// `Environment` must be such a block (or NULL), not used afterwards.
#[no_mangle]
pub unsafe extern "system" fn RtlDestroyEnvironment(Environment: *mut c_void) -> NtStatus {
    if let Some(p) = core::ptr::NonNull::new(Environment) {
        // SAFETY: the contract; the heap ignores blocks it does not own.
        unsafe { ProcessHeap.free(p.cast()) };
    }
    STATUS_SUCCESS
}

/// Sets variable `Name` to `Value` (NULL deletes it; deleting a missing variable
/// succeeds) in `*Environment`, or in the current environment when `Environment` is
/// NULL. The block is replaced by a new heap block. `STATUS_INVALID_PARAMETER` for an
/// empty name or one with `=` after its first character.
///
/// # Safety
/// `Environment` NULL or pointing to a block pointer; `Name` a valid string; `Value`
/// NULL or a valid string.
#[no_mangle]
pub unsafe extern "system" fn RtlSetEnvironmentVariable(
    Environment: *mut *mut c_void,
    Name: *const UNICODE_STRING,
    Value: *const UNICODE_STRING,
) -> NtStatus {
    // SAFETY: the contract.
    let name = unsafe { abi::unicode_chars(&abi::load(Name)) };
    if let Err(status) = env::check_name(name) {
        return status;
    }
    let value = if Value.is_null() {
        None
    } else {
        // SAFETY: the contract.
        Some(unsafe { abi::unicode_chars(&abi::load(Value)) })
    };
    let old: *mut c_void = if Environment.is_null() {
        crate::peb::current_environment() as *mut c_void
    } else {
        // SAFETY: the contract.
        unsafe { abi::load(Environment) }
    };
    // SAFETY: the contract (or the process's own block).
    let current = unsafe { environment_or_current(old) };
    if value.is_none() && env::find(current, name).is_none() {
        return STATUS_SUCCESS;
    }
    let len = env::set_len(current, name, value);
    let Some((p, bytes)) = allocate_block(len) else {
        return STATUS_NO_MEMORY;
    };
    // SAFETY: a fresh block of `len` units, distinct from `current`.
    let written = env::set(current, name, value, unsafe { abi::elems_mut(p, len) });
    debug_assert_eq!(written, len);
    if Environment.is_null() {
        if !crate::peb::set_current_environment(p as usize, bytes) {
            // SAFETY: just allocated, never handed out.
            unsafe { RtlDestroyEnvironment(p.cast()) };
            return STATUS_INVALID_PARAMETER;
        }
    } else {
        // SAFETY: the contract.
        unsafe { abi::store(Environment, p.cast()) };
    }
    // SAFETY: the old block is no longer referenced (replaced above).
    unsafe { RtlDestroyEnvironment(old) };
    STATUS_SUCCESS
}

/// Copies the value of `Name` into `Value` (`MaximumLength` bytes of room; NUL added
/// when there is room for it) and sets `Value->Length`; `STATUS_BUFFER_TOO_SMALL`
/// (with `Length` the bytes needed) when it does not fit, `STATUS_VARIABLE_NOT_FOUND`
/// when there is no such variable.
///
/// # Safety
/// `Environment` NULL or a terminated block; `Name` valid; `Value` a valid string
/// descriptor whose buffer has `MaximumLength` writable bytes.
#[no_mangle]
pub unsafe extern "system" fn RtlQueryEnvironmentVariable_U(
    Environment: *const c_void,
    Name: *const UNICODE_STRING,
    Value: *mut UNICODE_STRING,
) -> NtStatus {
    // SAFETY: the contract.
    let (name, mut value) = unsafe { (abi::unicode_chars(&abi::load(Name)), abi::load(Value)) };
    // SAFETY: the contract.
    let block = unsafe { environment_or_current(Environment) };
    let Some(found) = env::find(block, name) else {
        return env::STATUS_VARIABLE_NOT_FOUND;
    };
    if found.len() > MAX_CHARS {
        return STATUS_BUFFER_TOO_SMALL;
    }
    value.Length = (found.len() * 2) as u16;
    let status = match env::query_fit(found.len(), usize::from(value.MaximumLength)) {
        Ok(terminate) => {
            let room = found.len() + usize::from(terminate);
            // SAFETY: `room` units fit `MaximumLength` (checked by `query_fit`).
            let out = unsafe { abi::elems_mut(value.Buffer, room) };
            out[..found.len()].copy_from_slice(found);
            if terminate {
                out[found.len()] = 0;
            }
            STATUS_SUCCESS
        }
        Err(status) => status,
    };
    // SAFETY: the contract.
    unsafe { abi::store(Value, value) };
    status
}

/// Expands `%name%` references of `Source` into `Destination` (`MaximumLength` bytes,
/// terminated) and sets its `Length`. `ReturnedLength` (optional) receives the bytes
/// the result needs with its NUL; `STATUS_BUFFER_TOO_SMALL` when that exceeds
/// `MaximumLength` (nothing is written past it).
///
/// # Safety
/// `Environment` NULL or a terminated block; `Source` valid; `Destination` a valid
/// descriptor with `MaximumLength` writable bytes; `ReturnedLength` NULL or writable.
#[no_mangle]
pub unsafe extern "system" fn RtlExpandEnvironmentStrings_U(
    Environment: *const c_void,
    Source: *const UNICODE_STRING,
    Destination: *mut UNICODE_STRING,
    ReturnedLength: *mut u32,
) -> NtStatus {
    // SAFETY: the contract.
    let (src, mut dst) = unsafe {
        (
            abi::unicode_chars(&abi::load(Source)),
            abi::load(Destination),
        )
    };
    // SAFETY: the contract.
    let block = unsafe { environment_or_current(Environment) };
    let room = usize::from(dst.MaximumLength) / 2;
    // SAFETY: `room` units of the destination buffer are writable (contract). The
    // source may not overlap it (Windows makes the same demand).
    let out = unsafe { abi::elems_mut(dst.Buffer, room) };
    let len = env::expand(block, src, out);
    let needed = (len + 1).saturating_mul(2);
    // SAFETY: the contract.
    unsafe { abi::store_opt(ReturnedLength, u32::try_from(needed).unwrap_or(u32::MAX)) };
    if len + 1 > room {
        return STATUS_BUFFER_TOO_SMALL;
    }
    out[len] = 0;
    dst.Length = (len * 2) as u16;
    // SAFETY: the contract.
    unsafe { abi::store(Destination, dst) };
    STATUS_SUCCESS
}
