//! The object store: headers in a generation-checked slab.
//!
//! An [`ObjectId`] is a slab index plus the generation of the slot when the object was
//! made, so an id kept past the object's deletion can never name the slot's next tenant.

use alloc::vec::Vec;

use super::namespace::{Directory, SymbolicLink};
use super::status::*;
use super::types::TypeIndex;
use ntdef::NtStatus;

/// Names one object for as long as it lives.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ObjectId {
    index: u32,
    generation: u32,
}

impl ObjectId {
    /// Matches no object (generation 0 is never handed out).
    pub const INVALID: Self = Self {
        index: u32::MAX,
        generation: 0,
    };

    #[cfg(test)]
    pub(super) const fn for_test(n: u32) -> Self {
        Self {
            index: n,
            generation: 1,
        }
    }
}

/// The part of an object the object manager itself owns. Bodies of other components'
/// types live in those components, keyed by [`ObjectId`].
#[derive(Debug)]
pub enum Body {
    /// Owned by the component that registered the type.
    External,
    Directory(Directory),
    SymbolicLink(SymbolicLink),
    /// An object type's own object in `\ObjectTypes`.
    Type(TypeIndex),
}

/// `OBJECT_HEADER` and its optional name part.
#[derive(Debug)]
pub struct ObjectHeader {
    pub ty: TypeIndex,
    /// The name inside `parent`, as created (case kept).
    pub name: Option<Vec<u16>>,
    /// The directory holding the name; `None` once the name is deleted.
    pub parent: Option<ObjectId>,
    pub permanent: bool,
    /// References, handles included (each handle holds one, as on Windows).
    pub pointer_count: u32,
    pub handle_count: u32,
    pub body: Body,
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    header: Option<ObjectHeader>,
}

/// The slab of all objects.
#[derive(Debug, Default)]
pub struct ObjectStore {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

impl ObjectStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn live(&self) -> usize {
        self.live
    }

    pub fn insert(&mut self, header: ObjectHeader) -> Result<ObjectId, NtStatus> {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                if self.slots.len() >= u32::MAX as usize {
                    return Err(STATUS_INSUFFICIENT_RESOURCES);
                }
                self.slots
                    .try_reserve(1)
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                self.free
                    .try_reserve(self.slots.len() + 1 - self.free.len())
                    .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
                self.slots.push(Slot {
                    generation: 0,
                    header: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        // Generation 0 is reserved for INVALID; wrap past it.
        slot.generation = slot.generation.wrapping_add(1).max(1);
        slot.header = Some(header);
        self.live += 1;
        Ok(ObjectId {
            index,
            generation: slot.generation,
        })
    }

    pub fn get(&self, id: ObjectId) -> Option<&ObjectHeader> {
        self.slots
            .get(id.index as usize)
            .filter(|s| s.generation == id.generation)
            .and_then(|s| s.header.as_ref())
    }

    pub fn get_mut(&mut self, id: ObjectId) -> Option<&mut ObjectHeader> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)
            .and_then(|s| s.header.as_mut())
    }

    pub fn remove(&mut self, id: ObjectId) -> Option<ObjectHeader> {
        let slot = self
            .slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)?;
        let header = slot.header.take()?;
        self.live -= 1;
        self.free.push(id.index);
        Some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> ObjectHeader {
        ObjectHeader {
            ty: TypeIndex::TYPE,
            name: None,
            parent: None,
            permanent: false,
            pointer_count: 1,
            handle_count: 0,
            body: Body::External,
        }
    }

    #[test]
    fn stale_ids_do_not_alias_reused_slots() {
        let mut s = ObjectStore::new();
        let a = s.insert(header()).unwrap();
        assert!(s.get(a).is_some());
        assert!(s.remove(a).is_some());
        let b = s.insert(header()).unwrap();
        assert_ne!(a, b);
        assert!(s.get(a).is_none());
        assert!(s.get_mut(a).is_none());
        assert!(s.remove(a).is_none());
        assert!(s.get(b).is_some());
        assert_eq!(s.live(), 1);
        assert!(s.get(ObjectId::INVALID).is_none());
    }
}
