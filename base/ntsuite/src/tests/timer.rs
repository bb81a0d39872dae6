//! Timer objects: NtCreateTimer, NtOpenTimer, NtSetTimer, NtCancelTimer, NtQueryTimer,
//! waited on with NtWaitForSingleObject, with good and hostile input.
//!
//! Durations are checked from below only (at least the time asked for, by the
//! performance counter): under TCG nothing bounds them from above.
//!
//! Sources for the expected behaviour (facts, not code):
//! - [DOC] the WDK documentation of `KeSetTimerEx` / `KeCancelTimer` / `KeReadStateTimer`
//!   (`DueTime` negative relative, positive absolute, in 100 ns units; `Period` in
//!   milliseconds, 0 for a one-shot timer; a notification timer stays signalled and
//!   releases every waiter, a synchronization timer releases one waiter and resets;
//!   setting a timer cancels it first; `KeCancelTimer` does not change the signal
//!   state), and the `TIMER_TYPE` (NotificationTimer 0, SynchronizationTimer 1),
//!   `TIMER_BASIC_INFORMATION` (`LARGE_INTEGER RemainingTime; BOOLEAN TimerState`:
//!   16 bytes on both architectures) and `TIMER_*` access-right definitions
//!   (winnt.h: `TIMER_QUERY_STATE` 1, `TIMER_MODIFY_STATE` 2, `TIMER_ALL_ACCESS`
//!   0x1F0003);
//! - [REACTOS] ReactOS' documentation of `NtCreateTimer` (a `TimerType` other than the
//!   two is `STATUS_INVALID_PARAMETER_4`, its fourth parameter), `NtSetTimer` (a
//!   negative `Period` is `STATUS_INVALID_PARAMETER_6`; `PreviousState` is the state
//!   before the timer is reset) and `NtQueryTimer` (class 0 only, else
//!   `STATUS_INVALID_INFO_CLASS`; another length `STATUS_INFO_LENGTH_MISMATCH`);
//! - [WINE] Wine's `dlls/ntdll/tests/sync.c` / `om.c` (opening a named object as another
//!   type is `STATUS_OBJECT_TYPE_MISMATCH`);
//! - [NTSTATUS] values from MS-ERREF 2.3.1.
//!
//! Not checked: what `RemainingTime` says for a timer that is not armed (Nereid: 0).
//! Timer APC routines are checked in `apc.rs`.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use core::ffi::c_void;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtOpenTimer(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    fn NtQueryTimer(
        h: HANDLE,
        class: u32,
        info: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;

}

const NOAPC: *const c_void = core::ptr::null();
/// 100 ns units per millisecond.
const MS: i64 = 10_000;

/// `TIMER_BASIC_INFORMATION`.
#[repr(C)]
#[derive(Default)]
struct TimerBasicInformation {
    remaining: i64,
    state: u8,
}
const _: () = assert!(size_of::<TimerBasicInformation>() == 16);

fn timer(kind: u32) -> Result<HANDLE, String> {
    let mut h = NULL;
    // SAFETY: a valid out pointer; NULL attributes are allowed.
    let s = unsafe { NtCreateTimer(&mut h, TIMER_ALL_ACCESS, core::ptr::null(), kind) };
    ok("NtCreateTimer", s)?;
    Ok(h)
}

/// Sets `h` to `due` (100 ns units, NT convention) every `period` ms; returns the
/// previous state.
fn set(h: HANDLE, due: i64, period: i32) -> Result<u8, String> {
    let mut prev = 0xAAu8;
    // SAFETY: pointers to locals.
    let s = unsafe { NtSetTimer(h, &due, NOAPC, NOAPC, 0, period, &mut prev) };
    ok("NtSetTimer", s)?;
    Ok(prev)
}

fn cancel(h: HANDLE) -> Result<u8, String> {
    let mut cur = 0xAAu8;
    // SAFETY: a pointer to a local.
    ok("NtCancelTimer", unsafe { NtCancelTimer(h, &mut cur) })?;
    Ok(cur)
}

fn query(h: HANDLE) -> Result<TimerBasicInformation, String> {
    let mut info = TimerBasicInformation::default();
    let mut len = 0u32;
    // SAFETY: the buffer is a local of the size passed.
    let s = unsafe { NtQueryTimer(h, 0, &mut info as *mut _ as *mut c_void, 16, &mut len) };
    ok("NtQueryTimer", s)?;
    if len != 16 {
        return Err(format!("ReturnLength {len}, want 16"));
    }
    Ok(info)
}

fn poll(h: HANDLE) -> NtStatus {
    // SAFETY: a handle value and a pointer to a constant.
    unsafe { NtWaitForSingleObject(h, 0, &ZERO) }
}

fn wait(h: HANDLE) -> Result<(), String> {
    // SAFETY: a NULL timeout waits until signalled.
    let s = unsafe { NtWaitForSingleObject(h, 0, core::ptr::null()) };
    ok("NtWaitForSingleObject(timer)", s)
}

fn expect_u8(what: &str, got: u8, want: u8) -> Result<(), String> {
    if got != want {
        return Err(format!("{what}: {got}, want {want}"));
    }
    Ok(())
}

fn with_timer(kind: u32, f: impl FnOnce(HANDLE) -> Result<(), String>) -> Result<(), String> {
    let h = timer(kind)?;
    let r = f(h);
    close(h);
    r
}

fn one_shot_notification() -> Result<(), String> {
    with_timer(NOTIFICATION, |h| {
        let q = query(h)?;
        expect_u8("state when created", q.state, 0)?;
        expect_status("poll when created", poll(h), STATUS_TIMEOUT)?;
        at_least("30 ms timer", 30, || {
            expect_u8("PreviousState", set(h, -30 * MS, 0)?, 0)?;
            let q = query(h)?;
            expect_u8("state while armed", q.state, 0)?;
            if q.remaining <= 0 || q.remaining > 30 * MS {
                return Err(format!(
                    "RemainingTime {} while armed for 30 ms",
                    q.remaining
                ));
            }
            wait(h)
        })?;
        expect_u8("state after", query(h)?.state, 1)?;
        // A notification timer stays signalled.
        expect_status("second wait", poll(h), STATUS_SUCCESS)?;
        // Setting it again resets it and reports that it was signalled.
        expect_u8("PreviousState", set(h, -10_000 * MS, 0)?, 1)?;
        expect_status("poll after set", poll(h), STATUS_TIMEOUT)?;
        expect_u8("CurrentState", cancel(h)?, 0)
    })
}

fn synchronization_auto_resets() -> Result<(), String> {
    with_timer(SYNCHRONIZATION, |h| {
        at_least("20 ms timer", 20, || {
            set(h, -20 * MS, 0)?;
            wait(h)
        })?;
        // The wait consumed the signal.
        expect_status("poll after the wait", poll(h), STATUS_TIMEOUT)?;
        expect_u8("state after the wait", query(h)?.state, 0)
    })
}

fn periodic_signals_repeatedly() -> Result<(), String> {
    with_timer(SYNCHRONIZATION, |h| {
        at_least("two periods", 20, || {
            set(h, -10 * MS, 10)?;
            wait(h)?;
            wait(h)?;
            wait(h)
        })?;
        // The state at cancel time depends on timing: just that it is a BOOLEAN.
        let c = cancel(h)?;
        if c > 1 {
            return Err(format!("CurrentState {c}"));
        }
        Ok(())
    })
}

fn due_now_and_cancel() -> Result<(), String> {
    with_timer(NOTIFICATION, |h| {
        // A zero due time (absolute 1601) has passed: signalled at once.
        set(h, 0, 0)?;
        expect_status("poll after due 0", poll(h), STATUS_SUCCESS)?;
        // Cancelling leaves the state alone and reports it.
        expect_u8("CurrentState (signalled)", cancel(h)?, 1)?;
        expect_u8("state after cancel", query(h)?.state, 1)?;
        // Armed far away, then cancelled: not signalled, and never will be.
        expect_u8("PreviousState", set(h, -10_000 * MS, 0)?, 1)?;
        let q = query(h)?;
        if q.remaining <= 0 || q.remaining > 10_000 * MS {
            return Err(format!(
                "RemainingTime {} while armed for 10 s",
                q.remaining
            ));
        }
        expect_u8("CurrentState (armed)", cancel(h)?, 0)?;
        let t = -30 * MS;
        // SAFETY: a handle value and a pointer to a local.
        let s = unsafe { NtWaitForSingleObject(h, 0, &t) };
        expect_status("wait on a cancelled timer", s, STATUS_TIMEOUT)?;
        // The out parameters are optional.
        // SAFETY: NULL optional pointers.
        ok("NtCancelTimer(NULL)", unsafe {
            NtCancelTimer(h, core::ptr::null_mut())
        })?;
        let due = -10 * MS;
        // SAFETY: a pointer to a local; NULL optional pointers.
        ok("NtSetTimer(NULL previous)", unsafe {
            NtSetTimer(h, &due, NOAPC, NOAPC, 0, 0, core::ptr::null_mut())
        })?;
        wait(h)
    })
}

fn query_errors() -> Result<(), String> {
    with_timer(NOTIFICATION, |h| {
        let mut buf = [0u64; 4];
        let p = buf.as_mut_ptr() as *mut c_void;
        let mut len = 0u32;
        // SAFETY: the buffer holds 32 bytes; the lengths passed are at most that.
        let s = unsafe { NtQueryTimer(h, 1, p, 16, &mut len) };
        expect_status("class 1", s, STATUS_INVALID_INFO_CLASS)?;
        for l in [0u32, 8, 15, 17, 32] {
            // SAFETY: as above.
            let s = unsafe { NtQueryTimer(h, 0, p, l, &mut len) };
            expect_status(&format!("length {l}"), s, STATUS_INFO_LENGTH_MISMATCH)?;
        }
        // SAFETY: as above; ReturnLength is optional.
        let s = unsafe { NtQueryTimer(h, 0, p, 16, core::ptr::null_mut()) };
        ok("NULL ReturnLength", s)?;
        for (addr, what) in [(0usize, "NULL"), (KERNEL, "kernel"), (UNMAPPED, "unmapped")] {
            // SAFETY: hostile pointers are the point: the executive must refuse them.
            let s = unsafe { NtQueryTimer(h, 0, addr as *mut c_void, 16, &mut len) };
            expect_status(&format!("buffer {what}"), s, STATUS_ACCESS_VIOLATION)?;
        }
        Ok(())
    })
}

fn wrong_types_and_arguments() -> Result<(), String> {
    let mut e = NULL;
    // SAFETY: a valid out pointer; NULL attributes.
    ok("NtCreateEvent", unsafe {
        NtCreateEvent(&mut e, TIMER_ALL_ACCESS, core::ptr::null(), NOTIFICATION, 0)
    })?;
    let r = with_timer(NOTIFICATION, |h| {
        let due = -10 * MS;
        let mut b = 0u8;
        let mut info = TimerBasicInformation::default();
        let ip = &mut info as *mut _ as *mut c_void;
        // SAFETY: valid pointers to locals throughout; the handles are plain values.
        unsafe {
            let s = NtSetTimer(e, &due, NOAPC, NOAPC, 0, 0, &mut b);
            expect_status("NtSetTimer(event)", s, STATUS_OBJECT_TYPE_MISMATCH)?;
            let s = NtCancelTimer(e, &mut b);
            expect_status("NtCancelTimer(event)", s, STATUS_OBJECT_TYPE_MISMATCH)?;
            let s = NtQueryTimer(e, 0, ip, 16, core::ptr::null_mut());
            expect_status("NtQueryTimer(event)", s, STATUS_OBJECT_TYPE_MISMATCH)?;
            let s = NtSetEvent(h, core::ptr::null_mut());
            expect_status("NtSetEvent(timer)", s, STATUS_OBJECT_TYPE_MISMATCH)?;
            let s = NtSetTimer(NULL, &due, NOAPC, NOAPC, 0, 0, &mut b);
            expect_status("NtSetTimer(NULL)", s, STATUS_INVALID_HANDLE)?;
            let s = NtCancelTimer(0x1234 as HANDLE, &mut b);
            expect_status("NtCancelTimer(bogus)", s, STATUS_INVALID_HANDLE)?;
            let s = NtSetTimer(h, &due, NOAPC, NOAPC, 0, -1, &mut b);
            expect_status("Period -1", s, STATUS_INVALID_PARAMETER_6)?;
            let mut h2 = NULL;
            for kind in [2u32, 0xFFFF_FFFF] {
                let s = NtCreateTimer(&mut h2, TIMER_ALL_ACCESS, core::ptr::null(), kind);
                expect_status(&format!("TimerType {kind}"), s, STATUS_INVALID_PARAMETER_4)?;
            }
        }
        Ok(())
    });
    close(e);
    r
}

fn oa(n: &Name) -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, Some(&n.us), 0)
}

fn named_timer() -> Result<(), String> {
    let n = name("\\BaseNamedObjects\\ntsuite.timer.named");
    let a = oa(&n);
    let mut h1 = NULL;
    // SAFETY: valid pointers to locals.
    ok("create named", unsafe {
        NtCreateTimer(&mut h1, TIMER_ALL_ACCESS, &a, NOTIFICATION)
    })?;
    let r = (|| {
        let mut h2 = NULL;
        // SAFETY: as above.
        ok("open", unsafe {
            NtOpenTimer(&mut h2, TIMER_ALL_ACCESS, &a)
        })?;
        let r = (|| {
            // One object: set through one handle, signalled through the other.
            set(h2, 0, 0)?;
            expect_status("seen through h1", poll(h1), STATUS_SUCCESS)
        })();
        close(h2);
        r?;
        let mut he = NULL;
        // SAFETY: as above.
        let s = unsafe { NtOpenEvent(&mut he, TIMER_ALL_ACCESS, &a) };
        expect_status("open as event", s, STATUS_OBJECT_TYPE_MISMATCH)
    })();
    close(h1);
    r?;
    let mut h = NULL;
    // SAFETY: as above.
    let s = unsafe { NtOpenTimer(&mut h, TIMER_ALL_ACCESS, &a) };
    expect_status("open after close", s, STATUS_OBJECT_NAME_NOT_FOUND)
}

fn bad_pointers() -> Result<(), String> {
    with_timer(NOTIFICATION, |h| {
        let mut b = 0u8;
        for (addr, what) in [(0usize, "NULL"), (KERNEL, "kernel"), (UNMAPPED, "unmapped")] {
            // SAFETY: hostile pointers are the point: the executive must refuse them.
            let s = unsafe { NtSetTimer(h, addr as *const i64, NOAPC, NOAPC, 0, 0, &mut b) };
            expect_status(&format!("DueTime {what}"), s, STATUS_ACCESS_VIOLATION)?;
            if addr != UNMAPPED {
                // SAFETY: as above.
                let s = unsafe {
                    NtCreateTimer(addr as *mut HANDLE, TIMER_ALL_ACCESS, core::ptr::null(), 0)
                };
                expect_status(&format!("TimerHandle {what}"), s, STATUS_ACCESS_VIOLATION)?;
            }
            if addr != 0 {
                // SAFETY: as above.
                let s = unsafe { NtCancelTimer(h, addr as *mut u8) };
                if addr == KERNEL {
                    expect_status("CurrentState kernel", s, STATUS_ACCESS_VIOLATION)?;
                }
            }
        }
        Ok(())
    })
}

pub const TESTS: &[Test] = tests![
    ("timer.one_shot_notification", one_shot_notification),
    (
        "timer.synchronization_auto_resets",
        synchronization_auto_resets
    ),
    (
        "timer.periodic_signals_repeatedly",
        periodic_signals_repeatedly
    ),
    ("timer.due_now_and_cancel", due_now_and_cancel),
    ("timer.query_errors", query_errors),
    ("timer.wrong_types_and_arguments", wrong_types_and_arguments),
    ("timer.named_timer", named_timer),
    ("timer.bad_pointers", bad_pointers),
];
