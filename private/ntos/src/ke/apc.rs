//! User APC queues and user-mode alert flags, per thread.
//!
//! NT keeps, for every thread, a FIFO of user-mode APCs and an "alerted" flag per
//! processor mode; Nereid has only the user mode. This module is that bookkeeping and
//! nothing else: the runtime (`ex::kesvc`) decides when an alertable wait ends
//! ([`crate::ke::dispatcher::Dispatcher::cancel_wait`]) and the service loop hands
//! the records to ntdll through the TEB (`ntsvc::apc`), encoded by [`encode_batch`].
//!
//! Rules (ReactOS `ke/apc.c`, `ke/thrdobj.c`; Windows QueueUserAPC documentation):
//! - APCs run in the order they were queued (FIFO).
//! - [`ApcQueues::test_alert`] is `KeTestAlertThread(UserMode)`: a set alert flag wins
//!   (cleared, reported), otherwise queued APCs are due.
//! - A thread's queue and flag go away with the thread.
//! - A timer's APC is queued at most once at a time (NT's timer embeds one KAPC, and
//!   inserting an APC already queued fails), and cancelling or setting the timer
//!   again removes it while it waits.
//!
//! Quota: queued APCs live in the executive's heap, which every client shares, so a
//! thread holds at most [`MAX_PER_THREAD`] and the system [`MAX_TOTAL`]; past that,
//! queueing is `STATUS_NO_MEMORY`, the status ReactOS' `NtQueueApcThread` returns when
//! it cannot allocate (and quota-charge) the APC. Windows' limit is the caller's pool
//! quota instead.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use ntdef::status::STATUS_NO_MEMORY;
use ntdef::NtStatus;

use super::dispatcher::status::STATUS_INSUFFICIENT_RESOURCES;
use super::dispatcher::{ObjectRef, ThreadId};

/// Most APCs one thread may have queued.
pub const MAX_PER_THREAD: usize = 256;
/// Most APCs queued in the whole system.
pub const MAX_TOTAL: usize = 4096;

/// Where a queued APC came from (so that a timer can take its own back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApcSource {
    /// `NtQueueApcThread`.
    Queued,
    /// The APC routine of the timer with this dispatcher body (`NtSetTimer`).
    Timer(ObjectRef),
}

/// One user-mode APC: `routine(args[0], args[1], args[2])` in the target thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserApc {
    pub routine: usize,
    pub args: [usize; 3],
    pub source: ApcSource,
}

#[derive(Default)]
struct ThreadApcs {
    queue: VecDeque<UserApc>,
    alerted: bool,
}

/// What [`ApcQueues::test_alert`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertTest {
    /// The thread was alerted (the flag is now clear).
    Alerted,
    /// User APCs are queued and due.
    ApcsDue,
    /// Neither.
    Nothing,
}

/// The user APC queues and alert flags of every thread that has either.
#[derive(Default)]
pub struct ApcQueues {
    threads: BTreeMap<ThreadId, ThreadApcs>,
    /// APCs queued, all threads together.
    total: usize,
}

impl ApcQueues {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `apc` to `thread`'s queue. A timer APC already queued is not queued a
    /// second time (`Ok(false)`); past the quota, `STATUS_NO_MEMORY`.
    pub fn queue(&mut self, thread: ThreadId, apc: UserApc) -> Result<bool, NtStatus> {
        if let ApcSource::Timer(_) = apc.source {
            if self.queued_from(apc.source) {
                return Ok(false);
            }
        }
        let mine = self.threads.get(&thread).map_or(0, |t| t.queue.len());
        if mine >= MAX_PER_THREAD || self.total >= MAX_TOTAL {
            return Err(STATUS_NO_MEMORY);
        }
        let entry = match self.threads.get_mut(&thread) {
            Some(e) => e,
            None => {
                self.threads.insert(thread, ThreadApcs::default());
                self.threads
                    .get_mut(&thread)
                    .ok_or(STATUS_INSUFFICIENT_RESOURCES)?
            }
        };
        entry
            .queue
            .try_reserve(1)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        entry.queue.push_back(apc);
        self.total += 1;
        Ok(true)
    }

    /// Whether an APC from `source` waits in some queue.
    pub fn queued_from(&self, source: ApcSource) -> bool {
        self.threads
            .values()
            .any(|t| t.queue.iter().any(|a| a.source == source))
    }

    /// Takes every APC from `source` out of every queue (a timer cancelled, set again
    /// or deleted). `Queued` APCs are never removed this way.
    pub fn remove_source(&mut self, source: ApcSource) {
        if source == ApcSource::Queued {
            return;
        }
        for t in self.threads.values_mut() {
            t.queue.retain(|a| a.source != source);
        }
        self.recount();
        self.prune();
    }

    /// Whether `thread` has user APCs queued.
    pub fn pending(&self, thread: ThreadId) -> bool {
        self.threads
            .get(&thread)
            .is_some_and(|t| !t.queue.is_empty())
    }

    /// Whether `thread`'s alert flag is set.
    pub fn alerted(&self, thread: ThreadId) -> bool {
        self.threads.get(&thread).is_some_and(|t| t.alerted)
    }

    /// Sets `thread`'s alert flag (an alert that found no alertable wait to end).
    pub fn set_alerted(&mut self, thread: ThreadId) {
        self.threads.entry(thread).or_default().alerted = true;
    }

    /// Clears `thread`'s alert flag (an alertable wait returned `STATUS_ALERTED`).
    pub fn clear_alerted(&mut self, thread: ThreadId) {
        if let Some(t) = self.threads.get_mut(&thread) {
            t.alerted = false;
        }
        self.prune();
    }

    /// `KeTestAlertThread(UserMode)`: an alert is consumed and reported before any APC.
    pub fn test_alert(&mut self, thread: ThreadId) -> AlertTest {
        if self.alerted(thread) {
            self.clear_alerted(thread);
            AlertTest::Alerted
        } else if self.pending(thread) {
            AlertTest::ApcsDue
        } else {
            AlertTest::Nothing
        }
    }

    /// The first `max` APCs of `thread`'s queue (left queued) and whether more follow
    /// them. Nothing leaves the queue until [`ApcQueues::commit`].
    pub fn peek_batch(&self, thread: ThreadId, max: usize) -> (Vec<UserApc>, bool) {
        match self.threads.get(&thread) {
            Some(t) => (
                t.queue.iter().take(max).copied().collect(),
                t.queue.len() > max,
            ),
            None => (Vec::new(), false),
        }
    }

    /// The first `n` APCs of `thread`'s queue were handed over: they leave it.
    pub fn commit(&mut self, thread: ThreadId, n: usize) {
        if let Some(t) = self.threads.get_mut(&thread) {
            let n = n.min(t.queue.len());
            t.queue.drain(..n);
            self.total = self.total.saturating_sub(n);
        }
        self.prune();
    }

    /// `thread` ended: its APCs are discarded and its flag forgotten.
    pub fn discard(&mut self, thread: ThreadId) {
        if let Some(t) = self.threads.remove(&thread) {
            self.total = self.total.saturating_sub(t.queue.len());
        }
    }

    /// APCs queued, all threads together.
    pub fn total(&self) -> usize {
        self.total
    }

    fn recount(&mut self) {
        self.total = self.threads.values().map(|t| t.queue.len()).sum();
    }

    /// Threads with an entry (for tests: entries do not outlive their use).
    pub fn thread_count(&self) -> usize {
        self.threads.len()
    }

    fn prune(&mut self) {
        self.threads.retain(|_, t| t.alerted || !t.queue.is_empty());
    }
}

/// The user-APC area as the executive writes it (`ntsvc::apc`), in words of
/// `word_bytes` bytes (little-endian): count, more, final status, then the records.
pub fn encode_batch(
    apcs: &[UserApc],
    more: bool,
    final_status: NtStatus,
    word_bytes: usize,
) -> Vec<u8> {
    let mut words: Vec<u64> = Vec::with_capacity(ntsvc::apc::RECORDS + apcs.len() * 4);
    words.push(apcs.len() as u64);
    words.push(u64::from(more));
    words.push(u64::from(final_status.as_u32()));
    for a in apcs {
        words.push(a.routine as u64);
        words.extend(a.args.iter().map(|&w| w as u64));
    }
    let mut out = Vec::with_capacity(words.len() * word_bytes);
    for w in words {
        out.extend_from_slice(&w.to_le_bytes()[..word_bytes.min(8)]);
    }
    out
}

#[cfg(test)]
#[path = "apc_tests.rs"]
mod tests;
