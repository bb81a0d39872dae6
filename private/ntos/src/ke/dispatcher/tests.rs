//! Host tests of the dispatcher.
//!
//! Sources of the expectations (facts only), cited per test:
//! - [ERREF] [MS-ERREF] 2.3.1 NTSTATUS Values: the numeric codes.
//! - [KeWaitMulti] WDK docs, `KeWaitForMultipleObjects`: WaitAny returns `STATUS_WAIT_0 + i`
//!   of the object that satisfied it, WaitAll `STATUS_WAIT_0`; `STATUS_ALERTED`,
//!   `STATUS_USER_APC` for alertable waits; `STATUS_TIMEOUT`; zero timeout tests the
//!   state without waiting.
//! - [WFMO] Win32 docs, `WaitForMultipleObjects(Ex)`: several objects signalled → the
//!   smallest index; `WAIT_ABANDONED_0 + i`; nCount at most `MAXIMUM_WAIT_OBJECTS` and
//!   not zero; "may not contain multiple copies of the same handle"; WaitAll "does not
//!   modify the states of the specified objects until the states of all objects have
//!   been set to signaled".
//! - [Chen] R. Chen, The Old New Thing, 2011-02-25, "Why does WaitForMultipleObjects
//!   return ERROR_INVALID_PARAMETER when all the parameters look valid to me?": WaitAll
//!   rejects the same object twice (also through different handles). The NT status is
//!   `STATUS_INVALID_PARAMETER_MIX`, which Win32 maps to `ERROR_INVALID_PARAMETER`.
//! - [ring3k] The native-API test suite of mikemccormack/ring3k, written to pass on
//!   Windows (tests/thread.c, event.c, sema.c, mutant.c, timer.c):
//!   `NtWaitForMultipleObjects` with count 0 or 100 → `STATUS_INVALID_PARAMETER_1`
//!   (checked before the handles), the same handle twice in a WaitAny is accepted;
//!   an event's previous state is the `BOOLEAN` it was created with (2, or 0x78 from
//!   0x12345678) until set or reset, `NtCreateEvent` with type 2 →
//!   `STATUS_INVALID_PARAMETER`; `NtReleaseSemaphore` with count 0 →
//!   `STATUS_INVALID_PARAMETER` even with handle 0, past the maximum →
//!   `STATUS_SEMAPHORE_LIMIT_EXCEEDED` with the previous count left unwritten;
//!   `NtReleaseMutant` on an unowned mutant → `STATUS_MUTANT_NOT_OWNED`;
//!   `NtCreateTimer` with type ~0 → `STATUS_INVALID_PARAMETER_4`; `NtSetTimer`
//!   reports the previous signal state (1 after the timer fired).
//! - [KeSetEvent], [KeResetEvent], [KePulseEvent] WDK docs: each returns the previous
//!   signal state. [PulseEvent] Win32 docs: manual-reset releases all that can be
//!   released, auto-reset a single thread, then the event is reset; with no waiter it
//!   is simply reset.
//! - [EventObjects] Win32 "Event Objects": an auto-reset event stays signalled until a
//!   single waiting thread is released, then resets.
//! - [KeReleaseSemaphore] WDK docs: returns the previous count;
//!   `STATUS_SEMAPHORE_LIMIT_EXCEEDED` when the count would pass the limit.
//!   [CreateSemaphore] Win32 docs: maximum > 0, 0 <= initial <= maximum.
//!   [ReleaseSemaphore] Win32 docs: release count > 0; past the maximum the count is not
//!   changed and the call fails.
//! - [KeReleaseMutex] WDK docs: returns 0 when the release makes the mutex signalled
//!   (the previous signal state). [ReleaseMutex] Win32 docs: fails if the caller does
//!   not own the mutex (`STATUS_MUTANT_NOT_OWNED` [ERREF]); a thread that owns a mutex
//!   may wait on it again without blocking and must release it once per wait.
//!   [MutexObjects] Win32 "Mutex Objects": a mutex whose owner ends without releasing it
//!   is abandoned; the next waiting thread gets ownership and `WAIT_ABANDONED`.
//! - [SOAW] Win32 docs, `SignalObjectAndWait`: the object to signal is a semaphore, a
//!   mutex or an event; signal and wait are one operation.
//! - [Timers] Win32 "Waitable Timer Objects": a manual-reset (notification) timer stays
//!   signalled until reset; a synchronization timer stays signalled until one waiting
//!   thread is released.
//! - [NtWait] WDK docs, `NtWaitForSingleObject` / `ZwWaitForSingleObject`: timeout in
//!   100 ns units, negative relative, positive absolute.

extern crate std;

use std::vec;
use std::vec::Vec;

use ntdef::status::{STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_1};
use ntdef::NtStatus;

use super::status::*;
use super::*;

const T1: ThreadId = ThreadId(1);
const T2: ThreadId = ThreadId(2);
const T3: ThreadId = ThreadId(3);

fn pending(outcome: Result<WaitOutcome, NtStatus>) -> WaitId {
    match outcome {
        Ok(WaitOutcome::Pending(id)) => id,
        other => panic!("expected a pending wait, got {other:?}"),
    }
}

fn satisfied(outcome: Result<WaitOutcome, NtStatus>) -> NtStatus {
    match outcome {
        Ok(WaitOutcome::Satisfied(status)) => status,
        other => panic!("expected a satisfied wait, got {other:?}"),
    }
}

fn wait1(d: &mut Dispatcher, t: ThreadId, o: ObjectRef) -> Result<WaitOutcome, NtStatus> {
    d.wait(t, &[o], WaitType::WaitAny, false, None)
}

fn poll(d: &mut Dispatcher, t: ThreadId, objs: &[ObjectRef], wt: WaitType) -> NtStatus {
    satisfied(d.wait(t, objs, wt, false, Some(Timeout::Immediate)))
}

fn wait_n(n: u32) -> NtStatus {
    NtStatus::from_u32(n)
}

fn abandoned_n(n: u32) -> NtStatus {
    NtStatus::from_u32(0x80 + n)
}

fn c(wait: WaitId, thread: ThreadId, status: NtStatus) -> Completion {
    Completion {
        wait,
        thread,
        status,
    }
}

// ----- status values ---------------------------------------------------------------

#[test]
fn local_status_values_are_windows_values() {
    // [ERREF]
    assert_eq!(STATUS_WAIT_0.as_u32(), 0x0000_0000);
    assert_eq!(STATUS_ABANDONED_WAIT_0.as_u32(), 0x0000_0080);
    assert_eq!(STATUS_USER_APC.as_u32(), 0x0000_00C0);
    assert_eq!(STATUS_ALERTED.as_u32(), 0x0000_0101);
    assert_eq!(STATUS_TIMEOUT.as_u32(), 0x0000_0102);
    assert_eq!(STATUS_INVALID_HANDLE.as_u32(), 0xC000_0008);
    assert_eq!(STATUS_OBJECT_TYPE_MISMATCH.as_u32(), 0xC000_0024);
    assert_eq!(STATUS_INVALID_PARAMETER_MIX.as_u32(), 0xC000_0030);
    assert_eq!(STATUS_MUTANT_NOT_OWNED.as_u32(), 0xC000_0046);
    assert_eq!(STATUS_SEMAPHORE_LIMIT_EXCEEDED.as_u32(), 0xC000_0047);
    assert_eq!(STATUS_INSUFFICIENT_RESOURCES.as_u32(), 0xC000_009A);
    assert_eq!(STATUS_MUTANT_LIMIT_EXCEEDED.as_u32(), 0xC000_0191);
    // Success-class wait results, error-class failures.
    assert!(STATUS_TIMEOUT.is_success() && STATUS_ABANDONED_WAIT_0.is_success());
    assert!(STATUS_MUTANT_NOT_OWNED.is_error());
}

// ----- events ----------------------------------------------------------------------

#[test]
fn notification_event_releases_every_waiter_in_fifo_order_and_stays_set() {
    // [KeSetEvent] previous state; [EventObjects] manual reset releases all.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let w1 = pending(wait1(&mut d, T1, e));
    let w2 = pending(wait1(&mut d, T2, e));
    let w3 = pending(wait1(&mut d, T3, e));
    let r = d.set_event(e).unwrap();
    assert_eq!(r.value, 0);
    assert_eq!(
        r.completed,
        vec![
            c(w1, T1, STATUS_WAIT_0),
            c(w2, T2, STATUS_WAIT_0),
            c(w3, T3, STATUS_WAIT_0)
        ]
    );
    assert_eq!(d.pending_count(), 0);
    // Still set: a later wait is satisfied at once, the next set reports 1.
    assert_eq!(poll(&mut d, T1, &[e], WaitType::WaitAny), STATUS_WAIT_0);
    assert_eq!(d.set_event(e).unwrap().value, 1);
    assert_eq!(d.query_event(e).unwrap().state, 1);
}

#[test]
fn synchronization_event_releases_one_waiter_per_set() {
    // [EventObjects] auto reset releases a single thread; [KeSetEvent] previous state.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let w1 = pending(wait1(&mut d, T1, e));
    let w2 = pending(wait1(&mut d, T2, e));
    let r = d.set_event(e).unwrap();
    assert_eq!((r.value, r.completed), (0, vec![c(w1, T1, STATUS_WAIT_0)]));
    // Consumed by the released wait: not signalled, the other wait still pending.
    assert_eq!(d.query_event(e).unwrap().state, 0);
    assert!(d.is_pending(w2));
    let r = d.set_event(e).unwrap();
    assert_eq!((r.value, r.completed), (0, vec![c(w2, T2, STATUS_WAIT_0)]));
    // No waiter: the event stays set until one wait consumes it.
    assert_eq!(d.set_event(e).unwrap().completed, vec![]);
    assert_eq!(d.set_event(e).unwrap().value, 1);
    assert_eq!(poll(&mut d, T3, &[e], WaitType::WaitAny), STATUS_WAIT_0);
    assert_eq!(poll(&mut d, T3, &[e], WaitType::WaitAny), STATUS_TIMEOUT);
}

#[test]
fn pulse_without_waiters_leaves_the_event_reset() {
    // [KePulseEvent] previous state; [PulseEvent] no waiter → simply reset.
    let mut d = Dispatcher::new();
    for kind in [EventType::Notification, EventType::Synchronization] {
        let e = d.create_event(kind, 0).unwrap();
        let r = d.pulse_event(e).unwrap();
        assert_eq!((r.value, r.completed), (0, vec![]));
        assert_eq!(d.query_event(e).unwrap().state, 0);
        assert_eq!(poll(&mut d, T1, &[e], WaitType::WaitAny), STATUS_TIMEOUT);
        // Pulsing a set event reports 1 and resets it.
        d.set_event(e).unwrap();
        assert_eq!(d.pulse_event(e).unwrap().value, 1);
        assert_eq!(d.query_event(e).unwrap().state, 0);
    }
}

#[test]
fn pulse_releases_all_or_one_then_resets() {
    // [PulseEvent]: manual reset releases all waiters, auto reset one; then reset.
    let mut d = Dispatcher::new();
    let n = d.create_event(EventType::Notification, 0).unwrap();
    let a = pending(wait1(&mut d, T1, n));
    let b = pending(wait1(&mut d, T2, n));
    let r = d.pulse_event(n).unwrap();
    assert_eq!(
        r.completed,
        vec![c(a, T1, STATUS_WAIT_0), c(b, T2, STATUS_WAIT_0)]
    );
    assert_eq!(d.query_event(n).unwrap().state, 0);

    let s = d.create_event(EventType::Synchronization, 0).unwrap();
    let a = pending(wait1(&mut d, T1, s));
    let b = pending(wait1(&mut d, T2, s));
    let r = d.pulse_event(s).unwrap();
    assert_eq!(r.completed, vec![c(a, T1, STATUS_WAIT_0)]);
    assert!(d.is_pending(b));
    assert_eq!(d.query_event(s).unwrap().state, 0);
}

#[test]
fn reset_clear_and_query_event() {
    // [KeResetEvent] previous state.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 1).unwrap();
    assert_eq!(
        d.query_event(e).unwrap(),
        EventInfo {
            event_type: EventType::Notification,
            state: 1
        }
    );
    assert_eq!(d.reset_event(e), Ok(1));
    assert_eq!(d.reset_event(e), Ok(0));
    d.set_event(e).unwrap();
    assert_eq!(d.clear_event(e), Ok(()));
    assert_eq!(d.query_event(e).unwrap().state, 0);
    let s = d.create_event(EventType::Synchronization, 0).unwrap();
    assert_eq!(
        d.query_event(s).unwrap().event_type as u32,
        1,
        "SynchronizationEvent"
    );
}

// ----- wait rules --------------------------------------------------------------------

#[test]
fn wait_any_reports_the_lowest_signalled_index_and_consumes_only_it() {
    // [WFMO] smallest index; [KeWaitMulti] STATUS_WAIT_0 + index.
    let mut d = Dispatcher::new();
    let e0 = d.create_event(EventType::Synchronization, 0).unwrap();
    let e1 = d.create_event(EventType::Synchronization, 1).unwrap();
    let e2 = d.create_event(EventType::Synchronization, 1).unwrap();
    let objs = [e0, e1, e2];
    assert_eq!(poll(&mut d, T1, &objs, WaitType::WaitAny), wait_n(1));
    // e2 was not consumed by that wait.
    assert_eq!(d.query_event(e2).unwrap().state, 1);
    assert_eq!(poll(&mut d, T1, &objs, WaitType::WaitAny), wait_n(2));
    assert_eq!(poll(&mut d, T1, &objs, WaitType::WaitAny), STATUS_TIMEOUT);
    // Pending: the index of the object that released it.
    let w = pending(d.wait(T1, &objs, WaitType::WaitAny, false, None));
    assert_eq!(
        d.set_event(e2).unwrap().completed,
        vec![c(w, T1, wait_n(2))]
    );
}

#[test]
fn wait_all_with_partial_availability_consumes_nothing() {
    // [WFMO] WaitAll changes no state until all are signalled; [KeWaitMulti] WaitAll
    // returns STATUS_WAIT_0.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 1).unwrap();
    let s = d.create_semaphore(1, 5).unwrap();
    let m = d.create_mutant(None).unwrap();
    let gate = d.create_event(EventType::Synchronization, 0).unwrap();
    let objs = [e, s, m, gate];
    assert_eq!(poll(&mut d, T1, &objs, WaitType::WaitAll), STATUS_TIMEOUT);
    let w = pending(d.wait(T1, &objs, WaitType::WaitAll, false, None));
    // Nothing consumed by either attempt.
    assert_eq!(d.query_event(e).unwrap().state, 1);
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 1);
    assert_eq!(
        d.query_mutant(m, T1).unwrap(),
        MutantInfo {
            current_count: 1,
            owned_by_caller: false,
            abandoned: false
        }
    );
    // Meanwhile others can take the available objects; the WaitAll keeps waiting.
    assert_eq!(poll(&mut d, T2, &[s], WaitType::WaitAny), STATUS_WAIT_0);
    assert!(d.set_event(gate).unwrap().completed.is_empty());
    assert!(d.is_pending(w));
    // The last missing piece releases it, and then everything is consumed at once.
    let r = d.release_semaphore(s, 1).unwrap();
    assert_eq!(r.completed, vec![c(w, T1, STATUS_WAIT_0)]);
    assert_eq!(d.query_event(e).unwrap().state, 0);
    assert_eq!(d.query_event(gate).unwrap().state, 0);
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 0);
    let mi = d.query_mutant(m, T1).unwrap();
    assert_eq!((mi.current_count, mi.owned_by_caller), (0, true));
}

#[test]
fn wait_all_duplicate_object_is_invalid_parameter_mix_but_wait_any_accepts_it() {
    // [Chen] WaitAll rejects duplicates; [ring3k] WaitAny accepts them.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let f = d.create_event(EventType::Notification, 0).unwrap();
    assert_eq!(
        d.wait(T1, &[e, f, e], WaitType::WaitAll, false, None),
        Err(STATUS_INVALID_PARAMETER_MIX)
    );
    assert_eq!(d.pending_count(), 0);
    assert_eq!(
        poll(&mut d, T1, &[f, e, e], WaitType::WaitAny),
        STATUS_TIMEOUT
    );
    let w = pending(d.wait(T1, &[f, e, e], WaitType::WaitAny, false, None));
    // Released once, with the first index of the object.
    let r = d.set_event(e).unwrap();
    assert_eq!(r.completed, vec![c(w, T1, wait_n(1))]);
    assert_eq!(d.pending_count(), 0);
}

#[test]
fn object_count_bounds_are_invalid_parameter_1() {
    // [ring3k] count 0 and count > MAXIMUM_WAIT_OBJECTS; [WFMO] at most 64, not zero.
    let mut d = Dispatcher::new();
    let events: Vec<ObjectRef> = (0..65)
        .map(|_| d.create_event(EventType::Notification, 1).unwrap())
        .collect();
    for wt in [WaitType::WaitAny, WaitType::WaitAll] {
        assert_eq!(
            d.wait(T1, &[], wt, false, None),
            Err(STATUS_INVALID_PARAMETER_1)
        );
        assert_eq!(
            d.wait(T1, &events, wt, false, None),
            Err(STATUS_INVALID_PARAMETER_1)
        );
        assert_eq!(poll(&mut d, T1, &events[..64], wt), STATUS_WAIT_0);
    }
    // The 64th object (index 63) is still addressable: STATUS_WAIT_63.
    let last: Vec<ObjectRef> = (0..64)
        .map(|n| {
            d.create_event(EventType::Notification, u8::from(n == 63))
                .unwrap()
        })
        .collect();
    assert_eq!(poll(&mut d, T1, &last, WaitType::WaitAny), wait_n(63));
}

#[test]
fn zero_timeout_never_pends() {
    // [KeWaitMulti] zero timeout: test and return; STATUS_TIMEOUT if not satisfied.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let t = Timeout::from_nt(0, 12345);
    assert_eq!(
        satisfied(d.wait(T1, &[e], WaitType::WaitAny, true, Some(t))),
        STATUS_TIMEOUT
    );
    // An absolute time already past does not wait either. [NtWait]
    let past = Timeout::from_nt(100, 12345);
    assert_eq!(
        satisfied(d.wait(T1, &[e], WaitType::WaitAll, false, Some(past))),
        STATUS_TIMEOUT
    );
    assert_eq!(d.pending_count(), 0);
    d.set_event(e).unwrap();
    assert_eq!(
        satisfied(d.wait(T1, &[e], WaitType::WaitAny, false, Some(t))),
        STATUS_WAIT_0
    );
}

#[test]
fn many_waiters_on_a_semaphore_are_released_in_arrival_order() {
    // [KeReleaseSemaphore] previous count; FIFO release order (NT wait lists).
    let mut d = Dispatcher::new();
    let s = d.create_semaphore(0, 1000).unwrap();
    let ids: Vec<WaitId> = (0..500)
        .map(|t| pending(wait1(&mut d, ThreadId(t), s)))
        .collect();
    let r = d.release_semaphore(s, 10).unwrap();
    assert_eq!(r.value, 0);
    let expected: Vec<Completion> = (0..10)
        .map(|t| c(ids[t], ThreadId(t as u64), STATUS_WAIT_0))
        .collect();
    assert_eq!(r.completed, expected);
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 0);
    assert_eq!(d.pending_count(), 490);
    // Release more than there are waiters: the rest stays in the count.
    let r = d.release_semaphore(s, 600).unwrap();
    assert_eq!(r.completed.len(), 490);
    assert_eq!(r.completed[0].thread, ThreadId(10));
    assert_eq!(r.completed[489].thread, ThreadId(499));
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 110);
}

#[test]
fn ping_pong_with_signal_and_wait() {
    // [SOAW] signal and wait as one step; [EventObjects] auto reset.
    let mut d = Dispatcher::new();
    let ping = d.create_event(EventType::Synchronization, 0).unwrap();
    let pong = d.create_event(EventType::Synchronization, 0).unwrap();
    // T2 waits for ping.
    let mut t2_wait = pending(wait1(&mut d, T2, ping));
    for _ in 0..100 {
        // T1 signals ping and waits for pong: T2 is released, T1 pends.
        let r = d.signal_and_wait(T1, ping, pong, false, None).unwrap();
        assert_eq!(r.completed, vec![c(t2_wait, T2, STATUS_WAIT_0)]);
        let WaitOutcome::Pending(t1_wait) = r.value else {
            panic!("T1 should wait for pong")
        };
        // T2 answers: signal pong, wait for ping again.
        let r = d.signal_and_wait(T2, pong, ping, false, None).unwrap();
        assert_eq!(r.completed, vec![c(t1_wait, T1, STATUS_WAIT_0)]);
        t2_wait = match r.value {
            WaitOutcome::Pending(id) => id,
            other => panic!("T2 should wait for ping, got {other:?}"),
        };
        // Both events were consumed by the waits they released.
        assert_eq!(d.query_event(ping).unwrap().state, 0);
        assert_eq!(d.query_event(pong).unwrap().state, 0);
    }
    assert_eq!(d.pending_count(), 1);
}

#[test]
fn wait_all_and_wait_any_compete_in_arrival_order() {
    // FIFO wait test: a WaitAll that cannot complete does not block later waiters.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let other = d.create_event(EventType::Notification, 0).unwrap();
    let all = pending(d.wait(T1, &[e, other], WaitType::WaitAll, false, None));
    let any = pending(wait1(&mut d, T2, e));
    assert_eq!(
        d.set_event(e).unwrap().completed,
        vec![c(any, T2, STATUS_WAIT_0)]
    );
    assert!(d.is_pending(all));
    d.set_event(other).unwrap();
    assert!(d.is_pending(all));
    assert_eq!(
        d.set_event(e).unwrap().completed,
        vec![c(all, T1, STATUS_WAIT_0)]
    );
}

// ----- mutants -----------------------------------------------------------------------

#[test]
fn mutant_recursion_and_previous_counts() {
    // [ReleaseMutex] owner re-acquires without blocking, releases once per wait;
    // [KeReleaseMutex] 0 when the release frees it (previous signal state).
    let mut d = Dispatcher::new();
    let m = d.create_mutant(Some(T1)).unwrap();
    assert_eq!(d.query_mutant(m, T1).unwrap().current_count, 0);
    assert!(d.query_mutant(m, T1).unwrap().owned_by_caller);
    assert!(!d.query_mutant(m, T2).unwrap().owned_by_caller);
    assert_eq!(poll(&mut d, T1, &[m], WaitType::WaitAny), STATUS_WAIT_0);
    assert_eq!(poll(&mut d, T1, &[m], WaitType::WaitAll), STATUS_WAIT_0);
    assert_eq!(d.query_mutant(m, T1).unwrap().current_count, -2);
    assert_eq!(poll(&mut d, T2, &[m], WaitType::WaitAny), STATUS_TIMEOUT);
    let w = pending(wait1(&mut d, T2, m));
    let r = d.release_mutant(m, T1).unwrap();
    assert_eq!((r.value, r.completed.len()), (-2, 0));
    assert_eq!(d.release_mutant(m, T1).unwrap().value, -1);
    // The last release frees it and hands it to the first waiter.
    let r = d.release_mutant(m, T1).unwrap();
    assert_eq!(r.value, 0);
    assert_eq!(r.completed, vec![c(w, T2, STATUS_WAIT_0)]);
    let info = d.query_mutant(m, T2).unwrap();
    assert_eq!((info.current_count, info.owned_by_caller), (0, true));
}

#[test]
fn mutant_release_by_non_owner_is_not_owned() {
    // [ReleaseMutex] fails for a non-owner: STATUS_MUTANT_NOT_OWNED [ERREF].
    let mut d = Dispatcher::new();
    let free = d.create_mutant(None).unwrap();
    assert_eq!(d.release_mutant(free, T1), Err(STATUS_MUTANT_NOT_OWNED));
    let owned = d.create_mutant(Some(T1)).unwrap();
    assert_eq!(d.release_mutant(owned, T2), Err(STATUS_MUTANT_NOT_OWNED));
    // Unchanged by the failed release.
    assert_eq!(d.query_mutant(owned, T1).unwrap().current_count, 0);
    assert_eq!(d.release_mutant(owned, T1).unwrap().value, 0);
    assert_eq!(d.release_mutant(owned, T1), Err(STATUS_MUTANT_NOT_OWNED));
}

#[test]
fn abandoned_mutant_goes_to_the_next_waiter_with_abandoned_status() {
    // [MutexObjects] abandonment; [WFMO] WAIT_ABANDONED_0 + index.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let m = d.create_mutant(Some(T1)).unwrap();
    // T1 holds it recursively; T2 waits on [e, m], T3 on m.
    assert_eq!(poll(&mut d, T1, &[m], WaitType::WaitAny), STATUS_WAIT_0);
    let w2 = pending(d.wait(T2, &[e, m], WaitType::WaitAny, false, None));
    let w3 = pending(wait1(&mut d, T3, m));
    let r = d.thread_exit(T1);
    assert_eq!(r.value, vec![]);
    assert_eq!(r.completed, vec![c(w2, T2, abandoned_n(1))]);
    // Reported once: T2 owns an ordinary mutant now.
    let info = d.query_mutant(m, T2).unwrap();
    assert_eq!(
        info,
        MutantInfo {
            current_count: 0,
            owned_by_caller: true,
            abandoned: false
        }
    );
    let r = d.release_mutant(m, T2).unwrap();
    assert_eq!(r.completed, vec![c(w3, T3, STATUS_WAIT_0)]);
}

#[test]
fn abandoned_mutant_without_waiters_tells_the_next_acquirer() {
    // [MutexObjects]; [WFMO] WaitAll range starts at WAIT_ABANDONED_0.
    let mut d = Dispatcher::new();
    let m = d.create_mutant(Some(T1)).unwrap();
    let r = d.thread_exit(T1);
    assert!(r.completed.is_empty());
    let info = d.query_mutant(m, T2).unwrap();
    assert_eq!((info.current_count, info.abandoned), (1, true));
    // Nobody owns it: releasing is still "not owned".
    assert_eq!(d.release_mutant(m, T2), Err(STATUS_MUTANT_NOT_OWNED));
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let s = d.create_semaphore(0, 1).unwrap();
    assert_eq!(
        poll(&mut d, T2, &[e, s, m], WaitType::WaitAny),
        abandoned_n(2)
    );
    d.release_mutant(m, T2).unwrap();
    assert_eq!(poll(&mut d, T3, &[e, s, m], WaitType::WaitAny), wait_n(2));
    d.release_mutant(m, T3).unwrap();
    d.release_semaphore(s, 1).unwrap();
    assert_eq!(poll(&mut d, T3, &[e, s, m], WaitType::WaitAny), wait_n(1));
    // WaitAll over an abandoned mutant reports the abandoned base value.
    let m2 = d.create_mutant(Some(T1)).unwrap();
    d.thread_exit(T1);
    d.set_event(e).unwrap();
    assert_eq!(
        poll(&mut d, T2, &[e, m2], WaitType::WaitAll),
        STATUS_ABANDONED_WAIT_0
    );
}

#[test]
fn thread_exit_drops_the_threads_own_waits() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let a = pending(wait1(&mut d, T1, e));
    let b = pending(wait1(&mut d, T2, e));
    let r = d.thread_exit(T1);
    assert_eq!(r.value, vec![a]);
    assert!(!d.is_pending(a));
    assert_eq!(
        d.set_event(e).unwrap().completed,
        vec![c(b, T2, STATUS_WAIT_0)]
    );
    // Exiting again, or a thread that never did anything: nothing to do.
    assert_eq!(
        d.thread_exit(T1),
        Effect {
            value: vec![],
            completed: vec![]
        }
    );
}

#[test]
fn mutant_recursion_limit() {
    // STATUS_MUTANT_LIMIT_EXCEEDED [ERREF]: one more acquisition than the count holds.
    let mut d = Dispatcher::new();
    let m = d.create_mutant(Some(T1)).unwrap();
    // Reaching the limit needs 2^31 waits; set the count directly.
    if let Some(Kind::Mutant { count, .. }) = d.slot_mut(m.slot).map(|s| &mut s.kind) {
        *count = i32::MIN + 1;
    }
    assert_eq!(poll(&mut d, T1, &[m], WaitType::WaitAny), STATUS_WAIT_0);
    assert_eq!(d.query_mutant(m, T1).unwrap().current_count, i32::MIN);
    assert_eq!(
        d.wait(T1, &[m], WaitType::WaitAny, false, None),
        Err(STATUS_MUTANT_LIMIT_EXCEEDED)
    );
    let e = d.create_event(EventType::Notification, 1).unwrap();
    assert_eq!(
        d.wait(T1, &[e, m], WaitType::WaitAll, false, None),
        Err(STATUS_MUTANT_LIMIT_EXCEEDED)
    );
    // The event was not consumed, nor the mutant count changed.
    assert_eq!(d.query_mutant(m, T1).unwrap().current_count, i32::MIN);
    // A lower index that is satisfied first wins, as in any WaitAny.
    assert_eq!(poll(&mut d, T1, &[e, m], WaitType::WaitAny), STATUS_WAIT_0);
    // Releasing still works from the bottom of the range.
    assert_eq!(d.release_mutant(m, T1).unwrap().value, i32::MIN);
}

// ----- semaphores --------------------------------------------------------------------

#[test]
fn semaphore_creation_is_validated() {
    // [CreateSemaphore]: maximum > 0, 0 <= initial <= maximum → else
    // STATUS_INVALID_PARAMETER.
    let mut d = Dispatcher::new();
    for (initial, maximum) in [
        (0, 0),
        (1, 0),
        (-1, 5),
        (6, 5),
        (0, -1),
        (i32::MIN, i32::MAX),
    ] {
        assert_eq!(
            d.create_semaphore(initial, maximum),
            Err(STATUS_INVALID_PARAMETER),
            "({initial}, {maximum})"
        );
    }
    assert_eq!(d.object_count(), 0);
    let s = d.create_semaphore(5, 5).unwrap();
    assert_eq!(
        d.query_semaphore(s).unwrap(),
        SemaphoreInfo {
            current_count: 5,
            maximum_count: 5
        }
    );
    assert!(d.create_semaphore(0, i32::MAX).is_ok());
}

#[test]
fn semaphore_release_limits() {
    // [KeReleaseSemaphore] previous count / STATUS_SEMAPHORE_LIMIT_EXCEEDED;
    // [ReleaseSemaphore] count > 0, unchanged past the maximum.
    let mut d = Dispatcher::new();
    let s = d.create_semaphore(1, 3).unwrap();
    assert_eq!(d.release_semaphore(s, 0), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(d.release_semaphore(s, -1), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(
        d.release_semaphore(s, 3),
        Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)
    );
    assert_eq!(
        d.release_semaphore(s, i32::MAX),
        Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)
    );
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 1);
    assert_eq!(d.release_semaphore(s, 2).unwrap().value, 1);
    assert_eq!(
        d.release_semaphore(s, 1),
        Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)
    );
    // Each satisfied wait takes one unit.
    for _ in 0..3 {
        assert_eq!(poll(&mut d, T1, &[s], WaitType::WaitAny), STATUS_WAIT_0);
    }
    assert_eq!(poll(&mut d, T1, &[s], WaitType::WaitAny), STATUS_TIMEOUT);
    // At the maximum of i32 the count does not overflow.
    let big = d.create_semaphore(i32::MAX - 1, i32::MAX).unwrap();
    assert_eq!(d.release_semaphore(big, 1).unwrap().value, i32::MAX - 1);
    assert_eq!(
        d.release_semaphore(big, 1),
        Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)
    );
}

// ----- timers, processes, threads ------------------------------------------------------

#[test]
fn notification_timer_releases_all_and_stays_signalled() {
    // [Timers]
    let mut d = Dispatcher::new();
    let t = d.create_timer(TimerType::Notification).unwrap();
    assert_eq!(d.query_timer(t), Ok(false));
    let a = pending(wait1(&mut d, T1, t));
    let b = pending(wait1(&mut d, T2, t));
    assert_eq!(
        d.fire(t).unwrap(),
        vec![c(a, T1, STATUS_WAIT_0), c(b, T2, STATUS_WAIT_0)]
    );
    assert_eq!(d.query_timer(t), Ok(true));
    assert_eq!(poll(&mut d, T3, &[t], WaitType::WaitAny), STATUS_WAIT_0);
    // Setting the timer again clears the signal and reports the previous state.
    assert_eq!(d.reset_timer(t), Ok(true));
    assert_eq!(d.reset_timer(t), Ok(false));
    assert_eq!(poll(&mut d, T3, &[t], WaitType::WaitAny), STATUS_TIMEOUT);
}

#[test]
fn synchronization_timer_releases_one_waiter() {
    // [Timers]
    let mut d = Dispatcher::new();
    let t = d.create_timer(TimerType::Synchronization).unwrap();
    let a = pending(wait1(&mut d, T1, t));
    let b = pending(wait1(&mut d, T2, t));
    assert_eq!(d.fire(t).unwrap(), vec![c(a, T1, STATUS_WAIT_0)]);
    assert_eq!(d.query_timer(t), Ok(false));
    // The caller re-arms a periodic timer and fires it again.
    assert_eq!(d.fire(t).unwrap(), vec![c(b, T2, STATUS_WAIT_0)]);
    // Fired with nobody waiting: signalled until one wait takes it.
    assert!(d.fire(t).unwrap().is_empty());
    assert_eq!(poll(&mut d, T3, &[t], WaitType::WaitAny), STATUS_WAIT_0);
    assert_eq!(poll(&mut d, T3, &[t], WaitType::WaitAny), STATUS_TIMEOUT);
}

#[test]
fn process_and_thread_objects_are_signalled_once_for_good() {
    let mut d = Dispatcher::new();
    let p = d.create_signal_once().unwrap();
    let a = pending(wait1(&mut d, T1, p));
    let b = pending(d.wait(T2, &[p], WaitType::WaitAll, false, None));
    assert_eq!(
        d.signal_forever(p).unwrap(),
        vec![c(a, T1, STATUS_WAIT_0), c(b, T2, STATUS_WAIT_0)]
    );
    for _ in 0..3 {
        assert_eq!(poll(&mut d, T3, &[p], WaitType::WaitAny), STATUS_WAIT_0);
    }
    assert_eq!(d.signal_forever(p), Ok(vec![]));
}

// ----- cancellation and time -----------------------------------------------------------

#[test]
fn cancel_wait_for_timeout_alert_and_apc() {
    // [KeWaitMulti] STATUS_TIMEOUT; STATUS_ALERTED and STATUS_USER_APC only for
    // alertable waits.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let plain = pending(d.wait(T1, &[e], WaitType::WaitAny, false, None));
    let alertable = pending(d.wait(T2, &[e], WaitType::WaitAny, true, None));
    assert_eq!(d.cancel_wait(plain, CancelReason::Alert), None);
    assert_eq!(d.cancel_wait(plain, CancelReason::UserApc), None);
    assert!(d.is_pending(plain));
    assert_eq!(
        d.cancel_wait(alertable, CancelReason::Alert),
        Some(c(alertable, T2, STATUS_ALERTED))
    );
    let apc = pending(d.wait(T2, &[e], WaitType::WaitAny, true, None));
    assert_eq!(
        d.cancel_wait(apc, CancelReason::UserApc),
        Some(c(apc, T2, STATUS_USER_APC))
    );
    assert_eq!(
        d.cancel_wait(plain, CancelReason::Timeout),
        Some(c(plain, T1, STATUS_TIMEOUT))
    );
    // Dead waits: cancelling again or after completion does nothing.
    assert_eq!(d.cancel_wait(plain, CancelReason::Timeout), None);
    assert_eq!(d.cancel_wait(alertable, CancelReason::Alert), None);
    // A cancelled wait no longer consumes the event.
    assert!(d.set_event(e).unwrap().completed.is_empty());
    assert_eq!(d.query_event(e).unwrap().state, 1);
}

#[test]
fn expire_times_out_due_waits_earliest_first() {
    // [NtWait] relative (negative) and absolute (positive) timeouts, one clock.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let now = 1_000;
    let late = pending(d.wait(
        T1,
        &[e],
        WaitType::WaitAny,
        false,
        Some(Timeout::from_nt(-500, now)),
    ));
    let early = pending(d.wait(
        T2,
        &[e],
        WaitType::WaitAny,
        false,
        Some(Timeout::from_nt(1_200, now)),
    ));
    let forever = pending(wait1(&mut d, T3, e));
    assert_eq!(d.next_deadline(), Some(1_200));
    assert_eq!(d.expire(1_199), vec![]);
    assert_eq!(
        d.expire(2_000),
        vec![c(early, T2, STATUS_TIMEOUT), c(late, T1, STATUS_TIMEOUT)]
    );
    assert_eq!(d.next_deadline(), None);
    assert!(d.is_pending(forever));
    // A wait satisfied before its deadline is not timed out later.
    let w = pending(d.wait(T1, &[e], WaitType::WaitAny, false, Some(Timeout::At(5_000))));
    let done = d.set_event(e).unwrap().completed;
    assert_eq!(
        done,
        vec![c(forever, T3, STATUS_WAIT_0), c(w, T1, STATUS_WAIT_0)]
    );
    assert_eq!(d.expire(u64::MAX), vec![]);
}

// ----- signal and wait -----------------------------------------------------------------

#[test]
fn signal_and_wait_errors_change_nothing() {
    // [SOAW] signal object: event, semaphore or mutex; [ReleaseMutex] non-owner →
    // STATUS_MUTANT_NOT_OWNED; [KeReleaseSemaphore] limit.
    let mut d = Dispatcher::new();
    let target = d.create_event(EventType::Synchronization, 1).unwrap();
    let m = d.create_mutant(Some(T2)).unwrap();
    assert_eq!(
        d.signal_and_wait(T1, m, target, false, None),
        Err(STATUS_MUTANT_NOT_OWNED)
    );
    let s = d.create_semaphore(1, 1).unwrap();
    assert_eq!(
        d.signal_and_wait(T1, s, target, false, None),
        Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)
    );
    let timer = d.create_timer(TimerType::Notification).unwrap();
    let proc_obj = d.create_signal_once().unwrap();
    for obj in [timer, proc_obj] {
        assert_eq!(
            d.signal_and_wait(T1, obj, target, false, None),
            Err(STATUS_OBJECT_TYPE_MISMATCH)
        );
    }
    // No wait was made and the target was not consumed.
    assert_eq!(d.pending_count(), 0);
    assert_eq!(d.query_event(target).unwrap().state, 1);
    assert_eq!(d.query_mutant(m, T2).unwrap().current_count, 0);
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 1);
    // Stale references on either side.
    let gone = d.create_event(EventType::Notification, 0).unwrap();
    d.delete(gone).unwrap();
    assert_eq!(
        d.signal_and_wait(T1, gone, target, false, None),
        Err(STATUS_INVALID_HANDLE)
    );
    let e = d.create_event(EventType::Notification, 0).unwrap();
    assert_eq!(
        d.signal_and_wait(T1, e, gone, false, None),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(d.query_event(e).unwrap().state, 0);
}

#[test]
fn signal_and_wait_on_a_mutant_hands_it_over_first() {
    // [SOAW] one operation: the release runs the mutant's queue before this wait joins.
    let mut d = Dispatcher::new();
    let m = d.create_mutant(Some(T1)).unwrap();
    let w2 = pending(wait1(&mut d, T2, m));
    let r = d.signal_and_wait(T1, m, m, false, None).unwrap();
    assert_eq!(r.completed, vec![c(w2, T2, STATUS_WAIT_0)]);
    let WaitOutcome::Pending(w1) = r.value else {
        panic!("T1 should queue behind T2")
    };
    assert_eq!(
        d.release_mutant(m, T2).unwrap().completed,
        vec![c(w1, T1, STATUS_WAIT_0)]
    );
    // Alone, the owner gets it straight back; a semaphore release feeds its own wait.
    let r = d.signal_and_wait(T1, m, m, false, None).unwrap();
    assert_eq!(r.value, WaitOutcome::Satisfied(STATUS_WAIT_0));
    let s = d.create_semaphore(0, 1).unwrap();
    let r = d
        .signal_and_wait(T3, s, s, false, Some(Timeout::Immediate))
        .unwrap();
    assert_eq!(r.value, WaitOutcome::Satisfied(STATUS_WAIT_0));
}

// ----- hostile and stale inputs ----------------------------------------------------------

#[test]
fn stale_and_mismatched_references_are_refused() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let s = d.create_semaphore(0, 1).unwrap();
    // Type mismatches.
    assert_eq!(d.set_event(s).map(|_| ()), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(
        d.release_semaphore(e, 1).map(|_| ()),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        d.release_mutant(e, T1).map(|_| ()),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(d.fire(e), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.reset_timer(e), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.signal_forever(e), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.query_mutant(s, T1), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.query_event(s), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.query_semaphore(e), Err(STATUS_OBJECT_TYPE_MISMATCH));
    assert_eq!(d.query_timer(e), Err(STATUS_OBJECT_TYPE_MISMATCH));
    // Deleted objects, and a new object in the recycled slot: the old name stays dead.
    d.delete(e).unwrap();
    assert_eq!(d.delete(e), Err(STATUS_INVALID_HANDLE));
    let e2 = d.create_event(EventType::Notification, 1).unwrap();
    assert_eq!(e2.slot, e.slot, "slot reused");
    assert_eq!(d.set_event(e).map(|_| ()), Err(STATUS_INVALID_HANDLE));
    assert_eq!(d.query_event(e), Err(STATUS_INVALID_HANDLE));
    assert_eq!(
        d.wait(T1, &[e2, e], WaitType::WaitAny, false, None),
        Err(STATUS_INVALID_HANDLE)
    );
    // Forged references.
    let forged = ObjectRef {
        slot: 9_999,
        serial: 1,
    };
    assert_eq!(d.set_event(forged).map(|_| ()), Err(STATUS_INVALID_HANDLE));
    let forged_wait = WaitId {
        slot: 0,
        serial: 424_242,
    };
    assert_eq!(d.cancel_wait(forged_wait, CancelReason::Timeout), None);
    assert!(!d.is_pending(forged_wait));
    // Nothing of the refused waits was recorded.
    assert_eq!(d.pending_count(), 0);
}

#[test]
fn deleting_a_waited_object_keeps_the_waits_until_they_end() {
    let mut d = Dispatcher::new();
    let gone = d.create_event(EventType::Synchronization, 0).unwrap();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    let w = pending(d.wait(T1, &[gone, e], WaitType::WaitAny, false, None));
    d.delete(gone).unwrap();
    assert_eq!(d.object_count(), 2, "kept alive by the wait");
    // The remaining object still completes the wait with its index.
    assert_eq!(d.set_event(e).unwrap().completed, vec![c(w, T1, wait_n(1))]);
    assert_eq!(d.object_count(), 1, "freed with its last wait");
    // A cancelled wait frees it too.
    let gone = d.create_event(EventType::Synchronization, 0).unwrap();
    let w = pending(wait1(&mut d, T1, gone));
    d.delete(gone).unwrap();
    assert_eq!(d.object_count(), 2);
    assert!(d.cancel_wait(w, CancelReason::Timeout).is_some());
    assert_eq!(d.object_count(), 1);
    // An owned mutant lives until its owner lets go (here: by exiting).
    let m = d.create_mutant(Some(T2)).unwrap();
    d.delete(m).unwrap();
    assert_eq!(d.object_count(), 2);
    d.thread_exit(T2);
    assert_eq!(d.object_count(), 1);
}

#[test]
fn a_slot_reused_by_a_new_wait_does_not_answer_to_the_old_id() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let old = pending(wait1(&mut d, T1, e));
    d.cancel_wait(old, CancelReason::Timeout).unwrap();
    let new = pending(wait1(&mut d, T2, e));
    assert_eq!(new.slot, old.slot, "slot reused");
    assert_eq!(d.cancel_wait(old, CancelReason::Timeout), None);
    assert!(d.is_pending(new));
    assert_eq!(
        d.set_event(e).unwrap().completed,
        vec![c(new, T2, STATUS_WAIT_0)]
    );
}

#[test]
fn churn_leaves_no_residue() {
    // Many create / wait / complete / cancel / delete cycles: tables return to empty.
    let mut d = Dispatcher::new();
    for round in 0..50u64 {
        let e = d.create_event(EventType::Synchronization, 0).unwrap();
        let s = d.create_semaphore(0, 10).unwrap();
        let ids: Vec<WaitId> = (0..10)
            .map(|t| {
                pending(d.wait(
                    ThreadId(t),
                    &[e, s],
                    WaitType::WaitAny,
                    round % 2 == 0,
                    Some(Timeout::At(round)),
                ))
            })
            .collect();
        d.set_event(e).unwrap();
        d.release_semaphore(s, 3).unwrap();
        let _ = d.cancel_wait(ids[9], CancelReason::Alert);
        d.delete(e).unwrap();
        d.delete(s).unwrap();
        let expired = d.expire(round);
        assert!(expired.iter().all(|x| x.status == STATUS_TIMEOUT));
        assert_eq!(d.pending_count(), 0);
        assert_eq!(d.object_count(), 0);
    }
    assert!(
        d.objects.len() <= 2 && d.waits.len() <= 10,
        "slots are recycled"
    );
}

#[test]
fn event_previous_state_is_the_boolean_it_was_created_with() {
    // [ring3k] event.c: created with 2 → reset reports 2; 0x78 → set reports 0x78.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 2).unwrap();
    assert_eq!(d.query_event(e).unwrap().state, 2);
    assert_eq!(d.reset_event(e), Ok(2));
    assert_eq!(d.set_event(e).unwrap().value, 0);
    assert_eq!(d.reset_event(e), Ok(1));
    let s = d.create_event(EventType::Synchronization, 0x78).unwrap();
    assert_eq!(poll(&mut d, T1, &[s], WaitType::WaitAny), STATUS_WAIT_0);
    let s = d.create_event(EventType::Synchronization, 0x78).unwrap();
    assert_eq!(d.set_event(s).unwrap().value, 0x78);
    assert_eq!(d.query_event(s).unwrap().state, 1);
}

#[test]
fn object_types_from_nt_values() {
    // [ring3k] event.c (type 2) and timer.c (type ~0).
    assert_eq!(EventType::from_nt(0), Ok(EventType::Notification));
    assert_eq!(EventType::from_nt(1), Ok(EventType::Synchronization));
    assert_eq!(EventType::from_nt(2), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(TimerType::from_nt(1), Ok(TimerType::Synchronization));
    assert_eq!(TimerType::from_nt(!0), Err(STATUS_INVALID_PARAMETER_4));
    assert_eq!(STATUS_INVALID_PARAMETER_4.as_u32(), 0xC000_00F2); // [ERREF]
}

#[test]
fn semaphore_release_count_is_checked_before_the_object() {
    // [ring3k] sema.c: NtReleaseSemaphore(0, 0, NULL) == STATUS_INVALID_PARAMETER.
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Notification, 0).unwrap();
    d.delete(e).unwrap();
    assert_eq!(
        d.release_semaphore(e, 0).map(|_| ()),
        Err(STATUS_INVALID_PARAMETER)
    );
    assert_eq!(
        d.release_semaphore(e, 1).map(|_| ()),
        Err(STATUS_INVALID_HANDLE)
    );
}

// ----- alerts and user APCs at the start of a wait ---------------------------------------
//
// [ReactOS-wait] ReactOS ntoskrnl/ke/wait.c, KeWaitForMultipleObjects and
// KeDelayExecutionThread: the objects are tested first, then KiCheckAlertability
// (alert before user APCs, alertable waits only), then a zero timeout.

#[test]
fn due_alert_or_apc_ends_an_alertable_wait_at_once() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let wa =
        |d: &mut Dispatcher, due, t| d.wait_alertable(T1, &[e], WaitType::WaitAny, true, due, t);
    assert_eq!(
        satisfied(wa(&mut d, Some(CancelReason::Alert), None)),
        STATUS_ALERTED
    );
    assert_eq!(
        satisfied(wa(&mut d, Some(CancelReason::UserApc), None)),
        STATUS_USER_APC
    );
    // Before a zero timeout, too.
    assert_eq!(
        satisfied(wa(
            &mut d,
            Some(CancelReason::UserApc),
            Some(Timeout::Immediate)
        )),
        STATUS_USER_APC
    );
    assert_eq!(d.pending_count(), 0);
    // Nothing due: a zero timeout is a timeout, otherwise the wait is pending.
    assert_eq!(
        satisfied(wa(&mut d, None, Some(Timeout::Immediate))),
        STATUS_TIMEOUT
    );
    let id = pending(wa(&mut d, None, None));
    assert_eq!(d.wait_of(T1), Some((id, true)));
    assert_eq!(d.wait_of(T2), None);
}

#[test]
fn non_alertable_wait_ignores_what_is_due() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 0).unwrap();
    let r = d.wait_alertable(
        T1,
        &[e],
        WaitType::WaitAny,
        false,
        Some(CancelReason::UserApc),
        Some(Timeout::Immediate),
    );
    assert_eq!(satisfied(r), STATUS_TIMEOUT);
    let id = pending(d.wait_alertable(
        T1,
        &[e],
        WaitType::WaitAny,
        false,
        Some(CancelReason::Alert),
        None,
    ));
    assert_eq!(d.wait_of(T1), Some((id, false)));
    assert_eq!(d.cancel_wait(id, CancelReason::UserApc), None);
}

#[test]
fn signalled_objects_win_over_what_is_due() {
    let mut d = Dispatcher::new();
    let e = d.create_event(EventType::Synchronization, 1).unwrap();
    let r = d.wait_alertable(
        T1,
        &[e],
        WaitType::WaitAny,
        true,
        Some(CancelReason::UserApc),
        None,
    );
    assert_eq!(satisfied(r), STATUS_WAIT_0);
    // The auto-reset event was consumed by that wait, not left for the next.
    assert_eq!(d.query_event(e).unwrap().state, 0);
    // An alert that ends a wait consumes nothing.
    let s = d.create_semaphore(0, 1).unwrap();
    let r = d.wait_alertable(
        T1,
        &[s],
        WaitType::WaitAny,
        true,
        Some(CancelReason::Alert),
        None,
    );
    assert_eq!(satisfied(r), STATUS_ALERTED);
    d.release_semaphore(s, 1).unwrap();
    assert_eq!(d.query_semaphore(s).unwrap().current_count, 1);
}

#[test]
fn signal_and_wait_signals_before_an_apc_ends_the_wait() {
    let mut d = Dispatcher::new();
    let sig = d.create_event(EventType::Notification, 0).unwrap();
    let on = d.create_event(EventType::Notification, 0).unwrap();
    let other = pending(d.wait(T2, &[sig], WaitType::WaitAny, false, None));
    let eff = d
        .signal_and_wait_alertable(T1, sig, on, true, Some(CancelReason::UserApc), None)
        .unwrap();
    assert_eq!(eff.value, WaitOutcome::Satisfied(STATUS_USER_APC));
    assert_eq!(eff.completed, vec![c(other, T2, STATUS_WAIT_0)]);
    assert_eq!(d.wait_of(T1), None);
}
