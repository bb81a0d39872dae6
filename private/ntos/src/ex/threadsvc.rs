//! Thread creation: `NtCreateThreadEx` (a routine and its argument; the executive
//! makes the stack) and `NtCreateThread` (the caller's `CONTEXT` and `INITIAL_TEB`),
//! in the calling process or another one it holds `PROCESS_CREATE_THREAD` on.
//!
//! A new thread is a TCB and a small CNode of its own (its badged endpoint
//! capabilities name it: the badge is its number), sharing its process's VSpace; its
//! TEB sits at its IPC buffer (`ps::ntprocess`). Routine threads start in ntdll's
//! `RtlUserThreadStart(routine, argument)`, which calls the routine and ends the
//! thread with its result, as Windows starts them.
//!
//! Order of checks (ReactOS `NtCreateThread` / `NtCreateThreadEx` in `ps/thread.c`
//! and Windows' documented behaviour): pointers are probed first (the dispatcher
//! probes `ThreadHandle`; `CONTEXT` / `INITIAL_TEB` are probed for reading with
//! 4-byte alignment, a NULL `ThreadContext` is `STATUS_INVALID_PARAMETER`), then the
//! flags, then the process handle and its right, then the thread is made.

use alloc::vec::Vec;

use super::obsvc::{capture_attributes, return_handle, word_at};
use super::pssvc;
use super::services::{Context, Outcome};
use crate::ke::probe::{probe, UserPtr};
use crate::ob::handle::HandleAttributes;
use crate::ps::cid;
use crate::ps::ntprocess::{NtProcess, ThreadStart};
use crate::ps::teb::StackInfo;
use ntdef::status::{
    NtStatus, STATUS_INVALID_PARAMETER, STATUS_NOT_SUPPORTED, STATUS_PROCESS_IS_TERMINATING,
};
use ntdef::types::OBJECT_ATTRIBUTES;
use ntsvc::{CLIENT_ID, HANDLE, NT_CURRENT_PROCESS};
use sel4::UserContext;

const WORD: usize = size_of::<usize>();

/// `PROCESS_CREATE_THREAD` (winnt.h).
pub const PROCESS_CREATE_THREAD: u32 = 0x0002;

/// `THREAD_CREATE_FLAGS_*` (ntpsapi.h, as published by the NT headers of
/// Process Hacker / phnt): create suspended, skip thread attach, hide from the
/// debugger, loader worker, skip loader init, bypass process freeze.
pub const THREAD_CREATE_FLAGS_CREATE_SUSPENDED: u32 = 0x0000_0001;
const THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH: u32 = 0x0000_0002;
pub const THREAD_CREATE_FLAGS_VALID: u32 = 0x0000_00FF;

/// `PS_ATTRIBUTE` numbers with `PS_ATTRIBUTE_THREAD` (0x10000): the new thread's
/// `CLIENT_ID` and TEB address, written back if asked for (phnt `ntpsapi.h`).
const PS_ATTRIBUTE_CLIENT_ID: usize = 0x0001_0003;
const PS_ATTRIBUTE_TEB_ADDRESS: usize = 0x0001_0004;
/// Most `PS_ATTRIBUTE` entries looked at.
const MAX_ATTRIBUTES: usize = 32;

/// `sizeof(CONTEXT)` (winnt.h): 0x4D0 on x64, 0x2CC on x86.
#[cfg(target_pointer_width = "64")]
pub const CONTEXT_SIZE: usize = 0x4D0;
#[cfg(target_pointer_width = "32")]
pub const CONTEXT_SIZE: usize = 0x2CC;
/// `sizeof(INITIAL_TEB)`: five pointers.
const INITIAL_TEB_SIZE: usize = 5 * WORD;

/// Where each register lives in `CONTEXT` (winnt.h, `_CONTEXT` for AMD64 / x86).
#[cfg(target_pointer_width = "64")]
mod context {
    pub const EFLAGS: usize = 0x44;
    pub const RAX: usize = 0x78;
    pub const RCX: usize = 0x80;
    pub const RDX: usize = 0x88;
    pub const RBX: usize = 0x90;
    pub const RSP: usize = 0x98;
    pub const RBP: usize = 0xA0;
    pub const RSI: usize = 0xA8;
    pub const RDI: usize = 0xB0;
    pub const R8: usize = 0xB8;
    pub const RIP: usize = 0xF8;
}
#[cfg(target_pointer_width = "32")]
mod context {
    pub const EDI: usize = 0x9C;
    pub const ESI: usize = 0xA0;
    pub const EBX: usize = 0xA4;
    pub const EDX: usize = 0xA8;
    pub const ECX: usize = 0xAC;
    pub const EAX: usize = 0xB0;
    pub const EBP: usize = 0xB4;
    pub const EIP: usize = 0xB8;
    pub const EFLAGS: usize = 0xC0;
    pub const ESP: usize = 0xC4;
}

/// The interrupt flag (and the always-one bit 1): what user code runs with.
const USER_FLAGS: usize = 0x202;
/// Arithmetic and direction flags a program may set.
const FLAGS_MASK: usize = 0xCD5;

/// The registers a `CONTEXT` asks for (control and integer registers; segment,
/// debug and floating-point state are the thread's defaults).
pub fn registers_from_context(raw: &[u8]) -> UserContext {
    let mut r = UserContext::default();
    #[cfg(target_pointer_width = "64")]
    {
        use context::*;
        r.rip = word_at(raw, RIP);
        r.rsp = word_at(raw, RSP);
        r.rax = word_at(raw, RAX);
        r.rbx = word_at(raw, RBX);
        r.rcx = word_at(raw, RCX);
        r.rdx = word_at(raw, RDX);
        r.rsi = word_at(raw, RSI);
        r.rdi = word_at(raw, RDI);
        r.rbp = word_at(raw, RBP);
        let r8 = |i: usize| word_at(raw, R8 + i * WORD);
        (r.r8, r.r9, r.r10, r.r11) = (r8(0), r8(1), r8(2), r8(3));
        (r.r12, r.r13, r.r14, r.r15) = (r8(4), r8(5), r8(6), r8(7));
        r.rflags = USER_FLAGS | (u32_at(raw, EFLAGS) as usize & FLAGS_MASK);
    }
    #[cfg(target_pointer_width = "32")]
    {
        use context::*;
        r.eip = word_at(raw, EIP);
        r.esp = word_at(raw, ESP);
        r.eax = word_at(raw, EAX);
        r.ebx = word_at(raw, EBX);
        r.ecx = word_at(raw, ECX);
        r.edx = word_at(raw, EDX);
        r.esi = word_at(raw, ESI);
        r.edi = word_at(raw, EDI);
        r.ebp = word_at(raw, EBP);
        r.eflags = USER_FLAGS | (word_at(raw, EFLAGS) & FLAGS_MASK);
    }
    r
}

#[cfg(target_pointer_width = "64")]
fn u32_at(raw: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = raw.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

/// A created thread, for the service to report.
struct Created {
    handle: crate::ob::Handle,
    number: u32,
    pid: u32,
    teb: usize,
}

/// Makes thread `start` in the process `process` names (checked for
/// `PROCESS_CREATE_THREAD`) and a handle to it in the caller's table.
fn create(
    cx: &mut Context<'_>,
    process: usize,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    start: ThreadStart,
    start_address: usize,
    suspended: bool,
) -> Result<Created, NtStatus> {
    let attrs = match attributes {
        Some(a) => capture_attributes(&*cx.process, a)?.attributes,
        None => 0,
    };
    let own = cx.process.pid;
    let pid = if process == NT_CURRENT_PROCESS {
        own
    } else {
        pssvc::process_of_handle(cx, process, PROCESS_CREATE_THREAD)?
    };
    let running = cx.ps.by_pid(pid).is_some_and(|r| r.exit_status.is_none());
    let mut other = None;
    let target: &mut NtProcess = if pid == own {
        cx.process
    } else {
        &mut *other.insert(super::services::borrow_other(cx.others, pid)?)
    };
    if !running {
        return Err(STATUS_PROCESS_IS_TERMINATING);
    }
    if matches!(start, ThreadStart::Routine { .. }) && !target.can_start_routines() {
        return Err(STATUS_NOT_SUPPORTED);
    }
    if target.ob.is_none() {
        return Err(STATUS_PROCESS_IS_TERMINATING);
    }
    let identity = cx.ob.attach_thread()?;
    if let Err(s) = cx.ke.attach_thread(identity.object) {
        cx.ob.detach_thread(identity);
        return Err(s);
    }
    let number = *cx.next_number;
    let teb = match target.create_thread(cx.mm, cx.shadows, number, start, suspended) {
        Ok(teb) => teb,
        Err(e) => {
            cx.ob.detach_thread(identity);
            cx.ke.reap(cx.ob);
            return Err(e.status());
        }
    };
    *cx.next_number += 1;
    let tcb = target.thread(number).map(|t| t.tcb());
    cx.ps
        .add_thread(number, pid, identity, tcb, teb, start_address, cx.ke.now);
    if suspended {
        // Created suspended: a count of one (the TCB was never resumed).
        if let Some(t) = cx.ps.thread(number) {
            t.suspend_count = 1;
            t.set_stopped();
        }
    }
    // The handle, with the desired access mapped as for an open.
    let access = cx.ob.granted_access(cx.ob.thread_type(), desired)?;
    let handle = cx.ob.om.create_handle(
        cx.caller.table,
        identity.object,
        access,
        HandleAttributes::from_obj_bits(attrs),
    )?;
    Ok(Created {
        handle,
        number,
        pid,
        teb,
    })
}

/// Writes a `CLIENT_ID` at `at`.
fn write_client_id(cx: &Context<'_>, at: usize, pid: u32, number: u32) -> Result<(), NtStatus> {
    let mut raw = Vec::with_capacity(2 * WORD);
    raw.extend_from_slice(&cid::process_id(pid).to_le_bytes());
    raw.extend_from_slice(&cid::thread_id(number).to_le_bytes());
    cx.process.write(at, &raw)
}

/// A `PS_ATTRIBUTE_LIST` at `list` (0: none): `TotalLength`, then `PS_ATTRIBUTE {
/// Attribute, Size, Value/ValuePtr, ReturnLength }` entries of four words, returned
/// as `(Attribute, Size, Value)`.
pub fn read_attribute_list(
    cx: &Context<'_>,
    list: usize,
) -> Result<Vec<(usize, usize, usize)>, NtStatus> {
    let mut wanted = Vec::new();
    if list == 0 {
        return Ok(wanted);
    }
    probe(list, WORD, 4)?;
    let mut total = [0u8; WORD];
    cx.process.read(list, &mut total)?;
    let total = usize::from_le_bytes(total);
    if total < WORD {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let count = ((total - WORD) / (4 * WORD)).min(MAX_ATTRIBUTES);
    probe(list, WORD + count * 4 * WORD, 4)?;
    let mut raw = alloc::vec![0u8; count * 4 * WORD];
    cx.process.read(list + WORD, &mut raw)?;
    for e in raw.chunks_exact(4 * WORD) {
        wanted.push((word_at(e, 0), word_at(e, WORD), word_at(e, 2 * WORD)));
    }
    Ok(wanted)
}

/// `NtCreateThreadEx`.
#[allow(clippy::too_many_arguments)]
pub fn create_thread_ex(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process: usize,
    routine: usize,
    argument: usize,
    flags: u32,
    _zero_bits: usize,
    stack_size: usize,
    maximum_stack_size: usize,
    attribute_list: usize,
) -> Outcome {
    Outcome::Reply(NtStatus::from_result((|| {
        if flags & !THREAD_CREATE_FLAGS_VALID != 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let wanted = read_attribute_list(cx, attribute_list)?;
        let start = ThreadStart::Routine {
            routine,
            argument,
            reserve: maximum_stack_size,
            commit: stack_size,
            skip_attach: flags & THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH != 0,
        };
        let suspended = flags & THREAD_CREATE_FLAGS_CREATE_SUSPENDED != 0;
        let c = create(cx, process, desired, attributes, start, routine, suspended)?;
        return_handle(cx.ob, &cx.caller, &*cx.process, out, c.handle)?;
        for (kind, size, at) in wanted {
            match kind {
                PS_ATTRIBUTE_CLIENT_ID if size >= 2 * WORD => {
                    probe(at, 2 * WORD, 4)?;
                    write_client_id(cx, at, c.pid, c.number)?;
                }
                PS_ATTRIBUTE_TEB_ADDRESS if size >= WORD => {
                    probe(at, WORD, 4)?;
                    cx.process.write(at, &c.teb.to_le_bytes())?;
                }
                _ => {}
            }
        }
        Ok(())
    })()))
}

/// `NtCreateThread`.
#[allow(clippy::too_many_arguments)]
pub fn create_thread(
    cx: &mut Context<'_>,
    out: UserPtr<HANDLE>,
    desired: u32,
    attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process: usize,
    client_id: Option<UserPtr<CLIENT_ID>>,
    context: usize,
    initial_teb: usize,
    suspended: u8,
) -> Outcome {
    Outcome::Reply(NtStatus::from_result((|| {
        if context == 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        probe(context, CONTEXT_SIZE, 4)?;
        probe(initial_teb, INITIAL_TEB_SIZE, 4)?;
        let mut raw = alloc::vec![0u8; CONTEXT_SIZE];
        cx.process.read(context, &mut raw)?;
        let mut teb = [0u8; INITIAL_TEB_SIZE];
        cx.process.read(initial_teb, &mut teb)?;
        // INITIAL_TEB { OldStackBase, OldStackLimit, StackBase, StackLimit,
        // StackAllocationBase }.
        let stack = StackInfo {
            base: word_at(&teb, 2 * WORD),
            limit: word_at(&teb, 3 * WORD),
            reservation: word_at(&teb, 4 * WORD),
        };
        let regs = registers_from_context(&raw);
        #[cfg(target_pointer_width = "64")]
        let ip = regs.rip;
        #[cfg(target_pointer_width = "32")]
        let ip = regs.eip;
        let start = ThreadStart::Context { regs, stack };
        let c = create(cx, process, desired, attributes, start, ip, suspended != 0)?;
        return_handle(cx.ob, &cx.caller, &*cx.process, out, c.handle)?;
        if let Some(p) = client_id {
            write_client_id(cx, p.addr(), c.pid, c.number)?;
        }
        Ok(())
    })()))
}

/// `NtTerminateThread` / `NtTerminateProcess` results the loop carries out.
pub fn terminate(cx: &mut Context<'_>, handle: usize, thread: bool, status: NtStatus) -> Outcome {
    use pssvc::TerminateTarget as T;
    match pssvc::terminate_target(cx, handle, thread) {
        Ok(T::OwnProcess) => Outcome::TerminateProcess(status),
        Ok(T::Process(pid)) => Outcome::TerminateOther { pid, status },
        Ok(T::Thread(number)) => Outcome::TerminateThread { number, status },
        Err(s) => Outcome::Reply(s),
    }
}
