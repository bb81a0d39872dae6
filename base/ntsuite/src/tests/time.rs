//! Time: timed waits and delays against the real timer, system time, the performance
//! counter, timer resolution, with good and hostile input.
//!
//! Durations are checked from below only (at least the time asked for, by the
//! performance counter): under TCG nothing bounds them from above.
//!
//! Sources for the expected behaviour (facts, not code):
//! - [DOC] the WDK documentation of `ZwWaitForSingleObject` / `KeWaitForSingleObject`
//!   (`Timeout` in 100 ns units, negative relative, positive absolute system time,
//!   `STATUS_TIMEOUT` when it runs out), `KeDelayExecutionThread` (`STATUS_SUCCESS`
//!   after the interval), `KeQuerySystemTime` (100 ns since 1601-01-01 UTC),
//!   `KeQueryPerformanceCounter` (frequency optional), and the `NtQueryTimerResolution` /
//!   `NtSetTimerResolution` prototypes (three `ULONG` out parameters; desired time,
//!   `BOOLEAN`, actual time), as documented by the ReactOS/Wine headers;
//! - [WINE] Wine's `dlls/ntdll/tests/time.c` checks the timer resolution ordering
//!   (minimum ≤ current ≤ maximum, all non-zero) on real Windows;
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtQueryTimerResolution(max: *mut u32, min: *mut u32, current: *mut u32) -> NtStatus;
    fn NtSetTimerResolution(desired: u32, set: u8, actual: *mut u32) -> NtStatus;
}

/// 100 ns units per millisecond.
const MS: i64 = 10_000;
/// 2020-01-01 00:00:00 UTC as 100 ns since 1601: any clock that claims to be set is
/// later than this.
const YEAR_2020: i64 = 132_223_104_000_000_000;

fn system_time() -> Result<i64, String> {
    let mut t = 0i64;
    // SAFETY: a valid out pointer.
    ok("NtQuerySystemTime", unsafe { NtQuerySystemTime(&mut t) })?;
    Ok(t)
}

fn relative_wait_times_out() -> Result<(), String> {
    let e = create_event(NOTIFICATION, false)?;
    let r = at_least("50 ms wait", 50, || {
        let t = -50 * MS;
        // SAFETY: a handle value and a pointer to a local.
        let s = unsafe { NtWaitForSingleObject(e, 0, &t) };
        expect_status("NtWaitForSingleObject(-50 ms)", s, STATUS_TIMEOUT)
    });
    close(e);
    r
}

fn absolute_wait_times_out() -> Result<(), String> {
    let e = create_event(NOTIFICATION, false)?;
    let r = (|| {
        let deadline = system_time()? + 30 * MS;
        // SAFETY: a handle value and a pointer to a local.
        let s = unsafe { NtWaitForSingleObject(e, 0, &deadline) };
        expect_status("NtWaitForSingleObject(now + 30 ms)", s, STATUS_TIMEOUT)?;
        let after = system_time()?;
        if after < deadline {
            return Err(format!("woke at {after}, before the deadline {deadline}"));
        }
        // An absolute time already past does not wait.
        let past = after - 1;
        // SAFETY: as above.
        let s = unsafe { NtWaitForSingleObject(e, 0, &past) };
        expect_status("past absolute time", s, STATUS_TIMEOUT)
    })();
    close(e);
    r
}

fn wait_multiple_times_out() -> Result<(), String> {
    let hs = [
        create_event(NOTIFICATION, false)?,
        create_event(NOTIFICATION, false)?,
    ];
    let r = (|| {
        for (wt, name) in [(WAIT_ANY, "WaitAny"), (WAIT_ALL, "WaitAll")] {
            at_least(name, 20, || {
                let t = -20 * MS;
                // SAFETY: the array holds two handles; the timeout is a local.
                let s = unsafe { NtWaitForMultipleObjects(2, hs.as_ptr(), wt, 0, &t) };
                expect_status(name, s, STATUS_TIMEOUT)
            })?;
        }
        Ok(())
    })();
    hs.iter().for_each(|&h| close(h));
    r
}

fn signal_and_wait_times_out() -> Result<(), String> {
    let (a, b) = (
        create_event(NOTIFICATION, false)?,
        create_event(NOTIFICATION, false)?,
    );
    let r = (|| {
        at_least("signal and wait", 20, || {
            let t = -20 * MS;
            // SAFETY: handle values and a pointer to a local.
            let s = unsafe { NtSignalAndWaitForSingleObject(a, b, 0, &t) };
            expect_status("NtSignalAndWaitForSingleObject", s, STATUS_TIMEOUT)
        })?;
        let zero = 0i64;
        // SAFETY: as above.
        let s = unsafe { NtWaitForSingleObject(a, 0, &zero) };
        ok("signalled event", s)
    })();
    close(a);
    close(b);
    r
}

fn delay_execution_waits() -> Result<(), String> {
    at_least("20 ms delay", 20, || {
        let t = -20 * MS;
        // SAFETY: a pointer to a local.
        ok("NtDelayExecution(-20 ms)", unsafe {
            NtDelayExecution(0, &t)
        })
    })?;
    at_least("absolute delay", 10, || {
        let t = system_time()? + 10 * MS;
        // SAFETY: as above.
        ok("NtDelayExecution(now + 10 ms)", unsafe {
            NtDelayExecution(0, &t)
        })
    })?;
    let past = 1i64;
    // SAFETY: as above.
    ok("NtDelayExecution(past)", unsafe {
        NtDelayExecution(0, &past)
    })?;
    // SAFETY: a NULL interval: the service must refuse it, not crash.
    let s = unsafe { NtDelayExecution(0, core::ptr::null()) };
    expect_status("NtDelayExecution(NULL)", s, STATUS_ACCESS_VIOLATION)
}

fn system_time_advances() -> Result<(), String> {
    let t0 = system_time()?;
    if t0 < YEAR_2020 {
        return Err(format!("system time {t0} is before 2020"));
    }
    let t = -10 * MS;
    // SAFETY: a pointer to a local.
    ok("NtDelayExecution", unsafe { NtDelayExecution(0, &t) })?;
    let t1 = system_time()?;
    if t1 < t0 + 10 * MS {
        return Err(format!("system time went {t0} -> {t1} over a 10 ms delay"));
    }
    Ok(())
}

fn performance_counter_is_monotonic() -> Result<(), String> {
    let (mut last, freq) = qpc()?;
    if freq <= 0 {
        return Err(format!("frequency {freq}"));
    }
    for i in 0..20 {
        let mut c = 0i64;
        // SAFETY: a valid out pointer; the frequency pointer is optional.
        let s = unsafe { NtQueryPerformanceCounter(&mut c, core::ptr::null_mut()) };
        ok("NtQueryPerformanceCounter(freq NULL)", s)?;
        if c < last {
            return Err(format!("call {i}: counter went back {last} -> {c}"));
        }
        last = c;
    }
    Ok(())
}

fn timer_resolution() -> Result<(), String> {
    let (mut max, mut min, mut cur) = (0u32, 0u32, 0u32);
    // SAFETY: three valid out pointers.
    ok("NtQueryTimerResolution", unsafe {
        NtQueryTimerResolution(&mut max, &mut min, &mut cur)
    })?;
    if min == 0 || min > cur || cur > max {
        return Err(format!("max {max} min {min} current {cur}"));
    }
    let mut actual = 0u32;
    // SAFETY: a valid out pointer.
    ok("NtSetTimerResolution(set)", unsafe {
        NtSetTimerResolution(min, 1, &mut actual)
    })?;
    if actual < min || actual > max {
        return Err(format!("actual {actual} outside {min}..={max}"));
    }
    // SAFETY: as above.
    ok("NtSetTimerResolution(release)", unsafe {
        NtSetTimerResolution(min, 0, &mut actual)
    })
}

fn bad_pointers() -> Result<(), String> {
    let mut v = 0i64;
    let mut u = 0u32;
    for (addr, what) in [(0usize, "NULL"), (KERNEL, "kernel"), (UNMAPPED, "unmapped")] {
        let p = addr as *mut i64;
        // SAFETY: hostile pointers are the point: the executive must refuse them.
        let s = unsafe { NtQuerySystemTime(p) };
        expect_status(
            &format!("NtQuerySystemTime({what})"),
            s,
            STATUS_ACCESS_VIOLATION,
        )?;
        // SAFETY: as above.
        let s = unsafe { NtQueryPerformanceCounter(p, &mut v) };
        expect_status(&format!("counter {what}"), s, STATUS_ACCESS_VIOLATION)?;
        if addr != 0 {
            // SAFETY: as above (NULL is allowed for the frequency).
            let s = unsafe { NtQueryPerformanceCounter(&mut v, p) };
            expect_status(&format!("frequency {what}"), s, STATUS_ACCESS_VIOLATION)?;
        }
        let q = addr as *mut u32;
        // SAFETY: as above.
        let s = unsafe { NtQueryTimerResolution(&mut u, q, &mut u) };
        expect_status(&format!("resolution {what}"), s, STATUS_ACCESS_VIOLATION)?;
        // SAFETY: as above.
        let s = unsafe { NtSetTimerResolution(0, 1, q) };
        expect_status(
            &format!("set resolution {what}"),
            s,
            STATUS_ACCESS_VIOLATION,
        )?;
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("time.relative_wait_times_out", relative_wait_times_out),
    ("time.absolute_wait_times_out", absolute_wait_times_out),
    ("time.wait_multiple_times_out", wait_multiple_times_out),
    ("time.signal_and_wait_times_out", signal_and_wait_times_out),
    ("time.delay_execution_waits", delay_execution_waits),
    ("time.system_time_advances", system_time_advances),
    (
        "time.performance_counter_is_monotonic",
        performance_counter_is_monotonic
    ),
    ("time.timer_resolution", timer_resolution),
    ("time.bad_pointers", bad_pointers),
];
