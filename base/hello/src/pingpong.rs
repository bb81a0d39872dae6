//! What ping.exe and pong.exe share: two named auto-reset (synchronization) events in
//! `\BaseNamedObjects`, created with OBJ_OPENIF by whichever program starts first and
//! opened by the other, and the checks around each service call.
//!
//! A round: ping sets PING and waits for PONG; pong waits for PING and sets PONG. Each
//! event is set once per round and consumed by exactly one wait, so no set is lost.

use crate::native::{Line, NtStatus};
use core::ffi::c_void;
use core::fmt::Write;
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};

type Handle = *mut c_void;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtCreateEvent(
        EventHandle: *mut Handle,
        DesiredAccess: u32,
        ObjectAttributes: *const OBJECT_ATTRIBUTES,
        EventType: u32,
        InitialState: u8,
    ) -> NtStatus;
    fn NtSetEvent(EventHandle: Handle, PreviousState: *mut i32) -> NtStatus;
    fn NtWaitForSingleObject(Handle: Handle, Alertable: u8, Timeout: *const i64) -> NtStatus;
    fn NtClose(Handle: Handle) -> NtStatus;
}

/// Rounds in the proof.
pub const ROUNDS: usize = 1000;

const EVENT_ALL_ACCESS: u32 = 0x001F_0003;
const OBJ_OPENIF: u32 = 0x80;
const SYNCHRONIZATION_EVENT: u32 = 1;
const STATUS_SUCCESS: u32 = 0;
const STATUS_TIMEOUT: u32 = 0x0000_0102;
const STATUS_OBJECT_NAME_EXISTS: u32 = 0x4000_0000;

static PING: [u16; 31] = crate::native::utf16("\\BaseNamedObjects\\NereidPing.1");
static PONG: [u16; 31] = crate::native::utf16("\\BaseNamedObjects\\NereidPong.1");

/// The two events, PING then PONG.
pub struct Events {
    pub ping: Handle,
    pub pong: Handle,
}

/// A failed step: what, which round (if any), and the status it got.
pub struct Failure {
    pub what: &'static str,
    pub round: usize,
    pub status: u32,
}

fn open(name: &[u16]) -> Result<Handle, Failure> {
    let us: UNICODE_STRING = crate::native::unicode(name);
    let oa = OBJECT_ATTRIBUTES {
        Length: core::mem::size_of::<OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: core::ptr::null_mut(),
        ObjectName: &us as *const _ as *mut _,
        Attributes: OBJ_OPENIF,
        SecurityDescriptor: core::ptr::null_mut(),
        SecurityQualityOfService: core::ptr::null_mut(),
    };
    let mut h: Handle = core::ptr::null_mut();
    // SAFETY: out pointer and attributes point at locals alive for the call.
    let s = unsafe { NtCreateEvent(&mut h, EVENT_ALL_ACCESS, &oa, SYNCHRONIZATION_EVENT, 0) };
    match s.as_u32() {
        // Created here, or opened: the other program was first.
        STATUS_SUCCESS | STATUS_OBJECT_NAME_EXISTS => Ok(h),
        status => Err(Failure {
            what: "NtCreateEvent(OBJ_OPENIF)",
            round: 0,
            status,
        }),
    }
}

impl Events {
    pub fn open() -> Result<Events, Failure> {
        let ping = open(&PING)?;
        let pong = open(&PONG)?;
        Ok(Events { ping, pong })
    }

    pub fn close(&self) {
        for h in [self.ping, self.pong] {
            // SAFETY: a plain value.
            let _ = unsafe { NtClose(h) };
        }
    }
}

/// Sets `h`; `round` names the failure.
pub fn set(h: Handle, round: usize) -> Result<(), Failure> {
    // SAFETY: a plain value; NULL PreviousState is allowed.
    let s = unsafe { NtSetEvent(h, core::ptr::null_mut()) }.as_u32();
    match s {
        STATUS_SUCCESS => Ok(()),
        status => Err(Failure {
            what: "NtSetEvent",
            round,
            status,
        }),
    }
}

/// Waits for `h` without a timeout (the caller blocks until the other program sets it).
pub fn wait(h: Handle, round: usize) -> Result<(), Failure> {
    // SAFETY: plain values; NULL timeout means no timeout.
    let s = unsafe { NtWaitForSingleObject(h, 0, core::ptr::null()) }.as_u32();
    match s {
        STATUS_SUCCESS => Ok(()),
        status => Err(Failure {
            what: "NtWaitForSingleObject",
            round,
            status,
        }),
    }
}

/// Checks `h` is not signalled (the auto-reset consumed every set): a zero-timeout
/// wait answers STATUS_TIMEOUT.
pub fn is_reset(h: Handle) -> Result<(), Failure> {
    let zero = 0i64;
    // SAFETY: plain values and a pointer to a local.
    let s = unsafe { NtWaitForSingleObject(h, 0, &zero) }.as_u32();
    match s {
        STATUS_TIMEOUT => Ok(()),
        status => Err(Failure {
            what: "zero-timeout wait after the last round (want STATUS_TIMEOUT)",
            round: ROUNDS,
            status,
        }),
    }
}

/// Prints `who: N rounds ok`, or the failure, and ends the process with `ok_status`
/// or 0xBAD0_0000 | (failed round, at most 0xFFFF).
pub fn finish(who: &str, result: Result<(), Failure>, ok_status: u32) -> ! {
    let mut line = Line::new();
    let status = match result {
        Ok(()) => {
            let _ = write!(line, "{who}: {ROUNDS} rounds ok");
            ok_status
        }
        Err(f) => {
            let _ = write!(
                line,
                "{who}: round {}: {} -> {:#010x} FAILED",
                f.round, f.what, f.status
            );
            0xBAD0_0000 | (f.round.min(0xFFFF) as u32)
        }
    };
    line.display();
    crate::native::exit(status)
}
