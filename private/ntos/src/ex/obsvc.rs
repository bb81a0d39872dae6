//! The object-manager system services at the ABI edge: capture the caller's arguments
//! (each once, probed), call `ob`'s service-shaped functions, marshal the answers in
//! Windows' layouts for the caller's pointer width.
//!
//! Pure logic over a [`ClientMemory`] (the NT process's shadow-mapped copy routines in
//! the executive, a fake in host tests).
//!
//! Decisions (documented here once):
//! - **Privileges.** Boot-archive programs stand for Windows' boot-time native
//!   processes, which run as LocalSystem, whose token holds
//!   `SeCreatePermanentPrivilege` enabled: `OBJ_PERMANENT` is honoured for them.
//! - **Security descriptors** in `OBJECT_ATTRIBUTES` are ignored (no security yet);
//!   `OBJ_KERNEL_HANDLE` from user mode is cleared, as the user-mode capture drops it.
//! - **Processes and threads** are objects of the types "Process" and "Thread"; each
//!   NT process has one of each, held by a handle in the executive's own (system)
//!   table, and its own handle table. `NtCurrentProcess()`/`NtCurrentThread()`
//!   resolve to them; `NtDuplicateObject` of a pseudo-handle makes a real handle.
//! - `NtDuplicateObject` accepts only the caller's own process as source and target
//!   (the only process objects a process can name today).

use alloc::vec;
use alloc::vec::Vec;

use crate::ke::probe::{probe, UserPtr};
use crate::ob::access::{AccessMask, GenericMapping};
use crate::ob::{
    self, Caller, Handle, ObjectAttributes, ObjectId, ObjectInformation, ObjectInformationClass,
    ObjectManager, PointerWidth, TableId, TypeDescriptor, TypeIndex, OBJ_KERNEL_HANDLE,
    OBJ_VALID_ATTRIBUTES,
};
use ntdef::status::{
    NtStatus, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER, STATUS_MORE_ENTRIES,
    STATUS_NO_MORE_ENTRIES, STATUS_OBJECT_NAME_INVALID, STATUS_PROCESS_IS_TERMINATING,
    STATUS_SUCCESS,
};
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};

/// Copies to and from the calling process's memory (every page checked first).
pub trait ClientMemory {
    fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus>;
    fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus>;
}

const WORD: usize = size_of::<usize>();

/// The caller's pointer width: the executive serves clients of its own architecture.
#[cfg(target_pointer_width = "64")]
pub const WIDTH: PointerWidth = PointerWidth::Bits64;
#[cfg(target_pointer_width = "32")]
pub const WIDTH: PointerWidth = PointerWidth::Bits32;

/// `PROCESS_DUP_HANDLE`.
pub const PROCESS_DUP_HANDLE: AccessMask = AccessMask(0x0040);
/// `PROCESS_ALL_ACCESS` / `THREAD_ALL_ACCESS` (Vista and later):
/// `STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF`.
pub const PROCESS_ALL_ACCESS: AccessMask = AccessMask(0x001F_FFFF);
pub const THREAD_ALL_ACCESS: AccessMask = AccessMask(0x001F_FFFF);
/// `OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF`: the `InvalidAttributes` Windows
/// reports for the Process and Thread types (`ObjectTypeInformation`).
const PROCESS_INVALID_ATTRIBUTES: u32 = 0xB0;

/// The generic mappings Windows 10 reports for "Process" and "Thread" in
/// `OBJECT_TYPE_INFORMATION.GenericMapping`.
const PROCESS_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0410),
    write: AccessMask(0x0002_0BEA),
    execute: AccessMask(0x0012_1000),
    all: PROCESS_ALL_ACCESS,
};
const THREAD_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0048),
    write: AccessMask(0x0002_0037),
    execute: AccessMask(0x0012_1800),
    all: THREAD_ALL_ACCESS,
};

/// A client `HANDLE` word as the object manager's handle (32-bit values sign-extend,
/// so `NtCurrentProcess()` is the same pseudo-handle on both arches).
pub fn handle_from_word(w: usize) -> Handle {
    #[cfg(target_pointer_width = "32")]
    {
        Handle::from_raw32(w as u32)
    }
    #[cfg(target_pointer_width = "64")]
    {
        Handle(w as u64)
    }
}

fn handle_to_word(h: Handle) -> usize {
    h.0 as usize
}

/// The object manager with the executive's own handle table and the process types.
pub struct ObState {
    pub om: ObjectManager,
    system: Caller,
    process_type: TypeIndex,
    thread_type: TypeIndex,
    /// Objects of external types whose last reference went, for their owners
    /// (`ex::kesvc` frees dispatcher bodies) to collect with [`ObState::take_reaped`].
    reaped: Vec<ob::DeletedObject>,
}

/// One NT process's object-manager identity.
#[derive(Clone, Copy, Debug)]
pub struct ProcessIdentity {
    /// Its handle table, process and (first) thread objects and privileges.
    pub caller: Caller,
    process_handle: Handle,
    /// The system's reference to the first thread, until
    /// [`ObState::split_first_thread`] hands it over.
    thread_handle: Option<Handle>,
}

/// One NT thread's object, referenced by the system while the thread runs.
#[derive(Clone, Copy, Debug)]
pub struct ThreadIdentity {
    pub object: ObjectId,
    handle: Handle,
}

impl ProcessIdentity {
    /// What thread `thread` of this process is as a caller: the process's handle table
    /// and privileges, `NtCurrentThread()` naming `thread`.
    pub fn caller_for(&self, thread: ObjectId) -> Caller {
        Caller {
            thread: Some(thread),
            ..self.caller
        }
    }
}

impl ObState {
    pub fn new() -> Result<Self, NtStatus> {
        let mut om = ObjectManager::new()?;
        let table = om.create_handle_table(ob::DEFAULT_HANDLE_LIMIT);
        let mut system = Caller::new(table);
        system.privileges.create_permanent = true;
        let process_type = om.register_type(TypeDescriptor {
            name: "Process",
            valid_access: PROCESS_ALL_ACCESS,
            mapping: PROCESS_MAPPING,
            parses: false,
            invalid_attributes: PROCESS_INVALID_ATTRIBUTES,
            security_required: false,
            maintain_handle_count: false,
            pool_type: 0,
        })?;
        let thread_type = om.register_type(TypeDescriptor {
            name: "Thread",
            valid_access: THREAD_ALL_ACCESS,
            mapping: THREAD_MAPPING,
            parses: false,
            invalid_attributes: PROCESS_INVALID_ATTRIBUTES,
            security_required: false,
            maintain_handle_count: false,
            pool_type: 0,
        })?;
        Ok(Self {
            om,
            system,
            process_type,
            thread_type,
            reaped: Vec::new(),
        })
    }

    /// Moves the object manager's deleted external objects to [`Self::take_reaped`].
    pub fn reap(&mut self) {
        // Every service reaps (see `take_reaped_of`), and almost none deleted anything:
        // no call, no buffer moved or freed then.
        if self.om.has_deleted() {
            self.reaped.extend(self.om.take_deleted());
        }
    }

    /// Whether objects were deleted that [`Self::take_reaped`] has not handed over yet.
    #[inline]
    pub fn has_reaped(&self) -> bool {
        !self.reaped.is_empty() || self.om.has_deleted()
    }

    /// External objects deleted since the last call.
    pub fn take_reaped(&mut self) -> Vec<ob::DeletedObject> {
        self.reap();
        if self.reaped.is_empty() {
            return Vec::new();
        }
        core::mem::take(&mut self.reaped)
    }

    /// External objects of type `ty` deleted since the last call; the others stay for
    /// [`Self::take_reaped`].
    pub fn take_reaped_of(&mut self, ty: TypeIndex) -> Vec<ob::DeletedObject> {
        self.reap();
        // The executive's loop calls this after every service: with nothing deleted it
        // must not take apart (and free) the list's buffer.
        if self.reaped.is_empty() {
            return Vec::new();
        }
        let (mine, rest) = core::mem::take(&mut self.reaped)
            .into_iter()
            .partition(|d| d.ty == ty);
        self.reaped = rest;
        mine
    }

    /// A new process: its handle table and its process and thread objects.
    pub fn attach(&mut self) -> Result<ProcessIdentity, NtStatus> {
        let unnamed = ObjectAttributes::default();
        let process = self.om.create_object(
            &self.system,
            self.process_type,
            &unnamed,
            PROCESS_ALL_ACCESS,
        )?;
        let thread =
            match self
                .om
                .create_object(&self.system, self.thread_type, &unnamed, THREAD_ALL_ACCESS)
            {
                Ok(t) => t,
                Err(s) => {
                    let _ = self.om.close(&self.system, process.handle);
                    self.reap();
                    return Err(s);
                }
            };
        let table = self.om.create_handle_table(ob::DEFAULT_HANDLE_LIMIT);
        let mut caller = Caller::new(table);
        caller.process = Some(process.object);
        caller.thread = Some(thread.object);
        caller.privileges.create_permanent = true;
        Ok(ProcessIdentity {
            caller,
            process_handle: process.handle,
            thread_handle: Some(thread.handle),
        })
    }

    /// The first thread of `id` as a thread of its own (released with
    /// [`ObState::detach_thread`] when it ends, not with the process).
    pub fn split_first_thread(id: &mut ProcessIdentity) -> Option<ThreadIdentity> {
        let handle = id.thread_handle.take()?;
        Some(ThreadIdentity {
            object: id.caller.thread?,
            handle,
        })
    }

    /// A further thread object for a process.
    pub fn attach_thread(&mut self) -> Result<ThreadIdentity, NtStatus> {
        let unnamed = ObjectAttributes::default();
        let t =
            self.om
                .create_object(&self.system, self.thread_type, &unnamed, THREAD_ALL_ACCESS)?;
        Ok(ThreadIdentity {
            object: t.object,
            handle: t.handle,
        })
    }

    /// A thread ended: the system's reference goes (the object lives on while
    /// programs hold handles to it).
    pub fn detach_thread(&mut self, t: ThreadIdentity) {
        let _ = self.om.close(&self.system, t.handle);
        self.reap();
    }

    /// Process teardown: every handle closed, the process (and a first thread not
    /// split off) released.
    pub fn detach(&mut self, id: ProcessIdentity) {
        self.om.destroy_handle_table(id.caller.table);
        if let Some(h) = id.thread_handle {
            let _ = self.om.close(&self.system, h);
        }
        let _ = self.om.close(&self.system, id.process_handle);
        // Process and thread bodies live in `NtProcess`; nothing else to free.
        self.reap();
    }

    /// The access a new handle to an object of type `ty` gets for `desired`: generic
    /// rights mapped through the type's mapping, `MAXIMUM_ALLOWED` → every valid right
    /// (no security descriptors are evaluated yet), never beyond the valid mask.
    pub fn granted_access(&self, ty: TypeIndex, desired: u32) -> Result<AccessMask, NtStatus> {
        const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
        let d = &self
            .om
            .object_type(ty)
            .ok_or(ntdef::status::STATUS_INSUFFICIENT_RESOURCES)?
            .descriptor;
        Ok(if desired & MAXIMUM_ALLOWED != 0 {
            d.valid_access
        } else {
            AccessMask(d.mapping.map(AccessMask(desired)).0 & d.valid_access.0)
        })
    }

    /// The "Process" object type.
    pub fn process_type(&self) -> TypeIndex {
        self.process_type
    }

    /// The "Thread" object type.
    pub fn thread_type(&self) -> TypeIndex {
        self.thread_type
    }

    /// The table of a process (for tests and statistics).
    pub fn table(id: &ProcessIdentity) -> TableId {
        id.caller.table
    }
}

// ----- capture -----------------------------------------------------------------------

/// The little-endian word at `at` of captured bytes (0 past their end).
pub(crate) fn word_at(raw: &[u8], at: usize) -> usize {
    let mut b = [0u8; WORD];
    if let Some(s) = raw.get(at..at + WORD) {
        b.copy_from_slice(s);
    }
    usize::from_le_bytes(b)
}

fn u32_at(raw: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = raw.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

fn u16_at(raw: &[u8], at: usize) -> u16 {
    let mut b = [0u8; 2];
    if let Some(s) = raw.get(at..at + 2) {
        b.copy_from_slice(s);
    }
    u16::from_le_bytes(b)
}

/// A captured `UNICODE_STRING` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapturedString {
    pub length: u16,
    pub maximum_length: u16,
    pub buffer: usize,
}

/// Reads a `UNICODE_STRING` header once (the pointer is already probed).
pub fn capture_string_header(
    mem: &impl ClientMemory,
    at: UserPtr<UNICODE_STRING>,
) -> Result<CapturedString, NtStatus> {
    let mut raw = [0u8; size_of::<UNICODE_STRING>()];
    mem.read(at.addr(), &mut raw)?;
    Ok(CapturedString {
        length: u16_at(&raw, 0),
        maximum_length: u16_at(&raw, 2),
        buffer: word_at(&raw, WORD),
    })
}

/// Copies the `length` bytes of a captured string (probed: WCHAR-aligned, user range).
pub(crate) fn capture_units(
    mem: &impl ClientMemory,
    s: CapturedString,
) -> Result<Vec<u16>, NtStatus> {
    let len = usize::from(s.length);
    probe(s.buffer, len, 2)?;
    let mut bytes = vec![0u8; len];
    mem.read(s.buffer, &mut bytes)?;
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

/// A captured `OBJECT_ATTRIBUTES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedAttributes {
    pub root: Option<Handle>,
    pub name: Option<Vec<u16>>,
    pub attributes: u32,
}

impl CapturedAttributes {
    pub fn view(&self) -> ObjectAttributes<'_> {
        ObjectAttributes {
            root: self.root,
            name: self.name.as_deref(),
            attributes: self.attributes,
        }
    }
}

/// Captures `OBJECT_ATTRIBUTES` and its name as Windows' object-name capture does:
/// `Length` other than `sizeof(OBJECT_ATTRIBUTES)` or attribute bits outside
/// `OBJ_VALID_ATTRIBUTES` → `STATUS_INVALID_PARAMETER`; an odd name length →
/// `STATUS_OBJECT_NAME_INVALID` (Wine's `om.c` checks this against Windows); the
/// name's buffer is probed (misaligned → `STATUS_DATATYPE_MISALIGNMENT`, outside user
/// space → `STATUS_ACCESS_VIOLATION`).
pub fn capture_attributes(
    mem: &impl ClientMemory,
    at: UserPtr<OBJECT_ATTRIBUTES>,
) -> Result<CapturedAttributes, NtStatus> {
    let mut raw = [0u8; size_of::<OBJECT_ATTRIBUTES>()];
    mem.read(at.addr(), &mut raw)?;
    // Offsets: Length 0, RootDirectory 1 word, ObjectName 2 words, Attributes 3 words.
    if u32_at(&raw, 0) as usize != size_of::<OBJECT_ATTRIBUTES>() {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let root = word_at(&raw, WORD);
    let name_ptr = word_at(&raw, 2 * WORD);
    let attributes = u32_at(&raw, 3 * WORD);
    if attributes & !OBJ_VALID_ATTRIBUTES != 0 {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let name = match UserPtr::<UNICODE_STRING>::optional(name_ptr)? {
        None => None,
        Some(p) => {
            let s = capture_string_header(mem, p)?;
            if s.length % 2 != 0 {
                return Err(STATUS_OBJECT_NAME_INVALID);
            }
            Some(capture_units(mem, s)?)
        }
    };
    Ok(CapturedAttributes {
        root: (root != 0).then(|| handle_from_word(root)),
        name,
        attributes: attributes & !OBJ_KERNEL_HANDLE,
    })
}

pub(crate) fn write_u32(mem: &impl ClientMemory, at: usize, v: u32) -> Result<(), NtStatus> {
    mem.write(at, &v.to_le_bytes())
}

fn write_word(mem: &impl ClientMemory, at: usize, v: usize) -> Result<(), NtStatus> {
    mem.write(at, &v.to_le_bytes())
}

/// Appends a `UNICODE_STRING` (Length, MaximumLength = Length + 2, Buffer) in the
/// caller's width.
fn push_string(out: &mut Vec<u8>, units: usize, buffer: usize) {
    let len = (units * 2) as u16;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.saturating_add(2).to_le_bytes());
    if WORD == 8 {
        out.extend_from_slice(&[0; 4]);
    }
    out.extend_from_slice(&buffer.to_le_bytes());
}

fn push_units(out: &mut Vec<u8>, units: &[u16]) {
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out.extend_from_slice(&[0, 0]);
}

// ----- services ----------------------------------------------------------------------

/// Stores a new handle for the caller; on a fault the handle is closed again (the
/// caller could never learn its value).
pub(crate) fn return_handle(
    ob: &mut ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    out: UserPtr<ntsvc::HANDLE>,
    handle: Handle,
) -> Result<(), NtStatus> {
    if let Err(s) = write_word(mem, out.addr(), handle_to_word(handle)) {
        let _ = ob.om.close(caller, handle);
        ob.reap();
        return Err(s);
    }
    Ok(())
}

#[inline]
pub fn close(ob: &mut ObState, caller: &Caller, handle: usize) -> NtStatus {
    let r = ob.om.close(caller, handle_from_word(handle));
    ob.reap();
    NtStatus::from_result(r)
}

/// `NtDuplicateObject`. The source and target processes may be the caller or other
/// processes (`table_of` gives another process object's handle table; `None`: it has
/// ended, `STATUS_PROCESS_IS_TERMINATING`); both handles need `PROCESS_DUP_HANDLE`. The
/// new handle's value is written to the caller's `TargetHandle`; if that write faults
/// the duplicate is closed again.
#[allow(clippy::too_many_arguments)]
pub fn duplicate_object(
    ob: &mut ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    table_of: &dyn Fn(ObjectId) -> Option<TableId>,
    source_process: usize,
    source: usize,
    target_process: usize,
    target: Option<UserPtr<ntsvc::HANDLE>>,
    desired: u32,
    attributes: u32,
    options: u32,
) -> NtStatus {
    let r = (|| {
        // The process a handle names, as the caller of its own handle table.
        let as_caller = |ob: &ObState, handle: usize| -> Result<Caller, NtStatus> {
            let p = ob.om.object_by_handle(
                caller,
                handle_from_word(handle),
                Some(ob.process_type),
                PROCESS_DUP_HANDLE,
            )?;
            if Some(p.object) == caller.process {
                return Ok(*caller);
            }
            let table = table_of(p.object).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
            Ok(Caller {
                table,
                process: Some(p.object),
                thread: None,
                privileges: caller.privileges,
            })
        };
        let source_caller = as_caller(ob, source_process)?;
        let target_caller = if target_process == 0 {
            None
        } else {
            Some(as_caller(ob, target_process)?)
        };
        let made = ob.om.duplicate(
            &source_caller,
            handle_from_word(source),
            target_caller.map(|c| c.table),
            AccessMask(desired),
            attributes,
            options,
        )?;
        match (made, target, target_caller) {
            (Some(h), Some(out), Some(tc)) => {
                if let Err(s) = write_word(mem, out.addr(), handle_to_word(h)) {
                    let _ = ob.om.close(&tc, h);
                    ob.reap();
                    return Err(s);
                }
                Ok(())
            }
            // With no TargetHandle the duplicate exists but its value is not returned.
            _ => Ok(()),
        }
    })();
    ob.reap();
    NtStatus::from_result(r)
}

/// `NtCreateDirectoryObject` / `NtOpenDirectoryObject` / `NtCreateSymbolicLinkObject` /
/// `NtOpenSymbolicLinkObject`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedOp {
    CreateDirectory,
    OpenDirectory,
    OpenSymbolicLink,
}

pub fn named(
    ob: &mut ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    op: NamedOp,
    out: UserPtr<ntsvc::HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
) -> NtStatus {
    let r = (|| {
        let a = capture_attributes(mem, attributes)?;
        let desired = AccessMask(desired);
        let (handle, status) = match op {
            NamedOp::CreateDirectory => {
                let c = ob.om.create_directory(caller, desired, &a.view())?;
                (c.handle, c.status)
            }
            NamedOp::OpenDirectory => (
                ob.om.open_directory(caller, desired, &a.view())?,
                STATUS_SUCCESS,
            ),
            NamedOp::OpenSymbolicLink => (
                ob.om.open_symbolic_link(caller, desired, &a.view())?,
                STATUS_SUCCESS,
            ),
        };
        return_handle(ob, caller, mem, out, handle)?;
        Ok(status)
    })();
    ob.reap();
    r.unwrap_or_else(|s| s)
}

/// `NtCreateSymbolicLinkObject`. The target must be a well-formed `UNICODE_STRING`
/// (even `MaximumLength` and `Length`, `Length <= MaximumLength`), else
/// `STATUS_INVALID_PARAMETER` (Windows' check in this service).
pub fn create_symbolic_link(
    ob: &mut ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    out: UserPtr<ntsvc::HANDLE>,
    desired: u32,
    attributes: UserPtr<OBJECT_ATTRIBUTES>,
    target: UserPtr<UNICODE_STRING>,
) -> NtStatus {
    let r = (|| {
        let t = capture_string_header(mem, target)?;
        if t.maximum_length % 2 != 0 || t.length % 2 != 0 || t.length > t.maximum_length {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let target = capture_units(mem, t)?;
        let a = capture_attributes(mem, attributes)?;
        let c = ob
            .om
            .create_symbolic_link(caller, AccessMask(desired), &a.view(), &target, 0)?;
        return_handle(ob, caller, mem, out, c.handle)?;
        Ok(c.status)
    })();
    ob.reap();
    r.unwrap_or_else(|s| s)
}

/// `NtQuerySymbolicLinkObject`: the caller's string gives `MaximumLength` and
/// `Buffer` (probed for `MaximumLength` bytes); `Length` is set on success.
pub fn query_symbolic_link(
    ob: &ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    handle: usize,
    target: UserPtr<UNICODE_STRING>,
    returned: Option<UserPtr<u32>>,
) -> NtStatus {
    let r = (|| {
        let s = capture_string_header(mem, target)?;
        probe(s.buffer, usize::from(s.maximum_length), 2)?;
        let units = ob
            .om
            .query_symbolic_link(caller, handle_from_word(handle))?;
        let fit = ob::info::fit_link_target(units.len(), s.maximum_length, returned.is_some());
        if fit.status == STATUS_SUCCESS {
            let mut bytes = Vec::new();
            push_units(&mut bytes, &units);
            let n = fit.copy_bytes as usize + if fit.terminate { 2 } else { 0 };
            bytes.truncate(n);
            mem.write(s.buffer, &bytes)?;
            mem.write(target.addr(), &fit.length.to_le_bytes())?;
        }
        if let Some(p) = returned {
            write_u32(mem, p.addr(), fit.returned_length)?;
        }
        Ok(fit.status)
    })();
    r.unwrap_or_else(|s| s)
}

pub fn make_temporary(ob: &mut ObState, caller: &Caller, handle: usize) -> NtStatus {
    let r = ob.om.make_temporary(caller, handle_from_word(handle));
    ob.reap();
    NtStatus::from_result(r)
}

/// `NtQueryDirectoryObject`: entries, an all-zero terminator entry, then the
/// NUL-terminated name and type strings, each `UNICODE_STRING` pointing into the
/// caller's buffer.
#[allow(clippy::too_many_arguments)]
pub fn query_directory(
    ob: &ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    handle: usize,
    buffer: usize,
    length: u32,
    single: u8,
    restart: u8,
    context: UserPtr<u32>,
    returned: Option<UserPtr<u32>>,
) -> NtStatus {
    let r = (|| {
        probe(buffer, length as usize, 2)?;
        let start = if restart != 0 {
            0
        } else {
            let mut b = [0u8; 4];
            mem.read(context.addr(), &mut b)?;
            u32::from_le_bytes(b)
        };
        let q = ob.om.query_directory(
            caller,
            handle_from_word(handle),
            length,
            single != 0,
            restart != 0,
            start,
            WIDTH,
        )?;
        if q.status == STATUS_SUCCESS || q.status == STATUS_MORE_ENTRIES {
            let entry = ob::info::directory_information_size(WIDTH) as usize;
            let mut strings_at = buffer + entry * (q.entries.len() + 1);
            let mut out = Vec::new();
            for e in &q.entries {
                push_string(&mut out, e.name.len(), strings_at);
                strings_at += e.name.len() * 2 + 2;
                push_string(&mut out, e.type_name.len(), strings_at);
                strings_at += e.type_name.len() * 2 + 2;
            }
            out.resize(out.len() + entry, 0);
            for e in &q.entries {
                push_units(&mut out, &e.name);
                push_units(&mut out, &e.type_name);
            }
            if out.len() > length as usize {
                // The object manager sized the answer to fit; never overrun.
                return Err(STATUS_BUFFER_TOO_SMALL);
            }
            mem.write(buffer, &out)?;
            write_u32(mem, context.addr(), q.context)?;
        } else if q.status != STATUS_NO_MORE_ENTRIES && q.status != STATUS_BUFFER_TOO_SMALL {
            return Err(q.status);
        }
        if let Some(p) = returned {
            write_u32(mem, p.addr(), q.return_length)?;
        }
        Ok(q.status)
    })();
    r.unwrap_or_else(|s| s)
}

/// `NtQueryObject`: `ReturnLength` gets the size the class needs whether or not the
/// buffer was large enough.
#[allow(clippy::too_many_arguments)]
pub fn query_object(
    ob: &ObState,
    caller: &Caller,
    mem: &impl ClientMemory,
    handle: usize,
    class: u32,
    buffer: usize,
    length: u32,
    returned: Option<UserPtr<u32>>,
) -> NtStatus {
    let r = (|| {
        let class = ObjectInformationClass::from_raw(class)?;
        probe(buffer, length as usize, 1)?;
        let info = ob
            .om
            .query_object(caller, handle_from_word(handle), class, WIDTH)?;
        let status = info.status_for(length, WIDTH);
        if status == STATUS_SUCCESS {
            mem.write(buffer, &marshal(&info, buffer))?;
        }
        if let Some(p) = returned {
            write_u32(mem, p.addr(), info.required_length(WIDTH))?;
        }
        Ok(status)
    })();
    r.unwrap_or_else(|s| s)
}

/// One `NtQueryObject` answer in Windows' layout for the caller's width, placed at
/// `buffer` (strings follow their structure).
pub fn marshal(info: &ObjectInformation, buffer: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let u32s = |out: &mut Vec<u8>, vs: &[u32]| {
        for v in vs {
            out.extend_from_slice(&v.to_le_bytes());
        }
    };
    match info {
        ObjectInformation::Basic(b) => {
            u32s(
                &mut out,
                &[
                    b.attributes,
                    b.granted_access.0,
                    b.handle_count,
                    b.pointer_count,
                    b.paged_pool_charge,
                    b.non_paged_pool_charge,
                    0,
                    0,
                    0,
                    b.name_info_size,
                    b.type_info_size,
                    b.security_descriptor_size,
                ],
            );
            out.extend_from_slice(&b.creation_time.to_le_bytes());
        }
        ObjectInformation::Name(n) => {
            if n.name.is_empty() {
                out.resize(WIDTH.unicode_string_size() as usize, 0);
            } else {
                let at = buffer + WIDTH.unicode_string_size() as usize;
                push_string(&mut out, n.name.len(), at);
                push_units(&mut out, &n.name);
            }
        }
        ObjectInformation::Type(t) => {
            let at = buffer + ob::TypeInformation::struct_size(WIDTH) as usize;
            push_string(&mut out, t.type_name.len(), at);
            u32s(
                &mut out,
                &[
                    t.total_number_of_objects,
                    t.total_number_of_handles,
                    0,
                    0,
                    0,
                    0,
                    t.high_water_number_of_objects,
                    t.high_water_number_of_handles,
                    0,
                    0,
                    0,
                    0,
                    t.invalid_attributes,
                    t.generic_mapping.read.0,
                    t.generic_mapping.write.0,
                    t.generic_mapping.execute.0,
                    t.generic_mapping.all.0,
                    t.valid_access_mask.0,
                ],
            );
            out.extend_from_slice(&[
                u8::from(t.security_required),
                u8::from(t.maintain_handle_count),
                t.type_index,
                0,
            ]);
            u32s(&mut out, &[t.pool_type, 0, 0]);
            push_units(&mut out, &t.type_name);
            out.resize(t.required_length(WIDTH) as usize, 0);
        }
        ObjectInformation::HandleFlag(f) => {
            out.extend_from_slice(&[u8::from(f.inherit), u8::from(f.protect_from_close)]);
        }
    }
    out
}

#[cfg(test)]
#[path = "obsvc_tests.rs"]
mod tests;
