//! `RtlCreateProcessParameters[Ex]`, `RtlDestroyProcessParameters`,
//! `RtlNormalizeProcessParams`, `RtlDeNormalizeProcessParams`: the ABI edge of
//! `ntrtl::params`, which documents the block and where its facts come from.
//!
//! Defaults for NULL arguments, as Wine's `dlls/ntdll/tests/env.c` observes Windows:
//! `DllPath` and `CurrentDirectory` come from the current process's parameters,
//! `CommandLine` is `ImagePathName`, `WindowTitle`, `DesktopInfo` and `ShellInfo` are
//! empty strings, `RuntimeData` a null string, and the environment is the current
//! one. A string with neither length nor buffer stays a null string. The block is a
//! process-heap allocation holding the environment after the strings.
#![allow(non_snake_case)]

use crate::abi;
use core::ffi::c_void;
use ntdef::status::{NtStatus, STATUS_NO_MEMORY, STATUS_SUCCESS};
use ntdef::types::UNICODE_STRING;
use ntrtl::params::{self, Layout, Source, STRINGS};

const L: Layout = Layout::NATIVE;

/// The characters of a caller's string: `None` for a null string (no length, no
/// buffer).
///
/// # Safety
/// `s` must be NULL or a valid `UNICODE_STRING`.
unsafe fn caller_string<'a>(s: *const UNICODE_STRING) -> Option<Option<&'a [u16]>> {
    if s.is_null() {
        return None;
    }
    // SAFETY: the contract.
    let s = unsafe { abi::load(s) };
    if s.Buffer.is_null() && s.Length == 0 {
        return Some(None);
    }
    // SAFETY: a valid string holds `Length` readable bytes.
    Some(Some(unsafe { abi::unicode_chars(&s) }))
}

/// The string at `field` of the current process's parameters (`None` without
/// parameters or for a null string).
fn current_string<'a>(field: usize) -> Option<&'a [u16]> {
    let params = crate::peb::process_parameters();
    if params == 0 {
        return None;
    }
    // SAFETY: a non-NULL ProcessParameters points at the process's parameter block.
    let (flags, mut s) = unsafe {
        (
            ((params + Layout::FLAGS) as *const u32).read(),
            ((params + field) as *const UNICODE_STRING).read(),
        )
    };
    if s.Buffer.is_null() {
        return None;
    }
    if flags & params::NORMALIZED == 0 {
        s.Buffer = (params + s.Buffer as usize) as *mut u16;
    }
    // SAFETY: the block holds `Length` bytes of each of its strings.
    Some(unsafe { abi::unicode_chars(&s) })
}

/// Builds a process-parameter block (see the module documentation); `Flags` bit 0
/// (`RTL_USER_PROC_PARAMS_NORMALIZED`) asks for addresses instead of offsets.
/// `STATUS_NO_MEMORY` when the heap runs out, `STATUS_INVALID_PARAMETER` for a string
/// too long to copy with its terminator.
///
/// # Safety
/// `pProcessParameters` writable; `ImagePathName` a valid string; every other string
/// NULL or valid; `Environment` NULL or a block terminated by an empty string.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateProcessParametersEx(
    pProcessParameters: *mut *mut c_void,
    ImagePathName: *const UNICODE_STRING,
    DllPath: *const UNICODE_STRING,
    CurrentDirectory: *const UNICODE_STRING,
    CommandLine: *const UNICODE_STRING,
    Environment: *const c_void,
    WindowTitle: *const UNICODE_STRING,
    DesktopInfo: *const UNICODE_STRING,
    ShellInfo: *const UNICODE_STRING,
    RuntimeData: *const UNICODE_STRING,
    Flags: u32,
) -> NtStatus {
    let empty: &[u16] = &[];
    // SAFETY: the contract, for every string argument.
    let strings = unsafe {
        let image: Source = Some(abi::unicode_chars(&abi::load(ImagePathName)));
        let strings: [Source; STRINGS] = [
            caller_string(CurrentDirectory)
                .unwrap_or_else(|| current_string(L.current_directory())),
            caller_string(DllPath).unwrap_or_else(|| current_string(L.dll_path())),
            image,
            caller_string(CommandLine).unwrap_or(image),
            caller_string(WindowTitle).unwrap_or(Some(empty)),
            caller_string(DesktopInfo).unwrap_or(Some(empty)),
            caller_string(ShellInfo).unwrap_or(Some(empty)),
            caller_string(RuntimeData).unwrap_or(None),
        ];
        strings
    };
    // SAFETY: the contract (NULL: the process's own block).
    let env = unsafe { crate::env::environment_or_current(Environment) };
    let plan = match params::plan(L, &strings, env.len()) {
        Ok(plan) => plan,
        Err(status) => return status,
    };
    let heap = crate::alloc::process_heap();
    if heap.is_null() {
        return STATUS_NO_MEMORY;
    }
    // SAFETY: the process heap.
    let p = unsafe { crate::heap::RtlAllocateHeap(heap, 0, plan.total) }.cast::<u8>();
    if p.is_null() {
        return STATUS_NO_MEMORY;
    }
    // SAFETY: a fresh heap block of `plan.total` bytes (heap blocks are
    // pointer-aligned).
    let out = unsafe { abi::elems_mut(p, plan.total) };
    let normalized = Flags & params::NORMALIZED != 0;
    params::build(L, out, p as usize, plan, &strings, env, normalized);
    // SAFETY: the contract.
    unsafe { abi::store(pProcessParameters, p.cast()) };
    STATUS_SUCCESS
}

/// [`RtlCreateProcessParametersEx`] with no flags: a denormalized block.
///
/// # Safety
/// As [`RtlCreateProcessParametersEx`].
#[no_mangle]
pub unsafe extern "system" fn RtlCreateProcessParameters(
    pProcessParameters: *mut *mut c_void,
    ImagePathName: *const UNICODE_STRING,
    DllPath: *const UNICODE_STRING,
    CurrentDirectory: *const UNICODE_STRING,
    CommandLine: *const UNICODE_STRING,
    Environment: *const c_void,
    WindowTitle: *const UNICODE_STRING,
    DesktopInfo: *const UNICODE_STRING,
    ShellInfo: *const UNICODE_STRING,
    RuntimeData: *const UNICODE_STRING,
) -> NtStatus {
    // SAFETY: the same contract.
    unsafe {
        RtlCreateProcessParametersEx(
            pProcessParameters,
            ImagePathName,
            DllPath,
            CurrentDirectory,
            CommandLine,
            Environment,
            WindowTitle,
            DesktopInfo,
            ShellInfo,
            RuntimeData,
            0,
        )
    }
}

/// Frees a block made by [`RtlCreateProcessParametersEx`]; always `STATUS_SUCCESS`.
///
/// # Safety
/// `ProcessParameters` NULL or such a block, not used afterwards.
#[no_mangle]
pub unsafe extern "system" fn RtlDestroyProcessParameters(
    ProcessParameters: *mut c_void,
) -> NtStatus {
    let heap = crate::alloc::process_heap();
    if !heap.is_null() && !ProcessParameters.is_null() {
        // SAFETY: the contract; the heap ignores blocks it does not own.
        unsafe { crate::heap::RtlFreeHeap(heap, 0, ProcessParameters) };
    }
    STATUS_SUCCESS
}

/// Rebases the string buffers of `params` (see `ntrtl::params::rebase`).
///
/// # Safety
/// `params` NULL or a writable parameter block.
unsafe fn rebase(params: *mut c_void, normalize: bool) -> *mut c_void {
    if !params.is_null() {
        // SAFETY: the contract: the structure is `L.size()` writable bytes.
        let bytes = unsafe { abi::elems_mut(params.cast::<u8>(), L.size()) };
        params::rebase(L, bytes, params as usize, normalize);
    }
    params
}

/// Turns the offsets of a denormalized block into addresses (nothing if it is
/// normalized already) and returns it.
///
/// # Safety
/// `ProcessParameters` NULL or a writable parameter block.
#[no_mangle]
pub unsafe extern "system" fn RtlNormalizeProcessParams(
    ProcessParameters: *mut c_void,
) -> *mut c_void {
    // SAFETY: the contract.
    unsafe { rebase(ProcessParameters, true) }
}

/// Turns the addresses of a normalized block into offsets (nothing if it is
/// denormalized already) and returns it.
///
/// # Safety
/// `ProcessParameters` NULL or a writable parameter block.
#[no_mangle]
pub unsafe extern "system" fn RtlDeNormalizeProcessParams(
    ProcessParameters: *mut c_void,
) -> *mut c_void {
    // SAFETY: the contract.
    unsafe { rebase(ProcessParameters, false) }
}
