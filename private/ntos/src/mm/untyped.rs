//! Untyped-memory bookkeeping.
//!
//! seL4 hands the root task all memory as untyped capabilities. Creating an
//! object means `Untyped_Retype`, which places it at the untyped's free
//! offset rounded up to the object's (power-of-two) size, and then moves the
//! free offset past it. Memory comes back only when *every* child of an
//! untyped is gone: the next retype then starts again at offset 0. This
//! module mirrors that rule so the executive knows, before it asks the
//! kernel, which untyped will hold an object and at which physical address.
//!
//! Three uses:
//! - general RAM objects ([`UntypedAllocator::alloc`]), never given back;
//! - reserved child untypeds ([`UntypedAllocator::reserve`]) that hold all
//!   objects of one process and are recycled whole after a revoke;
//! - device memory at a fixed physical address ([`UntypedAllocator::carve`]),
//!   reached by retyping filler child untypeds in front of it.

use alloc::vec::Vec;
use core::fmt;

/// Capability pointer (slot) of an untyped in the executive's CSpace.
pub type Cap = usize;
pub type Paddr = u64;

/// Smallest untyped seL4 can create (seL4_MinUntypedBits).
pub const MIN_UNTYPED_BITS: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryKind {
    Ram,
    Device,
}

/// One untyped capability as bootinfo (or a retype) describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntypedInfo {
    pub cap: Cap,
    pub paddr: Paddr,
    pub size_bits: u8,
    pub kind: MemoryKind,
}

impl UntypedInfo {
    pub fn size(&self) -> u64 {
        1u64 << self.size_bits
    }

    pub fn end(&self) -> Paddr {
        self.paddr + self.size()
    }

    fn contains(&self, paddr: Paddr, len: u64) -> bool {
        paddr >= self.paddr && paddr.checked_add(len).is_some_and(|e| e <= self.end())
    }
}

/// Where the next retype of one object of `2^size_bits` bytes out of
/// `untyped` puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub untyped: Cap,
    pub paddr: Paddr,
    pub size_bits: u8,
}

/// The retypes that reach a fixed physical address inside a larger untyped:
/// first each filler (a child untyped, in order), then the target object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carve {
    pub fillers: Vec<Placement>,
    pub target: Placement,
}

/// Answer of [`UntypedAllocator::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// A recycled reserved untyped of the requested size, already empty.
    Reuse(Cap),
    /// Retype this new child untyped, then register it with
    /// [`UntypedAllocator::add_reserved`].
    Retype(Placement),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemError {
    /// No RAM untyped has `2^size_bits` free bytes.
    Exhausted { size_bits: u8 },
    /// The reserved untyped has no room for the object.
    ReservedFull { cap: Cap, size_bits: u8 },
    /// Size out of what seL4 can create here.
    BadSize(u8),
    /// A physical address not aligned to the requested object size.
    Misaligned { paddr: Paddr, size_bits: u8 },
    /// No untyped covers the physical range.
    NoRegion { paddr: Paddr },
    /// The covering untyped has already handed out memory at or past it.
    Unreachable { paddr: Paddr },
    /// The cap is not a known untyped of the required use.
    UnknownCap(Cap),
    /// The cap is already registered.
    Duplicate(Cap),
}

impl fmt::Display for MemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exhausted { size_bits } => {
                write!(f, "out of untyped RAM for 2^{size_bits} bytes")
            }
            Self::ReservedFull { cap, size_bits } => {
                write!(
                    f,
                    "reserved untyped {cap} has no room for 2^{size_bits} bytes"
                )
            }
            Self::BadSize(b) => write!(f, "object size 2^{b} not supported"),
            Self::Misaligned { paddr, size_bits } => {
                write!(f, "paddr {paddr:#x} not aligned to 2^{size_bits}")
            }
            Self::NoRegion { paddr } => write!(f, "no untyped covers paddr {paddr:#x}"),
            Self::Unreachable { paddr } => {
                write!(f, "paddr {paddr:#x} lies below its untyped's free offset")
            }
            Self::UnknownCap(c) => write!(f, "cap {c} is not a usable untyped"),
            Self::Duplicate(c) => write!(f, "untyped cap {c} registered twice"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usage {
    /// Shared pool for long-lived executive objects.
    General,
    /// Holds one owner's objects; recycled whole.
    Reserved { in_use: bool },
}

#[derive(Debug, Clone, Copy)]
struct Region {
    info: UntypedInfo,
    /// First free physical address (the kernel's free index, as an
    /// address).
    next: Paddr,
    usage: Usage,
}

impl Region {
    fn new(info: UntypedInfo, usage: Usage) -> Self {
        Self {
            info,
            next: info.paddr,
            usage,
        }
    }

    /// Address at which a `2^bits` object would land, if it fits. The
    /// kernel aligns the absolute address, which matters for the few
    /// untypeds seL4 5.0 hands out unaligned to their size (huge device
    /// regions high up).
    fn fit(&self, bits: u8) -> Option<Paddr> {
        if bits > self.info.size_bits {
            return None;
        }
        let at = align_up(self.next, bits)?;
        (at.checked_add(1u64 << bits)? <= self.info.end()).then_some(at)
    }

    fn take(&mut self, bits: u8) -> Option<Placement> {
        let at = self.fit(bits)?;
        self.next = at + (1u64 << bits);
        Some(Placement {
            untyped: self.info.cap,
            paddr: at,
            size_bits: bits,
        })
    }

    fn reset(&mut self) {
        self.next = self.info.paddr;
    }
}

fn align_up(v: u64, bits: u8) -> Option<u64> {
    let mask = (1u64 << bits) - 1;
    v.checked_add(mask).map(|x| x & !mask)
}

/// Tracks every untyped the executive owns, RAM and device.
#[derive(Debug, Clone)]
pub struct UntypedAllocator {
    regions: Vec<Region>,
    max_bits: u8,
}

impl UntypedAllocator {
    /// `max_bits` is seL4_MaxUntypedBits of the architecture (47 on
    /// x86_64, 29 on ia32): no single object may be larger.
    pub fn new(max_bits: u8) -> Self {
        Self {
            regions: Vec::new(),
            max_bits,
        }
    }

    /// Registers an untyped for general use (bootinfo untypeds, fillers).
    pub fn add(&mut self, info: UntypedInfo) -> Result<(), MemError> {
        self.insert(info, Usage::General)
    }

    /// Registers a freshly retyped child of a [`Reservation::Retype`]; it is
    /// handed out to the caller (in use) right away.
    pub fn add_reserved(&mut self, info: UntypedInfo) -> Result<(), MemError> {
        self.insert(info, Usage::Reserved { in_use: true })
    }

    fn insert(&mut self, info: UntypedInfo, usage: Usage) -> Result<(), MemError> {
        if info.size_bits < MIN_UNTYPED_BITS || info.size_bits >= 64 {
            return Err(MemError::BadSize(info.size_bits));
        }
        if info.paddr.checked_add(info.size()).is_none() {
            return Err(MemError::NoRegion { paddr: info.paddr });
        }
        if self.regions.iter().any(|r| r.info.cap == info.cap) {
            return Err(MemError::Duplicate(info.cap));
        }
        self.regions.push(Region::new(info, usage));
        Ok(())
    }

    /// All registered untypeds, in registration order.
    pub fn untypeds(&self) -> impl Iterator<Item = &UntypedInfo> + '_ {
        self.regions.iter().map(|r| &r.info)
    }

    /// Bytes not yet handed out in general-use untypeds of `kind`.
    pub fn free_bytes(&self, kind: MemoryKind) -> u64 {
        self.regions
            .iter()
            .filter(|r| r.info.kind == kind && r.usage == Usage::General)
            .map(|r| r.info.end() - r.next)
            .sum()
    }

    /// Picks the general RAM untyped for one object of `2^size_bits` bytes
    /// and records it as used: the smallest untyped that fits, so large
    /// untypeds stay whole for large requests; ties go to the least
    /// alignment waste, then to the earliest registered.
    pub fn alloc(&mut self, size_bits: u8) -> Result<Placement, MemError> {
        self.check_size(size_bits)?;
        let best = self
            .regions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.info.kind == MemoryKind::Ram && r.usage == Usage::General)
            .filter_map(|(i, r)| {
                r.fit(size_bits)
                    .map(|at| (r.info.size_bits, at - r.next, i))
            })
            .min()
            .map(|(_, _, i)| i);
        let i = best.ok_or(MemError::Exhausted { size_bits })?;
        self.regions[i]
            .take(size_bits)
            .ok_or(MemError::Exhausted { size_bits })
    }

    /// Asks for a whole untyped of `2^size_bits` to hold one owner's objects:
    /// a recycled one if any is free, else a new child to retype.
    pub fn reserve(&mut self, size_bits: u8) -> Result<Reservation, MemError> {
        if size_bits < MIN_UNTYPED_BITS {
            return Err(MemError::BadSize(size_bits));
        }
        if let Some(r) = self
            .regions
            .iter_mut()
            .find(|r| r.usage == Usage::Reserved { in_use: false } && r.info.size_bits == size_bits)
        {
            r.usage = Usage::Reserved { in_use: true };
            return Ok(Reservation::Reuse(r.info.cap));
        }
        self.alloc(size_bits).map(Reservation::Retype)
    }

    /// Places an object inside a reserved untyped that is in use.
    pub fn alloc_in(&mut self, cap: Cap, size_bits: u8) -> Result<Placement, MemError> {
        self.check_size(size_bits)?;
        let r = self
            .regions
            .iter_mut()
            .find(|r| r.info.cap == cap && r.usage == Usage::Reserved { in_use: true })
            .ok_or(MemError::UnknownCap(cap))?;
        r.take(size_bits)
            .ok_or(MemError::ReservedFull { cap, size_bits })
    }

    /// Gives a reserved untyped back once the caller has revoked it (all its
    /// children deleted): the kernel restarts such an untyped at offset 0.
    pub fn release(&mut self, cap: Cap) -> Result<(), MemError> {
        let r = self
            .regions
            .iter_mut()
            .find(|r| r.info.cap == cap && r.usage == Usage::Reserved { in_use: true })
            .ok_or(MemError::UnknownCap(cap))?;
        r.usage = Usage::Reserved { in_use: false };
        r.reset();
        Ok(())
    }

    /// Plans the retypes that put an object of `2^size_bits` exactly at
    /// `paddr` (device memory such as the VGA text buffer), and records them.
    /// The most specific untyped covering the range is used; fillers are the
    /// fewest child untypeds, each as large as alignment allows, that move
    /// the free offset up to `paddr`. The caller must retype the fillers in
    /// order (and may [`add`](Self::add) them back) before the target.
    pub fn carve(&mut self, paddr: Paddr, size_bits: u8) -> Result<Carve, MemError> {
        self.check_size(size_bits)?;
        if size_bits < MIN_UNTYPED_BITS {
            return Err(MemError::BadSize(size_bits));
        }
        let len = 1u64 << size_bits;
        if paddr & (len - 1) != 0 {
            return Err(MemError::Misaligned { paddr, size_bits });
        }
        let i = self
            .regions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.usage == Usage::General && r.info.contains(paddr, len))
            .min_by_key(|(_, r)| r.info.size_bits)
            .map(|(i, _)| i)
            .ok_or(MemError::NoRegion { paddr })?;
        let region = &self.regions[i];
        let unreachable = MemError::Unreachable { paddr };
        let mut cur = region.next;
        let mut fillers = Vec::new();
        loop {
            let landing = align_up(cur, size_bits).ok_or(unreachable)?;
            if landing == paddr {
                break;
            }
            if landing > paddr {
                return Err(unreachable);
            }
            // Largest child untyped that still ends at or before the target.
            let (at, bits) = (MIN_UNTYPED_BITS..region.info.size_bits)
                .rev()
                .find_map(|b| {
                    let at = align_up(cur, b)?;
                    (at.checked_add(1u64 << b)? <= paddr).then_some((at, b))
                })
                .ok_or(unreachable)?;
            fillers.push(Placement {
                untyped: region.info.cap,
                paddr: at,
                size_bits: bits,
            });
            cur = at + (1u64 << bits);
        }
        let region = &mut self.regions[i];
        region.next = cur;
        let target = region.take(size_bits).ok_or(unreachable)?;
        Ok(Carve { fillers, target })
    }

    fn check_size(&self, size_bits: u8) -> Result<(), MemError> {
        if size_bits > self.max_bits {
            Err(MemError::BadSize(size_bits))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram(cap: Cap, paddr: Paddr, size_bits: u8) -> UntypedInfo {
        UntypedInfo {
            cap,
            paddr,
            size_bits,
            kind: MemoryKind::Ram,
        }
    }

    fn dev(cap: Cap, paddr: Paddr, size_bits: u8) -> UntypedInfo {
        UntypedInfo {
            cap,
            paddr,
            size_bits,
            kind: MemoryKind::Device,
        }
    }

    fn place(untyped: Cap, paddr: Paddr, size_bits: u8) -> Placement {
        Placement {
            untyped,
            paddr,
            size_bits,
        }
    }

    #[test]
    fn objects_follow_the_kernels_aligned_watermark() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(40, 0x10_0000, 16)).unwrap();
        // A 2 KiB TCB, then a 4 KiB frame: the frame skips to the next 4 KiB.
        assert_eq!(a.alloc(11), Ok(place(40, 0x10_0000, 11)));
        assert_eq!(a.alloc(12), Ok(place(40, 0x10_1000, 12)));
        // A small object fills the gap left behind? No: the watermark only
        // moves forward, exactly like the kernel's free index.
        assert_eq!(a.alloc(4), Ok(place(40, 0x10_2000, 4)));
        assert_eq!(a.alloc(4), Ok(place(40, 0x10_2010, 4)));
        assert_eq!(a.free_bytes(MemoryKind::Ram), 0x1_0000 - 0x2020);
    }

    #[test]
    fn smallest_fitting_untyped_is_preferred() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(1, 0x100_0000, 24)).unwrap();
        a.add(ram(2, 0x8000, 13)).unwrap();
        a.add(ram(3, 0x4000, 12)).unwrap();
        assert_eq!(a.alloc(12), Ok(place(3, 0x4000, 12)));
        assert_eq!(a.alloc(12), Ok(place(2, 0x8000, 12)));
        assert_eq!(a.alloc(13), Ok(place(1, 0x100_0000, 13)));
        assert_eq!(a.alloc(12), Ok(place(2, 0x9000, 12)));
        assert_eq!(a.alloc(12), Ok(place(1, 0x100_2000, 12)));
    }

    #[test]
    fn device_memory_is_never_used_for_general_objects() {
        let mut a = UntypedAllocator::new(47);
        a.add(dev(5, 0, 20)).unwrap();
        assert_eq!(a.alloc(12), Err(MemError::Exhausted { size_bits: 12 }));
        assert_eq!(a.free_bytes(MemoryKind::Ram), 0);
        assert_eq!(a.free_bytes(MemoryKind::Device), 1 << 20);
    }

    #[test]
    fn exhaustion_is_reported() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(1, 0x2000, 13)).unwrap();
        assert!(a.alloc(12).is_ok());
        assert!(a.alloc(12).is_ok());
        assert_eq!(a.alloc(12), Err(MemError::Exhausted { size_bits: 12 }));
        assert_eq!(a.alloc(14), Err(MemError::Exhausted { size_bits: 14 }));
        assert_eq!(a.alloc(4), Err(MemError::Exhausted { size_bits: 4 }));
    }

    #[test]
    fn sizes_beyond_the_architecture_limit_are_refused() {
        let mut a = UntypedAllocator::new(29);
        a.add(ram(1, 0, 30)).unwrap();
        assert_eq!(a.alloc(30), Err(MemError::BadSize(30)));
        assert_eq!(a.alloc(29), Ok(place(1, 0, 29)));
    }

    #[test]
    fn bad_registrations_are_refused() {
        let mut a = UntypedAllocator::new(47);
        assert_eq!(a.add(ram(1, 0x1000, 3)), Err(MemError::BadSize(3)));
        assert_eq!(
            a.add(ram(1, u64::MAX - 0xFFF, 13)),
            Err(MemError::NoRegion {
                paddr: u64::MAX - 0xFFF
            })
        );
        a.add(ram(1, 0x2000, 13)).unwrap();
        assert_eq!(a.add(ram(1, 0x8000, 12)), Err(MemError::Duplicate(1)));
        assert_eq!(a.untypeds().count(), 1);
    }

    #[test]
    fn vga_text_buffer_is_reached_with_decreasing_fillers() {
        let mut a = UntypedAllocator::new(47);
        a.add(dev(60, 0, 20)).unwrap();
        a.add(ram(61, 0x10_0000, 20)).unwrap();
        let c = a.carve(0xB8000, 12).unwrap();
        assert_eq!(
            c.fillers,
            [
                place(60, 0x0, 19),
                place(60, 0x8_0000, 17),
                place(60, 0xA_0000, 16),
                place(60, 0xB_0000, 15),
            ]
        );
        assert_eq!(c.target, place(60, 0xB8000, 12));
        // The next carve in the same untyped continues after the target.
        let c2 = a.carve(0xB9000, 12).unwrap();
        assert!(c2.fillers.is_empty());
        assert_eq!(c2.target, place(60, 0xB9000, 12));
        // Below the watermark is unreachable in the parent …
        assert_eq!(
            a.carve(0xA0000, 12),
            Err(MemError::Unreachable { paddr: 0xA0000 })
        );
    }

    #[test]
    fn carving_continues_inside_a_registered_filler() {
        let mut a = UntypedAllocator::new(47);
        a.add(dev(60, 0, 20)).unwrap();
        let c = a.carve(0xB8000, 12).unwrap();
        // The caller retyped the fillers into slots 70.. and registered them.
        for (i, f) in c.fillers.iter().enumerate() {
            a.add(dev(70 + i, f.paddr, f.size_bits)).unwrap();
        }
        // 0xA4000 lies in the 64 KiB filler at 0xA0000 (slot 72).
        let c2 = a.carve(0xA4000, 12).unwrap();
        assert_eq!(c2.fillers, [place(72, 0xA0000, 14)]);
        assert_eq!(c2.target, place(72, 0xA4000, 12));
    }

    #[test]
    fn carve_at_the_free_offset_needs_no_filler_and_checks_alignment() {
        let mut a = UntypedAllocator::new(47);
        a.add(dev(9, 0xFEC0_0000, 12)).unwrap();
        assert_eq!(
            a.carve(0xFEC0_0800, 12),
            Err(MemError::Misaligned {
                paddr: 0xFEC0_0800,
                size_bits: 12
            })
        );
        let c = a.carve(0xFEC0_0000, 12).unwrap();
        assert!(c.fillers.is_empty());
        assert_eq!(c.target, place(9, 0xFEC0_0000, 12));
        assert_eq!(
            a.carve(0xFEC0_0000, 12),
            Err(MemError::Unreachable { paddr: 0xFEC0_0000 })
        );
        assert_eq!(
            a.carve(0x1000_0000, 12),
            Err(MemError::NoRegion { paddr: 0x1000_0000 })
        );
    }

    #[test]
    fn carve_when_the_watermark_is_unaligned() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(3, 0x40_0000, 16)).unwrap();
        assert_eq!(a.alloc(4), Ok(place(3, 0x40_0000, 4)));
        let c = a.carve(0x40_8000, 12).unwrap();
        // Fillers never overlap what was already placed and end at the target.
        let mut end = 0x40_0010;
        for f in &c.fillers {
            assert!(f.paddr >= end, "{f:?} overlaps");
            assert_eq!(f.paddr % (1 << f.size_bits), 0);
            end = f.paddr + (1 << f.size_bits);
        }
        assert!(end <= 0x40_8000);
        // With the fillers in place the kernel's own rounding lands on target.
        assert_eq!(end.next_multiple_of(0x1000), 0x40_8000);
        assert_eq!(c.target, place(3, 0x40_8000, 12));
    }

    #[test]
    fn unaligned_untypeds_align_on_absolute_addresses() {
        // seL4 5.0 really hands out e.g. paddr 0x180_0000_0000 size 2^40.
        let mut a = UntypedAllocator::new(47);
        a.add(dev(440, 0x180_0000_0000, 40)).unwrap();
        a.add(ram(441, 0x3000, 13)).unwrap(); // 0x3000..0x5000, unaligned
                                              // A 2^39 child fits at 0x180_0000_0000 (2^39-aligned), the next one
                                              // at 0x200_0000_0000, and a third would pass the end (0x280_…).
        let c = a.carve(0x200_0000_0000, 39).unwrap();
        assert_eq!(c.fillers, [place(440, 0x180_0000_0000, 39)]);
        assert_eq!(c.target, place(440, 0x200_0000_0000, 39));
        assert_eq!(a.free_bytes(MemoryKind::Device), 0);
        // 8 KiB object: no 8 KiB-aligned 8 KiB range inside 0x3000..0x5000.
        assert_eq!(a.alloc(13), Err(MemError::Exhausted { size_bits: 13 }));
        assert_eq!(a.alloc(12), Ok(place(441, 0x3000, 12)));
        assert_eq!(a.alloc(12), Ok(place(441, 0x4000, 12)));
    }

    #[test]
    fn reserved_untypeds_are_recycled_after_release() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(1, 0x100_0000, 20)).unwrap();
        let Reservation::Retype(p) = a.reserve(16).unwrap() else {
            panic!("nothing to reuse yet");
        };
        assert_eq!(p, place(1, 0x100_0000, 16));
        a.add_reserved(ram(200, p.paddr, 16)).unwrap();
        assert_eq!(a.alloc_in(200, 12), Ok(place(200, 0x100_0000, 12)));
        assert_eq!(a.alloc_in(200, 11), Ok(place(200, 0x100_1000, 11)));
        // General allocations never dip into a reserved untyped.
        assert_eq!(a.alloc(12), Ok(place(1, 0x101_0000, 12)));
        // A second owner gets a different untyped while the first is in use.
        assert_eq!(
            a.reserve(16),
            Ok(Reservation::Retype(place(1, 0x102_0000, 16)))
        );
        a.release(200).unwrap();
        assert_eq!(a.release(200), Err(MemError::UnknownCap(200)));
        assert_eq!(a.alloc_in(200, 12), Err(MemError::UnknownCap(200)));
        // Recycled whole, restarting at offset 0 like the kernel does.
        assert_eq!(a.reserve(16), Ok(Reservation::Reuse(200)));
        assert_eq!(a.alloc_in(200, 12), Ok(place(200, 0x100_0000, 12)));
    }

    #[test]
    fn reserved_untyped_reports_when_full() {
        let mut a = UntypedAllocator::new(47);
        a.add(ram(1, 0, 20)).unwrap();
        a.add_reserved(ram(2, 0x10_0000, 13)).unwrap();
        assert!(a.alloc_in(2, 12).is_ok());
        assert!(a.alloc_in(2, 12).is_ok());
        assert_eq!(
            a.alloc_in(2, 4),
            Err(MemError::ReservedFull {
                cap: 2,
                size_bits: 4
            })
        );
        assert_eq!(a.alloc_in(1, 4), Err(MemError::UnknownCap(1)));
        // Reuse only matches the exact size.
        a.release(2).unwrap();
        assert!(matches!(a.reserve(14), Ok(Reservation::Retype(_))));
        assert_eq!(a.reserve(13), Ok(Reservation::Reuse(2)));
    }
}
