//! Object manager (`Ob`): typed objects, reference counts, per-process handle tables and
//! the `\` namespace, as pure logic (no seL4, host-tested).
//!
//! # Design
//!
//! **Who owns an object.** Windows puts an `OBJECT_HEADER` in front of a body that the
//! owning component defines, and reaches the body by pointer arithmetic. Here the
//! executive is safe Rust, so the header and the body are separated instead of
//! concatenated: the object manager keeps every header in one generation-checked slab
//! and hands out [`ObjectId`]s (index + generation, so a stale id can never reach the
//! slot's next tenant); a component that registers a type keeps its bodies in its own
//! map keyed by `ObjectId`. No `dyn Any`, no downcasts, and the object manager never
//! needs to know what an event or a section is. The only bodies stored here are the
//! object manager's own (directories, symbolic links, type objects), in the [`Body`]
//! enum.
//!
//! **Deletion.** Windows calls a type's `DeleteProcedure` when the pointer count drops
//! to zero. Calling back into other components from inside a reference-count update
//! would need trait objects and re-entrancy; instead deleted objects of external types
//! are queued and the owner drains the queue with [`ObjectManager::take_deleted`] after
//! each service (the executive is single-threaded, so nothing can observe the gap).
//!
//! **Counting rules (Windows').** Every handle holds a pointer reference too. A name is
//! removed from its directory when the *handle* count reaches zero and the object is not
//! permanent (`ObpDeleteNameCheck`); the header goes when the *pointer* count reaches
//! zero. A directory entry holds one reference on its object (that is what keeps a
//! handle-less permanent object alive), and a named object holds one on its directory
//! (so a directory outlives its children and full names can always be rebuilt).
//! `make_temporary` clears the permanent flag and applies the name rule at once.
//!
//! **Handle tables** are owned here, keyed by [`TableId`], so that duplication between
//! two processes — or within one — is a single `&mut self` operation. Values follow
//! Windows (see [`handle`]). Pseudo-handles are resolved through the [`Caller`] the
//! service dispatcher supplies.
//!
//! **Security.** There are no security descriptors yet: opening or creating an object
//! grants what was asked (generic rights mapped, `MAXIMUM_ALLOWED` = the type's valid
//! mask, bits outside the valid mask dropped as Windows does). Handles still carry their
//! granted mask and every handle-based service checks it, and [`ObjectManager::duplicate`]
//! never grants more than the source handle had (Windows would run an access check
//! against the object's security descriptor instead; without one, refusing is the only
//! safe answer).
//!
//! **Names** are UTF-16 code units; only `\` is special; case-insensitive compares use
//! `ntrtl`'s upcase table (see [`name`]). The namespace walk is in [`namespace`].
//!
//! **Not yet:** security descriptors and traverse checks, `OBJ_EXCLUSIVE` (accepted,
//! ignored), per-session device maps (`\??` is one global directory shadowed by
//! `\GLOBAL??`), `ObjectTypesInformation`, quota charges (reported as 0), and the
//! `OkayToClose`/`Close` type procedures (only deletion is reported to owners).

pub mod access;
pub mod handle;
pub mod info;
pub mod name;
pub mod namespace;
pub mod object;
mod services;
pub mod status;
pub mod types;

#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

pub use access::AccessMask;
pub use handle::{Handle, HandleAttributes, HandleEntry, HandleTable};
pub use info::PointerWidth;
pub use namespace::{Directory, Lookup, SymbolicLink};
pub use object::{Body, ObjectHeader, ObjectId};
pub use services::*;
pub use types::{ObjectType, TypeDescriptor, TypeIndex};

use access::*;
use name::wide;
use ntdef::NtStatus;
use object::ObjectStore;
use status::*;

/// `OBJECT_ATTRIBUTES.Attributes` bits (`ntdef.h`).
pub const OBJ_INHERIT: u32 = handle::OBJ_INHERIT;
pub const OBJ_PERMANENT: u32 = 0x0000_0010;
pub const OBJ_EXCLUSIVE: u32 = 0x0000_0020;
pub const OBJ_CASE_INSENSITIVE: u32 = 0x0000_0040;
pub const OBJ_OPENIF: u32 = 0x0000_0080;
pub const OBJ_OPENLINK: u32 = 0x0000_0100;
pub const OBJ_KERNEL_HANDLE: u32 = 0x0000_0200;
pub const OBJ_FORCE_ACCESS_CHECK: u32 = 0x0000_0400;
pub const OBJ_IGNORE_IMPERSONATED_DEVICEMAP: u32 = 0x0000_0800;
pub const OBJ_DONT_REPARSE: u32 = 0x0000_1000;
pub const OBJ_VALID_ATTRIBUTES: u32 = 0x0000_1FF2;

/// `NtDuplicateObject` options.
pub const DUPLICATE_CLOSE_SOURCE: u32 = 0x1;
pub const DUPLICATE_SAME_ACCESS: u32 = 0x2;
pub const DUPLICATE_SAME_ATTRIBUTES: u32 = 0x4;

/// A captured, already-probed `OBJECT_ATTRIBUTES`. `root` of `Some(Handle::NULL)` means
/// no root, as a NULL `RootDirectory` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObjectAttributes<'a> {
    pub root: Option<Handle>,
    /// `None` for a NULL `ObjectName`; the units of the `UNICODE_STRING` otherwise.
    pub name: Option<&'a [u16]>,
    pub attributes: u32,
}

impl<'a> ObjectAttributes<'a> {
    /// An absolute or root-relative name with the given `OBJ_*` bits.
    pub fn named(name: &'a [u16], attributes: u32) -> Self {
        Self {
            root: None,
            name: Some(name),
            attributes,
        }
    }

    fn root_handle(&self) -> Option<Handle> {
        self.root.filter(|h| *h != Handle::NULL)
    }
}

/// One handle table (one process).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TableId(u32);

/// Privileges the object manager consults (`SeCreatePermanentPrivilege`,
/// `SeSecurityPrivilege`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Privileges {
    pub create_permanent: bool,
    pub security: bool,
}

/// The calling thread as the service dispatcher knows it.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub table: TableId,
    /// What `NtCurrentProcess()` names.
    pub process: Option<ObjectId>,
    /// What `NtCurrentThread()` names.
    pub thread: Option<ObjectId>,
    pub privileges: Privileges,
}

impl Caller {
    pub fn new(table: TableId) -> Self {
        Self {
            table,
            process: None,
            thread: None,
            privileges: Privileges::default(),
        }
    }
}

/// An object of an external type whose last reference went: its owner frees the body.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DeletedObject {
    pub id: ObjectId,
    pub ty: TypeIndex,
}

/// The result of a create: the handle, the object, and whether it was new.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Created {
    pub handle: Handle,
    pub object: ObjectId,
    /// `STATUS_SUCCESS`, or `STATUS_OBJECT_NAME_EXISTS` when `OBJ_OPENIF` opened an
    /// existing object (the caller must then not initialise a body).
    pub status: NtStatus,
}

impl Created {
    pub fn is_new(&self) -> bool {
        self.status == STATUS_SUCCESS
    }
}

/// The result of an open by name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Opened {
    Handle {
        handle: Handle,
        object: ObjectId,
    },
    /// The name ran into an object whose type parses the rest (device, key): the owner
    /// continues with `remaining` (empty, or starting with `\`) and opens the handle.
    Parse {
        object: ObjectId,
        remaining: Vec<u16>,
    },
}

/// Default handle limit per table: well under Windows' 2^24, because every entry costs
/// executive heap.
pub const DEFAULT_HANDLE_LIMIT: u32 = 4096;

/// The object manager.
#[derive(Debug)]
pub struct ObjectManager {
    objects: ObjectStore,
    types: Vec<ObjectType>,
    tables: BTreeMap<TableId, HandleTable>,
    next_table: u32,
    root: ObjectId,
    object_types: ObjectId,
    deleted: Vec<DeletedObject>,
}

impl ObjectManager {
    /// The three object manager types, `\` and the standard directories and links:
    /// `\ObjectTypes`, `\Device`, `\Driver`, `\BaseNamedObjects` (with its `Global` and
    /// `Local` links back to itself, as session 0 has), `\KnownDlls`, `\GLOBAL??` (with
    /// `Global`), `\??` (whose misses fall through to `\GLOBAL??`, standing in for the
    /// device map) and `\DosDevices` → `\??`.
    pub fn new() -> Result<Self, NtStatus> {
        let mut om = Self {
            objects: ObjectStore::new(),
            types: Vec::new(),
            tables: BTreeMap::new(),
            next_table: 1,
            root: ObjectId::INVALID,
            object_types: ObjectId::INVALID,
            deleted: Vec::new(),
        };
        for descriptor in [
            TypeDescriptor {
                name: "Type",
                valid_access: OBJECT_TYPE_ALL_ACCESS,
                mapping: OBJECT_TYPE_MAPPING,
                parses: false,
                invalid_attributes: 0,
                security_required: true,
                maintain_handle_count: false,
                pool_type: 0,
            },
            TypeDescriptor {
                name: "Directory",
                valid_access: DIRECTORY_ALL_ACCESS,
                mapping: DIRECTORY_MAPPING,
                parses: false,
                invalid_attributes: 0,
                security_required: false,
                maintain_handle_count: false,
                pool_type: 1,
            },
            TypeDescriptor {
                name: "SymbolicLink",
                valid_access: SYMBOLIC_LINK_ALL_ACCESS,
                mapping: SYMBOLIC_LINK_MAPPING,
                parses: false,
                invalid_attributes: 0,
                security_required: false,
                maintain_handle_count: false,
                pool_type: 1,
            },
        ] {
            om.types.push(ObjectType::new(descriptor));
        }
        om.root = om.new_object(
            TypeIndex::DIRECTORY,
            Body::Directory(Directory::new()),
            true,
        )?;
        om.reference(om.root)?; // `\` is never deleted
        let root = om.root;
        om.object_types = om.permanent_directory(root, "ObjectTypes")?;
        for index in 0..om.types.len() {
            om.insert_type_object(TypeIndex(index as u16))?;
        }
        for name in ["Device", "Driver", "KnownDlls"] {
            om.permanent_directory(root, name)?;
        }
        let bno = om.permanent_directory(root, "BaseNamedObjects")?;
        om.permanent_link(bno, "Global", "\\BaseNamedObjects")?;
        om.permanent_link(bno, "Local", "\\BaseNamedObjects")?;
        let global = om.permanent_directory(root, "GLOBAL??")?;
        om.permanent_link(global, "Global", "\\GLOBAL??")?;
        let dos = om.permanent_directory(root, "??")?;
        if let Some(Body::Directory(d)) = om.objects.get_mut(dos).map(|h| &mut h.body) {
            d.shadow = Some(global);
        }
        om.permanent_link(root, "DosDevices", "\\??")?;
        Ok(om)
    }

    /// `\`.
    pub fn root(&self) -> ObjectId {
        self.root
    }

    // ----- types -------------------------------------------------------------------

    /// Registers a type; `STATUS_OBJECT_NAME_COLLISION` if its name is taken.
    pub fn register_type(&mut self, descriptor: TypeDescriptor) -> Result<TypeIndex, NtStatus> {
        let name = wide(descriptor.name);
        if self.types.iter().any(|t| name::equal(&t.name, &name, true)) {
            return Err(STATUS_OBJECT_NAME_COLLISION);
        }
        if self.types.len() >= usize::from(u8::MAX - 2) {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        let index = TypeIndex(self.types.len() as u16);
        self.types.push(ObjectType::new(descriptor));
        if let Err(status) = self.insert_type_object(index) {
            self.types.pop();
            return Err(status);
        }
        Ok(index)
    }

    pub fn object_type(&self, ty: TypeIndex) -> Option<&ObjectType> {
        self.types.get(usize::from(ty.0))
    }

    /// The type registered under `name` (case-insensitive).
    pub fn type_by_name(&self, name: &str) -> Option<TypeIndex> {
        let name = wide(name);
        self.types
            .iter()
            .position(|t| name::equal(&t.name, &name, true))
            .map(|i| TypeIndex(i as u16))
    }

    fn ty(&self, ty: TypeIndex) -> Result<&ObjectType, NtStatus> {
        self.types
            .get(usize::from(ty.0))
            .ok_or(STATUS_OBJECT_TYPE_MISMATCH)
    }

    fn insert_type_object(&mut self, ty: TypeIndex) -> Result<(), NtStatus> {
        let name = self.ty(ty)?.name.clone();
        let id = self.new_object(TypeIndex::TYPE, Body::Type(ty), true)?;
        let dir = self.object_types;
        self.insert_entry(dir, id, name)
            .inspect_err(|_| self.discard_if_unreferenced(id))
    }

    // ----- objects and references --------------------------------------------------

    pub fn header(&self, id: ObjectId) -> Option<&ObjectHeader> {
        self.objects.get(id)
    }

    fn hdr(&self, id: ObjectId) -> Result<&ObjectHeader, NtStatus> {
        self.objects.get(id).ok_or(STATUS_INVALID_HANDLE)
    }

    fn hdr_mut(&mut self, id: ObjectId) -> Result<&mut ObjectHeader, NtStatus> {
        self.objects.get_mut(id).ok_or(STATUS_INVALID_HANDLE)
    }

    /// Number of live objects (all types).
    pub fn object_count(&self) -> usize {
        self.objects.live()
    }

    /// A header with no references yet: the caller adds the first one (entry or handle)
    /// or discards it.
    fn new_object(
        &mut self,
        ty: TypeIndex,
        body: Body,
        permanent: bool,
    ) -> Result<ObjectId, NtStatus> {
        self.ty(ty)?;
        let id = self.objects.insert(ObjectHeader {
            ty,
            name: None,
            parent: None,
            permanent,
            pointer_count: 0,
            handle_count: 0,
            body,
        })?;
        if let Some(t) = self.types.get_mut(usize::from(ty.0)) {
            t.object_created();
        }
        Ok(id)
    }

    /// Undoes a create that failed before the caller saw the object: no deletion is
    /// announced, since its owner never made a body.
    fn discard_if_unreferenced(&mut self, id: ObjectId) {
        if self.objects.get(id).is_some_and(|h| h.pointer_count == 0) {
            self.free_object(id, false);
        }
    }

    /// As [`Self::discard_if_unreferenced`] for a new object already in a directory.
    fn abandon_named(&mut self, id: ObjectId) {
        if self.reference(id).is_err() {
            return;
        }
        self.delete_name(id);
        if let Some(h) = self.objects.get_mut(id) {
            h.pointer_count = h.pointer_count.saturating_sub(1);
        }
        self.discard_if_unreferenced(id);
    }

    /// `ObReferenceObject`.
    pub fn reference(&mut self, id: ObjectId) -> Result<(), NtStatus> {
        let h = self.hdr_mut(id)?;
        h.pointer_count = h
            .pointer_count
            .checked_add(1)
            .ok_or(STATUS_INSUFFICIENT_RESOURCES)?;
        Ok(())
    }

    /// `ObDereferenceObject`: frees the object with its last reference. A reference that
    /// is not held is ignored (never underflows).
    pub fn dereference(&mut self, id: ObjectId) {
        let Some(h) = self.objects.get_mut(id) else {
            return;
        };
        h.pointer_count = h.pointer_count.saturating_sub(1);
        if h.pointer_count == 0 {
            self.free_object(id, true);
        }
    }

    fn free_object(&mut self, id: ObjectId, announce: bool) {
        // The entry that holds a reference is gone, and so is the child→parent
        // reference (it goes with the name): nothing else to release.
        let Some(header) = self.objects.remove(id) else {
            return;
        };
        if let Some(t) = self.types.get_mut(usize::from(header.ty.0)) {
            t.object_deleted();
        }
        if announce && matches!(header.body, Body::External) {
            self.deleted.push(DeletedObject { id, ty: header.ty });
        }
    }

    /// Whether [`Self::take_deleted`] has anything to hand over.
    #[inline]
    pub fn has_deleted(&self) -> bool {
        !self.deleted.is_empty()
    }

    /// Objects of external types deleted since the last call: their owners free the
    /// bodies.
    pub fn take_deleted(&mut self) -> Vec<DeletedObject> {
        core::mem::take(&mut self.deleted)
    }

    /// Puts `id` into directory `dir` under `name` (the entry references the object, the
    /// object references the directory).
    fn insert_entry(
        &mut self,
        dir: ObjectId,
        id: ObjectId,
        name: Vec<u16>,
    ) -> Result<(), NtStatus> {
        let key = name::upcase_key(&name)?;
        self.reference(dir)?;
        if let Err(status) = self.reference(id) {
            self.dereference(dir);
            return Err(status);
        }
        let inserted = match self.objects.get_mut(dir).map(|h| &mut h.body) {
            Some(Body::Directory(d)) => d.insert(key, id),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        };
        if let Err(status) = inserted {
            self.dereference(id);
            self.dereference(dir);
            return Err(status);
        }
        let h = self.hdr_mut(id)?;
        h.name = Some(name);
        h.parent = Some(dir);
        Ok(())
    }

    /// Removes the object's name from its directory (`ObpDeleteNameCheck`'s effect).
    fn delete_name(&mut self, id: ObjectId) {
        let Some(h) = self.objects.get_mut(id) else {
            return;
        };
        let (Some(dir), Some(name)) = (h.parent.take(), h.name.take()) else {
            return;
        };
        if let (Ok(key), Some(Body::Directory(d))) = (
            name::upcase_key(&name),
            self.objects.get_mut(dir).map(|h| &mut h.body),
        ) {
            d.remove(&key, id);
        }
        self.dereference(id);
        self.dereference(dir);
    }

    fn permanent_directory(&mut self, parent: ObjectId, name: &str) -> Result<ObjectId, NtStatus> {
        let id = self.new_object(
            TypeIndex::DIRECTORY,
            Body::Directory(Directory::new()),
            true,
        )?;
        self.insert_entry(parent, id, wide(name))
            .inspect_err(|_| self.discard_if_unreferenced(id))?;
        Ok(id)
    }

    fn permanent_link(
        &mut self,
        parent: ObjectId,
        name: &str,
        target: &str,
    ) -> Result<ObjectId, NtStatus> {
        let body = Body::SymbolicLink(SymbolicLink {
            target: wide(target),
            creation_time: 0,
        });
        let id = self.new_object(TypeIndex::SYMBOLIC_LINK, body, true)?;
        self.insert_entry(parent, id, wide(name))
            .inspect_err(|_| self.discard_if_unreferenced(id))?;
        Ok(id)
    }

    /// The object's full name (`\Dir\Name`), empty for unnamed objects; `\` for the root.
    pub fn full_name(&self, id: ObjectId) -> Vec<u16> {
        if id == self.root {
            return wide("\\");
        }
        let mut parts: Vec<&[u16]> = Vec::new();
        let mut cur = id;
        // Bounded: every step goes to a directory that holds a reference from its
        // child, so the chain is finite; the bound guards against a bug looping.
        for _ in 0..self.objects.live() + 1 {
            let Some(h) = self.objects.get(cur) else {
                break;
            };
            let (Some(name), Some(parent)) = (h.name.as_deref(), h.parent) else {
                break;
            };
            parts.push(name);
            if parent == self.root {
                break;
            }
            cur = parent;
        }
        let mut out = Vec::new();
        for part in parts.iter().rev() {
            out.push(name::SEPARATOR);
            out.extend_from_slice(part);
        }
        out
    }

    /// Removes the permanent flag (`ObMakeTemporaryObject`): the name goes with the last
    /// handle, or now if there is none.
    pub fn make_object_temporary(&mut self, id: ObjectId) -> Result<(), NtStatus> {
        let h = self.hdr_mut(id)?;
        h.permanent = false;
        if h.handle_count == 0 {
            // Keep the object alive across the name removal if only the entry held it,
            // then release it like any other reference.
            self.reference(id)?;
            self.delete_name(id);
            self.dereference(id);
        }
        Ok(())
    }

    // ----- access ------------------------------------------------------------------

    /// The access an open or create grants (see the module notes on security).
    fn grant(
        &self,
        ty: TypeIndex,
        desired: AccessMask,
        caller: &Caller,
    ) -> Result<AccessMask, NtStatus> {
        let t = self.ty(ty)?;
        if desired.contains(ACCESS_SYSTEM_SECURITY) && !caller.privileges.security {
            return Err(STATUS_PRIVILEGE_NOT_HELD);
        }
        let valid = t.descriptor.valid_access;
        let mut mapped = t.descriptor.mapping.map(desired);
        if mapped.contains(MAXIMUM_ALLOWED) {
            mapped = mapped.without(MAXIMUM_ALLOWED) | valid;
        }
        Ok(mapped & (valid | ACCESS_SYSTEM_SECURITY))
    }

    // ----- handle tables -----------------------------------------------------------

    /// A new, empty handle table holding at most `limit` handles.
    pub fn create_handle_table(&mut self, limit: u32) -> TableId {
        let id = TableId(self.next_table);
        self.next_table = self.next_table.wrapping_add(1).max(1);
        self.tables.insert(id, HandleTable::new(limit));
        id
    }

    /// Process teardown: closes every handle (protected ones too) and drops the table.
    pub fn destroy_handle_table(&mut self, table: TableId) {
        if let Some(mut t) = self.tables.remove(&table) {
            for entry in t.drain() {
                self.release_handle(entry);
            }
        }
    }

    pub fn handle_table(&self, table: TableId) -> Option<&HandleTable> {
        self.tables.get(&table)
    }

    #[inline]
    fn table_mut(&mut self, table: TableId) -> Result<&mut HandleTable, NtStatus> {
        self.tables.get_mut(&table).ok_or(STATUS_INVALID_HANDLE)
    }

    /// Copies the parent's `OBJ_INHERIT` handles into an empty child table at the same
    /// values, with the same access and attributes.
    pub fn inherit_handles(&mut self, parent: TableId, child: TableId) -> Result<(), NtStatus> {
        let entries: Vec<(Handle, HandleEntry)> = self
            .tables
            .get(&parent)
            .ok_or(STATUS_INVALID_HANDLE)?
            .iter()
            .filter(|(_, e)| e.attributes.inherit)
            .map(|(h, e)| (h, *e))
            .collect();
        if self
            .tables
            .get(&child)
            .ok_or(STATUS_INVALID_HANDLE)?
            .count()
            != 0
        {
            return Err(STATUS_INVALID_PARAMETER);
        }
        for (handle, entry) in entries {
            self.reference(entry.object)?;
            if let Err(status) = self.table_mut(child)?.insert_at(handle, entry) {
                self.dereference(entry.object);
                return Err(status);
            }
            self.count_handle_opened(entry.object);
        }
        Ok(())
    }

    /// Opens a handle to `id` in `table` (`ObOpenObjectByPointer` after the access
    /// decision): the handle holds a pointer reference.
    pub fn create_handle(
        &mut self,
        table: TableId,
        id: ObjectId,
        access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<Handle, NtStatus> {
        self.hdr(id)?;
        self.reference(id)?;
        let entry = HandleEntry {
            object: id,
            access,
            attributes,
        };
        let inserted = self.table_mut(table).and_then(|t| t.insert(entry));
        match inserted {
            Ok(handle) => {
                self.count_handle_opened(id);
                Ok(handle)
            }
            Err(status) => {
                // Give the reference back without freeing: a fresh object (count back
                // at zero) is discarded by its creator, unannounced.
                if let Some(h) = self.objects.get_mut(id) {
                    h.pointer_count = h.pointer_count.saturating_sub(1);
                }
                Err(status)
            }
        }
    }

    fn count_handle_opened(&mut self, id: ObjectId) {
        if let Some(h) = self.objects.get_mut(id) {
            h.handle_count = h.handle_count.saturating_add(1);
            let ty = h.ty;
            if let Some(t) = self.types.get_mut(usize::from(ty.0)) {
                t.handle_opened();
            }
        }
    }

    /// Drops what a removed handle entry held.
    fn release_handle(&mut self, entry: HandleEntry) {
        let Some(h) = self.objects.get_mut(entry.object) else {
            return;
        };
        h.handle_count = h.handle_count.saturating_sub(1);
        let (ty, delete_name) = (
            h.ty,
            h.handle_count == 0 && !h.permanent && h.parent.is_some(),
        );
        if let Some(t) = self.types.get_mut(usize::from(ty.0)) {
            t.handle_closed();
        }
        if delete_name {
            self.delete_name(entry.object);
        }
        self.dereference(entry.object);
    }

    /// The entry a handle value names for `caller`, pseudo-handles included (they carry
    /// the full valid access of their object's type).
    pub fn resolve_handle(&self, caller: &Caller, handle: Handle) -> Result<HandleEntry, NtStatus> {
        let pseudo = match handle {
            Handle::CURRENT_PROCESS => Some(caller.process),
            Handle::CURRENT_THREAD => Some(caller.thread),
            _ => None,
        };
        if let Some(target) = pseudo {
            let object = target.ok_or(STATUS_INVALID_HANDLE)?;
            let ty = self.hdr(object)?.ty;
            return Ok(HandleEntry {
                object,
                access: self.ty(ty)?.descriptor.valid_access,
                attributes: HandleAttributes::default(),
            });
        }
        let entry = *self
            .tables
            .get(&caller.table)
            .ok_or(STATUS_INVALID_HANDLE)?
            .get(handle)?;
        Ok(entry)
    }

    /// `ObReferenceObjectByHandle` without taking a reference (the executive is
    /// single-threaded: nothing can close the handle while the service runs). Checks the
    /// type, then the access.
    pub fn object_by_handle(
        &self,
        caller: &Caller,
        handle: Handle,
        expected: Option<TypeIndex>,
        desired: AccessMask,
    ) -> Result<HandleEntry, NtStatus> {
        let entry = self.resolve_handle(caller, handle)?;
        let ty = self.hdr(entry.object)?.ty;
        if expected.is_some_and(|e| e != ty) {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let needed = self
            .ty(ty)?
            .descriptor
            .mapping
            .map(desired)
            .without(MAXIMUM_ALLOWED);
        if !entry.access.contains(needed) {
            return Err(STATUS_ACCESS_DENIED);
        }
        Ok(entry)
    }

    /// `ObReferenceObjectByHandle`: as [`Self::object_by_handle`], plus a pointer
    /// reference the caller releases with [`Self::dereference`].
    pub fn reference_object_by_handle(
        &mut self,
        caller: &Caller,
        handle: Handle,
        expected: Option<TypeIndex>,
        desired: AccessMask,
    ) -> Result<HandleEntry, NtStatus> {
        let entry = self.object_by_handle(caller, handle, expected, desired)?;
        self.reference(entry.object)?;
        Ok(entry)
    }

    /// `NtClose`.
    #[inline]
    pub fn close_handle(&mut self, caller: &Caller, handle: Handle) -> Result<(), NtStatus> {
        if handle.is_pseudo() {
            // ObpCloseHandle looks the value up in the process table like any other.
            return Err(STATUS_INVALID_HANDLE);
        }
        let entry = self.table_mut(caller.table)?.remove(handle)?;
        self.release_handle(entry);
        Ok(())
    }

    /// `NtDuplicateObject`. `source` is the source process's context (its pseudo-handles
    /// name the source process and thread); `target` the target process's table, or
    /// `None` for a NULL target process (allowed only to close with
    /// `DUPLICATE_CLOSE_SOURCE`). Returns the new handle, if one was made.
    ///
    /// With `DUPLICATE_CLOSE_SOURCE` the source handle is closed whatever the outcome
    /// (documented for `DuplicateHandle`), except that a protected source stays open.
    /// Unknown option bits are ignored; of `handle_attributes`, only `OBJ_INHERIT` and
    /// `OBJ_PROTECT_CLOSE` are kept.
    pub fn duplicate(
        &mut self,
        source: &Caller,
        handle: Handle,
        target: Option<TableId>,
        desired: AccessMask,
        handle_attributes: u32,
        options: u32,
    ) -> Result<Option<Handle>, NtStatus> {
        let entry = self.resolve_handle(source, handle)?;
        let result = self.duplicate_entry(entry, target, desired, handle_attributes, options);
        if options & DUPLICATE_CLOSE_SOURCE != 0 && !handle.is_pseudo() {
            if let Ok(entry) = self.table_mut(source.table).and_then(|t| t.remove(handle)) {
                self.release_handle(entry);
            }
        }
        result
    }

    fn duplicate_entry(
        &mut self,
        entry: HandleEntry,
        target: Option<TableId>,
        desired: AccessMask,
        handle_attributes: u32,
        options: u32,
    ) -> Result<Option<Handle>, NtStatus> {
        let Some(target) = target else {
            return if options & DUPLICATE_CLOSE_SOURCE != 0 {
                Ok(None)
            } else {
                Err(STATUS_INVALID_HANDLE)
            };
        };
        let access = if options & DUPLICATE_SAME_ACCESS != 0 {
            entry.access
        } else {
            let ty = self.hdr(entry.object)?.ty;
            let t = self.ty(ty)?;
            let mut mapped = t.descriptor.mapping.map(desired);
            if mapped.contains(MAXIMUM_ALLOWED) {
                mapped = mapped.without(MAXIMUM_ALLOWED) | entry.access;
            }
            let mapped = mapped & (t.descriptor.valid_access | ACCESS_SYSTEM_SECURITY);
            if !entry.access.contains(mapped) {
                return Err(STATUS_ACCESS_DENIED);
            }
            mapped
        };
        let attributes = if options & DUPLICATE_SAME_ATTRIBUTES != 0 {
            entry.attributes
        } else {
            HandleAttributes::from_obj_bits(handle_attributes)
        };
        self.create_handle(target, entry.object, access, attributes)
            .map(Some)
    }

    /// `NtSetInformationObject(ObjectHandleFlagInformation)`.
    pub fn set_handle_attributes(
        &mut self,
        caller: &Caller,
        handle: Handle,
        attributes: HandleAttributes,
    ) -> Result<(), NtStatus> {
        if handle.is_pseudo() {
            return Err(STATUS_INVALID_HANDLE);
        }
        self.table_mut(caller.table)?
            .set_attributes(handle, attributes)
    }

    // ----- named objects -----------------------------------------------------------

    fn check_attributes(&self, ty: TypeIndex, attributes: u32) -> Result<(), NtStatus> {
        if attributes & !OBJ_VALID_ATTRIBUTES != 0
            || attributes & self.ty(ty)?.descriptor.invalid_attributes != 0
        {
            return Err(STATUS_INVALID_PARAMETER);
        }
        Ok(())
    }

    /// `ObCreateObject` + `ObInsertObject` for an object of an external type: makes the
    /// object (named or not), or with `OBJ_OPENIF` opens the existing one of the same
    /// type. The owner creates a body only when [`Created::is_new`].
    pub fn create_object(
        &mut self,
        caller: &Caller,
        ty: TypeIndex,
        attributes: &ObjectAttributes<'_>,
        desired: AccessMask,
    ) -> Result<Created, NtStatus> {
        if matches!(
            ty,
            TypeIndex::TYPE | TypeIndex::DIRECTORY | TypeIndex::SYMBOLIC_LINK
        ) {
            return Err(STATUS_INVALID_PARAMETER);
        }
        self.insert_object(caller, ty, attributes, desired, Body::External)
    }

    pub(super) fn insert_object(
        &mut self,
        caller: &Caller,
        ty: TypeIndex,
        attributes: &ObjectAttributes<'_>,
        desired: AccessMask,
        body: Body,
    ) -> Result<Created, NtStatus> {
        let bits = attributes.attributes;
        self.check_attributes(ty, bits)?;
        let permanent = bits & OBJ_PERMANENT != 0;
        if permanent && !caller.privileges.create_permanent {
            return Err(STATUS_PRIVILEGE_NOT_HELD);
        }
        let access = self.grant(ty, desired, caller)?;
        let handle_attributes = HandleAttributes::from_obj_bits(bits & OBJ_INHERIT);
        let name = attributes.name.unwrap_or(&[]);
        if name.is_empty() {
            // Unnamed (a RootDirectory without a name names nothing either).
            let id = self.new_object(ty, body, false)?;
            return match self.create_handle(caller.table, id, access, handle_attributes) {
                Ok(handle) => Ok(Created {
                    handle,
                    object: id,
                    status: STATUS_SUCCESS,
                }),
                Err(status) => {
                    self.discard_if_unreferenced(id);
                    Err(status)
                }
            };
        }
        let lookup = self.lookup(
            caller,
            attributes.root_handle(),
            Some(name),
            bits,
            namespace::Intent::Create(ty),
        )?;
        match lookup {
            Lookup::Missing { directory, leaf } => {
                let id = self.new_object(ty, body, permanent)?;
                if let Err(status) = self.insert_entry(directory, id, leaf) {
                    self.discard_if_unreferenced(id);
                    return Err(status);
                }
                match self.create_handle(caller.table, id, access, handle_attributes) {
                    Ok(handle) => Ok(Created {
                        handle,
                        object: id,
                        status: STATUS_SUCCESS,
                    }),
                    Err(status) => {
                        self.abandon_named(id);
                        Err(status)
                    }
                }
            }
            Lookup::Found(existing) => {
                if bits & OBJ_OPENIF == 0 {
                    return Err(STATUS_OBJECT_NAME_COLLISION);
                }
                if self.hdr(existing)?.ty != ty {
                    return Err(STATUS_OBJECT_TYPE_MISMATCH);
                }
                let handle =
                    self.create_handle(caller.table, existing, access, handle_attributes)?;
                Ok(Created {
                    handle,
                    object: existing,
                    status: STATUS_OBJECT_NAME_EXISTS,
                })
            }
            Lookup::Parse { .. } => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// `ObOpenObjectByName`: `expected` is the type the service opens (`None`: any).
    pub fn open_object_by_name(
        &mut self,
        caller: &Caller,
        attributes: &ObjectAttributes<'_>,
        expected: Option<TypeIndex>,
        desired: AccessMask,
    ) -> Result<Opened, NtStatus> {
        let bits = attributes.attributes;
        if bits & !OBJ_VALID_ATTRIBUTES != 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let lookup = self.lookup(
            caller,
            attributes.root_handle(),
            attributes.name,
            bits,
            namespace::Intent::Open(expected),
        )?;
        let object = match lookup {
            Lookup::Found(object) => object,
            Lookup::Parse { object, remaining } => return Ok(Opened::Parse { object, remaining }),
            // Open lookups never report a missing leaf.
            Lookup::Missing { .. } => return Err(STATUS_OBJECT_NAME_NOT_FOUND),
        };
        let ty = self.hdr(object)?.ty;
        if expected.is_some_and(|e| e != ty) {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        self.check_attributes(ty, bits)?;
        let access = self.grant(ty, desired, caller)?;
        let handle = self.create_handle(
            caller.table,
            object,
            access,
            HandleAttributes::from_obj_bits(bits & OBJ_INHERIT),
        )?;
        Ok(Opened::Handle { handle, object })
    }
}
