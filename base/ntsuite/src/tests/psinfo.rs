//! Process and thread information: NtQuerySystemInformation(SystemProcessInformation),
//! the further NtQueryInformationProcess / NtQueryInformationThread classes and
//! NtSetInformationProcess / NtSetInformationThread, on this process and thread, a
//! thread made with NtCreateThreadEx and a child made with RtlCreateUserProcess.
//!
//! Expectations, from public sources (read for facts only):
//! - SYSTEM_PROCESS_INFORMATION is 0xB8 / 0x100 bytes (x86 / x64, Windows 10; Geoff
//!   Chappell, "SYSTEM_PROCESS_INFORMATION"): NextEntryOffset 0, NumberOfThreads 4,
//!   CreateTime 0x20, ImageName 0x38, BasePriority 0x40 / 0x48, UniqueProcessId 0x44 /
//!   0x50, InheritedFromUniqueProcessId 0x48 / 0x58, HandleCount 0x4C / 0x60; each entry
//!   is followed by its SYSTEM_THREAD_INFORMATION array (0x40 / 0x50 bytes each:
//!   KernelTime, UserTime, CreateTime, WaitTime, StartAddress, ClientId, Priority,
//!   BasePriority, ContextSwitches, ThreadState, WaitReason; phnt `ntexapi.h`). The
//!   first entry is the System Idle Process (id 0, empty name). A short buffer is
//!   STATUS_INFO_LENGTH_MISMATCH with the size needed (Wine `dlls/ntdll/tests/info.c`).
//!   KTHREAD_STATE Running 2 / Waiting 5, KWAIT_REASON Suspended 5 / UserRequest 6.
//! - Query class sizes (ReactOS `ps_i.h`): ProcessDefaultHardErrorMode, HandleCount,
//!   SessionInformation ULONG; ProcessPriorityClass 2 bytes {Foreground, PriorityClass};
//!   ProcessWow64Information ULONG_PTR; ProcessImageInformation
//!   SECTION_IMAGE_INFORMATION; ProcessImageFileName a UNICODE_STRING followed by the
//!   NUL-terminated string (ZwQueryInformationProcess docs); ThreadQuerySetWin32StartAddress
//!   PVOID; ThreadAmILastThread, ThreadIsTerminated, ThreadSuspendCount ULONG;
//!   ProcessBasePriority / ThreadPriority / ThreadBasePriority are set-only; phnt
//!   `ntpsapi.h` adds PROCESS_HANDLE_INFORMATION (8 bytes) for ProcessHandleCount and a
//!   KAFFINITY query of ProcessAffinityMask (Windows 8 and later).
//! - ThreadNameInformation (Wine `dlls/kernel32/tests/thread.c`, test_thread_description,
//!   run on Windows): a short query is STATUS_BUFFER_TOO_SMALL with ReturnLength =
//!   sizeof(UNICODE_STRING) + name bytes; the answer's Buffer points just after the
//!   descriptor, MaximumLength = Length; set takes exactly sizeof(UNICODE_STRING)
//!   (else STATUS_INFO_LENGTH_MISMATCH), a NULL buffer or NULL string with a length is
//!   STATUS_ACCESS_VIOLATION, a zero descriptor clears the name;
//!   THREAD_SET_LIMITED_INFORMATION suffices to set it.
//! - Set order and statuses (ReactOS apitests NtSetInformationProcess.c /
//!   NtSetInformationThread.c, which pass on Windows): the length comes first (even with
//!   NULL handle and buffer), then alignment, then the handle; an unprivileged caller
//!   raising a process's base priority to 31 or a thread's priority to 16
//!   (LOW_REALTIME_PRIORITY) gets STATUS_PRIVILEGE_NOT_HELD; priority 8 / 11 succeed.
//!   ThreadBasePriority takes -2..2 and the saturation values ±16 (ReactOS
//!   `NtSetInformationThread`), else STATUS_INVALID_PARAMETER; an affinity naming a
//!   processor that does not exist is STATUS_INVALID_PARAMETER (SetProcessAffinityMask
//!   docs); ThreadHideFromDebugger takes length 0.
//! - Rights (SetPriorityClass, SetThreadPriority, SetThreadDescription docs):
//!   PROCESS_SET_INFORMATION (0x200); THREAD_SET_INFORMATION (0x20) or
//!   THREAD_SET_LIMITED_INFORMATION (0x400) for priorities and names.

use super::process::{create, ProcessInformation};
use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

const STATUS_PRIVILEGE_NOT_HELD: u32 = 0xC000_0061;

const PROCESS_SET_INFORMATION: u32 = 0x0200;
const THREAD_SET_INFORMATION: u32 = 0x0020;
const THREAD_SET_LIMITED_INFORMATION: u32 = 0x0400;

// PROCESSINFOCLASS / THREADINFOCLASS / SYSTEM_INFORMATION_CLASS.
const PROCESS_BASE_PRIORITY: u32 = 5;
const PROCESS_DEFAULT_HARD_ERROR_MODE: u32 = 12;
const PROCESS_PRIORITY_CLASS: u32 = 18;
const PROCESS_HANDLE_COUNT: u32 = 20;
const PROCESS_AFFINITY_MASK: u32 = 21;
const PROCESS_SESSION_INFORMATION: u32 = 24;
const PROCESS_WOW64_INFORMATION: u32 = 26;
const PROCESS_IMAGE_FILE_NAME: u32 = 27;
const PROCESS_IMAGE_INFORMATION: u32 = 37;
const THREAD_PRIORITY: u32 = 2;
const THREAD_BASE_PRIORITY: u32 = 3;
const THREAD_AFFINITY_MASK: u32 = 4;
const THREAD_WIN32_START_ADDRESS: u32 = 9;
const THREAD_AM_I_LAST_THREAD: u32 = 12;
const THREAD_HIDE_FROM_DEBUGGER: u32 = 17;
const THREAD_IS_TERMINATED: u32 = 20;
const THREAD_SUSPEND_COUNT: u32 = 35;
const THREAD_NAME_INFORMATION: u32 = 38;
const SYSTEM_PROCESS_INFORMATION: u32 = 5;

const IMAGE_INFO_SIZE: usize = if W == 8 { 0x40 } else { 0x30 };
const PROCESS_ENTRY: usize = if W == 8 { 0x100 } else { 0xB8 };
const THREAD_ENTRY: usize = if W == 8 { 0x50 } else { 0x40 };

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtSetInformationProcess(h: HANDLE, class: u32, buf: *const u8, len: u32) -> NtStatus;
    fn NtSetInformationThread(h: HANDLE, class: u32, buf: *const u8, len: u32) -> NtStatus;

}

/// An 8-aligned scratch buffer.
#[repr(C, align(8))]
struct Buf([u8; 512]);

impl Buf {
    fn new() -> Self {
        Buf([0; 512])
    }
    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }
}

/// A raw user address (misaligned or unmapped on purpose).
fn at(addr: usize) -> *const u8 {
    addr as *const u8
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn word_at(b: &[u8], at: usize) -> usize {
    let mut w = [0u8; W];
    w.copy_from_slice(&b[at..at + W]);
    usize::from_le_bytes(w)
}

/// NtQueryInformationProcess into `b[..len]`: (status, ReturnLength).
fn qp(h: HANDLE, class: u32, b: &mut Buf, len: usize) -> (NtStatus, u32) {
    let mut ret = 0xFFFF_FFFFu32;
    // SAFETY: `len` <= 512, the buffer's size; `ret` is a local.
    let s = unsafe { NtQueryInformationProcess(h, class, b.ptr(), len as u32, &mut ret) };
    (s, ret)
}

fn qt(h: HANDLE, class: u32, b: &mut Buf, len: usize) -> (NtStatus, u32) {
    let mut ret = 0xFFFF_FFFFu32;
    // SAFETY: as in `qp`.
    let s = unsafe { NtQueryInformationThread(h, class, b.ptr(), len as u32, &mut ret) };
    (s, ret)
}

/// NtSetInformationProcess with `data` copied into an aligned buffer.
fn sp(h: HANDLE, class: u32, data: &[u8]) -> NtStatus {
    let mut b = Buf::new();
    b.0[..data.len()].copy_from_slice(data);
    // SAFETY: the buffer holds `data.len()` bytes.
    unsafe { NtSetInformationProcess(h, class, b.ptr(), data.len() as u32) }
}

fn st(h: HANDLE, class: u32, data: &[u8]) -> NtStatus {
    let mut b = Buf::new();
    b.0[..data.len()].copy_from_slice(data);
    // SAFETY: as in `sp`.
    unsafe { NtSetInformationThread(h, class, b.ptr(), data.len() as u32) }
}

/// A query of `class` whose answer is a ULONG.
fn ulong_thread(h: HANDLE, class: u32) -> Result<u32, String> {
    let mut b = Buf::new();
    let (s, ret) = qt(h, class, &mut b, 4);
    expect_status(&format!("thread class {class}"), s, STATUS_SUCCESS)?;
    check("ReturnLength 4", ret == 4)?;
    Ok(u32_at(&b.0, 0))
}

fn ulong_process(h: HANDLE, class: u32) -> Result<u32, String> {
    let mut b = Buf::new();
    let (s, ret) = qp(h, class, &mut b, 4);
    expect_status(&format!("process class {class}"), s, STATUS_SUCCESS)?;
    check("ReturnLength 4", ret == 4)?;
    Ok(u32_at(&b.0, 0))
}

/// THREAD_BASIC_INFORMATION's (Priority, BasePriority).
fn thread_priorities(h: HANDLE) -> Result<(i32, i32), String> {
    let mut b = Buf::new();
    let len = if W == 8 { 48 } else { 28 };
    let (s, _) = qt(h, 0, &mut b, len);
    expect_status("ThreadBasicInformation", s, STATUS_SUCCESS)?;
    let at = if W == 8 { 40 } else { 20 };
    Ok((u32_at(&b.0, at) as i32, u32_at(&b.0, at + 4) as i32))
}

/// PROCESS_BASIC_INFORMATION's BasePriority.
fn process_base(h: HANDLE) -> Result<i32, String> {
    let mut b = Buf::new();
    let (s, _) = qp(h, 0, &mut b, 6 * W);
    expect_status("ProcessBasicInformation", s, STATUS_SUCCESS)?;
    Ok(u32_at(&b.0, 3 * W) as i32)
}

/// This process (`thread` false) or thread opened by id with `access`.
fn open_own(thread: bool, access: u32) -> Result<HANDLE, String> {
    let mut h: HANDLE = core::ptr::null_mut();
    let oa = no_attributes();
    let cid = current_cid();
    // SAFETY: locals for every pointer.
    let s = unsafe {
        if thread {
            NtOpenThread(&mut h, access, &oa, &cid)
        } else {
            NtOpenProcess(&mut h, access, &oa, &cid)
        }
    };
    expect_status("open own by id", s, STATUS_SUCCESS)?;
    Ok(h)
}

static GATE: AtomicUsize = AtomicUsize::new(0);

/// Waits on the event in [`GATE`], then returns 0x55.
extern "system" fn wait_gate(_: *mut c_void) -> u32 {
    // SAFETY: a handle the test made and keeps open until this thread is joined.
    unsafe { NtWaitForSingleObject(GATE.load(Ordering::SeqCst) as HANDLE, 0, core::ptr::null()) };
    0x55
}

/// A helper thread parked on an event; [`Helper::finish`] releases and joins it.
struct Helper {
    gate: HANDLE,
    thread: HANDLE,
}

impl Helper {
    fn start(flags: u32) -> Result<Self, String> {
        let mut gate: HANDLE = core::ptr::null_mut();
        // SAFETY: a local for the handle.
        let s = unsafe { NtCreateEvent(&mut gate, EVENT_ALL_ACCESS, core::ptr::null(), 0, 0) };
        expect_status("NtCreateEvent", s, STATUS_SUCCESS)?;
        GATE.store(gate as usize, Ordering::SeqCst);
        let mut thread: HANDLE = core::ptr::null_mut();
        // SAFETY: a local for the handle; the routine is a function of this program.
        let s = unsafe {
            NtCreateThreadEx(
                &mut thread,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                CURRENT_PROCESS,
                wait_gate as *const () as usize,
                0,
                flags,
                0,
                0,
                0,
                core::ptr::null(),
            )
        };
        if s.as_u32() != STATUS_SUCCESS {
            close(gate);
            return Err(format!("NtCreateThreadEx: {}", describe(s.as_u32())));
        }
        if flags == 0 {
            // Let it reach its wait.
            delay_ms(false, 20);
        }
        Ok(Helper { gate, thread })
    }

    fn finish(self) -> Result<(), String> {
        // SAFETY: handles this helper owns.
        unsafe {
            NtSetEvent(self.gate, core::ptr::null_mut());
            NtResumeThread(self.thread, core::ptr::null_mut());
        }
        let t = -2000 * 10_000i64;
        // SAFETY: a handle and a local.
        let s = unsafe { NtWaitForSingleObject(self.thread, 0, &t) };
        close(self.thread);
        close(self.gate);
        expect_status("helper ends", s, STATUS_SUCCESS)
    }
}

/// Runs `f` with a helper thread, always finishing it.
fn with_helper(flags: u32, f: impl FnOnce(&Helper) -> Result<(), String>) -> Result<(), String> {
    let h = Helper::start(flags)?;
    let r = f(&h);
    let end = h.finish();
    r.and(end)
}

/// Runs `f` with a suspended child (hello.exe), then resumes it and waits for it.
fn with_child(f: impl FnOnce(&ProcessInformation) -> Result<(), String>) -> Result<(), String> {
    let child = create("\\??\\C:\\Nereid\\hello.exe", false)
        .map_err(|s| format!("RtlCreateUserProcess: {}", describe(s.as_u32())))?;
    let r = f(&child);
    let t = -3000 * 10_000i64;
    // SAFETY: handles RtlCreateUserProcess returned.
    let s = unsafe {
        NtResumeThread(child.Thread, core::ptr::null_mut());
        NtWaitForSingleObject(child.Process, 0, &t)
    };
    close(child.Thread);
    close(child.Process);
    r.and(expect_status("child ends", s, STATUS_SUCCESS))
}

// ----- SystemProcessInformation ------------------------------------------------------

/// One parsed process entry.
struct Entry {
    at: usize,
    pid: usize,
    parent: usize,
    threads: usize,
    name: String,
    handles: u32,
    base: i32,
}

/// One parsed thread entry.
#[derive(Debug)]
struct ThreadInfo {
    start: usize,
    pid: usize,
    tid: usize,
    priority: i32,
    state: u32,
    reason: u32,
}

struct List {
    buf: Vec<u64>,
    entries: Vec<Entry>,
}

impl List {
    fn bytes(&self) -> &[u8] {
        // SAFETY: the vector's elements are plain bytes when viewed as u8.
        unsafe { core::slice::from_raw_parts(self.buf.as_ptr().cast(), self.buf.len() * 8) }
    }

    fn find(&self, pid: usize) -> Option<&Entry> {
        self.entries.iter().find(|e| e.pid == pid)
    }

    fn thread(&self, e: &Entry, k: usize) -> ThreadInfo {
        let b = &self.bytes()[e.at + PROCESS_ENTRY + k * THREAD_ENTRY..];
        let (start, cid, prio, state, reason) = if W == 8 {
            (0x20, 0x28, 0x38, 0x44, 0x48)
        } else {
            (0x1C, 0x20, 0x28, 0x34, 0x38)
        };
        ThreadInfo {
            start: word_at(b, start),
            pid: word_at(b, cid),
            tid: word_at(b, cid + W),
            priority: u32_at(b, prio) as i32,
            state: u32_at(b, state),
            reason: u32_at(b, reason),
        }
    }

    fn threads(&self, e: &Entry) -> Vec<ThreadInfo> {
        (0..e.threads).map(|k| self.thread(e, k)).collect()
    }
}

/// Queries the process list (measuring first) and parses it, checking the chain.
fn process_list() -> Result<List, String> {
    let mut needed = 0u32;
    // SAFETY: a NULL buffer of length 0 and a local.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            core::ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    expect_status("measure", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check(
        "needed size covers two entries",
        needed as usize >= 2 * PROCESS_ENTRY,
    )?;
    let mut buf = vec![0u64; (needed as usize).div_ceil(8) + 64];
    let mut ret = 0u32;
    // One byte short: the same status and size.
    // SAFETY: the vector holds at least `needed` bytes.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            buf.as_mut_ptr().cast(),
            needed - 1,
            &mut ret,
        )
    };
    expect_status("one byte short", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check("short: ReturnLength is the size needed", ret == needed)?;
    let len = (buf.len() * 8) as u32;
    // SAFETY: as above, `len` bytes.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            buf.as_mut_ptr().cast(),
            len,
            &mut ret,
        )
    };
    expect_status("query", s, STATUS_SUCCESS)?;
    check(
        "ReturnLength within the buffer",
        ret <= len && ret >= 2 * PROCESS_ENTRY as u32,
    )?;
    let base = buf.as_ptr() as usize;
    let mut list = List {
        buf,
        entries: Vec::new(),
    };
    let b = list.bytes();
    let (prio, pid, parent, handles) = if W == 8 {
        (0x48, 0x50, 0x58, 0x60)
    } else {
        (0x40, 0x44, 0x48, 0x4C)
    };
    let mut at = 0usize;
    let mut entries = Vec::new();
    loop {
        if at + PROCESS_ENTRY > ret as usize {
            return Err(format!("entry at {at:#x} runs past ReturnLength {ret:#x}"));
        }
        let e = &b[at..];
        let threads = u32_at(e, 4) as usize;
        let name_len = usize::from(u16::from_le_bytes([e[0x38], e[0x39]]));
        let name_ptr = word_at(e, 0x38 + W);
        let mut name = String::new();
        if name_len != 0 {
            let off = name_ptr.wrapping_sub(base);
            if off < at + PROCESS_ENTRY + threads * THREAD_ENTRY || off + name_len > ret as usize {
                return Err(format!("ImageName.Buffer {name_ptr:#x} outside its entry"));
            }
            let units: Vec<u16> = b[off..off + name_len]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            name = String::from_utf16_lossy(&units);
        }
        entries.push(Entry {
            at,
            pid: word_at(e, pid),
            parent: word_at(e, parent),
            threads,
            name,
            handles: u32_at(e, handles),
            base: u32_at(e, prio) as i32,
        });
        let next = u32_at(e, 0) as usize;
        if next == 0 {
            break;
        }
        if !next.is_multiple_of(8) || next < PROCESS_ENTRY + threads * THREAD_ENTRY {
            return Err(format!("NextEntryOffset {next:#x} at {at:#x}"));
        }
        at += next;
    }
    list.entries = entries;
    Ok(list)
}

fn system_process_list() -> Result<(), String> {
    let list = process_list()?;
    let idle = &list.entries[0];
    check(
        "first entry is the idle process (id 0, no name)",
        idle.pid == 0 && idle.name.is_empty(),
    )?;
    check("idle has a thread", idle.threads == 1)?;
    let me = current_cid();
    let e = list
        .find(me.UniqueProcess)
        .ok_or("own process not listed")?;
    check(&format!("own name {:?}", e.name), e.name == "ntsuite.exe")?;
    check("own base priority 8", e.base == 8)?;
    let count = ulong_process(CURRENT_PROCESS, PROCESS_HANDLE_COUNT)?;
    check(
        &format!("HandleCount {} = ProcessHandleCount {count}", e.handles),
        e.handles == count && count > 0,
    )?;
    let threads = list.threads(e);
    let t = threads
        .iter()
        .find(|t| t.tid == me.UniqueThread)
        .ok_or("own thread not listed")?;
    check(
        &format!("own thread running: {t:?}"),
        t.state == 2 && t.pid == me.UniqueProcess,
    )?;
    check("own thread priority 8", t.priority == 8)?;
    Ok(())
}

fn system_process_bad_input() -> Result<(), String> {
    let mut b = Buf::new();
    let mut ret = 0u32;
    // SAFETY: misaligned and kernel pointers are refused before any write.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            b.ptr().add(1).cast(),
            64,
            &mut ret,
        )
    };
    expect_status("misaligned", s, STATUS_DATATYPE_MISALIGNMENT)?;
    // SAFETY: as above.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            KERNEL as *mut c_void,
            64,
            &mut ret,
        )
    };
    expect_status("kernel buffer", s, STATUS_ACCESS_VIOLATION)?;
    // SAFETY: as above; the ReturnLength pointer is a kernel address.
    let s = unsafe {
        NtQuerySystemInformation(
            SYSTEM_PROCESS_INFORMATION,
            b.ptr().cast(),
            8,
            KERNEL as *mut u32,
        )
    };
    expect_status("kernel ReturnLength", s, STATUS_ACCESS_VIOLATION)?;
    Ok(())
}

fn system_process_threads() -> Result<(), String> {
    // A thread parked in a wait and a suspended one.
    with_helper(0, |waiting| {
        with_helper_suspended(|suspended| {
            let list = process_list()?;
            let me = current_cid();
            let e = list
                .find(me.UniqueProcess)
                .ok_or("own process not listed")?;
            let threads = list.threads(e);
            let tid = |h: HANDLE| -> Result<usize, String> {
                let mut b = Buf::new();
                let len = if W == 8 { 48 } else { 28 };
                let (s, _) = qt(h, 0, &mut b, len);
                expect_status("ThreadBasicInformation", s, STATUS_SUCCESS)?;
                Ok(word_at(&b.0, 3 * W))
            };
            let (w, s) = (tid(waiting.thread)?, tid(suspended.thread)?);
            let tw = threads
                .iter()
                .find(|t| t.tid == w)
                .ok_or("waiting thread not listed")?;
            let ts = threads
                .iter()
                .find(|t| t.tid == s)
                .ok_or("suspended thread not listed")?;
            check(
                &format!("waiting thread: Waiting/UserRequest {tw:?}"),
                tw.state == 5 && tw.reason == 6,
            )?;
            check(
                &format!("suspended thread: Waiting/Suspended {ts:?}"),
                ts.state == 5 && ts.reason == 5,
            )?;
            check(
                "StartAddress is the routine",
                tw.start == wait_gate as *const () as usize,
            )?;
            Ok(())
        })
    })
}

/// A second helper, created suspended (its gate is the first helper's: it never
/// runs before it is resumed at the end).
fn with_helper_suspended(f: impl FnOnce(&Helper) -> Result<(), String>) -> Result<(), String> {
    let gate = GATE.load(Ordering::SeqCst);
    let mut thread: HANDLE = core::ptr::null_mut();
    // SAFETY: a local for the handle; the routine is a function of this program.
    let s = unsafe {
        NtCreateThreadEx(
            &mut thread,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            CURRENT_PROCESS,
            wait_gate as *const () as usize,
            0,
            1,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    expect_status("NtCreateThreadEx(suspended)", s, STATUS_SUCCESS)?;
    let h = Helper {
        gate: gate as HANDLE,
        thread,
    };
    let r = f(&h);
    // Resumed; it ends when the outer helper's gate is set (the outer finish).
    // SAFETY: a handle made above.
    unsafe { NtResumeThread(thread, core::ptr::null_mut()) };
    // Keep the thread handle until it ends: the outer helper sets the gate first.
    PENDING.store(thread as usize, Ordering::SeqCst);
    r
}

/// A suspended helper's handle, closed by [`system_process_threads_cleanup`].
static PENDING: AtomicUsize = AtomicUsize::new(0);

fn system_process_threads_and_cleanup() -> Result<(), String> {
    let r = system_process_threads();
    let h = PENDING.swap(0, Ordering::SeqCst) as HANDLE;
    if !h.is_null() {
        let t = -2000 * 10_000i64;
        // SAFETY: the suspended helper's handle; its gate was set by the outer finish.
        let s = unsafe { NtWaitForSingleObject(h, 0, &t) };
        close(h);
        return r.and(expect_status("suspended helper ends", s, STATUS_SUCCESS));
    }
    r
}

fn system_process_child() -> Result<(), String> {
    with_child(|child| {
        let list = process_list()?;
        let me = current_cid();
        let e = list
            .find(child.ClientId.UniqueProcess)
            .ok_or("child not listed")?;
        check(&format!("child name {:?}", e.name), e.name == "hello.exe")?;
        check("child's parent is the suite", e.parent == me.UniqueProcess)?;
        check("child has one thread", e.threads == 1)?;
        let t = list.thread(e, 0);
        check(
            &format!("child thread id and state {t:?}"),
            t.tid == child.ClientId.UniqueThread && t.state == 5 && t.reason == 5,
        )?;
        check(
            "child's handle count: its own, empty",
            e.handles == 0 && e.handles == ulong_process(child.Process, PROCESS_HANDLE_COUNT)?,
        )?;
        Ok(())
    })
}

// ----- NtQueryInformationProcess ------------------------------------------------------

fn process_classes() -> Result<(), String> {
    let mut b = Buf::new();
    // Handle count follows the table.
    let before = ulong_process(CURRENT_PROCESS, PROCESS_HANDLE_COUNT)?;
    let h = open_own(false, PROCESS_QUERY_LIMITED_INFORMATION)?;
    let during = ulong_process(CURRENT_PROCESS, PROCESS_HANDLE_COUNT)?;
    let through = ulong_process(h, PROCESS_HANDLE_COUNT)?;
    close(h);
    let after = ulong_process(CURRENT_PROCESS, PROCESS_HANDLE_COUNT)?;
    check(
        &format!("handle count {before} → {during} / {through} → {after}"),
        during == before + 1 && through == during && after == before,
    )?;
    check(
        "session 0",
        ulong_process(CURRENT_PROCESS, PROCESS_SESSION_INFORMATION)? == 0,
    )?;
    check(
        "hard error mode 1",
        ulong_process(CURRENT_PROCESS, PROCESS_DEFAULT_HARD_ERROR_MODE)? == 1,
    )?;
    let (s, ret) = qp(CURRENT_PROCESS, PROCESS_PRIORITY_CLASS, &mut b, 2);
    expect_status("ProcessPriorityClass", s, STATUS_SUCCESS)?;
    check("priority class normal (2)", ret == 2 && b.0[1] == 2)?;
    b.0[..W].fill(0xAA);
    let (s, ret) = qp(CURRENT_PROCESS, PROCESS_WOW64_INFORMATION, &mut b, W);
    expect_status("ProcessWow64Information", s, STATUS_SUCCESS)?;
    check("not WOW64", ret == W as u32 && word_at(&b.0, 0) == 0)?;
    let (s, ret) = qp(
        CURRENT_PROCESS,
        PROCESS_IMAGE_INFORMATION,
        &mut b,
        IMAGE_INFO_SIZE,
    );
    expect_status("ProcessImageInformation", s, STATUS_SUCCESS)?;
    check(
        "image information: entry point set",
        ret == IMAGE_INFO_SIZE as u32 && word_at(&b.0, 0) != 0,
    )?;
    // A child that has not run has an empty table (no handles inherited).
    with_child(|child| {
        let n = ulong_process(child.Process, PROCESS_HANDLE_COUNT)?;
        check(&format!("fresh child: {n} handles, want 0"), n == 0)
    })?;
    // Wrong lengths, set-only and unknown classes.
    for (class, len) in [
        (PROCESS_HANDLE_COUNT, 12),
        (PROCESS_HANDLE_COUNT, 3),
        (PROCESS_PRIORITY_CLASS, 4),
        (PROCESS_SESSION_INFORMATION, 0),
        (PROCESS_WOW64_INFORMATION, W + 4),
        (PROCESS_IMAGE_INFORMATION, IMAGE_INFO_SIZE - 4),
        (PROCESS_DEFAULT_HARD_ERROR_MODE, 8),
    ] {
        let (s, _) = qp(CURRENT_PROCESS, class, &mut b, len);
        expect_status(
            &format!("class {class} length {len}"),
            s,
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
    }
    // PROCESS_HANDLE_INFORMATION (8 bytes): the count and a high watermark.
    let (s, ret) = qp(CURRENT_PROCESS, PROCESS_HANDLE_COUNT, &mut b, 8);
    expect_status("PROCESS_HANDLE_INFORMATION", s, STATUS_SUCCESS)?;
    check(
        "handle count and watermark",
        ret == 8 && u32_at(&b.0, 0) == before && u32_at(&b.0, 4) >= before,
    )?;
    let (s, ret) = qp(CURRENT_PROCESS, PROCESS_AFFINITY_MASK, &mut b, W);
    expect_status("ProcessAffinityMask", s, STATUS_SUCCESS)?;
    check("affinity: CPU 0", ret == W as u32 && word_at(&b.0, 0) == 1)?;
    for class in [PROCESS_BASE_PRIORITY, 99] {
        let (s, _) = qp(CURRENT_PROCESS, class, &mut b, 4);
        expect_status(
            &format!("query class {class}"),
            s,
            STATUS_INVALID_INFO_CLASS,
        )?;
    }
    // Bad handle after a good length.
    let (s, _) = qp(core::ptr::null_mut(), PROCESS_HANDLE_COUNT, &mut b, 4);
    expect_status("NULL handle", s, STATUS_INVALID_HANDLE)?;
    Ok(())
}

/// ProcessImageFileName of `h`: the path.
fn image_file_name(h: HANDLE) -> Result<String, String> {
    let mut ret = 0u32;
    // SAFETY: NULL buffer of length 0, a local.
    let s = unsafe {
        NtQueryInformationProcess(
            h,
            PROCESS_IMAGE_FILE_NAME,
            core::ptr::null_mut(),
            0,
            &mut ret,
        )
    };
    expect_status(
        "measure ProcessImageFileName",
        s,
        STATUS_INFO_LENGTH_MISMATCH,
    )?;
    let needed = ret as usize;
    check(
        "needed size is descriptor + string + NUL",
        needed > 2 * W + 2 && (needed - 2 * W).is_multiple_of(2),
    )?;
    let mut b = Buf::new();
    let (s, r) = qp(h, PROCESS_IMAGE_FILE_NAME, &mut b, needed - 1);
    expect_status("one byte short", s, STATUS_INFO_LENGTH_MISMATCH)?;
    check("short: size needed", r as usize == needed)?;
    let (s, r) = qp(h, PROCESS_IMAGE_FILE_NAME, &mut b, needed + 6);
    expect_status("ProcessImageFileName", s, STATUS_SUCCESS)?;
    check("ReturnLength is the size used", r as usize == needed)?;
    let len = usize::from(u16::from_le_bytes([b.0[0], b.0[1]]));
    let max = usize::from(u16::from_le_bytes([b.0[2], b.0[3]]));
    let buffer = word_at(&b.0, W);
    check(
        "MaximumLength = Length + 2",
        max == len + 2 && 2 * W + max == needed,
    )?;
    check(
        "Buffer follows the descriptor",
        buffer == b.0.as_ptr() as usize + 2 * W,
    )?;
    check(
        "NUL-terminated",
        b.0[2 * W + len] == 0 && b.0[2 * W + len + 1] == 0,
    )?;
    let units: Vec<u16> = b.0[2 * W..2 * W + len]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

fn process_image_file_name() -> Result<(), String> {
    let own = image_file_name(CURRENT_PROCESS)?;
    check(
        &format!("own path {own:?}"),
        own.starts_with("\\Device\\") && own.ends_with("\\ntsuite.exe"),
    )?;
    with_child(|child| {
        let path = image_file_name(child.Process)?;
        check(
            &format!("child path {path:?}"),
            path.ends_with("\\hello.exe"),
        )
    })
}

// ----- NtQueryInformationThread -------------------------------------------------------

fn thread_classes() -> Result<(), String> {
    let mut b = Buf::new();
    with_helper(0, |helper| {
        let (s, ret) = qt(helper.thread, THREAD_WIN32_START_ADDRESS, &mut b, W);
        expect_status("ThreadQuerySetWin32StartAddress", s, STATUS_SUCCESS)?;
        check(
            "start address is the routine",
            ret == W as u32 && word_at(&b.0, 0) == wait_gate as *const () as usize,
        )?;
        check(
            "helper not terminated",
            ulong_thread(helper.thread, THREAD_IS_TERMINATED)? == 0,
        )?;
        check(
            "helper not suspended",
            ulong_thread(helper.thread, THREAD_SUSPEND_COUNT)? == 0,
        )?;
        check(
            "two threads: not the last",
            ulong_thread(CURRENT_THREAD, THREAD_AM_I_LAST_THREAD)? == 0,
        )?;
        for (class, len) in [
            (THREAD_WIN32_START_ADDRESS, W + 4),
            (THREAD_IS_TERMINATED, 8),
            (THREAD_SUSPEND_COUNT, 2),
            (THREAD_AM_I_LAST_THREAD, 0),
        ] {
            let (s, _) = qt(helper.thread, class, &mut b, len);
            expect_status(
                &format!("class {class} length {len}"),
                s,
                STATUS_INFO_LENGTH_MISMATCH,
            )?;
        }
        for class in [
            THREAD_PRIORITY,
            THREAD_BASE_PRIORITY,
            THREAD_AFFINITY_MASK,
            THREAD_HIDE_FROM_DEBUGGER,
            99,
        ] {
            let (s, _) = qt(helper.thread, class, &mut b, 4);
            expect_status(
                &format!("query class {class}"),
                s,
                STATUS_INVALID_INFO_CLASS,
            )?;
        }
        Ok(())
    })?;
    // A suspended thread, then ended.
    with_helper_suspended_alone(|h| {
        check(
            "created suspended: count 1",
            ulong_thread(h, THREAD_SUSPEND_COUNT)? == 1,
        )
    })?;
    // The child's only thread is its process's last.
    with_child(|child| {
        check(
            "child thread is the last",
            ulong_thread(child.Thread, THREAD_AM_I_LAST_THREAD)? == 1,
        )?;
        check(
            "child thread suspended once",
            ulong_thread(child.Thread, THREAD_SUSPEND_COUNT)? == 1,
        )
    })
}

/// A thread created suspended and on its own gate; `f` sees it, then it is resumed,
/// released, joined, and checked terminated.
fn with_helper_suspended_alone(f: impl FnOnce(HANDLE) -> Result<(), String>) -> Result<(), String> {
    let h = Helper::start(1)?;
    let r = f(h.thread);
    // SAFETY: handles the helper owns.
    unsafe {
        NtSetEvent(h.gate, core::ptr::null_mut());
        NtResumeThread(h.thread, core::ptr::null_mut());
    }
    let t = -2000 * 10_000i64;
    // SAFETY: as above.
    let s = unsafe { NtWaitForSingleObject(h.thread, 0, &t) };
    let ended = ulong_thread(h.thread, THREAD_IS_TERMINATED);
    close(h.thread);
    close(h.gate);
    r?;
    expect_status("suspended helper ends", s, STATUS_SUCCESS)?;
    check("ended thread: terminated 1", ended? == 1)
}

fn thread_name() -> Result<(), String> {
    with_helper(0, |helper| {
        let h = helper.thread;
        let mut ret = 0u32;
        // SAFETY: NULL buffer of length 0, a local.
        let s = unsafe {
            NtQueryInformationThread(
                h,
                THREAD_NAME_INFORMATION,
                core::ptr::null_mut(),
                0,
                &mut ret,
            )
        };
        expect_status("measure unnamed", s, STATUS_BUFFER_TOO_SMALL)?;
        check("unnamed: the descriptor's size", ret as usize == 2 * W)?;
        let name: Vec<u16> = "worker".encode_utf16().collect();
        let mut d = Vec::new();
        d.extend_from_slice(&12u16.to_le_bytes());
        d.extend_from_slice(&14u16.to_le_bytes());
        d.resize(W, 0);
        d.extend_from_slice(&(name.as_ptr() as usize).to_le_bytes());
        expect_status(
            "set name",
            st(h, THREAD_NAME_INFORMATION, &d),
            STATUS_SUCCESS,
        )?;
        let mut b = Buf::new();
        let (s, r) = qt(h, THREAD_NAME_INFORMATION, &mut b, 2 * W + 11);
        expect_status("short", s, STATUS_BUFFER_TOO_SMALL)?;
        check("short: size needed", r as usize == 2 * W + 12)?;
        let (s, r) = qt(h, THREAD_NAME_INFORMATION, &mut b, 256);
        expect_status("query name", s, STATUS_SUCCESS)?;
        check("size used", r as usize == 2 * W + 12)?;
        check(
            "Length = MaximumLength = 12",
            u32_at(&b.0, 0) == 12 | (12 << 16),
        )?;
        check(
            "Buffer follows the descriptor",
            word_at(&b.0, W) == b.0.as_ptr() as usize + 2 * W,
        )?;
        check(
            "the name",
            b.0[2 * W..2 * W + 12]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .eq(name.iter().copied()),
        )?;
        // Misaligned query buffer (ULONG_PTR alignment).
        // SAFETY: refused before any write.
        let s = unsafe {
            NtQueryInformationThread(h, THREAD_NAME_INFORMATION, b.ptr().add(W / 2), 64, &mut ret)
        };
        expect_status("misaligned", s, STATUS_DATATYPE_MISALIGNMENT)?;
        // Bad set input.
        expect_status(
            "short descriptor",
            st(h, THREAD_NAME_INFORMATION, &d[..2 * W - 1]),
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
        // SAFETY: a NULL buffer is refused.
        let s = unsafe {
            NtSetInformationThread(
                h,
                THREAD_NAME_INFORMATION,
                core::ptr::null(),
                (2 * W) as u32,
            )
        };
        expect_status("NULL descriptor", s, STATUS_ACCESS_VIOLATION)?;
        let mut null_string = d.clone();
        null_string[W..].fill(0);
        expect_status(
            "NULL string with a length",
            st(h, THREAD_NAME_INFORMATION, &null_string),
            STATUS_ACCESS_VIOLATION,
        )?;
        let mut odd = d.clone();
        odd[0] = 3;
        expect_status(
            "odd length",
            st(h, THREAD_NAME_INFORMATION, &odd),
            STATUS_INVALID_PARAMETER,
        )?;
        // Rights: query-limited cannot set; set-limited can.
        let limited = open_own(true, THREAD_QUERY_LIMITED_INFORMATION)?;
        let denied = st(limited, THREAD_NAME_INFORMATION, &d);
        close(limited);
        expect_status("set with query rights only", denied, STATUS_ACCESS_DENIED)?;
        let setter = open_own(true, THREAD_SET_LIMITED_INFORMATION)?;
        let s = st(setter, THREAD_NAME_INFORMATION, &d);
        close(setter);
        expect_status("set with THREAD_SET_LIMITED_INFORMATION", s, STATUS_SUCCESS)?;
        let (s, r) = qt(CURRENT_THREAD, THREAD_NAME_INFORMATION, &mut b, 256);
        expect_status("own name", s, STATUS_SUCCESS)?;
        check("own thread named too", r as usize == 2 * W + 12)?;
        // A zero descriptor clears.
        let zero = vec![0u8; 2 * W];
        expect_status(
            "clear own",
            st(CURRENT_THREAD, THREAD_NAME_INFORMATION, &zero),
            STATUS_SUCCESS,
        )?;
        expect_status(
            "clear helper",
            st(h, THREAD_NAME_INFORMATION, &zero),
            STATUS_SUCCESS,
        )?;
        let (s, r) = qt(h, THREAD_NAME_INFORMATION, &mut b, 256);
        expect_status("query cleared", s, STATUS_SUCCESS)?;
        check(
            "cleared: empty",
            r as usize == 2 * W && u32_at(&b.0, 0) == 0,
        )
    })
}

// ----- NtSetInformationProcess ----------------------------------------------------------

fn set_process_order() -> Result<(), String> {
    let pri = 8i32.to_le_bytes();
    // SAFETY: NULL pointers and misaligned ones are refused by the service.
    unsafe {
        let s = NtSetInformationProcess(
            core::ptr::null_mut(),
            PROCESS_BASE_PRIORITY,
            core::ptr::null(),
            0,
        );
        expect_status("all NULL", s, STATUS_INFO_LENGTH_MISMATCH)?;
        let s =
            NtSetInformationProcess(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, core::ptr::null(), 4);
        expect_status("NULL buffer", s, STATUS_ACCESS_VIOLATION)?;
        let s = NtSetInformationProcess(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, at(1), 0);
        expect_status("misaligned, length 0", s, STATUS_INFO_LENGTH_MISMATCH)?;
        let s = NtSetInformationProcess(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, at(2), 4);
        expect_status("misaligned", s, STATUS_DATATYPE_MISALIGNMENT)?;
        let s = NtSetInformationProcess(CURRENT_PROCESS, PROCESS_PRIORITY_CLASS, at(1), 2);
        expect_status("priority class misaligned", s, STATUS_DATATYPE_MISALIGNMENT)?;
    }
    expect_status(
        "NULL handle",
        sp(core::ptr::null_mut(), PROCESS_BASE_PRIORITY, &pri),
        STATUS_INVALID_HANDLE,
    )?;
    expect_status(
        "unknown class",
        sp(CURRENT_PROCESS, 99, &pri),
        STATUS_INVALID_INFO_CLASS,
    )?;
    expect_status(
        "query-only class",
        sp(CURRENT_PROCESS, PROCESS_HANDLE_COUNT, &pri),
        STATUS_INVALID_INFO_CLASS,
    )?;
    expect_status(
        "base priority 31",
        sp(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, &31i32.to_le_bytes()),
        STATUS_PRIVILEGE_NOT_HELD,
    )?;
    expect_status(
        "base priority 8 (unchanged)",
        sp(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, &pri),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "base priority 0",
        sp(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, &0i32.to_le_bytes()),
        STATUS_INVALID_PARAMETER,
    )?;
    expect_status(
        "base priority 32",
        sp(CURRENT_PROCESS, PROCESS_BASE_PRIORITY, &32i32.to_le_bytes()),
        STATUS_INVALID_PARAMETER,
    )?;
    // Rights.
    let q = open_own(false, PROCESS_QUERY_LIMITED_INFORMATION)?;
    let denied = sp(q, PROCESS_BASE_PRIORITY, &pri);
    close(q);
    expect_status("query rights only", denied, STATUS_ACCESS_DENIED)?;
    let set = open_own(false, PROCESS_SET_INFORMATION)?;
    let s = sp(set, PROCESS_BASE_PRIORITY, &pri);
    close(set);
    expect_status("PROCESS_SET_INFORMATION", s, STATUS_SUCCESS)
}

fn set_process_priorities_child() -> Result<(), String> {
    with_child(|child| {
        let p = child.Process;
        let t = child.Thread;
        expect_status(
            "lower to 6",
            sp(p, PROCESS_BASE_PRIORITY, &6i32.to_le_bytes()),
            STATUS_SUCCESS,
        )?;
        check("basic: base 6", process_base(p)? == 6)?;
        check("thread follows: priority 6", thread_priorities(t)?.0 == 6)?;
        expect_status(
            "raise back to 8",
            sp(p, PROCESS_BASE_PRIORITY, &8i32.to_le_bytes()),
            STATUS_PRIVILEGE_NOT_HELD,
        )?;
        expect_status(
            "class high",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 3]),
            STATUS_SUCCESS,
        )?;
        let mut b = Buf::new();
        let (s, _) = qp(p, PROCESS_PRIORITY_CLASS, &mut b, 2);
        expect_status("query class", s, STATUS_SUCCESS)?;
        check("class 3 reported", b.0[1] == 3)?;
        check("class high: base 13", process_base(p)? == 13)?;
        check("thread follows: priority 13", thread_priorities(t)?.0 == 13)?;
        expect_status(
            "class realtime",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 4]),
            STATUS_PRIVILEGE_NOT_HELD,
        )?;
        expect_status(
            "class 0",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 0]),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "class 7",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 7]),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "class length 4",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 2, 0, 0]),
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
        expect_status(
            "class normal",
            sp(p, PROCESS_PRIORITY_CLASS, &[0, 2]),
            STATUS_SUCCESS,
        )?;
        check("normal: base 8", process_base(p)? == 8)?;
        // The list shows the child's thread's priority.
        expect_status(
            "child thread priority 9",
            st(t, THREAD_PRIORITY, &9i32.to_le_bytes()),
            STATUS_SUCCESS,
        )?;
        let list = process_list()?;
        let e = list
            .find(child.ClientId.UniqueProcess)
            .ok_or("child not listed")?;
        check("list: child base 8", e.base == 8)?;
        check(
            "list: child thread priority 9",
            list.thread(e, 0).priority == 9,
        )?;
        Ok(())
    })
}

fn set_process_affinity_and_error_mode() -> Result<(), String> {
    let one = 1usize.to_le_bytes();
    expect_status(
        "affinity CPU 0",
        sp(CURRENT_PROCESS, PROCESS_AFFINITY_MASK, &one),
        STATUS_SUCCESS,
    )?;
    expect_status(
        "affinity 0",
        sp(
            CURRENT_PROCESS,
            PROCESS_AFFINITY_MASK,
            &0usize.to_le_bytes(),
        ),
        STATUS_INVALID_PARAMETER,
    )?;
    expect_status(
        "affinity CPUs 0-1",
        sp(
            CURRENT_PROCESS,
            PROCESS_AFFINITY_MASK,
            &3usize.to_le_bytes(),
        ),
        STATUS_INVALID_PARAMETER,
    )?;
    expect_status(
        "affinity short",
        sp(CURRENT_PROCESS, PROCESS_AFFINITY_MASK, &one[..W - 1]),
        STATUS_INFO_LENGTH_MISMATCH,
    )?;
    expect_status(
        "error mode 0",
        sp(
            CURRENT_PROCESS,
            PROCESS_DEFAULT_HARD_ERROR_MODE,
            &0u32.to_le_bytes(),
        ),
        STATUS_SUCCESS,
    )?;
    let now = ulong_process(CURRENT_PROCESS, PROCESS_DEFAULT_HARD_ERROR_MODE);
    expect_status(
        "error mode back to 1",
        sp(
            CURRENT_PROCESS,
            PROCESS_DEFAULT_HARD_ERROR_MODE,
            &1u32.to_le_bytes(),
        ),
        STATUS_SUCCESS,
    )?;
    check("error mode 0 reported", now? == 0)?;
    check(
        "error mode 1 again",
        ulong_process(CURRENT_PROCESS, PROCESS_DEFAULT_HARD_ERROR_MODE)? == 1,
    )
}

// ----- NtSetInformationThread -----------------------------------------------------------

fn set_thread_priorities() -> Result<(), String> {
    // ReactOS NtSetInformationThread.c sequence on the current thread.
    // SAFETY: NULL and misaligned pointers are refused by the service.
    unsafe {
        let s =
            NtSetInformationThread(core::ptr::null_mut(), THREAD_PRIORITY, core::ptr::null(), 0);
        expect_status("all NULL", s, STATUS_INFO_LENGTH_MISMATCH)?;
        let s = NtSetInformationThread(CURRENT_THREAD, THREAD_PRIORITY, core::ptr::null(), 4);
        expect_status("NULL buffer", s, STATUS_ACCESS_VIOLATION)?;
        let s = NtSetInformationThread(CURRENT_THREAD, THREAD_PRIORITY, at(1), 4);
        expect_status("misaligned", s, STATUS_DATATYPE_MISALIGNMENT)?;
    }
    let eleven = 11i32.to_le_bytes();
    expect_status(
        "NULL handle",
        st(core::ptr::null_mut(), THREAD_PRIORITY, &eleven),
        STATUS_INVALID_HANDLE,
    )?;
    with_helper(0, |helper| {
        let h = helper.thread;
        expect_status(
            "priority 11",
            st(h, THREAD_PRIORITY, &eleven),
            STATUS_SUCCESS,
        )?;
        check(
            "basic: priority 11, base 0",
            thread_priorities(h)? == (11, 0),
        )?;
        expect_status(
            "priority 16",
            st(h, THREAD_PRIORITY, &16i32.to_le_bytes()),
            STATUS_PRIVILEGE_NOT_HELD,
        )?;
        expect_status(
            "priority 0",
            st(h, THREAD_PRIORITY, &0i32.to_le_bytes()),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "priority length 8",
            st(h, THREAD_PRIORITY, &[11, 0, 0, 0, 0, 0, 0, 0]),
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
        for (inc, want) in [(1, 9), (-2, 6), (16, 15), (-16, 1), (0, 8)] {
            expect_status(
                &format!("base {inc}"),
                st(h, THREAD_BASE_PRIORITY, &i32::to_le_bytes(inc)),
                STATUS_SUCCESS,
            )?;
            let got = thread_priorities(h)?;
            check(
                &format!("base {inc}: got {got:?}, want ({want}, {inc})"),
                got == (want, inc),
            )?;
        }
        for bad in [3i32, -3, 15, 17] {
            expect_status(
                &format!("base {bad}"),
                st(h, THREAD_BASE_PRIORITY, &bad.to_le_bytes()),
                STATUS_INVALID_PARAMETER,
            )?;
        }
        // Rights: set-limited does priorities, not the start address; query rights do
        // neither.
        let lim = open_own_thread_of(h, THREAD_SET_LIMITED_INFORMATION)?;
        let a = st(lim, THREAD_PRIORITY, &eleven);
        let b = st(lim, THREAD_WIN32_START_ADDRESS, &0x1000usize.to_le_bytes());
        let c = st(lim, THREAD_HIDE_FROM_DEBUGGER, &[]);
        close(lim);
        expect_status("set-limited: priority", a, STATUS_SUCCESS)?;
        expect_status("set-limited: start address", b, STATUS_ACCESS_DENIED)?;
        expect_status("set-limited: hide", c, STATUS_ACCESS_DENIED)?;
        let q = open_own_thread_of(h, THREAD_QUERY_LIMITED_INFORMATION)?;
        let d = st(q, THREAD_PRIORITY, &eleven);
        close(q);
        expect_status("query rights: priority", d, STATUS_ACCESS_DENIED)?;
        let full = open_own_thread_of(h, THREAD_SET_INFORMATION)?;
        let e = st(full, THREAD_PRIORITY, &8i32.to_le_bytes());
        close(full);
        expect_status("THREAD_SET_INFORMATION: priority", e, STATUS_SUCCESS)
    })
}

/// Opens the thread `h` names by its id with `access`.
fn open_own_thread_of(h: HANDLE, access: u32) -> Result<HANDLE, String> {
    let mut b = Buf::new();
    let len = if W == 8 { 48 } else { 28 };
    let (s, _) = qt(h, 0, &mut b, len);
    expect_status("ThreadBasicInformation", s, STATUS_SUCCESS)?;
    let cid = ClientId {
        UniqueProcess: word_at(&b.0, 2 * W),
        UniqueThread: word_at(&b.0, 3 * W),
    };
    let mut out: HANDLE = core::ptr::null_mut();
    let oa = no_attributes();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenThread(&mut out, access, &oa, &cid) };
    expect_status("NtOpenThread", s, STATUS_SUCCESS)?;
    Ok(out)
}

fn set_thread_other_classes() -> Result<(), String> {
    with_helper(0, |helper| {
        let h = helper.thread;
        let one = 1usize.to_le_bytes();
        expect_status(
            "affinity CPU 0",
            st(h, THREAD_AFFINITY_MASK, &one),
            STATUS_SUCCESS,
        )?;
        expect_status(
            "affinity CPU 1",
            st(h, THREAD_AFFINITY_MASK, &2usize.to_le_bytes()),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "affinity 0",
            st(h, THREAD_AFFINITY_MASK, &0usize.to_le_bytes()),
            STATUS_INVALID_PARAMETER,
        )?;
        expect_status(
            "hide from debugger",
            st(h, THREAD_HIDE_FROM_DEBUGGER, &[]),
            STATUS_SUCCESS,
        )?;
        expect_status(
            "hide, length 1",
            st(h, THREAD_HIDE_FROM_DEBUGGER, &[1]),
            STATUS_INFO_LENGTH_MISMATCH,
        )?;
        let addr = 0x0040_1234usize;
        expect_status(
            "set start address",
            st(h, THREAD_WIN32_START_ADDRESS, &addr.to_le_bytes()),
            STATUS_SUCCESS,
        )?;
        let mut b = Buf::new();
        let (s, _) = qt(h, THREAD_WIN32_START_ADDRESS, &mut b, W);
        expect_status("query start address", s, STATUS_SUCCESS)?;
        check("start address stored", word_at(&b.0, 0) == addr)?;
        expect_status("unknown class", st(h, 99, &one), STATUS_INVALID_INFO_CLASS)?;
        expect_status(
            "query-only class",
            st(h, THREAD_IS_TERMINATED, &[0; 4]),
            STATUS_INVALID_INFO_CLASS,
        )?;
        // A process handle is not a thread handle.
        expect_status(
            "process handle",
            st(CURRENT_PROCESS, THREAD_PRIORITY, &8i32.to_le_bytes()),
            STATUS_OBJECT_TYPE_MISMATCH,
        )
    })
}

pub const TESTS: &[Test] = tests![
    ("psinfo.system_process_list", system_process_list),
    ("psinfo.system_process_bad_input", system_process_bad_input),
    (
        "psinfo.system_process_threads",
        system_process_threads_and_cleanup
    ),
    ("psinfo.system_process_child", system_process_child),
    ("psinfo.process_classes", process_classes),
    ("psinfo.process_image_file_name", process_image_file_name),
    ("psinfo.thread_classes", thread_classes),
    ("psinfo.thread_name", thread_name),
    ("psinfo.set_process_order", set_process_order),
    (
        "psinfo.set_process_priorities_child",
        set_process_priorities_child
    ),
    (
        "psinfo.set_process_affinity_and_error_mode",
        set_process_affinity_and_error_mode
    ),
    ("psinfo.set_thread_priorities", set_thread_priorities),
    ("psinfo.set_thread_other_classes", set_thread_other_classes),
];
