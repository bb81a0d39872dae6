//! The tests, one module per area. To add an area: write `src/tests/<area>.rs` with a
//! `pub const TESTS: &[Test] = tests![…];` and list it in [`all`].

use crate::suite::Test;
use alloc::vec::Vec;

mod close;
mod cm;
mod display;
mod env;
mod ke;
mod ldr;
mod mm;
mod ob;
mod peb;
mod process;
mod ps;
mod psinfo;
mod rtl;
mod rtlreg;
mod sysinfo;
mod terminate;
mod thread;
mod time;
mod timer;

/// Every registered test, in the order they run.
pub fn all() -> Vec<Test> {
    [
        display::TESTS,
        close::TESTS,
        terminate::TESTS,
        ob::TESTS,
        ke::TESTS,
        mm::TESTS,
        time::TESTS,
        timer::TESTS,
        sysinfo::TESTS,
        rtl::TESTS,
        ps::TESTS,
        thread::TESTS,
        process::TESTS,
        psinfo::TESTS,
        peb::TESTS,
        cm::TESTS,
        env::TESTS,
        rtlreg::TESTS,
        ldr::TESTS,
    ]
    .concat()
}
