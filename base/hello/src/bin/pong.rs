//! pong.exe: the other half of the cross-process wait proof (see ping.exe). Opens
//! (OBJ_OPENIF) the two named events and runs 1000 rounds of "wait for PING, set
//! PONG". Prints `pong: 1000 rounds ok` and exits with 0xA002; on a wrong status it
//! prints the step and exits with 0xBAD0_0000 | round.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
#[path = "../pingpong.rs"]
mod pingpong;

#[cfg(target_os = "windows")]
fn run() -> Result<(), pingpong::Failure> {
    use pingpong::{is_reset, set, wait, Events};
    let ev = Events::open()?;
    for round in 0..pingpong::ROUNDS {
        wait(ev.ping, round)?;
        set(ev.pong, round)?;
    }
    is_reset(ev.ping)?;
    ev.close();
    Ok(())
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    pingpong::finish("pong", run(), 0xA002)
}

#[cfg(not(target_os = "windows"))]
fn main() {}
