//! DOS, NT (COFF + optional) headers and the section table, parsed and validated once.
//! The headers are at offset 0 both in the file and in the mapped image, so the same
//! parser serves [`crate::PeImage`] (file layout) and [`crate::MappedImage`] (RVA layout).

use crate::bytes::{align_up, idx, slice, u16_at, u32_at, u64_at};
use crate::{Machine, PeError};

pub(crate) const MACHINE_I386: u16 = 0x014c;
pub(crate) const MACHINE_AMD64: u16 = 0x8664;
const MAGIC_PE32: u16 = 0x10b;
const MAGIC_PE32_PLUS: u16 = 0x20b;

/// IMAGE_FILE_* characteristics.
pub(crate) const FILE_RELOCS_STRIPPED: u16 = 0x0001;
const FILE_EXECUTABLE_IMAGE: u16 = 0x0002;
pub(crate) const FILE_DLL: u16 = 0x2000;

/// The Windows loader's limit.
pub const MAX_SECTIONS: u16 = 96;
/// A PE32 image ends at or below this address.
pub(crate) const FOUR_GIB: u64 = 1 << 32;
/// Number of data directories this crate knows (IMAGE_NUMBEROF_DIRECTORY_ENTRIES).
pub const NUM_DIRECTORIES: u32 = 16;
/// The security directory holds a file offset, not an RVA.
const DIRECTORY_SECURITY: u32 = 4;

const SECTION_HEADER_SIZE: usize = 40;
const COFF_HEADER_SIZE: usize = 20;

/// Which layout the bytes are in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Layout {
    /// As on disk: section data at `PointerToRawData`.
    File,
    /// As mapped: section data at its RVA, `bytes.len() >= SizeOfImage`.
    Mapped,
}

/// Validated header fields.
#[derive(Clone, Debug)]
pub(crate) struct Headers {
    pub machine: Machine,
    pub characteristics: u16,
    pub section_table: usize,
    pub num_sections: u16,
    pub opt_offset: usize,
    pub entry: u32,
    pub image_base: u64,
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub subsystem: u16,
    pub dll_characteristics: u16,
    pub stack_reserve: u64,
    pub stack_commit: u64,
    pub heap_reserve: u64,
    pub heap_commit: u64,
    pub dirs_offset: usize,
    /// `NumberOfRvaAndSizes`, clamped to [`NUM_DIRECTORIES`].
    pub num_dirs: u32,
}

impl Headers {
    /// Parses and validates everything the loader relies on: headers, alignments,
    /// sizes, each section's range (and, for the file layout, its raw data), and each
    /// data directory's range inside `SizeOfImage`.
    pub fn parse(b: &[u8], layout: Layout) -> Result<Headers, PeError> {
        if b.get(..2).ok_or(PeError::Truncated)? != b"MZ" {
            return Err(PeError::BadMagic);
        }
        let lfanew = idx(u32_at(b, 0x3c).ok_or(PeError::Truncated)?);
        if slice(b, lfanew, 4).ok_or(PeError::Truncated)? != b"PE\0\0" {
            return Err(PeError::BadSignature);
        }
        let coff = lfanew.checked_add(4).ok_or(PeError::Truncated)?;
        let coff_hdr = slice(b, coff, COFF_HEADER_SIZE).ok_or(PeError::Truncated)?;
        let rd16 = |o| u16_at(coff_hdr, o).ok_or(PeError::Truncated);
        let machine_raw = rd16(0)?;
        let num_sections = rd16(2)?;
        let size_of_optional = rd16(16)?;
        let characteristics = rd16(18)?;
        let machine = match machine_raw {
            MACHINE_I386 => Machine::I386,
            MACHINE_AMD64 => Machine::Amd64,
            m => return Err(PeError::UnsupportedMachine(m)),
        };
        if characteristics & FILE_EXECUTABLE_IMAGE == 0 {
            return Err(PeError::NotExecutable);
        }

        let opt_offset = coff + COFF_HEADER_SIZE;
        let opt = slice(b, opt_offset, usize::from(size_of_optional)).ok_or(PeError::Truncated)?;
        let o16 = |o| u16_at(opt, o).ok_or(PeError::BadOptionalHeader);
        let o32 = |o| u32_at(opt, o).ok_or(PeError::BadOptionalHeader);
        let o64 = |o| u64_at(opt, o).ok_or(PeError::BadOptionalHeader);
        let wide = match (machine, o16(0)?) {
            (Machine::I386, MAGIC_PE32) => false,
            (Machine::Amd64, MAGIC_PE32_PLUS) => true,
            _ => return Err(PeError::BadOptionalHeader),
        };
        let entry = o32(16)?;
        let image_base = if wide { o64(24)? } else { u64::from(o32(28)?) };
        let section_alignment = o32(32)?;
        let file_alignment = o32(36)?;
        let size_of_image = o32(56)?;
        let size_of_headers = o32(60)?;
        let subsystem = o16(68)?;
        let dll_characteristics = o16(70)?;
        let (stack_reserve, stack_commit, heap_reserve, heap_commit, ndirs_off, dirs_rel) = if wide
        {
            (o64(72)?, o64(80)?, o64(88)?, o64(96)?, 108, 112)
        } else {
            let w = |o| o32(o).map(u64::from);
            (w(72)?, w(76)?, w(80)?, w(84)?, 92, 96)
        };
        let num_dirs_raw = o32(ndirs_off)?;
        // The directory array must fit in SizeOfOptionalHeader (computed in u64: the
        // count is attacker-chosen).
        let dirs_end = u64::from(num_dirs_raw) * 8 + dirs_rel as u64;
        if dirs_end > u64::from(size_of_optional) {
            return Err(PeError::BadOptionalHeader);
        }
        let num_dirs = num_dirs_raw.min(NUM_DIRECTORIES);

        // Alignments: powers of two, FileAlignment <= SectionAlignment, and below a page
        // both equal (the image is then mapped as laid out on disk).
        if !section_alignment.is_power_of_two()
            || !file_alignment.is_power_of_two()
            || file_alignment > section_alignment
            || file_alignment > 0x1_0000
            || (section_alignment < 0x1000 && file_alignment != section_alignment)
        {
            return Err(PeError::BadAlignment);
        }

        // Sizes and base.
        if size_of_image == 0 || size_of_headers == 0 || size_of_headers > size_of_image {
            return Err(PeError::BadOptionalHeader);
        }
        if idx(size_of_headers) > b.len() {
            return Err(PeError::Truncated);
        }
        if image_base & 0xffff != 0 {
            return Err(PeError::BadOptionalHeader);
        }
        let end = image_base
            .checked_add(u64::from(size_of_image))
            .ok_or(PeError::BadOptionalHeader)?;
        if !wide && end > FOUR_GIB {
            return Err(PeError::BadOptionalHeader);
        }
        if entry >= size_of_image {
            return Err(PeError::BadOptionalHeader);
        }
        if layout == Layout::Mapped && b.len() < idx(size_of_image) {
            return Err(PeError::Truncated);
        }

        // Section table: inside SizeOfHeaders.
        if num_sections > MAX_SECTIONS {
            return Err(PeError::BadSectionTable);
        }
        let section_table = opt_offset + usize::from(size_of_optional);
        let table_end = section_table + usize::from(num_sections) * SECTION_HEADER_SIZE;
        if table_end > idx(size_of_headers) {
            return Err(PeError::BadSectionTable);
        }

        let h = Headers {
            machine,
            characteristics,
            section_table,
            num_sections,
            opt_offset,
            entry,
            image_base,
            section_alignment,
            file_alignment,
            size_of_image,
            size_of_headers,
            subsystem,
            dll_characteristics,
            stack_reserve,
            stack_commit,
            heap_reserve,
            heap_commit,
            dirs_offset: opt_offset + dirs_rel,
            num_dirs,
        };

        // Sections: aligned, ascending, not overlapping the headers or each other,
        // inside SizeOfImage and (file layout) their raw data inside the file.
        let mut next_free = u64::from(size_of_headers);
        for i in 0..num_sections {
            let raw = h.section_header(b, i).ok_or(PeError::Truncated)?;
            let va = raw.virtual_address;
            let vsize = raw.effective_virtual_size();
            if va % section_alignment != 0 || u64::from(va) < next_free {
                return Err(PeError::SectionOutOfRange);
            }
            let vend = va.checked_add(vsize).ok_or(PeError::SectionOutOfRange)?;
            if vend > size_of_image {
                return Err(PeError::SectionOutOfRange);
            }
            next_free = u64::from(align_up(vend, section_alignment).unwrap_or(u32::MAX))
                .max(u64::from(vend));
            if layout == Layout::File && raw.size_of_raw_data != 0 {
                let raw_end = u64::from(raw.pointer_to_raw_data) + u64::from(raw.size_of_raw_data);
                if raw_end > b.len() as u64 {
                    return Err(PeError::SectionOutOfRange);
                }
            }
        }

        // Data directories (RVA ranges) inside SizeOfImage; the security directory is a
        // file range, checked against the file.
        for i in 0..num_dirs {
            let (rva, size) = h.directory_raw(b, i).ok_or(PeError::Truncated)?;
            if rva == 0 || size == 0 {
                continue;
            }
            let end = u64::from(rva) + u64::from(size);
            let limit = if i == DIRECTORY_SECURITY {
                if layout == Layout::Mapped {
                    continue;
                }
                b.len() as u64
            } else {
                u64::from(size_of_image)
            };
            if end > limit {
                return Err(PeError::BadDirectory(i as u16));
            }
        }
        Ok(h)
    }

    pub fn is_wide(&self) -> bool {
        self.machine == Machine::Amd64
    }

    pub fn section_header<'a>(&self, b: &'a [u8], i: u16) -> Option<RawSection<'a>> {
        let off = self.section_table + usize::from(i) * SECTION_HEADER_SIZE;
        let e = slice(b, off, SECTION_HEADER_SIZE)?;
        let name = e.get(..8)?;
        let name_len = name.iter().position(|&c| c == 0).unwrap_or(8);
        Some(RawSection {
            name: name.get(..name_len)?,
            virtual_size: u32_at(e, 8)?,
            virtual_address: u32_at(e, 12)?,
            size_of_raw_data: u32_at(e, 16)?,
            pointer_to_raw_data: u32_at(e, 20)?,
            characteristics: u32_at(e, 36)?,
        })
    }

    /// `(rva, size)` of directory `i` as stored (not checked against anything).
    pub fn directory_raw(&self, b: &[u8], i: u32) -> Option<(u32, u32)> {
        if i >= self.num_dirs {
            return Some((0, 0));
        }
        let off = self.dirs_offset + idx(i) * 8;
        Some((u32_at(b, off)?, u32_at(b, off + 4)?))
    }
}

/// A section table entry as stored.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawSection<'a> {
    pub name: &'a [u8],
    pub virtual_size: u32,
    pub virtual_address: u32,
    pub size_of_raw_data: u32,
    pub pointer_to_raw_data: u32,
    pub characteristics: u32,
}

impl RawSection<'_> {
    /// `VirtualSize`, or `SizeOfRawData` when the former is 0 (old linkers).
    pub fn effective_virtual_size(&self) -> u32 {
        if self.virtual_size == 0 {
            self.size_of_raw_data
        } else {
            self.virtual_size
        }
    }
}
