//! The NTSTATUS codes the object manager returns, in one place.
//!
//! They come from `ntdef`; this list names the ones the object manager uses.

pub use ntdef::status::{
    STATUS_ACCESS_DENIED, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL,
    STATUS_HANDLE_NOT_CLOSABLE, STATUS_INFO_LENGTH_MISMATCH, STATUS_INSUFFICIENT_RESOURCES,
    STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER,
    STATUS_MORE_ENTRIES, STATUS_NAME_TOO_LONG, STATUS_NOT_IMPLEMENTED, STATUS_NO_MEMORY,
    STATUS_NO_MORE_ENTRIES, STATUS_OBJECT_NAME_COLLISION, STATUS_OBJECT_NAME_EXISTS,
    STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND,
    STATUS_OBJECT_PATH_SYNTAX_BAD, STATUS_OBJECT_TYPE_MISMATCH, STATUS_PRIVILEGE_NOT_HELD,
    STATUS_REPARSE_POINT_ENCOUNTERED, STATUS_SUCCESS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_match_windows() {
        // The severity bits decide NT_SUCCESS in callers: a wrong nibble would turn a
        // warning into a success.
        assert!(STATUS_OBJECT_NAME_EXISTS.is_success());
        assert!(STATUS_OBJECT_NAME_EXISTS.is_information());
        assert!(STATUS_MORE_ENTRIES.is_success());
        assert!(STATUS_NO_MORE_ENTRIES.is_warning());
        assert!(STATUS_REPARSE_POINT_ENCOUNTERED.is_error());
        assert_eq!(STATUS_REPARSE_POINT_ENCOUNTERED.0, -1_073_740_533);
    }
}
