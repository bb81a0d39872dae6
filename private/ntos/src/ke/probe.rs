//! Checking user-mode addresses handed to system services, as Windows' `ProbeForRead`
//! / `ProbeForWrite` do: alignment first (`STATUS_DATATYPE_MISALIGNMENT`), then the
//! range (`STATUS_ACCESS_VIOLATION` for anything reaching the system range). Whether
//! the pages are mapped is decided when the executive copies (also an access
//! violation).

use core::marker::PhantomData;
pub use ntdef::status::STATUS_DATATYPE_MISALIGNMENT;
use ntdef::status::{NtStatus, STATUS_ACCESS_VIOLATION};
use ntsvc::USER_LIMIT;

/// Checks `len` bytes at `addr` with alignment `align`. An empty range passes (Windows
/// probes nothing for zero lengths).
pub fn probe(addr: usize, len: usize, align: usize) -> Result<(), NtStatus> {
    if len == 0 {
        return Ok(());
    }
    if align > 1 && addr % align != 0 {
        return Err(STATUS_DATATYPE_MISALIGNMENT);
    }
    match addr.checked_add(len) {
        Some(end) if end <= USER_LIMIT && addr != 0 => Ok(()),
        _ => Err(STATUS_ACCESS_VIOLATION),
    }
}

/// A user-mode address of a `T`, checked by [`probe`] (never dereferenced directly:
/// the executive copies through its shadow mappings).
#[derive(Debug)]
pub struct UserPtr<T> {
    addr: usize,
    _t: PhantomData<*const T>,
}

impl<T> Clone for UserPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for UserPtr<T> {}

impl<T> UserPtr<T> {
    /// A required pointer: NULL faults as the access would.
    pub fn required(addr: usize) -> Result<Self, NtStatus> {
        probe(addr, size_of::<T>().max(1), align_of::<T>())?;
        Ok(UserPtr {
            addr,
            _t: PhantomData,
        })
    }

    /// An optional pointer: NULL is `None`.
    pub fn optional(addr: usize) -> Result<Option<Self>, NtStatus> {
        if addr == 0 {
            Ok(None)
        } else {
            Self::required(addr).map(Some)
        }
    }

    pub fn addr(self) -> usize {
        self.addr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_follows_windows() {
        assert_eq!(probe(0, 0, 4), Ok(()));
        assert_eq!(probe(0, 4, 4), Err(STATUS_ACCESS_VIOLATION));
        assert_eq!(probe(0x1002, 4, 4), Err(STATUS_DATATYPE_MISALIGNMENT));
        assert_eq!(probe(0x1000, 4, 4), Ok(()));
        assert_eq!(probe(USER_LIMIT - 4, 4, 4), Ok(()));
        assert_eq!(probe(USER_LIMIT - 4, 8, 4), Err(STATUS_ACCESS_VIOLATION));
        assert_eq!(probe(usize::MAX - 3, 8, 4), Err(STATUS_ACCESS_VIOLATION));
    }

    #[test]
    fn user_pointers() {
        assert_eq!(
            UserPtr::<u32>::required(0).unwrap_err(),
            STATUS_ACCESS_VIOLATION
        );
        assert!(UserPtr::<u32>::optional(0).unwrap().is_none());
        // Host tests run on x86_64, where a u64 is 8-aligned.
        assert_eq!(
            UserPtr::<u64>::required(0x1004).unwrap_err(),
            STATUS_DATATYPE_MISALIGNMENT
        );
        assert_eq!(UserPtr::<u32>::required(0x2000).unwrap().addr(), 0x2000);
    }
}
