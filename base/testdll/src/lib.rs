//! nereidtest.dll: what the conformance suite's `dll.*` tests load with LdrLoadDll.
//! It imports from ntdll.dll (so the loader must bind a DLL's imports), counts the
//! `DllMain` notifications it gets, and exports a few functions by name.
#![cfg_attr(target_os = "windows", no_std)]
#![allow(non_snake_case)]

#[cfg(target_os = "windows")]
#[path = "../../hello/src/native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod dll {
    use core::ffi::c_void;
    use core::sync::atomic::{AtomicU32, Ordering};

    const DLL_PROCESS_DETACH: u32 = 0;
    const DLL_PROCESS_ATTACH: u32 = 1;
    const DLL_THREAD_ATTACH: u32 = 2;
    const DLL_THREAD_DETACH: u32 = 3;

    static ATTACHED: AtomicU32 = AtomicU32::new(0);
    static DETACHED: AtomicU32 = AtomicU32::new(0);
    static THREADS_ATTACHED: AtomicU32 = AtomicU32::new(0);
    static THREADS_DETACHED: AtomicU32 = AtomicU32::new(0);
    /// Where DllMain was told the module is (its handle).
    static INSTANCE: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

    #[cfg_attr(
        target_arch = "x86",
        link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
    )]
    #[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
    extern "system" {
        fn NtQuerySystemTime(time: *mut i64) -> ntdef::status::NtStatus;
    }

    /// The entry point: counts attach and detach notifications.
    #[no_mangle]
    pub extern "system" fn DllMain(
        instance: *mut c_void,
        reason: u32,
        _reserved: *mut c_void,
    ) -> u32 {
        match reason {
            DLL_PROCESS_ATTACH => {
                INSTANCE.store(instance as usize, Ordering::SeqCst);
                ATTACHED.fetch_add(1, Ordering::SeqCst);
            }
            DLL_PROCESS_DETACH => {
                DETACHED.fetch_add(1, Ordering::SeqCst);
            }
            DLL_THREAD_ATTACH => {
                THREADS_ATTACHED.fetch_add(1, Ordering::SeqCst);
            }
            DLL_THREAD_DETACH => {
                THREADS_DETACHED.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        }
        1
    }

    /// `a + b`, the simplest call across the module boundary.
    #[no_mangle]
    pub extern "system" fn NereidTestAdd(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }

    /// How many DLL_PROCESS_ATTACH notifications arrived (1 once loaded).
    #[no_mangle]
    pub extern "system" fn NereidTestAttachCount() -> u32 {
        ATTACHED.load(Ordering::SeqCst)
    }

    /// DLL_THREAD_ATTACH and DLL_THREAD_DETACH notifications, as `attach << 16 | detach`.
    #[no_mangle]
    pub extern "system" fn NereidTestThreadNotifications() -> u32 {
        (THREADS_ATTACHED.load(Ordering::SeqCst) << 16) | THREADS_DETACHED.load(Ordering::SeqCst)
    }

    /// The module handle DllMain was given.
    #[no_mangle]
    pub extern "system" fn NereidTestInstance() -> usize {
        INSTANCE.load(Ordering::SeqCst)
    }

    /// The system time through an import bound by the loader (0 if the call failed).
    #[no_mangle]
    pub extern "system" fn NereidTestSystemTime() -> i64 {
        let mut t = 0i64;
        // SAFETY: a local for the output.
        let s = unsafe { NtQuerySystemTime(&mut t) };
        if s.is_success() {
            t
        } else {
            0
        }
    }
}
