//! User APCs and alerts: NtQueueApcThread, NtTestAlert, NtAlertThread,
//! NtAlertResumeThread, alertable waits and delays, timer APC routines.
//!
//! Expectations, from public sources (facts only):
//! - [QueueUserAPC] Win32 docs: a user-mode APC runs only when its thread is in an
//!   alertable state; the thread then handles all pending APCs in FIFO order and the
//!   wait returns WAIT_IO_COMPLETION (= STATUS_USER_APC, 0xC0); the target handle needs
//!   THREAD_SET_CONTEXT.
//! - [SleepEx] Win32 docs: a non-alertable sleep does not return for an APC and the
//!   APC is not executed; an alertable one returns WAIT_IO_COMPLETION.
//! - [NtDelayExecution] ntdoc (m417z/ntdoc, ntdelayexecution.md): STATUS_SUCCESS after
//!   the interval, STATUS_USER_APC when interrupted by an APC, STATUS_ALERTED when
//!   interrupted by NtAlertThread.
//! - [ReactOS] ntoskrnl/ps/state.c: NtTestAlert returns STATUS_ALERTED if the thread was
//!   alerted, else STATUS_SUCCESS (KeTestAlertThread, ke/thrdobj.c, clears the flag);
//!   NtQueueApcThread references the handle for THREAD_SET_CONTEXT as a thread;
//!   KeInitializeApc (ke/apc.c) turns an APC without a normal routine into a
//!   kernel-mode one, so a NULL routine runs nothing in user mode; NtAlertResumeThread
//!   needs THREAD_SUSPEND_RESUME and returns the previous suspend count.
//!   NtQueueApcThread answers STATUS_UNSUCCESSFUL when KeInsertQueueApc refuses the
//!   APC, which it does for a thread that has ended (APC queueing is disabled as the
//!   thread exits).
//!   ke/wait.c: KeDelayExecutionThread / KeWaitFor*Objects check alertability (alert
//!   first, then user APCs) before waiting.
//! - [Timers] Win32 "Using Waitable Timers with an Asynchronous Procedure Call" and
//!   PTIMERAPCROUTINE docs: the completion routine runs in the thread that set the
//!   timer, only in an alertable wait, with the context and the low/high parts of the
//!   UTC time the timer was signalled at; CancelWaitableTimer docs: cancelling a timer
//!   means its completion routine does not run.
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

const STATUS_USER_APC: u32 = 0x0000_00C0;
const STATUS_ALERTED: u32 = 0x0000_0101;

const THREAD_SET_CONTEXT: u32 = 0x0010;
const THREAD_ALERT: u32 = 0x0004;

type ApcRoutine = extern "system" fn(usize, usize, usize);

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtQueueApcThread(h: HANDLE, routine: usize, a1: usize, a2: usize, a3: usize) -> NtStatus;
    fn NtTestAlert() -> NtStatus;
    fn NtAlertThread(h: HANDLE) -> NtStatus;
    fn NtAlertResumeThread(h: HANDLE, previous: *mut u32) -> NtStatus;

}

// ----- helpers ---------------------------------------------------------------------

/// The calling thread's ClientId.UniqueThread, from its TEB.
fn current_tid() -> usize {
    current_cid().UniqueThread
}

/// What the APC routines saw: (routine tag, argument 1..3, thread id) per call.
static LOG: [AtomicUsize; 5 * 16] = [const { AtomicUsize::new(0) }; 5 * 16];
static LOG_LEN: AtomicUsize = AtomicUsize::new(0);

fn log_reset() {
    LOG_LEN.store(0, Ordering::SeqCst);
}

fn log_push(tag: usize, a1: usize, a2: usize, a3: usize) {
    let n = LOG_LEN.fetch_add(1, Ordering::SeqCst);
    if n < 16 {
        for (i, v) in [tag, a1, a2, a3, current_tid()].into_iter().enumerate() {
            LOG[5 * n + i].store(v, Ordering::SeqCst);
        }
    }
}

/// The calls so far: (tag, a1, a2, a3, tid).
fn log() -> Vec<[usize; 5]> {
    let n = LOG_LEN.load(Ordering::SeqCst).min(16);
    (0..n)
        .map(|i| core::array::from_fn(|j| LOG[5 * i + j].load(Ordering::SeqCst)))
        .collect()
}

extern "system" fn apc_a(a1: usize, a2: usize, a3: usize) {
    log_push(1, a1, a2, a3);
}

extern "system" fn apc_b(a1: usize, a2: usize, a3: usize) {
    log_push(2, a1, a2, a3);
}

fn routine(f: ApcRoutine) -> usize {
    f as usize
}

fn queue(h: HANDLE, f: ApcRoutine, a: [usize; 3]) -> NtStatus {
    // SAFETY: a handle and plain words; the routine is a function of this program.
    unsafe { NtQueueApcThread(h, routine(f), a[0], a[1], a[2]) }
}

fn test_alert() -> NtStatus {
    // SAFETY: no arguments.
    unsafe { NtTestAlert() }
}

/// (ExitStatus, UniqueThread) of a thread handle.
fn thread_info(h: HANDLE) -> Result<(u32, usize), String> {
    thread_basic(h).map(|(status, _, cid)| (status, cid.UniqueThread))
}

/// Waits for the thread (at most `ms`), closes it and returns its exit status.
fn join(h: HANDLE, ms: i64) -> Result<u32, String> {
    let r = (|| {
        ok("wait for the thread", wait_ms(h, false, ms))?;
        Ok(thread_info(h)?.0)
    })();
    close(h);
    r
}

fn expect_log(what: &str, want: &[[usize; 4]]) -> Result<(), String> {
    let got: Vec<[usize; 4]> = log().iter().map(|e| [e[0], e[1], e[2], e[3]]).collect();
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: APC calls {got:x?}, want {want:x?}"))
    }
}

// ----- tests -----------------------------------------------------------------------

/// [QueueUserAPC], [ReactOS] NtTestAlert: queueing runs nothing; NtTestAlert runs the
/// APC (in this thread) and returns STATUS_SUCCESS; nothing is left afterwards.
fn queue_self_then_test_alert() -> Result<(), String> {
    log_reset();
    ok("queue to self", queue(CURRENT_THREAD, apc_a, [11, 22, 33]))?;
    expect_log("after queueing", &[])?;
    ok("NtTestAlert", test_alert())?;
    expect_log("after NtTestAlert", &[[1, 11, 22, 33]])?;
    if log()[0][4] != current_tid() {
        return Err(String::from("the APC ran in another thread"));
    }
    ok("NtTestAlert again", test_alert())?;
    expect_log("after the second NtTestAlert", &[[1, 11, 22, 33]])
}

/// [SleepEx], [NtDelayExecution]: an alertable delay with an APC already queued runs it
/// and returns STATUS_USER_APC at once (the 2 s interval would be success).
fn alertable_delay_returns_user_apc() -> Result<(), String> {
    log_reset();
    ok("queue", queue(CURRENT_THREAD, apc_b, [1, 2, 3]))?;
    expect_status("alertable delay", delay_ms(true, 2000), STATUS_USER_APC)?;
    expect_log("after the delay", &[[2, 1, 2, 3]])?;
    // Nothing queued any more: the next alertable delay runs its course.
    ok("second alertable delay", delay_ms(true, 20))?;
    expect_log("after the second delay", &[[2, 1, 2, 3]])
}

/// [SleepEx], [QueueUserAPC]: non-alertable delays and waits neither return early nor
/// run a queued APC; it stays queued for the next alertable state.
fn non_alertable_waits_do_not_run_apcs() -> Result<(), String> {
    log_reset();
    let e = create_event(NOTIFICATION, false)?;
    let r = (|| {
        ok("queue", queue(CURRENT_THREAD, apc_a, [5, 6, 7]))?;
        ok("non-alertable delay", delay_ms(false, 30))?;
        expect_status("non-alertable wait", wait_ms(e, false, 30), STATUS_TIMEOUT)?;
        let t = 0i64;
        expect_status(
            "non-alertable zero delay",
            // SAFETY: a local interval.
            unsafe { NtDelayExecution(0, &t) },
            STATUS_SUCCESS,
        )?;
        expect_log("after non-alertable waits", &[])?;
        expect_status("alertable poll", wait_ms(e, true, 0), STATUS_USER_APC)?;
        expect_log("after an alertable poll", &[[1, 5, 6, 7]])
    })();
    close(e);
    r
}

/// [QueueUserAPC]: all pending APCs run, FIFO, each with its own three arguments — more
/// of them than one hand-over holds (Nereid hands over 8 at a time) — before the
/// alertable NtWaitForMultipleObjects returns STATUS_USER_APC.
fn many_apcs_run_in_fifo_order() -> Result<(), String> {
    log_reset();
    let e = create_event(NOTIFICATION, false)?;
    let r = (|| {
        let mut want = Vec::new();
        for i in 0..12usize {
            let (f, tag): (ApcRoutine, usize) = if i % 3 == 0 { (apc_b, 2) } else { (apc_a, 1) };
            let a = [i, 100 + i, usize::MAX - i];
            ok("queue", queue(CURRENT_THREAD, f, a))?;
            want.push([tag, a[0], a[1], a[2]]);
        }
        let handles = [e];
        let t = -1000 * 10_000i64;
        // SAFETY: a local handle array and timeout.
        let s = unsafe { NtWaitForMultipleObjects(1, handles.as_ptr(), 1, 1, &t) };
        expect_status("alertable wait for multiple objects", s, STATUS_USER_APC)?;
        expect_log("the APCs", &want)
    })();
    close(e);
    r
}

/// [ReactOS] KeWaitFor*Objects checks the objects before alertability: an alertable
/// wait on a signalled object is satisfied (STATUS_WAIT_0) and the APC stays queued.
/// Also NtSignalAndWaitForSingleObject, alertable, ends with STATUS_USER_APC after
/// its signal took effect.
fn signalled_object_before_apc() -> Result<(), String> {
    log_reset();
    let set = create_event(NOTIFICATION, false)?;
    let unset = create_event(NOTIFICATION, false)?;
    let r = (|| {
        // SAFETY: a handle this test made.
        ok("NtSetEvent", unsafe {
            NtSetEvent(set, core::ptr::null_mut())
        })?;
        ok("queue", queue(CURRENT_THREAD, apc_a, [9, 8, 7]))?;
        expect_status(
            "alertable wait, signalled",
            wait_ms(set, true, 0),
            STATUS_SUCCESS,
        )?;
        expect_log("after the satisfied wait", &[])?;
        let t = -1000 * 10_000i64;
        // SAFETY: handles this test made and a local timeout.
        let s = unsafe { NtSignalAndWaitForSingleObject(unset, unset, 1, &t) };
        // The signal set `unset`, so the wait is satisfied by it first.
        expect_status("signal and wait on the same event", s, STATUS_SUCCESS)?;
        expect_log("after it", &[])?;
        // SAFETY: as above.
        unsafe { NtResetEvent(unset, core::ptr::null_mut()) };
        // SAFETY: as above.
        let s = unsafe { NtSignalAndWaitForSingleObject(set, unset, 1, &t) };
        expect_status("signal one, wait on another", s, STATUS_USER_APC)?;
        expect_log("after the APC", &[[1, 9, 8, 7]])
    })();
    close(set);
    close(unset);
    r
}

/// [ReactOS] NtAlertThread / NtTestAlert: an alert with no alertable wait sets the
/// flag; NtTestAlert reports and clears it (STATUS_ALERTED, then STATUS_SUCCESS);
/// a non-alertable wait ignores it and an alertable one ends with STATUS_ALERTED,
/// consuming it. The alert is reported before queued APCs, which stay queued.
fn alert_flag_and_test_alert() -> Result<(), String> {
    log_reset();
    // SAFETY: the pseudo-handle of this thread.
    ok("alert self", unsafe { NtAlertThread(CURRENT_THREAD) })?;
    expect_status("NtTestAlert", test_alert(), STATUS_ALERTED)?;
    ok("NtTestAlert again", test_alert())?;
    // SAFETY: as above.
    ok("alert self", unsafe { NtAlertThread(CURRENT_THREAD) })?;
    ok("non-alertable delay", delay_ms(false, 10))?;
    ok("queue", queue(CURRENT_THREAD, apc_a, [3, 2, 1]))?;
    expect_status("alertable delay", delay_ms(true, 2000), STATUS_ALERTED)?;
    expect_log("after the alert", &[])?;
    expect_status("alertable delay", delay_ms(true, 2000), STATUS_USER_APC)?;
    expect_log("after the APC", &[[1, 3, 2, 1]])
}

extern "system" fn alertable_sleeper(_: *mut c_void) -> u32 {
    delay_ms(true, 5000).as_u32()
}

/// [NtDelayExecution]: NtAlertThread from another thread ends an alertable delay with
/// STATUS_ALERTED (well before its 5 s).
fn alert_wakes_another_thread() -> Result<(), String> {
    let h = spawn(alertable_sleeper, 0, 0)?;
    ok("let it sleep", delay_ms(false, 50))?;
    // SAFETY: a handle this test made.
    let s = unsafe { NtAlertThread(h) };
    let status = join(h, 2000)?;
    ok("NtAlertThread", s)?;
    if status != STATUS_ALERTED {
        return Err(format!("the sleeper's delay returned {status:#x}"));
    }
    Ok(())
}

static BLOCKER: AtomicUsize = AtomicUsize::new(0);

extern "system" fn alertable_waiter(_: *mut c_void) -> u32 {
    wait_ms(BLOCKER.load(Ordering::SeqCst) as HANDLE, true, 5000).as_u32()
}

/// [QueueUserAPC]: an APC queued from another thread to a thread blocked in an
/// alertable NtWaitForSingleObject wakes it; the APC runs in that thread, with its
/// arguments, and the wait returns STATUS_USER_APC.
fn apc_from_another_thread_wakes_waiter() -> Result<(), String> {
    log_reset();
    let e = create_event(NOTIFICATION, false)?;
    BLOCKER.store(e as usize, Ordering::SeqCst);
    let r = (|| {
        let h = spawn(alertable_waiter, 0, 0)?;
        let (_, tid) = thread_info(h)?;
        ok("let it wait", delay_ms(false, 50))?;
        let s = queue(h, apc_b, [0xA1, 0xA2, 0xA3]);
        let status = join(h, 2000)?;
        ok("NtQueueApcThread", s)?;
        if status != STATUS_USER_APC {
            return Err(format!("the waiter's wait returned {status:#x}"));
        }
        expect_log("the APC", &[[2, 0xA1, 0xA2, 0xA3]])?;
        if log()[0][4] != tid {
            return Err(format!(
                "the APC ran in thread {:#x}, not the waiter {tid:#x}",
                log()[0][4]
            ));
        }
        Ok(())
    })();
    close(e);
    r
}

/// [ReactOS] NtAlertResumeThread: a suspended thread is alerted and resumed; the
/// previous suspend count (1) is returned; the thread's first alertable delay ends
/// with STATUS_ALERTED.
fn alert_resume_suspended_thread() -> Result<(), String> {
    let h = spawn(alertable_sleeper, 0, CREATE_SUSPENDED)?;
    let mut prev = 7u32;
    // SAFETY: a handle this test made and a local.
    let s = unsafe { NtAlertResumeThread(h, &mut prev) };
    let status = join(h, 2000)?;
    ok("NtAlertResumeThread", s)?;
    if prev != 1 {
        return Err(format!("previous suspend count {prev}, want 1"));
    }
    if status != STATUS_ALERTED {
        return Err(format!("the resumed thread's delay returned {status:#x}"));
    }
    Ok(())
}

fn timer() -> Result<HANDLE, String> {
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: a local for the handle.
    let s = unsafe { NtCreateTimer(&mut h, TIMER_ALL_ACCESS, core::ptr::null(), NOTIFICATION) };
    ok("NtCreateTimer", s)?;
    Ok(h)
}

fn now() -> i64 {
    let mut t = 0i64;
    // SAFETY: a local.
    unsafe { NtQuerySystemTime(&mut t) };
    t
}

/// [Timers]: a timer set with an APC routine queues it to the setting thread when it
/// fires; a non-alertable delay does not run it, the next alertable delay does (with
/// STATUS_USER_APC), with the context and the system time it fired at as low/high
/// halves.
fn timer_apc_runs_in_alertable_wait() -> Result<(), String> {
    log_reset();
    let t = timer()?;
    let r = (|| {
        let before = now();
        let due = -20 * 10_000i64;
        // SAFETY: a handle this test made, a local due time; the routine is ours.
        let s = unsafe {
            NtSetTimer(
                t,
                &due,
                routine(apc_a) as *const c_void,
                0x5151 as *const c_void,
                0,
                0,
                core::ptr::null_mut(),
            )
        };
        ok("NtSetTimer with an APC routine", s)?;
        ok("non-alertable delay past the due time", delay_ms(false, 60))?;
        expect_log("before an alertable wait", &[])?;
        expect_status("alertable delay", delay_ms(true, 2000), STATUS_USER_APC)?;
        let after = now();
        let calls = log();
        let [c] = calls.as_slice() else {
            return Err(format!("{} APC calls, want 1", calls.len()));
        };
        if c[0] != 1 || c[1] != 0x5151 {
            return Err(format!("APC call {c:x?}"));
        }
        let fired = ((c[3] as u32 as i64) << 32) | i64::from(c[2] as u32);
        if fired < before - due || fired > after {
            return Err(format!(
                "fired at {fired}, want within [{}, {after}]",
                before - due
            ));
        }
        Ok(())
    })();
    close(t);
    r
}

/// [Timers], CancelWaitableTimer: a timer cancelled before its due time queues no APC.
fn cancelled_timer_runs_no_apc() -> Result<(), String> {
    log_reset();
    let t = timer()?;
    let r = (|| {
        let due = -30 * 10_000i64;
        // SAFETY: a handle this test made, a local due time; the routine is ours.
        let s = unsafe {
            NtSetTimer(
                t,
                &due,
                routine(apc_b) as *const c_void,
                0x42 as *const c_void,
                0,
                0,
                core::ptr::null_mut(),
            )
        };
        ok("NtSetTimer", s)?;
        // SAFETY: as above.
        ok("NtCancelTimer", unsafe {
            NtCancelTimer(t, core::ptr::null_mut())
        })?;
        ok("alertable delay past the due time", delay_ms(true, 80))?;
        expect_log("after the delay", &[])
    })();
    close(t);
    r
}

extern "system" fn quick_exit(_: *mut c_void) -> u32 {
    0
}

/// [ReactOS] NtQueueApcThread / NtAlertThread: handles are checked as thread handles
/// with THREAD_SET_CONTEXT / THREAD_ALERT; a NULL routine is accepted and runs nothing;
/// a thread that has ended takes no APC (STATUS_UNSUCCESSFUL).
fn bad_input() -> Result<(), String> {
    log_reset();
    let e = create_event(NOTIFICATION, false)?;
    let r = (|| {
        let bogus = 0x1234usize as HANDLE;
        let null = core::ptr::null_mut();
        expect_status(
            "queue, bogus handle",
            queue(bogus, apc_a, [0; 3]),
            STATUS_INVALID_HANDLE,
        )?;
        expect_status(
            "queue, NULL handle",
            queue(null, apc_a, [0; 3]),
            STATUS_INVALID_HANDLE,
        )?;
        expect_status(
            "queue, event handle",
            queue(e, apc_a, [0; 3]),
            STATUS_OBJECT_TYPE_MISMATCH,
        )?;
        // SAFETY: handles only.
        unsafe {
            expect_status(
                "alert, bogus handle",
                NtAlertThread(bogus),
                STATUS_INVALID_HANDLE,
            )?;
            expect_status(
                "alert, event handle",
                NtAlertThread(e),
                STATUS_OBJECT_TYPE_MISMATCH,
            )?;
            expect_status(
                "alert-resume, event handle",
                NtAlertResumeThread(e, core::ptr::null_mut()),
                STATUS_OBJECT_TYPE_MISMATCH,
            )?;
        }
        // A handle to this thread without the rights.
        let cid = ClientId {
            UniqueProcess: 0,
            UniqueThread: current_tid(),
        };
        let oa = no_attributes();
        let mut weak: HANDLE = null;
        // SAFETY: locals for every pointer.
        let s = unsafe { NtOpenThread(&mut weak, THREAD_QUERY_LIMITED_INFORMATION, &oa, &cid) };
        ok("NtOpenThread(self, query only)", s)?;
        let r: Result<(), String> = (|| {
            expect_status(
                "queue without THREAD_SET_CONTEXT",
                queue(weak, apc_a, [0; 3]),
                STATUS_ACCESS_DENIED,
            )?;
            expect_status(
                "alert without THREAD_ALERT",
                // SAFETY: a handle.
                unsafe { NtAlertThread(weak) },
                STATUS_ACCESS_DENIED,
            )?;
            Ok(())
        })();
        close(weak);
        r?;
        // The exact rights suffice.
        let mut h: HANDLE = null;
        // SAFETY: locals for every pointer.
        let s = unsafe { NtOpenThread(&mut h, THREAD_SET_CONTEXT | THREAD_ALERT, &oa, &cid) };
        ok("NtOpenThread(self, set context | alert)", s)?;
        let r = (|| {
            ok("queue with THREAD_SET_CONTEXT", queue(h, apc_a, [4, 4, 4]))?;
            // SAFETY: a handle.
            ok("alert with THREAD_ALERT", unsafe { NtAlertThread(h) })?;
            expect_status("NtTestAlert (alert first)", test_alert(), STATUS_ALERTED)?;
            ok("NtTestAlert (then the APC)", test_alert())?;
            expect_log("the APC", &[[1, 4, 4, 4]])
        })();
        close(h);
        r?;
        // NULL routine: success, nothing to run.
        log_reset();
        // SAFETY: plain words.
        let s = unsafe { NtQueueApcThread(CURRENT_THREAD, 0, 1, 2, 3) };
        ok("queue a NULL routine", s)?;
        ok("NtTestAlert after it", test_alert())?;
        ok("alertable delay after it", delay_ms(true, 10))?;
        expect_log("after a NULL routine", &[])?;
        // A thread that has ended.
        let t = spawn(quick_exit, 0, 0)?;
        let r = (|| {
            ok("wait for the thread", wait_ms(t, false, 2000))?;
            expect_status(
                "queue to an ended thread",
                queue(t, apc_a, [0; 3]),
                STATUS_UNSUCCESSFUL,
            )
        })();
        close(t);
        r
    })();
    close(e);
    r
}

pub const TESTS: &[Test] = tests![
    ("apc.queue_self_then_test_alert", queue_self_then_test_alert),
    (
        "apc.alertable_delay_returns_user_apc",
        alertable_delay_returns_user_apc
    ),
    (
        "apc.non_alertable_waits_do_not_run_apcs",
        non_alertable_waits_do_not_run_apcs
    ),
    (
        "apc.many_apcs_run_in_fifo_order",
        many_apcs_run_in_fifo_order
    ),
    (
        "apc.signalled_object_before_apc",
        signalled_object_before_apc
    ),
    ("apc.alert_flag_and_test_alert", alert_flag_and_test_alert),
    ("apc.alert_wakes_another_thread", alert_wakes_another_thread),
    (
        "apc.apc_from_another_thread_wakes_waiter",
        apc_from_another_thread_wakes_waiter
    ),
    (
        "apc.alert_resume_suspended_thread",
        alert_resume_suspended_thread
    ),
    (
        "apc.timer_apc_runs_in_alertable_wait",
        timer_apc_runs_in_alertable_wait
    ),
    (
        "apc.cancelled_timer_runs_no_apc",
        cancelled_timer_runs_no_apc
    ),
    ("apc.bad_input", bad_input),
];
