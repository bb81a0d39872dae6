//! Status codes the dispatcher returns that `ntdef` does not define yet.
//!
//! Values from [MS-ERREF] 2.3.1 "NTSTATUS Values" (the numbers Windows programs compare
//! against). They move to `sdk/ntdef` once its owner adds them.

use ntdef::NtStatus;

// TODO(ntdef): STATUS_WAIT_0
pub const STATUS_WAIT_0: NtStatus = NtStatus::from_u32(0x0000_0000);
// TODO(ntdef): STATUS_ABANDONED_WAIT_0 (also spelled STATUS_ABANDONED)
pub const STATUS_ABANDONED_WAIT_0: NtStatus = NtStatus::from_u32(0x0000_0080);
// TODO(ntdef): STATUS_USER_APC
pub const STATUS_USER_APC: NtStatus = NtStatus::from_u32(0x0000_00C0);
// TODO(ntdef): STATUS_ALERTED
pub const STATUS_ALERTED: NtStatus = NtStatus::from_u32(0x0000_0101);
// TODO(ntdef): STATUS_TIMEOUT
pub const STATUS_TIMEOUT: NtStatus = NtStatus::from_u32(0x0000_0102);
// TODO(ntdef): STATUS_INVALID_HANDLE
pub const STATUS_INVALID_HANDLE: NtStatus = NtStatus::from_u32(0xC000_0008);
// TODO(ntdef): STATUS_OBJECT_TYPE_MISMATCH
pub const STATUS_OBJECT_TYPE_MISMATCH: NtStatus = NtStatus::from_u32(0xC000_0024);
// TODO(ntdef): STATUS_INVALID_PARAMETER_MIX
pub const STATUS_INVALID_PARAMETER_MIX: NtStatus = NtStatus::from_u32(0xC000_0030);
// TODO(ntdef): STATUS_MUTANT_NOT_OWNED
pub const STATUS_MUTANT_NOT_OWNED: NtStatus = NtStatus::from_u32(0xC000_0046);
// TODO(ntdef): STATUS_SEMAPHORE_LIMIT_EXCEEDED
pub const STATUS_SEMAPHORE_LIMIT_EXCEEDED: NtStatus = NtStatus::from_u32(0xC000_0047);
// TODO(ntdef): STATUS_INSUFFICIENT_RESOURCES
pub const STATUS_INSUFFICIENT_RESOURCES: NtStatus = NtStatus::from_u32(0xC000_009A);
// TODO(ntdef): STATUS_INVALID_PARAMETER_4
pub const STATUS_INVALID_PARAMETER_4: NtStatus = NtStatus::from_u32(0xC000_00F2);
// TODO(ntdef): STATUS_MUTANT_LIMIT_EXCEEDED
pub const STATUS_MUTANT_LIMIT_EXCEEDED: NtStatus = NtStatus::from_u32(0xC000_0191);

/// `STATUS_WAIT_0 + index` or `STATUS_ABANDONED_WAIT_0 + index`. `index` is below
/// [`super::MAXIMUM_WAIT_OBJECTS`], so the sum stays inside the documented ranges
/// (`STATUS_WAIT_63` = 0x3F, `STATUS_ABANDONED_WAIT_63` = 0xBF).
pub(super) fn indexed(base: NtStatus, index: usize) -> NtStatus {
    // The caller bounds `index` by MAXIMUM_WAIT_OBJECTS (64); saturate rather than wrap
    // should that ever be violated.
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    NtStatus::from_u32(base.as_u32().saturating_add(index))
}
