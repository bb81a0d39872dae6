//! `\SystemRoot` until file systems exist: the boot archive, read-only.
//!
//! `C:\Nereid` is the system root the environment reports; its files are the boot
//! archive's. `\??\C:\Nereid\<name>`, `\SystemRoot\<name>` and the same under
//! `System32\` name them case-insensitively (NT names are); any other directory is
//! `STATUS_OBJECT_PATH_NOT_FOUND`. The I/O manager and FAT replace this with real
//! files; process creation (`ex::procsvc`) is its only user.

use alloc::string::String;
use ntdef::status::{NtStatus, STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_PATH_NOT_FOUND};

/// The boot archive file an NT path names, by its archive name.
pub fn image_name(path: &[u16]) -> Result<String, NtStatus> {
    let text: String = char::decode_utf16(path.iter().copied())
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    let (dir, name) = text.rsplit_once('\\').ok_or(STATUS_OBJECT_PATH_NOT_FOUND)?;
    if name.is_empty() || name.contains(['/', ':', '*', '?', '"', '<', '>', '|']) {
        return Err(STATUS_OBJECT_NAME_INVALID);
    }
    let known = [
        "\\??\\C:\\Nereid",
        "\\??\\C:\\Nereid\\System32",
        "\\SystemRoot",
        "\\SystemRoot\\System32",
        "\\DosDevices\\C:\\Nereid",
        "\\GLOBAL??\\C:\\Nereid",
    ];
    if known.iter().any(|k| k.eq_ignore_ascii_case(dir)) {
        Ok(String::from(name))
    } else {
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    }
}

/// The boot archive's file `name` (empty archive: nothing).
#[cfg(ntos_bare)]
pub fn boot_file(name: &str) -> Option<&'static [u8]> {
    bootarc::Archive::parse(super::init::BOOT_ARCHIVE)
        .ok()?
        .get(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn image_names_resolve_to_the_boot_archive() {
        assert_eq!(
            image_name(&w("\\??\\C:\\Nereid\\hello.exe")).as_deref(),
            Ok("hello.exe")
        );
        assert_eq!(
            image_name(&w("\\??\\c:\\nereid\\HELLO.EXE")).as_deref(),
            Ok("HELLO.EXE")
        );
        assert_eq!(
            image_name(&w("\\SystemRoot\\System32\\smss.exe")).as_deref(),
            Ok("smss.exe")
        );
        assert_eq!(
            image_name(&w("\\??\\D:\\x.exe")),
            Err(STATUS_OBJECT_PATH_NOT_FOUND)
        );
        assert_eq!(
            image_name(&w("hello.exe")),
            Err(STATUS_OBJECT_PATH_NOT_FOUND)
        );
        assert_eq!(
            image_name(&w("\\??\\C:\\Nereid\\")),
            Err(STATUS_OBJECT_NAME_INVALID)
        );
        assert_eq!(
            image_name(&w("\\??\\C:\\Nereid\\a?.exe")),
            Err(STATUS_OBJECT_NAME_INVALID)
        );
    }
}
