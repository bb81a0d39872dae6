//! `RTL_BITMAP` operations.
//!
//! Bit `i` of a bitmap is bit `i % 32` of the `ULONG` at index `i / 32` (LSB first), so
//! a bitmap is also byte-addressable as bit `i % 8` of byte `i / 8`. Only the first
//! `SizeOfBitMap` bits belong to the bitmap; the padding bits of the last `ULONG` are
//! never counted or searched, and only `RtlSetAllBits`/`RtlClearAllBits` (which work on
//! whole `ULONG`s, as on Windows) change them.

/// `ULONG`s needed to hold `bits` bits.
pub const fn words_for(bits: u32) -> usize {
    (bits as usize).div_ceil(32)
}

/// Index returned by `RtlFind*Bits` when no run is found.
pub const NOT_FOUND: u32 = u32::MAX;

/// A bitmap of `size` bits stored in `words` (`&[u32]` to read, `&mut [u32]` to modify).
#[derive(Debug)]
pub struct BitMap<B> {
    words: B,
    size: u32,
}

/// Calls `f(word_index, mask)` for each word that bits `start..end` touch.
fn for_each_word(start: u32, end: u32, mut f: impl FnMut(usize, u32)) {
    let mut bit = start;
    while bit < end {
        let in_word = bit % 32;
        let take = (32 - in_word).min(end - bit);
        let mask = if take == 32 {
            u32::MAX
        } else {
            ((1u32 << take) - 1) << in_word
        };
        f((bit / 32) as usize, mask);
        bit += take;
    }
}

impl<B: AsRef<[u32]>> BitMap<B> {
    /// `None` when `words` is shorter than [`words_for`]`(size)`.
    pub fn new(words: B, size: u32) -> Option<Self> {
        (words.as_ref().len() >= words_for(size)).then_some(Self { words, size })
    }

    pub fn size(&self) -> u32 {
        self.size
    }

    /// Whether bit `index` is set; bits past the end read as clear.
    pub fn test(&self, index: u32) -> bool {
        index < self.size && self.words.as_ref()[(index / 32) as usize] & (1 << (index % 32)) != 0
    }

    /// The end of `start..start + len` if that is a non-empty range inside the bitmap.
    fn checked_end(&self, start: u32, len: u32) -> Option<u32> {
        start
            .checked_add(len)
            .filter(|&end| len != 0 && end <= self.size)
    }

    fn range_is(&self, start: u32, len: u32, set: bool) -> bool {
        let Some(end) = self.checked_end(start, len) else {
            return false;
        };
        let words = self.words.as_ref();
        let mut all = true;
        for_each_word(start, end, |i, mask| {
            let bits = if set { words[i] } else { !words[i] };
            all &= bits & mask == mask;
        });
        all
    }

    /// `RtlAreBitsSet`: false for an empty range or one that leaves the bitmap.
    pub fn are_set(&self, start: u32, len: u32) -> bool {
        self.range_is(start, len, true)
    }

    /// `RtlAreBitsClear`: false for an empty range or one that leaves the bitmap.
    pub fn are_clear(&self, start: u32, len: u32) -> bool {
        self.range_is(start, len, false)
    }

    /// `RtlNumberOfSetBits`.
    pub fn count_set(&self) -> u32 {
        let words = self.words.as_ref();
        let mut count = 0;
        for_each_word(0, self.size, |i, mask| {
            count += (words[i] & mask).count_ones()
        });
        count
    }

    /// `RtlNumberOfClearBits`.
    pub fn count_clear(&self) -> u32 {
        self.size - self.count_set()
    }

    /// First run of `count` bits equal to `set` that starts in `from..` and ends by `to`.
    fn first_run(&self, set: bool, count: u32, from: u32, to: u32) -> Option<u32> {
        let words = self.words.as_ref();
        let skip = if set { 0 } else { u32::MAX };
        let (mut run_start, mut bit) = (from, from);
        while bit < to {
            if bit % 32 == 0 && bit + 32 <= to && words[(bit / 32) as usize] == skip {
                bit += 32;
                run_start = bit;
                continue;
            }
            bit += 1;
            if self.test(bit - 1) != set {
                run_start = bit;
            } else if bit - run_start == count {
                return Some(run_start);
            }
        }
        None
    }

    /// First-fit search starting at `hint` (0 if past the end), then from bit 0.
    fn find(&self, set: bool, count: u32, hint: u32) -> Option<u32> {
        if count == 0 {
            return Some(0);
        }
        if count > self.size {
            return None;
        }
        let hint = if hint >= self.size { 0 } else { hint };
        self.first_run(set, count, hint, self.size).or_else(|| {
            let wrap_end = hint.saturating_add(count - 1).min(self.size);
            self.first_run(set, count, 0, wrap_end)
        })
    }

    /// `RtlFindClearBits`: the start of the first run of `count` clear bits at or after
    /// `hint`, else the first one before it. A zero `count` finds index 0.
    pub fn find_clear(&self, count: u32, hint: u32) -> Option<u32> {
        self.find(false, count, hint)
    }

    /// `RtlFindSetBits`, the same search for set bits.
    pub fn find_set(&self, count: u32, hint: u32) -> Option<u32> {
        self.find(true, count, hint)
    }
}

impl<B: AsRef<[u32]> + AsMut<[u32]>> BitMap<B> {
    /// Bits outside the bitmap are left alone: Windows does not check the range and
    /// would write past the buffer; here the range is cut at `SizeOfBitMap`.
    fn fill_range(&mut self, start: u32, len: u32, set: bool) {
        let end = start.saturating_add(len).min(self.size);
        let words = self.words.as_mut();
        for_each_word(start, end, |i, mask| {
            if set {
                words[i] |= mask;
            } else {
                words[i] &= !mask;
            }
        });
    }

    /// `RtlSetBits`.
    pub fn set_range(&mut self, start: u32, len: u32) {
        self.fill_range(start, len, true);
    }

    /// `RtlClearBits`.
    pub fn clear_range(&mut self, start: u32, len: u32) {
        self.fill_range(start, len, false);
    }

    /// `RtlSetAllBits`: every `ULONG` of the bitmap, padding included.
    pub fn set_all(&mut self) {
        let n = words_for(self.size);
        self.words.as_mut()[..n].fill(u32::MAX);
    }

    /// `RtlClearAllBits`: every `ULONG` of the bitmap, padding included.
    pub fn clear_all(&mut self) {
        let n = words_for(self.size);
        self.words.as_mut()[..n].fill(0);
    }

    /// `RtlFindClearBitsAndSet`.
    pub fn find_clear_and_set(&mut self, count: u32, hint: u32) -> Option<u32> {
        let start = self.find_clear(count, hint)?;
        self.set_range(start, count);
        Some(start)
    }

    /// `RtlFindSetBitsAndClear`.
    pub fn find_set_and_clear(&mut self, count: u32, hint: u32) -> Option<u32> {
        let start = self.find_set(count, hint)?;
        self.clear_range(start, count);
        Some(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: the bit as a naive byte-array model sees it.
    fn bits_of(words: &[u32], n: u32) -> Vec<bool> {
        (0..n)
            .map(|i| words[(i / 32) as usize] >> (i % 32) & 1 == 1)
            .collect()
    }

    #[test]
    fn words_needed() {
        assert_eq!(words_for(0), 0);
        assert_eq!(words_for(1), 1);
        assert_eq!(words_for(32), 1);
        assert_eq!(words_for(33), 2);
        assert!(BitMap::new(&[0u32][..], 33).is_none());
        assert!(BitMap::new(&[0u32; 2][..], 33).is_some());
    }

    #[test]
    fn set_and_clear_ranges_across_words() {
        let mut words = [0u32; 3];
        let mut bm = BitMap::new(&mut words[..], 70).unwrap();
        bm.set_range(30, 5);
        assert!(bm.are_set(30, 5));
        assert!(!bm.are_set(29, 2));
        assert!(bm.are_clear(0, 30));
        assert!(bm.are_clear(35, 35));
        assert_eq!(bm.count_set(), 5);
        bm.clear_range(31, 2);
        assert_eq!(bm.count_set(), 3);
        assert!(bm.test(30) && !bm.test(31) && !bm.test(32) && bm.test(33));
        assert_eq!(words, [0x4000_0000, 0x0000_0006, 0]);
    }

    #[test]
    fn lsb_first_layout() {
        let mut words = [0u32; 2];
        BitMap::new(&mut words[..], 64).unwrap().set_range(0, 1);
        BitMap::new(&mut words[..], 64).unwrap().set_range(39, 1);
        assert_eq!(words, [1, 0x80]);
    }

    #[test]
    fn range_queries_reject_empty_and_out_of_range() {
        let words = [u32::MAX; 2];
        let bm = BitMap::new(&words[..], 40).unwrap();
        assert!(bm.are_set(0, 40));
        assert!(!bm.are_set(0, 41));
        assert!(!bm.are_set(5, 0));
        assert!(!bm.are_set(u32::MAX, 2));
        assert!(!bm.are_clear(39, 1));
        assert_eq!(bm.count_set(), 40, "padding bits are not counted");
        assert_eq!(bm.count_clear(), 0);
    }

    #[test]
    fn writes_stop_at_the_end_of_the_bitmap() {
        let mut words = [0u32; 2];
        let mut bm = BitMap::new(&mut words[..], 40).unwrap();
        bm.set_range(38, 100);
        assert_eq!(bm.count_set(), 2);
        assert_eq!(words, [0, 0xC0]);
    }

    #[test]
    fn all_bits_cover_whole_words() {
        let mut words = [0u32; 3];
        let mut bm = BitMap::new(&mut words[..], 40).unwrap();
        bm.set_all();
        assert_eq!(bm.count_set(), 40);
        assert_eq!(words, [u32::MAX, u32::MAX, 0]);
        BitMap::new(&mut words[..], 40).unwrap().clear_all();
        assert_eq!(words, [0; 3]);
    }

    #[test]
    fn find_clear_from_hint_then_wraps() {
        let mut words = [0u32; 2];
        let mut bm = BitMap::new(&mut words[..], 64).unwrap();
        bm.set_range(0, 10);
        bm.set_range(20, 30);
        // Clear runs: 10..20 and 50..64.
        assert_eq!(bm.find_clear(5, 0), Some(10));
        assert_eq!(bm.find_clear(11, 0), Some(50));
        assert_eq!(bm.find_clear(5, 12), Some(12));
        assert_eq!(bm.find_clear(10, 12), Some(50));
        assert_eq!(bm.find_clear(10, 55), Some(10), "wraps to the start");
        assert_eq!(bm.find_clear(15, 0), None);
        assert_eq!(
            bm.find_clear(14, 1000),
            Some(50),
            "hint past the end means 0"
        );
        assert_eq!(bm.find_clear(65, 0), None);
        assert_eq!(bm.find_set(10, 5), Some(20));
        assert_eq!(bm.find_set(10, 45), Some(0));
        assert_eq!(bm.find_set(0, 33), Some(0));
    }

    #[test]
    fn wrap_search_finds_runs_that_cross_the_hint() {
        let mut words = [u32::MAX; 1];
        let mut bm = BitMap::new(&mut words[..], 32).unwrap();
        bm.clear_range(8, 8);
        assert_eq!(bm.find_clear(8, 12), Some(8));
        assert_eq!(bm.find_clear(9, 12), None);
    }

    #[test]
    fn find_and_set_allocates_consecutively() {
        let mut words = [0u32; 4];
        let mut bm = BitMap::new(&mut words[..], 100).unwrap();
        assert_eq!(bm.find_clear_and_set(40, 0), Some(0));
        assert_eq!(bm.find_clear_and_set(40, 0), Some(40));
        assert_eq!(bm.find_clear_and_set(40, 0), None);
        assert_eq!(bm.find_clear_and_set(20, 0), Some(80));
        assert_eq!(bm.count_set(), 100);
        assert_eq!(bm.find_set_and_clear(50, 30), Some(30));
        assert_eq!(bm.count_clear(), 50);
        assert!(bm.are_clear(30, 50));
    }

    #[test]
    fn matches_a_naive_model() {
        // Deterministic pseudo-random operations against a Vec<bool> model.
        let mut state = 0x2545_F491u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let size = 150;
        let mut words = [0u32; 5];
        let mut model = vec![false; size as usize];
        for _ in 0..2000 {
            let start = next() % size;
            let len = next() % 12;
            let mut bm = BitMap::new(&mut words[..], size).unwrap();
            match next() % 3 {
                0 => {
                    bm.set_range(start, len);
                    for b in model.iter_mut().skip(start as usize).take(len as usize) {
                        *b = true;
                    }
                }
                1 => {
                    bm.clear_range(start, len);
                    for b in model.iter_mut().skip(start as usize).take(len as usize) {
                        *b = false;
                    }
                }
                _ => {
                    let want = len.max(1) as usize;
                    let expect = (start as usize..size as usize)
                        .chain(0..start as usize)
                        .find(|&s| {
                            s + want <= size as usize && model[s..s + want].iter().all(|b| !b)
                        });
                    assert_eq!(bm.find_clear(want as u32, start), expect.map(|s| s as u32));
                }
            }
            let bm = BitMap::new(&words[..], size).unwrap();
            assert_eq!(bits_of(&words, size), model);
            assert_eq!(
                bm.count_set() as usize,
                model.iter().filter(|b| **b).count()
            );
        }
    }
}
