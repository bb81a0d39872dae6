//! Service-shaped entry points: `Nt*` semantics over captured Rust values. The system
//! service layer probes and captures the caller's arguments, calls these, and writes the
//! results back (layouts in [`super::info`]).

use alloc::vec::Vec;

use super::access::*;
use super::handle::{Handle, HandleAttributes};
use super::info::*;
use super::name::{self, MAX_NAME_UNITS};
use super::namespace::SymbolicLink;
use super::object::Body;
use super::status::*;
use super::types::TypeIndex;
use super::{Caller, Created, Directory, ObjectAttributes, ObjectManager, Opened, OBJ_PERMANENT};
use ntdef::NtStatus;

pub use super::info::{
    BasicInformation, DirectoryEntry, DirectoryQuery, LinkTargetFit, NameInformation,
    ObjectInformation, ObjectInformationClass, TypeInformation,
};

impl ObjectManager {
    fn open_handle_of_type(
        &mut self,
        caller: &Caller,
        attributes: &ObjectAttributes<'_>,
        ty: TypeIndex,
        desired: AccessMask,
    ) -> Result<Handle, NtStatus> {
        match self.open_object_by_name(caller, attributes, Some(ty), desired)? {
            Opened::Handle { handle, .. } => Ok(handle),
            // A device or key cannot be opened as a directory or a link.
            Opened::Parse { .. } => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// `NtCreateDirectoryObject` (`NtCreateDirectoryObjectEx` without a shadow).
    pub fn create_directory(
        &mut self,
        caller: &Caller,
        desired: AccessMask,
        attributes: &ObjectAttributes<'_>,
    ) -> Result<Created, NtStatus> {
        self.insert_object(
            caller,
            TypeIndex::DIRECTORY,
            attributes,
            desired,
            Body::Directory(Directory::new()),
        )
    }

    /// `NtOpenDirectoryObject`.
    pub fn open_directory(
        &mut self,
        caller: &Caller,
        desired: AccessMask,
        attributes: &ObjectAttributes<'_>,
    ) -> Result<Handle, NtStatus> {
        self.open_handle_of_type(caller, attributes, TypeIndex::DIRECTORY, desired)
    }

    /// `NtQueryDirectoryObject`. Needs `DIRECTORY_QUERY`. Enumerates from `context` (0
    /// with `restart_scan`) into a buffer of `buffer_len` bytes laid out for `width`:
    ///
    /// - nothing left: `STATUS_NO_MORE_ENTRIES`, context unchanged;
    /// - `single`: one entry, or `STATUS_BUFFER_TOO_SMALL` with the size it needs;
    /// - otherwise as many entries as fit: `STATUS_SUCCESS` when that was all of them,
    ///   `STATUS_MORE_ENTRIES` when some remain, `STATUS_BUFFER_TOO_SMALL` (with the
    ///   size the first one needs) when not even one fits.
    ///
    /// ReturnLength counts the terminating entry, as Windows does (so an exhausted
    /// enumeration reports one structure's size).
    #[allow(clippy::too_many_arguments)]
    pub fn query_directory(
        &self,
        caller: &Caller,
        handle: Handle,
        buffer_len: u32,
        single: bool,
        restart_scan: bool,
        context: u32,
        width: PointerWidth,
    ) -> Result<DirectoryQuery, NtStatus> {
        let entry =
            self.object_by_handle(caller, handle, Some(TypeIndex::DIRECTORY), DIRECTORY_QUERY)?;
        let Body::Directory(directory) = &self.hdr(entry.object)?.body else {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        };
        let start = if restart_scan { 0 } else { context };
        let terminator = directory_information_size(width);
        let mut used = terminator;
        let mut entries = Vec::new();
        let mut index = start as usize;
        let mut status = STATUS_SUCCESS;
        while let Some(id) = directory.entry(index) {
            let h = self.hdr(id)?;
            let entry_name = h.name.as_deref().unwrap_or(&[]);
            let type_name = &self.ty(h.ty)?.name;
            let size = directory_entry_size(entry_name.len(), type_name.len(), width);
            let total = used.saturating_add(size);
            if total > buffer_len {
                if entries.is_empty() {
                    return Ok(DirectoryQuery {
                        status: STATUS_BUFFER_TOO_SMALL,
                        entries,
                        context,
                        return_length: total,
                    });
                }
                status = STATUS_MORE_ENTRIES;
                break;
            }
            used = total;
            entries.push(DirectoryEntry {
                name: name::try_copy(entry_name)?,
                type_name: name::try_copy(type_name)?,
            });
            index += 1;
            if single {
                break;
            }
        }
        if entries.is_empty() {
            return Ok(DirectoryQuery {
                status: STATUS_NO_MORE_ENTRIES,
                entries,
                context,
                return_length: terminator,
            });
        }
        Ok(DirectoryQuery {
            status,
            context: index as u32,
            entries,
            return_length: used,
        })
    }

    /// `NtCreateSymbolicLinkObject`. `target` longer than a `UNICODE_STRING` can carry
    /// with its terminator is `STATUS_INVALID_PARAMETER`; `creation_time` is the system
    /// time to report in basic information.
    pub fn create_symbolic_link(
        &mut self,
        caller: &Caller,
        desired: AccessMask,
        attributes: &ObjectAttributes<'_>,
        target: &[u16],
        creation_time: i64,
    ) -> Result<Created, NtStatus> {
        if target.len() >= MAX_NAME_UNITS {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let body = Body::SymbolicLink(SymbolicLink {
            target: name::try_copy(target)?,
            creation_time,
        });
        self.insert_object(caller, TypeIndex::SYMBOLIC_LINK, attributes, desired, body)
    }

    /// `NtOpenSymbolicLinkObject`: the link itself, not its target.
    pub fn open_symbolic_link(
        &mut self,
        caller: &Caller,
        desired: AccessMask,
        attributes: &ObjectAttributes<'_>,
    ) -> Result<Handle, NtStatus> {
        self.open_handle_of_type(caller, attributes, TypeIndex::SYMBOLIC_LINK, desired)
    }

    /// `NtQuerySymbolicLinkObject`: the target (needs `SYMBOLIC_LINK_QUERY`). Fit it to
    /// the caller's string with [`fit_link_target`].
    pub fn query_symbolic_link(
        &self,
        caller: &Caller,
        handle: Handle,
    ) -> Result<Vec<u16>, NtStatus> {
        let entry = self.object_by_handle(
            caller,
            handle,
            Some(TypeIndex::SYMBOLIC_LINK),
            SYMBOLIC_LINK_QUERY,
        )?;
        match &self.hdr(entry.object)?.body {
            Body::SymbolicLink(link) => name::try_copy(&link.target),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// `NtClose`.
    #[inline]
    pub fn close(&mut self, caller: &Caller, handle: Handle) -> Result<(), NtStatus> {
        self.close_handle(caller, handle)
    }

    /// `NtQueryObject`: the values of one information class (no access needed). Check
    /// the caller's buffer with [`ObjectInformation::status_for`].
    pub fn query_object(
        &self,
        caller: &Caller,
        handle: Handle,
        class: ObjectInformationClass,
        width: PointerWidth,
    ) -> Result<ObjectInformation, NtStatus> {
        let entry = self.resolve_handle(caller, handle)?;
        let h = self.hdr(entry.object)?;
        Ok(match class {
            ObjectInformationClass::Basic => {
                let name_info_size = if h.name.is_some() || entry.object == self.root {
                    NameInformation {
                        name: self.full_name(entry.object),
                    }
                    .required_length(width)
                } else {
                    0
                };
                ObjectInformation::Basic(BasicInformation {
                    attributes: entry.attributes.obj_bits()
                        | if h.permanent { OBJ_PERMANENT } else { 0 },
                    granted_access: entry.access,
                    handle_count: h.handle_count,
                    pointer_count: h.pointer_count,
                    paged_pool_charge: 0,
                    non_paged_pool_charge: 0,
                    name_info_size,
                    type_info_size: self.type_information(h.ty)?.required_length(width),
                    security_descriptor_size: 0,
                    creation_time: match &h.body {
                        Body::SymbolicLink(link) => link.creation_time,
                        _ => 0,
                    },
                })
            }
            ObjectInformationClass::Name => {
                let name = self.full_name(entry.object);
                // Nested names can outgrow what a UNICODE_STRING describes.
                if name.len() > MAX_NAME_UNITS {
                    return Err(STATUS_NAME_TOO_LONG);
                }
                ObjectInformation::Name(NameInformation { name })
            }
            ObjectInformationClass::Type => ObjectInformation::Type(self.type_information(h.ty)?),
            ObjectInformationClass::HandleFlag => ObjectInformation::HandleFlag(entry.attributes),
        })
    }

    fn type_information(&self, ty: TypeIndex) -> Result<TypeInformation, NtStatus> {
        let t = self.ty(ty)?;
        Ok(TypeInformation {
            type_name: name::try_copy(&t.name)?,
            total_number_of_objects: t.total_objects,
            total_number_of_handles: t.total_handles,
            high_water_number_of_objects: t.high_water_objects,
            high_water_number_of_handles: t.high_water_handles,
            invalid_attributes: t.descriptor.invalid_attributes,
            generic_mapping: t.descriptor.mapping,
            valid_access_mask: t.descriptor.valid_access,
            security_required: t.descriptor.security_required,
            maintain_handle_count: t.descriptor.maintain_handle_count,
            type_index: ty.windows_index(),
            pool_type: t.descriptor.pool_type,
        })
    }

    /// `NtSetInformationObject(ObjectHandleFlagInformation)`.
    pub fn set_handle_flags(
        &mut self,
        caller: &Caller,
        handle: Handle,
        flags: HandleAttributes,
    ) -> Result<(), NtStatus> {
        self.set_handle_attributes(caller, handle, flags)
    }

    /// `NtMakeTemporaryObject`: needs `DELETE` on the handle.
    pub fn make_temporary(&mut self, caller: &Caller, handle: Handle) -> Result<(), NtStatus> {
        let entry = self.object_by_handle(caller, handle, None, DELETE)?;
        self.make_object_temporary(entry.object)
    }

    /// `NtMakePermanentObject`: needs `SeCreatePermanentPrivilege`.
    pub fn make_permanent(&mut self, caller: &Caller, handle: Handle) -> Result<(), NtStatus> {
        let entry = self.resolve_handle(caller, handle)?;
        if !caller.privileges.create_permanent {
            return Err(STATUS_PRIVILEGE_NOT_HELD);
        }
        self.hdr_mut(entry.object)?.permanent = true;
        Ok(())
    }
}
