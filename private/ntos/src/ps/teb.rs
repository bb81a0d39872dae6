//! The TEB and PEB fields the executive fills, at Windows' offsets, and where they live
//! in every NT process.
//!
//! Offsets are those of Windows' `_TEB` / `_PEB` / `_NT_TIB` as published in the public
//! symbols of ntdll.dll (`dt ntdll!_TEB`, Windows 7 and later) and in the Windows SDK's
//! `winnt.h` (`NT_TIB`). Only the fields listed here are written; the rest stays zero.

#[cfg(target_pointer_width = "64")]
mod offsets {
    pub const TEB_SIZE: usize = 0x1838;
    pub const EXCEPTION_LIST: usize = 0x00;
    pub const STACK_BASE: usize = 0x08;
    pub const STACK_LIMIT: usize = 0x10;
    pub const SELF: usize = 0x30;
    pub const CLIENT_ID: usize = 0x40;
    pub const PEB: usize = 0x60;
    pub const DEALLOCATION_STACK: usize = 0x1478;
    pub const TLS_SLOTS: usize = 0x1480;
    pub const PEB_IMAGE_BASE: usize = 0x10;
    pub const PEB_LDR: usize = 0x18;
    pub const PEB_PROCESS_PARAMETERS: usize = 0x20;
    pub const PEB_PROCESS_HEAP: usize = 0x30;
}

#[cfg(target_pointer_width = "32")]
mod offsets {
    pub const TEB_SIZE: usize = 0xFE8;
    pub const EXCEPTION_LIST: usize = 0x00;
    pub const STACK_BASE: usize = 0x04;
    pub const STACK_LIMIT: usize = 0x08;
    pub const SELF: usize = 0x18;
    pub const CLIENT_ID: usize = 0x20;
    pub const PEB: usize = 0x30;
    pub const DEALLOCATION_STACK: usize = 0xE0C;
    pub const TLS_SLOTS: usize = 0xE10;
    pub const PEB_IMAGE_BASE: usize = 0x08;
    pub const PEB_LDR: usize = 0x0C;
    pub const PEB_PROCESS_PARAMETERS: usize = 0x10;
    pub const PEB_PROCESS_HEAP: usize = 0x18;
}

pub use offsets::*;

/// Pages the TEB spans (it starts at the thread's IPC-buffer page).
pub const TEB_PAGES: usize = TEB_SIZE.div_ceil(4096);
/// Where the (first) thread's TEB and the PEB live in every process.
pub const TEB_ADDRESS: usize = 0x7FFD_C000;
pub const PEB_ADDRESS: usize = 0x7FFD_E000;
/// The initial thread's stack: committed, with an unmapped guard page below.
pub const STACK_TOP: usize = 0x0030_0000;
pub const STACK_SIZE: usize = 256 * 1024;

/// A thread's stack as its TEB describes it: `StackBase` (top), `StackLimit` (lowest
/// committed address) and `DeallocationStack` (the reservation's base).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackInfo {
    pub base: usize,
    pub limit: usize,
    pub reservation: usize,
}

/// The first thread's stack.
pub const INITIAL_STACK: StackInfo = StackInfo {
    base: STACK_TOP,
    limit: STACK_TOP - STACK_SIZE,
    reservation: (STACK_TOP - STACK_SIZE - 4096) & !0xFFFF,
};

/// `(offset, value)` pairs of a new thread's TEB at `teb`. `ExceptionList` is -1 (end
/// of the SEH chain) on x86; x64 has no SEH chain there and keeps 0.
pub fn initial_teb(pid: usize, tid: usize, teb: usize, stack: StackInfo) -> [(usize, usize); 8] {
    let exception_list = if cfg!(target_pointer_width = "32") {
        usize::MAX
    } else {
        0
    };
    let w = size_of::<usize>();
    [
        (EXCEPTION_LIST, exception_list),
        (STACK_BASE, stack.base),
        (STACK_LIMIT, stack.limit),
        (SELF, teb),
        (CLIENT_ID, pid),
        (CLIENT_ID + w, tid),
        (PEB, PEB_ADDRESS),
        (DEALLOCATION_STACK, stack.reservation),
    ]
}

/// `(offset, value)` pairs of the PEB. `Ldr` stays NULL (no loader data table yet);
/// `ProcessHeap` is made by ntdll's `LdrInitializeThunk`.
pub fn initial_peb(image_base: usize, parameters: usize) -> [(usize, usize); 4] {
    [
        (PEB_IMAGE_BASE, image_base),
        (PEB_LDR, 0),
        (PEB_PROCESS_PARAMETERS, parameters),
        (PEB_PROCESS_HEAP, 0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_agrees_with_ntsvc_and_fits() {
        assert_eq!(SELF, ntsvc::teb::SELF);
        // The argument block (SystemReserved1) lies after ClientId and PEB.
        const {
            assert!(ntsvc::teb::ARGUMENT_BLOCK > PEB);
            assert!(ntsvc::teb::ARGUMENT_BLOCK + 54 * size_of::<usize>() < TLS_SLOTS);
            assert!(TEB_ADDRESS + TEB_PAGES * 4096 <= PEB_ADDRESS);
            assert!(PEB_ADDRESS + 4096 <= ntsvc::USER_LIMIT);
        }
        assert_eq!(
            TEB_PAGES,
            if cfg!(target_pointer_width = "64") {
                2
            } else {
                1
            }
        );
        let teb = initial_teb(4, 8, TEB_ADDRESS, INITIAL_STACK);
        assert!(teb.contains(&(SELF, TEB_ADDRESS)));
        assert!(teb.contains(&(PEB, PEB_ADDRESS)));
    }
}
