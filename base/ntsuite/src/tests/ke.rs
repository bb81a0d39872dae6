//! Dispatcher objects and waits: events, semaphores, mutants, NtWaitFor*, with good and
//! hostile input (one process; a blocked wait needs a second thread or process).
//!
//! Sources for the expected statuses (facts, not code):
//! - [DOC] the WDK documentation of `ZwCreateEvent`, `ZwSetEvent`, `ZwWaitForSingleObject`,
//!   `KeWaitForMultipleObjects` (Count above `MAXIMUM_WAIT_OBJECTS` is an error),
//!   `ZwReleaseSemaphore`/`KeReleaseSemaphore` (limit), `KeReleaseMutex`;
//! - [WINE] the behaviour Wine's `dlls/ntdll/tests/sync.c` and `om.c` check against real
//!   Windows: `NtWaitForMultipleObjects` with Count 0 or 65 is
//!   `STATUS_INVALID_PARAMETER_1`, a semaphore released past its maximum is
//!   `STATUS_SEMAPHORE_LIMIT_EXCEEDED` (count unchanged), releasing a mutant one does
//!   not own is `STATUS_MUTANT_NOT_OWNED`, recursive acquisition counts down
//!   (`NtReleaseMutant` returns the count before), `NtPulseEvent` leaves the event
//!   reset and reports the previous state, OPENIF on an existing event is
//!   `STATUS_OBJECT_NAME_EXISTS`, opening it as another type is
//!   `STATUS_OBJECT_TYPE_MISMATCH`;
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

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
    fn NtClearEvent(h: HANDLE) -> NtStatus;
    fn NtQueryEvent(
        h: HANDLE,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;
    fn NtCreateSemaphore(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        initial: i32,
        maximum: i32,
    ) -> NtStatus;
    fn NtReleaseSemaphore(h: HANDLE, count: i32, previous: *mut i32) -> NtStatus;
    fn NtCreateMutant(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        owner: u8,
    ) -> NtStatus;
    fn NtOpenMutant(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    fn NtReleaseMutant(h: HANDLE, previous: *mut i32) -> NtStatus;
    fn NtQueryMutant(
        h: HANDLE,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;
    fn NtYieldExecution() -> NtStatus;

}

const STATUS_MUTANT_NOT_OWNED: u32 = 0xC000_0046;
const STATUS_SEMAPHORE_LIMIT_EXCEEDED: u32 = 0xC000_0047;

const ALL: u32 = 0x001F_0003;

fn oa(n: &Name, attributes: u32) -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, Some(&n.us), attributes)
}

fn semaphore(initial: i32, maximum: i32) -> Result<HANDLE, String> {
    let mut h = NULL;
    // SAFETY: as above.
    let s = unsafe { NtCreateSemaphore(&mut h, ALL, core::ptr::null(), initial, maximum) };
    ok("NtCreateSemaphore", s)?;
    Ok(h)
}

fn mutant(owned: bool) -> Result<HANDLE, String> {
    let mut h = NULL;
    // SAFETY: as above.
    let s = unsafe { NtCreateMutant(&mut h, ALL, core::ptr::null(), u8::from(owned)) };
    ok("NtCreateMutant", s)?;
    Ok(h)
}

fn poll(h: HANDLE) -> NtStatus {
    // SAFETY: plain values and a pointer to a local.
    unsafe { NtWaitForSingleObject(h, 0, &ZERO) }
}

fn poll_many(hs: &[HANDLE], wait_type: u32) -> NtStatus {
    // SAFETY: the array holds `len` handles.
    unsafe { NtWaitForMultipleObjects(hs.len() as u32, hs.as_ptr(), wait_type, 0, &ZERO) }
}

fn query8(
    f: unsafe extern "system" fn(HANDLE, u32, *mut c_void, u32, *mut u32) -> NtStatus,
    h: HANDLE,
) -> Result<[i32; 2], String> {
    let mut b = [0i32; 2];
    let mut len = 0u32;
    // SAFETY: an 8-byte buffer and a length out pointer.
    let s = unsafe { f(h, 0, b.as_mut_ptr().cast(), 8, &mut len) };
    ok("query", s)?;
    if len != 8 {
        return Err(format!("ReturnLength {len}, want 8"));
    }
    Ok(b)
}

fn signalled_event_waits() -> Result<(), String> {
    let e = create_event(NOTIFICATION, true)?;
    expect_status("first wait", poll(e), STATUS_SUCCESS)?;
    // A notification event stays signalled.
    expect_status("second wait", poll(e), STATUS_SUCCESS)?;
    // SAFETY: infinite wait on a signalled object returns at once.
    let s = unsafe { NtWaitForSingleObject(e, 0, core::ptr::null()) };
    expect_status("infinite wait", s, STATUS_SUCCESS)?;
    close(e);
    Ok(())
}

fn synchronization_event_auto_resets() -> Result<(), String> {
    let e = create_event(SYNCHRONIZATION, true)?;
    expect_status("first wait", poll(e), STATUS_SUCCESS)?;
    expect_status("second wait", poll(e), STATUS_TIMEOUT)?;
    close(e);
    Ok(())
}

fn zero_timeout_is_timeout() -> Result<(), String> {
    let e = create_event(NOTIFICATION, false)?;
    expect_status("unsignalled", poll(e), STATUS_TIMEOUT)?;
    // SAFETY: valid out pointer.
    let mut prev = -1;
    ok("set", unsafe { NtSetEvent(e, &mut prev) })?;
    if prev != 0 {
        return Err(format!("previous state {prev}, want 0"));
    }
    expect_status("after set", poll(e), STATUS_SUCCESS)?;
    // SAFETY: as above.
    ok("reset", unsafe { NtResetEvent(e, &mut prev) })?;
    if prev != 1 {
        return Err(format!("previous state {prev}, want 1"));
    }
    expect_status("after reset", poll(e), STATUS_TIMEOUT)?;
    // SAFETY: plain values.
    ok("set", unsafe { NtSetEvent(e, core::ptr::null_mut()) })?;
    ok("clear", unsafe { NtClearEvent(e) })?;
    expect_status("after clear", poll(e), STATUS_TIMEOUT)?;
    close(e);
    Ok(())
}

fn pulse_leaves_reset() -> Result<(), String> {
    let e = create_event(NOTIFICATION, true)?;
    let mut prev = -1;
    // SAFETY: valid out pointer.
    ok("pulse", unsafe { NtPulseEvent(e, &mut prev) })?;
    if prev != 1 {
        return Err(format!("previous state {prev}, want 1"));
    }
    expect_status("after pulse", poll(e), STATUS_TIMEOUT)?;
    let [ty, state] = query8(NtQueryEvent, e)?;
    if ty != 0 || state != 0 {
        return Err(format!(
            "EventBasicInformation ({ty}, {state}), want (0, 0)"
        ));
    }
    close(e);
    Ok(())
}

fn query_event_checks() -> Result<(), String> {
    let e = create_event(SYNCHRONIZATION, true)?;
    let [ty, state] = query8(NtQueryEvent, e)?;
    if ty != 1 || state != 1 {
        return Err(format!(
            "EventBasicInformation ({ty}, {state}), want (1, 1)"
        ));
    }
    let mut b = [0u8; 16];
    // SAFETY: the buffer is 16 bytes; lengths are checked by the service.
    let s = unsafe { NtQueryEvent(e, 0, b.as_mut_ptr().cast(), 4, core::ptr::null_mut()) };
    expect_status("short length", s, STATUS_INFO_LENGTH_MISMATCH)?;
    // SAFETY: as above.
    let s = unsafe { NtQueryEvent(e, 1, b.as_mut_ptr().cast(), 8, core::ptr::null_mut()) };
    expect_status("class 1", s, STATUS_INVALID_INFO_CLASS)?;
    // SAFETY: a kernel address is refused by the probe.
    let s = unsafe { NtQueryEvent(e, 0, KERNEL as *mut c_void, 8, core::ptr::null_mut()) };
    expect_status("kernel buffer", s, STATUS_ACCESS_VIOLATION)?;
    close(e);
    Ok(())
}

fn bad_event_type() -> Result<(), String> {
    let mut h = NULL;
    // SAFETY: valid out pointer.
    let s = unsafe { NtCreateEvent(&mut h, ALL, core::ptr::null(), 2, 0) };
    expect_status("EventType 2", s, STATUS_INVALID_PARAMETER)
}

fn bad_pointers() -> Result<(), String> {
    // SAFETY: the service probes every pointer.
    let s = unsafe { NtCreateEvent(UNMAPPED as *mut HANDLE, ALL, core::ptr::null(), 0, 0) };
    expect_status("unmapped handle out", s, STATUS_ACCESS_VIOLATION)?;
    // SAFETY: as above.
    let s = unsafe { NtCreateEvent(KERNEL as *mut HANDLE, ALL, core::ptr::null(), 0, 0) };
    expect_status("kernel handle out", s, STATUS_ACCESS_VIOLATION)?;
    let e = create_event(NOTIFICATION, true)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForSingleObject(e, 0, KERNEL as *const i64) };
    expect_status("kernel timeout", s, STATUS_ACCESS_VIOLATION)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForMultipleObjects(1, KERNEL as *const HANDLE, WAIT_ANY, 0, &ZERO) };
    expect_status("kernel handle array", s, STATUS_ACCESS_VIOLATION)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForMultipleObjects(1, UNMAPPED as *const HANDLE, WAIT_ANY, 0, &ZERO) };
    expect_status("unmapped handle array", s, STATUS_ACCESS_VIOLATION)?;
    close(e);
    Ok(())
}

fn wait_any_index() -> Result<(), String> {
    let a = create_event(NOTIFICATION, false)?;
    let b = create_event(NOTIFICATION, false)?;
    let c = create_event(NOTIFICATION, true)?;
    expect_status("third signalled", poll_many(&[a, b, c], WAIT_ANY), 2)?;
    // SAFETY: plain values.
    ok("set b", unsafe { NtSetEvent(b, core::ptr::null_mut()) })?;
    expect_status("lowest index wins", poll_many(&[a, b, c], WAIT_ANY), 1)?;
    for h in [a, b, c] {
        close(h);
    }
    Ok(())
}

fn wait_all_semantics() -> Result<(), String> {
    let s = semaphore(1, 5)?;
    let e = create_event(NOTIFICATION, false)?;
    expect_status(
        "partial WaitAll",
        poll_many(&[s, e], WAIT_ALL),
        STATUS_TIMEOUT,
    )?;
    // A partially available WaitAll consumes nothing.
    let [count, max] = query8(NtQuerySemaphore, s)?;
    if (count, max) != (1, 5) {
        return Err(format!(
            "semaphore ({count}, {max}) after failed WaitAll, want (1, 5)"
        ));
    }
    // SAFETY: plain values.
    ok("set", unsafe { NtSetEvent(e, core::ptr::null_mut()) })?;
    expect_status("full WaitAll", poll_many(&[s, e], WAIT_ALL), STATUS_SUCCESS)?;
    let [count, _] = query8(NtQuerySemaphore, s)?;
    if count != 0 {
        return Err(format!("semaphore count {count} after WaitAll, want 0"));
    }
    close(s);
    close(e);
    Ok(())
}

fn wait_counts() -> Result<(), String> {
    let e = create_event(NOTIFICATION, true)?;
    let hs = [e; 65];
    // SAFETY: the array holds 65 handles.
    let s = unsafe { NtWaitForMultipleObjects(0, hs.as_ptr(), WAIT_ANY, 0, &ZERO) };
    expect_status("Count 0", s, STATUS_INVALID_PARAMETER_1)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForMultipleObjects(65, hs.as_ptr(), WAIT_ANY, 0, &ZERO) };
    expect_status("Count 65", s, STATUS_INVALID_PARAMETER_1)?;
    expect_status("Count 64", poll_many(&hs[..64], WAIT_ANY), STATUS_SUCCESS)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForMultipleObjects(1, hs.as_ptr(), 2, 0, &ZERO) };
    expect_status("WaitType 2", s, STATUS_INVALID_PARAMETER_3)?;
    close(e);
    Ok(())
}

fn semaphore_limits() -> Result<(), String> {
    let s = semaphore(2, 3)?;
    let mut prev = -1;
    // SAFETY: valid out pointer.
    let r = unsafe { NtReleaseSemaphore(s, 2, &mut prev) };
    expect_status("past maximum", r, STATUS_SEMAPHORE_LIMIT_EXCEEDED)?;
    // SAFETY: as above.
    ok("release 1", unsafe { NtReleaseSemaphore(s, 1, &mut prev) })?;
    if prev != 2 {
        return Err(format!("previous count {prev}, want 2"));
    }
    // SAFETY: as above.
    let r = unsafe { NtReleaseSemaphore(s, 0, &mut prev) };
    expect_status("release 0", r, STATUS_INVALID_PARAMETER)?;
    for i in 0..3 {
        expect_status(&format!("take {i}"), poll(s), STATUS_SUCCESS)?;
    }
    expect_status("empty", poll(s), STATUS_TIMEOUT)?;
    let mut h = NULL;
    // SAFETY: valid out pointer.
    let r = unsafe { NtCreateSemaphore(&mut h, ALL, core::ptr::null(), 4, 3) };
    expect_status("initial > maximum", r, STATUS_INVALID_PARAMETER)?;
    close(s);
    Ok(())
}

fn mutant_recursion() -> Result<(), String> {
    let m = mutant(true)?;
    expect_status("recursive acquire", poll(m), STATUS_SUCCESS)?;
    let [count, flags] = query8(NtQueryMutant, m)?;
    if count != -1 || flags & 0xFF != 1 {
        return Err(format!(
            "MutantBasicInformation ({count}, {flags:#x}), want (-1, owned)"
        ));
    }
    let mut prev = 0;
    // SAFETY: valid out pointer.
    ok("release 1", unsafe { NtReleaseMutant(m, &mut prev) })?;
    if prev != -1 {
        return Err(format!("previous count {prev}, want -1"));
    }
    // SAFETY: as above.
    ok("release 2", unsafe { NtReleaseMutant(m, &mut prev) })?;
    if prev != 0 {
        return Err(format!("previous count {prev}, want 0"));
    }
    // SAFETY: as above.
    let r = unsafe { NtReleaseMutant(m, &mut prev) };
    expect_status("not owned", r, STATUS_MUTANT_NOT_OWNED)?;
    close(m);
    let free = mutant(false)?;
    // SAFETY: plain values.
    let r = unsafe { NtReleaseMutant(free, core::ptr::null_mut()) };
    expect_status("never owned", r, STATUS_MUTANT_NOT_OWNED)?;
    close(free);
    Ok(())
}

fn named_events() -> Result<(), String> {
    let n = name("\\BaseNamedObjects\\ntsuite.ke.named");
    let a = oa(&n, 0);
    let mut h1 = NULL;
    // SAFETY: valid pointers to locals.
    ok("create", unsafe {
        NtCreateEvent(&mut h1, ALL, &a, NOTIFICATION, 0)
    })?;
    let mut h2 = NULL;
    // SAFETY: as above.
    let r = unsafe { NtCreateEvent(&mut h2, ALL, &a, NOTIFICATION, 0) };
    expect_status("collision", r, 0xC000_0035)?;
    let openif = oa(&n, OBJ_OPENIF);
    // SAFETY: as above.
    let r = unsafe { NtCreateEvent(&mut h2, ALL, &openif, NOTIFICATION, 0) };
    expect_status("OPENIF", r, STATUS_OBJECT_NAME_EXISTS)?;
    let mut h3 = NULL;
    // SAFETY: as above.
    ok("open", unsafe { NtOpenEvent(&mut h3, ALL, &a) })?;
    // The three handles name one object.
    // SAFETY: plain values.
    ok("set through h3", unsafe {
        NtSetEvent(h3, core::ptr::null_mut())
    })?;
    expect_status("seen through h1", poll(h1), STATUS_SUCCESS)?;
    expect_status("seen through h2", poll(h2), STATUS_SUCCESS)?;
    let mut hm = NULL;
    // SAFETY: as above.
    let r = unsafe { NtOpenMutant(&mut hm, ALL, &a) };
    expect_status("open as mutant", r, STATUS_OBJECT_TYPE_MISMATCH)?;
    for h in [h1, h2, h3] {
        close(h);
    }
    // Temporary: the name went with the last handle.
    // SAFETY: as above.
    let r = unsafe { NtOpenEvent(&mut h3, ALL, &a) };
    expect_status("open after close", r, STATUS_OBJECT_NAME_NOT_FOUND)
}

fn wrong_handle_types() -> Result<(), String> {
    let s = semaphore(1, 1)?;
    let e = create_event(NOTIFICATION, false)?;
    // SAFETY: plain values.
    let r = unsafe { NtSetEvent(s, core::ptr::null_mut()) };
    expect_status("set a semaphore", r, STATUS_OBJECT_TYPE_MISMATCH)?;
    // SAFETY: as above.
    let r = unsafe { NtReleaseSemaphore(e, 1, core::ptr::null_mut()) };
    expect_status("release an event", r, STATUS_OBJECT_TYPE_MISMATCH)?;
    // SAFETY: as above.
    let r = unsafe { NtReleaseMutant(e, core::ptr::null_mut()) };
    expect_status("release-mutant an event", r, STATUS_OBJECT_TYPE_MISMATCH)?;
    // SAFETY: as above.
    let r = unsafe { NtSetEvent(0x7FF0 as HANDLE, core::ptr::null_mut()) };
    expect_status("bogus handle", r, STATUS_INVALID_HANDLE)?;
    expect_status(
        "wait on bogus handle",
        poll(0x7FF0 as HANDLE),
        STATUS_INVALID_HANDLE,
    )?;
    close(s);
    close(e);
    Ok(())
}

fn process_is_waitable() -> Result<(), String> {
    // Our own process has not ended.
    expect_status("own process", poll(CURRENT_PROCESS), STATUS_TIMEOUT)?;
    expect_status("own thread", poll(CURRENT_THREAD), STATUS_TIMEOUT)
}

fn signal_and_wait() -> Result<(), String> {
    let a = create_event(NOTIFICATION, false)?;
    let b = create_event(NOTIFICATION, true)?;
    // SAFETY: plain values and a pointer to a local.
    let r = unsafe { NtSignalAndWaitForSingleObject(a, b, 0, &ZERO) };
    expect_status("signal a, wait b", r, STATUS_SUCCESS)?;
    expect_status("a was set", poll(a), STATUS_SUCCESS)?;
    let m = mutant(false)?;
    // SAFETY: as above.
    let r = unsafe { NtSignalAndWaitForSingleObject(m, b, 0, &ZERO) };
    expect_status("release unowned mutant", r, STATUS_MUTANT_NOT_OWNED)?;
    for h in [a, b, m] {
        close(h);
    }
    Ok(())
}

fn yield_and_zero_delay() -> Result<(), String> {
    // SAFETY: no arguments.
    ok("NtYieldExecution", unsafe { NtYieldExecution() })?;
    // SAFETY: a pointer to a local.
    ok("NtDelayExecution(0)", unsafe { NtDelayExecution(0, &ZERO) })
}

pub const TESTS: &[Test] = tests![
    ("ke.signalled_event_waits", signalled_event_waits),
    (
        "ke.synchronization_event_auto_resets",
        synchronization_event_auto_resets
    ),
    ("ke.zero_timeout_is_timeout", zero_timeout_is_timeout),
    ("ke.pulse_leaves_reset", pulse_leaves_reset),
    ("ke.query_event_checks", query_event_checks),
    ("ke.bad_event_type", bad_event_type),
    ("ke.bad_pointers", bad_pointers),
    ("ke.wait_any_index", wait_any_index),
    ("ke.wait_all_semantics", wait_all_semantics),
    ("ke.wait_counts", wait_counts),
    ("ke.semaphore_limits", semaphore_limits),
    ("ke.mutant_recursion", mutant_recursion),
    ("ke.named_events", named_events),
    ("ke.wrong_handle_types", wrong_handle_types),
    ("ke.process_is_waitable", process_is_waitable),
    ("ke.signal_and_wait", signal_and_wait),
    ("ke.yield_and_zero_delay", yield_and_zero_delay),
];
