//! The executive's heap.
//!
//! A fixed arena in .bss: the boot-time needs are small and known (the
//! untyped list of ≤166 entries, the CNode slot bitmap, per-process records
//! with their cap lists, and the 10 000 benchmark samples of 8 bytes), well
//! under 256 KiB; 1 MiB leaves room for the next stages until the heap
//! grows from untyped memory. Being .bss it costs nothing in the ELF file,
//! and processes never map it (it lies past `__ntos_shared_end`).

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use linked_list_allocator::LockedHeap;

pub const HEAP_SIZE: usize = 1 << 20;

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
