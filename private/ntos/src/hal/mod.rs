//! Hardware abstraction: serial port, VGA text console, QEMU exit, TSC, PIT timer.

#[cfg(ntos_bare)]
pub mod console;
#[cfg(ntos_bare)]
pub mod debug_exit;
#[cfg(ntos_bare)]
pub mod ioport;
pub mod serial;
pub mod timer;
pub mod tsc;
pub mod vga;
