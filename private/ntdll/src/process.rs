//! `RtlCreateUserProcess`: a new process from an image, its first thread suspended,
//! as native programs (smss, shells) start others. Since Windows 8 it is a wrapper of
//! `NtCreateUserProcess`, and so it is here. Prototype and `RTL_USER_PROCESS_INFORMATION`
//! as published for the native API (phnt `ntrtl.h`, ReactOS `rtltypes.h`).
#![allow(non_snake_case)]

use core::ffi::c_void;
use ntdef::status::NtStatus;
use ntdef::types::UNICODE_STRING;
use ntsvc::{CLIENT_ID, HANDLE};

const PROCESS_ALL_ACCESS: u32 = 0x001F_FFFF;
const THREAD_ALL_ACCESS: u32 = 0x001F_FFFF;
/// `PROCESS_CREATE_FLAGS_INHERIT_HANDLES`.
const INHERIT_HANDLES: u32 = 0x4;
/// `THREAD_CREATE_FLAGS_CREATE_SUSPENDED`.
const CREATE_SUSPENDED: u32 = 0x1;
/// `PS_ATTRIBUTE_*` numbers (phnt `ntpsapi.h`).
const PS_ATTRIBUTE_IMAGE_NAME: usize = 0x0002_0005;
const PS_ATTRIBUTE_CLIENT_ID: usize = 0x0001_0003;
const PS_ATTRIBUTE_IMAGE_INFO: usize = 0x0000_0006;
const PS_ATTRIBUTE_PARENT_PROCESS: usize = 0x0006_0000;

/// `SECTION_IMAGE_INFORMATION`: 0x40 bytes on x64, 0x30 on x86.
const IMAGE_INFO_SIZE: usize = if size_of::<usize>() == 8 { 0x40 } else { 0x30 };
/// `PS_CREATE_INFO`: 0x58 bytes on x64, 0x48 on x86.
const CREATE_INFO_SIZE: usize = if size_of::<usize>() == 8 { 0x58 } else { 0x48 };

/// `RTL_USER_PROCESS_INFORMATION`.
#[repr(C)]
pub struct RTL_USER_PROCESS_INFORMATION {
    pub Length: u32,
    pub ProcessHandle: HANDLE,
    pub ThreadHandle: HANDLE,
    pub ClientId: CLIENT_ID,
    pub ImageInformation: [u8; IMAGE_INFO_SIZE],
}

/// `PS_ATTRIBUTE { Attribute, Size, ValuePtr, ReturnLength }`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Attribute {
    attribute: usize,
    size: usize,
    value: usize,
    return_length: usize,
}

#[repr(C)]
struct AttributeList {
    total_length: usize,
    entries: [Attribute; 4],
}

/// `PS_CREATE_INFO`, opaque but for `Size`; 8-aligned like the real one.
#[repr(C, align(8))]
struct CreateInfo {
    bytes: [u8; CREATE_INFO_SIZE],
}

/// Creates a process from the image `NtImagePathName` (an NT path) with
/// `ProcessParameters` (normalized or not); its first thread is left suspended.
/// `ProcessInformation` receives the handles, ids and image facts.
///
/// # Safety
/// `NtImagePathName`, `ProcessParameters` and `ProcessInformation` must be valid as on
/// Windows; the executive checks what it reads and writes.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateUserProcess(
    NtImagePathName: *const UNICODE_STRING,
    _Attributes: u32,
    ProcessParameters: *mut c_void,
    _ProcessSecurityDescriptor: *mut c_void,
    _ThreadSecurityDescriptor: *mut c_void,
    ParentProcess: HANDLE,
    InheritHandles: u8,
    _DebugPort: HANDLE,
    _TokenHandle: HANDLE,
    ProcessInformation: *mut RTL_USER_PROCESS_INFORMATION,
) -> NtStatus {
    // SAFETY: the caller passes a UNICODE_STRING (NULL faults, as on Windows).
    let name = unsafe { crate::abi::load(NtImagePathName) };
    let info = ProcessInformation;
    if info.is_null() {
        crate::abi::fault("NULL ProcessInformation");
    }
    let none = Attribute {
        attribute: 0,
        size: 0,
        value: 0,
        return_length: 0,
    };
    let mut list = AttributeList {
        total_length: size_of::<usize>() + 3 * size_of::<Attribute>(),
        entries: [
            Attribute {
                attribute: PS_ATTRIBUTE_IMAGE_NAME,
                size: usize::from(name.Length),
                value: name.Buffer as usize,
                return_length: 0,
            },
            Attribute {
                attribute: PS_ATTRIBUTE_CLIENT_ID,
                size: size_of::<CLIENT_ID>(),
                // SAFETY: `info` is not NULL; only the field's address is taken.
                value: unsafe { &raw mut (*info).ClientId } as usize,
                return_length: 0,
            },
            Attribute {
                attribute: PS_ATTRIBUTE_IMAGE_INFO,
                size: IMAGE_INFO_SIZE,
                // SAFETY: as above.
                value: unsafe { &raw mut (*info).ImageInformation } as usize,
                return_length: 0,
            },
            none,
        ],
    };
    if !ParentProcess.is_null() {
        list.entries[3] = Attribute {
            attribute: PS_ATTRIBUTE_PARENT_PROCESS,
            size: size_of::<HANDLE>(),
            value: ParentProcess as usize,
            return_length: 0,
        };
        list.total_length += size_of::<Attribute>();
    }
    let mut create = CreateInfo {
        bytes: [0; CREATE_INFO_SIZE],
    };
    create.bytes[..size_of::<usize>()].copy_from_slice(&CREATE_INFO_SIZE.to_le_bytes());
    let mut process: HANDLE = core::ptr::null_mut();
    let mut thread: HANDLE = core::ptr::null_mut();
    let flags = if InheritHandles != 0 {
        INHERIT_HANDLES
    } else {
        0
    };
    // SAFETY: a service stub; every pointer is a local or the caller's, checked by the
    // executive.
    let status = unsafe {
        crate::services::NtCreateUserProcess(
            &mut process,
            &mut thread,
            PROCESS_ALL_ACCESS,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            core::ptr::null(),
            flags,
            CREATE_SUSPENDED,
            ProcessParameters.cast_const(),
            (&raw mut create).cast_const().cast(),
            (&raw const list).cast(),
        )
    };
    if status.is_success() {
        // SAFETY: `info` is the caller's RTL_USER_PROCESS_INFORMATION (not NULL).
        unsafe {
            (&raw mut (*info).Length).write(size_of::<RTL_USER_PROCESS_INFORMATION>() as u32);
            (&raw mut (*info).ProcessHandle).write(process);
            (&raw mut (*info).ThreadHandle).write(thread);
        }
    }
    status
}
