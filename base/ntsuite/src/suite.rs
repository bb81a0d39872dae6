//! The test framework: named tests returning `Result<(), String>`, one output line per
//! test and a summary line the QEMU test parses.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// One test: `Err` carries why it failed.
pub type TestFn = fn() -> Result<(), String>;

/// A registered test. Names are `<area>.<what>`, e.g. `display.null_string`.
#[derive(Clone, Copy)]
pub struct Test {
    pub name: &'static str,
    pub run: TestFn,
}

/// Registers tests: `tests![("name", function), …]` makes a `&[Test]`.
#[macro_export]
macro_rules! tests {
    ($(($name:expr, $run:expr)),* $(,)?) => {
        &[$($crate::suite::Test { name: $name, run: $run }),*]
    };
}

/// Prints `line` and a line end through NtDisplayString (any length, UTF-16).
pub fn println(line: &str) {
    let text: Vec<u16> = line.encode_utf16().chain([u16::from(b'\n')]).collect();
    for chunk in text.chunks(usize::from(u16::MAX / 2)) {
        crate::native::display(chunk);
    }
}

/// Runs `tests` in order, prints a line per test and the summary
/// `N passed, N failed`; returns `(passed, failed)`.
pub fn run(tests: &[Test]) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    for t in tests {
        match (t.run)() {
            Ok(()) => {
                passed += 1;
                println(&format!("ok {}", t.name));
            }
            Err(why) => {
                failed += 1;
                println(&format!("FAIL {}: {why}", t.name));
            }
        }
    }
    println(&summary(passed, failed));
    (passed, failed)
}

/// The last line of a run, exactly as the QEMU test parses it.
pub fn summary(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}
