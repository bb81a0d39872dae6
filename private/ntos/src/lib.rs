//! Nereid NT Executive, first stage: the seL4 root task.
//!
//! Components follow the NT executive's split (see `README.md`). Pure logic
//! (allocators, fault decoding, statistics, device state machines) is plain
//! Rust and is unit-tested on the host; code that invokes seL4 lives behind
//! `cfg(ntos_bare)` (set by `build.rs` for the two root-task targets).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod cm;
pub mod ex;
pub mod hal;
pub mod ke;
pub mod mm;
pub mod ob;
pub mod ps;
