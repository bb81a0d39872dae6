//! Mapping frames into an address space, creating the paging structures
//! on the way down.

use super::cspace::Slot;
use super::kobj::{check, Mm, MmError, ObjectKind, Pool};
use super::paging::{TableKey, TableKind, Tables, NATIVE};
use alloc::vec::Vec;
use sel4::{CPtr, CapRights, Error as KernelError};

/// seL4_X86_Default_VMAttributes (write-back caching).
const DEFAULT_ATTRIBUTES: sel4::Word = 0;

pub struct AddressSpace {
    root: CPtr,
    /// Tables by key; `None` for tables that existed before we looked
    /// (built by the kernel for the root task's image).
    tables: Tables<Option<Slot>>,
}

impl AddressSpace {
    pub fn new(root: CPtr) -> Self {
        Self {
            root,
            tables: Tables::new(NATIVE),
        }
    }

    pub fn root(&self) -> CPtr {
        self.root
    }

    /// Records that every table covering `vaddr` exists already (built by
    /// the kernel, e.g. for the root task's image).
    pub fn note_existing(&mut self, vaddr: usize) {
        for key in self.tables.missing(vaddr as u64) {
            self.tables.insert(key, None);
        }
    }

    /// Maps `frame` at `vaddr`, creating missing tables from `pool`.
    pub fn map(
        &mut self,
        mm: &mut Mm,
        pool: Pool,
        frame: CPtr,
        vaddr: usize,
        rights: CapRights,
    ) -> Result<(), MmError> {
        for key in self.tables.missing(vaddr as u64) {
            self.add_table(mm, pool, key)?;
        }
        check(
            "X86_Page_Map",
            sel4::x86_page_map(frame, self.root, vaddr, rights, DEFAULT_ATTRIBUTES),
        )
    }

    fn add_table(&mut self, mm: &mut Mm, pool: Pool, key: TableKey) -> Result<(), MmError> {
        let kind = match key.kind {
            #[cfg(target_arch = "x86_64")]
            TableKind::Pdpt => ObjectKind::Pdpt,
            TableKind::PageDirectory => ObjectKind::PageDirectory,
            TableKind::PageTable => ObjectKind::PageTable,
            #[cfg(not(target_arch = "x86_64"))]
            TableKind::Pdpt => return Ok(()),
        };
        let slot = mm.create(pool, kind)?;
        let vaddr = key.base as usize;
        let r = match key.kind {
            #[cfg(target_arch = "x86_64")]
            TableKind::Pdpt => sel4::x86_pdpt_map(slot, self.root, vaddr, DEFAULT_ATTRIBUTES),
            #[cfg(target_arch = "x86_64")]
            TableKind::PageDirectory => {
                sel4::x86_page_directory_map(slot, self.root, vaddr, DEFAULT_ATTRIBUTES)
            }
            TableKind::PageTable => {
                sel4::x86_page_table_map(slot, self.root, vaddr, DEFAULT_ATTRIBUTES)
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => Ok(()),
        };
        match r {
            Ok(()) => {
                self.tables.insert(key, Some(slot));
                Ok(())
            }
            // Already there (the kernel built it for the root task's image):
            // note it and drop the spare object.
            Err(KernelError::DeleteFirst) => {
                self.tables.insert(key, None);
                mm.delete(slot)
            }
            Err(err) => {
                let _ = mm.delete(slot);
                Err(MmError::Kernel {
                    op: "X86_*_Map(table)",
                    err,
                })
            }
        }
    }

    /// Slots of the tables this address space created, lowest level first.
    pub fn take_table_slots(&mut self) -> Vec<Slot> {
        self.tables
            .drain_bottom_up()
            .into_iter()
            .filter_map(|(_, s)| s)
            .collect()
    }
}
