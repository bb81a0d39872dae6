//! Access masks: the 32-bit `ACCESS_MASK`, generic rights and their per-type mapping.
//!
//! Layout (Windows): bits 0–15 object-specific rights, 16–20 standard rights, 24
//! `ACCESS_SYSTEM_SECURITY`, 25 `MAXIMUM_ALLOWED`, 28–31 the generic rights.

use core::fmt;
use core::ops::{BitAnd, BitOr, Not};

/// An `ACCESS_MASK`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AccessMask(pub u32);

impl AccessMask {
    pub const NONE: Self = Self(0);

    /// Every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl BitOr for AccessMask {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitAnd for AccessMask {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        Self(self.0 & rhs.0)
    }
}

impl Not for AccessMask {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}

impl fmt::Debug for AccessMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessMask({:#010x})", self.0)
    }
}

pub const DELETE: AccessMask = AccessMask(0x0001_0000);
pub const READ_CONTROL: AccessMask = AccessMask(0x0002_0000);
pub const WRITE_DAC: AccessMask = AccessMask(0x0004_0000);
pub const WRITE_OWNER: AccessMask = AccessMask(0x0008_0000);
pub const SYNCHRONIZE: AccessMask = AccessMask(0x0010_0000);
pub const STANDARD_RIGHTS_REQUIRED: AccessMask = AccessMask(0x000F_0000);
pub const STANDARD_RIGHTS_READ: AccessMask = READ_CONTROL;
pub const STANDARD_RIGHTS_WRITE: AccessMask = READ_CONTROL;
pub const STANDARD_RIGHTS_EXECUTE: AccessMask = READ_CONTROL;
pub const STANDARD_RIGHTS_ALL: AccessMask = AccessMask(0x001F_0000);
pub const SPECIFIC_RIGHTS_ALL: AccessMask = AccessMask(0x0000_FFFF);
pub const ACCESS_SYSTEM_SECURITY: AccessMask = AccessMask(0x0100_0000);
pub const MAXIMUM_ALLOWED: AccessMask = AccessMask(0x0200_0000);
pub const GENERIC_READ: AccessMask = AccessMask(0x8000_0000);
pub const GENERIC_WRITE: AccessMask = AccessMask(0x4000_0000);
pub const GENERIC_EXECUTE: AccessMask = AccessMask(0x2000_0000);
pub const GENERIC_ALL: AccessMask = AccessMask(0x1000_0000);
const GENERIC_ANY: AccessMask = AccessMask(0xF000_0000);

/// Directory object rights (`ntdef.h` / `wdm.h`).
pub const DIRECTORY_QUERY: AccessMask = AccessMask(0x0001);
pub const DIRECTORY_TRAVERSE: AccessMask = AccessMask(0x0002);
pub const DIRECTORY_CREATE_OBJECT: AccessMask = AccessMask(0x0004);
pub const DIRECTORY_CREATE_SUBDIRECTORY: AccessMask = AccessMask(0x0008);
pub const DIRECTORY_ALL_ACCESS: AccessMask = AccessMask(0x000F_000F);

/// Symbolic link rights.
pub const SYMBOLIC_LINK_QUERY: AccessMask = AccessMask(0x0001);
pub const SYMBOLIC_LINK_ALL_ACCESS: AccessMask = AccessMask(0x000F_0001);

/// Object type ("Type") rights.
pub const OBJECT_TYPE_CREATE: AccessMask = AccessMask(0x0001);
pub const OBJECT_TYPE_ALL_ACCESS: AccessMask = AccessMask(0x000F_0001);

/// `GENERIC_MAPPING`: what each generic right means for one object type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GenericMapping {
    pub read: AccessMask,
    pub write: AccessMask,
    pub execute: AccessMask,
    pub all: AccessMask,
}

impl GenericMapping {
    /// `RtlMapGenericMask`: replaces the generic bits by the rights they stand for.
    pub fn map(&self, mask: AccessMask) -> AccessMask {
        let mut out = mask.without(GENERIC_ANY);
        if mask.contains(GENERIC_READ) {
            out = out | self.read;
        }
        if mask.contains(GENERIC_WRITE) {
            out = out | self.write;
        }
        if mask.contains(GENERIC_EXECUTE) {
            out = out | self.execute;
        }
        if mask.contains(GENERIC_ALL) {
            out = out | self.all;
        }
        out
    }
}

/// Directory mapping as Windows registers it for the "Directory" type.
pub const DIRECTORY_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(STANDARD_RIGHTS_READ.0 | DIRECTORY_QUERY.0 | DIRECTORY_TRAVERSE.0),
    write: AccessMask(
        STANDARD_RIGHTS_WRITE.0 | DIRECTORY_CREATE_OBJECT.0 | DIRECTORY_CREATE_SUBDIRECTORY.0,
    ),
    execute: AccessMask(STANDARD_RIGHTS_EXECUTE.0 | DIRECTORY_QUERY.0 | DIRECTORY_TRAVERSE.0),
    all: DIRECTORY_ALL_ACCESS,
};

pub const SYMBOLIC_LINK_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(STANDARD_RIGHTS_READ.0 | SYMBOLIC_LINK_QUERY.0),
    write: STANDARD_RIGHTS_WRITE,
    execute: AccessMask(STANDARD_RIGHTS_EXECUTE.0 | SYMBOLIC_LINK_QUERY.0),
    all: SYMBOLIC_LINK_ALL_ACCESS,
};

pub const OBJECT_TYPE_MAPPING: GenericMapping = GenericMapping {
    read: STANDARD_RIGHTS_READ,
    write: STANDARD_RIGHTS_WRITE,
    execute: STANDARD_RIGHTS_EXECUTE,
    all: OBJECT_TYPE_ALL_ACCESS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_bits_are_replaced() {
        let m = DIRECTORY_MAPPING.map(GENERIC_READ | DELETE);
        assert_eq!(m, AccessMask(0x0003_0003));
        assert_eq!(DIRECTORY_MAPPING.map(GENERIC_ALL), DIRECTORY_ALL_ACCESS);
        assert_eq!(
            DIRECTORY_MAPPING.map(GENERIC_WRITE),
            AccessMask(0x0002_000C)
        );
        // Specific bits pass through untouched; MAXIMUM_ALLOWED is not generic.
        assert_eq!(
            SYMBOLIC_LINK_MAPPING.map(MAXIMUM_ALLOWED | AccessMask(0x8)),
            AccessMask(0x0200_0008)
        );
    }

    #[test]
    fn mask_helpers() {
        let a = AccessMask(0b1010);
        assert!(a.contains(AccessMask(0b1000)));
        assert!(!a.contains(AccessMask(0b0100)));
        assert!(a.intersects(AccessMask(0b0010)));
        assert_eq!(a.without(AccessMask(0b0010)), AccessMask(0b1000));
        assert_eq!(a & !AccessMask(0b1000), AccessMask(0b0010));
    }
}
