//! Threads: NtCreateThreadEx, NtCreateThread (CONTEXT + INITIAL_TEB),
//! RtlCreateUserThread, waits on thread handles, exit codes, suspension at creation,
//! terminating another thread, and threads of one process synchronising through
//! events.
//!
//! Expectations, from public documentation:
//! - A thread object is signalled when the thread ends, and its exit status is what
//!   the routine returned or what NtTerminateThread gave (GetExitCodeThread /
//!   TerminateThread docs); while it runs ExitStatus is STATUS_PENDING (STILL_ACTIVE).
//! - NtCreateThreadEx (phnt `ntpsapi.h`; CreateRemoteThreadEx docs): CreateFlags bit 0
//!   creates the thread suspended (its suspend count is 1: NtResumeThread returns 1);
//!   undefined flag bits are STATUS_INVALID_PARAMETER (ReactOS / Windows
//!   `NtCreateThreadEx` validate against THREAD_CREATE_FLAGS_VALID); the process handle
//!   needs PROCESS_CREATE_THREAD (STATUS_ACCESS_DENIED otherwise) and must be a
//!   process (STATUS_OBJECT_TYPE_MISMATCH for another object type).
//!   PS_ATTRIBUTE_CLIENT_ID / PS_ATTRIBUTE_TEB_ADDRESS return the new thread's ids
//!   and TEB.
//! - NtCreateThread with a NULL ThreadContext is STATUS_INVALID_PARAMETER, and the
//!   CONTEXT is probed for reading (kernel address: STATUS_ACCESS_VIOLATION) (ReactOS
//!   `NtCreateThread`, ps/thread.c).
//! - Each thread has its own TEB (NtCurrentTeb) with its own ClientId; the process id
//!   is shared.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

#[repr(C)]
struct Attributes<const N: usize> {
    total: usize,
    entries: [[usize; 4]; N],
}

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtCreateThread(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        process: HANDLE,
        cid: *mut ClientId,
        context: *const c_void,
        initial_teb: *const c_void,
        suspended: u8,
    ) -> NtStatus;
    fn RtlCreateUserThread(
        process: HANDLE,
        sd: *mut c_void,
        suspended: u8,
        zero_bits: u32,
        reserve: usize,
        commit: usize,
        start: usize,
        parameter: usize,
        h: *mut HANDLE,
        cid: *mut ClientId,
    ) -> NtStatus;
}

/// Joins `h` (2 s at most) and checks its exit status.
fn join(h: HANDLE, want: u32) -> Result<(), String> {
    ok("wait for the thread", wait_ms(h, false, 2000))?;
    let (status, _, _) = thread_basic(h)?;
    // SAFETY: a handle this test owns.
    unsafe { NtClose(h) };
    if status != want {
        return Err(format!("exit status {status:#x}, want {want:#x}"));
    }
    Ok(())
}

static TOUCHED: AtomicUsize = AtomicUsize::new(0);

extern "system" fn add_and_return(arg: *mut c_void) -> u32 {
    TOUCHED.fetch_add(arg as usize, Ordering::SeqCst);
    0x1234
}

fn create_ex_runs() -> Result<(), String> {
    TOUCHED.store(0, Ordering::SeqCst);
    let h = spawn(add_and_return, 5, 0)?;
    join(h, 0x1234)?;
    match TOUCHED.load(Ordering::SeqCst) {
        5 => Ok(()),
        n => Err(format!("routine saw argument {n}, want 5")),
    }
}

/// The new thread's own view of itself: TEB and ClientId.
static SEEN_TEB: AtomicUsize = AtomicUsize::new(0);
static SEEN_TID: AtomicUsize = AtomicUsize::new(0);
static SEEN_PID: AtomicUsize = AtomicUsize::new(0);

extern "system" fn record_self(_: *mut c_void) -> u32 {
    let cid = current_cid();
    SEEN_TEB.store(current_teb(), Ordering::SeqCst);
    SEEN_TID.store(cid.UniqueThread, Ordering::SeqCst);
    SEEN_PID.store(cid.UniqueProcess, Ordering::SeqCst);
    0
}

fn own_teb_and_ids() -> Result<(), String> {
    let mut cid = ClientId::default();
    let mut teb = 0usize;
    let list = Attributes::<2> {
        total: size_of::<Attributes<2>>(),
        entries: [
            [0x1_0003, size_of::<ClientId>(), &raw mut cid as usize, 0],
            [0x1_0004, W, &raw mut teb as usize, 0],
        ],
    };
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer; the routine is a function of this program.
    let s = unsafe {
        NtCreateThreadEx(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            CURRENT_PROCESS,
            record_self as *const () as usize,
            0,
            0,
            0,
            0,
            0,
            (&raw const list).cast(),
        )
    };
    ok("NtCreateThreadEx with attributes", s)?;
    let (_, info_teb, info_cid) = thread_basic(h)?;
    join(h, 0)?;
    let me = current_cid();
    let seen = (
        SEEN_TEB.load(Ordering::SeqCst),
        SEEN_TID.load(Ordering::SeqCst),
        SEEN_PID.load(Ordering::SeqCst),
    );
    if seen != (teb, cid.UniqueThread, me.UniqueProcess) {
        return Err(format!(
            "thread saw TEB {:#x} tid {:#x} pid {:#x}; attributes say {teb:#x} {:#x}, \
             process is {:#x}",
            seen.0, seen.1, seen.2, cid.UniqueThread, me.UniqueProcess
        ));
    }
    if cid.UniqueProcess != me.UniqueProcess || info_cid.UniqueThread != cid.UniqueThread {
        return Err(String::from("ClientId attribute and query disagree"));
    }
    if info_teb != teb || teb == current_teb() || !teb.is_multiple_of(4096) {
        return Err(format!(
            "TEB {teb:#x} (query {info_teb:#x}, own {:#x})",
            current_teb()
        ));
    }
    if cid.UniqueThread == me.UniqueThread || cid.UniqueThread % 4 != 0 {
        return Err(format!("thread id {:#x}", cid.UniqueThread));
    }
    Ok(())
}

fn created_suspended() -> Result<(), String> {
    TOUCHED.store(0, Ordering::SeqCst);
    let h = spawn(add_and_return, 1, CREATE_SUSPENDED)?;
    let r = (|| {
        expect_status(
            "wait on a suspended thread",
            wait_ms(h, false, 30),
            STATUS_TIMEOUT,
        )?;
        if TOUCHED.load(Ordering::SeqCst) != 0 {
            return Err(String::from("a suspended thread ran"));
        }
        let (status, _, _) = thread_basic(h)?;
        if status != STATUS_PENDING {
            return Err(format!("ExitStatus {status:#x} while suspended"));
        }
        let mut prev = 9u32;
        // SAFETY: a handle and a local.
        ok("NtResumeThread", unsafe { NtResumeThread(h, &mut prev) })?;
        if prev != 1 {
            return Err(format!("previous suspend count {prev}, want 1"));
        }
        Ok(())
    })();
    let j = join(h, 0x1234);
    r?;
    j?;
    match TOUCHED.load(Ordering::SeqCst) {
        1 => Ok(()),
        n => Err(format!("counter {n} after resume, want 1")),
    }
}

/// Two synchronization events for a ping-pong with the main thread.
static PING: AtomicUsize = AtomicUsize::new(0);
static PONG: AtomicUsize = AtomicUsize::new(0);
const ROUNDS: usize = 50;

extern "system" fn ponger(_: *mut c_void) -> u32 {
    let (ping, pong) = (
        PING.load(Ordering::SeqCst) as HANDLE,
        PONG.load(Ordering::SeqCst) as HANDLE,
    );
    for _ in 0..ROUNDS {
        // SAFETY: handles the main thread made and keeps open.
        unsafe {
            if NtWaitForSingleObject(ping, 0, core::ptr::null()).as_u32() != 0 {
                return 1;
            }
            if NtSetEvent(pong, core::ptr::null_mut()).as_u32() != 0 {
                return 2;
            }
        }
    }
    0
}

fn ping_pong_between_threads() -> Result<(), String> {
    let ping = create_event(SYNCHRONIZATION, false)?;
    let pong = create_event(SYNCHRONIZATION, false)?;
    PING.store(ping as usize, Ordering::SeqCst);
    PONG.store(pong as usize, Ordering::SeqCst);
    let r = (|| {
        let h = spawn(ponger, 0, 0)?;
        for i in 0..ROUNDS {
            // SAFETY: handles made above.
            ok("NtSetEvent(ping)", unsafe {
                NtSetEvent(ping, core::ptr::null_mut())
            })?;
            let s = wait_ms(pong, false, 2000);
            if s.as_u32() != STATUS_SUCCESS {
                return Err(format!("round {i}: pong wait {}", describe(s.as_u32())));
            }
        }
        join(h, 0)
    })();
    // SAFETY: handles this test made.
    unsafe {
        NtClose(ping);
        NtClose(pong);
    }
    r
}

static GATE: AtomicUsize = AtomicUsize::new(0);

extern "system" fn wait_forever(_: *mut c_void) -> u32 {
    // SAFETY: a handle the main thread made; it is never signalled.
    unsafe { NtWaitForSingleObject(GATE.load(Ordering::SeqCst) as HANDLE, 0, core::ptr::null()) };
    0xBAD
}

fn terminate_other_thread() -> Result<(), String> {
    let gate = create_event(NOTIFICATION, false)?;
    GATE.store(gate as usize, Ordering::SeqCst);
    let r = (|| {
        let h = spawn(wait_forever, 0, 0)?;
        // Let it reach its wait.
        let delay = -10 * 10_000i64;
        // SAFETY: a local.
        unsafe { NtDelayExecution(0, &delay) };
        expect_status(
            "thread still waiting",
            wait_ms(h, false, 10),
            STATUS_TIMEOUT,
        )?;
        // SAFETY: a handle made above.
        let s = unsafe { NtTerminateThread(h, NtStatus::from_u32(0x77)) };
        ok("NtTerminateThread(other)", s)?;
        // SAFETY: as above.
        let s = unsafe { NtTerminateThread(h, NtStatus::from_u32(0x78)) };
        expect_status("terminate it again", s, 0xC000_004B)?; // STATUS_THREAD_IS_TERMINATING
        join(h, 0x77)
    })();
    // SAFETY: a handle this test made.
    unsafe { NtClose(gate) };
    r
}

fn many_threads_in_turn() -> Result<(), String> {
    TOUCHED.store(0, Ordering::SeqCst);
    for i in 0..64 {
        let h = spawn(add_and_return, 1, 0).map_err(|e| format!("thread {i}: {e}"))?;
        join(h, 0x1234).map_err(|e| format!("thread {i}: {e}"))?;
    }
    match TOUCHED.load(Ordering::SeqCst) {
        64 => Ok(()),
        n => Err(format!("{n} of 64 threads ran")),
    }
}

/// About 3 KiB of locals per level (below a page, so no stack probe is needed):
/// descending 64 levels walks the stack down page by page through its guard page.
#[inline(never)]
fn descend(depth: u32) -> u32 {
    let mut buf = [0u8; 3000];
    buf[0] = depth as u8;
    buf[2999] = depth as u8;
    core::hint::black_box(&mut buf);
    let r = if depth == 0 { 7 } else { descend(depth - 1) };
    core::hint::black_box(&buf);
    r
}

extern "system" fn deep_stack(_: *mut c_void) -> u32 {
    descend(64)
}

fn stack_grows_in_new_thread() -> Result<(), String> {
    let h = spawn(deep_stack, 0, 0)?;
    join(h, 7)
}

fn rtl_create_user_thread() -> Result<(), String> {
    TOUCHED.store(0, Ordering::SeqCst);
    let mut h: HANDLE = core::ptr::null_mut();
    let mut cid = ClientId::default();
    // SAFETY: locals for every pointer; the routine is a function of this program.
    let s = unsafe {
        RtlCreateUserThread(
            CURRENT_PROCESS,
            core::ptr::null_mut(),
            0,
            0,
            0,
            0,
            add_and_return as *const () as usize,
            3,
            &mut h,
            &mut cid,
        )
    };
    ok("RtlCreateUserThread", s)?;
    let (_, _, info) = thread_basic(h)?;
    join(h, 0x1234)?;
    if info.UniqueThread != cid.UniqueThread || cid.UniqueProcess != current_cid().UniqueProcess {
        return Err(String::from("ClientId differs from the query"));
    }
    match TOUCHED.load(Ordering::SeqCst) {
        3 => Ok(()),
        n => Err(format!("counter {n}, want 3")),
    }
}

/// Where a thread made from a CONTEXT lands: it cannot return (no return address),
/// so it ends itself.
extern "system" fn context_entry(arg: usize) -> ! {
    TOUCHED.store(arg, Ordering::SeqCst);
    loop {
        // SAFETY: the pseudo-handle.
        unsafe { NtTerminateThread(CURRENT_THREAD, NtStatus::from_u32(0x4321)) };
    }
}

fn create_from_context() -> Result<(), String> {
    TOUCHED.store(0, Ordering::SeqCst);
    const RESERVE: usize = 64 * 1024;
    let mut base = 0usize;
    let mut size = RESERVE;
    // SAFETY: locals; MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE.
    let s =
        unsafe { NtAllocateVirtualMemory(CURRENT_PROCESS, &mut base, 0, &mut size, 0x3000, 0x04) };
    ok("allocate a stack", s)?;
    let top = base + size;
    // CONTEXT: 0x4D0 bytes (x64) / 0x2CC (x86), 16-byte aligned on x64.
    let mut context = vec![0u128; 0x4D0 / 16];
    let raw = context.as_mut_ptr() as *mut u8;
    let put = |at: usize, v: usize| {
        // SAFETY: `at + W` lies inside the CONTEXT buffer.
        unsafe { (raw.add(at) as *mut usize).write_unaligned(v) }
    };
    #[cfg(target_arch = "x86_64")]
    {
        put(0xF8, context_entry as *const () as usize); // Rip
        put(0x98, top - 0x28); // Rsp: as after a call, 16-byte aligned + 8
        put(0x80, 0x99); // Rcx: the argument
    }
    #[cfg(target_arch = "x86")]
    {
        // stdcall: [esp] return address (none), [esp + 4] the argument.
        // SAFETY: the stack was just committed.
        unsafe { ((top - 4) as *mut usize).write(0x99) };
        put(0xB8, context_entry as *const () as usize); // Eip
        put(0xC4, top - 8); // Esp
    }
    // INITIAL_TEB { OldStackBase, OldStackLimit, StackBase, StackLimit,
    // StackAllocationBase }.
    let initial = [0usize, 0, top, base, base];
    let mut h: HANDLE = core::ptr::null_mut();
    let mut cid = ClientId::default();
    // SAFETY: locals for every pointer.
    let s = unsafe {
        NtCreateThread(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            CURRENT_PROCESS,
            &mut cid,
            raw.cast(),
            initial.as_ptr().cast(),
            0,
        )
    };
    let r = ok("NtCreateThread", s).and_then(|()| join(h, 0x4321));
    let mut size = 0usize;
    // SAFETY: locals; MEM_RELEASE of the stack (the thread has ended).
    unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut base, &mut size, 0x8000) };
    r?;
    if cid.UniqueThread == 0 || cid.UniqueThread % 4 != 0 {
        return Err(format!("ClientId.UniqueThread {:#x}", cid.UniqueThread));
    }
    match TOUCHED.load(Ordering::SeqCst) {
        0x99 => Ok(()),
        n => Err(format!("entry saw argument {n:#x}, want 0x99")),
    }
}

fn bad_input() -> Result<(), String> {
    let mut h: HANDLE = core::ptr::null_mut();
    let create_ex = |h: *mut HANDLE, process: HANDLE, flags: u32| {
        // SAFETY: every pointer is a local or deliberately bad; the routine exists.
        unsafe {
            NtCreateThreadEx(
                h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                process,
                add_and_return as *const () as usize,
                0,
                flags,
                0,
                0,
                0,
                core::ptr::null(),
            )
        }
    };
    expect_status(
        "undefined CreateFlags",
        create_ex(&mut h, CURRENT_PROCESS, 0x8000_0000),
        STATUS_INVALID_PARAMETER,
    )?;
    expect_status(
        "kernel ThreadHandle",
        create_ex(KERNEL as *mut HANDLE, CURRENT_PROCESS, 0),
        STATUS_ACCESS_VIOLATION,
    )?;
    expect_status(
        "never-opened process handle",
        create_ex(&mut h, 0x7FF0 as HANDLE, 0),
        STATUS_INVALID_HANDLE,
    )?;
    let ev = create_event(NOTIFICATION, false)?;
    let s = create_ex(&mut h, ev, 0);
    // SAFETY: a handle made above.
    unsafe { NtClose(ev) };
    expect_status("event handle as process", s, STATUS_OBJECT_TYPE_MISMATCH)?;
    // Own process opened without PROCESS_CREATE_THREAD.
    let me = ClientId {
        UniqueProcess: current_cid().UniqueProcess,
        UniqueThread: 0,
    };
    let oa = no_attributes();
    let mut hp: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenProcess(&mut hp, PROCESS_QUERY_LIMITED_INFORMATION, &oa, &me) };
    ok("NtOpenProcess(self)", s)?;
    let s = create_ex(&mut h, hp, 0);
    // SAFETY: a handle made above.
    unsafe { NtClose(hp) };
    expect_status("no PROCESS_CREATE_THREAD", s, STATUS_ACCESS_DENIED)?;
    // NtCreateThread: NULL and kernel-range CONTEXT.
    let initial = [0usize; 5];
    for (what, context, want) in [
        ("NULL ThreadContext", 0usize, STATUS_INVALID_PARAMETER),
        ("kernel ThreadContext", KERNEL, STATUS_ACCESS_VIOLATION),
    ] {
        // SAFETY: locals or deliberately bad pointers.
        let s = unsafe {
            NtCreateThread(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                CURRENT_PROCESS,
                core::ptr::null_mut(),
                context as *const c_void,
                initial.as_ptr().cast(),
                0,
            )
        };
        expect_status(what, s, want)?;
    }
    Ok(())
}

pub const TESTS: &[Test] = tests![
    ("thread.create_ex_runs", create_ex_runs),
    ("thread.own_teb_and_ids", own_teb_and_ids),
    ("thread.created_suspended", created_suspended),
    (
        "thread.ping_pong_between_threads",
        ping_pong_between_threads
    ),
    ("thread.terminate_other_thread", terminate_other_thread),
    ("thread.many_threads_in_turn", many_threads_in_turn),
    (
        "thread.stack_grows_in_new_thread",
        stack_grows_in_new_thread
    ),
    ("thread.rtl_create_user_thread", rtl_create_user_thread),
    ("thread.create_from_context", create_from_context),
    ("thread.bad_input", bad_input),
];
