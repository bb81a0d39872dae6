//! Test harness for running Nereid under QEMU (TCG).
//!
//! [`QemuConfig`] describes a run (arch, multiboot kernel and modules,
//! disks, display); [`Qemu`] is a running instance whose serial console is
//! captured line by line for [`Qemu::expect`] and friends, and which can be
//! driven over QMP (keys, screen dumps, guest memory). QEMU is always killed
//! and reaped when a [`Qemu`] is dropped, so a failing test leaves no
//! emulator behind.
//!
//! ```no_run
//! use std::time::Duration;
//! use nereid_harness::{Arch, QemuConfig};
//!
//! # fn main() -> Result<(), nereid_harness::HarnessError> {
//! let mut qemu = QemuConfig::new(Arch::X86_64)
//!     .kernel("kernel32.elf")
//!     .module("root-task.elf")
//!     .start()?;
//! qemu.expect("Booting all finished", Duration::from_secs(10))?;
//! let exit = qemu.wait_exit(Duration::from_secs(30))?;
//! assert_eq!(exit.debug_exit_value, Some(0));
//! # Ok(()) }
//! ```

mod config;
mod error;
mod exit;
mod image;
mod keys;
mod qemu;
mod qmp;
mod serial;
mod vga;

pub use config::{Arch, BootModule, Disk, DiskFormat, Display, QemuConfig, DEFAULT_MEMORY_MIB};
pub use error::{ExpectFailure, HarnessError, FAILURE_TAIL_LINES};
pub use exit::{decode_debug_exit, ExitInfo};
pub use image::{encode_png, parse_ppm, png_dimensions, Rgb8Image, PNG_SIGNATURE};
pub use keys::{char_to_qcodes, text_to_qcodes};
pub use qemu::{Qemu, RegexMatch};
pub use qmp::QMP_REPLY_TIMEOUT;
pub use serial::{strip_ansi, SerialLine, TailBuffer};
pub use vga::{cp437_to_char, decode_text, VGA_COLUMNS, VGA_ROWS, VGA_TEXT_BASE, VGA_TEXT_BYTES};

/// Shorthand for the harness's results.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
