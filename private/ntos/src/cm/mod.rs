//! Configuration manager: the in-memory registry behind the `Nt*Key` services.
//!
//! # Design (why it is shaped like this)
//!
//! - **Service-shaped, capture-free.** Every entry point takes values the service layer
//!   has already captured from the client (names as `&[u16]`, buffer *lengths*, class
//!   numbers as raw `u32`) and returns either an error status or the exact bytes and
//!   `ResultLength` to write back. Nothing here touches client memory, so all of it is
//!   host-testable and none of it needs `unsafe`. Raw class numbers are decoded here
//!   because *which* numbers Windows rejects, and with what, is part of the contract.
//! - **One arena, generation-checked ids.** Keys live in a slab indexed by [`KeyId`],
//!   which carries a generation. A key stays in the slab while it is in the tree or
//!   while references (open handles) to it remain, so a deleted key becomes a
//!   tombstone that answers `STATUS_KEY_DELETED` until its last reference is dropped
//!   ([`Registry::close_key`]); a stale id can never alias a reused slot. Tree links
//!   are indices, not pointers: no `Rc`, no borrow gymnastics, O(1) handle lookup.
//! - **Windows' enumeration order is stored, not computed.** Each key keeps its subkeys
//!   sorted by (volatile, upcased name): NT keeps stable and volatile subkeys in two
//!   lists (`SubKeyCounts[Stable]` / `[Volatile]` of the key node) and
//!   `NtEnumerateKey` indexes the stable list first, each list ordered by the upcased
//!   name. Values keep insertion order, as the value list of a key node does. So
//!   enumeration by index is a plain slice index and lookups are binary searches.
//! - **Case-insensitive by folding once.** Each name is stored as spelled and upcased
//!   (`ntrtl::upcase`, the executive's single case table), so comparisons are
//!   plain slice comparisons and `KeyNameInformation` returns names as created.
//! - **Fallible allocation.** Names, classes and data sizes come from clients and the
//!   executive heap is small, so every client-sized allocation uses `try_reserve` and
//!   fails with `STATUS_INSUFFICIENT_RESOURCES` instead of aborting the executive.
//!   Query results only materialise the bytes that fit the caller's buffer.
//! - **Clock injected.** Operations that change `LastWriteTime` take the current
//!   system time (100 ns since 1601) as a parameter: the executive owns the clock,
//!   tests own determinism.
//!
//! # Scope
//!
//! Names without a root must be absolute and start with `\REGISTRY` (the part the
//! object manager will eventually resolve); anything else is
//! `STATUS_OBJECT_NAME_NOT_FOUND`. Symbolic-link keys are followed through their
//! `SymbolicLinkValue` during lookups; a key reached through a link reports its real
//! name, and a handle's own key is never re-resolved. Hives, persistence, security,
//! notifications and the `KeyFlags`/virtualization/layer information classes are not
//! implemented.

mod info;
mod name;
mod registry;
mod status;

#[cfg(test)]
mod tests;

pub use info::{InfoResult, KeyCounts, KeyInformationClass, KeyValueInformationClass, Layout};
pub use registry::{Disposition, KeyId, Registry};
pub use status::*;

/// `REG_NONE` … `REG_QWORD`: value types. Stored and returned as given, never checked
/// against the data (Windows does not either).
pub const REG_NONE: u32 = 0;
pub const REG_SZ: u32 = 1;
pub const REG_EXPAND_SZ: u32 = 2;
pub const REG_BINARY: u32 = 3;
pub const REG_DWORD: u32 = 4;
pub const REG_DWORD_BIG_ENDIAN: u32 = 5;
pub const REG_LINK: u32 = 6;
pub const REG_MULTI_SZ: u32 = 7;
pub const REG_RESOURCE_LIST: u32 = 8;
pub const REG_FULL_RESOURCE_DESCRIPTOR: u32 = 9;
pub const REG_RESOURCE_REQUIREMENTS_LIST: u32 = 10;
pub const REG_QWORD: u32 = 11;

/// `NtCreateKey` `CreateOptions`.
pub const REG_OPTION_NON_VOLATILE: u32 = 0x0000_0000;
pub const REG_OPTION_VOLATILE: u32 = 0x0000_0001;
pub const REG_OPTION_CREATE_LINK: u32 = 0x0000_0002;
pub const REG_OPTION_BACKUP_RESTORE: u32 = 0x0000_0004;
pub const REG_OPTION_OPEN_LINK: u32 = 0x0000_0008;
pub const REG_OPTION_DONT_VIRTUALIZE: u32 = 0x0000_0010;
/// Every option `NtCreateKey` accepts; other bits are `STATUS_INVALID_PARAMETER`.
pub const REG_LEGAL_OPTION: u32 = REG_OPTION_VOLATILE
    | REG_OPTION_CREATE_LINK
    | REG_OPTION_BACKUP_RESTORE
    | REG_OPTION_OPEN_LINK
    | REG_OPTION_DONT_VIRTUALIZE;

/// `NtCreateKey` `Disposition` values.
pub const REG_CREATED_NEW_KEY: u32 = 1;
pub const REG_OPENED_EXISTING_KEY: u32 = 2;

/// Longest key name component, in UTF-16 units (`REG_MAX_KEY_NAME_LENGTH` is 512 bytes).
pub const MAX_KEY_NAME_UNITS: usize = 256;
/// Longest value name, in UTF-16 units (`REG_MAX_KEY_VALUE_NAME_LENGTH` is 32767 bytes;
/// lengths are even).
pub const MAX_VALUE_NAME_UNITS: usize = 16_383;
/// Longest name a `UNICODE_STRING` can carry, in UTF-16 units.
pub const MAX_PATH_UNITS: usize = 32_767;
/// Deepest key below `\REGISTRY` ("a registry tree can be 512 levels deep").
pub const MAX_DEPTH: u32 = 512;
/// Largest value data `NtSetValueKey` accepts.
pub const MAX_DATA_SIZE: usize = 0x8000_0000;
