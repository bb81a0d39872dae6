//! Time services: system time, performance counter, timer resolution.
//!
//! One clock serves them all: the service loop sets [`KeState::now`] (system time,
//! 100 ns since 1601-01-01 UTC) when a message arrives, from [`system_time`].
//!
//! System time starts at a fixed boot epoch ([`BOOT_EPOCH`], 2024-01-01 00:00:00 UTC)
//! rather than the CMOS clock: nothing sets the time yet and tests only need it to
//! advance. The performance counter is the same clock counted from the timer's start,
//! at 10 MHz (the frequency Windows 10 reports on most machines), so counter ticks and
//! timeouts agree exactly.
//!
//! Timer resolution: the tick is the PIT period (`hal::timer`), which nothing can change;
//! `NtQueryTimerResolution` reports it as coarsest, finest and current, and
//! `NtSetTimerResolution` answers it as the resolution obtained. Deviation: Windows
//! answers a release (`SetResolution` FALSE) from a process that never asked with
//! `STATUS_TIMER_RESOLUTION_NOT_SET`; here it succeeds.
//!
//! [`KeState::now`]: super::kesvc::KeState::now

use super::obsvc::ClientMemory;
use crate::hal::timer::TICK_PERIOD_100NS;
use crate::ke::probe::UserPtr;
use ntdef::status::{NtStatus, STATUS_SUCCESS};

/// 2024-01-01 00:00:00 UTC in 100 ns units since 1601-01-01: 134 774 days to 1970
/// (11 644 473 600 s) plus 1 704 067 200 s of Unix time.
pub const BOOT_EPOCH: u64 = (11_644_473_600 + 1_704_067_200) * 10_000_000;
/// Performance-counter ticks per second.
pub const PERFORMANCE_FREQUENCY: i64 = 10_000_000;

/// The system time now: the boot epoch plus the timer's clock (the epoch itself until
/// the timer runs).
#[cfg(ntos_bare)]
pub fn system_time(timer: Option<&crate::hal::timer::Timer>) -> u64 {
    BOOT_EPOCH.saturating_add(timer.map_or(0, |t| t.clock.now()))
}

fn put<M: ClientMemory, T: Copy>(mem: &M, at: UserPtr<T>, bytes: &[u8]) -> Result<(), NtStatus> {
    mem.write(at.addr(), bytes)
}

fn answer(r: Result<(), NtStatus>) -> NtStatus {
    r.map_or_else(|s| s, |()| STATUS_SUCCESS)
}

/// `NtQuerySystemTime`.
pub fn query_system_time<M: ClientMemory>(mem: &M, now: u64, out: UserPtr<i64>) -> NtStatus {
    answer(put(mem, out, &now.to_le_bytes()))
}

/// `NtQueryPerformanceCounter`: the frequency pointer is optional; the counter is
/// written first.
pub fn query_performance_counter<M: ClientMemory>(
    mem: &M,
    now: u64,
    counter: UserPtr<i64>,
    frequency: Option<UserPtr<i64>>,
) -> NtStatus {
    let ticks = now.saturating_sub(BOOT_EPOCH);
    answer((|| {
        put(mem, counter, &ticks.to_le_bytes())?;
        if let Some(f) = frequency {
            put(mem, f, &PERFORMANCE_FREQUENCY.to_le_bytes())?;
        }
        Ok(())
    })())
}

/// The tick period as a `ULONG` in 100 ns units.
fn period() -> [u8; 4] {
    (TICK_PERIOD_100NS as u32).to_le_bytes()
}

/// `NtQueryTimerResolution(MaximumTime, MinimumTime, CurrentTime)`: all the PIT period.
pub fn query_timer_resolution<M: ClientMemory>(
    mem: &M,
    maximum: UserPtr<u32>,
    minimum: UserPtr<u32>,
    current: UserPtr<u32>,
) -> NtStatus {
    answer((|| {
        put(mem, maximum, &period())?;
        put(mem, minimum, &period())?;
        put(mem, current, &period())
    })())
}

/// `NtSetTimerResolution(DesiredTime, SetResolution, ActualTime)`: the resolution
/// cannot change; the one in force is returned (see the module notes).
pub fn set_timer_resolution<M: ClientMemory>(
    mem: &M,
    _desired: u32,
    _set: u8,
    actual: UserPtr<u32>,
) -> NtStatus {
    answer(put(mem, actual, &period()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_2024() {
        // 2024-01-01T00:00:00Z as a FILETIME (100 ns since 1601).
        assert_eq!(BOOT_EPOCH, 133_485_408_000_000_000);
    }
}
