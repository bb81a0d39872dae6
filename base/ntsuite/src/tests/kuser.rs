//! KUSER_SHARED_DATA at 0x7FFE0000.
//!
//! Sources (facts only):
//! - [LAYOUT] `dt _KUSER_SHARED_DATA` of Windows 7's public symbols: TickCountMultiplier
//!   0x4, InterruptTime 0x8, SystemTime 0x14 (KSYSTEM_TIME: LowPart, High1Time,
//!   High2Time), ImageNumberLow/High 0x2C/0x2E, NtSystemRoot 0x30, NtProductType 0x264,
//!   ProductTypeIsValid 0x268, NtMajorVersion/NtMinorVersion 0x26C/0x270,
//!   NumberOfPhysicalPages 0x2E8, TickCount 0x320;
//! - [WDK] `KeQuerySystemTime` / `KeQueryInterruptTime` / `KeQueryTickCount` read these
//!   fields; a KSYSTEM_TIME is read as High1Time, LowPart, High2Time, retried while the
//!   high parts differ; TickCount × TickCountMultiplier >> 24 is milliseconds;
//! - [WINE] Wine's `dlls/ntdll/tests/time.c` compares the shared SystemTime and
//!   InterruptTime with NtQuerySystemTime / the performance counter, and VirtualQuery of
//!   the page reports MEM_COMMIT, PAGE_READONLY, one page.
//!
//! Nereid: version 6.1, product WinNt, NtSystemRoot `C:\Nereid` (the SystemRoot of the
//! process environment).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use ntdef::memory::*;

const KUSER: usize = 0x7FFE_0000;
/// 100 ns units per millisecond.
const MS: u64 = 10_000;

fn u32_at(off: usize) -> u32 {
    // SAFETY: the page is mapped readable in every process; offsets are in it.
    unsafe { core::ptr::read_volatile((KUSER + off) as *const u32) }
}

/// A KSYSTEM_TIME read the way Windows' readers do.
fn system_time_at(off: usize) -> u64 {
    loop {
        let high1 = u32_at(off + 4);
        let low = u32_at(off);
        let high2 = u32_at(off + 8);
        if high1 == high2 {
            return (u64::from(high1) << 32) | u64::from(low);
        }
    }
}

fn query_page() -> Result<(), String> {
    let mut m = MEMORY_BASIC_INFORMATION::default();
    // SAFETY: a local of the size passed.
    let s = unsafe {
        NtQueryVirtualMemory(
            CURRENT_PROCESS,
            KUSER + 0x123,
            MEMORY_BASIC_INFORMATION_CLASS,
            (&raw mut m).cast(),
            size_of::<MEMORY_BASIC_INFORMATION>(),
            core::ptr::null_mut(),
        )
    };
    expect_status("NtQueryVirtualMemory", s, STATUS_SUCCESS)?;
    eq(
        "KUSER_SHARED_DATA query",
        (
            m.BaseAddress,
            m.AllocationBase,
            m.AllocationProtect,
            m.RegionSize,
            m.State,
            m.Protect,
            m.Type,
        ),
        (
            KUSER,
            KUSER,
            PAGE_READONLY,
            0x1000,
            MEM_COMMIT,
            PAGE_READONLY,
            MEM_PRIVATE,
        ),
    )
}

fn read_only() -> Result<(), String> {
    let v = 0u32;
    // SAFETY: a local source; the target is the read-only page.
    let s = unsafe {
        NtWriteVirtualMemory(
            CURRENT_PROCESS,
            KUSER + 0x14,
            (&raw const v).cast(),
            4,
            core::ptr::null_mut(),
        )
    };
    expect_status("write into KUSER_SHARED_DATA", s, STATUS_PARTIAL_COPY)?;
    // Nereid refuses to free it (no Windows status is asserted).
    let (mut b, mut n) = (KUSER, 0usize);
    // SAFETY: pointers to locals.
    let s = unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut b, &mut n, MEM_RELEASE) };
    if s.as_u32() == STATUS_SUCCESS {
        return Err(String::from("KUSER_SHARED_DATA released"));
    }
    eq("still there after a release attempt", u32_at(0x26C), 6)
}

fn constants() -> Result<(), String> {
    eq("NtMajorVersion", u32_at(0x26C), 6)?;
    eq("NtMinorVersion", u32_at(0x270), 1)?;
    eq("NtProductType", u32_at(0x264), 1)?;
    eq("ProductTypeIsValid", u32_at(0x268) & 0xFF, 1)?;
    let machine: u32 = if cfg!(target_arch = "x86_64") {
        0x8664
    } else {
        0x014C
    };
    eq(
        "ImageNumberLow/High",
        u32_at(0x2C),
        machine | (machine << 16),
    )?;
    let mut root = String::new();
    for i in 0..20 {
        let u = (u32_at(0x30 + 4 * i)) as u16;
        let u2 = (u32_at(0x30 + 4 * i) >> 16) as u16;
        for c in [u, u2] {
            if c == 0 {
                return eq("NtSystemRoot", root.as_str(), "C:\\Nereid");
            }
            root.push(char::from_u32(u32::from(c)).unwrap_or('?'));
        }
    }
    Err(String::from("NtSystemRoot not terminated"))?;
    if u32_at(0x2E8) == 0 || u32_at(0x4) == 0 {
        return Err(String::from(
            "NumberOfPhysicalPages or TickCountMultiplier is 0",
        ));
    }
    Ok(())
}

fn times_agree() -> Result<(), String> {
    let shared = system_time_at(0x14);
    let mut now = 0i64;
    // SAFETY: a local.
    let s = unsafe { NtQuerySystemTime(&mut now) };
    expect_status("NtQuerySystemTime", s, STATUS_SUCCESS)?;
    let now = now as u64;
    // Updated every tick: behind the service's clock by less than a second.
    if shared > now || now - shared > 1000 * MS {
        return Err(format!("SystemTime {shared} vs NtQuerySystemTime {now}"));
    }
    let interrupt = system_time_at(0x8);
    let (mut counter, mut freq) = (0i64, 0i64);
    // SAFETY: locals.
    let s = unsafe { NtQueryPerformanceCounter(&mut counter, &mut freq) };
    expect_status("NtQueryPerformanceCounter", s, STATUS_SUCCESS)?;
    // The counter runs at 10 MHz from the same zero (see `time` tests).
    let counter = counter as u64;
    if freq != 10_000_000 || interrupt > counter || counter - interrupt > 1000 * MS {
        return Err(format!("InterruptTime {interrupt} vs counter {counter}"));
    }
    let ticks = system_time_at(0x320);
    let ms = (ticks * u64::from(u32_at(0x4))) >> 24;
    let interrupt_ms = interrupt / MS;
    if ms.abs_diff(interrupt_ms) > 20 {
        return Err(format!(
            "TickCount {ticks} is {ms} ms, InterruptTime {interrupt_ms} ms"
        ));
    }
    eq("TickCountLowDeprecated", u32_at(0), ticks as u32)
}

fn time_advances() -> Result<(), String> {
    let t0 = system_time_at(0x14);
    let i0 = system_time_at(0x8);
    let delay = -50 * MS as i64;
    // SAFETY: a local.
    let s = unsafe { NtDelayExecution(0, &delay) };
    expect_status("NtDelayExecution", s, STATUS_SUCCESS)?;
    let t1 = system_time_at(0x14);
    let i1 = system_time_at(0x8);
    // The delay ends on a tick, after that tick's update.
    if t1 < t0 + 40 * MS || i1 < i0 + 40 * MS {
        return Err(format!(
            "after 50 ms: SystemTime +{} ms, InterruptTime +{} ms",
            (t1 - t0) / MS,
            (i1 - i0) / MS
        ));
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("kuser.query", query_page),
    ("kuser.read_only", read_only),
    ("kuser.constants", constants),
    ("kuser.times_agree", times_agree),
    ("kuser.time_advances", time_advances),
];
