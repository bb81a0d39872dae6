//! Threads in another process: NtCreateThreadEx with a child's process handle starts a
//! thread there (ntdll.dll sits at the same base in every process, so its
//! `RtlExitUserThread` is a routine the child has: `RtlUserThreadStart` calls it with the
//! argument, and the thread ends with that status); the thread's ClientId names the
//! child; a handle without PROCESS_CREATE_THREAD is refused (CreateRemoteThread docs).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use ntdef::types::STRING;

const W: usize = size_of::<usize>();
const STATUS_ACCESS_DENIED: u32 = 0xC000_0022;

/// The address of ntdll's `RtlExitUserThread` (the same in every process).
fn exit_thread_routine() -> Result<usize, String> {
    let name: Vec<u16> = "ntdll.dll".encode_utf16().collect();
    let us = UNICODE_STRING {
        Length: (name.len() * 2) as u16,
        MaximumLength: (name.len() * 2) as u16,
        Buffer: name.as_ptr() as *mut u16,
    };
    let mut ntdll: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &us, &mut ntdll) };
    expect_status("LdrGetDllHandle(ntdll)", s, STATUS_SUCCESS)?;
    let proc_name = b"RtlExitUserThread";
    let ps = STRING {
        Length: proc_name.len() as u16,
        MaximumLength: proc_name.len() as u16,
        Buffer: proc_name.as_ptr() as *mut u8,
    };
    let mut at: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { LdrGetProcedureAddress(ntdll, &ps, 0, &mut at) };
    expect_status("RtlExitUserThread", s, STATUS_SUCCESS)?;
    Ok(at as usize)
}

fn create_in(process: HANDLE, routine: usize, argument: usize) -> Result<HANDLE, NtStatus> {
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: a local for the handle; the routine exists in the target (see above).
    let s = unsafe {
        NtCreateThreadEx(
            &mut h,
            0x001F_FFFF,
            core::ptr::null(),
            process,
            routine,
            argument,
            0,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    if s.as_u32() == STATUS_SUCCESS {
        Ok(h)
    } else {
        Err(s)
    }
}

fn thread_in_child() -> Result<(), String> {
    let routine = exit_thread_routine()?;
    let info = super::process::create("\\??\\C:\\Nereid\\hello.exe", false)
        .map_err(|s| format!("RtlCreateUserProcess: {}", describe(s.as_u32())))?;
    let child = info.Process;
    let r = (|| {
        let t = create_in(child, routine, 0x77)
            .map_err(|s| format!("NtCreateThreadEx(child): {}", describe(s.as_u32())))?;
        let timeout = -2000 * 10_000i64;
        // SAFETY: the handle just made and a local.
        let s = unsafe { NtWaitForSingleObject(t, 0, &timeout) };
        let mut b = [0u8; 48];
        let len = if W == 8 { 48 } else { 28 };
        // SAFETY: a local buffer of at least `len` bytes.
        let q =
            unsafe { NtQueryInformationThread(t, 0, b.as_mut_ptr(), len, core::ptr::null_mut()) };
        // SAFETY: the handle made above.
        unsafe { NtClose(t) };
        expect_status("the remote thread ends", s, STATUS_SUCCESS)?;
        expect_status("query it", q, STATUS_SUCCESS)?;
        let word = |at: usize| usize::from_le_bytes(b[at..at + W].try_into().unwrap_or([0; W]));
        let exit = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if exit != 0x77 || word(2 * W) != info.ClientId.UniqueProcess {
            return Err(format!(
                "remote thread: exit {exit:#x}, process id {:#x} (child {:#x})",
                word(2 * W),
                info.ClientId.UniqueProcess
            ));
        }
        // Without PROCESS_CREATE_THREAD (only PROCESS_QUERY_LIMITED_INFORMATION).
        let mut weak: HANDLE = core::ptr::null_mut();
        // SAFETY: locals; no options.
        let s = unsafe {
            NtDuplicateObject(
                CURRENT_PROCESS,
                child,
                CURRENT_PROCESS,
                &mut weak,
                0x1000,
                0,
                0,
            )
        };
        expect_status("duplicate a weak handle", s, STATUS_SUCCESS)?;
        let denied = create_in(weak, routine, 0).err();
        // SAFETY: the handle made above.
        unsafe { NtClose(weak) };
        expect_status(
            "no PROCESS_CREATE_THREAD",
            denied.unwrap_or(NtStatus::from_u32(0)),
            STATUS_ACCESS_DENIED,
        )
    })();
    // SAFETY: handles the call returned; the child's own thread never ran.
    unsafe {
        NtTerminateProcess(child, NtStatus::from_u32(1));
        NtClose(info.Thread);
        NtClose(child);
    }
    r
}

pub const TESTS: &[Test] = tests![("remote.thread_in_child", thread_in_child)];
