//! The executive's heap.
//!
//! A fixed arena in .bss. What lives here grows with what clients make: process,
//! thread and object records, handle tables, address-space descriptors (a hostile
//! process may hold ~4 000 of them before `mm::vad` refuses more), registry keys,
//! section and view records. 8 MiB holds a few such processes at their limits at once
//! (the QEMU test runs two abusers beside the suite); per-process quotas on executive
//! memory (Windows' pool quota) are what removes the shared limit, later. Being .bss it
//! costs nothing in the ELF file, and processes never map it (it lies past
//! `__ntos_shared_end`).

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use linked_list_allocator::LockedHeap;

pub const HEAP_SIZE: usize = 8 << 20;

#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; HEAP_SIZE]>);

// SAFETY: the arena is never accessed directly; its memory is handed to the
// allocator exactly once (see `init`), which serialises all use.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; HEAP_SIZE]));

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

static READY: AtomicBool = AtomicBool::new(false);

/// Gives the arena to the allocator (first call only); returns its size.
pub fn init() -> usize {
    if !READY.swap(true, Ordering::AcqRel) {
        // SAFETY: `READY` makes this run once, and nothing else touches
        // ARENA, so the allocator owns this memory for the program's life.
        unsafe { HEAP.lock().init(ARENA.0.get().cast::<u8>(), HEAP_SIZE) };
    }
    HEAP_SIZE
}

/// Bytes currently allocated.
pub fn used() -> usize {
    HEAP.lock().used()
}
