//! The harness's error type. Failures carry enough context (serial tail,
//! QEMU's stderr, exit status) that a failing test explains itself.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::exit::ExitInfo;
use crate::serial::{format_lines, SerialLine};

/// How many serial lines an expectation failure shows.
pub const FAILURE_TAIL_LINES: usize = 40;

/// Everything that can go wrong while driving QEMU.
#[derive(Debug)]
pub enum HarnessError {
    /// The emulator binary is not installed (or not on `PATH`).
    QemuNotFound { program: String },
    /// The configuration cannot be turned into a command line.
    Config(String),
    /// An I/O operation of the harness failed.
    Io { context: String, source: io::Error },
    /// Output did not appear, or QEMU did not exit, in time.
    Expect(Box<ExpectFailure>),
    /// QEMU answered a QMP command with an error.
    QmpCommand {
        command: String,
        class: String,
        desc: String,
    },
    /// The QMP conversation itself broke (bad JSON, closed socket, no socket).
    Qmp(String),
    /// A QMP operation was requested but QMP was disabled in the config.
    QmpDisabled,
    /// `expect_regex` was given an invalid pattern.
    Regex(regex::Error),
    /// `type_text` was given a character without a key on a US keyboard.
    UnmappableChar(char),
    /// A screen dump could not be read or converted.
    Image(String),
}

/// Details of a failed `expect*` or `wait_exit`.
#[derive(Debug, Clone)]
pub struct ExpectFailure {
    /// What was awaited, e.g. `serial output containing "banner"`.
    pub expected: String,
    /// The step's timeout.
    pub timeout: Duration,
    /// How QEMU ended: by itself before the expectation was met, or by the
    /// harness killing it after the timeout (`killed`).
    pub exit: Option<ExitInfo>,
    /// True when QEMU was still running at the timeout and got killed.
    pub killed: bool,
    /// The last serial lines (at most [`FAILURE_TAIL_LINES`]), including an
    /// unterminated last line.
    pub last_lines: Vec<SerialLine>,
    /// The last lines QEMU wrote to stderr (its own error messages).
    pub stderr_tail: Vec<String>,
}

impl HarnessError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        HarnessError::Io {
            context: context.into(),
            source,
        }
    }

    /// The expectation details, when this is an `Expect` failure.
    pub fn expect_failure(&self) -> Option<&ExpectFailure> {
        match self {
            HarnessError::Expect(f) => Some(f),
            _ => None,
        }
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::QemuNotFound { program } => write!(
                f,
                "{program} not found: run `cargo xtask test`, which installs qemu-system-x86"
            ),
            HarnessError::Config(msg) => write!(f, "invalid QEMU configuration: {msg}"),
            HarnessError::Io { context, source } => write!(f, "{context}: {source}"),
            HarnessError::Expect(failure) => failure.fmt(f),
            HarnessError::QmpCommand {
                command,
                class,
                desc,
            } => write!(f, "QMP command `{command}` failed: {class}: {desc}"),
            HarnessError::Qmp(msg) => write!(f, "QMP: {msg}"),
            HarnessError::QmpDisabled => {
                write!(
                    f,
                    "QMP is disabled in this QemuConfig (enable it with .qmp(true))"
                )
            }
            HarnessError::Regex(e) => write!(f, "invalid regular expression: {e}"),
            HarnessError::UnmappableChar(c) => {
                write!(f, "cannot type {c:?}: no key for it on a US keyboard")
            }
            HarnessError::Image(msg) => write!(f, "screen dump: {msg}"),
        }
    }
}

impl fmt::Display for ExpectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let timeout = self.timeout.as_secs_f64();
        match (&self.exit, self.killed) {
            (Some(exit), false) => writeln!(
                f,
                "QEMU ended ({exit}) before {} (step timeout {timeout:.3} s)",
                self.expected
            )?,
            (exit, _) => {
                writeln!(
                    f,
                    "timed out after {timeout:.3} s waiting for {}",
                    self.expected
                )?;
                match exit {
                    Some(exit) => {
                        writeln!(f, "QEMU was still running; the harness killed it ({exit})")?
                    }
                    None => writeln!(f, "QEMU was still running")?,
                }
            }
        }
        if self.last_lines.is_empty() {
            writeln!(f, "no serial output")?;
        } else {
            writeln!(f, "last {} serial lines:", self.last_lines.len())?;
            f.write_str(&format_lines(&self.last_lines))?;
        }
        if !self.stderr_tail.is_empty() {
            writeln!(f, "QEMU stderr:")?;
            for line in &self.stderr_tail {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for HarnessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HarnessError::Io { source, .. } => Some(source),
            HarnessError::Regex(e) => Some(e),
            _ => None,
        }
    }
}

impl From<regex::Error> for HarnessError {
    fn from(e: regex::Error) -> Self {
        HarnessError::Regex(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ms: u64, text: &str) -> SerialLine {
        SerialLine {
            elapsed: Duration::from_millis(ms),
            raw: text.to_string(),
            text: text.to_string(),
        }
    }

    #[test]
    fn timeout_failure_shows_context() {
        let failure = ExpectFailure {
            expected: "serial output containing \"login:\"".into(),
            timeout: Duration::from_millis(1500),
            exit: Some(ExitInfo {
                code: None,
                signal: Some(9),
                debug_exit_value: None,
                elapsed: Duration::from_millis(1502),
            }),
            killed: true,
            last_lines: vec![
                line(425, "Boot config: parsing cmdline"),
                line(651, "hello"),
            ],
            stderr_tail: vec!["qemu: warning: x".into()],
        };
        let text = HarnessError::Expect(Box::new(failure)).to_string();
        assert!(
            text.starts_with(
                "timed out after 1.500 s waiting for serial output containing \"login:\"\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("the harness killed it (killed by signal 9"),
            "{text}"
        );
        assert!(text.contains("last 2 serial lines:\n  [   0.425] Boot config: parsing cmdline\n  [   0.651] hello\n"), "{text}");
        assert!(
            text.contains("QEMU stderr:\n  qemu: warning: x\n"),
            "{text}"
        );
    }

    #[test]
    fn early_exit_failure_shows_status() {
        let failure = ExpectFailure {
            expected: "QEMU to exit".into(),
            timeout: Duration::from_secs(5),
            exit: Some(ExitInfo {
                code: Some(3),
                signal: None,
                debug_exit_value: Some(1),
                elapsed: Duration::from_millis(20),
            }),
            killed: false,
            last_lines: vec![],
            stderr_tail: vec![],
        };
        let text = HarnessError::Expect(Box::new(failure)).to_string();
        assert!(
            text.starts_with(
                "QEMU ended (exit status 3 (debug-exit value 1) after 0.020 s) before QEMU to exit"
            ),
            "{text}"
        );
        assert!(text.contains("no serial output"), "{text}");
    }

    #[test]
    fn not_found_message_names_the_fix() {
        let e = HarnessError::QemuNotFound {
            program: "qemu-system-x86_64".into(),
        };
        assert_eq!(
            e.to_string(),
            "qemu-system-x86_64 not found: run `cargo xtask test`, which installs qemu-system-x86"
        );
    }
}
