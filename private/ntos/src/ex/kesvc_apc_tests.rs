//! Host tests of `KeState`'s alert and user-APC rules: waits already parked, timer
//! APCs, thread exit. Sources as in `ke/apc_tests.rs` and `ke/dispatcher/tests.rs`
//! ([ReactOS] `KeAlertThread`: an alertable waiter is unwaited with STATUS_ALERTED and
//! the flag is left clear, otherwise the flag is set; `ExTimerRundown`: a thread's
//! end cancels the timers it set with an APC routine; [PTIMERAPCROUTINE] Win32 docs:
//! context, low and high part of the time the timer was signalled).

extern crate std;

use super::*;
use crate::ke::dispatcher::CancelReason;
use ntdef::status::{STATUS_ALERTED, STATUS_USER_APC};

const T1: ThreadId = ThreadId(1);
const T2: ThreadId = ThreadId(2);

fn state() -> (ObState, KeState) {
    let mut ob = ObState::new().unwrap();
    let ke = KeState::new(&mut ob).unwrap();
    (ob, ke)
}

fn apc(routine: usize) -> UserApc {
    UserApc {
        routine,
        args: [1, 2, 3],
        source: ApcSource::Queued,
    }
}

fn parked(ke: &mut KeState, thread: ThreadId, alertable: bool) -> WaitId {
    let e = ke.disp.create_event(EventType::Notification, 0).unwrap();
    match ke
        .disp
        .wait(thread, &[e], WaitType::WaitAny, alertable, None)
    {
        Ok(WaitOutcome::Pending(id)) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn apc_ends_a_parked_alertable_wait_only() {
    let (_ob, mut ke) = state();
    let plain = parked(&mut ke, T1, false);
    let alertable = parked(&mut ke, T2, true);
    ke.queue_apc(T1, apc(0x1000)).unwrap();
    assert!(ke.completed.is_empty());
    assert!(ke.disp.is_pending(plain));
    ke.queue_apc(T2, apc(0x2000)).unwrap();
    assert_eq!(ke.completed.len(), 1);
    assert_eq!(ke.completed[0].wait, alertable);
    assert_eq!(ke.completed[0].status, STATUS_USER_APC);
    // Both stay queued for delivery.
    assert!(ke.apc.pending(T1) && ke.apc.pending(T2));
    assert_eq!(ke.due(T1), Some(CancelReason::UserApc));
}

#[test]
fn alert_unwaits_or_sets_the_flag() {
    let (_ob, mut ke) = state();
    let w = parked(&mut ke, T1, true);
    assert!(!ke.alert(T1));
    assert_eq!(ke.completed[0].wait, w);
    assert_eq!(ke.completed[0].status, STATUS_ALERTED);
    assert!(
        !ke.apc.alerted(T1),
        "an alert that ends a wait leaves no flag"
    );
    // No alertable wait: the flag is set, and a second alert reports it.
    let plain = parked(&mut ke, T2, false);
    assert!(!ke.alert(T2));
    assert!(ke.alert(T2));
    assert!(ke.disp.is_pending(plain));
    assert_eq!(ke.due(T2), Some(CancelReason::Alert));
}

#[test]
fn timer_apc_is_queued_on_expiry_and_wakes_an_alertable_waiter() {
    let (_ob, mut ke) = state();
    let body = ke.disp.create_timer(TimerType::Notification).unwrap();
    // Due at 1000, every 500 (100 ns units).
    ke.armed.push((body, 1000, 500));
    ke.timer_apcs.push(TimerApc {
        body,
        thread: T1,
        routine: 0x3000,
        context: 0x77,
    });
    let w = parked(&mut ke, T1, true);
    let now = 0x0000_0001_0000_0400u64;
    ke.expire(now);
    assert!(ke
        .completed
        .iter()
        .any(|c| c.wait == w && c.status == STATUS_USER_APC));
    let (batch, _) = ke.apc.peek_batch(T1, 8);
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].routine, 0x3000);
    assert_eq!(batch[0].args, [0x77, 0x400, 1]);
    // Fired again before delivery: still one APC.
    ke.expire(now + 10_000);
    assert_eq!(ke.apc.peek_batch(T1, 8).0.len(), 1);
    // The setting thread ends: the timer is cancelled and its APC gone.
    let mut ob = ObState::new().unwrap();
    let id = ob.attach().unwrap();
    ke.thread_exit(T1, id.caller.thread.unwrap());
    assert!(!ke.apc.pending(T1));
    assert!(ke.armed.is_empty());
    assert!(ke.timer_apcs.is_empty());
}

#[test]
fn cancelling_the_timer_takes_its_apc_back() {
    let (_ob, mut ke) = state();
    let body = ke.disp.create_timer(TimerType::Notification).unwrap();
    ke.armed.push((body, 10, 0));
    ke.timer_apcs.push(TimerApc {
        body,
        thread: T2,
        routine: 0x3000,
        context: 0,
    });
    ke.queue_apc(T2, apc(0x1000)).unwrap();
    ke.expire(20);
    assert_eq!(ke.apc.peek_batch(T2, 8).0.len(), 2);
    ke.forget_timer_apc(body);
    assert_eq!(ke.apc.peek_batch(T2, 8).0, [apc(0x1000)]);
}
