//! Free-slot bookkeeping for the executive's root CNode.
//!
//! seL4 gives the root task a range of empty slots (`bootinfo.empty`); every
//! object it creates, copies or mints needs one. Contiguous ranges matter
//! because one `Untyped_Retype` call fills a run of adjacent slots.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

/// Index of a slot in the root CNode; with the root CNode cap and the word
/// size as depth it is also the slot's CPtr.
pub type Slot = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotError {
    /// No free run of `wanted` slots is left.
    Exhausted { wanted: usize },
    /// A request for zero slots.
    EmptyRequest,
    /// The slot is not managed by this allocator.
    OutOfRange(Slot),
    /// The slot is managed but not allocated (double free).
    NotAllocated(Slot),
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exhausted { wanted } => write!(f, "no run of {wanted} free CNode slots"),
            Self::EmptyRequest => write!(f, "request for zero CNode slots"),
            Self::OutOfRange(s) => write!(f, "CNode slot {s} is not managed"),
            Self::NotAllocated(s) => write!(f, "CNode slot {s} is not allocated"),
        }
    }
}

const WORD: usize = u64::BITS as usize;

/// Bitmap allocator over one contiguous range of slots (bit set = in use).
#[derive(Debug, Clone)]
pub struct SlotAllocator {
    range: Range<Slot>,
    used: Vec<u64>,
    free: usize,
    /// First bitmap word that may still contain a free bit.
    hint: usize,
}

impl SlotAllocator {
    /// Manages the slots `range`; an empty or reversed range manages nothing.
    pub fn new(range: Range<Slot>) -> Self {
        let len = range.end.saturating_sub(range.start);
        let mut used = vec![0u64; len.div_ceil(WORD)];
        // Bits past the end stay set forever so the scans need no bounds logic.
        let tail = len % WORD;
        if tail != 0 {
            if let Some(last) = used.last_mut() {
                *last = !0u64 << tail;
            }
        }
        Self {
            range: range.start..range.start + len,
            used,
            free: len,
            hint: 0,
        }
    }

    pub fn range(&self) -> Range<Slot> {
        self.range.clone()
    }

    pub fn capacity(&self) -> usize {
        self.range.len()
    }

    pub fn free_count(&self) -> usize {
        self.free
    }

    pub fn is_allocated(&self, slot: Slot) -> bool {
        self.index(slot).is_some_and(|i| self.bit(i))
    }

    /// Takes the lowest free slot.
    pub fn alloc(&mut self) -> Result<Slot, SlotError> {
        for w in self.hint..self.used.len() {
            let word = self.used[w];
            if word != !0 {
                let i = w * WORD + word.trailing_ones() as usize;
                self.set(i, true);
                self.free -= 1;
                self.hint = w;
                return Ok(self.range.start + i);
            }
        }
        self.hint = self.used.len();
        Err(SlotError::Exhausted { wanted: 1 })
    }

    /// Takes the lowest run of `n` adjacent free slots (first fit).
    pub fn alloc_range(&mut self, n: usize) -> Result<Range<Slot>, SlotError> {
        if n == 0 {
            return Err(SlotError::EmptyRequest);
        }
        if n == 1 {
            let s = self.alloc()?;
            return Ok(s..s + 1);
        }
        if n > self.free {
            return Err(SlotError::Exhausted { wanted: n });
        }
        let len = self.capacity();
        let mut run_start = 0;
        let mut run_len = 0;
        let mut i = self.hint * WORD;
        while i < len {
            // Skip whole words that are full.
            if i & (WORD - 1) == 0 && self.used[i / WORD] == !0 {
                run_len = 0;
                i += WORD;
                continue;
            }
            if self.bit(i) {
                run_len = 0;
            } else {
                if run_len == 0 {
                    run_start = i;
                }
                run_len += 1;
                if run_len == n {
                    for j in run_start..run_start + n {
                        self.set(j, true);
                    }
                    self.free -= n;
                    return Ok(self.range.start + run_start..self.range.start + run_start + n);
                }
            }
            i += 1;
        }
        Err(SlotError::Exhausted { wanted: n })
    }

    pub fn free(&mut self, slot: Slot) -> Result<(), SlotError> {
        self.free_range(slot..slot + 1)
    }

    /// Returns a run of slots; all or nothing: if any slot of `slots` is not
    /// allocated, nothing changes.
    pub fn free_range(&mut self, slots: Range<Slot>) -> Result<(), SlotError> {
        if slots.is_empty() {
            return Err(SlotError::EmptyRequest);
        }
        for s in slots.clone() {
            let i = self.index(s).ok_or(SlotError::OutOfRange(s))?;
            if !self.bit(i) {
                return Err(SlotError::NotAllocated(s));
            }
        }
        for s in slots.clone() {
            let i = s - self.range.start;
            self.set(i, false);
        }
        self.free += slots.len();
        self.hint = self.hint.min((slots.start - self.range.start) / WORD);
        Ok(())
    }

    fn index(&self, slot: Slot) -> Option<usize> {
        self.range.contains(&slot).then(|| slot - self.range.start)
    }

    fn bit(&self, i: usize) -> bool {
        self.used[i / WORD] & (1 << (i % WORD)) != 0
    }

    fn set(&mut self, i: usize, on: bool) {
        let mask = 1u64 << (i % WORD);
        if on {
            self.used[i / WORD] |= mask;
        } else {
            self.used[i / WORD] &= !mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singles_come_in_order_from_the_bootinfo_range() {
        let mut a = SlotAllocator::new(172..4096);
        assert_eq!(a.capacity(), 3924);
        assert_eq!(a.alloc(), Ok(172));
        assert_eq!(a.alloc(), Ok(173));
        assert_eq!(a.free_count(), 3922);
        assert!(a.is_allocated(172));
        assert!(!a.is_allocated(174));
        assert!(!a.is_allocated(171));
    }

    #[test]
    fn freed_slot_is_reused_first() {
        let mut a = SlotAllocator::new(10..20);
        let s: Vec<_> = (0..5).map(|_| a.alloc().unwrap()).collect();
        assert_eq!(s, [10, 11, 12, 13, 14]);
        a.free(12).unwrap();
        assert_eq!(a.alloc(), Ok(12));
        assert_eq!(a.alloc(), Ok(15));
    }

    #[test]
    fn exhaustion_is_an_error_not_a_panic() {
        let mut a = SlotAllocator::new(0..3);
        for want in 0..3 {
            assert_eq!(a.alloc(), Ok(want));
        }
        assert_eq!(a.alloc(), Err(SlotError::Exhausted { wanted: 1 }));
        assert_eq!(a.alloc_range(2), Err(SlotError::Exhausted { wanted: 2 }));
        assert_eq!(a.free_count(), 0);
        a.free(1).unwrap();
        assert_eq!(a.alloc(), Ok(1));
    }

    #[test]
    fn empty_and_reversed_ranges_manage_nothing() {
        #[allow(clippy::reversed_empty_ranges)]
        let mut a = SlotAllocator::new(50..40);
        assert_eq!(a.capacity(), 0);
        assert_eq!(a.alloc(), Err(SlotError::Exhausted { wanted: 1 }));
        assert_eq!(a.free(45), Err(SlotError::OutOfRange(45)));
    }

    #[test]
    fn ranges_are_contiguous_first_fit() {
        let mut a = SlotAllocator::new(100..200);
        let x = a.alloc_range(3).unwrap();
        assert_eq!(x, 100..103);
        let y = a.alloc_range(4).unwrap();
        assert_eq!(y, 103..107);
        a.free(101).unwrap();
        // A hole of one does not satisfy a run of two.
        assert_eq!(a.alloc_range(2).unwrap(), 107..109);
        assert_eq!(a.alloc(), Ok(101));
        assert_eq!(a.free_count(), 100 - 3 - 4 - 2);
    }

    #[test]
    fn ranges_cross_bitmap_words_and_skip_full_words() {
        let mut a = SlotAllocator::new(0..300);
        let first = a.alloc_range(70).unwrap();
        assert_eq!(first, 0..70);
        // Leave slot 60 free inside the first (otherwise full) word.
        a.free(60).unwrap();
        let big = a.alloc_range(130).unwrap();
        assert_eq!(big, 70..200);
        assert!((70..200).all(|s| a.is_allocated(s)));
        assert_eq!(
            a.alloc_range(101),
            Err(SlotError::Exhausted { wanted: 101 })
        );
        assert_eq!(a.alloc_range(100).unwrap(), 200..300);
        assert_eq!(a.alloc(), Ok(60));
        assert_eq!(a.free_count(), 0);
    }

    #[test]
    fn range_request_larger_than_free_total_fails_fast() {
        let mut a = SlotAllocator::new(0..8);
        assert_eq!(a.alloc_range(9), Err(SlotError::Exhausted { wanted: 9 }));
        assert_eq!(a.alloc_range(0), Err(SlotError::EmptyRequest));
        assert_eq!(a.alloc_range(8).unwrap(), 0..8);
    }

    #[test]
    fn double_free_and_foreign_slots_are_rejected() {
        let mut a = SlotAllocator::new(10..20);
        let s = a.alloc().unwrap();
        a.free(s).unwrap();
        assert_eq!(a.free(s), Err(SlotError::NotAllocated(s)));
        assert_eq!(a.free(9), Err(SlotError::OutOfRange(9)));
        assert_eq!(a.free(20), Err(SlotError::OutOfRange(20)));
        assert_eq!(a.free_count(), 10);
    }

    #[test]
    fn free_range_is_all_or_nothing() {
        let mut a = SlotAllocator::new(0..16);
        let r = a.alloc_range(4).unwrap();
        a.free(2).unwrap();
        assert_eq!(a.free_range(r.clone()), Err(SlotError::NotAllocated(2)));
        // Slots 0, 1, 3 are still allocated after the failed call.
        assert!(a.is_allocated(0) && a.is_allocated(1) && a.is_allocated(3));
        assert_eq!(a.free_count(), 13);
        a.free_range(0..2).unwrap();
        a.free(3).unwrap();
        assert_eq!(a.free_count(), 16);
        assert_eq!(a.alloc_range(16).unwrap(), 0..16);
    }

    #[test]
    fn slots_past_the_end_of_the_last_word_are_never_handed_out() {
        let mut a = SlotAllocator::new(0..65);
        assert_eq!(a.alloc_range(65).unwrap(), 0..65);
        assert_eq!(a.alloc(), Err(SlotError::Exhausted { wanted: 1 }));
        a.free_range(0..65).unwrap();
        let all: Vec<_> = core::iter::from_fn(|| a.alloc().ok()).collect();
        assert_eq!(all, (0..65).collect::<Vec<_>>());
    }
}
