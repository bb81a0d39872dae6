//! Rust bindings for the seL4 5.0.0 kernel as configured for Nereid.
//!
//! Everything configuration dependent (constants, invocation labels, object
//! types, bitfield types, structs and the invocation stubs) is generated at
//! build time by `sel4-gen` from the kernel's own interface definitions and
//! our config header; the raw system calls are written by hand per arch.
//! See `README.md` for the API and its rules on IPC-buffer use.

#![no_std]

mod arch;
mod ipc;

pub use ipc::{
    get_badge, get_cap, get_mr, invoke, ipc_buffer, set_cap, set_ipc_buffer, set_mr,
    set_receive_path, Request,
};

/// A machine word.
pub type Word = usize;
/// A capability pointer (an address in a CSpace).
pub type CPtr = usize;

include!(concat!(env!("OUT_DIR"), "/sel4_generated.rs"));

/// Message registers passed in CPU registers by the `*_with_mrs` calls.
pub const NUM_MSG_REGISTERS: usize = consts::FAST_MESSAGE_REGISTERS;

const _: () = assert!(
    NUM_MSG_REGISTERS == arch::REGISTER_MRS,
    "the config header's architecture does not match the compilation target"
);

/// The message registers carried in CPU registers.
pub type Mrs = [Word; NUM_MSG_REGISTERS];

fn sys(num: isize, dest: Word, info: MessageInfo, mrs: &mut Mrs) -> (Word, MessageInfo) {
    let (badge, info) = arch::sys(num, dest, info.word(), mrs);
    (badge, MessageInfo::from_word(info))
}

/// `seL4_CallWithMRs`: sends `info` with MR0.. from `mrs` to `dest`, waits
/// for the reply; `mrs` receives the reply's register MRs.
pub fn call_with_mrs(dest: CPtr, info: MessageInfo, mrs: &mut Mrs) -> MessageInfo {
    sys(syscall::CALL, dest, info, mrs).1
}

/// `seL4_SendWithMRs`: blocking send.
pub fn send_with_mrs(dest: CPtr, info: MessageInfo, mrs: &Mrs) {
    let mut m = *mrs;
    sys(syscall::SEND, dest, info, &mut m);
}

/// `seL4_NBSendWithMRs`: send that is dropped if nobody waits.
pub fn nb_send_with_mrs(dest: CPtr, info: MessageInfo, mrs: &Mrs) {
    let mut m = *mrs;
    sys(syscall::NB_SEND, dest, info, &mut m);
}

/// `seL4_ReplyWithMRs`: replies through the thread's reply cap.
pub fn reply_with_mrs(info: MessageInfo, mrs: &Mrs) {
    let mut m = *mrs;
    sys(syscall::REPLY, 0, info, &mut m);
}

/// `seL4_RecvWithMRs`: blocking receive; returns the message info and the
/// sender's badge.
pub fn recv_with_mrs(src: CPtr, mrs: &mut Mrs) -> (MessageInfo, Word) {
    let (badge, info) = sys(syscall::RECV, src, MessageInfo::default(), mrs);
    (info, badge)
}

/// `seL4_NBRecv` with register MRs: receive only if a sender is waiting.
pub fn nb_recv_with_mrs(src: CPtr, mrs: &mut Mrs) -> (MessageInfo, Word) {
    let (badge, info) = sys(syscall::NB_RECV, src, MessageInfo::default(), mrs);
    (info, badge)
}

/// `seL4_ReplyRecvWithMRs`: reply with `info`/`mrs`, then receive on `src`.
pub fn reply_recv_with_mrs(src: CPtr, info: MessageInfo, mrs: &mut Mrs) -> (MessageInfo, Word) {
    let (badge, info) = sys(syscall::REPLY_RECV, src, info, mrs);
    (info, badge)
}

/// `seL4_Signal`: signal a notification.
pub fn signal(dest: CPtr) {
    sys(
        syscall::SEND,
        dest,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}

/// `seL4_Wait`: block on a notification; returns its word (OR of badges).
pub fn wait(src: CPtr) -> Word {
    sys(
        syscall::RECV,
        src,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    )
    .0
}

/// `seL4_Poll`: read and clear a notification without blocking.
pub fn poll(src: CPtr) -> Word {
    sys(
        syscall::NB_RECV,
        src,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    )
    .0
}

/// `seL4_Yield`.
pub fn yield_now() {
    sys(
        syscall::YIELD,
        0,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}

/// `seL4_DebugPutChar` (debug kernels only).
pub fn debug_put_char(c: u8) {
    sys(
        syscall::DEBUG_PUT_CHAR,
        Word::from(c),
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}

/// Writes `s` with [`debug_put_char`].
pub fn debug_puts(s: &str) {
    s.bytes().for_each(debug_put_char);
}

/// `seL4_DebugHalt` (debug kernels only).
pub fn debug_halt() {
    sys(
        syscall::DEBUG_HALT,
        0,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}

/// `seL4_DebugCapIdentify`: the kernel's cap type tag of `cap` (0 = null).
pub fn debug_cap_identify(cap: CPtr) -> Word {
    sys(
        syscall::DEBUG_CAP_IDENTIFY,
        cap,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    )
    .0
}

/// `seL4_DebugSnapshot` (debug kernels only).
pub fn debug_snapshot() {
    sys(
        syscall::DEBUG_SNAPSHOT,
        0,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}

/// `seL4_DebugNameThread`: names `tcb` in kernel messages. The
/// NUL-terminated name travels in the caller's IPC buffer `msg[]`; nothing
/// happens when no IPC buffer is set. Long names are truncated.
pub fn debug_name_thread(tcb: CPtr, name: &str) {
    if !ipc::write_msg_bytes(name.as_bytes()) {
        return;
    }
    sys(
        syscall::DEBUG_NAME_THREAD,
        tcb,
        MessageInfo::default(),
        &mut [0; NUM_MSG_REGISTERS],
    );
}
