//! Which paging structures an x86 address space needs for a mapping.
//!
//! seL4 maps a 4 KiB frame only when every intermediate table on the way
//! down from the VSpace root exists, and each table must be mapped before
//! the next level below it. This module knows the levels of both
//! architectures and tracks which tables of one address space exist.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

pub const PAGE_BITS: u8 = 12;
pub const PAGE_SIZE: usize = 1 << PAGE_BITS;

/// An intermediate paging structure (the VSpace root is not one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableKind {
    /// x86_64 page-directory-pointer table (one per PML4 entry).
    Pdpt,
    PageDirectory,
    PageTable,
}

/// One level below the root: `span_bits` is log2 of the virtual range one
/// table of this kind translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub kind: TableKind,
    pub span_bits: u8,
}

/// The levels below the VSpace root, top-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub levels: &'static [Level],
}

/// 4-level paging: PML4 (root) → PDPT → PD → PT → 4 KiB frame.
pub const X86_64: Layout = Layout {
    levels: &[
        Level {
            kind: TableKind::Pdpt,
            span_bits: 39,
        },
        Level {
            kind: TableKind::PageDirectory,
            span_bits: 30,
        },
        Level {
            kind: TableKind::PageTable,
            span_bits: 21,
        },
    ],
};

/// 2-level non-PAE paging: PD (root) → PT → 4 KiB frame.
pub const IA32: Layout = Layout {
    levels: &[Level {
        kind: TableKind::PageTable,
        span_bits: 22,
    }],
};

#[cfg(target_pointer_width = "64")]
pub const NATIVE: Layout = X86_64;
#[cfg(target_pointer_width = "32")]
pub const NATIVE: Layout = IA32;

/// A table identified by its kind and the first virtual address it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableKey {
    pub kind: TableKind,
    pub base: u64,
}

/// The intermediate tables of one address space, with a payload (the cap)
/// per table.
#[derive(Debug, Clone)]
pub struct Tables<T> {
    layout: Layout,
    tables: BTreeMap<TableKey, T>,
}

impl<T> Tables<T> {
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            tables: BTreeMap::new(),
        }
    }

    /// Tables still needed before a page at `vaddr` can be mapped, top-down
    /// (the order in which they must be mapped).
    pub fn missing(&self, vaddr: u64) -> Vec<TableKey> {
        self.layout
            .levels
            .iter()
            .map(|l| TableKey {
                kind: l.kind,
                base: vaddr & !((1u64 << l.span_bits) - 1),
            })
            .filter(|k| !self.tables.contains_key(k))
            .collect()
    }

    pub fn insert(&mut self, key: TableKey, value: T) {
        self.tables.insert(key, value);
    }

    pub fn len(&self) -> usize {
        self.tables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Removes every table, lowest level first (the order for teardown).
    pub fn drain_bottom_up(&mut self) -> Vec<(TableKey, T)> {
        let mut all: Vec<_> = core::mem::take(&mut self.tables).into_iter().collect();
        all.sort_by(|a, b| b.0.kind.cmp(&a.0.kind).then(a.0.base.cmp(&b.0.base)));
        all
    }
}

/// Page-aligned range `[start, end)` covering `[addr, addr + len)`.
pub fn page_span(addr: u64, len: u64) -> (u64, u64) {
    let mask = PAGE_SIZE as u64 - 1;
    (addr & !mask, (addr + len + mask) & !mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_64_needs_three_tables_for_the_first_page() {
        let t: Tables<usize> = Tables::new(X86_64);
        let m = t.missing(0x40_1000);
        assert_eq!(
            m,
            [
                TableKey {
                    kind: TableKind::Pdpt,
                    base: 0
                },
                TableKey {
                    kind: TableKind::PageDirectory,
                    base: 0
                },
                TableKey {
                    kind: TableKind::PageTable,
                    base: 0x40_0000
                },
            ]
        );
    }

    #[test]
    fn existing_tables_are_not_needed_again() {
        let mut t = Tables::new(X86_64);
        for (i, k) in t.missing(0x40_0000).into_iter().enumerate() {
            t.insert(k, i);
        }
        assert!(t.missing(0x5F_F000).is_empty());
        // The next 2 MiB needs only a new page table.
        assert_eq!(
            t.missing(0x60_0000),
            [TableKey {
                kind: TableKind::PageTable,
                base: 0x60_0000
            }]
        );
        // Another GiB needs a directory and a table but not a PDPT.
        let m = t.missing(0x1_4000_0000);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].kind, TableKind::PageDirectory);
        assert_eq!(m[0].base, 0x1_4000_0000);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn ia32_has_one_level_of_4_mib_tables() {
        let mut t = Tables::new(IA32);
        let m = t.missing(0x1000_3000);
        assert_eq!(
            m,
            [TableKey {
                kind: TableKind::PageTable,
                base: 0x1000_0000
            }]
        );
        t.insert(m[0], 7u32);
        assert!(t.missing(0x103F_F000).is_empty());
        assert_eq!(t.missing(0x1040_0000)[0].base, 0x1040_0000);
    }

    #[test]
    fn teardown_order_is_bottom_up() {
        let mut t = Tables::new(X86_64);
        for k in t.missing(0x40_0000) {
            t.insert(k, k.kind);
        }
        for k in t.missing(0x1000_0000) {
            t.insert(k, k.kind);
        }
        let order: Vec<_> = t.drain_bottom_up().into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            order,
            [
                TableKind::PageTable,
                TableKind::PageTable,
                TableKind::PageDirectory,
                TableKind::Pdpt
            ]
        );
        assert!(t.is_empty());
    }

    #[test]
    fn page_span_rounds_out() {
        assert_eq!(page_span(0x40_0123, 1), (0x40_0000, 0x40_1000));
        assert_eq!(page_span(0x40_0000, 0x1000), (0x40_0000, 0x40_1000));
        assert_eq!(page_span(0x40_0FFF, 2), (0x40_0000, 0x40_2000));
    }
}
