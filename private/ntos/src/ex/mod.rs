//! Executive support: boot sequence, heap, statistics.

#[cfg(ntos_bare)]
pub mod apcsvc;
pub mod bootfs;
pub mod cmsvc;
#[cfg(ntos_bare)]
pub mod heap;
#[cfg(ntos_bare)]
pub mod init;
pub mod kesvc;
pub mod keyedsvc;
pub mod kuser;
pub mod obsvc;
#[cfg(ntos_bare)]
pub mod procsvc;
pub mod psinfo;
#[cfg(ntos_bare)]
pub mod psinfosvc;
#[cfg(ntos_bare)]
pub mod pssvc;
pub mod quota;
#[cfg(ntos_bare)]
pub mod sectsvc;
#[cfg(ntos_bare)]
pub mod services;
pub mod stats;
pub mod sysinfo;
#[cfg(ntos_bare)]
pub mod threadsvc;
pub mod timesvc;
#[cfg(ntos_bare)]
pub mod vmsvc;
