//! Object types: the registry of `OBJECT_TYPE`s.
//!
//! The set is open: the object manager registers its own three types ("Type",
//! "Directory", "SymbolicLink", as Windows' `ObInitSystem` does) and every other component
//! registers its types at initialisation, each with the name programs see in
//! `ObjectTypeInformation` / `NtQueryDirectoryObject`, its valid access mask and generic
//! mapping.

use alloc::vec::Vec;

use super::access::{AccessMask, GenericMapping};

/// Position of a type in the registry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct TypeIndex(pub(super) u16);

impl TypeIndex {
    pub const TYPE: Self = Self(0);
    pub const DIRECTORY: Self = Self(1);
    pub const SYMBOLIC_LINK: Self = Self(2);

    /// `OBJECT_TYPE_INFORMATION.TypeIndex`: Windows numbers types from 2 (0 and 1 are
    /// reserved), "Type" being 2.
    pub const fn windows_index(self) -> u8 {
        (self.0 as u8).wrapping_add(2)
    }
}

/// What a component supplies when it registers a type.
#[derive(Clone, Debug)]
pub struct TypeDescriptor {
    /// The type's name (ASCII, e.g. "Event").
    pub name: &'static str,
    pub valid_access: AccessMask,
    pub mapping: GenericMapping,
    /// The type has a parse procedure: name lookup stops at its objects and hands the
    /// rest of the path to the owner (devices, registry keys).
    pub parses: bool,
    /// `OBJ_*` attribute bits objects of this type refuse (`InvalidAttributes`).
    pub invalid_attributes: u32,
    pub security_required: bool,
    pub maintain_handle_count: bool,
    /// `PoolType` reported by `ObjectTypeInformation` (1 = PagedPool, 0 = NonPagedPool).
    pub pool_type: u32,
}

/// A registered type and its live statistics.
#[derive(Clone, Debug)]
pub struct ObjectType {
    pub descriptor: TypeDescriptor,
    pub name: Vec<u16>,
    pub total_objects: u32,
    pub total_handles: u32,
    pub high_water_objects: u32,
    pub high_water_handles: u32,
}

impl ObjectType {
    pub fn new(descriptor: TypeDescriptor) -> Self {
        Self {
            name: descriptor.name.encode_utf16().collect(),
            descriptor,
            total_objects: 0,
            total_handles: 0,
            high_water_objects: 0,
            high_water_handles: 0,
        }
    }

    pub(super) fn object_created(&mut self) {
        self.total_objects = self.total_objects.saturating_add(1);
        self.high_water_objects = self.high_water_objects.max(self.total_objects);
    }

    pub(super) fn object_deleted(&mut self) {
        self.total_objects = self.total_objects.saturating_sub(1);
    }

    pub(super) fn handle_opened(&mut self) {
        self.total_handles = self.total_handles.saturating_add(1);
        self.high_water_handles = self.high_water_handles.max(self.total_handles);
    }

    pub(super) fn handle_closed(&mut self) {
        self.total_handles = self.total_handles.saturating_sub(1);
    }
}
