//! [`PeImage`]: an image file as on disk.

use crate::bytes::idx;
use crate::headers::{Headers, Layout};
use crate::section::Sections;
use crate::PeError;

/// A validated PE image file, borrowing its bytes as on disk.
#[derive(Clone, Debug)]
pub struct PeImage<'a> {
    bytes: &'a [u8],
    h: Headers,
}

impl<'a> PeImage<'a> {
    /// Parses and validates the DOS header, PE signature, COFF header, optional header
    /// (PE32 for i386, PE32+ for AMD64), alignments, `SizeOfImage`/`SizeOfHeaders`/
    /// `ImageBase`/entry point, the section table (each section aligned, ascending,
    /// non-overlapping, inside `SizeOfImage`, its raw data inside the file) and the
    /// data directory ranges.
    pub fn parse(file: &'a [u8]) -> Result<PeImage<'a>, PeError> {
        let h = Headers::parse(file, Layout::File)?;
        Ok(PeImage { bytes: file, h })
    }

    crate::header_accessors!();

    /// The sections, in table order; `data` is the raw data clamped to the virtual size.
    pub fn sections(&self) -> Sections<'a> {
        Sections::new(self.bytes, &self.h, Layout::File)
    }

    /// The first `SizeOfHeaders` bytes of the file (mapped at RVA 0).
    pub fn header_bytes(&self) -> &'a [u8] {
        self.bytes.get(..idx(self.h.size_of_headers)).unwrap_or(&[])
    }

    /// The whole file.
    pub fn file_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Lays the image out as the loader maps it into `dest[..SizeOfImage]`: headers at
    /// 0, each section's data at its RVA, everything else zero. `dest` beyond
    /// `SizeOfImage` is left untouched. Fails with [`PeError::DestinationTooSmall`] when
    /// `dest.len() < size_of_image()`.
    pub fn copy_mapped(&self, dest: &mut [u8]) -> Result<(), PeError> {
        let dest = dest
            .get_mut(..idx(self.h.size_of_image))
            .ok_or(PeError::DestinationTooSmall)?;
        dest.fill(0);
        let headers = self.header_bytes();
        dest.get_mut(..headers.len())
            .ok_or(PeError::BadOptionalHeader)?
            .copy_from_slice(headers);
        for s in self.sections() {
            let start = idx(s.virtual_address);
            let end = start
                .checked_add(s.data.len())
                .ok_or(PeError::SectionOutOfRange)?;
            dest.get_mut(start..end)
                .ok_or(PeError::SectionOutOfRange)?
                .copy_from_slice(s.data);
        }
        Ok(())
    }
}
