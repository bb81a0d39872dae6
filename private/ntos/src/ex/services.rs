//! System services: the dispatcher generated from `ntsvc::for_each_service!` and one
//! handler per service.
//!
//! The dispatcher takes the arguments from the message words when the caller sent as
//! many as the service has parameters (at most `ntsvc::REGISTER_ARGS`), else reads the
//! argument block from the caller's TEB (through the shadow mapping); it turns every word into its checked kind (`handle`, `value(T)`, `in_ptr(T)`
//! → [`UserPtr`], …; a bad pointer answers the status Windows' probe gives before
//! any handler runs) and calls the handler. Handlers are plain functions; a service
//! that must wait returns `Outcome::Pending` and its caller is parked with an explicit
//! continuation (see `ke/mod.rs` for why not futures).
#![allow(non_snake_case)]

use super::kesvc::{self, EventOp, KeAnswer, KeState, Svc, SyncKind};
use super::obsvc::{self, NamedOp, ObState};
use super::timesvc;
use crate::hal::console;
use crate::ke::dispatcher::ThreadId;
use crate::ke::probe::{probe, UserPtr};
use crate::ob::Caller;
use crate::ps::ntprocess::NtProcess;
use alloc::string::String;
use alloc::vec;
use ntdef::status::{NtStatus, STATUS_ACCESS_VIOLATION, STATUS_SUCCESS};
pub use ntdef::status::{STATUS_INVALID_HANDLE, STATUS_INVALID_SYSTEM_SERVICE};
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};
use ntsvc::{ServiceWord, HANDLE, NT_CURRENT_THREAD};

/// A handle value as passed (validated by the handle table, once there is one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub usize);

/// What the executive does after a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Reply with this status.
    Reply(NtStatus),
    /// The calling process ends with this exit status (no reply).
    TerminateProcess(NtStatus),
    /// The caller waits (no reply now): `ex::kesvc` completes the wait later.
    Pending(crate::ke::dispatcher::WaitId),
    /// Another process (number `pid`) ends with `status`; the caller gets success.
    TerminateOther { pid: u32, status: NtStatus },
    /// Thread `number` ends with `status` (the caller itself: no reply; another
    /// thread: the caller gets success).
    TerminateThread { number: u32, status: NtStatus },
    /// Every thread of the caller's process but the caller ends with `status`
    /// (`NtTerminateProcess(NULL, …)`); the caller gets success.
    TerminateSiblings(NtStatus),
    /// The caller's queued user APCs are handed to ntdll (written to its TEB, see
    /// `ntsvc::apc`) with the reply `STATUS_USER_APC`; ntdll runs them and returns
    /// this status to the service's caller.
    DeliverApcs(NtStatus),
}

/// The caller of a service.
pub struct Context<'a> {
    pub process: &'a mut NtProcess,
    /// Every NT process (for services that name another one by handle): the caller's
    /// own cell is borrowed while it is served.
    pub others: &'a Processes,
    /// Processes a service made (the loop adds them to the others after it).
    pub spawned: &'a mut alloc::vec::Vec<(u32, NtProcess)>,
    /// The next process/thread number (`ps::cid`).
    pub next_number: &'a mut u32,
    /// The calling thread's TEB.
    pub teb: usize,
    pub ob: &'a mut ObState,
    /// The process's handle table and process/thread objects.
    pub caller: Caller,
    /// Dispatcher objects and waits (`ex::kesvc`).
    pub ke: &'a mut KeState,
    /// The calling thread.
    pub thread: ThreadId,
    /// Memory for the process's pages (`ex::vmsvc`).
    pub mm: &'a mut crate::mm::kobj::Mm,
    pub shadows: &'a mut crate::ps::ntprocess::Shadows,
    /// The registry (`ex::cmsvc`).
    pub cm: &'a mut super::cmsvc::CmState,
    /// Process records (`ex::pssvc`).
    pub ps: &'a mut super::pssvc::PsState,
    /// Whether thread number `n` is parked in a wait.
    pub parked: &'a dyn Fn(u32) -> bool,
    /// Sections and views (`ex::sectsvc`).
    pub sections: &'a mut super::sectsvc::SectionState,
}

/// The NT processes, each in a cell (`Context::others`).
pub type Processes = alloc::collections::BTreeMap<u32, core::cell::RefCell<NtProcess>>;

/// Another live process of `others`, borrowed from its cell
/// (`STATUS_PROCESS_IS_TERMINATING` once it is gone; the caller's own cell is borrowed
/// already while it is served).
pub fn borrow_other(
    others: &Processes,
    pid: u32,
) -> Result<core::cell::RefMut<'_, NtProcess>, NtStatus> {
    others
        .get(&pid)
        .and_then(|c| c.try_borrow_mut().ok())
        .ok_or(ntdef::status::STATUS_PROCESS_IS_TERMINATING)
}

macro_rules! param {
    ($w:expr, handle) => {
        Ok::<Handle, NtStatus>(Handle($w))
    };
    ($w:expr, value, $t:ty) => {
        Ok::<$t, NtStatus>(<$t as ServiceWord>::from_word($w))
    };
    ($w:expr, in_ptr, $t:ty) => {
        UserPtr::<$t>::required($w)
    };
    ($w:expr, out_ptr, $t:ty) => {
        UserPtr::<$t>::required($w)
    };
    ($w:expr, opt_out_ptr, $t:ty) => {
        UserPtr::<$t>::optional($w)
    };
    ($w:expr, opt_in_ptr, $t:ty) => {
        UserPtr::<$t>::optional($w)
    };
    ($w:expr, out_buf) => {
        Ok::<usize, NtStatus>($w)
    };
    ($w:expr, in_buf) => {
        Ok::<usize, NtStatus>($w)
    };
}

macro_rules! dispatcher {
    ($($num:literal $nt:ident $zw:ident ($($p:ident : $kind:ident $(($ty:ty))?),*);)*) => {
        /// Runs service `number` for the caller, whose message words were `message`.
        pub fn dispatch(cx: &mut Context<'_>, number: usize, message: &[usize]) -> Outcome {
            match number {
                $($num => {
                    // The parameter count is a constant of the arm: no table read, and
                    // a fixed-size copy of the message words.
                    const COUNT: usize = <[&str]>::len(&[$(stringify!($p)),*]);
                    let words = match arguments(cx.process, cx.teb, COUNT, message) {
                        Ok(w) => w,
                        Err(s) => return Outcome::Reply(s),
                    };
                    let mut _words = words.iter().copied();
                    // Arguments are checked in order; the first bad one answers.
                    $nt(cx, $(
                        match param!(_words.next().unwrap_or(0), $kind $(, $ty)?) {
                            Ok(v) => v,
                            Err(s) => {
                                let _ = stringify!($p);
                                return Outcome::Reply(s);
                            }
                        }
                    ),*)
                })*
                // As for any service, a caller that sent no words must have a readable
                // argument block.
                _ => Outcome::Reply(match arguments(cx.process, cx.teb, 0, message) {
                    Ok(_) => STATUS_INVALID_SYSTEM_SERVICE,
                    Err(s) => s,
                }),
            }
        }
    };
}

ntsvc::for_each_service!(dispatcher);

/// The arguments of a service with `count` parameters: the message words if they are
/// exactly that many and fit the registers (ntdll's stubs send them so), else the
/// words of the TEB's argument block (stubs of services with more parameters, or a
/// caller that sent no words).
const _: () = assert!(
    ntsvc::REGISTER_ARGS == sel4::NUM_MSG_REGISTERS,
    "ntdll passes arguments in every register message word, and only those"
);

#[inline(always)]
fn arguments(
    process: &NtProcess,
    teb: usize,
    count: usize,
    message: &[usize],
) -> Result<[usize; ntsvc::MAX_ARGS], NtStatus> {
    if message.len() == count && count <= ntsvc::REGISTER_ARGS {
        let mut words = [0; ntsvc::MAX_ARGS];
        for (w, &m) in words.iter_mut().zip(message) {
            *w = m;
        }
        return Ok(words);
    }
    process.service_arguments(teb, count)
}

fn reply(r: Result<(), NtStatus>) -> Outcome {
    Outcome::Reply(NtStatus::from_result(r))
}

/// Closes a handle of the caller's table (pseudo-handles: `STATUS_INVALID_HANDLE`;
/// protected from close: `STATUS_HANDLE_NOT_CLOSABLE`).
fn NtClose(cx: &mut Context<'_>, handle: Handle) -> Outcome {
    Outcome::Reply(obsvc::close(cx.ob, &cx.caller, handle.0))
}

#[allow(clippy::too_many_arguments)]
fn NtDuplicateObject(
    cx: &mut Context<'_>,
    source_process: Handle,
    source: Handle,
    target_process: Handle,
    target: Option<UserPtr<HANDLE>>,
    desired: u32,
    attributes: u32,
    options: u32,
) -> Outcome {
    // Another process's handle table, through its record and cell.
    let (ps, others) = (&*cx.ps, cx.others);
    let table_of = |object: crate::ob::ObjectId| {
        let pid = ps.process_by_object(object)?;
        let p = others.get(&pid)?.try_borrow().ok()?;
        p.ob.map(|id| id.caller.table)
    };
    Outcome::Reply(obsvc::duplicate_object(
        cx.ob,
        &cx.caller,
        cx.process,
        &table_of,
        source_process.0,
        source.0,
        target_process.0,
        target,
        desired,
        attributes,
        options,
    ))
}

fn NtCreateDirectoryObject(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    let op = NamedOp::CreateDirectory;
    Outcome::Reply(obsvc::named(
        cx.ob, &cx.caller, cx.process, op, out, desired, attributes,
    ))
}

fn NtOpenDirectoryObject(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    let op = NamedOp::OpenDirectory;
    Outcome::Reply(obsvc::named(
        cx.ob, &cx.caller, cx.process, op, out, desired, attributes,
    ))
}

#[allow(clippy::too_many_arguments)]
fn NtQueryDirectoryObject(
    cx: &mut Context<'_>,
    handle: Handle,
    buffer: usize,
    length: u32,
    single: u8,
    restart: u8,
    context: UserPtr<u32>,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    Outcome::Reply(obsvc::query_directory(
        cx.ob, &cx.caller, cx.process, handle.0, buffer, length, single, restart, context, returned,
    ))
}

fn NtCreateSymbolicLinkObject(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    target: UserPtr<UNICODE_STRING>,
) -> Outcome {
    Outcome::Reply(obsvc::create_symbolic_link(
        cx.ob, &cx.caller, cx.process, out, desired, attributes, target,
    ))
}

fn NtOpenSymbolicLinkObject(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    let op = NamedOp::OpenSymbolicLink;
    Outcome::Reply(obsvc::named(
        cx.ob, &cx.caller, cx.process, op, out, desired, attributes,
    ))
}

fn NtQuerySymbolicLinkObject(
    cx: &mut Context<'_>,
    handle: Handle,
    target: UserPtr<UNICODE_STRING>,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    Outcome::Reply(obsvc::query_symbolic_link(
        cx.ob, &cx.caller, cx.process, handle.0, target, returned,
    ))
}

fn NtMakeTemporaryObject(cx: &mut Context<'_>, handle: Handle) -> Outcome {
    Outcome::Reply(obsvc::make_temporary(cx.ob, &cx.caller, handle.0))
}

fn NtQueryObject(
    cx: &mut Context<'_>,
    handle: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    Outcome::Reply(obsvc::query_object(
        cx.ob, &cx.caller, cx.process, handle.0, class, buffer, length, returned,
    ))
}

/// Prints the string on the consoles (serial and VGA), as Windows shows it on the boot
/// screen.
fn NtDisplayString(cx: &mut Context<'_>, string: UserPtr<UNICODE_STRING>) -> Outcome {
    reply(display_string(cx.process, string))
}

fn display_string(p: &NtProcess, string: UserPtr<UNICODE_STRING>) -> Result<(), NtStatus> {
    let mut raw = [0u8; size_of::<UNICODE_STRING>()];
    p.read(string.addr(), &mut raw)?;
    let length = usize::from(u16::from_le_bytes([raw[0], raw[1]]));
    let buffer_at = size_of::<usize>();
    let buffer = usize::from_le_bytes(
        raw[buffer_at..buffer_at + size_of::<usize>()]
            .try_into()
            .map_err(|_| STATUS_ACCESS_VIOLATION)?,
    );
    // The probe of the captured buffer: WCHAR-aligned, in user space.
    probe(buffer, length, 2)?;
    let mut bytes = vec![0u8; length & !1];
    p.read(buffer, &mut bytes)?;
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    console::print(format_args!("{text}"));
    Ok(())
}

/// A process handle (`PROCESS_TERMINATE`): the caller's own process ends without a
/// reply; another process ends with `status` (waiters on it wake, its exit status is
/// queryable) and the caller gets success. `NULL` means "every other thread of the
/// current process" (the caller goes on).
fn NtTerminateProcess(cx: &mut Context<'_>, process: Handle, status: NtStatus) -> Outcome {
    if process.0 == 0 {
        return Outcome::TerminateSiblings(status);
    }
    super::threadsvc::terminate(cx, process.0, false, status)
}

/// A thread handle (`THREAD_TERMINATE`); `NULL` is the current thread. A process
/// ends when its last thread does, with that thread's exit status.
fn NtTerminateThread(cx: &mut Context<'_>, thread: Handle, status: NtStatus) -> Outcome {
    if thread.0 == 0 || thread.0 == NT_CURRENT_THREAD {
        return Outcome::TerminateThread {
            number: cx.thread.0 as u32,
            status,
        };
    }
    super::threadsvc::terminate(cx, thread.0, true, status)
}

const _: () = assert!(size_of::<HANDLE>() == size_of::<usize>());

// ----- dispatcher objects and waits (ex::kesvc) ------------------------------------

fn ke<'a>(cx: &'a mut Context<'_>) -> Svc<'a, NtProcess> {
    Svc {
        ob: cx.ob,
        ke: cx.ke,
        caller: &cx.caller,
        mem: cx.process,
        thread: cx.thread,
    }
}

impl From<KeAnswer> for Outcome {
    fn from(a: KeAnswer) -> Self {
        match a {
            // An alertable wait that ended for user APCs delivers them.
            KeAnswer::Now(s) if s == ntdef::status::STATUS_USER_APC => Outcome::DeliverApcs(s),
            KeAnswer::Now(s) => Outcome::Reply(s),
            KeAnswer::Pending(id) => Outcome::Pending(id),
        }
    }
}

fn NtCreateEvent(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    event_type: u32,
    initial: u8,
) -> Outcome {
    match kesvc::make_event(event_type, initial) {
        Ok(make) => ke(cx)
            .create(SyncKind::Event, out, desired, attributes, make)
            .into(),
        Err(s) => Outcome::Reply(s),
    }
}

fn NtOpenEvent(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    ke(cx)
        .open(SyncKind::Event, out, desired, attributes)
        .into()
}

fn NtSetEvent(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<i32>>) -> Outcome {
    ke(cx).event_op(h.0, EventOp::Set, previous).into()
}

fn NtResetEvent(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<i32>>) -> Outcome {
    ke(cx).event_op(h.0, EventOp::Reset, previous).into()
}

fn NtClearEvent(cx: &mut Context<'_>, h: Handle) -> Outcome {
    ke(cx).event_op(h.0, EventOp::Clear, None).into()
}

fn NtPulseEvent(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<i32>>) -> Outcome {
    ke(cx).event_op(h.0, EventOp::Pulse, previous).into()
}

fn NtQueryEvent(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    ke(cx)
        .query(SyncKind::Event, h.0, class, buffer, length, returned)
        .into()
}

fn NtCreateSemaphore(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    initial: i32,
    maximum: i32,
) -> Outcome {
    ke(cx)
        .create(SyncKind::Semaphore, out, desired, attributes, |d, _| {
            d.create_semaphore(initial, maximum)
        })
        .into()
}

fn NtOpenSemaphore(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    ke(cx)
        .open(SyncKind::Semaphore, out, desired, attributes)
        .into()
}

fn NtReleaseSemaphore(
    cx: &mut Context<'_>,
    h: Handle,
    count: i32,
    previous: Option<UserPtr<i32>>,
) -> Outcome {
    ke(cx).release_semaphore(h.0, count, previous).into()
}

fn NtQuerySemaphore(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    ke(cx)
        .query(SyncKind::Semaphore, h.0, class, buffer, length, returned)
        .into()
}

fn NtCreateMutant(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    initial_owner: u8,
) -> Outcome {
    ke(cx)
        .create(SyncKind::Mutant, out, desired, attributes, |d, t| {
            d.create_mutant((initial_owner != 0).then_some(t))
        })
        .into()
}

fn NtOpenMutant(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    ke(cx)
        .open(SyncKind::Mutant, out, desired, attributes)
        .into()
}

fn NtReleaseMutant(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<i32>>) -> Outcome {
    ke(cx).release_mutant(h.0, previous).into()
}

fn NtQueryMutant(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    ke(cx)
        .query(SyncKind::Mutant, h.0, class, buffer, length, returned)
        .into()
}

fn NtCreateTimer(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    timer_type: u32,
) -> Outcome {
    match kesvc::make_timer(timer_type) {
        Ok(make) => ke(cx)
            .create(SyncKind::Timer, out, desired, attributes, make)
            .into(),
        Err(s) => Outcome::Reply(s),
    }
}

fn NtOpenTimer(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    ke(cx)
        .open(SyncKind::Timer, out, desired, attributes)
        .into()
}

#[allow(clippy::too_many_arguments)]
fn NtSetTimer(
    cx: &mut Context<'_>,
    h: Handle,
    due: UserPtr<i64>,
    apc: usize,
    context: usize,
    _resume: u8,
    period: i32,
    previous: Option<UserPtr<u8>>,
) -> Outcome {
    ke(cx)
        .set_timer(h.0, due, apc, context, period, previous)
        .into()
}

fn NtCancelTimer(cx: &mut Context<'_>, h: Handle, current: Option<UserPtr<u8>>) -> Outcome {
    ke(cx).cancel_timer(h.0, current).into()
}

fn NtQueryTimer(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    ke(cx)
        .query_timer(h.0, class, buffer, length, returned)
        .into()
}

fn NtWaitForSingleObject(
    cx: &mut Context<'_>,
    h: Handle,
    alertable: u8,
    timeout: Option<UserPtr<i64>>,
) -> Outcome {
    ke(cx).wait_single(h.0, alertable, timeout).into()
}

fn NtWaitForMultipleObjects(
    cx: &mut Context<'_>,
    count: u32,
    handles: usize,
    wait_type: u32,
    alertable: u8,
    timeout: Option<UserPtr<i64>>,
) -> Outcome {
    ke(cx)
        .wait_multiple(count, handles, wait_type, alertable, timeout)
        .into()
}

fn NtSignalAndWaitForSingleObject(
    cx: &mut Context<'_>,
    signal: Handle,
    wait_on: Handle,
    alertable: u8,
    timeout: Option<UserPtr<i64>>,
) -> Outcome {
    ke(cx)
        .signal_and_wait(signal.0, wait_on.0, alertable, timeout)
        .into()
}

/// The reply itself lets the scheduler run whoever is ready; there is nothing else to
/// give up, so this is always `STATUS_SUCCESS`.
fn NtYieldExecution(_cx: &mut Context<'_>) -> Outcome {
    Outcome::Reply(STATUS_SUCCESS)
}

fn NtDelayExecution(cx: &mut Context<'_>, alertable: u8, interval: UserPtr<i64>) -> Outcome {
    ke(cx).delay(alertable, interval).into()
}

// ----- user APCs and alerts (ex::apcsvc) ---------------------------------------------

fn NtQueueApcThread(
    cx: &mut Context<'_>,
    thread: Handle,
    routine: usize,
    argument1: usize,
    argument2: usize,
    argument3: usize,
) -> Outcome {
    super::apcsvc::queue_apc_thread(cx, thread.0, routine, [argument1, argument2, argument3])
}

fn NtTestAlert(cx: &mut Context<'_>) -> Outcome {
    super::apcsvc::test_alert(cx)
}

fn NtAlertThread(cx: &mut Context<'_>, thread: Handle) -> Outcome {
    super::apcsvc::alert_thread(cx, thread.0)
}

fn NtAlertResumeThread(
    cx: &mut Context<'_>,
    thread: Handle,
    previous: Option<UserPtr<u32>>,
) -> Outcome {
    super::apcsvc::alert_resume_thread(cx, thread.0, previous)
}

// ----- virtual memory (ex::vmsvc) ----------------------------------------------------

/// Runs VM service `f` on the process `process` names (the caller's own, or another
/// one through a handle granting `access`).
fn with_vm(
    cx: &mut Context<'_>,
    process: usize,
    access: u32,
    f: impl FnOnce(&mut super::vmsvc::Vm<'_>) -> NtStatus,
) -> Outcome {
    let pid = if process == ntsvc::NT_CURRENT_PROCESS {
        cx.process.pid
    } else {
        match super::pssvc::process_of_handle(cx, process, access) {
            Ok(pid) => pid,
            Err(s) => return Outcome::Reply(s),
        }
    };
    if pid == cx.process.pid {
        return Outcome::Reply(f(&mut super::vmsvc::Vm {
            p: cx.process,
            target: None,
            mm: cx.mm,
            shadows: cx.shadows,
        }));
    }
    // An ended process keeps its object (and record) but has no memory any more.
    let mut other = match borrow_other(cx.others, pid) {
        Ok(p) => p,
        Err(s) => return Outcome::Reply(s),
    };
    Outcome::Reply(f(&mut super::vmsvc::Vm {
        p: cx.process,
        target: Some(&mut other),
        mm: cx.mm,
        shadows: cx.shadows,
    }))
}

fn NtAllocateVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    base: UserPtr<usize>,
    zero_bits: usize,
    size: UserPtr<usize>,
    alloc_type: u32,
    protect: u32,
) -> Outcome {
    // A commit inside a section view is the section's (every view sees it).
    let (b, s) = (base.addr(), size.addr());
    if let Some(status) = super::sectsvc::commit_in_view(cx, process.0, b, s, alloc_type, protect) {
        return Outcome::Reply(status);
    }
    with_vm(cx, process.0, super::vmsvc::PROCESS_VM_OPERATION, |vm| {
        vm.allocate(base, zero_bits, size, alloc_type, protect)
    })
}

fn NtFreeVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    base: UserPtr<usize>,
    size: UserPtr<usize>,
    free_type: u32,
) -> Outcome {
    with_vm(cx, process.0, super::vmsvc::PROCESS_VM_OPERATION, |vm| {
        vm.free(base, size, free_type)
    })
}

fn NtQueryVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    addr: usize,
    class: u32,
    buffer: usize,
    length: usize,
    returned: Option<UserPtr<usize>>,
) -> Outcome {
    with_vm(
        cx,
        process.0,
        super::vmsvc::PROCESS_QUERY_INFORMATION,
        |vm| vm.query(addr, class, buffer, length, returned),
    )
}

fn NtProtectVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    base: UserPtr<usize>,
    size: UserPtr<usize>,
    new: u32,
    old: UserPtr<u32>,
) -> Outcome {
    with_vm(cx, process.0, super::vmsvc::PROCESS_VM_OPERATION, |vm| {
        vm.protect(base, size, new, old)
    })
}

fn NtReadVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    addr: usize,
    buffer: usize,
    size: usize,
    done: Option<UserPtr<usize>>,
) -> Outcome {
    with_vm(cx, process.0, super::vmsvc::PROCESS_VM_READ, |vm| {
        vm.copy_virtual(addr, buffer, size, true, done)
    })
}

fn NtWriteVirtualMemory(
    cx: &mut Context<'_>,
    process: Handle,
    addr: usize,
    buffer: usize,
    size: usize,
    done: Option<UserPtr<usize>>,
) -> Outcome {
    with_vm(cx, process.0, super::vmsvc::PROCESS_VM_WRITE, |vm| {
        vm.copy_virtual(addr, buffer, size, false, done)
    })
}

// ----- time (ex::timesvc) -------------------------------------------------------------

/// `SystemProcessInformation`: answered by `ex::psinfosvc` (it needs the process
/// records); every other class by `ex::sysinfo`.
const SYSTEM_PROCESS_INFORMATION: u32 = 5;

fn NtQuerySystemInformation(
    cx: &mut Context<'_>,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    if class == SYSTEM_PROCESS_INFORMATION {
        return Outcome::Reply(super::psinfosvc::system_processes(
            cx, buffer, length, returned,
        ));
    }
    let facts = super::sysinfo::Facts {
        available_pages: cx
            .mm
            .untyped
            .free_bytes(crate::mm::untyped::MemoryKind::Ram)
            / 4096,
        archive: super::init::BOOT_ARCHIVE,
        image: super::init::executive_image(),
    };
    Outcome::Reply(super::sysinfo::query(
        &*cx.process,
        cx.ke.now,
        &facts,
        class,
        buffer,
        length,
        returned,
    ))
}

fn NtQuerySystemTime(cx: &mut Context<'_>, out: UserPtr<i64>) -> Outcome {
    Outcome::Reply(timesvc::query_system_time(&*cx.process, cx.ke.now, out))
}

fn NtQueryPerformanceCounter(
    cx: &mut Context<'_>,
    counter: UserPtr<i64>,
    frequency: Option<UserPtr<i64>>,
) -> Outcome {
    let now = cx.ke.now;
    Outcome::Reply(timesvc::query_performance_counter(
        &*cx.process,
        now,
        counter,
        frequency,
    ))
}

fn NtQueryTimerResolution(
    cx: &mut Context<'_>,
    maximum: UserPtr<u32>,
    minimum: UserPtr<u32>,
    current: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(timesvc::query_timer_resolution(
        &*cx.process,
        maximum,
        minimum,
        current,
    ))
}

fn NtSetTimerResolution(
    cx: &mut Context<'_>,
    desired: u32,
    set: u8,
    actual: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(timesvc::set_timer_resolution(
        &*cx.process,
        desired,
        set,
        actual,
    ))
}

// ----- processes and threads (ex::pssvc) ----------------------------------------------

fn NtOpenProcess(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    client_id: Option<UserPtr<ntsvc::CLIENT_ID>>,
) -> Outcome {
    super::pssvc::open(cx, false, out, desired, attributes, client_id)
}

fn NtOpenThread(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    client_id: Option<UserPtr<ntsvc::CLIENT_ID>>,
) -> Outcome {
    super::pssvc::open(cx, true, out, desired, attributes, client_id)
}

fn NtQueryInformationProcess(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    super::pssvc::query(cx, false, h.0, class, buffer, length, returned)
}

fn NtQueryInformationThread(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> Outcome {
    super::pssvc::query(cx, true, h.0, class, buffer, length, returned)
}

fn NtSetInformationProcess(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
) -> Outcome {
    super::psinfosvc::set(cx, false, h.0, class, buffer, length)
}

fn NtSetInformationThread(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
) -> Outcome {
    super::psinfosvc::set(cx, true, h.0, class, buffer, length)
}

fn NtSuspendThread(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<u32>>) -> Outcome {
    super::pssvc::suspend_resume(cx, h.0, true, previous)
}

fn NtResumeThread(cx: &mut Context<'_>, h: Handle, previous: Option<UserPtr<u32>>) -> Outcome {
    super::pssvc::suspend_resume(cx, h.0, false, previous)
}

// ----- registry (ex::cmsvc) ------------------------------------------------------------

fn cm<'a>(cx: &'a mut Context<'_>) -> super::cmsvc::Cm<'a, NtProcess> {
    super::cmsvc::Cm {
        cm: cx.cm,
        ob: cx.ob,
        caller: &cx.caller,
        mem: cx.process,
        now: cx.ke.now,
    }
}

#[allow(clippy::too_many_arguments)]
fn NtCreateKey(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    title_index: u32,
    class: Option<UserPtr<UNICODE_STRING>>,
    options: u32,
    disposition: Option<UserPtr<u32>>,
) -> Outcome {
    Outcome::Reply(cm(cx).create(
        out,
        desired,
        attributes,
        title_index,
        class,
        options,
        disposition,
    ))
}

fn NtOpenKey(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    Outcome::Reply(cm(cx).open(out, desired, attributes))
}

fn NtSetValueKey(
    cx: &mut Context<'_>,
    h: Handle,
    name: UserPtr<UNICODE_STRING>,
    title_index: u32,
    ty: u32,
    data: usize,
    size: u32,
) -> Outcome {
    Outcome::Reply(cm(cx).set_value(h.0, name, title_index, ty, data, size))
}

fn NtQueryValueKey(
    cx: &mut Context<'_>,
    h: Handle,
    name: UserPtr<UNICODE_STRING>,
    class: u32,
    buffer: usize,
    length: u32,
    result: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(cm(cx).query_value(h.0, name, class, buffer, length, result))
}

fn NtEnumerateKey(
    cx: &mut Context<'_>,
    h: Handle,
    index: u32,
    class: u32,
    buffer: usize,
    length: u32,
    result: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(cm(cx).enumerate_key(h.0, index, class, buffer, length, result))
}

fn NtEnumerateValueKey(
    cx: &mut Context<'_>,
    h: Handle,
    index: u32,
    class: u32,
    buffer: usize,
    length: u32,
    result: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(cm(cx).enumerate_value(h.0, index, class, buffer, length, result))
}

fn NtQueryKey(
    cx: &mut Context<'_>,
    h: Handle,
    class: u32,
    buffer: usize,
    length: u32,
    result: UserPtr<u32>,
) -> Outcome {
    Outcome::Reply(cm(cx).query_key(h.0, class, buffer, length, result))
}

fn NtDeleteKey(cx: &mut Context<'_>, h: Handle) -> Outcome {
    Outcome::Reply(cm(cx).delete_key(h.0))
}

fn NtDeleteValueKey(cx: &mut Context<'_>, h: Handle, name: UserPtr<UNICODE_STRING>) -> Outcome {
    Outcome::Reply(cm(cx).delete_value(h.0, name))
}

fn NtFlushKey(cx: &mut Context<'_>, h: Handle) -> Outcome {
    Outcome::Reply(cm(cx).flush_key(h.0))
}

// ----- thread creation (ex::threadsvc) ----------------------------------------------

#[allow(clippy::too_many_arguments)]
fn NtCreateThread(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process: Handle,
    client_id: Option<UserPtr<ntsvc::CLIENT_ID>>,
    context: usize,
    initial_teb: usize,
    suspended: u8,
) -> Outcome {
    super::threadsvc::create_thread(
        cx,
        out,
        desired,
        attributes,
        process.0,
        client_id,
        context,
        initial_teb,
        suspended,
    )
}

#[allow(clippy::too_many_arguments)]
fn NtCreateThreadEx(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process: Handle,
    routine: usize,
    argument: usize,
    flags: u32,
    zero_bits: usize,
    stack_size: usize,
    maximum_stack_size: usize,
    attribute_list: usize,
) -> Outcome {
    super::threadsvc::create_thread_ex(
        cx,
        out,
        desired,
        attributes,
        process.0,
        routine,
        argument,
        flags,
        zero_bits,
        stack_size,
        maximum_stack_size,
        attribute_list,
    )
}

// ----- process creation (ex::procsvc) -----------------------------------------------

#[allow(clippy::too_many_arguments)]
fn NtCreateUserProcess(
    cx: &mut Context<'_>,
    process_out: UserPtr<HANDLE>,
    thread_out: UserPtr<HANDLE>,
    process_access: u32,
    thread_access: u32,
    process_attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    thread_attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process_flags: u32,
    thread_flags: u32,
    parameters: usize,
    create_info: usize,
    attribute_list: usize,
) -> Outcome {
    super::procsvc::create_user_process(
        cx,
        process_out,
        thread_out,
        process_access,
        thread_access,
        process_attributes,
        thread_attributes,
        process_flags,
        thread_flags,
        parameters,
        create_info,
        attribute_list,
    )
}

// ----- keyed events (ex::keyedsvc) -------------------------------------------------------

fn NtCreateKeyedEvent(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    flags: u32,
) -> Outcome {
    ke(cx).create_keyed(out, desired, attributes, flags).into()
}

fn NtOpenKeyedEvent(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    ke(cx).open_keyed(out, desired, attributes).into()
}

fn NtReleaseKeyedEvent(
    cx: &mut Context<'_>,
    h: Handle,
    key: usize,
    alertable: u8,
    timeout: Option<UserPtr<i64>>,
) -> Outcome {
    ke(cx).keyed(h.0, key, alertable, timeout, true).into()
}

fn NtWaitForKeyedEvent(
    cx: &mut Context<'_>,
    h: Handle,
    key: usize,
    alertable: u8,
    timeout: Option<UserPtr<i64>>,
) -> Outcome {
    ke(cx).keyed(h.0, key, alertable, timeout, false).into()
}

// ----- sections (ex::sectsvc) ----------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn NtCreateSection(
    cx: &mut Context<'_>,
    out: usize,
    desired: u32,
    attributes: usize,
    max_size: usize,
    protect: u32,
    alloc_attributes: u32,
    file: Handle,
) -> Outcome {
    Outcome::Reply(super::sectsvc::create(
        cx,
        out,
        desired,
        attributes,
        max_size,
        protect,
        alloc_attributes,
        file.0,
    ))
}

fn NtOpenSection(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> Outcome {
    Outcome::Reply(super::sectsvc::open(cx, out, desired, attributes))
}

#[allow(clippy::too_many_arguments)]
fn NtMapViewOfSection(
    cx: &mut Context<'_>,
    section: Handle,
    process: Handle,
    base: usize,
    zero_bits: usize,
    commit: usize,
    offset: usize,
    view_size: usize,
    inherit: u32,
    alloc_type: u32,
    protect: u32,
) -> Outcome {
    let args = super::sectsvc::MapArgs {
        section: section.0,
        process: process.0,
        base,
        zero_bits,
        commit,
        offset,
        view_size,
        inherit,
        alloc_type,
        protect,
    };
    Outcome::Reply(super::sectsvc::map_view(cx, &args))
}

fn NtUnmapViewOfSection(cx: &mut Context<'_>, process: Handle, base: usize) -> Outcome {
    Outcome::Reply(super::sectsvc::unmap_view(cx, process.0, base))
}

fn NtQuerySection(
    cx: &mut Context<'_>,
    section: Handle,
    class: u32,
    buffer: usize,
    length: usize,
    returned: usize,
) -> Outcome {
    Outcome::Reply(super::sectsvc::query(
        cx, section.0, class, buffer, length, returned,
    ))
}

fn NtExtendSection(cx: &mut Context<'_>, section: Handle, size: UserPtr<i64>) -> Outcome {
    Outcome::Reply(super::sectsvc::extend(cx, section.0, size))
}
