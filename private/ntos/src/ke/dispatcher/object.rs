//! The state of each kind of dispatcher object and what acquiring it means.
//!
//! Every kind reduces to the two questions the wait engine asks: "could `thread` be
//! satisfied by this object now?" and "`thread` is satisfied: apply the side effect"
//! (auto-reset, count decrement, ownership). Keeping both next to each other per kind is
//! what makes WaitAll's all-or-nothing rule easy to keep: the engine asks the first
//! question for every object before it applies the second to any.

use ntdef::status::STATUS_INVALID_PARAMETER;
use ntdef::NtStatus;

use super::status::STATUS_INVALID_PARAMETER_4;
use super::ThreadId;

/// `EVENT_TYPE`: the values `NtCreateEvent` takes and `NtQueryEvent` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum EventType {
    /// Manual reset: stays signalled and releases every waiter.
    Notification = 0,
    /// Auto reset: releases one waiter and resets in doing so.
    Synchronization = 1,
}

impl EventType {
    /// `NtCreateEvent`'s `EventType` argument: anything else is
    /// `STATUS_INVALID_PARAMETER`.
    pub fn from_nt(value: u32) -> Result<Self, NtStatus> {
        match value {
            0 => Ok(Self::Notification),
            1 => Ok(Self::Synchronization),
            _ => Err(STATUS_INVALID_PARAMETER),
        }
    }
}

/// `TIMER_TYPE`: same split as events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum TimerType {
    Notification = 0,
    Synchronization = 1,
}

impl TimerType {
    /// `NtCreateTimer`'s `TimerType` (its fourth parameter): anything else is
    /// `STATUS_INVALID_PARAMETER_4`.
    pub fn from_nt(value: u32) -> Result<Self, NtStatus> {
        match value {
            0 => Ok(Self::Notification),
            1 => Ok(Self::Synchronization),
            _ => Err(STATUS_INVALID_PARAMETER_4),
        }
    }
}

/// Whether an object can satisfy a particular thread's wait right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Availability {
    No,
    Yes,
    /// The thread owns the mutant and one more acquisition would overflow its count
    /// (`STATUS_MUTANT_LIMIT_EXCEEDED`).
    LimitExceeded,
}

/// One dispatcher object's state. An event's state is a number, not a flag: it starts
/// as the `BOOLEAN` the creator passed (which may be 2, or 0x78) and that number is what
/// the first previous-state report shows; set and reset store 1 and 0. Mutant counts use NT's signal-state convention (1 =
/// free, 0 = owned once, -n = owned n+1 times) because `NtReleaseMutant` and
/// `NtQueryMutant` report exactly that number.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    Event {
        kind: EventType,
        state: i32,
    },
    Mutant {
        count: i32,
        owner: Option<ThreadId>,
        abandoned: bool,
    },
    Semaphore {
        count: i32,
        maximum: i32,
    },
    Timer {
        kind: TimerType,
        signaled: bool,
    },
    /// Process and thread objects: signalled once, for good, when they end.
    SignalOnce {
        signaled: bool,
    },
}

impl Kind {
    pub(super) fn availability(&self, thread: ThreadId) -> Availability {
        let yes = match *self {
            Kind::Event { state, .. } => state > 0,
            Kind::Timer { signaled, .. } | Kind::SignalOnce { signaled } => signaled,
            Kind::Semaphore { count, .. } => count > 0,
            Kind::Mutant { count, owner, .. } => {
                if owner == Some(thread) {
                    // The owner may always re-acquire, up to the count's range.
                    if count == i32::MIN {
                        return Availability::LimitExceeded;
                    }
                    true
                } else {
                    count > 0
                }
            }
        };
        if yes {
            Availability::Yes
        } else {
            Availability::No
        }
    }

    /// Applies the side effect of satisfying `thread`'s wait. Returns whether the object
    /// was an abandoned mutant (the wait then reports `STATUS_ABANDONED_WAIT_0 + i`).
    /// Only called after [`Kind::availability`] answered `Yes` for the same thread.
    pub(super) fn acquire(&mut self, thread: ThreadId) -> bool {
        match self {
            Kind::Event { kind, state } => {
                if *kind == EventType::Synchronization {
                    *state = 0;
                }
                false
            }
            Kind::Timer { kind, signaled } => {
                if *kind == TimerType::Synchronization {
                    *signaled = false;
                }
                false
            }
            Kind::SignalOnce { .. } => false,
            Kind::Semaphore { count, .. } => {
                *count = count.saturating_sub(1).max(0);
                false
            }
            Kind::Mutant {
                count,
                owner,
                abandoned,
            } => {
                *count = count.saturating_sub(1);
                *owner = Some(thread);
                // Ownership taken over from an abandoned mutant is reported once, to the
                // acquirer; the mutant is an ordinary owned mutant from then on.
                core::mem::replace(abandoned, false)
            }
        }
    }

    /// "Signal state > 0": some waiter other than an owner could be satisfied.
    pub(super) fn is_signaled(&self) -> bool {
        match *self {
            Kind::Timer { signaled, .. } | Kind::SignalOnce { signaled } => signaled,
            Kind::Event { state: count, .. }
            | Kind::Semaphore { count, .. }
            | Kind::Mutant { count, .. } => count > 0,
        }
    }

    pub(super) fn owner(&self) -> Option<ThreadId> {
        match *self {
            Kind::Mutant { owner, .. } => owner,
            _ => None,
        }
    }
}
