//! Heaps: `RtlCreateHeap`, `RtlDestroyHeap`, `RtlAllocateHeap`, `RtlFreeHeap`,
//! `RtlReAllocateHeap`, `RtlSizeHeap`, mapped onto virtual memory services.
//!
//! Signatures and flags as documented by Microsoft for the WDK (`RtlCreateHeap`,
//! `RtlAllocateHeap`, `RtlFreeHeap`, `RtlDestroyHeap`) and the SDK's `winnt.h` (`HEAP_*`
//! values); `RtlReAllocateHeap`/`RtlSizeHeap` as `HeapReAlloc`/`HeapSize` describe them.
//!
//! A heap is a chain of segments, each one reservation made with
//! `NtAllocateVirtualMemory(MEM_RESERVE)` and committed in 64 KiB steps as it fills.
//! The heap handle is the base of the first segment, which starts with [`Heap`]; every
//! segment then has a [`Segment`] header and the block area that `ntrtl::heap` manages.
//! A growable heap adds a segment (at least twice the previous reservation, and large
//! enough for the request) when its segments are full; a heap created without
//! `HEAP_GROWABLE` keeps its one reservation. Memory returns to the executive only at
//! `RtlDestroyHeap`.
//!
//! Nereid's choices: a caller-supplied `HeapBase` or `Lock` is not supported (the call
//! returns NULL); `Parameters` is ignored; `HEAP_GENERATE_EXCEPTIONS` is recorded but,
//! without SEH, failures return NULL/FALSE instead of raising. Heaps without
//! `HEAP_NO_SERIALIZE` are serialized by a spin lock that yields the processor.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, Ordering};
use ntdef::memory::{MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE};
use ntrtl::heap as core_heap;

pub const HEAP_NO_SERIALIZE: u32 = 0x0000_0001;
pub const HEAP_GROWABLE: u32 = 0x0000_0002;
// Recorded in `Heap::flags`; acted on once SEH exists.
#[allow(dead_code)]
pub const HEAP_GENERATE_EXCEPTIONS: u32 = 0x0000_0004;
pub const HEAP_ZERO_MEMORY: u32 = 0x0000_0008;
pub const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x0000_0010;

const SIGNATURE: u32 = 0x7048_724E; // "NrHp"
const PAGE: usize = 4096;
const GRANULARITY: usize = 64 * 1024;
const COMMIT_STEP: usize = 64 * 1024;
const DEFAULT_RESERVE: usize = 1024 * 1024;
const HEADER_ROOM: usize = 64;

/// The start of every heap (its handle points here).
#[repr(C)]
struct Heap {
    signature: u32,
    flags: u32,
    lock: AtomicU32,
    /// Reservation of the newest segment, to size the next.
    last_reserve: usize,
    /// First segment (this heap's own).
    segments: *mut Segment,
}

/// The start of every segment's block area bookkeeping.
#[repr(C)]
struct Segment {
    next: *mut Segment,
    /// The reservation: base and size.
    base: usize,
    reserve: usize,
    /// Where the block area starts and where its commitment ends.
    start: usize,
    commit_end: usize,
}

const _: () = assert!(size_of::<Heap>() + size_of::<Segment>() <= 2 * HEADER_ROOM);

fn current_process() -> *mut c_void {
    ntsvc::NT_CURRENT_PROCESS as *mut c_void
}

fn reserve(size: usize) -> Option<usize> {
    let (mut base, mut size) = (0usize, size);
    // SAFETY: a service stub; base and size are valid locals.
    let status = unsafe {
        crate::services::NtAllocateVirtualMemory(
            current_process(),
            &raw mut base,
            0,
            &raw mut size,
            MEM_RESERVE,
            PAGE_READWRITE,
        )
    };
    status.is_success().then_some(base)
}

fn commit(at: usize, size: usize) -> bool {
    let (mut base, mut size) = (at, size);
    // SAFETY: a service stub; base and size are valid locals.
    let status = unsafe {
        crate::services::NtAllocateVirtualMemory(
            current_process(),
            &raw mut base,
            0,
            &raw mut size,
            MEM_COMMIT,
            PAGE_READWRITE,
        )
    };
    status.is_success()
}

fn release(base: usize) {
    let (mut base, mut size) = (base, 0usize);
    // SAFETY: a service stub; base and size are valid locals.
    unsafe {
        crate::services::NtFreeVirtualMemory(
            current_process(),
            &raw mut base,
            &raw mut size,
            MEM_RELEASE,
        )
    };
}

/// A segment's block area as `ntrtl` sees it.
struct Area(*mut Segment);

impl Area {
    fn seg(&self) -> &Segment {
        // SAFETY: `Area`s are made only from segments of a live heap.
        unsafe { &*self.0 }
    }
    fn addr(&self, at: usize) -> usize {
        self.seg().start + at
    }
}

impl core_heap::Region for Area {
    fn committed(&self) -> usize {
        self.seg().commit_end - self.seg().start
    }
    fn commit(&mut self, len: usize) -> bool {
        let s = self.seg();
        let end_of_reserve = s.base + s.reserve;
        let Some(wanted) = s.start.checked_add(len) else {
            return false;
        };
        if wanted > end_of_reserve {
            return false;
        }
        let from = s.commit_end;
        let to = (wanted.div_ceil(PAGE) * PAGE)
            .max(from + COMMIT_STEP)
            .min(end_of_reserve);
        if !commit(from, to - from) {
            return false;
        }
        // SAFETY: as `seg`; the heap lock (or HEAP_NO_SERIALIZE) excludes other users.
        unsafe { (*self.0).commit_end = to };
        true
    }
    fn load(&self, at: usize) -> usize {
        // SAFETY: `ntrtl` passes word-aligned offsets inside the committed area.
        unsafe { (self.addr(at) as *const usize).read() }
    }
    fn store(&mut self, at: usize, value: usize) {
        // SAFETY: as `load`.
        unsafe { (self.addr(at) as *mut usize).write(value) }
    }
    fn fill(&mut self, at: usize, len: usize, byte: u8) {
        // SAFETY: `ntrtl` passes ranges inside the committed area.
        unsafe { (self.addr(at) as *mut u8).write_bytes(byte, len) }
    }
}

/// Makes a segment in a fresh reservation at `base`, its header at `base + offset`.
///
/// # Safety
/// `base..base + reserve` must be a reservation owned by the caller.
unsafe fn new_segment(base: usize, reserve: usize, offset: usize) -> Option<*mut Segment> {
    let header_end = base + offset + HEADER_ROOM;
    if !commit(base, COMMIT_STEP.min(reserve)) {
        return None;
    }
    let seg = (base + offset) as *mut Segment;
    // SAFETY: the first page of the reservation is committed and ours.
    unsafe {
        seg.write(Segment {
            next: core::ptr::null_mut(),
            base,
            reserve,
            start: header_end,
            commit_end: base + COMMIT_STEP.min(reserve),
        })
    };
    core_heap::init(&mut Area(seg)).then_some(seg)
}

/// The heap at `handle`, if it carries the signature.
///
/// # Safety
/// `handle` must be readable (as on Windows, a wild handle faults).
unsafe fn heap<'a>(handle: *mut c_void) -> Option<&'a Heap> {
    let h = handle as *const Heap;
    // SAFETY: per the contract; the signature check rejects other memory.
    (!h.is_null() && unsafe { (*h).signature } == SIGNATURE).then(|| unsafe { &*h })
}

/// Holds a heap's lock unless the heap or the call says `HEAP_NO_SERIALIZE`.
struct Guard<'a>(Option<&'a AtomicU32>);

impl<'a> Guard<'a> {
    fn new(heap: &'a Heap, flags: u32) -> Self {
        if (heap.flags | flags) & HEAP_NO_SERIALIZE != 0 {
            return Guard(None);
        }
        while heap
            .lock
            .compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // SAFETY: a service stub without arguments.
            unsafe { crate::services::NtYieldExecution() };
        }
        Guard(Some(&heap.lock))
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if let Some(lock) = self.0 {
            lock.store(0, Ordering::Release);
        }
    }
}

fn segments(heap: &Heap) -> impl Iterator<Item = *mut Segment> {
    let mut s = heap.segments;
    core::iter::from_fn(move || {
        (!s.is_null()).then(|| {
            let here = s;
            // SAFETY: segments of a live heap.
            s = unsafe { (*s).next };
            here
        })
    })
}

/// The segment whose block area holds `p`.
fn segment_of(heap: &Heap, p: usize) -> Option<Area> {
    segments(heap).map(Area).find(|a| {
        p.checked_sub(a.seg().start)
            .is_some_and(|at| core_heap::contains(a, at))
    })
}

fn allocate(heap: &Heap, flags: u32, size: usize) -> *mut c_void {
    let mut last = core::ptr::null_mut();
    for seg in segments(heap) {
        let mut area = Area(seg);
        if let Some(at) = core_heap::alloc(&mut area, size) {
            if flags & HEAP_ZERO_MEMORY != 0 {
                core_heap::Region::fill(&mut area, at, size, 0);
            }
            return area.addr(at) as *mut c_void;
        }
        last = seg;
    }
    if heap.flags & HEAP_GROWABLE == 0 {
        return core::ptr::null_mut();
    }
    // A new segment big enough for the request, at least twice the last one.
    let Some(need) = core_heap::block_size(size)
        .and_then(|b| b.checked_add(core_heap::FIRST + HEADER_ROOM + COMMIT_STEP))
    else {
        return core::ptr::null_mut();
    };
    let reserve = need
        .max(heap.last_reserve.saturating_mul(2))
        .next_multiple_of(GRANULARITY);
    let Some(base) = reserve_checked(reserve) else {
        return core::ptr::null_mut();
    };
    // SAFETY: a fresh reservation of `reserve` bytes.
    let Some(seg) = (unsafe { new_segment(base, reserve, 0) }) else {
        release(base);
        return core::ptr::null_mut();
    };
    // SAFETY: `last` is the final segment of the live heap; the lock is held. The
    // handle's memory is the heap's own, written only under its lock.
    unsafe {
        (*last).next = seg;
        (*(heap as *const Heap as *mut Heap)).last_reserve = reserve;
    }
    allocate(heap, flags, size)
}

fn reserve_checked(size: usize) -> Option<usize> {
    (size <= isize::MAX as usize)
        .then(|| reserve(size))
        .flatten()
}

/// `RtlCreateHeap`: a new heap, or NULL. See the module documentation.
///
/// # Safety
/// Pointer arguments must be NULL (others are refused without being read).
#[no_mangle]
pub unsafe extern "system" fn RtlCreateHeap(
    Flags: u32,
    HeapBase: *mut c_void,
    ReserveSize: usize,
    CommitSize: usize,
    Lock: *mut c_void,
    Parameters: *mut c_void,
) -> *mut c_void {
    let _ = Parameters;
    if !HeapBase.is_null() || !Lock.is_null() {
        return core::ptr::null_mut();
    }
    let reserve = if ReserveSize == 0 {
        DEFAULT_RESERVE.max(CommitSize)
    } else {
        ReserveSize.max(CommitSize)
    };
    let Some(reserve) = reserve
        .checked_next_multiple_of(GRANULARITY)
        .filter(|&r| r >= 2 * COMMIT_STEP)
        .or(Some(2 * COMMIT_STEP))
    else {
        return core::ptr::null_mut();
    };
    let Some(base) = reserve_checked(reserve) else {
        return core::ptr::null_mut();
    };
    // SAFETY: a fresh reservation of `reserve` bytes; the segment header follows the
    // heap header.
    let Some(seg) = (unsafe { new_segment(base, reserve, HEADER_ROOM) }) else {
        release(base);
        return core::ptr::null_mut();
    };
    // SAFETY: the first page of the reservation is committed (new_segment).
    unsafe {
        (base as *mut Heap).write(Heap {
            signature: SIGNATURE,
            flags: Flags,
            lock: AtomicU32::new(0),
            last_reserve: reserve,
            segments: seg,
        })
    };
    base as *mut c_void
}

/// `RtlDestroyHeap`: NULL on success, the handle when it is not a heap or is the
/// process heap (which Windows does not destroy either).
///
/// # Safety
/// `HeapHandle` must be a heap handle or readable memory; no block of the heap may be
/// used afterwards.
#[no_mangle]
pub unsafe extern "system" fn RtlDestroyHeap(HeapHandle: *mut c_void) -> *mut c_void {
    // SAFETY: per the contract.
    let Some(heap) = (unsafe { heap(HeapHandle) }) else {
        return HeapHandle;
    };
    if HeapHandle == crate::alloc::process_heap() {
        return HeapHandle;
    }
    // Release the other segments first: the first holds the heap header and the chain.
    let first = heap.segments;
    // SAFETY: the first segment of the live heap.
    let mut s = unsafe { (*first).next };
    while !s.is_null() {
        // SAFETY: segments of the live heap; each is read before it is released.
        let (next, base) = unsafe { ((*s).next, (*s).base) };
        release(base);
        s = next;
    }
    // SAFETY: as above.
    release(unsafe { (*first).base });
    core::ptr::null_mut()
}

/// `RtlAllocateHeap`: `Size` bytes (zeroed with `HEAP_ZERO_MEMORY`), or NULL.
///
/// # Safety
/// `HeapHandle` must be a heap handle or readable memory.
#[no_mangle]
pub unsafe extern "system" fn RtlAllocateHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    Size: usize,
) -> *mut c_void {
    // SAFETY: per the contract.
    let Some(heap) = (unsafe { heap(HeapHandle) }) else {
        return core::ptr::null_mut();
    };
    let _guard = Guard::new(heap, Flags);
    allocate(heap, Flags, Size)
}

/// `RtlFreeHeap`: TRUE when `BaseAddress` was a block of the heap (or NULL).
///
/// # Safety
/// `HeapHandle` must be a heap handle or readable memory.
#[no_mangle]
pub unsafe extern "system" fn RtlFreeHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *mut c_void,
) -> u8 {
    // SAFETY: per the contract.
    let Some(heap) = (unsafe { heap(HeapHandle) }) else {
        return 0;
    };
    if BaseAddress.is_null() {
        return 1;
    }
    let _guard = Guard::new(heap, Flags);
    let p = BaseAddress as usize;
    segment_of(heap, p).is_some_and(|mut a| {
        let at = p - a.seg().start;
        core_heap::free(&mut a, at)
    }) as u8
}

/// `RtlSizeHeap`: the size asked for the block, or `(SIZE_T)-1`.
///
/// # Safety
/// `HeapHandle` must be a heap handle or readable memory.
#[no_mangle]
pub unsafe extern "system" fn RtlSizeHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *const c_void,
) -> usize {
    // SAFETY: per the contract.
    let Some(heap) = (unsafe { heap(HeapHandle) }) else {
        return usize::MAX;
    };
    let _guard = Guard::new(heap, Flags);
    let p = BaseAddress as usize;
    segment_of(heap, p)
        .and_then(|a| core_heap::size(&a, p - a.seg().start))
        .unwrap_or(usize::MAX)
}

/// `RtlReAllocateHeap`: resizes in place when it can, else (unless
/// `HEAP_REALLOC_IN_PLACE_ONLY`) moves the data to a new block. With
/// `HEAP_ZERO_MEMORY` the bytes past the old size are zeroed. NULL on failure, the
/// block then unchanged.
///
/// # Safety
/// `HeapHandle` must be a heap handle or readable memory.
#[no_mangle]
pub unsafe extern "system" fn RtlReAllocateHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *mut c_void,
    Size: usize,
) -> *mut c_void {
    // SAFETY: per the contract.
    let Some(heap) = (unsafe { heap(HeapHandle) }) else {
        return core::ptr::null_mut();
    };
    let _guard = Guard::new(heap, Flags);
    let p = BaseAddress as usize;
    let Some(mut area) = segment_of(heap, p) else {
        return core::ptr::null_mut();
    };
    let at = p - area.seg().start;
    let Some(old) = core_heap::size(&area, at) else {
        return core::ptr::null_mut();
    };
    let zero = Flags & HEAP_ZERO_MEMORY != 0;
    if core_heap::resize_in_place(&mut area, at, Size) {
        if zero && Size > old {
            core_heap::Region::fill(&mut area, at + old, Size - old, 0);
        }
        return BaseAddress;
    }
    if Flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
        return core::ptr::null_mut();
    }
    let new = allocate(heap, Flags & !HEAP_ZERO_MEMORY, Size);
    if new.is_null() {
        return new;
    }
    // SAFETY: both blocks are live, distinct and at least `old.min(Size)` long.
    unsafe { core::ptr::copy_nonoverlapping(p as *const u8, new as *mut u8, old.min(Size)) };
    if zero && Size > old {
        // SAFETY: inside the new block.
        unsafe { (new as *mut u8).add(old).write_bytes(0, Size - old) };
    }
    // The old block's segment may be another than the new one's.
    if let Some(mut a) = segment_of(heap, p) {
        let at = p - a.seg().start;
        core_heap::free(&mut a, at);
    }
    new
}
