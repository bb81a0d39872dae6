//! Buffers for string routines called with `AllocateDestinationString = TRUE`.
//!
//! Windows takes them from the process heap (`RtlAllocateStringRoutine`) and
//! `RtlFreeUnicodeString`/`RtlFreeAnsiString` give them back
//! (`RtlFreeStringRoutine`). The routines here are written against
//! [`StringAllocator`]; the exported entry points pass [`ProcessHeap`].

use core::ffi::c_void;
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

/// `PEB.ProcessHeap` (Windows `_PEB`: 0x30 on x64, 0x18 on x86; public symbols of
/// ntdll.dll, `dt ntdll!_PEB`).
#[cfg(target_pointer_width = "64")]
pub(crate) const PEB_PROCESS_HEAP: usize = 0x30;
#[cfg(target_pointer_width = "32")]
pub(crate) const PEB_PROCESS_HEAP: usize = 0x18;

/// `TEB.ProcessEnvironmentBlock` (0x60 on x64, 0x30 on x86).
#[cfg(target_pointer_width = "64")]
const TEB_PEB: usize = 0x60;
#[cfg(target_pointer_width = "32")]
const TEB_PEB: usize = 0x30;

/// The current process's PEB (`NtCurrentPeb()`), or 0 on the host.
pub(crate) fn current_peb() -> usize {
    #[cfg(target_os = "windows")]
    {
        let teb = crate::services::current_teb();
        // SAFETY: the TEB is mapped for the thread's life; the executive fills its PEB
        // pointer before the thread runs.
        unsafe { ((teb + TEB_PEB) as *const usize).read() }
    }
    #[cfg(not(target_os = "windows"))]
    {
        let _ = TEB_PEB;
        0
    }
}

/// `PEB.ProcessHeap`, made by `LdrInitializeThunk` (NULL before that, and on the host).
pub(crate) fn process_heap() -> *mut c_void {
    let peb = current_peb();
    if peb == 0 {
        return core::ptr::null_mut();
    }
    // SAFETY: the PEB is mapped read-write for the life of the process.
    unsafe { ((peb + PEB_PROCESS_HEAP) as *const *mut c_void).read() }
}

/// The process heap (`RtlAllocateHeap(NtCurrentPeb()->ProcessHeap, 0, n)`, as Windows'
/// string routines use it). Before it exists every allocation fails with
/// `STATUS_NO_MEMORY`.
pub(crate) struct ProcessHeap;

impl StringAllocator for ProcessHeap {
    fn allocate(&self, bytes: usize) -> Option<NonNull<u8>> {
        let heap = process_heap();
        if heap.is_null() {
            return None;
        }
        // SAFETY: the process heap handle from the PEB.
        NonNull::new(unsafe { crate::heap::RtlAllocateHeap(heap, 0, bytes) }.cast())
    }

    unsafe fn free(&self, buffer: NonNull<u8>) {
        let heap = process_heap();
        if !heap.is_null() {
            // SAFETY: per the trait contract the buffer came from `allocate`.
            unsafe { crate::heap::RtlFreeHeap(heap, 0, buffer.as_ptr().cast()) };
        }
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
