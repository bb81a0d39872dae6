//! Processes and threads: NtQueryInformationProcess / NtQueryInformationThread, open by
//! client id, suspend / resume, and (with sleeper.exe running) terminate another
//! process and wait on it.
//!
//! Expectations, from public documentation:
//! - `PROCESS_BASIC_INFORMATION` { NTSTATUS ExitStatus; PPEB PebBaseAddress; ULONG_PTR
//!   AffinityMask; KPRIORITY BasePriority; ULONG_PTR UniqueProcessId; ULONG_PTR
//!   InheritedFromUniqueProcessId } (winternl.h, NtQueryInformationProcess docs): 48
//!   bytes on x64, 24 on x86; any other length is STATUS_INFO_LENGTH_MISMATCH, an
//!   unknown class STATUS_INVALID_INFO_CLASS; ExitStatus is STATUS_PENDING while the
//!   process runs (GetExitCodeProcess docs: STILL_ACTIVE = 259).
//! - `THREAD_BASIC_INFORMATION` { NTSTATUS ExitStatus; PVOID TebBaseAddress; CLIENT_ID
//!   ClientId; KAFFINITY AffinityMask; KPRIORITY Priority; KPRIORITY BasePriority }
//!   (ntddk / NtQueryInformationThread docs): 48 bytes on x64, 28 on x86.
//! - NtOpenProcess / NtOpenThread (ZwOpenProcess docs): ObjectName must be NULL when a
//!   ClientId is given; ReactOS answers STATUS_INVALID_PARAMETER_MIX for both, and an
//!   id that names no process/thread is STATUS_INVALID_CID.
//! - NtSuspendThread / NtResumeThread return the previous suspend count
//!   (SuspendThread / ResumeThread docs); a terminated process's handle is signalled
//!   and its exit status is the one NtTerminateProcess gave (TerminateProcess docs).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtSuspendThread(h: HANDLE, previous: *mut u32) -> NtStatus;
    fn NtOpenSemaphore(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;

}

const PBI_LEN: usize = 6 * W;
const TBI_LEN: usize = if W == 8 { 48 } else { 28 };
const STATUS_INVALID_CID: u32 = 0xC000_000B;
const STATUS_INVALID_PARAMETER_MIX: u32 = 0xC000_0030;
const STATUS_PROCESS_IS_TERMINATING: u32 = 0xC000_010A;
const PROCESS_TERMINATE: u32 = 0x0001;
const THREAD_SUSPEND_RESUME: u32 = 0x0002;

/// The TEB's Self, ClientId and ProcessEnvironmentBlock.
fn teb() -> (usize, ClientId, usize) {
    let teb = current_teb();
    let peb = if W == 8 { 0x60 } else { 0x30 };
    // SAFETY: ProcessEnvironmentBlock lies inside the mapped TEB.
    (teb, current_cid(), unsafe {
        *((teb + peb) as *const usize)
    })
}

fn word(b: &[u8], at: usize) -> usize {
    let mut w = [0u8; W];
    w.copy_from_slice(&b[at..at + W]);
    usize::from_le_bytes(w)
}

fn long(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn query_process(h: HANDLE) -> Result<[u8; PBI_LEN], String> {
    let mut b = [0u8; PBI_LEN];
    let mut ret = 0u32;
    // SAFETY: buffer and ReturnLength are locals of the stated sizes.
    let s = unsafe { NtQueryInformationProcess(h, 0, b.as_mut_ptr(), PBI_LEN as u32, &mut ret) };
    expect_status("NtQueryInformationProcess(Basic)", s, STATUS_SUCCESS)?;
    if ret as usize != PBI_LEN {
        return Err(format!("ReturnLength {ret}, want {PBI_LEN}"));
    }
    Ok(b)
}

fn query_thread(h: HANDLE) -> Result<[u8; TBI_LEN], String> {
    let mut b = [0u8; TBI_LEN];
    let mut ret = 0u32;
    // SAFETY: buffer and ReturnLength are locals of the stated sizes.
    let s = unsafe { NtQueryInformationThread(h, 0, b.as_mut_ptr(), TBI_LEN as u32, &mut ret) };
    expect_status("NtQueryInformationThread(Basic)", s, STATUS_SUCCESS)?;
    if ret as usize != TBI_LEN {
        return Err(format!("ReturnLength {ret}, want {TBI_LEN}"));
    }
    Ok(b)
}

fn own_process_basic() -> Result<(), String> {
    let (_, cid, peb) = teb();
    let b = query_process(CURRENT_PROCESS)?;
    let got = (long(&b, 0), word(&b, W), word(&b, 4 * W));
    if got != (STATUS_PENDING, peb, cid.UniqueProcess) {
        return Err(format!(
            "(ExitStatus, Peb, Pid) = {got:#x?}, want ({STATUS_PENDING:#x}, {peb:#x}, {:#x})",
            cid.UniqueProcess
        ));
    }
    if cid.UniqueProcess % 4 != 0 || cid.UniqueProcess == 0 {
        return Err(format!("process id {:#x}", cid.UniqueProcess));
    }
    Ok(())
}

fn own_thread_basic() -> Result<(), String> {
    let (me, cid, _) = teb();
    let b = query_thread(CURRENT_THREAD)?;
    let got = (long(&b, 0), word(&b, W), word(&b, 2 * W), word(&b, 3 * W));
    let want = (STATUS_PENDING, me, cid.UniqueProcess, cid.UniqueThread);
    if got != want {
        return Err(format!(
            "(ExitStatus, Teb, Pid, Tid) = {got:#x?}, want {want:#x?}"
        ));
    }
    if cid.UniqueThread % 4 != 0 || cid.UniqueThread == cid.UniqueProcess {
        return Err(format!("thread id {:#x}", cid.UniqueThread));
    }
    Ok(())
}

fn bad_queries() -> Result<(), String> {
    let mut b = [0u8; 64];
    let p = b.as_mut_ptr();
    // SAFETY (all calls): hostile values on purpose; the buffer is a local.
    let s =
        unsafe { NtQueryInformationProcess(CURRENT_PROCESS, 0x7777, p, 8, core::ptr::null_mut()) };
    expect_status("process class 0x7777", s, STATUS_INVALID_INFO_CLASS)?;
    let s =
        unsafe { NtQueryInformationThread(CURRENT_THREAD, 0x7777, p, 8, core::ptr::null_mut()) };
    expect_status("thread class 0x7777", s, STATUS_INVALID_INFO_CLASS)?;
    let s = unsafe {
        NtQueryInformationProcess(
            CURRENT_PROCESS,
            0,
            p,
            PBI_LEN as u32 - 1,
            core::ptr::null_mut(),
        )
    };
    expect_status("process basic, length - 1", s, STATUS_INFO_LENGTH_MISMATCH)?;
    let s = unsafe {
        NtQueryInformationThread(
            CURRENT_THREAD,
            0,
            p,
            TBI_LEN as u32 + 4,
            core::ptr::null_mut(),
        )
    };
    expect_status("thread basic, length + 4", s, STATUS_INFO_LENGTH_MISMATCH)?;
    let s = unsafe {
        NtQueryInformationProcess(
            CURRENT_PROCESS,
            0,
            KERNEL as *mut u8,
            PBI_LEN as u32,
            core::ptr::null_mut(),
        )
    };
    expect_status("process basic, kernel buffer", s, STATUS_ACCESS_VIOLATION)?;
    let s = unsafe {
        NtQueryInformationThread(CURRENT_THREAD, 0, p, TBI_LEN as u32, KERNEL as *mut u32)
    };
    expect_status(
        "thread basic, kernel ReturnLength",
        s,
        STATUS_ACCESS_VIOLATION,
    )?;
    let s = unsafe {
        NtQueryInformationProcess(
            0x7FF0 as HANDLE,
            0,
            p,
            PBI_LEN as u32,
            core::ptr::null_mut(),
        )
    };
    expect_status("process basic, bogus handle", s, STATUS_INVALID_HANDLE)?;
    // A thread handle is not a process handle.
    let s = unsafe {
        NtQueryInformationProcess(CURRENT_THREAD, 0, p, PBI_LEN as u32, core::ptr::null_mut())
    };
    expect_status("process basic on a thread", s, 0xC000_0024)
}

pub(crate) fn open_process(cid: &ClientId, access: u32) -> Result<HANDLE, NtStatus> {
    let oa = no_attributes();
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for the out handle, attributes and client id.
    let s = unsafe { NtOpenProcess(&mut h, access, &oa, cid) };
    if s.as_u32() == STATUS_SUCCESS {
        Ok(h)
    } else {
        Err(s)
    }
}

fn open_thread(cid: &ClientId, access: u32) -> Result<HANDLE, NtStatus> {
    let oa = no_attributes();
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for the out handle, attributes and client id.
    let s = unsafe { NtOpenThread(&mut h, access, &oa, cid) };
    if s.as_u32() == STATUS_SUCCESS {
        Ok(h)
    } else {
        Err(s)
    }
}

fn must<T>(what: &str, r: Result<T, NtStatus>) -> Result<T, String> {
    r.map_err(|s| format!("{what}: {}", describe(s.as_u32())))
}

fn open_self_by_cid() -> Result<(), String> {
    let (me, cid, _) = teb();
    let h = must(
        "NtOpenProcess(self)",
        open_process(&cid, PROCESS_QUERY_LIMITED_INFORMATION),
    )?;
    let b = query_process(h);
    close(h);
    if word(&b?, 4 * W) != cid.UniqueProcess {
        return Err(String::from("opened process has another id"));
    }
    let h = must(
        "NtOpenThread(self)",
        open_thread(&cid, THREAD_QUERY_LIMITED_INFORMATION),
    )?;
    let b = query_thread(h);
    close(h);
    if word(&b?, W) != me {
        return Err(String::from("opened thread has another TEB"));
    }
    // Without the query right the query is refused.
    let h = must(
        "NtOpenProcess(SYNCHRONIZE)",
        open_process(&cid, SYNCHRONIZE),
    )?;
    let mut buf = [0u8; PBI_LEN];
    // SAFETY: a local buffer of the right size.
    let s = unsafe {
        NtQueryInformationProcess(
            h,
            0,
            buf.as_mut_ptr(),
            PBI_LEN as u32,
            core::ptr::null_mut(),
        )
    };
    close(h);
    expect_status(
        "query without PROCESS_QUERY_LIMITED_INFORMATION",
        s,
        STATUS_ACCESS_DENIED,
    )
}

fn open_bogus_cid() -> Result<(), String> {
    let (_, cid, _) = teb();
    for (what, bogus) in [
        (
            "pid 0x7ff8",
            ClientId {
                UniqueProcess: 0x7FF8,
                UniqueThread: 0,
            },
        ),
        ("pid 0", ClientId::default()),
        (
            "pid 3",
            ClientId {
                UniqueProcess: 3,
                UniqueThread: 0,
            },
        ),
        (
            "own tid as pid",
            ClientId {
                UniqueProcess: cid.UniqueThread,
                UniqueThread: 0,
            },
        ),
    ] {
        let s = open_process(&bogus, PROCESS_QUERY_LIMITED_INFORMATION).err();
        expect_status(what, s.unwrap_or(NtStatus::from_u32(0)), STATUS_INVALID_CID)?;
    }
    let bogus = ClientId {
        UniqueProcess: 0,
        UniqueThread: 0x7FFC,
    };
    let s = open_thread(&bogus, THREAD_QUERY_LIMITED_INFORMATION).err();
    expect_status(
        "tid 0x7ffc",
        s.unwrap_or(NtStatus::from_u32(0)),
        STATUS_INVALID_CID,
    )?;
    // A name together with a client id.
    let name: [u16; 4] = [b'\\' as u16, b'x' as u16, b'y' as u16, b'z' as u16];
    let us = UNICODE_STRING {
        Length: 8,
        MaximumLength: 8,
        Buffer: name.as_ptr() as *mut u16,
    };
    let mut oa = no_attributes();
    oa.ObjectName = &us as *const _ as *mut _;
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenProcess(&mut h, PROCESS_QUERY_LIMITED_INFORMATION, &oa, &cid) };
    expect_status("name and ClientId", s, STATUS_INVALID_PARAMETER_MIX)?;
    let oa = no_attributes();
    // SAFETY: as above; no ClientId and no name.
    let s = unsafe {
        NtOpenProcess(
            &mut h,
            PROCESS_QUERY_LIMITED_INFORMATION,
            &oa,
            core::ptr::null(),
        )
    };
    expect_status("neither name nor ClientId", s, STATUS_INVALID_PARAMETER_MIX)
}

fn resume_own_thread() -> Result<(), String> {
    let mut prev = 77u32;
    // SAFETY: the pseudo-handle and a local.
    let s = unsafe { NtResumeThread(CURRENT_THREAD, &mut prev) };
    expect_status("NtResumeThread(self)", s, STATUS_SUCCESS)?;
    if prev != 0 {
        return Err(format!("previous count {prev}, want 0"));
    }
    Ok(())
}

/// sleeper.exe publishes its ids in a named semaphore (count = pid, maximum = tid).
pub(crate) fn sleeper_ids() -> Option<ClientId> {
    static NAME: [u16; 31] = {
        let s = b"\\BaseNamedObjects\\NereidSleeper";
        let mut out = [0u16; 31];
        let mut i = 0;
        while i < 31 {
            out[i] = s[i] as u16;
            i += 1;
        }
        out
    };
    let us = UNICODE_STRING {
        Length: 62,
        MaximumLength: 62,
        Buffer: NAME.as_ptr() as *mut u16,
    };
    let mut oa = no_attributes();
    oa.ObjectName = &us as *const _ as *mut _;
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenSemaphore(&mut h, 0x0001, &oa) };
    if s.as_u32() != STATUS_SUCCESS {
        return None;
    }
    let mut b = [0u8; 8];
    // SAFETY: SEMAPHORE_BASIC_INFORMATION { LONG CurrentCount; LONG MaximumCount }.
    let s = unsafe { NtQuerySemaphore(h, 0, b.as_mut_ptr().cast(), 8, core::ptr::null_mut()) };
    close(h);
    (s.as_u32() == STATUS_SUCCESS).then(|| ClientId {
        UniqueProcess: long(&b, 0) as usize,
        UniqueThread: long(&b, 4) as usize,
    })
}

fn cross_process() -> Result<(), String> {
    let Some(cid) = sleeper_ids() else {
        crate::suite::println("ps.cross_process: sleeper.exe not running, skipped");
        return Ok(());
    };
    let access = PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE | SYNCHRONIZE;
    let hp = must("NtOpenProcess(sleeper)", open_process(&cid, access))?;
    let access = THREAD_QUERY_LIMITED_INFORMATION | THREAD_SUSPEND_RESUME | SYNCHRONIZE;
    let ht = must("NtOpenThread(sleeper)", open_thread(&cid, access))?;
    let r = (|| {
        let b = query_process(hp)?;
        if (long(&b, 0), word(&b, 4 * W)) != (STATUS_PENDING, cid.UniqueProcess) {
            return Err(String::from("sleeper: ExitStatus/UniqueProcessId wrong"));
        }
        let b = query_thread(ht)?;
        if (word(&b, 2 * W), word(&b, 3 * W)) != (cid.UniqueProcess, cid.UniqueThread) {
            return Err(String::from("sleeper thread: ClientId wrong"));
        }
        for (suspend, want) in [(true, 0), (true, 1), (false, 2), (false, 1), (false, 0)] {
            let mut prev = 99u32;
            // SAFETY: a handle opened above and a local.
            let s = unsafe {
                if suspend {
                    NtSuspendThread(ht, &mut prev)
                } else {
                    NtResumeThread(ht, &mut prev)
                }
            };
            expect_status("suspend/resume sleeper", s, STATUS_SUCCESS)?;
            if prev != want {
                return Err(format!("previous suspend count {prev}, want {want}"));
            }
        }
        // SAFETY: a handle opened above.
        let s = unsafe { NtTerminateProcess(hp, NtStatus::from_u32(0x5EE9)) };
        expect_status("NtTerminateProcess(sleeper)", s, STATUS_SUCCESS)?;
        let zero = 0i64;
        // SAFETY: a handle opened above; a zero timeout polls.
        let s = unsafe { NtWaitForSingleObject(hp, 0, &zero) };
        expect_status("wait on the ended sleeper", s, STATUS_SUCCESS)?;
        let b = query_process(hp)?;
        if long(&b, 0) != 0x5EE9 {
            return Err(format!(
                "sleeper ExitStatus {:#x}, want 0x5ee9",
                long(&b, 0)
            ));
        }
        let b = query_thread(ht)?;
        if long(&b, 0) != 0x5EE9 {
            return Err(format!("sleeper thread ExitStatus {:#x}", long(&b, 0)));
        }
        // SAFETY: as above.
        let s = unsafe { NtTerminateProcess(hp, NtStatus::from_u32(1)) };
        expect_status(
            "terminate the ended sleeper",
            s,
            STATUS_PROCESS_IS_TERMINATING,
        )?;
        // Still openable by id while handles exist.
        let h = must(
            "reopen ended sleeper",
            open_process(&cid, PROCESS_QUERY_LIMITED_INFORMATION),
        )?;
        close(h);
        Ok(())
    })();
    close(ht);
    close(hp);
    r
}

pub const TESTS: &[Test] = tests![
    ("ps.own_process_basic", own_process_basic),
    ("ps.own_thread_basic", own_thread_basic),
    ("ps.bad_queries", bad_queries),
    ("ps.open_self_by_cid", open_self_by_cid),
    ("ps.open_bogus_cid", open_bogus_cid),
    ("ps.resume_own_thread", resume_own_thread),
    ("ps.cross_process", cross_process),
];
