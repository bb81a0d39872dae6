//! Hardware abstraction: serial port, VGA text console, QEMU exit, TSC.

#[cfg(ntos_bare)]
pub mod console;
#[cfg(ntos_bare)]
pub mod debug_exit;
#[cfg(ntos_bare)]
pub mod ioport;
pub mod serial;
pub mod tsc;
pub mod vga;
