//! x86 port I/O through seL4 IO-port capabilities.

use super::serial::PortIo;
use crate::mm::kobj::{Mm, MmError, ROOT_CNODE, ROOT_DEPTH};
use sel4::{CPtr, Error};

/// An IO-port capability (the whole range or a minted sub-range).
#[derive(Debug, Clone, Copy)]
pub struct IoPortCap(pub CPtr);

impl IoPortCap {
    /// Mints a copy of the all-ports capability restricted to
    /// `first..=last`, so a stray port number is refused by the kernel.
    pub fn mint_range(mm: &mut Mm, first: u16, last: u16) -> Result<IoPortCap, MmError> {
        let slot = mm.slots.alloc()?;
        // The IO-port cap reads its range from the badge bits of the cap data:
        // first port in bits 31..16, last in 15..0 (fits the 28-bit badge).
        let data = (usize::from(first) << 16) | usize::from(last);
        let r = sel4::cnode_mint(
            ROOT_CNODE,
            slot,
            ROOT_DEPTH,
            ROOT_CNODE,
            sel4::consts::CAP_IO_PORT,
            ROOT_DEPTH,
            sel4::CapRights::new(0, 1, 1),
            sel4::CapData::new_badge(data),
        );
        match r {
            Ok(()) => Ok(IoPortCap(slot)),
            Err(err) => {
                let _ = mm.slots.free(slot);
                Err(MmError::Kernel {
                    op: "CNode_Mint(IOPort)",
                    err,
                })
            }
        }
    }
}

impl PortIo for IoPortCap {
    type Error = Error;

    fn out8(&mut self, port: u16, value: u8) -> Result<(), Error> {
        sel4::x86_io_port_out8(self.0, port.into(), value.into())
    }

    fn in8(&mut self, port: u16) -> Result<u8, Error> {
        sel4::x86_io_port_in8(self.0, port)
    }
}
