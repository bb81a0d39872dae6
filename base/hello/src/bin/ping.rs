//! ping.exe: one half of the cross-process wait proof (with pong.exe). Starts first,
//! creates (OBJ_OPENIF) two named auto-reset events, and runs 1000 rounds of "set
//! PING, wait for PONG": its first wait blocks until the executive has started
//! pong.exe. Prints `ping: 1000 rounds ok` and `BENCH event_pingpong …` (cycles per
//! round trip, rounds after the first 100) and exits with 0xA001; on a wrong status
//! it prints the step and exits with 0xBAD0_0000 | round.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
#[path = "../pingpong.rs"]
mod pingpong;

/// Rounds not timed: the first one includes starting pong.exe.
#[cfg(target_os = "windows")]
const WARMUP: usize = 100;

#[cfg(target_os = "windows")]
fn run(samples: &mut [u64; pingpong::ROUNDS - WARMUP]) -> Result<(), pingpong::Failure> {
    use pingpong::{is_reset, set, wait, Events};
    let ev = Events::open()?;
    for round in 0..pingpong::ROUNDS {
        let t0 = native::tsc();
        set(ev.ping, round)?;
        wait(ev.pong, round)?;
        let t1 = native::tsc();
        if let Some(s) = round.checked_sub(WARMUP).and_then(|i| samples.get_mut(i)) {
            *s = t1.wrapping_sub(t0);
        }
    }
    is_reset(ev.pong)?;
    ev.close();
    Ok(())
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    // 7 KB of samples: a static the program owns rather than a stack frame that would
    // need stack probes.
    static mut SAMPLES: [u64; pingpong::ROUNDS - WARMUP] = [0; pingpong::ROUNDS - WARMUP];
    // SAFETY: the process has one thread and this is the only reference ever made.
    let samples = unsafe { &mut *core::ptr::addr_of_mut!(SAMPLES) };
    let result = run(samples);
    if result.is_ok() {
        if let Some(line) = native::bench_line("event_pingpong", samples) {
            line.display();
        }
    }
    pingpong::finish("ping", result, 0xA001)
}

#[cfg(not(target_os = "windows"))]
fn main() {}
