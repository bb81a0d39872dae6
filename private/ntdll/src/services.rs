//! The `Nt*` / `Zw*` system-service stubs, generated from `ntsvc::for_each_service!`.
//!
//! A stub passes its arguments as message words in registers (up to
//! `ntsvc::REGISTER_ARGS`; more go to the argument block of the calling thread's TEB,
//! with no message words) and calls the executive's service endpoint with the service
//! number as the message label (see `ntsvc`); the reply's first message register is
//! the NTSTATUS. The kernel loads GS (x86_64) / FS (i386) with the thread's IPC-buffer
//! address, which is where the executive put the TEB, so `NtTib.Self` is read through
//! that segment.
#![allow(non_snake_case)]

use ntdef::status::NtStatus;
use ntsvc::{ServiceWord, HANDLE};

/// The current thread's TEB (`NtCurrentTeb()`), from `NtTib.Self`.
#[cfg(all(target_os = "windows", target_arch = "x86_64"))]
pub(crate) fn current_teb() -> usize {
    let teb: usize;
    // SAFETY: GS is based at this thread's TEB (the seL4 IPC buffer); reading
    // `NtTib.Self` has no side effects.
    unsafe {
        core::arch::asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly, preserves_flags))
    };
    teb
}

#[cfg(all(target_os = "windows", target_arch = "x86"))]
pub(crate) fn current_teb() -> usize {
    let teb: usize;
    // SAFETY: FS is based at this thread's TEB (the seL4 IPC buffer); reading
    // `NtTib.Self` has no side effects.
    unsafe {
        core::arch::asm!("mov {}, fs:[0x18]", out(reg) teb, options(nostack, readonly, preserves_flags))
    };
    teb
}

/// seL4_SysCall (the same number on every configuration of seL4 5.0).
#[cfg(target_os = "windows")]
const SYS_CALL: isize = -1;

/// `seL4_Call` with message info `info` and register message words `mrs`; returns MR0
/// of the reply.
#[cfg(all(target_os = "windows", target_arch = "x86_64"))]
fn sel4_call(dest: usize, info: usize, mrs: [usize; ntsvc::REGISTER_ARGS]) -> usize {
    let mut mr0: usize = mrs[0];
    // SAFETY: the seL4 x86_64 syscall ABI (RDX number, RDI cap, RSI info, R10/R8/R9/R15
    // MR0..3); the kernel returns with RSP = 0 but restores RBX, so RSP is parked in
    // RBX, which is saved in R12. The message has only register words and no caps, so
    // the kernel writes no byte of the IPC buffer (the TEB).
    unsafe {
        core::arch::asm!(
            "mov r12, rbx",
            "mov rbx, rsp",
            "syscall",
            "mov rsp, rbx",
            "mov rbx, r12",
            inout("rdx") SYS_CALL as usize => _,
            inout("rdi") dest => _,
            inout("rsi") info => _,
            inout("r10") mr0,
            inout("r8") mrs[1] => _,
            inout("r9") mrs[2] => _,
            inout("r15") mrs[3] => _,
            out("rcx") _,
            out("r11") _,
            out("r12") _,
        );
    }
    mr0
}

/// `[number, cap/badge, info, mr0, mr1]` in and out: EBX, EBP and ESI cannot be
/// inline-asm operands on i686, so the sysenter sequence is a naked routine.
#[cfg(all(target_os = "windows", target_arch = "x86"))]
#[unsafe(naked)]
unsafe extern "C" fn sysenter(_regs: *mut [usize; 5]) {
    core::arch::naked_asm!(
        "push ebp",
        "push ebx",
        "push esi",
        "push edi",
        "mov eax, [esp + 20]",
        "push eax",
        "mov ebx, [eax + 4]",
        "mov esi, [eax + 8]",
        "mov edi, [eax + 12]",
        "mov ebp, [eax + 16]",
        "mov eax, [eax]",
        "mov ecx, esp",
        // EDX = address of the sysenter instruction; the kernel resumes at EDX + 2
        // with ESP = ECX.
        "call 2f",
        "sysenter",
        "jmp 3f",
        "2:",
        "pop edx",
        "jmp edx",
        "3:",
        "pop eax",
        "mov [eax + 4], ebx",
        "mov [eax + 8], esi",
        "mov [eax + 12], edi",
        "mov [eax + 16], ebp",
        "pop edi",
        "pop esi",
        "pop ebx",
        "pop ebp",
        "ret",
    )
}

#[cfg(all(target_os = "windows", target_arch = "x86"))]
fn sel4_call(dest: usize, info: usize, mrs: [usize; ntsvc::REGISTER_ARGS]) -> usize {
    let mut regs = [SYS_CALL as usize, dest, info, mrs[0], mrs[1]];
    // SAFETY: the routine reads and writes only `regs` and restores every
    // callee-saved register; register message words only, no caps: the IPC buffer is
    // untouched.
    unsafe { sysenter(&mut regs) };
    regs[3]
}

/// Sends service `number` with `args` and returns the executive's status, after
/// running the user APCs the executive handed over if it answered `STATUS_USER_APC`
/// (one compare per call; see [`deliver_user_apcs`]).
#[cfg(target_os = "windows")]
#[inline(always)]
pub(crate) fn service(number: u32, args: &[usize]) -> NtStatus {
    let status = raw_service(number, args);
    if status == ntdef::status::STATUS_USER_APC {
        return deliver_user_apcs();
    }
    status
}

/// One service call, without APC delivery.
#[cfg(target_os = "windows")]
#[inline(always)]
fn raw_service(number: u32, args: &[usize]) -> NtStatus {
    // seL4_MessageInfo: label in bits 12 and up, length in bits 0..7, no caps.
    let label = (number as usize) << 12;
    if args.len() <= ntsvc::REGISTER_ARGS {
        // One word per register, each read on its own: a copy of the slice could be
        // vectorised, and any XMM use makes this thread the lazy FPU owner (see
        // `deliver_user_apcs`).
        let word = |i: usize| args.get(i).copied().unwrap_or(0);
        let mut mrs = [0; ntsvc::REGISTER_ARGS];
        for (i, m) in mrs.iter_mut().enumerate() {
            *m = word(i);
        }
        let info = label | args.len();
        return NtStatus::from_word(sel4_call(ntsvc::SERVICE_ENDPOINT_CPTR, info, mrs));
    }
    let block = (current_teb() + ntsvc::teb::ARGUMENT_BLOCK) as *mut usize;
    for (i, &a) in args.iter().enumerate().take(ntsvc::MAX_ARGS) {
        // SAFETY: the argument block lies inside this thread's TEB, mapped read-write
        // by the executive for the thread's life; only this thread uses it.
        unsafe { block.add(i).write_volatile(a) };
    }
    NtStatus::from_word(sel4_call(
        ntsvc::SERVICE_ENDPOINT_CPTR,
        label,
        [0; ntsvc::REGISTER_ARGS],
    ))
}

/// A user APC routine: `PPS_APC_ROUTINE` / `PTIMERAPCROUTINE`, three word arguments,
/// `NTAPI`.
#[cfg(target_os = "windows")]
type ApcRoutine = extern "system" fn(usize, usize, usize);

/// ntdll's `KiUserApcDispatcher`: runs the APC records the executive wrote to the
/// user-APC area of this thread's TEB (`ntsvc::apc`) in order, fetches further batches
/// with `NtTestAlert` while the executive says more are queued, and returns the status
/// the interrupted service is to return (`STATUS_USER_APC` for a wait, success for
/// `NtTestAlert`). Records are copied out before any routine runs, since a routine
/// may call services (and wait alertably) itself.
///
/// Kept out of line and cold: its record buffer is zeroed and copied with SSE, which
/// inlined into [`service`] made every service call save and restore XMM registers.
/// Touching the FPU on each call makes the thread the kernel's lazy FPU owner, and
/// seL4 then toggles CR0.TS on every switch to and from the executive and takes a
/// device-not-available fault whenever it has given the state up (every 64 switches).
#[cfg(target_os = "windows")]
#[cold]
#[inline(never)]
fn deliver_user_apcs() -> NtStatus {
    use ntsvc::apc::{BATCH, COUNT, FINAL_STATUS, MORE, RECORDS, RECORD_WORDS};
    let area = (current_teb() + ntsvc::teb::APC_AREA) as *mut usize;
    // SAFETY: the user-APC area lies inside this thread's TEB
    // (`ntsvc::teb::APC_AREA_WORDS` words, indices below are within them), mapped
    // read-write for the thread's life; only this thread and the executive (before
    // its reply) write it.
    let read = |i: usize| unsafe { area.add(i).read_volatile() };
    let final_status = NtStatus::from_word(read(FINAL_STATUS));
    loop {
        let count = read(COUNT).min(BATCH);
        let more = read(MORE) != 0;
        let mut records = [[0usize; RECORD_WORDS]; BATCH];
        for (i, r) in records.iter_mut().enumerate().take(count) {
            for (j, w) in r.iter_mut().enumerate() {
                *w = read(RECORDS + i * RECORD_WORDS + j);
            }
        }
        // SAFETY: as above.
        unsafe { area.add(COUNT).write_volatile(0) };
        for r in &records[..count] {
            if r[0] == 0 {
                continue;
            }
            // SAFETY: the routine is what the APC's queuer named (NtQueueApcThread's
            // ApcRoutine, NtSetTimer's TimerApcRoutine), called with NT's signature
            // for it, as Windows' KiUserApcDispatcher does; a bad address faults in
            // this thread like it would on Windows.
            let routine: ApcRoutine = unsafe { core::mem::transmute::<usize, ApcRoutine>(r[0]) };
            routine(r[1], r[2], r[3]);
        }
        if !more || raw_service(ntsvc::number::NtTestAlert, &[]) != ntdef::status::STATUS_USER_APC {
            break;
        }
    }
    final_status
}

/// Host builds (unit tests) have no executive.
#[cfg(not(target_os = "windows"))]
pub(crate) fn service(_number: u32, _args: &[usize]) -> NtStatus {
    ntdef::status::STATUS_NOT_IMPLEMENTED
}

macro_rules! param_type {
    (handle) => { HANDLE };
    (value, $t:ty) => { $t };
    (in_ptr, $t:ty) => { *const $t };
    (out_ptr, $t:ty) => { *mut $t };
    (opt_out_ptr, $t:ty) => { *mut $t };
    (opt_in_ptr, $t:ty) => { *const $t };
    (out_buf) => { *mut core::ffi::c_void };
    (in_buf) => { *const core::ffi::c_void };
}

macro_rules! stubs {
    ($($num:literal $nt:ident $zw:ident ($($p:ident : $kind:ident $(($ty:ty))?),*);)*) => {$(
        /// System service (see `ntsvc`).
        ///
        /// # Safety
        /// Pointer arguments are checked by the executive, not dereferenced here.
        #[no_mangle]
        pub unsafe extern "system" fn $nt($($p: param_type!($kind $(, $ty)?)),*) -> NtStatus {
            service($num, &[$(ServiceWord::to_word($p)),*])
        }

        /// The same service as its `Nt` twin (user mode makes no difference).
        ///
        /// # Safety
        /// As the `Nt` twin.
        #[no_mangle]
        pub unsafe extern "system" fn $zw($($p: param_type!($kind $(, $ty)?)),*) -> NtStatus {
            service($num, &[$(ServiceWord::to_word($p)),*])
        }
    )*};
}

ntsvc::for_each_service!(stubs);
