//! Process structure: processes (address space, CSpace, thread) and the
//! first executive ↔ process protocol.

pub mod cid;
#[cfg(ntos_bare)]
pub mod client;
#[cfg(ntos_bare)]
pub mod ntprocess;
pub mod params;
#[cfg(ntos_bare)]
pub mod process;
pub mod protocol;
#[cfg(ntos_bare)]
pub mod session;
pub mod teb;
