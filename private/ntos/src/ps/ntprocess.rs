//! NT processes from PE images: ntdll.dll and the program mapped at their bases, a
//! committed stack, TEB (at the IPC buffer) and PEB; the first thread starts at
//! ntdll's `LdrInitializeThunk(PPEB)`.
//!
//! Every frame mapped into the process is also mapped into the executive (its *shadow*
//! in a per-process window of the executive's VSpace), so service arguments are read
//! and results written by a bounds-checked copy. All objects come from one reserved
//! untyped; revoking it at teardown also deletes the shadow mappings.
//!
//! seL4 5.0 on x86 maps every user page executable (no NX control), so section
//! protections are applied as read-only / read-write only.

use super::protocol::{Badge, BadgeKind};
use super::teb;
use crate::mm::cspace::Slot;
use crate::mm::kobj::{check, Mm, MmError, ObjectKind, Pool, ROOT_CNODE, ROOT_DEPTH};
use crate::mm::paging::PAGE_SIZE;
use crate::mm::vspace::AddressSpace;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use ntdef::status::{NtStatus, STATUS_ACCESS_VIOLATION};
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

/// The executive's side of all shadow mappings.
pub struct Shadows {
    root: AddressSpace,
    in_use: [bool; SHADOW_WINDOWS],
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
        }
    }
}

#[derive(Clone, Copy)]
struct ShadowPage {
    addr: usize,
    writable: bool,
}

pub struct NtProcess {
    pub pid: u32,
    pub name: String,
    untyped: CPtr,
    objects: Vec<Slot>,
    tcb: Option<CPtr>,
    vspace: Option<AddressSpace>,
    window: Option<usize>,
    next_shadow: usize,
    /// Client page → its shadow in the executive.
    pages: BTreeMap<usize, ShadowPage>,
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
    /// Builds the process for `exe` with `ntdll` and starts its first thread.
    #[allow(clippy::too_many_arguments)]
    pub fn spawn(
        mm: &mut Mm,
        shadows: &mut Shadows,
        endpoint: CPtr,
        pid: u32,
        name: &str,
        exe: &[u8],
        ntdll: &[u8],
    ) -> Result<NtProcess, LoadError> {
        let (untyped, _) = mm.reserve(UNTYPED_BITS)?;
        let mut p = NtProcess {
            pid,
            name: String::from(name),
            untyped,
            objects: Vec::new(),
            tcb: None,
            vspace: None,
            window: None,
            next_shadow: 0,
            pages: BTreeMap::new(),
            ob: None,
        };
        match p.build(mm, shadows, endpoint, exe, ntdll) {
            Ok(()) => Ok(p),
            Err(e) => {
                let _ = p.terminate(mm, shadows);
                Err(e)
            }
        }
    }

    fn new_object(&mut self, mm: &mut Mm, kind: ObjectKind) -> Result<Slot, MmError> {
        let slot = mm.create(Pool::Reserved(self.untyped), kind)?;
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
        let window = self.window.ok_or(LoadError::NoShadowWindow)?;
        if self.next_shadow >= SHADOW_WINDOW {
            return Err(LoadError::NoShadowWindow);
        }
        let shadow = SHADOW_BASE + window * SHADOW_WINDOW + self.next_shadow;
        let frame = self.new_object(mm, ObjectKind::Frame)?;
        let copy = mm.copy(frame, RW)?;
        self.objects.push(copy);
        shadows.root.map(mm, Pool::General, copy, shadow, RW)?;
        self.next_shadow += PAGE_SIZE;
        let pool = Pool::Reserved(self.untyped);
        let vspace = self.vspace.as_mut().ok_or(LoadError::NoShadowWindow)?;
        vspace.map(mm, pool, frame, va, if writable { RW } else { RO })?;
        self.pages.insert(
            va,
            ShadowPage {
                addr: shadow,
                writable,
            },
        );
        Ok((frame, shadow))
    }

    fn build(
        &mut self,
        mm: &mut Mm,
        shadows: &mut Shadows,
        endpoint: CPtr,
        exe: &[u8],
        ntdll: &[u8],
    ) -> Result<(), LoadError> {
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
        let tcb = self.new_object(mm, ObjectKind::Tcb)?;
        self.tcb = Some(tcb);
        let cnode = self.new_object(mm, ObjectKind::CNode { radix: CNODE_RADIX })?;
        self.vspace = Some(AddressSpace::new(root));

        // The program first, at its base; ntdll at its own unless that is taken.
        let exe_img = PeImage::parse(exe).map_err(|_| bad_image("program is not a PE image"))?;
        let exe_range = self.load_image(mm, shadows, &exe_img, None, true)?;
        let dll_img = PeImage::parse(ntdll).map_err(|_| bad_image("ntdll is not a PE image"))?;
        let (dll_base, dll_layout) = {
            let r = self.load_image(mm, shadows, &dll_img, Some(exe_range.clone()), false)?;
            (r.start, self.read_vec(r.start, r.end - r.start)?)
        };
        let thunk = match MappedImage::new(&dll_layout)
            .ok()
            .and_then(|m| m.export_by_name(b"LdrInitializeThunk").ok().flatten())
        {
            Some(Export::Rva(rva)) => dll_base + rva as usize,
            _ => return Err(bad_image("ntdll exports no LdrInitializeThunk")),
        };

        // Stack (guard page below stays unmapped), TEB (IPC buffer first), PEB.
        for va in (teb::STACK_TOP - teb::STACK_SIZE..teb::STACK_TOP).step_by(PAGE_SIZE) {
            self.map_page(mm, shadows, va, true)?;
        }
        let mut ipc_frame = 0;
        for i in 0..teb::TEB_PAGES {
            let (frame, _) = self.map_page(mm, shadows, teb::TEB_ADDRESS + i * PAGE_SIZE, true)?;
            if i == 0 {
                ipc_frame = frame;
            }
        }
        self.map_page(mm, shadows, teb::PEB_ADDRESS, true)?;
        for (off, v) in teb::initial_teb(self.pid as usize * 4, self.pid as usize * 4 + 4) {
            self.write_word(teb::TEB_ADDRESS + off, v)?;
        }
        for (off, v) in teb::initial_peb(exe_range.start) {
            self.write_word(teb::PEB_ADDRESS + off, v)?;
        }

        let send_grant = CapRights::new(1, 0, 1);
        for (cptr, kind) in [
            (ntsvc::SERVICE_ENDPOINT_CPTR, BadgeKind::Request),
            (FAULT_CPTR, BadgeKind::Fault),
        ] {
            let badge = Badge::new(self.pid, kind).ok_or(MmError::BadPid(self.pid))?;
            check(
                "CNode_Mint(endpoint)",
                sel4::cnode_mint(
                    cnode,
                    cptr,
                    CNODE_RADIX,
                    ROOT_CNODE,
                    endpoint,
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
                teb::TEB_ADDRESS,
                ipc_frame,
            ),
        )?;
        if sel4::config::DEBUG_BUILD {
            sel4::debug_name_thread(tcb, &self.name);
        }
        let mut regs = UserContext::default();
        self.set_start_registers(&mut regs, thunk)?;
        let count = core::mem::size_of::<UserContext>() / core::mem::size_of::<usize>();
        check(
            "TCB_WriteRegisters",
            sel4::tcb_write_registers(tcb, true, 0, count, &regs),
        )?;
        Ok(())
    }

    /// `LdrInitializeThunk(PPEB)`, called as if from a call instruction.
    #[cfg(target_arch = "x86_64")]
    fn set_start_registers(&mut self, r: &mut UserContext, ip: usize) -> Result<(), LoadError> {
        r.rip = ip;
        // Microsoft x64: RSP + 8 is 16-aligned at entry; 32 bytes of home space above
        // the (absent) return address.
        r.rsp = teb::STACK_TOP - 0x28;
        r.rcx = teb::PEB_ADDRESS;
        Ok(())
    }

    #[cfg(target_arch = "x86")]
    fn set_start_registers(&mut self, r: &mut UserContext, ip: usize) -> Result<(), LoadError> {
        r.eip = ip;
        // stdcall: [esp] = return address (none), [esp + 4] = the argument.
        r.esp = teb::STACK_TOP - 8;
        self.write_word(teb::STACK_TOP - 4, teb::PEB_ADDRESS)?;
        // A new ia32 TCB starts with FS null; 0x3B is seL4's IPC-buffer segment,
        // which is where the TEB is.
        r.fs = sel4::consts::IPCBUF_GDT_SELECTOR;
        Ok(())
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
        let fixed = [
            teb::STACK_TOP - teb::STACK_SIZE - PAGE_SIZE..teb::STACK_TOP,
            teb::TEB_ADDRESS..teb::PEB_ADDRESS + PAGE_SIZE,
        ];
        let fits = |base: usize| {
            let end = base.saturating_add(size);
            base >= 0x1_0000
                && end <= ntsvc::USER_LIMIT
                && base % PAGE_SIZE == 0
                && fixed
                    .iter()
                    .chain(avoid.iter())
                    .all(|r| end <= r.start || base >= r.end)
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
        let sections: Vec<(usize, usize, bool)> = img
            .sections()
            .map(|s| {
                (
                    s.virtual_address as usize,
                    s.virtual_address as usize + (s.virtual_size as usize).max(1),
                    s.protection().write,
                )
            })
            .collect();
        for (i, chunk) in layout.chunks(PAGE_SIZE).enumerate() {
            let page = i * PAGE_SIZE..(i + 1) * PAGE_SIZE;
            let overlaps = |r: &core::ops::Range<usize>| r.start < page.end && page.start < r.end;
            let writable = sections.iter().any(|&(s, e, w)| w && overlaps(&(s..e)))
                || iat.as_ref().is_some_and(overlaps);
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
        // Check every page before copying anything.
        let mut at = addr;
        while at < end {
            let page = at & !(PAGE_SIZE - 1);
            match self.pages.get(&page) {
                Some(p) if !write || p.writable => {}
                _ => return Err(STATUS_ACCESS_VIOLATION),
            }
            at = page + PAGE_SIZE;
        }
        let mut at = addr;
        while at < end {
            let page = at & !(PAGE_SIZE - 1);
            let off = at - page;
            let n = (PAGE_SIZE - off).min(end - at);
            let shadow = self.pages.get(&page).ok_or(STATUS_ACCESS_VIOLATION)?.addr;
            each(shadow, off, n);
            at += n;
        }
        Ok(())
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

    /// The words of the service argument block in the thread's TEB.
    pub fn service_arguments(&self) -> Result<[usize; ntsvc::MAX_ARGS], NtStatus> {
        let mut words = [0; ntsvc::MAX_ARGS];
        for (i, w) in words.iter_mut().enumerate() {
            *w = self.read_word(
                teb::TEB_ADDRESS + ntsvc::teb::ARGUMENT_BLOCK + i * size_of::<usize>(),
            )?;
        }
        Ok(words)
    }

    /// Stops the thread and returns every object, slot and the shadow window.
    pub fn terminate(mut self, mm: &mut Mm, shadows: &mut Shadows) -> Result<(), MmError> {
        let mut first: Result<(), MmError> = Ok(());
        let mut note = |r: Result<(), MmError>| {
            if first.is_ok() {
                first = r;
            }
        };
        if let Some(tcb) = self.tcb {
            note(check("TCB_Suspend", sel4::tcb_suspend(tcb)));
        }
        if let Some(mut v) = self.vspace.take() {
            self.objects.extend(v.take_table_slots());
        }
        // Revoke deletes every cap derived from the untyped: objects, tables and the
        // shadow copies (which unmaps them from the executive).
        note(mm.release(self.untyped));
        for slot in self.objects.drain(..) {
            note(mm.slots.free(slot).map_err(MmError::from));
        }
        if let Some(w) = self.window.take() {
            shadows.in_use[w] = false;
        }
        self.pages.clear();
        first
    }
}
