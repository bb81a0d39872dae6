//! Keyed events (services 0x44-0x47) in one process: parameters, access, timeouts on
//! both sides, the `NULL` handle, and the object as a waitable. The rendezvous of two
//! parties needs two processes: cping.exe / cpong.exe do it (`tests/qemu`).
//!
//! Sources for the expected statuses (facts, not code):
//! - [WINE] Wine's `dlls/ntdll/tests/sync.c` `test_keyed_events`, run on Windows: an odd
//!   key is `STATUS_INVALID_PARAMETER_1` (even with a bad handle), a bad handle with an
//!   even key `STATUS_INVALID_HANDLE`, no partner within the timeout `STATUS_TIMEOUT`
//!   on both sides (a `NULL` key too), a `NULL` handle works (the system's keyed
//!   event), `KEYEDEVENT_WAIT` only cannot release and `KEYEDEVENT_WAKE` only cannot
//!   wait (`STATUS_ACCESS_DENIED`), `GENERIC_READ` gives wait and `GENERIC_WRITE` wake
//!   access, the object is signalled for `WaitForSingleObject` with `SYNCHRONIZE` and
//!   `KEYEDEVENT_ALL_ACCESS` lacks `SYNCHRONIZE`, `NtPulseEvent` on it and keyed
//!   services on an event are `STATUS_OBJECT_TYPE_MISMATCH`;
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
    fn NtCreateKeyedEvent(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        flags: u32,
    ) -> NtStatus;
    fn NtOpenKeyedEvent(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    fn NtReleaseKeyedEvent(h: HANDLE, key: usize, alertable: u8, timeout: *const i64) -> NtStatus;
    fn NtWaitForKeyedEvent(h: HANDLE, key: usize, alertable: u8, timeout: *const i64) -> NtStatus;

}

const KEYEDEVENT_WAIT: u32 = 1;
const KEYEDEVENT_WAKE: u32 = 2;
const KEYEDEVENT_ALL_ACCESS: u32 = 0x000F_0003;
const GENERIC_READ: u32 = 0x8000_0000;
const GENERIC_WRITE: u32 = 0x4000_0000;
/// 10 ms, relative.
const SHORT: i64 = -100_000;

fn oa(n: &Name) -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, Some(&n.us), 0)
}

fn create(access: u32, n: Option<&Name>) -> Result<HANDLE, String> {
    let mut h = NULL;
    let a = n.map(oa);
    let p = a.as_ref().map_or(core::ptr::null(), |a| a as *const _);
    // SAFETY: out pointer and attributes are locals alive for the call.
    let s = unsafe { NtCreateKeyedEvent(&mut h, access, p, 0) };
    expect_status("NtCreateKeyedEvent", s, STATUS_SUCCESS)?;
    Ok(h)
}

fn release(h: HANDLE, key: usize, t: Option<&i64>) -> NtStatus {
    let p = t.map_or(core::ptr::null(), |t| t as *const i64);
    // SAFETY: plain values and an optional pointer to a local.
    unsafe { NtReleaseKeyedEvent(h, key, 0, p) }
}

fn wait(h: HANDLE, key: usize, t: Option<&i64>) -> NtStatus {
    let p = t.map_or(core::ptr::null(), |t| t as *const i64);
    // SAFETY: as above.
    unsafe { NtWaitForKeyedEvent(h, key, 0, p) }
}

fn parameters() -> Result<(), String> {
    let h = create(KEYEDEVENT_ALL_ACCESS | SYNCHRONIZE, None)?;
    let r = (|| {
        for (f, side) in [(release as fn(_, _, _) -> _, "release"), (wait, "wait")] {
            expect_status(
                &format!("{side}, key 255"),
                f(h, 255, Some(&SHORT)),
                STATUS_INVALID_PARAMETER_1,
            )?;
            let bad = 0xdead_beec_usize as HANDLE;
            expect_status(
                &format!("{side}, bad handle, key 9"),
                f(bad, 9, Some(&SHORT)),
                STATUS_INVALID_PARAMETER_1,
            )?;
            expect_status(
                &format!("{side}, bad handle, key 8"),
                f(bad, 8, Some(&SHORT)),
                STATUS_INVALID_HANDLE,
            )?;
            expect_status(
                &format!("{side}, key 254, nobody"),
                f(h, 254, Some(&SHORT)),
                STATUS_TIMEOUT,
            )?;
            expect_status(
                &format!("{side}, key NULL"),
                f(h, 0, Some(&SHORT)),
                STATUS_TIMEOUT,
            )?;
            expect_status(
                &format!("{side}, zero timeout"),
                f(h, 0x1234, Some(&ZERO)),
                STATUS_TIMEOUT,
            )?;
            // The system's keyed event.
            expect_status(
                &format!("{side}, NULL handle"),
                f(NULL, 8, Some(&SHORT)),
                STATUS_TIMEOUT,
            )?;
        }
        // A timeout of one side does not leave it behind: a wait after a release that
        // gave up still finds nobody.
        expect_status(
            "release, gives up",
            release(h, 64, Some(&SHORT)),
            STATUS_TIMEOUT,
        )?;
        expect_status("wait after it", wait(h, 64, Some(&ZERO)), STATUS_TIMEOUT)?;
        let mut h2 = NULL;
        // SAFETY: valid out pointer, NULL attributes.
        let s = unsafe { NtCreateKeyedEvent(&mut h2, KEYEDEVENT_ALL_ACCESS, core::ptr::null(), 1) };
        expect_status("Flags 1", s, STATUS_INVALID_PARAMETER_4)?;
        // SAFETY: a kernel address for the handle: refused by the probe.
        let s = unsafe { NtCreateKeyedEvent(KERNEL as *mut HANDLE, 0, core::ptr::null(), 0) };
        expect_status("handle into kernel", s, STATUS_ACCESS_VIOLATION)?;
        // SAFETY: an unmapped timeout pointer.
        let s = unsafe { NtWaitForKeyedEvent(h, 8, 0, UNMAPPED as *const i64) };
        expect_status("unmapped timeout", s, STATUS_ACCESS_VIOLATION)
    })();
    close(h);
    r
}

fn timeout_is_honoured() -> Result<(), String> {
    let h = create(KEYEDEVENT_ALL_ACCESS, None)?;
    let mut before = 0i64;
    let mut after = 0i64;
    // 50 ms.
    let t = -500_000i64;
    // SAFETY: valid out pointers.
    unsafe { NtQuerySystemTime(&mut before) };
    let s = release(h, 0x100, Some(&t));
    // SAFETY: as above.
    unsafe { NtQuerySystemTime(&mut after) };
    close(h);
    expect_status("release, 50 ms", s, STATUS_TIMEOUT)?;
    if after - before < 500_000 {
        return Err(format!(
            "returned after {} x 100 ns, before 50 ms",
            after - before
        ));
    }
    Ok(())
}

fn access() -> Result<(), String> {
    let cases = [
        (KEYEDEVENT_WAIT, STATUS_TIMEOUT, STATUS_ACCESS_DENIED),
        (KEYEDEVENT_WAKE, STATUS_ACCESS_DENIED, STATUS_TIMEOUT),
        (GENERIC_READ, STATUS_TIMEOUT, STATUS_ACCESS_DENIED),
        (GENERIC_WRITE, STATUS_ACCESS_DENIED, STATUS_TIMEOUT),
        (KEYEDEVENT_ALL_ACCESS, STATUS_TIMEOUT, STATUS_TIMEOUT),
    ];
    for (mask, on_wait, on_release) in cases {
        let h = create(mask, None)?;
        let r = expect_status(
            &format!("wait, access {mask:#x}"),
            wait(h, 8, Some(&ZERO)),
            on_wait,
        )
        .and_then(|()| {
            expect_status(
                &format!("release, access {mask:#x}"),
                release(h, 8, Some(&ZERO)),
                on_release,
            )
        });
        close(h);
        r?;
    }
    // Waitable and signalled with SYNCHRONIZE; ALL_ACCESS alone lacks it.
    let h = create(KEYEDEVENT_ALL_ACCESS | SYNCHRONIZE, None)?;
    // SAFETY: a handle and a pointer to a local.
    let s = unsafe { NtWaitForSingleObject(h, 0, &ZERO) };
    close(h);
    expect_status("wait on the object", s, STATUS_SUCCESS)?;
    let h = create(KEYEDEVENT_ALL_ACCESS, None)?;
    // SAFETY: as above.
    let s = unsafe { NtWaitForSingleObject(h, 0, &ZERO) };
    let p = unsafe { NtPulseEvent(h, core::ptr::null_mut()) };
    close(h);
    expect_status("wait without SYNCHRONIZE", s, STATUS_ACCESS_DENIED)?;
    expect_status("NtPulseEvent on it", p, STATUS_OBJECT_TYPE_MISMATCH)?;
    // Keyed services on an event.
    let mut e = NULL;
    // SAFETY: valid out pointer, NULL attributes.
    let s = unsafe { NtCreateEvent(&mut e, 0x001F_0003, core::ptr::null(), 0, 0) };
    expect_status("NtCreateEvent", s, STATUS_SUCCESS)?;
    let w = wait(e, 8, Some(&ZERO));
    let r = release(e, 8, Some(&ZERO));
    close(e);
    expect_status("wait on an event", w, STATUS_OBJECT_TYPE_MISMATCH)?;
    expect_status("release on an event", r, STATUS_OBJECT_TYPE_MISMATCH)
}

fn names() -> Result<(), String> {
    let n = name("\\BaseNamedObjects\\ntsuite-keyed");
    let h = create(KEYEDEVENT_ALL_ACCESS, Some(&n))?;
    let mut h2 = NULL;
    let a = oa(&n);
    // SAFETY: out pointer and attributes are locals.
    let s = unsafe { NtOpenKeyedEvent(&mut h2, KEYEDEVENT_WAIT, &a) };
    let r = expect_status("NtOpenKeyedEvent", s, STATUS_SUCCESS).and_then(|()| {
        expect_status(
            "release through the wait-only handle",
            release(h2, 8, Some(&ZERO)),
            STATUS_ACCESS_DENIED,
        )
    });
    close(h2);
    close(h);
    r?;
    // Gone with its last handle.
    // SAFETY: as above.
    let s = unsafe { NtOpenKeyedEvent(&mut h2, KEYEDEVENT_WAIT, &a) };
    expect_status("open after close", s, STATUS_OBJECT_NAME_NOT_FOUND)?;
    // The system's keyed event has its Windows name.
    let g = name("\\KernelObjects\\CritSecOutOfMemoryEvent");
    let a = oa(&g);
    // SAFETY: as above.
    let s = unsafe { NtOpenKeyedEvent(&mut h2, KEYEDEVENT_WAIT | KEYEDEVENT_WAKE, &a) };
    expect_status("open CritSecOutOfMemoryEvent", s, STATUS_SUCCESS)?;
    let t = release(h2, 8, Some(&ZERO));
    close(h2);
    expect_status("release on it", t, STATUS_TIMEOUT)
}

pub const TESTS: &[Test] = tests![
    ("keyed.parameters", parameters),
    ("keyed.timeout_is_honoured", timeout_is_honoured),
    ("keyed.access", access),
    ("keyed.names", names),
];
