//! Threads in user mode: the first frame of every thread the executive starts by
//! routine (`RtlUserThreadStart`), `RtlCreateUserThread` and `RtlExitUserThread`.
//!
//! Prototypes as published for the native API (phnt `ntrtl.h`, ReactOS `rtlfuncs.h`);
//! since Windows Vista `RtlCreateUserThread` is `NtCreateThreadEx` underneath, and so it
//! is here.
#![allow(non_snake_case)]

use core::ffi::c_void;
use ntdef::status::NtStatus;
use ntsvc::{CLIENT_ID, HANDLE, NT_CURRENT_THREAD};

/// `THREAD_ALL_ACCESS` (Vista and later, winnt.h).
const THREAD_ALL_ACCESS: u32 = 0x001F_FFFF;
/// `THREAD_CREATE_FLAGS_CREATE_SUSPENDED`.
const CREATE_SUSPENDED: u32 = 1;
/// `PS_ATTRIBUTE_CLIENT_ID` (thread attribute 3).
const PS_ATTRIBUTE_CLIENT_ID: usize = 0x0001_0003;

/// `PS_ATTRIBUTE_LIST` with one entry: `TotalLength`, then `PS_ATTRIBUTE { Attribute,
/// Size, ValuePtr, ReturnLength }`.
#[repr(C)]
struct OneAttribute {
    total_length: usize,
    attribute: usize,
    size: usize,
    value: *mut c_void,
    return_length: *mut usize,
}

/// Where threads made by `NtCreateThreadEx` begin: runs `StartAddress(Argument)` and
/// ends the thread with what it returns, as Windows' thread start does.
///
/// # Safety
/// Entered only by the executive as a thread's first frame, with the routine and
/// argument the thread was created with.
#[no_mangle]
pub unsafe extern "system" fn RtlUserThreadStart(StartAddress: usize, Argument: *mut c_void) -> ! {
    if StartAddress == 0 {
        // Calling address 0 would fault: do it explicitly, as an access violation.
        crate::abi::fault("NULL start routine");
    }
    crate::ldr::notify_dlls(crate::ldr::DLL_THREAD_ATTACH);
    // SAFETY: the creator named this address as a `PTHREAD_START_ROUTINE`
    // (`NTSTATUS NTAPI (PVOID)`); it is not NULL.
    let status = unsafe {
        let f: unsafe extern "system" fn(*mut c_void) -> u32 = core::mem::transmute(StartAddress);
        f(Argument)
    };
    // SAFETY: no pointer arguments.
    unsafe { RtlExitUserThread(NtStatus::from_u32(status)) }
}

/// Ends the calling thread with `Status` (the process too, if it was the last one),
/// after telling the loaded DLLs (DLL_THREAD_DETACH).
///
/// # Safety
/// No pointer arguments; the thread's own frames are abandoned.
#[no_mangle]
pub unsafe extern "system" fn RtlExitUserThread(Status: NtStatus) -> ! {
    crate::ldr::notify_dlls(crate::ldr::DLL_THREAD_DETACH);
    loop {
        // SAFETY: a service stub; the executive checks its arguments.
        unsafe { crate::services::NtTerminateThread(NT_CURRENT_THREAD as HANDLE, Status) };
    }
}

/// Creates a thread in `ProcessHandle` running `StartAddress(Parameter)` on a new stack
/// (`StackReserve` / `StackCommit`, 0 = the image's sizes). `ThreadHandle` and
/// `ClientId` are optional; without `ThreadHandle` the handle is closed.
///
/// # Safety
/// `ThreadHandle` and `ClientId`, when not NULL, must be writable; the executive
/// checks what it writes.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateUserThread(
    ProcessHandle: HANDLE,
    _SecurityDescriptor: *mut c_void,
    CreateSuspended: u8,
    StackZeroBits: u32,
    StackReserve: usize,
    StackCommit: usize,
    StartAddress: *mut c_void,
    Parameter: *mut c_void,
    ThreadHandle: *mut HANDLE,
    ClientId: *mut CLIENT_ID,
) -> NtStatus {
    let mut handle: HANDLE = core::ptr::null_mut();
    let mut attributes = OneAttribute {
        total_length: size_of::<OneAttribute>(),
        attribute: PS_ATTRIBUTE_CLIENT_ID,
        size: size_of::<CLIENT_ID>(),
        value: ClientId.cast(),
        return_length: core::ptr::null_mut(),
    };
    let list: *mut c_void = if ClientId.is_null() {
        core::ptr::null_mut()
    } else {
        (&raw mut attributes).cast()
    };
    let flags = if CreateSuspended != 0 {
        CREATE_SUSPENDED
    } else {
        0
    };
    // SAFETY: a service stub; every pointer is checked by the executive.
    let status = unsafe {
        crate::services::NtCreateThreadEx(
            &mut handle,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            ProcessHandle,
            StartAddress as usize,
            Parameter as usize,
            flags,
            StackZeroBits as usize,
            StackCommit,
            StackReserve,
            list.cast_const(),
        )
    };
    if !status.is_success() {
        return status;
    }
    if ThreadHandle.is_null() {
        // SAFETY: a service stub.
        unsafe { crate::services::NtClose(handle) };
    } else {
        // SAFETY: the caller passed a writable HANDLE (as on Windows, a bad pointer
        // faults here, after the thread exists).
        unsafe { ThreadHandle.write(handle) };
    }
    status
}
