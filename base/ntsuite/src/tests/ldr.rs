//! `PEB.Ldr`: the loader's module lists, walked from `TEB->PEB->Ldr`, and the loader
//! routines that search them (`LdrGetDllHandle`, `LdrFindEntryForAddress`).
//!
//! Expectations: [LAYOUT] Windows 7's public symbols (`dt ntdll!_PEB_LDR_DATA`,
//! `dt ntdll!_LDR_DATA_TABLE_ENTRY`; Microsoft's `winternl.h` documents
//! `InMemoryOrderModuleList` after 8 bytes and 3 pointers and the entry's
//! `InMemoryOrderLinks`, `DllBase`, `EntryPoint`, `FullDllName`, `TimeDateStamp`):
//! PEB.Ldr 0x18 / 0x0C; PEB_LDR_DATA Length 0x58 / 0x30, Initialized 0x04, lists at
//! 0x10 / 0x0C (load), 0x20 / 0x14 (memory), 0x30 / 0x1C (initialization); entry
//! DllBase 0x30 / 0x18, EntryPoint 0x38 / 0x1C, SizeOfImage 0x40 / 0x20, FullDllName
//! 0x48 / 0x24, BaseDllName 0x58 / 0x2C, Flags 0x68 / 0x34, LoadCount 0x6C / 0x38,
//! HashLinks 0x70 / 0x3C, TimeDateStamp 0x80 / 0x44. [ORDER] On Windows the program is
//! the first module in load order and ntdll.dll the second, and ntdll.dll is the first
//! entry of the initialization-order list, which holds DLLs only (the layout every
//! PEB-walking program relies on). [PE] SizeOfImage, TimeDateStamp and
//! AddressOfEntryPoint from the PE headers (Microsoft "PE Format"). [REACTOS]
//! `LdrFindEntryForAddress` answers STATUS_NO_MORE_ENTRIES for an address in no
//! module. Nereid's names: `C:\Nereid\<program>` (the DOS form of ImagePathName) and
//! `C:\Nereid\ntdll.dll`.

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
    fn LdrFindEntryForAddress(address: *const c_void, entry: *mut *mut c_void) -> NtStatus;
}

const PEB_IMAGE_BASE: usize = if X64 { 0x10 } else { 0x08 };
const PEB_LDR: usize = if X64 { 0x18 } else { 0x0C };
const DATA_LENGTH: usize = if X64 { 0x58 } else { 0x30 };
const DATA_LOAD: usize = if X64 { 0x10 } else { 0x0C };
const DATA_MEMORY: usize = if X64 { 0x20 } else { 0x14 };
const DATA_INIT: usize = if X64 { 0x30 } else { 0x1C };
const LINKS_MEMORY: usize = if X64 { 0x10 } else { 0x08 };
const LINKS_INIT: usize = if X64 { 0x20 } else { 0x10 };
const DLL_BASE: usize = if X64 { 0x30 } else { 0x18 };
const ENTRY_POINT: usize = if X64 { 0x38 } else { 0x1C };
const SIZE_OF_IMAGE: usize = if X64 { 0x40 } else { 0x20 };
const FULL_DLL_NAME: usize = if X64 { 0x48 } else { 0x24 };
const BASE_DLL_NAME: usize = if X64 { 0x58 } else { 0x2C };
const FLAGS: usize = if X64 { 0x68 } else { 0x34 };
const LOAD_COUNT: usize = if X64 { 0x6C } else { 0x38 };
const HASH_LINKS: usize = if X64 { 0x70 } else { 0x3C };
const TIME_DATE_STAMP: usize = if X64 { 0x80 } else { 0x44 };
const LDRP_IMAGE_DLL: u32 = 0x4;

fn word(addr: usize) -> usize {
    // SAFETY: callers pass addresses inside the TEB, PEB, loader data or images.
    unsafe { (addr as *const usize).read() }
}

fn u32_at(addr: usize) -> u32 {
    // SAFETY: as `word`.
    unsafe { (addr as *const u32).read() }
}

fn peb() -> usize {
    word(current_teb() + TEB_PEB)
}

fn text(entry: usize, field: usize) -> String {
    // SAFETY: the field is a UNICODE_STRING of the entry.
    let s = unsafe { ((entry + field) as *const UNICODE_STRING).read() };
    // SAFETY: Length bytes at Buffer.
    String::from_utf16_lossy(unsafe {
        core::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2)
    })
}

/// The entries of the list at `head` whose links sit at `links` in each entry,
/// checking that every Flink's Blink points back (at most 16).
fn entries(head: usize, links: usize) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    let mut at = word(head);
    let mut prev = head;
    while at != head {
        check("broken Blink", word(at + W) == prev)?;
        check("list too long or not circular", out.len() < 16)?;
        out.push(at - links);
        prev = at;
        at = word(at);
    }
    check("head Blink", word(head + W) == prev)?;
    Ok(out)
}

/// `SizeOfImage`, `TimeDateStamp` and the entry-point RVA from the PE headers.
fn pe_facts(base: usize) -> (u32, u32, u32) {
    let nt = base + u32_at(base + 0x3C) as usize;
    (
        u32_at(nt + 0x18 + 56),
        u32_at(nt + 8),
        u32_at(nt + 0x18 + 16),
    )
}

fn ntdll_handle() -> Result<usize, String> {
    let n: Vec<u16> = "ntdll.dll".encode_utf16().collect();
    let s = unicode_raw(
        (n.len() * 2) as u16,
        (n.len() * 2) as u16,
        n.as_ptr() as usize,
    );
    let mut h = core::ptr::null_mut();
    // SAFETY: valid string and output.
    let st = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &s, &mut h) };
    expect_status("LdrGetDllHandle(ntdll.dll)", st, STATUS_SUCCESS)?;
    Ok(h as usize)
}

fn module_lists() -> Result<(), String> {
    let data = word(peb() + PEB_LDR);
    check("PEB.Ldr is NULL", data != 0)?;
    check(
        &format!("Length {:#x}", u32_at(data)),
        u32_at(data) as usize == DATA_LENGTH,
    )?;
    // SAFETY: Initialized is the BOOLEAN at offset 4.
    check(
        "Initialized",
        unsafe { ((data + 4) as *const u8).read() } == 1,
    )?;
    let load = entries(data + DATA_LOAD, 0)?;
    let memory = entries(data + DATA_MEMORY, LINKS_MEMORY)?;
    let init = entries(data + DATA_INIT, LINKS_INIT)?;
    check(
        &format!("{} modules in load order", load.len()),
        load.len() == 2,
    )?;
    check("memory order = load order", memory == load)?;
    check(
        &format!("{} modules in initialization order", init.len()),
        init.len() == 1 && init[0] == load[1],
    )?;
    let (exe, ntdll) = (load[0], load[1]);
    check(
        "the program first: DllBase = PEB.ImageBaseAddress",
        word(exe + DLL_BASE) == word(peb() + PEB_IMAGE_BASE),
    )?;
    let full = text(exe, FULL_DLL_NAME);
    check(
        &format!("program FullDllName {full:?}"),
        full == "C:\\Nereid\\ntsuite.exe",
    )?;
    check(
        "program BaseDllName",
        text(exe, BASE_DLL_NAME) == "ntsuite.exe",
    )?;
    check(
        "ntdll second: its handle",
        word(ntdll + DLL_BASE) == ntdll_handle()?,
    )?;
    check(
        &format!("ntdll FullDllName {:?}", text(ntdll, FULL_DLL_NAME)),
        text(ntdll, FULL_DLL_NAME) == "C:\\Nereid\\ntdll.dll",
    )?;
    check(
        "ntdll BaseDllName",
        text(ntdll, BASE_DLL_NAME) == "ntdll.dll",
    )?;
    for (e, dll) in [(exe, false), (ntdll, true)] {
        let base = word(e + DLL_BASE);
        let (size, stamp, entry_rva) = pe_facts(base);
        check("SizeOfImage", u32_at(e + SIZE_OF_IMAGE) == size)?;
        check("TimeDateStamp", u32_at(e + TIME_DATE_STAMP) == stamp)?;
        let want_entry = if entry_rva == 0 {
            0
        } else {
            base + entry_rva as usize
        };
        check("EntryPoint", word(e + ENTRY_POINT) == want_entry)?;
        check(
            "LDRP_IMAGE_DLL",
            (u32_at(e + FLAGS) & LDRP_IMAGE_DLL != 0) == dll,
        )?;
        // SAFETY: LoadCount is a USHORT of the entry.
        check(
            "LoadCount of a static module",
            unsafe { ((e + LOAD_COUNT) as *const u16).read() } == 0xFFFF,
        )?;
        // The hash chain is a circular list through a bucket head.
        let chain = entries(e + HASH_LINKS, 0)?;
        check("hash chain", !chain.is_empty())?;
    }
    // An ntdll export lies inside ntdll's image.
    let close = NtClose as *const () as usize;
    let base = word(ntdll + DLL_BASE);
    check(
        "NtClose inside ntdll",
        close >= base && close < base + u32_at(ntdll + SIZE_OF_IMAGE) as usize,
    )
}

fn find_entry_for_address() -> Result<(), String> {
    let data = word(peb() + PEB_LDR);
    let load = entries(data + DATA_LOAD, 0)?;
    let mut e = core::ptr::null_mut();
    // SAFETY: valid output.
    let st = unsafe { LdrFindEntryForAddress(NtClose as *const c_void, &mut e) };
    expect_status("NtClose", st, STATUS_SUCCESS)?;
    check("NtClose in ntdll's entry", e as usize == load[1])?;
    let here = find_entry_for_address as *const c_void;
    // SAFETY: valid output.
    let st = unsafe { LdrFindEntryForAddress(here, &mut e) };
    expect_status("own code", st, STATUS_SUCCESS)?;
    check("own code in the program's entry", e as usize == load[0])?;
    // SAFETY: valid output.
    let st = unsafe { LdrFindEntryForAddress(UNMAPPED as *const c_void, &mut e) };
    expect_status("unmapped", st, STATUS_NO_MORE_ENTRIES)?;
    // The program by its base name.
    let n: Vec<u16> = "NTSUITE.EXE".encode_utf16().collect();
    let s = unicode_raw(
        (n.len() * 2) as u16,
        (n.len() * 2) as u16,
        n.as_ptr() as usize,
    );
    let mut h = core::ptr::null_mut();
    // SAFETY: valid string and output.
    let st = unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null(), &s, &mut h) };
    expect_status("LdrGetDllHandle(NTSUITE.EXE)", st, STATUS_SUCCESS)?;
    check("program handle", h as usize == word(peb() + PEB_IMAGE_BASE))
}

pub const TESTS: &[Test] = tests![
    ("ldr.module_lists", module_lists),
    ("ldr.find_entry_for_address", find_entry_for_address),
];
