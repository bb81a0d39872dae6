//! Host tests of keyed events over a fake client memory (statuses as Wine's
//! `test_keyed_events` observed them on Windows; see the module notes).

use super::*;
use crate::ex::obsvc::ProcessIdentity;
use crate::ke::dispatcher::ThreadId;
use alloc::vec;
use core::cell::RefCell;
use ntdef::status::{
    STATUS_ACCESS_DENIED, STATUS_ACCESS_VIOLATION, STATUS_INVALID_HANDLE, STATUS_TIMEOUT,
};

const W: usize = size_of::<usize>();
const BASE: usize = 0x10000;
const OA: usize = BASE + 0x100;
const US: usize = BASE + 0x200;
const TEXT: usize = BASE + 0x300;
const OUT: usize = BASE + 0x400;
const TIMEOUT: usize = BASE + 0x500;

struct Fake(RefCell<Vec<u8>>);

impl ClientMemory for Fake {
    fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus> {
        let m = self.0.borrow();
        let s = addr.checked_sub(BASE).ok_or(STATUS_ACCESS_VIOLATION)?;
        let src = m.get(s..s + buf.len()).ok_or(STATUS_ACCESS_VIOLATION)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus> {
        let mut m = self.0.borrow_mut();
        let s = addr.checked_sub(BASE).ok_or(STATUS_ACCESS_VIOLATION)?;
        let dst = m
            .get_mut(s..s + data.len())
            .ok_or(STATUS_ACCESS_VIOLATION)?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

impl Fake {
    fn put(&self, at: usize, data: &[u8]) {
        self.0.borrow_mut()[at - BASE..at - BASE + data.len()].copy_from_slice(data);
    }
    fn word(&self, at: usize) -> usize {
        let mut b = [0u8; W];
        self.read(at, &mut b).unwrap();
        usize::from_le_bytes(b)
    }
    /// OBJECT_ATTRIBUTES at OA naming `name`.
    fn attrs(&self, name: &str) -> UserPtr<OBJECT_ATTRIBUTES> {
        let units: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        self.put(TEXT, &units);
        let mut us = Vec::new();
        us.extend_from_slice(&(units.len() as u16).to_le_bytes());
        us.extend_from_slice(&(units.len() as u16).to_le_bytes());
        us.resize(W, 0);
        us.extend_from_slice(&TEXT.to_le_bytes());
        self.put(US, &us);
        let mut oa = Vec::new();
        oa.extend_from_slice(&(size_of::<OBJECT_ATTRIBUTES>() as u32).to_le_bytes());
        oa.resize(2 * W, 0);
        oa.extend_from_slice(&US.to_le_bytes());
        oa.extend_from_slice(&0u32.to_le_bytes());
        oa.resize(size_of::<OBJECT_ATTRIBUTES>(), 0);
        self.put(OA, &oa);
        UserPtr::required(OA).unwrap()
    }
    fn timeout(&self, v: i64) -> Option<UserPtr<i64>> {
        self.put(TIMEOUT, &v.to_le_bytes());
        Some(UserPtr::required(TIMEOUT).unwrap())
    }
}

struct World {
    ob: ObState,
    ke: KeState,
    a: ProcessIdentity,
    b: ProcessIdentity,
    m: Fake,
}

impl World {
    fn new() -> Self {
        let mut ob = ObState::new().unwrap();
        let ke = KeState::new(&mut ob).unwrap();
        let a = ob.attach().unwrap();
        let b = ob.attach().unwrap();
        World {
            ob,
            ke,
            a,
            b,
            m: Fake(RefCell::new(vec![0; 0x1000])),
        }
    }
    fn svc(&mut self, second: bool) -> Svc<'_, Fake> {
        let (caller, thread) = if second {
            (&self.b.caller, ThreadId(2))
        } else {
            (&self.a.caller, ThreadId(1))
        };
        Svc {
            ob: &mut self.ob,
            ke: &mut self.ke,
            caller,
            mem: &self.m,
            thread,
        }
    }
    /// Creates `\BaseNamedObjects\k` for A with `access`; the handle.
    fn create(&mut self, access: u32) -> usize {
        let oa = self.m.attrs("\\BaseNamedObjects\\k");
        let out = UserPtr::required(OUT).unwrap();
        let r = self.svc(false).create_keyed(out, access, Some(oa), 0);
        assert_eq!(r, KeAnswer::Now(STATUS_SUCCESS));
        self.m.word(OUT)
    }
}

#[test]
fn parameters_checked_in_windows_order() {
    let mut w = World::new();
    let h = w.create(KEYEDEVENT_ALL_ACCESS.0);
    let t = w.m.timeout(0);
    for release in [false, true] {
        // Odd key: before the handle, even a bad one.
        let r = w.svc(false).keyed(h, 255, 0, t, release);
        assert_eq!(r, KeAnswer::Now(STATUS_INVALID_PARAMETER_1));
        let r = w.svc(false).keyed(0xdead_beec, 9, 0, t, release);
        assert_eq!(r, KeAnswer::Now(STATUS_INVALID_PARAMETER_1));
        let r = w.svc(false).keyed(0xdead_beec, 8, 0, t, release);
        assert_eq!(r, KeAnswer::Now(STATUS_INVALID_HANDLE));
        // Nobody there: a zero timeout times out, and leaves no party behind.
        let r = w.svc(false).keyed(h, 254, 0, t, release);
        assert_eq!(r, KeAnswer::Now(STATUS_TIMEOUT));
        let r = w.svc(false).keyed(0, 8, 0, t, release);
        assert_eq!(r, KeAnswer::Now(STATUS_TIMEOUT));
    }
    assert_eq!(w.ke.keyed.waiting(), 0);
    // Flags is reserved.
    let out = UserPtr::required(OUT).unwrap();
    let r = w.svc(false).create_keyed(out, 0, None, 1);
    assert_eq!(r, KeAnswer::Now(STATUS_INVALID_PARAMETER_4));
}

#[test]
fn access_rights() {
    let mut w = World::new();
    let t = w.m.timeout(0);
    let wait_only = w.create(KEYEDEVENT_WAIT.0);
    let r = w.svc(false).keyed(wait_only, 8, 0, t, true);
    assert_eq!(r, KeAnswer::Now(STATUS_ACCESS_DENIED));
    let r = w.svc(false).keyed(wait_only, 8, 0, t, false);
    assert_eq!(r, KeAnswer::Now(STATUS_TIMEOUT));
    // GENERIC_WRITE maps to KEYEDEVENT_WAKE only (OPENIF is not set, so a new name).
    let out = UserPtr::required(OUT).unwrap();
    let r = w.svc(false).create_keyed(out, 0x4000_0000, None, 0);
    assert_eq!(r, KeAnswer::Now(STATUS_SUCCESS));
    let wake_only = w.m.word(OUT);
    let r = w.svc(false).keyed(wake_only, 8, 0, t, false);
    assert_eq!(r, KeAnswer::Now(STATUS_ACCESS_DENIED));
    let r = w.svc(false).keyed(wake_only, 8, 0, t, true);
    assert_eq!(r, KeAnswer::Now(STATUS_TIMEOUT));
}

#[test]
fn release_waits_for_a_waiter_and_both_succeed() {
    let mut w = World::new();
    let h = w.create(KEYEDEVENT_ALL_ACCESS.0);
    // B opens the same object by name.
    let oa = w.m.attrs("\\BaseNamedObjects\\k");
    let out = UserPtr::required(OUT).unwrap();
    let r = w.svc(true).open_keyed(out, KEYEDEVENT_ALL_ACCESS.0, oa);
    assert_eq!(r, KeAnswer::Now(STATUS_SUCCESS));
    let hb = w.m.word(OUT);
    let objects = w.ke.disp.object_count();
    // A releases first, forever: it waits.
    let KeAnswer::Pending(wait) = w.svc(false).keyed(h, 0x1234, 0, None, true) else {
        panic!("release did not wait");
    };
    // A wait on another key, or another release, does not match it.
    let t = w.m.timeout(0);
    assert_eq!(
        w.svc(true).keyed(hb, 0x1236, 0, t, false),
        KeAnswer::Now(STATUS_TIMEOUT)
    );
    assert!(w.ke.completed.is_empty());
    // B waits on the key: returns at once, A's release completes with success.
    assert_eq!(
        w.svc(true).keyed(hb, 0x1234, 0, None, false),
        KeAnswer::Now(STATUS_SUCCESS)
    );
    assert_eq!(w.ke.completed.len(), 1);
    assert_eq!(w.ke.completed[0].wait, wait);
    assert_eq!(w.ke.completed[0].status, STATUS_SUCCESS);
    assert_eq!(w.ke.keyed.waiting(), 0);
    // The private event went with it.
    assert_eq!(w.ke.disp.object_count(), objects);
}

#[test]
fn null_handle_is_the_global_keyed_event() {
    let mut w = World::new();
    let KeAnswer::Pending(wait) = w.svc(true).keyed(0, 8, 0, None, false) else {
        panic!("wait did not wait");
    };
    assert_eq!(
        w.svc(false).keyed(0, 8, 0, None, true),
        KeAnswer::Now(STATUS_SUCCESS)
    );
    assert_eq!(w.ke.completed[0].wait, wait);
    // It is in the namespace too.
    let oa = w.m.attrs("\\KernelObjects\\CritSecOutOfMemoryEvent");
    let out = UserPtr::required(OUT).unwrap();
    let r = w.svc(false).open_keyed(out, KEYEDEVENT_WAIT.0, oa);
    assert_eq!(r, KeAnswer::Now(STATUS_SUCCESS));
}

#[test]
fn timed_out_party_is_dropped() {
    let mut w = World::new();
    let h = w.create(KEYEDEVENT_ALL_ACCESS.0);
    let objects = w.ke.disp.object_count();
    w.ke.now = 1_000;
    let t = w.m.timeout(-100);
    let KeAnswer::Pending(wait) = w.svc(false).keyed(h, 16, 0, t, true) else {
        panic!("release did not wait");
    };
    w.ke.expire(1_100);
    assert_eq!(w.ke.completed.len(), 1);
    assert_eq!(w.ke.completed[0].wait, wait);
    assert_eq!(w.ke.completed[0].status, STATUS_TIMEOUT);
    w.ke.completed.clear();
    // A later waiter does not meet the party that gave up.
    let t = w.m.timeout(0);
    assert_eq!(
        w.svc(false).keyed(h, 16, 0, t, false),
        KeAnswer::Now(STATUS_TIMEOUT)
    );
    assert!(w.ke.completed.is_empty());
    assert_eq!(w.ke.keyed.waiting(), 0);
    assert_eq!(w.ke.disp.object_count(), objects);
}

#[test]
fn closing_the_keyed_event_drops_its_parties() {
    let mut w = World::new();
    let h = w.create(KEYEDEVENT_ALL_ACCESS.0);
    let KeAnswer::Pending(_) = w.svc(false).keyed(h, 32, 0, None, false) else {
        panic!("wait did not wait");
    };
    assert_eq!(w.ke.keyed.waiting(), 1);
    let caller = w.a.caller;
    crate::ex::obsvc::close(&mut w.ob, &caller, h);
    w.ke.reap(&mut w.ob);
    assert_eq!(w.ke.keyed.waiting(), 0);
}
