//! A process: its own VSpace (with an ASID), CNode and one thread.
//!
//! All objects of a process come from one reserved untyped, so tearing it
//! down is a revoke of that untyped, after which the memory is recycled
//! for the next process. The code it runs is the executive's own image
//! (`ps::client`), mapped read-only at the same virtual addresses through
//! copies of the root task's image frame caps.

use super::client;
use super::protocol::{Badge, BadgeKind, Word};
use crate::mm::cspace::Slot;
use crate::mm::kobj::{check, Mm, MmError, ObjectKind, Pool, ROOT_CNODE, ROOT_DEPTH};
use crate::mm::paging::PAGE_SIZE;
use crate::mm::vspace::AddressSpace;
use alloc::vec::Vec;
use core::ops::Range;
use sel4::{CPtr, CapData, CapRights, UserContext};

/// 64 KiB per process: VSpace root and up to 5 tables (20 KiB on x86_64),
/// 4 stack pages and the IPC buffer (20 KiB), TCB (2 KiB) and CNode
/// (512 B), with room for the image to span one more page table.
pub const UNTYPED_BITS: u8 = 16;
/// 16 slots; the process uses two.
pub const CNODE_RADIX: u8 = 4;
/// The executive's own (the root task's, 255). seL4 5.0 takes its IPC
/// fastpath only towards a thread of at least the sender's priority, for
/// Call (fastpath.c: dest prio < current → slowpath) and for ReplyRecv
/// (caller prio < current → slowpath), so only equal priorities keep both
/// directions of a request on the fastpath.
pub const PRIORITY: u8 = 255;
/// Stack pages sit above an unmapped guard page.
pub const STACK_BOTTOM: usize = 0x1000_1000;
pub const STACK_PAGES: usize = 4;
pub const IPC_BUFFER: usize = 0x1000_6000;

/// What a process needs of the executive's image.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Caps (root CNode) of the image frames, one per page from `start`.
    pub frames: Range<CPtr>,
    /// Virtual address of the first image page.
    pub start: usize,
    /// End of the part processes map (code, read-only data, data; not the
    /// .bss with the executive's stack and heap).
    pub shared_end: usize,
}

pub struct Process {
    pub pid: u32,
    untyped: CPtr,
    /// Whether the untyped was recycled from an earlier process.
    pub reused_memory: bool,
    /// Root-CNode slots holding caps to objects made from `untyped`.
    objects: Vec<Slot>,
    /// Root-CNode slots holding copies of image frame caps.
    image_copies: Vec<Slot>,
    tcb: Option<CPtr>,
    vspace: Option<AddressSpace>,
}

impl Process {
    /// Builds and starts a process whose thread runs `ps::client` with the
    /// two start arguments. On failure everything built so far is undone.
    pub fn spawn(
        mm: &mut Mm,
        image: &ImageInfo,
        endpoint: CPtr,
        pid: u32,
        args: [Word; 2],
    ) -> Result<Process, MmError> {
        let (untyped, reused_memory) = mm.reserve(UNTYPED_BITS)?;
        let mut p = Process {
            pid,
            untyped,
            reused_memory,
            objects: Vec::new(),
            image_copies: Vec::new(),
            tcb: None,
            vspace: None,
        };
        match p.build(mm, image, endpoint, args) {
            Ok(()) => Ok(p),
            Err(e) => {
                let _ = p.terminate(mm);
                Err(e)
            }
        }
    }

    fn new_object(&mut self, mm: &mut Mm, kind: ObjectKind) -> Result<Slot, MmError> {
        let slot = mm.create(Pool::Reserved(self.untyped), kind)?;
        self.objects.push(slot);
        Ok(slot)
    }

    fn build(
        &mut self,
        mm: &mut Mm,
        image: &ImageInfo,
        endpoint: CPtr,
        args: [Word; 2],
    ) -> Result<(), MmError> {
        let pool = Pool::Reserved(self.untyped);
        // Page-sized objects first: each is then naturally aligned and the
        // reserved untyped has no alignment holes.
        let root = self.new_object(mm, ObjectKind::VSpaceRoot)?;
        check(
            "X86_ASIDPool_Assign",
            sel4::x86_asid_pool_assign(sel4::consts::CAP_INIT_THREAD_ASID_POOL, root),
        )?;
        let stack: Vec<Slot> = (0..STACK_PAGES)
            .map(|_| self.new_object(mm, ObjectKind::Frame))
            .collect::<Result<_, _>>()?;
        let ipc = self.new_object(mm, ObjectKind::Frame)?;
        let tcb = self.new_object(mm, ObjectKind::Tcb)?;
        self.tcb = Some(tcb);
        let cnode = self.new_object(mm, ObjectKind::CNode { radix: CNODE_RADIX })?;

        // Tables are created on the way and recorded in the address space,
        // which `terminate` empties even after a failure half-way.
        let vspace = self.vspace.insert(AddressSpace::new(root));
        // The executive's image, read-only.
        let pages = (image.shared_end - image.start) / PAGE_SIZE;
        for (i, frame) in image.frames.clone().take(pages).enumerate() {
            let copy = mm.copy(frame, CapRights::new(0, 1, 1))?;
            self.image_copies.push(copy);
            vspace.map(
                mm,
                pool,
                copy,
                image.start + i * PAGE_SIZE,
                CapRights::new(0, 1, 0),
            )?;
        }
        let rw = CapRights::new(0, 1, 1);
        for (i, &frame) in stack.iter().enumerate() {
            vspace.map(mm, pool, frame, STACK_BOTTOM + i * PAGE_SIZE, rw)?;
        }
        vspace.map(mm, pool, ipc, IPC_BUFFER, rw)?;

        // Two badged copies of the executive's endpoint: requests and faults.
        // Write + grant: Call (and fault delivery) need grant for the reply.
        let send_grant = CapRights::new(1, 0, 1);
        for (cptr, kind) in [
            (client::REQUEST_CPTR, BadgeKind::Request),
            (client::FAULT_CPTR, BadgeKind::Fault),
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

        // The guard makes a CPtr resolve after exactly word-size bits:
        // (word - radix) zero bits of guard, then the radix.
        let guard = CapData::new_guard(0, usize::from(ROOT_DEPTH) - usize::from(CNODE_RADIX));
        check(
            "TCB_Configure",
            sel4::tcb_configure(
                tcb,
                client::FAULT_CPTR,
                sel4::PrioProps::new(0, PRIORITY.into()),
                cnode,
                guard,
                root,
                CapData::new_badge(0),
                IPC_BUFFER,
                ipc,
            ),
        )?;
        if sel4::config::DEBUG_BUILD {
            sel4::debug_name_thread(tcb, &alloc::format!("process{}", self.pid));
        }
        let mut regs = UserContext::default();
        set_start_registers(
            &mut regs,
            client::entry_point(),
            STACK_BOTTOM + STACK_PAGES * PAGE_SIZE,
            args,
        );
        let count = core::mem::size_of::<UserContext>() / core::mem::size_of::<Word>();
        check(
            "TCB_WriteRegisters",
            sel4::tcb_write_registers(tcb, true, 0, count, &regs),
        )
    }

    /// Stops the thread, deletes every cap of the process and returns its
    /// memory and slots. Goes on after errors and reports the first.
    pub fn terminate(mut self, mm: &mut Mm) -> Result<(), MmError> {
        let mut first: Result<(), MmError> = Ok(());
        let mut note = |r: Result<(), MmError>| {
            if first.is_ok() {
                first = r;
            }
        };
        if let Some(tcb) = self.tcb {
            note(check("TCB_Suspend", sel4::tcb_suspend(tcb)));
        }
        for slot in self.image_copies.drain(..) {
            note(mm.delete(slot));
        }
        if let Some(mut v) = self.vspace.take() {
            self.objects.extend(v.take_table_slots());
        }
        // Revoke deletes every cap derived from the untyped, i.e. all objects.
        note(mm.release(self.untyped));
        for slot in self.objects.drain(..) {
            note(mm.slots.free(slot).map_err(MmError::from));
        }
        first
    }
}

#[cfg(target_arch = "x86_64")]
fn set_start_registers(r: &mut UserContext, ip: usize, sp: usize, args: [Word; 2]) {
    r.rip = ip;
    r.rsp = sp;
    r.rdi = args[0];
    r.rsi = args[1];
}

#[cfg(target_arch = "x86")]
fn set_start_registers(r: &mut UserContext, ip: usize, sp: usize, args: [Word; 2]) {
    r.eip = ip;
    r.esp = sp;
    r.eax = args[0];
    r.edx = args[1];
    // A new ia32 TCB starts with FS null; seL4 5.0 bases the IPC-buffer GDT
    // selector (0x3B) at the thread's IPC buffer, the segment the TEB will
    // use, so set it before the thread runs.
    r.fs = sel4::consts::IPCBUF_GDT_SELECTOR;
}
