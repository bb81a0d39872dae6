//! `RtlQueryRegistryValues`, `RtlWriteRegistryValue`, `RtlDeleteRegistryValue`,
//! `RtlCheckRegistryKey`, `RtlCreateRegistryKey`: the registry helpers of the Rtl,
//! over the `Nt*Key` services. Paths, DIRECT storage and multi-strings are
//! `ntrtl::registry` (which cites the facts).
//!
//! `RtlQueryRegistryValues` walks the table until an entry has neither `QueryRoutine`
//! nor `RTL_QUERY_REGISTRY_SUBKEY`/`DIRECT` (the WDK's `RTL_QUERY_REGISTRY_TABLE`
//! page; ReactOS' `sdk/lib/rtl/registry.c` for the details below):
//! - `SUBKEY` opens `Name` below the top key and makes it current (with a routine,
//!   its values are enumerated at once); `TOPKEY` returns to the top key;
//! - a named entry queries that value; a missing value (or one of type `REG_NONE`, or
//!   empty data of the default's type) takes `DefaultType`/`DefaultData`/
//!   `DefaultLength` (a length of 0 measures a string or multi-string), or is skipped,
//!   or with `REQUIRED` ends the walk with `STATUS_OBJECT_NAME_NOT_FOUND`;
//! - an unnamed entry enumerates every value (`REQUIRED` fails on none), with
//!   `NOVALUE` calls the routine once without a value;
//! - unless `NOEXPAND`, `REG_MULTI_SZ` is delivered one `REG_SZ` per string (DIRECT:
//!   into consecutive `UNICODE_STRING`s) and `REG_EXPAND_SZ` containing `%` is
//!   expanded against `Environment` (NULL: the process's) and delivered as `REG_SZ`;
//! - `DIRECT` without `Name`, or with `SUBKEY` or a routine, is
//!   `STATUS_INVALID_PARAMETER`; a `DELETE` entry's value is deleted once delivered;
//! - a routine's `STATUS_BUFFER_TOO_SMALL` counts as success; any other failure ends
//!   the walk with that status.
//!
//! Nereid: the current user is always `\Registry\User\.Default`; paths longer than
//! `MAX_PATH` characters (prefix included) are `STATUS_BUFFER_TOO_SMALL`, the size of
//! Windows' own name buffer; `RtlCheckRegistryKey` does not close a caller's handle.
#![allow(non_snake_case)]

use crate::abi;
use crate::services::{
    NtClose, NtCreateKey, NtDeleteValueKey, NtEnumerateValueKey, NtOpenKey, NtQueryValueKey,
    NtSetValueKey,
};
use core::ffi::c_void;
use ntdef::status::{
    NtStatus, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER,
    STATUS_NO_MEMORY, STATUS_NO_MORE_ENTRIES, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS,
};
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};
use ntrtl::registry::{self as reg, Base, Direct};

use ntsvc::HANDLE;

/// `KEY_READ | KEY_SET_VALUE`: enough to query, enumerate and delete values.
const QUERY_ACCESS: u32 = 0x0002_0019 | 0x0002;
/// `KEY_WRITE`.
const WRITE_ACCESS: u32 = 0x0002_0006;
const OBJ_CASE_INSENSITIVE: u32 = 0x40;
/// `KeyValueFullInformation`.
const KEY_VALUE_FULL: u32 = 1;
/// `MAX_PATH`: the name buffer Windows builds key paths in.
const PATH_CHARS: usize = 260;
const MAX_CHARS: usize = 32767;

/// `PRTL_QUERY_REGISTRY_ROUTINE`.
pub type QueryRoutine = unsafe extern "system" fn(
    ValueName: *mut u16,
    ValueType: u32,
    ValueData: *mut c_void,
    ValueLength: u32,
    Context: *mut c_void,
    EntryContext: *mut c_void,
) -> NtStatus;

/// `RTL_QUERY_REGISTRY_TABLE` (wdm.h).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RTL_QUERY_REGISTRY_TABLE {
    pub QueryRoutine: Option<QueryRoutine>,
    pub Flags: u32,
    pub Name: *mut u16,
    pub EntryContext: *mut c_void,
    pub DefaultType: u32,
    pub DefaultData: *mut c_void,
    pub DefaultLength: u32,
}

/// A buffer from the process heap, freed on drop.
struct HeapBuf {
    p: *mut u8,
    len: usize,
}

impl HeapBuf {
    fn new(len: usize) -> Result<HeapBuf, NtStatus> {
        let heap = crate::alloc::process_heap();
        if heap.is_null() {
            return Err(STATUS_NO_MEMORY);
        }
        // SAFETY: the process heap.
        let p = unsafe { crate::heap::RtlAllocateHeap(heap, 0, len.max(8)) }.cast::<u8>();
        if p.is_null() {
            Err(STATUS_NO_MEMORY)
        } else {
            Ok(HeapBuf { p, len })
        }
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let end = at.checked_add(4)?;
        // SAFETY: inside the buffer (checked); heap blocks are pointer-aligned and
        // every offset read here is a multiple of 4.
        (end <= self.len && at.is_multiple_of(4))
            .then(|| unsafe { (self.p.add(at) as *const u32).read() })
    }

    /// `len` bytes at `at` as UTF-16 units (an odd last byte is dropped).
    fn units(&self, at: usize, len: usize) -> Option<&[u16]> {
        let end = at.checked_add(len)?;
        if end > self.len || !at.is_multiple_of(2) {
            return None;
        }
        // SAFETY: inside the buffer (checked), 2-aligned.
        Some(unsafe { abi::elems(self.p.add(at) as *const u16, len / 2) })
    }
}

impl Drop for HeapBuf {
    fn drop(&mut self) {
        // SAFETY: allocated from the process heap by `new`.
        unsafe { crate::heap::RtlFreeHeap(crate::alloc::process_heap(), 0, self.p.cast()) };
    }
}

fn counted(units: &[u16]) -> Result<UNICODE_STRING, NtStatus> {
    if units.len() > MAX_CHARS {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let bytes = (units.len() * 2) as u16;
    Ok(UNICODE_STRING {
        Length: bytes,
        MaximumLength: bytes,
        Buffer: units.as_ptr() as *mut u16,
    })
}

/// The characters of a NUL-terminated name (NULL: empty).
///
/// # Safety
/// `p` NULL or NUL-terminated.
unsafe fn terminated<'a>(p: *const u16) -> &'a [u16] {
    if p.is_null() {
        return &[];
    }
    // SAFETY: the contract.
    unsafe { abi::elems(p, abi::terminated_len(p, MAX_CHARS + 1)) }
}

fn attributes(root: HANDLE, name: &UNICODE_STRING) -> OBJECT_ATTRIBUTES {
    OBJECT_ATTRIBUTES {
        Length: size_of::<OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: root,
        ObjectName: name as *const UNICODE_STRING as *mut UNICODE_STRING,
        Attributes: OBJ_CASE_INSENSITIVE,
        SecurityDescriptor: core::ptr::null_mut(),
        SecurityQualityOfService: core::ptr::null_mut(),
    }
}

/// Opens (or creates, one level) `name` below `root`.
fn open_name(root: HANDLE, name: &[u16], create: bool) -> Result<HANDLE, NtStatus> {
    let us = counted(name)?;
    let oa = attributes(root, &us);
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: the services probe their arguments; all of them live across the call.
    let status = unsafe {
        if create {
            NtCreateKey(
                &mut h,
                WRITE_ACCESS,
                &oa,
                0,
                core::ptr::null(),
                0,
                core::ptr::null_mut(),
            )
        } else {
            NtOpenKey(&mut h, QUERY_ACCESS, &oa)
        }
    };
    if status.is_success() {
        Ok(h)
    } else {
        Err(status)
    }
}

/// The key `RelativeTo`/`Path` name: an open handle and whether it is ours to close.
///
/// # Safety
/// `path` NULL, a NUL-terminated name, or (with `RTL_REGISTRY_HANDLE`) a key handle.
unsafe fn key(
    relative_to: u32,
    path: *const u16,
    create: bool,
) -> Result<(HANDLE, bool), NtStatus> {
    let prefix = match reg::base(relative_to)? {
        Base::Handle => return Ok((path as HANDLE, false)),
        Base::Prefix(prefix) => prefix,
    };
    // SAFETY: the contract.
    let path = unsafe { terminated(path) };
    let mut full = [0u16; PATH_CHARS];
    let len = reg::full_path(prefix, path, &mut full).ok_or(STATUS_BUFFER_TOO_SMALL)?;
    Ok((
        open_name(core::ptr::null_mut(), &full[..len], create)?,
        true,
    ))
}

fn close_key(h: HANDLE, owned: bool) {
    if owned {
        // SAFETY: a handle this module opened.
        unsafe { NtClose(h) };
    }
}

/// Whether the key exists: `STATUS_SUCCESS`, or the status of opening it
/// (`STATUS_OBJECT_NAME_NOT_FOUND` when it does not, `STATUS_INVALID_PARAMETER` for a
/// bad `RelativeTo`).
///
/// # Safety
/// `Path` NULL, NUL-terminated, or a key handle with `RTL_REGISTRY_HANDLE`.
#[no_mangle]
pub unsafe extern "system" fn RtlCheckRegistryKey(RelativeTo: u32, Path: *const u16) -> NtStatus {
    // SAFETY: the contract.
    match unsafe { key(RelativeTo, Path, false) } {
        Ok((h, owned)) => {
            close_key(h, owned);
            STATUS_SUCCESS
        }
        Err(status) => status,
    }
}

/// Creates the key (its parent must exist) or opens it if it exists.
///
/// # Safety
/// As [`RtlCheckRegistryKey`].
#[no_mangle]
pub unsafe extern "system" fn RtlCreateRegistryKey(RelativeTo: u32, Path: *const u16) -> NtStatus {
    // SAFETY: the contract.
    match unsafe { key(RelativeTo, Path, true) } {
        Ok((h, owned)) => {
            close_key(h, owned);
            STATUS_SUCCESS
        }
        Err(status) => status,
    }
}

/// Sets value `ValueName` (NULL: the default value) of the key, creating the key
/// (one level) if needed.
///
/// # Safety
/// As [`RtlCheckRegistryKey`]; `ValueName` NULL or NUL-terminated; `ValueData`
/// `ValueLength` readable bytes.
#[no_mangle]
pub unsafe extern "system" fn RtlWriteRegistryValue(
    RelativeTo: u32,
    Path: *const u16,
    ValueName: *const u16,
    ValueType: u32,
    ValueData: *const c_void,
    ValueLength: u32,
) -> NtStatus {
    // SAFETY: the contract.
    let (h, owned) = match unsafe { key(RelativeTo, Path, true) } {
        Ok(k) => k,
        Err(status) => return status,
    };
    // SAFETY: the contract.
    let status = match counted(unsafe { terminated(ValueName) }) {
        // SAFETY: the service probes the data.
        Ok(name) => unsafe { NtSetValueKey(h, &name, 0, ValueType, ValueData, ValueLength) },
        Err(status) => status,
    };
    close_key(h, owned);
    status
}

/// Deletes value `ValueName` of the key (`STATUS_OBJECT_NAME_NOT_FOUND` if missing).
///
/// # Safety
/// As [`RtlWriteRegistryValue`].
#[no_mangle]
pub unsafe extern "system" fn RtlDeleteRegistryValue(
    RelativeTo: u32,
    Path: *const u16,
    ValueName: *const u16,
) -> NtStatus {
    // SAFETY: the contract.
    let (h, owned) = match unsafe { key(RelativeTo, Path, false) } {
        Ok(k) => k,
        Err(status) => return status,
    };
    // SAFETY: the contract.
    let status = match counted(unsafe { terminated(ValueName) }) {
        // SAFETY: the service probes the name.
        Ok(name) => unsafe { NtDeleteValueKey(h, &name) },
        Err(status) => status,
    };
    close_key(h, owned);
    status
}

/// A value as `KEY_VALUE_FULL_INFORMATION` returned it.
struct Value<'a> {
    name: &'a [u16],
    ty: u32,
    data: &'a [u8],
}

fn parse_full(buf: &HeapBuf, len: usize) -> Option<Value<'_>> {
    let ty = buf.u32(4)?;
    let data_offset = buf.u32(8)? as usize;
    let data_len = buf.u32(12)? as usize;
    let name_len = buf.u32(16)? as usize;
    let name = buf.units(20, name_len)?;
    let end = data_offset.checked_add(data_len)?;
    if end > len.min(buf.len) {
        return None;
    }
    let data = if data_len == 0 {
        &[][..]
    } else {
        // SAFETY: inside the buffer (checked above).
        unsafe { abi::elems(buf.p.add(data_offset), data_len) }
    };
    Some(Value { name, ty, data })
}

/// Calls `fill(buffer, length, &mut result)` with a growing heap buffer until the
/// answer fits.
fn query_full(
    mut fill: impl FnMut(*mut c_void, u32, &mut u32) -> NtStatus,
) -> Result<(HeapBuf, usize), NtStatus> {
    let mut size = 256;
    for _ in 0..5 {
        let buf = HeapBuf::new(size)?;
        let mut result = 0u32;
        let status = fill(buf.p.cast(), size as u32, &mut result);
        if status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL {
            size = (result as usize).max(size) + 16;
            continue;
        }
        if !status.is_success() {
            return Err(status);
        }
        return Ok((buf, (result as usize).min(size)));
    }
    Err(STATUS_BUFFER_TOO_SMALL)
}

/// One table entry being served.
struct Entry {
    at: *mut RTL_QUERY_REGISTRY_TABLE,
    t: RTL_QUERY_REGISTRY_TABLE,
    context: *mut c_void,
    environment: *const c_void,
}

impl Entry {
    fn flag(&self, f: u32) -> bool {
        self.t.Flags & f != 0
    }

    /// Hands one value to the routine or stores it (DIRECT). `name` is the value's
    /// name without terminator (`None`: the table's `Name`).
    fn deliver(&mut self, name: Option<&[u16]>, ty: u32, data: &[u8]) -> NtStatus {
        let (mut ty, mut data) = (ty, data);
        let default;
        if ty == reg::REG_NONE || (data.is_empty() && ty == self.t.DefaultType) {
            if self.t.DefaultType == reg::REG_NONE {
                return if self.flag(reg::RTL_QUERY_REGISTRY_REQUIRED) {
                    STATUS_OBJECT_NAME_NOT_FOUND
                } else {
                    STATUS_SUCCESS
                };
            }
            ty = self.t.DefaultType;
            let p = self.t.DefaultData as *const u16;
            let len = match self.t.DefaultLength {
                // No default data: an empty value.
                0 if p.is_null() => 0,
                0 => {
                    // SAFETY: a default of a string type with length 0 is terminated
                    // (the table's contract); other types are not read.
                    let units = unsafe {
                        match ty {
                            reg::REG_SZ | reg::REG_EXPAND_SZ => terminated(p),
                            reg::REG_MULTI_SZ => crate::env::block(p),
                            _ => &[],
                        }
                    };
                    reg::default_length(ty, units)
                }
                n => n as usize,
            };
            // SAFETY: the table says `DefaultData` holds `len` bytes.
            default = unsafe { abi::elems(self.t.DefaultData as *const u8, len) };
            data = default;
        }
        let name_units: &[u16] = match name {
            Some(n) => n,
            // SAFETY: the table's `Name` is NUL-terminated when not NULL.
            None => unsafe { terminated(self.t.Name) },
        };
        if !self.flag(reg::RTL_QUERY_REGISTRY_NOEXPAND) {
            if ty == reg::REG_MULTI_SZ {
                return self.deliver_multi(name_units, data);
            }
            if ty == reg::REG_EXPAND_SZ {
                return self.deliver_expanded(name_units, data);
            }
        }
        self.call(name_units, ty, data)
    }

    fn deliver_multi(&mut self, name: &[u16], data: &[u8]) -> NtStatus {
        // SAFETY: value data is 2-aligned in the answer buffer (and defaults are WCHAR
        // strings); only whole units are viewed.
        let units = unsafe { abi::elems(data.as_ptr() as *const u16, data.len() / 2) };
        for s in reg::multi_sz(units) {
            // SAFETY: `s` is a sub-slice of `units`.
            let bytes = unsafe { abi::elems(s.as_ptr() as *const u8, s.len() * 2) };
            let status = self.call(name, reg::REG_SZ, bytes);
            if self.flag(reg::RTL_QUERY_REGISTRY_DIRECT) {
                // The next string goes to the next UNICODE_STRING.
                self.t.EntryContext = self
                    .t
                    .EntryContext
                    .wrapping_byte_add(size_of::<UNICODE_STRING>());
                // SAFETY: the caller's table entry, writable.
                unsafe { (*self.at).EntryContext = self.t.EntryContext };
            }
            if !status.is_success() {
                return status;
            }
        }
        STATUS_SUCCESS
    }

    fn deliver_expanded(&mut self, name: &[u16], data: &[u8]) -> NtStatus {
        // SAFETY: as in `deliver_multi`.
        let units = unsafe { abi::elems(data.as_ptr() as *const u16, data.len() / 2) };
        let source = match units.iter().position(|&c| c == 0) {
            Some(n) => &units[..n],
            None => units,
        };
        if !source.contains(&u16::from(b'%')) {
            return self.call(name, reg::REG_EXPAND_SZ, data);
        }
        // SAFETY: NULL or the caller's terminated block.
        let env = unsafe { crate::env::environment_or_current(self.environment) };
        let len = ntrtl::env::expand(env, source, &mut []);
        let buf = match HeapBuf::new((len + 1) * 2) {
            Ok(b) => b,
            Err(status) => return status,
        };
        // SAFETY: a fresh buffer of `len + 1` units.
        let out = unsafe { abi::elems_mut(buf.p as *mut u16, len + 1) };
        ntrtl::env::expand(env, source, out);
        out[len] = 0;
        // SAFETY: the same buffer, now initialised.
        let bytes = unsafe { abi::elems(buf.p as *const u8, (len + 1) * 2) };
        self.call(name, reg::REG_SZ, bytes)
    }

    /// The routine or DIRECT storage for one (final) value.
    fn call(&mut self, name: &[u16], ty: u32, data: &[u8]) -> NtStatus {
        let status = if self.flag(reg::RTL_QUERY_REGISTRY_DIRECT) {
            self.direct(ty, data)
        } else if let Some(routine) = self.t.QueryRoutine {
            let name_buf = match HeapBuf::new((name.len() + 1) * 2) {
                Ok(b) => b,
                Err(status) => return status,
            };
            // SAFETY: a fresh buffer of `name.len() + 1` units.
            let n = unsafe { abi::elems_mut(name_buf.p as *mut u16, name.len() + 1) };
            n[..name.len()].copy_from_slice(name);
            n[name.len()] = 0;
            // SAFETY: the caller's routine, called as the table's contract says; the
            // data stays valid for the call.
            unsafe {
                routine(
                    name_buf.p.cast(),
                    ty,
                    data.as_ptr() as *mut c_void,
                    data.len() as u32,
                    self.context,
                    self.t.EntryContext,
                )
            }
        } else {
            STATUS_SUCCESS
        };
        if status == STATUS_BUFFER_TOO_SMALL {
            STATUS_SUCCESS
        } else {
            status
        }
    }

    /// `RTL_QUERY_REGISTRY_DIRECT` storage into `EntryContext`.
    fn direct(&mut self, ty: u32, data: &[u8]) -> NtStatus {
        let target = self.t.EntryContext;
        if matches!(ty, reg::REG_SZ | reg::REG_EXPAND_SZ | reg::REG_MULTI_SZ) {
            let len = data.len().min(usize::from(u16::MAX) & !1);
            // SAFETY: for strings EntryContext is a UNICODE_STRING (the contract).
            let mut s = unsafe { abi::load(target as *const UNICODE_STRING) };
            if s.Buffer.is_null() {
                let heap = crate::alloc::process_heap();
                // SAFETY: the process heap; the caller frees the buffer
                // (RtlFreeUnicodeString).
                s.Buffer = unsafe { crate::heap::RtlAllocateHeap(heap, 0, len.max(2)) }.cast();
                if s.Buffer.is_null() {
                    return STATUS_NO_MEMORY;
                }
                s.MaximumLength = len as u16;
            } else if len > usize::from(s.MaximumLength) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            // SAFETY: `len` bytes fit the buffer (allocated or checked).
            unsafe { abi::elems_mut(s.Buffer as *mut u8, len) }.copy_from_slice(&data[..len]);
            s.Length = (len as u16).saturating_sub(2);
            // SAFETY: the contract.
            unsafe { abi::store(target as *mut UNICODE_STRING, s) };
            return STATUS_SUCCESS;
        }
        let first = if data.len() > 4 {
            // SAFETY: a buffer for longer data starts with a LONG (the contract).
            unsafe { abi::load(target as *const i32) }
        } else {
            0
        };
        match reg::direct_layout(ty, data.len(), first) {
            Ok(Direct::Bare) => {
                // SAFETY: the contract (room checked by `direct_layout`, or 4 bytes).
                unsafe { abi::elems_mut(target as *mut u8, data.len()) }.copy_from_slice(data);
                STATUS_SUCCESS
            }
            Ok(Direct::Record) => {
                // SAFETY: the buffer holds 8 + len bytes (checked) and starts aligned
                // for its LONG.
                unsafe {
                    let out = abi::elems_mut(target as *mut u32, 2);
                    out[0] = data.len() as u32;
                    out[1] = ty;
                    abi::elems_mut((target as *mut u8).add(8), data.len()).copy_from_slice(data);
                }
                STATUS_SUCCESS
            }
            Err(status) => status,
        }
    }
}

/// The value `name` of `key`, delivered (missing: as `REG_NONE`), then deleted with
/// `DELETE`.
fn query_named(entry: &mut Entry, key: HANDLE, name: &[u16]) -> NtStatus {
    let us = match counted(name) {
        Ok(us) => us,
        Err(status) => return status,
    };
    // SAFETY: the service probes its arguments.
    let answer =
        query_full(|b, l, r| unsafe { NtQueryValueKey(key, &us, KEY_VALUE_FULL, b, l, r) });
    let status = match &answer {
        Ok((buf, len)) => match parse_full(buf, *len) {
            Some(v) => entry.deliver(None, v.ty, v.data),
            None => STATUS_INVALID_PARAMETER,
        },
        Err(s) if *s == STATUS_OBJECT_NAME_NOT_FOUND => entry.deliver(None, reg::REG_NONE, &[]),
        Err(s) => *s,
    };
    if answer.is_ok() && status.is_success() && entry.flag(reg::RTL_QUERY_REGISTRY_DELETE) {
        // SAFETY: the service probes its arguments.
        unsafe { NtDeleteValueKey(key, &us) };
    }
    status
}

/// Every value of `key`, in index order.
fn query_all(entry: &mut Entry, key: HANDLE) -> NtStatus {
    let mut index = 0u32;
    let mut delivered = 0usize;
    loop {
        // SAFETY: the service probes its arguments.
        let answer = query_full(|b, l, r| unsafe {
            NtEnumerateValueKey(key, index, KEY_VALUE_FULL, b, l, r)
        });
        let (buf, len) = match answer {
            Ok(a) => a,
            Err(s) if s == STATUS_NO_MORE_ENTRIES => {
                return if delivered == 0 && entry.flag(reg::RTL_QUERY_REGISTRY_REQUIRED) {
                    STATUS_OBJECT_NAME_NOT_FOUND
                } else {
                    STATUS_SUCCESS
                };
            }
            Err(s) => return s,
        };
        let Some(v) = parse_full(&buf, len) else {
            return STATUS_INVALID_PARAMETER;
        };
        let status = entry.deliver(Some(v.name), v.ty, v.data);
        if !status.is_success() {
            return status;
        }
        delivered += 1;
        if entry.flag(reg::RTL_QUERY_REGISTRY_DELETE) {
            if let Ok(us) = counted(v.name) {
                // SAFETY: the service probes its arguments.
                if unsafe { NtDeleteValueKey(key, &us) }.is_success() {
                    continue;
                }
            }
        }
        index += 1;
    }
}

/// Walks `QueryTable` over the key `RelativeTo`/`Path` (see the module documentation).
///
/// # Safety
/// As [`RtlCheckRegistryKey`]; `QueryTable` a writable table ended by an empty entry,
/// whose names, defaults, routines and entry contexts are what the WDK prescribes;
/// `Environment` NULL or a terminated block.
#[no_mangle]
pub unsafe extern "system" fn RtlQueryRegistryValues(
    RelativeTo: u32,
    Path: *const u16,
    QueryTable: *mut RTL_QUERY_REGISTRY_TABLE,
    Context: *mut c_void,
    Environment: *const c_void,
) -> NtStatus {
    // SAFETY: the contract.
    let (top, owned) = match unsafe { key(RelativeTo, Path, false) } {
        Ok(k) => k,
        Err(status) => return status,
    };
    let mut current = top;
    let mut status = STATUS_SUCCESS;
    let mut at = QueryTable;
    loop {
        // SAFETY: the table runs up to its empty entry (contract).
        let t = unsafe { abi::load(at) };
        let direct = t.Flags & reg::RTL_QUERY_REGISTRY_DIRECT != 0;
        let subkey = t.Flags & reg::RTL_QUERY_REGISTRY_SUBKEY != 0;
        if t.QueryRoutine.is_none() && !direct && !subkey {
            break;
        }
        if direct && (t.Name.is_null() || subkey || t.QueryRoutine.is_some()) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        let mut entry = Entry {
            at,
            t,
            context: Context,
            environment: Environment,
        };
        if t.Flags & (reg::RTL_QUERY_REGISTRY_TOPKEY | reg::RTL_QUERY_REGISTRY_SUBKEY) != 0
            && current != top
        {
            close_key(current, true);
            current = top;
        }
        status = if subkey {
            if t.Name.is_null() {
                STATUS_INVALID_PARAMETER
            } else {
                // SAFETY: a non-NULL Name is NUL-terminated (contract).
                match open_name(top, unsafe { terminated(t.Name) }, false) {
                    Ok(h) => {
                        current = h;
                        if t.QueryRoutine.is_some() {
                            query_all(&mut entry, current)
                        } else {
                            STATUS_SUCCESS
                        }
                    }
                    Err(status) => status,
                }
            }
        } else if !t.Name.is_null() {
            // SAFETY: as above.
            query_named(&mut entry, current, unsafe { terminated(t.Name) })
        } else if t.Flags & reg::RTL_QUERY_REGISTRY_NOVALUE != 0 {
            match t.QueryRoutine {
                // SAFETY: the caller's routine, called without a value.
                Some(routine) => unsafe {
                    routine(
                        core::ptr::null_mut(),
                        reg::REG_NONE,
                        core::ptr::null_mut(),
                        0,
                        Context,
                        t.EntryContext,
                    )
                },
                None => STATUS_SUCCESS,
            }
        } else {
            query_all(&mut entry, current)
        };
        if !status.is_success() {
            break;
        }
        at = at.wrapping_add(1);
    }
    if current != top {
        close_key(current, true);
    }
    close_key(top, owned);
    status
}
