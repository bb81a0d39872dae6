//! NT base definitions shared by every Nereid component that speaks the Windows ABI:
//! ntdll, the executive and drivers.
//!
//! - [`status`]: [`NtStatus`] and the `STATUS_*` codes, with Windows' values.
//! - [`types`]: `UNICODE_STRING`, `STRING`, `RTL_BITMAP`, `TIME_FIELDS`,
//!   `LARGE_INTEGER` and the scalar aliases, laid out exactly as on Windows (checked at
//!   compile time for 32- and 64-bit pointers).
#![no_std]
#![forbid(unsafe_code)]

pub mod memory;
pub mod status;
pub mod types;

pub use status::{NtStatus, NTSTATUS};
