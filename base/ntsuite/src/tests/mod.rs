//! The tests, one module per area. To add an area: write `src/tests/<area>.rs` with a
//! `pub const TESTS: &[Test] = tests![…];` and list it in [`all`].

use crate::suite::Test;
use alloc::vec::Vec;

mod apc;
mod close;
mod cm;
mod display;
mod dll;
mod dllthread;
mod env;
mod ke;
mod keyed;
mod kuser;
mod ldr;
mod mm;
mod ob;
mod peb;
mod process;
mod ps;
mod psinfo;
mod remote;
mod rtl;
mod rtlreg;
mod section;
mod session;
mod sysinfo;
mod teb;
mod terminate;
mod thread;
mod time;
mod timer;

/// Every registered test, in the order they run.
pub fn all() -> Vec<Test> {
    [
        display::TESTS,
        teb::TESTS,
        close::TESTS,
        terminate::TESTS,
        ob::TESTS,
        ke::TESTS,
        keyed::TESTS,
        mm::TESTS,
        section::TESTS,
        kuser::TESTS,
        time::TESTS,
        timer::TESTS,
        sysinfo::TESTS,
        rtl::TESTS,
        ps::TESTS,
        thread::TESTS,
        apc::TESTS,
        process::TESTS,
        remote::TESTS,
        session::TESTS,
        psinfo::TESTS,
        peb::TESTS,
        cm::TESTS,
        env::TESTS,
        rtlreg::TESTS,
        ldr::TESTS,
        dll::TESTS,
        dllthread::TESTS,
    ]
    .concat()
}
