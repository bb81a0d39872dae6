//! `PEB.Ldr`: the loader's records of the loaded modules, built by
//! `LdrInitializeThunk` and searched by the `Ldr*` routines.
//!
//! Layouts are Windows 7's (`ntrtl::ldr` computes and host-tests the offsets for both
//! pointer widths; the structures here are checked against them at compile time). As
//! on Windows, the program comes first in load and memory order and ntdll.dll second,
//! and the initialization-order list holds the DLLs only (ntdll.dll first); `HashLinks`
//! chain each entry into one of 32 buckets by the first letter of its base name. The
//! `PEB_LDR_DATA`, the bucket heads (right after it, in the same allocation), the
//! entries and their names come from the process heap.
//!
//! Names: the program's `FullDllName` is the DOS form of
//! `ProcessParameters->ImagePathName` (`\??\C:\Nereid\ntsuite.exe` →
//! `C:\Nereid\ntsuite.exe`); ntdll.dll is `C:\Nereid\ntdll.dll`, next to the programs
//! in `%SystemRoot%` (`C:\Nereid`), where the boot archive puts it. `BaseDllName`
//! points into `FullDllName`'s buffer, as on Windows.
#![allow(non_snake_case)]

use crate::abi;
use crate::ldr::Image;
use core::ffi::c_void;
use core::mem::offset_of;
use ntdef::status::{NtStatus, STATUS_NO_MEMORY, STATUS_NO_MORE_ENTRIES, STATUS_SUCCESS};
use ntdef::types::UNICODE_STRING;
use ntrtl::ldr::{self as rtl, Layout};

/// `LIST_ENTRY`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct ListEntry {
    pub(crate) flink: *mut ListEntry,
    pub(crate) blink: *mut ListEntry,
}

/// `PEB_LDR_DATA` (Windows 7).
#[repr(C)]
struct PebLdrData {
    length: u32,
    initialized: u8,
    ss_handle: usize,
    in_load_order: ListEntry,
    in_memory_order: ListEntry,
    in_initialization_order: ListEntry,
    entry_in_progress: usize,
    shutdown_in_progress: u8,
    shutdown_thread_id: usize,
}

/// `LDR_DATA_TABLE_ENTRY` (Windows 7).
#[repr(C)]
pub(crate) struct LdrDataTableEntry {
    in_load_order_links: ListEntry,
    in_memory_order_links: ListEntry,
    in_initialization_order_links: ListEntry,
    pub(crate) dll_base: usize,
    entry_point: usize,
    pub(crate) size_of_image: u32,
    full_dll_name: UNICODE_STRING,
    pub(crate) base_dll_name: UNICODE_STRING,
    flags: u32,
    load_count: u16,
    tls_index: u16,
    hash_links: ListEntry,
    /// In a union with `LoadedImports` (a pointer), hence the padding on x64.
    time_date_stamp: u32,
    entry_point_activation_context: usize,
    patch_information: usize,
    forwarder_links: ListEntry,
    service_tag_links: ListEntry,
    static_links: ListEntry,
    context_information: usize,
    original_base: usize,
    load_time: i64,
}

const L: Layout = Layout::NATIVE;
const _: () = {
    assert!(size_of::<PebLdrData>() == L.data_size());
    assert!(offset_of!(PebLdrData, in_load_order) == L.data_in_load_order());
    assert!(offset_of!(PebLdrData, in_memory_order) == L.data_in_memory_order());
    assert!(offset_of!(PebLdrData, in_initialization_order) == L.data_in_initialization_order());
    assert!(offset_of!(LdrDataTableEntry, in_memory_order_links) == L.in_memory_order_links());
    assert!(
        offset_of!(LdrDataTableEntry, in_initialization_order_links)
            == L.in_initialization_order_links()
    );
    assert!(offset_of!(LdrDataTableEntry, dll_base) == L.dll_base());
    assert!(offset_of!(LdrDataTableEntry, entry_point) == L.entry_point());
    assert!(offset_of!(LdrDataTableEntry, size_of_image) == L.size_of_image());
    assert!(offset_of!(LdrDataTableEntry, full_dll_name) == L.full_dll_name());
    assert!(offset_of!(LdrDataTableEntry, base_dll_name) == L.base_dll_name());
    assert!(offset_of!(LdrDataTableEntry, flags) == L.flags());
    assert!(offset_of!(LdrDataTableEntry, load_count) == L.load_count());
    assert!(offset_of!(LdrDataTableEntry, tls_index) == L.tls_index());
    assert!(offset_of!(LdrDataTableEntry, hash_links) == L.hash_links());
    assert!(offset_of!(LdrDataTableEntry, time_date_stamp) == L.time_date_stamp());
    assert!(size_of::<LdrDataTableEntry>() == L.entry_size());
};

/// Where ntdll.dll lives (see the module documentation).
const NTDLL_PATH: &str = "C:\\Nereid\\ntdll.dll";

/// Allocates `bytes` zeroed bytes from the process heap.
fn zeroed(bytes: usize) -> Result<*mut u8, NtStatus> {
    let heap = crate::alloc::process_heap();
    if heap.is_null() {
        return Err(STATUS_NO_MEMORY);
    }
    // SAFETY: the process heap; HEAP_ZERO_MEMORY (8).
    let p = unsafe { crate::heap::RtlAllocateHeap(heap, 8, bytes) }.cast::<u8>();
    if p.is_null() {
        Err(STATUS_NO_MEMORY)
    } else {
        Ok(p)
    }
}

/// Makes `head` an empty list.
///
/// # Safety
/// `head` must be writable.
unsafe fn init_list(head: *mut ListEntry) {
    // SAFETY: the contract.
    unsafe {
        head.write(ListEntry {
            flink: head,
            blink: head,
        })
    };
}

/// Appends `entry` to the list at `head`.
///
/// # Safety
/// `head` must be a valid list, `entry` writable and in no list.
unsafe fn insert_tail(head: *mut ListEntry, entry: *mut ListEntry) {
    // SAFETY: the contract: every link of a valid list is a valid entry.
    unsafe {
        let last = (*head).blink;
        (*entry).flink = head;
        (*entry).blink = last;
        (*last).flink = entry;
        (*head).blink = entry;
    }
}

/// Copies `name` NUL-terminated into the heap: a string with `MaximumLength` =
/// `Length` + 2.
fn heap_string(name: &[u16]) -> Result<UNICODE_STRING, NtStatus> {
    let bytes = (name.len() + 1) * 2;
    let p = zeroed(bytes)?.cast::<u16>();
    // SAFETY: a fresh block of `name.len() + 1` units.
    unsafe { abi::elems_mut(p, name.len() + 1)[..name.len()].copy_from_slice(name) };
    Ok(UNICODE_STRING {
        Length: (name.len() * 2) as u16,
        MaximumLength: bytes as u16,
        Buffer: p,
    })
}

/// Builds one entry for `image` named `full` and links it into the load- and
/// memory-order lists (and the initialization-order list for a DLL) and its hash
/// bucket.
///
/// # Safety
/// `data` must be the loader data made by [`initialize`], `buckets` its table.
unsafe fn add_module(
    data: *mut PebLdrData,
    buckets: *mut ListEntry,
    image: &Image,
    full: &[u16],
    dll: bool,
) -> Result<*mut LdrDataTableEntry, NtStatus> {
    let e = zeroed(size_of::<LdrDataTableEntry>())?.cast::<LdrDataTableEntry>();
    let full_dll_name = heap_string(full)?;
    let base = rtl::base_name(full);
    let base_dll_name = UNICODE_STRING {
        Length: (base.len() * 2) as u16,
        MaximumLength: (base.len() * 2 + 2) as u16,
        // SAFETY: the base name is the tail of the full name just copied.
        Buffer: unsafe { full_dll_name.Buffer.add(full.len() - base.len()) },
    };
    let flags = if dll {
        rtl::LDRP_IMAGE_DLL | rtl::LDRP_ENTRY_PROCESSED
    } else {
        rtl::LDRP_ENTRY_PROCESSED
    };
    // SAFETY: a fresh zeroed entry; `data` and `buckets` per the contract.
    unsafe {
        (*e).dll_base = image.base();
        (*e).entry_point = image.entry_point().unwrap_or(0);
        (*e).size_of_image = image.size() as u32;
        (*e).full_dll_name = full_dll_name;
        (*e).base_dll_name = base_dll_name;
        (*e).flags = flags;
        // Statically loaded modules are never unloaded.
        (*e).load_count = u16::MAX;
        (*e).time_date_stamp = image.time_date_stamp();
        (*e).original_base = image.preferred_base();
        init_list(&raw mut (*e).forwarder_links);
        init_list(&raw mut (*e).service_tag_links);
        init_list(&raw mut (*e).static_links);
        insert_tail(
            &raw mut (*data).in_load_order,
            &raw mut (*e).in_load_order_links,
        );
        insert_tail(
            &raw mut (*data).in_memory_order,
            &raw mut (*e).in_memory_order_links,
        );
        if dll {
            insert_tail(
                &raw mut (*data).in_initialization_order,
                &raw mut (*e).in_initialization_order_links,
            );
        }
        let bucket = buckets.add(rtl::hash_bucket(base));
        insert_tail(bucket, &raw mut (*e).hash_links);
    }
    Ok(e)
}

/// The DOS form of an NT path `\??\X` (anything else unchanged).
fn dos_form(path: &[u16]) -> &[u16] {
    let prefix = [b'\\', b'?', b'?', b'\\'].map(u16::from);
    path.strip_prefix(&prefix[..]).unwrap_or(path)
}

/// The program's image path (`ProcessParameters->ImagePathName`), if any.
fn image_path<'a>() -> Option<&'a [u16]> {
    let params = crate::peb::process_parameters();
    if params == 0 {
        return None;
    }
    // SAFETY: the executive's block is normalized: Buffer is an address.
    let s = unsafe {
        ((params + ntrtl::params::Layout::NATIVE.image_path_name()) as *const UNICODE_STRING).read()
    };
    // SAFETY: the block holds `Length` bytes of the path.
    (!s.Buffer.is_null()).then(|| unsafe { abi::unicode_chars(&s) })
}

/// Builds `PEB.Ldr` for the program `exe` and ntdll.dll (see the module
/// documentation). `STATUS_NO_MEMORY` if the heap runs out.
pub(crate) fn initialize(peb: usize, exe: &Image, ntdll: &Image) -> Result<(), NtStatus> {
    let bytes = size_of::<PebLdrData>() + rtl::HASH_BUCKETS * size_of::<ListEntry>();
    let data = zeroed(bytes)?.cast::<PebLdrData>();
    // SAFETY: a fresh zeroed block holding the loader data and the bucket heads.
    let buckets = unsafe { data.add(1) }.cast::<ListEntry>();
    // SAFETY: as above.
    unsafe {
        (*data).length = size_of::<PebLdrData>() as u32;
        init_list(&raw mut (*data).in_load_order);
        init_list(&raw mut (*data).in_memory_order);
        init_list(&raw mut (*data).in_initialization_order);
        for i in 0..rtl::HASH_BUCKETS {
            init_list(buckets.add(i));
        }
    }
    let mut exe_name = [0u16; 260];
    let exe_full: &[u16] = match image_path() {
        Some(path) => dos_form(path),
        None => {
            let name = exe.export_name().unwrap_or(b"");
            let n = name.len().min(exe_name.len());
            for (o, &c) in exe_name.iter_mut().zip(&name[..n]) {
                *o = u16::from(c);
            }
            &exe_name[..n]
        }
    };
    let mut ntdll_name = [0u16; NTDLL_PATH.len()];
    for (o, c) in ntdll_name.iter_mut().zip(NTDLL_PATH.encode_utf16()) {
        *o = c;
    }
    // SAFETY: `data` and `buckets` were just initialized.
    unsafe {
        add_module(data, buckets, exe, exe_full, false)?;
        add_module(data, buckets, ntdll, &ntdll_name, true)?;
        (*data).initialized = 1;
        // PEB.Ldr, writable for the life of the process.
        ((peb + L.peb_ldr()) as *mut *mut PebLdrData).write(data);
    }
    Ok(())
}

/// The loader data and its hash buckets, once [`initialize`] ran.
fn loader_data() -> Option<(*mut PebLdrData, *mut ListEntry)> {
    let peb = crate::alloc::current_peb();
    if peb == 0 {
        return None;
    }
    // SAFETY: PEB.Ldr is NULL or the loader data built by `initialize`.
    let data = unsafe { ((peb + L.peb_ldr()) as *const *mut PebLdrData).read() };
    // SAFETY: the buckets follow the loader data in the same block.
    (!data.is_null()).then(|| (data, unsafe { data.add(1) }.cast::<ListEntry>()))
}

/// Records a DLL mapped by `LdrLoadDll` (load count 1), last in every list as
/// Windows appends it; its initialization order entry is added once its `DllMain`
/// ran ([`mark_initialized`]).
pub(crate) fn add_dynamic(image: &Image, full: &[u16]) -> Result<(), NtStatus> {
    let (data, buckets) = loader_data().ok_or(ntdef::status::STATUS_INTERNAL_ERROR)?;
    // SAFETY: the loader data and buckets of this process.
    let e = unsafe { add_module(data, buckets, image, full, false)? };
    // SAFETY: the entry just made.
    unsafe {
        (*e).flags = rtl::LDRP_IMAGE_DLL;
        (*e).load_count = 1;
    }
    Ok(())
}

/// The DLL at `base` finished `DLL_PROCESS_ATTACH`: it joins the initialization
/// order.
pub(crate) fn mark_initialized(base: usize) {
    let (Some((data, _)), Some(e)) = (loader_data(), find_by_base(base)) else {
        return;
    };
    let e = e.cast_mut();
    // SAFETY: an entry of this process's lists and its loader data.
    unsafe {
        (*e).flags |= rtl::LDRP_ENTRY_PROCESSED | rtl::LDRP_PROCESS_ATTACH_CALLED;
        insert_tail(
            &raw mut (*data).in_initialization_order,
            &raw mut (*e).in_initialization_order_links,
        );
    }
}

/// One more `LdrLoadDll` of the module at `base` (static modules stay at the maximum).
pub(crate) fn add_reference(base: usize) {
    if let Some(e) = find_by_base(base) {
        let e = e.cast_mut();
        // SAFETY: an entry of this process's lists.
        unsafe {
            if (*e).load_count != u16::MAX {
                (*e).load_count = (*e).load_count.saturating_add(1);
            }
        }
    }
}

/// One `LdrUnloadDll` of the module at `base`: the references left (`u16::MAX` for a
/// static module), `None` if no module is loaded there.
pub(crate) fn drop_reference(base: usize) -> Option<u16> {
    let e = find_by_base(base)?.cast_mut();
    // SAFETY: an entry of this process's lists.
    unsafe {
        if (*e).load_count != u16::MAX {
            (*e).load_count = (*e).load_count.saturating_sub(1);
        }
        Some((*e).load_count)
    }
}

/// Unlinks the module at `base` from every list (its memory stays with the heap:
/// freeing it is not worth a use-after-free risk for a walker holding it).
pub(crate) fn remove(base: usize) {
    let Some(e) = find_by_base(base) else {
        return;
    };
    let e = e.cast_mut();
    // SAFETY: an entry of this process's lists; unlinking keeps them circular.
    unsafe {
        for links in [
            &raw mut (*e).in_load_order_links,
            &raw mut (*e).in_memory_order_links,
            &raw mut (*e).hash_links,
        ] {
            unlink(links);
        }
        if (*e).flags & rtl::LDRP_PROCESS_ATTACH_CALLED != 0 {
            unlink(&raw mut (*e).in_initialization_order_links);
        }
    }
}

/// # Safety
/// `links` must be in a valid circular list.
unsafe fn unlink(links: *mut ListEntry) {
    // SAFETY: the contract: neighbours are valid entries of the same list.
    unsafe {
        let (f, b) = ((*links).flink, (*links).blink);
        (*b).flink = f;
        (*f).blink = b;
        (*links).flink = links;
        (*links).blink = links;
    }
}

/// The module's entry point (`DllMain`), 0 if none.
pub(crate) fn entry_point_of(base: usize) -> usize {
    // SAFETY: the entry lives in the heap for the process's life.
    find_by_base(base).map_or(0, |e| unsafe { (*e).entry_point })
}

/// The initialized DLLs (base, entry point), in load order, at most `N` of them (for
/// thread attach/detach notifications: collected first, as a DllMain may load or
/// unload modules).
pub(crate) fn initialized_dlls<const N: usize>() -> ([(usize, usize); N], usize) {
    let mut out = [(0, 0); N];
    let mut n = 0;
    walk::<()>(|e| {
        let wanted = rtl::LDRP_IMAGE_DLL | rtl::LDRP_PROCESS_ATTACH_CALLED;
        if e.flags & wanted == wanted && n < N {
            out[n] = (e.dll_base, e.entry_point);
            n += 1;
        }
        None
    });
    (out, n)
}

/// Calls `found` on each entry in load order until it returns `Some`.
fn walk<T>(mut found: impl FnMut(&LdrDataTableEntry) -> Option<T>) -> Option<T> {
    let peb = crate::alloc::current_peb();
    if peb == 0 {
        return None;
    }
    // SAFETY: PEB.Ldr is NULL or the loader data built by `initialize`.
    let data = unsafe { ((peb + L.peb_ldr()) as *const *mut PebLdrData).read() };
    if data.is_null() {
        return None;
    }
    // SAFETY: the list head lives in the loader data.
    let head = unsafe { &raw mut (*data).in_load_order };
    // SAFETY: a valid circular list; the links are each entry's first field.
    let mut at = unsafe { (*head).flink };
    while at != head {
        // SAFETY: `InLoadOrderLinks` is at offset 0 of the entry.
        let entry = unsafe { &*at.cast::<LdrDataTableEntry>() };
        if let Some(t) = found(entry) {
            return Some(t);
        }
        // SAFETY: as above.
        at = unsafe { (*at).flink };
    }
    None
}

/// The base of the loaded module whose base name `name` means (see
/// `ntrtl::ldr::module_name_matches`).
pub(crate) fn find_by_name(name: &[u16]) -> Option<usize> {
    walk(|e| {
        // SAFETY: the entry's name lives in the heap with it.
        let base = unsafe { abi::unicode_chars(&e.base_dll_name) };
        rtl::module_name_matches(name, base).then_some(e.dll_base)
    })
}

/// The entry of the module loaded at `base`.
pub(crate) fn find_by_base(base: usize) -> Option<*const LdrDataTableEntry> {
    walk(|e| (e.dll_base == base).then_some(e as *const LdrDataTableEntry))
}

/// The entry of the loaded module whose image contains `Address`, in `Entry`;
/// `STATUS_NO_MORE_ENTRIES` when no module does (ReactOS' `LdrFindEntryForAddress`
/// answers so, after Windows).
///
/// # Safety
/// `Entry` must be writable.
#[no_mangle]
pub unsafe extern "system" fn LdrFindEntryForAddress(
    Address: *const c_void,
    Entry: *mut *mut c_void,
) -> NtStatus {
    let a = Address as usize;
    let found = walk(|e| {
        (a >= e.dll_base && a - e.dll_base < e.size_of_image as usize)
            .then_some(e as *const LdrDataTableEntry)
    });
    match found {
        Some(e) => {
            // SAFETY: the contract.
            unsafe { abi::store(Entry, e as *mut c_void) };
            STATUS_SUCCESS
        }
        None => STATUS_NO_MORE_ENTRIES,
    }
}
