//! Section services (NtCreateSection, NtOpenSection, NtMapViewOfSection,
//! NtUnmapViewOfSection, NtQuerySection, NtExtendSection) and the frames behind
//! sections. The rules are in `mm::section` (host-tested); this file owns the memory.
//!
//! Decisions (documented once here):
//! - **Frames belong to the section.** Each section draws its frames from its own
//!   reserved untyped blocks (64 KiB each, reserved as it grows), never from a process's
//!   untyped, so they outlive the process that touched them first. The section's frame
//!   cap is mapped once in the executive (its *shadow*, in a window of its own), and
//!   each view page is a cap copy mapped in the viewing process: two views of one
//!   section, in one process or two, share the physical frames. The frames and blocks
//!   go when the last handle is closed and the last view unmapped (revoking the blocks
//!   returns the memory); a process that ends with views still mapped loses only its
//!   cap copies.
//! - **Eager views.** Every committed page of a view is mapped when the view is made,
//!   so no fault ever has to find a section. SEC_COMMIT sections are committed whole
//!   (charged at creation); SEC_RESERVE sections commit the view's CommitSize at map
//!   time and NtAllocateVirtualMemory(MEM_COMMIT) inside a view later, section-wide
//!   (every view of the section gets the page). PAGE_WRITECOPY pages are mapped
//!   read-only; the first write makes the page a private copy (`NtProcess`'s fault
//!   path), PAGE_READWRITE from then on.
//! - **Accounting.** Section pages are charged against [`SECTION_COMMIT_LIMIT`] (each
//!   costs a slot of the executive's root CNode, and each view page another): past it,
//!   SEC_COMMIT creation is STATUS_COMMITMENT_LIMIT; memory or slots running out while
//!   mapping is STATUS_NO_MEMORY / STATUS_INSUFFICIENT_RESOURCES, the view undone.
//! - **Files.** There are no file objects: a non-NULL FileHandle is resolved (invalid:
//!   STATUS_INVALID_HANDLE) and refused as STATUS_OBJECT_TYPE_MISMATCH; SEC_IMAGE without
//!   one is STATUS_INVALID_FILE_FOR_SECTION.
//! - **Images.** [`SectionState::create_image`] makes an image section from the bytes of
//!   a PE file inside the executive (every DLL of the boot archive is published as
//!   `\KnownDlls\<name>` at boot, which ntdll's LdrLoadDll maps; process creation
//!   still maps programs straight from the boot archive). The laid-out image stays in the executive's
//!   heap; every view is a private copy in frames of the viewing process (relocated when
//!   not at the preferred base), an `Image` VAD with the sections' protections, so
//!   nothing is shared and nothing is charged to the section.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::obsvc::{capture_attributes, handle_from_word, return_handle, ObState};
use super::services::{borrow_other, Context};
use crate::ke::probe::{probe, UserPtr};
use crate::mm::cspace::Slot;
use crate::mm::kobj::{Mm, MmError, ObjectKind, Pool};
use crate::mm::section::{self as rules, ImageLayout, SectionSpec, PAGE_SIZE};
use crate::mm::untyped::MemError;
use crate::mm::vad::VadKind;
use crate::mm::vspace::AddressSpace;
use crate::ob::access::{AccessMask, GenericMapping};
use crate::ob::{Caller, ObjectAttributes, ObjectId, Opened, TypeDescriptor, TypeIndex};
use crate::ps::ntprocess::NtProcess;
use ntdef::memory::{MEM_TOP_DOWN, PAGE_READONLY};
use ntdef::status::*;
use ntdef::types::OBJECT_ATTRIBUTES;
use sel4::CapRights;

/// Section pages all sections together may have committed.
pub const SECTION_COMMIT_LIMIT: u64 = 512;
/// The executive's window for section shadows.
const SHADOW_BASE: usize = 0x5000_0000;
const SHADOW_END: usize = 0x5800_0000;
/// Frames come from blocks of this many bits.
const BLOCK_BITS: u8 = 16;
/// `PROCESS_VM_OPERATION`.
const PROCESS_VM_OPERATION: u32 = 0x0008;
/// `sizeof(SECTION_IMAGE_INFORMATION)`.
const IMAGE_INFORMATION_SIZE: usize = if W == 8 { 0x40 } else { 0x30 };
const W: usize = size_of::<usize>();

/// The generic mapping of "Section" (winnt.h: read = STANDARD_RIGHTS_READ |
/// SECTION_QUERY | SECTION_MAP_READ, write = STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
/// execute = STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, all = SECTION_ALL_ACCESS).
const SECTION_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0005),
    write: AccessMask(0x0002_0002),
    execute: AccessMask(0x0002_0008),
    all: AccessMask(rules::SECTION_ALL_ACCESS),
};

const RW: CapRights = CapRights::new(0, 1, 1);

/// One section's memory.
struct Section {
    spec: SectionSpec,
    /// The object still exists (handles or a name hold it).
    object: bool,
    /// Views mapped anywhere.
    views: usize,
    /// Section page → its frame cap and shadow address.
    frames: BTreeMap<u64, (Slot, usize)>,
    /// Committed pages of a SEC_RESERVE section (SEC_COMMIT: all).
    committed: BTreeSet<u64>,
    blocks: Vec<sel4::CPtr>,
    /// An image section: its layout (views are private copies of it).
    image: Option<alloc::boxed::Box<ImageLayout>>,
}

impl Section {
    fn is_committed(&self, page: u64) -> bool {
        self.spec.attributes & rules::SEC_COMMIT != 0 || self.committed.contains(&page)
    }

    fn charged(&self) -> u64 {
        if self.spec.attributes & rules::SEC_COMMIT != 0 {
            self.spec.size / PAGE_SIZE
        } else {
            self.committed.len() as u64
        }
    }
}

struct View {
    section: u32,
    /// The section page at the view's base.
    first: u64,
    end: usize,
}

/// Sections, their views and the executive's shadow window for their frames.
pub struct SectionState {
    ty: TypeIndex,
    bodies: BTreeMap<ObjectId, u32>,
    sections: BTreeMap<u32, Section>,
    next: u32,
    /// (process number, view base) → view.
    views: BTreeMap<(u32, usize), View>,
    exec: AddressSpace,
    next_shadow: usize,
    free_shadows: Vec<usize>,
    charged: u64,
    /// The executive's own handles (published sections such as `\\KnownDlls\\*`).
    own: Caller,
}

#[cfg(target_arch = "x86_64")]
const MACHINE: peimage::Machine = peimage::Machine::Amd64;
#[cfg(target_arch = "x86")]
const MACHINE: peimage::Machine = peimage::Machine::I386;

fn mm_status(e: MmError) -> NtStatus {
    match e {
        MmError::Slots(_) => STATUS_INSUFFICIENT_RESOURCES,
        _ => STATUS_NO_MEMORY,
    }
}

impl SectionState {
    /// Registers the "Section" type.
    pub fn new(ob: &mut ObState) -> Result<Self, NtStatus> {
        let ty = ob.om.register_type(TypeDescriptor {
            name: "Section",
            valid_access: AccessMask(rules::SECTION_ALL_ACCESS),
            mapping: SECTION_MAPPING,
            parses: false,
            // OBJ_OPENLINK, as for the other named kernel objects.
            invalid_attributes: 0x100,
            security_required: false,
            maintain_handle_count: true,
            pool_type: 1,
        })?;
        Ok(Self {
            ty,
            bodies: BTreeMap::new(),
            sections: BTreeMap::new(),
            next: 1,
            views: BTreeMap::new(),
            exec: AddressSpace::new(sel4::consts::CAP_INIT_THREAD_VSPACE),
            next_shadow: SHADOW_BASE,
            free_shadows: Vec::new(),
            charged: 0,
            own: Caller::new(ob.om.create_handle_table(64)),
        })
    }

    /// A page of the executive's VSpace for the frame `frame`, mapped read-write.
    pub fn map_in_executive(&mut self, mm: &mut Mm, frame: Slot) -> Result<usize, MmError> {
        let at = match self.free_shadows.pop() {
            Some(a) => a,
            None if self.next_shadow < SHADOW_END => {
                self.next_shadow += PAGE_SIZE as usize;
                self.next_shadow - PAGE_SIZE as usize
            }
            None => return Err(MmError::Memory(MemError::Exhausted { size_bits: 12 })),
        };
        if let Err(e) = self.exec.map(mm, Pool::General, frame, at, RW) {
            self.free_shadows.push(at);
            return Err(e);
        }
        Ok(at)
    }

    /// `Section::from_image`: an image section laid out from the PE file `file` (for
    /// this machine), made with `attributes` (named or not) and opened for `caller`.
    /// Views of it are private copies, relocated when not at the preferred base.
    pub fn create_image(
        &mut self,
        ob: &mut ObState,
        caller: &Caller,
        attributes: &ObjectAttributes<'_>,
        desired: u32,
        file: &[u8],
    ) -> Result<crate::ob::Created, NtStatus> {
        let layout = alloc::boxed::Box::new(ImageLayout::new(file, MACHINE)?);
        let c = ob
            .om
            .create_object(caller, self.ty, attributes, AccessMask(desired))?;
        if c.is_new() {
            let n = self.next;
            self.next = self.next.wrapping_add(1).max(1);
            let spec = SectionSpec {
                size: layout.bytes.len() as u64,
                attributes: rules::SEC_FILE | rules::SEC_IMAGE,
                protect: ntdef::memory::PAGE_EXECUTE_WRITECOPY,
            };
            self.sections.insert(
                n,
                Section {
                    spec,
                    object: true,
                    views: 0,
                    frames: BTreeMap::new(),
                    committed: BTreeSet::new(),
                    blocks: Vec::new(),
                    image: Some(layout),
                },
            );
            self.bodies.insert(c.object, n);
        }
        Ok(c)
    }

    /// Publishes the image `file` as `\KnownDlls\<name>`, held open by the executive
    /// (as Windows' session manager does for its known DLLs).
    pub fn publish_known_dll(
        &mut self,
        ob: &mut ObState,
        name: &str,
        file: &[u8],
    ) -> Result<(), NtStatus> {
        let path = crate::ob::name::wide(&alloc::format!("\\KnownDlls\\{name}"));
        let own = self.own;
        let attributes = ObjectAttributes::named(&path, crate::ob::OBJ_CASE_INSENSITIVE);
        self.create_image(ob, &own, &attributes, rules::SECTION_ALL_ACCESS, file)
            .map(|_| ())
    }

    /// Drops the sections whose object is gone and that no view uses; called by the
    /// service loop after every service and process exit (before `KeState::reap`,
    /// which takes every other deleted object).
    pub fn reap(&mut self, ob: &mut ObState, mm: &mut Mm) {
        for d in ob.take_reaped_of(self.ty) {
            if let Some(n) = self.bodies.remove(&d.id) {
                if let Some(s) = self.sections.get_mut(&n) {
                    s.object = false;
                }
                self.free_if_unused(mm, n);
            }
        }
    }

    /// Process `pid` is gone: its views no longer hold their sections (its cap copies
    /// went with it).
    pub fn process_gone(&mut self, mm: &mut Mm, pid: u32) {
        let gone: Vec<(u32, usize)> = self
            .views
            .range((pid, 0)..=(pid, usize::MAX))
            .map(|(k, _)| *k)
            .collect();
        for k in gone {
            if let Some(v) = self.views.remove(&k) {
                self.view_gone(mm, v.section);
            }
        }
    }

    fn view_gone(&mut self, mm: &mut Mm, n: u32) {
        if let Some(s) = self.sections.get_mut(&n) {
            s.views = s.views.saturating_sub(1);
        }
        self.free_if_unused(mm, n);
    }

    fn free_if_unused(&mut self, mm: &mut Mm, n: u32) {
        let unused = self
            .sections
            .get(&n)
            .is_some_and(|s| !s.object && s.views == 0);
        if !unused {
            return;
        }
        let Some(s) = self.sections.remove(&n) else {
            return;
        };
        self.charged = self.charged.saturating_sub(s.charged());
        for (_, (frame, shadow)) in s.frames {
            // Unmapped explicitly: deleting a mapped frame cap leaves the mapping.
            let _ = sel4::x86_page_unmap(frame);
            let _ = mm.delete(frame);
            self.free_shadows.push(shadow);
        }
        for b in s.blocks {
            let _ = mm.release(b);
        }
    }

    /// The frame of page `page` of section `n`, made (zeroed by the kernel) if new.
    fn frame(&mut self, mm: &mut Mm, n: u32, page: u64) -> Result<(Slot, usize), NtStatus> {
        let s = self.sections.get_mut(&n).ok_or(STATUS_INVALID_HANDLE)?;
        if let Some(f) = s.frames.get(&page) {
            return Ok(*f);
        }
        let slot = loop {
            let r = match s.blocks.last() {
                Some(&b) => mm.create(Pool::Reserved(b), ObjectKind::Frame),
                None => Err(MmError::Memory(MemError::ReservedFull {
                    cap: 0,
                    size_bits: 12,
                })),
            };
            match r {
                Ok(slot) => break slot,
                Err(MmError::Memory(MemError::ReservedFull { .. })) => {
                    // Recorded at once: released with the section whatever happens.
                    let (b, _) = mm.reserve(BLOCK_BITS).map_err(mm_status)?;
                    s.blocks.push(b);
                }
                Err(e) => return Err(mm_status(e)),
            }
        };
        let shadow = match self.map_in_executive(mm, slot) {
            Ok(a) => a,
            Err(e) => {
                let _ = mm.delete(slot);
                return Err(mm_status(e));
            }
        };
        if let Some(s) = self.sections.get_mut(&n) {
            s.frames.insert(page, (slot, shadow));
        }
        Ok((slot, shadow))
    }

    fn section_of(
        &self,
        ob: &ObState,
        caller: &Caller,
        handle: usize,
        access: u32,
    ) -> Result<u32, NtStatus> {
        let entry = ob.om.object_by_handle(
            caller,
            handle_from_word(handle),
            Some(self.ty),
            AccessMask(access),
        )?;
        self.bodies
            .get(&entry.object)
            .copied()
            .ok_or(STATUS_INVALID_HANDLE)
    }
}

/// The process a handle names (`PROCESS_VM_OPERATION`): `None` for the caller.
fn target_pid(cx: &mut Context<'_>, handle: usize) -> Result<Option<u32>, NtStatus> {
    if handle == ntsvc::NT_CURRENT_PROCESS {
        return Ok(None);
    }
    let entry = cx.ob.om.object_by_handle(
        &cx.caller,
        handle_from_word(handle),
        Some(cx.ob.process_type()),
        AccessMask(PROCESS_VM_OPERATION),
    )?;
    let pid = cx
        .ps
        .process_by_object(entry.object)
        .ok_or(STATUS_INVALID_HANDLE)?;
    if pid == cx.process.pid {
        Ok(None)
    } else if cx.others.contains_key(&pid) {
        Ok(Some(pid))
    } else {
        Err(STATUS_PROCESS_IS_TERMINATING)
    }
}

/// Writes into the caller, backing untouched committed pages first.
fn put(cx: &mut Context<'_>, at: usize, data: &[u8]) -> Result<(), NtStatus> {
    cx.process
        .ensure_backed(cx.mm, cx.shadows, at, data.len())?;
    cx.process.write(at, data)
}

fn probe_rw(cx: &mut Context<'_>, at: usize, len: usize, align: usize) -> Result<(), NtStatus> {
    probe(at, len, align)?;
    cx.process.ensure_backed(cx.mm, cx.shadows, at, len)?;
    if cx.process.accessible(at, len, true) < len {
        return Err(STATUS_ACCESS_VIOLATION);
    }
    Ok(())
}

/// `NtCreateSection`.
#[allow(clippy::too_many_arguments)]
pub fn create(
    cx: &mut Context<'_>,
    out: usize,
    desired: u32,
    attributes: usize,
    max_size: usize,
    protect: u32,
    alloc_attributes: u32,
    file: usize,
) -> NtStatus {
    let r = (|| {
        rules::check_attributes(alloc_attributes)?;
        let out = UserPtr::<ntsvc::HANDLE>::required(out)?;
        let attributes = UserPtr::<OBJECT_ATTRIBUTES>::optional(attributes)?;
        // LARGE_INTEGER, probed with ULONG alignment.
        let size = if max_size == 0 {
            None
        } else {
            probe(max_size, 8, 4)?;
            let mut b = [0u8; 8];
            cx.process.read(max_size, &mut b)?;
            Some(i64::from_le_bytes(b))
        };
        if !rules::valid_section_protection(protect) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if file != 0 {
            cx.ob
                .om
                .resolve_handle(&cx.caller, handle_from_word(file))?;
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let st = &mut *cx.sections;
        let room = SECTION_COMMIT_LIMIT.saturating_sub(st.charged);
        let spec = rules::check_pagefile(alloc_attributes, protect, size, room)?;
        let captured = attributes
            .map(|a| capture_attributes(&*cx.process, a))
            .transpose()?;
        let view = captured
            .as_ref()
            .map_or(ObjectAttributes::default(), |c| c.view());
        let c = cx
            .ob
            .om
            .create_object(&cx.caller, st.ty, &view, AccessMask(desired))?;
        if c.is_new() {
            let n = st.next;
            st.next = st.next.wrapping_add(1).max(1);
            let s = Section {
                spec,
                object: true,
                views: 0,
                frames: BTreeMap::new(),
                committed: BTreeSet::new(),
                blocks: Vec::new(),
                image: None,
            };
            st.charged += s.charged();
            st.sections.insert(n, s);
            st.bodies.insert(c.object, n);
        }
        cx.process.ensure_backed(cx.mm, cx.shadows, out.addr(), W)?;
        return_handle(cx.ob, &cx.caller, &*cx.process, out, c.handle)?;
        Ok(c.status)
    })();
    cx.sections.reap(cx.ob, cx.mm);
    r.unwrap_or_else(|s| s)
}

/// `NtOpenSection`.
pub fn open(
    cx: &mut Context<'_>,
    out: UserPtr<ntsvc::HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> NtStatus {
    let r = (|| {
        let a = capture_attributes(&*cx.process, attributes)?;
        let opened = cx.ob.om.open_object_by_name(
            &cx.caller,
            &a.view(),
            Some(cx.sections.ty),
            AccessMask(desired),
        )?;
        match opened {
            Opened::Handle { handle, .. } => {
                cx.process.ensure_backed(cx.mm, cx.shadows, out.addr(), W)?;
                return_handle(cx.ob, &cx.caller, &*cx.process, out, handle)?;
                Ok(STATUS_SUCCESS)
            }
            Opened::Parse { .. } => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    })();
    cx.sections.reap(cx.ob, cx.mm);
    r.unwrap_or_else(|s| s)
}

/// The arguments of `NtMapViewOfSection`.
pub struct MapArgs {
    pub section: usize,
    pub process: usize,
    pub base: usize,
    pub zero_bits: usize,
    pub commit: usize,
    pub offset: usize,
    pub view_size: usize,
    pub inherit: u32,
    pub alloc_type: u32,
    pub protect: u32,
}

/// `NtMapViewOfSection`.
pub fn map_view(cx: &mut Context<'_>, a: &MapArgs) -> NtStatus {
    map_view_inner(cx, a).unwrap_or_else(|s| s)
}

fn map_view_inner(cx: &mut Context<'_>, a: &MapArgs) -> Result<NtStatus, NtStatus> {
    rules::check_map_arguments(a.inherit, a.alloc_type, a.protect, a.zero_bits)?;
    probe_rw(cx, a.base, W, W)?;
    if a.offset != 0 {
        probe_rw(cx, a.offset, 8, 4)?;
    }
    probe_rw(cx, a.view_size, W, W)?;
    let want_base = cx.process.read_word(a.base)?;
    let want_size = cx.process.read_word(a.view_size)?;
    let offset = if a.offset == 0 {
        0
    } else {
        let mut b = [0u8; 8];
        cx.process.read(a.offset, &mut b)?;
        i64::from_le_bytes(b)
    };
    rules::check_base(want_base, want_size, ntsvc::USER_LIMIT)?;
    let pid = target_pid(cx, a.process)?;
    let access = rules::map_access(a.protect);
    let n = cx
        .sections
        .section_of(cx.ob, &cx.caller, a.section, access)?;
    let spec = cx
        .sections
        .sections
        .get(&n)
        .map(|s| s.spec)
        .ok_or(STATUS_INVALID_HANDLE)?;
    if !rules::compatible(spec.protect, a.protect) {
        return Err(STATUS_SECTION_PROTECTION);
    }
    if spec.attributes & rules::SEC_IMAGE != 0 {
        return map_image_view(cx, a, n, pid, want_base);
    }
    let span = rules::view_span(spec.size, offset, want_size)?;
    let first = span.offset / PAGE_SIZE;
    let pages = (span.size / PAGE_SIZE as usize) as u64;
    // SEC_RESERVE: CommitSize pages from the view's start become committed.
    if spec.attributes & rules::SEC_RESERVE != 0 {
        let want = (a.commit.min(span.size) as u64).div_ceil(PAGE_SIZE);
        if want > SECTION_COMMIT_LIMIT {
            return Err(STATUS_COMMITMENT_LIMIT);
        }
        let st = &mut *cx.sections;
        let s = st.sections.get(&n).ok_or(STATUS_INVALID_HANDLE)?;
        let newly = (first..first + want)
            .filter(|p| !s.committed.contains(p))
            .count() as u64;
        if st.charged + newly > SECTION_COMMIT_LIMIT {
            return Err(STATUS_COMMITMENT_LIMIT);
        }
        st.charged += newly;
        if let Some(s) = st.sections.get_mut(&n) {
            s.committed.extend(first..first + want);
        }
    }
    let top_down = a.alloc_type & MEM_TOP_DOWN != 0;
    let (mm, sections) = (&mut *cx.mm, &mut *cx.sections);
    let mut other = None;
    let p: &mut NtProcess = match pid {
        None => &mut *cx.process,
        Some(p) => &mut *other.insert(borrow_other(cx.others, p)?),
    };
    let start = p.vads.insert_view(
        want_base,
        span.size,
        top_down,
        a.zero_bits,
        a.protect,
        spec.protect,
        0,
    )?;
    let end = start + span.size;
    // The committed pages of the span (a SEC_COMMIT section is within the commit limit;
    // a SEC_RESERVE one has at most that many committed pages).
    let committed: Vec<u64> = match sections.sections.get(&n) {
        Some(s) if s.spec.attributes & rules::SEC_COMMIT != 0 => (first..first + pages).collect(),
        Some(s) => s.committed.range(first..first + pages).copied().collect(),
        None => Vec::new(),
    };
    let mapped = (|| -> Result<(), NtStatus> {
        for page in committed {
            let i = page - first;
            let va = start + (i as usize) * PAGE_SIZE as usize;
            p.vads
                .commit_fixed(va, va + PAGE_SIZE as usize, a.protect)?;
            let (frame, shadow) = sections.frame(mm, n, page)?;
            let max_writable = rules::writable(spec.protect);
            p.map_shared(mm, va, frame, shadow, a.protect, max_writable)
                .map_err(mm_status)?;
        }
        Ok(())
    })();
    if let Err(s) = mapped {
        let _ = p.unmap_shared(mm, start, end);
        p.vads.remove_view(start, false);
        return Err(s);
    }
    sections.views.insert(
        (p.pid, start),
        View {
            section: n,
            first,
            end,
        },
    );
    if let Some(s) = sections.sections.get_mut(&n) {
        s.views += 1;
    }
    // The view stays even if the caller's out words fault (as Windows' SEH does).
    put(cx, a.base, &start.to_le_bytes())?;
    put(cx, a.view_size, &span.size.to_le_bytes())?;
    if a.offset != 0 {
        put(cx, a.offset, &(span.offset as i64).to_le_bytes())?;
    }
    Ok(STATUS_SUCCESS)
}

/// A view of an image section: the whole image, a private copy, at BaseAddress if
/// given, else at its preferred base if free (else anywhere, relocated:
/// STATUS_IMAGE_NOT_AT_BASE, as Windows reports a moved image).
fn map_image_view(
    cx: &mut Context<'_>,
    a: &MapArgs,
    n: u32,
    pid: Option<u32>,
    want_base: usize,
) -> Result<NtStatus, NtStatus> {
    let (mm, shadows, sections) = (&mut *cx.mm, &mut *cx.shadows, &mut *cx.sections);
    let layout = sections
        .sections
        .get(&n)
        .and_then(|s| s.image.as_deref())
        .ok_or(STATUS_INVALID_HANDLE)?;
    let mut other = None;
    let p: &mut NtProcess = match pid {
        None => &mut *cx.process,
        Some(p) => &mut *other.insert(borrow_other(cx.others, p)?),
    };
    let size = layout.bytes.len();
    let fits = |b: usize| {
        b % rules::GRANULARITY as usize == 0
            && b >= 0x1_0000
            && b.checked_add(size).is_some_and(|e| e <= ntsvc::USER_LIMIT)
            && !p.vads.overlaps(b, b + size)
    };
    let preferred = usize::try_from(layout.preferred_base).ok();
    let start = if want_base != 0 {
        if !fits(want_base) {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        want_base
    } else if let Some(b) = preferred.filter(|&b| fits(b)) {
        b
    } else {
        let top_down = a.alloc_type & MEM_TOP_DOWN != 0;
        p.vads
            .place(size, top_down, a.zero_bits)
            .ok_or(STATUS_NO_MEMORY)?
    };
    let bytes = layout.at(start as u64)?;
    let end = start + size;
    p.vads.insert_fixed(
        start,
        end,
        VadKind::Image,
        ntdef::memory::PAGE_EXECUTE_WRITECOPY,
    )?;
    let page = PAGE_SIZE as usize;
    let mapped = (|| -> Result<(), NtStatus> {
        for (i, chunk) in bytes.chunks(page).enumerate() {
            let va = start + i * page;
            let protect = layout.protect.get(i).copied().unwrap_or(PAGE_READONLY);
            p.vads.commit_fixed(va, va + page, protect)?;
            p.map_private_copy(mm, shadows, va, chunk, rules::writable(protect))
                .map_err(|_| STATUS_NO_MEMORY)?;
        }
        Ok(())
    })();
    if let Err(s) = mapped {
        p.unback(start, end);
        p.vads.remove_view(start, true);
        return Err(s);
    }
    let moved = Some(start) != preferred;
    sections.views.insert(
        (p.pid, start),
        View {
            section: n,
            first: 0,
            end,
        },
    );
    if let Some(s) = sections.sections.get_mut(&n) {
        s.views += 1;
    }
    put(cx, a.base, &start.to_le_bytes())?;
    put(cx, a.view_size, &size.to_le_bytes())?;
    Ok(if moved {
        STATUS_IMAGE_NOT_AT_BASE
    } else {
        STATUS_SUCCESS
    })
}

/// `NtUnmapViewOfSection`: any address inside the view names it.
pub fn unmap_view(cx: &mut Context<'_>, process: usize, base: usize) -> NtStatus {
    NtStatus::from_result((|| {
        let pid = target_pid(cx, process)?;
        let (mm, sections) = (&mut *cx.mm, &mut *cx.sections);
        let mut other = None;
        let p: &mut NtProcess = match pid {
            None => &mut *cx.process,
            Some(p) => &mut *other.insert(borrow_other(cx.others, p)?),
        };
        // Image views are the image sections' (not the loader's images).
        let image = p.vads.vad_at(base).is_some_and(|v| {
            v.kind == VadKind::Image && sections.views.contains_key(&(p.pid, v.base))
        });
        let (start, end) = p
            .vads
            .remove_view(base, image)
            .ok_or(STATUS_NOT_MAPPED_VIEW)?;
        if !image {
            let _ = p.unmap_shared(mm, start, end);
        }
        // Image views and copied-on-write view pages are private frames.
        p.unback(start, end);
        if let Some(v) = sections.views.remove(&(p.pid, start)) {
            debug_assert_eq!(v.end, end);
            sections.view_gone(mm, v.section);
        }
        Ok(())
    })())
}

/// `NtQuerySection`: class, then length, then the buffer, then the handle.
pub fn query(
    cx: &mut Context<'_>,
    handle: usize,
    class: u32,
    buffer: usize,
    length: usize,
    returned: usize,
) -> NtStatus {
    NtStatus::from_result((|| {
        let need = match class {
            rules::SECTION_BASIC_INFORMATION => {
                if W == 8 {
                    24
                } else {
                    16
                }
            }
            rules::SECTION_IMAGE_INFORMATION => IMAGE_INFORMATION_SIZE,
            _ => return Err(STATUS_INVALID_INFO_CLASS),
        };
        if length < need {
            return Err(STATUS_INFO_LENGTH_MISMATCH);
        }
        probe_rw(cx, buffer, length, W)?;
        if returned != 0 {
            probe_rw(cx, returned, W, W)?;
        }
        let n = cx
            .sections
            .section_of(cx.ob, &cx.caller, handle, rules::SECTION_QUERY)?;
        let s = cx.sections.sections.get(&n).ok_or(STATUS_INVALID_HANDLE)?;
        let spec = s.spec;
        if class == rules::SECTION_IMAGE_INFORMATION {
            let l = s.image.as_deref().ok_or(STATUS_SECTION_NOT_IMAGE)?;
            let info = rules::image_information(&l.info, l.preferred_base, W == 8);
            put(cx, buffer, &info)?;
            if returned != 0 {
                put(cx, returned, &need.to_le_bytes())?;
            }
            return Ok(());
        }
        let info = rules::basic_information(spec.attributes, spec.size, W == 8);
        put(cx, buffer, &info)?;
        if returned != 0 {
            put(cx, returned, &need.to_le_bytes())?;
        }
        Ok(())
    })())
}

/// `NtExtendSection`: only file-backed data sections grow in Windows; a pagefile-backed
/// one answers STATUS_SECTION_NOT_EXTENDED (WRK `NtExtendSection`).
pub fn extend(cx: &mut Context<'_>, handle: usize, new_size: UserPtr<i64>) -> NtStatus {
    NtStatus::from_result((|| {
        let mut b = [0u8; 8];
        cx.process.read(new_size.addr(), &mut b)?;
        cx.sections
            .section_of(cx.ob, &cx.caller, handle, rules::SECTION_EXTEND_SIZE)?;
        Err(STATUS_SECTION_NOT_EXTENDED)
    })())
}

/// `NtAllocateVirtualMemory(MEM_COMMIT)` inside a view of the caller's: `None` when the
/// range is not in a view (the private-memory path answers). Committing is
/// section-wide, as in Windows (ReactOS NtMapViewOfSection test: a page committed
/// through one view is accessible through the other): newly committed pages appear in
/// every view of the section, with each view's protection; pages in the caller's range
/// get `protect` (re-committing changes the protection).
pub fn commit_in_view(
    cx: &mut Context<'_>,
    process: usize,
    base: usize,
    size: usize,
    alloc_type: u32,
    protect: u32,
) -> Option<NtStatus> {
    if process != ntsvc::NT_CURRENT_PROCESS || alloc_type != ntdef::memory::MEM_COMMIT {
        return None;
    }
    let want_base = cx.process.read_word(base).ok()?;
    let want_size = cx.process.read_word(size).ok()?;
    if want_base == 0 || want_size == 0 {
        return None;
    }
    let vbase = match cx.process.vads.vad_at(want_base)?.kind {
        VadKind::Mapped { .. } => cx.process.vads.vad_at(want_base)?.base,
        _ => return None,
    };
    Some(NtStatus::from_result(commit_view_range(
        cx, base, size, vbase, want_base, want_size, protect,
    )))
}

#[allow(clippy::too_many_arguments)]
fn commit_view_range(
    cx: &mut Context<'_>,
    base_ptr: usize,
    size_ptr: usize,
    vbase: usize,
    want_base: usize,
    want_size: usize,
    protect: u32,
) -> Result<(), NtStatus> {
    if !rules::valid_view_protection(protect) {
        return Err(STATUS_INVALID_PAGE_PROTECTION);
    }
    probe_rw(cx, base_ptr, W, W)?;
    probe_rw(cx, size_ptr, W, W)?;
    let vend = cx
        .process
        .vads
        .vad_at(vbase)
        .map(|v| v.end)
        .ok_or(STATUS_CONFLICTING_ADDRESSES)?;
    let start = want_base & !(PAGE_SIZE as usize - 1);
    let end = want_base
        .checked_add(want_size)
        .ok_or(STATUS_INVALID_PARAMETER_4)?
        .next_multiple_of(PAGE_SIZE as usize);
    // ReactOS test: past the view's end is STATUS_CONFLICTING_ADDRESSES.
    if end > vend {
        return Err(STATUS_CONFLICTING_ADDRESSES);
    }
    let pid = cx.process.pid;
    let (n, first) = cx
        .sections
        .views
        .get(&(pid, vbase))
        .map(|v| (v.section, v.first))
        .ok_or(STATUS_CONFLICTING_ADDRESSES)?;
    let spec = cx
        .sections
        .sections
        .get(&n)
        .map(|s| s.spec)
        .ok_or(STATUS_CONFLICTING_ADDRESSES)?;
    if rules::writable(protect) && !rules::writable(spec.protect) {
        return Err(STATUS_SECTION_PROTECTION);
    }
    let s0 = first + ((start - vbase) as u64) / PAGE_SIZE;
    let s1 = first + ((end - vbase) as u64) / PAGE_SIZE;
    if s1 - s0 > SECTION_COMMIT_LIMIT {
        return Err(STATUS_COMMITMENT_LIMIT);
    }
    // Charge the pages that become committed.
    let newly: Vec<u64> = {
        let s = cx
            .sections
            .sections
            .get(&n)
            .ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        (s0..s1).filter(|&p| !s.is_committed(p)).collect()
    };
    let st = &mut *cx.sections;
    if st.charged + newly.len() as u64 > SECTION_COMMIT_LIMIT {
        return Err(STATUS_COMMITMENT_LIMIT);
    }
    st.charged += newly.len() as u64;
    if let Some(s) = st.sections.get_mut(&n) {
        s.committed.extend(newly.iter().copied());
    }
    let max_writable = rules::writable(spec.protect);
    // The new pages in every view of the section.
    let views: Vec<(u32, usize, u64, usize)> = st
        .views
        .iter()
        .filter(|(_, v)| v.section == n)
        .map(|(&(p, b), v)| (p, b, v.first, v.end))
        .collect();
    for (vp, vb, vfirst, vend) in views {
        let mut other = None;
        let p: &mut NtProcess = if vp == pid {
            &mut *cx.process
        } else {
            match borrow_other(cx.others, vp) {
                Ok(p) => &mut *other.insert(p),
                Err(_) => continue,
            }
        };
        let view_protect = p.vads.vad_at(vb).map_or(0, |v| v.alloc_protect);
        for &page in &newly {
            if page < vfirst {
                continue;
            }
            let va = vb + ((page - vfirst) * PAGE_SIZE) as usize;
            if va >= vend || (vp == pid && vb == vbase) {
                continue;
            }
            p.vads
                .commit_fixed(va, va + PAGE_SIZE as usize, view_protect)?;
            let (frame, shadow) = cx.sections.frame(cx.mm, n, page)?;
            p.map_shared(cx.mm, va, frame, shadow, view_protect, max_writable)
                .map_err(mm_status)?;
        }
    }
    // The caller's range: new pages mapped, old ones given `protect`.
    let p = &mut *cx.process;
    p.vads.commit_fixed(start, end, protect)?;
    for (i, page) in (s0..s1).enumerate() {
        let va = start + i * PAGE_SIZE as usize;
        if newly.contains(&page) {
            let (frame, shadow) = cx.sections.frame(cx.mm, n, page)?;
            p.map_shared(cx.mm, va, frame, shadow, protect, max_writable)
                .map_err(mm_status)?;
        }
    }
    p.reprotect(start, end)?;
    put(cx, base_ptr, &start.to_le_bytes())?;
    put(cx, size_ptr, &(end - start).to_le_bytes())
}
