//! Memory manager: untyped memory, CSpace slots and address spaces.

pub mod cspace;
pub mod paging;
pub mod untyped;
