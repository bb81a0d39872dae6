//! `NtQuerySystemInformation`: the classes Nereid answers so far.
//!
//! - `SystemBasicInformation` (0): `SYSTEM_BASIC_INFORMATION`, 44 bytes for a 32-bit
//!   caller and 64 for a 64-bit one (`ULONG Reserved, TimerResolution, PageSize,
//!   NumberOfPhysicalPages, LowestPhysicalPageNumber, HighestPhysicalPageNumber,
//!   AllocationGranularity; ULONG_PTR MinimumUserModeAddress, MaximumUserModeAddress,
//!   ActiveProcessorsAffinityMask; CCHAR NumberOfProcessors`). The length must be
//!   exact, else `STATUS_INFO_LENGTH_MISMATCH`; `ReturnLength` is the size either way
//!   (as Wine's `NtQuerySystemInformation` reports it).
//! - `SystemTimeOfDayInformation` (3): `SYSTEM_TIMEOFDAY_INFORMATION`, 48 bytes on both
//!   (`LARGE_INTEGER BootTime, CurrentTime, TimeZoneBias; ULONG TimeZoneId, Reserved;
//!   ULONGLONG BootTimeBias, SleepTimeBias`). Any length up to 48 copies that many
//!   bytes and returns it as `ReturnLength`; a longer one is
//!   `STATUS_INFO_LENGTH_MISMATCH` (the behaviour Wine's `dlls/ntdll/tests/info.c`
//!   checks on Windows). Time zone: UTC (bias 0, `TIME_ZONE_ID_UNKNOWN`).
//! - Every other class is `STATUS_INVALID_INFO_CLASS`. Deviation: Windows answers many
//!   of them (processes, performance, modules…).
//!
//! The buffer is probed (user range, `ULONG` alignment) for `Length` bytes before the
//! class is looked at, as Windows does.
//!
//! Values: one processor, 4 KiB pages, 64 KiB allocation granularity, user range
//! 0x10000 ..= `USER_LIMIT` - 1 (Windows' `MM_HIGHEST_USER_ADDRESS`), the PIT
//! period as `TimerResolution`, and the RAM the executive was given as physical pages.
//! Deviation: `LowestPhysicalPageNumber` is 1 and `HighestPhysicalPageNumber` the page
//! count, not the real frame numbers of the untypeds.

use core::sync::atomic::{AtomicU64, Ordering};

use super::obsvc::{write_u32, ClientMemory};
use crate::hal::timer::TICK_PERIOD_100NS;
use crate::ke::probe::{probe, UserPtr};
use ntdef::status::{
    NtStatus, STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS, STATUS_SUCCESS,
};

/// Bytes of RAM the executive was given (set once at boot).
static RAM_BYTES: AtomicU64 = AtomicU64::new(0);

/// Records the RAM total for `NumberOfPhysicalPages`.
pub fn set_ram_bytes(bytes: u64) {
    RAM_BYTES.store(bytes, Ordering::Relaxed);
}

/// The RAM total recorded at boot.
pub fn ram_bytes() -> u64 {
    RAM_BYTES.load(Ordering::Relaxed)
}

const W: usize = size_of::<usize>();
/// `sizeof(SYSTEM_BASIC_INFORMATION)`: 7 `ULONG`s, 3 `ULONG_PTR`s (aligned), a `CCHAR`,
/// rounded to the pointer alignment.
pub const BASIC_SIZE: usize = (28usize.next_multiple_of(W) + 3 * W + 1).next_multiple_of(W);
const _: () = assert!(BASIC_SIZE == if W == 8 { 64 } else { 44 });
/// `sizeof(SYSTEM_TIMEOFDAY_INFORMATION)`.
pub const TIMEOFDAY_SIZE: usize = 48;

/// `SYSTEM_BASIC_INFORMATION` for a caller of this build's word size.
pub fn basic_information(ram_bytes: u64) -> [u8; BASIC_SIZE] {
    let mut b = [0u8; BASIC_SIZE];
    let pages = u32::try_from(ram_bytes / 4096).unwrap_or(u32::MAX);
    let ulongs: [u32; 7] = [0, TICK_PERIOD_100NS as u32, 4096, pages, 1, pages, 0x1_0000];
    for (i, v) in ulongs.iter().enumerate() {
        b[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    let at = 28usize.next_multiple_of(W);
    let words: [usize; 3] = [0x1_0000, ntsvc::USER_LIMIT - 1, 1];
    for (i, v) in words.iter().enumerate() {
        b[at + i * W..at + (i + 1) * W].copy_from_slice(&v.to_le_bytes());
    }
    b[at + 3 * W] = 1;
    b
}

/// `SYSTEM_TIMEOFDAY_INFORMATION` at system time `now`, booted at `boot`.
pub fn time_of_day(boot: u64, now: u64) -> [u8; TIMEOFDAY_SIZE] {
    let mut b = [0u8; TIMEOFDAY_SIZE];
    b[..8].copy_from_slice(&boot.to_le_bytes());
    b[8..16].copy_from_slice(&now.to_le_bytes());
    b
}

/// `NtQuerySystemInformation(Class, Buffer, Length, ReturnLength)`.
pub fn query<M: ClientMemory>(
    mem: &M,
    now: u64,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> NtStatus {
    let len = length as usize;
    if let Err(s) = probe(buffer, len, 4) {
        return s;
    }
    let (status, written) = match class {
        0 => {
            if len == BASIC_SIZE {
                let info = basic_information(RAM_BYTES.load(Ordering::Relaxed));
                match mem.write(buffer, &info) {
                    Ok(()) => (STATUS_SUCCESS, BASIC_SIZE),
                    Err(s) => return s,
                }
            } else {
                (STATUS_INFO_LENGTH_MISMATCH, BASIC_SIZE)
            }
        }
        3 => {
            if len <= TIMEOFDAY_SIZE {
                let info = time_of_day(super::timesvc::BOOT_EPOCH, now);
                match mem.write(buffer, &info[..len]) {
                    Ok(()) => (STATUS_SUCCESS, len),
                    Err(s) => return s,
                }
            } else {
                (STATUS_INFO_LENGTH_MISMATCH, 0)
            }
        }
        _ => return STATUS_INVALID_INFO_CLASS,
    };
    if let Some(p) = returned {
        if let Err(s) = write_u32(mem, p.addr(), written as u32) {
            return s;
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(b: &[u8], at: usize) -> usize {
        let mut w = [0u8; W];
        w.copy_from_slice(&b[at..at + W]);
        usize::from_le_bytes(w)
    }

    #[test]
    fn basic_layout() {
        let b = basic_information(512 << 20);
        let ulong = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        assert_eq!(ulong(8), 4096);
        assert_eq!(ulong(0xC), 131_072);
        assert_eq!(ulong(0x18), 0x1_0000);
        let (min, max, mask, cpus) = if W == 8 {
            (0x20, 0x28, 0x30, 0x38)
        } else {
            (0x1C, 0x20, 0x24, 0x28)
        };
        assert_eq!(word(&b, min), 0x1_0000);
        assert_eq!(word(&b, max), ntsvc::USER_LIMIT - 1);
        assert_eq!(word(&b, mask), 1);
        assert_eq!(b[cpus], 1);
    }

    #[test]
    fn time_of_day_layout() {
        let b = time_of_day(5, 7);
        assert_eq!(&b[..8], &5u64.to_le_bytes());
        assert_eq!(&b[8..16], &7u64.to_le_bytes());
        assert!(b[16..].iter().all(|&x| x == 0));
    }
}
