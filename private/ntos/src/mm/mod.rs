//! Memory manager: untyped memory, CSpace slots and address spaces.

pub mod cspace;
#[cfg(ntos_bare)]
pub mod kobj;
pub mod paging;
pub mod section;
pub mod untyped;
pub mod vad;
#[cfg(ntos_bare)]
pub mod vspace;
