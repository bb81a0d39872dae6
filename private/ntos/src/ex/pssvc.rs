//! Process and thread services: NtOpenProcess / NtOpenThread by client id,
//! NtQueryInformationProcess / NtQueryInformationThread (basic and times classes; the
//! others are `ex::psinfosvc`'s, as are the set services), NtSuspendThread /
//! NtResumeThread, and the process records behind them and behind
//! NtTerminateProcess / NtTerminateThread on other processes.
//!
//! Decisions (documented once here):
//! - **Records.** Every NT process has a [`PsRecord`] and every thread a
//!   [`ThreadRecord`] from its start until its object is gone (the last handle
//!   closed), so an ended process or thread stays queryable (exit status, times) and
//!   openable by id, as Windows keeps them in its CID table until the object is
//!   deleted. A process ends when its last thread ends, with that thread's status.
//! - **Ids** come from `ps::cid`: processes and threads share one numbering, as they
//!   share Windows' CID table.
//! - **Access.** No security descriptors yet: an open by id grants the desired access
//!   (generic rights mapped, `MAXIMUM_ALLOWED` → all); each service checks its right
//!   on the handle. Granting `PROCESS_QUERY_INFORMATION` / `THREAD_QUERY_INFORMATION`
//!   also grants the `*_QUERY_LIMITED_INFORMATION` right, as Windows does.
//! - **Open by name.** Processes and threads have no names: an `ObjectName` alone
//!   answers `STATUS_OBJECT_NAME_NOT_FOUND` without a lookup.
//! - **Suspend.** Another thread (of any process): a running thread is stopped with
//!   seL4 `TCB_Suspend` (a thread queued on the executive's endpoint restarts its
//!   system call on resume); a thread parked in a wait keeps its wait, and if the wait
//!   ends while suspended the answer is held until the count is back at zero.
//!   Suspending the calling thread itself is not supported (`STATUS_NOT_IMPLEMENTED`):
//!   its reply would have to wait for another thread's resume.
//! - **Times.** Create and exit times are the system time at start and end; kernel and
//!   user times are not accounted (zero).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::obsvc::{capture_attributes, return_handle, write_u32, ObState, ThreadIdentity};
use super::services::{Context, Outcome};
use crate::ke::dispatcher::Completion;
use crate::ke::probe::{probe, UserPtr};
use crate::ob::access::AccessMask;
use crate::ob::handle::HandleAttributes;
use crate::ob::ObjectId;
use crate::ps::cid;
use ntdef::status::{
    NtStatus, STATUS_ACCESS_DENIED, STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_CID,
    STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER_MIX,
    STATUS_NOT_IMPLEMENTED, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_PENDING,
    STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, STATUS_SUSPEND_COUNT_EXCEEDED,
    STATUS_THREAD_IS_TERMINATING,
};
use ntdef::types::OBJECT_ATTRIBUTES;
use ntsvc::{CLIENT_ID, HANDLE, NT_CURRENT_PROCESS};
use sel4::CPtr;

/// Process rights (winnt.h).
pub const PROCESS_TERMINATE: u32 = 0x0001;
pub const PROCESS_CREATE_PROCESS: u32 = 0x0080;
pub const PROCESS_QUERY_INFORMATION: u32 = 0x0400;
pub const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
/// Thread rights (winnt.h).
pub const THREAD_TERMINATE: u32 = 0x0001;
pub const THREAD_SUSPEND_RESUME: u32 = 0x0002;
pub const THREAD_QUERY_INFORMATION: u32 = 0x0040;
pub const THREAD_QUERY_LIMITED_INFORMATION: u32 = 0x0800;

/// `PROCESSINFOCLASS` / `THREADINFOCLASS` values (winternl.h, ntddk.h).
const PROCESS_BASIC_INFORMATION: u32 = 0;
const PROCESS_TIMES: u32 = 4;
const THREAD_BASIC_INFORMATION: u32 = 0;
const THREAD_TIMES: u32 = 1;

/// `MAXIMUM_SUSPEND_COUNT` (ntddk.h).
pub const MAXIMUM_SUSPEND_COUNT: u32 = 0x7F;

/// Base priority of a normal-class process (`NORMAL_PRIORITY_CLASS`).
pub const NORMAL_BASE_PRIORITY: i32 = 8;

const WORD: usize = size_of::<usize>();

/// What the executive knows of one NT process.
pub struct PsRecord {
    /// The executive's process number (`ps::cid` makes the id from it).
    pub pid: u32,
    pub name: String,
    pub process: ObjectId,
    /// The creator's process number (0: the executive started it).
    pub parent: u32,
    /// `None` while running.
    pub exit_status: Option<NtStatus>,
    pub create_time: u64,
    pub exit_time: u64,
    /// Base priority (`KPRIORITY`, 1..=31; `ex::psinfo`), recorded and reported.
    pub base_priority: i32,
    /// `PROCESS_PRIORITY_CLASS_*` (`ex::psinfo`).
    pub priority_class: u8,
    /// `ProcessDefaultHardErrorMode`.
    pub hard_error_mode: u32,
}

/// What the executive knows of one NT thread.
pub struct ThreadRecord {
    /// The thread's number: its endpoint badge and (through `ps::cid`) its id.
    pub number: u32,
    /// Its process's number.
    pub pid: u32,
    pub identity: ThreadIdentity,
    pub tcb: Option<CPtr>,
    pub teb: usize,
    /// `Win32StartAddress`: the routine it was created to run (0: unknown).
    pub start_address: usize,
    /// `None` while running.
    pub exit_status: Option<NtStatus>,
    pub create_time: u64,
    pub exit_time: u64,
    pub suspend_count: u32,
    /// Whether `TCB_Suspend` stopped the thread (resume undoes it).
    tcb_stopped: bool,
    /// Wait answers held while the thread is suspended.
    pub held: Vec<Completion>,
    /// Current priority (`KPRIORITY`), recorded and reported (`ex::psinfo`).
    pub priority: i32,
    /// Base priority increment over the process's (`THREAD_PRIORITY_*`, ±16 saturate).
    pub base_increment: i32,
    /// `ThreadNameInformation` (UTF-16), empty until set.
    pub name: Vec<u16>,
}

impl ThreadRecord {
    /// The thread was created suspended: its TCB has not run yet, and resuming it
    /// starts it.
    pub fn set_stopped(&mut self) {
        self.tcb_stopped = true;
    }
}

/// The process and thread records.
#[derive(Default)]
pub struct PsState {
    processes: BTreeMap<u32, PsRecord>,
    threads: BTreeMap<u32, ThreadRecord>,
}

/// What a process or thread handle names.
enum Target {
    Process(u32),
    Thread(u32),
}

impl PsState {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new process (its threads are added with [`PsState::add_thread`]).
    pub fn add(&mut self, pid: u32, name: &str, process: ObjectId, parent: u32, now: u64) {
        self.processes.insert(
            pid,
            PsRecord {
                pid,
                name: String::from(name),
                process,
                parent,
                exit_status: None,
                create_time: now,
                exit_time: 0,
                base_priority: NORMAL_BASE_PRIORITY,
                priority_class: super::psinfo::PRIORITY_CLASS_NORMAL,
                hard_error_mode: super::psinfo::DEFAULT_HARD_ERROR_MODE,
            },
        );
    }

    /// A new thread `number` of process `pid`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_thread(
        &mut self,
        number: u32,
        pid: u32,
        identity: ThreadIdentity,
        tcb: Option<CPtr>,
        teb: usize,
        start_address: usize,
        now: u64,
    ) {
        let base = self
            .processes
            .get(&pid)
            .map_or(NORMAL_BASE_PRIORITY, |r| r.base_priority);
        self.threads.insert(
            number,
            ThreadRecord {
                number,
                pid,
                identity,
                tcb,
                teb,
                start_address,
                exit_status: None,
                create_time: now,
                exit_time: 0,
                suspend_count: 0,
                tcb_stopped: false,
                held: Vec::new(),
                priority: base,
                base_increment: 0,
                name: Vec::new(),
            },
        );
    }

    /// Thread `number` ended with `status`: its identity, for the system's reference
    /// to go (`None` if it had ended already).
    pub fn thread_exited(
        &mut self,
        number: u32,
        status: NtStatus,
        now: u64,
    ) -> Option<ThreadIdentity> {
        let r = self.threads.get_mut(&number)?;
        if r.exit_status.is_some() {
            return None;
        }
        r.exit_status = Some(status);
        r.exit_time = now;
        r.held.clear();
        r.tcb = None;
        Some(r.identity)
    }

    /// Process `pid` ended with `status` (its objects may live on).
    pub fn exited(&mut self, pid: u32, status: NtStatus, now: u64) {
        if let Some(r) = self.processes.get_mut(&pid) {
            if r.exit_status.is_none() {
                r.exit_status = Some(status);
                r.exit_time = now;
            }
        }
    }

    /// The running threads of process `pid`, oldest first.
    pub fn live_threads(&self, pid: u32) -> Vec<u32> {
        self.threads
            .values()
            .filter(|t| t.pid == pid && t.exit_status.is_none())
            .map(|t| t.number)
            .collect()
    }

    /// How many threads are running (not ended).
    pub fn live_thread_count(&self) -> usize {
        self.threads
            .values()
            .filter(|t| t.exit_status.is_none())
            .count()
    }

    /// Whether thread `number` is suspended.
    pub fn is_suspended(&self, number: u32) -> bool {
        self.threads
            .get(&number)
            .is_some_and(|t| t.suspend_count > 0)
    }

    /// The record of thread `number` if it is running (not ended).
    #[inline]
    pub fn running_thread(&self, number: u32) -> Option<&ThreadRecord> {
        self.threads
            .get(&number)
            .filter(|t| t.exit_status.is_none())
    }

    /// Which process a running thread belongs to.
    pub fn process_of_thread(&self, number: u32) -> Option<u32> {
        self.threads
            .get(&number)
            .filter(|t| t.exit_status.is_none())
            .map(|t| t.pid)
    }

    /// Forgets the ended processes and threads whose objects are gone.
    pub fn prune(&mut self, ob: &ObState) {
        self.processes
            .retain(|_, r| r.exit_status.is_none() || ob.om.header(r.process).is_some());
        self.threads
            .retain(|_, t| t.exit_status.is_none() || ob.om.header(t.identity.object).is_some());
    }

    pub fn by_pid(&mut self, pid: u32) -> Option<&mut PsRecord> {
        self.processes.get_mut(&pid)
    }

    pub fn thread(&mut self, number: u32) -> Option<&mut ThreadRecord> {
        self.threads.get_mut(&number)
    }

    /// Every process record (for the process list).
    pub fn processes(&self) -> impl Iterator<Item = &PsRecord> {
        self.processes.values()
    }

    /// Every thread record of process `pid`.
    pub fn threads_of(&self, pid: u32) -> impl Iterator<Item = &ThreadRecord> {
        self.threads.values().filter(move |t| t.pid == pid)
    }

    /// The process number of the process object `id`.
    pub fn process_by_object(&self, id: ObjectId) -> Option<u32> {
        match self.by_object(id)? {
            Target::Process(pid) => Some(pid),
            Target::Thread(_) => None,
        }
    }

    /// Every thread record of process `pid`, to change.
    pub fn threads_of_mut(&mut self, pid: u32) -> impl Iterator<Item = &mut ThreadRecord> {
        self.threads.values_mut().filter(move |t| t.pid == pid)
    }

    fn by_object(&self, id: ObjectId) -> Option<Target> {
        if let Some(r) = self.processes.values().find(|r| r.process == id) {
            return Some(Target::Process(r.pid));
        }
        self.threads
            .values()
            .find(|t| t.identity.object == id)
            .map(|t| Target::Thread(t.number))
    }

    /// Whether a wait answer for thread `number` must be held: then it is.
    pub fn hold(&mut self, number: u32, c: Completion) -> Option<Completion> {
        match self.threads.get_mut(&number) {
            Some(r) if r.suspend_count > 0 && r.exit_status.is_none() => {
                r.held.push(c);
                None
            }
            _ => Some(c),
        }
    }
}

fn status(r: Result<(), NtStatus>) -> Outcome {
    Outcome::Reply(NtStatus::from_result(r))
}

/// `NtOpenProcess` (`thread` false) / `NtOpenThread`: the handle is probed by the
/// dispatcher, then `CLIENT_ID` and `OBJECT_ATTRIBUTES` are captured. A name together
/// with a client id, or neither, is `STATUS_INVALID_PARAMETER_MIX` (ReactOS
/// `NtOpenProcess` / `NtOpenThread`, matching Windows' documented "exactly one of
/// ObjectName and ClientId"); an id that names nothing is `STATUS_INVALID_CID`, as is
/// a thread id whose `UniqueProcess` (when non-zero) is not its process.
pub fn open(
    cx: &mut Context<'_>,
    thread: bool,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    client_id: Option<UserPtr<CLIENT_ID>>,
) -> Outcome {
    status((|| {
        let cid = match client_id {
            Some(p) => {
                let mut raw = [0u8; 2 * WORD];
                cx.process.read(p.addr(), &mut raw)?;
                let mut w = [0u8; WORD];
                w.copy_from_slice(&raw[..WORD]);
                let process = usize::from_le_bytes(w);
                w.copy_from_slice(&raw[WORD..]);
                Some((process, usize::from_le_bytes(w)))
            }
            None => None,
        };
        let attrs = capture_attributes(&*cx.process, attributes)?;
        let (process_id, thread_id) = match (cid, attrs.name.is_some()) {
            (Some(c), false) => c,
            (None, true) => return Err(STATUS_OBJECT_NAME_NOT_FOUND),
            _ => return Err(STATUS_INVALID_PARAMETER_MIX),
        };
        cx.ps.prune(cx.ob);
        let (object, ty) = if thread {
            let n = cid::number_of(thread_id).ok_or(STATUS_INVALID_CID)?;
            let t = cx.ps.thread(n).ok_or(STATUS_INVALID_CID)?;
            if process_id != 0 && cid::number_of(process_id) != Some(t.pid) {
                return Err(STATUS_INVALID_CID);
            }
            (t.identity.object, cx.ob.thread_type())
        } else {
            let n = cid::number_of(process_id).ok_or(STATUS_INVALID_CID)?;
            let r = cx.ps.by_pid(n).ok_or(STATUS_INVALID_CID)?;
            (r.process, cx.ob.process_type())
        };
        let mut access = cx.ob.granted_access(ty, desired)?;
        let (full, limited) = if thread {
            (THREAD_QUERY_INFORMATION, THREAD_QUERY_LIMITED_INFORMATION)
        } else {
            (PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION)
        };
        if access.0 & full != 0 {
            access = AccessMask(access.0 | limited);
        }
        let handle = cx.ob.om.create_handle(
            cx.caller.table,
            object,
            access,
            HandleAttributes::from_obj_bits(attrs.attributes),
        )?;
        return_handle(cx.ob, &cx.caller, &*cx.process, out, handle)
    })())
}

/// What a process (or thread) handle names, after the access check.
fn target_of(
    cx: &mut Context<'_>,
    handle: usize,
    thread: bool,
    access: u32,
) -> Result<Target, NtStatus> {
    let ty = if thread {
        cx.ob.thread_type()
    } else {
        cx.ob.process_type()
    };
    let entry = cx.ob.om.object_by_handle(
        &cx.caller,
        super::obsvc::handle_from_word(handle),
        Some(ty),
        AccessMask(access),
    )?;
    cx.ps.by_object(entry.object).ok_or(STATUS_INVALID_HANDLE)
}

/// The process (`thread` false) or thread number a handle names, holding at least
/// one of the rights `any_of` (Windows lets either the full or the limited right
/// do for some classes).
pub fn target_with_any(
    cx: &mut Context<'_>,
    handle: usize,
    thread: bool,
    any_of: u32,
) -> Result<u32, NtStatus> {
    let ty = if thread {
        cx.ob.thread_type()
    } else {
        cx.ob.process_type()
    };
    let entry = cx.ob.om.object_by_handle(
        &cx.caller,
        super::obsvc::handle_from_word(handle),
        Some(ty),
        AccessMask(0),
    )?;
    if entry.access.0 & any_of == 0 {
        return Err(STATUS_ACCESS_DENIED);
    }
    match cx.ps.by_object(entry.object) {
        Some(Target::Process(pid)) if !thread => Ok(pid),
        Some(Target::Thread(n)) if thread => Ok(n),
        _ => Err(STATUS_INVALID_HANDLE),
    }
}

/// The process a process handle names (with `access`).
pub fn process_of_handle(
    cx: &mut Context<'_>,
    handle: usize,
    access: u32,
) -> Result<u32, NtStatus> {
    match target_of(cx, handle, false, access)? {
        Target::Process(pid) => Ok(pid),
        Target::Thread(_) => Err(STATUS_INVALID_HANDLE),
    }
}

/// The thread a thread handle names (with `access`).
pub fn thread_of_handle(cx: &mut Context<'_>, handle: usize, access: u32) -> Result<u32, NtStatus> {
    match target_of(cx, handle, true, access)? {
        Target::Thread(n) => Ok(n),
        Target::Process(_) => Err(STATUS_INVALID_HANDLE),
    }
}

fn push_word(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A `LONG` in a pointer-aligned slot (the padding after it on 64-bit).
fn push_long(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_le_bytes());
    if WORD == 8 {
        out.extend_from_slice(&[0; 4]);
    }
}

/// `KERNEL_USER_TIMES`: four `LARGE_INTEGER`s, 32 bytes on both arches.
fn times(create: u64, exit: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    for v in [create, exit, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// `NtQueryInformationProcess` (`thread` false) / `NtQueryInformationThread`. Order
/// as Windows: the buffer is probed (4-byte alignment), the class decides the exact
/// length (`STATUS_INVALID_INFO_CLASS`, `STATUS_INFO_LENGTH_MISMATCH`, both before
/// the handle is looked at), then the handle and its right
/// (`*_QUERY_LIMITED_INFORMATION`), then the answer and `ReturnLength` (on success
/// only).
///
/// Layouts (winternl.h / ntddk.h): `PROCESS_BASIC_INFORMATION` { NTSTATUS ExitStatus;
/// PPEB PebBaseAddress; ULONG_PTR AffinityMask; KPRIORITY BasePriority; ULONG_PTR
/// UniqueProcessId; ULONG_PTR InheritedFromUniqueProcessId } = 48 / 24 bytes;
/// `THREAD_BASIC_INFORMATION` { NTSTATUS ExitStatus; PVOID TebBaseAddress; CLIENT_ID
/// ClientId; KAFFINITY AffinityMask; KPRIORITY Priority; KPRIORITY BasePriority } =
/// 48 / 28 bytes.
pub fn query(
    cx: &mut Context<'_>,
    thread: bool,
    handle: usize,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    let known = matches!(
        (thread, class),
        (false, PROCESS_BASIC_INFORMATION)
            | (true, THREAD_BASIC_INFORMATION)
            | (false, PROCESS_TIMES)
            | (true, THREAD_TIMES)
    );
    if !known {
        return super::psinfosvc::query(cx, thread, handle, class, buffer, length, returned);
    }
    status((|| {
        probe(buffer, length as usize, 4)?;
        let basic_len = if thread {
            if WORD == 8 {
                48
            } else {
                28
            }
        } else {
            6 * WORD
        };
        let want = match (thread, class) {
            (false, PROCESS_BASIC_INFORMATION) | (true, THREAD_BASIC_INFORMATION) => basic_len,
            (false, PROCESS_TIMES) | (true, THREAD_TIMES) => 32,
            _ => return Err(STATUS_INVALID_INFO_CLASS),
        };
        if length as usize != want {
            return Err(STATUS_INFO_LENGTH_MISMATCH);
        }
        let right = if thread {
            THREAD_QUERY_LIMITED_INFORMATION
        } else {
            PROCESS_QUERY_LIMITED_INFORMATION
        };
        let out = match target_of(cx, handle, thread, right)? {
            Target::Process(pid) => {
                let r = cx.ps.by_pid(pid).ok_or(STATUS_INVALID_HANDLE)?;
                let exit = r.exit_status.unwrap_or(STATUS_PENDING).as_u32() as i32;
                if class == PROCESS_BASIC_INFORMATION {
                    let mut out = Vec::with_capacity(want);
                    push_long(&mut out, exit);
                    push_word(&mut out, crate::ps::teb::PEB_ADDRESS);
                    push_word(&mut out, 1);
                    push_long(&mut out, r.base_priority);
                    push_word(&mut out, cid::process_id(r.pid));
                    push_word(&mut out, cid::process_id(r.parent));
                    out
                } else {
                    times(r.create_time, r.exit_time)
                }
            }
            Target::Thread(n) => {
                let t = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?;
                let exit = t.exit_status.unwrap_or(STATUS_PENDING).as_u32() as i32;
                if class == THREAD_BASIC_INFORMATION {
                    let mut out = Vec::with_capacity(want);
                    push_long(&mut out, exit);
                    push_word(&mut out, t.teb);
                    push_word(&mut out, cid::process_id(t.pid));
                    push_word(&mut out, cid::thread_id(t.number));
                    push_word(&mut out, 1);
                    // Priority is the current one; BasePriority the increment over the
                    // process's (what GetThreadPriority returns).
                    out.extend_from_slice(&t.priority.to_le_bytes());
                    out.extend_from_slice(&t.base_increment.to_le_bytes());
                    out
                } else {
                    times(t.create_time, t.exit_time)
                }
            }
        };
        debug_assert_eq!(out.len(), want);
        cx.process.write(buffer, &out)?;
        if let Some(p) = returned {
            write_u32(&*cx.process, p.addr(), want as u32)?;
        }
        Ok(())
    })())
}

/// What a terminate service ends.
pub enum TerminateTarget {
    /// The calling process.
    OwnProcess,
    /// Another process.
    Process(u32),
    /// A thread (the caller's own included).
    Thread(u32),
}

/// What `NtTerminateProcess` / `NtTerminateThread` with `handle` ends: the right is
/// checked; an ended target is `STATUS_PROCESS_IS_TERMINATING` /
/// `STATUS_THREAD_IS_TERMINATING`.
pub fn terminate_target(
    cx: &mut Context<'_>,
    handle: usize,
    thread: bool,
) -> Result<TerminateTarget, NtStatus> {
    let own = cx.process.pid;
    if !thread && handle == NT_CURRENT_PROCESS {
        return Ok(TerminateTarget::OwnProcess);
    }
    let right = if thread {
        THREAD_TERMINATE
    } else {
        PROCESS_TERMINATE
    };
    match target_of(cx, handle, thread, right)? {
        Target::Process(pid) if pid == own => Ok(TerminateTarget::OwnProcess),
        Target::Process(pid) => match cx.ps.by_pid(pid) {
            Some(r) if r.exit_status.is_none() => Ok(TerminateTarget::Process(pid)),
            _ => Err(STATUS_PROCESS_IS_TERMINATING),
        },
        Target::Thread(n) => match cx.ps.thread(n) {
            Some(t) if t.exit_status.is_none() => Ok(TerminateTarget::Thread(n)),
            _ => Err(STATUS_THREAD_IS_TERMINATING),
        },
    }
}

/// `NtSuspendThread` / `NtResumeThread`: the previous count is returned (written after
/// the change; a fault writing it does not undo it). Suspending at
/// `MAXIMUM_SUSPEND_COUNT` is `STATUS_SUSPEND_COUNT_EXCEEDED`; an ended thread is
/// `STATUS_THREAD_IS_TERMINATING` (ReactOS `NtSuspendThread` / `KeSuspendThread`).
pub fn suspend_resume(
    cx: &mut Context<'_>,
    handle: usize,
    suspend: bool,
    previous: Option<UserPtr<u32>>,
) -> Outcome {
    let own = cx.thread.0 as u32;
    let r = (|| {
        let parked = cx.parked;
        let n = thread_of_handle(cx, handle, THREAD_SUSPEND_RESUME)?;
        let r = cx.ps.thread(n).ok_or(STATUS_INVALID_HANDLE)?;
        if r.exit_status.is_some() {
            return Err(STATUS_THREAD_IS_TERMINATING);
        }
        let before = r.suspend_count;
        let mut release = Vec::new();
        if suspend {
            if r.number == own {
                return Err(STATUS_NOT_IMPLEMENTED);
            }
            if before >= MAXIMUM_SUSPEND_COUNT {
                return Err(STATUS_SUSPEND_COUNT_EXCEEDED);
            }
            r.suspend_count += 1;
            if before == 0 && !parked(r.number) {
                if let Some(tcb) = r.tcb {
                    r.tcb_stopped = sel4::tcb_suspend(tcb).is_ok();
                }
            }
        } else if before > 0 {
            r.suspend_count -= 1;
            if r.suspend_count == 0 {
                if r.tcb_stopped {
                    if let Some(tcb) = r.tcb {
                        let _ = sel4::tcb_resume(tcb);
                    }
                    r.tcb_stopped = false;
                }
                release = core::mem::take(&mut r.held);
            }
        }
        cx.ke.completed.extend(release);
        Ok(before)
    })();
    match r {
        Ok(before) => {
            if let Some(p) = previous {
                let _ = write_u32(&*cx.process, p.addr(), before);
            }
            Outcome::Reply(STATUS_SUCCESS)
        }
        Err(s) => Outcome::Reply(s),
    }
}
