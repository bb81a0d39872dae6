//! nullbench.exe: times the cheapest system-service round trip there is, NtClose on a
//! handle that names nothing (ntdll stub, seL4 Call, executive dispatch, reply), and
//! prints one `BENCH null_service …` line in the format of the executive's own
//! `BENCH ipc_roundtrip` line. Exits with 0xBE4C (or 0xBAD0_0001 when NtClose did not
//! answer STATUS_INVALID_HANDLE, i.e. the round trip measured was not the one meant).
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
mod bench {
    use super::native::{bench_line, tsc, Line, NtStatus};

    #[cfg_attr(
        target_arch = "x86",
        link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
    )]
    #[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
    extern "system" {
        fn NtClose(Handle: *mut core::ffi::c_void) -> NtStatus;
    }

    const WARMUP: usize = 1_000;
    pub const ROUNDS: usize = 10_000;
    /// A handle value no fresh process has been given.
    const BOGUS: usize = 0x7FF0;
    const STATUS_INVALID_HANDLE: u32 = 0xC000_0008;

    fn close() -> u32 {
        // SAFETY: a service call with a plain value.
        unsafe { NtClose(BOGUS as *mut _) }.as_u32()
    }

    /// Runs the measurement into `samples`; `None` when a call answered wrongly.
    pub fn run(samples: &mut [u64; ROUNDS]) -> Option<Line> {
        for _ in 0..WARMUP {
            if close() != STATUS_INVALID_HANDLE {
                return None;
            }
        }
        for s in samples.iter_mut() {
            let t0 = tsc();
            let status = close();
            let t1 = tsc();
            if status != STATUS_INVALID_HANDLE {
                return None;
            }
            *s = t1.wrapping_sub(t0);
        }
        bench_line("null_service", samples)
    }
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    // 80 KB of samples: too much for the stack, so a static the program owns.
    static mut SAMPLES: [u64; bench::ROUNDS] = [0; bench::ROUNDS];
    // SAFETY: the process has one thread and this is the only reference ever made.
    let samples = unsafe { &mut *core::ptr::addr_of_mut!(SAMPLES) };
    match bench::run(samples) {
        Some(line) => {
            line.display();
            native::exit(0xBE4C)
        }
        None => {
            native::print("nullbench: NtClose(0x7ff0) did not return STATUS_INVALID_HANDLE");
            native::exit(0xBAD0_0001)
        }
    }
}

#[cfg(not(target_os = "windows"))]
fn main() {}
