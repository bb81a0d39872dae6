//! Hardware abstraction: serial port, VGA text console, QEMU exit, TSC.

pub mod serial;
pub mod vga;
