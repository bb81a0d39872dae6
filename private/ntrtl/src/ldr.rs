//! The loader's records of loaded modules: `PEB_LDR_DATA` and `LDR_DATA_TABLE_ENTRY`
//! offsets for either pointer width, and module-name rules.
//!
//! Layouts as in Windows 7's public symbols (`dt ntdll!_PEB_LDR_DATA`,
//! `dt ntdll!_LDR_DATA_TABLE_ENTRY`; Geoff Chappell's LDR_DATA_TABLE_ENTRY page lists
//! the same history; Microsoft's `winternl.h` documents `InMemoryOrderLinks`,
//! `DllBase`, `EntryPoint`, `FullDllName` and `TimeDateStamp` at these places):
//!
//! `PEB_LDR_DATA`: `Length` (ULONG), `Initialized` (BOOLEAN), `SsHandle`, then the
//! three list heads `InLoadOrderModuleList`, `InMemoryOrderModuleList`,
//! `InInitializationOrderModuleList`, `EntryInProgress`, `ShutdownInProgress`
//! (BOOLEAN), `ShutdownThreadId`: 0x58 bytes on x64, 0x30 on x86.
//!
//! `LDR_DATA_TABLE_ENTRY`: the three links, `DllBase`, `EntryPoint`, `SizeOfImage`
//! (ULONG), `FullDllName`, `BaseDllName`, `Flags` (ULONG), `LoadCount` and `TlsIndex`
//! (USHORTs), `HashLinks` (a LIST_ENTRY in a union), `TimeDateStamp` (ULONG, in a union
//! with a pointer), `EntryPointActivationContext`, `PatchInformation`,
//! `ForwarderLinks`, `ServiceTagLinks`, `StaticLinks` (LIST_ENTRYs),
//! `ContextInformation`, `OriginalBase`, `LoadTime` (LARGE_INTEGER): 0xE0 bytes on
//! x64, 0x78 on x86.

/// Offsets for pointers of `w` bytes (4 or 8).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub w: usize,
}

impl Layout {
    pub const X64: Layout = Layout { w: 8 };
    pub const X86: Layout = Layout { w: 4 };
    pub const NATIVE: Layout = Layout {
        w: size_of::<usize>(),
    };

    const fn list(self) -> usize {
        2 * self.w
    }

    // ----- PEB -----

    /// `PEB.Ldr`: after the four BOOLEAN/flag bytes (padded), `Mutant` and
    /// `ImageBaseAddress`.
    pub const fn peb_ldr(self) -> usize {
        self.w + 2 * self.w
    }

    // ----- PEB_LDR_DATA -----

    pub const fn data_in_load_order(self) -> usize {
        8 + self.w
    }
    pub const fn data_in_memory_order(self) -> usize {
        self.data_in_load_order() + self.list()
    }
    pub const fn data_in_initialization_order(self) -> usize {
        self.data_in_memory_order() + self.list()
    }
    /// `sizeof(PEB_LDR_DATA)`, the value of its `Length`.
    pub const fn data_size(self) -> usize {
        // EntryInProgress, ShutdownInProgress (padded), ShutdownThreadId.
        self.data_in_initialization_order() + self.list() + 3 * self.w
    }

    // ----- LDR_DATA_TABLE_ENTRY -----

    pub const fn in_memory_order_links(self) -> usize {
        self.list()
    }
    pub const fn in_initialization_order_links(self) -> usize {
        2 * self.list()
    }
    pub const fn dll_base(self) -> usize {
        3 * self.list()
    }
    pub const fn entry_point(self) -> usize {
        self.dll_base() + self.w
    }
    pub const fn size_of_image(self) -> usize {
        self.entry_point() + self.w
    }
    pub const fn full_dll_name(self) -> usize {
        self.size_of_image() + self.w
    }
    pub const fn base_dll_name(self) -> usize {
        self.full_dll_name() + 2 * self.w
    }
    pub const fn flags(self) -> usize {
        self.base_dll_name() + 2 * self.w
    }
    pub const fn load_count(self) -> usize {
        self.flags() + 4
    }
    pub const fn tls_index(self) -> usize {
        self.load_count() + 2
    }
    pub const fn hash_links(self) -> usize {
        self.tls_index() + 2
    }
    pub const fn time_date_stamp(self) -> usize {
        self.hash_links() + self.list()
    }
    /// `sizeof(LDR_DATA_TABLE_ENTRY)` (Windows 7).
    pub const fn entry_size(self) -> usize {
        // TimeDateStamp's union with a pointer, two pointers, three LIST_ENTRYs,
        // two pointers, LoadTime.
        self.time_date_stamp() + self.w + 2 * self.w + 3 * self.list() + 2 * self.w + 8
    }
}

/// `LDRP_IMAGE_DLL`: the module is a DLL.
pub const LDRP_IMAGE_DLL: u32 = 0x0000_0004;
/// `LDRP_ENTRY_PROCESSED`: its initialization has run (or was not needed).
pub const LDRP_ENTRY_PROCESSED: u32 = 0x0000_4000;
/// `LDRP_PROCESS_ATTACH_CALLED`.
pub const LDRP_PROCESS_ATTACH_CALLED: u32 = 0x0008_0000;
/// The buckets of the loader's module hash table (`LdrpHashTable`).
pub const HASH_BUCKETS: usize = 32;

/// The bucket of a module by its base name: its first character, upcased, minus `A`,
/// modulo the table size (the classic `LDR_HASH` of NT's loader).
pub fn hash_bucket(base_name: &[u16]) -> usize {
    let first = base_name.first().copied().unwrap_or(0);
    usize::from(crate::upcase::upcase_char(first).wrapping_sub(u16::from(b'A'))) % HASH_BUCKETS
}

/// The last component of a path (after the last `\` or `/`).
pub fn base_name(path: &[u16]) -> &[u16] {
    let start = path
        .iter()
        .rposition(|&c| c == u16::from(b'\\') || c == u16::from(b'/'))
        .map_or(0, |i| i + 1);
    &path[start..]
}

/// Whether the name a caller asks for (`LdrGetDllHandle`, `LdrLoadDll`) means the
/// module called `module` (its base name): the last component is compared without
/// case, with `.dll` implied when it has no extension and a trailing `.` meaning "no
/// extension", as Windows' loader reads module names.
pub fn module_name_matches(wanted: &[u16], module: &[u16]) -> bool {
    let base = base_name(wanted);
    let dot = u16::from(b'.');
    let ext: &[u16] = &[dot, u16::from(b'd'), u16::from(b'l'), u16::from(b'l')];
    let (stem, ext): (&[u16], &[u16]) = match base.last() {
        Some(&c) if c == dot => (&base[..base.len() - 1], &[]),
        _ if !base.contains(&dot) => (base, ext),
        _ => (base, &[]),
    };
    stem.len() + ext.len() == module.len()
        && stem
            .iter()
            .chain(ext)
            .zip(module)
            .all(|(&a, &b)| crate::upcase::upcase_char(a) == crate::upcase::upcase_char(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_7_offsets() {
        let x64 = Layout::X64;
        assert_eq!(x64.peb_ldr(), 0x18);
        assert_eq!(
            [
                x64.data_in_load_order(),
                x64.data_in_memory_order(),
                x64.data_in_initialization_order(),
                x64.data_size()
            ],
            [0x10, 0x20, 0x30, 0x58]
        );
        assert_eq!(
            [
                x64.in_memory_order_links(),
                x64.in_initialization_order_links(),
                x64.dll_base(),
                x64.entry_point(),
                x64.size_of_image(),
                x64.full_dll_name(),
                x64.base_dll_name(),
                x64.flags(),
                x64.load_count(),
                x64.tls_index(),
                x64.hash_links(),
                x64.time_date_stamp(),
                x64.entry_size()
            ],
            [0x10, 0x20, 0x30, 0x38, 0x40, 0x48, 0x58, 0x68, 0x6C, 0x6E, 0x70, 0x80, 0xE0]
        );
        let x86 = Layout::X86;
        assert_eq!(x86.peb_ldr(), 0x0C);
        assert_eq!(
            [
                x86.data_in_load_order(),
                x86.data_in_memory_order(),
                x86.data_in_initialization_order(),
                x86.data_size()
            ],
            [0x0C, 0x14, 0x1C, 0x30]
        );
        assert_eq!(
            [
                x86.in_memory_order_links(),
                x86.in_initialization_order_links(),
                x86.dll_base(),
                x86.entry_point(),
                x86.size_of_image(),
                x86.full_dll_name(),
                x86.base_dll_name(),
                x86.flags(),
                x86.load_count(),
                x86.tls_index(),
                x86.hash_links(),
                x86.time_date_stamp(),
                x86.entry_size()
            ],
            [0x08, 0x10, 0x18, 0x1C, 0x20, 0x24, 0x2C, 0x34, 0x38, 0x3A, 0x3C, 0x44, 0x78]
        );
    }

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn names() {
        assert_eq!(base_name(&w("C:\\Nereid\\ntdll.dll")), &w("ntdll.dll")[..]);
        assert_eq!(base_name(&w("a/b")), &w("b")[..]);
        assert_eq!(base_name(&w("x")), &w("x")[..]);
        let m = |a: &str, b: &str| module_name_matches(&w(a), &w(b));
        assert!(m("ntdll.dll", "ntdll.dll"));
        assert!(m("NTDLL", "ntdll.dll"));
        assert!(m("C:\\Nereid\\NtDll.Dll", "ntdll.dll"));
        assert!(m("ntsuite.exe", "ntsuite.exe"));
        assert!(m("ntsuite.", "ntsuite"));
        assert!(!m("ntsuite", "ntsuite.exe"));
        assert!(!m("ntdll.dl", "ntdll.dll"));
        assert!(!m("", "ntdll.dll"));
    }

    #[test]
    fn hash_buckets() {
        assert_eq!(hash_bucket(&w("ntdll.dll")), usize::from(b'N' - b'A'));
        assert_eq!(hash_bucket(&w("Ntsuite.exe")), hash_bucket(&w("nt")));
        assert!(hash_bucket(&[]) < HASH_BUCKETS);
        assert!(hash_bucket(&w("_x")) < HASH_BUCKETS);
    }
}
