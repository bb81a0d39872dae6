//! The namespace: directory and symbolic link bodies and the name walk
//! (`ObpLookupObjectName`).
//!
//! # Name rules (Windows behaviour, as exercised by Wine's `ntdll/tests/om.c`)
//!
//! - Without a root directory the name must start with `\`, else
//!   `STATUS_OBJECT_PATH_SYNTAX_BAD` (the empty name included); with one it must not,
//!   else `STATUS_OBJECT_PATH_SYNTAX_BAD`; a NULL name without a root is
//!   `STATUS_OBJECT_NAME_INVALID`.
//! - The walk goes component by component, so errors appear in path order: an empty
//!   component (`\\x`, `\a\\b`, a trailing `\`) is `STATUS_OBJECT_NAME_INVALID` when the
//!   walk reaches it, a missing intermediate component is `STATUS_OBJECT_PATH_NOT_FOUND`
//!   and a missing last one `STATUS_OBJECT_NAME_NOT_FOUND`. Hence
//!   `\BaseNamedObjects\` is NAME_INVALID but `\BaseNamedObjects\missing\` is
//!   PATH_NOT_FOUND.
//! - An intermediate component that is neither a directory, a link nor a parsing object
//!   stops the walk with `STATUS_OBJECT_TYPE_MISMATCH` (Windows finds no parse procedure
//!   for it).
//! - Symbolic links are followed wherever they appear, except as the last component when
//!   the caller looks for a link (`NtOpenSymbolicLinkObject`, creating a link) or passes
//!   `OBJ_OPENLINK`. The target replaces the name up to the link, and the walk restarts
//!   at `\`. `OBJ_DONT_REPARSE` refuses to follow (`STATUS_REPARSE_POINT_ENCOUNTERED`).
//! - Loops: the walk follows at most [`MAX_REPARSE`] links, then fails with
//!   [`REPARSE_LIMIT_STATUS`]. Windows' object manager caps reparsing the same way (a
//!   count of 32 in `ObpLookupObjectName`, as modelled by ReactOS) and ends with
//!   `STATUS_OBJECT_NAME_NOT_FOUND`; not verified against a real Windows yet — both
//!   values are constants here so a measurement can correct them in one place.
//! - A substituted name longer than a `UNICODE_STRING` can hold is
//!   `STATUS_NAME_TOO_LONG`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::handle::Handle;
use super::name::{self, MAX_NAME_UNITS, SEPARATOR};
use super::object::{Body, ObjectId};
use super::status::*;
use super::types::TypeIndex;
use super::{Caller, ObjectManager, OBJ_CASE_INSENSITIVE, OBJ_DONT_REPARSE, OBJ_OPENLINK};
use ntdef::NtStatus;

/// Most symbolic links one lookup follows.
pub const MAX_REPARSE: u32 = 32;
/// What a lookup that exceeds [`MAX_REPARSE`] returns.
pub const REPARSE_LIMIT_STATUS: NtStatus = STATUS_OBJECT_NAME_NOT_FOUND;

/// A directory object's body. Entries keep creation order (the enumeration order and
/// the meaning of `NtQueryDirectoryObject`'s context index); the index maps upcased
/// names to every entry with that name, since case-sensitive creates may add names that
/// differ only in case.
#[derive(Debug, Default)]
pub struct Directory {
    entries: Vec<ObjectId>,
    index: BTreeMap<Vec<u16>, Vec<ObjectId>>,
    /// Looked up when a name is missing here (`\??` → `\GLOBAL??`).
    pub(super) shadow: Option<ObjectId>,
}

impl Directory {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at enumeration position `i`.
    pub fn entry(&self, i: usize) -> Option<ObjectId> {
        self.entries.get(i).copied()
    }

    pub(super) fn insert(&mut self, key: Vec<u16>, id: ObjectId) -> Result<(), NtStatus> {
        self.entries
            .try_reserve(1)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        let slot = self.index.entry(key).or_default();
        slot.try_reserve(1)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        slot.push(id);
        self.entries.push(id);
        Ok(())
    }

    pub(super) fn remove(&mut self, key: &[u16], id: ObjectId) {
        if let Some(ids) = self.index.get_mut(key) {
            ids.retain(|&i| i != id);
            if ids.is_empty() {
                self.index.remove(key);
            }
        }
        self.entries.retain(|&i| i != id);
    }

    fn candidates(&self, key: &[u16]) -> &[ObjectId] {
        self.index.get(key).map_or(&[], Vec::as_slice)
    }
}

/// A symbolic link object's body.
#[derive(Debug, Clone)]
pub struct SymbolicLink {
    pub target: Vec<u16>,
    /// `OBJECT_BASIC_INFORMATION.CreationTime` (Windows reports it for links only).
    pub creation_time: i64,
}

/// What a lookup is for: it decides how the last component is treated.
#[derive(Clone, Copy, Debug)]
pub(super) enum Intent {
    /// Open an object of this type (`None`: any type).
    Open(Option<TypeIndex>),
    /// Create an object of this type: a missing last component is not an error.
    Create(TypeIndex),
}

impl Intent {
    fn wants_link(self) -> bool {
        matches!(
            self,
            Intent::Open(Some(TypeIndex::SYMBOLIC_LINK)) | Intent::Create(TypeIndex::SYMBOLIC_LINK)
        )
    }
}

/// Where a name led.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(ObjectId),
    /// Create only: the last component does not exist in `directory`.
    Missing {
        directory: ObjectId,
        leaf: Vec<u16>,
    },
    /// The walk reached an object whose type parses the rest of the name.
    Parse {
        object: ObjectId,
        remaining: Vec<u16>,
    },
}

impl ObjectManager {
    /// A permanent object of an external type that the executive itself names, as
    /// `\<dir>\<leaf>` (Windows' `\KernelObjects\CritSecOutOfMemoryEvent`): the
    /// directory is created (permanent) if it is missing; an existing object of that
    /// name is returned if it has type `ty`, else `STATUS_OBJECT_TYPE_MISMATCH`.
    pub fn system_object(
        &mut self,
        dir: &str,
        leaf: &str,
        ty: TypeIndex,
    ) -> Result<ObjectId, NtStatus> {
        let root = self.root;
        let dir_id = match self.find_in_directory(root, &name::wide(dir), true, false)? {
            Some(d) if self.header(d).map(|h| h.ty) == Some(TypeIndex::DIRECTORY) => d,
            Some(_) => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            None => self.permanent_directory(root, dir)?,
        };
        let leaf_units = name::wide(leaf);
        if let Some(found) = self.find_in_directory(dir_id, &leaf_units, true, false)? {
            return match self.header(found).map(|h| h.ty) {
                Some(t) if t == ty => Ok(found),
                _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
            };
        }
        let id = self.new_object(ty, Body::External, true)?;
        self.insert_entry(dir_id, id, leaf_units)
            .inspect_err(|_| self.discard_if_unreferenced(id))?;
        Ok(id)
    }

    /// Finds `component` in directory `dir`, then (with `use_shadow`) in its shadow
    /// directory.
    fn find_in_directory(
        &self,
        dir: ObjectId,
        component: &[u16],
        case_insensitive: bool,
        use_shadow: bool,
    ) -> Result<Option<ObjectId>, NtStatus> {
        let key = name::upcase_key(component)?;
        let mut current = Some(dir);
        // The directory itself, then one shadow: shadows are not chained.
        for _ in 0..if use_shadow { 2 } else { 1 } {
            let Some(d) = current else { break };
            let Some(Body::Directory(directory)) = self.objects.get(d).map(|h| &h.body) else {
                break;
            };
            let found = directory.candidates(&key).iter().copied().find(|&id| {
                case_insensitive
                    || self
                        .objects
                        .get(id)
                        .and_then(|h| h.name.as_deref())
                        .is_some_and(|n| n == component)
            });
            if found.is_some() {
                return Ok(found);
            }
            current = directory.shadow;
        }
        Ok(None)
    }

    /// Walks `name` (see the module notes).
    pub(super) fn lookup(
        &self,
        caller: &Caller,
        root: Option<Handle>,
        name: Option<&[u16]>,
        attributes: u32,
        intent: Intent,
    ) -> Result<Lookup, NtStatus> {
        let case_insensitive = attributes & OBJ_CASE_INSENSITIVE != 0;
        let name = match (name, root) {
            (None, None) => return Err(STATUS_OBJECT_NAME_INVALID),
            (None, Some(_)) => &[][..],
            (Some(n), _) => n,
        };
        if name.len() > MAX_NAME_UNITS {
            return Err(STATUS_OBJECT_NAME_INVALID);
        }
        let mut dir;
        let mut path: Vec<u16>;
        match root {
            Some(handle) => {
                let entry = self.resolve_handle(caller, handle)?;
                let h = self.hdr(entry.object)?;
                match &h.body {
                    Body::Directory(_) => {}
                    _ if self.ty(h.ty)?.descriptor.parses => {
                        return Ok(Lookup::Parse {
                            object: entry.object,
                            remaining: name::try_copy(name)?,
                        });
                    }
                    _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
                }
                if name.first() == Some(&SEPARATOR) {
                    return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
                }
                dir = entry.object;
                path = name::try_copy(name)?;
            }
            None => {
                if name.first() != Some(&SEPARATOR) {
                    return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
                }
                dir = self.root;
                path = name::try_copy(&name[1..])?;
            }
        }
        let mut reparses = 0;
        'walk: loop {
            if path.is_empty() {
                // The name is `\` itself (or a link to it): Windows answers a create of
                // anything but a directory there with STATUS_OBJECT_TYPE_MISMATCH, with
                // or without OBJ_OPENIF (Wine om.c test_name_collisions).
                if dir == self.root
                    && matches!(intent, Intent::Create(t) if t != TypeIndex::DIRECTORY)
                {
                    return Err(STATUS_OBJECT_TYPE_MISMATCH);
                }
                return Ok(Lookup::Found(dir));
            }
            let mut start = 0;
            loop {
                let end = path[start..]
                    .iter()
                    .position(|&c| c == SEPARATOR)
                    .map(|i| start + i);
                let component = &path[start..end.unwrap_or(path.len())];
                let last = end.is_none();
                if component.is_empty() {
                    return Err(STATUS_OBJECT_NAME_INVALID);
                }
                // A create defines the last component locally: the shadow (global)
                // directory is for lookups, so `\??\X` can override `\GLOBAL??\X`.
                let use_shadow = !(last && matches!(intent, Intent::Create(_)));
                let Some(object) =
                    self.find_in_directory(dir, component, case_insensitive, use_shadow)?
                else {
                    return match (last, intent) {
                        (true, Intent::Create(_)) => Ok(Lookup::Missing {
                            directory: dir,
                            leaf: name::try_copy(component)?,
                        }),
                        (true, Intent::Open(_)) => Err(STATUS_OBJECT_NAME_NOT_FOUND),
                        (false, _) => Err(STATUS_OBJECT_PATH_NOT_FOUND),
                    };
                };
                let rest = &path[end.unwrap_or(path.len())..];
                let h = self.hdr(object)?;
                match &h.body {
                    Body::SymbolicLink(link) => {
                        if last && (intent.wants_link() || attributes & OBJ_OPENLINK != 0) {
                            return Ok(Lookup::Found(object));
                        }
                        if attributes & OBJ_DONT_REPARSE != 0 {
                            return Err(STATUS_REPARSE_POINT_ENCOUNTERED);
                        }
                        reparses += 1;
                        if reparses > MAX_REPARSE {
                            return Err(REPARSE_LIMIT_STATUS);
                        }
                        let substituted = name::try_concat(&link.target, rest)?;
                        if substituted.first() != Some(&SEPARATOR) {
                            return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
                        }
                        dir = self.root;
                        path = name::try_copy(&substituted[1..])?;
                        continue 'walk;
                    }
                    Body::Directory(_) => {
                        if last {
                            return Ok(Lookup::Found(object));
                        }
                        dir = object;
                        start = end.map_or(path.len(), |e| e + 1);
                    }
                    _ if self.ty(h.ty)?.descriptor.parses => {
                        return Ok(Lookup::Parse {
                            object,
                            remaining: name::try_copy(rest)?,
                        });
                    }
                    _ if last => return Ok(Lookup::Found(object)),
                    _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
                }
            }
        }
    }
}
