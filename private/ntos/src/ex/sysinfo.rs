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
//! - `SystemProcessorInformation` (1): `SYSTEM_PROCESSOR_INFORMATION`, 12 bytes on both
//!   (`USHORT ProcessorArchitecture, ProcessorLevel, ProcessorRevision,
//!   MaximumProcessors; ULONG ProcessorFeatureBits`): AMD64 (9) or INTEL (0), the CPUID
//!   family as level, `model << 8 | stepping` as revision, one processor, and the
//!   `KF_*` bits (ReactOS/WRK `ketypes.h` values) of the CPUID features that have one.
//!   A shorter buffer is `STATUS_INFO_LENGTH_MISMATCH`, a longer one gets 12 bytes.
//! - `SystemPerformanceInformation` (2): `SYSTEM_PERFORMANCE_INFORMATION` in its Windows 7
//!   layout, 312 (0x138) bytes on both architectures (4 `LARGE_INTEGER`s, 70 `ULONG`s;
//!   Windows 10 appends 4 `ULONGLONG`s for 0x158). Wine's `test_query_performance`
//!   (`dlls/ntdll/tests/info.c`) shows the length rule on Windows: 0 bytes is
//!   `STATUS_INFO_LENGTH_MISMATCH`, the structure's size succeeds with that
//!   `ReturnLength`, a longer buffer succeeds too. Shorter: mismatch, `ReturnLength` the
//!   size. Counters that are real (kept by the executive, see [`counters`]):
//!   `IdleProcessTime`, `AvailablePages`, `CommittedPages`, `CommitLimit`,
//!   `PeakCommitment`, `PageFaultCount`, `DemandZeroCount`, `ContextSwitches`,
//!   `SystemCalls`; every other field (I/O, cache, pool, TLB) is 0.
//! - `SystemModuleInformation` (11): `RTL_PROCESS_MODULES` (`ULONG NumberOfModules`, then
//!   pointer-aligned `RTL_PROCESS_MODULE_INFORMATION`s: `HANDLE Section; PVOID
//!   MappedBase, ImageBase; ULONG ImageSize, Flags; USHORT LoadOrderIndex,
//!   InitOrderIndex, LoadCount, OffsetToFileName; UCHAR FullPathName[256]`, 296 bytes on
//!   x64 and 284 on x86). The "kernel-mode" modules are the executive itself, first,
//!   as `\SystemRoot\system32\ntoskrnl.exe` (its link address and image span), then
//!   every PE image of the boot archive as `\SystemRoot\system32\<name>` (preferred
//!   base and `SizeOfImage`; they are not mapped in the executive: `MappedBase` 0). A
//!   buffer shorter than the whole list is `STATUS_INFO_LENGTH_MISMATCH` with the needed
//!   length as `ReturnLength` (what callers' `NULL, 0` size query relies on) and nothing
//!   written. `Flags` is 0 and `LoadCount` 1.
//! - Every other class is `STATUS_INVALID_INFO_CLASS`. Deviation: Windows answers many
//!   more (processes, handles…).
//!
//! The buffer is probed (user range, `ULONG` alignment) for `Length` bytes before the
//! class is looked at, as Windows does.
//!
//! Values: one processor, 4 KiB pages, 64 KiB allocation granularity, user range
//! 0x10000 ..= `USER_LIMIT` - 1 (Windows' `MM_HIGHEST_USER_ADDRESS`), the PIT
//! period as `TimerResolution`, and the RAM the executive was given as physical pages.
//! Deviation: `LowestPhysicalPageNumber` is 1 and `HighestPhysicalPageNumber` the page
//! count, not the real frame numbers of the untypeds.

use alloc::vec::Vec;
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

/// The executive's running counters (relaxed atomics: one thread writes them; atomics
/// only because they are statics).
pub mod counters {
    use core::sync::atomic::{AtomicU64, Ordering};

    static SYSTEM_CALLS: AtomicU64 = AtomicU64::new(0);
    static MESSAGES: AtomicU64 = AtomicU64::new(0);
    static PAGE_FAULTS: AtomicU64 = AtomicU64::new(0);
    static DEMAND_ZERO: AtomicU64 = AtomicU64::new(0);
    static IDLE_CYCLES: AtomicU64 = AtomicU64::new(0);
    static TSC_MHZ: AtomicU64 = AtomicU64::new(0);
    static COMMITTED: AtomicU64 = AtomicU64::new(0);
    static PEAK_COMMITTED: AtomicU64 = AtomicU64::new(0);

    fn bump(c: &AtomicU64, by: u64) {
        c.store(
            c.load(Ordering::Relaxed).wrapping_add(by),
            Ordering::Relaxed,
        );
    }

    /// A system service request arrived.
    pub fn system_call() {
        bump(&SYSTEM_CALLS, 1);
    }
    /// The executive received a message: a switch from a client (or the timer) into it.
    pub fn message() {
        bump(&MESSAGES, 1);
    }
    /// A page fault of an NT process; `demand_zero` when a zero page resolved it.
    pub fn page_fault(demand_zero: bool) {
        bump(&PAGE_FAULTS, 1);
        if demand_zero {
            bump(&DEMAND_ZERO, 1);
        }
    }
    /// Cycles the executive waited for a message while no NT thread could run.
    pub fn idle_cycles(cycles: u64) {
        bump(&IDLE_CYCLES, cycles);
    }
    pub fn set_tsc_mhz(mhz: u64) {
        TSC_MHZ.store(mhz, Ordering::Relaxed);
    }
    /// Pages committed by all NT processes now.
    pub fn set_committed(pages: u64) {
        COMMITTED.store(pages, Ordering::Relaxed);
        if pages > PEAK_COMMITTED.load(Ordering::Relaxed) {
            PEAK_COMMITTED.store(pages, Ordering::Relaxed);
        }
    }

    /// A snapshot.
    pub fn read(available_pages: u64, ram_pages: u64) -> super::Performance {
        let mhz = TSC_MHZ.load(Ordering::Relaxed);
        let idle = IDLE_CYCLES.load(Ordering::Relaxed);
        super::Performance {
            // 100 ns = mhz / 10 cycles.
            idle_100ns: (idle.saturating_mul(10)).checked_div(mhz).unwrap_or(0),
            available_pages,
            committed_pages: COMMITTED.load(Ordering::Relaxed),
            commit_limit: ram_pages,
            peak_commitment: PEAK_COMMITTED.load(Ordering::Relaxed),
            page_faults: PAGE_FAULTS.load(Ordering::Relaxed),
            demand_zero: DEMAND_ZERO.load(Ordering::Relaxed),
            context_switches: MESSAGES.load(Ordering::Relaxed),
            system_calls: SYSTEM_CALLS.load(Ordering::Relaxed),
        }
    }
}

/// The real counters of `SYSTEM_PERFORMANCE_INFORMATION`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Performance {
    /// Time (100 ns) the executive waited while every NT thread was parked in a wait.
    pub idle_100ns: u64,
    /// Free RAM in the executive's untyped allocator, in pages.
    pub available_pages: u64,
    /// Pages committed by all NT processes (their VADs' commit charge).
    pub committed_pages: u64,
    /// RAM pages (there is no paging file).
    pub commit_limit: u64,
    pub peak_commitment: u64,
    pub page_faults: u64,
    pub demand_zero: u64,
    /// Messages the executive received (each is a switch into it).
    pub context_switches: u64,
    pub system_calls: u64,
}

/// `sizeof(SYSTEM_PROCESSOR_INFORMATION)`.
pub const PROCESSOR_SIZE: usize = 12;
/// `sizeof(SYSTEM_PERFORMANCE_INFORMATION)`, Windows 7 layout.
pub const PERFORMANCE_SIZE: usize = 0x138;
/// Offsets of the fields filled in (4 `LARGE_INTEGER`s, then `ULONG`s).
mod perf {
    pub const IDLE: usize = 0x00;
    pub const AVAILABLE_PAGES: usize = 0x2C;
    pub const COMMITTED_PAGES: usize = 0x30;
    pub const COMMIT_LIMIT: usize = 0x34;
    pub const PEAK_COMMITMENT: usize = 0x38;
    pub const PAGE_FAULTS: usize = 0x3C;
    pub const DEMAND_ZERO: usize = 0x4C;
    pub const CONTEXT_SWITCHES: usize = 0x128;
    pub const SYSTEM_CALLS: usize = 0x134;
}
/// `sizeof(RTL_PROCESS_MODULE_INFORMATION)`.
pub const MODULE_SIZE: usize = 3 * W + 4 * 2 + 4 * 2 + 256;
const _: () = assert!(MODULE_SIZE == if W == 8 { 296 } else { 284 });
/// Offset of `Modules[0]` in `RTL_PROCESS_MODULES` (the `ULONG` count, pointer-aligned).
pub const MODULES_AT: usize = W;

/// `SYSTEM_PERFORMANCE_INFORMATION` (Windows 7 layout) from the counters; a `ULONG`
/// field saturates.
pub fn performance_information(p: &Performance) -> [u8; PERFORMANCE_SIZE] {
    let mut b = [0u8; PERFORMANCE_SIZE];
    b[perf::IDLE..perf::IDLE + 8].copy_from_slice(&p.idle_100ns.to_le_bytes());
    let ulongs = [
        (perf::AVAILABLE_PAGES, p.available_pages),
        (perf::COMMITTED_PAGES, p.committed_pages),
        (perf::COMMIT_LIMIT, p.commit_limit),
        (perf::PEAK_COMMITMENT, p.peak_commitment),
        (perf::PAGE_FAULTS, p.page_faults),
        (perf::DEMAND_ZERO, p.demand_zero),
        (perf::CONTEXT_SWITCHES, p.context_switches),
        (perf::SYSTEM_CALLS, p.system_calls),
    ];
    for (at, v) in ulongs {
        let v = u32::try_from(v).unwrap_or(u32::MAX);
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    b
}

/// CPUID leaf 1 (EAX signature, EDX features) and the vendor check for family
/// arithmetic.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
fn cpuid1() -> (u32, u32) {
    #[cfg(target_arch = "x86")]
    use core::arch::x86::__cpuid;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::__cpuid;
    // SAFETY: CPUID exists on every processor either build runs on (x86_64, and the
    // i686 baseline); it only reads identification registers.
    #[allow(unused_unsafe)]
    let r = unsafe { __cpuid(1) };
    (r.eax, r.edx)
}

/// `SYSTEM_PROCESSOR_INFORMATION` from CPUID leaf 1's EAX (signature) and EDX
/// (features).
pub fn processor_information(signature: u32, features: u32) -> [u8; PROCESSOR_SIZE] {
    // PROCESSOR_ARCHITECTURE_AMD64 / PROCESSOR_ARCHITECTURE_INTEL (winnt.h).
    let arch: u16 = if W == 8 { 9 } else { 0 };
    let base_family = (signature >> 8) & 0xF;
    let family = if base_family == 0xF {
        base_family + ((signature >> 20) & 0xFF)
    } else {
        base_family
    };
    let mut model = (signature >> 4) & 0xF;
    if base_family == 0x6 || base_family == 0xF {
        model |= ((signature >> 16) & 0xF) << 4;
    }
    let stepping = signature & 0xF;
    // CPUID.1:EDX bit -> KF_* (ketypes.h).
    const MAP: [(u32, u32); 11] = [
        (4, 0x0000_0002),  // TSC -> KF_RDTSC
        (15, 0x0000_0008), // CMOV -> KF_CMOV
        (13, 0x0000_0010), // PGE -> KF_GLOBAL_PAGE
        (3, 0x0000_0020),  // PSE -> KF_LARGE_PAGE
        (12, 0x0000_0040), // MTRR -> KF_MTRR
        (8, 0x0000_0080),  // CX8 -> KF_CMPXCHG8B
        (23, 0x0000_0100), // MMX -> KF_MMX
        (16, 0x0000_0400), // PAT -> KF_PAT
        (24, 0x0000_0800), // FXSR -> KF_FXSR
        (25, 0x0000_2000), // SSE -> KF_XMMI
        (26, 0x0001_0000), // SSE2 -> KF_XMMI64
    ];
    let bits = MAP
        .iter()
        .filter(|(bit, _)| features & (1 << bit) != 0)
        .fold(0u32, |acc, (_, kf)| acc | kf);
    let mut b = [0u8; PROCESSOR_SIZE];
    b[0..2].copy_from_slice(&arch.to_le_bytes());
    b[2..4].copy_from_slice(&(family as u16).to_le_bytes());
    b[4..6].copy_from_slice(&(((model << 8) | stepping) as u16).to_le_bytes());
    b[6..8].copy_from_slice(&1u16.to_le_bytes());
    b[8..12].copy_from_slice(&bits.to_le_bytes());
    b
}

/// One entry of `SystemModuleInformation`.
#[derive(Clone, Copy, Debug)]
pub struct Module<'a> {
    pub base: usize,
    pub size: u32,
    /// The file name; the full path is `\SystemRoot\system32\` + this.
    pub name: &'a str,
}

const SYSTEM32: &str = "\\SystemRoot\\system32\\";

/// The modules: the executive's image first, then the boot archive's PE images.
pub fn modules(image: (usize, usize), archive: &[u8]) -> Vec<Module<'_>> {
    let mut list = Vec::new();
    list.push(Module {
        base: image.0,
        size: u32::try_from(image.1.saturating_sub(image.0)).unwrap_or(u32::MAX),
        name: "ntoskrnl.exe",
    });
    if let Ok(arc) = bootarc::Archive::parse(archive) {
        for e in arc.entries() {
            if let Ok(pe) = peimage::PeImage::parse(e.data) {
                list.push(Module {
                    base: usize::try_from(pe.image_base()).unwrap_or(0),
                    size: pe.size_of_image(),
                    name: e.name,
                });
            }
        }
    }
    list
}

/// `RTL_PROCESS_MODULES` for `modules` (path bytes beyond 255 are cut; names are ASCII
/// in practice, other characters become `?`).
pub fn module_information(modules: &[Module<'_>]) -> Vec<u8> {
    let mut b = alloc::vec![0u8; MODULES_AT + modules.len() * MODULE_SIZE];
    b[..4].copy_from_slice(&(modules.len() as u32).to_le_bytes());
    for (i, m) in modules.iter().enumerate() {
        let e = &mut b[MODULES_AT + i * MODULE_SIZE..MODULES_AT + (i + 1) * MODULE_SIZE];
        // Section and MappedBase stay 0.
        e[2 * W..3 * W].copy_from_slice(&m.base.to_le_bytes());
        let at = 3 * W;
        e[at..at + 4].copy_from_slice(&m.size.to_le_bytes());
        // Flags 0.
        let index = (i as u16).to_le_bytes();
        e[at + 8..at + 10].copy_from_slice(&index);
        e[at + 10..at + 12].copy_from_slice(&index);
        e[at + 12..at + 14].copy_from_slice(&1u16.to_le_bytes());
        let path = &mut e[at + 16..at + 16 + 255];
        let full = SYSTEM32.bytes().chain(m.name.bytes());
        let mut len = 0;
        for (dst, c) in path.iter_mut().zip(full) {
            *dst = if c.is_ascii() { c } else { b'?' };
            len += 1;
        }
        let offset = SYSTEM32.len().min(len) as u16;
        e[at + 14..at + 16].copy_from_slice(&offset.to_le_bytes());
    }
    b
}

/// What the executive knows outside this file.
pub struct Facts<'a> {
    /// Free RAM pages.
    pub available_pages: u64,
    /// The boot archive.
    pub archive: &'a [u8],
    /// The executive image's span.
    pub image: (usize, usize),
}

/// `NtQuerySystemInformation(Class, Buffer, Length, ReturnLength)`.
pub fn query<M: ClientMemory>(
    mem: &M,
    now: u64,
    facts: &Facts<'_>,
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
        1 => {
            if len >= PROCESSOR_SIZE {
                let (signature, features) = cpuid1();
                let info = processor_information(signature, features);
                match mem.write(buffer, &info) {
                    Ok(()) => (STATUS_SUCCESS, PROCESSOR_SIZE),
                    Err(s) => return s,
                }
            } else {
                (STATUS_INFO_LENGTH_MISMATCH, PROCESSOR_SIZE)
            }
        }
        2 => {
            if len >= PERFORMANCE_SIZE {
                let ram_pages = RAM_BYTES.load(Ordering::Relaxed) / 4096;
                let p = counters::read(facts.available_pages, ram_pages);
                match mem.write(buffer, &performance_information(&p)) {
                    Ok(()) => (STATUS_SUCCESS, PERFORMANCE_SIZE),
                    Err(s) => return s,
                }
            } else {
                (STATUS_INFO_LENGTH_MISMATCH, PERFORMANCE_SIZE)
            }
        }
        11 => {
            let info = module_information(&modules(facts.image, facts.archive));
            if len >= info.len() {
                match mem.write(buffer, &info) {
                    Ok(()) => (STATUS_SUCCESS, info.len()),
                    Err(s) => return s,
                }
            } else {
                (STATUS_INFO_LENGTH_MISMATCH, info.len())
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

    /// Offsets as Windows 7's `_SYSTEM_PERFORMANCE_INFORMATION` (4 `LARGE_INTEGER`s,
    /// then `ULONG`s: IoRead/Write/OtherOperationCount, AvailablePages, CommittedPages,
    /// CommitLimit, PeakCommitment, PageFaultCount, CopyOnWriteCount, TransitionCount,
    /// CacheTransitionCount, DemandZeroCount, …; the last four ContextSwitches,
    /// FirstLevelTbFills, SecondLevelTbFills, SystemCalls), 0x138 bytes.
    #[test]
    fn performance_layout() {
        let p = Performance {
            idle_100ns: 0x1_0000_0002,
            available_pages: 3,
            committed_pages: 4,
            commit_limit: 5,
            peak_commitment: 6,
            page_faults: 7,
            demand_zero: 8,
            context_switches: 9,
            system_calls: u64::MAX,
        };
        let b = performance_information(&p);
        assert_eq!(b.len(), 312);
        let ulong = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        assert_eq!(&b[..8], &0x1_0000_0002u64.to_le_bytes());
        let expect = [
            (0x20 + 3 * 4, 3),
            (0x20 + 4 * 4, 4),
            (0x20 + 5 * 4, 5),
            (0x20 + 6 * 4, 6),
            (0x20 + 7 * 4, 7),
            (0x20 + 11 * 4, 8),
            (312 - 16, 9),
            (312 - 4, u32::MAX),
        ];
        for (at, v) in expect {
            assert_eq!(ulong(at), v, "offset {at:#x}");
        }
        let set: usize = b.iter().filter(|&&x| x != 0).count();
        // Nothing else is filled in: 8 bytes of idle (2 nonzero) + one byte per small
        // ULONG + 4 for the saturated one.
        assert_eq!(set, 2 + 7 + 4);
    }

    /// `SYSTEM_PROCESSOR_INFORMATION` of a family 6, model 0x3A (extended 3, base A),
    /// stepping 9 processor with TSC, CMOV, MMX, SSE, SSE2.
    #[test]
    fn processor_layout() {
        let signature = (3 << 16) | (6 << 8) | (0xA << 4) | 9;
        let features = (1 << 4) | (1 << 15) | (1 << 23) | (1 << 25) | (1 << 26);
        let b = processor_information(signature, features);
        let ushort = |i: usize| u16::from_le_bytes(b[i..i + 2].try_into().unwrap());
        assert_eq!(ushort(0), if W == 8 { 9 } else { 0 });
        assert_eq!(ushort(2), 6);
        assert_eq!(ushort(4), 0x3A09);
        assert_eq!(ushort(6), 1);
        let kf = u32::from_le_bytes(b[8..12].try_into().unwrap());
        assert_eq!(kf, 0x2 | 0x8 | 0x100 | 0x2000 | 0x1_0000);
        // Family 0xF adds the extended family.
        let b = processor_information((1 << 20) | (0xF << 8), 0);
        assert_eq!(ushort_of(&b, 2), 0x10);
    }

    fn ushort_of(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes(b[i..i + 2].try_into().unwrap())
    }

    /// `RTL_PROCESS_MODULES`: count, then entries at pointer alignment, 296 bytes (x64)
    /// or 284 (x86) each; ImageBase at 2 words, ImageSize after it, the indices, then
    /// OffsetToFileName and the NUL-terminated path.
    #[test]
    fn module_layout() {
        let list = [
            Module {
                base: 0x40_0000,
                size: 0x2_0000,
                name: "ntoskrnl.exe",
            },
            Module {
                base: 0x7000_0000,
                size: 0x1000,
                name: "ntdll.dll",
            },
        ];
        let b = module_information(&list);
        assert_eq!(b.len(), W + 2 * MODULE_SIZE);
        assert_eq!(&b[..4], &2u32.to_le_bytes());
        let e = &b[W + MODULE_SIZE..];
        assert_eq!(word(e, 2 * W), 0x7000_0000);
        let at = 3 * W;
        assert_eq!(&e[at..at + 4], &0x1000u32.to_le_bytes());
        assert_eq!(ushort_of(e, at + 8), 1);
        assert_eq!(ushort_of(e, at + 12), 1);
        let offset = ushort_of(e, at + 14) as usize;
        let path = &e[at + 16..at + 16 + 256];
        let end = path.iter().position(|&c| c == 0).unwrap();
        assert_eq!(&path[..end], b"\\SystemRoot\\system32\\ntdll.dll");
        assert_eq!(&path[offset..end], b"ntdll.dll");
        let first = &b[W..];
        assert_eq!(word(first, 2 * W), 0x40_0000);
    }

    #[test]
    fn modules_come_from_the_archive_pe_images_only() {
        let arc = bootarc::write(&[("boot.ini", b"start=x.exe\n"), ("junk.exe", b"MZ")]);
        let m = modules((0x40_0000, 0x50_0000), &arc);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].name, "ntoskrnl.exe");
        assert_eq!(m[0].size, 0x10_0000);
    }

    /// Client memory at 0x10000 for the length rules of `query`.
    struct Fake(core::cell::RefCell<Vec<u8>>);
    const BASE: usize = 0x10000;
    const RET: usize = BASE + 0x3000;

    impl ClientMemory for Fake {
        fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus> {
            let m = self.0.borrow();
            let at = addr - BASE;
            buf.copy_from_slice(&m[at..at + buf.len()]);
            Ok(())
        }
        fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus> {
            let mut m = self.0.borrow_mut();
            let at = addr - BASE;
            m[at..at + data.len()].copy_from_slice(data);
            Ok(())
        }
    }

    /// (status, ReturnLength) of a query of `class` with `length` bytes at BASE.
    fn ask(class: u32, buffer: usize, length: u32) -> (NtStatus, u32) {
        let m = Fake(core::cell::RefCell::new(alloc::vec![0xEE; 0x4000]));
        let facts = Facts {
            available_pages: 10,
            archive: &[],
            image: (0x40_0000, 0x48_0000),
        };
        let ret = UserPtr::optional(RET).unwrap();
        let s = query(&m, 0, &facts, class, buffer, length, ret);
        let mut b = [0u8; 4];
        m.read(RET, &mut b).unwrap();
        (s, u32::from_le_bytes(b))
    }

    #[test]
    fn length_rules() {
        let mismatch = STATUS_INFO_LENGTH_MISMATCH;
        // Processor: at least 12; ReturnLength 12 either way.
        assert_eq!(ask(1, BASE, 11), (mismatch, 12));
        assert_eq!(ask(1, BASE, 12), (STATUS_SUCCESS, 12));
        assert_eq!(ask(1, BASE, 64), (STATUS_SUCCESS, 12));
        // Performance: at least 0x138 (0 included); longer gets 0x138.
        assert_eq!(ask(2, BASE, 0), (mismatch, 0x138));
        assert_eq!(ask(2, BASE, 0x137), (mismatch, 0x138));
        assert_eq!(ask(2, BASE, 0x138), (STATUS_SUCCESS, 0x138));
        assert_eq!(ask(2, BASE, 0x13A), (STATUS_SUCCESS, 0x138));
        // Modules: the executive alone (no archive); NULL with 0 asks for the size.
        let need = (W + MODULE_SIZE) as u32;
        assert_eq!(ask(11, 0, 0), (mismatch, need));
        assert_eq!(ask(11, BASE, need - 1), (mismatch, need));
        assert_eq!(ask(11, BASE, need), (STATUS_SUCCESS, need));
        // Unknown classes, and buffers outside user space before any class.
        assert_eq!(ask(0x7FFF_FFFF, BASE, 64).0, STATUS_INVALID_INFO_CLASS);
        assert_eq!(
            ask(2, ntsvc::USER_LIMIT, 0x138).0,
            ntdef::status::STATUS_ACCESS_VIOLATION
        );
    }

    #[test]
    fn time_of_day_layout() {
        let b = time_of_day(5, 7);
        assert_eq!(&b[..8], &5u64.to_le_bytes());
        assert_eq!(&b[8..16], &7u64.to_le_bytes());
        assert!(b[16..].iter().all(|&x| x == 0));
    }
}
