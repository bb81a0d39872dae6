//! The one error type of the crate.

use core::fmt;

/// Why an image was refused. Every malformed input ends in one of these, never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeError {
    /// A header, table or string runs past the end of the bytes given.
    Truncated,
    /// No `MZ` at offset 0.
    BadMagic,
    /// No `PE\0\0` at `e_lfanew`.
    BadSignature,
    /// The COFF machine is neither i386 (0x14c) nor AMD64 (0x8664).
    UnsupportedMachine(u16),
    /// `IMAGE_FILE_EXECUTABLE_IMAGE` is clear: an object file, not an image.
    NotExecutable,
    /// Optional header: wrong magic for the machine, too small for its directories,
    /// bad `ImageBase`, `SizeOfImage`, `SizeOfHeaders` or entry point.
    BadOptionalHeader,
    /// `SectionAlignment`/`FileAlignment` not powers of two or inconsistent.
    BadAlignment,
    /// More than 96 sections, or a section table outside the headers.
    BadSectionTable,
    /// A section misaligned, overlapping another or the headers, or outside
    /// `SizeOfImage` or the file.
    SectionOutOfRange,
    /// Data directory `index` (IMAGE_DIRECTORY_ENTRY_*) or what it points to is out of
    /// range or malformed.
    BadDirectory(u16),
    /// A base relocation block or entry is malformed or targets outside the image.
    BadRelocation,
    /// A base relocation type other than ABSOLUTE, HIGHLOW and DIR64.
    UnsupportedRelocation(u16),
    /// The image must move but has `IMAGE_FILE_RELOCS_STRIPPED`.
    RelocationsStripped,
    /// The requested base cannot hold the image (PE32 above 4 GiB, or wrapping).
    BadImageBase,
    /// The destination buffer is smaller than `SizeOfImage`.
    DestinationTooSmall,
}

impl fmt::Display for PeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeError::Truncated => f.write_str("image truncated"),
            PeError::BadMagic => f.write_str("no MZ header"),
            PeError::BadSignature => f.write_str("no PE signature"),
            PeError::UnsupportedMachine(m) => write!(f, "unsupported machine {m:#06x}"),
            PeError::NotExecutable => f.write_str("not an executable image"),
            PeError::BadOptionalHeader => f.write_str("bad optional header"),
            PeError::BadAlignment => f.write_str("bad section or file alignment"),
            PeError::BadSectionTable => f.write_str("bad section table"),
            PeError::SectionOutOfRange => f.write_str("section out of range"),
            PeError::BadDirectory(i) => write!(f, "bad data directory {i}"),
            PeError::BadRelocation => f.write_str("bad base relocation"),
            PeError::UnsupportedRelocation(t) => write!(f, "unsupported base relocation type {t}"),
            PeError::RelocationsStripped => f.write_str("image cannot move: relocations stripped"),
            PeError::BadImageBase => f.write_str("image base cannot hold the image"),
            PeError::DestinationTooSmall => f.write_str("destination smaller than SizeOfImage"),
        }
    }
}

impl core::error::Error for PeError {}
