//! PE/COFF image logic shared by the NT Executive (loading images into new address
//! spaces) and `ntdll.dll` (binding imports at run time): PE32 (i386) and PE32+ (AMD64).
//!
//! - [`PeImage`]: a file as on disk; validates headers and sections and lays the image
//!   out as mapped ([`PeImage::copy_mapped`]).
//! - [`MappedImage`]: an image laid out by RVA (what ntdll sees): imports, exports, TLS.
//! - [`relocate`]: applies base relocations in place.
//!
//! `no_std`, no allocation, no `unsafe`: everything borrows the caller's bytes, and
//! every offset and size read from an image is bounds-checked with checked arithmetic,
//! so a hostile image gives a [`PeError`], never a panic.
//!
//! Why not the `object` crate: its `read_core` + `pe` features would cover parsing, but
//! the crate links `alloc` unconditionally (ntdll has no heap yet and the executive's
//! loader wants none), it does not apply relocations or lay images out, and it would
//! add a general multi-format reader to ntdll for the few hundred lines the loader
//! needs. The format facts used here are those of Microsoft's PE/COFF specification.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bytes;
mod error;
mod headers;
mod image;
mod mapped;
mod reloc;
mod section;

pub use error::PeError;
pub use headers::{MAX_SECTIONS, NUM_DIRECTORIES};
pub use image::PeImage;
pub use mapped::{
    parse_forwarder, Export, ExportNames, ForwardTarget, Import, ImportDll, ImportEntries,
    ImportEntry, Imports, MappedImage, TlsCallbacks, TlsDirectory,
};
pub use reloc::relocate;
pub use section::{Protection, Section, Sections, SCN_MEM_EXECUTE, SCN_MEM_READ, SCN_MEM_WRITE};

/// The machines Nereid loads images for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Machine {
    /// IMAGE_FILE_MACHINE_I386 (0x14c), PE32.
    I386,
    /// IMAGE_FILE_MACHINE_AMD64 (0x8664), PE32+.
    Amd64,
}

impl Machine {
    /// The COFF machine number.
    pub fn coff(self) -> u16 {
        match self {
            Machine::I386 => headers::MACHINE_I386,
            Machine::Amd64 => headers::MACHINE_AMD64,
        }
    }

    /// Bytes in a pointer (IAT slot, TLS callback, DIR64/HIGHLOW fixup).
    pub fn pointer_size(self) -> usize {
        match self {
            Machine::I386 => 4,
            Machine::Amd64 => 8,
        }
    }
}

/// IMAGE_DIRECTORY_ENTRY_* indices.
pub mod directory {
    /// Export directory.
    pub const EXPORT: u16 = 0;
    /// Import descriptors.
    pub const IMPORT: u16 = 1;
    /// Resources.
    pub const RESOURCE: u16 = 2;
    /// Exception (.pdata).
    pub const EXCEPTION: u16 = 3;
    /// Security (a file offset, not an RVA).
    pub const SECURITY: u16 = 4;
    /// Base relocations.
    pub const BASERELOC: u16 = 5;
    /// Debug directory.
    pub const DEBUG: u16 = 6;
    /// TLS directory.
    pub const TLS: u16 = 9;
    /// Load configuration.
    pub const LOAD_CONFIG: u16 = 10;
    /// Import address table.
    pub const IAT: u16 = 12;
    /// Delay-load descriptors.
    pub const DELAY_IMPORT: u16 = 13;
}

/// Subsystem values ([`PeImage::subsystem`]).
pub mod subsystem {
    /// IMAGE_SUBSYSTEM_NATIVE.
    pub const NATIVE: u16 = 1;
    /// IMAGE_SUBSYSTEM_WINDOWS_GUI.
    pub const WINDOWS_GUI: u16 = 2;
    /// IMAGE_SUBSYSTEM_WINDOWS_CUI.
    pub const WINDOWS_CUI: u16 = 3;
}

/// A data directory entry: an RVA range (a file range for [`directory::SECURITY`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataDirectory {
    /// Start (RVA).
    pub rva: u32,
    /// Length in bytes.
    pub size: u32,
}

/// The accessors both views share, over validated headers.
macro_rules! header_accessors {
    () => {
        /// The image's machine.
        pub fn machine(&self) -> $crate::Machine {
            self.h.machine
        }
        /// IMAGE_FILE_DLL is set.
        pub fn is_dll(&self) -> bool {
            self.h.characteristics & $crate::headers::FILE_DLL != 0
        }
        /// COFF characteristics (IMAGE_FILE_*).
        pub fn characteristics(&self) -> u16 {
            self.h.characteristics
        }
        /// Preferred base address (`ImageBase`; after [`crate::relocate`], the new base).
        pub fn image_base(&self) -> u64 {
            self.h.image_base
        }
        /// `SizeOfImage`: the span to reserve.
        pub fn size_of_image(&self) -> u32 {
            self.h.size_of_image
        }
        /// `SizeOfHeaders`.
        pub fn size_of_headers(&self) -> u32 {
            self.h.size_of_headers
        }
        /// `SectionAlignment`.
        pub fn section_alignment(&self) -> u32 {
            self.h.section_alignment
        }
        /// `FileAlignment`.
        pub fn file_alignment(&self) -> u32 {
            self.h.file_alignment
        }
        /// `AddressOfEntryPoint`, `None` when 0 (usual for DLLs without DllMain).
        pub fn entry_point_rva(&self) -> Option<u32> {
            match self.h.entry {
                0 => None,
                e => Some(e),
            }
        }
        /// `Subsystem` (see [`crate::subsystem`]).
        pub fn subsystem(&self) -> u16 {
            self.h.subsystem
        }
        /// `SizeOfStackReserve`.
        pub fn stack_reserve(&self) -> u64 {
            self.h.stack_reserve
        }
        /// `SizeOfStackCommit`.
        pub fn stack_commit(&self) -> u64 {
            self.h.stack_commit
        }
        /// `SizeOfHeapReserve`.
        pub fn heap_reserve(&self) -> u64 {
            self.h.heap_reserve
        }
        /// `SizeOfHeapCommit`.
        pub fn heap_commit(&self) -> u64 {
            self.h.heap_commit
        }
        /// `DllCharacteristics` (IMAGE_DLLCHARACTERISTICS_*).
        pub fn dll_characteristics(&self) -> u16 {
            self.h.dll_characteristics
        }
        /// Data directory `index` (see [`crate::directory`]), `None` when absent (index
        /// past `NumberOfRvaAndSizes`, or RVA or size 0). Its range was checked to lie
        /// inside `SizeOfImage` (the file, for the security directory).
        pub fn data_directory(&self, index: u16) -> Option<$crate::DataDirectory> {
            match self.h.directory_raw(self.bytes, u32::from(index)) {
                Some((rva, size)) if rva != 0 && size != 0 => {
                    Some($crate::DataDirectory { rva, size })
                }
                _ => None,
            }
        }
    };
}
pub(crate) use header_accessors;
