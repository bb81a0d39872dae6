//! QEMU's isa-debug-exit device (`-device isa-debug-exit,iobase=0xf4`):
//! writing `v` to the port ends QEMU with exit status `(v << 1) | 1`.

use super::ioport::IoPortCap;
use super::serial::PortIo;
use core::sync::atomic::{AtomicUsize, Ordering};

pub const PORT: u16 = 0xF4;
/// The device decodes four ports.
pub const LAST_PORT: u16 = 0xF7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// QEMU exits with status 1.
    Success = 0,
    /// QEMU exits with status 3.
    Failure = 1,
}

/// Capability for the port, 0 until [`install`]; kept globally so the panic
/// handler can still power off.
static CAP: AtomicUsize = AtomicUsize::new(0);

pub fn install(cap: IoPortCap) {
    CAP.store(cap.0, Ordering::Relaxed);
}

pub fn is_installed() -> bool {
    CAP.load(Ordering::Relaxed) != 0
}

/// Powers QEMU off. Without the device (real hardware, other emulators)
/// the write does nothing and the executive stops its own thread instead.
pub fn power_off(code: ExitCode) -> ! {
    let cap = CAP.load(Ordering::Relaxed);
    if cap != 0 {
        let _ = IoPortCap(cap).out8(PORT, code as u8);
    }
    crate::ke::halt()
}
