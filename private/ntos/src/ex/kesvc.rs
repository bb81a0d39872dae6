//! Dispatcher-object services at the ABI edge: events, semaphores, mutants, timers,
//! waits.
//!
//! The object manager owns names, handles and access; [`ke::dispatcher`] owns the NT
//! state machine; this file joins them. Every object of the types registered here (and
//! every process and thread object) has a dispatcher body, keyed by its [`ObjectId`].
//! A service never blocks: a wait that cannot be satisfied now returns
//! [`KeAnswer::Pending`] and the executive's service loop parks the caller (its saved
//! reply capability) until a [`Completion`] names it. Completions produced by any
//! service (a set, a release, a process exit) are queued in [`KeState::completed`]
//! for the loop to deliver.
//!
//! Pure logic over a [`ClientMemory`], like `obsvc`, so it is host-tested.
//!
//! Timeouts: `NULL` waits forever, zero polls, a negative value is an interval and a
//! positive one an absolute system time, both turned into a deadline on the clock the
//! service loop keeps in [`KeState::now`] (system time, 100 ns since 1601). The loop
//! calls [`KeState::expire`] on every timer tick, which ends the waits whose deadline
//! has passed with `STATUS_TIMEOUT` (so they end up to one tick late, never early).
//! Timer objects are armed here, not in the dispatcher: [`KeState`] keeps each armed
//! timer's due time (and period) on the same clock, and [`KeState::expire`] calls the
//! dispatcher's `fire` for every one whose due time has come (so a timer, too, fires up
//! to one tick late, never early), re-arming periodic ones.
//! `NtDelayExecution` is a wait on a private event nobody signals, whose timeout is
//! answered as `STATUS_SUCCESS`.
//!
//! Alerts and user APCs ([`crate::ke::apc`]): [`KeState::apc`] holds every thread's
//! alert flag and APC queue. A wait starts with what is due for its thread
//! (`Dispatcher::wait_alertable`: an alertable wait the objects cannot satisfy now ends
//! with `STATUS_ALERTED`, clearing the flag, or `STATUS_USER_APC`); an alert or APC for
//! a thread parked in an alertable wait ends that wait the same way
//! ([`KeState::alert`], [`KeState::queue_apc`]). The service loop hands the queued
//! APCs to ntdll whenever it answers `STATUS_USER_APC` (`ex::init`). A timer set with
//! an APC routine queues `(TimerContext, low, high)` of the system time it fired at
//! to the thread that set it (once at a time); cancelling or setting the timer again,
//! deleting it, or the end of that thread (which cancels the timer, as Windows'
//! `ExTimerRundown` does) takes the queued APC back.
//!
//! Deviation noted: waiting on an object without a dispatcher body (a directory, a
//! symbolic link) is `STATUS_OBJECT_TYPE_MISMATCH`, as Wine's server answers; Windows
//! instead waits on the type's default object, which is always signalled.
//!
//! [`ke::dispatcher`]: crate::ke::dispatcher

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::obsvc::{
    capture_attributes, handle_from_word, return_handle, write_u32, ClientMemory, ObState,
    ProcessIdentity,
};
use crate::ke::apc::{ApcQueues, ApcSource, UserApc};
use crate::ke::dispatcher::{
    CancelReason, Completion, Dispatcher, EventType, ObjectRef, ThreadId, Timeout, TimerType,
    WaitId, WaitOutcome, WaitType, MAXIMUM_WAIT_OBJECTS,
};
use crate::ke::probe::{probe, UserPtr};
use crate::ob::access::{AccessMask, GenericMapping};
use crate::ob::{Caller, ObjectAttributes, ObjectId, Opened, TypeDescriptor, TypeIndex};
use ntdef::status::{
    NtStatus, STATUS_ALERTED, STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS,
    STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_1, STATUS_INVALID_PARAMETER_3,
    STATUS_INVALID_PARAMETER_6, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS, STATUS_TIMEOUT,
};
use ntdef::types::OBJECT_ATTRIBUTES;

/// `SYNCHRONIZE`.
pub const SYNCHRONIZE: AccessMask = AccessMask(0x0010_0000);
/// `EVENT_QUERY_STATE` / `SEMAPHORE_QUERY_STATE` / `MUTANT_QUERY_STATE`.
pub const QUERY_STATE: AccessMask = AccessMask(0x0001);
/// `EVENT_MODIFY_STATE` / `SEMAPHORE_MODIFY_STATE`.
pub const MODIFY_STATE: AccessMask = AccessMask(0x0002);
/// `EVENT_ALL_ACCESS` / `SEMAPHORE_ALL_ACCESS` (winnt.h).
const EVENT_ALL_ACCESS: AccessMask = AccessMask(0x001F_0003);
/// `TIMER_ALL_ACCESS` (winnt.h: `STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE |
/// TIMER_QUERY_STATE | TIMER_MODIFY_STATE`); its generic mapping is the event's.
const TIMER_ALL_ACCESS: AccessMask = AccessMask(0x001F_0003);
/// `MUTANT_ALL_ACCESS` (winnt.h).
const MUTANT_ALL_ACCESS: AccessMask = AccessMask(0x001F_0001);
/// `OBJ_OPENLINK`: the `InvalidAttributes` Windows reports for Event, Semaphore and
/// Mutant (`ObjectTypeInformation`).
const SYNC_INVALID_ATTRIBUTES: u32 = 0x100;

/// Generic mappings as Windows 10 reports them in `OBJECT_TYPE_INFORMATION`:
/// read = `STANDARD_RIGHTS_READ | *_QUERY_STATE`, write = `STANDARD_RIGHTS_WRITE |
/// *_MODIFY_STATE`, execute = `STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE`.
const EVENT_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0001),
    write: AccessMask(0x0002_0002),
    execute: AccessMask(0x0012_0000),
    all: EVENT_ALL_ACCESS,
};
const MUTANT_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0001),
    write: AccessMask(0x0002_0000),
    execute: AccessMask(0x0012_0000),
    all: MUTANT_ALL_ACCESS,
};

/// The dispatcher object kinds with services of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncKind {
    Event,
    Semaphore,
    Mutant,
    Timer,
}

/// What a service came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeAnswer {
    /// Reply now.
    Now(NtStatus),
    /// The caller waits; the reply comes with the [`Completion`] naming this wait.
    Pending(WaitId),
}

impl From<NtStatus> for KeAnswer {
    fn from(s: NtStatus) -> Self {
        KeAnswer::Now(s)
    }
}

/// Dispatcher state of the executive.
pub struct KeState {
    pub disp: Dispatcher,
    pub(super) bodies: BTreeMap<ObjectId, ObjectRef>,
    /// Keyed events (`ex::keyedsvc`).
    pub keyed: super::keyedsvc::KeyedState,
    event_type: TypeIndex,
    semaphore_type: TypeIndex,
    mutant_type: TypeIndex,
    timer_type: TypeIndex,
    /// Armed timers: (body, due time, period), both in 100 ns units on [`KeState::now`]'s
    /// clock; a period of 0 is a one-shot timer.
    armed: Vec<(ObjectRef, u64, u64)>,
    /// Waits ended by services since the loop last looked, in completion order.
    pub completed: Vec<Completion>,
    /// The current system time (100 ns since 1601), set by the service loop before
    /// each service and tick.
    pub now: u64,
    /// Never signalled: what `NtDelayExecution` waits on.
    sleeper: ObjectRef,
    /// Pending waits that are delays (their timeout is a success).
    delays: Vec<WaitId>,
    /// Pending waits with a deadline (they end by themselves).
    timed: Vec<WaitId>,
    /// Alert flags and user APC queues.
    pub apc: ApcQueues,
    /// Timers set with an APC routine: (body, the thread that set it, routine,
    /// context).
    timer_apcs: Vec<TimerApc>,
}

/// A timer's APC routine (`NtSetTimer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TimerApc {
    body: ObjectRef,
    thread: ThreadId,
    routine: usize,
    context: usize,
}

/// One caller of a service.
pub struct Svc<'a, M: ClientMemory> {
    pub ob: &'a mut ObState,
    pub ke: &'a mut KeState,
    pub caller: &'a Caller,
    pub mem: &'a M,
    pub thread: ThreadId,
}

fn sync_type(name: &'static str, all: AccessMask, mapping: GenericMapping) -> TypeDescriptor {
    TypeDescriptor {
        name,
        valid_access: all,
        mapping,
        parses: false,
        invalid_attributes: SYNC_INVALID_ATTRIBUTES,
        security_required: false,
        maintain_handle_count: false,
        pool_type: 0,
    }
}

fn answer(r: Result<NtStatus, NtStatus>) -> KeAnswer {
    KeAnswer::Now(r.unwrap_or_else(|s| s))
}

impl KeState {
    /// Registers the Event, Semaphore and Mutant types.
    pub fn new(ob: &mut ObState) -> Result<Self, NtStatus> {
        let event_type =
            ob.om
                .register_type(sync_type("Event", EVENT_ALL_ACCESS, EVENT_MAPPING))?;
        let semaphore_type =
            ob.om
                .register_type(sync_type("Semaphore", EVENT_ALL_ACCESS, EVENT_MAPPING))?;
        let mutant_type =
            ob.om
                .register_type(sync_type("Mutant", MUTANT_ALL_ACCESS, MUTANT_MAPPING))?;
        let timer_type =
            ob.om
                .register_type(sync_type("Timer", TIMER_ALL_ACCESS, EVENT_MAPPING))?;
        let mut disp = Dispatcher::new();
        let sleeper = disp.create_event(EventType::Notification, 0)?;
        let (keyed, global_body) = super::keyedsvc::KeyedState::new(ob, &mut disp)?;
        let mut bodies = BTreeMap::new();
        bodies.insert(keyed.global, global_body);
        Ok(Self {
            disp,
            bodies,
            keyed,
            event_type,
            semaphore_type,
            mutant_type,
            timer_type,
            armed: Vec::new(),
            completed: Vec::new(),
            now: 0,
            sleeper,
            delays: Vec::new(),
            timed: Vec::new(),
            apc: ApcQueues::new(),
            timer_apcs: Vec::new(),
        })
    }

    /// Times out every wait whose deadline is at or before `now` (queued in
    /// [`KeState::completed`]); a delay that ends so succeeds.
    pub fn expire(&mut self, now: u64) {
        self.now = now;
        self.fire_timers(now);
        for mut c in self.disp.expire(now) {
            if let Some(i) = self.delays.iter().position(|&w| w == c.wait) {
                self.delays.swap_remove(i);
                c.status = STATUS_SUCCESS;
            }
            self.completed.push(c);
        }
        let disp = &self.disp;
        self.delays.retain(|&w| disp.is_pending(w));
        self.timed.retain(|&w| disp.is_pending(w));
    }

    /// Signals every armed timer whose due time is at or before `now` (queuing the
    /// waits that ends); a periodic one is re-armed one period after its due time (or
    /// more periods, should ticks have been missed), a one-shot one disarmed.
    fn fire_timers(&mut self, now: u64) {
        let mut i = 0;
        while i < self.armed.len() {
            let (body, due, period) = self.armed[i];
            if due > now {
                i += 1;
                continue;
            }
            if let Ok(c) = self.disp.fire(body) {
                self.completed.extend(c);
            }
            // After the signal, as NT's timer expiration does it: a thread waiting on
            // the timer itself is released by the signal and finds the APC queued.
            if let Some(t) = self.timer_apcs.iter().find(|t| t.body == body).copied() {
                let apc = UserApc {
                    routine: t.routine,
                    // PTIMERAPCROUTINE(Context, TimerLowValue, TimerHighValue).
                    args: [t.context, now as u32 as usize, (now >> 32) as u32 as usize],
                    source: ApcSource::Timer(body),
                };
                // Out of memory loses this expiration's APC, not the timer.
                let _ = self.queue_apc(t.thread, apc);
            }
            match (now - due).checked_div(period) {
                None => {
                    self.armed.swap_remove(i);
                }
                Some(missed) => {
                    let next = missed.saturating_add(1).saturating_mul(period);
                    self.armed[i].1 = due.saturating_add(next);
                    i += 1;
                }
            }
        }
    }

    /// The earliest moment something happens by itself: a wait's deadline or an armed
    /// timer's due time. The loop calls [`KeState::expire`] on the first tick past it.
    pub fn next_deadline(&self) -> Option<u64> {
        let timers = self.armed.iter().map(|&(_, due, _)| due).min();
        match (self.disp.next_deadline(), timers) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether `wait` is pending and may end without help: it has a deadline, or some
    /// timer is armed (conservatively: the wait may be on it).
    pub fn is_timed(&self, wait: WaitId) -> bool {
        self.disp.is_pending(wait) && (self.timed.contains(&wait) || !self.armed.is_empty())
    }

    /// What would end an alertable wait of `thread` at once: its alert flag first,
    /// then queued user APCs (`KiCheckAlertability`'s order).
    pub fn due(&self, thread: ThreadId) -> Option<CancelReason> {
        if self.apc.alerted(thread) {
            Some(CancelReason::Alert)
        } else if self.apc.pending(thread) {
            Some(CancelReason::UserApc)
        } else {
            None
        }
    }

    /// Ends `thread`'s pending wait for `reason` if it is alertable (the completion is
    /// queued); `false` if there was no such wait.
    fn interrupt(&mut self, thread: ThreadId, reason: CancelReason) -> bool {
        let Some((wait, true)) = self.disp.wait_of(thread) else {
            return false;
        };
        match self.disp.cancel_wait(wait, reason) {
            Some(c) => {
                self.completed.push(c);
                self.delays.retain(|&w| w != wait);
                self.timed.retain(|&w| w != wait);
                true
            }
            None => false,
        }
    }

    /// Queues a user APC to `thread`; a pending alertable wait of the thread ends with
    /// `STATUS_USER_APC`.
    pub fn queue_apc(&mut self, thread: ThreadId, apc: UserApc) -> Result<(), NtStatus> {
        if self.apc.queue(thread, apc)? {
            self.interrupt(thread, CancelReason::UserApc);
        }
        Ok(())
    }

    /// `KeAlertThread(UserMode)`: a thread not yet alerted that is in an alertable wait
    /// leaves it with `STATUS_ALERTED` (the flag stays clear); otherwise its flag is
    /// set. Returns whether it was alerted before.
    pub fn alert(&mut self, thread: ThreadId) -> bool {
        if self.apc.alerted(thread) {
            return true;
        }
        if !self.interrupt(thread, CancelReason::Alert) {
            self.apc.set_alerted(thread);
        }
        false
    }

    /// Forgets timer `body`'s APC routine and takes its queued APC back.
    fn forget_timer_apc(&mut self, body: ObjectRef) {
        self.timer_apcs.retain(|t| t.body != body);
        self.apc.remove_source(ApcSource::Timer(body));
    }

    fn disarm(&mut self, body: ObjectRef) -> bool {
        let before = self.armed.len();
        self.armed.retain(|&(b, ..)| b != body);
        self.armed.len() != before
    }

    fn type_of(&self, kind: SyncKind) -> TypeIndex {
        match kind {
            SyncKind::Event => self.event_type,
            SyncKind::Semaphore => self.semaphore_type,
            SyncKind::Mutant => self.mutant_type,
            SyncKind::Timer => self.timer_type,
        }
    }

    /// A new process: its process and thread objects become waitable (signalled when
    /// it ends).
    pub fn attach(&mut self, id: &ProcessIdentity) -> Result<(), NtStatus> {
        for object in [id.caller.process, id.caller.thread].into_iter().flatten() {
            let body = self.disp.create_signal_once()?;
            self.bodies.insert(object, body);
        }
        Ok(())
    }

    /// A further thread object becomes waitable (signalled when the thread ends).
    pub fn attach_thread(&mut self, object: ObjectId) -> Result<(), NtStatus> {
        let body = self.disp.create_signal_once()?;
        self.bodies.insert(object, body);
        Ok(())
    }

    /// `thread` (its object `object`) ended: its own waits are dropped (returned: the
    /// loop forgets their saved replies), its mutants abandoned and its object
    /// signalled, in NT's order. Completions are queued.
    pub fn thread_exit(&mut self, thread: ThreadId, object: ObjectId) -> Vec<WaitId> {
        // Its APCs go with it, and so do the timers it set with an APC routine.
        let timers: Vec<ObjectRef> = self
            .timer_apcs
            .iter()
            .filter(|t| t.thread == thread)
            .map(|t| t.body)
            .collect();
        for body in timers {
            self.disarm(body);
            self.forget_timer_apc(body);
        }
        self.apc.discard(thread);
        let effect = self.disp.thread_exit(thread);
        self.completed.extend(effect.completed);
        self.signal_forever(object);
        effect.value
    }

    /// The process whose object is `process` ended (after its last thread).
    pub fn process_exit(&mut self, process: ObjectId) {
        self.signal_forever(process);
    }

    fn signal_forever(&mut self, object: ObjectId) {
        if let Some(&body) = self.bodies.get(&object) {
            if let Ok(c) = self.disp.signal_forever(body) {
                self.completed.extend(c);
            }
        }
    }

    /// Frees the bodies of objects the object manager deleted.
    pub fn reap(&mut self, ob: &mut ObState) {
        for d in ob.take_reaped() {
            self.keyed.forget(d.id, &mut self.disp);
            if let Some(body) = self.bodies.remove(&d.id) {
                self.disarm(body);
                self.forget_timer_apc(body);
                let _ = self.disp.delete(body);
            }
        }
    }
}

impl<M: ClientMemory> Svc<'_, M> {
    fn body(
        &self,
        handle: usize,
        kind: Option<SyncKind>,
        access: AccessMask,
    ) -> Result<ObjectRef, NtStatus> {
        let ty = kind.map(|k| self.ke.type_of(k));
        let entry =
            self.ob
                .om
                .object_by_handle(self.caller, handle_from_word(handle), ty, access)?;
        self.ke
            .bodies
            .get(&entry.object)
            .copied()
            .ok_or(STATUS_OBJECT_TYPE_MISMATCH)
    }

    fn kind_of(&self, handle: usize) -> Result<SyncKind, NtStatus> {
        let entry = self
            .ob
            .om
            .resolve_handle(self.caller, handle_from_word(handle))?;
        let ty = self
            .ob
            .om
            .header(entry.object)
            .ok_or(ntdef::status::STATUS_INVALID_HANDLE)?
            .ty;
        [SyncKind::Event, SyncKind::Semaphore, SyncKind::Mutant]
            .into_iter()
            .find(|&k| self.ke.type_of(k) == ty)
            .ok_or(STATUS_OBJECT_TYPE_MISMATCH)
    }

    fn write_i32(&self, at: Option<UserPtr<i32>>, v: i32) {
        // The state change has happened; like Windows, a fault writing the optional
        // previous value does not undo it (the status stays success).
        if let Some(p) = at {
            let _ = self.mem.write(p.addr(), &v.to_le_bytes());
        }
    }

    /// `NtCreateEvent` / `NtCreateSemaphore` / `NtCreateMutant` after their own argument
    /// checks; `make` builds the body of a new object.
    pub fn create(
        &mut self,
        kind: SyncKind,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
        make: impl FnOnce(&mut Dispatcher, ThreadId) -> Result<ObjectRef, NtStatus>,
    ) -> KeAnswer {
        let r = (|| {
            let captured = attributes
                .map(|a| capture_attributes(self.mem, a))
                .transpose()?;
            let view = captured
                .as_ref()
                .map_or(ObjectAttributes::default(), |c| c.view());
            let ty = self.ke.type_of(kind);
            let c = self
                .ob
                .om
                .create_object(self.caller, ty, &view, AccessMask(desired))?;
            if c.is_new() {
                match make(&mut self.ke.disp, self.thread) {
                    Ok(body) => {
                        self.ke.bodies.insert(c.object, body);
                    }
                    Err(s) => {
                        let _ = self.ob.om.close(self.caller, c.handle);
                        self.ob.reap();
                        return Err(s);
                    }
                }
            }
            return_handle(self.ob, self.caller, self.mem, out, c.handle)?;
            Ok(c.status)
        })();
        self.ke.reap(self.ob);
        answer(r)
    }

    /// `NtOpenEvent` / `NtOpenSemaphore` / `NtOpenMutant`.
    pub fn open(
        &mut self,
        kind: SyncKind,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: UserPtr<OBJECT_ATTRIBUTES>,
    ) -> KeAnswer {
        let r = (|| {
            let a = capture_attributes(self.mem, attributes)?;
            let ty = self.ke.type_of(kind);
            let opened = self.ob.om.open_object_by_name(
                self.caller,
                &a.view(),
                Some(ty),
                AccessMask(desired),
            )?;
            match opened {
                Opened::Handle { handle, .. } => {
                    return_handle(self.ob, self.caller, self.mem, out, handle)?;
                    Ok(STATUS_SUCCESS)
                }
                Opened::Parse { .. } => Err(STATUS_OBJECT_TYPE_MISMATCH),
            }
        })();
        self.ke.reap(self.ob);
        answer(r)
    }

    /// `NtSetEvent` / `NtPulseEvent` / `NtResetEvent` / `NtClearEvent`.
    pub fn event_op(
        &mut self,
        handle: usize,
        op: EventOp,
        previous: Option<UserPtr<i32>>,
    ) -> KeAnswer {
        let r = (|| {
            let e = self.body(handle, Some(SyncKind::Event), MODIFY_STATE)?;
            let d = &mut self.ke.disp;
            let prev = match op {
                EventOp::Set => {
                    let eff = d.set_event(e)?;
                    self.ke.completed.extend(eff.completed);
                    eff.value
                }
                EventOp::Pulse => {
                    let eff = d.pulse_event(e)?;
                    self.ke.completed.extend(eff.completed);
                    eff.value
                }
                EventOp::Reset => d.reset_event(e)?,
                EventOp::Clear => {
                    d.clear_event(e)?;
                    return Ok(STATUS_SUCCESS);
                }
            };
            self.write_i32(previous, prev);
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// `NtReleaseSemaphore`: a count below 1 is `STATUS_INVALID_PARAMETER` before the
    /// handle is looked at.
    pub fn release_semaphore(
        &mut self,
        handle: usize,
        count: i32,
        previous: Option<UserPtr<i32>>,
    ) -> KeAnswer {
        let r = (|| {
            if count <= 0 {
                return Err(STATUS_INVALID_PARAMETER);
            }
            let s = self.body(handle, Some(SyncKind::Semaphore), MODIFY_STATE)?;
            let eff = self.ke.disp.release_semaphore(s, count)?;
            self.ke.completed.extend(eff.completed);
            self.write_i32(previous, eff.value);
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// `NtReleaseMutant` (no specific access needed, as on Windows).
    pub fn release_mutant(&mut self, handle: usize, previous: Option<UserPtr<i32>>) -> KeAnswer {
        let r = (|| {
            let m = self.body(handle, Some(SyncKind::Mutant), AccessMask(0))?;
            let eff = self.ke.disp.release_mutant(m, self.thread)?;
            self.ke.completed.extend(eff.completed);
            self.write_i32(previous, eff.value);
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// `NtQueryEvent` / `NtQuerySemaphore` / `NtQueryMutant`: class 0 (the basic
    /// information, 8 bytes in every case), else `STATUS_INVALID_INFO_CLASS`; another
    /// length is `STATUS_INFO_LENGTH_MISMATCH`.
    pub fn query(
        &mut self,
        kind: SyncKind,
        handle: usize,
        class: u32,
        buffer: usize,
        length: u32,
        returned: Option<UserPtr<u32>>,
    ) -> KeAnswer {
        const SIZE: u32 = 8;
        let r = (|| {
            if class != 0 {
                return Err(STATUS_INVALID_INFO_CLASS);
            }
            if length != SIZE {
                return Err(STATUS_INFO_LENGTH_MISMATCH);
            }
            probe(buffer, SIZE as usize, 4)?;
            let o = self.body(handle, Some(kind), QUERY_STATE)?;
            let d = &self.ke.disp;
            let (a, b): (u32, u32) = match kind {
                SyncKind::Event => {
                    let i = d.query_event(o)?;
                    (i.event_type as u32, i.state as u32)
                }
                SyncKind::Semaphore => {
                    let i = d.query_semaphore(o)?;
                    (i.current_count as u32, i.maximum_count as u32)
                }
                SyncKind::Mutant => {
                    let i = d.query_mutant(o, self.thread)?;
                    // MUTANT_BASIC_INFORMATION: CurrentCount, OwnedByCaller,
                    // AbandonedState (BOOLEANs), padding.
                    let flags = u32::from(i.owned_by_caller) | (u32::from(i.abandoned) << 8);
                    (i.current_count as u32, flags)
                }
                SyncKind::Timer => return Err(STATUS_INVALID_INFO_CLASS),
            };
            let mut bytes = [0u8; SIZE as usize];
            bytes[..4].copy_from_slice(&a.to_le_bytes());
            bytes[4..].copy_from_slice(&b.to_le_bytes());
            self.mem.write(buffer, &bytes)?;
            if let Some(p) = returned {
                write_u32(self.mem, p.addr(), SIZE)?;
            }
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    fn write_bool(&self, at: Option<UserPtr<u8>>, v: bool) {
        // As `write_i32`: the state change stands even if the report cannot be written.
        if let Some(p) = at {
            let _ = self.mem.write(p.addr(), &[u8::from(v)]);
        }
    }

    /// `NtSetTimer`: `Period` below 0 is `STATUS_INVALID_PARAMETER_6` before anything
    /// else; the handle needs `TIMER_MODIFY_STATE`. The timer is cancelled, its signal
    /// cleared (the state before is the `PreviousState` report) and it is armed for
    /// `DueTime` (negative: relative, positive: absolute system time; zero or a past
    /// time signals it at once), then every `Period` ms if that is non-zero. A pending
    /// APC of the timer is taken back; a non-NULL `TimerApcRoutine` is queued to the
    /// calling thread at every expiration as `TimerApcRoutine(TimerContext, low,
    /// high)` of the system time it fired at (the PTIMERAPCROUTINE documentation),
    /// delivered at the thread's next alertable wait.
    ///
    /// Deviations: `ResumeTimer` is ignored with `STATUS_SUCCESS`; closing the last
    /// handle of a timer cancels it and its APC (Windows keeps a timer with an APC
    /// routine alive until it is cancelled).
    #[allow(clippy::too_many_arguments)]
    pub fn set_timer(
        &mut self,
        handle: usize,
        due: UserPtr<i64>,
        apc: usize,
        context: usize,
        period: i32,
        previous: Option<UserPtr<u8>>,
    ) -> KeAnswer {
        let r = (|| {
            if period < 0 {
                return Err(STATUS_INVALID_PARAMETER_6);
            }
            let mut b = [0u8; 8];
            self.mem.read(due.addr(), &mut b)?;
            let due = i64::from_le_bytes(b);
            let t = self.body(handle, Some(SyncKind::Timer), MODIFY_STATE)?;
            // Memory for the APC routine's record before anything changes.
            self.ke
                .timer_apcs
                .try_reserve(1)
                .map_err(|_| ntdef::status::STATUS_INSUFFICIENT_RESOURCES)?;
            self.ke.disarm(t);
            self.ke.forget_timer_apc(t);
            let prev = self.ke.disp.reset_timer(t)?;
            if apc != 0 {
                self.ke.timer_apcs.push(TimerApc {
                    body: t,
                    thread: self.thread,
                    routine: apc,
                    context,
                });
            }
            let now = self.ke.now;
            // 1 ms = 10 000 units of 100 ns.
            let period = u64::from(period.unsigned_abs()) * 10_000;
            let at = match Timeout::from_nt(due, now) {
                Timeout::Immediate => now,
                Timeout::At(at) => at,
            };
            self.ke.armed.push((t, at, period));
            // A due time already reached fires now, not at the next tick.
            self.ke.fire_timers(now);
            self.write_bool(previous, prev);
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// `NtCancelTimer`: disarms the timer (`TIMER_MODIFY_STATE`); its signal state is
    /// unchanged and reported as `CurrentState`.
    pub fn cancel_timer(&mut self, handle: usize, current: Option<UserPtr<u8>>) -> KeAnswer {
        let r = (|| {
            let t = self.body(handle, Some(SyncKind::Timer), MODIFY_STATE)?;
            self.ke.disarm(t);
            self.ke.forget_timer_apc(t);
            let state = self.ke.disp.query_timer(t)?;
            self.write_bool(current, state);
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// `NtQueryTimer`, class 0 (`TimerBasicInformation`, 16 bytes on both
    /// architectures: `LARGE_INTEGER RemainingTime`, `BOOLEAN TimerState`, padding);
    /// another class is `STATUS_INVALID_INFO_CLASS`, another length
    /// `STATUS_INFO_LENGTH_MISMATCH`. `RemainingTime` is the time until the due time of
    /// an armed timer and 0 for one that is not armed (as Wine reports it).
    pub fn query_timer(
        &mut self,
        handle: usize,
        class: u32,
        buffer: usize,
        length: u32,
        returned: Option<UserPtr<u32>>,
    ) -> KeAnswer {
        const SIZE: u32 = 16;
        let r = (|| {
            if class != 0 {
                return Err(STATUS_INVALID_INFO_CLASS);
            }
            if length != SIZE {
                return Err(STATUS_INFO_LENGTH_MISMATCH);
            }
            probe(buffer, SIZE as usize, 4)?;
            let t = self.body(handle, Some(SyncKind::Timer), QUERY_STATE)?;
            let state = self.ke.disp.query_timer(t)?;
            let now = self.ke.now;
            let remaining = self
                .ke
                .armed
                .iter()
                .find(|&&(b, ..)| b == t)
                .map_or(0, |&(_, due, _)| due.saturating_sub(now));
            let mut bytes = [0u8; SIZE as usize];
            bytes[..8].copy_from_slice(&remaining.min(i64::MAX as u64).to_le_bytes());
            bytes[8] = u8::from(state);
            self.mem.write(buffer, &bytes)?;
            if let Some(p) = returned {
                write_u32(self.mem, p.addr(), SIZE)?;
            }
            Ok(STATUS_SUCCESS)
        })();
        answer(r)
    }

    /// Reads an optional `LARGE_INTEGER` timeout (already probed).
    fn timeout(&self, at: Option<UserPtr<i64>>) -> Result<Option<i64>, NtStatus> {
        match at {
            None => Ok(None),
            Some(p) => {
                let mut b = [0u8; 8];
                self.mem.read(p.addr(), &mut b)?;
                Ok(Some(i64::from_le_bytes(b)))
            }
        }
    }

    /// [`Svc::timeout`] for the other service files.
    pub(super) fn read_timeout(&self, at: Option<UserPtr<i64>>) -> Result<Option<i64>, NtStatus> {
        self.timeout(at)
    }

    /// Runs a wait with a raw NT timeout (see the module notes), telling it what alert
    /// or APC is due for the thread.
    pub(super) fn run_wait(
        &mut self,
        timeout: Option<i64>,
        mut wait: impl FnMut(
            &mut KeState,
            ThreadId,
            Option<CancelReason>,
            Option<Timeout>,
        ) -> Result<WaitOutcome, NtStatus>,
    ) -> KeAnswer {
        let now = self.ke.now;
        let t = timeout.map(|v| Timeout::from_nt(v, now));
        let due = self.ke.due(self.thread);
        match wait(self.ke, self.thread, due, t) {
            Ok(WaitOutcome::Satisfied(s)) => {
                if s == STATUS_ALERTED {
                    // The alert ended this wait: it is consumed.
                    self.ke.apc.clear_alerted(self.thread);
                }
                KeAnswer::Now(s)
            }
            Ok(WaitOutcome::Pending(id)) => {
                if t.is_some() {
                    let disp = &self.ke.disp;
                    self.ke.timed.retain(|&w| disp.is_pending(w));
                    self.ke.timed.push(id);
                }
                KeAnswer::Pending(id)
            }
            Err(s) => KeAnswer::Now(s),
        }
    }

    /// `NtWaitForSingleObject`: the handle needs `SYNCHRONIZE`.
    pub fn wait_single(
        &mut self,
        handle: usize,
        alertable: u8,
        timeout: Option<UserPtr<i64>>,
    ) -> KeAnswer {
        let r = (|| {
            let o = self.body(handle, None, SYNCHRONIZE)?;
            let t = self.timeout(timeout)?;
            Ok((o, t))
        })();
        let (o, t) = match r {
            Ok(v) => v,
            Err(s) => return KeAnswer::Now(s),
        };
        self.run_wait(t, |ke, th, due, t| {
            ke.disp
                .wait_alertable(th, &[o], WaitType::WaitAny, alertable != 0, due, t)
        })
    }

    /// `NtWaitForMultipleObjects`: `Count` 0 or above `MAXIMUM_WAIT_OBJECTS` is
    /// `STATUS_INVALID_PARAMETER_1`, a `WaitType` other than WaitAll/WaitAny
    /// `STATUS_INVALID_PARAMETER_3` (both checked before anything is read); the handle
    /// array is probed for `Count` handles, aligned to a handle.
    pub fn wait_multiple(
        &mut self,
        count: u32,
        handles: usize,
        wait_type: u32,
        alertable: u8,
        timeout: Option<UserPtr<i64>>,
    ) -> KeAnswer {
        let r = (|| {
            let n = count as usize;
            if n == 0 || n > MAXIMUM_WAIT_OBJECTS {
                return Err(STATUS_INVALID_PARAMETER_1);
            }
            let wt = match wait_type {
                0 => WaitType::WaitAll,
                1 => WaitType::WaitAny,
                _ => return Err(STATUS_INVALID_PARAMETER_3),
            };
            const W: usize = size_of::<usize>();
            probe(handles, n * W, W)?;
            let mut raw = alloc::vec![0u8; n * W];
            self.mem.read(handles, &mut raw)?;
            let mut objects = Vec::with_capacity(n);
            for c in raw.chunks_exact(W) {
                let mut b = [0u8; W];
                b.copy_from_slice(c);
                objects.push(self.body(usize::from_le_bytes(b), None, SYNCHRONIZE)?);
            }
            let t = self.timeout(timeout)?;
            Ok((objects, wt, t))
        })();
        let (objects, wt, t) = match r {
            Ok(v) => v,
            Err(s) => return KeAnswer::Now(s),
        };
        self.run_wait(t, |ke, th, due, t| {
            ke.disp
                .wait_alertable(th, &objects, wt, alertable != 0, due, t)
        })
    }

    /// `NtSignalAndWaitForSingleObject`: the signalled object needs
    /// `EVENT_MODIFY_STATE` / `SEMAPHORE_MODIFY_STATE` (a mutant: ownership), the
    /// waited one `SYNCHRONIZE`.
    pub fn signal_and_wait(
        &mut self,
        signal: usize,
        wait_on: usize,
        alertable: u8,
        timeout: Option<UserPtr<i64>>,
    ) -> KeAnswer {
        let r = (|| {
            let kind = self.kind_of(signal)?;
            let access = match kind {
                SyncKind::Mutant => AccessMask(0),
                _ => MODIFY_STATE,
            };
            let s = self.body(signal, Some(kind), access)?;
            let w = self.body(wait_on, None, SYNCHRONIZE)?;
            let t = self.timeout(timeout)?;
            Ok((s, w, t))
        })();
        let (s, w, t) = match r {
            Ok(v) => v,
            Err(e) => return KeAnswer::Now(e),
        };
        self.run_wait(t, |ke, th, due, t| {
            let eff = ke
                .disp
                .signal_and_wait_alertable(th, s, w, alertable != 0, due, t)?;
            ke.completed.extend(eff.completed);
            Ok(eff.value)
        })
    }

    /// `NtDelayExecution`: waits until the interval (negative) or the absolute system
    /// time (positive) has passed; zero or a past time returns at once, with
    /// `STATUS_SUCCESS`. An alertable delay ends early with `STATUS_ALERTED` or
    /// `STATUS_USER_APC` (also at once when an alert or APC is already due, even for
    /// a zero interval: ReactOS `KeDelayExecutionThread` checks alertability before
    /// the interval).
    pub fn delay(&mut self, alertable: u8, interval: UserPtr<i64>) -> KeAnswer {
        let t = match self.timeout(Some(interval)) {
            Ok(t) => t,
            Err(s) => return KeAnswer::Now(s),
        };
        let sleeper = self.ke.sleeper;
        match self.run_wait(t, |ke, th, due, t| {
            ke.disp
                .wait_alertable(th, &[sleeper], WaitType::WaitAny, alertable != 0, due, t)
        }) {
            KeAnswer::Now(s) if s == STATUS_TIMEOUT => KeAnswer::Now(STATUS_SUCCESS),
            KeAnswer::Pending(id) => {
                self.ke.delays.push(id);
                KeAnswer::Pending(id)
            }
            a => a,
        }
    }
}

/// The event services that change state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOp {
    Set,
    Pulse,
    Reset,
    Clear,
}

/// `NtCreateTimer`'s body: a `TimerType` other than NotificationTimer (0) or
/// SynchronizationTimer (1) is `STATUS_INVALID_PARAMETER_4`.
pub fn make_timer(
    timer_type: u32,
) -> Result<impl FnOnce(&mut Dispatcher, ThreadId) -> Result<ObjectRef, NtStatus>, NtStatus> {
    let t = TimerType::from_nt(timer_type)?;
    Ok(move |d: &mut Dispatcher, _| d.create_timer(t))
}

/// `NtCreateEvent`'s body.
pub fn make_event(
    event_type: u32,
    initial: u8,
) -> Result<impl FnOnce(&mut Dispatcher, ThreadId) -> Result<ObjectRef, NtStatus>, NtStatus> {
    let t = EventType::from_nt(event_type)?;
    Ok(move |d: &mut Dispatcher, _| d.create_event(t, initial))
}

#[cfg(test)]
#[path = "kesvc_apc_tests.rs"]
mod apc_tests;
