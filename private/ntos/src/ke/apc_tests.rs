//! Host tests of the user APC queues.
//!
//! Sources (facts only): [QueueUserAPC] Win32 docs: a thread handles its pending APCs
//! in FIFO order; [ReactOS] ntoskrnl/ke/thrdobj.c `KeTestAlertThread` (a set alert
//! flag is consumed and reported; otherwise queued user APCs become due) and
//! `KeAlertThread`; ntoskrnl/ke/apc.c `KeInsertQueueApc` (an APC already inserted is
//! not inserted again: a timer's embedded APC is queued once at a time).

extern crate std;

use super::*;
use crate::ke::dispatcher::{Dispatcher, TimerType};
use ntdef::status::{STATUS_SUCCESS, STATUS_USER_APC};

const T1: ThreadId = ThreadId(1);
const T2: ThreadId = ThreadId(2);

fn user(routine: usize, a: usize) -> UserApc {
    UserApc {
        routine,
        args: [a, a + 1, a + 2],
        source: ApcSource::Queued,
    }
}

#[test]
fn fifo_batches_and_commit() {
    let mut q = ApcQueues::new();
    for i in 0..5 {
        assert_eq!(q.queue(T1, user(0x1000 + i, 10 * i)), Ok(true));
    }
    assert!(q.pending(T1));
    assert!(!q.pending(T2));
    let (b, more) = q.peek_batch(T1, 3);
    assert!(more);
    assert_eq!(b, [user(0x1000, 0), user(0x1001, 10), user(0x1002, 20)]);
    // Peeking takes nothing.
    assert_eq!(q.peek_batch(T1, 3).0, b);
    q.commit(T1, 3);
    let (b, more) = q.peek_batch(T1, 3);
    assert!(!more);
    assert_eq!(b, [user(0x1003, 30), user(0x1004, 40)]);
    q.commit(T1, 9);
    assert!(!q.pending(T1));
    assert_eq!(q.peek_batch(T1, 3), (std::vec::Vec::new(), false));
    assert_eq!(q.thread_count(), 0);
}

#[test]
fn alert_is_tested_before_apcs_and_consumed() {
    let mut q = ApcQueues::new();
    assert_eq!(q.test_alert(T1), AlertTest::Nothing);
    q.queue(T1, user(0x1000, 1)).unwrap();
    q.set_alerted(T1);
    assert_eq!(q.test_alert(T1), AlertTest::Alerted);
    assert!(!q.alerted(T1));
    assert_eq!(q.test_alert(T1), AlertTest::ApcsDue);
    assert_eq!(q.test_alert(T1), AlertTest::ApcsDue);
    q.commit(T1, 1);
    assert_eq!(q.test_alert(T1), AlertTest::Nothing);
}

#[test]
fn timer_apc_is_queued_once_and_taken_back() {
    let mut d = Dispatcher::new();
    let t = d.create_timer(TimerType::Notification).unwrap();
    let u = d.create_timer(TimerType::Notification).unwrap();
    let timer = |body| UserApc {
        routine: 0x2000,
        args: [7, 8, 9],
        source: ApcSource::Timer(body),
    };
    let mut q = ApcQueues::new();
    assert_eq!(q.queue(T1, timer(t)), Ok(true));
    assert_eq!(q.queue(T1, timer(t)), Ok(false));
    q.queue(T1, user(0x1000, 1)).unwrap();
    q.queue(T1, timer(u)).unwrap();
    assert!(q.queued_from(ApcSource::Timer(t)));
    q.remove_source(ApcSource::Timer(t));
    assert!(!q.queued_from(ApcSource::Timer(t)));
    // Queued APCs are never taken back.
    q.remove_source(ApcSource::Queued);
    assert_eq!(q.peek_batch(T1, 8).0, [user(0x1000, 1), timer(u)]);
    // Once delivered, the timer may queue again.
    q.commit(T1, 2);
    assert_eq!(q.queue(T1, timer(u)), Ok(true));
}

#[test]
fn thread_end_discards_everything() {
    let mut q = ApcQueues::new();
    q.queue(T1, user(0x1000, 1)).unwrap();
    q.set_alerted(T1);
    q.queue(T2, user(0x1000, 2)).unwrap();
    q.discard(T1);
    assert!(!q.pending(T1) && !q.alerted(T1));
    assert!(q.pending(T2));
    assert_eq!(q.thread_count(), 1);
}

#[test]
fn encoded_area_matches_the_ntsvc_layout() {
    let apcs = [user(0x1000, 1), user(0x2000, 5)];
    for word in [4usize, 8] {
        let bytes = encode_batch(&apcs, true, STATUS_USER_APC, word);
        let w = |i: usize| {
            let mut b = [0u8; 8];
            b[..word].copy_from_slice(&bytes[i * word..(i + 1) * word]);
            u64::from_le_bytes(b)
        };
        let rec = ntsvc::apc::RECORDS;
        assert_eq!(bytes.len(), (rec + 2 * ntsvc::apc::RECORD_WORDS) * word);
        assert_eq!(w(ntsvc::apc::COUNT), 2);
        assert_eq!(w(ntsvc::apc::MORE), 1);
        assert_eq!(w(ntsvc::apc::FINAL_STATUS), 0xC0);
        assert_eq!(
            [w(rec), w(rec + 1), w(rec + 2), w(rec + 3)],
            [0x1000, 1, 2, 3]
        );
        assert_eq!(w(rec + 4), 0x2000);
        assert_eq!(w(rec + 7), 7);
    }
    let empty = encode_batch(&[], false, STATUS_SUCCESS, 8);
    assert_eq!(empty, [0u8; 24]);
}

#[test]
fn quota_per_thread_and_in_total() {
    let mut q = ApcQueues::new();
    for i in 0..MAX_PER_THREAD {
        assert_eq!(q.queue(T1, user(0x1000, i)), Ok(true));
    }
    assert_eq!(
        q.queue(T1, user(0x1000, 0)),
        Err(ntdef::status::STATUS_NO_MEMORY)
    );
    // Other threads are not limited by T1's queue.
    assert_eq!(q.queue(T2, user(0x1000, 0)), Ok(true));
    // Delivery makes room again.
    q.commit(T1, 1);
    assert_eq!(q.queue(T1, user(0x1000, 0)), Ok(true));
    assert_eq!(q.total(), MAX_PER_THREAD + 1);
    q.discard(T1);
    assert_eq!(q.total(), 1);
    // The system-wide limit.
    let mut n = 1;
    let mut thread = 10u64;
    while n < MAX_TOTAL {
        q.queue(ThreadId(thread), user(0x1000, n)).unwrap();
        n += 1;
        if n % MAX_PER_THREAD == 0 {
            thread += 1;
        }
    }
    assert_eq!(q.total(), MAX_TOTAL);
    assert_eq!(
        q.queue(ThreadId(9999), user(0x1000, 0)),
        Err(ntdef::status::STATUS_NO_MEMORY)
    );
    q.remove_source(ApcSource::Timer(
        crate::ke::dispatcher::Dispatcher::new()
            .create_timer(TimerType::Notification)
            .unwrap(),
    ));
    assert_eq!(q.total(), MAX_TOTAL);
}
