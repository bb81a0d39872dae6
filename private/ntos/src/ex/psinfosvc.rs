//! Process and thread information services beyond the basic classes:
//! `NtQueryInformationProcess` / `NtQueryInformationThread` (the classes
//! `ex::pssvc` does not answer itself), `NtSetInformationProcess` /
//! `NtSetInformationThread`, and `NtQuerySystemInformation(SystemProcessInformation)`.
//! Rules and layouts are in `ex::psinfo` (host-tested).
//!
//! Order of checks, as Windows (ReactOS `NtSetInformationProcess` /
//! `NtSetInformationThread` and their apitests, which pass on Windows):
//! - set: the class (`STATUS_INVALID_INFO_CLASS`), the exact length
//!   (`STATUS_INFO_LENGTH_MISMATCH`, even with a NULL handle and buffer), the buffer's
//!   alignment and range (`STATUS_DATATYPE_MISALIGNMENT`, `STATUS_ACCESS_VIOLATION`), the
//!   value's capture and the checks that need no target (`STATUS_INVALID_PARAMETER`,
//!   `STATUS_PRIVILEGE_NOT_HELD`), then the handle and its right, then the checks that
//!   depend on the target.
//! - query, fixed-size classes: the buffer probe (`ULONG` alignment), the class, the exact
//!   length, then the handle; variable-size classes (`ProcessImageFileName`,
//!   `ThreadNameInformation`) look at the handle first and answer a short buffer with the
//!   size needed in `ReturnLength`.
//!
//! Rights: process classes need `PROCESS_SET_INFORMATION` to set (SetPriorityClass,
//! SetProcessAffinityMask docs) and `PROCESS_QUERY_LIMITED_INFORMATION` to query (as
//! the basic classes here; deviation: Windows wants `PROCESS_QUERY_INFORMATION` for some,
//! e.g. `ProcessImageInformation`). Thread priority, base priority, affinity and name
//! take `THREAD_SET_INFORMATION` or `THREAD_SET_LIMITED_INFORMATION`
//! (SetThreadPriority, SetThreadAffinityMask, SetThreadDescription docs); the start
//! address and hide-from-debugger need `THREAD_SET_INFORMATION`.

use alloc::vec;
use alloc::vec::Vec;

use super::bootfs::boot_file;
use super::obsvc::write_u32;
use super::psinfo::{self as info, ProcessEntry, ThreadEntry};
use super::pssvc::{
    self, PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION, THREAD_QUERY_INFORMATION,
    THREAD_QUERY_LIMITED_INFORMATION,
};
use super::services::{Context, Outcome};
use crate::ke::probe::{probe, UserPtr};
use crate::ps::cid;
use ntdef::status::{
    NtStatus, STATUS_BUFFER_TOO_SMALL, STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE,
    STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_PROCESS_IS_TERMINATING,
    STATUS_SUCCESS,
};

/// `PROCESS_SET_INFORMATION` (winnt.h).
pub const PROCESS_SET_INFORMATION: u32 = 0x0200;
/// `THREAD_SET_INFORMATION` / `THREAD_SET_LIMITED_INFORMATION` (winnt.h).
pub const THREAD_SET_INFORMATION: u32 = 0x0020;
pub const THREAD_SET_LIMITED_INFORMATION: u32 = 0x0400;

const W: usize = size_of::<usize>();

fn status(r: Result<(), NtStatus>) -> Outcome {
    Outcome::Reply(NtStatus::from_result(r))
}

fn word(raw: &[u8]) -> usize {
    let mut b = [0u8; W];
    b.copy_from_slice(&raw[..W]);
    usize::from_le_bytes(b)
}

fn long(raw: &[u8]) -> i32 {
    i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]])
}

/// Handles in process `pid`'s table (0 once its table is gone).
fn handle_count(cx: &Context<'_>, pid: u32) -> u32 {
    let table = if pid == cx.process.pid {
        Some(cx.caller.table)
    } else {
        cx.others
            .get(&pid)
            .and_then(|c| c.try_borrow().ok())
            .and_then(|p| p.ob.as_ref().map(|id| id.caller.table))
    };
    table
        .and_then(|t| cx.ob.om.handle_table(t))
        .map_or(0, |t| t.count())
}

/// `f` of process `pid`'s address space, while it has one.
fn space<R>(
    cx: &Context<'_>,
    pid: u32,
    f: impl FnOnce(&crate::ps::ntprocess::NtProcess) -> R,
) -> Option<R> {
    if pid == cx.process.pid {
        Some(f(cx.process))
    } else {
        let p = cx.others.get(&pid)?.try_borrow().ok()?;
        Some(f(&p))
    }
}

/// Query answer size rule.
enum Want {
    Exact(usize),
    Variable,
}

/// The classes `ex::pssvc::query` hands over.
pub fn query(
    cx: &mut Context<'_>,
    thread: bool,
    handle: usize,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    use info::*;
    let len = length as usize;
    let r = (|| -> Result<Vec<u8>, NtStatus> {
        probe(buffer, len, 4)?;
        let want = match (thread, class) {
            // ULONG, or PROCESS_HANDLE_INFORMATION { HandleCount,
            // HandleCountHighWatermark } (phnt `ntpsapi.h`).
            (false, PROCESS_HANDLE_COUNT) if len == 8 => Want::Exact(8),
            (false, PROCESS_DEFAULT_HARD_ERROR_MODE)
            | (false, PROCESS_HANDLE_COUNT)
            | (false, PROCESS_SESSION_INFORMATION) => Want::Exact(4),
            // Queryable as a KAFFINITY since Windows 8 (phnt).
            (false, PROCESS_AFFINITY_MASK) => Want::Exact(W),
            (false, PROCESS_PRIORITY_CLASS) => Want::Exact(2),
            (false, PROCESS_WOW64_INFORMATION) => Want::Exact(W),
            (false, PROCESS_IMAGE_INFORMATION) => Want::Exact(super::procsvc::IMAGE_INFO_SIZE),
            (false, PROCESS_IMAGE_FILE_NAME) => Want::Variable,
            (true, THREAD_WIN32_START_ADDRESS) => Want::Exact(W),
            (true, THREAD_AM_I_LAST_THREAD)
            | (true, THREAD_IS_TERMINATED)
            | (true, THREAD_SUSPEND_COUNT) => Want::Exact(4),
            (true, THREAD_NAME_INFORMATION) => {
                // ULONG_PTR alignment (ReactOS `ps_i.h`).
                probe(buffer, len, W)?;
                Want::Variable
            }
            _ => return Err(STATUS_INVALID_INFO_CLASS),
        };
        if let Want::Exact(n) = want {
            if n != len {
                return Err(STATUS_INFO_LENGTH_MISMATCH);
            }
        }
        Ok(if thread {
            let n = pssvc::target_with_any(
                cx,
                handle,
                true,
                THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION,
            )?;
            let live_siblings = |cx: &Context<'_>, pid| cx.ps.live_threads(pid).len();
            let t = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?;
            let (pid, ended) = (t.pid, t.exit_status.is_some());
            match class {
                THREAD_WIN32_START_ADDRESS => t.start_address.to_le_bytes().to_vec(),
                THREAD_IS_TERMINATED => u32::from(ended).to_le_bytes().to_vec(),
                THREAD_SUSPEND_COUNT => t.suspend_count.to_le_bytes().to_vec(),
                THREAD_NAME_INFORMATION => info::string_answer(&t.name, buffer, false),
                _ => {
                    let last = !ended && live_siblings(cx, pid) == 1;
                    u32::from(last).to_le_bytes().to_vec()
                }
            }
        } else {
            let pid = pssvc::target_with_any(
                cx,
                handle,
                false,
                PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION,
            )?;
            let count = handle_count(cx, pid);
            let base = space(cx, pid, |p| p.image_base());
            let r = cx.ps.by_pid(pid).ok_or(STATUS_INVALID_HANDLE)?;
            match class {
                PROCESS_DEFAULT_HARD_ERROR_MODE => r.hard_error_mode.to_le_bytes().to_vec(),
                // The high watermark is not tracked: the current count stands in.
                PROCESS_HANDLE_COUNT => [count; 2][..len / 4]
                    .iter()
                    .flat_map(|c| c.to_le_bytes())
                    .collect(),
                PROCESS_AFFINITY_MASK => 1usize.to_le_bytes().to_vec(),
                PROCESS_SESSION_INFORMATION => vec![0; 4],
                PROCESS_PRIORITY_CLASS => vec![0, r.priority_class],
                PROCESS_WOW64_INFORMATION => vec![0; W],
                PROCESS_IMAGE_FILE_NAME => {
                    info::string_answer(&info::image_file_name(&r.name), buffer, true)
                }
                _ => {
                    let base = base.ok_or(STATUS_PROCESS_IS_TERMINATING)?;
                    let exe = boot_file(&r.name).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
                    super::procsvc::image_information(exe, base)
                }
            }
        })
    })();
    let out = match r {
        Ok(out) => out,
        Err(s) => return Outcome::Reply(s),
    };
    // Only the variable classes can be short: the size needed is reported
    // (`ProcessImageFileName`: STATUS_INFO_LENGTH_MISMATCH, ReactOS
    // `NtQueryInformationProcess`; `ThreadNameInformation`: STATUS_BUFFER_TOO_SMALL,
    // Wine's `test_thread_description` on Windows).
    let s = if out.len() > len {
        if thread {
            STATUS_BUFFER_TOO_SMALL
        } else {
            STATUS_INFO_LENGTH_MISMATCH
        }
    } else {
        match cx.process.write(buffer, &out) {
            Ok(()) => STATUS_SUCCESS,
            Err(s) => return Outcome::Reply(s),
        }
    };
    if let Some(p) = returned {
        if let Err(w) = write_u32(&*cx.process, p.addr(), out.len() as u32) {
            return Outcome::Reply(w);
        }
    }
    Outcome::Reply(s)
}

/// `NtSetInformationProcess` (`thread` false) / `NtSetInformationThread`.
pub fn set(
    cx: &mut Context<'_>,
    thread: bool,
    handle: usize,
    class: u32,
    buffer: usize,
    length: u32,
) -> Outcome {
    status((|| {
        let shape = if thread {
            info::thread_set_shape(class)
        } else {
            info::process_set_shape(class)
        }
        .ok_or(STATUS_INVALID_INFO_CLASS)?;
        if length as usize != shape.length {
            return Err(STATUS_INFO_LENGTH_MISMATCH);
        }
        probe(buffer, shape.length, shape.align)?;
        let mut raw = vec![0u8; shape.length];
        if !raw.is_empty() {
            cx.process.read(buffer, &mut raw)?;
        }
        if thread {
            set_thread(cx, handle, class, &raw)
        } else {
            set_process(cx, handle, class, &raw)
        }
    })())
}

/// Recomputes the priorities of process `pid`'s threads after its base changed.
fn rebase_threads(cx: &mut Context<'_>, pid: u32) {
    let Some(r) = cx.ps.by_pid(pid) else { return };
    let (base, realtime) = (
        r.base_priority,
        r.priority_class == info::PRIORITY_CLASS_REALTIME,
    );
    for t in cx.ps.threads_of_mut(pid) {
        t.priority = info::thread_base_priority(base, realtime, t.base_increment);
    }
}

fn set_process(
    cx: &mut Context<'_>,
    handle: usize,
    class: u32,
    raw: &[u8],
) -> Result<(), NtStatus> {
    use info::*;
    let right = PROCESS_SET_INFORMATION;
    match class {
        PROCESS_BASE_PRIORITY => {
            let pid = pssvc::target_with_any(cx, handle, false, right)?;
            let r = cx.ps.by_pid(pid).ok_or(STATUS_INVALID_HANDLE)?;
            r.base_priority = check_process_base(long(raw), r.base_priority)?;
            rebase_threads(cx, pid);
        }
        PROCESS_PRIORITY_CLASS => {
            // PROCESS_PRIORITY_CLASS { BOOLEAN Foreground; UCHAR PriorityClass }.
            let class = raw[1];
            let base = check_priority_class(class)?;
            let pid = pssvc::target_with_any(cx, handle, false, right)?;
            let r = cx.ps.by_pid(pid).ok_or(STATUS_INVALID_HANDLE)?;
            r.priority_class = class;
            r.base_priority = base;
            rebase_threads(cx, pid);
        }
        PROCESS_AFFINITY_MASK => {
            check_affinity(word(raw))?;
            pssvc::target_with_any(cx, handle, false, right)?;
        }
        _ => {
            let pid = pssvc::target_with_any(cx, handle, false, right)?;
            let r = cx.ps.by_pid(pid).ok_or(STATUS_INVALID_HANDLE)?;
            r.hard_error_mode = long(raw) as u32;
        }
    }
    Ok(())
}

fn set_thread(cx: &mut Context<'_>, handle: usize, class: u32, raw: &[u8]) -> Result<(), NtStatus> {
    use info::*;
    let limited = THREAD_SET_INFORMATION | THREAD_SET_LIMITED_INFORMATION;
    match class {
        THREAD_PRIORITY => {
            let v = long(raw);
            check_thread_priority(v)?;
            let n = pssvc::target_with_any(cx, handle, true, limited)?;
            cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?.priority = v;
        }
        THREAD_BASE_PRIORITY => {
            let v = long(raw);
            let n = pssvc::target_with_any(cx, handle, true, limited)?;
            let pid = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?.pid;
            let (base, realtime) = cx
                .ps
                .by_pid(pid)
                .map_or((pssvc::NORMAL_BASE_PRIORITY, false), |r| {
                    (r.base_priority, r.priority_class == PRIORITY_CLASS_REALTIME)
                });
            check_thread_increment(v, realtime)?;
            let t = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?;
            t.base_increment = v;
            t.priority = thread_base_priority(base, realtime, v);
        }
        THREAD_AFFINITY_MASK => {
            check_affinity(word(raw))?;
            pssvc::target_with_any(cx, handle, true, limited)?;
        }
        THREAD_WIN32_START_ADDRESS => {
            let n = pssvc::target_with_any(cx, handle, true, THREAD_SET_INFORMATION)?;
            cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?.start_address = word(raw);
        }
        THREAD_HIDE_FROM_DEBUGGER => {
            // No debugger exists to hide from.
            pssvc::target_with_any(cx, handle, true, THREAD_SET_INFORMATION)?;
        }
        _ => {
            // THREAD_NAME_INFORMATION { UNICODE_STRING ThreadName }.
            let bytes = usize::from(u16::from_le_bytes([raw[0], raw[1]]));
            let at = word(&raw[W..]);
            if bytes % 2 != 0 || bytes > MAX_THREAD_NAME_BYTES {
                return Err(STATUS_INVALID_PARAMETER);
            }
            let mut name = vec![0u8; bytes];
            if bytes != 0 {
                probe(at, bytes, 2)?;
                cx.process.read(at, &mut name)?;
            }
            let n = pssvc::target_with_any(cx, handle, true, limited)?;
            let t = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?;
            t.name = name
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            if sel4::config::DEBUG_BUILD {
                if let Some(tcb) = t.tcb {
                    let text: alloc::string::String = char::decode_utf16(t.name.iter().copied())
                        .map(|c| c.unwrap_or('?'))
                        .collect();
                    sel4::debug_name_thread(tcb, &text);
                }
            }
        }
    }
    Ok(())
}

/// `NtQuerySystemInformation(SystemProcessInformation)`: the System Idle Process
/// (id 0, no name, one thread for the one processor), then every process record
/// (ended processes whose objects live on included, with no threads, as Windows lists
/// them) with its running threads. A buffer shorter than the answer is
/// `STATUS_INFO_LENGTH_MISMATCH` with the size needed in `ReturnLength`.
///
/// Thread state: the caller is Running; a suspended thread Waiting (Suspended); a thread
/// parked in a wait Waiting (UserRequest); any other Ready (one processor). Kernel and
/// user times, context switches and page faults are not accounted (0); the working
/// set, page-file usage and private bytes are the committed private memory from the
/// VADs, the virtual size what the VADs cover; peaks equal the current values.
pub fn system_processes(
    cx: &mut Context<'_>,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> NtStatus {
    let len = length as usize;
    if let Err(s) = probe(buffer, len, 4) {
        return s;
    }
    cx.ps.prune(cx.ob);
    let caller = cx.thread.0 as u32;
    let mut entries = vec![ProcessEntry {
        threads: vec![ThreadEntry {
            state: info::STATE_READY,
            wait_reason: info::WAIT_EXECUTIVE,
            ..Default::default()
        }],
        ..Default::default()
    }];
    let pids: Vec<u32> = cx.ps.processes().map(|r| r.pid).collect();
    for pid in pids {
        let handles = handle_count(cx, pid);
        let (virtual_size, committed) = space(cx, pid, |p| {
            (p.vads.reserved_bytes(), p.vads.committed_pages() * 4096)
        })
        .unwrap_or((0, 0));
        let parked = cx.parked;
        let (pbase, realtime) = cx.ps.processes().find(|r| r.pid == pid).map_or(
            (pssvc::NORMAL_BASE_PRIORITY, false),
            |r| {
                (
                    r.base_priority,
                    r.priority_class == info::PRIORITY_CLASS_REALTIME,
                )
            },
        );
        let threads = cx
            .ps
            .threads_of(pid)
            .filter(|t| t.exit_status.is_none())
            .map(|t| {
                let (state, wait_reason) = if t.number == caller {
                    (info::STATE_RUNNING, info::WAIT_EXECUTIVE)
                } else if t.suspend_count > 0 {
                    (info::STATE_WAITING, info::WAIT_SUSPENDED)
                } else if parked(t.number) {
                    (info::STATE_WAITING, info::WAIT_USER_REQUEST)
                } else {
                    (info::STATE_READY, info::WAIT_EXECUTIVE)
                };
                let base = info::thread_base_priority(pbase, realtime, t.base_increment);
                ThreadEntry {
                    create_time: t.create_time,
                    start_address: t.start_address,
                    process_id: cid::process_id(pid),
                    thread_id: cid::thread_id(t.number),
                    priority: t.priority,
                    base_priority: base,
                    state,
                    wait_reason,
                }
            })
            .collect();
        let Some(r) = cx.ps.by_pid(pid) else { continue };
        entries.push(ProcessEntry {
            process_id: cid::process_id(pid),
            parent_id: cid::process_id(r.parent),
            name: r.name.encode_utf16().collect(),
            create_time: r.create_time,
            base_priority: r.base_priority,
            handle_count: handles,
            virtual_size,
            committed,
            threads,
        });
    }
    let needed = info::process_list_size(&entries);
    let s = if len < needed {
        STATUS_INFO_LENGTH_MISMATCH
    } else {
        match cx
            .process
            .write(buffer, &info::process_list(&entries, buffer))
        {
            Ok(()) => STATUS_SUCCESS,
            Err(s) => return s,
        }
    };
    if let Some(p) = returned {
        if let Err(w) = write_u32(&*cx.process, p.addr(), needed as u32) {
            return w;
        }
    }
    s
}
