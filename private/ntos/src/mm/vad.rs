//! Virtual address descriptors: what a process has reserved and committed, with which
//! protection, as NtAllocate/Free/Protect/QueryVirtualMemory see it. Pure logic (no
//! frames): the executive backs committed pages on first touch (`ps::ntprocess`).
//!
//! Windows rules followed here (documented for `NtAllocateVirtualMemory`,
//! `NtFreeVirtualMemory`, `NtProtectVirtualMemory`, `NtQueryVirtualMemory`,
//! `VirtualAlloc`/`VirtualFree`/`VirtualQuery` in the WDK and SDK docs):
//! - reservations start on the 64 KiB allocation granularity (the base is rounded
//!   down) and end on a page (base + size rounded up); commits are page-granular;
//! - committing pages already committed succeeds and sets the new protection;
//!   decommitting pages not committed succeeds;
//! - MEM_RELEASE frees a whole reservation from its base;
//! - a free region queries as AllocationBase 0, Protect PAGE_NOACCESS, Type 0; a
//!   reserved one as Protect 0.
//!
//! Memory of the descriptors is bounded ([`MAX_RUNS`]) so a hostile process cannot
//! exhaust the executive's heap: past it, STATUS_NO_MEMORY.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use ntdef::memory::*;
use ntdef::status::*;

pub const PAGE_SIZE: usize = 0x1000;
pub const GRANULARITY: usize = 0x1_0000;
/// Most ZeroBits Windows accepts (`MI_MAX_ZERO_BITS`).
pub const MAX_ZERO_BITS: usize = 21;
/// Runs of equally protected pages over all of a process's descriptors.
pub const MAX_RUNS: usize = 4096;

fn page_down(a: usize) -> usize {
    a & !(PAGE_SIZE - 1)
}

/// What kind of memory a descriptor holds (MEMORY_BASIC_INFORMATION.Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadKind {
    Private,
    Image,
    /// Private memory that grows down through a guard page (a thread stack).
    Stack,
    /// A view of a section (`ex::sectsvc` maps its frames): pages never come from
    /// demand-zero faults, cannot be freed here, and may not get a protection the
    /// section's does not allow. Not charged to the process (the section is).
    Mapped {
        section_protect: u32,
    },
    /// A page the executive maps in every process (KUSER_SHARED_DATA): private memory
    /// to queries, but never freed, reprotected or demand-filled.
    Pinned,
}

impl VadKind {
    pub fn mem_type(self) -> u32 {
        match self {
            VadKind::Image => MEM_IMAGE,
            VadKind::Private | VadKind::Stack | VadKind::Pinned => MEM_PRIVATE,
            VadKind::Mapped { .. } => MEM_MAPPED,
        }
    }
}

/// Pages `start..end` are reserved (`protect == 0`) or committed with `protect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: usize,
    end: usize,
    protect: u32,
}

#[derive(Debug, Clone)]
pub struct Vad {
    pub base: usize,
    pub end: usize,
    pub alloc_protect: u32,
    pub kind: VadKind,
    /// Cover `base..end` in order, adjacent runs differ.
    runs: Vec<Run>,
}

impl Vad {
    fn protect_at(&self, page: usize) -> u32 {
        self.runs
            .iter()
            .find(|r| r.start <= page && page < r.end)
            .map_or(0, |r| r.protect)
    }
}

/// Is `p` a valid protection for private memory (`NtAllocateVirtualMemory`)?
/// One base protection, optionally with one of GUARD / NOCACHE / WRITECOMBINE (not
/// with PAGE_NOACCESS); write-copy is for views only.
pub fn valid_protection(p: u32, private: bool) -> bool {
    let base = p & 0xFF;
    let modifiers = p & !0xFF;
    if base.count_ones() != 1 {
        return false;
    }
    if private && (base == PAGE_WRITECOPY || base == PAGE_EXECUTE_WRITECOPY) {
        return false;
    }
    match modifiers {
        0 => true,
        PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE => base != PAGE_NOACCESS,
        _ => false,
    }
}

/// Access a protection grants: `None` (no access: NOACCESS or GUARD), else writable?
pub fn access(protect: u32) -> Option<bool> {
    if protect == 0 || protect & PAGE_GUARD != 0 || protect & 0xFF == PAGE_NOACCESS {
        return None;
    }
    Some(matches!(
        protect & 0xFF,
        PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
    ))
}

/// Result of a fault at a committed or uncommitted address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// Back the page (zero-filled) with this access, and resume.
    Map { writable: bool },
    /// A stack guard page was touched: map it and move the guard one page down
    /// (`new_limit` is the new lowest committed stack address).
    GrowStack { writable: bool, new_limit: usize },
    /// Not accessible: the process gets this status.
    Violation(NtStatus),
}

/// Pages changed by an operation, for the executive to unmap or remap.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changed {
    /// Page ranges now decommitted or released (backing frames go).
    pub freed: Vec<(usize, usize)>,
    /// Page ranges whose protection changed (mapped pages get new rights).
    pub reprotected: Vec<(usize, usize)>,
}

/// All descriptors of one process.
#[derive(Debug)]
pub struct Vads {
    map: BTreeMap<usize, Vad>,
    lowest: usize,
    limit: usize,
    committed: usize,
    commit_limit: usize,
    runs: usize,
}

impl Vads {
    /// Allocatable addresses `lowest..limit`; at most `commit_limit` pages committed.
    pub fn new(lowest: usize, limit: usize, commit_limit: usize) -> Self {
        Vads {
            map: BTreeMap::new(),
            lowest,
            limit,
            committed: 0,
            commit_limit,
            runs: 0,
        }
    }

    /// Committed pages (the commit charge).
    pub fn committed_pages(&self) -> usize {
        self.committed
    }

    /// Bytes of address space the descriptors cover (reserved or committed).
    pub fn reserved_bytes(&self) -> usize {
        self.map.values().map(|v| v.end - v.base).sum()
    }

    pub fn vad_at(&self, addr: usize) -> Option<&Vad> {
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    fn vad_base_at(&self, addr: usize) -> Option<usize> {
        self.vad_at(addr).map(|v| v.base)
    }

    /// Does any descriptor overlap `start..end`?
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        if let Some((_, v)) = self.map.range(..end).next_back() {
            v.end > start
        } else {
            false
        }
    }

    /// Records a region the loader made (image, stack, TEB, PEB): reserved
    /// `base..end` (page-aligned), nothing committed yet.
    pub fn insert_fixed(
        &mut self,
        base: usize,
        end: usize,
        kind: VadKind,
        alloc_protect: u32,
    ) -> Result<(), NtStatus> {
        if base % PAGE_SIZE != 0 || end % PAGE_SIZE != 0 || base >= end || end > self.limit {
            return Err(STATUS_INVALID_PARAMETER);
        }
        if self.overlaps(base, end) {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        self.insert(base, end, kind, alloc_protect)
    }

    fn insert(
        &mut self,
        base: usize,
        end: usize,
        kind: VadKind,
        alloc_protect: u32,
    ) -> Result<(), NtStatus> {
        if self.runs + 1 > MAX_RUNS {
            return Err(STATUS_NO_MEMORY);
        }
        let mut runs = Vec::new();
        runs.try_reserve(1).map_err(|_| STATUS_NO_MEMORY)?;
        runs.push(Run {
            start: base,
            end,
            protect: 0,
        });
        self.runs += 1;
        self.map.insert(
            base,
            Vad {
                base,
                end,
                alloc_protect,
                kind,
                runs,
            },
        );
        Ok(())
    }

    /// Sets pages `start..end` of the descriptor at `vbase` to `protect` (0 =
    /// reserved), keeping the commit charge and run count. Returns the number of
    /// pages newly committed (negative: decommitted) — checked against the limits
    /// before anything changes.
    fn set(
        &mut self,
        vbase: usize,
        start: usize,
        end: usize,
        protect: u32,
    ) -> Result<(), NtStatus> {
        let vad = self.map.get(&vbase).ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
        let charged = !matches!(vad.kind, VadKind::Mapped { .. });
        // Pages whose commit state changes.
        let mut newly = 0usize;
        let mut gone = 0usize;
        for r in &vad.runs {
            let s = r.start.max(start);
            let e = r.end.min(end);
            if s < e && charged {
                let n = (e - s) / PAGE_SIZE;
                if r.protect == 0 && protect != 0 {
                    newly += n;
                } else if r.protect != 0 && protect == 0 {
                    gone += n;
                }
            }
        }
        if newly > 0 && self.committed - gone + newly > self.commit_limit {
            return Err(STATUS_COMMITMENT_LIMIT);
        }
        // Rebuild the run list.
        let mut out: Vec<Run> = Vec::new();
        out.try_reserve(vad.runs.len() + 2)
            .map_err(|_| STATUS_NO_MEMORY)?;
        let mut push = |r: Run| match out.last_mut() {
            Some(l) if l.protect == r.protect && l.end == r.start => l.end = r.end,
            _ => out.push(r),
        };
        for r in &vad.runs {
            if r.end <= start || r.start >= end {
                push(*r);
                continue;
            }
            if r.start < start {
                push(Run { end: start, ..*r });
            }
            push(Run {
                start: r.start.max(start),
                end: r.end.min(end),
                protect,
            });
            if r.end > end {
                push(Run { start: end, ..*r });
            }
        }
        let new_runs = self.runs - vad.runs.len() + out.len();
        if new_runs > MAX_RUNS {
            return Err(STATUS_NO_MEMORY);
        }
        self.runs = new_runs;
        self.committed = self.committed - gone + newly;
        if let Some(v) = self.map.get_mut(&vbase) {
            v.runs = out;
        }
        Ok(())
    }

    /// Commits pages of a loader-made region (no limit check beyond the charge).
    pub fn commit_fixed(&mut self, start: usize, end: usize, protect: u32) -> Result<(), NtStatus> {
        let vbase = self
            .vad_base_at(start)
            .ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        self.set(vbase, start, end, protect)
    }

    /// Free range `size` bytes (page multiple) on the granularity, inside
    /// `lowest..highest`, bottom-up or top-down.
    fn find_free(&self, size: usize, highest: usize, top_down: bool) -> Option<usize> {
        let highest = highest.min(self.limit);
        // Gaps between descriptors, in address order.
        let mut gaps = Vec::new();
        let mut prev = self.lowest;
        for v in self.map.values() {
            if v.base > prev {
                gaps.push((prev, v.base));
            }
            prev = prev.max(v.end);
        }
        gaps.push((prev, highest.max(prev)));
        let fit = |&(s, e): &(usize, usize)| -> Option<usize> {
            let e = e.min(highest);
            if top_down {
                let top = e.checked_sub(size)? & !(GRANULARITY - 1);
                (top >= s.next_multiple_of(GRANULARITY)).then_some(top)
            } else {
                let b = s.checked_next_multiple_of(GRANULARITY)?;
                (b.checked_add(size)? <= e).then_some(b)
            }
        };
        if top_down {
            gaps.iter().rev().find_map(fit)
        } else {
            gaps.iter().find_map(fit)
        }
    }

    /// Reserves `size` bytes (a page multiple) on the granularity below `highest` for
    /// a region the executive makes (a thread's stack or TEB): its base.
    pub fn reserve_free(
        &mut self,
        size: usize,
        highest: usize,
        top_down: bool,
        kind: VadKind,
    ) -> Result<usize, NtStatus> {
        let base = self
            .find_free(size, highest, top_down)
            .ok_or(STATUS_NO_MEMORY)?;
        self.insert(base, base + size, kind, PAGE_READWRITE)?;
        Ok(base)
    }

    /// Forgets the executive-made region at `base` (a thread's stack or TEB when the
    /// thread ends), committed pages included.
    pub fn release_fixed(&mut self, base: usize) -> bool {
        self.remove(base).is_some()
    }

    /// `NtAllocateVirtualMemory` after its parameter checks: returns the final base and
    /// size.
    pub fn allocate(
        &mut self,
        base: usize,
        size: usize,
        alloc_type: u32,
        protect: u32,
        zero_bits: usize,
    ) -> Result<(usize, usize), NtStatus> {
        if zero_bits > MAX_ZERO_BITS {
            return Err(STATUS_INVALID_PARAMETER_3);
        }
        let known = MEM_COMMIT
            | MEM_RESERVE
            | MEM_RESET
            | MEM_TOP_DOWN
            | MEM_WRITE_WATCH
            | MEM_PHYSICAL
            | MEM_LARGE_PAGES
            | MEM_RESET_UNDO;
        if alloc_type & !known != 0 || alloc_type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET) == 0 {
            return Err(STATUS_INVALID_PARAMETER_5);
        }
        if alloc_type & MEM_RESET != 0 && alloc_type & (MEM_COMMIT | MEM_RESERVE) != 0 {
            return Err(STATUS_INVALID_PARAMETER_5);
        }
        if alloc_type & (MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES | MEM_RESET_UNDO) != 0 {
            return Err(STATUS_NOT_SUPPORTED);
        }
        if alloc_type & MEM_RESET == 0 && !valid_protection(protect, true) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if base >= self.limit {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        if size == 0 || size > self.limit - base {
            return Err(STATUS_INVALID_PARAMETER_4);
        }
        let top_down = alloc_type & MEM_TOP_DOWN != 0;
        let highest = if zero_bits == 0 {
            self.limit
        } else {
            (1usize << (32 - zero_bits)).min(self.limit)
        };

        if alloc_type & MEM_RESET != 0 {
            // Contents may be discarded; keeping them is allowed. The range must be
            // committed memory.
            let (start, end) = (page_down(base), (base + size).next_multiple_of(PAGE_SIZE));
            let v = self.vad_at(start).ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
            if end > v.end {
                return Err(STATUS_CONFLICTING_ADDRESSES);
            }
            return Ok((start, end - start));
        }

        let reserve = alloc_type & MEM_RESERVE != 0 || base == 0;
        let commit = alloc_type & MEM_COMMIT != 0;
        if reserve {
            let (start, end) = if base == 0 {
                let len = size.next_multiple_of(PAGE_SIZE);
                let b = self
                    .find_free(len, highest, top_down)
                    .ok_or(STATUS_NO_MEMORY)?;
                (b, b + len)
            } else {
                let start = base & !(GRANULARITY - 1);
                let end = (base + size).next_multiple_of(PAGE_SIZE);
                if start < self.lowest {
                    return Err(STATUS_INVALID_PARAMETER_2);
                }
                if self.overlaps(start, end) {
                    return Err(STATUS_CONFLICTING_ADDRESSES);
                }
                (start, end)
            };
            if commit && self.committed + (end - start) / PAGE_SIZE > self.commit_limit {
                return Err(STATUS_COMMITMENT_LIMIT);
            }
            self.insert(start, end, VadKind::Private, protect)?;
            if commit {
                if let Err(e) = self.set(start, start, end, protect) {
                    self.remove(start);
                    return Err(e);
                }
            }
            return Ok((start, end - start));
        }

        // Commit inside one existing private reservation.
        let start = page_down(base);
        let end = (base + size).next_multiple_of(PAGE_SIZE);
        let v = self.vad_at(start).ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        // Views commit through their section (`ex::sectsvc`), never here.
        let fixed = matches!(
            v.kind,
            VadKind::Image | VadKind::Mapped { .. } | VadKind::Pinned
        );
        if end > v.end || fixed {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        let vbase = v.base;
        self.set(vbase, start, end, protect)?;
        Ok((start, end - start))
    }

    /// Places a view of `size` bytes (page multiple): at `base` (granularity-aligned,
    /// checked by the caller) or, for 0, where `find_free` puts it; `commit` pages from
    /// the start are committed with `protect`. Returns the base.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_view(
        &mut self,
        base: usize,
        size: usize,
        top_down: bool,
        zero_bits: usize,
        protect: u32,
        section_protect: u32,
        commit: usize,
    ) -> Result<usize, NtStatus> {
        let highest = if zero_bits == 0 {
            self.limit
        } else {
            (1usize << (32 - zero_bits)).min(self.limit)
        };
        let start = if base == 0 {
            self.find_free(size, highest, top_down)
                .ok_or(STATUS_NO_MEMORY)?
        } else {
            let end = base.checked_add(size).ok_or(STATUS_INVALID_PARAMETER_3)?;
            if base < self.lowest || end > self.limit {
                return Err(STATUS_INVALID_PARAMETER_3);
            }
            if self.overlaps(base, end) {
                return Err(STATUS_CONFLICTING_ADDRESSES);
            }
            base
        };
        let kind = VadKind::Mapped { section_protect };
        self.insert(start, start + size, kind, protect)?;
        if commit > 0 {
            if let Err(e) = self.set(start, start, start + commit.min(size), protect) {
                self.remove(start);
                return Err(e);
            }
        }
        Ok(start)
    }

    /// A free, granularity-aligned range of `size` bytes for a view or an image, below
    /// the ZeroBits limit.
    pub fn place(&self, size: usize, top_down: bool, zero_bits: usize) -> Option<usize> {
        let highest = if zero_bits == 0 {
            self.limit
        } else {
            (1usize << (32 - zero_bits)).min(self.limit)
        };
        self.find_free(size, highest, top_down)
    }

    /// Removes the view containing `addr` (a `Mapped` one, or with `image` an `Image`
    /// one): its range, or `None` if `addr` is in no such view.
    pub fn remove_view(&mut self, addr: usize, image: bool) -> Option<(usize, usize)> {
        let v = self.vad_at(addr)?;
        let ok = match v.kind {
            VadKind::Mapped { .. } => true,
            VadKind::Image => image,
            _ => false,
        };
        if !ok {
            return None;
        }
        let base = v.base;
        self.remove(base).map(|v| (v.base, v.end))
    }

    fn remove(&mut self, base: usize) -> Option<Vad> {
        let v = self.map.remove(&base)?;
        self.runs -= v.runs.len();
        if !matches!(v.kind, VadKind::Mapped { .. }) {
            self.committed -= v
                .runs
                .iter()
                .filter(|r| r.protect != 0)
                .map(|r| (r.end - r.start) / PAGE_SIZE)
                .sum::<usize>();
        }
        Some(v)
    }

    /// `NtFreeVirtualMemory`: returns the freed base and size and the pages whose
    /// backing must go.
    pub fn free(
        &mut self,
        base: usize,
        size: usize,
        free_type: u32,
    ) -> Result<(usize, usize, Changed), NtStatus> {
        if free_type != MEM_DECOMMIT && free_type != MEM_RELEASE {
            return Err(STATUS_INVALID_PARAMETER_4);
        }
        if base >= self.limit || size > self.limit - base {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        let v = self.vad_at(base).ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
        // ReactOS NtMapViewOfSection test: decommit and release inside a view are
        // STATUS_UNABLE_TO_DELETE_SECTION.
        if matches!(v.kind, VadKind::Image | VadKind::Mapped { .. }) {
            return Err(STATUS_UNABLE_TO_DELETE_SECTION);
        }
        if v.kind == VadKind::Pinned {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let (vbase, vend) = (v.base, v.end);
        let start = page_down(base);
        let end = if size == 0 {
            vend
        } else {
            (base + size).next_multiple_of(PAGE_SIZE)
        };
        if end > vend {
            return Err(STATUS_UNABLE_TO_FREE_VM);
        }
        let mut changed = Changed::default();
        if free_type == MEM_RELEASE {
            if size == 0 && start != vbase {
                return Err(STATUS_FREE_VM_NOT_AT_BASE);
            }
            if size != 0 && (start != vbase || end != vend) {
                // Only whole reservations are released.
                return Err(STATUS_INVALID_PARAMETER);
            }
            if let Some(v) = self.remove(vbase) {
                changed.freed.push((v.base, v.end));
            }
            return Ok((vbase, vend - vbase, changed));
        }
        self.set(vbase, start, end, 0)?;
        changed.freed.push((start, end));
        Ok((start, end - start, changed))
    }

    /// `NtProtectVirtualMemory`: every page must be committed; returns the range, the
    /// old protection of the first page and what changed.
    pub fn protect(
        &mut self,
        base: usize,
        size: usize,
        new: u32,
    ) -> Result<(usize, usize, u32, Changed), NtStatus> {
        let v = self.vad_at(base).ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        if !valid_protection(new, v.kind != VadKind::Image) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if base >= self.limit || size > self.limit - base {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        let start = page_down(base);
        let end = (base + size.max(1)).next_multiple_of(PAGE_SIZE);
        if end > v.end {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        if v.runs
            .iter()
            .any(|r| r.protect == 0 && r.start < end && start < r.end)
        {
            return Err(STATUS_NOT_COMMITTED);
        }
        if v.kind == VadKind::Pinned {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if let VadKind::Mapped { section_protect } = v.kind {
            // ReactOS test: a view page cannot get more than its section allows.
            if !crate::mm::section::compatible(section_protect, new) {
                return Err(STATUS_SECTION_PROTECTION);
            }
        }
        let old = v.protect_at(start);
        let vbase = v.base;
        self.set(vbase, start, end, new)?;
        Ok((
            start,
            end - start,
            old,
            Changed {
                freed: Vec::new(),
                reprotected: alloc::vec![(start, end)],
            },
        ))
    }

    /// Committed protection of page `addr` (0: not committed).
    pub fn protection(&self, addr: usize) -> u32 {
        self.vad_at(addr)
            .map_or(0, |v| v.protect_at(page_down(addr)))
    }

    /// `MemoryBasicInformation` for `addr`.
    pub fn query(&self, addr: usize) -> Result<MEMORY_BASIC_INFORMATION, NtStatus> {
        if addr >= self.limit {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let page = page_down(addr);
        let mut mbi = MEMORY_BASIC_INFORMATION {
            BaseAddress: page,
            ..Default::default()
        };
        match self.vad_at(page) {
            Some(v) => {
                let r = v
                    .runs
                    .iter()
                    .find(|r| r.start <= page && page < r.end)
                    .ok_or(STATUS_INVALID_PARAMETER)?;
                mbi.AllocationBase = v.base;
                mbi.AllocationProtect = v.alloc_protect;
                mbi.RegionSize = r.end - page;
                mbi.State = if r.protect == 0 {
                    MEM_RESERVE
                } else {
                    MEM_COMMIT
                };
                mbi.Protect = r.protect;
                mbi.Type = v.kind.mem_type();
            }
            None => {
                let next = self
                    .map
                    .range(page..)
                    .next()
                    .map_or(self.limit, |(b, _)| *b);
                mbi.RegionSize = next - page;
                mbi.State = MEM_FREE;
                mbi.Protect = PAGE_NOACCESS;
            }
        }
        Ok(mbi)
    }

    /// Where a fault reported at `addr` may really have been. seL4 5.0's x86
    /// `handleVMFault` keeps the fault address in a `uint32_t`, so on x86_64 a fault
    /// above 4 GiB arrives with only its low 32 bits: every address inside a
    /// descriptor with those low bits is a candidate (`addr` itself first, if it is
    /// inside one).
    pub fn fault_candidates(&self, addr: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if self.vad_at(addr).is_some() {
            out.push(addr);
        }
        if usize::BITS <= 32 || addr > u32::MAX as usize {
            return out;
        }
        const WINDOW: u64 = 1 << 32;
        for v in self.map.values() {
            if (v.end as u64) <= WINDOW {
                continue;
            }
            let first = (v.base as u64 / WINDOW).max(1);
            let last = (v.end as u64 - 1) / WINDOW;
            for w in first..=last {
                let c = (w * WINDOW) as usize | addr;
                if c >= v.base && c < v.end && !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }

    /// What a page fault at `addr` means.
    pub fn fault(&mut self, addr: usize, write: bool) -> FaultAction {
        self.fault_in(addr, write, false)
    }

    /// As [`Vads::fault`]; `thread_stack`: `addr` lies in a thread's stack as its TEB
    /// describes it (a stack the program allocated itself, for `NtCreateThread`), so a
    /// guard page there grows the stack as in a loader-made one.
    pub fn fault_in(&mut self, addr: usize, write: bool, thread_stack: bool) -> FaultAction {
        let page = page_down(addr);
        let Some(v) = self.vad_at(page) else {
            return FaultAction::Violation(STATUS_ACCESS_VIOLATION);
        };
        let protect = v.protect_at(page);
        let (vbase, kind) = (v.base, v.kind);
        if matches!(kind, VadKind::Mapped { .. } | VadKind::Pinned) {
            // Every accessible page of a view is mapped when the view is made.
            return FaultAction::Violation(STATUS_ACCESS_VIOLATION);
        }
        if protect & PAGE_GUARD != 0 {
            let unguarded = protect & !PAGE_GUARD;
            if self.set(vbase, page, page + PAGE_SIZE, unguarded).is_err() {
                return FaultAction::Violation(STATUS_NO_MEMORY);
            }
            let writable = access(unguarded) == Some(true);
            if (kind != VadKind::Stack && !thread_stack) || (write && !writable) {
                return FaultAction::Violation(STATUS_GUARD_PAGE_VIOLATION);
            }
            // The next page down becomes the guard, if the reservation has room.
            if page > vbase && self.protection(page - PAGE_SIZE) == 0 {
                let below = page - PAGE_SIZE;
                if self
                    .set(vbase, below, page, unguarded | PAGE_GUARD)
                    .is_err()
                {
                    return FaultAction::Violation(STATUS_NO_MEMORY);
                }
            }
            return FaultAction::GrowStack {
                writable,
                new_limit: page,
            };
        }
        match access(protect) {
            Some(w) if w || !write => FaultAction::Map { writable: w },
            _ => FaultAction::Violation(STATUS_ACCESS_VIOLATION),
        }
    }

    /// Every descriptor's committed ranges `(start, end)`, for tests and teardown.
    pub fn committed_ranges(&self) -> Vec<(usize, usize)> {
        self.map
            .values()
            .flat_map(|v| v.runs.iter())
            .filter(|r| r.protect != 0)
            .map(|r| (r.start, r.end))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 0x7FFF_0000;

    fn vads() -> Vads {
        Vads::new(0x1_0000, LIMIT, 1024)
    }

    #[test]
    fn reserve_rounds_base_down_to_64k_and_end_up_to_a_page() {
        let mut v = vads();
        let (b, s) = v
            .allocate(0x0123_4567, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(b, 0x0123_0000);
        assert_eq!(s, 0x6000); // 0x1235567 rounded up to 0x1236000
        let m = v.query(0x0123_0000).unwrap();
        assert_eq!(m.State, MEM_RESERVE);
        assert_eq!(m.Protect, 0);
        assert_eq!(m.AllocationProtect, PAGE_READWRITE);
        assert_eq!(m.RegionSize, 0x6000);
        assert_eq!(m.Type, MEM_PRIVATE);
    }

    #[test]
    fn commit_is_page_granular_and_query_splits_regions() {
        let mut v = vads();
        let (b, _) = v
            .allocate(0, 0x10000, MEM_RESERVE, PAGE_NOACCESS, 0)
            .unwrap();
        assert_eq!(b, 0x1_0000);
        let (cb, cs) = v
            .allocate(b + 0x1800, 0x1000, MEM_COMMIT, PAGE_READONLY, 0)
            .unwrap();
        assert_eq!((cb, cs), (b + 0x1000, 0x2000));
        let q = |a| v.query(a).unwrap();
        assert_eq!((q(b).State, q(b).RegionSize), (MEM_RESERVE, 0x1000));
        let m = q(b + 0x1234);
        assert_eq!(m.BaseAddress, b + 0x1000);
        assert_eq!(m.AllocationBase, b);
        assert_eq!(m.AllocationProtect, PAGE_NOACCESS);
        assert_eq!(
            (m.State, m.Protect, m.RegionSize),
            (MEM_COMMIT, PAGE_READONLY, 0x2000)
        );
        assert_eq!(q(b + 0x3000).RegionSize, 0xD000);
        assert_eq!(v.committed_pages(), 2);
        // Committing again (other protection) succeeds and charges nothing new.
        v.allocate(b + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(v.committed_pages(), 2);
        assert_eq!(v.query(b + 0x1000).unwrap().Protect, PAGE_READWRITE);
        assert_eq!(v.query(b + 0x2000).unwrap().Protect, PAGE_READONLY);
    }

    #[test]
    fn free_regions_query_as_windows() {
        let mut v = vads();
        v.allocate(0x20_0000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        let m = v.query(0x10_0123).unwrap();
        assert_eq!(m.BaseAddress, 0x10_0000);
        assert_eq!(m.AllocationBase, 0);
        assert_eq!(m.AllocationProtect, 0);
        assert_eq!(m.State, MEM_FREE);
        assert_eq!(m.Protect, PAGE_NOACCESS);
        assert_eq!(m.Type, 0);
        assert_eq!(m.RegionSize, 0x10_0000);
        assert_eq!(v.query(0x20_1000).unwrap().RegionSize, LIMIT - 0x20_1000);
        assert_eq!(v.query(LIMIT), Err(STATUS_INVALID_PARAMETER));
    }

    #[test]
    fn conflicts_and_commit_outside_reservations() {
        let mut v = vads();
        v.allocate(0x40_0000, 0x2_0000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(
            v.allocate(0x41_0000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
        assert_eq!(
            v.allocate(0x3F_0000, 0x2_0000, MEM_RESERVE, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
        assert_eq!(
            v.allocate(0x50_0000, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
        // Crossing the end of the reservation.
        assert_eq!(
            v.allocate(0x41_F000, 0x2000, MEM_COMMIT, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
    }

    #[test]
    fn bad_parameters() {
        let mut v = vads();
        assert_eq!(
            v.allocate(0, 0x1000, MEM_COMMIT, PAGE_READWRITE, 22),
            Err(STATUS_INVALID_PARAMETER_3)
        );
        assert_eq!(
            v.allocate(0, 0, MEM_COMMIT, PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_4)
        );
        assert_eq!(
            v.allocate(0, 0x1000, 0, PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_5)
        );
        assert_eq!(
            v.allocate(0, 0x1000, MEM_COMMIT | 0x1, PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_5)
        );
        for p in [
            0,
            3,
            PAGE_WRITECOPY,
            PAGE_NOACCESS | PAGE_GUARD,
            0x800 | PAGE_READONLY,
        ] {
            assert_eq!(
                v.allocate(0, 0x1000, MEM_COMMIT, p, 0),
                Err(STATUS_INVALID_PAGE_PROTECTION),
                "{p:#x}"
            );
        }
        assert!(v
            .allocate(0, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD, 0)
            .is_ok());
        assert_eq!(
            v.allocate(LIMIT, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_2)
        );
    }

    #[test]
    fn top_down_and_zero_bits() {
        let mut v = vads();
        let (b, _) = v
            .allocate(0, 0x3000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(b, (LIMIT - 0x3000) & !(GRANULARITY - 1));
        let (b2, _) = v
            .allocate(0, 0x3000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(b2, b - GRANULARITY);
        let (b3, _) = v
            .allocate(0, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 4)
            .unwrap();
        assert_eq!(b3, 0x1000_0000 - GRANULARITY);
        let (b4, _) = v
            .allocate(0, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(b4, 0x1_0000);
    }

    #[test]
    fn commit_with_null_base_reserves_too() {
        let mut v = vads();
        let (b, s) = v
            .allocate(0, 0x1001, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!((b, s), (0x1_0000, 0x2000));
        assert_eq!(v.query(b).unwrap().State, MEM_COMMIT);
    }

    #[test]
    fn decommit_and_release() {
        let mut v = vads();
        let (b, _) = v
            .allocate(0, 0x8000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(v.committed_pages(), 8);
        // Decommit part, then again (already decommitted is fine).
        let (fb, fs, ch) = v.free(b + 0x1000, 0x1000, MEM_DECOMMIT).unwrap();
        assert_eq!((fb, fs), (b + 0x1000, 0x1000));
        assert_eq!(ch.freed, [(b + 0x1000, b + 0x2000)]);
        v.free(b + 0x1000, 0x1000, MEM_DECOMMIT).unwrap();
        assert_eq!(v.committed_pages(), 7);
        assert_eq!(v.query(b + 0x1000).unwrap().State, MEM_RESERVE);
        assert_eq!(
            v.free(b + 0x1000, 0, MEM_RELEASE),
            Err(STATUS_FREE_VM_NOT_AT_BASE)
        );
        assert_eq!(
            v.free(b, 0x1000, MEM_RELEASE),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(
            v.free(b, 0, MEM_RELEASE | MEM_DECOMMIT),
            Err(STATUS_INVALID_PARAMETER_4)
        );
        assert_eq!(
            v.free(b, 0x9000, MEM_DECOMMIT),
            Err(STATUS_UNABLE_TO_FREE_VM)
        );
        let (rb, rs, _) = v.free(b, 0, MEM_RELEASE).unwrap();
        assert_eq!((rb, rs), (b, 0x8000));
        assert_eq!(v.committed_pages(), 0);
        assert_eq!(v.free(b, 0, MEM_RELEASE), Err(STATUS_MEMORY_NOT_ALLOCATED));
        assert_eq!(v.query(b).unwrap().State, MEM_FREE);
        // Decommit with size 0 runs to the end of the reservation.
        let (b, _) = v
            .allocate(0, 0x4000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        let (_, s, _) = v.free(b + 0x1000, 0, MEM_DECOMMIT).unwrap();
        assert_eq!(s, 0x3000);
    }

    #[test]
    fn protect_returns_old_and_needs_commit() {
        let mut v = vads();
        let (b, _) = v
            .allocate(0, 0x4000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        v.allocate(b, 0x2000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        let (pb, ps, old, _) = v.protect(b + 0x10, 0x1000, PAGE_READONLY).unwrap();
        assert_eq!((pb, ps, old), (b, 0x2000, PAGE_READWRITE));
        let (_, _, old, _) = v.protect(b, 0x1000, PAGE_EXECUTE_READ).unwrap();
        assert_eq!(old, PAGE_READONLY);
        assert_eq!(
            v.protect(b, 0x3000, PAGE_READONLY),
            Err(STATUS_NOT_COMMITTED)
        );
        assert_eq!(
            v.protect(b, 0x1000, 0x3),
            Err(STATUS_INVALID_PAGE_PROTECTION)
        );
        assert_eq!(
            v.protect(0x7000_0000, 0x1000, PAGE_READONLY),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
    }

    #[test]
    fn views_are_uncharged_unfreeable_and_capped_by_their_section() {
        let mut v = vads();
        let b = v
            .insert_view(0, 0x2_0000, false, 0, PAGE_READONLY, PAGE_READWRITE, 0x1000)
            .unwrap();
        assert_eq!(b % GRANULARITY, 0);
        assert_eq!(v.committed_pages(), 0);
        let q = v.query(b).unwrap();
        assert_eq!(
            (q.Type, q.State, q.RegionSize),
            (MEM_MAPPED, MEM_COMMIT, 0x1000)
        );
        assert_eq!(v.query(b + 0x1000).unwrap().State, MEM_RESERVE);
        assert_eq!(
            v.insert_view(b, 0x1000, false, 0, PAGE_READONLY, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
        assert_eq!(
            v.free(b, 0, MEM_RELEASE).err(),
            Some(STATUS_UNABLE_TO_DELETE_SECTION)
        );
        assert_eq!(
            v.protect(b, 0x1000, PAGE_EXECUTE_READWRITE).err(),
            Some(STATUS_SECTION_PROTECTION)
        );
        assert!(v.protect(b, 0x1000, PAGE_READWRITE).is_ok());
        assert_eq!(
            v.allocate(b + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0)
                .err(),
            Some(STATUS_CONFLICTING_ADDRESSES)
        );
        assert_eq!(
            v.fault(b + 0x1000, false),
            FaultAction::Violation(STATUS_ACCESS_VIOLATION)
        );
        assert_eq!(v.remove_view(b + 0x1800, false), Some((b, b + 0x2_0000)));
        assert_eq!(v.remove_view(b, false), None);
        assert_eq!(v.query(b).unwrap().State, MEM_FREE);
    }

    #[test]
    fn truncated_fault_addresses_widen() {
        if usize::BITS <= 32 {
            return;
        }
        let mut v = Vads::new(0x1_0000, 0x7FFF_FFFF_0000, 1000);
        let high = 0x7FFF_FFFD_0000usize;
        v.insert_fixed(high, high + 0x2_0000, VadKind::Private, PAGE_READWRITE)
            .unwrap();
        v.insert_fixed(0x40_0000, 0x41_0000, VadKind::Private, PAGE_READWRITE)
            .unwrap();
        assert_eq!(v.fault_candidates(0xFFFE_0008), vec![0x7FFF_FFFE_0008]);
        assert_eq!(v.fault_candidates(0x40_0010), vec![0x40_0010]);
        assert!(v.fault_candidates(0x1234_0000).is_empty());
    }

    #[test]
    fn faults() {
        let mut v = vads();
        let (b, _) = v
            .allocate(0, 0x4000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        v.allocate(b, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        v.allocate(b + 0x1000, 0x1000, MEM_COMMIT, PAGE_READONLY, 0)
            .unwrap();
        v.allocate(
            b + 0x2000,
            0x1000,
            MEM_COMMIT,
            PAGE_READONLY | PAGE_GUARD,
            0,
        )
        .unwrap();
        assert_eq!(v.fault(b + 8, true), FaultAction::Map { writable: true });
        assert_eq!(
            v.fault(b + 0x1008, false),
            FaultAction::Map { writable: false }
        );
        assert_eq!(
            v.fault(b + 0x1008, true),
            FaultAction::Violation(STATUS_ACCESS_VIOLATION)
        );
        assert_eq!(
            v.fault(b + 0x2000, false),
            FaultAction::Violation(STATUS_GUARD_PAGE_VIOLATION)
        );
        // One-shot: the guard is gone now.
        assert_eq!(v.query(b + 0x2000).unwrap().Protect, PAGE_READONLY);
        assert_eq!(
            v.fault(b + 0x3000, false),
            FaultAction::Violation(STATUS_ACCESS_VIOLATION)
        );
        assert_eq!(
            v.fault(0xDEAD_0000, false),
            FaultAction::Violation(STATUS_ACCESS_VIOLATION)
        );
    }

    #[test]
    fn stack_grows_through_its_guard_page() {
        let mut v = vads();
        v.insert_fixed(0x2B_0000, 0x30_0000, VadKind::Stack, PAGE_READWRITE)
            .unwrap();
        v.commit_fixed(0x2C_0000, 0x30_0000, PAGE_READWRITE)
            .unwrap();
        v.commit_fixed(0x2B_F000, 0x2C_0000, PAGE_READWRITE | PAGE_GUARD)
            .unwrap();
        assert_eq!(
            v.fault(0x2B_F010, true),
            FaultAction::GrowStack {
                writable: true,
                new_limit: 0x2B_F000
            }
        );
        assert_eq!(
            v.query(0x2B_E000).unwrap().Protect,
            PAGE_READWRITE | PAGE_GUARD
        );
        // Down to the reservation's base; below it there is nothing.
        for page in (0x2B_0000..0x2B_F000).rev().step_by(PAGE_SIZE) {
            assert!(matches!(v.fault(page, true), FaultAction::GrowStack { .. }));
        }
        assert_eq!(
            v.fault(0x2A_F000, true),
            FaultAction::Violation(STATUS_ACCESS_VIOLATION)
        );
    }

    #[test]
    fn image_regions_cannot_be_freed_or_committed() {
        let mut v = vads();
        v.insert_fixed(0x40_0000, 0x40_3000, VadKind::Image, PAGE_EXECUTE_WRITECOPY)
            .unwrap();
        v.commit_fixed(0x40_0000, 0x40_1000, PAGE_READONLY).unwrap();
        v.commit_fixed(0x40_1000, 0x40_3000, PAGE_EXECUTE_READ)
            .unwrap();
        let m = v.query(0x40_1000).unwrap();
        assert_eq!(
            (m.Type, m.Protect, m.RegionSize),
            (MEM_IMAGE, PAGE_EXECUTE_READ, 0x2000)
        );
        assert_eq!(
            v.free(0x40_0000, 0, MEM_RELEASE),
            Err(STATUS_UNABLE_TO_DELETE_SECTION)
        );
        assert_eq!(
            v.allocate(0x40_0000, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
        // The image's 64 KiB block is not free for reservations.
        assert_eq!(
            v.allocate(0x40_0000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
    }

    #[test]
    fn commit_limit_and_run_limit() {
        let mut v = Vads::new(0x1_0000, LIMIT, 16);
        let (b, _) = v
            .allocate(0, 0x10000, MEM_COMMIT, PAGE_READWRITE, 0)
            .unwrap();
        assert_eq!(
            v.allocate(0, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0),
            Err(STATUS_COMMITMENT_LIMIT)
        );
        // A failed commit leaves no reservation behind.
        assert_eq!(v.query(b + 0x10000).unwrap().State, MEM_FREE);
        assert!(v
            .allocate(0, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0)
            .is_ok());
        v.free(b, 0, MEM_RELEASE).unwrap();
        assert!(v.allocate(0, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0).is_ok());

        // Alternating protections: descriptors stay bounded.
        let mut v = Vads::new(0x1_0000, LIMIT, usize::MAX);
        let (b, _) = v
            .allocate(0, 0x4000_0000, MEM_RESERVE, PAGE_READWRITE, 0)
            .unwrap();
        let mut last = Ok((0, 0));
        for i in 0..MAX_RUNS {
            last = v.allocate(b + 2 * i * PAGE_SIZE, 1, MEM_COMMIT, PAGE_READWRITE, 0);
            if last.is_err() {
                break;
            }
        }
        assert_eq!(last, Err(STATUS_NO_MEMORY));
    }
}
