//! Loading DLLs: LdrLoadDll of nereidtest.dll (from `\KnownDlls`, where the executive
//! publishes the boot archive's DLLs), its imports from ntdll bound, DllMain called
//! once with the module handle, exports found by LdrGetProcedureAddress, the module in
//! PEB.Ldr (load and initialization order), references counted by LdrLoadDll /
//! LdrUnloadDll, and unknown names refused.
//!
//! Expectations (LoadLibrary / FreeLibrary / GetProcAddress docs, which wrap these):
//! loading a loaded module returns the same handle and adds a reference; a name without
//! an extension gets ".dll"; a missing DLL is STATUS_DLL_NOT_FOUND (0xC0000135); an
//! export that does not exist is STATUS_PROCEDURE_NOT_FOUND (0xC000007A); the last
//! FreeLibrary unloads the module (its handle is then not a module:
//! STATUS_DLL_NOT_FOUND from LdrGetProcedureAddress, as ReactOS' loader answers for an
//! unknown handle).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;

fn load(name: &str) -> Result<usize, NtStatus> {
    let units: Vec<u16> = name.encode_utf16().collect();
    let us = UNICODE_STRING {
        Length: (units.len() * 2) as u16,
        MaximumLength: (units.len() * 2) as u16,
        Buffer: units.as_ptr() as *mut u16,
    };
    let mut h: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { LdrLoadDll(core::ptr::null(), core::ptr::null(), &us, &mut h) };
    if s.as_u32() == STATUS_SUCCESS {
        Ok(h as usize)
    } else {
        Err(s)
    }
}

fn handle_of(name: &str) -> Option<usize> {
    let units: Vec<u16> = name.encode_utf16().collect();
    let us = UNICODE_STRING {
        Length: (units.len() * 2) as u16,
        MaximumLength: (units.len() * 2) as u16,
        Buffer: units.as_ptr() as *mut u16,
    };
    let mut h: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &us, &mut h) };
    (s.as_u32() == STATUS_SUCCESS).then_some(h as usize)
}

fn export(module: usize, name: &str) -> Result<usize, NtStatus> {
    let s = STRING {
        Length: name.len() as u16,
        MaximumLength: name.len() as u16,
        Buffer: name.as_ptr() as *mut u8,
    };
    let mut at: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let st = unsafe { LdrGetProcedureAddress(module as *mut c_void, &s, 0, &mut at) };
    if st.as_u32() == STATUS_SUCCESS {
        Ok(at as usize)
    } else {
        Err(st)
    }
}

fn unload(module: usize) -> NtStatus {
    // SAFETY: a handle value; the loader checks it.
    unsafe { LdrUnloadDll(module as *mut c_void) }
}

fn desc(s: NtStatus) -> String {
    describe(s.as_u32())
}

/// Whether module base `base` appears in the PEB.Ldr list whose head is at `head_off`
/// of PEB_LDR_DATA (entries linked at `link_off` of LDR_DATA_TABLE_ENTRY; DllBase at
/// 6 pointers from the entry start).
fn in_list(base: usize, head_off: usize, link_off: usize) -> bool {
    let teb = current_teb();
    let word = |at: usize| {
        // SAFETY: TEB, PEB and the loader's lists are mapped for the process's life.
        unsafe { *(at as *const usize) }
    };
    let peb = word(teb + if W == 8 { 0x60 } else { 0x30 });
    let ldr = word(peb + if W == 8 { 0x18 } else { 0x0C });
    let head = ldr + head_off;
    let mut at = word(head);
    let mut steps = 0;
    while at != head && steps < 64 {
        if word(at - link_off + 6 * W) == base {
            return true;
        }
        at = word(at);
        steps += 1;
    }
    false
}

/// PEB_LDR_DATA list heads (after Length, Initialized, SsHandle).
fn heads() -> (usize, usize) {
    // InLoadOrderModuleList at 0x10 (x64) / 0x0C (x86); InInitializationOrder two list
    // heads further.
    let load = if W == 8 { 0x10 } else { 0x0C };
    (load, load + 4 * W)
}

fn load_and_call() -> Result<(), String> {
    let m = load("nereidtest.dll").map_err(|s| format!("LdrLoadDll: {}", desc(s)))?;
    let r = (|| {
        let add = export(m, "NereidTestAdd").map_err(|s| format!("NereidTestAdd: {}", desc(s)))?;
        // SAFETY: the DLL exports `u32 NTAPI NereidTestAdd(u32, u32)`.
        let f: extern "system" fn(u32, u32) -> u32 = unsafe { core::mem::transmute(add) };
        if f(40, 2) != 42 {
            return Err(String::from("NereidTestAdd(40, 2) != 42"));
        }
        let count = export(m, "NereidTestAttachCount").map_err(desc)?;
        // SAFETY: `u32 NTAPI NereidTestAttachCount(void)`.
        let count: extern "system" fn() -> u32 = unsafe { core::mem::transmute(count) };
        let inst = export(m, "NereidTestInstance").map_err(desc)?;
        // SAFETY: `usize NTAPI NereidTestInstance(void)`.
        let inst: extern "system" fn() -> usize = unsafe { core::mem::transmute(inst) };
        if (count(), inst()) != (1, m) {
            return Err(format!(
                "DllMain: {} attach(es), instance {:#x} (module {m:#x})",
                count(),
                inst()
            ));
        }
        // Its import of NtQuerySystemTime was bound: the time agrees with ours.
        let time = export(m, "NereidTestSystemTime").map_err(desc)?;
        // SAFETY: `i64 NTAPI NereidTestSystemTime(void)`.
        let time: extern "system" fn() -> i64 = unsafe { core::mem::transmute(time) };
        let mut now = 0i64;
        // SAFETY: a local.
        unsafe { NtQuerySystemTime(&mut now) };
        let t = time();
        if t == 0 || (t - now).abs() > 10_000_000 {
            return Err(format!("the DLL's system time {t}, ours {now}"));
        }
        expect_status(
            "a missing export",
            export(m, "NoSuchExport")
                .err()
                .unwrap_or(NtStatus::from_u32(0)),
            STATUS_PROCEDURE_NOT_FOUND,
        )?;
        let (load_head, init_head) = heads();
        if !in_list(m, load_head, 0) || !in_list(m, init_head, 4 * W) {
            return Err(String::from("nereidtest.dll missing from PEB.Ldr's lists"));
        }
        if handle_of("NEREIDTEST.DLL") != Some(m) {
            return Err(String::from("LdrGetDllHandle does not find it"));
        }
        Ok(())
    })();
    let u = unload(m);
    r?;
    expect_status("LdrUnloadDll", u, STATUS_SUCCESS)?;
    if handle_of("nereidtest.dll").is_some() {
        return Err(String::from("still loaded after the last LdrUnloadDll"));
    }
    expect_status(
        "export of an unloaded module",
        export(m, "NereidTestAdd")
            .err()
            .unwrap_or(NtStatus::from_u32(0)),
        STATUS_DLL_NOT_FOUND,
    )
}

fn references_and_names() -> Result<(), String> {
    let a = load("nereidtest").map_err(|s| format!("LdrLoadDll(nereidtest): {}", desc(s)))?;
    let b = load("C:\\Nereid\\NereidTest.dll");
    let r = (|| {
        let b = b.map_err(|s| format!("second load by path: {}", desc(s)))?;
        if a != b {
            return Err(format!("two loads, two handles: {a:#x} {b:#x}"));
        }
        expect_status("first unload", unload(a), STATUS_SUCCESS)?;
        if handle_of("nereidtest.dll") != Some(a) {
            return Err(String::from("unloaded while a reference remains"));
        }
        Ok(())
    })();
    let last = unload(a);
    r?;
    expect_status("last unload", last, STATUS_SUCCESS)?;
    // A reload maps it afresh: DllMain sees one attach again (a new image).
    let c = load("nereidtest.dll").map_err(|s| format!("reload: {}", desc(s)))?;
    let count = export(c, "NereidTestAttachCount").map_err(desc);
    let n = count.map(|f| {
        // SAFETY: `u32 NTAPI NereidTestAttachCount(void)`.
        let f: extern "system" fn() -> u32 = unsafe { core::mem::transmute(f) };
        f()
    });
    let u = unload(c);
    if n? != 1 {
        return Err(String::from("reloaded DLL kept its old data"));
    }
    expect_status("unload after reload", u, STATUS_SUCCESS)
}

fn missing_and_static() -> Result<(), String> {
    for name in ["nosuch.dll", "nosuch", "\\??\\C:\\Nereid\\missing.dll"] {
        let s = load(name).err().unwrap_or(NtStatus::from_u32(0));
        expect_status(name, s, STATUS_DLL_NOT_FOUND)?;
    }
    // ntdll.dll is loaded with the process: LdrLoadDll finds it, LdrUnloadDll keeps it.
    let n = load("ntdll.dll").map_err(|s| format!("LdrLoadDll(ntdll): {}", desc(s)))?;
    expect_status("unload ntdll", unload(n), STATUS_SUCCESS)?;
    if handle_of("ntdll.dll") != Some(n) {
        return Err(String::from("ntdll.dll went away"));
    }
    expect_status(
        "LdrUnloadDll(bogus)",
        unload(0x1234_0000),
        STATUS_DLL_NOT_FOUND,
    )
}

pub const TESTS: &[Test] = tests![
    ("dll.load_and_call", load_and_call),
    ("dll.references_and_names", references_and_names),
    ("dll.missing_and_static", missing_and_static),
];
