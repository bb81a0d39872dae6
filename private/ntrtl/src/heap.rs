//! The block allocator behind `RtlAllocateHeap` & co: one heap segment, as pure logic
//! over a [`Region`] of bytes addressed by offset.
//!
//! The segment starts with the allocator's state (the bin heads), then blocks laid end
//! to end up to `top`; beyond `top` the region is unused (and may be uncommitted:
//! [`Region::commit`] is asked for more as `top` rises). Every block has a header of
//! four words:
//!
//! | word | busy block | free block |
//! |---|---|---|
//! | 0 | block size \| [`BUSY`] | block size |
//! | 1 | size of the previous block (0 for the first) | same |
//! | 2 | size the caller asked for | next free block of the bin (0 = none) |
//! | 3 | check tag (`offset ^ TAG`) | previous free block of the bin (0 = none) |
//!
//! Block sizes are multiples of the granule (two words: 16 bytes on x64, 8 on x86, the
//! `MEMORY_ALLOCATION_ALIGNMENT` of the Windows SDK's `winnt.h`), so data, which starts
//! right after the header, is aligned as Windows' heap aligns it. Free blocks sit in
//! segregated lists ([`BINS`]: exact sizes for small blocks, powers of two above) and
//! are merged with free neighbours when freed; a free block touching `top` lowers
//! `top` instead. The tag lets [`free`] and [`size`] refuse pointers that are not the
//! start of a busy block (Windows' `RtlFreeHeap` returns FALSE for those).
//!
//! The layout is Nereid's own; Windows documents only the routines' behaviour.

const W: usize = core::mem::size_of::<usize>();
/// Allocation granule and data alignment.
pub const GRANULE: usize = 2 * W;
/// Bytes of a block header.
pub const HEADER: usize = 4 * W;
const MIN_BLOCK: usize = HEADER + GRANULE;
/// Set in word 0 of a busy block.
pub const BUSY: usize = 1;
const TAG: usize = 0x4E72_4870_u32 as usize; // "NrHp"
/// Number of free lists.
pub const BINS: usize = 64;
const SMALL_BINS: usize = 32;
/// Words of state before the first block: magic, top, size of the block below top,
/// then the bin heads.
const STATE_WORDS: usize = 3 + BINS;
const MAGIC_AT: usize = 0;
const TOP_AT: usize = W;
const TOP_PREV_AT: usize = 2 * W;
const BINS_AT: usize = 3 * W;
/// Offset of the first block.
pub const FIRST: usize = (STATE_WORDS * W).div_ceil(GRANULE) * GRANULE;
const MAGIC: usize = 0x5345_474D; // "SEGM"

/// Bytes the allocator lives in. Offsets passed in are always inside
/// `0..committed()` and word-aligned for `load`/`store`.
pub trait Region {
    /// Bytes usable now, from offset 0.
    fn committed(&self) -> usize;
    /// Makes at least `len` bytes usable; `false` when the region cannot grow so far.
    fn commit(&mut self, len: usize) -> bool;
    fn load(&self, at: usize) -> usize;
    fn store(&mut self, at: usize, value: usize);
    /// Sets `len` bytes at `at` to `byte`.
    fn fill(&mut self, at: usize, len: usize, byte: u8);
}

/// Block size for a request of `bytes`, or `None` if it cannot be represented.
pub fn block_size(bytes: usize) -> Option<usize> {
    let raw = bytes.max(1).checked_add(HEADER + GRANULE - 1)?;
    let size = raw / GRANULE * GRANULE;
    // Keep sizes far from overflow in every sum below.
    (size <= isize::MAX as usize / 2).then_some(size.max(MIN_BLOCK))
}

fn bin(size: usize) -> usize {
    let units = size / GRANULE;
    if units < SMALL_BINS {
        units
    } else {
        let log = (usize::BITS - 1 - units.leading_zeros()) as usize;
        (SMALL_BINS + log - 5).min(BINS - 1)
    }
}

/// Prepares a fresh region (its first `FIRST` bytes must be committed or committable).
pub fn init(r: &mut impl Region) -> bool {
    if r.committed() < FIRST && !r.commit(FIRST) {
        return false;
    }
    r.store(MAGIC_AT, MAGIC);
    r.store(TOP_AT, FIRST);
    r.store(TOP_PREV_AT, 0);
    for i in 0..BINS {
        r.store(BINS_AT + i * W, 0);
    }
    true
}

/// Whether `r` holds an initialised segment.
pub fn is_segment(r: &impl Region) -> bool {
    r.committed() >= FIRST && r.load(MAGIC_AT) == MAGIC
}

fn size_of_block(r: &impl Region, b: usize) -> usize {
    r.load(b) & !BUSY
}

fn is_busy(r: &impl Region, b: usize) -> bool {
    r.load(b) & BUSY != 0
}

fn link(r: &mut impl Region, b: usize) {
    let head_at = BINS_AT + bin(size_of_block(r, b)) * W;
    let head = r.load(head_at);
    r.store(b + 2 * W, head);
    r.store(b + 3 * W, 0);
    if head != 0 {
        r.store(head + 3 * W, b);
    }
    r.store(head_at, b);
}

fn unlink(r: &mut impl Region, b: usize) {
    let next = r.load(b + 2 * W);
    let prev = r.load(b + 3 * W);
    if prev != 0 {
        r.store(prev + 2 * W, next);
    } else {
        r.store(BINS_AT + bin(size_of_block(r, b)) * W, next);
    }
    if next != 0 {
        r.store(next + 3 * W, prev);
    }
}

/// Sets the "previous size" word of the block after `b` (if it is not `top`).
fn tell_next(r: &mut impl Region, b: usize, size: usize) {
    let next = b + size;
    if next < r.load(TOP_AT) {
        r.store(next + W, size);
    } else {
        r.store(TOP_PREV_AT, size);
    }
}

fn make_busy(r: &mut impl Region, b: usize, size: usize, bytes: usize) -> usize {
    r.store(b, size | BUSY);
    r.store(b + 2 * W, bytes);
    r.store(b + 3 * W, b ^ TAG);
    b + HEADER
}

/// Frees block `b` (header words 0 and 1 valid), merging it with free neighbours.
fn release(r: &mut impl Region, mut b: usize, mut size: usize) {
    let top = r.load(TOP_AT);
    let next = b + size;
    if next < top && !is_busy(r, next) {
        unlink(r, next);
        size += size_of_block(r, next);
    }
    let prev_size = r.load(b + W);
    if prev_size != 0 && !is_busy(r, b - prev_size) {
        b -= prev_size;
        unlink(r, b);
        size += prev_size;
    }
    if b + size == top {
        r.store(TOP_AT, b);
        let below = r.load(b + W);
        r.store(TOP_PREV_AT, below);
        return;
    }
    r.store(b, size);
    link(r, b);
    tell_next(r, b, size);
}

/// Shrinks busy block `b` of `size` to `need`, freeing the rest if it can be a block.
fn trim(r: &mut impl Region, b: usize, size: usize, need: usize) -> usize {
    if size - need < MIN_BLOCK {
        return size;
    }
    let rest = b + need;
    r.store(b, need | BUSY);
    r.store(rest, (size - need) | BUSY);
    r.store(rest + W, need);
    release(r, rest, size - need);
    need
}

/// Allocates `bytes`; returns the offset of the data, or `None` when the region is
/// exhausted.
pub fn alloc(r: &mut impl Region, bytes: usize) -> Option<usize> {
    let need = block_size(bytes)?;
    for i in bin(need)..BINS {
        let mut b = r.load(BINS_AT + i * W);
        while b != 0 {
            let size = size_of_block(r, b);
            if size >= need {
                unlink(r, b);
                r.store(b, size | BUSY);
                let size = trim(r, b, size, need);
                return Some(make_busy(r, b, size, bytes));
            }
            b = r.load(b + 2 * W);
        }
    }
    let b = r.load(TOP_AT);
    let end = b.checked_add(need)?;
    if end > r.committed() && !r.commit(end) {
        return None;
    }
    let below = r.load(TOP_PREV_AT);
    r.store(b + W, below);
    r.store(TOP_AT, end);
    r.store(TOP_PREV_AT, need);
    Some(make_busy(r, b, need, bytes))
}

/// The block of data offset `data`, if it is a busy block of this segment.
fn busy_block(r: &impl Region, data: usize) -> Option<usize> {
    let b = data.checked_sub(HEADER)?;
    let ok = b >= FIRST
        && b % GRANULE == 0
        && b + MIN_BLOCK <= r.load(TOP_AT)
        && is_busy(r, b)
        && r.load(b + 3 * W) == b ^ TAG;
    ok.then_some(b)
}

/// Whether `data` lies in this segment's block area (a candidate for [`free`]).
pub fn contains(r: &impl Region, data: usize) -> bool {
    (FIRST + HEADER..r.load(TOP_AT)).contains(&data)
}

/// Frees the block whose data is at `data`; `false` if that is not a busy block.
pub fn free(r: &mut impl Region, data: usize) -> bool {
    let Some(b) = busy_block(r, data) else {
        return false;
    };
    let size = size_of_block(r, b);
    r.store(b, size);
    release(r, b, size);
    true
}

/// The size asked for when the block at `data` was allocated (or last resized).
pub fn size(r: &impl Region, data: usize) -> Option<usize> {
    busy_block(r, data).map(|b| r.load(b + 2 * W))
}

/// Resizes the block at `data` to `bytes` without moving it. `false` (nothing changed)
/// if `data` is not a busy block or its neighbours leave no room.
pub fn resize_in_place(r: &mut impl Region, data: usize, bytes: usize) -> bool {
    let (Some(b), Some(need)) = (busy_block(r, data), block_size(bytes)) else {
        return false;
    };
    let size = size_of_block(r, b);
    let next = b + size;
    let top = r.load(TOP_AT);
    if need <= size {
        trim(r, b, size, need);
    } else if next == top {
        let Some(end) = b.checked_add(need) else {
            return false;
        };
        if end > r.committed() && !r.commit(end) {
            return false;
        }
        r.store(b, need | BUSY);
        r.store(TOP_AT, end);
        r.store(TOP_PREV_AT, need);
    } else if !is_busy(r, next) && size + size_of_block(r, next) >= need {
        let total = size + size_of_block(r, next);
        unlink(r, next);
        r.store(b, total | BUSY);
        tell_next(r, b, total);
        trim(r, b, total, need);
    } else {
        return false;
    }
    r.store(b + 2 * W, bytes);
    true
}

/// Walks the segment and checks every invariant (for tests and `RtlValidateHeap`-style
/// checks): the chain of sizes ends at `top`, "previous size" words agree, no two free
/// blocks touch, every free block is in the bin its size selects and every bin entry is
/// a free block. Returns (busy blocks, free blocks).
pub fn check(r: &impl Region) -> Result<(usize, usize), &'static str> {
    if !is_segment(r) {
        return Err("not a segment");
    }
    let top = r.load(TOP_AT);
    let (mut b, mut prev, mut prev_free) = (FIRST, 0, false);
    let (mut busy, mut free) = (0, 0);
    while b < top {
        let size = size_of_block(r, b);
        if size < MIN_BLOCK || size % GRANULE != 0 || b + size > top {
            return Err("bad block size");
        }
        if r.load(b + W) != prev {
            return Err("bad previous size");
        }
        if is_busy(r, b) {
            if r.load(b + 3 * W) != b ^ TAG {
                return Err("bad tag");
            }
            busy += 1;
            prev_free = false;
        } else {
            if prev_free {
                return Err("adjacent free blocks");
            }
            free += 1;
            prev_free = true;
        }
        prev = size;
        b += size;
    }
    if b != top || r.load(TOP_PREV_AT) != prev || prev_free {
        return Err("bad top");
    }
    let mut listed = 0;
    for i in 0..BINS {
        let (mut f, mut back) = (r.load(BINS_AT + i * W), 0);
        while f != 0 {
            if f >= top || is_busy(r, f) || bin(size_of_block(r, f)) != i {
                return Err("bad bin entry");
            }
            if r.load(f + 3 * W) != back {
                return Err("bad bin back link");
            }
            listed += 1;
            if listed > free {
                return Err("bin cycle");
            }
            back = f;
            f = r.load(f + 2 * W);
        }
    }
    if listed != free {
        return Err("free block missing from bins");
    }
    Ok((busy, free))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A region over a vector, committed in 4 KiB steps up to `limit`.
    struct VecRegion {
        bytes: Vec<u8>,
        limit: usize,
        commits: usize,
    }

    impl VecRegion {
        fn new(limit: usize) -> Self {
            VecRegion {
                bytes: Vec::new(),
                limit,
                commits: 0,
            }
        }
    }

    impl Region for VecRegion {
        fn committed(&self) -> usize {
            self.bytes.len()
        }
        fn commit(&mut self, len: usize) -> bool {
            let len = len.div_ceil(4096) * 4096;
            if len > self.limit {
                return false;
            }
            self.commits += 1;
            self.bytes.resize(len.max(self.bytes.len()), 0);
            true
        }
        fn load(&self, at: usize) -> usize {
            usize::from_ne_bytes(self.bytes[at..at + W].try_into().unwrap())
        }
        fn store(&mut self, at: usize, value: usize) {
            self.bytes[at..at + W].copy_from_slice(&value.to_ne_bytes());
        }
        fn fill(&mut self, at: usize, len: usize, byte: u8) {
            self.bytes[at..at + len].fill(byte);
        }
    }

    fn region() -> VecRegion {
        let mut r = VecRegion::new(1 << 20);
        assert!(init(&mut r));
        r
    }

    #[test]
    fn allocations_are_aligned_disjoint_and_sized() {
        let mut r = region();
        let mut blocks = Vec::new();
        for n in [0, 1, 7, 8, 15, 16, 17, 100, 4000, 5000] {
            let d = alloc(&mut r, n).unwrap();
            assert_eq!(d % GRANULE, 0);
            assert_eq!(size(&r, d), Some(n));
            r.fill(d, n, 0xAB);
            blocks.push((d, n));
        }
        for (i, &(d, n)) in blocks.iter().enumerate() {
            for &(e, m) in &blocks[i + 1..] {
                assert!(d + n.max(1) <= e - HEADER || e + m.max(1) <= d - HEADER);
            }
        }
        assert_eq!(check(&r), Ok((blocks.len(), 0)));
        for (d, _) in blocks {
            assert!(free(&mut r, d));
        }
        assert_eq!(check(&r), Ok((0, 0)));
        assert_eq!(r.load(TOP_AT), FIRST);
    }

    #[test]
    fn freed_blocks_are_reused_and_merged() {
        let mut r = region();
        let a = alloc(&mut r, 100).unwrap();
        let b = alloc(&mut r, 100).unwrap();
        let c = alloc(&mut r, 100).unwrap();
        let _guard = alloc(&mut r, 10).unwrap();
        assert!(free(&mut r, a));
        assert!(free(&mut r, c));
        assert_eq!(check(&r), Ok((2, 2)));
        assert!(free(&mut r, b));
        // a, b and c merged into one free block.
        assert_eq!(check(&r), Ok((1, 1)));
        // 300 bytes fit where the three blocks were; the tail stays free.
        assert_eq!(alloc(&mut r, 300), Some(a));
        assert_eq!(check(&r), Ok((2, 1)));
    }

    #[test]
    fn bad_pointers_are_refused() {
        let mut r = region();
        let a = alloc(&mut r, 64).unwrap();
        assert!(!free(&mut r, a + GRANULE));
        assert!(!free(&mut r, 0));
        assert!(!free(&mut r, usize::MAX));
        assert_eq!(size(&r, a + 1), None);
        assert!(free(&mut r, a));
        assert!(!free(&mut r, a), "double free");
        assert_eq!(size(&r, a), None);
        assert_eq!(check(&r), Ok((0, 0)));
    }

    #[test]
    fn exhaustion_and_growth() {
        let mut r = VecRegion::new(64 * 1024);
        assert!(init(&mut r));
        let commits = r.commits;
        let big = alloc(&mut r, 40 * 1024).unwrap();
        assert!(r.commits > commits);
        assert_eq!(alloc(&mut r, 40 * 1024), None);
        assert_eq!(alloc(&mut r, usize::MAX), None);
        assert_eq!(alloc(&mut r, usize::MAX - 100), None);
        assert!(free(&mut r, big));
        assert!(alloc(&mut r, 40 * 1024).is_some());
    }

    #[test]
    fn resize_in_place_shrinks_and_grows() {
        let mut r = region();
        let a = alloc(&mut r, 256).unwrap();
        // At the top: grows freely.
        assert!(resize_in_place(&mut r, a, 1000));
        assert_eq!(size(&r, a), Some(1000));
        let b = alloc(&mut r, 16).unwrap();
        // Shrinking frees the tail, which the next resize takes back.
        assert!(resize_in_place(&mut r, a, 100));
        assert_eq!(check(&r), Ok((2, 1)));
        assert!(resize_in_place(&mut r, a, 1000));
        assert_eq!(check(&r), Ok((2, 0)));
        // Hemmed in by `b`.
        assert!(!resize_in_place(&mut r, a, 2000));
        assert_eq!(size(&r, a), Some(1000));
        assert!(free(&mut r, b));
        assert!(resize_in_place(&mut r, a, 2000));
        assert!(!resize_in_place(&mut r, a + 8, 10));
        assert_eq!(check(&r), Ok((1, 0)));
    }

    #[test]
    fn bins_cover_every_size() {
        let mut last = 0;
        for units in 1..10_000 {
            let i = bin(units * GRANULE);
            assert!(i >= last && i < BINS);
            last = i;
        }
        assert_eq!(bin(usize::MAX & !(GRANULE - 1)), BINS - 1);
    }

    #[test]
    fn random_workload_keeps_invariants() {
        let mut r = VecRegion::new(8 << 20);
        assert!(init(&mut r));
        let mut live: Vec<(usize, usize, u8)> = Vec::new();
        let mut seed = 0x1234_5678_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for step in 0..4000 {
            let op = next() % 10;
            if op < 5 || live.is_empty() {
                let n = (next() % 3000) as usize;
                let d = alloc(&mut r, n).unwrap();
                let v = step as u8;
                r.fill(d, n, v);
                live.push((d, n, v));
            } else if op < 8 {
                let i = next() as usize % live.len();
                let (d, n, v) = live.swap_remove(i);
                assert!(r.bytes[d..d + n].iter().all(|&x| x == v));
                assert!(free(&mut r, d));
            } else {
                let i = next() as usize % live.len();
                let n = (next() % 3000) as usize;
                if resize_in_place(&mut r, live[i].0, n) {
                    let (d, old, v) = live[i];
                    assert!(r.bytes[d..d + old.min(n)].iter().all(|&x| x == v));
                    r.fill(d, n, v);
                    live[i].1 = n;
                }
            }
            if step % 97 == 0 {
                check(&r).unwrap();
            }
        }
        assert_eq!(check(&r).unwrap().0, live.len());
        for (d, _, _) in live {
            assert!(free(&mut r, d));
        }
        assert_eq!(check(&r), Ok((0, 0)));
    }
}
