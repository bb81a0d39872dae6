//! Per-architecture system call entry.

#[cfg(target_arch = "x86")]
mod ia32;
#[cfg(target_arch = "x86")]
pub(crate) use ia32::{sys, REGISTER_MRS};

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::{sys, REGISTER_MRS};
