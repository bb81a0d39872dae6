//! [`MappedImage`]: an image laid out by RVA — imports, exports, TLS.

use crate::bytes::{cstr, idx, ptr_at, slice, u16_at, u32_at};
use crate::directory::{EXPORT, IMPORT, TLS};
use crate::headers::{Headers, Layout};
use crate::section::Sections;
use crate::PeError;

const IMPORT_DESCRIPTOR_SIZE: usize = 20;
const EXPORT_DIRECTORY_SIZE: u32 = 40;

/// A validated image laid out by RVA (headers at 0, sections at their RVAs), as mapped
/// by the executive; borrows exactly `SizeOfImage` bytes.
#[derive(Clone, Debug)]
pub struct MappedImage<'a> {
    bytes: &'a [u8],
    h: Headers,
}

impl<'a> MappedImage<'a> {
    /// Validates the headers found at the start of `mem` (as [`crate::PeImage::parse`]
    /// does, section raw data aside) and requires `mem.len() >= SizeOfImage`; bytes past
    /// `SizeOfImage` are ignored.
    pub fn new(mem: &'a [u8]) -> Result<MappedImage<'a>, PeError> {
        let h = Headers::parse(mem, Layout::Mapped)?;
        let bytes = mem.get(..idx(h.size_of_image)).ok_or(PeError::Truncated)?;
        Ok(MappedImage { bytes, h })
    }

    crate::header_accessors!();

    /// The sections; `data` is the memory at each RVA (`virtual_size` bytes).
    pub fn sections(&self) -> Sections<'a> {
        Sections::new(self.bytes, &self.h, Layout::Mapped)
    }

    /// The image's memory, `SizeOfImage` bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Converts an absolute address (relative to the header's `ImageBase`) into an RVA
    /// inside the image.
    pub fn va_to_rva(&self, va: u64) -> Option<u32> {
        let rva = u32::try_from(va.checked_sub(self.h.image_base)?).ok()?;
        (rva < self.h.size_of_image).then_some(rva)
    }

    fn dir(&self, index: u16) -> Option<(u32, u32)> {
        self.data_directory(index).map(|d| (d.rva, d.size))
    }

    // ----- imports -------------------------------------------------------------------

    /// The import descriptors, in order, up to the first whose `Name` or `FirstThunk` is
    /// 0. Empty when the image has no import directory.
    pub fn imports(&self) -> Result<Imports<'a>, PeError> {
        let next = match self.dir(IMPORT) {
            None => None,
            Some((rva, _)) => {
                slice(self.bytes, idx(rva), IMPORT_DESCRIPTOR_SIZE)
                    .ok_or(PeError::BadDirectory(IMPORT))?;
                Some(idx(rva))
            }
        };
        Ok(Imports {
            bytes: self.bytes,
            wide: self.h.is_wide(),
            next,
        })
    }

    // ----- exports -------------------------------------------------------------------

    fn export_dir(&self) -> Result<Option<ExportDir>, PeError> {
        let Some((rva, size)) = self.dir(EXPORT) else {
            return Ok(None);
        };
        let bad = PeError::BadDirectory(EXPORT);
        if size < EXPORT_DIRECTORY_SIZE {
            return Err(bad);
        }
        let d = slice(self.bytes, idx(rva), idx(EXPORT_DIRECTORY_SIZE)).ok_or(bad)?;
        let r = |o| u32_at(d, o).ok_or(bad);
        let e = ExportDir {
            rva,
            size,
            name: r(12)?,
            base: r(16)?,
            num_functions: r(20)?,
            num_names: r(24)?,
            functions: r(28)?,
            names: r(32)?,
            ordinals: r(36)?,
        };
        // The three arrays lie inside the image.
        let inside = |start: u32, count: u32, width: u64| {
            count == 0 || u64::from(start) + u64::from(count) * width <= self.bytes.len() as u64
        };
        if !inside(e.functions, e.num_functions, 4)
            || !inside(e.names, e.num_names, 4)
            || !inside(e.ordinals, e.num_names, 2)
        {
            return Err(bad);
        }
        Ok(Some(e))
    }

    /// The export for function index `i` (ordinal − Base).
    fn export_at(&self, e: &ExportDir, i: u32) -> Result<Option<Export<'a>>, PeError> {
        let bad = PeError::BadDirectory(EXPORT);
        if i >= e.num_functions {
            return Err(bad);
        }
        let off = idx(e.functions) + idx(i) * 4;
        let rva = u32_at(self.bytes, off).ok_or(bad)?;
        if rva == 0 {
            return Ok(None);
        }
        if rva >= e.rva && u64::from(rva) < u64::from(e.rva) + u64::from(e.size) {
            let s = cstr(self.bytes, idx(rva)).ok_or(bad)?;
            parse_forwarder(s)?;
            return Ok(Some(Export::Forwarder(s)));
        }
        if rva >= self.h.size_of_image {
            return Err(bad);
        }
        Ok(Some(Export::Rva(rva)))
    }

    /// The export named `name` (exact, case-sensitive), by binary search on the name
    /// table (which the format keeps sorted). `Ok(None)` when not exported or the image
    /// has no export directory.
    pub fn export_by_name(&self, name: &[u8]) -> Result<Option<Export<'a>>, PeError> {
        let Some(e) = self.export_dir()? else {
            return Ok(None);
        };
        let bad = PeError::BadDirectory(EXPORT);
        let (mut lo, mut hi) = (0u32, e.num_names);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let candidate = export_name(self.bytes, &e, mid)?;
            match candidate.cmp(name) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => {
                    let i = u16_at(self.bytes, idx(e.ordinals) + idx(mid) * 2).ok_or(bad)?;
                    return self.export_at(&e, u32::from(i));
                }
            }
        }
        Ok(None)
    }

    /// The export with the given (biased) ordinal, as an import by ordinal names it.
    /// `Ok(None)` when the ordinal is outside `Base..Base+NumberOfFunctions` or its slot
    /// is empty.
    pub fn export_by_ordinal(&self, ordinal: u16) -> Result<Option<Export<'a>>, PeError> {
        let Some(e) = self.export_dir()? else {
            return Ok(None);
        };
        match u32::from(ordinal).checked_sub(e.base) {
            Some(i) if i < e.num_functions => self.export_at(&e, i),
            _ => Ok(None),
        }
    }

    /// The export name table, in stored (sorted) order. Empty without exports.
    pub fn export_names(&self) -> Result<ExportNames<'a>, PeError> {
        let dir = self.export_dir()?;
        Ok(ExportNames {
            bytes: self.bytes,
            dir,
            next: 0,
        })
    }

    /// The DLL name recorded in the export directory, if there is one.
    pub fn export_dll_name(&self) -> Result<Option<&'a [u8]>, PeError> {
        match self.export_dir()? {
            Some(e) => cstr(self.bytes, idx(e.name))
                .map(Some)
                .ok_or(PeError::BadDirectory(EXPORT)),
            None => Ok(None),
        }
    }

    /// `Base` and `NumberOfFunctions` of the export directory.
    pub fn export_ordinal_range(&self) -> Result<Option<(u32, u32)>, PeError> {
        Ok(self.export_dir()?.map(|e| (e.base, e.num_functions)))
    }

    // ----- TLS -----------------------------------------------------------------------

    /// The TLS directory, if present. Addresses are absolute, as stored (relocated by
    /// [`crate::relocate`]).
    pub fn tls(&self) -> Result<Option<TlsDirectory>, PeError> {
        let Some((rva, size)) = self.dir(TLS) else {
            return Ok(None);
        };
        let bad = PeError::BadDirectory(TLS);
        let wide = self.h.is_wide();
        let w = if wide { 8 } else { 4 };
        let need = 4 * w + 8;
        if idx(size) < need {
            return Err(bad);
        }
        let d = slice(self.bytes, idx(rva), need).ok_or(bad)?;
        let p = |i: usize| ptr_at(d, i * w, wide).ok_or(bad);
        Ok(Some(TlsDirectory {
            raw_data_start_va: p(0)?,
            raw_data_end_va: p(1)?,
            address_of_index_va: p(2)?,
            address_of_callbacks_va: p(3)?,
            size_of_zero_fill: u32_at(d, 4 * w).ok_or(bad)?,
            characteristics: u32_at(d, 4 * w + 4).ok_or(bad)?,
        }))
    }

    /// The TLS callbacks as absolute addresses, in order, up to the terminating null.
    /// Empty when there is no TLS directory or no callback array. Each address and the
    /// array itself must lie inside the image (relative to the header's `ImageBase`).
    pub fn tls_callbacks_va(&self) -> Result<TlsCallbacks<'a>, PeError> {
        let next = match self.tls()? {
            Some(t) if t.address_of_callbacks_va != 0 => Some(idx(self
                .va_to_rva(t.address_of_callbacks_va)
                .ok_or(PeError::BadDirectory(TLS))?)),
            _ => None,
        };
        Ok(TlsCallbacks {
            bytes: self.bytes,
            image_base: self.h.image_base,
            wide: self.h.is_wide(),
            next,
        })
    }
}

// ----- imports ---------------------------------------------------------------------------

/// Iterator over import descriptors ([`MappedImage::imports`]). Stops after an error.
#[derive(Clone, Debug)]
pub struct Imports<'a> {
    bytes: &'a [u8],
    wide: bool,
    next: Option<usize>,
}

impl<'a> Iterator for Imports<'a> {
    type Item = Result<ImportDll<'a>, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let off = self.next.take()?;
        let bad = PeError::BadDirectory(IMPORT);
        let Some(d) = slice(self.bytes, off, IMPORT_DESCRIPTOR_SIZE) else {
            return Some(Err(bad));
        };
        let r = |o| u32_at(d, o).unwrap_or(0);
        let (lookup, name, iat) = (r(0), r(12), r(16));
        if name == 0 || iat == 0 {
            return None;
        }
        let Some(dll) = cstr(self.bytes, idx(name)).filter(|n| !n.is_empty()) else {
            return Some(Err(bad));
        };
        self.next = Some(off + IMPORT_DESCRIPTOR_SIZE);
        Some(Ok(ImportDll {
            name: dll,
            iat_rva: iat,
            lookup_rva: if lookup != 0 { lookup } else { iat },
            time_date_stamp: r(4),
            bytes: self.bytes,
            wide: self.wide,
        }))
    }
}

/// One imported DLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportDll<'a> {
    /// The DLL name as stored (e.g. `b"ntdll.dll"`), without NUL.
    pub name: &'a [u8],
    /// RVA of the import address table (`FirstThunk`): the slots to fill.
    pub iat_rva: u32,
    /// RVA of the lookup table the entries are read from (`OriginalFirstThunk`, or the
    /// IAT when that is 0).
    pub lookup_rva: u32,
    /// `TimeDateStamp` (non-zero: the IAT was pre-bound).
    pub time_date_stamp: u32,
    bytes: &'a [u8],
    wide: bool,
}

impl<'a> ImportDll<'a> {
    /// The imported symbols, in order, up to the null entry. Stops after an error.
    pub fn entries(&self) -> ImportEntries<'a> {
        ImportEntries {
            bytes: self.bytes,
            wide: self.wide,
            lookup_rva: self.lookup_rva,
            iat_rva: self.iat_rva,
            index: 0,
            done: false,
        }
    }
}

/// What an import names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Import<'a> {
    /// By name, with the exporter's name-table index as hint.
    ByName {
        /// Index into the exporter's name pointer table to try first.
        hint: u16,
        /// The name, without NUL.
        name: &'a [u8],
    },
    /// By (biased) ordinal.
    ByOrdinal(u16),
}

/// One imported symbol and the IAT slot that receives its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportEntry<'a> {
    /// What to look up.
    pub import: Import<'a>,
    /// RVA of the pointer-sized IAT slot to write the address into (inside the image).
    pub iat_slot_rva: u32,
}

/// Iterator over [`ImportEntry`]s ([`ImportDll::entries`]).
#[derive(Clone, Debug)]
pub struct ImportEntries<'a> {
    bytes: &'a [u8],
    wide: bool,
    lookup_rva: u32,
    iat_rva: u32,
    index: u32,
    done: bool,
}

impl<'a> ImportEntries<'a> {
    fn entry(&mut self) -> Result<Option<ImportEntry<'a>>, PeError> {
        let bad = PeError::BadDirectory(IMPORT);
        let w: u32 = if self.wide { 8 } else { 4 };
        let step = self.index.checked_mul(w).ok_or(bad)?;
        let lookup = self.lookup_rva.checked_add(step).ok_or(bad)?;
        let value = ptr_at(self.bytes, idx(lookup), self.wide).ok_or(bad)?;
        if value == 0 {
            return Ok(None);
        }
        let slot = self.iat_rva.checked_add(step).ok_or(bad)?;
        slice(self.bytes, idx(slot), idx(w)).ok_or(bad)?;
        let ordinal_flag = if self.wide { 1 << 63 } else { 1 << 31 };
        let import = if value & ordinal_flag != 0 {
            let ordinal = value & !ordinal_flag;
            Import::ByOrdinal(u16::try_from(ordinal).map_err(|_| bad)?)
        } else {
            let rva = u32::try_from(value).map_err(|_| bad)?;
            if rva & 0x8000_0000 != 0 {
                return Err(bad);
            }
            let hint = u16_at(self.bytes, idx(rva)).ok_or(bad)?;
            let name = cstr(self.bytes, idx(rva) + 2)
                .filter(|n| !n.is_empty())
                .ok_or(bad)?;
            Import::ByName { hint, name }
        };
        self.index += 1;
        Ok(Some(ImportEntry {
            import,
            iat_slot_rva: slot,
        }))
    }
}

impl<'a> Iterator for ImportEntries<'a> {
    type Item = Result<ImportEntry<'a>, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.entry();
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r.transpose()
    }
}

// ----- exports ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct ExportDir {
    rva: u32,
    size: u32,
    name: u32,
    base: u32,
    num_functions: u32,
    num_names: u32,
    functions: u32,
    names: u32,
    ordinals: u32,
}

fn export_name<'a>(bytes: &'a [u8], e: &ExportDir, i: u32) -> Result<&'a [u8], PeError> {
    let bad = PeError::BadDirectory(EXPORT);
    let rva = u32_at(bytes, idx(e.names) + idx(i) * 4).ok_or(bad)?;
    cstr(bytes, idx(rva)).ok_or(bad)
}

/// What an export resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export<'a> {
    /// Code or data at this RVA of the exporting image.
    Rva(u32),
    /// Forwarded: `b"DLL.Name"` or `b"DLL.#ordinal"` (see [`parse_forwarder`]).
    Forwarder(&'a [u8]),
}

/// The symbol a forwarder names in the target DLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardTarget<'a> {
    /// By name.
    Name(&'a [u8]),
    /// By ordinal (`#123`).
    Ordinal(u16),
}

/// Splits a forwarder string at its last `.` into the DLL (without `.dll`, as stored)
/// and the target symbol. Both parts must be non-empty.
pub fn parse_forwarder(s: &[u8]) -> Result<(&[u8], ForwardTarget<'_>), PeError> {
    let bad = PeError::BadDirectory(EXPORT);
    let dot = s.iter().rposition(|&c| c == b'.').ok_or(bad)?;
    let (dll, rest) = (s.get(..dot).ok_or(bad)?, s.get(dot + 1..).ok_or(bad)?);
    if dll.is_empty() || rest.is_empty() {
        return Err(bad);
    }
    let target = match rest.strip_prefix(b"#") {
        Some(digits) => {
            let mut n: u16 = 0;
            if digits.is_empty() {
                return Err(bad);
            }
            for &c in digits {
                if !c.is_ascii_digit() {
                    return Err(bad);
                }
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u16::from(c - b'0')))
                    .ok_or(bad)?;
            }
            ForwardTarget::Ordinal(n)
        }
        None => ForwardTarget::Name(rest),
    };
    Ok((dll, target))
}

/// Iterator over the export name table ([`MappedImage::export_names`]).
#[derive(Clone, Debug)]
pub struct ExportNames<'a> {
    bytes: &'a [u8],
    dir: Option<ExportDir>,
    next: u32,
}

impl<'a> Iterator for ExportNames<'a> {
    type Item = Result<&'a [u8], PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.dir?;
        if self.next >= e.num_names {
            return None;
        }
        let r = export_name(self.bytes, &e, self.next);
        self.next = if r.is_ok() {
            self.next + 1
        } else {
            e.num_names
        };
        Some(r)
    }
}

// ----- TLS -------------------------------------------------------------------------------

/// IMAGE_TLS_DIRECTORY, pointers widened to `u64`. Addresses are absolute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlsDirectory {
    /// `StartAddressOfRawData`: start of the TLS template.
    pub raw_data_start_va: u64,
    /// `EndAddressOfRawData`.
    pub raw_data_end_va: u64,
    /// `AddressOfIndex`: where the loader stores the module's TLS index.
    pub address_of_index_va: u64,
    /// `AddressOfCallBacks`: the null-terminated callback array (0: none).
    pub address_of_callbacks_va: u64,
    /// `SizeOfZeroFill`: zero bytes after the template.
    pub size_of_zero_fill: u32,
    /// `Characteristics` (alignment).
    pub characteristics: u32,
}

/// Iterator over TLS callback addresses ([`MappedImage::tls_callbacks_va`]).
#[derive(Clone, Debug)]
pub struct TlsCallbacks<'a> {
    bytes: &'a [u8],
    image_base: u64,
    wide: bool,
    next: Option<usize>,
}

impl Iterator for TlsCallbacks<'_> {
    type Item = Result<u64, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let off = self.next.take()?;
        let bad = PeError::BadDirectory(TLS);
        let Some(va) = ptr_at(self.bytes, off, self.wide) else {
            return Some(Err(bad));
        };
        if va == 0 {
            return None;
        }
        let inside = va
            .checked_sub(self.image_base)
            .is_some_and(|rva| rva < self.bytes.len() as u64);
        if !inside {
            return Some(Err(bad));
        }
        self.next = Some(off + if self.wide { 8 } else { 4 });
        Some(Ok(va))
    }
}
