//! How QEMU ended, with the isa-debug-exit convention decoded.

use std::fmt;
use std::process::ExitStatus;
use std::time::Duration;

/// The end of a QEMU run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitInfo {
    /// Process exit code, `None` when QEMU was ended by a signal.
    pub code: Option<i32>,
    /// Signal that ended QEMU (e.g. 9 when the harness killed it).
    pub signal: Option<i32>,
    /// Value the guest wrote to the isa-debug-exit port, when the exit code
    /// has the shape QEMU gives it (`(value << 1) | 1`) and the device was
    /// configured. Exit code 1 is ambiguous: it is both "guest wrote 0" and
    /// QEMU's own error status, so look at stderr when it matters.
    pub debug_exit_value: Option<u32>,
    /// Time from spawning QEMU until its exit was observed.
    pub elapsed: Duration,
}

impl ExitInfo {
    /// Builds the description of an ended process.
    pub fn from_status(status: ExitStatus, debug_exit: bool, elapsed: Duration) -> Self {
        use std::os::unix::process::ExitStatusExt;
        let code = status.code();
        ExitInfo {
            code,
            signal: status.signal(),
            debug_exit_value: if debug_exit {
                code.and_then(decode_debug_exit)
            } else {
                None
            },
            elapsed,
        }
    }

    /// True when QEMU exited by itself with status 0 (e.g. QMP `quit`).
    pub fn is_clean(&self) -> bool {
        self.code == Some(0)
    }
}

/// Recovers the value written to the isa-debug-exit port from QEMU's exit
/// code. QEMU exits with `(value << 1) | 1`; an exit status only carries 8
/// bits, so only the low 7 bits of the guest's value survive.
pub fn decode_debug_exit(code: i32) -> Option<u32> {
    if (1..=255).contains(&code) && code & 1 == 1 {
        Some((code as u32) >> 1)
    } else {
        None
    }
}

impl fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit status {code}")?,
            (None, Some(sig)) => write!(f, "killed by signal {sig}")?,
            (None, None) => write!(f, "unknown exit status")?,
        }
        if let Some(v) = self.debug_exit_value {
            write!(f, " (debug-exit value {v})")?;
        }
        write!(f, " after {:.3} s", self.elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn decodes_debug_exit_codes() {
        assert_eq!(decode_debug_exit(1), Some(0));
        assert_eq!(decode_debug_exit(3), Some(1));
        assert_eq!(decode_debug_exit(0x21), Some(0x10));
        assert_eq!(decode_debug_exit(255), Some(127));
        assert_eq!(decode_debug_exit(0), None);
        assert_eq!(decode_debug_exit(2), None);
        assert_eq!(decode_debug_exit(-1), None);
        assert_eq!(decode_debug_exit(256), None);
    }

    #[test]
    fn exit_info_from_status() {
        // Raw wait statuses: exit code in bits 8..16, signal in the low bits.
        let info = ExitInfo::from_status(ExitStatus::from_raw(3 << 8), true, Duration::ZERO);
        assert_eq!(info.code, Some(3));
        assert_eq!(info.signal, None);
        assert_eq!(info.debug_exit_value, Some(1));
        assert_eq!(
            info.to_string(),
            "exit status 3 (debug-exit value 1) after 0.000 s"
        );

        let off = ExitInfo::from_status(ExitStatus::from_raw(3 << 8), false, Duration::ZERO);
        assert_eq!(off.debug_exit_value, None);

        let killed = ExitInfo::from_status(ExitStatus::from_raw(9), true, Duration::ZERO);
        assert_eq!(killed.code, None);
        assert_eq!(killed.signal, Some(9));
        assert_eq!(killed.debug_exit_value, None);
        assert!(killed.to_string().starts_with("killed by signal 9"));
    }
}
