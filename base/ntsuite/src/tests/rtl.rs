//! ntdll's Rtl heap, strings that allocate, DOS path names and the loader routines for
//! loaded modules, from a running process.
//!
//! Expectations: the WDK documentation of `RtlCreateHeap`, `RtlAllocateHeap`
//! (`HEAP_ZERO_MEMORY`), `RtlFreeHeap`, `RtlDestroyHeap` (NULL on success),
//! `RtlAnsiStringToUnicodeString`; the SDK's `HeapReAlloc` (`HEAP_REALLOC_IN_PLACE_ONLY`
//! fails rather than moving) and `HeapSize` (the size asked for) pages; Microsoft's
//! "Naming Files, Paths, and Namespaces" for the NT forms of DOS names; MS-ERREF 2.3.1
//! for `STATUS_PROCEDURE_NOT_FOUND` (0xC000007A), `STATUS_ORDINAL_NOT_FOUND`
//! (0xC0000138) and `STATUS_DLL_NOT_FOUND` (0xC0000135).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn RtlCreateHeap(
        flags: u32,
        base: *mut c_void,
        reserve: usize,
        commit: usize,
        lock: *mut c_void,
        params: *mut c_void,
    ) -> *mut c_void;
    fn RtlDestroyHeap(heap: *mut c_void) -> *mut c_void;
    fn RtlAllocateHeap(heap: *mut c_void, flags: u32, size: usize) -> *mut c_void;
    fn RtlFreeHeap(heap: *mut c_void, flags: u32, p: *mut c_void) -> u8;
    fn RtlReAllocateHeap(heap: *mut c_void, flags: u32, p: *mut c_void, size: usize)
        -> *mut c_void;
    fn RtlSizeHeap(heap: *mut c_void, flags: u32, p: *const c_void) -> usize;
    fn RtlAnsiStringToUnicodeString(
        dest: *mut UNICODE_STRING,
        src: *const STRING,
        allocate: u8,
    ) -> NtStatus;

}

const HEAP_NO_SERIALIZE: u32 = 0x1;
const HEAP_GROWABLE: u32 = 0x2;
const HEAP_ZERO_MEMORY: u32 = 0x8;
const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x10;
const STATUS_ORDINAL_NOT_FOUND: u32 = 0xC000_0138;

/// `PEB.ProcessHeap` through `TEB.ProcessEnvironmentBlock` (x64: TEB 0x60, PEB 0x30;
/// x86: TEB 0x30, PEB 0x18).
fn process_heap() -> *mut c_void {
    let peb: usize;
    // SAFETY: GS/FS is based at this thread's TEB; the read has no side effects.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!("mov {}, gs:[0x60]", out(reg) peb, options(nostack, readonly))
    };
    // SAFETY: as above.
    #[cfg(target_arch = "x86")]
    unsafe {
        core::arch::asm!("mov {}, fs:[0x30]", out(reg) peb, options(nostack, readonly))
    };
    let off = if cfg!(target_pointer_width = "64") {
        0x30
    } else {
        0x18
    };
    // SAFETY: the PEB is mapped for the life of the process.
    unsafe { ((peb + off) as *const *mut c_void).read() }
}

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

fn heap_lifecycle() -> Result<(), String> {
    // SAFETY: every pointer is NULL or a block of `h`, used within its size.
    unsafe {
        let h = RtlCreateHeap(
            HEAP_GROWABLE,
            core::ptr::null_mut(),
            0,
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        );
        check("RtlCreateHeap returned NULL", !h.is_null())?;
        let p = RtlAllocateHeap(h, HEAP_ZERO_MEMORY, 100).cast::<u8>();
        check("allocation failed", !p.is_null())?;
        check(
            "not aligned",
            (p as usize).is_multiple_of(2 * size_of::<usize>()),
        )?;
        check("not zeroed", (0..100).all(|i| p.add(i).read() == 0))?;
        check("size", RtlSizeHeap(h, 0, p.cast()) == 100)?;
        p.write_bytes(0x5A, 100);
        // Grow; the data moves or not, but stays, and the tail is zeroed.
        let q = RtlReAllocateHeap(h, HEAP_ZERO_MEMORY, p.cast(), 5000).cast::<u8>();
        check("realloc failed", !q.is_null())?;
        check("data kept", (0..100).all(|i| q.add(i).read() == 0x5A))?;
        check("tail zeroed", (100..5000).all(|i| q.add(i).read() == 0))?;
        check("size after realloc", RtlSizeHeap(h, 0, q.cast()) == 5000)?;
        // Hemmed in by a later block, in place only must fail and change nothing.
        let r = RtlAllocateHeap(h, 0, 16);
        let moved = RtlReAllocateHeap(h, HEAP_REALLOC_IN_PLACE_ONLY, q.cast(), 100_000);
        check("in-place-only grew past a neighbour", moved.is_null())?;
        check("size kept", RtlSizeHeap(h, 0, q.cast()) == 5000)?;
        let shrunk = RtlReAllocateHeap(h, HEAP_REALLOC_IN_PLACE_ONLY, q.cast(), 10);
        check("in-place shrink", shrunk == q.cast())?;
        check("free", RtlFreeHeap(h, 0, q.cast()) == 1)?;
        check("double free refused", RtlFreeHeap(h, 0, q.cast()) == 0)?;
        check(
            "size of freed block",
            RtlSizeHeap(h, 0, q.cast()) == usize::MAX,
        )?;
        check("free NULL", RtlFreeHeap(h, 0, core::ptr::null_mut()) == 1)?;
        check("free r", RtlFreeHeap(h, HEAP_NO_SERIALIZE, r) == 1)?;
        check("destroy", RtlDestroyHeap(h).is_null())?;
        Ok(())
    }
}

fn heap_many_allocations() -> Result<(), String> {
    // SAFETY: as above.
    unsafe {
        let h = RtlCreateHeap(
            HEAP_GROWABLE,
            core::ptr::null_mut(),
            0x10000,
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        );
        check("RtlCreateHeap returned NULL", !h.is_null())?;
        let mut blocks = Vec::new();
        // About 1 MiB in all: several segments past the 64 KiB reservation.
        for i in 0..1000usize {
            let n = 16 + (i * 37) % 2000;
            let p = RtlAllocateHeap(h, 0, n).cast::<u8>();
            if p.is_null() {
                RtlDestroyHeap(h);
                return Err(format!("allocation {i} of {n} bytes failed"));
            }
            p.write_bytes(i as u8, n);
            blocks.push((p, n, i as u8));
        }
        for (k, &(p, n, v)) in blocks.iter().enumerate() {
            if RtlSizeHeap(h, 0, p.cast()) != n || !(0..n).all(|j| p.add(j).read() == v) {
                RtlDestroyHeap(h);
                return Err(format!("block {k} damaged"));
            }
        }
        for (p, _, _) in blocks.iter().step_by(2) {
            check("free", RtlFreeHeap(h, 0, p.cast()) == 1)?;
        }
        let big = RtlAllocateHeap(h, 0, 1 << 20);
        check("1 MiB block", !big.is_null())?;
        for (p, _, _) in blocks.iter().skip(1).step_by(2) {
            check("free", RtlFreeHeap(h, 0, p.cast()) == 1)?;
        }
        check("free big", RtlFreeHeap(h, 0, big) == 1)?;
        check("destroy", RtlDestroyHeap(h).is_null())?;
        Ok(())
    }
}

fn heap_refusals() -> Result<(), String> {
    let mut local = [0u8; 64];
    // SAFETY: a caller-supplied base is refused without being used.
    let h = unsafe {
        RtlCreateHeap(
            0,
            local.as_mut_ptr().cast(),
            4096,
            4096,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        )
    };
    check("caller-supplied base not supported", h.is_null())?;
    let ph = process_heap();
    check("PEB.ProcessHeap is set", !ph.is_null())?;
    // SAFETY: the process heap is a heap.
    check(
        "process heap not destroyable",
        unsafe { RtlDestroyHeap(ph) } == ph,
    )?;
    // SAFETY: the process heap; `local` is not one of its blocks.
    check(
        "foreign pointer refused",
        unsafe { RtlFreeHeap(ph, 0, local.as_mut_ptr().cast()) } == 0,
    )?;
    Ok(())
}

fn ansi_to_unicode_allocates() -> Result<(), String> {
    let text = b"Hello, heap";
    let src = STRING {
        Length: text.len() as u16,
        MaximumLength: text.len() as u16,
        Buffer: text.as_ptr().cast_mut(),
    };
    let mut dst = UNICODE_STRING::empty();
    // SAFETY: valid strings.
    let st = unsafe { RtlAnsiStringToUnicodeString(&mut dst, &src, 1) };
    expect_status("RtlAnsiStringToUnicodeString", st, STATUS_SUCCESS)?;
    check("length", usize::from(dst.Length) == 2 * text.len())?;
    // SAFETY: the routine allocated Length bytes (and a NUL).
    let chars = unsafe { core::slice::from_raw_parts(dst.Buffer, text.len()) };
    check(
        "text",
        chars.iter().zip(text).all(|(&c, &b)| c == u16::from(b)),
    )?;
    // SAFETY: a buffer from the process heap.
    check(
        "from the process heap",
        unsafe { RtlSizeHeap(process_heap(), 0, dst.Buffer.cast()) } >= 2 * text.len(),
    )?;
    // SAFETY: allocated by the routine above.
    unsafe { RtlFreeUnicodeString(&mut dst) };
    check("freed string cleared", dst.Buffer.is_null())?;
    Ok(())
}

fn nt_name(dos: &str) -> Result<Option<(String, Option<String>)>, String> {
    let dos = w(dos);
    let mut nt = UNICODE_STRING::empty();
    let mut part: *mut u16 = core::ptr::null_mut();
    // SAFETY: a NUL-terminated name and writable outputs.
    let ok = unsafe {
        RtlDosPathNameToNtPathName_U(dos.as_ptr(), &mut nt, &mut part, core::ptr::null_mut())
    };
    if ok == 0 {
        return Ok(None);
    }
    // SAFETY: the routine filled `nt` with Length bytes in Buffer.
    let chars = unsafe { core::slice::from_raw_parts(nt.Buffer, usize::from(nt.Length) / 2) };
    let s = String::from_utf16_lossy(chars);
    let file = (!part.is_null()).then(|| {
        let i = (part as usize - nt.Buffer as usize) / 2;
        String::from_utf16_lossy(&chars[i..])
    });
    // SAFETY: the terminating NUL lies inside MaximumLength.
    if unsafe { nt.Buffer.add(chars.len()).read() } != 0 {
        return Err(String::from("not NUL-terminated"));
    }
    // SAFETY: the routine's buffer.
    unsafe { RtlFreeUnicodeString(&mut nt) };
    Ok(Some((s, file)))
}

fn dos_path_names() -> Result<(), String> {
    type Case = (&'static str, Option<(&'static str, Option<&'static str>)>);
    let cases: &[Case] = &[
        ("C:\\x", Some(("\\??\\C:\\x", Some("x")))),
        (
            "C:/dir/./a/../f.txt",
            Some(("\\??\\C:\\dir\\f.txt", Some("f.txt"))),
        ),
        ("C:\\dir\\", Some(("\\??\\C:\\dir\\", None))),
        (
            "\\\\server\\share\\f",
            Some(("\\??\\UNC\\server\\share\\f", Some("f"))),
        ),
        ("\\\\.\\C:\\x", Some(("\\??\\C:\\x", Some("x")))),
        (
            "\\\\?\\C:\\a\\..\\b",
            Some(("\\??\\C:\\a\\..\\b", Some("b"))),
        ),
        // Relative to the current directory the executive gives (C:\).
        (
            "relative.txt",
            Some(("\\??\\C:\\relative.txt", Some("relative.txt"))),
        ),
        ("", None),
    ];
    for &(dos, want) in cases {
        let got = nt_name(dos)?;
        let want = want.map(|(s, f)| (String::from(s), f.map(String::from)));
        if got != want {
            return Err(format!("{dos:?}: got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

fn ustr(s: &[u16]) -> UNICODE_STRING {
    UNICODE_STRING {
        Length: (2 * (s.len() - 1)) as u16,
        MaximumLength: (2 * s.len()) as u16,
        Buffer: s.as_ptr().cast_mut(),
    }
}

fn ntdll_handle() -> Result<*mut c_void, String> {
    let name = w("NTDLL.DLL");
    let mut h = core::ptr::null_mut();
    // SAFETY: valid string and output.
    let st = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &ustr(&name), &mut h) };
    expect_status("LdrGetDllHandle(NTDLL.DLL)", st, STATUS_SUCCESS)?;
    Ok(h)
}

fn loader_get_dll_handle() -> Result<(), String> {
    let h = ntdll_handle()?;
    check(
        "MZ at the ntdll handle",
        unsafe {
            // SAFETY: the module base is mapped.
            h.cast::<u16>().read()
        } == 0x5A4D,
    )?;
    for name in ["ntdll", "C:\\Windows\\System32\\ntdll.dll"] {
        let n = w(name);
        let mut h2 = core::ptr::null_mut();
        // SAFETY: valid string and output.
        let st =
            unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &ustr(&n), &mut h2) };
        expect_status(name, st, STATUS_SUCCESS)?;
        check("same handle", h2 == h)?;
    }
    let n = w("kernel32.dll");
    let mut h3 = core::ptr::null_mut();
    // SAFETY: valid string and output.
    let st = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &ustr(&n), &mut h3) };
    expect_status("LdrGetDllHandle(kernel32.dll)", st, STATUS_DLL_NOT_FOUND)?;
    // SAFETY: as above.
    let st = unsafe { LdrLoadDll(core::ptr::null(), core::ptr::null(), &ustr(&n), &mut h3) };
    expect_status("LdrLoadDll(kernel32.dll)", st, STATUS_DLL_NOT_FOUND)?;
    let n = w("ntdll.dll");
    // SAFETY: as above.
    let st = unsafe { LdrLoadDll(core::ptr::null(), core::ptr::null(), &ustr(&n), &mut h3) };
    expect_status("LdrLoadDll(ntdll.dll)", st, STATUS_SUCCESS)?;
    check("LdrLoadDll handle", h3 == h)
}

fn loader_get_procedure_address() -> Result<(), String> {
    let h = ntdll_handle()?;
    let name = b"NtClose";
    let s = STRING {
        Length: name.len() as u16,
        MaximumLength: name.len() as u16,
        Buffer: name.as_ptr().cast_mut(),
    };
    let mut p = core::ptr::null_mut();
    // SAFETY: valid string and output.
    let st = unsafe { LdrGetProcedureAddress(h, &s, 0, &mut p) };
    expect_status("LdrGetProcedureAddress(NtClose)", st, STATUS_SUCCESS)?;
    let imported = NtClose as *const () as usize;
    // raw-dylib imports are called through the import address table, so the function
    // value is the address the loader bound, i.e. the export itself.
    check(
        &format!("NtClose at {:#x}, imported {imported:#x}", p as usize),
        p as usize == imported,
    )?;
    // SAFETY: the resolved address is NtClose.
    let close: unsafe extern "system" fn(HANDLE) -> NtStatus = unsafe { core::mem::transmute(p) };
    // SAFETY: an invalid handle value.
    expect_status(
        "resolved NtClose(bad)",
        unsafe { close(0x1234_5670 as HANDLE) },
        STATUS_INVALID_HANDLE,
    )?;
    let bad = b"NoSuchRoutine";
    let s = STRING {
        Length: bad.len() as u16,
        MaximumLength: bad.len() as u16,
        Buffer: bad.as_ptr().cast_mut(),
    };
    // SAFETY: as above.
    let st = unsafe { LdrGetProcedureAddress(h, &s, 0, &mut p) };
    expect_status("missing name", st, STATUS_PROCEDURE_NOT_FOUND)?;
    // By ordinal: ordinal 1 is the first export; 0xFFFF does not exist.
    let mut first = core::ptr::null_mut();
    // SAFETY: as above.
    let st = unsafe { LdrGetProcedureAddress(h, core::ptr::null(), 1, &mut first) };
    expect_status("ordinal 1", st, STATUS_SUCCESS)?;
    check("ordinal 1 inside ntdll", first as usize > h as usize)?;
    // SAFETY: as above.
    let st = unsafe { LdrGetProcedureAddress(h, core::ptr::null(), 0xFFFF, &mut p) };
    expect_status("missing ordinal", st, STATUS_ORDINAL_NOT_FOUND)?;
    // SAFETY: as above; a handle that is no module.
    let st = unsafe { LdrGetProcedureAddress(0x1000 as *mut c_void, &s, 0, &mut p) };
    expect_status("not a module", st, STATUS_DLL_NOT_FOUND)
}

pub const TESTS: &[Test] = tests![
    ("rtl.heap_lifecycle", heap_lifecycle),
    ("rtl.heap_many_allocations", heap_many_allocations),
    ("rtl.heap_refusals", heap_refusals),
    ("rtl.ansi_to_unicode_allocates", ansi_to_unicode_allocates),
    ("rtl.dos_path_names", dos_path_names),
    ("rtl.loader_get_dll_handle", loader_get_dll_handle),
    (
        "rtl.loader_get_procedure_address",
        loader_get_procedure_address
    ),
];
