//! The user-mode half of process start: `LdrInitializeThunk`.
//!
//! The executive maps ntdll.dll and the program at their bases and starts the first
//! thread here with the PEB as argument. This makes the process heap and the module
//! list `PEB.Ldr` ([`crate::ldrdata`]), binds the program's imports against
//! ntdll's export table (the only DLL there is so far), runs the program's TLS
//! callbacks, calls its entry point (`NtProcessStartup(PPEB)` for the native
//! subsystem) and ends the process with the entry point's return value. An import that
//! cannot be bound ends the process with the status Windows' loader reports:
//! `STATUS_DLL_NOT_FOUND` for another DLL, `STATUS_ENTRYPOINT_NOT_FOUND` /
//! `STATUS_ORDINAL_NOT_FOUND` for a missing name / ordinal.
//!
//! PE structures are read by offset from the PE/COFF specification (Microsoft "PE
//! Format"); every RVA is checked against `SizeOfImage` before it is followed.
#![allow(non_snake_case)]

use core::ffi::c_void;
use ntdef::status::NtStatus;
use ntdef::types::{STRING, UNICODE_STRING};

/// `PEB.ImageBaseAddress` (Windows `_PEB`: 0x10 on x64, 0x08 on x86).
#[cfg(target_pointer_width = "64")]
const PEB_IMAGE_BASE: usize = 0x10;
#[cfg(target_pointer_width = "32")]
const PEB_IMAGE_BASE: usize = 0x08;

use ntdef::status::{
    STATUS_DLL_INIT_FAILED, STATUS_DLL_NOT_FOUND, STATUS_ENTRYPOINT_NOT_FOUND,
    STATUS_INVALID_IMAGE_FORMAT, STATUS_ORDINAL_NOT_FOUND,
};

const DIR_EXPORT: usize = 0;
const DIR_IMPORT: usize = 1;
const DIR_TLS: usize = 9;
const WORD: usize = core::mem::size_of::<usize>();
const ORDINAL_FLAG: usize = 1 << (usize::BITS - 1);

/// A mapped PE image: base address and `SizeOfImage`; reads are bounds-checked.
#[derive(Clone, Copy)]
pub(crate) struct Image {
    base: usize,
    size: usize,
}

impl Image {
    /// # Safety
    /// `base` must be the base of an image mapped (readable) for its `SizeOfImage`.
    pub(crate) unsafe fn at(base: usize) -> Option<Image> {
        let mut img = Image { base, size: 0x40 };
        let nt = img.u32(0x3C)? as usize;
        img.size = nt.checked_add(0x18 + 0x40)?;
        if img.u32(nt)? != 0x0000_4550 {
            return None;
        }
        let size = img.u32(nt + 0x18 + 56)? as usize;
        img.size = size;
        img.u32(nt + 0x18 + 56).map(|_| img)
    }

    fn read<T: Copy>(&self, rva: usize) -> Option<T> {
        let end = rva.checked_add(core::mem::size_of::<T>())?;
        if end > self.size {
            return None;
        }
        // SAFETY: inside the image (checked), which the constructor's contract maps.
        Some(unsafe { ((self.base + rva) as *const T).read_unaligned() })
    }

    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// `SizeOfImage`.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// `FileHeader.TimeDateStamp`.
    pub(crate) fn time_date_stamp(&self) -> u32 {
        self.u32(0x3C)
            .and_then(|nt| self.u32(nt as usize + 8))
            .unwrap_or(0)
    }

    /// `OptionalHeader.ImageBase`: the base the image was linked for.
    pub(crate) fn preferred_base(&self) -> usize {
        let Some(opt) = self.optional_header() else {
            return 0;
        };
        let at = if WORD == 8 { opt + 24 } else { opt + 28 };
        self.word(at).unwrap_or(0)
    }

    /// The module name in the export directory, if the image exports anything.
    pub(crate) fn export_name(&self) -> Option<&[u8]> {
        let (dir, _) = self.directory(DIR_EXPORT)?;
        self.name(self.u32(dir + 12)? as usize)
    }

    fn u16(&self, rva: usize) -> Option<u16> {
        self.read(rva)
    }
    fn u32(&self, rva: usize) -> Option<u32> {
        self.read(rva)
    }
    fn word(&self, rva: usize) -> Option<usize> {
        self.read(rva)
    }

    /// NUL-terminated name at `rva` (at most 255 bytes).
    fn name(&self, rva: usize) -> Option<&[u8]> {
        let len = (0..256).find(|&i| self.read::<u8>(rva + i).is_none_or(|b| b == 0))?;
        // The terminator must be inside the image too.
        self.read::<u8>(rva + len)?;
        // SAFETY: bytes rva..rva+len were read above, inside the image.
        Some(unsafe { core::slice::from_raw_parts((self.base + rva) as *const u8, len) })
    }

    fn optional_header(&self) -> Option<usize> {
        Some(self.u32(0x3C)? as usize + 0x18)
    }

    /// `(rva, size)` of data directory `index`, if present and non-empty.
    fn directory(&self, index: usize) -> Option<(usize, usize)> {
        let opt = self.optional_header()?;
        let (count_at, dirs_at) = if WORD == 8 { (108, 112) } else { (92, 96) };
        if index >= self.u32(opt + count_at)? as usize {
            return None;
        }
        let rva = self.u32(opt + dirs_at + index * 8)? as usize;
        let size = self.u32(opt + dirs_at + index * 8 + 4)? as usize;
        (rva != 0 && size != 0).then_some((rva, size))
    }

    pub(crate) fn entry_point(&self) -> Option<usize> {
        let rva = self.u32(self.optional_header()? + 16)? as usize;
        (rva != 0).then_some(self.base + rva)
    }

    /// Address of export `name`, or `None`. Forwarders are not followed (ntdll has none).
    fn export_by_name(&self, name: &[u8]) -> Option<usize> {
        let (dir, size) = self.directory(DIR_EXPORT)?;
        let count = self.u32(dir + 24)? as usize;
        let functions = self.u32(dir + 28)? as usize;
        let names = self.u32(dir + 32)? as usize;
        let ordinals = self.u32(dir + 36)? as usize;
        let i = (0..count).find(|&i| {
            self.u32(names + 4 * i)
                .and_then(|rva| self.name(rva as usize))
                .is_some_and(|n| n == name)
        })?;
        let index = self.u16(ordinals + 2 * i)? as usize;
        self.function(functions, index, dir, size)
    }

    fn export_by_ordinal(&self, ordinal: usize) -> Option<usize> {
        let (dir, size) = self.directory(DIR_EXPORT)?;
        let base = self.u32(dir + 16)? as usize;
        let count = self.u32(dir + 20)? as usize;
        let index = ordinal.checked_sub(base).filter(|&i| i < count)?;
        self.function(self.u32(dir + 28)? as usize, index, dir, size)
    }

    fn function(&self, functions: usize, index: usize, dir: usize, size: usize) -> Option<usize> {
        let rva = self.u32(functions + 4 * index)? as usize;
        // An RVA inside the export directory is a forwarder string.
        (rva != 0 && !(dir..dir + size).contains(&rva)).then_some(self.base + rva)
    }
}

fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// Binds every import of `image`: each imported DLL is resolved by `resolve` (ntdll.dll
/// itself, or a DLL loaded for it).
fn bind_imports(
    image: &Image,
    mut resolve: impl FnMut(&[u8]) -> Result<Image, NtStatus>,
) -> Result<(), NtStatus> {
    let Some((mut desc, _)) = image.directory(DIR_IMPORT) else {
        return Ok(());
    };
    loop {
        let bad = STATUS_INVALID_IMAGE_FORMAT;
        let lookup = image.u32(desc).ok_or(bad)? as usize;
        let name = image.u32(desc + 12).ok_or(bad)? as usize;
        let iat = image.u32(desc + 16).ok_or(bad)? as usize;
        if name == 0 && iat == 0 {
            return Ok(());
        }
        let dll = resolve(image.name(name).ok_or(bad)?)?;
        let table = if lookup != 0 { lookup } else { iat };
        for i in 0.. {
            let entry = image.word(table + i * WORD).ok_or(bad)?;
            if entry == 0 {
                break;
            }
            let target = if entry & ORDINAL_FLAG != 0 {
                dll.export_by_ordinal(entry & 0xFFFF)
                    .ok_or(STATUS_ORDINAL_NOT_FOUND)?
            } else {
                let wanted = image.name((entry & 0x7FFF_FFFF) + 2).ok_or(bad)?;
                dll.export_by_name(wanted)
                    .ok_or(STATUS_ENTRYPOINT_NOT_FOUND)?
            };
            let slot = iat + i * WORD;
            image.word(slot).ok_or(bad)?;
            // SAFETY: the slot lies inside the image (checked just above); its page is
            // writable (the executive maps a program's import address table so, and
            // `load_dll` makes a DLL's writable while it binds).
            unsafe { ((image.base + slot) as *mut usize).write_volatile(target) };
        }
        desc += 20;
    }
}

/// Whether an import names ntdll.dll.
fn is_ntdll(name: &[u8]) -> bool {
    eq_ignore_case(name, b"ntdll.dll") || eq_ignore_case(name, b"ntdll")
}

type TlsCallback = unsafe extern "system" fn(*mut c_void, u32, *mut c_void);
type NativeEntry = unsafe extern "system" fn(*mut c_void) -> u32;
const DLL_PROCESS_ATTACH: u32 = 1;

fn run_tls_callbacks(exe: &Image, reason: u32) {
    let Some((tls, _)) = exe.directory(DIR_TLS) else {
        return;
    };
    // IMAGE_TLS_DIRECTORY.AddressOfCallBacks: the fourth pointer-sized field, a VA.
    let Some(list) = exe.word(tls + 3 * WORD) else {
        return;
    };
    let Some(mut at) = list.checked_sub(exe.base) else {
        return;
    };
    while let Some(callback) = exe.word(at).filter(|&c| c != 0) {
        // SAFETY: the image names this function as a TLS callback (PE format).
        unsafe {
            let f: TlsCallback = core::mem::transmute(callback);
            f(exe.base as *mut c_void, reason, core::ptr::null_mut());
        }
        at += WORD;
    }
}

fn terminate(status: NtStatus) -> ! {
    loop {
        // SAFETY: a service stub; the executive checks its arguments.
        unsafe {
            crate::services::NtTerminateProcess(ntsvc::NT_CURRENT_PROCESS as *mut c_void, status)
        };
    }
}

extern "C" {
    /// The base of this DLL (defined by the linker).
    static __ImageBase: u8;
}

/// Where the initial thread of every process starts (see the module documentation).
///
/// # Safety
/// Called only by the executive's process start, with the process's PEB.
#[no_mangle]
pub unsafe extern "system" fn LdrInitializeThunk(Peb: *mut c_void) {
    // SAFETY: the executive filled `ImageBaseAddress` of the PEB it passes.
    let exe_base = unsafe { ((Peb as usize + PEB_IMAGE_BASE) as *const usize).read() };
    let own = &raw const __ImageBase as usize;
    // SAFETY: both images were mapped whole by the executive before this thread ran.
    let (exe, ntdll) = match unsafe { (Image::at(exe_base), Image::at(own)) } {
        (Some(e), Some(n)) => (e, n),
        _ => terminate(STATUS_INVALID_IMAGE_FORMAT),
    };
    // The process heap (`PEB.ProcessHeap`), growable and serialized, as Windows makes it
    // before any DLL or program code runs.
    // SAFETY: no pointer arguments.
    let heap = unsafe {
        crate::heap::RtlCreateHeap(
            crate::heap::HEAP_GROWABLE,
            core::ptr::null_mut(),
            0,
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        )
    };
    if heap.is_null() {
        terminate(ntdef::status::STATUS_NO_MEMORY);
    }
    // SAFETY: the PEB is mapped read-write for the life of the process.
    unsafe { ((Peb as usize + crate::alloc::PEB_PROCESS_HEAP) as *mut *mut c_void).write(heap) };
    // The loader's module list (`PEB.Ldr`), before any code that looks modules up.
    if let Err(status) = crate::ldrdata::initialize(Peb as usize, &exe, &ntdll) {
        terminate(status);
    }
    // The program's imports: ntdll.dll, and the DLLs they name, loaded first.
    let bound = bind_imports(&exe, |name| {
        if is_ntdll(name) {
            Ok(ntdll)
        } else {
            load_dll_ascii(name, 1)
        }
    });
    if let Err(status) = bound {
        terminate(status);
    }
    run_tls_callbacks(&exe, DLL_PROCESS_ATTACH);
    let Some(entry) = exe.entry_point() else {
        terminate(STATUS_INVALID_IMAGE_FORMAT)
    };
    // SAFETY: the image's entry point, `NtProcessStartup(PPEB)` for native programs.
    let status = unsafe {
        let f: NativeEntry = core::mem::transmute(entry);
        f(Peb)
    };
    terminate(NtStatus::from_u32(status))
}

// ---------------------------------------------------------------------------------
// Loader routines: LdrGetDllHandle, LdrGetProcedureAddress, LdrLoadDll, LdrUnloadDll,
// LdrFindEntryForAddress. Prototypes as documented by the Windows native-API
// references (four arguments each for the first three, NTSTATUS result). Loaded
// modules are found in `PEB.Ldr` ([`crate::ldrdata`]).
//
// Loading maps a DLL as Windows' loader does for a known DLL: the image section
// `\KnownDlls\<name>` (the executive publishes every DLL of `\SystemRoot`, the boot
// archive, there, until file systems exist) is opened and mapped (NtOpenSection,
// NtMapViewOfSection; the executive relocates a view that is not at its preferred
// base), its imports are bound (loading the DLLs they name, depth-limited), its
// import address table made writable for that and restored
// (NtProtectVirtualMemory), it joins the module list, and its TLS callbacks and
// entry point get DLL_PROCESS_ATTACH. An entry point answering FALSE unloads it again:
// STATUS_DLL_INIT_FAILED.

const SECTION_QUERY: u32 = 0x0001;
const SECTION_MAP_READ: u32 = 0x0004;
const SECTION_MAP_EXECUTE: u32 = 0x0008;
const PAGE_READWRITE: u32 = 0x04;
const PAGE_EXECUTE_WRITECOPY: u32 = 0x80;
const VIEW_SHARE: u32 = 1;
const OBJ_CASE_INSENSITIVE: u32 = 0x40;
const DIR_IAT: usize = 12;
const DLL_PROCESS_DETACH: u32 = 0;
/// How deep DLLs importing DLLs may nest (a cycle ends here, not in a stack overflow).
const MAX_LOAD_DEPTH: u32 = 8;
/// Longest DLL name handled (characters).
const MAX_NAME: usize = 128;
/// Where the loader says DLLs come from (the DOS form of `\SystemRoot`).
const SYSTEM_ROOT: &str = "C:\\Nereid\\";

type DllEntry = unsafe extern "system" fn(*mut c_void, u32, *mut c_void) -> u32;

/// The base name of `name` (after the last `\` or `/`), with `.dll` added when it has
/// no extension (as Windows' loader does), into `out`; its length.
fn dll_base_name(name: &[u16], out: &mut [u16; MAX_NAME]) -> Result<usize, NtStatus> {
    let start = name
        .iter()
        .rposition(|&c| c == u16::from(b'\\') || c == u16::from(b'/'))
        .map_or(0, |i| i + 1);
    let base = &name[start..];
    let dot = base.contains(&u16::from(b'.'));
    let extra: &[u16] = if dot {
        &[]
    } else {
        &[b'.' as u16, b'd' as u16, b'l' as u16, b'l' as u16]
    };
    let n = base.len() + extra.len();
    if base.is_empty() || n > MAX_NAME {
        return Err(STATUS_DLL_NOT_FOUND);
    }
    out[..base.len()].copy_from_slice(base);
    out[base.len()..n].copy_from_slice(extra);
    Ok(n)
}

/// Loads the DLL an import names (ASCII).
fn load_dll_ascii(name: &[u8], depth: u32) -> Result<Image, NtStatus> {
    let mut wide = [0u16; MAX_NAME];
    if name.len() > MAX_NAME {
        return Err(STATUS_DLL_NOT_FOUND);
    }
    for (o, &c) in wide.iter_mut().zip(name) {
        *o = u16::from(c);
    }
    let base = load_dll(&wide[..name.len()], depth)?;
    // SAFETY: a module just loaded or found in the list is mapped whole.
    unsafe { Image::at(base) }.ok_or(STATUS_INVALID_IMAGE_FORMAT)
}

/// Loads (or references again) the DLL `name`: its base.
fn load_dll(name: &[u16], depth: u32) -> Result<usize, NtStatus> {
    let mut base_name = [0u16; MAX_NAME];
    let n = dll_base_name(name, &mut base_name)?;
    let base_name = &base_name[..n];
    if let Some(base) = find_module(base_name) {
        crate::ldrdata::add_reference(base);
        return Ok(base);
    }
    if depth > MAX_LOAD_DEPTH {
        return Err(STATUS_DLL_NOT_FOUND);
    }
    let base = map_known_dll(base_name)?;
    match init_dll(base, base_name, depth) {
        Ok(()) => Ok(base),
        Err(status) => {
            crate::ldrdata::remove(base);
            // SAFETY: a service stub; the view this call mapped.
            unsafe { crate::services::NtUnmapViewOfSection(CURRENT_PROCESS, base) };
            Err(status)
        }
    }
}

const CURRENT_PROCESS: *mut c_void = ntsvc::NT_CURRENT_PROCESS as *mut c_void;

/// Maps `\KnownDlls\<base_name>`: the view's base.
fn map_known_dll(base_name: &[u16]) -> Result<usize, NtStatus> {
    let prefix: &[u16] = &KNOWN_DLLS_UNITS;
    let mut path = [0u16; MAX_NAME + 16];
    path[..prefix.len()].copy_from_slice(prefix);
    path[prefix.len()..prefix.len() + base_name.len()].copy_from_slice(base_name);
    let len = prefix.len() + base_name.len();
    let us = UNICODE_STRING {
        Length: (len * 2) as u16,
        MaximumLength: (len * 2) as u16,
        Buffer: path.as_mut_ptr(),
    };
    let oa = ntdef::types::OBJECT_ATTRIBUTES {
        Length: size_of::<ntdef::types::OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: core::ptr::null_mut(),
        ObjectName: &us as *const UNICODE_STRING as *mut UNICODE_STRING,
        Attributes: OBJ_CASE_INSENSITIVE,
        SecurityDescriptor: core::ptr::null_mut(),
        SecurityQualityOfService: core::ptr::null_mut(),
    };
    let mut section: *mut c_void = core::ptr::null_mut();
    // SAFETY: a service stub; locals for every pointer.
    let s = unsafe {
        crate::services::NtOpenSection(
            &mut section,
            SECTION_MAP_READ | SECTION_MAP_EXECUTE | SECTION_QUERY,
            &oa,
        )
    };
    if !s.is_success() {
        return Err(STATUS_DLL_NOT_FOUND);
    }
    let (mut base, mut size) = (0usize, 0usize);
    // SAFETY: a service stub; the section just opened and locals for the in/out words.
    let s = unsafe {
        crate::services::NtMapViewOfSection(
            section,
            CURRENT_PROCESS,
            &raw mut base as usize,
            0,
            0,
            0,
            &raw mut size as usize,
            VIEW_SHARE,
            0,
            // Pages as the image's sections say, written ones copied privately.
            PAGE_EXECUTE_WRITECOPY,
        )
    };
    // SAFETY: the handle opened above; the view keeps the section.
    unsafe { crate::services::NtClose(section) };
    if s.is_success() || s == ntdef::status::STATUS_IMAGE_NOT_AT_BASE {
        Ok(base)
    } else {
        Err(s)
    }
}

/// Binds, records and initializes the DLL just mapped at `base`.
fn init_dll(base: usize, base_name: &[u16], depth: u32) -> Result<(), NtStatus> {
    // SAFETY: the view maps the whole image.
    let image = unsafe { Image::at(base) }.ok_or(STATUS_INVALID_IMAGE_FORMAT)?;
    // SAFETY: this DLL's own image.
    let ntdll =
        unsafe { Image::at(&raw const __ImageBase as usize) }.ok_or(STATUS_INVALID_IMAGE_FORMAT)?;
    // The import address table, writable while it is bound.
    let iat = image.directory(DIR_IAT);
    let mut old = 0u32;
    if let Some((rva, size)) = iat {
        let (mut at, mut len) = (base + rva, size);
        // SAFETY: a service stub; locals for every pointer.
        let s = unsafe {
            crate::services::NtProtectVirtualMemory(
                CURRENT_PROCESS,
                &mut at,
                &mut len,
                PAGE_READWRITE,
                &mut old,
            )
        };
        if !s.is_success() {
            return Err(s);
        }
    }
    let bound = bind_imports(&image, |name| {
        if is_ntdll(name) {
            Ok(ntdll)
        } else {
            load_dll_ascii(name, depth + 1)
        }
    });
    if let Some((rva, size)) = iat {
        let (mut at, mut len, mut was) = (base + rva, size, 0u32);
        // SAFETY: a service stub; locals for every pointer.
        unsafe {
            crate::services::NtProtectVirtualMemory(
                CURRENT_PROCESS,
                &mut at,
                &mut len,
                old,
                &mut was,
            )
        };
    }
    bound?;
    // Its list entry: C:\Nereid\<name>.
    let mut full = [0u16; MAX_NAME + 16];
    let root: &[u16] = &SYSTEM_ROOT_UNITS;
    full[..root.len()].copy_from_slice(root);
    full[root.len()..root.len() + base_name.len()].copy_from_slice(base_name);
    crate::ldrdata::add_dynamic(&image, &full[..root.len() + base_name.len()])?;
    run_tls_callbacks(&image, DLL_PROCESS_ATTACH);
    if let Some(entry) = image.entry_point() {
        // SAFETY: the image's entry point, `DllMain(HINSTANCE, DWORD, PVOID)`.
        let ok = unsafe {
            let f: DllEntry = core::mem::transmute(entry);
            f(
                base as *mut c_void,
                DLL_PROCESS_ATTACH,
                core::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(STATUS_DLL_INIT_FAILED);
        }
    }
    crate::ldrdata::mark_initialized(base);
    Ok(())
}

/// Tells every DLL loaded and initialized through LdrLoadDll (in load order) that a
/// thread starts or ends: TLS callbacks and `DllMain` with `reason`
/// (DLL_THREAD_ATTACH / DLL_THREAD_DETACH), as Windows' loader does for threads after
/// the first.
pub(crate) fn notify_dlls(reason: u32) {
    // Not for a thread created with THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH.
    let teb = crate::services::current_teb();
    // SAFETY: this thread's TEB, mapped for its life.
    let flags = unsafe { ((teb + ntsvc::teb::SAME_TEB_FLAGS) as *const u16).read() };
    if flags & ntsvc::teb::SKIP_THREAD_ATTACH != 0 {
        return;
    }
    let (dlls, n) = crate::ldrdata::initialized_dlls::<32>();
    for &(base, entry) in &dlls[..n] {
        // SAFETY: an initialized module of the list is mapped until it is unloaded.
        if let Some(image) = unsafe { Image::at(base) } {
            run_tls_callbacks(&image, reason);
        }
        if entry != 0 {
            // SAFETY: the module's entry point, `DllMain(HINSTANCE, DWORD, PVOID)`.
            unsafe {
                let f: DllEntry = core::mem::transmute(entry);
                f(base as *mut c_void, reason, core::ptr::null_mut());
            }
        }
    }
}

/// `DLL_THREAD_ATTACH` / `DLL_THREAD_DETACH`.
pub(crate) const DLL_THREAD_ATTACH: u32 = 2;
pub(crate) const DLL_THREAD_DETACH: u32 = 3;

/// An ASCII string as UTF-16 (for the loader's fixed paths).
const fn ascii_units<const N: usize>(s: &str) -> [u16; N] {
    let b = s.as_bytes();
    let mut out = [0u16; N];
    let mut i = 0;
    while i < N {
        out[i] = b[i] as u16;
        i += 1;
    }
    out
}

/// [`SYSTEM_ROOT`] as UTF-16.
const SYSTEM_ROOT_UNITS: [u16; SYSTEM_ROOT.len()] = ascii_units(SYSTEM_ROOT);
/// Where the known DLLs' image sections are.
const KNOWN_DLLS: &str = "\\KnownDlls\\";
const KNOWN_DLLS_UNITS: [u16; KNOWN_DLLS.len()] = ascii_units(KNOWN_DLLS);

/// `STATUS_PROCEDURE_NOT_FOUND` (MS-ERREF 2.3.1).
const STATUS_PROCEDURE_NOT_FOUND: NtStatus = NtStatus::from_u32(0xC000_007A);

/// The base of the loaded module called `name`.
fn find_module(name: &[u16]) -> Option<usize> {
    crate::ldrdata::find_by_name(name)
}

/// The loaded module of handle (base) `handle`.
fn module_of_handle(handle: usize) -> Option<Image> {
    crate::ldrdata::find_by_base(handle)?;
    // SAFETY: a module in the loader's list is mapped whole for the life of the process.
    unsafe { Image::at(handle) }
}

/// Looks up a loaded module by name (`DllPath` and `DllCharacteristics` are ignored).
/// `STATUS_DLL_NOT_FOUND` when it is not loaded.
///
/// # Safety
/// `DllName` must be a valid `UNICODE_STRING`; `DllHandle` writable.
#[no_mangle]
pub unsafe extern "system" fn LdrGetDllHandle(
    DllPath: *const u16,
    DllCharacteristics: *const u32,
    DllName: *const UNICODE_STRING,
    DllHandle: *mut *mut c_void,
) -> NtStatus {
    let _ = (DllPath, DllCharacteristics);
    // SAFETY: the contract.
    let name = unsafe { crate::abi::unicode_chars(&crate::abi::load(DllName)) };
    match find_module(name) {
        Some(base) => {
            // SAFETY: the contract.
            unsafe { crate::abi::store(DllHandle, base as *mut c_void) };
            ntdef::status::STATUS_SUCCESS
        }
        None => STATUS_DLL_NOT_FOUND,
    }
}

/// Loads the DLL `DllName` (a base name or path; `.dll` is added when there is no
/// extension) from `\KnownDlls` if it is not loaded yet, else takes another reference;
/// its handle (base) in `DllHandle`. `STATUS_DLL_NOT_FOUND` when there is no such DLL;
/// a failing import or entry point ends the load with its status. `DllPath` and
/// `DllCharacteristics` are ignored (there is one directory).
///
/// # Safety
/// As [`LdrGetDllHandle`].
#[no_mangle]
pub unsafe extern "system" fn LdrLoadDll(
    DllPath: *const u16,
    DllCharacteristics: *const u32,
    DllName: *const UNICODE_STRING,
    DllHandle: *mut *mut c_void,
) -> NtStatus {
    let _ = (DllPath, DllCharacteristics);
    // SAFETY: the contract.
    let name = unsafe { crate::abi::unicode_chars(&crate::abi::load(DllName)) };
    match load_dll(name, 0) {
        Ok(base) => {
            // SAFETY: the contract.
            unsafe { crate::abi::store(DllHandle, base as *mut c_void) };
            ntdef::status::STATUS_SUCCESS
        }
        Err(status) => status,
    }
}

/// Drops one reference to the DLL `DllHandle`; the last one runs its entry point and
/// TLS callbacks with DLL_PROCESS_DETACH, takes it off the module list and unmaps it.
/// Modules loaded with the program (ntdll.dll, the program itself, its imports) are
/// never unloaded. `STATUS_DLL_NOT_FOUND` for a handle that is not a loaded module.
///
/// # Safety
/// No pointer is read; code of the DLL must not run after its last unload.
#[no_mangle]
pub unsafe extern "system" fn LdrUnloadDll(DllHandle: *mut c_void) -> NtStatus {
    let base = DllHandle as usize;
    match crate::ldrdata::drop_reference(base) {
        None => STATUS_DLL_NOT_FOUND,
        Some(0) => {
            let entry = crate::ldrdata::entry_point_of(base);
            if entry != 0 {
                // SAFETY: the module's entry point, `DllMain(HINSTANCE, DWORD, PVOID)`.
                unsafe {
                    let f: DllEntry = core::mem::transmute(entry);
                    f(
                        base as *mut c_void,
                        DLL_PROCESS_DETACH,
                        core::ptr::null_mut(),
                    );
                }
            }
            // SAFETY: the module is mapped until the unmap below.
            if let Some(image) = unsafe { Image::at(base) } {
                run_tls_callbacks(&image, DLL_PROCESS_DETACH);
            }
            crate::ldrdata::remove(base);
            // SAFETY: a service stub; the view LdrLoadDll mapped.
            unsafe { crate::services::NtUnmapViewOfSection(CURRENT_PROCESS, base) }
        }
        Some(_) => ntdef::status::STATUS_SUCCESS,
    }
}

/// The address of an export of a loaded module, by name (`ProcedureName`, an
/// `ANSI_STRING`) or, when that is NULL, by ordinal. `STATUS_DLL_NOT_FOUND` for a
/// handle that is not a loaded module, `STATUS_PROCEDURE_NOT_FOUND` /
/// `STATUS_ORDINAL_NOT_FOUND` for a missing export. Forwarders are not followed.
///
/// # Safety
/// `ProcedureName` NULL or a valid `ANSI_STRING`; `ProcedureAddress` writable.
#[no_mangle]
pub unsafe extern "system" fn LdrGetProcedureAddress(
    DllHandle: *mut c_void,
    ProcedureName: *const STRING,
    ProcedureNumber: u32,
    ProcedureAddress: *mut *mut c_void,
) -> NtStatus {
    let Some(image) = module_of_handle(DllHandle as usize) else {
        return STATUS_DLL_NOT_FOUND;
    };
    let found = if ProcedureName.is_null() {
        image
            .export_by_ordinal(ProcedureNumber as usize)
            .ok_or(STATUS_ORDINAL_NOT_FOUND)
    } else {
        // SAFETY: the contract.
        let name = unsafe { crate::abi::ansi_bytes(&crate::abi::load(ProcedureName)) };
        image.export_by_name(name).ok_or(STATUS_PROCEDURE_NOT_FOUND)
    };
    match found {
        Ok(address) => {
            // SAFETY: the contract.
            unsafe { crate::abi::store(ProcedureAddress, address as *mut c_void) };
            ntdef::status::STATUS_SUCCESS
        }
        Err(status) => status,
    }
}
