//! Executive support: boot sequence, heap, statistics.

pub mod cmsvc;
#[cfg(ntos_bare)]
pub mod heap;
#[cfg(ntos_bare)]
pub mod init;
pub mod kesvc;
pub mod kuser;
pub mod obsvc;
#[cfg(ntos_bare)]
pub mod pssvc;
#[cfg(ntos_bare)]
pub mod sectsvc;
#[cfg(ntos_bare)]
pub mod services;
pub mod stats;
pub mod sysinfo;
pub mod timesvc;
#[cfg(ntos_bare)]
pub mod vmsvc;
