//! Boot sequence of the executive, and what it does afterwards (serve,
//! self-test verdict or benchmark).

use super::kesvc::KeState;
use super::{heap, services, stats};
use crate::hal::console::{self, VgaCells};
use crate::hal::debug_exit::{self, ExitCode};
use crate::hal::ioport::IoPortCap;
use crate::hal::serial::{Uart16550, COM1};
use crate::hal::vga::{self, TextScreen};
use crate::ke::apc;
use crate::ke::dispatch::{self, Event};
use crate::ke::dispatcher::{ThreadId, WaitId};
use crate::ke::fault::{Access, Fault, PF_USER};
use crate::kprintln;
use crate::mm::cspace::Slot;
use crate::mm::kobj::{Mm, MmError, ObjectKind, Pool, ROOT_CNODE, ROOT_DEPTH};
use crate::mm::vspace::AddressSpace;
use crate::ps::ntprocess::{NtProcess, Shadows};
use crate::ps::process::{ImageInfo, Process};
use crate::ps::protocol::{self, label, Finale};
use crate::ps::session::{self, SessionError};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;
use ntdef::status::{NtStatus, STATUS_INSUFFICIENT_RESOURCES, STATUS_USER_APC};
use sel4::{BootInfo, CPtr, CapRights, MessageInfo};

#[cfg(target_arch = "x86_64")]
pub const ARCH: &str = "x86_64";
#[cfg(target_arch = "x86")]
pub const ARCH: &str = "i386";
/// The kernel release the bindings were generated from.
pub const SEL4_VERSION: &str = "5.0.0";

/// Executive-private virtual window (VGA text buffer). It shares the page
/// directory (x86_64) with the image, so only a page table is new.
const WINDOW: usize = 0x2000_0000;

/// Verified IPC round trips with each process in normal builds.
const CHECK_ROUNDS: usize = 1000;
/// Benchmark: round trips measured, after the warm-up ones.
const BENCH_ROUNDS: usize = 10_000;
const BENCH_WARMUP: usize = 1_000;
/// Bench builds time one message in this many for `BENCH executive_service`.
const SERVICE_SAMPLE_EVERY: u32 = 8;
/// Bench builds: executive service times kept: those of the first 10 000 messages
/// (nullbench's, which runs first and makes 11 000 calls).
const BENCH_SERVICE_SAMPLES: usize = 10_000 / SERVICE_SAMPLE_EVERY as usize;
/// Untypeds listed one per line before the rest is summarised; keeps a
/// whole boot log (banner to verdict) within 40 lines.
const MAX_LISTED: usize = 14;

extern "C" {
    // Linker-script symbols (link/*.ld): only their addresses matter.
    static __ntos_image_start: u8;
    static __ntos_shared_end: u8;
    static __ntos_image_end: u8;
}

/// The executive image's span (link address to the end of .bss), for
/// `SystemModuleInformation`.
pub(crate) fn executive_image() -> (usize, usize) {
    (
        &raw const __ntos_image_start as usize,
        &raw const __ntos_image_end as usize,
    )
}

#[derive(Debug)]
pub enum BootError {
    Mm(MmError),
    Session { pid: u32, err: SessionError },
    Check(String),
}

impl From<MmError> for BootError {
    fn from(e: MmError) -> Self {
        BootError::Mm(e)
    }
}

impl fmt::Display for BootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootError::Mm(e) => write!(f, "{e}"),
            BootError::Session { pid, err } => write!(f, "process {pid}: {err}"),
            BootError::Check(s) => f.write_str(s),
        }
    }
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), BootError> {
    if ok {
        Ok(())
    } else {
        Err(BootError::Check(what()))
    }
}

/// The boot archive xtask packed (see `build.rs`; empty without one).
pub(crate) static BOOT_ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/boot.arc"));

/// The executive's state after boot.
pub struct Executive {
    mm: Mm,
    /// The endpoint every process calls and faults on (badged per process).
    ep: CPtr,
    image: ImageInfo,
    processes: BTreeMap<u32, Process>,
    /// NT processes (from PE images), served through `ex::services`.
    /// Each in a cell: while one is served (borrowed), services reach the others.
    nt_processes: services::Processes,
    shadows: Shadows,
    /// The object manager (`ex::obsvc`).
    ob: super::obsvc::ObState,
    /// Dispatcher objects and waits (`ex::kesvc`).
    ke: KeState,
    /// Process records (`ex::pssvc`).
    ps: super::pssvc::PsState,
    /// The registry (`ex::cmsvc`).
    cm: super::cmsvc::CmState,
    /// Sections and their views (`ex::sectsvc`).
    sections: super::sectsvc::SectionState,
    /// Parked callers: the wait each thread is in and the slot holding the reply
    /// capability saved for it (see `ke` module notes).
    parked: BTreeMap<ThreadId, (WaitId, Slot)>,
    next_number: u32,
    tsc_mhz: u64,
    /// The tick source and clock (`hal::timer`), from just before the NT programs start.
    timer: Option<crate::hal::timer::Timer>,
    /// Bench builds: TSC cycles from each request's arrival to its reply being ready
    /// (the executive's own share of a service round trip).
    service_cycles: Vec<u64>,
    /// Bench builds: messages received (which of them to time).
    messages: u32,
}

impl Executive {
    fn spawn(&mut self, finale: Finale, rounds: usize) -> Result<u32, BootError> {
        let pid = self.next_number;
        self.next_number += 1;
        let p = Process::spawn(
            &mut self.mm,
            &self.image,
            self.ep,
            pid,
            [finale.to_word(), rounds],
        )?;
        self.processes.insert(pid, p);
        Ok(pid)
    }

    fn terminate(&mut self, pid: u32) -> Result<(), BootError> {
        match self.processes.remove(&pid) {
            Some(p) => Ok(p.terminate(&mut self.mm)?),
            None => Err(BootError::Check(alloc::format!("no process {pid}"))),
        }
    }

    fn session<T>(pid: u32, r: Result<T, SessionError>) -> Result<T, BootError> {
        r.map_err(|err| BootError::Session { pid, err })
    }

    /// Forgets thread `number`'s parked wait (its saved reply capability must never
    /// be used once the thread is gone), ends its waits, signals its object and
    /// releases the system's reference to it.
    fn retire_thread(&mut self, number: u32, status: NtStatus) {
        let thread = thread_id(number);
        if let Some((_, slot)) = self.parked.remove(&thread) {
            let _ = self.mm.delete(slot);
        }
        if let Some(identity) = self.ps.thread_exited(number, status, self.ke.now) {
            let _ = self.ke.thread_exit(thread, identity.object);
            self.ob.detach_thread(identity);
        }
    }

    /// Ends NT process `pid` (all its threads) with exit status `status` and reports
    /// why.
    fn end_nt(&mut self, pid: u32, status: NtStatus, why: &dyn fmt::Display) {
        for number in self.ps.live_threads(pid) {
            self.retire_thread(number, status);
        }
        self.ps.exited(pid, status, self.ke.now);
        if let Some(mut p) = self.nt_processes.remove(&pid).map(RefCell::into_inner) {
            if let Some(id) = p.ob.take() {
                if let Some(process) = id.caller.process {
                    self.ke.process_exit(process);
                }
                self.ob.detach(id);
            }
            self.sections.reap(&mut self.ob, &mut self.mm);
            self.cm.reap(&mut self.ob);
            self.ke.reap(&mut self.ob);
            self.deliver();
            let name = p.name.clone();
            let r = p.terminate(&mut self.mm, &mut self.shadows);
            // Its cap copies are gone: now its views stop holding their sections.
            self.sections.process_gone(&mut self.mm, pid);
            kprintln!("ntos: process {name} {why}");
            if let Err(e) = r {
                kprintln!("ntos: teardown of process {name} incomplete: {e}");
            }
        }
    }

    /// Ends thread `number` with `status`; the last thread of a process takes the
    /// process with it (exit status: the thread's).
    fn end_thread(&mut self, number: u32, status: NtStatus) {
        let Some(pid) = self.ps.process_of_thread(number) else {
            return;
        };
        if self.ps.live_threads(pid).len() <= 1 {
            let why = format_args!("exited with status {:#010x}", status.as_u32());
            self.end_nt(pid, status, &why);
            return;
        }
        self.retire_thread(number, status);
        if let Some(p) = self.nt_processes.get_mut(&pid) {
            p.get_mut().end_thread(number);
        }
        self.cm.reap(&mut self.ob);
        self.ke.reap(&mut self.ob);
        self.deliver();
    }

    /// Replies to every parked caller whose wait ended, through its saved reply
    /// capability, and frees the slot.
    fn deliver(&mut self) {
        while !self.ke.completed.is_empty() {
            let done = core::mem::take(&mut self.ke.completed);
            for c in done {
                // A suspended thread's answer waits for its resume (`ex::pssvc`).
                let Some(c) = self.ps.hold(c.thread.0 as u32, c) else {
                    continue;
                };
                match self.parked.get(&c.thread) {
                    Some(&(wait, slot)) if wait == c.wait => {
                        self.parked.remove(&c.thread);
                        let status = if c.status == STATUS_USER_APC {
                            self.stage_apcs(c.thread, STATUS_USER_APC)
                        } else {
                            c.status
                        };
                        // Sending on a reply capability consumes it and never blocks.
                        sel4::send_with_mrs(slot, status_reply(status), &status_mrs(status));
                        let _ = self.mm.delete(slot);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Hands `thread`'s queued user APCs (up to `ntsvc::apc::BATCH`) to ntdll: the
    /// records go to the user-APC area of its TEB, and leave the queue only once
    /// written. Returns the status to answer: `STATUS_USER_APC` (ntdll runs the
    /// records, then returns `final_status` to its caller), or `final_status` itself
    /// if the TEB could not be written (the APCs stay queued).
    fn stage_apcs(&mut self, thread: ThreadId, final_status: NtStatus) -> NtStatus {
        let (batch, more) = self.ke.apc.peek_batch(thread, ntsvc::apc::BATCH);
        let bytes = apc::encode_batch(&batch, more, final_status, size_of::<usize>());
        let number = thread.0 as u32;
        let written = self
            .ps
            .process_of_thread(number)
            .and_then(|pid| self.nt_processes.get(&pid))
            .and_then(|cell| cell.try_borrow().ok())
            .and_then(|p| {
                let teb = p.thread(number)?.teb;
                p.write(teb + ntsvc::teb::APC_AREA, &bytes).ok()
            })
            .is_some();
        if written {
            self.ke.apc.commit(thread, batch.len());
            STATUS_USER_APC
        } else {
            final_status
        }
    }

    /// Parks the caller of the message being served on `wait`: its reply capability
    /// moves to a free slot. `false` if that failed (the wait is then cancelled).
    fn park(&mut self, thread: ThreadId, wait: WaitId) -> bool {
        let saved = self.mm.slots.alloc().ok().and_then(|slot| {
            match sel4::cnode_save_caller(ROOT_CNODE, slot, ROOT_DEPTH) {
                Ok(()) => Some(slot),
                Err(_) => {
                    let _ = self.mm.slots.free(slot);
                    None
                }
            }
        });
        match saved {
            Some(slot) => {
                self.parked.insert(thread, (wait, slot));
                true
            }
            None => {
                let _ = self
                    .ke
                    .disp
                    .cancel_wait(wait, crate::ke::dispatcher::CancelReason::Timeout);
                false
            }
        }
    }

    /// A fault of NT thread `number` (kept out of line: the request path is the hot one).
    #[inline(never)]
    fn serve_fault(&mut self, number: u32, fault: Fault) -> Option<Option<NtStatus>> {
        let pid = self.ps.process_of_thread(number)?;
        // Demand-zero paging (`ps::ntprocess`): a committed page gets a frame
        // and the thread resumes on the reply.
        let s = match (fault, self.nt_processes.get_mut(&pid).map(RefCell::get_mut)) {
            (Fault::AccessViolation { access, addr, .. }, Some(p)) => {
                let write = access == Access::Write;
                let r = p.handle_fault(&mut self.mm, &mut self.shadows, addr, write);
                super::sysinfo::counters::page_fault(r.is_ok());
                match r {
                    Ok(()) => return Some(Some(ntdef::status::STATUS_SUCCESS)),
                    Err(s) => s,
                }
            }
            _ => ntdef::status::STATUS_ACCESS_VIOLATION,
        };
        // An unhandled exception in any thread ends the process with its code
        // as exit status.
        if s == ntdef::status::STATUS_ACCESS_VIOLATION {
            let why = format_args!("fault: {fault}; process terminated");
            self.end_nt(pid, s, &why);
        } else {
            let why = format_args!("fault: {fault}: {s}; process terminated");
            self.end_nt(pid, s, &why);
        }
        Some(None)
    }

    /// The reply owed to thread `number` of process `pid` for a service that ended
    /// other than with a plain status (out of line: the request path is the hot one).
    #[inline(never)]
    fn conclude(&mut self, pid: u32, number: u32, outcome: services::Outcome) -> Option<NtStatus> {
        let thread = thread_id(number);
        match outcome {
            services::Outcome::Reply(status) => Some(status),
            services::Outcome::TerminateProcess(status) => {
                let why = format_args!("exited with status {:#010x}", status.as_u32());
                self.end_nt(pid, status, &why);
                None
            }
            services::Outcome::TerminateOther { pid: other, status } => {
                let why = format_args!(
                    "terminated by process {} with status {:#010x}",
                    crate::ps::cid::process_id(pid),
                    status.as_u32()
                );
                self.end_nt(other, status, &why);
                Some(ntdef::status::STATUS_SUCCESS)
            }
            services::Outcome::TerminateThread { number: n, status } => {
                self.end_thread(n, status);
                (n != number).then_some(ntdef::status::STATUS_SUCCESS)
            }
            services::Outcome::TerminateSiblings(status) => {
                for n in self.ps.live_threads(pid) {
                    if n != number {
                        self.end_thread(n, status);
                    }
                }
                Some(ntdef::status::STATUS_SUCCESS)
            }
            services::Outcome::DeliverApcs(final_status) => {
                Some(self.stage_apcs(thread, final_status))
            }
            services::Outcome::Pending(wait) => {
                if self.park(thread, wait) {
                    None
                } else {
                    Some(STATUS_INSUFFICIENT_RESOURCES)
                }
            }
        }
    }

    /// Serves one message of an NT thread: `None` if it was not one, else the reply
    /// to send (if any) before receiving again.
    fn serve_nt(&mut self, msg: &dispatch::Message) -> Option<Option<NtStatus>> {
        match dispatch::classify(msg) {
            // The badge number of an NT message is its thread's number.
            Event::Fault { pid: number, fault } => self.serve_fault(number, fault),
            Event::Request { pid: number, label } => {
                // One lookup of the caller's record (a running thread) gives its
                // process and thread object.
                let (pid, object) = self
                    .ps
                    .running_thread(number)
                    .map(|t| (t.pid, t.identity.object))?;
                super::sysinfo::counters::system_call();
                // No per-process quota on executive memory yet: when the shared heap
                // runs low, only services that give memory back are served, so no
                // client can run the executive out of it (an allocation failure would
                // be fatal).
                // (The releasing services are told apart first: they never need the
                // heap's figure, and the null service is one of them.)
                if !super::quota::releases_memory(label)
                    && heap::used() > heap::HEAP_SIZE - super::quota::RESERVE
                {
                    return Some(Some(STATUS_INSUFFICIENT_RESOURCES));
                }
                if label == SYSINFO_SERVICE {
                    let pages: usize = self
                        .nt_processes
                        .values()
                        .filter_map(|p| p.try_borrow().ok())
                        .map(|p| p.vads.committed_pages())
                        .sum();
                    super::sysinfo::counters::set_committed(pages as u64);
                }
                // The caller's process is borrowed from its cell while it is served;
                // the service reaches the others through theirs.
                let cell = self.nt_processes.get(&pid)?;
                let mut p = cell.try_borrow_mut().ok()?;
                let identity = p.ob?;
                let teb = p.thread(number)?.teb;
                let mut spawned = Vec::new();
                let thread = thread_id(number);
                let parked_map = &self.parked;
                let parked = |n: u32| parked_map.contains_key(&thread_id(n));
                let mut cx = services::Context {
                    process: &mut p,
                    others: &self.nt_processes,
                    spawned: &mut spawned,
                    next_number: &mut self.next_number,
                    teb,
                    ob: &mut self.ob,
                    caller: identity.caller_for(object),
                    ke: &mut self.ke,
                    thread,
                    mm: &mut self.mm,
                    shadows: &mut self.shadows,
                    ps: &mut self.ps,
                    parked: &parked,
                    cm: &mut self.cm,
                    sections: &mut self.sections,
                };
                let outcome = services::dispatch(&mut cx, label, msg.words());
                drop(p);
                // Owners free the bodies of objects the service deleted (most services
                // delete none: then not even a call).
                if self.ob.has_reaped() {
                    self.sections.reap(&mut self.ob, &mut self.mm);
                }
                if !spawned.is_empty() {
                    for (new_pid, new) in spawned {
                        self.nt_processes.insert(new_pid, RefCell::new(new));
                    }
                }
                if self.ob.has_reaped() {
                    self.cm.reap(&mut self.ob);
                    self.ke.reap(&mut self.ob);
                }
                let reply = match outcome {
                    services::Outcome::Reply(status) => Some(status),
                    other => self.conclude(pid, number, other),
                };
                // Waits this service ended (a set, a release) are answered first, in
                // completion order; the caller's own reply goes with the next receive.
                if !self.ke.completed.is_empty() {
                    self.deliver();
                }
                Some(reply)
            }
            _ => None,
        }
    }

    /// Receives the next message, first replying to the previous one if it is owed
    /// (one `ReplyRecv` system call), and serves it if it is an NT process's.
    /// Returns the message if nobody served it.
    fn step(&mut self, owed: &mut Option<NtStatus>) -> Option<dispatch::Message> {
        // Idle: every NT thread is parked or suspended, so nothing runs until a
        // message (a tick at the latest) arrives.
        let idle = owed.is_none() && self.parked.len() >= self.ps.live_thread_count();
        let before = if idle {
            crate::hal::tsc::read_serialized()
        } else {
            0
        };
        let msg = match owed.take() {
            Some(status) => {
                dispatch::reply_recv(self.ep, status_reply(status), &status_mrs(status))
            }
            None => dispatch::recv(self.ep),
        };
        if idle {
            let after = crate::hal::tsc::read_serialized();
            super::sysinfo::counters::idle_cycles(after.wrapping_sub(before));
        }
        super::sysinfo::counters::message();
        // Bench builds time one message in `SERVICE_SAMPLE_EVERY`: two serialised TSC
        // reads and a store into a sample buffer (a page of its own) per message made
        // the round trip the benchmark programs time longer than it is otherwise.
        let arrived = (cfg!(feature = "bench") && {
            self.messages = self.messages.wrapping_add(1);
            self.messages % SERVICE_SAMPLE_EVERY == 0
        })
        .then(crate::hal::tsc::read_serialized);
        self.ke.now = super::timesvc::system_time(self.timer.as_ref());
        if msg.badge == crate::hal::timer::TICK_BADGE && self.timer.is_some() {
            self.tick();
            return None;
        }
        match self.serve_nt(&msg) {
            Some(reply) => {
                *owed = reply;
                if let Some(t0) = arrived {
                    if self.service_cycles.len() < BENCH_SERVICE_SAMPLES {
                        let t1 = crate::hal::tsc::read_serialized();
                        self.service_cycles.push(t1.wrapping_sub(t0));
                    }
                }
                None
            }
            None => Some(msg),
        }
    }

    /// A timer tick (the notification bound to this thread): waits whose deadline has
    /// passed end with `STATUS_TIMEOUT` (delays with success) and are answered.
    fn tick(&mut self) {
        if let Some(t) = self.timer.as_mut() {
            t.tick();
        }
        let now = self.ke.now;
        super::kuser::update(now);
        if self.ke.next_deadline().is_some_and(|d| d <= now) {
            self.ke.expire(now);
            self.deliver();
        }
    }

    /// Whether NT process `pid` has ended or all its threads are suspended or parked
    /// in waits that only another program can end (a wait with a deadline ends by
    /// itself: not settled).
    fn settled(&self, pid: u32) -> bool {
        !self.nt_processes.contains_key(&pid)
            || self
                .ps
                .threads_of(pid)
                .filter(|t| t.exit_status.is_none())
                .all(|t| {
                    t.suspend_count > 0
                        || self
                            .parked
                            .get(&thread_id(t.number))
                            .is_some_and(|&(wait, _)| !self.ke.is_timed(wait))
                })
    }

    /// Starts boot program `name` (from the boot archive) with `args`: its process
    /// number, or `None` if it is not in the archive.
    fn start_boot_program(&mut self, name: &str, args: &str) -> Result<Option<u32>, BootError> {
        let arc = bootarc::Archive::parse(BOOT_ARCHIVE)
            .map_err(|e| BootError::Check(alloc::format!("boot archive: {e:?}")))?;
        let (Some(exe), Some(ntdll)) = (arc.get(name), arc.get("ntdll.dll")) else {
            kprintln!("ntos: {name}: not in the boot archive (or no ntdll.dll)");
            return Ok(None);
        };
        let pid = self.next_number;
        let first = pid + 1;
        self.next_number += 2;
        let mut p = NtProcess::spawn(
            &mut self.mm,
            &mut self.shadows,
            self.ep,
            pid,
            first,
            name,
            &crate::ps::params::Input::boot(name, args),
            exe,
            ntdll,
            false,
        )
        .map_err(|e| BootError::Check(alloc::format!("process {name} not created: {e}")))?;
        let mut id = match self.ob.attach() {
            Ok(id) => id,
            Err(s) => {
                let _ = p.terminate(&mut self.mm, &mut self.shadows);
                return Err(BootError::Check(alloc::format!(
                    "process {name}: no process object ({s})"
                )));
            }
        };
        if let Err(s) = self.ke.attach(&id) {
            kprintln!("ntos: process {name}: not waitable ({s})");
        }
        let first_thread = super::obsvc::ObState::split_first_thread(&mut id);
        if let (Some(po), Some(t)) = (id.caller.process, first_thread) {
            self.ps.add(pid, name, po, 0, self.ke.now);
            let (tcb, teb) = p
                .thread(first)
                .map_or((None, 0), |t| (Some(t.tcb()), t.teb));
            self.ps.add_thread(first, pid, t, tcb, teb, 0, self.ke.now);
        }
        p.ob = Some(id);
        self.nt_processes.insert(pid, RefCell::new(p));
        Ok(Some(pid))
    }

    /// Runs the boot configuration's programs. With a `session=` program (smss.exe)
    /// that one alone is started, the `start=` list handed to it in the registry as
    /// Windows' Session Manager reads it (`BootExecute` under
    /// `…\Control\Session Manager`, REG_MULTI_SZ), with the `DOS Devices` links it makes.
    /// Without one the executive runs the list itself, one program after the other,
    /// each until it exits or waits. The boot is over when every program has ended or
    /// waits.
    fn run_programs(&mut self) -> Result<usize, BootError> {
        let arc = bootarc::Archive::parse(BOOT_ARCHIVE)
            .map_err(|e| BootError::Check(alloc::format!("boot archive: {e:?}")))?;
        if let Some(session) = arc.session().filter(|s| arc.get(s).is_some()) {
            let mut multi: Vec<u8> = Vec::new();
            for line in arc.start_programs() {
                multi.extend(line.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
            }
            multi.extend_from_slice(&[0, 0]);
            let reg_sz = |s: &str| -> Vec<u8> {
                s.encode_utf16()
                    .chain([0])
                    .flat_map(u16::to_le_bytes)
                    .collect()
            };
            let now = self.ke.now;
            let seeded = self
                .cm
                .seed(
                    SESSION_MANAGER_KEY,
                    &[("BootExecute", REG_MULTI_SZ, multi)],
                    now,
                )
                .and_then(|()| {
                    self.cm.seed(
                        &alloc::format!("{SESSION_MANAGER_KEY}\\DOS Devices"),
                        &[("NUL", REG_SZ, reg_sz("\\Device\\Null"))],
                        now,
                    )
                });
            if let Err(s) = seeded {
                return Err(BootError::Check(alloc::format!("registry: {s}")));
            }
            let started = self.start_boot_program(session, "")?;
            self.serve_until(|x| x.nt_processes.keys().all(|&p| x.settled(p)));
            return Ok(usize::from(started.is_some()));
        }
        let mut ran = 0;
        for line in arc.start_programs() {
            // `start=[async ]program.exe arguments…`: the rest of the line is the
            // arguments (the executive does not wait for a program that waits anyway).
            let line = line.strip_prefix("async ").unwrap_or(line).trim();
            let (name, args) = line.split_once(' ').unwrap_or((line, ""));
            let Some(pid) = self.start_boot_program(name, args.trim())? else {
                continue;
            };
            // Until it exits, or waits: then the next program starts while this one
            // stays parked (the executive serves everyone meanwhile).
            self.serve_until(|x| x.settled(pid));
            ran += 1;
        }
        // Programs the last ones woke may still be running: the boot is over when
        // every program has ended or waits.
        self.serve_until(|x| x.nt_processes.keys().all(|&p| x.settled(p)));
        Ok(ran)
    }

    /// Serves NT processes until `done`, then answers the last request if owed.
    fn serve_until(&mut self, done: impl Fn(&Self) -> bool) {
        let mut owed = None;
        while !done(self) {
            if let Some(msg) = self.step(&mut owed) {
                reply_not_supported(&msg);
            }
        }
        if let Some(status) = owed {
            sel4::reply_with_mrs(status_reply(status), &status_mrs(status));
        }
    }

    /// Serves the endpoint forever: faults terminate their process.
    pub fn serve(mut self) -> ! {
        let mut owed = None;
        loop {
            let Some(msg) = self.step(&mut owed) else {
                continue;
            };
            match dispatch::classify(&msg) {
                Event::Fault { pid, fault } if self.processes.contains_key(&pid) => {
                    let r = self.terminate(pid);
                    kprintln!("ntos: process {pid} fault: {fault}; process terminated");
                    if let Err(e) = r {
                        kprintln!("ntos: teardown of process {pid} incomplete: {e}");
                    }
                }
                Event::Request { pid, label } if label == label::EXIT => {
                    if self.terminate(pid).is_ok() {
                        kprintln!("ntos: process {pid} exited");
                    }
                }
                Event::Request { .. } => reply_not_supported(&msg),
                Event::Fault { .. } | Event::Stray { .. } => {}
            }
        }
    }
}

/// `NtQuerySystemInformation`'s number: its caller gets the commit total refreshed.
const SYSINFO_SERVICE: usize = 0x40;

/// Where the Session Manager's configuration lives (Windows' key).
const SESSION_MANAGER_KEY: &str =
    "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager";
const REG_SZ: u32 = 1;
const REG_MULTI_SZ: u32 = 7;

/// The dispatcher's identity of NT thread number `number`.
fn thread_id(number: u32) -> ThreadId {
    ThreadId(u64::from(number))
}

/// A service reply: no label, one word (the NTSTATUS).
fn status_reply(_status: NtStatus) -> MessageInfo {
    MessageInfo::new(0, 0, 0, 1)
}

fn status_mrs(status: NtStatus) -> [usize; sel4::NUM_MSG_REGISTERS] {
    let mut mrs = [0; sel4::NUM_MSG_REGISTERS];
    mrs[0] = status.as_u32() as usize;
    mrs
}

/// Nothing else is served yet: answer "not implemented" (requests only; faults and
/// strangers get no reply).
fn reply_not_supported(msg: &dispatch::Message) {
    if matches!(dispatch::classify(msg), Event::Request { .. }) {
        sel4::reply_with_mrs(
            MessageInfo::new(label::NOT_SUPPORTED, 0, 0, 0),
            &[0; sel4::NUM_MSG_REGISTERS],
        );
    }
}

/// Entered from `_start` with the bootinfo seL4 passed.
pub fn start(bi: &'static BootInfo) -> ! {
    // SAFETY: the kernel mapped this thread's IPC buffer at bootinfo's
    // `ipc_buffer` for the root task's whole life.
    unsafe { sel4::set_ipc_buffer(bi.ipc_buffer) };
    let heap_bytes = heap::init();
    let result = boot(bi, heap_bytes);
    if cfg!(feature = "selftest") {
        match &result {
            Ok(_) => kprintln!("ntos: self-test passed"),
            Err(e) => kprintln!("ntos: self-test FAILED: {e}"),
        }
        debug_exit::power_off(if result.is_ok() {
            ExitCode::Success
        } else {
            ExitCode::Failure
        });
    }
    match result {
        Ok(exec) if cfg!(feature = "bench") => {
            drop(exec);
            debug_exit::power_off(ExitCode::Success)
        }
        Ok(exec) => exec.serve(),
        Err(e) => {
            kprintln!("ntos: boot failed: {e}");
            if cfg!(feature = "bench") {
                debug_exit::power_off(ExitCode::Failure);
            }
            crate::ke::halt()
        }
    }
}

fn boot(bi: &'static BootInfo, heap_bytes: usize) -> Result<Executive, BootError> {
    let mut mm = Mm::from_bootinfo(bi)?;

    // Consoles first, so everything after can be seen.
    let com1 = IoPortCap::mint_range(&mut mm, COM1, COM1 + 7)?;
    // On failure there is nowhere to report it but the screen, attached
    // next (the console then reports through the kernel, if it prints).
    if let Ok(uart) = Uart16550::init(com1, COM1) {
        console::attach_serial(uart);
    }
    let exit = IoPortCap::mint_range(&mut mm, debug_exit::PORT, debug_exit::LAST_PORT)?;
    debug_exit::install(exit);
    let vga = attach_vga(&mut mm);

    console::set_screen_attr(vga::BANNER_ATTR);
    kprintln!(
        "Nereid NT Executive {} on seL4 {SEL4_VERSION} ({ARCH})",
        env!("CARGO_PKG_VERSION")
    );
    console::set_screen_attr(vga::DEFAULT_ATTR);
    if let Err(e) = &vga {
        kprintln!("ntos: VGA text console unavailable: {e}");
    }
    print_memory(bi);
    kprintln!("ntos: heap ready ({} KiB)", heap_bytes / 1024);
    vga?;
    ensure(banner_on_screen(), || {
        String::from("banner not found in VGA text memory")
    })?;

    let ep = mm.create(Pool::General, ObjectKind::Endpoint)?;
    let frames = bi.user_image_frames;
    let image = ImageInfo {
        frames: frames.start..frames.end,
        start: &raw const __ntos_image_start as usize,
        shared_end: &raw const __ntos_shared_end as usize,
    };
    let mut ob = super::obsvc::ObState::new()
        .map_err(|s| BootError::Check(alloc::format!("object manager: {s}")))?;
    let ke = KeState::new(&mut ob)
        .map_err(|s| BootError::Check(alloc::format!("dispatcher objects: {s}")))?;
    let cm = super::cmsvc::CmState::new(&mut ob, super::timesvc::BOOT_EPOCH)
        .map_err(|s| BootError::Check(alloc::format!("registry: {s}")))?;
    let mut sections = super::sectsvc::SectionState::new(&mut ob)
        .map_err(|s| BootError::Check(alloc::format!("sections: {s}")))?;
    let mut shadows = Shadows::new();
    shadows.shared_user_data = Some(shared_user_data(&mut mm, &mut sections)?);
    // Every DLL of the boot archive as a known DLL (`\KnownDlls\<name>`): image sections
    // the loader maps (as Windows' session manager publishes its known DLLs).
    if let Ok(arc) = bootarc::Archive::parse(BOOT_ARCHIVE) {
        for e in arc.entries() {
            let dll = e.name.len() > 4
                && e.name.is_char_boundary(e.name.len() - 4)
                && e.name[e.name.len() - 4..].eq_ignore_ascii_case(".dll");
            if dll {
                if let Err(s) = sections.publish_known_dll(&mut ob, e.name, e.data) {
                    kprintln!("ntos: \\KnownDlls\\{} not published: {s}", e.name);
                }
            }
        }
    }
    let mut exec = Executive {
        mm,
        ep,
        image,
        processes: BTreeMap::new(),
        nt_processes: BTreeMap::new(),
        shadows,
        ob,
        ke,
        ps: super::pssvc::PsState::new(),
        cm,
        sections,
        parked: BTreeMap::new(),
        next_number: 1,
        tsc_mhz: bi.arch_info as u64,
        timer: None,
        service_cycles: Vec::with_capacity(if cfg!(feature = "bench") {
            BENCH_SERVICE_SAMPLES
        } else {
            0
        }),
        messages: 0,
    };

    // Process 1: verified IPC (timed in bench builds), then a bad read.
    let bench = cfg!(feature = "bench");
    let (rounds, warmup) = if bench {
        (BENCH_WARMUP + BENCH_ROUNDS, BENCH_WARMUP)
    } else {
        (CHECK_ROUNDS, 0)
    };
    let free_slots = exec.mm.slots.free_count();
    let p1 = exec.spawn(Finale::BadRead, rounds)?;
    // A fresh reserved untyped keeps its slot after the process is gone.
    let kept_slots = exec
        .processes
        .get(&p1)
        .map_or(0, |p| usize::from(!p.reused_memory));
    kprintln!("ntos: process {p1} started (own VSpace, ASID, CNode)");
    let mut samples = bench.then(|| Vec::with_capacity(BENCH_ROUNDS));
    let n = Executive::session(
        p1,
        session::ipc_check(ep, p1, rounds, warmup, samples.as_mut()),
    )?;
    kprintln!("ntos: IPC with process {p1} ok ({n} round trips)");
    if let Some(s) = samples.as_mut() {
        let summary =
            stats::summarize(s).ok_or_else(|| BootError::Check(String::from("no samples")))?;
        kprintln!(
            "{}",
            stats::bench_line("ipc_roundtrip", ARCH, &summary, exec.tsc_mhz)
        );
    }
    let fault = Executive::session(p1, session::await_fault(ep, p1))?;
    exec.terminate(p1)?;
    kprintln!("ntos: process {p1} fault: {fault}; process terminated");
    let code = exec.image.start..exec.image.shared_end;
    ensure(
        // FSR: a user-mode read of a page not present (on ia32 this word
        // comes from the IPC buffer, past the two register MRs).
        matches!(fault, Fault::AccessViolation { access: Access::Read, addr, ip, fsr }
            if addr == protocol::BAD_ADDRESS && code.contains(&ip) && fsr == PF_USER),
        || alloc::format!("unexpected fault: {fault} ({fault:x?})"),
    )?;
    ensure(
        exec.mm.slots.free_count() + kept_slots == free_slots,
        || {
            alloc::format!(
                "CNode slots: {free_slots} free before process {p1}, {} after",
                exec.mm.slots.free_count()
            )
        },
    )?;

    // Process 2 proves the executive survived, and reuses process 1's memory.
    let free_slots = exec.mm.slots.free_count();
    let p2 = exec.spawn(Finale::Exit, CHECK_ROUNDS)?;
    let reused = exec.processes.get(&p2).is_some_and(|p| p.reused_memory);
    let n = Executive::session(p2, session::ipc_check(ep, p2, CHECK_ROUNDS, 0, None))?;
    kprintln!("ntos: IPC with process {p2} ok ({n} round trips)");
    Executive::session(p2, session::await_exit(ep, p2))?;
    exec.terminate(p2)?;
    kprintln!("ntos: process {p2} exited");
    ensure(reused, || {
        String::from("process 2 did not reuse process 1's memory")
    })?;
    ensure(exec.mm.slots.free_count() == free_slots, || {
        alloc::format!(
            "CNode slots: {free_slots} free before process {p2}, {} after",
            exec.mm.slots.free_count()
        )
    })?;
    kprintln!("ntos: executive alive after client fault");

    // Ticks from here on: every receive may now return one (see `hal::timer`).
    super::sysinfo::counters::set_tsc_mhz(exec.tsc_mhz);
    exec.timer = Some(crate::hal::timer::Timer::start(&mut exec.mm, exec.tsc_mhz)?);

    // Native NT programs from the boot archive (in bench builds, the benchmark ones).
    exec.run_programs()?;
    if let Some(s) = stats::summarize(&mut exec.service_cycles) {
        kprintln!(
            "{}",
            stats::bench_line("executive_service", ARCH, &s, exec.tsc_mhz)
        );
    }
    Ok(exec)
}

/// Maps the VGA text buffer (device memory at 0xB8000) and makes it the
/// second console.
fn attach_vga(mm: &mut Mm) -> Result<(), MmError> {
    let frame = mm.carve_frame(vga::TEXT_BUFFER_PADDR)?;
    let mut root = AddressSpace::new(sel4::consts::CAP_INIT_THREAD_VSPACE);
    // The kernel built every table above the image's first page.
    root.note_existing(&raw const __ntos_image_start as usize);
    root.map(mm, Pool::General, frame, WINDOW, CapRights::new(0, 1, 1))?;
    // SAFETY: WINDOW now maps the 4 KiB text-buffer frame read-write, and
    // nothing else in the executive uses that address.
    let cells = unsafe { VgaCells::new(WINDOW as *mut u16) };
    // Without the CRTC ports the screen still works, with a stale cursor.
    let crtc = IoPortCap::mint_range(mm, vga::CRTC_INDEX, vga::CRTC_DATA).ok();
    console::attach_screen(TextScreen::new(cells), crtc);
    Ok(())
}

fn banner_on_screen() -> bool {
    let want = "Nereid NT Executive";
    // SAFETY: attach_vga mapped the text buffer at WINDOW (checked by the
    // caller's order); reading cells has no side effects.
    let cells = unsafe { VgaCells::new(WINDOW as *mut u16) };
    use crate::hal::vga::Cells;
    want.bytes()
        .enumerate()
        .all(|(i, b)| cells.read(i) == vga::cell(b, vga::BANNER_ATTR))
}

fn print_memory(bi: &BootInfo) {
    let region = bi.untyped;
    let list = bi.untyped_list;
    let count = region.end - region.start;
    let descs = || list.iter().take(count);
    let ram: u64 = descs()
        .filter(|d| d.is_device == 0)
        .map(|d| 1u64 << d.size_bits)
        .sum();
    super::sysinfo::set_ram_bytes(ram);
    let n_ram = descs().filter(|d| d.is_device == 0).count();
    let n_dev = count - n_ram;
    kprintln!(
        "ntos: memory: RAM {} MiB in {n_ram} untypeds; device {n_dev} regions",
        ram >> 20
    );
    // Banner and summary stay on top of the screen; the rest scrolls.
    console::pin_screen_rows(2);
    for (i, d) in descs().enumerate().take(MAX_LISTED) {
        let paddr = d.paddr;
        kprintln!(
            "ntos:   untyped {} paddr {:#x} size 2^{} {}",
            region.start + i,
            paddr,
            d.size_bits,
            if d.is_device == 0 { "RAM" } else { "device" }
        );
    }
    if count > MAX_LISTED {
        let rest = descs().skip(MAX_LISTED);
        let rest_ram = rest.clone().filter(|d| d.is_device == 0).count();
        kprintln!(
            "ntos:   ({} more untypeds not listed: {rest_ram} RAM, {} device)",
            count - MAX_LISTED,
            count - MAX_LISTED - rest_ram
        );
    }
}

/// KUSER_SHARED_DATA's frame, filled (`ex::kuser`) and mapped in the executive.
fn shared_user_data(
    mm: &mut Mm,
    sections: &mut super::sectsvc::SectionState,
) -> Result<(Slot, usize), BootError> {
    let frame = mm.create(Pool::General, ObjectKind::Frame)?;
    let at = sections.map_in_executive(mm, frame)?;
    let pages = u32::try_from(super::sysinfo::ram_bytes() / 4096).unwrap_or(u32::MAX);
    super::kuser::install(at, pages, super::timesvc::BOOT_EPOCH);
    Ok((frame, at))
}
