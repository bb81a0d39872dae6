//! NTSTATUS codes the configuration manager returns that `ntdef` does not define yet.
//!
//! Values from [MS-ERREF] 2.3.1 "NTSTATUS Values". Each is a candidate for `ntdef`.

use ntdef::NtStatus;

// TODO(ntdef): STATUS_NO_MORE_ENTRIES
pub const STATUS_NO_MORE_ENTRIES: NtStatus = NtStatus::from_u32(0x8000_001A);
// TODO(ntdef): STATUS_INVALID_HANDLE
pub const STATUS_INVALID_HANDLE: NtStatus = NtStatus::from_u32(0xC000_0008);
// TODO(ntdef): STATUS_OBJECT_NAME_INVALID
pub const STATUS_OBJECT_NAME_INVALID: NtStatus = NtStatus::from_u32(0xC000_0033);
// TODO(ntdef): STATUS_OBJECT_NAME_NOT_FOUND
pub const STATUS_OBJECT_NAME_NOT_FOUND: NtStatus = NtStatus::from_u32(0xC000_0034);
// TODO(ntdef): STATUS_OBJECT_NAME_COLLISION
pub const STATUS_OBJECT_NAME_COLLISION: NtStatus = NtStatus::from_u32(0xC000_0035);
// TODO(ntdef): STATUS_OBJECT_PATH_SYNTAX_BAD
pub const STATUS_OBJECT_PATH_SYNTAX_BAD: NtStatus = NtStatus::from_u32(0xC000_003B);
// TODO(ntdef): STATUS_INSUFFICIENT_RESOURCES
pub const STATUS_INSUFFICIENT_RESOURCES: NtStatus = NtStatus::from_u32(0xC000_009A);
// TODO(ntdef): STATUS_CANNOT_DELETE
pub const STATUS_CANNOT_DELETE: NtStatus = NtStatus::from_u32(0xC000_0121);
// TODO(ntdef): STATUS_KEY_DELETED
pub const STATUS_KEY_DELETED: NtStatus = NtStatus::from_u32(0xC000_017C);
// TODO(ntdef): STATUS_CHILD_MUST_BE_VOLATILE
pub const STATUS_CHILD_MUST_BE_VOLATILE: NtStatus = NtStatus::from_u32(0xC000_0181);
