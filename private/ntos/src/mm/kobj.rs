//! Creating and deleting seL4 kernel objects in the executive's CSpace.
//!
//! Combines the untyped allocator (where an object goes) with the slot
//! allocator (which root-CNode slot gets its cap) and the kernel calls.

use super::cspace::{Slot, SlotAllocator, SlotError};
use super::untyped::{Cap, MemError, MemoryKind, Reservation, UntypedAllocator, UntypedInfo};
use alloc::vec::Vec;
use core::fmt;
use sel4::{consts, object_type, BootInfo, CPtr, Error as KernelError, Word};

/// The root CNode; a slot number is a CPtr when looked up at word depth.
pub const ROOT_CNODE: CPtr = consts::CAP_INIT_THREAD_CNODE;
pub const ROOT_DEPTH: u8 = consts::WORD_BITS as u8;

const MAX_UNTYPED_BITS: u8 = consts::MAX_UNTYPED_BITS as u8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmError {
    Slots(SlotError),
    Memory(MemError),
    Kernel {
        op: &'static str,
        err: KernelError,
    },
    /// A process id that does not fit a badge.
    BadPid(u32),
}

impl From<SlotError> for MmError {
    fn from(e: SlotError) -> Self {
        MmError::Slots(e)
    }
}

impl From<MemError> for MmError {
    fn from(e: MemError) -> Self {
        MmError::Memory(e)
    }
}

impl fmt::Display for MmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MmError::Slots(e) => write!(f, "{e}"),
            MmError::Memory(e) => write!(f, "{e}"),
            MmError::Kernel { op, err } => write!(f, "{op} failed: {err:?}"),
            MmError::BadPid(pid) => write!(f, "process id {pid} does not fit a badge"),
        }
    }
}

/// Turns a kernel result into an [`MmError`] naming the operation.
pub fn check(op: &'static str, r: Result<(), KernelError>) -> Result<(), MmError> {
    r.map_err(|err| MmError::Kernel { op, err })
}

/// Kinds of kernel objects the executive creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Tcb,
    Endpoint,
    Notification,
    /// A CNode with `2^radix` slots.
    CNode {
        radix: u8,
    },
    /// A 4 KiB frame.
    Frame,
    PageTable,
    PageDirectory,
    #[cfg(target_arch = "x86_64")]
    Pdpt,
    /// The root of an address space: PML4 (x86_64) or page directory (ia32).
    VSpaceRoot,
    Untyped {
        bits: u8,
    },
}

impl ObjectKind {
    fn sel4_type(self) -> Word {
        match self {
            ObjectKind::Tcb => object_type::TCB,
            ObjectKind::Endpoint => object_type::ENDPOINT,
            ObjectKind::Notification => object_type::NOTIFICATION,
            ObjectKind::CNode { .. } => object_type::CAP_TABLE,
            ObjectKind::Frame => object_type::X86_4K,
            ObjectKind::PageTable => object_type::X86_PAGE_TABLE,
            ObjectKind::PageDirectory => object_type::X86_PAGE_DIRECTORY,
            #[cfg(target_arch = "x86_64")]
            ObjectKind::Pdpt => object_type::X86_PDPT,
            #[cfg(target_arch = "x86_64")]
            ObjectKind::VSpaceRoot => object_type::X64_PML4,
            #[cfg(target_arch = "x86")]
            ObjectKind::VSpaceRoot => object_type::X86_PAGE_DIRECTORY,
            ObjectKind::Untyped { .. } => object_type::UNTYPED,
        }
    }

    /// The `size_bits` argument of Untyped_Retype.
    fn size_arg(self) -> Word {
        match self {
            ObjectKind::CNode { radix } => radix.into(),
            ObjectKind::Untyped { bits } => bits.into(),
            _ => 0,
        }
    }

    /// log2 of the memory the object occupies.
    pub fn mem_bits(self) -> u8 {
        let bits = match self {
            ObjectKind::Tcb => consts::TCB_BITS,
            ObjectKind::Endpoint => consts::ENDPOINT_BITS,
            ObjectKind::Notification => consts::NOTIFICATION_BITS,
            ObjectKind::CNode { radix } => usize::from(radix) + consts::SLOT_BITS,
            ObjectKind::Frame => consts::PAGE_BITS,
            ObjectKind::PageTable => consts::PAGE_TABLE_BITS,
            ObjectKind::PageDirectory => consts::PAGE_DIR_BITS,
            #[cfg(target_arch = "x86_64")]
            ObjectKind::Pdpt => consts::PDPT_BITS,
            #[cfg(target_arch = "x86_64")]
            ObjectKind::VSpaceRoot => consts::PML4_BITS,
            #[cfg(target_arch = "x86")]
            ObjectKind::VSpaceRoot => consts::PAGE_DIR_BITS,
            ObjectKind::Untyped { bits } => bits.into(),
        };
        bits as u8
    }
}

/// Where new objects come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// Shared untyped RAM, for objects that live as long as the executive.
    General,
    /// A reserved untyped owned by one process, recycled whole.
    Reserved(Cap),
}

/// The executive's memory: untypeds and root-CNode slots.
pub struct Mm {
    pub untyped: UntypedAllocator,
    pub slots: SlotAllocator,
}

impl Mm {
    /// Takes stock of what seL4 handed over: the empty slots and every
    /// untyped (RAM and device).
    pub fn from_bootinfo(bi: &BootInfo) -> Result<Mm, MmError> {
        let empty = bi.empty;
        let untypeds = bi.untyped;
        let list = bi.untyped_list;
        let mut untyped = UntypedAllocator::new(MAX_UNTYPED_BITS);
        for (i, cap) in (untypeds.start..untypeds.end).enumerate() {
            let Some(desc) = list.get(i) else { break };
            untyped.add(UntypedInfo {
                cap,
                paddr: desc.paddr as u64,
                size_bits: desc.size_bits,
                kind: if desc.is_device != 0 {
                    MemoryKind::Device
                } else {
                    MemoryKind::Ram
                },
            })?;
        }
        Ok(Mm {
            untyped,
            slots: SlotAllocator::new(empty.start..empty.end),
        })
    }

    /// Creates one object and returns the slot holding its cap.
    pub fn create(&mut self, pool: Pool, kind: ObjectKind) -> Result<Slot, MmError> {
        let bits = kind.mem_bits();
        let placement = match pool {
            Pool::General => self.untyped.alloc(bits)?,
            Pool::Reserved(cap) => self.untyped.alloc_in(cap, bits)?,
        };
        self.retype_into_new_slot(placement.untyped, kind)
    }

    fn retype_into_new_slot(&mut self, untyped: Cap, kind: ObjectKind) -> Result<Slot, MmError> {
        let slot = self.slots.alloc()?;
        let r = sel4::untyped_retype(
            untyped,
            kind.sel4_type(),
            kind.size_arg(),
            ROOT_CNODE,
            0,
            0,
            slot,
            1,
        );
        if let Err(err) = r {
            let _ = self.slots.free(slot);
            return Err(MmError::Kernel {
                op: "Untyped_Retype",
                err,
            });
        }
        Ok(slot)
    }

    /// Retypes a 4 KiB device frame at physical address `paddr`, creating
    /// (and keeping, for later carving) the filler untypeds in front of it.
    pub fn carve_frame(&mut self, paddr: u64) -> Result<Slot, MmError> {
        let bits = ObjectKind::Frame.mem_bits();
        let plan = self.untyped.carve(paddr, bits)?;
        let kind = self
            .untyped
            .untypeds()
            .find(|u| u.cap == plan.target.untyped)
            .map(|u| u.kind)
            .unwrap_or(MemoryKind::Device);
        let mut fillers = Vec::with_capacity(plan.fillers.len());
        for f in &plan.fillers {
            let slot =
                self.retype_into_new_slot(f.untyped, ObjectKind::Untyped { bits: f.size_bits })?;
            fillers.push(UntypedInfo {
                cap: slot,
                paddr: f.paddr,
                size_bits: f.size_bits,
                kind,
            });
        }
        for f in fillers {
            self.untyped.add(f)?;
        }
        self.retype_into_new_slot(plan.target.untyped, ObjectKind::Frame)
    }

    /// Reserves a whole untyped of `2^bits` for one owner; returns its cap
    /// and whether it is recycled memory.
    pub fn reserve(&mut self, bits: u8) -> Result<(Cap, bool), MmError> {
        match self.untyped.reserve(bits)? {
            Reservation::Reuse(cap) => Ok((cap, true)),
            Reservation::Retype(p) => {
                let slot = self.retype_into_new_slot(p.untyped, ObjectKind::Untyped { bits })?;
                self.untyped.add_reserved(UntypedInfo {
                    cap: slot,
                    paddr: p.paddr,
                    size_bits: bits,
                    kind: MemoryKind::Ram,
                })?;
                Ok((slot, false))
            }
        }
    }

    /// Destroys every object made from a reserved untyped (revoke deletes
    /// all caps derived from it) and returns it to the allocator.
    /// The caller frees the root-CNode slots those caps occupied.
    pub fn release(&mut self, cap: Cap) -> Result<(), MmError> {
        check(
            "CNode_Revoke",
            sel4::cnode_revoke(ROOT_CNODE, cap, ROOT_DEPTH),
        )?;
        self.untyped.release(cap)?;
        Ok(())
    }

    /// Copies a cap (with possibly fewer rights) into a new slot.
    pub fn copy(&mut self, src: CPtr, rights: sel4::CapRights) -> Result<Slot, MmError> {
        let slot = self.slots.alloc()?;
        let r = sel4::cnode_copy(
            ROOT_CNODE, slot, ROOT_DEPTH, ROOT_CNODE, src, ROOT_DEPTH, rights,
        );
        if let Err(err) = r {
            let _ = self.slots.free(slot);
            return Err(MmError::Kernel {
                op: "CNode_Copy",
                err,
            });
        }
        Ok(slot)
    }

    /// Deletes the cap in `slot` and frees the slot.
    pub fn delete(&mut self, slot: Slot) -> Result<(), MmError> {
        check(
            "CNode_Delete",
            sel4::cnode_delete(ROOT_CNODE, slot, ROOT_DEPTH),
        )?;
        self.slots.free(slot)?;
        Ok(())
    }
}
