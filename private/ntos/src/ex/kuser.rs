//! KUSER_SHARED_DATA: one executive-owned frame, mapped read-only at 0x7FFE0000 in
//! every NT process (`ps::ntprocess`), with the Windows 7 layout (offsets from the
//! public symbols of ntdll.dll, `dt _KUSER_SHARED_DATA`; the structure is the same on
//! x86 and x64). The executive writes the time fields on every timer tick, each
//! KSYSTEM_TIME in the order user mode relies on to read it without a lock: High2Time,
//! then LowPart, then High1Time (a reader takes High1Time, LowPart, High2Time and
//! retries while the two high parts differ).
//!
//! Values: InterruptTime is the time since the timer started (the performance counter's
//! zero), SystemTime the system time (UTC), TimeZoneBias 0 (no time zone), TickCount
//! the clock ticks since then with TickCountMultiplier so that `TickCountQuad *
//! TickCountMultiplier >> 24` is milliseconds, NtSystemRoot `C:\Nereid` (the SystemRoot
//! of the process environment), version 6.1 (the Windows 7 structure layouts used
//! throughout), product WinNt, one processor.

use crate::hal::timer::TICK_PERIOD_100NS;

/// Where every process sees it (`MM_SHARED_USER_DATA_VA`).
pub const ADDRESS: usize = 0x7FFE_0000;

pub const TICK_COUNT_LOW_DEPRECATED: usize = 0x0;
pub const TICK_COUNT_MULTIPLIER: usize = 0x4;
pub const INTERRUPT_TIME: usize = 0x8;
pub const SYSTEM_TIME: usize = 0x14;
pub const TIME_ZONE_BIAS: usize = 0x20;
pub const IMAGE_NUMBER_LOW: usize = 0x2C;
pub const IMAGE_NUMBER_HIGH: usize = 0x2E;
pub const NT_SYSTEM_ROOT: usize = 0x30;
pub const LARGE_PAGE_MINIMUM: usize = 0x244;
pub const NT_PRODUCT_TYPE: usize = 0x264;
pub const PRODUCT_TYPE_IS_VALID: usize = 0x268;
pub const NT_MAJOR_VERSION: usize = 0x26C;
pub const NT_MINOR_VERSION: usize = 0x270;
pub const PROCESSOR_FEATURES: usize = 0x274;
pub const NUMBER_OF_PHYSICAL_PAGES: usize = 0x2E8;
pub const TICK_COUNT: usize = 0x320;
pub const COOKIE: usize = 0x330;
pub const ACTIVE_PROCESSOR_COUNT: usize = 0x3C0;
pub const ACTIVE_GROUP_COUNT: usize = 0x3C4;
/// `sizeof(KUSER_SHARED_DATA)` on Windows 7.
pub const SIZE: usize = 0x5F0;

/// `TickCountMultiplier`: milliseconds per tick in 8.24 fixed point.
pub const MULTIPLIER: u32 = ((TICK_PERIOD_100NS << 24) / 10_000) as u32;

/// `PF_*` processor feature indices (winnt.h).
const PF_COMPARE_EXCHANGE_DOUBLE: usize = 2;
const PF_MMX_INSTRUCTIONS_AVAILABLE: usize = 3;
const PF_XMMI_INSTRUCTIONS_AVAILABLE: usize = 6;
const PF_RDTSC_INSTRUCTION_AVAILABLE: usize = 8;
const PF_PAE_ENABLED: usize = 9;
const PF_XMMI64_INSTRUCTIONS_AVAILABLE: usize = 10;
const PF_SSE3_INSTRUCTIONS_AVAILABLE: usize = 13;
const PF_COMPARE_EXCHANGE128: usize = 14;

#[cfg(target_arch = "x86_64")]
const MACHINE: u16 = 0x8664;
#[cfg(not(target_arch = "x86_64"))]
const MACHINE: u16 = 0x014C;

/// The writes that store a KSYSTEM_TIME at `at`, in the order Windows makes them.
pub fn ksystem_time_writes(at: usize, value: u64) -> [(usize, u32); 3] {
    let high = (value >> 32) as u32;
    [(at + 8, high), (at, value as u32), (at + 4, high)]
}

/// The time-dependent writes of one update, in order: the tick count first (its
/// deprecated low word too), then interrupt time, then system time.
pub fn time_writes(interrupt_time: u64, system_time: u64) -> [(usize, u32); 10] {
    let ticks = interrupt_time / TICK_PERIOD_100NS;
    let t = ksystem_time_writes(TICK_COUNT, ticks);
    let i = ksystem_time_writes(INTERRUPT_TIME, interrupt_time);
    let s = ksystem_time_writes(SYSTEM_TIME, system_time);
    [
        t[0],
        t[1],
        t[2],
        (TICK_COUNT_LOW_DEPRECATED, ticks as u32),
        i[0],
        i[1],
        i[2],
        s[0],
        s[1],
        s[2],
    ]
}

/// The constant part of the page. `cpuid1` is CPUID leaf 1 (EDX, ECX), `cookie` a
/// boot-time random value.
pub fn initial(physical_pages: u32, cpuid1: (u32, u32), cookie: u32) -> [u8; 4096] {
    let mut p = [0u8; 4096];
    let mut put = |at: usize, bytes: &[u8]| p[at..at + bytes.len()].copy_from_slice(bytes);
    put(TICK_COUNT_MULTIPLIER, &MULTIPLIER.to_le_bytes());
    put(IMAGE_NUMBER_LOW, &MACHINE.to_le_bytes());
    put(IMAGE_NUMBER_HIGH, &MACHINE.to_le_bytes());
    for (i, u) in "C:\\Nereid".encode_utf16().enumerate() {
        put(NT_SYSTEM_ROOT + 2 * i, &u.to_le_bytes());
    }
    let large: u32 = if cfg!(target_arch = "x86_64") {
        0x20_0000
    } else {
        0x40_0000
    };
    put(LARGE_PAGE_MINIMUM, &large.to_le_bytes());
    // NtProductWinNt.
    put(NT_PRODUCT_TYPE, &1u32.to_le_bytes());
    put(PRODUCT_TYPE_IS_VALID, &[1]);
    put(NT_MAJOR_VERSION, &6u32.to_le_bytes());
    put(NT_MINOR_VERSION, &1u32.to_le_bytes());
    let (edx, ecx) = cpuid1;
    let features = [
        (PF_COMPARE_EXCHANGE_DOUBLE, edx & (1 << 8) != 0),
        (PF_MMX_INSTRUCTIONS_AVAILABLE, edx & (1 << 23) != 0),
        (PF_XMMI_INSTRUCTIONS_AVAILABLE, edx & (1 << 25) != 0),
        (PF_RDTSC_INSTRUCTION_AVAILABLE, edx & (1 << 4) != 0),
        // Long mode runs with PAE; the ia32 kernel is built without it.
        (PF_PAE_ENABLED, cfg!(target_arch = "x86_64")),
        (PF_XMMI64_INSTRUCTIONS_AVAILABLE, edx & (1 << 26) != 0),
        (PF_SSE3_INSTRUCTIONS_AVAILABLE, ecx & 1 != 0),
        (
            PF_COMPARE_EXCHANGE128,
            cfg!(target_arch = "x86_64") && ecx & (1 << 13) != 0,
        ),
    ];
    for (i, on) in features {
        put(PROCESSOR_FEATURES + i, &[u8::from(on)]);
    }
    put(NUMBER_OF_PHYSICAL_PAGES, &physical_pages.to_le_bytes());
    put(COOKIE, &cookie.to_le_bytes());
    put(ACTIVE_PROCESSOR_COUNT, &1u32.to_le_bytes());
    put(ACTIVE_GROUP_COUNT, &1u16.to_le_bytes());
    p
}

#[cfg(ntos_bare)]
mod frame {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// The page's address in the executive (0 until [`install`]).
    static PAGE: AtomicUsize = AtomicUsize::new(0);

    /// Fills the page mapped read-write at `addr` in the executive and makes it the one
    /// [`update`] writes.
    pub fn install(addr: usize, physical_pages: u32, now: u64) {
        #[cfg(target_arch = "x86")]
        use core::arch::x86::__cpuid;
        #[cfg(target_arch = "x86_64")]
        use core::arch::x86_64::__cpuid;
        // SAFETY: CPUID exists on every processor seL4 supports on these targets.
        #[allow(unused_unsafe)]
        let id = unsafe { __cpuid(1) };
        let cookie = {
            let t = crate::hal::tsc::read_serialized();
            (t as u32) ^ ((t >> 29) as u32)
        };
        let page = initial(physical_pages, (id.edx, id.ecx), cookie);
        // SAFETY: `addr` maps a whole page read-write in the executive, owned by this
        // module from now on; processes map it read-only.
        unsafe { core::ptr::copy_nonoverlapping(page.as_ptr(), addr as *mut u8, page.len()) };
        PAGE.store(addr, Ordering::Relaxed);
        update(now);
    }

    /// Writes the time fields for system time `now`.
    pub fn update(now: u64) {
        let at = PAGE.load(Ordering::Relaxed);
        if at == 0 {
            return;
        }
        let interrupt = now.saturating_sub(crate::ex::timesvc::BOOT_EPOCH);
        for (off, v) in time_writes(interrupt, now) {
            // SAFETY: the page installed above stays mapped for the executive's life;
            // `off` is a 4-aligned offset inside it; volatile keeps the order readers
            // on the other side of the shared frame depend on.
            unsafe { core::ptr::write_volatile((at + off) as *mut u32, v) };
        }
    }
}

#[cfg(ntos_bare)]
pub use frame::{install, update};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksystem_time_order_is_high2_low_high1() {
        let w = ksystem_time_writes(0x14, 0x0123_4567_89AB_CDEF);
        assert_eq!(
            w,
            [
                (0x1C, 0x0123_4567),
                (0x14, 0x89AB_CDEF),
                (0x18, 0x0123_4567)
            ]
        );
    }

    #[test]
    fn layout_matches_windows_7() {
        let p = initial(0x1234, (1 << 23 | 1 << 26, 1), 0xC00C1E);
        let u32_at = |o: usize| u32::from_le_bytes(p[o..o + 4].try_into().unwrap());
        assert_eq!(u32_at(NT_PRODUCT_TYPE), 1);
        assert_eq!(p[PRODUCT_TYPE_IS_VALID], 1);
        assert_eq!((u32_at(NT_MAJOR_VERSION), u32_at(NT_MINOR_VERSION)), (6, 1));
        assert_eq!(u32_at(NUMBER_OF_PHYSICAL_PAGES), 0x1234);
        assert_eq!(u32_at(COOKIE), 0xC00C1E);
        assert_eq!(p[PROCESSOR_FEATURES + PF_MMX_INSTRUCTIONS_AVAILABLE], 1);
        assert_eq!(p[PROCESSOR_FEATURES + PF_XMMI64_INSTRUCTIONS_AVAILABLE], 1);
        assert_eq!(p[PROCESSOR_FEATURES + PF_XMMI_INSTRUCTIONS_AVAILABLE], 0);
        assert_eq!(p[PROCESSOR_FEATURES + PF_SSE3_INSTRUCTIONS_AVAILABLE], 1);
        let root: Vec<u16> = p[NT_SYSTEM_ROOT..NT_SYSTEM_ROOT + 20]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(String::from_utf16(&root).unwrap(), "C:\\Nereid\0");
        // Offsets as `dt _KUSER_SHARED_DATA` (Windows 7) lists them.
        assert_eq!(
            (
                INTERRUPT_TIME,
                SYSTEM_TIME,
                TIME_ZONE_BIAS,
                IMAGE_NUMBER_LOW
            ),
            (0x8, 0x14, 0x20, 0x2C)
        );
        assert_eq!(
            (TICK_COUNT, COOKIE, PROCESSOR_FEATURES),
            (0x320, 0x330, 0x274)
        );
        const { assert!(SIZE <= 4096) };
    }

    #[test]
    fn tick_count_converts_to_milliseconds() {
        // One tick is TICK_PERIOD_100NS (just over 10 ms).
        let ticks: u64 = 1000;
        let ms = (ticks * u64::from(MULTIPLIER)) >> 24;
        assert_eq!(ms, ticks * TICK_PERIOD_100NS / 10_000);
        let w = time_writes(TICK_PERIOD_100NS * 7, 99);
        assert_eq!(w[1], (TICK_COUNT, 7));
        assert_eq!(w[3], (TICK_COUNT_LOW_DEPRECATED, 7));
    }
}
