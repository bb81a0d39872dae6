//! The first executive ↔ process protocol: badges and the IPC check.
//!
//! Every process holds two badged copies of the executive's endpoint: one
//! for its requests (a Call), one that seL4 uses for its faults. The badge
//! tells the executive who sent what. The IPC check is a chain of values
//! both sides can compute, so each side verifies what the other echoed.
//! Messages fit the register message words of both arches (2 on ia32), so
//! neither side touches an IPC buffer.

pub type Word = usize;

/// seL4 5.0 badges are 28 bits wide (a wider one trips a kernel assertion).
pub const BADGE_BITS: u32 = 28;
/// Largest process id that fits a badge next to the kind bit.
pub const MAX_PID: u32 = (1 << (BADGE_BITS - 1)) - 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeKind {
    /// A request the process sent itself.
    Request,
    /// A fault seL4 raised on the process's behalf.
    Fault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    pub pid: u32,
    pub kind: BadgeKind,
}

impl Badge {
    /// `None` if `pid` is 0 (badge 0 means "unbadged") or too large.
    pub fn new(pid: u32, kind: BadgeKind) -> Option<Badge> {
        (pid != 0 && pid <= MAX_PID).then_some(Badge { pid, kind })
    }

    pub fn to_word(self) -> Word {
        let kind = match self.kind {
            BadgeKind::Request => 0,
            BadgeKind::Fault => 1,
        };
        ((self.pid as Word) << 1) | kind
    }

    pub fn from_word(w: Word) -> Option<Badge> {
        if w >> BADGE_BITS != 0 {
            return None;
        }
        let kind = if w & 1 == 0 {
            BadgeKind::Request
        } else {
            BadgeKind::Fault
        };
        Badge::new((w >> 1) as u32, kind)
    }
}

/// Message labels a process sends (requests) and the executive replies.
pub mod label {
    use super::Word;
    /// Request: words (sequence number, value); reply: (sequence, next value).
    pub const PING: Word = 1;
    /// Request: words (rounds done, last value); reply: empty.
    pub const DONE: Word = 2;
    /// Request: the process found a wrong reply; words (sequence, value got).
    pub const MISMATCH: Word = 3;
    /// Request: the process ends; never replied to.
    pub const EXIT: Word = 4;
    /// Reply label for success.
    pub const OK: Word = 0;
    /// Reply label for a request the executive does not serve (yet).
    pub const NOT_SUPPORTED: Word = 5;
}

/// What a process does after its IPC rounds (its start argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finale {
    /// Read an unmapped address: the fault path.
    BadRead,
    /// Ask to be terminated.
    Exit,
}

impl Finale {
    pub fn to_word(self) -> Word {
        match self {
            Finale::BadRead => 1,
            Finale::Exit => 2,
        }
    }

    pub fn from_word(w: Word) -> Option<Finale> {
        match w {
            1 => Some(Finale::BadRead),
            2 => Some(Finale::Exit),
            _ => None,
        }
    }
}

/// First value of the chain.
pub const SEED: Word = 0x5EED_1234;

/// Next value of the chain: what the executive replies to `(seq, value)`.
/// Depends on both inputs so a stale or reordered message is caught.
#[inline(always)]
pub fn next(value: Word, seq: Word) -> Word {
    value.rotate_left(7) ^ seq.wrapping_mul(0x9E37_79B9).wrapping_add(0x2545_F491)
}

/// An address no process has mapped (far from its image, stack and IPC
/// buffer), read on purpose to exercise the fault path.
pub const BAD_ADDRESS: Word = 0xDEAD_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_round_trip_and_fit_28_bits() {
        for pid in [1, 2, 77, MAX_PID] {
            for kind in [BadgeKind::Request, BadgeKind::Fault] {
                let b = Badge::new(pid, kind).unwrap();
                let w = b.to_word();
                assert!(w < 1 << 28, "{w:#x}");
                assert_eq!(Badge::from_word(w), Some(b));
            }
        }
        assert_eq!(Badge::new(1, BadgeKind::Request).unwrap().to_word(), 2);
        assert_eq!(Badge::new(1, BadgeKind::Fault).unwrap().to_word(), 3);
    }

    #[test]
    fn invalid_badges_are_rejected() {
        assert_eq!(Badge::new(0, BadgeKind::Request), None);
        assert_eq!(Badge::new(MAX_PID + 1, BadgeKind::Fault), None);
        assert_eq!(Badge::from_word(0), None);
        assert_eq!(Badge::from_word(1), None);
        assert_eq!(Badge::from_word(1 << 28), None);
    }

    #[test]
    fn chain_values_differ_per_step_and_sequence() {
        let a = next(SEED, 0);
        let b = next(a, 1);
        assert_ne!(a, SEED);
        assert_ne!(b, a);
        assert_ne!(next(SEED, 0), next(SEED, 1));
        // A fixed, arch-independent first step (bit 31 of the seed rotates
        // into bit 38 on 64-bit and into bit 6 on 32-bit, so compare the
        // 64-bit value only on 64-bit hosts).
        #[cfg(target_pointer_width = "64")]
        assert_eq!(a, (SEED << 7) ^ 0x2545_F491);
    }

    #[test]
    fn finale_words() {
        for f in [Finale::BadRead, Finale::Exit] {
            assert_eq!(Finale::from_word(f.to_word()), Some(f));
        }
        assert_eq!(Finale::from_word(0), None);
    }
}
