//! The pure parts of the `Rtl*Registry*` routines: which key a `RelativeTo` and a path
//! name, how `RTL_QUERY_REGISTRY_DIRECT` stores data, default lengths and the splitting
//! of `REG_MULTI_SZ` values.
//!
//! Facts (the WDK pages of `RtlQueryRegistryValues`, `RTL_QUERY_REGISTRY_TABLE` and
//! `RtlWriteRegistryValue`; ReactOS' `sdk/lib/rtl/registry.c` behaves the same):
//! `RelativeTo` is one of `RTL_REGISTRY_ABSOLUTE` (0), `SERVICES` (1), `CONTROL` (2),
//! `WINDOWS_NT` (3), `DEVICEMAP` (4), `USER` (5), optionally with
//! `RTL_REGISTRY_OPTIONAL` (ignored), or `RTL_REGISTRY_HANDLE` with a key handle as
//! "path"; anything else is `STATUS_INVALID_PARAMETER`. The relative forms prefix
//! their key and a separator to the path; a path starting with `\` there has that
//! separator dropped. `USER` is the current user's key, `\Registry\User\.Default`
//! when there is no user (Nereid has no tokens, so always that).

use ntdef::status::{NtStatus, STATUS_INVALID_PARAMETER};

pub const RTL_REGISTRY_ABSOLUTE: u32 = 0;
pub const RTL_REGISTRY_SERVICES: u32 = 1;
pub const RTL_REGISTRY_CONTROL: u32 = 2;
pub const RTL_REGISTRY_WINDOWS_NT: u32 = 3;
pub const RTL_REGISTRY_DEVICEMAP: u32 = 4;
pub const RTL_REGISTRY_USER: u32 = 5;
pub const RTL_REGISTRY_MAXIMUM: u32 = 6;
pub const RTL_REGISTRY_HANDLE: u32 = 0x4000_0000;
pub const RTL_REGISTRY_OPTIONAL: u32 = 0x8000_0000;

pub const RTL_QUERY_REGISTRY_SUBKEY: u32 = 0x01;
pub const RTL_QUERY_REGISTRY_TOPKEY: u32 = 0x02;
pub const RTL_QUERY_REGISTRY_REQUIRED: u32 = 0x04;
pub const RTL_QUERY_REGISTRY_NOVALUE: u32 = 0x08;
pub const RTL_QUERY_REGISTRY_NOEXPAND: u32 = 0x10;
pub const RTL_QUERY_REGISTRY_DIRECT: u32 = 0x20;
pub const RTL_QUERY_REGISTRY_DELETE: u32 = 0x40;

pub const REG_NONE: u32 = 0;
pub const REG_SZ: u32 = 1;
pub const REG_EXPAND_SZ: u32 = 2;
pub const REG_BINARY: u32 = 3;
pub const REG_MULTI_SZ: u32 = 7;

/// Where a `RelativeTo` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// `RTL_REGISTRY_HANDLE`: the path argument is an open key.
    Handle,
    /// The path is appended to this prefix (empty for `RTL_REGISTRY_ABSOLUTE`).
    Prefix(&'static str),
}

/// The key `RelativeTo` names, or `STATUS_INVALID_PARAMETER`.
pub fn base(relative_to: u32) -> Result<Base, NtStatus> {
    if relative_to & RTL_REGISTRY_HANDLE != 0 {
        return Ok(Base::Handle);
    }
    Ok(Base::Prefix(match relative_to & !RTL_REGISTRY_OPTIONAL {
        RTL_REGISTRY_ABSOLUTE => "",
        RTL_REGISTRY_SERVICES => "\\Registry\\Machine\\System\\CurrentControlSet\\Services",
        RTL_REGISTRY_CONTROL => "\\Registry\\Machine\\System\\CurrentControlSet\\Control",
        RTL_REGISTRY_WINDOWS_NT => {
            "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion"
        }
        RTL_REGISTRY_DEVICEMAP => "\\Registry\\Machine\\Hardware\\DeviceMap",
        RTL_REGISTRY_USER => "\\Registry\\User\\.Default",
        _ => return Err(STATUS_INVALID_PARAMETER),
    }))
}

/// Writes the full key name for `prefix` and `path` into `out`; returns its length, or
/// `None` when it does not fit.
pub fn full_path(prefix: &str, path: &[u16], out: &mut [u16]) -> Option<usize> {
    let mut len = 0;
    let mut push = |c: u16| -> Option<()> {
        *out.get_mut(len)? = c;
        len += 1;
        Some(())
    };
    let mut path = path;
    if !prefix.is_empty() {
        for c in prefix.encode_utf16() {
            push(c)?;
        }
        push(u16::from(b'\\'))?;
        if path.first() == Some(&u16::from(b'\\')) {
            path = &path[1..];
        }
    }
    for &c in path {
        push(c)?;
    }
    Some(len)
}

/// The bytes of a default value whose `DefaultLength` is 0: a string up to and with
/// its NUL, a multi-string up to and with its final empty string; other types have
/// no data. `data` is the longest the caller's default could be read.
pub fn default_length(ty: u32, data: &[u16]) -> usize {
    match ty {
        REG_SZ | REG_EXPAND_SZ => (data.iter().position(|&c| c == 0).unwrap_or(data.len()) + 1) * 2,
        REG_MULTI_SZ => {
            let mut at = 0;
            while at < data.len() && data[at] != 0 {
                at += data[at..]
                    .iter()
                    .position(|&c| c == 0)
                    .unwrap_or(data.len() - at)
                    + 1;
            }
            (at + 1) * 2
        }
        _ => 0,
    }
}

/// The strings of a `REG_MULTI_SZ` value, each with its NUL (as the query routine sees
/// them, `REG_SZ` with the length including the terminator), stopping at the empty
/// string that ends the value or at its end. A last string without NUL is delivered
/// as it is.
pub fn multi_sz(data: &[u16]) -> impl Iterator<Item = &[u16]> {
    let mut rest = data;
    core::iter::from_fn(move || {
        if rest.first().is_none_or(|&c| c == 0) {
            return None;
        }
        let end = rest
            .iter()
            .position(|&c| c == 0)
            .map_or(rest.len(), |i| i + 1);
        let (s, r) = rest.split_at(end);
        rest = r;
        Some(s)
    })
}

/// How `RTL_QUERY_REGISTRY_DIRECT` stores non-string data of `len` bytes in a buffer
/// whose first LONG is `first` (WDK `RTL_QUERY_REGISTRY_TABLE`): up to 4 bytes go
/// straight to the buffer; otherwise a negative `first` is the buffer size for the
/// bare data, a positive one the size for a `(length, type, data)` record — except for
/// `REG_BINARY`, stored bare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direct {
    /// Copy the data to the start of the buffer.
    Bare,
    /// Write the length and type ULONGs, then the data.
    Record,
}

pub fn direct_layout(ty: u32, len: usize, first: i32) -> Result<Direct, NtStatus> {
    let too_small = ntdef::status::STATUS_BUFFER_TOO_SMALL;
    if len <= 4 {
        Ok(Direct::Bare)
    } else if first < 0 {
        if (first.unsigned_abs() as usize) < len {
            Err(too_small)
        } else {
            Ok(Direct::Bare)
        }
    } else if ty == REG_BINARY {
        Ok(Direct::Bare)
    } else if (first as usize) < 8 + len {
        Err(too_small)
    } else {
        Ok(Direct::Record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn path(relative_to: u32, p: &str) -> Result<String, NtStatus> {
        match base(relative_to)? {
            Base::Handle => Ok("<handle>".into()),
            Base::Prefix(prefix) => {
                let mut out = [0u16; 200];
                let len = full_path(prefix, &w(p), &mut out).unwrap();
                Ok(String::from_utf16_lossy(&out[..len]))
            }
        }
    }

    #[test]
    fn relative_to() {
        assert_eq!(
            path(0, "\\Registry\\Machine").unwrap(),
            "\\Registry\\Machine"
        );
        assert_eq!(
            path(1, "Beep").unwrap(),
            "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Beep"
        );
        assert_eq!(
            path(1, "\\Beep").unwrap(),
            "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Beep"
        );
        assert_eq!(
            path(RTL_REGISTRY_OPTIONAL | 2, "x").unwrap(),
            "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\x"
        );
        assert!(path(3, "")
            .unwrap()
            .ends_with("Windows NT\\CurrentVersion\\"));
        assert_eq!(
            path(4, "a").unwrap(),
            "\\Registry\\Machine\\Hardware\\DeviceMap\\a"
        );
        assert_eq!(path(5, "a").unwrap(), "\\Registry\\User\\.Default\\a");
        assert_eq!(path(RTL_REGISTRY_HANDLE | 7, "").unwrap(), "<handle>");
        assert_eq!(path(6, "a"), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(path(0x100, "a"), Err(STATUS_INVALID_PARAMETER));
        let mut small = [0u16; 4];
        assert_eq!(full_path("\\abc", &w("d"), &mut small), None);
        assert_eq!(full_path("", &w("abcd"), &mut small), Some(4));
    }

    #[test]
    fn default_lengths() {
        assert_eq!(default_length(REG_SZ, &w("abc\0zz")), 8);
        assert_eq!(default_length(REG_EXPAND_SZ, &w("\0")), 2);
        assert_eq!(default_length(REG_MULTI_SZ, &w("a\0bc\0\0x")), 12);
        assert_eq!(default_length(REG_MULTI_SZ, &w("\0\0")), 2);
        assert_eq!(default_length(4, &w("abc")), 0);
    }

    #[test]
    fn multi_strings() {
        let d = w("a\0bc\0\0");
        let v: Vec<&[u16]> = multi_sz(&d).collect();
        assert_eq!(v, [&w("a\0")[..], &w("bc\0")[..]]);
        assert_eq!(multi_sz(&w("\0\0")).count(), 0);
        assert_eq!(multi_sz(&[]).count(), 0);
        let ab = w("ab");
        let v: Vec<&[u16]> = multi_sz(&ab).collect();
        assert_eq!(v, [&w("ab")[..]]);
    }

    #[test]
    fn direct_layouts() {
        assert_eq!(direct_layout(4, 4, 0), Ok(Direct::Bare));
        assert_eq!(direct_layout(11, 8, -8), Ok(Direct::Bare));
        assert_eq!(
            direct_layout(11, 8, -7),
            Err(ntdef::status::STATUS_BUFFER_TOO_SMALL)
        );
        assert_eq!(direct_layout(11, 8, 16), Ok(Direct::Record));
        assert_eq!(
            direct_layout(11, 8, 15),
            Err(ntdef::status::STATUS_BUFFER_TOO_SMALL)
        );
        assert_eq!(direct_layout(REG_BINARY, 8, 0), Ok(Direct::Bare));
    }
}
