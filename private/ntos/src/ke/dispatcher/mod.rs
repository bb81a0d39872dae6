//! Dispatcher objects and the wait engine: events, mutants, semaphores, timers and
//! signal-once (process/thread) objects, and NT's wait semantics over them.
//!
//! # Design
//!
//! **A state machine, not a scheduler.** The executive is single-threaded and async: it
//! must never block on behalf of a client. So a wait here never suspends anything; it
//! either completes at once ([`WaitOutcome::Satisfied`]) or is recorded and named
//! ([`WaitOutcome::Pending`]). Every operation that can make an object signalled
//! returns the waits it completed, with their threads and statuses, and the runtime
//! turns each into a reply on the saved reply capability (or a woken future). Nothing in
//! here reads a clock, holds a capability or knows about seL4, which keeps the NT
//! semantics — the part programs can observe — deterministic and testable on the host.
//!
//! **NT's rules, made structural.** The observable behaviour follows the NT kernel:
//! each object keeps its waiters in arrival order and, whenever its state rises, walks
//! them first-to-last satisfying every wait that can be satisfied, which yields "one
//! waiter for synchronization objects, all for notification objects" without special
//! cases, and FIFO completion order. Availability and side effects are separate steps
//! per object kind ([`object`]), so WaitAll asks every object before it touches any: a
//! partially available WaitAll consumes nothing, and an auto-reset event, a semaphore
//! unit or a mutant's ownership is consumed only by the wait that is actually satisfied.
//! A pulse is "set, run the waiters, reset", exactly as NT defines it.
//!
//! **Names, not pointers.** Objects and waits are slots addressed by [`ObjectRef`] /
//! [`WaitId`], each carrying a serial number that is never reused. A stale name (a
//! deleted object, a completed or cancelled wait) is recognised and refused instead of
//! reaching a recycled slot, so a confused or hostile caller gets a status, never a
//! panic or someone else's object. Deleting an object that pending waits still name
//! only hides it: like NT, where every waiter holds a reference, the slot lives until
//! the last wait on it ends (and an owned mutant until its owner lets go of it).
//!
//! **Time belongs to the caller.** Timeouts arrive already converted to one absolute
//! clock ([`Timeout`], built by [`Timeout::from_nt`] with the caller's `now`), so "zero
//! timeout" is decided once, by whoever owns the clock. The runtime arms its hardware
//! timer for [`Dispatcher::next_deadline`] and calls [`Dispatcher::expire`]; alerts and
//! user APCs end alertable waits through [`Dispatcher::cancel_wait`] when the runtime
//! decides to deliver them.
//!
//! **Memory is a client-controlled resource.** Object and wait tables grow with
//! `try_reserve`, and all growth a wait needs is reserved before any state changes, so
//! running out of heap is `STATUS_INSUFFICIENT_RESOURCES` and never a half-applied wait.
//!
//! A thread's alert flag and user APC queue are the runtime's ([`crate::ke::apc`]); it
//! says what is due when a wait starts ([`Dispatcher::wait_alertable`]) and ends
//! pending alertable waits with [`Dispatcher::cancel_wait`].
//!
//! Not modelled (yet): priority boosts, kernel APCs, re-evaluation of absolute
//! deadlines when the system time is set, queue and gate objects, and the rule that a
//! thread has at most one wait at a time (the engine does not rely on it).

mod object;
pub mod status;
mod timeout;

#[cfg(test)]
mod tests;

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use ntdef::status::{STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_1};
use ntdef::NtStatus;

use object::{Availability, Kind};
pub use object::{EventType, TimerType};
use status::{
    indexed, STATUS_ABANDONED_WAIT_0, STATUS_ALERTED, STATUS_INSUFFICIENT_RESOURCES,
    STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER_MIX, STATUS_MUTANT_LIMIT_EXCEEDED,
    STATUS_MUTANT_NOT_OWNED, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SEMAPHORE_LIMIT_EXCEEDED,
    STATUS_TIMEOUT, STATUS_USER_APC, STATUS_WAIT_0,
};
pub use timeout::{absolute_deadline, relative_deadline, Timeout};

/// Most objects one wait may name (`MAXIMUM_WAIT_OBJECTS`, winnt.h).
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;

/// A thread as the runtime identifies it (not its dispatcher object: a thread that waits
/// and the object others wait on for its end are different things).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(pub u64);

/// A dispatcher object. Only valid until the object is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    slot: u32,
    serial: u64,
}

/// A pending wait. Only valid until the wait completes or is cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitId {
    slot: u32,
    serial: u64,
}

/// `WAIT_TYPE` with its NT values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum WaitType {
    WaitAll = 0,
    WaitAny = 1,
}

/// What a wait request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Finished without waiting, with the status the service returns
    /// (`STATUS_WAIT_0 + i`, `STATUS_ABANDONED_WAIT_0 + i`, `STATUS_TIMEOUT`).
    Satisfied(NtStatus),
    /// Recorded; completes through a later [`Completion`].
    Pending(WaitId),
}

/// A pending wait that has ended: reply `status` to `thread`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub wait: WaitId,
    pub thread: ThreadId,
    pub status: NtStatus,
}

/// Why the runtime ends a wait from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// The deadline passed: `STATUS_TIMEOUT`.
    Timeout,
    /// The thread was alerted: `STATUS_ALERTED`, alertable waits only.
    Alert,
    /// A user APC is to run: `STATUS_USER_APC`, alertable waits only.
    UserApc,
}

/// The result of an operation plus the waits it completed, in completion order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect<T> {
    pub value: T,
    pub completed: Vec<Completion>,
}

/// `EVENT_BASIC_INFORMATION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    pub event_type: EventType,
    pub state: i32,
}

/// `MUTANT_BASIC_INFORMATION`, as seen by the querying thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MutantInfo {
    pub current_count: i32,
    pub owned_by_caller: bool,
    pub abandoned: bool,
}

/// `SEMAPHORE_BASIC_INFORMATION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemaphoreInfo {
    pub current_count: i32,
    pub maximum_count: i32,
}

struct ObjectSlot {
    serial: u64,
    kind: Kind,
    /// Pending waits naming this object, in arrival order (once each).
    waiters: VecDeque<WaitId>,
    /// Deleted by its owner; kept only for the waits and the mutant owner still on it.
    deleted: bool,
}

struct WaitRecord {
    serial: u64,
    thread: ThreadId,
    /// Object slots in the caller's order (indices in statuses refer to this order).
    objects: Vec<u32>,
    wait_type: WaitType,
    alertable: bool,
    deadline: Option<u64>,
}

/// All dispatcher objects and pending waits of the executive.
#[derive(Default)]
pub struct Dispatcher {
    objects: Vec<Option<ObjectSlot>>,
    free_objects: Vec<u32>,
    waits: Vec<Option<WaitRecord>>,
    free_waits: Vec<u32>,
    next_serial: u64,
}

fn no_memory<E>(_: E) -> NtStatus {
    STATUS_INSUFFICIENT_RESOURCES
}

impl Dispatcher {
    pub fn new() -> Self {
        Self::default()
    }

    // ----- objects -------------------------------------------------------------------

    /// `NtCreateEvent`'s dispatcher part. `initial_state` is the `BOOLEAN` as passed:
    /// nonzero is signalled, and the value itself is the first previous state reported.
    pub fn create_event(
        &mut self,
        event_type: EventType,
        initial_state: u8,
    ) -> Result<ObjectRef, NtStatus> {
        self.insert_object(Kind::Event {
            kind: event_type,
            state: i32::from(initial_state),
        })
    }

    /// `NtCreateMutant`: owned by `initial_owner` (once) or free.
    pub fn create_mutant(
        &mut self,
        initial_owner: Option<ThreadId>,
    ) -> Result<ObjectRef, NtStatus> {
        self.insert_object(Kind::Mutant {
            count: if initial_owner.is_some() { 0 } else { 1 },
            owner: initial_owner,
            abandoned: false,
        })
    }

    /// `NtCreateSemaphore`: the maximum must be positive and the initial count within
    /// `0..=maximum`, else `STATUS_INVALID_PARAMETER`.
    pub fn create_semaphore(&mut self, initial: i32, maximum: i32) -> Result<ObjectRef, NtStatus> {
        if maximum <= 0 || initial < 0 || initial > maximum {
            return Err(STATUS_INVALID_PARAMETER);
        }
        self.insert_object(Kind::Semaphore {
            count: initial,
            maximum,
        })
    }

    /// `NtCreateTimer`: created not signalled.
    pub fn create_timer(&mut self, timer_type: TimerType) -> Result<ObjectRef, NtStatus> {
        self.insert_object(Kind::Timer {
            kind: timer_type,
            signaled: false,
        })
    }

    /// A process or thread object: not signalled until [`Dispatcher::signal_forever`].
    pub fn create_signal_once(&mut self) -> Result<ObjectRef, NtStatus> {
        self.insert_object(Kind::SignalOnce { signaled: false })
    }

    /// The object manager dropped its last reference. Pending waits on the object stay
    /// valid and keep its state; an owned mutant stays owned until its owner exits.
    pub fn delete(&mut self, obj: ObjectRef) -> Result<(), NtStatus> {
        let i = self.live(obj)?;
        if let Some(slot) = self.slot_mut(i) {
            slot.deleted = true;
        }
        self.maybe_free(i);
        Ok(())
    }

    /// Live objects, including deleted ones still held by waits or owners.
    pub fn object_count(&self) -> usize {
        self.objects.iter().flatten().count()
    }

    // ----- events --------------------------------------------------------------------

    /// `NtSetEvent`: previous state (0 or 1) and the waits the event released.
    pub fn set_event(&mut self, obj: ObjectRef) -> Result<Effect<i32>, NtStatus> {
        let i = self.live(obj)?;
        let previous = self.set_event_state(i, true)?;
        let mut completed = Vec::new();
        self.wait_test(i, &mut completed);
        Ok(Effect {
            value: previous,
            completed,
        })
    }

    /// `NtResetEvent`: previous state.
    pub fn reset_event(&mut self, obj: ObjectRef) -> Result<i32, NtStatus> {
        let i = self.live(obj)?;
        self.set_event_state(i, false)
    }

    /// `NtClearEvent`: like reset, without reporting the previous state.
    pub fn clear_event(&mut self, obj: ObjectRef) -> Result<(), NtStatus> {
        self.reset_event(obj).map(|_| ())
    }

    /// `NtPulseEvent`: set, release what that releases, reset; previous state.
    pub fn pulse_event(&mut self, obj: ObjectRef) -> Result<Effect<i32>, NtStatus> {
        let i = self.live(obj)?;
        let previous = self.set_event_state(i, true)?;
        let mut completed = Vec::new();
        self.wait_test(i, &mut completed);
        self.set_event_state(i, false)?;
        Ok(Effect {
            value: previous,
            completed,
        })
    }

    /// `NtQueryEvent` (`EventBasicInformation`).
    pub fn query_event(&self, obj: ObjectRef) -> Result<EventInfo, NtStatus> {
        match self.live_kind(obj)? {
            Kind::Event { kind, state } => Ok(EventInfo {
                event_type: *kind,
                state: *state,
            }),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    fn set_event_state(&mut self, i: u32, value: bool) -> Result<i32, NtStatus> {
        match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::Event { state, .. }) => Ok(core::mem::replace(state, i32::from(value))),
            Some(_) => Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => Err(STATUS_INVALID_HANDLE),
        }
    }

    // ----- mutants -------------------------------------------------------------------

    /// `NtReleaseMutant` by `thread`: the count before the release (0 when this frees the
    /// mutant, negative while recursive acquisitions remain). Only the owner may release:
    /// anyone else, including after abandonment, gets `STATUS_MUTANT_NOT_OWNED`.
    pub fn release_mutant(
        &mut self,
        obj: ObjectRef,
        thread: ThreadId,
    ) -> Result<Effect<i32>, NtStatus> {
        let i = self.live(obj)?;
        let (previous, freed) = match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::Mutant { count, owner, .. }) => {
                if *owner != Some(thread) {
                    return Err(STATUS_MUTANT_NOT_OWNED);
                }
                let previous = *count;
                // Owned means count <= 0, so this cannot overflow.
                *count = count.saturating_add(1);
                if *count > 0 {
                    *owner = None;
                }
                (previous, *count > 0)
            }
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => return Err(STATUS_INVALID_HANDLE),
        };
        let mut completed = Vec::new();
        if freed {
            self.wait_test(i, &mut completed);
        }
        Ok(Effect {
            value: previous,
            completed,
        })
    }

    /// `NtQueryMutant` (`MutantBasicInformation`) as `thread` sees it.
    pub fn query_mutant(&self, obj: ObjectRef, thread: ThreadId) -> Result<MutantInfo, NtStatus> {
        match self.live_kind(obj)? {
            Kind::Mutant {
                count,
                owner,
                abandoned,
            } => Ok(MutantInfo {
                current_count: *count,
                owned_by_caller: *owner == Some(thread),
                abandoned: *abandoned,
            }),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    // ----- semaphores ----------------------------------------------------------------

    /// `NtReleaseSemaphore`: the count before the release. A release count below 1 is
    /// `STATUS_INVALID_PARAMETER` (whatever the object); one that would pass the maximum is
    /// `STATUS_SEMAPHORE_LIMIT_EXCEEDED` and changes nothing.
    pub fn release_semaphore(
        &mut self,
        obj: ObjectRef,
        release: i32,
    ) -> Result<Effect<i32>, NtStatus> {
        // Checked before the object, as Windows does.
        if release <= 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let i = self.live(obj)?;
        let previous = match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::Semaphore { count, maximum }) => {
                let new = count
                    .checked_add(release)
                    .filter(|n| n <= maximum)
                    .ok_or(STATUS_SEMAPHORE_LIMIT_EXCEEDED)?;
                core::mem::replace(count, new)
            }
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => return Err(STATUS_INVALID_HANDLE),
        };
        let mut completed = Vec::new();
        self.wait_test(i, &mut completed);
        Ok(Effect {
            value: previous,
            completed,
        })
    }

    /// `NtQuerySemaphore` (`SemaphoreBasicInformation`).
    pub fn query_semaphore(&self, obj: ObjectRef) -> Result<SemaphoreInfo, NtStatus> {
        match self.live_kind(obj)? {
            Kind::Semaphore { count, maximum } => Ok(SemaphoreInfo {
                current_count: *count,
                maximum_count: *maximum,
            }),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    // ----- timers --------------------------------------------------------------------

    /// The dispatcher half of `NtSetTimer`: clears the signal, returns the previous state.
    /// Arming the deadline is the timer code's job; it calls [`Dispatcher::fire`].
    pub fn reset_timer(&mut self, obj: ObjectRef) -> Result<bool, NtStatus> {
        let i = self.live(obj)?;
        match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::Timer { signaled, .. }) => Ok(core::mem::replace(signaled, false)),
            Some(_) => Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => Err(STATUS_INVALID_HANDLE),
        }
    }

    /// The timer's due time came: signal it (a synchronization timer is consumed by the
    /// one wait it releases; a notification timer stays signalled until reset).
    pub fn fire(&mut self, obj: ObjectRef) -> Result<Vec<Completion>, NtStatus> {
        let i = self.live(obj)?;
        match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::Timer { signaled, .. }) => *signaled = true,
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => return Err(STATUS_INVALID_HANDLE),
        }
        let mut completed = Vec::new();
        self.wait_test(i, &mut completed);
        Ok(completed)
    }

    /// `TimerState` of `NtQueryTimer` (and the `CurrentState` of `NtCancelTimer`).
    pub fn query_timer(&self, obj: ObjectRef) -> Result<bool, NtStatus> {
        match self.live_kind(obj)? {
            Kind::Timer { signaled, .. } => Ok(*signaled),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    // ----- processes and threads -----------------------------------------------------

    /// A process or thread ended: its object is signalled for good and releases every
    /// waiter, now and later. Signalling it again changes nothing.
    pub fn signal_forever(&mut self, obj: ObjectRef) -> Result<Vec<Completion>, NtStatus> {
        let i = self.live(obj)?;
        match self.slot_mut(i).map(|s| &mut s.kind) {
            Some(Kind::SignalOnce { signaled }) => *signaled = true,
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => return Err(STATUS_INVALID_HANDLE),
        }
        let mut completed = Vec::new();
        self.wait_test(i, &mut completed);
        Ok(completed)
    }

    /// `thread` ends. Its own pending waits are dropped (returned as `value`: the
    /// runtime discards their replies) and every mutant it owns is abandoned: freed
    /// and flagged, so whoever acquires it next learns it through
    /// `STATUS_ABANDONED_WAIT_0 + i`. The thread's own object is signalled separately,
    /// afterwards, with [`Dispatcher::signal_forever`], as NT does it in that order.
    pub fn thread_exit(&mut self, thread: ThreadId) -> Effect<Vec<WaitId>> {
        let mut own: Vec<(u64, WaitId)> = self
            .waits
            .iter()
            .enumerate()
            .filter_map(|(slot, w)| {
                let w = w.as_ref()?;
                let slot = u32::try_from(slot).ok()?;
                (w.thread == thread).then_some((
                    w.serial,
                    WaitId {
                        slot,
                        serial: w.serial,
                    },
                ))
            })
            .collect();
        own.sort_unstable_by_key(|&(serial, _)| serial);
        let dropped: Vec<WaitId> = own.into_iter().map(|(_, id)| id).collect();
        for &id in &dropped {
            self.remove_wait(id);
        }

        let mut completed = Vec::new();
        for i in 0..self.objects.len() {
            let Ok(i) = u32::try_from(i) else { break };
            let abandoned = match self.slot_mut(i).map(|s| &mut s.kind) {
                Some(Kind::Mutant {
                    count,
                    owner,
                    abandoned,
                }) if *owner == Some(thread) => {
                    *count = 1;
                    *owner = None;
                    *abandoned = true;
                    true
                }
                _ => false,
            };
            if abandoned {
                self.wait_test(i, &mut completed);
                self.maybe_free(i);
            }
        }
        Effect {
            value: dropped,
            completed,
        }
    }

    // ----- waits ---------------------------------------------------------------------

    /// `NtWaitForMultipleObjects` / `NtWaitForSingleObject` by `thread`.
    ///
    /// Errors (nothing is changed): no objects or more than [`MAXIMUM_WAIT_OBJECTS`] →
    /// `STATUS_INVALID_PARAMETER_1`; a stale reference → `STATUS_INVALID_HANDLE`; the
    /// same object twice in a WaitAll → `STATUS_INVALID_PARAMETER_MIX`; a mutant the
    /// thread owns at its recursion limit → `STATUS_MUTANT_LIMIT_EXCEEDED`.
    ///
    /// `timeout`: `None` waits forever; [`Timeout::Immediate`] polls (`STATUS_TIMEOUT`
    /// if not satisfiable now); [`Timeout::At`] records the deadline for
    /// [`Dispatcher::expire`].
    pub fn wait(
        &mut self,
        thread: ThreadId,
        objects: &[ObjectRef],
        wait_type: WaitType,
        alertable: bool,
        timeout: Option<Timeout>,
    ) -> Result<WaitOutcome, NtStatus> {
        self.wait_alertable(thread, objects, wait_type, alertable, None, timeout)
    }

    /// [`Dispatcher::wait`] by a thread for which the runtime has an alert or user APCs
    /// `due` ([`CancelReason::Alert`] / [`CancelReason::UserApc`]; `None`: neither).
    ///
    /// NT's order (ReactOS `KeWaitForMultipleObjects`: the objects, then
    /// `KiCheckAlertability`, then the timeout): a wait the objects satisfy now is
    /// satisfied as usual; otherwise an alertable wait with something due ends at once
    /// with `STATUS_ALERTED` / `STATUS_USER_APC` (the runtime then clears the alert or
    /// delivers the APCs); otherwise a zero timeout is `STATUS_TIMEOUT` and anything
    /// else waits. A non-alertable wait ignores `due`.
    pub fn wait_alertable(
        &mut self,
        thread: ThreadId,
        objects: &[ObjectRef],
        wait_type: WaitType,
        alertable: bool,
        due: Option<CancelReason>,
        timeout: Option<Timeout>,
    ) -> Result<WaitOutcome, NtStatus> {
        let slots = self.resolve(objects, wait_type)?;
        self.reserve_wait(&slots)?;
        self.wait_resolved(thread, slots, wait_type, alertable, due, timeout)
    }

    /// `NtSignalAndWaitForSingleObject`: signal `signal` (set an event, release a
    /// semaphore once, release a mutant `thread` owns) and wait for `wait_on`, as one
    /// step. If the signal fails (`STATUS_MUTANT_NOT_OWNED`,
    /// `STATUS_SEMAPHORE_LIMIT_EXCEEDED`; `STATUS_OBJECT_TYPE_MISMATCH` for objects that
    /// cannot be signalled this way) there is no wait and no change. `completed` lists
    /// the waits the signal released, ahead of this one in every queue.
    pub fn signal_and_wait(
        &mut self,
        thread: ThreadId,
        signal: ObjectRef,
        wait_on: ObjectRef,
        alertable: bool,
        timeout: Option<Timeout>,
    ) -> Result<Effect<WaitOutcome>, NtStatus> {
        self.signal_and_wait_alertable(thread, signal, wait_on, alertable, None, timeout)
    }

    /// [`Dispatcher::signal_and_wait`] with an alert or user APCs `due`, as in
    /// [`Dispatcher::wait_alertable`]: the signal is applied, then the wait ends at
    /// once if it cannot be satisfied and the alertable thread has something due.
    pub fn signal_and_wait_alertable(
        &mut self,
        thread: ThreadId,
        signal: ObjectRef,
        wait_on: ObjectRef,
        alertable: bool,
        due: Option<CancelReason>,
        timeout: Option<Timeout>,
    ) -> Result<Effect<WaitOutcome>, NtStatus> {
        let s = self.live(signal)?;
        let slots = self.resolve(&[wait_on], WaitType::WaitAny)?;
        // Everything that could still make the wait fail is checked before the signal,
        // so that a signal is never applied without its wait.
        self.reserve_wait(&slots)?;
        let limit = slots.first().is_some_and(|&w| {
            w != s
                && self
                    .slot(w)
                    .is_some_and(|o| o.kind.availability(thread) == Availability::LimitExceeded)
        });
        if limit {
            return Err(STATUS_MUTANT_LIMIT_EXCEEDED);
        }
        let completed = match self.slot(s).map(|o| &o.kind) {
            Some(Kind::Event { .. }) => self.set_event(signal)?.completed,
            Some(Kind::Semaphore { .. }) => self.release_semaphore(signal, 1)?.completed,
            Some(Kind::Mutant { .. }) => self.release_mutant(signal, thread)?.completed,
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => return Err(STATUS_INVALID_HANDLE),
        };
        let value =
            self.wait_resolved(thread, slots, WaitType::WaitAny, alertable, due, timeout)?;
        Ok(Effect { value, completed })
    }

    /// Ends a pending wait from outside: a timeout (`STATUS_TIMEOUT`), or an alert or user
    /// APC (`STATUS_ALERTED` / `STATUS_USER_APC`) for an alertable wait. `None` if the
    /// wait is no longer pending (completed, cancelled, never existed) or is not
    /// alertable and the reason needs it; nothing changes then.
    pub fn cancel_wait(&mut self, id: WaitId, reason: CancelReason) -> Option<Completion> {
        let record = self.wait_record(id)?;
        let status = match reason {
            CancelReason::Timeout => STATUS_TIMEOUT,
            CancelReason::Alert if record.alertable => STATUS_ALERTED,
            CancelReason::UserApc if record.alertable => STATUS_USER_APC,
            CancelReason::Alert | CancelReason::UserApc => return None,
        };
        let thread = record.thread;
        self.remove_wait(id)?;
        Some(Completion {
            wait: id,
            thread,
            status,
        })
    }

    /// Times out every pending wait whose deadline is at or before `now`, earliest
    /// deadline first (ties in arrival order).
    pub fn expire(&mut self, now: u64) -> Vec<Completion> {
        let mut due: Vec<(u64, u64, WaitId)> = self
            .waits
            .iter()
            .enumerate()
            .filter_map(|(slot, w)| {
                let w = w.as_ref()?;
                let deadline = w.deadline.filter(|&d| d <= now)?;
                let slot = u32::try_from(slot).ok()?;
                Some((
                    deadline,
                    w.serial,
                    WaitId {
                        slot,
                        serial: w.serial,
                    },
                ))
            })
            .collect();
        due.sort_unstable_by_key(|&(deadline, serial, _)| (deadline, serial));
        due.into_iter()
            .filter_map(|(_, _, id)| self.cancel_wait(id, CancelReason::Timeout))
            .collect()
    }

    /// The earliest deadline of any pending wait: when the runtime should call
    /// [`Dispatcher::expire`] next.
    pub fn next_deadline(&self) -> Option<u64> {
        self.waits.iter().flatten().filter_map(|w| w.deadline).min()
    }

    /// The pending wait of `thread` (the oldest, should it have several) and whether it
    /// is alertable.
    pub fn wait_of(&self, thread: ThreadId) -> Option<(WaitId, bool)> {
        self.waits
            .iter()
            .enumerate()
            .filter_map(|(slot, w)| {
                let w = w.as_ref().filter(|w| w.thread == thread)?;
                let slot = u32::try_from(slot).ok()?;
                Some((
                    WaitId {
                        slot,
                        serial: w.serial,
                    },
                    w.alertable,
                ))
            })
            .min_by_key(|(id, _)| id.serial)
    }

    /// Whether `id` names a wait that is still pending.
    pub fn is_pending(&self, id: WaitId) -> bool {
        self.wait_record(id).is_some()
    }

    /// Pending waits.
    pub fn pending_count(&self) -> usize {
        self.waits.iter().flatten().count()
    }

    // ----- engine --------------------------------------------------------------------

    /// Validates a wait's object list and maps it to slots.
    fn resolve(&self, objects: &[ObjectRef], wait_type: WaitType) -> Result<Vec<u32>, NtStatus> {
        if objects.is_empty() || objects.len() > MAXIMUM_WAIT_OBJECTS {
            return Err(STATUS_INVALID_PARAMETER_1);
        }
        let mut slots = Vec::new();
        slots.try_reserve_exact(objects.len()).map_err(no_memory)?;
        for &obj in objects {
            slots.push(self.live(obj)?);
        }
        if wait_type == WaitType::WaitAll
            && slots
                .iter()
                .enumerate()
                .any(|(n, s)| slots[..n].contains(s))
        {
            return Err(STATUS_INVALID_PARAMETER_MIX);
        }
        Ok(slots)
    }

    /// Makes room for one more pending wait on `slots`, so that queueing it cannot fail.
    fn reserve_wait(&mut self, slots: &[u32]) -> Result<(), NtStatus> {
        if self.free_waits.is_empty() {
            self.waits.try_reserve(1).map_err(no_memory)?;
            let need = (self.waits.len() + 1).saturating_sub(self.free_waits.len());
            self.free_waits.try_reserve(need).map_err(no_memory)?;
        }
        for &i in slots {
            if let Some(slot) = self.slot_mut(i) {
                slot.waiters.try_reserve(1).map_err(no_memory)?;
            }
        }
        Ok(())
    }

    /// The wait after validation and reservation.
    fn wait_resolved(
        &mut self,
        thread: ThreadId,
        slots: Vec<u32>,
        wait_type: WaitType,
        alertable: bool,
        due: Option<CancelReason>,
        timeout: Option<Timeout>,
    ) -> Result<WaitOutcome, NtStatus> {
        match self.try_satisfy(thread, &slots, wait_type) {
            Err(status) => return Err(status),
            Ok(Some(status)) => return Ok(WaitOutcome::Satisfied(status)),
            Ok(None) => {}
        }
        if alertable {
            match due {
                Some(CancelReason::Alert) => return Ok(WaitOutcome::Satisfied(STATUS_ALERTED)),
                Some(CancelReason::UserApc) => return Ok(WaitOutcome::Satisfied(STATUS_USER_APC)),
                Some(CancelReason::Timeout) | None => {}
            }
        }
        let deadline = match timeout {
            Some(Timeout::Immediate) => return Ok(WaitOutcome::Satisfied(STATUS_TIMEOUT)),
            Some(Timeout::At(t)) => Some(t),
            None => None,
        };
        let serial = self.bump_serial();
        let record = WaitRecord {
            serial,
            thread,
            objects: slots,
            wait_type,
            alertable,
            deadline,
        };
        // Room was reserved by `reserve_wait`, so none of these pushes allocates.
        let slot = match self.free_waits.pop() {
            Some(slot) => slot,
            None => {
                let slot = u32::try_from(self.waits.len()).map_err(no_memory)?;
                self.waits.push(None);
                slot
            }
        };
        let id = WaitId { slot, serial };
        for (n, &i) in record.objects.iter().enumerate() {
            if record.objects[..n].contains(&i) {
                continue;
            }
            if let Some(obj) = self.slot_mut(i) {
                obj.waiters.push_back(id);
            }
        }
        if let Some(entry) = self.waits.get_mut(slot as usize) {
            *entry = Some(record);
        }
        Ok(WaitOutcome::Pending(id))
    }

    /// Satisfies `thread`'s wait on `slots` if it can be satisfied now, applying the side
    /// effects; `None` (nothing changed) otherwise.
    fn try_satisfy(
        &mut self,
        thread: ThreadId,
        slots: &[u32],
        wait_type: WaitType,
    ) -> Result<Option<NtStatus>, NtStatus> {
        match wait_type {
            WaitType::WaitAny => {
                // The lowest index that can be satisfied wins.
                for (n, &i) in slots.iter().enumerate() {
                    let Some(obj) = self.slot_mut(i) else {
                        continue;
                    };
                    match obj.kind.availability(thread) {
                        Availability::No => {}
                        Availability::LimitExceeded => return Err(STATUS_MUTANT_LIMIT_EXCEEDED),
                        Availability::Yes => {
                            let base = if obj.kind.acquire(thread) {
                                STATUS_ABANDONED_WAIT_0
                            } else {
                                STATUS_WAIT_0
                            };
                            return Ok(Some(indexed(base, n)));
                        }
                    }
                }
                Ok(None)
            }
            WaitType::WaitAll => {
                // Ask every object before touching any.
                for &i in slots {
                    let Some(obj) = self.slot(i) else {
                        return Ok(None);
                    };
                    match obj.kind.availability(thread) {
                        Availability::No => return Ok(None),
                        Availability::LimitExceeded => return Err(STATUS_MUTANT_LIMIT_EXCEEDED),
                        Availability::Yes => {}
                    }
                }
                let mut abandoned = false;
                for &i in slots {
                    if let Some(obj) = self.slot_mut(i) {
                        abandoned |= obj.kind.acquire(thread);
                    }
                }
                // WaitAll has no single index to name: report the base of the documented
                // range (WAIT_ABANDONED_0 .. + nCount - 1). Believed to match Windows,
                // not verified against it.
                Ok(Some(if abandoned {
                    STATUS_ABANDONED_WAIT_0
                } else {
                    STATUS_WAIT_0
                }))
            }
        }
    }

    /// The state of object `i` rose: walk its waiters in arrival order and complete every
    /// wait that can now be satisfied.
    fn wait_test(&mut self, i: u32, out: &mut Vec<Completion>) {
        let mut pos = 0;
        while let Some(obj) = self.slot(i) {
            // A mutant may still satisfy its owner's wait at count <= 0; every other kind
            // can satisfy nobody once its signal is gone.
            if !obj.kind.is_signaled() && !matches!(obj.kind, Kind::Mutant { .. }) {
                break;
            }
            let Some(&id) = obj.waiters.get(pos) else {
                break;
            };
            let Some(record) = self.wait_record(id) else {
                // Cannot happen (waits leave every queue when they end); drop the entry.
                if let Some(obj) = self.slot_mut(i) {
                    obj.waiters.remove(pos);
                }
                continue;
            };
            let thread = record.thread;
            let wait_type = record.wait_type;
            // Borrow the object list out of the record while objects are updated.
            let slots = match self.wait_record_mut(id) {
                Some(r) => core::mem::take(&mut r.objects),
                None => Vec::new(),
            };
            let satisfied = self.try_satisfy(thread, &slots, wait_type).ok().flatten();
            if let Some(r) = self.wait_record_mut(id) {
                r.objects = slots;
            }
            match satisfied {
                Some(status) => {
                    // Leaves this queue at `pos`, so `pos` now names the next waiter.
                    self.remove_wait(id);
                    out.push(Completion {
                        wait: id,
                        thread,
                        status,
                    });
                }
                None => pos += 1,
            }
        }
    }

    /// Takes a pending wait out of the table and of every object queue.
    fn remove_wait(&mut self, id: WaitId) -> Option<WaitRecord> {
        self.wait_record(id)?;
        let record = self.waits.get_mut(id.slot as usize)?.take()?;
        // `reserve_wait` keeps the free list's capacity at the table's length.
        self.free_waits.push(id.slot);
        for (n, &i) in record.objects.iter().enumerate() {
            if record.objects[..n].contains(&i) {
                continue;
            }
            if let Some(obj) = self.slot_mut(i) {
                if let Some(pos) = obj.waiters.iter().position(|&w| w == id) {
                    obj.waiters.remove(pos);
                }
            }
            self.maybe_free(i);
        }
        Some(record)
    }

    /// Frees a deleted object's slot once no wait names it and no thread owns it.
    fn maybe_free(&mut self, i: u32) {
        let free = self
            .slot(i)
            .is_some_and(|o| o.deleted && o.waiters.is_empty() && o.kind.owner().is_none());
        if free {
            if let Some(entry) = self.objects.get_mut(i as usize) {
                *entry = None;
                // `insert_object` keeps the free list's capacity at the table's length.
                self.free_objects.push(i);
            }
        }
    }

    fn insert_object(&mut self, kind: Kind) -> Result<ObjectRef, NtStatus> {
        if self.free_objects.is_empty() {
            self.objects.try_reserve(1).map_err(no_memory)?;
            let need = (self.objects.len() + 1).saturating_sub(self.free_objects.len());
            self.free_objects.try_reserve(need).map_err(no_memory)?;
        }
        let serial = self.bump_serial();
        let slot = ObjectSlot {
            serial,
            kind,
            waiters: VecDeque::new(),
            deleted: false,
        };
        let index = match self.free_objects.pop() {
            Some(index) => {
                if let Some(entry) = self.objects.get_mut(index as usize) {
                    *entry = Some(slot);
                }
                index
            }
            None => {
                let index = u32::try_from(self.objects.len()).map_err(no_memory)?;
                self.objects.push(Some(slot));
                index
            }
        };
        Ok(ObjectRef {
            slot: index,
            serial,
        })
    }

    fn bump_serial(&mut self) -> u64 {
        self.next_serial = self.next_serial.wrapping_add(1);
        self.next_serial
    }

    /// The slot of a live (not deleted) object, or `STATUS_INVALID_HANDLE`.
    fn live(&self, obj: ObjectRef) -> Result<u32, NtStatus> {
        match self.slot(obj.slot) {
            Some(o) if o.serial == obj.serial && !o.deleted => Ok(obj.slot),
            _ => Err(STATUS_INVALID_HANDLE),
        }
    }

    fn live_kind(&self, obj: ObjectRef) -> Result<&Kind, NtStatus> {
        let i = self.live(obj)?;
        self.slot(i).map(|o| &o.kind).ok_or(STATUS_INVALID_HANDLE)
    }

    fn slot(&self, i: u32) -> Option<&ObjectSlot> {
        self.objects.get(i as usize)?.as_ref()
    }

    fn slot_mut(&mut self, i: u32) -> Option<&mut ObjectSlot> {
        self.objects.get_mut(i as usize)?.as_mut()
    }

    fn wait_record(&self, id: WaitId) -> Option<&WaitRecord> {
        self.waits
            .get(id.slot as usize)?
            .as_ref()
            .filter(|w| w.serial == id.serial)
    }

    fn wait_record_mut(&mut self, id: WaitId) -> Option<&mut WaitRecord> {
        self.waits
            .get_mut(id.slot as usize)?
            .as_mut()
            .filter(|w| w.serial == id.serial)
    }
}
