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
    STATUS_ABANDONED_WAIT_0 = 0x0000_0080,
    STATUS_USER_APC = 0x0000_00C0,
    STATUS_ALERTED = 0x0000_0101,
    STATUS_TIMEOUT = 0x0000_0102,
    STATUS_PENDING = 0x0000_0103,
    STATUS_REPARSE = 0x0000_0104,
    STATUS_MORE_ENTRIES = 0x0000_0105,
    STATUS_OBJECT_NAME_EXISTS = 0x4000_0000,
    STATUS_IMAGE_NOT_AT_BASE = 0x4000_0003,
    STATUS_GUARD_PAGE_VIOLATION = 0x8000_0001,
    STATUS_DATATYPE_MISALIGNMENT = 0x8000_0002,
    STATUS_BREAKPOINT = 0x8000_0003,
    STATUS_SINGLE_STEP = 0x8000_0004,
    STATUS_BUFFER_OVERFLOW = 0x8000_0005,
    STATUS_NO_MORE_FILES = 0x8000_0006,
    STATUS_PARTIAL_COPY = 0x8000_000D,
    STATUS_NO_MORE_ENTRIES = 0x8000_001A,
    STATUS_UNSUCCESSFUL = 0xC000_0001,
    STATUS_NOT_IMPLEMENTED = 0xC000_0002,
    STATUS_INVALID_INFO_CLASS = 0xC000_0003,
    STATUS_INFO_LENGTH_MISMATCH = 0xC000_0004,
    STATUS_ACCESS_VIOLATION = 0xC000_0005,
    STATUS_INVALID_HANDLE = 0xC000_0008,
    STATUS_INVALID_CID = 0xC000_000B,
    STATUS_INVALID_PARAMETER = 0xC000_000D,
    STATUS_NO_SUCH_FILE = 0xC000_000F,
    STATUS_INVALID_DEVICE_REQUEST = 0xC000_0010,
    STATUS_END_OF_FILE = 0xC000_0011,
    STATUS_NO_MEMORY = 0xC000_0017,
    STATUS_CONFLICTING_ADDRESSES = 0xC000_0018,
    STATUS_NOT_MAPPED_VIEW = 0xC000_0019,
    STATUS_UNABLE_TO_FREE_VM = 0xC000_001A,
    STATUS_UNABLE_TO_DELETE_SECTION = 0xC000_001B,
    STATUS_INVALID_SYSTEM_SERVICE = 0xC000_001C,
    STATUS_ILLEGAL_INSTRUCTION = 0xC000_001D,
    STATUS_INVALID_VIEW_SIZE = 0xC000_001F,
    STATUS_INVALID_FILE_FOR_SECTION = 0xC000_0020,
    STATUS_ALREADY_COMMITTED = 0xC000_0021,
    STATUS_ACCESS_DENIED = 0xC000_0022,
    STATUS_BUFFER_TOO_SMALL = 0xC000_0023,
    STATUS_OBJECT_TYPE_MISMATCH = 0xC000_0024,
    STATUS_NOT_COMMITTED = 0xC000_002D,
    STATUS_INVALID_PARAMETER_MIX = 0xC000_0030,
    STATUS_OBJECT_NAME_INVALID = 0xC000_0033,
    STATUS_OBJECT_NAME_NOT_FOUND = 0xC000_0034,
    STATUS_OBJECT_NAME_COLLISION = 0xC000_0035,
    STATUS_OBJECT_PATH_INVALID = 0xC000_0039,
    STATUS_OBJECT_PATH_NOT_FOUND = 0xC000_003A,
    STATUS_OBJECT_PATH_SYNTAX_BAD = 0xC000_003B,
    STATUS_SECTION_TOO_BIG = 0xC000_0040,
    STATUS_INVALID_PAGE_PROTECTION = 0xC000_0045,
    STATUS_MUTANT_NOT_OWNED = 0xC000_0046,
    STATUS_SEMAPHORE_LIMIT_EXCEEDED = 0xC000_0047,
    STATUS_SECTION_NOT_IMAGE = 0xC000_0049,
    STATUS_SUSPEND_COUNT_EXCEEDED = 0xC000_004A,
    STATUS_THREAD_IS_TERMINATING = 0xC000_004B,
    STATUS_SECTION_PROTECTION = 0xC000_004E,
    STATUS_PRIVILEGE_NOT_HELD = 0xC000_0061,
    STATUS_INVALID_IMAGE_FORMAT = 0xC000_007B,
    STATUS_SECTION_NOT_EXTENDED = 0xC000_0087,
    STATUS_INTEGER_OVERFLOW = 0xC000_0095,
    STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A,
    STATUS_FREE_VM_NOT_AT_BASE = 0xC000_009F,
    STATUS_MEMORY_NOT_ALLOCATED = 0xC000_00A0,
    STATUS_NOT_SUPPORTED = 0xC000_00BB,
    STATUS_INTERNAL_ERROR = 0xC000_00E5,
    STATUS_INVALID_PARAMETER_1 = 0xC000_00EF,
    STATUS_INVALID_PARAMETER_2 = 0xC000_00F0,
    STATUS_INVALID_PARAMETER_3 = 0xC000_00F1,
    STATUS_INVALID_PARAMETER_4 = 0xC000_00F2,
    STATUS_INVALID_PARAMETER_5 = 0xC000_00F3,
    STATUS_INVALID_PARAMETER_6 = 0xC000_00F4,
    STATUS_INVALID_PARAMETER_7 = 0xC000_00F5,
    STATUS_INVALID_PARAMETER_8 = 0xC000_00F6,
    STATUS_INVALID_PARAMETER_9 = 0xC000_00F7,
    STATUS_INVALID_PARAMETER_10 = 0xC000_00F8,
    STATUS_INVALID_PARAMETER_11 = 0xC000_00F9,
    STATUS_INVALID_PARAMETER_12 = 0xC000_00FA,
    STATUS_NAME_TOO_LONG = 0xC000_0106,
    STATUS_PROCESS_IS_TERMINATING = 0xC000_010A,
    STATUS_CANNOT_DELETE = 0xC000_0121,
    STATUS_COMMITMENT_LIMIT = 0xC000_012D,
    STATUS_INVALID_IMAGE_NOT_MZ = 0xC000_012F,
    STATUS_DLL_NOT_FOUND = 0xC000_0135,
    STATUS_ORDINAL_NOT_FOUND = 0xC000_0138,
    STATUS_ENTRYPOINT_NOT_FOUND = 0xC000_0139,
    STATUS_DLL_INIT_FAILED = 0xC000_0142,
    STATUS_KEY_DELETED = 0xC000_017C,
    STATUS_CHILD_MUST_BE_VOLATILE = 0xC000_0181,
    STATUS_MUTANT_LIMIT_EXCEEDED = 0xC000_0191,
    STATUS_MAPPED_ALIGNMENT = 0xC000_0220,
    STATUS_NOT_FOUND = 0xC000_0225,
    STATUS_HANDLE_NOT_CLOSABLE = 0xC000_0235,
    STATUS_REPARSE_POINT_NOT_RESOLVED = 0xC000_0280,
    STATUS_REPARSE_POINT_ENCOUNTERED = 0xC000_050B,
}

/// `STATUS_WAIT_0` is `STATUS_SUCCESS` under the name wait results use
/// (`STATUS_WAIT_0 + index` for WaitAny).
pub const STATUS_WAIT_0: NtStatus = STATUS_SUCCESS;

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
        assert_eq!(STATUS_OBJECT_NAME_NOT_FOUND.as_u32(), 0xC000_0034);
        assert_eq!(STATUS_INVALID_PARAMETER_12.as_u32(), 0xC000_00FA);
        assert_eq!(STATUS_WAIT_0, STATUS_SUCCESS);
    }

    #[test]
    fn every_named_code_is_distinct() {
        for (i, (a, name_a)) in KNOWN.iter().enumerate() {
            for (b, name_b) in &KNOWN[i + 1..] {
                assert_ne!(a, b, "{name_a} and {name_b} share a value");
            }
        }
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
