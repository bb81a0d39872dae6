//! Sections as the loader sees them.

use crate::bytes::{idx, slice};
use crate::headers::{Headers, Layout};

/// IMAGE_SCN_MEM_EXECUTE.
pub const SCN_MEM_EXECUTE: u32 = 0x2000_0000;
/// IMAGE_SCN_MEM_READ.
pub const SCN_MEM_READ: u32 = 0x4000_0000;
/// IMAGE_SCN_MEM_WRITE.
pub const SCN_MEM_WRITE: u32 = 0x8000_0000;

/// Page protection a section asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Protection {
    /// IMAGE_SCN_MEM_READ.
    pub read: bool,
    /// IMAGE_SCN_MEM_WRITE.
    pub write: bool,
    /// IMAGE_SCN_MEM_EXECUTE.
    pub execute: bool,
}

/// One section of a validated image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// The 8-byte name up to its first NUL (`/nnn` long names are not resolved).
    pub name: &'a [u8],
    /// RVA of the section (aligned to `SectionAlignment`).
    pub virtual_address: u32,
    /// Bytes the section spans in memory: `VirtualSize`, or `SizeOfRawData` when that is
    /// 0. Always inside `SizeOfImage`. Not rounded to `SectionAlignment`.
    pub virtual_size: u32,
    /// `PointerToRawData` as stored.
    pub pointer_to_raw_data: u32,
    /// `SizeOfRawData` as stored.
    pub size_of_raw_data: u32,
    /// The section's initialised bytes. For a [`crate::PeImage`]: the raw data clamped to
    /// `virtual_size` (the loader copies these to the RVA and zero-fills the rest). For a
    /// [`crate::MappedImage`]: the `virtual_size` bytes at the RVA.
    pub data: &'a [u8],
    /// IMAGE_SCN_* flags.
    pub characteristics: u32,
}

impl Section<'_> {
    /// Read/write/execute from the characteristics.
    pub fn protection(&self) -> Protection {
        Protection {
            read: self.characteristics & SCN_MEM_READ != 0,
            write: self.characteristics & SCN_MEM_WRITE != 0,
            execute: self.characteristics & SCN_MEM_EXECUTE != 0,
        }
    }
}

/// Iterator over the section table of a validated image.
#[derive(Clone, Debug)]
pub struct Sections<'a> {
    bytes: &'a [u8],
    headers: Headers,
    layout: Layout,
    next: u16,
}

impl<'a> Sections<'a> {
    pub(crate) fn new(bytes: &'a [u8], headers: &Headers, layout: Layout) -> Sections<'a> {
        Sections {
            bytes,
            headers: headers.clone(),
            layout,
            next: 0,
        }
    }
}

impl<'a> Iterator for Sections<'a> {
    type Item = Section<'a>;

    fn next(&mut self) -> Option<Section<'a>> {
        if self.next >= self.headers.num_sections {
            return None;
        }
        let raw = self.headers.section_header(self.bytes, self.next)?;
        self.next += 1;
        let vsize = raw.effective_virtual_size();
        // Ranges were validated by `Headers::parse`; `get` keeps this panic-free anyway.
        let data = match self.layout {
            Layout::File if raw.size_of_raw_data == 0 => &[][..],
            Layout::File => slice(
                self.bytes,
                idx(raw.pointer_to_raw_data),
                idx(raw.size_of_raw_data.min(vsize)),
            )?,
            Layout::Mapped => slice(self.bytes, idx(raw.virtual_address), idx(vsize))?,
        };
        Some(Section {
            name: raw.name,
            virtual_address: raw.virtual_address,
            virtual_size: vsize,
            pointer_to_raw_data: raw.pointer_to_raw_data,
            size_of_raw_data: raw.size_of_raw_data,
            data,
            characteristics: raw.characteristics,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.headers.num_sections.saturating_sub(self.next));
        (0, Some(n))
    }
}
