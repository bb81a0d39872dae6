//! svcbench.exe: times services that do real work, in the format of the executive's
//! `BENCH ipc_roundtrip` line (xtask divides by that figure):
//! - `handle_open_close`: NtOpenEvent of a named event in `\BaseNamedObjects` (name
//!   capture, namespace lookup, access check, handle insertion) + NtClose;
//! - `vm_1mib`: NtAllocateVirtualMemory of 1 MiB (reserve + commit), a write to every
//!   page (256 demand-zero faults) and NtFreeVirtualMemory (release);
//! - `first_touch_page`: one of those writes alone, the first touch of a committed
//!   page (fault IPC to the executive, frame mapped in the process and in the
//!   executive's shadow window, reply).
//!
//! Every status is checked; a wrong one ends the program with 0xBAD0_00nn instead of a
//! figure. Exits with 0xBE4D.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod bench {
    use super::native::{self, bench_line, tsc, NtStatus};
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
        fn NtOpenEvent(
            EventHandle: *mut Handle,
            DesiredAccess: u32,
            ObjectAttributes: *const OBJECT_ATTRIBUTES,
        ) -> NtStatus;
        fn NtClose(Handle: Handle) -> NtStatus;
        fn NtAllocateVirtualMemory(
            ProcessHandle: Handle,
            BaseAddress: *mut usize,
            ZeroBits: usize,
            RegionSize: *mut usize,
            AllocationType: u32,
            Protect: u32,
        ) -> NtStatus;
        fn NtFreeVirtualMemory(
            ProcessHandle: Handle,
            BaseAddress: *mut usize,
            RegionSize: *mut usize,
            FreeType: u32,
        ) -> NtStatus;
    }

    pub const OPEN_ROUNDS: usize = 2_000;
    pub const VM_ROUNDS: usize = 40;
    const PAGES: usize = 256;
    pub const TOUCHES: usize = VM_ROUNDS * PAGES;
    const EVENT_ALL_ACCESS: u32 = 0x001F_0003;
    const MEM_COMMIT: u32 = 0x1000;
    const MEM_RESERVE: u32 = 0x2000;
    const MEM_RELEASE: u32 = 0x8000;
    const PAGE_READWRITE: u32 = 0x04;
    const CURRENT_PROCESS: Handle = usize::MAX as Handle;

    static NAME: [u16; 32] = native::utf16("\\BaseNamedObjects\\NereidSvcBench");

    /// Where the samples go: statics, too big for the stack.
    pub struct Samples {
        pub open: [u64; OPEN_ROUNDS],
        pub vm: [u64; VM_ROUNDS],
        pub touch: [u64; TOUCHES],
    }

    fn check(s: NtStatus, step: u32) -> Result<(), u32> {
        if s.as_u32() == 0 {
            Ok(())
        } else {
            Err(step)
        }
    }

    fn open_close(oa: &OBJECT_ATTRIBUTES) -> Result<(), u32> {
        let mut h: Handle = core::ptr::null_mut();
        // SAFETY: out pointer and attributes are alive for the call.
        check(unsafe { NtOpenEvent(&mut h, EVENT_ALL_ACCESS, oa) }, 2)?;
        // SAFETY: a handle this program owns.
        check(unsafe { NtClose(h) }, 3)
    }

    /// One 1 MiB allocate / touch / free round; each first touch timed into `touch`.
    fn vm_round(touch: &mut [u64]) -> Result<(), u32> {
        let mut base = 0usize;
        let mut size = PAGES * 4096;
        // SAFETY: out pointers to locals.
        let s = unsafe {
            NtAllocateVirtualMemory(
                CURRENT_PROCESS,
                &mut base,
                0,
                &mut size,
                MEM_RESERVE | MEM_COMMIT,
                PAGE_READWRITE,
            )
        };
        check(s, 4)?;
        for (i, t) in touch.iter_mut().enumerate() {
            let p = (base + i * 4096) as *mut u8;
            let t0 = tsc();
            // SAFETY: inside the committed read-write region just allocated.
            unsafe { core::ptr::write_volatile(p, 1) };
            *t = tsc().wrapping_sub(t0);
        }
        let mut size = 0usize;
        // SAFETY: out pointers to locals; the region is this program's.
        check(
            unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut base, &mut size, MEM_RELEASE) },
            5,
        )
    }

    pub fn run(s: &mut Samples) -> Result<(), u32> {
        let us: UNICODE_STRING = native::unicode(&NAME);
        let oa = OBJECT_ATTRIBUTES {
            Length: size_of::<OBJECT_ATTRIBUTES>() as u32,
            RootDirectory: core::ptr::null_mut(),
            ObjectName: &us as *const _ as *mut _,
            Attributes: 0,
            SecurityDescriptor: core::ptr::null_mut(),
            SecurityQualityOfService: core::ptr::null_mut(),
        };
        let mut keep: Handle = core::ptr::null_mut();
        // SAFETY: out pointer and attributes are alive for the call.
        check(
            unsafe { NtCreateEvent(&mut keep, EVENT_ALL_ACCESS, &oa, 0, 0) },
            1,
        )?;
        for _ in 0..100 {
            open_close(&oa)?;
        }
        for t in s.open.iter_mut() {
            let t0 = tsc();
            open_close(&oa)?;
            *t = tsc().wrapping_sub(t0);
        }
        let mut warm = [0u64; PAGES];
        vm_round(&mut warm)?;
        for (i, t) in s.vm.iter_mut().enumerate() {
            let touch = &mut s.touch[i * PAGES..(i + 1) * PAGES];
            let t0 = tsc();
            vm_round(touch)?;
            *t = tsc().wrapping_sub(t0);
        }
        // SAFETY: the handle created above.
        check(unsafe { NtClose(keep) }, 6)?;
        for (name, samples) in [
            ("handle_open_close", &mut s.open[..]),
            ("vm_1mib", &mut s.vm[..]),
            ("first_touch_page", &mut s.touch[..]),
        ] {
            match bench_line(name, samples) {
                Some(line) => {
                    line.display();
                }
                None => return Err(7),
            }
        }
        Ok(())
    }
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    static mut SAMPLES: bench::Samples = bench::Samples {
        open: [0; bench::OPEN_ROUNDS],
        vm: [0; bench::VM_ROUNDS],
        touch: [0; bench::TOUCHES],
    };
    // SAFETY: the process has one thread and this is the only reference ever made.
    let samples = unsafe { &mut *core::ptr::addr_of_mut!(SAMPLES) };
    match bench::run(samples) {
        Ok(()) => native::exit(0xBE4D),
        Err(step) => {
            native::print("svcbench: a service failed");
            native::exit(0xBAD0_0000 | step)
        }
    }
}

#[cfg(not(target_os = "windows"))]
fn main() {}
