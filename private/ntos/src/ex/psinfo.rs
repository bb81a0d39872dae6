//! Process and thread information beyond the basic classes: the pure part (class
//! shapes, priority rules, the `SystemProcessInformation` layout), host-tested. The
//! services that use it are in `ex::psinfosvc`.
//!
//! Priorities are recorded and reported, not enforced: every NT thread still runs at
//! the executive's seL4 priority (so that the IPC fastpath applies); mapping NT
//! priorities onto seL4 priorities is left for later. There is one processor, so
//! affinity masks are checked and otherwise ignored.
//!
//! Privileges: there are no tokens yet. Every process is treated as a standard
//! user's: it does not hold `SeIncreaseBasePriorityPrivilege`, so what Windows
//! reserves to that privilege (raising a process's base priority, the realtime
//! priority class, thread priorities of 16 and above) is `STATUS_PRIVILEGE_NOT_HELD`
//! (ReactOS `NtSetInformationProcess` / `NtSetInformationThread` and their apitests,
//! which expect exactly that of an unprivileged caller on Windows).

use alloc::vec::Vec;

use ntdef::status::{NtStatus, STATUS_INVALID_PARAMETER, STATUS_PRIVILEGE_NOT_HELD};

const W: usize = size_of::<usize>();

/// `PROCESSINFOCLASS` values (phnt `ntpsapi.h`, ReactOS `ps_i.h` order).
pub const PROCESS_BASE_PRIORITY: u32 = 5;
pub const PROCESS_DEFAULT_HARD_ERROR_MODE: u32 = 12;
pub const PROCESS_PRIORITY_CLASS: u32 = 18;
pub const PROCESS_HANDLE_COUNT: u32 = 20;
pub const PROCESS_AFFINITY_MASK: u32 = 21;
pub const PROCESS_SESSION_INFORMATION: u32 = 24;
pub const PROCESS_WOW64_INFORMATION: u32 = 26;
pub const PROCESS_IMAGE_FILE_NAME: u32 = 27;
pub const PROCESS_IMAGE_INFORMATION: u32 = 37;

/// `THREADINFOCLASS` values (phnt `ntpsapi.h`).
pub const THREAD_PRIORITY: u32 = 2;
pub const THREAD_BASE_PRIORITY: u32 = 3;
pub const THREAD_AFFINITY_MASK: u32 = 4;
pub const THREAD_WIN32_START_ADDRESS: u32 = 9;
pub const THREAD_AM_I_LAST_THREAD: u32 = 12;
pub const THREAD_HIDE_FROM_DEBUGGER: u32 = 17;
pub const THREAD_IS_TERMINATED: u32 = 20;
pub const THREAD_SUSPEND_COUNT: u32 = 35;
pub const THREAD_NAME_INFORMATION: u32 = 38;

/// `PROCESS_PRIORITY_CLASS_*` (ntpsapi.h).
pub const PRIORITY_CLASS_IDLE: u8 = 1;
pub const PRIORITY_CLASS_NORMAL: u8 = 2;
pub const PRIORITY_CLASS_HIGH: u8 = 3;
pub const PRIORITY_CLASS_REALTIME: u8 = 4;
pub const PRIORITY_CLASS_BELOW_NORMAL: u8 = 5;
pub const PRIORITY_CLASS_ABOVE_NORMAL: u8 = 6;

/// A new process's `DefaultHardErrorMode` (ReactOS initialises it to 1,
/// `SEM_FAILCRITICALERRORS` clear: hard errors are shown).
pub const DEFAULT_HARD_ERROR_MODE: u32 = 1;

/// No process holds `SeIncreaseBasePriorityPrivilege` (see the module notes).
pub const HOLDS_INCREASE_BASE_PRIORITY: bool = false;

/// Longest thread name kept, in bytes (Windows allows a full `UNICODE_STRING`; the
/// executive's heap is small, so names are capped; longer is
/// `STATUS_INVALID_PARAMETER`).
pub const MAX_THREAD_NAME_BYTES: usize = 512;

/// `LOW_PRIORITY` + 1 ..= `HIGH_PRIORITY`: what a priority may be.
const LOWEST: i32 = 1;
const HIGHEST: i32 = 31;
/// `LOW_REALTIME_PRIORITY`.
pub const LOW_REALTIME: i32 = 16;
/// `THREAD_BASE_PRIORITY_MIN` / `_MAX`, and the saturation values
/// `THREAD_BASE_PRIORITY_LOWRT + 1` / `THREAD_BASE_PRIORITY_IDLE - 1`.
const INCREMENT_MIN: i32 = -2;
const INCREMENT_MAX: i32 = 2;
pub const SATURATE_HIGH: i32 = 16;
pub const SATURATE_LOW: i32 = -16;

/// The base priority a priority class gives a process (Windows' table: idle 4,
/// below normal 6, normal 8, above normal 10, high 13, realtime 24).
pub fn class_base_priority(class: u8) -> Option<i32> {
    Some(match class {
        PRIORITY_CLASS_IDLE => 4,
        PRIORITY_CLASS_BELOW_NORMAL => 6,
        PRIORITY_CLASS_NORMAL => 8,
        PRIORITY_CLASS_ABOVE_NORMAL => 10,
        PRIORITY_CLASS_HIGH => 13,
        PRIORITY_CLASS_REALTIME => 24,
        _ => return None,
    })
}

/// A thread's base priority from its process's base priority and its increment:
/// ±16 saturate to the top or bottom of the class's range (1..=15, or 16..=31 for
/// realtime), other increments add and are clamped to that range.
pub fn thread_base_priority(process_base: i32, realtime: bool, increment: i32) -> i32 {
    let (low, high) = if realtime { (16, 31) } else { (1, 15) };
    match increment {
        SATURATE_HIGH => high,
        SATURATE_LOW => low,
        i => process_base.saturating_add(i).clamp(low, high),
    }
}

/// `ProcessPriorityClass` (set): 1..=6; realtime needs the privilege.
pub fn check_priority_class(class: u8) -> Result<i32, NtStatus> {
    let base = class_base_priority(class).ok_or(STATUS_INVALID_PARAMETER)?;
    if class == PRIORITY_CLASS_REALTIME && !HOLDS_INCREASE_BASE_PRIORITY {
        return Err(STATUS_PRIVILEGE_NOT_HELD);
    }
    Ok(base)
}

/// `ProcessBasePriority` (set) from `current`: 1..=31 (the job flag, bit 31, is
/// ignored: no jobs); raising it needs the privilege.
pub fn check_process_base(value: i32, current: i32) -> Result<i32, NtStatus> {
    let value = (value as u32 & 0x7FFF_FFFF) as i32;
    if !(LOWEST..=HIGHEST).contains(&value) {
        return Err(STATUS_INVALID_PARAMETER);
    }
    if value > current && !HOLDS_INCREASE_BASE_PRIORITY {
        return Err(STATUS_PRIVILEGE_NOT_HELD);
    }
    Ok(value)
}

/// `ThreadPriority` (set): 1..=31; 16 and above need the privilege.
pub fn check_thread_priority(value: i32) -> Result<(), NtStatus> {
    if !(LOWEST..=HIGHEST).contains(&value) {
        return Err(STATUS_INVALID_PARAMETER);
    }
    if value >= LOW_REALTIME && !HOLDS_INCREASE_BASE_PRIORITY {
        return Err(STATUS_PRIVILEGE_NOT_HELD);
    }
    Ok(())
}

/// `ThreadBasePriority` (set): -2..=2 or the saturation values ±16; a realtime
/// process's threads may use -16..=16.
pub fn check_thread_increment(value: i32, realtime: bool) -> Result<(), NtStatus> {
    let ok = (INCREMENT_MIN..=INCREMENT_MAX).contains(&value)
        || value == SATURATE_HIGH
        || value == SATURATE_LOW
        || (realtime && (SATURATE_LOW..=SATURATE_HIGH).contains(&value));
    if ok {
        Ok(())
    } else {
        Err(STATUS_INVALID_PARAMETER)
    }
}

/// Affinity (process or thread): not empty and only processors that exist (CPU 0).
pub fn check_affinity(mask: usize) -> Result<(), NtStatus> {
    if mask == 0 || mask & !1 != 0 {
        Err(STATUS_INVALID_PARAMETER)
    } else {
        Ok(())
    }
}

/// What a set class takes: exact length and alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub length: usize,
    pub align: usize,
}

/// `NtSetInformationProcess` classes Nereid sets (ReactOS `ps_i.h` sizes and
/// alignments; the apitests expect `ProcessPriorityClass` misalignment at 1 and 2).
pub fn process_set_shape(class: u32) -> Option<Shape> {
    let (length, align) = match class {
        PROCESS_BASE_PRIORITY | PROCESS_DEFAULT_HARD_ERROR_MODE => (4, 4),
        PROCESS_PRIORITY_CLASS => (2, 4),
        PROCESS_AFFINITY_MASK => (W, W),
        _ => return None,
    };
    Some(Shape { length, align })
}

/// `NtSetInformationThread` classes Nereid sets.
pub fn thread_set_shape(class: u32) -> Option<Shape> {
    let (length, align) = match class {
        THREAD_PRIORITY | THREAD_BASE_PRIORITY => (4, 4),
        THREAD_AFFINITY_MASK | THREAD_WIN32_START_ADDRESS => (W, 4),
        THREAD_HIDE_FROM_DEBUGGER => (0, 1),
        THREAD_NAME_INFORMATION => (2 * W, W),
        _ => return None,
    };
    Some(Shape { length, align })
}

/// `sizeof(SYSTEM_PROCESS_INFORMATION)` (Windows 10: 0xB8 on x86, 0x100 on x64).
pub const PROCESS_ENTRY_SIZE: usize = if W == 8 { 0x100 } else { 0xB8 };
/// `sizeof(SYSTEM_THREAD_INFORMATION)` (0x40 on x86, 0x50 on x64).
pub const THREAD_ENTRY_SIZE: usize = if W == 8 { 0x50 } else { 0x40 };

/// `KTHREAD_STATE` values used.
pub const STATE_READY: u32 = 1;
pub const STATE_RUNNING: u32 = 2;
pub const STATE_WAITING: u32 = 5;
/// `KWAIT_REASON` values used.
pub const WAIT_EXECUTIVE: u32 = 0;
pub const WAIT_SUSPENDED: u32 = 5;
pub const WAIT_USER_REQUEST: u32 = 6;

/// One thread of a `SystemProcessInformation` entry.
#[derive(Clone, Debug, Default)]
pub struct ThreadEntry {
    pub create_time: u64,
    pub start_address: usize,
    pub process_id: usize,
    pub thread_id: usize,
    pub priority: i32,
    pub base_priority: i32,
    pub state: u32,
    pub wait_reason: u32,
}

/// One process of a `SystemProcessInformation` answer.
#[derive(Clone, Debug, Default)]
pub struct ProcessEntry {
    pub process_id: usize,
    pub parent_id: usize,
    /// Image name (UTF-16, no terminator); empty for the idle process.
    pub name: Vec<u16>,
    pub create_time: u64,
    pub base_priority: i32,
    pub handle_count: u32,
    /// Reserved address space, bytes.
    pub virtual_size: usize,
    /// Committed private memory, bytes.
    pub committed: usize,
    pub threads: Vec<ThreadEntry>,
}

/// Bytes one entry takes: the structure, its threads, its name with a terminator,
/// rounded to 8 so that the next entry is aligned.
fn entry_size(e: &ProcessEntry) -> usize {
    let name = if e.name.is_empty() {
        0
    } else {
        (e.name.len() + 1) * 2
    };
    (PROCESS_ENTRY_SIZE + e.threads.len() * THREAD_ENTRY_SIZE + name).next_multiple_of(8)
}

/// Bytes the whole answer takes.
pub fn process_list_size(entries: &[ProcessEntry]) -> usize {
    entries.iter().map(entry_size).sum()
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

fn put_word(b: &mut [u8], at: usize, v: usize) {
    put(b, at, &v.to_le_bytes());
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    put(b, at, &v.to_le_bytes());
}

fn put64(b: &mut [u8], at: usize, v: u64) {
    put(b, at, &v.to_le_bytes());
}

/// Field offsets of `SYSTEM_PROCESS_INFORMATION` (Geoff Chappell's
/// `api/ex/sysinfo/process.htm`, Windows 10).
mod p {
    const W: usize = size_of::<usize>();
    pub const NUMBER_OF_THREADS: usize = 0x04;
    pub const THREADS_HIGH_WATERMARK: usize = 0x14;
    pub const CREATE_TIME: usize = 0x20;
    pub const IMAGE_NAME: usize = 0x38;
    pub const BASE_PRIORITY: usize = if W == 8 { 0x48 } else { 0x40 };
    pub const UNIQUE_PROCESS_ID: usize = if W == 8 { 0x50 } else { 0x44 };
    pub const INHERITED_FROM: usize = if W == 8 { 0x58 } else { 0x48 };
    pub const HANDLE_COUNT: usize = if W == 8 { 0x60 } else { 0x4C };
    pub const SESSION_ID: usize = if W == 8 { 0x64 } else { 0x50 };
    pub const PEAK_VIRTUAL_SIZE: usize = if W == 8 { 0x70 } else { 0x58 };
    pub const VIRTUAL_SIZE: usize = if W == 8 { 0x78 } else { 0x5C };
    pub const PEAK_WORKING_SET: usize = if W == 8 { 0x88 } else { 0x64 };
    pub const WORKING_SET: usize = if W == 8 { 0x90 } else { 0x68 };
    pub const PAGEFILE_USAGE: usize = if W == 8 { 0xB8 } else { 0x7C };
    pub const PEAK_PAGEFILE_USAGE: usize = if W == 8 { 0xC0 } else { 0x80 };
    pub const PRIVATE_PAGE_COUNT: usize = if W == 8 { 0xC8 } else { 0x84 };
}

/// Field offsets of `SYSTEM_THREAD_INFORMATION`.
mod t {
    const W: usize = size_of::<usize>();
    pub const CREATE_TIME: usize = 0x10;
    pub const START_ADDRESS: usize = if W == 8 { 0x20 } else { 0x1C };
    pub const CLIENT_ID: usize = if W == 8 { 0x28 } else { 0x20 };
    pub const PRIORITY: usize = if W == 8 { 0x38 } else { 0x28 };
    pub const BASE_PRIORITY: usize = if W == 8 { 0x3C } else { 0x2C };
    pub const STATE: usize = if W == 8 { 0x44 } else { 0x34 };
    pub const WAIT_REASON: usize = if W == 8 { 0x48 } else { 0x38 };
}

// The last thread field ends inside the entry; the six `IO_COUNTERS` fill the process
// entry after `PrivatePageCount` (both arches, checked at build time).
const _: () = assert!(t::WAIT_REASON + 4 <= THREAD_ENTRY_SIZE);
const _: () = assert!(p::PRIVATE_PAGE_COUNT + W + 6 * 8 == PROCESS_ENTRY_SIZE);

/// The `SystemProcessInformation` answer for a buffer at user address `base`:
/// entries chained by `NextEntryOffset` (0 in the last), each followed by its
/// threads and then its name, which `ImageName.Buffer` points at.
pub fn process_list(entries: &[ProcessEntry], base: usize) -> Vec<u8> {
    let mut out = alloc::vec![0u8; process_list_size(entries)];
    let mut at = 0;
    for (i, e) in entries.iter().enumerate() {
        let size = entry_size(e);
        let b = &mut out[at..at + size];
        if i + 1 < entries.len() {
            put32(b, 0, size as u32);
        }
        let n = e.threads.len() as u32;
        put32(b, p::NUMBER_OF_THREADS, n);
        put32(b, p::THREADS_HIGH_WATERMARK, n);
        put64(b, p::CREATE_TIME, e.create_time);
        let name_at = PROCESS_ENTRY_SIZE + e.threads.len() * THREAD_ENTRY_SIZE;
        if !e.name.is_empty() {
            let bytes = e.name.len() * 2;
            b[p::IMAGE_NAME..p::IMAGE_NAME + 2].copy_from_slice(&(bytes as u16).to_le_bytes());
            b[p::IMAGE_NAME + 2..p::IMAGE_NAME + 4]
                .copy_from_slice(&(bytes as u16 + 2).to_le_bytes());
            put_word(b, p::IMAGE_NAME + W, base + at + name_at);
            for (k, u) in e.name.iter().enumerate() {
                put(b, name_at + 2 * k, &u.to_le_bytes());
            }
        }
        put32(b, p::BASE_PRIORITY, e.base_priority as u32);
        put_word(b, p::UNIQUE_PROCESS_ID, e.process_id);
        put_word(b, p::INHERITED_FROM, e.parent_id);
        put32(b, p::HANDLE_COUNT, e.handle_count);
        put32(b, p::SESSION_ID, 0);
        put_word(b, p::PEAK_VIRTUAL_SIZE, e.virtual_size);
        put_word(b, p::VIRTUAL_SIZE, e.virtual_size);
        for field in [
            p::PEAK_WORKING_SET,
            p::WORKING_SET,
            p::PAGEFILE_USAGE,
            p::PEAK_PAGEFILE_USAGE,
            p::PRIVATE_PAGE_COUNT,
        ] {
            put_word(b, field, e.committed);
        }
        for (k, th) in e.threads.iter().enumerate() {
            let tb = &mut b[PROCESS_ENTRY_SIZE + k * THREAD_ENTRY_SIZE..][..THREAD_ENTRY_SIZE];
            put64(tb, t::CREATE_TIME, th.create_time);
            put_word(tb, t::START_ADDRESS, th.start_address);
            put_word(tb, t::CLIENT_ID, th.process_id);
            put_word(tb, t::CLIENT_ID + W, th.thread_id);
            put32(tb, t::PRIORITY, th.priority as u32);
            put32(tb, t::BASE_PRIORITY, th.base_priority as u32);
            put32(tb, t::STATE, th.state);
            put32(tb, t::WAIT_REASON, th.wait_reason);
        }
        at += size;
    }
    out
}

/// The `UNICODE_STRING` + string answer of `ProcessImageFileName` /
/// `ThreadNameInformation` for a buffer at `base`: `terminated` adds a NUL (counted
/// in `MaximumLength`).
pub fn string_answer(name: &[u16], base: usize, terminated: bool) -> Vec<u8> {
    let bytes = name.len() * 2;
    let max = bytes + if terminated { 2 } else { 0 };
    let mut out = Vec::with_capacity(2 * W + max);
    out.extend_from_slice(&(bytes as u16).to_le_bytes());
    out.extend_from_slice(&(max as u16).to_le_bytes());
    if W == 8 {
        out.extend_from_slice(&[0; 4]);
    }
    // The string follows the descriptor, which points at it even when it is empty
    // (Wine's `test_thread_description` checks that on Windows).
    out.extend_from_slice(&(base + 2 * W).to_le_bytes());
    for u in name {
        out.extend_from_slice(&u.to_le_bytes());
    }
    if terminated {
        out.extend_from_slice(&[0, 0]);
    }
    out
}

/// The NT path `ProcessImageFileName` reports for boot-archive image `name`: the
/// device form Windows reports (`\Device\HarddiskVolumeN\…`), the system root's
/// volume being the boot archive until the I/O manager exists.
pub fn image_file_name(name: &str) -> Vec<u16> {
    "\\Device\\HarddiskVolume1\\Nereid\\"
        .encode_utf16()
        .chain(name.encode_utf16())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn word(b: &[u8], at: usize) -> usize {
        usize::from_le_bytes(b[at..at + W].try_into().unwrap())
    }

    #[test]
    fn sizes_match_windows() {
        // Geoff Chappell: SYSTEM_PROCESS_INFORMATION 0xB8 / 0x100 (Windows 10);
        // SYSTEM_THREAD_INFORMATION 0x40 / 0x50 (three LARGE_INTEGERs, ULONG, PVOID,
        // CLIENT_ID, two LONGs, three ULONGs, 8-aligned).
        if W == 8 {
            assert_eq!((PROCESS_ENTRY_SIZE, THREAD_ENTRY_SIZE), (0x100, 0x50));
            assert_eq!(
                (p::IMAGE_NAME, p::UNIQUE_PROCESS_ID, p::HANDLE_COUNT),
                (0x38, 0x50, 0x60)
            );
            assert_eq!(
                (t::START_ADDRESS, t::CLIENT_ID, t::WAIT_REASON),
                (0x20, 0x28, 0x48)
            );
        } else {
            assert_eq!((PROCESS_ENTRY_SIZE, THREAD_ENTRY_SIZE), (0xB8, 0x40));
            assert_eq!(
                (p::IMAGE_NAME, p::UNIQUE_PROCESS_ID, p::HANDLE_COUNT),
                (0x38, 0x44, 0x4C)
            );
            assert_eq!(
                (t::START_ADDRESS, t::CLIENT_ID, t::WAIT_REASON),
                (0x1C, 0x20, 0x38)
            );
        }
    }

    fn sample() -> Vec<ProcessEntry> {
        let idle = ProcessEntry {
            threads: alloc::vec![ThreadEntry::default()],
            ..Default::default()
        };
        let p = ProcessEntry {
            process_id: 8,
            parent_id: 0,
            name: "a.exe".encode_utf16().collect(),
            create_time: 77,
            base_priority: 8,
            handle_count: 3,
            virtual_size: 0x20000,
            committed: 0x3000,
            threads: alloc::vec![
                ThreadEntry {
                    process_id: 8,
                    thread_id: 12,
                    start_address: 0x40_1000,
                    priority: 9,
                    base_priority: 8,
                    state: STATE_WAITING,
                    wait_reason: WAIT_USER_REQUEST,
                    create_time: 78,
                };
                2
            ],
        };
        alloc::vec![idle, p]
    }

    #[test]
    fn list_chains_and_points_into_buffer() {
        let e = sample();
        let base = 0x10_0000;
        let b = process_list(&e, base);
        assert_eq!(b.len(), process_list_size(&e));
        let first = u32_at(&b, 0) as usize;
        assert_eq!(
            first,
            (PROCESS_ENTRY_SIZE + THREAD_ENTRY_SIZE).next_multiple_of(8)
        );
        assert_eq!(first % 8, 0);
        // Idle: no name, one thread, pid 0.
        assert_eq!(u32_at(&b, 4), 1);
        assert_eq!(word(&b, p::IMAGE_NAME + W), 0);
        assert_eq!(word(&b, p::UNIQUE_PROCESS_ID), 0);
        // Second and last.
        let s = &b[first..];
        assert_eq!(u32_at(s, 0), 0);
        assert_eq!(u32_at(s, 4), 2);
        assert_eq!(word(s, p::UNIQUE_PROCESS_ID), 8);
        assert_eq!(u32_at(s, p::HANDLE_COUNT), 3);
        assert_eq!(u32_at(s, p::BASE_PRIORITY), 8);
        assert_eq!(word(s, p::PRIVATE_PAGE_COUNT), 0x3000);
        let len = u16::from_le_bytes([s[p::IMAGE_NAME], s[p::IMAGE_NAME + 1]]);
        let max = u16::from_le_bytes([s[p::IMAGE_NAME + 2], s[p::IMAGE_NAME + 3]]);
        assert_eq!((len, max), (10, 12));
        let name_at = word(s, p::IMAGE_NAME + W) - base;
        assert_eq!(name_at, first + PROCESS_ENTRY_SIZE + 2 * THREAD_ENTRY_SIZE);
        assert_eq!(&b[name_at..name_at + 2], &[b'a', 0]);
        assert_eq!(&b[name_at + 10..name_at + 12], &[0, 0]);
        let t1 = &s[PROCESS_ENTRY_SIZE + THREAD_ENTRY_SIZE..];
        assert_eq!(word(t1, t::CLIENT_ID + W), 12);
        assert_eq!(word(t1, t::START_ADDRESS), 0x40_1000);
        assert_eq!(u32_at(t1, t::STATE), STATE_WAITING);
        assert_eq!(u32_at(t1, t::WAIT_REASON), WAIT_USER_REQUEST);
        assert_eq!(u32_at(t1, t::PRIORITY), 9);
    }

    #[test]
    fn priority_rules() {
        assert_eq!(check_process_base(8, 8), Ok(8));
        assert_eq!(check_process_base(7, 8), Ok(7));
        assert_eq!(check_process_base(31, 8), Err(STATUS_PRIVILEGE_NOT_HELD));
        assert_eq!(check_process_base(0, 8), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_process_base(32, 8), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_process_base(i32::MIN | 6, 8), Ok(6));
        assert_eq!(check_thread_priority(11), Ok(()));
        assert_eq!(check_thread_priority(16), Err(STATUS_PRIVILEGE_NOT_HELD));
        assert_eq!(check_thread_priority(0), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_thread_priority(32), Err(STATUS_INVALID_PARAMETER));
        for ok in [-2, -1, 0, 1, 2, 16, -16] {
            assert_eq!(check_thread_increment(ok, false), Ok(()));
        }
        assert_eq!(
            check_thread_increment(3, false),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(check_thread_increment(3, true), Ok(()));
        assert_eq!(
            check_thread_increment(17, true),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(thread_base_priority(8, false, 2), 10);
        assert_eq!(thread_base_priority(8, false, 16), 15);
        assert_eq!(thread_base_priority(8, false, -16), 1);
        assert_eq!(thread_base_priority(24, true, -16), 16);
        assert_eq!(thread_base_priority(13, false, 2), 15);
        assert_eq!(check_priority_class(PRIORITY_CLASS_HIGH), Ok(13));
        assert_eq!(check_priority_class(0), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_priority_class(7), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(
            check_priority_class(PRIORITY_CLASS_REALTIME),
            Err(STATUS_PRIVILEGE_NOT_HELD)
        );
        assert_eq!(check_affinity(1), Ok(()));
        assert_eq!(check_affinity(0), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_affinity(3), Err(STATUS_INVALID_PARAMETER));
    }

    #[test]
    fn shapes() {
        assert_eq!(process_set_shape(PROCESS_PRIORITY_CLASS).unwrap().length, 2);
        assert_eq!(process_set_shape(PROCESS_AFFINITY_MASK).unwrap().length, W);
        assert_eq!(process_set_shape(PROCESS_HANDLE_COUNT), None);
        assert_eq!(
            thread_set_shape(THREAD_HIDE_FROM_DEBUGGER).unwrap().length,
            0
        );
        assert_eq!(
            thread_set_shape(THREAD_NAME_INFORMATION).unwrap().length,
            2 * W
        );
        assert_eq!(thread_set_shape(THREAD_IS_TERMINATED), None);
    }

    #[test]
    fn strings() {
        let s = string_answer(&[0x41, 0x42], 0x1000, true);
        assert_eq!(s.len(), 2 * W + 6);
        assert_eq!(&s[..4], &[4, 0, 6, 0]);
        assert_eq!(word(&s, W), 0x1000 + 2 * W);
        assert_eq!(&s[2 * W..], &[0x41, 0, 0x42, 0, 0, 0]);
        let e = string_answer(&[], 0x1000, false);
        assert_eq!(e.len(), 2 * W);
        assert_eq!(word(&e, W), 0x1000 + 2 * W);
        assert!(alloc::string::String::from_utf16(&image_file_name("x.exe"))
            .unwrap()
            .ends_with("\\Nereid\\x.exe"));
    }
}
