//! The executive's side of the first protocol: verified IPC rounds with a
//! process, then its finale (fault or exit).

use super::protocol::{self, label, Badge, BadgeKind, Word};
use crate::hal::tsc;
use crate::ke::dispatch::{self, Event};
use crate::ke::fault::Fault;
use alloc::vec::Vec;
use core::fmt;
use sel4::{CPtr, MessageInfo, NUM_MSG_REGISTERS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// A message from someone else during the session.
    WrongSender {
        badge: Word,
    },
    /// The process faulted when it should have talked.
    Faulted(Fault),
    /// The process sent a wrong sequence number or value.
    BadEcho {
        seq: Word,
        got_seq: Word,
        got: Word,
    },
    /// The process reported a wrong reply from us.
    ClientMismatch {
        seq: Word,
        got: Word,
    },
    /// DONE came early or late.
    WrongCount {
        expected: Word,
        got: Word,
    },
    UnexpectedLabel(Word),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongSender { badge } => write!(f, "message from badge {badge:#x}"),
            Self::Faulted(fault) => write!(f, "process faulted: {fault}"),
            Self::BadEcho { seq, got_seq, got } => {
                write!(f, "round {seq}: process sent ({got_seq}, {got:#x})")
            }
            Self::ClientMismatch { seq, got } => {
                write!(f, "round {seq}: process saw wrong reply {got:#x}")
            }
            Self::WrongCount { expected, got } => {
                write!(
                    f,
                    "process finished after {got} rounds, expected {expected}"
                )
            }
            Self::UnexpectedLabel(l) => write!(f, "unexpected label {l}"),
        }
    }
}

fn unexpected(ep_badge: Word, info: MessageInfo, mrs: &[Word; NUM_MSG_REGISTERS]) -> SessionError {
    let msg = dispatch::Message::collect(info, ep_badge, mrs);
    match dispatch::classify(&msg) {
        Event::Fault { fault, .. } => SessionError::Faulted(fault),
        _ => SessionError::WrongSender { badge: ep_badge },
    }
}

/// Serves `rounds` PING calls of process `pid` and its DONE, checking every
/// value it echoes. With `samples`, records the cycles of each round trip
/// after the first `warmup` ones. Returns the number of verified rounds.
pub fn ipc_check(
    ep: CPtr,
    pid: u32,
    rounds: Word,
    warmup: Word,
    mut samples: Option<&mut Vec<u64>>,
) -> Result<Word, SessionError> {
    let request = Badge::new(pid, BadgeKind::Request).map_or(0, Badge::to_word);
    let mut mrs = [0; NUM_MSG_REGISTERS];
    let (mut info, mut badge) = sel4::recv_with_mrs(ep, &mut mrs);
    let mut last = tsc::read_serialized();
    let mut seq: Word = 0;
    let mut value = protocol::SEED;
    loop {
        if badge != request {
            return Err(unexpected(badge, info, &mrs));
        }
        match info.label() {
            label::PING => {
                if mrs[0] != seq || mrs[1] != value {
                    return Err(SessionError::BadEcho {
                        seq,
                        got_seq: mrs[0],
                        got: mrs[1],
                    });
                }
                value = protocol::next(value, seq);
                mrs[0] = seq;
                mrs[1] = value;
                seq += 1;
            }
            label::DONE => {
                if mrs[0] != seq || seq != rounds {
                    return Err(SessionError::WrongCount {
                        expected: rounds,
                        got: mrs[0],
                    });
                }
                if mrs[1] != value {
                    return Err(SessionError::BadEcho {
                        seq,
                        got_seq: mrs[0],
                        got: mrs[1],
                    });
                }
                sel4::reply_with_mrs(MessageInfo::new(label::OK, 0, 0, 0), &mrs);
                return Ok(seq);
            }
            label::MISMATCH => {
                return Err(SessionError::ClientMismatch {
                    seq: mrs[0],
                    got: mrs[1],
                })
            }
            other => return Err(SessionError::UnexpectedLabel(other)),
        }
        (info, badge) =
            sel4::reply_recv_with_mrs(ep, MessageInfo::new(label::OK, 0, 0, 2), &mut mrs);
        if let Some(s) = samples.as_deref_mut() {
            let now = tsc::read_serialized();
            if seq > warmup {
                s.push(now.wrapping_sub(last));
            }
            last = now;
        }
    }
}

/// Waits for process `pid`'s fault (after its DONE) and returns it.
pub fn await_fault(ep: CPtr, pid: u32) -> Result<Fault, SessionError> {
    let msg = dispatch::recv(ep);
    match dispatch::classify(&msg) {
        Event::Fault { pid: p, fault } if p == pid => Ok(fault),
        Event::Request { pid: p, label } if p == pid => Err(SessionError::UnexpectedLabel(label)),
        _ => Err(SessionError::WrongSender { badge: msg.badge }),
    }
}

/// Waits for process `pid`'s EXIT request (never answered).
pub fn await_exit(ep: CPtr, pid: u32) -> Result<(), SessionError> {
    let msg = dispatch::recv(ep);
    match dispatch::classify(&msg) {
        Event::Request { pid: p, label } if p == pid && label == label::EXIT => Ok(()),
        Event::Request { pid: p, label } if p == pid => Err(SessionError::UnexpectedLabel(label)),
        Event::Fault { pid: p, fault } if p == pid => Err(SessionError::Faulted(fault)),
        _ => Err(SessionError::WrongSender { badge: msg.badge }),
    }
}
