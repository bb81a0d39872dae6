//! The status codes the dispatcher returns, from `ntdef`, and wait-result arithmetic.

pub use ntdef::status::{
    STATUS_ABANDONED_WAIT_0, STATUS_ALERTED, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_HANDLE,
    STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_MIX, STATUS_MUTANT_LIMIT_EXCEEDED,
    STATUS_MUTANT_NOT_OWNED, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SEMAPHORE_LIMIT_EXCEEDED,
    STATUS_TIMEOUT, STATUS_USER_APC, STATUS_WAIT_0,
};
use ntdef::NtStatus;

/// `STATUS_WAIT_0 + index` or `STATUS_ABANDONED_WAIT_0 + index`. `index` is below
/// [`super::MAXIMUM_WAIT_OBJECTS`], so the sum stays inside the documented ranges
/// (`STATUS_WAIT_63` = 0x3F, `STATUS_ABANDONED_WAIT_63` = 0xBF).
pub(super) fn indexed(base: NtStatus, index: usize) -> NtStatus {
    // The caller bounds `index` by MAXIMUM_WAIT_OBJECTS (64); saturate rather than wrap
    // should that ever be violated.
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    NtStatus::from_u32(base.as_u32().saturating_add(index))
}
