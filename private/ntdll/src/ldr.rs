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
    STATUS_DLL_NOT_FOUND, STATUS_ENTRYPOINT_NOT_FOUND, STATUS_INVALID_IMAGE_FORMAT,
    STATUS_ORDINAL_NOT_FOUND,
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

/// Binds every import of `exe` against `ntdll`.
fn bind_imports(exe: &Image, ntdll: &Image) -> Result<(), NtStatus> {
    let Some((mut desc, _)) = exe.directory(DIR_IMPORT) else {
        return Ok(());
    };
    loop {
        let bad = STATUS_INVALID_IMAGE_FORMAT;
        let lookup = exe.u32(desc).ok_or(bad)? as usize;
        let name = exe.u32(desc + 12).ok_or(bad)? as usize;
        let iat = exe.u32(desc + 16).ok_or(bad)? as usize;
        if name == 0 && iat == 0 {
            return Ok(());
        }
        let dll = exe.name(name).ok_or(bad)?;
        if !eq_ignore_case(dll, b"ntdll.dll") && !eq_ignore_case(dll, b"ntdll") {
            return Err(STATUS_DLL_NOT_FOUND);
        }
        let table = if lookup != 0 { lookup } else { iat };
        for i in 0.. {
            let entry = exe.word(table + i * WORD).ok_or(bad)?;
            if entry == 0 {
                break;
            }
            let target = if entry & ORDINAL_FLAG != 0 {
                ntdll
                    .export_by_ordinal(entry & 0xFFFF)
                    .ok_or(STATUS_ORDINAL_NOT_FOUND)?
            } else {
                let wanted = exe.name((entry & 0x7FFF_FFFF) + 2).ok_or(bad)?;
                ntdll
                    .export_by_name(wanted)
                    .ok_or(STATUS_ENTRYPOINT_NOT_FOUND)?
            };
            let slot = iat + i * WORD;
            exe.word(slot).ok_or(bad)?;
            // SAFETY: the slot lies inside the image (checked just above); the executive
            // maps the import address table writable.
            unsafe { ((exe.base + slot) as *mut usize).write_volatile(target) };
        }
        desc += 20;
    }
}

type TlsCallback = unsafe extern "system" fn(*mut c_void, u32, *mut c_void);
type NativeEntry = unsafe extern "system" fn(*mut c_void) -> u32;
const DLL_PROCESS_ATTACH: u32 = 1;

fn run_tls_callbacks(exe: &Image) {
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
            f(
                exe.base as *mut c_void,
                DLL_PROCESS_ATTACH,
                core::ptr::null_mut(),
            );
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
    if let Err(status) = bind_imports(&exe, &ntdll) {
        terminate(status);
    }
    run_tls_callbacks(&exe);
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
// Loader routines for loaded modules: LdrGetDllHandle, LdrGetProcedureAddress,
// LdrLoadDll, LdrFindEntryForAddress. Prototypes as documented by the Windows
// native-API references (four arguments each for the first three, NTSTATUS result).
// They search `PEB.Ldr` ([`crate::ldrdata`]); there is no section-based DLL mapping
// yet, so `LdrLoadDll` can only return the handle of a module already loaded.

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

/// "Loads" a DLL: succeeds only for a module already loaded (ntdll.dll, the program);
/// any other name is `STATUS_DLL_NOT_FOUND` until DLLs can be mapped from sections.
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
    // SAFETY: same contract.
    unsafe { LdrGetDllHandle(DllPath, DllCharacteristics, DllName, DllHandle) }
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
