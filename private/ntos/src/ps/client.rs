//! Code that runs *inside* a client process.
//!
//! It lives in the executive's image, which the process maps read-only at
//! the same addresses, so it may use only its own stack and registers:
//! no statics that are written, no allocation, no console, no panics that
//! could reach the panic handler, and messages short enough to stay in the
//! register message words (no IPC-buffer access).

use super::protocol::{self, label, Finale, Word};
use sel4::{MessageInfo, NUM_MSG_REGISTERS};

/// CPtr of the request endpoint in every process's CSpace.
pub const REQUEST_CPTR: Word = 1;
/// CPtr of the fault endpoint (named in the TCB, looked up at fault time).
pub const FAULT_CPTR: Word = 2;

// Entry: the executive starts the thread here with the stack pointer at the
// top of the process's stack and two arguments in registers. Align the stack
// as the C ABI expects at a call and enter Rust; never returns.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".section .text.ntos_client_entry,\"ax\",@progbits",
    ".global ntos_client_entry",
    "ntos_client_entry:",
    "    and rsp, -16",
    "    xor ebp, ebp",
    "    call {main}",
    "    ud2",
    main = sym client_main,
);

#[cfg(target_arch = "x86")]
core::arch::global_asm!(
    ".section .text.ntos_client_entry,\"ax\",@progbits",
    ".global ntos_client_entry",
    "ntos_client_entry:",
    "    and esp, -16",
    "    xor ebp, ebp",
    "    sub esp, 8",
    "    push edx",
    "    push eax",
    "    call {main}",
    "    ud2",
    main = sym client_main,
);

extern "C" {
    fn ntos_client_entry();
}

/// Address of the entry point, for the thread's initial instruction pointer.
pub fn entry_point() -> usize {
    ntos_client_entry as *const () as usize
}

/// Sends `(a, b)` with `lbl` and waits for the reply words.
#[inline(always)]
fn call(lbl: Word, a: Word, b: Word) -> (Word, Word, Word) {
    let mut mrs = [0; NUM_MSG_REGISTERS];
    mrs[0] = a;
    mrs[1] = b;
    let reply = sel4::call_with_mrs(REQUEST_CPTR, MessageInfo::new(lbl, 0, 0, 2), &mut mrs);
    (reply.label(), mrs[0], mrs[1])
}

/// Reads the first word of the IPC buffer through the segment register
/// seL4 5.0 bases there (GS on x86_64, FS on ia32): the segment NT puts the
/// TEB in. Faults if the executive did not set FS up (ia32).
#[inline(always)]
fn probe_ipc_segment() -> Word {
    let v: Word;
    // SAFETY: reads one word at offset 0 of the segment, which is this
    // thread's mapped IPC buffer; no other state is touched.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!("mov {}, gs:[0]", out(reg) v, options(nostack, readonly, preserves_flags))
    };
    // SAFETY: as above, with FS.
    #[cfg(target_arch = "x86")]
    unsafe {
        core::arch::asm!("mov {}, fs:[0]", out(reg) v, options(nostack, readonly, preserves_flags))
    };
    v
}

/// The process: `rounds` verified PING round trips, a DONE report, then
/// its [`Finale`].
extern "C" fn client_main(finale: Word, rounds: Word) -> ! {
    // The result does not matter, reaching the next line does.
    core::hint::black_box(probe_ipc_segment());
    let mut value = protocol::SEED;
    let mut seq = 0;
    while seq < rounds {
        let (lbl, got_seq, got) = call(label::PING, seq, value);
        let want = protocol::next(value, seq);
        if lbl != label::OK || got_seq != seq || got != want {
            call(label::MISMATCH, seq, got);
            break;
        }
        value = want;
        seq += 1;
    }
    call(label::DONE, seq, value);
    match Finale::from_word(finale) {
        Some(Finale::BadRead) => {
            // SAFETY: not safe at all, on purpose: the address is unmapped
            // in this process, the read faults and the executive, which
            // handles this thread's faults, terminates the process.
            let v = unsafe { core::ptr::read_volatile(protocol::BAD_ADDRESS as *const Word) };
            call(label::MISMATCH, seq, v);
        }
        Some(Finale::Exit) | None => {
            call(label::EXIT, seq, 0);
        }
    }
    // Only reached if the executive answered what it never answers.
    loop {
        sel4::yield_now();
    }
}
