//! NT processes from PE images: ntdll.dll and the program mapped at their bases, a
//! committed stack, TEB (at the IPC buffer), PEB and the process parameters
//! (`super::params`); the first thread starts at
//! ntdll's `LdrInitializeThunk(PPEB)`.
//!
//! Every frame mapped into the process is also mapped into the executive (its *shadow*
//! in a per-process window of the executive's VSpace), so service arguments are read
//! and results written by a bounds-checked copy. All objects come from one reserved
//! untyped; revoking it at teardown also deletes the shadow mappings.
//!
//! seL4 5.0 on x86 maps every user page executable (no NX control), so section
//! protections are applied as read-only / read-write only: PAGE_EXECUTE_* and the
//! non-executable protections differ in what NtQueryVirtualMemory reports, not in
//! what the CPU enforces.
//!
//! Virtual memory (`mm::vad`): every region (images, stack, TEB, PEB, and what
//! NtAllocateVirtualMemory makes) is a descriptor. Committed private pages get a frame
//! on first touch (the VMFault arrives on the fault endpoint; [`NtProcess::handle_fault`]
//! maps a zeroed frame and the thread resumes) or when a service writes into them.
//! Decommitted frames stay with the process (seL4 returns untyped memory only when
//! all of it is revoked) and are reused, zeroed, for the next pages. More untyped
//! memory is reserved as the process grows, up to [`MAX_UNTYPEDS`] blocks; the
//! commit charge is limited to [`COMMIT_LIMIT_PAGES`] (each frame costs two slots of
//! the executive's root CNode, 2^16 slots (`kernel/config/common.h`): the process's
//! cap and the shadow copy).

use super::protocol::{Badge, BadgeKind};
use super::{params, teb};
use crate::mm::cspace::Slot;
use crate::mm::kobj::{check, Mm, MmError, ObjectKind, Pool, ROOT_CNODE, ROOT_DEPTH};
use crate::mm::paging::PAGE_SIZE;
use crate::mm::untyped::MemError;
use crate::mm::vad::{self, FaultAction, VadKind, Vads};
use crate::mm::vspace::AddressSpace;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use ntdef::memory::*;
use ntdef::status::{NtStatus, STATUS_ACCESS_VIOLATION, STATUS_NO_MEMORY};
use peimage::{Export, Machine, MappedImage, PeImage};
use sel4::{CPtr, CapData, CapRights, UserContext};

/// 2 MiB per process this round: images, 256 KiB stack, TEB, PEB, tables, TCB, CNode.
pub const UNTYPED_BITS: u8 = 21;
const CNODE_RADIX: u8 = 4;
const FAULT_CPTR: usize = 2;
/// Shadow windows in the executive's VSpace: one per live process.
const SHADOW_BASE: usize = 0x4000_0000;
const SHADOW_WINDOW: usize = 16 << 20;
const SHADOW_WINDOWS: usize = 16;
/// Untyped blocks (of `2^UNTYPED_BITS`) a process may hold.
pub const MAX_UNTYPEDS: usize = 3;
/// Most pages a process may have committed (images, stack, TEB and PEB included).
pub const COMMIT_LIMIT_PAGES: usize = 1024;
/// The first thread's stack reservation: from the 64 KiB boundary below the guard page.
const STACK_RESERVE_BASE: usize = teb::INITIAL_STACK.reservation;
const _: () = assert!(STACK_RESERVE_BASE % vad::GRANULARITY == 0);
/// Thread stacks the executive makes when the image asks for less (Windows rounds
/// the reserve up to the allocation granularity, 64 KiB, and commits at least a page).
const MIN_STACK_RESERVE: usize = vad::GRANULARITY;
/// Most a thread stack may reserve (keeps a hostile size from eating the address
/// space of a 32-bit process in one call).
const MAX_STACK_RESERVE: usize = 256 << 20;
/// Slots of each thread's CNode: its service and fault endpoint capabilities.
const SERVICE_CPTR: usize = ntsvc::SERVICE_ENDPOINT_CPTR;
/// What committed-but-untouched pages read as.
static ZERO_PAGE: [u8; PAGE_SIZE] = [0; PAGE_SIZE];
/// Where ntdll goes if its preferred range is taken.
const FALLBACK_BASE: usize = 0x7000_0000;

#[cfg(target_arch = "x86_64")]
const MACHINE: Machine = Machine::Amd64;
#[cfg(target_arch = "x86")]
const MACHINE: Machine = Machine::I386;

const RO: CapRights = CapRights::new(0, 1, 0);
const RW: CapRights = CapRights::new(0, 1, 1);

#[derive(Debug)]
pub enum LoadError {
    Mm(MmError),
    /// The image is not a PE file for this machine, or cannot be placed.
    Image(&'static str, NtStatus),
    NoShadowWindow,
}

impl LoadError {
    /// The status a service that made the process or thread answers with.
    pub fn status(&self) -> NtStatus {
        match self {
            LoadError::Image(_, s) => *s,
            LoadError::Mm(_) => STATUS_NO_MEMORY,
            LoadError::NoShadowWindow => ntdef::status::STATUS_INSUFFICIENT_RESOURCES,
        }
    }
}

impl From<MmError> for LoadError {
    fn from(e: MmError) -> Self {
        LoadError::Mm(e)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Mm(e) => write!(f, "{e}"),
            LoadError::Image(what, s) => write!(f, "{what} ({s})"),
            LoadError::NoShadowWindow => f.write_str("no free shadow window"),
        }
    }
}

fn bad_image(what: &'static str) -> LoadError {
    LoadError::Image(what, ntdef::status::STATUS_INVALID_IMAGE_FORMAT)
}

/// What a half-built thread has taken so far (undone if building fails).
#[derive(Default)]
struct Made {
    teb: Option<usize>,
    stack: Option<core::ops::Range<usize>>,
    objects: Option<(Slot, Slot)>,
}

/// The executive's side of all shadow mappings.
pub struct Shadows {
    root: AddressSpace,
    in_use: [bool; SHADOW_WINDOWS],
    /// KUSER_SHARED_DATA's frame and its address in the executive (`ex::kuser`), mapped
    /// into every process.
    pub shared_user_data: Option<(Slot, usize)>,
}

impl Default for Shadows {
    fn default() -> Self {
        Self::new()
    }
}

impl Shadows {
    pub fn new() -> Self {
        Shadows {
            root: AddressSpace::new(sel4::consts::CAP_INIT_THREAD_VSPACE),
            in_use: [false; SHADOW_WINDOWS],
            shared_user_data: None,
        }
    }
}

/// A page backed by a frame: its shadow in the executive and how the process sees it.
#[derive(Clone, Copy)]
struct ShadowPage {
    addr: usize,
    frame: Slot,
    /// Mapped in the process (not while PAGE_NOACCESS / PAGE_GUARD), and writable.
    mapped: bool,
    writable: bool,
    /// A section's frame: `frame` is this process's copy of the section's cap (deleted
    /// with the view or the process), the shadow is the section's; `Some(w)`: whether
    /// the copy may ever be mapped writable.
    shared: Option<bool>,
}

/// A process's client page → shadow map, with the last page looked up kept aside:
/// every service call reads its arguments from the caller's TEB page, and a tree
/// descent through a few hundred pages per call costs more than the service itself.
/// Any mutable access to the map forgets that entry (through `DerefMut`), so it never
/// outlives the map's own entry: a page unmapped, freed or reprotected (even the TEB's,
/// which a client may free) is looked up afresh.
#[derive(Default)]
struct PageMap {
    map: BTreeMap<usize, ShadowPage>,
    last: Cell<Option<(usize, ShadowPage)>>,
}

impl core::ops::Deref for PageMap {
    type Target = BTreeMap<usize, ShadowPage>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl core::ops::DerefMut for PageMap {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.last.set(None);
        &mut self.map
    }
}

impl PageMap {
    /// `get(&page)`, through the one-entry cache.
    fn lookup(&self, page: usize) -> Option<ShadowPage> {
        if let Some((p, s)) = self.last.get() {
            if p == page {
                return Some(s);
            }
        }
        let found = self.map.get(&page).copied();
        if let Some(s) = found {
            self.last.set(Some((page, s)));
        }
        found
    }
}

/// How a new thread begins.
#[derive(Clone, Copy, Debug)]
pub enum ThreadStart {
    /// The first thread of a process the executive builds: `LdrInitializeThunk(PPEB)`
    /// at `thunk`, on the fixed initial stack, TEB at [`teb::TEB_ADDRESS`].
    First { thunk: usize },
    /// `NtCreateThreadEx`: ntdll's `RtlUserThreadStart(routine, argument)` on a stack
    /// the executive reserves (`reserve` bytes, `commit` committed; 0 = the image's
    /// sizes) and frees when the thread ends.
    Routine {
        routine: usize,
        argument: usize,
        reserve: usize,
        commit: usize,
        /// THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH: recorded in `TEB.SameTebFlags`.
        skip_attach: bool,
    },
    /// `NtCreateThread`: the registers of the caller's `CONTEXT` and the stack its
    /// `INITIAL_TEB` describes (the program allocated it and keeps it).
    Context {
        regs: UserContext,
        stack: teb::StackInfo,
    },
}

/// A thread of the process: its kernel objects, TEB and stack.
pub struct NtThread {
    tcb: Slot,
    cnode: Slot,
    /// Its TEB (at its IPC buffer).
    pub teb: usize,
    /// Its stack reservation: a guard-page fault inside it grows the stack.
    pub stack: core::ops::Range<usize>,
    /// The executive made the stack (and frees it with the thread).
    owns_stack: bool,
}

impl NtThread {
    pub fn tcb(&self) -> CPtr {
        self.tcb
    }
}

pub struct NtProcess {
    pub pid: u32,
    pub name: String,
    untyped: CPtr,
    /// Further untyped blocks reserved as the process grew.
    more_untypeds: Vec<CPtr>,
    objects: Vec<Slot>,
    /// Live threads by thread number (the badge of their endpoint capabilities).
    threads: BTreeMap<u32, NtThread>,
    /// TCBs and CNodes of ended threads, for the next ones: seL4 returns memory only
    /// when the whole untyped is revoked, so reuse keeps thread churn from growing the
    /// process.
    spare_threads: Vec<(Slot, Slot)>,
    /// The executive's endpoint (minted, badged, into every thread's CNode).
    endpoint: CPtr,
    /// ntdll's `RtlUserThreadStart` (0: not exported, no `NtCreateThreadEx`).
    thread_start: usize,
    /// The program's `SizeOfStackReserve` / `SizeOfStackCommit`.
    stack_sizes: (usize, usize),
    /// Where the program is mapped.
    image_base: usize,
    vspace: Option<AddressSpace>,
    window: Option<usize>,
    next_shadow: usize,
    /// Client page → its shadow in the executive.
    pages: PageMap,
    /// Frames no longer mapped in the process, with their shadows, for reuse.
    spare: Vec<(Slot, usize)>,
    /// The address space's descriptors.
    pub vads: Vads,
    /// Its handle table and process/thread objects (set by the executive after
    /// spawning; released at teardown).
    pub ob: Option<crate::ex::obsvc::ProcessIdentity>,
}

impl crate::ex::obsvc::ClientMemory for NtProcess {
    fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus> {
        NtProcess::read(self, addr, buf)
    }
    fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus> {
        NtProcess::write(self, addr, data)
    }
}

impl NtProcess {
    /// Builds the process for `exe` with `ntdll` and starts its first thread, number
    /// `thread`.
    #[allow(clippy::too_many_arguments)]
    pub fn spawn(
        mm: &mut Mm,
        shadows: &mut Shadows,
        endpoint: CPtr,
        pid: u32,
        thread: u32,
        name: &str,
        parameters: &params::Input,
        exe: &[u8],
        ntdll: &[u8],
        suspended: bool,
    ) -> Result<NtProcess, LoadError> {
        let (untyped, _) = mm.reserve(UNTYPED_BITS)?;
        let mut p = NtProcess {
            pid,
            name: String::from(name),
            untyped,
            more_untypeds: Vec::new(),
            objects: Vec::new(),
            threads: BTreeMap::new(),
            spare_threads: Vec::new(),
            endpoint,
            thread_start: 0,
            stack_sizes: (0, 0),
            image_base: 0,
            vspace: None,
            window: None,
            next_shadow: 0,
            pages: PageMap::default(),
            spare: Vec::new(),
            vads: Vads::new(0x1_0000, ntsvc::USER_LIMIT, COMMIT_LIMIT_PAGES),
            ob: None,
        };
        match p.build(mm, shadows, thread, parameters, exe, ntdll, suspended) {
            Ok(()) => Ok(p),
            Err(e) => {
                let _ = p.terminate(mm, shadows);
                Err(e)
            }
        }
    }

    /// The untyped block objects come from now.
    fn pool(&self) -> Pool {
        Pool::Reserved(*self.more_untypeds.last().unwrap_or(&self.untyped))
    }

    /// Runs `f` with the current pool; if that block is full, reserves another one
    /// (up to [`MAX_UNTYPEDS`]) and runs it again.
    fn with_growth<T>(
        &mut self,
        mm: &mut Mm,
        mut f: impl FnMut(&mut Self, &mut Mm, Pool) -> Result<T, MmError>,
    ) -> Result<T, MmError> {
        loop {
            let pool = self.pool();
            match f(self, mm, pool) {
                Err(MmError::Memory(MemError::ReservedFull { .. }))
                    if 1 + self.more_untypeds.len() < MAX_UNTYPEDS =>
                {
                    let (u, _) = mm.reserve(UNTYPED_BITS)?;
                    self.more_untypeds.push(u);
                }
                r => return r,
            }
        }
    }

    fn new_object(&mut self, mm: &mut Mm, kind: ObjectKind) -> Result<Slot, MmError> {
        let slot = self.with_growth(mm, |_, mm, pool| mm.create(pool, kind))?;
        self.objects.push(slot);
        Ok(slot)
    }

    /// A fresh zeroed frame at client page `va`, also mapped in the executive.
    /// Returns the frame cap and the shadow address.
    fn map_page(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        va: usize,
        writable: bool,
    ) -> Result<(Slot, usize), LoadError> {
        let (frame, shadow) = self.back_page(mm, shadows, va, writable)?;
        Ok((frame, shadow))
    }

    /// A zeroed frame (a spare one, else a new one with its shadow) mapped at client
    /// page `va`.
    fn back_page(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        va: usize,
        writable: bool,
    ) -> Result<(Slot, usize), LoadError> {
        let (frame, shadow) = match self.spare.pop() {
            Some((frame, shadow)) => {
                // SAFETY: `shadow` maps this spare frame read-write in the executive;
                // the process no longer maps it, so nothing else uses it.
                unsafe { core::ptr::write_bytes(shadow as *mut u8, 0, PAGE_SIZE) };
                (frame, shadow)
            }
            None => {
                let window = self.window.ok_or(LoadError::NoShadowWindow)?;
                if self.next_shadow >= SHADOW_WINDOW {
                    return Err(LoadError::NoShadowWindow);
                }
                let shadow = SHADOW_BASE + window * SHADOW_WINDOW + self.next_shadow;
                let frame = self.new_object(mm, ObjectKind::Frame)?;
                let copy = mm.copy(frame, RW)?;
                self.objects.push(copy);
                if let Err(e) = shadows.root.map(mm, Pool::General, copy, shadow, RW) {
                    // The frame stays with the process, unusable; its slots go at
                    // teardown.
                    return Err(e.into());
                }
                self.next_shadow += PAGE_SIZE;
                (frame, shadow)
            }
        };
        let rights = if writable { RW } else { RO };
        let r = self.with_growth(mm, |p, mm, pool| match p.vspace.as_mut() {
            Some(v) => v.map(mm, pool, frame, va, rights),
            None => Err(MmError::BadPid(p.pid)),
        });
        if let Err(e) = r {
            self.spare.push((frame, shadow));
            return Err(e.into());
        }
        self.pages.insert(
            va,
            ShadowPage {
                addr: shadow,
                frame,
                mapped: true,
                writable,
                shared: None,
            },
        );
        Ok((frame, shadow))
    }

    /// A fault of the process's thread at `addr`: `Ok` when a page was made present
    /// (reply to resume the thread), else the status the process dies with.
    pub fn handle_fault(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        addr: usize,
        write: bool,
    ) -> Result<(), NtStatus> {
        let addr = self.widen_fault_address(addr);
        let page = addr & !(PAGE_SIZE - 1);
        if self.pages.contains_key(&page) {
            // Present already: a protection fault, unless a copy-on-write view page.
            return self.copy_on_write(mm, shadows, page, write);
        }
        let owner = self
            .threads
            .values()
            .find(|t| t.stack.contains(&addr))
            .map(|t| t.teb);
        let writable = match self.vads.fault_in(addr, write, owner.is_some()) {
            FaultAction::Map { writable } => writable,
            FaultAction::GrowStack {
                writable,
                new_limit,
            } => {
                // The owning thread's TEB.StackLimit follows its committed stack down.
                if let Some(teb) = owner {
                    let _ = self.write(teb + teb::STACK_LIMIT, &new_limit.to_le_bytes());
                }
                writable
            }
            FaultAction::Violation(s) => return Err(s),
        };
        self.back_page(mm, shadows, page, writable)
            .map(|_| ())
            .map_err(|_| STATUS_NO_MEMORY)
    }

    /// Gives every committed, accessible, not yet backed page of `addr..addr+len`
    /// a frame (services write into them through the shadows). Stops quietly at the
    /// first page that is not committed: the copy then reports it.
    pub fn ensure_backed(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        addr: usize,
        len: usize,
    ) -> Result<(), NtStatus> {
        let Some(end) = addr.checked_add(len) else {
            return Ok(());
        };
        let mut page = addr & !(PAGE_SIZE - 1);
        while page < end.min(ntsvc::USER_LIMIT) {
            if !self.pages.contains_key(&page) {
                match vad::access(self.vads.protection(page)) {
                    Some(writable) => {
                        self.back_page(mm, shadows, page, writable)
                            .map_err(|_| STATUS_NO_MEMORY)?;
                    }
                    None => return Ok(()),
                }
            }
            page += PAGE_SIZE;
        }
        Ok(())
    }

    /// Drops the frames of pages `start..end` from the process (they become spares).
    pub fn unback(&mut self, start: usize, end: usize) {
        let gone: Vec<usize> = self.pages.range(start..end).map(|(va, _)| *va).collect();
        for va in gone {
            if self.pages.get(&va).is_some_and(|p| p.shared.is_some()) {
                continue;
            }
            if let Some(p) = self.pages.remove(&va) {
                if p.mapped {
                    let _ = sel4::x86_page_unmap(p.frame);
                }
                self.spare.push((p.frame, p.addr));
            }
        }
    }

    /// Applies the descriptors' protection to the backed pages of `start..end`.
    pub fn reprotect(&mut self, start: usize, end: usize) -> Result<(), NtStatus> {
        let root = self.vspace.as_ref().map(|v| v.root());
        let Some(root) = root else {
            return Err(STATUS_ACCESS_VIOLATION);
        };
        let vas: Vec<usize> = self.pages.range(start..end).map(|(va, _)| *va).collect();
        for va in vas {
            let mut want = vad::access(self.vads.protection(va));
            let Some(p) = self.pages.get_mut(&va) else {
                continue;
            };
            // A section page never becomes writable beyond its section.
            if p.shared == Some(false) {
                want = want.map(|_| false);
            }
            let r = match (p.mapped, want) {
                (true, None) => sel4::x86_page_unmap(p.frame),
                (true, Some(w)) if w == p.writable => Ok(()),
                (true, Some(w)) => sel4::x86_page_remap(p.frame, root, if w { RW } else { RO }, 0),
                // Its tables exist: it was mapped before.
                (false, Some(w)) => {
                    sel4::x86_page_map(p.frame, root, va, if w { RW } else { RO }, 0)
                }
                (false, None) => Ok(()),
            };
            if r.is_err() {
                return Err(STATUS_NO_MEMORY);
            }
            p.mapped = want.is_some();
            p.writable = want == Some(true);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        thread: u32,
        parameters: &params::Input,
        exe: &[u8],
        ntdll: &[u8],
        suspended: bool,
    ) -> Result<(), LoadError> {
        let block = params::build(params::PARAMS_ADDRESS, parameters)
            .ok_or(bad_image("process parameters too long"))?;
        let params_pages = block.len().div_ceil(PAGE_SIZE);
        let window = shadows
            .in_use
            .iter()
            .position(|u| !u)
            .ok_or(LoadError::NoShadowWindow)?;
        shadows.in_use[window] = true;
        self.window = Some(window);

        let root = self.new_object(mm, ObjectKind::VSpaceRoot)?;
        check(
            "X86_ASIDPool_Assign",
            sel4::x86_asid_pool_assign(sel4::consts::CAP_INIT_THREAD_ASID_POOL, root),
        )?;
        self.vspace = Some(AddressSpace::new(root));

        // The fixed regions first, so images keep out of them.
        let stack_low = teb::STACK_TOP - teb::STACK_SIZE;
        let vads = &mut self.vads;
        let fixed = [
            (STACK_RESERVE_BASE, teb::STACK_TOP, VadKind::Stack),
            (
                teb::TEB_ADDRESS,
                teb::TEB_ADDRESS + teb::TEB_PAGES * PAGE_SIZE,
                VadKind::Private,
            ),
            (
                teb::PEB_ADDRESS,
                teb::PEB_ADDRESS + PAGE_SIZE,
                VadKind::Private,
            ),
            (
                params::PARAMS_ADDRESS,
                params::PARAMS_ADDRESS + params::PARAMS_PAGES * PAGE_SIZE,
                VadKind::Private,
            ),
        ];
        for (start, end, kind) in fixed {
            vads.insert_fixed(start, end, kind, PAGE_READWRITE)
                .map_err(|s| LoadError::Image("fixed region", s))?;
            let low = if kind == VadKind::Stack {
                stack_low
            } else {
                start
            };
            // The parameters' reservation is committed as far as the block goes.
            let end = if start == params::PARAMS_ADDRESS {
                start + params_pages * PAGE_SIZE
            } else {
                end
            };
            vads.commit_fixed(low, end, PAGE_READWRITE)
                .map_err(|s| LoadError::Image("fixed region", s))?;
        }
        vads.commit_fixed(
            stack_low - PAGE_SIZE,
            stack_low,
            PAGE_READWRITE | PAGE_GUARD,
        )
        .map_err(|s| LoadError::Image("stack guard", s))?;

        // The program first, at its base; ntdll at its own unless that is taken.
        let exe_img = PeImage::parse(exe).map_err(|_| bad_image("program is not a PE image"))?;
        let exe_range = self.load_image(mm, shadows, &exe_img, None, true)?;
        self.image_base = exe_range.start;
        let dll_img = PeImage::parse(ntdll).map_err(|_| bad_image("ntdll is not a PE image"))?;
        let (dll_base, dll_layout) = {
            let r = self.load_image(mm, shadows, &dll_img, Some(exe_range.clone()), false)?;
            (r.start, self.read_vec(r.start, r.end - r.start)?)
        };
        let exports = MappedImage::new(&dll_layout).ok();
        let export = |name: &[u8]| match exports
            .as_ref()
            .and_then(|m| m.export_by_name(name).ok().flatten())
        {
            Some(Export::Rva(rva)) => Some(dll_base + rva as usize),
            _ => None,
        };
        let thunk = export(b"LdrInitializeThunk")
            .ok_or(bad_image("ntdll exports no LdrInitializeThunk"))?;
        self.thread_start = export(b"RtlUserThreadStart").unwrap_or(0);
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        self.stack_sizes = (size(exe_img.stack_reserve()), size(exe_img.stack_commit()));

        // Stack (guard page below stays unmapped), PEB, parameters; the TEB comes with
        // the thread.
        for va in (teb::STACK_TOP - teb::STACK_SIZE..teb::STACK_TOP).step_by(PAGE_SIZE) {
            self.map_page(mm, shadows, va, true)?;
        }
        self.map_page(mm, shadows, teb::PEB_ADDRESS, true)?;
        self.map_shared_user_data(mm, shadows)?;
        for i in 0..params_pages {
            self.map_page(mm, shadows, params::PARAMS_ADDRESS + i * PAGE_SIZE, true)?;
        }
        self.write(params::PARAMS_ADDRESS, &block)
            .map_err(|s| LoadError::Image("process parameters not writable", s))?;
        for (off, v) in teb::initial_peb(exe_range.start, params::PARAMS_ADDRESS) {
            self.write_word(teb::PEB_ADDRESS + off, v)?;
        }
        self.create_thread(mm, shadows, thread, ThreadStart::First { thunk }, suspended)?;
        Ok(())
    }

    /// Starts thread number `number` of the process (suspended if asked): its TEB,
    /// stack, TCB and CNode with the badged endpoint capabilities. Returns its TEB
    /// address. On failure nothing of it remains.
    pub fn create_thread(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        number: u32,
        start: ThreadStart,
        suspended: bool,
    ) -> Result<usize, LoadError> {
        let mut made = Made::default();
        match self.build_thread(mm, shadows, number, start, suspended, &mut made) {
            Ok(t) => {
                let teb = t.teb;
                self.threads.insert(number, t);
                Ok(teb)
            }
            Err(e) => {
                if let Some(teb) = made.teb {
                    self.unback(teb, teb + teb::TEB_PAGES * PAGE_SIZE);
                    self.vads.release_fixed(teb);
                }
                if let Some(stack) = made.stack {
                    self.unback(stack.start, stack.end);
                    self.vads.release_fixed(stack.start);
                }
                if let Some((tcb, cnode)) = made.objects {
                    self.forget_endpoints(cnode);
                    self.spare_threads.push((tcb, cnode));
                }
                Err(e)
            }
        }
    }

    fn build_thread(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        number: u32,
        start: ThreadStart,
        suspended: bool,
        made: &mut Made,
    ) -> Result<NtThread, LoadError> {
        let request = Badge::new(number, BadgeKind::Request).ok_or(MmError::BadPid(number))?;
        let fault = Badge::new(number, BadgeKind::Fault).ok_or(MmError::BadPid(number))?;
        let root = self
            .vspace
            .as_ref()
            .map(|v| v.root())
            .ok_or(MmError::BadPid(self.pid))?;
        let teb_size = teb::TEB_PAGES * PAGE_SIZE;

        // The TEB: the first thread's at its fixed place, others top-down below the
        // process parameters (as Windows stacks TEBs below the PEB).
        let teb_addr = match start {
            ThreadStart::First { .. } => teb::TEB_ADDRESS,
            _ => {
                let at = self
                    .vads
                    .reserve_free(teb_size, params::PARAMS_ADDRESS, true, VadKind::Private)
                    .map_err(|s| LoadError::Image("no room for a TEB", s))?;
                made.teb = Some(at);
                self.vads
                    .commit_fixed(at, at + teb_size, PAGE_READWRITE)
                    .map_err(|s| LoadError::Image("TEB commit", s))?;
                at
            }
        };
        let mut ipc_frame = 0;
        for i in 0..teb::TEB_PAGES {
            let (frame, _) = self.map_page(mm, shadows, teb_addr + i * PAGE_SIZE, true)?;
            if i == 0 {
                ipc_frame = frame;
            }
        }

        // The stack.
        let (stack, owns_stack) = match start {
            ThreadStart::First { .. } => (teb::INITIAL_STACK, false),
            ThreadStart::Routine {
                reserve, commit, ..
            } => (self.make_stack(reserve, commit, made)?, true),
            ThreadStart::Context { stack, .. } => (stack, false),
        };
        let stack_range = stack.reservation.min(stack.limit)..stack.base;
        for (off, v) in teb::initial_teb(
            super::cid::process_id(self.pid),
            super::cid::thread_id(number),
            teb_addr,
            stack,
        ) {
            self.write_word(teb_addr + off, v)?;
        }
        if let ThreadStart::Routine {
            skip_attach: true, ..
        } = start
        {
            self.write(
                teb_addr + ntsvc::teb::SAME_TEB_FLAGS,
                &ntsvc::teb::SKIP_THREAD_ATTACH.to_le_bytes(),
            )
            .map_err(|s| LoadError::Image("TEB not writable", s))?;
        }
        let regs = self.start_registers(mm, shadows, &start, stack.base)?;

        // Kernel objects: an ended thread's, else new ones.
        let (tcb, cnode) = match self.spare_threads.pop() {
            Some(pair) => pair,
            None => {
                // (A TCB made before the CNode failed stays with the process's
                // objects until teardown.)
                let tcb = self.new_object(mm, ObjectKind::Tcb)?;
                let cnode = self.new_object(mm, ObjectKind::CNode { radix: CNODE_RADIX })?;
                (tcb, cnode)
            }
        };
        made.objects = Some((tcb, cnode));
        let send_grant = CapRights::new(1, 0, 1);
        for (cptr, badge) in [(SERVICE_CPTR, request), (FAULT_CPTR, fault)] {
            check(
                "CNode_Mint(endpoint)",
                sel4::cnode_mint(
                    cnode,
                    cptr,
                    CNODE_RADIX,
                    ROOT_CNODE,
                    self.endpoint,
                    ROOT_DEPTH,
                    send_grant,
                    CapData::new_badge(badge.to_word()),
                ),
            )?;
        }
        let guard = CapData::new_guard(0, usize::from(ROOT_DEPTH) - usize::from(CNODE_RADIX));
        check(
            "TCB_Configure",
            sel4::tcb_configure(
                tcb,
                FAULT_CPTR,
                sel4::PrioProps::new(0, super::process::PRIORITY.into()),
                cnode,
                guard,
                root,
                CapData::new_badge(0),
                teb_addr,
                ipc_frame,
            ),
        )?;
        if sel4::config::DEBUG_BUILD {
            sel4::debug_name_thread(tcb, &self.name);
        }
        let count = core::mem::size_of::<UserContext>() / core::mem::size_of::<usize>();
        check(
            "TCB_WriteRegisters",
            sel4::tcb_write_registers(tcb, !suspended, 0, count, &regs),
        )?;
        Ok(NtThread {
            tcb,
            cnode,
            teb: teb_addr,
            stack: stack_range,
            owns_stack,
        })
    }

    /// Reserves and commits a stack for `NtCreateThreadEx` as Windows lays it out:
    /// the reservation rounded to 64 KiB, `commit` bytes committed at its top and a
    /// guard page below them (0 = the image's `SizeOfStackReserve` / `Commit`).
    fn make_stack(
        &mut self,
        reserve: usize,
        commit: usize,
        made: &mut Made,
    ) -> Result<teb::StackInfo, LoadError> {
        let pick = |asked: usize, image: usize| if asked == 0 { image } else { asked };
        let reserve = pick(reserve, self.stack_sizes.0)
            .clamp(MIN_STACK_RESERVE, MAX_STACK_RESERVE)
            .next_multiple_of(vad::GRANULARITY);
        let commit = pick(commit, self.stack_sizes.1)
            .clamp(PAGE_SIZE, reserve - PAGE_SIZE)
            .next_multiple_of(PAGE_SIZE);
        let base = self
            .vads
            .reserve_free(reserve, ntsvc::USER_LIMIT, false, VadKind::Stack)
            .map_err(|s| LoadError::Image("no room for a stack", s))?;
        made.stack = Some(base..base + reserve);
        let top = base + reserve;
        let limit = top - commit;
        let stack_err = |s| LoadError::Image("stack commit", s);
        self.vads
            .commit_fixed(limit, top, PAGE_READWRITE)
            .map_err(stack_err)?;
        if limit > base {
            self.vads
                .commit_fixed(limit - PAGE_SIZE, limit, PAGE_READWRITE | PAGE_GUARD)
                .map_err(stack_err)?;
        }
        Ok(teb::StackInfo {
            base: top,
            limit,
            reservation: base,
        })
    }

    /// The registers a thread starts with: `LdrInitializeThunk(PPEB)` or
    /// `RtlUserThreadStart(routine, argument)` called as if from a call instruction,
    /// or the caller's context.
    #[cfg(target_arch = "x86_64")]
    fn start_registers(
        &mut self,
        _mm: &mut Mm,
        _shadows: &mut Shadows,
        start: &ThreadStart,
        top: usize,
    ) -> Result<UserContext, LoadError> {
        let mut r = UserContext::default();
        // Microsoft x64: RSP + 8 is 16-aligned at entry; 32 bytes of home space above
        // the (absent) return address.
        match *start {
            ThreadStart::First { thunk } => {
                r.rip = thunk;
                r.rsp = top - 0x28;
                r.rcx = teb::PEB_ADDRESS;
            }
            ThreadStart::Routine {
                routine, argument, ..
            } => {
                r.rip = self.thread_start;
                r.rsp = top - 0x28;
                r.rcx = routine;
                r.rdx = argument;
            }
            ThreadStart::Context { regs, .. } => r = regs,
        }
        Ok(r)
    }

    #[cfg(target_arch = "x86")]
    fn start_registers(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        start: &ThreadStart,
        top: usize,
    ) -> Result<UserContext, LoadError> {
        let mut r = UserContext::default();
        // stdcall: [esp] = return address (none), the arguments above it.
        match *start {
            ThreadStart::First { thunk } => {
                r.eip = thunk;
                r.esp = top - 8;
                self.write_word(top - 4, teb::PEB_ADDRESS)?;
            }
            ThreadStart::Routine {
                routine, argument, ..
            } => {
                self.ensure_backed(mm, shadows, top - PAGE_SIZE, PAGE_SIZE)
                    .map_err(|s| LoadError::Image("stack not writable", s))?;
                r.eip = self.thread_start;
                r.esp = top - 12;
                self.write_word(top - 8, routine)?;
                self.write_word(top - 4, argument)?;
            }
            ThreadStart::Context { regs, .. } => r = regs,
        }
        // A new ia32 TCB starts with FS null; 0x3B is seL4's IPC-buffer segment,
        // which is where the TEB is.
        r.fs = sel4::consts::IPCBUF_GDT_SELECTOR;
        Ok(r)
    }

    /// Deletes the badged endpoint capabilities of a thread's CNode (before it is
    /// reused, or when its thread ends).
    fn forget_endpoints(&mut self, cnode: Slot) {
        for cptr in [SERVICE_CPTR, FAULT_CPTR] {
            let _ = sel4::cnode_delete(cnode, cptr, CNODE_RADIX);
        }
    }

    /// Ends thread `number`: it stops at once; its TEB and an executive-made stack go
    /// back to the process's spare frames, its TCB and CNode to the spare threads.
    /// `false` if the process has no such live thread.
    pub fn end_thread(&mut self, number: u32) -> bool {
        let Some(t) = self.threads.remove(&number) else {
            return false;
        };
        let _ = sel4::tcb_suspend(t.tcb);
        self.forget_endpoints(t.cnode);
        self.unback(t.teb, t.teb + teb::TEB_PAGES * PAGE_SIZE);
        if t.teb != teb::TEB_ADDRESS {
            self.vads.release_fixed(t.teb);
        }
        if t.owns_stack {
            self.unback(t.stack.start, t.stack.end);
            self.vads.release_fixed(t.stack.start);
        }
        self.spare_threads.push((t.tcb, t.cnode));
        true
    }

    /// A live thread of the process.
    pub fn thread(&self, number: u32) -> Option<&NtThread> {
        self.threads.get(&number)
    }

    /// The numbers of the live threads.
    pub fn thread_numbers(&self) -> Vec<u32> {
        self.threads.keys().copied().collect()
    }

    /// Where the program is mapped (`PEB.ImageBaseAddress`).
    pub fn image_base(&self) -> usize {
        self.image_base
    }

    /// The executive's endpoint (for processes this one creates).
    pub fn endpoint(&self) -> CPtr {
        self.endpoint
    }

    /// Whether threads can be started by routine (ntdll exports `RtlUserThreadStart`).
    pub fn can_start_routines(&self) -> bool {
        self.thread_start != 0
    }

    /// Lays `img` out, relocates it if its preferred range is taken (by `avoid` or the
    /// fixed stack/TEB/PEB ranges) and maps it page by page with section protections.
    /// `iat_writable`: the import address table pages stay writable (ntdll binds them
    /// in user mode; NtProtectVirtualMemory does not exist yet).
    fn load_image(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        img: &PeImage<'_>,
        avoid: Option<core::ops::Range<usize>>,
        iat_writable: bool,
    ) -> Result<core::ops::Range<usize>, LoadError> {
        if img.machine() != MACHINE {
            return Err(bad_image("image is for another machine"));
        }
        let size = (img.size_of_image() as usize).next_multiple_of(PAGE_SIZE);
        let fits = |base: usize| {
            let end = base.saturating_add(size);
            base >= 0x1_0000
                && end <= ntsvc::USER_LIMIT
                && base % vad::GRANULARITY == 0
                && !self.vads.overlaps(base, end)
                && avoid.iter().all(|r| end <= r.start || base >= r.end)
        };
        let preferred = usize::try_from(img.image_base()).unwrap_or(usize::MAX);
        let base = if fits(preferred) {
            preferred
        } else if fits(FALLBACK_BASE) {
            FALLBACK_BASE
        } else {
            return Err(bad_image("no room for the image"));
        };
        let mut layout = vec![0u8; size];
        img.copy_mapped(&mut layout)
            .map_err(|_| bad_image("image sections do not fit"))?;
        if base != preferred {
            peimage::relocate(&mut layout, base as u64)
                .map_err(|_| bad_image("image cannot be relocated"))?;
        }
        let iat = img
            .data_directory(peimage::directory::IAT)
            .filter(|_| iat_writable)
            .map(|d| d.rva as usize..(d.rva as usize + d.size as usize));
        let sections: Vec<(usize, usize, bool, bool)> = img
            .sections()
            .map(|s| {
                (
                    s.virtual_address as usize,
                    s.virtual_address as usize + (s.virtual_size as usize).max(1),
                    s.protection().write,
                    s.protection().execute,
                )
            })
            .collect();
        self.vads
            .insert_fixed(base, base + size, VadKind::Image, PAGE_EXECUTE_WRITECOPY)
            .map_err(|s| LoadError::Image("image range taken", s))?;
        for (i, chunk) in layout.chunks(PAGE_SIZE).enumerate() {
            let page = i * PAGE_SIZE..(i + 1) * PAGE_SIZE;
            let overlaps = |r: &core::ops::Range<usize>| r.start < page.end && page.start < r.end;
            let writable = sections.iter().any(|&(s, e, w, _)| w && overlaps(&(s..e)))
                || iat.as_ref().is_some_and(overlaps);
            let exec = sections.iter().any(|&(s, e, _, x)| x && overlaps(&(s..e)));
            // Private copies: writable pages report PAGE_READWRITE (Windows reports
            // PAGE_WRITECOPY until the first write).
            let protect = match (exec, writable) {
                (true, true) => PAGE_EXECUTE_READWRITE,
                (true, false) => PAGE_EXECUTE_READ,
                (false, true) => PAGE_READWRITE,
                (false, false) => PAGE_READONLY,
            };
            self.vads
                .commit_fixed(base + page.start, base + page.end, protect)
                .map_err(|s| LoadError::Image("image commit", s))?;
            let (_, shadow) = self.map_page(mm, shadows, base + page.start, writable)?;
            // SAFETY: `shadow` maps the page-sized frame just created, read-write, and
            // nothing else refers to it yet; `chunk` is at most a page.
            unsafe {
                core::ptr::copy_nonoverlapping(chunk.as_ptr(), shadow as *mut u8, chunk.len())
            };
        }
        Ok(base..base + size)
    }

    /// Copies client memory at `addr` into `buf`; any page not mapped is an access
    /// violation.
    pub fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus> {
        let mut done = 0;
        self.copy(addr, buf.len(), false, |shadow, off, n| {
            // SAFETY: `shadow` is a live shadow page (the process exists),
            // `off + n <= PAGE_SIZE` (the copy loop splits at page boundaries) and
            // `done + n <= buf.len()` (the pieces add up to the length).
            unsafe {
                core::ptr::copy_nonoverlapping(
                    (shadow + off) as *const u8,
                    buf[done..].as_mut_ptr(),
                    n,
                )
            };
            done += n;
        })
    }

    /// Copies `data` into client memory at `addr` (writable pages only).
    pub fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus> {
        let mut done = 0;
        self.copy(addr, data.len(), true, |shadow, off, n| {
            // SAFETY: as in `read`.
            unsafe {
                core::ptr::copy_nonoverlapping(data[done..].as_ptr(), (shadow + off) as *mut u8, n)
            };
            done += n;
        })
    }

    fn copy(
        &self,
        addr: usize,
        len: usize,
        write: bool,
        mut each: impl FnMut(usize, usize, usize),
    ) -> Result<(), NtStatus> {
        let end = addr.checked_add(len).ok_or(STATUS_ACCESS_VIOLATION)?;
        if end > ntsvc::USER_LIMIT {
            return Err(STATUS_ACCESS_VIOLATION);
        }
        // Within one page (service arguments, handles, most structures): one lookup.
        if len > 0 && (addr ^ (end - 1)) < PAGE_SIZE {
            let page = addr & !(PAGE_SIZE - 1);
            each(self.source(page, write)?, addr - page, len);
            return Ok(());
        }
        // Check every page before copying anything.
        let mut at = addr;
        while at < end {
            let page = at & !(PAGE_SIZE - 1);
            self.source(page, write)?;
            at = page + PAGE_SIZE;
        }
        let mut at = addr;
        while at < end {
            let page = at & !(PAGE_SIZE - 1);
            let off = at - page;
            let n = (PAGE_SIZE - off).min(end - at);
            each(self.source(page, write)?, off, n);
            at += n;
        }
        Ok(())
    }

    /// Where the executive reads or writes client page `page`: its shadow, or (reads
    /// of committed pages never touched) the zero page.
    fn source(&self, page: usize, write: bool) -> Result<usize, NtStatus> {
        match self.pages.lookup(page) {
            Some(p) if p.mapped && (!write || p.writable) => Ok(p.addr),
            Some(_) => Err(STATUS_ACCESS_VIOLATION),
            None => match vad::access(self.vads.protection(page)) {
                Some(_) if !write => Ok(ZERO_PAGE.as_ptr() as usize),
                _ => Err(STATUS_ACCESS_VIOLATION),
            },
        }
    }

    /// How many bytes from `addr` (up to `len`) can be read (or written) without a
    /// fault, page by page.
    pub fn accessible(&self, addr: usize, len: usize, write: bool) -> usize {
        let mut at = addr;
        let end = addr.saturating_add(len).min(ntsvc::USER_LIMIT);
        while at < end {
            let page = at & !(PAGE_SIZE - 1);
            if self.source(page, write).is_err() {
                break;
            }
            at = page + PAGE_SIZE;
        }
        at.min(end).saturating_sub(addr)
    }

    fn read_vec(&self, addr: usize, len: usize) -> Result<Vec<u8>, LoadError> {
        let mut v = vec![0u8; len];
        self.read(addr, &mut v)
            .map_err(|s| LoadError::Image("image not readable back", s))?;
        Ok(v)
    }

    pub fn read_word(&self, addr: usize) -> Result<usize, NtStatus> {
        let mut b = [0u8; size_of::<usize>()];
        self.read(addr, &mut b)?;
        Ok(usize::from_le_bytes(b))
    }

    fn write_word(&mut self, addr: usize, v: usize) -> Result<(), LoadError> {
        // Executive-made pages (TEB, PEB, stack) are writable.
        self.write(addr, &v.to_le_bytes())
            .map_err(|s| LoadError::Image("TEB/PEB/stack not writable", s))
    }

    /// The first `count` words of the service argument block in the TEB at `teb` (the
    /// service's parameters; the rest read as 0). One copy (every service call takes
    /// this path). At least one word is read, so a service without parameters still
    /// fails on an unreadable TEB; the block lies within one page (below), so reading
    /// fewer words checks exactly what reading all of them did.
    pub fn service_arguments(
        &self,
        teb: usize,
        count: usize,
    ) -> Result<[usize; ntsvc::MAX_ARGS], NtStatus> {
        const WORD: usize = size_of::<usize>();
        const _: () = assert!(ntsvc::teb::ARGUMENT_BLOCK + ntsvc::MAX_ARGS * WORD <= PAGE_SIZE);
        let count = count.clamp(1, ntsvc::MAX_ARGS);
        let mut bytes = [0u8; ntsvc::MAX_ARGS * WORD];
        self.read(teb + ntsvc::teb::ARGUMENT_BLOCK, &mut bytes[..count * WORD])?;
        let mut words = [0; ntsvc::MAX_ARGS];
        for (w, b) in words.iter_mut().zip(bytes.chunks_exact(WORD)).take(count) {
            let mut one = [0u8; WORD];
            one.copy_from_slice(b);
            *w = usize::from_le_bytes(one);
        }
        Ok(words)
    }

    /// Stops the threads and returns every object, slot and the shadow window.
    pub fn terminate(mut self, mm: &mut Mm, shadows: &mut Shadows) -> Result<(), MmError> {
        let mut first: Result<(), MmError> = Ok(());
        let mut note = |r: Result<(), MmError>| {
            if first.is_ok() {
                first = r;
            }
        };
        for t in self.threads.values() {
            note(check("TCB_Suspend", sel4::tcb_suspend(t.tcb)));
        }
        self.threads.clear();
        self.spare_threads.clear();
        // Section frames are not the process's: only its cap copies go.
        note(self.unmap_shared(mm, 0, usize::MAX));
        if let Some(mut v) = self.vspace.take() {
            self.objects.extend(v.take_table_slots());
        }
        // Revoke deletes every cap derived from the untyped: objects, tables and the
        // shadow copies (which unmaps them from the executive).
        note(mm.release(self.untyped));
        for u in self.more_untypeds.drain(..) {
            note(mm.release(u));
        }
        for slot in self.objects.drain(..) {
            note(mm.slots.free(slot).map_err(MmError::from));
        }
        if let Some(w) = self.window.take() {
            shadows.in_use[w] = false;
        }
        self.pages.clear();
        self.spare.clear();
        first
    }

    /// Maps a section's frame (`frame`, shadowed at `shadow` in the executive) at
    /// client page `va` through a cap copy of this process, with the access `protect`
    /// grants (none: mapped once for its tables, then unmapped; copy-on-write pages
    /// read-only).
    /// `max_writable`: the section allows writes (a later NtProtectVirtualMemory may
    /// make the page writable).
    pub fn map_shared(
        &mut self,
        mm: &mut Mm,
        va: usize,
        frame: Slot,
        shadow: usize,
        protect: u32,
        max_writable: bool,
    ) -> Result<(), MmError> {
        let access = vad::access(protect);
        let writable =
            max_writable && access == Some(true) && crate::mm::section::writable(protect);
        let copy = mm.copy(frame, if max_writable { RW } else { RO })?;
        let rights = if writable { RW } else { RO };
        let r = self.with_growth(mm, |p, mm, pool| match p.vspace.as_mut() {
            Some(v) => v.map(mm, pool, copy, va, rights),
            None => Err(MmError::BadPid(p.pid)),
        });
        if let Err(e) = r {
            let _ = mm.delete(copy);
            return Err(e);
        }
        if access.is_none() {
            let _ = sel4::x86_page_unmap(copy);
        }
        self.pages.insert(
            va,
            ShadowPage {
                addr: shadow,
                frame: copy,
                mapped: access.is_some(),
                writable,
                shared: Some(max_writable),
            },
        );
        Ok(())
    }

    /// Unmaps the section pages of `start..end` and deletes this process's cap copies.
    pub fn unmap_shared(&mut self, mm: &mut Mm, start: usize, end: usize) -> Result<(), MmError> {
        let gone: Vec<usize> = self
            .pages
            .range(start..end)
            .filter(|(_, p)| p.shared.is_some())
            .map(|(va, _)| *va)
            .collect();
        let mut first = Ok(());
        for va in gone {
            if let Some(p) = self.pages.remove(&va) {
                // seL4 5.0 leaves a copy's mapping in place when the copy is deleted
                // (measured: the next map there fails with DeleteFirst).
                let _ = sel4::x86_page_unmap(p.frame);
                let r = mm.delete(p.frame);
                if first.is_ok() {
                    first = r;
                }
            }
        }
        first
    }

    /// Maps the executive's KUSER_SHARED_DATA frame read-only at its fixed address, as
    /// a committed PAGE_READONLY private page that cannot be freed or reprotected.
    pub fn map_shared_user_data(
        &mut self,
        mm: &mut Mm,
        shadows: &Shadows,
    ) -> Result<(), LoadError> {
        let Some((frame, shadow)) = shadows.shared_user_data else {
            return Ok(());
        };
        let at = crate::ex::kuser::ADDRESS;
        self.vads
            .insert_fixed(at, at + PAGE_SIZE, VadKind::Pinned, PAGE_READONLY)
            .and_then(|()| self.vads.commit_fixed(at, at + PAGE_SIZE, PAGE_READONLY))
            .map_err(|s| LoadError::Image("KUSER_SHARED_DATA range", s))?;
        self.map_shared(mm, at, frame, shadow, PAGE_READONLY, false)?;
        Ok(())
    }

    /// The full address of a fault seL4 reported with only its low 32 bits (see
    /// [`Vads::fault_candidates`]): the one candidate, else the one that is committed
    /// but not backed yet (a demand fault), else the address as reported.
    fn widen_fault_address(&self, addr: usize) -> usize {
        let c = self.vads.fault_candidates(addr);
        if let [one] = c.as_slice() {
            return *one;
        }
        let mut demand = c.iter().filter(|&&a| {
            let page = a & !(PAGE_SIZE - 1);
            !self.pages.contains_key(&page) && self.vads.protection(page) != 0
        });
        match (demand.next(), demand.next()) {
            (Some(&a), None) => a,
            _ => addr,
        }
    }

    /// A private frame at client page `va` holding `data` (at most a page; the rest
    /// zero), for the views of image sections (each view its own copy).
    pub fn map_private_copy(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        va: usize,
        data: &[u8],
        writable: bool,
    ) -> Result<(), LoadError> {
        let (_, shadow) = self.back_page(mm, shadows, va, writable)?;
        let n = data.len().min(PAGE_SIZE);
        // SAFETY: `shadow` maps the page-sized frame just given to `va`, read-write in
        // the executive; `n` is at most a page.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), shadow as *mut u8, n) };
        Ok(())
    }

    /// A write to a PAGE_WRITECOPY / PAGE_EXECUTE_WRITECOPY page of a view: the page
    /// becomes a private copy (a frame of this process holding the section page's
    /// contents) and PAGE_READWRITE / PAGE_EXECUTE_READWRITE, as Windows does. Anything
    /// else is an access violation.
    fn copy_on_write(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        page: usize,
        write: bool,
    ) -> Result<(), NtStatus> {
        let protect = self.vads.protection(page);
        let in_view = self
            .vads
            .vad_at(page)
            .is_some_and(|v| matches!(v.kind, VadKind::Mapped { .. }));
        let new = match protect {
            PAGE_WRITECOPY => PAGE_READWRITE,
            PAGE_EXECUTE_WRITECOPY => PAGE_EXECUTE_READWRITE,
            _ => return Err(STATUS_ACCESS_VIOLATION),
        };
        let shared = self
            .pages
            .get(&page)
            .filter(|p| p.shared.is_some())
            .copied();
        let (Some(old), true, true) = (shared, in_view, write) else {
            return Err(STATUS_ACCESS_VIOLATION);
        };
        let mut data = vec![0u8; PAGE_SIZE];
        // SAFETY: `old.addr` is the section frame's shadow, mapped while the section
        // lives (this view holds it); a page is read.
        unsafe {
            core::ptr::copy_nonoverlapping(old.addr as *const u8, data.as_mut_ptr(), PAGE_SIZE)
        };
        self.vads
            .commit_fixed(page, page + PAGE_SIZE, new)
            .map_err(|_| STATUS_NO_MEMORY)?;
        self.pages.remove(&page);
        let _ = sel4::x86_page_unmap(old.frame);
        let _ = mm.delete(old.frame);
        self.map_private_copy(mm, shadows, page, &data, true)
            .map_err(|_| STATUS_NO_MEMORY)
    }
}
