//! NtQuerySystemInformation: SystemBasicInformation and SystemTimeOfDayInformation, with
//! good and hostile input.
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
//! - [NTSTATUS] values from MS-ERREF 2.3.1.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use core::ffi::c_void;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtQuerySystemInformation(
        class: u32,
        info: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;
    fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
}

const STATUS_INVALID_INFO_CLASS: u32 = 0xC000_0003;
const STATUS_INFO_LENGTH_MISMATCH: u32 = 0xC000_0004;

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

pub const TESTS: &[Test] = tests![
    ("sysinfo.basic_information", basic_information),
    ("sysinfo.time_of_day", time_of_day),
    ("sysinfo.bad_input", bad_input),
];
