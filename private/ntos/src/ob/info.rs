//! The values behind `NtQueryObject`, `NtQueryDirectoryObject` and
//! `NtQuerySymbolicLinkObject`, with the sizes Windows' structures have for 32- and
//! 64-bit callers. The service layer marshals them; the decisions (which status, which
//! length to report) are made here so they are tested once.
//!
//! Layouts (public headers: `ntdef.h`, `winternl.h`, the documented `OBJECT_*`
//! structures):
//!
//! | structure | 32-bit | 64-bit |
//! |---|---|---|
//! | `UNICODE_STRING` | 8 | 16 |
//! | `OBJECT_BASIC_INFORMATION` (9 ULONG + 3 reserved + `LARGE_INTEGER`) | 56 | 56 |
//! | `OBJECT_NAME_INFORMATION` (`UNICODE_STRING`, name follows) | 8 | 16 |
//! | `OBJECT_TYPE_INFORMATION` (`UNICODE_STRING`, 13 ULONG, `GENERIC_MAPPING`, …) | 96 | 104 |
//! | `OBJECT_DIRECTORY_INFORMATION` (two `UNICODE_STRING`s) | 16 | 32 |
//! | `OBJECT_HANDLE_FLAG_INFORMATION` (two `BOOLEAN`s) | 2 | 2 |

use alloc::vec::Vec;

use super::access::{AccessMask, GenericMapping};
use super::handle::HandleAttributes;
use super::status::*;
use ntdef::NtStatus;

/// The caller's pointer size: decides every structure size below.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PointerWidth {
    Bits32,
    Bits64,
}

impl PointerWidth {
    pub const fn pointer_size(self) -> u32 {
        match self {
            Self::Bits32 => 4,
            Self::Bits64 => 8,
        }
    }

    pub const fn unicode_string_size(self) -> u32 {
        2 * self.pointer_size()
    }
}

/// Byte size of `units` UTF-16 units, saturating (full names of nested objects are not
/// bounded by the `UNICODE_STRING` limit, so this must not overflow).
const fn units_to_bytes(units: usize) -> u32 {
    if units > (u32::MAX / 4) as usize {
        u32::MAX / 2
    } else {
        (units as u32) * 2
    }
}

const fn align_up(n: u32, to: u32) -> u32 {
    (n + to - 1) & !(to - 1)
}

pub const OBJECT_BASIC_INFORMATION_SIZE: u32 = 56;
pub const OBJECT_HANDLE_FLAG_INFORMATION_SIZE: u32 = 2;

/// `OBJECT_INFORMATION_CLASS`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectInformationClass {
    Basic,
    Name,
    Type,
    HandleFlag,
}

impl ObjectInformationClass {
    /// From the raw class number; `ObjectTypesInformation` (3) is not implemented yet,
    /// anything else is `STATUS_INVALID_INFO_CLASS`.
    pub fn from_raw(raw: u32) -> Result<Self, NtStatus> {
        match raw {
            0 => Ok(Self::Basic),
            1 => Ok(Self::Name),
            2 => Ok(Self::Type),
            3 => Err(STATUS_NOT_IMPLEMENTED),
            4 => Ok(Self::HandleFlag),
            _ => Err(STATUS_INVALID_INFO_CLASS),
        }
    }
}

/// `OBJECT_BASIC_INFORMATION`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BasicInformation {
    /// Handle attributes (`OBJ_INHERIT`, `OBJ_PROTECT_CLOSE`) plus `OBJ_PERMANENT`.
    pub attributes: u32,
    pub granted_access: AccessMask,
    pub handle_count: u32,
    pub pointer_count: u32,
    pub paged_pool_charge: u32,
    pub non_paged_pool_charge: u32,
    /// The buffer sizes `ObjectNameInformation` / `ObjectTypeInformation` need (0 for
    /// an unnamed object's name).
    pub name_info_size: u32,
    pub type_info_size: u32,
    pub security_descriptor_size: u32,
    pub creation_time: i64,
}

/// `OBJECT_NAME_INFORMATION`: the full name, empty for unnamed objects.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NameInformation {
    pub name: Vec<u16>,
}

impl NameInformation {
    /// Bytes the structure and its NUL-terminated name take; a bare `UNICODE_STRING`
    /// (Length 0, Buffer NULL) for an unnamed object.
    pub fn required_length(&self, width: PointerWidth) -> u32 {
        let head = width.unicode_string_size();
        if self.name.is_empty() {
            head
        } else {
            head.saturating_add(units_to_bytes(self.name.len()))
                .saturating_add(2)
        }
    }
}

/// `OBJECT_TYPE_INFORMATION`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TypeInformation {
    pub type_name: Vec<u16>,
    pub total_number_of_objects: u32,
    pub total_number_of_handles: u32,
    pub high_water_number_of_objects: u32,
    pub high_water_number_of_handles: u32,
    pub invalid_attributes: u32,
    pub generic_mapping: GenericMapping,
    pub valid_access_mask: AccessMask,
    pub security_required: bool,
    pub maintain_handle_count: bool,
    pub type_index: u8,
    pub pool_type: u32,
}

impl TypeInformation {
    pub const fn struct_size(width: PointerWidth) -> u32 {
        match width {
            PointerWidth::Bits32 => 96,
            PointerWidth::Bits64 => 104,
        }
    }

    /// The structure, then the NUL-terminated type name padded to pointer alignment.
    pub fn required_length(&self, width: PointerWidth) -> u32 {
        Self::struct_size(width)
            + align_up(
                units_to_bytes(self.type_name.len()) + 2,
                width.pointer_size(),
            )
    }
}

/// One `NtQueryObject` answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ObjectInformation {
    Basic(BasicInformation),
    Name(NameInformation),
    Type(TypeInformation),
    HandleFlag(HandleAttributes),
}

impl ObjectInformation {
    /// The `ReturnLength` Windows reports.
    pub fn required_length(&self, width: PointerWidth) -> u32 {
        match self {
            Self::Basic(_) => OBJECT_BASIC_INFORMATION_SIZE,
            Self::Name(n) => n.required_length(width),
            Self::Type(t) => t.required_length(width),
            Self::HandleFlag(_) => OBJECT_HANDLE_FLAG_INFORMATION_SIZE,
        }
    }

    /// The status for a caller buffer of `buffer_len` bytes: basic information needs
    /// exactly its size, the others at least theirs; short buffers get
    /// `STATUS_INFO_LENGTH_MISMATCH` (with [`Self::required_length`] as ReturnLength).
    pub fn status_for(&self, buffer_len: u32, width: PointerWidth) -> NtStatus {
        let need = self.required_length(width);
        let fits = match self {
            Self::Basic(_) => buffer_len == need,
            _ => buffer_len >= need,
        };
        if fits {
            STATUS_SUCCESS
        } else {
            STATUS_INFO_LENGTH_MISMATCH
        }
    }
}

/// `OBJECT_DIRECTORY_INFORMATION` size.
pub const fn directory_information_size(width: PointerWidth) -> u32 {
    2 * width.unicode_string_size()
}

/// Bytes one directory entry costs in an `NtQueryDirectoryObject` buffer: its
/// structure plus both NUL-terminated strings (which Windows packs after the array).
pub const fn directory_entry_size(
    name_units: usize,
    type_units: usize,
    width: PointerWidth,
) -> u32 {
    directory_information_size(width)
        + units_to_bytes(name_units)
        + 2
        + units_to_bytes(type_units)
        + 2
}

/// One enumerated directory entry.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DirectoryEntry {
    pub name: Vec<u16>,
    pub type_name: Vec<u16>,
}

/// An `NtQueryDirectoryObject` answer: `entries` go into the buffer (array, all-zero
/// terminator, then the strings), `context` into `*Context` and `return_length` into
/// `*ReturnLength`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DirectoryQuery {
    pub status: NtStatus,
    pub entries: Vec<DirectoryEntry>,
    pub context: u32,
    pub return_length: u32,
}

/// `NtQuerySymbolicLinkObject`'s decision for a caller `UNICODE_STRING`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LinkTargetFit {
    pub status: NtStatus,
    /// Bytes of target to copy (0 on failure).
    pub copy_bytes: u32,
    /// Whether a NUL terminator fits after them.
    pub terminate: bool,
    /// The `Length` to store in the caller's string on success.
    pub length: u16,
    /// What `*ReturnedLength` receives, when the caller passed it.
    pub returned_length: u32,
}

/// Fits a link target into a caller's `UNICODE_STRING` of `maximum_length` bytes.
///
/// Windows keeps the target with `MaximumLength = Length + sizeof(WCHAR)` and reports
/// that as ReturnedLength. When the caller asks for ReturnedLength the buffer must hold
/// the terminator too; without it, `Length` bytes suffice (the terminator is written
/// when it fits). Too small: `STATUS_BUFFER_TOO_SMALL`, nothing copied. (Behaviour of
/// `NtQuerySymbolicLinkObject` as described in the `ZwQuerySymbolicLinkObject`
/// documentation — ReturnedLength receives the required size — and as tested by Wine.)
pub fn fit_link_target(
    target_units: usize,
    maximum_length: u16,
    want_returned_length: bool,
) -> LinkTargetFit {
    let length = units_to_bytes(target_units);
    let stored_max = length + 2;
    let needed = if want_returned_length {
        stored_max
    } else {
        length
    };
    let max = u32::from(maximum_length);
    if max >= needed {
        LinkTargetFit {
            status: STATUS_SUCCESS,
            copy_bytes: length,
            terminate: max >= stored_max,
            length: length as u16,
            returned_length: stored_max,
        }
    } else {
        LinkTargetFit {
            status: STATUS_BUFFER_TOO_SMALL,
            copy_bytes: 0,
            terminate: false,
            length: 0,
            returned_length: stored_max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_sizes_per_width() {
        assert_eq!(directory_information_size(PointerWidth::Bits32), 16);
        assert_eq!(directory_information_size(PointerWidth::Bits64), 32);
        assert_eq!(TypeInformation::struct_size(PointerWidth::Bits32), 0x60);
        assert_eq!(TypeInformation::struct_size(PointerWidth::Bits64), 0x68);
        // "Event" (5 units): 32 + 10 + 2 + 12 + 2
        assert_eq!(
            directory_entry_size(4, 5, PointerWidth::Bits64),
            32 + 8 + 2 + 10 + 2
        );
    }

    #[test]
    fn name_information_lengths() {
        let unnamed = NameInformation { name: Vec::new() };
        assert_eq!(unnamed.required_length(PointerWidth::Bits64), 16);
        assert_eq!(unnamed.required_length(PointerWidth::Bits32), 8);
        let named = NameInformation {
            name: super::super::name::wide("\\Device"),
        };
        assert_eq!(named.required_length(PointerWidth::Bits64), 16 + 14 + 2);
        let info = ObjectInformation::Name(named);
        assert_eq!(info.status_for(32, PointerWidth::Bits64), STATUS_SUCCESS);
        assert_eq!(
            info.status_for(31, PointerWidth::Bits64),
            STATUS_INFO_LENGTH_MISMATCH
        );
    }

    #[test]
    fn basic_information_needs_exact_size() {
        let info = ObjectInformation::Basic(BasicInformation {
            attributes: 0,
            granted_access: AccessMask(0),
            handle_count: 1,
            pointer_count: 1,
            paged_pool_charge: 0,
            non_paged_pool_charge: 0,
            name_info_size: 0,
            type_info_size: 0,
            security_descriptor_size: 0,
            creation_time: 0,
        });
        assert_eq!(info.status_for(56, PointerWidth::Bits32), STATUS_SUCCESS);
        assert_eq!(
            info.status_for(57, PointerWidth::Bits32),
            STATUS_INFO_LENGTH_MISMATCH
        );
        assert_eq!(
            info.status_for(0, PointerWidth::Bits64),
            STATUS_INFO_LENGTH_MISMATCH
        );
    }

    #[test]
    fn link_target_fit() {
        // Target of 4 units: Length 8, stored MaximumLength 10.
        let f = fit_link_target(4, 10, true);
        assert_eq!(
            (
                f.status,
                f.copy_bytes,
                f.terminate,
                f.length,
                f.returned_length
            ),
            (STATUS_SUCCESS, 8, true, 8, 10)
        );
        let f = fit_link_target(4, 8, true);
        assert_eq!(
            (f.status, f.copy_bytes, f.returned_length),
            (STATUS_BUFFER_TOO_SMALL, 0, 10)
        );
        let f = fit_link_target(4, 8, false);
        assert_eq!(
            (f.status, f.copy_bytes, f.terminate),
            (STATUS_SUCCESS, 8, false)
        );
        let f = fit_link_target(4, 7, false);
        assert_eq!(f.status, STATUS_BUFFER_TOO_SMALL);
        let f = fit_link_target(0, 0, false);
        assert_eq!((f.status, f.length), (STATUS_SUCCESS, 0));
    }

    #[test]
    fn info_classes() {
        assert_eq!(
            ObjectInformationClass::from_raw(0),
            Ok(ObjectInformationClass::Basic)
        );
        assert_eq!(
            ObjectInformationClass::from_raw(4),
            Ok(ObjectInformationClass::HandleFlag)
        );
        assert_eq!(
            ObjectInformationClass::from_raw(5),
            Err(STATUS_INVALID_INFO_CLASS)
        );
        assert_eq!(
            ObjectInformationClass::from_raw(u32::MAX),
            Err(STATUS_INVALID_INFO_CLASS)
        );
    }
}
