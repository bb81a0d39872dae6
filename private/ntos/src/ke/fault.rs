//! Decoding of seL4 fault messages into NT-style descriptions.
//!
//! A faulting thread's fault arrives as an IPC on its fault endpoint whose
//! label names the fault kind and whose message words carry the details.
//! Label values and word positions come from the bindings (see
//! [`FaultAbi`]); the decoding itself is pure.

use core::fmt;

pub type Word = usize;

/// Where seL4 puts things in fault messages (labels and word indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultAbi {
    pub null_label: Word,
    pub cap_label: Word,
    pub unknown_syscall_label: Word,
    pub user_exception_label: Word,
    pub vm_label: Word,
    pub vm_ip: usize,
    pub vm_addr: usize,
    pub vm_prefetch: usize,
    pub vm_fsr: usize,
    pub ue_ip: usize,
    pub ue_sp: usize,
    pub ue_number: usize,
    pub ue_code: usize,
    pub us_ip: usize,
    pub us_number: usize,
    pub cap_ip: usize,
    pub cap_addr: usize,
}

/// x86 page-fault error code bits (the VMFault FSR word).
const PF_WRITE: Word = 1 << 1;
pub const PF_USER: Word = 1 << 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Page fault on an unmapped or protected address; `fsr` is the x86
    /// page-fault error code.
    AccessViolation {
        access: Access,
        addr: Word,
        ip: Word,
        fsr: Word,
    },
    /// A CPU exception other than a page fault.
    Exception {
        vector: Word,
        code: Word,
        ip: Word,
        sp: Word,
    },
    /// A system-call instruction seL4 does not know.
    UnknownSyscall { number: Word, ip: Word },
    /// A capability lookup failed (bad fault endpoint, IPC buffer, …).
    CapFault { addr: Word, ip: Word },
    /// The thread was deleted or its fault had no content.
    Null,
    /// A label this decoder does not know.
    Unknown { label: Word },
}

impl Fault {
    /// Decodes a fault message. Missing words read as 0: a short message
    /// is a kernel/ABI mismatch, reported rather than trusted.
    pub fn decode(abi: &FaultAbi, label: Word, msg: &[Word]) -> Fault {
        let mr = |i: usize| msg.get(i).copied().unwrap_or(0);
        if label == abi.vm_label {
            let access = if mr(abi.vm_prefetch) != 0 {
                Access::Execute
            } else if mr(abi.vm_fsr) & PF_WRITE != 0 {
                Access::Write
            } else {
                Access::Read
            };
            Fault::AccessViolation {
                access,
                addr: mr(abi.vm_addr),
                ip: mr(abi.vm_ip),
                fsr: mr(abi.vm_fsr),
            }
        } else if label == abi.user_exception_label {
            Fault::Exception {
                vector: mr(abi.ue_number),
                code: mr(abi.ue_code),
                ip: mr(abi.ue_ip),
                sp: mr(abi.ue_sp),
            }
        } else if label == abi.unknown_syscall_label {
            Fault::UnknownSyscall {
                number: mr(abi.us_number),
                ip: mr(abi.us_ip),
            }
        } else if label == abi.cap_label {
            Fault::CapFault {
                addr: mr(abi.cap_addr),
                ip: mr(abi.cap_ip),
            }
        } else if label == abi.null_label {
            Fault::Null
        } else {
            Fault::Unknown { label }
        }
    }
}

fn exception_name(vector: Word) -> Option<&'static str> {
    Some(match vector {
        0 => "integer divide by zero",
        1 => "single step",
        3 => "breakpoint",
        4 => "integer overflow",
        5 => "array bounds exceeded",
        6 => "illegal instruction",
        7 => "floating-point unavailable",
        12 => "stack fault",
        13 => "general protection fault",
        16 => "floating-point error",
        17 => "datatype misalignment",
        19 => "SIMD floating-point error",
        _ => return None,
    })
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fault::AccessViolation {
                access, addr, ip, ..
            } => {
                let verb = match access {
                    Access::Read => "reading",
                    Access::Write => "writing",
                    Access::Execute => "executing",
                };
                write!(f, "access violation {verb} {addr:#x} at ip {ip:#x}")
            }
            Fault::Exception {
                vector, code, ip, ..
            } => match exception_name(vector) {
                Some(name) => write!(f, "{name} at ip {ip:#x}"),
                None => write!(f, "exception {vector} (code {code:#x}) at ip {ip:#x}"),
            },
            Fault::UnknownSyscall { number, ip } => {
                write!(f, "unknown system call {number:#x} at ip {ip:#x}")
            }
            Fault::CapFault { addr, ip } => {
                write!(f, "capability fault on {addr:#x} at ip {ip:#x}")
            }
            Fault::Null => write!(f, "null fault"),
            Fault::Unknown { label } => write!(f, "unknown fault (label {label})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// seL4 5.0 on x86_64 (labels and words from the kernel's fault
    /// message layout).
    const ABI: FaultAbi = FaultAbi {
        null_label: 0,
        cap_label: 1,
        unknown_syscall_label: 2,
        user_exception_label: 3,
        vm_label: 5,
        vm_ip: 0,
        vm_addr: 1,
        vm_prefetch: 2,
        vm_fsr: 3,
        ue_ip: 0,
        ue_sp: 1,
        ue_number: 3,
        ue_code: 4,
        us_ip: 15,
        us_number: 18,
        cap_ip: 0,
        cap_addr: 1,
    };

    #[test]
    fn read_of_unmapped_page() {
        // As measured: IP, Addr, PrefetchFault=0, FSR=4 (user, read, not present).
        let f = Fault::decode(&ABI, 5, &[0x4002e7, 0xDEAD_0000, 0, 4]);
        assert_eq!(
            f,
            Fault::AccessViolation {
                access: Access::Read,
                addr: 0xDEAD_0000,
                ip: 0x4002e7,
                fsr: 4
            }
        );
        assert_eq!(
            f.to_string(),
            "access violation reading 0xdead0000 at ip 0x4002e7"
        );
    }

    #[test]
    fn write_and_execute_faults() {
        let w = Fault::decode(&ABI, 5, &[0x401000, 0x5000, 0, 6]);
        assert_eq!(
            w.to_string(),
            "access violation writing 0x5000 at ip 0x401000"
        );
        let x = Fault::decode(&ABI, 5, &[0x9000, 0x9000, 1, 0x14]);
        assert_eq!(
            x.to_string(),
            "access violation executing 0x9000 at ip 0x9000"
        );
    }

    #[test]
    fn user_exceptions_are_named() {
        let ud = Fault::decode(&ABI, 3, &[0x4002f6, 0x1000_2ff0, 0x202, 6, 0]);
        assert_eq!(
            ud,
            Fault::Exception {
                vector: 6,
                code: 0,
                ip: 0x4002f6,
                sp: 0x1000_2ff0
            }
        );
        assert_eq!(ud.to_string(), "illegal instruction at ip 0x4002f6");
        let odd = Fault::decode(&ABI, 3, &[0x10, 0, 0, 21, 0x8]);
        assert_eq!(odd.to_string(), "exception 21 (code 0x8) at ip 0x10");
    }

    #[test]
    fn unknown_syscall_uses_arch_word_positions() {
        let mut msg = [0usize; 19];
        msg[15] = 0x4002d8;
        msg[18] = 0x1111;
        let f = Fault::decode(&ABI, 2, &msg);
        assert_eq!(f.to_string(), "unknown system call 0x1111 at ip 0x4002d8");
    }

    #[test]
    fn short_or_unknown_messages_do_not_panic() {
        assert_eq!(
            Fault::decode(&ABI, 5, &[]),
            Fault::AccessViolation {
                access: Access::Read,
                addr: 0,
                ip: 0,
                fsr: 0
            }
        );
        assert_eq!(Fault::decode(&ABI, 0, &[]), Fault::Null);
        assert_eq!(Fault::decode(&ABI, 4, &[1, 2]), Fault::Unknown { label: 4 });
        assert_eq!(
            Fault::decode(&ABI, 1, &[0x400000, 0x2]).to_string(),
            "capability fault on 0x2 at ip 0x400000"
        );
    }
}
