//! Buffers for string routines called with `AllocateDestinationString = TRUE`.
//!
//! Windows takes them from the process heap (`RtlAllocateStringRoutine`) and
//! `RtlFreeUnicodeString`/`RtlFreeAnsiString` give them back
//! (`RtlFreeStringRoutine`). The routines here are written against
//! [`StringAllocator`]; the exported entry points pass [`ProcessHeap`].

use core::ptr::NonNull;

/// Source of string buffers.
pub(crate) trait StringAllocator {
    /// A buffer of `bytes` bytes (possibly 0), aligned for `WCHAR`; `None` when memory
    /// is exhausted, which the routines report as `STATUS_NO_MEMORY`.
    fn allocate(&self, bytes: usize) -> Option<NonNull<u8>>;

    /// Returns a buffer.
    ///
    /// # Safety
    /// `buffer` must come from [`StringAllocator::allocate`] of the same allocator and
    /// must not be used afterwards.
    unsafe fn free(&self, buffer: NonNull<u8>);
}

/// The process heap. It does not exist yet (it needs virtual memory services from the
/// executive), so every allocation fails with `STATUS_NO_MEMORY`; callers that supply
/// their own buffers are unaffected.
pub(crate) struct ProcessHeap;

impl StringAllocator for ProcessHeap {
    fn allocate(&self, _bytes: usize) -> Option<NonNull<u8>> {
        None
    }

    unsafe fn free(&self, _buffer: NonNull<u8>) {
        // Nothing was ever handed out, so there is nothing to take back: a buffer
        // passed here belongs to the caller (a misuse Windows would not catch either).
    }
}

#[cfg(test)]
pub(crate) mod test_heap {
    use super::*;
    use std::alloc::Layout;
    use std::cell::RefCell;

    /// A heap that records its allocations, to check the routines pair them with
    /// frees, and that can be told to run out.
    #[derive(Default)]
    pub(crate) struct TestHeap {
        live: RefCell<Vec<(NonNull<u8>, Layout)>>,
        pub(crate) exhausted: bool,
    }

    impl TestHeap {
        pub(crate) fn live(&self) -> usize {
            self.live.borrow().len()
        }
    }

    impl StringAllocator for TestHeap {
        fn allocate(&self, bytes: usize) -> Option<NonNull<u8>> {
            if self.exhausted {
                return None;
            }
            let layout = Layout::from_size_align(bytes.max(1), 2).ok()?;
            // SAFETY: the layout has a nonzero size.
            let p = NonNull::new(unsafe { std::alloc::alloc(layout) })?;
            // Fresh heap memory holds garbage, not zeros.
            // SAFETY: `p` holds `layout.size()` bytes.
            unsafe { p.as_ptr().write_bytes(0xCD, layout.size()) };
            self.live.borrow_mut().push((p, layout));
            Some(p)
        }

        unsafe fn free(&self, buffer: NonNull<u8>) {
            let mut live = self.live.borrow_mut();
            let i = live
                .iter()
                .position(|(p, _)| *p == buffer)
                .expect("freeing a buffer this heap never gave out");
            let (p, layout) = live.swap_remove(i);
            // SAFETY: `p` came from `alloc` with this layout and is removed from `live`.
            unsafe { std::alloc::dealloc(p.as_ptr(), layout) };
        }
    }

    impl Drop for TestHeap {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                assert_eq!(self.live(), 0, "string buffers leaked");
            }
        }
    }
}
