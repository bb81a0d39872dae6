//! sleeper.exe: a process for other programs to open by client id, query, suspend,
//! terminate and wait on (ntsuite's `ps.*` cross-process tests). It publishes its ids
//! through a named semaphore `\BaseNamedObjects\NereidSleeper` whose current count is
//! its process id and whose maximum is its thread id (both from its TEB's ClientId),
//! then waits forever on an unnamed event. If its wait ever returns it exits with
//! 0xBAD0_0000 | status; a failed setup exits with 0xBAD1_0000 | step.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod sleeper {
    use crate::native::{self, NtStatus};
    use core::ffi::c_void;
    use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};

    type Handle = *mut c_void;

    #[cfg_attr(
        target_arch = "x86",
        link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
    )]
    #[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
    extern "system" {
        fn NtCreateEvent(
            EventHandle: *mut Handle,
            DesiredAccess: u32,
            ObjectAttributes: *const OBJECT_ATTRIBUTES,
            EventType: u32,
            InitialState: u8,
        ) -> NtStatus;
        fn NtCreateSemaphore(
            SemaphoreHandle: *mut Handle,
            DesiredAccess: u32,
            ObjectAttributes: *const OBJECT_ATTRIBUTES,
            InitialCount: i32,
            MaximumCount: i32,
        ) -> NtStatus;
        fn NtWaitForSingleObject(Handle: Handle, Alertable: u8, Timeout: *const i64) -> NtStatus;
    }

    static NAME: [u16; 31] = native::utf16("\\BaseNamedObjects\\NereidSleeper");

    /// The TEB's `ClientId` (UniqueProcess, UniqueThread).
    fn client_id() -> (usize, usize) {
        let teb: usize;
        // SAFETY: GS (x64) / FS (x86) holds the TEB, whose NtTib.Self is at 0x30 / 0x18.
        unsafe {
            #[cfg(target_arch = "x86_64")]
            core::arch::asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly));
            #[cfg(target_arch = "x86")]
            core::arch::asm!("mov {}, fs:[0x18]", out(reg) teb, options(nostack, readonly));
        }
        let at = if cfg!(target_pointer_width = "64") {
            0x40
        } else {
            0x20
        };
        let w = core::mem::size_of::<usize>();
        // SAFETY: ClientId lies inside the TEB, mapped for the thread's life.
        unsafe {
            (
                core::ptr::read_volatile((teb + at) as *const usize),
                core::ptr::read_volatile((teb + at + w) as *const usize),
            )
        }
    }

    pub fn run() -> u32 {
        let (pid, tid) = client_id();
        let us: UNICODE_STRING = native::unicode(&NAME);
        let oa = OBJECT_ATTRIBUTES {
            Length: core::mem::size_of::<OBJECT_ATTRIBUTES>() as u32,
            RootDirectory: core::ptr::null_mut(),
            ObjectName: &us as *const _ as *mut _,
            Attributes: 0,
            SecurityDescriptor: core::ptr::null_mut(),
            SecurityQualityOfService: core::ptr::null_mut(),
        };
        let mut sem: Handle = core::ptr::null_mut();
        // SAFETY: out pointer and attributes point at locals alive for the call.
        let s = unsafe { NtCreateSemaphore(&mut sem, 0x001F_0003, &oa, pid as i32, tid as i32) };
        if s.as_u32() != 0 {
            return 0xBAD1_0001;
        }
        let mut ev: Handle = core::ptr::null_mut();
        // SAFETY: as above; no attributes (unnamed event).
        let s = unsafe { NtCreateEvent(&mut ev, 0x001F_0003, core::ptr::null(), 0, 0) };
        if s.as_u32() != 0 {
            return 0xBAD1_0002;
        }
        native::print("sleeper: waiting");
        // SAFETY: a handle of this process, no timeout: waits until terminated.
        let s = unsafe { NtWaitForSingleObject(ev, 0, core::ptr::null()) };
        0xBAD0_0000 | (s.as_u32() & 0xFFFF)
    }
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    let status = sleeper::run();
    native::exit(status)
}

#[cfg(not(target_os = "windows"))]
fn main() {}
