//! `RtlDosPathNameToNtPathName_U`: the ABI edge of `ntrtl::path`.
//!
//! The current directory is `PEB.ProcessParameters->CurrentDirectory.DosPath`
//! (`RTL_USER_PROCESS_PARAMETERS` and `CURDIR` as in Windows' public symbols,
//! `dt ntdll!_RTL_USER_PROCESS_PARAMETERS`: `ProcessParameters` at PEB 0x20 on x64 and
//! 0x10 on x86, `Flags` at 0x08, `CurrentDirectory` at 0x38 on x64 and 0x24 on x86).
//! The executive fills it for every process it starts; without `ProcessParameters`
//! relative names fail, as on Windows without a current directory. The result is allocated from the
//! process heap and freed with `RtlFreeUnicodeString`.
#![allow(non_snake_case)]

use crate::abi;
use crate::alloc::{ProcessHeap, StringAllocator};
use core::ffi::c_void;
use ntdef::types::{UNICODE_STRING, WCHAR};
use ntrtl::path;

#[cfg(target_pointer_width = "64")]
const PEB_PROCESS_PARAMETERS: usize = 0x20;
#[cfg(target_pointer_width = "32")]
const PEB_PROCESS_PARAMETERS: usize = 0x10;
const PARAMS_FLAGS: usize = 0x08;
#[cfg(target_pointer_width = "64")]
const PARAMS_CURRENT_DIRECTORY: usize = 0x38;
#[cfg(target_pointer_width = "32")]
const PARAMS_CURRENT_DIRECTORY: usize = 0x24;
/// `RTL_USER_PROC_PARAMS_NORMALIZED`: string buffers are addresses, not offsets from
/// the parameter block.
const PARAMS_NORMALIZED: u32 = 0x01;
/// `UNICODE_STRING_MAX_CHARS`.
const MAX_CHARS: usize = 32767;

/// The current directory's DOS path, if the process has parameters with one.
fn current_directory<'a>() -> Option<&'a [u16]> {
    let peb = crate::alloc::current_peb();
    if peb == 0 {
        return None;
    }
    // SAFETY: the PEB is mapped for the life of the process.
    let params = unsafe { ((peb + PEB_PROCESS_PARAMETERS) as *const usize).read() };
    if params == 0 {
        return None;
    }
    // SAFETY: a non-NULL ProcessParameters points at the process's parameter block.
    let (flags, dir) = unsafe {
        (
            ((params + PARAMS_FLAGS) as *const u32).read(),
            ((params + PARAMS_CURRENT_DIRECTORY) as *const UNICODE_STRING).read(),
        )
    };
    if dir.Length == 0 || dir.Buffer.is_null() {
        return None;
    }
    let mut buffer = dir.Buffer as usize;
    if flags & PARAMS_NORMALIZED == 0 {
        buffer += params;
    }
    // SAFETY: the parameter block holds `Length` bytes of the current directory.
    Some(unsafe { abi::elems(buffer as *const u16, usize::from(dir.Length) / 2) })
}

/// Converts `DosFileName` (NUL-terminated) into a new NT name in `NtFileName`. On
/// success `FilePart` (optional) receives the last component inside it, or NULL when
/// the name ends with a separator; `RelativeName` (optional) is cleared: there is no
/// current-directory handle to be relative to. FALSE when the name is empty, relative
/// without a current directory, too long, or memory runs out.
///
/// # Safety
/// `DosFileName` must be NUL-terminated; `NtFileName` writable; `FilePart` NULL or
/// writable; `RelativeName` NULL or an `RTL_RELATIVE_NAME_U`.
#[no_mangle]
pub unsafe extern "system" fn RtlDosPathNameToNtPathName_U(
    DosFileName: *const WCHAR,
    NtFileName: *mut UNICODE_STRING,
    FilePart: *mut *mut WCHAR,
    RelativeName: *mut c_void,
) -> u8 {
    // SAFETY: the contract.
    let len = unsafe { abi::terminated_len(DosFileName, MAX_CHARS + 1) };
    if len > MAX_CHARS {
        return 0;
    }
    // SAFETY: `len` readable characters before the NUL.
    let dos = unsafe { abi::elems(DosFileName, len) };
    let cwd = current_directory();
    let capacity = (path::max_nt_len(dos, cwd) + 1).min(MAX_CHARS);
    let Some(buffer) = ProcessHeap.allocate(capacity * 2) else {
        return 0;
    };
    // SAFETY: a fresh buffer of `capacity` WCHARs.
    let out = unsafe { abi::elems_mut(buffer.as_ptr().cast::<u16>(), capacity) };
    let result = path::dos_to_nt(dos, cwd, &mut out[..capacity - 1]);
    let Ok(nt) = result else {
        // SAFETY: from `allocate` above, not used afterwards.
        unsafe { ProcessHeap.free(buffer) };
        return 0;
    };
    out[nt.len] = 0;
    let base = buffer.as_ptr().cast::<u16>();
    // SAFETY: the contract; lengths fit USHORT as capacity ≤ 32767.
    unsafe {
        abi::store(
            NtFileName,
            UNICODE_STRING {
                Length: (nt.len * 2) as u16,
                MaximumLength: (capacity * 2) as u16,
                Buffer: base,
            },
        );
        if !FilePart.is_null() {
            let part = nt.file_part.map_or(core::ptr::null_mut(), |i| base.add(i));
            FilePart.write(part);
        }
        if !RelativeName.is_null() {
            // RTL_RELATIVE_NAME_U: RelativeName (UNICODE_STRING), ContainingDirectory,
            // CurDirRef.
            let size = size_of::<UNICODE_STRING>() + 2 * size_of::<usize>();
            RelativeName.cast::<u8>().write_bytes(0, size);
        }
    }
    1
}
