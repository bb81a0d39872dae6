//! NT timeouts → one absolute deadline.
//!
//! NT services take a timeout as a `LARGE_INTEGER` in 100 ns units: negative means an
//! interval relative to the moment of the call, positive an absolute system time
//! (100 ns since 1601-01-01 UTC), zero "do not wait" (documented for
//! `KeWaitForSingleObject`'s `Timeout` parameter and `NtWaitForSingleObject`; a null
//! pointer, i.e. no timeout, waits forever and is `None` at the engine).
//!
//! The engine keeps a single clock: the caller passes the `now` it uses for its own timer
//! queue, and both kinds become an absolute deadline on that clock. Whether the deadline
//! is already behind us is decided here, once, with the same `now`: a wait that must not
//! block is then recognisable without the engine ever reading a clock.
//!
//! Limitation (see the module notes): absolute deadlines are not re-evaluated when the
//! system time is changed, as NT does for absolute timers.

/// When a wait stops waiting for its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timeout {
    /// Do not wait at all: satisfy now or return `STATUS_TIMEOUT` (a zero timeout, or an
    /// absolute time that has already passed).
    Immediate,
    /// Give up at this absolute time (100 ns units, the caller's clock).
    At(u64),
}

impl Timeout {
    /// Converts an NT timeout value, read at time `now` (100 ns units).
    ///
    /// Relative intervals that would overflow the clock saturate to `u64::MAX`, which the
    /// runtime can treat as "never".
    pub fn from_nt(value: i64, now: u64) -> Self {
        match value {
            0 => Self::Immediate,
            v if v < 0 => Self::At(relative_deadline(v.unsigned_abs(), now)),
            v => absolute_deadline(v.unsigned_abs(), now),
        }
    }

    /// The deadline, if there is one to arm a timer for.
    pub fn deadline(self) -> Option<u64> {
        match self {
            Self::Immediate => None,
            Self::At(t) => Some(t),
        }
    }

    /// Whether the timeout has run out at `now`.
    pub fn is_expired(self, now: u64) -> bool {
        match self {
            Self::Immediate => true,
            Self::At(t) => t <= now,
        }
    }
}

/// `now + interval`, saturating.
pub fn relative_deadline(interval: u64, now: u64) -> u64 {
    now.saturating_add(interval)
}

/// An absolute system time as a [`Timeout`]: one at or before `now` does not wait.
pub fn absolute_deadline(time: u64, now: u64) -> Timeout {
    if time <= now {
        Timeout::Immediate
    } else {
        Timeout::At(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 133_000_000_000_000_000; // some time in 2022, in 100 ns since 1601

    #[test]
    fn zero_is_immediate() {
        assert_eq!(Timeout::from_nt(0, NOW), Timeout::Immediate);
        assert_eq!(Timeout::from_nt(0, 0), Timeout::Immediate);
        assert!(Timeout::Immediate.is_expired(0));
        assert_eq!(Timeout::Immediate.deadline(), None);
    }

    #[test]
    fn negative_is_relative_to_now() {
        // -10_000_000 is one second (100 ns units).
        assert_eq!(
            Timeout::from_nt(-10_000_000, NOW),
            Timeout::At(NOW + 10_000_000)
        );
        assert_eq!(Timeout::from_nt(-1, NOW), Timeout::At(NOW + 1));
        let t = Timeout::from_nt(-5, 100);
        assert!(!t.is_expired(104));
        assert!(t.is_expired(105));
        assert_eq!(t.deadline(), Some(105));
    }

    #[test]
    fn positive_is_absolute() {
        assert_eq!(Timeout::from_nt(200, 100), Timeout::At(200));
        // Already passed or exactly now: do not wait.
        assert_eq!(Timeout::from_nt(100, 100), Timeout::Immediate);
        assert_eq!(Timeout::from_nt(1, NOW), Timeout::Immediate);
        assert_eq!(absolute_deadline(NOW + 1, NOW), Timeout::At(NOW + 1));
    }

    #[test]
    fn extremes_do_not_overflow() {
        // i64::MIN has no positive counterpart in i64; the interval is 2^63.
        assert_eq!(Timeout::from_nt(i64::MIN, 0), Timeout::At(1u64 << 63));
        assert_eq!(
            Timeout::from_nt(i64::MIN, u64::MAX - 1),
            Timeout::At(u64::MAX)
        );
        assert_eq!(Timeout::from_nt(i64::MAX, 0), Timeout::At(i64::MAX as u64));
        assert_eq!(relative_deadline(u64::MAX, 1), u64::MAX);
    }
}
