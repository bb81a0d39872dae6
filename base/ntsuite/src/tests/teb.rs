//! The TEB lives at the thread's seL4 IPC buffer (`ntsvc`): it must come through
//! thousands of system calls, page faults and waits unchanged, except for what the
//! protocol itself uses (the service argument block and the user-APC area in
//! `SystemReserved1`) and `StackLimit`, which follows stack growth. The test fills the
//! TLS slots and `ArbitraryUserPointer` with a pattern, snapshots the whole TEB, runs the
//! three kinds of kernel entry, and compares byte for byte.
//!
//! Offsets from Windows' public `_TEB` layout (Windows 7 and later): TEB size 0x1838
//! (x64) / 0xFE8 (x86); `NtTib.StackLimit` 0x10 / 0x08; `NtTib.ArbitraryUserPointer`
//! 0x28 / 0x14; `SystemReserved1[54]` 0x110 / 0xCC; `TlsSlots[64]` 0x1480 / 0xE10.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;

#[cfg(target_pointer_width = "64")]
mod off {
    pub const SIZE: usize = 0x1838;
    pub const STACK_LIMIT: usize = 0x10;
    pub const ARBITRARY: usize = 0x28;
    pub const RESERVED1: usize = 0x110;
    pub const TLS: usize = 0x1480;
}
#[cfg(target_pointer_width = "32")]
mod off {
    pub const SIZE: usize = 0xFE8;
    pub const STACK_LIMIT: usize = 0x08;
    pub const ARBITRARY: usize = 0x14;
    pub const RESERVED1: usize = 0xCC;
    pub const TLS: usize = 0xE10;
}

/// Bytes the protocol or the stack may change.
fn mutable(at: usize) -> bool {
    (off::RESERVED1..off::RESERVED1 + 54 * W).contains(&at)
        || (off::STACK_LIMIT..off::STACK_LIMIT + W).contains(&at)
}

fn snapshot(t: usize) -> alloc::vec::Vec<u8> {
    // SAFETY: the TEB is mapped for the thread's life, `SIZE` bytes long.
    unsafe { core::slice::from_raw_parts(t as *const u8, off::SIZE) }.to_vec()
}

fn survives_calls_faults_and_waits() -> Result<(), String> {
    let t = current_teb();
    // SAFETY: fields of this thread's own TEB that only the program uses.
    unsafe {
        for i in 0..64 {
            ((t + off::TLS + i * W) as *mut usize).write(0x5EED_0000 ^ (i * 0x0101));
        }
        ((t + off::ARBITRARY) as *mut usize).write(0xA5A5_5A5A);
    }
    let before = snapshot(t);
    // Thousands of system calls (an invalid handle: the cheapest answer).
    for _ in 0..5000 {
        // SAFETY: a plain value.
        let s = unsafe { NtClose(0x7FF0 as HANDLE) };
        expect_status("NtClose(invalid)", s, STATUS_INVALID_HANDLE)?;
    }
    // Hundreds of demand-zero faults: 1 MiB committed, each page touched, twice over.
    for _ in 0..2 {
        let (mut base, mut size) = (0usize, 1usize << 20);
        // SAFETY: locals; MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE.
        let s = unsafe {
            NtAllocateVirtualMemory(CURRENT_PROCESS, &mut base, 0, &mut size, 0x3000, 0x04)
        };
        expect_status("allocate 1 MiB", s, STATUS_SUCCESS)?;
        for page in (base..base + size).step_by(4096) {
            // SAFETY: committed read-write memory of this process.
            unsafe { (page as *mut u8).write_volatile(1) };
        }
        let mut free_size = 0usize;
        // SAFETY: locals; MEM_RELEASE.
        unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut base, &mut free_size, 0x8000) };
    }
    // Waits: satisfied at once, and parked ones the executive answers later.
    let mut ev: HANDLE = core::ptr::null_mut();
    // SAFETY: a local; a signalled notification event.
    let s = unsafe { NtCreateEvent(&mut ev, 0x1F_0003, core::ptr::null(), 0, 1) };
    expect_status("NtCreateEvent", s, STATUS_SUCCESS)?;
    for _ in 0..1000 {
        // SAFETY: the event just made; no timeout (it is signalled).
        let s = unsafe { NtWaitForSingleObject(ev, 0, core::ptr::null()) };
        expect_status("wait on a signalled event", s, STATUS_SUCCESS)?;
    }
    // SAFETY: the handle made above.
    unsafe { NtClose(ev) };
    let delay = -10_000i64; // 1 ms: parked until a timer tick
    for _ in 0..20 {
        // SAFETY: a local.
        let s = unsafe { NtDelayExecution(0, &delay) };
        expect_status("NtDelayExecution", s, STATUS_SUCCESS)?;
    }
    let after = snapshot(t);
    let changed: alloc::vec::Vec<usize> = (0..off::SIZE)
        .filter(|&i| before[i] != after[i] && !mutable(i))
        .collect();
    if let Some(&first) = changed.first() {
        return Err(format!(
            "{} TEB bytes changed, first at {first:#x} ({:#04x} -> {:#04x})",
            changed.len(),
            before[first],
            after[first]
        ));
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![(
    "teb.survives_calls_faults_and_waits",
    survives_calls_faults_and_waits
)];
