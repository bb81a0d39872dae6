//! The tests, one module per area. To add an area: write `src/tests/<area>.rs` with a
//! `pub const TESTS: &[Test] = tests![…];` and list it in [`all`].

use crate::suite::Test;
use alloc::vec::Vec;

mod close;
mod cm;
mod display;
mod ke;
mod kuser;
mod mm;
mod ob;
mod peb;
mod ps;
mod rtl;
mod section;
mod sysinfo;
mod terminate;
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
        section::TESTS,
        kuser::TESTS,
        time::TESTS,
        timer::TESTS,
        sysinfo::TESTS,
        rtl::TESTS,
        ps::TESTS,
        peb::TESTS,
        cm::TESTS,
    ]
    .concat()
}
