//! 16550 UART driver (COM1), polled, transmit only plus line setup.
//!
//! The executive reaches the UART through an IO-port capability; every
//! register access is one kernel invocation, so the driver is written
//! against the [`PortIo`] trait and the policy (what to poll, how long) is
//! tested on the host with a fake.

/// Base of the first PC serial port.
pub const COM1: u16 = 0x3F8;

/// Byte-wide port I/O, however it is carried out.
pub trait PortIo {
    type Error;
    fn out8(&mut self, port: u16, value: u8) -> Result<(), Self::Error>;
    fn in8(&mut self, port: u16) -> Result<u8, Self::Error>;
}

// Register offsets from the base port.
const THR: u16 = 0; // transmit holding (DLAB=0) / divisor low (DLAB=1)
const IER: u16 = 1; // interrupt enable / divisor high (DLAB=1)
const FCR: u16 = 2;
const LCR: u16 = 3;
const MCR: u16 = 4;
const LSR: u16 = 5;

const LCR_DLAB: u8 = 0x80;
const LCR_8N1: u8 = 0x03;
/// FIFO on, both FIFOs cleared, receive trigger at 14 bytes.
const FCR_ENABLE_CLEAR: u8 = 0xC7;
/// DTR, RTS, OUT2.
const MCR_DTR_RTS_OUT2: u8 = 0x0B;
const LSR_THR_EMPTY: u8 = 0x20;

/// Divisor 1 = 115200 baud from the 1.8432 MHz clock.
const DIVISOR: u16 = 1;

/// Polls of LSR before a byte is sent anyway: a missing or wedged UART must
/// not hang the executive.
const MAX_POLLS: u32 = 10_000;

pub struct Uart16550<P> {
    io: P,
    base: u16,
}

impl<P: PortIo> Uart16550<P> {
    /// Programs 115200 8N1 with FIFOs, interrupts off.
    pub fn init(mut io: P, base: u16) -> Result<Self, P::Error> {
        io.out8(base + IER, 0)?;
        io.out8(base + LCR, LCR_DLAB)?;
        io.out8(base + THR, (DIVISOR & 0xFF) as u8)?;
        io.out8(base + IER, (DIVISOR >> 8) as u8)?;
        io.out8(base + LCR, LCR_8N1)?;
        io.out8(base + FCR, FCR_ENABLE_CLEAR)?;
        io.out8(base + MCR, MCR_DTR_RTS_OUT2)?;
        Ok(Self { io, base })
    }

    /// Sends one byte once the transmitter has room (or after the poll
    /// budget is spent).
    pub fn put(&mut self, byte: u8) -> Result<(), P::Error> {
        for _ in 0..MAX_POLLS {
            if self.io.in8(self.base + LSR)? & LSR_THR_EMPTY != 0 {
                break;
            }
        }
        self.io.out8(self.base + THR, byte)
    }

    /// Sends text, turning `\n` into CR LF for terminals.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), P::Error> {
        for &b in bytes {
            if b == b'\n' {
                self.put(b'\r')?;
            }
            self.put(b)?;
        }
        Ok(())
    }

    pub fn io_mut(&mut self) -> &mut P {
        &mut self.io
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[derive(Default)]
    struct Fake {
        writes: Vec<(u16, u8)>,
        /// LSR values returned in turn; afterwards "empty".
        lsr: Vec<u8>,
        lsr_reads: usize,
        fail_port: Option<u16>,
    }

    impl PortIo for Fake {
        type Error = u16;
        fn out8(&mut self, port: u16, value: u8) -> Result<(), u16> {
            if self.fail_port == Some(port) {
                return Err(port);
            }
            self.writes.push((port, value));
            Ok(())
        }
        fn in8(&mut self, port: u16) -> Result<u8, u16> {
            assert_eq!(port, COM1 + LSR, "only LSR is read");
            self.lsr_reads += 1;
            Ok(if self.lsr.is_empty() {
                LSR_THR_EMPTY
            } else {
                self.lsr.remove(0)
            })
        }
    }

    #[test]
    fn init_programs_115200_8n1() {
        let u = Uart16550::init(Fake::default(), COM1).unwrap();
        assert_eq!(
            u.io.writes,
            [
                (0x3F9, 0),
                (0x3FB, 0x80),
                (0x3F8, 1),
                (0x3F9, 0),
                (0x3FB, 0x03),
                (0x3FA, 0xC7),
                (0x3FC, 0x0B)
            ]
        );
    }

    #[test]
    fn newline_becomes_crlf_and_waits_for_room() {
        let mut u = Uart16550::init(Fake::default(), COM1).unwrap();
        u.io.writes.clear();
        u.io.lsr = vec![0, 0, LSR_THR_EMPTY];
        u.write_bytes(b"a\n").unwrap();
        assert_eq!(u.io.writes, [(0x3F8, b'a'), (0x3F8, b'\r'), (0x3F8, b'\n')]);
        // Three polls for 'a', then one per further byte.
        assert_eq!(u.io.lsr_reads, 5);
    }

    #[test]
    fn a_wedged_uart_does_not_hang() {
        let mut u = Uart16550::init(Fake::default(), COM1).unwrap();
        u.io.writes.clear();
        u.io.lsr = vec![0; MAX_POLLS as usize + 5];
        u.put(b'x').unwrap();
        assert_eq!(u.io.lsr_reads, MAX_POLLS as usize);
        assert_eq!(u.io.writes, [(0x3F8, b'x')]);
    }

    #[test]
    fn port_errors_propagate() {
        let fake = Fake {
            fail_port: Some(COM1 + LCR),
            ..Fake::default()
        };
        assert_eq!(Uart16550::init(fake, COM1).err(), Some(COM1 + LCR));
    }
}
