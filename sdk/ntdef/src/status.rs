//! NTSTATUS: the 32-bit result every NT service and most Rtl routines return.
//!
//! Bits 31..30 are the severity (0 success, 1 informational, 2 warning, 3 error), bit 29
//! marks customer codes, bits 27..16 the facility and 15..0 the code. The values below
//! are Windows' own; programs compare against them, so they must never be renumbered.

use core::fmt;

/// An NTSTATUS value. `#[repr(transparent)]` over `i32`, so it is the `NTSTATUS` of the
/// ABI and can be returned from `extern "system"` functions as is.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NtStatus(pub i32);

/// The Windows spelling, for signatures at the ABI edge.
pub type NTSTATUS = NtStatus;

impl NtStatus {
    /// Builds a status from its customary unsigned hexadecimal spelling.
    pub const fn from_u32(code: u32) -> Self {
        Self(code as i32)
    }

    /// The value as the unsigned hexadecimal number the documentation uses.
    pub const fn as_u32(self) -> u32 {
        self.0 as u32
    }

    /// `NT_SUCCESS`: success and informational codes. Warnings (such as
    /// [`STATUS_BUFFER_OVERFLOW`]) are *not* successes.
    pub const fn is_success(self) -> bool {
        self.0 >= 0
    }

    /// `NT_INFORMATION`.
    pub const fn is_information(self) -> bool {
        self.as_u32() >> 30 == 1
    }

    /// `NT_WARNING`.
    pub const fn is_warning(self) -> bool {
        self.as_u32() >> 30 == 2
    }

    /// `NT_ERROR`.
    pub const fn is_error(self) -> bool {
        self.as_u32() >> 30 == 3
    }

    /// Maps the Rust result of an Rtl operation to the status the ABI returns.
    pub fn from_result(result: Result<(), NtStatus>) -> Self {
        match result {
            Ok(()) => STATUS_SUCCESS,
            Err(status) => status,
        }
    }

    /// The Windows name of the code, for the codes this crate defines.
    pub fn name(self) -> Option<&'static str> {
        KNOWN.iter().find(|(s, _)| *s == self).map(|(_, n)| *n)
    }
}

impl fmt::Debug for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#010x})", self.as_u32()),
            None => write!(f, "NTSTATUS({:#010x})", self.as_u32()),
        }
    }
}

impl fmt::Display for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

macro_rules! codes {
    ($($name:ident = $value:literal,)*) => {
        $(pub const $name: NtStatus = NtStatus::from_u32($value);)*
        const KNOWN: &[(NtStatus, &str)] = &[$(($name, stringify!($name)),)*];
    };
}

codes! {
    STATUS_SUCCESS = 0x0000_0000,
    STATUS_BUFFER_OVERFLOW = 0x8000_0005,
    STATUS_UNSUCCESSFUL = 0xC000_0001,
    STATUS_NOT_IMPLEMENTED = 0xC000_0002,
    STATUS_ACCESS_VIOLATION = 0xC000_0005,
    STATUS_INVALID_PARAMETER = 0xC000_000D,
    STATUS_NO_MEMORY = 0xC000_0017,
    STATUS_BUFFER_TOO_SMALL = 0xC000_0023,
    STATUS_INTEGER_OVERFLOW = 0xC000_0095,
    STATUS_INVALID_PARAMETER_1 = 0xC000_00EF,
    STATUS_INVALID_PARAMETER_2 = 0xC000_00F0,
    STATUS_INVALID_PARAMETER_3 = 0xC000_00F1,
    STATUS_NAME_TOO_LONG = 0xC000_0106,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_classes() {
        assert!(STATUS_SUCCESS.is_success());
        assert!(!STATUS_BUFFER_OVERFLOW.is_success());
        assert!(STATUS_BUFFER_OVERFLOW.is_warning());
        assert!(!STATUS_BUFFER_OVERFLOW.is_error());
        assert!(STATUS_NO_MEMORY.is_error());
        assert!(!STATUS_NO_MEMORY.is_success());
        assert!(NtStatus::from_u32(0x4000_0000).is_information());
        assert!(NtStatus::from_u32(0x4000_0000).is_success());
    }

    #[test]
    fn values_are_windows_values() {
        assert_eq!(STATUS_BUFFER_TOO_SMALL.0, -1_073_741_789);
        assert_eq!(STATUS_INVALID_PARAMETER.as_u32(), 0xC000_000D);
        assert_eq!(STATUS_NAME_TOO_LONG.as_u32(), 0xC000_0106);
    }

    #[test]
    fn debug_names_known_codes() {
        extern crate std;
        use std::format;
        assert_eq!(
            format!("{:?}", STATUS_NO_MEMORY),
            "STATUS_NO_MEMORY (0xc0000017)"
        );
        assert_eq!(
            format!("{:?}", NtStatus::from_u32(0xC000_0999)),
            "NTSTATUS(0xc0000999)"
        );
        assert_eq!(
            NtStatus::from_result(Err(STATUS_NO_MEMORY)),
            STATUS_NO_MEMORY
        );
        assert_eq!(NtStatus::from_result(Ok(())), STATUS_SUCCESS);
    }
}
