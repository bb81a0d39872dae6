//! Thread notifications of loaded DLLs: a thread started while nereidtest.dll is loaded
//! makes the loader call its DllMain with DLL_THREAD_ATTACH when it starts and
//! DLL_THREAD_DETACH when it ends (DllMain docs: every thread after the first, for
//! every DLL loaded then), unless it was created with
//! THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use ntdef::types::STRING;

extern "system" fn five(_: *mut c_void) -> u32 {
    5
}

fn attach_and_detach() -> Result<(), String> {
    let name: Vec<u16> = "nereidtest.dll".encode_utf16().collect();
    let us = UNICODE_STRING {
        Length: (name.len() * 2) as u16,
        MaximumLength: (name.len() * 2) as u16,
        Buffer: name.as_ptr() as *mut u16,
    };
    let mut dll: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { LdrLoadDll(core::ptr::null(), core::ptr::null(), &us, &mut dll) };
    expect_status("LdrLoadDll", s, STATUS_SUCCESS)?;
    let r = (|| {
        let export = b"NereidTestThreadNotifications";
        let es = STRING {
            Length: export.len() as u16,
            MaximumLength: export.len() as u16,
            Buffer: export.as_ptr() as *mut u8,
        };
        let mut at: *mut c_void = core::ptr::null_mut();
        // SAFETY: locals for every pointer.
        let s = unsafe { LdrGetProcedureAddress(dll, &es, 0, &mut at) };
        expect_status("NereidTestThreadNotifications", s, STATUS_SUCCESS)?;
        // SAFETY: the DLL exports `u32 NTAPI NereidTestThreadNotifications(void)`.
        let notes: extern "system" fn() -> u32 = unsafe { core::mem::transmute(at) };
        // A plain thread, then one created with THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH
        // (0x2: no notifications for it, phnt `ntpsapi.h` / TEB.SkipThreadAttach).
        for (flags, want) in [(0u32, 0x0001_0001u32), (2, 0)] {
            let before = notes();
            let mut h: HANDLE = core::ptr::null_mut();
            // SAFETY: a local for the handle; the routine is a function of this program.
            let s = unsafe {
                NtCreateThreadEx(
                    &mut h,
                    0x001F_FFFF,
                    core::ptr::null(),
                    CURRENT_PROCESS,
                    five as *const () as usize,
                    0,
                    flags,
                    0,
                    0,
                    0,
                    core::ptr::null(),
                )
            };
            expect_status("NtCreateThreadEx", s, STATUS_SUCCESS)?;
            let timeout = -2000 * 10_000i64;
            // SAFETY: the handle just made and a local.
            let s = unsafe { NtWaitForSingleObject(h, 0, &timeout) };
            // SAFETY: the handle made above.
            unsafe { NtClose(h) };
            expect_status("the thread ends", s, STATUS_SUCCESS)?;
            let after = notes();
            if after != before + want {
                return Err(format!(
                    "flags {flags:#x}: notifications {before:#x} -> {after:#x}, want +{want:#x}"
                ));
            }
        }
        Ok(())
    })();
    // SAFETY: the handle LdrLoadDll returned.
    let u = unsafe { LdrUnloadDll(dll) };
    r?;
    expect_status("LdrUnloadDll", u, STATUS_SUCCESS)
}

pub const TESTS: &[Test] = tests![("dllthread.attach_and_detach", attach_and_detach)];
