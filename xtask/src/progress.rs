//! Step-by-step progress output: every long action names itself and reports its time,
//! so a user on a fresh machine sees where the minutes go and which step failed.

use std::fmt;
use std::time::Instant;

/// An error that names the step that failed and, where known, what is missing.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Shorthand for returning a [`Failure`] with a formatted message.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { return Err($crate::progress::Failure(format!($($arg)*))) };
}

/// Runs `f` as a named step, printing its start and its duration (or its failure).
pub fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    eprintln!("\x1b[1m==>\x1b[0m {name}");
    let start = Instant::now();
    let r = f();
    let secs = start.elapsed().as_secs_f64();
    match &r {
        Ok(_) => eprintln!("    {name}: done in {secs:.1}s"),
        Err(e) => eprintln!("\x1b[31m    {name}: FAILED after {secs:.1}s\x1b[0m: {e}"),
    }
    r
}
