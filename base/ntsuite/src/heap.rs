//! A bump allocator over a static arena: the process has no heap service yet, and a
//! test run allocates little (names, messages). Nothing is ever freed.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

const ARENA_BYTES: usize = 256 * 1024;

#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: disjoint ranges are handed out through the atomic `next`; the arena is only
// reached through those ranges.
unsafe impl Sync for Arena {}

struct Bump {
    arena: Arena,
    next: AtomicUsize,
}

// SAFETY: `alloc` returns each byte of the arena at most once, aligned as asked, or
// NULL when the arena is exhausted; `dealloc` does nothing.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.arena.0.get() as usize;
        let mut cur = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base + cur).next_multiple_of(layout.align()) - base;
            let Some(end) = start.checked_add(layout.size()) else {
                return core::ptr::null_mut();
            };
            if end > ARENA_BYTES {
                return core::ptr::null_mut();
            }
            match self
                .next
                .compare_exchange(cur, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return (base + start) as *mut u8,
                Err(seen) => cur = seen,
            }
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static HEAP: Bump = Bump {
    arena: Arena(UnsafeCell::new([0; ARENA_BYTES])),
    next: AtomicUsize::new(0),
};

/// `alloc` refers to the C `strlen` (CString); ntdll does not export it.
///
/// # Safety
/// `s` points to a NUL-terminated byte string.
#[no_mangle]
unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: every byte up to the terminator is readable (contract).
    while unsafe { s.add(n).read_volatile() } != 0 {
        n += 1;
    }
    n
}
