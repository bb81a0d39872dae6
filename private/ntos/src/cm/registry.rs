//! The key tree and the operations the `Nt*Key` services map onto.

use alloc::vec::Vec;

use ntdef::status::STATUS_INVALID_PARAMETER;
use ntdef::NtStatus;

use super::info::{
    byte_len, key_information, value_information, InfoResult, KeyCounts, KeyInformationClass,
    KeyValueInformationClass, KeyView, Layout,
};
use super::name::{cmp_folded, components, matches_folded, try_copy, upcase, SEPARATOR};
use super::status::*;
use super::{
    MAX_DATA_SIZE, MAX_DEPTH, MAX_KEY_NAME_UNITS, MAX_PATH_UNITS, MAX_VALUE_NAME_UNITS,
    REG_CREATED_NEW_KEY, REG_LEGAL_OPTION, REG_LINK, REG_OPENED_EXISTING_KEY,
    REG_OPTION_CREATE_LINK, REG_OPTION_OPEN_LINK, REG_OPTION_VOLATILE,
};

/// A reference to a key, as a handle table would store it. Ids of keys whose slot has
/// been recycled are rejected with `STATUS_INVALID_HANDLE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId {
    index: u32,
    generation: u32,
}

/// Where a walk down the tree ended.
enum Walked {
    Found(u32),
    /// Everything but the last component exists.
    Missing {
        parent: u32,
        name: Vec<u16>,
    },
}

/// Links followed in one lookup before giving up (a link loop).
const MAX_REPARSES: u32 = 32;

/// `SymbolicLinkValue`, the value a link key's target is stored in.
const LINK_VALUE_NAME: [u16; 17] = {
    let bytes = *b"SymbolicLinkValue";
    let mut out = [0u16; 17];
    let mut i = 0;
    while i < 17 {
        out[i] = bytes[i] as u16;
        i += 1;
    }
    out
};

/// What `NtCreateKey` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    CreatedNew,
    OpenedExisting,
}

impl Disposition {
    /// The `REG_CREATED_NEW_KEY` / `REG_OPENED_EXISTING_KEY` value for the client.
    pub const fn as_u32(self) -> u32 {
        match self {
            Self::CreatedNew => REG_CREATED_NEW_KEY,
            Self::OpenedExisting => REG_OPENED_EXISTING_KEY,
        }
    }
}

struct Value {
    name: Vec<u16>,
    folded: Vec<u16>,
    ty: u32,
    data: Vec<u8>,
}

/// A parent's entry for one subkey: what ordering and lookup need, kept in the parent
/// so that searches never leave its vector.
struct Child {
    volatile: bool,
    folded: Vec<u16>,
    index: u32,
}

struct Key {
    name: Vec<u16>,
    class: Vec<u16>,
    parent: Option<u32>,
    /// Sorted by (volatile, folded name): NtEnumerateKey's index order.
    subkeys: Vec<Child>,
    /// In creation order.
    values: Vec<Value>,
    last_write: i64,
    volatile: bool,
    link: bool,
    /// Hive roots and `\REGISTRY` itself.
    no_delete: bool,
    deleted: bool,
    /// 0 for `\REGISTRY`.
    depth: u32,
    /// Outstanding references (open handles).
    refs: u32,
}

enum Slot {
    Used { generation: u32, key: Key },
    Free { generation: u32 },
}

/// The registry: `\REGISTRY` and everything below it.
pub struct Registry {
    slots: Vec<Slot>,
    free: Vec<u32>,
    root: u32,
}

fn invalid() -> NtStatus {
    STATUS_INVALID_HANDLE
}

fn check_component(component: &[u16]) -> Result<(), NtStatus> {
    if component.len() > MAX_KEY_NAME_UNITS {
        Err(STATUS_INVALID_PARAMETER)
    } else {
        Ok(())
    }
}

impl Registry {
    /// `\REGISTRY` with `MACHINE` (holding `SYSTEM`, `SOFTWARE` and the volatile
    /// `HARDWARE`) and `USER`, all empty, none deletable, all written at `now`.
    pub fn new(now: i64) -> Result<Self, NtStatus> {
        let mut registry = Self {
            slots: Vec::new(),
            free: Vec::new(),
            root: 0,
        };
        let w = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        registry.root = registry.insert(None, &w("REGISTRY"), &[], false, false, now)?;
        let machine =
            registry.insert(Some(registry.root), &w("MACHINE"), &[], false, false, now)?;
        registry.insert(Some(registry.root), &w("USER"), &[], false, false, now)?;
        registry.insert(Some(machine), &w("SYSTEM"), &[], false, false, now)?;
        registry.insert(Some(machine), &w("SOFTWARE"), &[], false, false, now)?;
        registry.insert(Some(machine), &w("HARDWARE"), &[], true, false, now)?;
        for slot in &mut registry.slots {
            if let Slot::Used { key, .. } = slot {
                key.no_delete = true;
            }
        }
        Ok(registry)
    }

    // ----- slab -----

    fn at(&self, index: u32) -> Result<&Key, NtStatus> {
        match self.slots.get(index as usize) {
            Some(Slot::Used { key, .. }) => Ok(key),
            _ => Err(invalid()),
        }
    }

    fn at_mut(&mut self, index: u32) -> Result<&mut Key, NtStatus> {
        match self.slots.get_mut(index as usize) {
            Some(Slot::Used { key, .. }) => Ok(key),
            _ => Err(invalid()),
        }
    }

    fn id_of(&self, index: u32) -> Result<KeyId, NtStatus> {
        match self.slots.get(index as usize) {
            Some(Slot::Used { generation, .. }) => Ok(KeyId {
                index,
                generation: *generation,
            }),
            _ => Err(invalid()),
        }
    }

    /// The key `id` refers to, deleted or not.
    fn any(&self, id: KeyId) -> Result<&Key, NtStatus> {
        match self.slots.get(id.index as usize) {
            Some(Slot::Used { generation, key }) if *generation == id.generation => Ok(key),
            _ => Err(invalid()),
        }
    }

    fn any_mut(&mut self, id: KeyId) -> Result<&mut Key, NtStatus> {
        match self.slots.get_mut(id.index as usize) {
            Some(Slot::Used { generation, key }) if *generation == id.generation => Ok(key),
            _ => Err(invalid()),
        }
    }

    /// The key `id` refers to, which must not be deleted.
    fn live(&self, id: KeyId) -> Result<&Key, NtStatus> {
        let key = self.any(id)?;
        if key.deleted {
            Err(STATUS_KEY_DELETED)
        } else {
            Ok(key)
        }
    }

    fn live_mut(&mut self, id: KeyId) -> Result<&mut Key, NtStatus> {
        let key = self.any_mut(id)?;
        if key.deleted {
            Err(STATUS_KEY_DELETED)
        } else {
            Ok(key)
        }
    }

    fn free_slot(&mut self, index: u32) {
        if let Some(slot) = self.slots.get_mut(index as usize) {
            if let Slot::Used { generation, .. } = *slot {
                *slot = Slot::Free {
                    generation: generation.wrapping_add(1),
                };
                // Reserved when the slot was created: cannot fail.
                if self.free.try_reserve(1).is_ok() {
                    self.free.push(index);
                }
            }
        }
    }

    /// Creates a key below `parent` (which must not already have a subkey of that
    /// name) and links it in; returns its index. No reference is taken.
    fn insert(
        &mut self,
        parent: Option<u32>,
        name: &[u16],
        class: &[u16],
        volatile: bool,
        link: bool,
        now: i64,
    ) -> Result<u32, NtStatus> {
        let depth = match parent {
            Some(p) => self.at(p)?.depth + 1,
            None => 0,
        };
        let key = Key {
            name: try_copy(name)?,
            class: try_copy(class)?,
            parent,
            subkeys: Vec::new(),
            values: Vec::new(),
            last_write: now,
            volatile,
            link,
            no_delete: false,
            deleted: false,
            depth,
            refs: 0,
        };
        let child_folded = upcase(name)?;
        // Reserve everything before changing anything, so failure leaves no trace.
        if let Some(p) = parent {
            self.at_mut(p)?
                .subkeys
                .try_reserve(1)
                .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        }
        self.free
            .try_reserve(1)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        let index = match self.free.pop() {
            Some(index) => {
                let generation = match self.slots.get(index as usize) {
                    Some(Slot::Free { generation }) => *generation,
                    _ => return Err(invalid()),
                };
                self.slots[index as usize] = Slot::Used { generation, key };
                index
            }
            None => {
                let index =
                    u32::try_from(self.slots.len()).map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                self.slots
                    .try_reserve(1)
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                self.slots.push(Slot::Used { generation: 0, key });
                index
            }
        };
        if let Some(p) = parent {
            let parent = self.at_mut(p)?;
            let pos = Self::insert_position(&parent.subkeys, volatile, name);
            parent.subkeys.insert(
                pos,
                Child {
                    volatile,
                    folded: child_folded,
                    index,
                },
            );
            parent.last_write = now;
        }
        Ok(index)
    }

    // ----- names -----

    /// The stable subkeys, then the volatile ones.
    fn partitions(subkeys: &[Child]) -> (&[Child], &[Child], usize) {
        let split = subkeys.partition_point(|c| !c.volatile);
        (&subkeys[..split], &subkeys[split..], split)
    }

    fn insert_position(subkeys: &[Child], volatile: bool, name: &[u16]) -> usize {
        let (stable, vol, split) = Self::partitions(subkeys);
        let (part, base) = if volatile { (vol, split) } else { (stable, 0) };
        match part.binary_search_by(|c| cmp_folded(&c.folded, name)) {
            Ok(pos) | Err(pos) => base + pos,
        }
    }

    fn find_subkey(&self, parent: u32, name: &[u16]) -> Result<Option<u32>, NtStatus> {
        let (stable, vol, _) = Self::partitions(&self.at(parent)?.subkeys);
        for part in [stable, vol] {
            if let Ok(pos) = part.binary_search_by(|c| cmp_folded(&c.folded, name)) {
                return Ok(Some(part[pos].index));
            }
        }
        Ok(None)
    }

    /// Where a lookup starts and the path left to walk from there.
    fn start<'p>(
        &self,
        root: Option<KeyId>,
        path: &'p [u16],
    ) -> Result<(u32, &'p [u16]), NtStatus> {
        if path.len() > MAX_PATH_UNITS {
            return Err(STATUS_OBJECT_NAME_INVALID);
        }
        let absolute = path.first() == Some(&SEPARATOR);
        match root {
            Some(id) => {
                self.live(id)?;
                if absolute {
                    return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
                }
                Ok((id.index, path))
            }
            None => {
                if !absolute {
                    return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
                }
                let rest = &path[1..];
                let end = rest
                    .iter()
                    .position(|&c| c == SEPARATOR)
                    .unwrap_or(rest.len());
                let root_name: Vec<u16> = "REGISTRY".encode_utf16().collect();
                if !matches_folded(&root_name, &rest[..end]) {
                    return Err(STATUS_OBJECT_NAME_NOT_FOUND);
                }
                Ok((self.root, &rest[end..]))
            }
        }
    }

    fn take_ref(&mut self, index: u32) -> Result<KeyId, NtStatus> {
        let key = self.at_mut(index)?;
        key.refs = key
            .refs
            .checked_add(1)
            .ok_or(STATUS_INSUFFICIENT_RESOURCES)?;
        self.id_of(index)
    }

    /// The target of a symbolic-link key: its `SymbolicLinkValue` (`REG_LINK`, an
    /// absolute UTF-16 path; a trailing odd byte is ignored).
    fn link_target(key: &Key) -> Result<Vec<u16>, NtStatus> {
        let value = Self::find_value(key, &LINK_VALUE_NAME)
            .map(|i| &key.values[i])
            .filter(|v| v.ty == REG_LINK)
            .ok_or(STATUS_OBJECT_NAME_NOT_FOUND)?;
        let mut target = Vec::new();
        target
            .try_reserve_exact(value.data.len() / 2)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        target.extend(
            value
                .data
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]])),
        );
        if target.first() != Some(&SEPARATOR) {
            return Err(STATUS_OBJECT_NAME_NOT_FOUND);
        }
        Ok(target)
    }

    /// Walks `path` down from `current`. Links met on the way are followed (the last
    /// component's only if `follow_last`) by walking their target followed by the
    /// rest of the path, at most `reparses` times.
    fn walk(
        &self,
        mut current: u32,
        path: &[u16],
        follow_last: bool,
        reparses: u32,
    ) -> Result<Walked, NtStatus> {
        let mut parts = components(path).peekable();
        while let Some(part) = parts.next() {
            check_component(part)?;
            let last = parts.peek().is_none();
            let Some(next) = self.find_subkey(current, part)? else {
                return if last {
                    Ok(Walked::Missing {
                        parent: current,
                        name: try_copy(part)?,
                    })
                } else {
                    Err(STATUS_OBJECT_NAME_NOT_FOUND)
                };
            };
            let key = self.at(next)?;
            if key.link && (follow_last || !last) {
                if reparses == 0 {
                    return Err(STATUS_OBJECT_NAME_NOT_FOUND);
                }
                let mut target = Self::link_target(key)?;
                for rest in parts {
                    target
                        .try_reserve(rest.len() + 1)
                        .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                    target.push(SEPARATOR);
                    target.extend_from_slice(rest);
                }
                let (start, rest) = self.start(None, &target)?;
                return self.walk(start, rest, follow_last, reparses - 1);
            }
            current = next;
        }
        Ok(Walked::Found(current))
    }

    // ----- keys -----

    /// `NtCreateKey`: opens `name` (relative to `root`, or absolute under `\REGISTRY`
    /// without one), creating its last component if it does not exist. Every
    /// intermediate key must exist. `class` is recorded only for a new key. Symbolic
    /// links on the path are followed, the last component's too unless `options` has
    /// `REG_OPTION_CREATE_LINK` or `REG_OPTION_OPEN_LINK`; creating a link where a key
    /// exists is `STATUS_OBJECT_NAME_COLLISION`. Takes a reference on the key returned.
    pub fn create_key(
        &mut self,
        root: Option<KeyId>,
        name: &[u16],
        options: u32,
        class: &[u16],
        now: i64,
    ) -> Result<(KeyId, Disposition), NtStatus> {
        if options & !REG_LEGAL_OPTION != 0 || class.len() > MAX_PATH_UNITS {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let create_link = options & REG_OPTION_CREATE_LINK != 0;
        let follow_last = options & (REG_OPTION_CREATE_LINK | REG_OPTION_OPEN_LINK) == 0;
        let (start, rest) = self.start(root, name)?;
        match self.walk(start, rest, follow_last, MAX_REPARSES)? {
            Walked::Found(_) if create_link => Err(STATUS_OBJECT_NAME_COLLISION),
            Walked::Found(index) => Ok((self.take_ref(index)?, Disposition::OpenedExisting)),
            Walked::Missing { parent, name } => {
                let volatile = options & REG_OPTION_VOLATILE != 0;
                let parent_key = self.at(parent)?;
                if parent_key.volatile && !volatile {
                    return Err(STATUS_CHILD_MUST_BE_VOLATILE);
                }
                if parent_key.depth >= MAX_DEPTH {
                    return Err(STATUS_INVALID_PARAMETER);
                }
                let index = self.insert(Some(parent), &name, class, volatile, create_link, now)?;
                Ok((self.take_ref(index)?, Disposition::CreatedNew))
            }
        }
    }

    /// `NtOpenKey`: the existing key at `name`, following symbolic links (the last
    /// component's only without `open_link`, i.e. `OBJ_OPENLINK`). Takes a reference.
    pub fn open_key(
        &mut self,
        root: Option<KeyId>,
        name: &[u16],
        open_link: bool,
    ) -> Result<KeyId, NtStatus> {
        let (start, rest) = self.start(root, name)?;
        match self.walk(start, rest, !open_link, MAX_REPARSES)? {
            Walked::Found(index) => self.take_ref(index),
            Walked::Missing { .. } => Err(STATUS_OBJECT_NAME_NOT_FOUND),
        }
    }

    /// Drops a reference (handle close). A deleted key disappears with its last one.
    pub fn close_key(&mut self, id: KeyId) -> Result<(), NtStatus> {
        let key = self.any_mut(id)?;
        key.refs = key.refs.checked_sub(1).ok_or(STATUS_INVALID_HANDLE)?;
        if key.refs == 0 && key.deleted {
            self.free_slot(id.index);
        }
        Ok(())
    }

    /// `NtDeleteKey`: unlinks a key without subkeys. Open references keep it as a
    /// tombstone on which everything but [`close_key`](Self::close_key) fails with
    /// `STATUS_KEY_DELETED`.
    pub fn delete_key(&mut self, id: KeyId, now: i64) -> Result<(), NtStatus> {
        let key = self.live(id)?;
        if key.no_delete || !key.subkeys.is_empty() {
            return Err(STATUS_CANNOT_DELETE);
        }
        if let Some(p) = key.parent {
            let parent = self.at_mut(p)?;
            parent.subkeys.retain(|c| c.index != id.index);
            parent.last_write = now;
        }
        let key = self.live_mut(id)?;
        key.deleted = true;
        key.parent = None;
        key.values = Vec::new();
        key.class = Vec::new();
        if key.refs == 0 {
            self.free_slot(id.index);
        }
        Ok(())
    }

    /// Whether the key was created with `REG_OPTION_CREATE_LINK` (links are recorded,
    /// not yet followed).
    pub fn is_link(&self, id: KeyId) -> Result<bool, NtStatus> {
        Ok(self.live(id)?.link)
    }

    /// Whether the key is volatile.
    pub fn is_volatile(&self, id: KeyId) -> Result<bool, NtStatus> {
        Ok(self.live(id)?.volatile)
    }

    /// `NtFlushKey`: nothing is persisted, so there is nothing to write.
    pub fn flush_key(&self, id: KeyId) -> Result<(), NtStatus> {
        self.live(id).map(|_| ())
    }

    fn counts(&self, key: &Key) -> Result<KeyCounts, NtStatus> {
        let len32 = |n: usize| u32::try_from(n).map_err(|_| STATUS_INSUFFICIENT_RESOURCES);
        let mut counts = KeyCounts {
            subkeys: len32(key.subkeys.len())?,
            values: len32(key.values.len())?,
            ..KeyCounts::default()
        };
        for child in &key.subkeys {
            let sub = self.at(child.index)?;
            counts.max_name_len = counts.max_name_len.max(byte_len(sub.name.len())?);
            counts.max_class_len = counts.max_class_len.max(byte_len(sub.class.len())?);
        }
        for value in &key.values {
            counts.max_value_name_len = counts.max_value_name_len.max(byte_len(value.name.len())?);
            counts.max_value_data_len = counts.max_value_data_len.max(len32(value.data.len())?);
        }
        Ok(counts)
    }

    /// `\REGISTRY\…` as the names were spelled at creation.
    fn full_name(&self, index: u32) -> Result<Vec<u16>, NtStatus> {
        let mut chain = Vec::new();
        let mut current = Some(index);
        let mut total = 0usize;
        while let Some(i) = current {
            let key = self.at(i)?;
            total += key.name.len() + 1;
            chain
                .try_reserve(1)
                .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
            chain.push(i);
            current = key.parent;
        }
        let mut out = Vec::new();
        out.try_reserve_exact(total)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        for &i in chain.iter().rev() {
            out.push(SEPARATOR);
            out.extend_from_slice(&self.at(i)?.name);
        }
        Ok(out)
    }

    fn describe(
        &self,
        index: u32,
        class: KeyInformationClass,
        length: u32,
    ) -> Result<InfoResult, NtStatus> {
        let key = self.at(index)?;
        let counts = match class {
            KeyInformationClass::Full | KeyInformationClass::Cached => self.counts(key)?,
            _ => KeyCounts::default(),
        };
        let full;
        let name = if class == KeyInformationClass::Name {
            full = self.full_name(index)?;
            &full[..]
        } else {
            &key.name[..]
        };
        let view = KeyView {
            last_write: key.last_write,
            name,
            class: &key.class,
            counts,
        };
        key_information(class, &view, length)
    }

    /// `NtQueryKey` with a raw `KEY_INFORMATION_CLASS` and the caller's buffer length.
    pub fn query_key(&self, id: KeyId, class: u32, length: u32) -> Result<InfoResult, NtStatus> {
        let class = KeyInformationClass::from_raw(class)?;
        self.live(id)?;
        self.describe(id.index, class, length)
    }

    /// `NtEnumerateKey`: subkey `index` in Windows order (stable subkeys sorted by
    /// upcased name, then volatile ones likewise). Only the basic, node and full classes
    /// are accepted.
    pub fn enumerate_key(
        &self,
        id: KeyId,
        index: u32,
        class: u32,
        length: u32,
    ) -> Result<InfoResult, NtStatus> {
        let class = KeyInformationClass::from_raw(class)?;
        if !matches!(
            class,
            KeyInformationClass::Basic | KeyInformationClass::Node | KeyInformationClass::Full
        ) {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let key = self.live(id)?;
        let child = key
            .subkeys
            .get(index as usize)
            .ok_or(STATUS_NO_MORE_ENTRIES)?;
        self.describe(child.index, class, length)
    }

    // ----- values -----

    fn find_value(key: &Key, name: &[u16]) -> Option<usize> {
        key.values
            .iter()
            .position(|v| matches_folded(&v.folded, name))
    }

    /// `NtSetValueKey`: creates or replaces a value. The empty name is the default
    /// value. `ty` is not checked against `data`.
    pub fn set_value(
        &mut self,
        id: KeyId,
        name: &[u16],
        ty: u32,
        data: &[u8],
        now: i64,
    ) -> Result<(), NtStatus> {
        if name.len() > MAX_VALUE_NAME_UNITS || data.len() > MAX_DATA_SIZE {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let key = self.live_mut(id)?;
        let new_data = try_copy(data)?;
        match Self::find_value(key, name) {
            Some(i) => {
                let value = &mut key.values[i];
                value.ty = ty;
                value.data = new_data;
            }
            None => {
                let value = Value {
                    name: try_copy(name)?,
                    folded: upcase(name)?,
                    ty,
                    data: new_data,
                };
                key.values
                    .try_reserve(1)
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                key.values.push(value);
            }
        }
        key.last_write = now;
        Ok(())
    }

    /// `NtDeleteValueKey`. The remaining values keep their order.
    pub fn delete_value(&mut self, id: KeyId, name: &[u16], now: i64) -> Result<(), NtStatus> {
        let key = self.live_mut(id)?;
        let i = Self::find_value(key, name).ok_or(STATUS_OBJECT_NAME_NOT_FOUND)?;
        key.values.remove(i);
        key.last_write = now;
        Ok(())
    }

    /// `NtQueryValueKey` with a raw `KEY_VALUE_INFORMATION_CLASS`, the caller's buffer
    /// length and the caller's ABI.
    pub fn query_value(
        &self,
        id: KeyId,
        name: &[u16],
        class: u32,
        length: u32,
        layout: Layout,
    ) -> Result<InfoResult, NtStatus> {
        let class = KeyValueInformationClass::from_raw(class)?;
        let key = self.live(id)?;
        let value = &key.values[Self::find_value(key, name).ok_or(STATUS_OBJECT_NAME_NOT_FOUND)?];
        value_information(class, &value.name, value.ty, &value.data, length, layout)
    }

    /// `NtEnumerateValueKey`: value `index` in creation order.
    pub fn enumerate_value(
        &self,
        id: KeyId,
        index: u32,
        class: u32,
        length: u32,
        layout: Layout,
    ) -> Result<InfoResult, NtStatus> {
        let class = KeyValueInformationClass::from_raw(class)?;
        let key = self.live(id)?;
        let value = key
            .values
            .get(index as usize)
            .ok_or(STATUS_NO_MORE_ENTRIES)?;
        value_information(class, &value.name, value.ty, &value.data, length, layout)
    }

    /// Number of keys in the slab, tombstones included (for leak checks).
    pub fn key_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Used { .. }))
            .count()
    }
}
