//! The boot archive: the files the executive carries inside its own image (seL4 loads
//! only the first multiboot module), written by xtask, read by the executive.
//!
//! A format of our own because it needs five lines of reading: no directories, no
//! permissions, no timestamps, no alignment games, and a reader that cannot be made to
//! read out of bounds. Layout (all integers little-endian):
//!
//! ```text
//! "NBA1"                         magic
//! repeated: u16 name length, u32 data length, name bytes (UTF-8), data bytes
//! ```
//!
//! The archive ends where the bytes end. An empty byte string is an empty archive.
//! The boot configuration is the entry [`CONFIG_NAME`]: text lines `key=value`;
//! `start=<file> [arguments]` names a program to run (in order; several lines allowed;
//! `start=async <file>` does not wait for it before the next one), and
//! `session=<file>` the session manager that runs them (the executive starts only it,
//! handing it the `start=` list; without one the executive runs the list itself).
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

pub const MAGIC: &[u8; 4] = b"NBA1";
/// The boot configuration entry.
pub const CONFIG_NAME: &str = "boot.ini";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveError {
    BadMagic,
    /// An entry runs past the end of the archive.
    Truncated {
        offset: usize,
    },
    BadName {
        offset: usize,
    },
}

/// One file of the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
}

/// A checked archive.
#[derive(Clone, Copy, Debug)]
pub struct Archive<'a> {
    body: &'a [u8],
}

impl<'a> Archive<'a> {
    /// Checks the whole archive once; iteration can then not fail.
    pub fn parse(bytes: &'a [u8]) -> Result<Archive<'a>, ArchiveError> {
        if bytes.is_empty() {
            return Ok(Archive { body: &[] });
        }
        let body = bytes.strip_prefix(MAGIC).ok_or(ArchiveError::BadMagic)?;
        let mut offset = 0;
        while offset < body.len() {
            let (entry, next) = entry_at(body, offset)?;
            let _ = entry;
            offset = next;
        }
        Ok(Archive { body })
    }

    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let body = self.body;
        let mut offset = 0;
        core::iter::from_fn(move || {
            let (e, next) = entry_at(body, offset).ok()?;
            offset = next;
            Some(e)
        })
    }

    /// The file called `name` (case-insensitive, as NT names are).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.entries()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .map(|e| e.data)
    }

    /// The values of the configuration's `key=` lines, in order (blank ones skipped).
    pub fn config_values(&self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let config = self
            .get(CONFIG_NAME)
            .and_then(|c| core::str::from_utf8(c).ok())
            .unwrap_or("");
        config.lines().filter_map(move |l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key && !v.trim().is_empty()).then(|| v.trim())
        })
    }

    /// The `start=` programs of the boot configuration, in order.
    pub fn start_programs(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.config_values("start")
    }

    /// The `session=` program (the first such line), if any.
    pub fn session(&self) -> Option<&'a str> {
        self.config_values("session").next()
    }
}

fn entry_at(body: &[u8], offset: usize) -> Result<(Entry<'_>, usize), ArchiveError> {
    let truncated = ArchiveError::Truncated { offset };
    let head = body.get(offset..offset + 6).ok_or(truncated)?;
    let name_len = usize::from(u16::from_le_bytes([head[0], head[1]]));
    let data_len = u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as usize;
    let name_end = (offset + 6).checked_add(name_len).ok_or(truncated)?;
    let data_end = name_end.checked_add(data_len).ok_or(truncated)?;
    let name = body.get(offset + 6..name_end).ok_or(truncated)?;
    let data = body.get(name_end..data_end).ok_or(truncated)?;
    let name = core::str::from_utf8(name).map_err(|_| ArchiveError::BadName { offset })?;
    Ok((Entry { name, data }, data_end))
}

/// Writes an archive of `entries` (the host side, xtask).
pub fn write(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::from(&MAGIC[..]);
    for (name, data) in entries {
        let name_len = u16::try_from(name.len()).expect("file name over 64 KiB");
        let data_len = u32::try_from(data.len()).expect("file over 4 GiB");
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&data_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_config() {
        let a = write(&[
            (
                "boot.ini",
                b"# comment\nstart=hello.exe\nstart = c.exe\nsession=smss.exe\n",
            ),
            ("HELLO.EXE", b"MZ..."),
        ]);
        let arc = Archive::parse(&a).unwrap();
        assert_eq!(arc.entries().count(), 2);
        assert_eq!(arc.get("hello.exe"), Some(&b"MZ..."[..]));
        assert_eq!(arc.get("missing"), None);
        let starts: Vec<&str> = arc.start_programs().collect();
        assert_eq!(starts, ["hello.exe", "c.exe"]);
        assert_eq!(arc.session(), Some("smss.exe"));
        let plain = write(&[("boot.ini", b"start=a.exe\n")]);
        assert_eq!(Archive::parse(&plain).unwrap().session(), None);
    }

    #[test]
    fn empty_and_corrupt_archives() {
        assert_eq!(Archive::parse(b"").unwrap().entries().count(), 0);
        assert_eq!(Archive::parse(b"XXXX").unwrap_err(), ArchiveError::BadMagic);
        let mut a = write(&[("f", b"1234")]);
        a.pop();
        assert_eq!(
            Archive::parse(&a).unwrap_err(),
            ArchiveError::Truncated { offset: 0 }
        );
        // A huge length cannot make the reader overflow or read out of bounds.
        let mut b = Vec::from(&MAGIC[..]);
        b.extend_from_slice(&[1, 0, 0xFF, 0xFF, 0xFF, 0xFF, b'x']);
        assert!(Archive::parse(&b).is_err());
    }
}
