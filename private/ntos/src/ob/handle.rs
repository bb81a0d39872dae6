//! Per-process handle tables.
//!
//! Windows' handle values are an index times four: 0 is never a handle, the low two bits
//! are free for the application (ignored on lookup), freed slots are reused last-in
//! first-out so a closed handle value comes back on the next create, and a value names
//! nothing unless its slot holds an entry. The table is a plain vector of slots indexed
//! by `value >> 2`, so lookup is one bounds check and one load whatever the value.

use alloc::vec::Vec;

use super::access::AccessMask;
use super::object::ObjectId;
use super::status::*;
use ntdef::NtStatus;

/// A client's `HANDLE`, widened to 64 bits. 32-bit clients' values are sign-extended (as
/// WOW64 does), so `NtCurrentProcess()` is `-1` in both worlds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Handle(pub u64);

impl Handle {
    /// `NtCurrentProcess()`.
    pub const CURRENT_PROCESS: Self = Self(u64::MAX);
    /// `NtCurrentThread()`.
    pub const CURRENT_THREAD: Self = Self(u64::MAX - 1);
    pub const NULL: Self = Self(0);

    /// A 32-bit client's handle value.
    pub const fn from_raw32(raw: u32) -> Self {
        Self(raw as i32 as i64 as u64)
    }

    /// The table index the value names (low two tag bits dropped).
    pub const fn index(self) -> u64 {
        self.0 >> 2
    }

    pub const fn is_pseudo(self) -> bool {
        self.0 == Self::CURRENT_PROCESS.0 || self.0 == Self::CURRENT_THREAD.0
    }

    fn from_index(index: u32) -> Self {
        Self(u64::from(index) << 2)
    }
}

/// `OBJ_PROTECT_CLOSE`: the handle-entry flag behind `HANDLE_FLAG_PROTECT_FROM_CLOSE`.
pub const OBJ_PROTECT_CLOSE: u32 = 0x0000_0001;
/// `OBJ_INHERIT`.
pub const OBJ_INHERIT: u32 = 0x0000_0002;

/// The attributes a handle entry keeps (Windows stores them in the entry's low bits).
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct HandleAttributes {
    pub inherit: bool,
    pub protect_from_close: bool,
}

impl HandleAttributes {
    /// Keeps only the handle-level bits of an `OBJ_*` attribute word.
    pub const fn from_obj_bits(bits: u32) -> Self {
        Self {
            inherit: bits & OBJ_INHERIT != 0,
            protect_from_close: bits & OBJ_PROTECT_CLOSE != 0,
        }
    }

    /// The bits as `OBJECT_BASIC_INFORMATION.Attributes` reports them.
    pub const fn obj_bits(self) -> u32 {
        (if self.inherit { OBJ_INHERIT } else { 0 })
            | (if self.protect_from_close {
                OBJ_PROTECT_CLOSE
            } else {
                0
            })
    }
}

/// One open handle: the object, the access granted when it was opened, its attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HandleEntry {
    pub object: ObjectId,
    pub access: AccessMask,
    pub attributes: HandleAttributes,
}

/// Absolute cap on entries per table: Windows' per-process limit is 2^24 handles.
pub const MAX_HANDLES: u32 = 1 << 24;

/// A process's handle table. Slot 0 is never used, so no entry ever has value 0.
#[derive(Debug)]
pub struct HandleTable {
    slots: Vec<Option<HandleEntry>>,
    free: Vec<u32>,
    count: u32,
    limit: u32,
}

impl HandleTable {
    /// An empty table holding at most `limit` handles (clamped to [`MAX_HANDLES`]).
    pub fn new(limit: u32) -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            count: 0,
            limit: limit.min(MAX_HANDLES),
        }
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    /// The entry behind a (non-pseudo) handle value, or `STATUS_INVALID_HANDLE`.
    pub fn get(&self, handle: Handle) -> Result<&HandleEntry, NtStatus> {
        let index = handle.index();
        if index == 0 || index >= self.slots.len() as u64 {
            return Err(STATUS_INVALID_HANDLE);
        }
        self.slots[index as usize]
            .as_ref()
            .ok_or(STATUS_INVALID_HANDLE)
    }

    fn get_mut(&mut self, handle: Handle) -> Result<&mut HandleEntry, NtStatus> {
        let index = handle.index();
        if index == 0 || index >= self.slots.len() as u64 {
            return Err(STATUS_INVALID_HANDLE);
        }
        self.slots[index as usize]
            .as_mut()
            .ok_or(STATUS_INVALID_HANDLE)
    }

    /// Stores an entry and returns its handle value; `STATUS_INSUFFICIENT_RESOURCES` when
    /// the table is full or cannot grow.
    pub fn insert(&mut self, entry: HandleEntry) -> Result<Handle, NtStatus> {
        if self.count >= self.limit {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                if self.slots.is_empty() {
                    self.slots
                        .try_reserve(8)
                        .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                    self.slots.push(None);
                }
                self.slots
                    .try_reserve(1)
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                // Reserve room in the free list now, so that `remove` never allocates.
                self.free
                    .try_reserve(self.slots.len() + 1 - self.free.len())
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.slots[index as usize] = Some(entry);
        self.count += 1;
        Ok(Handle::from_index(index))
    }

    /// Removes an entry, honouring `OBJ_PROTECT_CLOSE` (`STATUS_HANDLE_NOT_CLOSABLE`).
    pub fn remove(&mut self, handle: Handle) -> Result<HandleEntry, NtStatus> {
        if self.get(handle)?.attributes.protect_from_close {
            return Err(STATUS_HANDLE_NOT_CLOSABLE);
        }
        Ok(self.take(handle.index() as u32))
    }

    fn take(&mut self, index: u32) -> HandleEntry {
        // Callers checked the slot; an empty slot would be a bug, reported as a no-op
        // entry rather than a panic.
        match self.slots[index as usize].take() {
            Some(entry) => {
                self.count -= 1;
                // Capacity was reserved by `insert`.
                self.free.push(index);
                entry
            }
            None => HandleEntry {
                object: ObjectId::INVALID,
                access: AccessMask::NONE,
                attributes: HandleAttributes::default(),
            },
        }
    }

    /// Removes every entry regardless of protection (process teardown).
    pub fn drain(&mut self) -> Vec<HandleEntry> {
        let entries = self.slots.iter_mut().filter_map(Option::take).collect();
        self.slots.clear();
        self.free.clear();
        self.count = 0;
        entries
    }

    /// Sets the attributes of an open handle.
    pub fn set_attributes(
        &mut self,
        handle: Handle,
        attributes: HandleAttributes,
    ) -> Result<(), NtStatus> {
        self.get_mut(handle)?.attributes = attributes;
        Ok(())
    }

    /// Live entries with their handle values, in value order.
    pub fn iter(&self) -> impl Iterator<Item = (Handle, &HandleEntry)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|e| (Handle::from_index(i as u32), e)))
    }

    /// Puts an entry at a given value in an empty slot (handle inheritance keeps values).
    pub(super) fn insert_at(&mut self, handle: Handle, entry: HandleEntry) -> Result<(), NtStatus> {
        let index = handle.index();
        if index == 0 || index >= u64::from(self.limit) || self.count >= self.limit {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        let index = index as usize;
        if index >= self.slots.len() {
            let grow = index + 1 - self.slots.len();
            self.slots
                .try_reserve(grow)
                .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
            self.free
                .try_reserve(index + 1 - self.free.len())
                .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
            while self.slots.len() <= index {
                let new = self.slots.len() as u32;
                self.slots.push(None);
                if new != 0 && new as usize != index {
                    self.free.push(new);
                }
            }
        } else {
            if self.slots[index].is_some() {
                return Err(STATUS_INVALID_HANDLE);
            }
            self.free.retain(|&i| i as usize != index);
        }
        self.slots[index] = Some(entry);
        self.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> HandleEntry {
        HandleEntry {
            object: ObjectId::for_test(n),
            access: AccessMask(n),
            attributes: HandleAttributes::default(),
        }
    }

    #[test]
    fn values_are_multiples_of_four_from_four() {
        let mut t = HandleTable::new(MAX_HANDLES);
        assert_eq!(t.insert(entry(1)).unwrap(), Handle(4));
        assert_eq!(t.insert(entry(2)).unwrap(), Handle(8));
        assert_eq!(t.insert(entry(3)).unwrap(), Handle(12));
        assert_eq!(t.count(), 3);
    }

    #[test]
    fn low_bits_ignored_on_lookup() {
        // Windows: the two low bits of a handle value are application tag bits.
        let mut t = HandleTable::new(MAX_HANDLES);
        let h = t.insert(entry(7)).unwrap();
        for tag in 0..4 {
            assert_eq!(t.get(Handle(h.0 | tag)).unwrap().access, AccessMask(7));
        }
    }

    #[test]
    fn bogus_values_are_invalid_handles() {
        let mut t = HandleTable::new(MAX_HANDLES);
        t.insert(entry(1)).unwrap();
        for v in [
            0,
            1,
            2,
            3,
            8,
            0xFFFF_FFF0,
            u64::MAX,
            u64::MAX - 1,
            u64::MAX - 3,
            1 << 40,
        ] {
            assert_eq!(t.get(Handle(v)), Err(STATUS_INVALID_HANDLE), "{v:#x}");
        }
        assert_eq!(t.remove(Handle(0)), Err(STATUS_INVALID_HANDLE));
    }

    #[test]
    fn freed_values_are_reused_last_in_first_out() {
        let mut t = HandleTable::new(MAX_HANDLES);
        let a = t.insert(entry(1)).unwrap();
        let b = t.insert(entry(2)).unwrap();
        t.remove(a).unwrap();
        t.remove(b).unwrap();
        assert_eq!(t.get(a), Err(STATUS_INVALID_HANDLE));
        assert_eq!(t.remove(a), Err(STATUS_INVALID_HANDLE));
        assert_eq!(t.insert(entry(3)).unwrap(), b);
        assert_eq!(t.insert(entry(4)).unwrap(), a);
    }

    #[test]
    fn protected_handles_are_not_closable() {
        let mut t = HandleTable::new(MAX_HANDLES);
        let h = t.insert(entry(1)).unwrap();
        t.set_attributes(
            h,
            HandleAttributes {
                inherit: false,
                protect_from_close: true,
            },
        )
        .unwrap();
        assert_eq!(t.remove(h), Err(STATUS_HANDLE_NOT_CLOSABLE));
        assert!(t.get(h).is_ok());
        assert_eq!(t.drain().len(), 1);
        assert_eq!(t.count(), 0);
    }

    #[test]
    fn limit_is_enforced() {
        let mut t = HandleTable::new(2);
        t.insert(entry(1)).unwrap();
        t.insert(entry(2)).unwrap();
        assert_eq!(t.insert(entry(3)), Err(STATUS_INSUFFICIENT_RESOURCES));
    }

    #[test]
    fn insert_at_keeps_values() {
        let mut t = HandleTable::new(MAX_HANDLES);
        t.insert_at(Handle(12), entry(3)).unwrap();
        assert_eq!(t.get(Handle(12)).unwrap().access, AccessMask(3));
        assert_eq!(
            t.insert_at(Handle(12), entry(4)),
            Err(STATUS_INVALID_HANDLE)
        );
        // The gaps below are handed out afterwards, 12 never again while taken.
        let a = t.insert(entry(5)).unwrap();
        let b = t.insert(entry(6)).unwrap();
        let c = t.insert(entry(7)).unwrap();
        let mut got = [a.0, b.0, c.0];
        got.sort();
        assert_eq!(got, [4, 8, 16]);
    }

    #[test]
    fn sign_extension_of_32_bit_values() {
        assert_eq!(Handle::from_raw32(0xFFFF_FFFF), Handle::CURRENT_PROCESS);
        assert_eq!(Handle::from_raw32(0xFFFF_FFFE), Handle::CURRENT_THREAD);
        assert_eq!(Handle::from_raw32(0x7FFF_FFFC), Handle(0x7FFF_FFFC));
    }
}
