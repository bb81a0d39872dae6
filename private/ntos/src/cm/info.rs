//! The `KEY_*_INFORMATION` and `KEY_VALUE_*_INFORMATION` structures, byte for byte, and
//! the buffer rules every registry query shares.
//!
//! The structures are little-endian sequences of `ULONG`s (plus a leading 8-byte
//! `LARGE_INTEGER` for the key structures) followed by variable parts, so they are
//! emitted field by field rather than through `#[repr(C)]` types: that keeps the code
//! free of `unsafe` and makes the one layout difference between the ABIs (where the data
//! of `KEY_VALUE_FULL_INFORMATION` starts) an explicit parameter.
//!
//! Buffer rules: a buffer shorter than the fixed part receives nothing
//! (`STATUS_BUFFER_TOO_SMALL`); one that holds the fixed part but not everything
//! receives the complete fixed part and as much of the rest as fits
//! (`STATUS_BUFFER_OVERFLOW`); in both cases `ResultLength` is the full size required.
//! Only the bytes that fit are ever materialised, so a query with a tiny buffer costs
//! nothing however large the value is.

use alloc::vec::Vec;

use ntdef::status::{
    STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER, STATUS_SUCCESS,
};
use ntdef::NtStatus;

use super::status::STATUS_INSUFFICIENT_RESOURCES;

/// `KEY_VALUE_INFORMATION_CLASS`, the classes this registry answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyValueInformationClass {
    Basic,
    Full,
    Partial,
    FullAlign64,
    PartialAlign64,
}

impl KeyValueInformationClass {
    /// `KeyValueLayerInformation` (5) and anything beyond are rejected like an
    /// unknown class: `STATUS_INVALID_PARAMETER`.
    pub fn from_raw(class: u32) -> Result<Self, NtStatus> {
        match class {
            0 => Ok(Self::Basic),
            1 => Ok(Self::Full),
            2 => Ok(Self::Partial),
            3 => Ok(Self::FullAlign64),
            4 => Ok(Self::PartialAlign64),
            _ => Err(STATUS_INVALID_PARAMETER),
        }
    }
}

/// `KEY_INFORMATION_CLASS`, the classes this registry answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyInformationClass {
    Basic,
    Node,
    Full,
    Name,
    Cached,
}

impl KeyInformationClass {
    /// `KeyFlagsInformation` (5) and later classes are not implemented and are
    /// rejected like unknown ones: `STATUS_INVALID_PARAMETER`.
    pub fn from_raw(class: u32) -> Result<Self, NtStatus> {
        match class {
            0 => Ok(Self::Basic),
            1 => Ok(Self::Node),
            2 => Ok(Self::Full),
            3 => Ok(Self::Name),
            4 => Ok(Self::Cached),
            _ => Err(STATUS_INVALID_PARAMETER),
        }
    }
}

/// The ABI of the caller's structures. The only difference is where
/// `KEY_VALUE_FULL_INFORMATION` places the data: a 64-bit kernel aligns it to 8 bytes for
/// both full classes, a 32-bit kernel to 4 (`KeyValueFullInformation`) or 8
/// (`KeyValueFullInformationAlign64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Bits32,
    Bits64,
}

/// What a query hands back to the service layer: the bytes to copy to the start of the
/// caller's buffer, the value for `ResultLength`, and the status to return
/// (`STATUS_SUCCESS`, `STATUS_BUFFER_OVERFLOW` or `STATUS_BUFFER_TOO_SMALL`; in the last
/// case `data` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoResult {
    pub data: Vec<u8>,
    pub result_length: u32,
    pub status: NtStatus,
}

/// The per-key numbers `KEY_FULL_INFORMATION` and `KEY_CACHED_INFORMATION` report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCounts {
    pub subkeys: u32,
    pub max_name_len: u32,
    pub max_class_len: u32,
    pub values: u32,
    pub max_value_name_len: u32,
    pub max_value_data_len: u32,
}

/// What the key structures describe. `name` is the last path component, or the full
/// path for `KeyNameInformation`.
pub struct KeyView<'a> {
    pub last_write: i64,
    pub name: &'a [u16],
    pub class: &'a [u16],
    pub counts: KeyCounts,
}

/// Byte length of a UTF-16 string as the `ULONG` the structures carry.
pub fn byte_len(units: usize) -> Result<u32, NtStatus> {
    units
        .checked_mul(2)
        .and_then(|b| u32::try_from(b).ok())
        .ok_or(STATUS_INSUFFICIENT_RESOURCES)
}

const fn align_up(offset: u32, align: u32) -> u32 {
    (offset + align - 1) & !(align - 1)
}

/// Offset field value meaning "absent" (no class, no data).
const NO_OFFSET: u32 = u32::MAX;

/// Writes a structure as if into a buffer of `limit` bytes, keeping only what fits while
/// counting the full size.
struct Emitter {
    data: Vec<u8>,
    limit: usize,
    pos: usize,
}

impl Emitter {
    fn new(limit: u32) -> Self {
        Self {
            data: Vec::new(),
            limit: limit as usize,
            pos: 0,
        }
    }

    /// How many of the next `len` bytes land inside the buffer.
    fn room(&self, len: usize) -> usize {
        self.limit.saturating_sub(self.pos).min(len)
    }

    fn reserve(&mut self, take: usize) -> Result<(), NtStatus> {
        self.data
            .try_reserve(take)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)
    }

    fn bytes(&mut self, src: &[u8]) -> Result<(), NtStatus> {
        let take = self.room(src.len());
        self.reserve(take)?;
        self.data.extend_from_slice(&src[..take]);
        self.pos += src.len();
        Ok(())
    }

    fn u32(&mut self, v: u32) -> Result<(), NtStatus> {
        self.bytes(&v.to_le_bytes())
    }

    fn i64(&mut self, v: i64) -> Result<(), NtStatus> {
        self.bytes(&v.to_le_bytes())
    }

    fn wide(&mut self, src: &[u16]) -> Result<(), NtStatus> {
        let len = src.len() * 2;
        let take = self.room(len);
        self.reserve(take)?;
        self.data
            .extend(src.iter().flat_map(|c| c.to_le_bytes()).take(take));
        self.pos += len;
        Ok(())
    }

    /// Padding up to `offset` (zeros; Windows leaves these bytes as they were).
    fn pad_to(&mut self, offset: u32) -> Result<(), NtStatus> {
        let n = (offset as usize).saturating_sub(self.pos);
        let take = self.room(n);
        self.reserve(take)?;
        self.data.resize(self.data.len() + take, 0);
        self.pos += n;
        Ok(())
    }

    /// Applies the buffer rules, `fixed` being the size of the fixed part.
    fn finish(mut self, fixed: usize) -> Result<InfoResult, NtStatus> {
        let result_length = u32::try_from(self.pos).map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        let status = if self.limit < fixed {
            self.data = Vec::new();
            STATUS_BUFFER_TOO_SMALL
        } else if self.limit < self.pos {
            STATUS_BUFFER_OVERFLOW
        } else {
            STATUS_SUCCESS
        };
        Ok(InfoResult {
            data: self.data,
            result_length,
            status,
        })
    }
}

// Fixed-part sizes: FIELD_OFFSET of the variable member (or sizeof for the fixed
// structures), identical for both ABIs.
pub const KEY_VALUE_BASIC_FIXED: usize = 12;
pub const KEY_VALUE_FULL_FIXED: usize = 20;
pub const KEY_VALUE_PARTIAL_FIXED: usize = 12;
pub const KEY_VALUE_PARTIAL_ALIGN64_FIXED: usize = 8;
pub const KEY_BASIC_FIXED: usize = 16;
pub const KEY_NODE_FIXED: usize = 24;
pub const KEY_FULL_FIXED: usize = 44;
pub const KEY_NAME_FIXED: usize = 4;
pub const KEY_CACHED_SIZE: usize = 40;

/// One value as `class` describes it, for a buffer of `length` bytes.
pub fn value_information(
    class: KeyValueInformationClass,
    name: &[u16],
    ty: u32,
    data: &[u8],
    length: u32,
    layout: Layout,
) -> Result<InfoResult, NtStatus> {
    let name_len = byte_len(name.len())?;
    let data_len = u32::try_from(data.len()).map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
    let mut out = Emitter::new(length);
    let fixed = match class {
        KeyValueInformationClass::Basic => {
            out.u32(0)?; // TitleIndex
            out.u32(ty)?;
            out.u32(name_len)?;
            out.wide(name)?;
            KEY_VALUE_BASIC_FIXED
        }
        KeyValueInformationClass::Full | KeyValueInformationClass::FullAlign64 => {
            let align = match (layout, class) {
                (Layout::Bits32, KeyValueInformationClass::Full) => 4,
                _ => 8,
            };
            // Name length is at most 2 * 32767, data length at most 2^31: no overflow.
            let name_end = KEY_VALUE_FULL_FIXED as u32 + name_len;
            let data_offset = if data.is_empty() {
                NO_OFFSET
            } else {
                align_up(name_end, align)
            };
            out.u32(0)?; // TitleIndex
            out.u32(ty)?;
            out.u32(data_offset)?;
            out.u32(data_len)?;
            out.u32(name_len)?;
            out.wide(name)?;
            if !data.is_empty() {
                out.pad_to(data_offset)?;
                out.bytes(data)?;
            }
            KEY_VALUE_FULL_FIXED
        }
        KeyValueInformationClass::Partial => {
            out.u32(0)?; // TitleIndex
            out.u32(ty)?;
            out.u32(data_len)?;
            out.bytes(data)?;
            KEY_VALUE_PARTIAL_FIXED
        }
        KeyValueInformationClass::PartialAlign64 => {
            out.u32(ty)?;
            out.u32(data_len)?;
            out.bytes(data)?;
            KEY_VALUE_PARTIAL_ALIGN64_FIXED
        }
    };
    out.finish(fixed)
}

/// One key as `class` describes it, for a buffer of `length` bytes.
pub fn key_information(
    class: KeyInformationClass,
    key: &KeyView<'_>,
    length: u32,
) -> Result<InfoResult, NtStatus> {
    let name_len = byte_len(key.name.len())?;
    let class_len = byte_len(key.class.len())?;
    let c = &key.counts;
    let mut out = Emitter::new(length);
    let fixed = match class {
        KeyInformationClass::Basic => {
            out.i64(key.last_write)?;
            out.u32(0)?; // TitleIndex
            out.u32(name_len)?;
            out.wide(key.name)?;
            KEY_BASIC_FIXED
        }
        KeyInformationClass::Node => {
            let class_offset = if key.class.is_empty() {
                NO_OFFSET
            } else {
                let end = (KEY_NODE_FIXED as u32)
                    .checked_add(name_len)
                    .ok_or(STATUS_INSUFFICIENT_RESOURCES)?;
                align_up(end, 4)
            };
            out.i64(key.last_write)?;
            out.u32(0)?; // TitleIndex
            out.u32(class_offset)?;
            out.u32(class_len)?;
            out.u32(name_len)?;
            out.wide(key.name)?;
            if !key.class.is_empty() {
                out.pad_to(class_offset)?;
                out.wide(key.class)?;
            }
            KEY_NODE_FIXED
        }
        KeyInformationClass::Full => {
            let class_offset = if key.class.is_empty() {
                NO_OFFSET
            } else {
                KEY_FULL_FIXED as u32
            };
            out.i64(key.last_write)?;
            out.u32(0)?; // TitleIndex
            out.u32(class_offset)?;
            out.u32(class_len)?;
            out.u32(c.subkeys)?;
            out.u32(c.max_name_len)?;
            out.u32(c.max_class_len)?;
            out.u32(c.values)?;
            out.u32(c.max_value_name_len)?;
            out.u32(c.max_value_data_len)?;
            out.wide(key.class)?;
            KEY_FULL_FIXED
        }
        KeyInformationClass::Name => {
            out.u32(name_len)?;
            out.wide(key.name)?;
            KEY_NAME_FIXED
        }
        KeyInformationClass::Cached => {
            out.i64(key.last_write)?;
            out.u32(0)?; // TitleIndex
            out.u32(c.subkeys)?;
            out.u32(c.max_name_len)?;
            out.u32(c.values)?;
            out.u32(c.max_value_name_len)?;
            out.u32(c.max_value_data_len)?;
            out.u32(name_len)?;
            out.u32(0)?; // tail padding to the 8-byte alignment of LastWriteTime
            KEY_CACHED_SIZE
        }
    };
    out.finish(fixed)
}
