//! Receiving on the executive's endpoint and telling requests from faults.

use super::fault::{Fault, FaultAbi};
use crate::ps::protocol::{Badge, BadgeKind, Word};
use sel4::{fault, CPtr, MessageInfo, NUM_MSG_REGISTERS};

/// Longest message kept (UnknownSyscall on x86_64 has 19 words).
pub const MAX_WORDS: usize = 20;

/// Fault message layout of the running kernel, from the bindings.
pub const FAULT_ABI: FaultAbi = FaultAbi {
    null_label: fault::NULL_FAULT,
    cap_label: fault::CAP_FAULT,
    unknown_syscall_label: fault::UNKNOWN_SYSCALL,
    user_exception_label: fault::USER_EXCEPTION,
    vm_label: fault::VM_FAULT,
    vm_ip: fault::vm_fault::IP,
    vm_addr: fault::vm_fault::ADDR,
    vm_prefetch: fault::vm_fault::PREFETCH_FAULT,
    vm_fsr: fault::vm_fault::FSR,
    ue_ip: fault::user_exception::FAULT_IP,
    ue_sp: fault::user_exception::SP,
    ue_number: fault::user_exception::NUMBER,
    ue_code: fault::user_exception::CODE,
    us_ip: fault::unknown_syscall::FAULT_IP,
    us_number: fault::unknown_syscall::SYSCALL,
    cap_ip: fault::cap_fault::IP,
    cap_addr: fault::cap_fault::ADDR,
};

/// A received message with all its words (register and IPC-buffer ones).
#[derive(Debug, Clone, Copy)]
pub struct Message {
    pub label: Word,
    pub badge: Word,
    pub len: usize,
    pub words: [Word; MAX_WORDS],
}

impl Message {
    /// Words past the register ones are in the executive's IPC buffer.
    pub fn collect(info: MessageInfo, badge: Word, mrs: &[Word; NUM_MSG_REGISTERS]) -> Message {
        let len = info.length().min(MAX_WORDS);
        let mut words = [0; MAX_WORDS];
        for (i, w) in words.iter_mut().enumerate().take(len) {
            *w = match mrs.get(i) {
                Some(&r) => r,
                None => sel4::get_mr(i),
            };
        }
        Message {
            label: info.label(),
            badge,
            len,
            words,
        }
    }

    pub fn words(&self) -> &[Word] {
        &self.words[..self.len]
    }
}

/// Blocks until a message arrives on `ep`.
pub fn recv(ep: CPtr) -> Message {
    let mut mrs = [0; NUM_MSG_REGISTERS];
    let (info, badge) = sel4::recv_with_mrs(ep, &mut mrs);
    Message::collect(info, badge, &mrs)
}

/// Replies to the current caller with `info`/`mrs` and blocks for the next message on
/// `ep`, in one system call (`seL4_ReplyRecv`).
pub fn reply_recv(ep: CPtr, info: MessageInfo, mrs: &[Word; NUM_MSG_REGISTERS]) -> Message {
    let mut m = *mrs;
    let (info, badge) = sel4::reply_recv_with_mrs(ep, info, &mut m);
    Message::collect(info, badge, &m)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Request {
        pid: u32,
        label: Word,
    },
    Fault {
        pid: u32,
        fault: Fault,
    },
    /// A badge no process carries (or an unbadged sender).
    Stray {
        badge: Word,
    },
}

pub fn classify(msg: &Message) -> Event {
    match Badge::from_word(msg.badge) {
        Some(Badge {
            pid,
            kind: BadgeKind::Request,
        }) => Event::Request {
            pid,
            label: msg.label,
        },
        Some(Badge {
            pid,
            kind: BadgeKind::Fault,
        }) => Event::Fault {
            pid,
            fault: Fault::decode(&FAULT_ABI, msg.label, msg.words()),
        },
        None => Event::Stray { badge: msg.badge },
    }
}
