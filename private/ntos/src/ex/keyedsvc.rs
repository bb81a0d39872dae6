//! Keyed events: `NtCreateKeyedEvent`, `NtOpenKeyedEvent`, `NtReleaseKeyedEvent`,
//! `NtWaitForKeyedEvent`.
//!
//! A keyed event is a meeting place: a release and a wait with the same key (any even
//! pointer-sized value) rendezvous. Whichever side arrives first waits for the other
//! (with its own timeout: `NULL` forever, zero polls, else relative or absolute as
//! every NT wait); the second one finds it, wakes it and returns at once. Both return
//! `STATUS_SUCCESS`, or `STATUS_TIMEOUT` if no partner came in time. Partners are
//! matched first come, first served per key.
//!
//! Facts (Wine's `dlls/ntdll/tests/sync.c` `test_keyed_events`, run on Windows):
//! - a key with its low bit set is `STATUS_INVALID_PARAMETER_1`, checked before the
//!   handle (`(HANDLE)0xdeadbeef` with key 9 gives it too, with key 8
//!   `STATUS_INVALID_HANDLE`);
//! - waiting needs `KEYEDEVENT_WAIT` (1, also what `GENERIC_READ` maps to), releasing
//!   `KEYEDEVENT_WAKE` (2, `GENERIC_WRITE`), else `STATUS_ACCESS_DENIED`;
//!   `KEYEDEVENT_ALL_ACCESS` is `0xF0003` (no `SYNCHRONIZE`);
//! - a handle of another type (an event) is `STATUS_OBJECT_TYPE_MISMATCH`, and event
//!   services on a keyed event handle answer the same;
//! - a `NULL` handle is the system's keyed event `\KernelObjects\CritSecOutOfMemoryEvent`
//!   (Windows Vista and later), which the executive creates at boot;
//! - the object itself is waitable (with `SYNCHRONIZE`) and always signalled: its
//!   dispatcher body here is a notification event that is set once and never reset.
//!
//! `Flags` of `NtCreateKeyedEvent` is reserved: nonzero is `STATUS_INVALID_PARAMETER_4`
//! (as the Windows Research Kernel checks it; Wine ignores it). `Alertable` makes the
//! wait end for an alert or a queued user APC like any alertable wait (`ke::apc`).
//!
//! # How a party waits
//!
//! The first party of a rendezvous becomes an ordinary dispatcher wait on a private
//! notification event that nobody else can name, so timeouts, parking the caller and
//! process exit are exactly those of `NtWaitForSingleObject`. The partner sets that
//! event (the wait completes with `STATUS_WAIT_0`, which is `STATUS_SUCCESS`) and the
//! event is deleted. Parties whose wait ended otherwise (timeout, the thread exited)
//! are dropped, with their event, the next time anybody uses that keyed event, and all
//! of them when the keyed event itself goes away.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::kesvc::{KeAnswer, KeState, Svc, SYNCHRONIZE};
use super::obsvc::{capture_attributes, handle_from_word, return_handle, ClientMemory, ObState};
use crate::ke::dispatcher::{Dispatcher, EventType, ObjectRef, WaitId, WaitType};
use crate::ke::probe::UserPtr;
use crate::ob::access::{AccessMask, GenericMapping};
use crate::ob::{ObjectAttributes, ObjectId, Opened, TypeDescriptor, TypeIndex};
use ntdef::status::{
    NtStatus, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PARAMETER_1,
    STATUS_INVALID_PARAMETER_4, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS,
};
use ntdef::types::OBJECT_ATTRIBUTES;

/// `KEYEDEVENT_WAIT`.
pub const KEYEDEVENT_WAIT: AccessMask = AccessMask(0x0001);
/// `KEYEDEVENT_WAKE`.
pub const KEYEDEVENT_WAKE: AccessMask = AccessMask(0x0002);
/// `KEYEDEVENT_ALL_ACCESS` (`STANDARD_RIGHTS_REQUIRED | KEYEDEVENT_WAIT |
/// KEYEDEVENT_WAKE`).
pub const KEYEDEVENT_ALL_ACCESS: AccessMask = AccessMask(0x000F_0003);
/// read = `STANDARD_RIGHTS_READ | KEYEDEVENT_WAIT`, write = `STANDARD_RIGHTS_WRITE |
/// KEYEDEVENT_WAKE`, execute = `STANDARD_RIGHTS_EXECUTE` (what Wine's test shows
/// `GENERIC_READ` / `GENERIC_WRITE` granting).
const KEYED_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0001),
    write: AccessMask(0x0002_0002),
    execute: AccessMask(0x0002_0000),
    all: KEYEDEVENT_ALL_ACCESS,
};

/// Where the system's keyed event lives.
pub const GLOBAL_DIRECTORY: &str = "KernelObjects";
pub const GLOBAL_NAME: &str = "CritSecOutOfMemoryEvent";

/// One side of a rendezvous waiting for its partner.
#[derive(Clone, Copy, Debug)]
struct Party {
    key: usize,
    release: bool,
    /// The private event the party waits on.
    event: ObjectRef,
    wait: WaitId,
}

/// The keyed event type and the parties waiting on each keyed event.
pub struct KeyedState {
    pub ty: TypeIndex,
    /// `\KernelObjects\CritSecOutOfMemoryEvent`, what a `NULL` handle names.
    pub global: ObjectId,
    parties: BTreeMap<ObjectId, Vec<Party>>,
}

impl KeyedState {
    /// Registers the KeyedEvent type and creates the system's keyed event; returns it
    /// with the dispatcher body of that object (signalled for good).
    pub fn new(ob: &mut ObState, disp: &mut Dispatcher) -> Result<(Self, ObjectRef), NtStatus> {
        let ty = ob.om.register_type(TypeDescriptor {
            name: "KeyedEvent",
            // SYNCHRONIZE can be asked for (Wine's test creates with
            // KEYEDEVENT_ALL_ACCESS | SYNCHRONIZE and then waits on the handle).
            valid_access: AccessMask(KEYEDEVENT_ALL_ACCESS.0 | SYNCHRONIZE.0),
            mapping: KEYED_MAPPING,
            parses: false,
            invalid_attributes: 0x100,
            security_required: false,
            maintain_handle_count: false,
            pool_type: 0,
        })?;
        let global = ob.om.system_object(GLOBAL_DIRECTORY, GLOBAL_NAME, ty)?;
        let body = always_signalled(disp)?;
        Ok((
            Self {
                ty,
                global,
                parties: BTreeMap::new(),
            },
            body,
        ))
    }

    /// The keyed event `object` was deleted: its waiting parties' events go too (their
    /// waits stay pending: only a timeout or their thread's end can finish them).
    pub fn forget(&mut self, object: ObjectId, disp: &mut Dispatcher) {
        if let Some(list) = self.parties.remove(&object) {
            for p in list {
                let _ = disp.delete(p.event);
            }
        }
    }

    /// Parties waiting on all keyed events (tests, statistics).
    pub fn waiting(&self) -> usize {
        self.parties.values().map(Vec::len).sum()
    }
}

/// The body of a keyed event object: a notification event set at once.
fn always_signalled(disp: &mut Dispatcher) -> Result<ObjectRef, NtStatus> {
    disp.create_event(EventType::Notification, 1)
}

impl<M: ClientMemory> Svc<'_, M> {
    /// `NtCreateKeyedEvent`.
    pub fn create_keyed(
        &mut self,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
        flags: u32,
    ) -> KeAnswer {
        let r = (|| {
            if flags != 0 {
                return Err(STATUS_INVALID_PARAMETER_4);
            }
            let captured = attributes
                .map(|a| capture_attributes(self.mem, a))
                .transpose()?;
            let view = captured
                .as_ref()
                .map_or(ObjectAttributes::default(), |c| c.view());
            let ty = self.ke.keyed.ty;
            let c = self
                .ob
                .om
                .create_object(self.caller, ty, &view, AccessMask(desired))?;
            if c.is_new() {
                match always_signalled(&mut self.ke.disp) {
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
        KeAnswer::Now(r.unwrap_or_else(|s| s))
    }

    /// `NtOpenKeyedEvent`.
    pub fn open_keyed(
        &mut self,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: UserPtr<OBJECT_ATTRIBUTES>,
    ) -> KeAnswer {
        let r = (|| {
            let a = capture_attributes(self.mem, attributes)?;
            let ty = self.ke.keyed.ty;
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
        KeAnswer::Now(r.unwrap_or_else(|s| s))
    }

    /// `NtReleaseKeyedEvent` (`release`) and `NtWaitForKeyedEvent`.
    pub fn keyed(
        &mut self,
        handle: usize,
        key: usize,
        alertable: u8,
        timeout: Option<UserPtr<i64>>,
        release: bool,
    ) -> KeAnswer {
        let r = (|| {
            if key & 1 != 0 {
                return Err(STATUS_INVALID_PARAMETER_1);
            }
            let object = if handle == 0 {
                self.ke.keyed.global
            } else {
                let access = if release {
                    KEYEDEVENT_WAKE
                } else {
                    KEYEDEVENT_WAIT
                };
                let ty = self.ke.keyed.ty;
                self.ob
                    .om
                    .object_by_handle(self.caller, handle_from_word(handle), Some(ty), access)?
                    .object
            };
            let t = self.read_timeout(timeout)?;
            Ok((object, t))
        })();
        let (object, t) = match r {
            Ok(v) => v,
            Err(s) => return KeAnswer::Now(s),
        };
        let ke: &mut KeState = self.ke;
        let list = ke.keyed.parties.entry(object).or_default();
        // Parties whose wait already ended (timed out, thread gone) leave first.
        let disp = &mut ke.disp;
        list.retain(|p| {
            let live = disp.is_pending(p.wait);
            if !live {
                let _ = disp.delete(p.event);
            }
            live
        });
        if let Some(i) = list
            .iter()
            .position(|p| p.key == key && p.release != release)
        {
            let partner = list.remove(i);
            if list.is_empty() {
                ke.keyed.parties.remove(&object);
            }
            if let Ok(effect) = ke.disp.set_event(partner.event) {
                ke.completed.extend(effect.completed);
            }
            let _ = ke.disp.delete(partner.event);
            return KeAnswer::Now(STATUS_SUCCESS);
        }
        if list.try_reserve(1).is_err() {
            return KeAnswer::Now(STATUS_INSUFFICIENT_RESOURCES);
        }
        let event = match ke.disp.create_event(EventType::Notification, 0) {
            Ok(e) => e,
            Err(s) => return KeAnswer::Now(s),
        };
        let answer = self.run_wait(t, |ke, th, _due, t| {
            ke.disp
                .wait(th, &[event], WaitType::WaitAny, alertable != 0, t)
        });
        match answer {
            KeAnswer::Pending(wait) => {
                self.ke
                    .keyed
                    .parties
                    .entry(object)
                    .or_default()
                    .push(Party {
                        key,
                        release,
                        event,
                        wait,
                    });
            }
            KeAnswer::Now(_) => {
                let _ = self.ke.disp.delete(event);
                if self
                    .ke
                    .keyed
                    .parties
                    .get(&object)
                    .is_some_and(Vec::is_empty)
                {
                    self.ke.keyed.parties.remove(&object);
                }
            }
        }
        answer
    }
}

#[cfg(test)]
#[path = "keyedsvc_tests.rs"]
mod tests;
