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
    use core::fmt::Write;

    #[cfg_attr(
        target_arch = "x86",
        link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
    )]
    #[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
    extern "system" {
        fn NtClose(Handle: *mut core::ffi::c_void) -> super::native::NtStatus;
    }

    const WARMUP: usize = 1_000;
    pub const ROUNDS: usize = 10_000;
    /// A handle value no fresh process has been given.
    const BOGUS: usize = 0x7FF0;
    const STATUS_INVALID_HANDLE: u32 = 0xC000_0008;

    #[cfg(target_arch = "x86_64")]
    const ARCH: &str = "x86_64";
    #[cfg(target_arch = "x86")]
    const ARCH: &str = "i386";

    /// `lfence; rdtsc`: the counter once every earlier instruction has completed.
    #[inline(always)]
    fn tsc() -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: lfence and rdtsc only read the counter (the kernel leaves CR4.TSD
        // clear); no memory is touched.
        unsafe {
            core::arch::asm!(
                "lfence",
                "rdtsc",
                out("eax") lo,
                out("edx") hi,
                options(nomem, nostack, preserves_flags)
            )
        };
        (u64::from(hi) << 32) | u64::from(lo)
    }

    fn close() -> u32 {
        // SAFETY: a service call with a plain value.
        unsafe { NtClose(BOGUS as *mut _) }.as_u32()
    }

    /// Nearest-rank percentile of sorted samples (as the executive's `ex::stats`).
    fn rank(sorted: &[u64], pct: usize) -> u64 {
        let r = (pct * sorted.len()).div_ceil(100).max(1);
        sorted[r - 1]
    }

    /// A fixed line buffer for `write!`.
    pub struct Line {
        buf: [u8; 192],
        len: usize,
    }

    impl Write for Line {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.len + s.len();
            let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
            dst.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    impl Line {
        pub fn as_str(&self) -> &str {
            core::str::from_utf8(&self.buf[..self.len]).unwrap_or("BENCH null_service ?")
        }
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
        samples.sort_unstable();
        let mut line = Line {
            buf: [0; 192],
            len: 0,
        };
        // The program cannot learn the TSC frequency (no service reports it): 0.
        write!(
            line,
            "BENCH null_service arch={ARCH} n={} median={} p10={} p90={} min={} max={} unit=cycles tsc_mhz=0",
            samples.len(),
            rank(samples, 50),
            rank(samples, 10),
            rank(samples, 90),
            samples[0],
            samples[samples.len() - 1]
        )
        .ok()?;
        Some(line)
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
            // Not `native::print`: that stops at 126 characters.
            let mut text = [0u16; 200];
            let mut n = 0;
            for (dst, b) in text.iter_mut().zip(line.as_str().bytes().chain([b'\n'])) {
                *dst = u16::from(b);
                n += 1;
            }
            native::display(&text[..n]);
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
