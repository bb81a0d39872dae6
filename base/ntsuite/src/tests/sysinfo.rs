//! NtQuerySystemInformation: SystemBasicInformation, SystemProcessorInformation,
//! SystemPerformanceInformation, SystemTimeOfDayInformation and SystemModuleInformation,
//! with good and hostile input.
//!
//! Sources for the expected behaviour (facts, not code):
//! - [DOC] the `SYSTEM_BASIC_INFORMATION` and `SYSTEM_TIMEOFDAY_INFORMATION` definitions
//!   (winternl.h documents the class numbers 0 and 3; the field lists as the
//!   ReactOS/Wine headers give them: 44 / 64 bytes for the basic information on
//!   32 / 64 bits, 48 bytes for the time of day on both);
//! - [WINE] Wine's `dlls/ntdll/tests/info.c`, run on Windows: the basic information
//!   needs its exact size (else `STATUS_INFO_LENGTH_MISMATCH`); the time of day accepts
//!   any length up to its size and returns that length, a longer one is
//!   `STATUS_INFO_LENGTH_MISMATCH`; `CurrentTime` agrees with `NtQuerySystemTime`;
//! - [WINE-PERF] Wine's `test_query_performance` (info.c), run on Windows: a 0-byte
//!   buffer is `STATUS_INFO_LENGTH_MISMATCH`; `sizeof(SYSTEM_PERFORMANCE_INFORMATION)`
//!   (0x138, the Windows 7 layout both Wine and the ReactOS headers use) succeeds with
//!   that `ReturnLength`; two bytes more succeed too;
//! - [MODULES] the `RTL_PROCESS_MODULES` / `RTL_PROCESS_MODULE_INFORMATION` layout of
//!   the ReactOS/phnt headers (296 bytes per module on x64, 284 on x86) and the way
//!   every caller sizes it: `NULL, 0` answers `STATUS_INFO_LENGTH_MISMATCH` with the
//!   needed length, and the first module is the kernel, `\SystemRoot\system32\
//!   ntoskrnl.exe`;
//! - [KF] `SYSTEM_PROCESSOR_INFORMATION` (12 bytes) and the `KF_*` feature bits of
//!   ReactOS's `ketypes.h` (KF_RDTSC 2, KF_MMX 0x100, KF_XMMI64 0x10000);
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use core::ffi::c_void;

/// `SYSTEM_BASIC_INFORMATION`.
#[repr(C)]
#[derive(Default)]
struct SystemBasicInformation {
    reserved: u32,
    timer_resolution: u32,
    page_size: u32,
    number_of_physical_pages: u32,
    lowest_physical_page_number: u32,
    highest_physical_page_number: u32,
    allocation_granularity: u32,
    minimum_user_mode_address: usize,
    maximum_user_mode_address: usize,
    active_processors_affinity_mask: usize,
    number_of_processors: i8,
}
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<SystemBasicInformation>() == 64);
#[cfg(target_pointer_width = "32")]
const _: () = assert!(size_of::<SystemBasicInformation>() == 44);

/// `SYSTEM_TIMEOFDAY_INFORMATION`.
#[repr(C)]
#[derive(Default)]
struct SystemTimeOfDayInformation {
    boot_time: i64,
    current_time: i64,
    time_zone_bias: i64,
    time_zone_id: u32,
    reserved: u32,
    boot_time_bias: u64,
    sleep_time_bias: u64,
}
const _: () = assert!(size_of::<SystemTimeOfDayInformation>() == 48);

/// `MM_HIGHEST_USER_ADDRESS` as Windows reports it.
#[cfg(target_pointer_width = "64")]
const HIGHEST_USER: usize = 0x7FFF_FFFE_FFFF;
#[cfg(target_pointer_width = "32")]
const HIGHEST_USER: usize = 0x7FFE_FFFF;

fn query<T>(class: u32, info: &mut T, length: u32, returned: &mut u32) -> NtStatus {
    // SAFETY: `info` is a local at least `length` bytes long (callers pass at most its
    // size).
    unsafe { NtQuerySystemInformation(class, info as *mut T as *mut c_void, length, returned) }
}

fn check(what: &str, ok: bool) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what} does not hold"))
    }
}

fn basic_information() -> Result<(), String> {
    let mut sbi = SystemBasicInformation::default();
    let size = size_of::<SystemBasicInformation>() as u32;
    let mut len = 0u32;
    expect_status("basic", query(0, &mut sbi, size, &mut len), STATUS_SUCCESS)?;
    check("ReturnLength == size", len == size)?;
    check("PageSize 4096", sbi.page_size == 4096)?;
    check(
        "AllocationGranularity 64 KiB",
        sbi.allocation_granularity == 0x1_0000,
    )?;
    check(
        "MinimumUserModeAddress 0x10000",
        sbi.minimum_user_mode_address == 0x1_0000,
    )?;
    if sbi.maximum_user_mode_address != HIGHEST_USER {
        return Err(format!(
            "MaximumUserModeAddress {:#x}, want {HIGHEST_USER:#x}",
            sbi.maximum_user_mode_address
        ));
    }
    check("NumberOfProcessors >= 1", sbi.number_of_processors >= 1)?;
    let n = sbi.number_of_processors as u32;
    let mask = sbi.active_processors_affinity_mask;
    check(
        "affinity mask has a bit per processor",
        mask.count_ones() == n,
    )?;
    check("some physical pages", sbi.number_of_physical_pages > 0)?;
    check(
        "lowest <= highest physical page",
        sbi.lowest_physical_page_number <= sbi.highest_physical_page_number,
    )?;
    check("TimerResolution non-zero", sbi.timer_resolution != 0)?;
    let _ = sbi.reserved;
    for l in [0, size - 1, size + 1] {
        let mut big = [0u64; 16];
        len = 0;
        let s = query(0, &mut big, l, &mut len);
        expect_status(
            &format!("basic, length {l}"),
            s,
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
        check("ReturnLength on mismatch == size", len == size)?;
    }
    Ok(())
}

fn time_of_day() -> Result<(), String> {
    let mut before = 0i64;
    // SAFETY: a valid out pointer.
    expect_status(
        "NtQuerySystemTime",
        unsafe { NtQuerySystemTime(&mut before) },
        0,
    )?;
    let mut t = SystemTimeOfDayInformation::default();
    let mut len = 0u32;
    expect_status(
        "time of day",
        query(3, &mut t, 48, &mut len),
        STATUS_SUCCESS,
    )?;
    let mut after = 0i64;
    // SAFETY: as above.
    expect_status(
        "NtQuerySystemTime",
        unsafe { NtQuerySystemTime(&mut after) },
        0,
    )?;
    check("ReturnLength 48", len == 48)?;
    check(
        "NtQuerySystemTime before <= CurrentTime <= after",
        before <= t.current_time && t.current_time <= after,
    )?;
    check(
        "0 < BootTime <= CurrentTime",
        0 < t.boot_time && t.boot_time <= t.current_time,
    )?;
    let _ = (t.time_zone_bias, t.time_zone_id, t.reserved);
    let _ = (t.boot_time_bias, t.sleep_time_bias);
    // A shorter buffer gets that many bytes.
    let mut part = [0xAAu8; 48];
    let s = query(3, &mut part, 8, &mut len);
    expect_status("time of day, 8 bytes", s, STATUS_SUCCESS)?;
    check("ReturnLength 8", len == 8)?;
    check("only 8 bytes written", part[8..].iter().all(|&b| b == 0xAA))?;
    let s = query(3, &mut part, 0, &mut len);
    expect_status("time of day, 0 bytes", s, STATUS_SUCCESS)?;
    check("ReturnLength 0", len == 0)?;
    let mut big = [0u8; 64];
    let s = query(3, &mut big, 49, &mut len);
    expect_status("time of day, 49 bytes", s, STATUS_INFO_LENGTH_MISMATCH)
}

fn bad_input() -> Result<(), String> {
    let mut buf = [0u64; 16];
    let mut len = 0u32;
    for class in [0x7FFF_FFFFu32, 0xFFFF_FFFF] {
        let s = query(class, &mut buf, 64, &mut len);
        expect_status(&format!("class {class:#x}"), s, STATUS_INVALID_INFO_CLASS)?;
    }
    let size = size_of::<SystemBasicInformation>() as u32;
    for (addr, what) in [(KERNEL, "kernel"), (UNMAPPED, "unmapped")] {
        // SAFETY: hostile pointers are the point: the executive must refuse them.
        let s = unsafe { NtQuerySystemInformation(0, addr as *mut c_void, size, &mut len) };
        expect_status(&format!("basic into {what}"), s, STATUS_ACCESS_VIOLATION)?;
        // SAFETY: as above.
        let s = unsafe { NtQuerySystemInformation(3, addr as *mut c_void, 48, &mut len) };
        expect_status(
            &format!("time of day into {what}"),
            s,
            STATUS_ACCESS_VIOLATION,
        )?;
        let mut sbi = SystemBasicInformation::default();
        // SAFETY: as above, for ReturnLength.
        let s = unsafe {
            NtQuerySystemInformation(0, &mut sbi as *mut _ as *mut c_void, size, addr as *mut u32)
        };
        expect_status(&format!("ReturnLength {what}"), s, STATUS_ACCESS_VIOLATION)?;
    }
    // ReturnLength is optional.
    let mut sbi = SystemBasicInformation::default();
    // SAFETY: a local of the size passed; a NULL ReturnLength.
    let s = unsafe {
        NtQuerySystemInformation(
            0,
            &mut sbi as *mut _ as *mut c_void,
            size,
            core::ptr::null_mut(),
        )
    };
    expect_status("NULL ReturnLength", s, STATUS_SUCCESS)
}

/// `SYSTEM_PROCESSOR_INFORMATION`.
#[repr(C)]
#[derive(Default)]
struct SystemProcessorInformation {
    architecture: u16,
    level: u16,
    revision: u16,
    maximum_processors: u16,
    feature_bits: u32,
}
const _: () = assert!(size_of::<SystemProcessorInformation>() == 12);

fn processor_information() -> Result<(), String> {
    let mut p = SystemProcessorInformation::default();
    let mut len = 0u32;
    expect_status("processor", query(1, &mut p, 12, &mut len), STATUS_SUCCESS)?;
    check("ReturnLength 12", len == 12)?;
    // PROCESSOR_ARCHITECTURE_AMD64 (9) / PROCESSOR_ARCHITECTURE_INTEL (0).
    let arch = if cfg!(target_pointer_width = "64") {
        9
    } else {
        0
    };
    check("ProcessorArchitecture", p.architecture == arch)?;
    check("ProcessorLevel (CPUID family) >= 6", p.level >= 6)?;
    check("MaximumProcessors >= 1", p.maximum_processors >= 1)?;
    // Every processor QEMU emulates for us (qemu64, qemu32) has TSC and MMX.
    let kf = 0x2 | 0x100;
    check("KF_RDTSC | KF_MMX", p.feature_bits & kf == kf)?;
    let _ = p.revision;
    let mut big = [0u8; 16];
    expect_status(
        "processor, 16",
        query(1, &mut big, 16, &mut len),
        STATUS_SUCCESS,
    )?;
    check("ReturnLength 12 from 16", len == 12)?;
    let s = query(1, &mut big, 11, &mut len);
    expect_status("processor, 11", s, STATUS_INFO_LENGTH_MISMATCH)
}

const PERF_SIZE: u32 = 0x138;

fn perf_ulong(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn performance_information() -> Result<(), String> {
    let mut b = [0u8; 0x140];
    let mut len = 0u32;
    let s = query(2, &mut b, 0, &mut len);
    expect_status("performance, 0", s, STATUS_INFO_LENGTH_MISMATCH)?;
    let s = query(2, &mut b, PERF_SIZE - 1, &mut len);
    expect_status("performance, size - 1", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check("ReturnLength on mismatch == 0x138", len == PERF_SIZE)?;
    expect_status(
        "performance",
        query(2, &mut b, PERF_SIZE, &mut len),
        STATUS_SUCCESS,
    )?;
    check("ReturnLength 0x138", len == PERF_SIZE)?;
    let calls = perf_ulong(&b, 0x134);
    let switches = perf_ulong(&b, 0x128);
    let available = perf_ulong(&b, 0x2C);
    let committed = perf_ulong(&b, 0x30);
    let limit = perf_ulong(&b, 0x34);
    let peak = perf_ulong(&b, 0x38);
    let faults = perf_ulong(&b, 0x3C);
    let demand_zero = perf_ulong(&b, 0x4C);
    let idle = i64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]));
    // Earlier areas (time.*, keyed.*) slept while every other process was parked: the
    // executive then waited with nothing to run, which is idle time.
    check("IdleProcessTime > 0", idle > 0)?;
    check("SystemCalls > 0", calls > 0)?;
    check("ContextSwitches >= SystemCalls", switches >= calls)?;
    check("AvailablePages > 0", available > 0)?;
    check(
        "0 < CommittedPages <= PeakCommitment",
        0 < committed && committed <= peak,
    )?;
    check("CommittedPages <= CommitLimit", committed <= limit)?;
    check("DemandZeroCount <= PageFaultCount", demand_zero <= faults)?;
    // The counters are live: ten more services show.
    let mut again = [0u8; 0x138];
    for _ in 0..10 {
        let mut t = 0i64;
        // SAFETY: a valid out pointer.
        let _ = unsafe { NtQuerySystemTime(&mut t) };
    }
    let s = query(2, &mut again, PERF_SIZE, &mut len);
    expect_status("performance again", s, STATUS_SUCCESS)?;
    let calls2 = perf_ulong(&again, 0x134);
    if calls2 < calls + 11 {
        return Err(format!("SystemCalls {calls} then {calls2}: not counting"));
    }
    check(
        "PageFaultCount does not go back",
        perf_ulong(&again, 0x3C) >= faults,
    )?;
    // Two bytes more: success, ReturnLength the size (or the length, [WINE-PERF]).
    let s = query(2, &mut b, PERF_SIZE + 2, &mut len);
    expect_status("performance, size + 2", s, STATUS_SUCCESS)?;
    check(
        "ReturnLength size",
        len == PERF_SIZE || len == PERF_SIZE + 2,
    )
}

#[cfg(target_pointer_width = "64")]
const MODULE_SIZE: usize = 296;
#[cfg(target_pointer_width = "32")]
const MODULE_SIZE: usize = 284;

fn module_information() -> Result<(), String> {
    let mut len = 0u32;
    // SAFETY: a NULL buffer of length 0 is the documented size query.
    let s = unsafe { NtQuerySystemInformation(11, core::ptr::null_mut(), 0, &mut len) };
    expect_status("modules, NULL 0", s, STATUS_INFO_LENGTH_MISMATCH)?;
    let need = len as usize;
    if need < W + 2 * MODULE_SIZE || !(need - W).is_multiple_of(MODULE_SIZE) {
        return Err(format!("needed length {need} is not a module list"));
    }
    let mut buf = alloc::vec![0u8; need + 64];
    // One byte short: still a mismatch, same length.
    let mut len2 = 0u32;
    // SAFETY: `buf` holds `need + 64` bytes.
    let s = unsafe {
        NtQuerySystemInformation(11, buf.as_mut_ptr().cast(), need as u32 - 1, &mut len2)
    };
    expect_status("modules, need - 1", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check("same needed length", len2 as usize == need)?;
    // SAFETY: as above.
    let s = unsafe {
        NtQuerySystemInformation(11, buf.as_mut_ptr().cast(), buf.len() as u32, &mut len2)
    };
    expect_status("modules", s, STATUS_SUCCESS)?;
    check("ReturnLength == needed", len2 as usize == need)?;
    let count = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    check(
        "NumberOfModules matches the length",
        W + count * MODULE_SIZE == need,
    )?;
    let mut names = alloc::vec::Vec::new();
    for i in 0..count {
        let e = &buf[W + i * MODULE_SIZE..W + (i + 1) * MODULE_SIZE];
        let at = 3 * W;
        let size = u32::from_le_bytes([e[at], e[at + 1], e[at + 2], e[at + 3]]);
        let offset = u16::from_le_bytes([e[at + 14], e[at + 15]]) as usize;
        let path = &e[at + 16..];
        let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
        let full = String::from_utf8_lossy(&path[..end]).into_owned();
        if !full.starts_with("\\SystemRoot\\system32\\") || offset != 21 {
            return Err(format!("module {i}: path {full:?}, name offset {offset}"));
        }
        check("ImageSize > 0", size > 0)?;
        names.push(String::from(&full[offset..]));
    }
    check("first module ntoskrnl.exe", names[0] == "ntoskrnl.exe")?;
    for want in ["ntdll.dll", "ntsuite.exe"] {
        if !names.iter().any(|n| n == want) {
            return Err(format!("{want} not among the modules {names:?}"));
        }
    }
    // Into kernel space: the probe refuses it before the class is looked at.
    // SAFETY: a hostile pointer is the point.
    let s = unsafe { NtQuerySystemInformation(11, KERNEL as *mut c_void, 64, &mut len) };
    expect_status("modules into kernel", s, STATUS_ACCESS_VIOLATION)
}

pub const TESTS: &[Test] = tests![
    ("sysinfo.basic_information", basic_information),
    ("sysinfo.time_of_day", time_of_day),
    ("sysinfo.bad_input", bad_input),
    ("sysinfo.processor_information", processor_information),
    ("sysinfo.performance_information", performance_information),
    ("sysinfo.module_information", module_information),
];
