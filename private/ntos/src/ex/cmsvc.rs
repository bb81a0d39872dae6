//! The registry services (`Nt*Key`) at the ABI edge: the "Key" object type, `\REGISTRY`
//! in the object namespace, capture and marshalling over the in-memory `cm` core.
//!
//! Decisions (documented here once):
//! - **Objects.** `\REGISTRY` is a named object of the type "Key" (which parses), held
//!   open by the registry's own handle table, so the object manager hands every name
//!   below it to [`CmState`] as `Opened::Parse`. Every successful open or create makes a
//!   new unnamed "Key" object (Windows, too, makes one key body per open) bound to a
//!   `cm` reference; when the object manager deletes it, [`CmState::reap`] drops the
//!   reference, so a deleted key's tombstone goes with its last handle.
//! - **Case.** Key names are case-insensitive, the `\REGISTRY` component included: the
//!   namespace walk always runs with `OBJ_CASE_INSENSITIVE`.
//! - **Access.** Per service, as Windows checks the handle: `KEY_QUERY_VALUE` for
//!   NtQueryValueKey / NtEnumerateValueKey / NtQueryKey (none for
//!   `KeyNameInformation`), `KEY_SET_VALUE` for NtSetValueKey / NtDeleteValueKey,
//!   `KEY_ENUMERATE_SUB_KEYS` for NtEnumerateKey, `DELETE` for NtDeleteKey, none for
//!   NtFlushKey. No security descriptors: opening and creating always succeed as far as
//!   access goes, and a root key handle needs no particular right.
//! - **Buffers.** The information buffer is probed with `ULONG` alignment for its
//!   length; `ResultLength` is written on success, `STATUS_BUFFER_OVERFLOW` and
//!   `STATUS_BUFFER_TOO_SMALL`, and the buffer (the fixed part and what fits) on the
//!   first two, as the `cm` core computes.
//! - `TitleIndex` is ignored (Windows ignores it too).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::obsvc::{
    capture_attributes, capture_string_header, capture_units, handle_from_word, return_handle,
    write_u32, ClientMemory, ObState,
};
use crate::cm::{InfoResult, KeyId, Layout, Registry};
use crate::ke::probe::{probe, UserPtr};
use crate::ob::access::{AccessMask, GenericMapping};
use crate::ob::{
    Caller, Handle, ObjectAttributes, ObjectId, Opened, TypeDescriptor, TypeIndex,
    OBJ_CASE_INSENSITIVE, OBJ_INHERIT, OBJ_OPENLINK,
};
use ntdef::status::{
    NtStatus, STATUS_BUFFER_OVERFLOW, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_HANDLE,
    STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS,
};
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};

/// Key access rights (`winnt.h`).
pub const KEY_QUERY_VALUE: u32 = 0x0001;
pub const KEY_SET_VALUE: u32 = 0x0002;
pub const KEY_CREATE_SUB_KEY: u32 = 0x0004;
pub const KEY_ENUMERATE_SUB_KEYS: u32 = 0x0008;
pub const KEY_NOTIFY: u32 = 0x0010;
pub const KEY_CREATE_LINK: u32 = 0x0020;
/// `DELETE`.
pub const DELETE: u32 = 0x0001_0000;
/// `KEY_READ` (= `KEY_EXECUTE`): `STANDARD_RIGHTS_READ | KEY_QUERY_VALUE |
/// KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY`.
pub const KEY_READ: u32 = 0x0002_0019;
/// `KEY_WRITE`: `STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY`.
pub const KEY_WRITE: u32 = 0x0002_0006;
/// `KEY_ALL_ACCESS`.
pub const KEY_ALL_ACCESS: u32 = 0x000F_003F;
/// `KeyNameInformation`: the class `NtQueryKey` answers without any access.
const KEY_NAME_INFORMATION: u32 = 3;

/// The generic mapping of the "Key" type (generic read and execute are `KEY_READ`,
/// write `KEY_WRITE`, all `KEY_ALL_ACCESS`).
const KEY_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(KEY_READ),
    write: AccessMask(KEY_WRITE),
    execute: AccessMask(KEY_READ),
    all: AccessMask(KEY_ALL_ACCESS),
};

/// The caller's structure layout.
#[cfg(target_pointer_width = "64")]
const LAYOUT: Layout = Layout::Bits64;
#[cfg(target_pointer_width = "32")]
const LAYOUT: Layout = Layout::Bits32;

/// The registry and its binding to the object manager.
pub struct CmState {
    pub registry: Registry,
    key_type: TypeIndex,
    /// `\REGISTRY`'s object (its handle stays open in `own` for ever).
    root_object: ObjectId,
    /// Key objects and the `cm` reference each holds.
    bodies: BTreeMap<ObjectId, KeyId>,
}

impl CmState {
    /// Creates the keys of `path` (absolute: `\REGISTRY\…`, components separated by
    /// `\`) that do not exist yet, and sets `values` (name, `REG_*` type, data) on the
    /// last one: what the executive records before the first program starts.
    pub fn seed(
        &mut self,
        path: &str,
        values: &[(&str, u32, Vec<u8>)],
        now: u64,
    ) -> Result<(), NtStatus> {
        let w = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        let mut prefix = alloc::string::String::new();
        let mut last: Option<KeyId> = None;
        for component in path.split('\\').filter(|c| !c.is_empty()) {
            prefix.push('\\');
            prefix.push_str(component);
            if let Some(id) = last.take() {
                self.registry.close_key(id)?;
            }
            let (id, _) = self
                .registry
                .create_key(None, &w(&prefix), 0, &[], now as i64)?;
            last = Some(id);
        }
        let id = last.ok_or(ntdef::status::STATUS_INVALID_PARAMETER)?;
        let r = values.iter().try_for_each(|(name, ty, data)| {
            self.registry.set_value(id, &w(name), *ty, data, now as i64)
        });
        self.registry.close_key(id)?;
        r
    }

    /// Registers "Key", builds the registry and names `\REGISTRY`.
    pub fn new(ob: &mut ObState, now: u64) -> Result<Self, NtStatus> {
        let key_type = ob.om.register_type(TypeDescriptor {
            name: "Key",
            valid_access: AccessMask(KEY_ALL_ACCESS | 0x0010_0000),
            mapping: KEY_MAPPING,
            parses: true,
            // OBJ_PERMANENT | OBJ_EXCLUSIVE.
            invalid_attributes: 0x30,
            security_required: false,
            maintain_handle_count: false,
            pool_type: 1,
        })?;
        let mut registry = Registry::new(now as i64)?;
        let root_key = registry.open_key(None, &w_registry(), false)?;
        let own = Caller::new(ob.om.create_handle_table(16));
        let name = w_registry();
        let made = ob.om.create_object(
            &own,
            key_type,
            &ObjectAttributes::named(&name, OBJ_CASE_INSENSITIVE),
            AccessMask(KEY_ALL_ACCESS),
        )?;
        let mut bodies = BTreeMap::new();
        bodies.insert(made.object, root_key);
        Ok(Self {
            registry,
            key_type,
            root_object: made.object,
            bodies,
        })
    }

    /// Drops the `cm` references of key objects the object manager deleted.
    pub fn reap(&mut self, ob: &mut ObState) {
        for d in ob.take_reaped_of(self.key_type) {
            if let Some(k) = self.bodies.remove(&d.id) {
                let _ = self.registry.close_key(k);
            }
        }
    }

    fn key(
        &self,
        ob: &ObState,
        caller: &Caller,
        handle: usize,
        access: u32,
    ) -> Result<KeyId, NtStatus> {
        let entry = ob.om.object_by_handle(
            caller,
            handle_from_word(handle),
            Some(self.key_type),
            AccessMask(access),
        )?;
        self.bodies
            .get(&entry.object)
            .copied()
            .ok_or(STATUS_INVALID_HANDLE)
    }
}

fn w_registry() -> Vec<u16> {
    "\\REGISTRY".encode_utf16().collect()
}

/// One registry service call: the states and the caller.
pub struct Cm<'a, M: ClientMemory> {
    pub cm: &'a mut CmState,
    pub ob: &'a mut ObState,
    pub caller: &'a Caller,
    pub mem: &'a M,
    /// System time (100 ns since 1601).
    pub now: u64,
}

fn answer(r: Result<NtStatus, NtStatus>) -> NtStatus {
    r.unwrap_or_else(|s| s)
}

/// Captures a `UNICODE_STRING` (header once, then its units, probed).
fn capture_name(
    mem: &impl ClientMemory,
    at: UserPtr<UNICODE_STRING>,
) -> Result<Vec<u16>, NtStatus> {
    let s = capture_string_header(mem, at)?;
    capture_units(mem, s)
}

impl<M: ClientMemory> Cm<'_, M> {
    /// Resolves `OBJECT_ATTRIBUTES` to the key to start from and the path left for `cm`.
    fn parse(
        &mut self,
        attributes: UserPtr<OBJECT_ATTRIBUTES>,
    ) -> Result<(KeyId, Vec<u16>, u32), NtStatus> {
        let a = capture_attributes(self.mem, attributes)?;
        let mut view = a.view();
        view.attributes |= OBJ_CASE_INSENSITIVE;
        // A root that is a key handle: the name is relative to it, as given.
        let relative = match view.root.filter(|h| *h != Handle::NULL) {
            Some(h) => {
                let e = self.ob.om.resolve_handle(self.caller, h)?;
                self.ob.om.header(e.object).map(|h| h.ty) == Some(self.cm.key_type)
            }
            None => false,
        };
        let opened = self.ob.om.open_object_by_name(
            self.caller,
            &view,
            Some(self.cm.key_type),
            AccessMask(0),
        )?;
        let (object, remaining) = match opened {
            Opened::Parse { object, remaining } => (object, remaining),
            Opened::Handle { handle, .. } => {
                let _ = self.ob.om.close_handle(self.caller, handle);
                self.ob.reap();
                return Err(STATUS_OBJECT_TYPE_MISMATCH);
            }
        };
        let key = *self.cm.bodies.get(&object).ok_or(STATUS_INVALID_HANDLE)?;
        let mut path = remaining;
        if !relative && object == self.cm.root_object && path.first() == Some(&0x5C) {
            // The walk stopped at `\REGISTRY`; the rest starts with its separator.
            path.remove(0);
        }
        Ok((key, path, a.attributes))
    }

    /// A new key object for `key` (a `cm` reference the caller took), its handle
    /// stored at `out`.
    fn bind(
        &mut self,
        key: KeyId,
        attributes: u32,
        desired: u32,
        out: UserPtr<ntsvc::HANDLE>,
    ) -> Result<(), NtStatus> {
        let made = match self.ob.om.create_object(
            self.caller,
            self.cm.key_type,
            &ObjectAttributes {
                root: None,
                name: None,
                attributes: attributes & OBJ_INHERIT,
            },
            AccessMask(desired),
        ) {
            Ok(m) => m,
            Err(s) => {
                let _ = self.cm.registry.close_key(key);
                return Err(s);
            }
        };
        self.cm.bodies.insert(made.object, key);
        return_handle(self.ob, self.caller, self.mem, out, made.handle)
    }

    /// `NtOpenKey`.
    pub fn open(
        &mut self,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: UserPtr<OBJECT_ATTRIBUTES>,
    ) -> NtStatus {
        answer((|| {
            let (start, path, bits) = self.parse(attributes)?;
            let key = self
                .cm
                .registry
                .open_key(Some(start), &path, bits & OBJ_OPENLINK != 0)?;
            self.bind(key, bits, desired, out)?;
            Ok(STATUS_SUCCESS)
        })())
    }

    /// `NtCreateKey`.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        &mut self,
        out: UserPtr<ntsvc::HANDLE>,
        desired: u32,
        attributes: UserPtr<OBJECT_ATTRIBUTES>,
        _title_index: u32,
        class: Option<UserPtr<UNICODE_STRING>>,
        options: u32,
        disposition: Option<UserPtr<u32>>,
    ) -> NtStatus {
        answer((|| {
            let class = match class {
                Some(c) => capture_name(self.mem, c)?,
                None => Vec::new(),
            };
            let (start, path, bits) = self.parse(attributes)?;
            let (key, how) = self.cm.registry.create_key(
                Some(start),
                &path,
                options,
                &class,
                self.now as i64,
            )?;
            self.bind(key, bits, desired, out)?;
            if let Some(d) = disposition {
                write_u32(self.mem, d.addr(), how.as_u32())?;
            }
            Ok(STATUS_SUCCESS)
        })())
    }

    /// Writes a query's answer: the bytes on success and overflow, `ResultLength`
    /// always.
    fn deliver(&self, r: InfoResult, buffer: usize, result: UserPtr<u32>) -> NtStatus {
        answer((|| {
            if r.status == STATUS_SUCCESS || r.status == STATUS_BUFFER_OVERFLOW {
                self.mem.write(buffer, &r.data)?;
            }
            write_u32(self.mem, result.addr(), r.result_length)?;
            Ok(r.status)
        })())
    }

    /// `NtQueryKey`.
    pub fn query_key(
        &mut self,
        handle: usize,
        class: u32,
        buffer: usize,
        length: u32,
        result: UserPtr<u32>,
    ) -> NtStatus {
        let need = if class == KEY_NAME_INFORMATION {
            0
        } else {
            KEY_QUERY_VALUE
        };
        let r = (|| {
            let key = self.cm.key(self.ob, self.caller, handle, need)?;
            probe(buffer, length as usize, 4)?;
            self.cm.registry.query_key(key, class, length)
        })();
        match r {
            Ok(r) => self.deliver(r, buffer, result),
            Err(s) => s,
        }
    }

    /// `NtEnumerateKey`.
    pub fn enumerate_key(
        &mut self,
        handle: usize,
        index: u32,
        class: u32,
        buffer: usize,
        length: u32,
        result: UserPtr<u32>,
    ) -> NtStatus {
        let r = (|| {
            let key = self
                .cm
                .key(self.ob, self.caller, handle, KEY_ENUMERATE_SUB_KEYS)?;
            probe(buffer, length as usize, 4)?;
            self.cm.registry.enumerate_key(key, index, class, length)
        })();
        match r {
            Ok(r) => self.deliver(r, buffer, result),
            Err(s) => s,
        }
    }

    /// `NtQueryValueKey`.
    pub fn query_value(
        &mut self,
        handle: usize,
        name: UserPtr<UNICODE_STRING>,
        class: u32,
        buffer: usize,
        length: u32,
        result: UserPtr<u32>,
    ) -> NtStatus {
        let r = (|| {
            let key = self.cm.key(self.ob, self.caller, handle, KEY_QUERY_VALUE)?;
            let name = capture_name(self.mem, name)?;
            probe(buffer, length as usize, 4)?;
            self.cm
                .registry
                .query_value(key, &name, class, length, LAYOUT)
        })();
        match r {
            Ok(r) => self.deliver(r, buffer, result),
            Err(s) => s,
        }
    }

    /// `NtEnumerateValueKey`.
    pub fn enumerate_value(
        &mut self,
        handle: usize,
        index: u32,
        class: u32,
        buffer: usize,
        length: u32,
        result: UserPtr<u32>,
    ) -> NtStatus {
        let r = (|| {
            let key = self.cm.key(self.ob, self.caller, handle, KEY_QUERY_VALUE)?;
            probe(buffer, length as usize, 4)?;
            self.cm
                .registry
                .enumerate_value(key, index, class, length, LAYOUT)
        })();
        match r {
            Ok(r) => self.deliver(r, buffer, result),
            Err(s) => s,
        }
    }

    /// `NtSetValueKey`.
    pub fn set_value(
        &mut self,
        handle: usize,
        name: UserPtr<UNICODE_STRING>,
        _title_index: u32,
        ty: u32,
        data: usize,
        size: u32,
    ) -> NtStatus {
        answer((|| {
            let key = self.cm.key(self.ob, self.caller, handle, KEY_SET_VALUE)?;
            let name = capture_name(self.mem, name)?;
            let size = size as usize;
            probe(data, size, 1)?;
            let mut bytes = Vec::new();
            bytes
                .try_reserve_exact(size)
                .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
            bytes.resize(size, 0);
            self.mem.read(data, &mut bytes)?;
            self.cm
                .registry
                .set_value(key, &name, ty, &bytes, self.now as i64)?;
            Ok(STATUS_SUCCESS)
        })())
    }

    /// `NtDeleteValueKey`.
    pub fn delete_value(&mut self, handle: usize, name: UserPtr<UNICODE_STRING>) -> NtStatus {
        answer((|| {
            let key = self.cm.key(self.ob, self.caller, handle, KEY_SET_VALUE)?;
            let name = capture_name(self.mem, name)?;
            self.cm.registry.delete_value(key, &name, self.now as i64)?;
            Ok(STATUS_SUCCESS)
        })())
    }

    /// `NtDeleteKey`: the key leaves the tree; its handles stay valid and answer
    /// `STATUS_KEY_DELETED` until closed.
    pub fn delete_key(&mut self, handle: usize) -> NtStatus {
        answer((|| {
            let key = self.cm.key(self.ob, self.caller, handle, DELETE)?;
            self.cm.registry.delete_key(key, self.now as i64)?;
            Ok(STATUS_SUCCESS)
        })())
    }

    /// `NtFlushKey`: nothing is persisted yet, so a live key is always flushed.
    pub fn flush_key(&mut self, handle: usize) -> NtStatus {
        answer((|| {
            let key = self.cm.key(self.ob, self.caller, handle, 0)?;
            self.cm.registry.flush_key(key)?;
            Ok(STATUS_SUCCESS)
        })())
    }
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    #[test]
    fn seed_makes_the_path_and_its_values() {
        let mut ob = ObState::new().unwrap();
        let mut cm = CmState::new(&mut ob, 0).unwrap();
        let path = "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager";
        let multi: Vec<u8> = "a.exe\0b.exe x\0\0"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        cm.seed(path, &[("BootExecute", 7, multi)], 5).unwrap();
        // Seeding again only adds (existing keys are opened).
        cm.seed(&alloc::format!("{path}\\DOS Devices"), &[], 5)
            .unwrap();
        let w = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        let id = cm.registry.open_key(None, &w(path), false).unwrap();
        let name = w("BootExecute");
        // KeyValueBasicInformation: the value exists.
        assert!(cm
            .registry
            .query_value(id, &name, 0, 256, Layout::Bits64)
            .is_ok());
        cm.registry.close_key(id).unwrap();
        let dos = w(&alloc::format!("{path}\\DOS Devices"));
        assert!(cm.registry.open_key(None, &dos, false).is_ok());
        assert!(cm.seed("", &[], 0).is_err());
    }
}
