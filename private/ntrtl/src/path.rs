//! DOS path names to NT path names: the logic of `RtlDosPathNameToNtPathName_U`.
//!
//! The forms, as Microsoft's "Naming Files, Paths, and Namespaces" and
//! `GetFullPathNameW` document them:
//!
//! | DOS name | NT name |
//! |---|---|
//! | `C:\dir\file` (also with `/`) | `\??\C:\dir\file`, normalized |
//! | `\\server\share\file` (UNC) | `\??\UNC\server\share\file`, normalized |
//! | `\\.\device\x` | `\??\device\x`, normalized |
//! | `\\?\anything` | `\??\anything`, verbatim (no normalization, `/` kept) |
//! | `\??\anything` | unchanged |
//! | `file`, `dir\file` (relative) | current directory + name, normalized |
//! | `\dir\file` (rooted) | drive (or `\\server\share`) of the current directory + name |
//! | `D:file` (drive-relative) | the current directory if it is on `D:`, else `D:\` + name |
//!
//! Normalization: `/` becomes `\`, repeated separators collapse, `.` components go,
//! `..` removes the previous component but never the root (`C:`, `server\share`, or the
//! device name), and trailing dots and spaces of the last component are removed. A
//! trailing separator is kept. Without a current directory, relative and rooted names
//! cannot be converted (Windows fails them too when its current directory is unset).
//!
//! Not done (Nereid): DOS device names inside paths (`C:\dir\NUL` → `\??\NUL`), the
//! per-drive current directories of the environment (`=D:`), and the relative-name
//! result (`RTL_RELATIVE_NAME_U`) for a current-directory handle.

const SEP: u16 = b'\\' as u16;

fn is_sep(c: u16) -> bool {
    c == SEP || c == b'/' as u16
}

fn is_letter(c: u16) -> bool {
    (b'A' as u16..=b'Z' as u16).contains(&c) || (b'a' as u16..=b'z' as u16).contains(&c)
}

fn starts_with(s: &[u16], p: &str) -> bool {
    s.len() >= p.len() && s.iter().zip(p.bytes()).all(|(&a, b)| a == b as u16)
}

/// Why a name could not be converted (Windows returns FALSE for all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The name is empty.
    Empty,
    /// A relative or rooted name, and no usable current directory.
    NoCurrentDirectory,
    /// The output buffer is too small (see [`max_nt_len`]).
    BufferTooSmall,
}

/// The converted name: its length in `WCHAR`s and where its last component starts
/// (`None` when the name ends with a separator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NtPath {
    pub len: usize,
    pub file_part: Option<usize>,
}

/// Characters enough for the NT name of `dos` given current directory `cwd`.
pub fn max_nt_len(dos: &[u16], cwd: Option<&[u16]>) -> usize {
    // `\??\UNC\` or `\??\` + `X:\`, the current directory, a separator, the name.
    8 + 3 + cwd.map_or(0, <[u16]>::len) + 1 + dos.len()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Drive,
    Unc,
    Device,
}

/// An absolute DOS name split into kind, root (`C:`, `server\share` or the device
/// name) and the rest after the root's separator.
fn split_absolute(p: &[u16]) -> Option<(Kind, &[u16], &[u16])> {
    if p.len() >= 3 && is_letter(p[0]) && p[1] == b':' as u16 && is_sep(p[2]) {
        return Some((Kind::Drive, &p[..2], &p[3..]));
    }
    if p.len() >= 2 && is_sep(p[0]) && is_sep(p[1]) {
        let dotted = p.len() >= 3 && p[2] == b'.' as u16 && (p.len() == 3 || is_sep(p[3]));
        if dotted {
            let rest = p.get(4..).unwrap_or(&[]);
            let end = rest.iter().position(|&c| is_sep(c)).unwrap_or(rest.len());
            return Some((
                Kind::Device,
                &rest[..end],
                rest.get(end + 1..).unwrap_or(&[]),
            ));
        }
        let rest = &p[2..];
        let server = rest.iter().position(|&c| is_sep(c)).unwrap_or(rest.len());
        let share = rest[(server + 1).min(rest.len())..]
            .iter()
            .position(|&c| is_sep(c))
            .map_or(rest.len(), |i| server + 1 + i);
        return Some((
            Kind::Unc,
            &rest[..share],
            rest.get(share + 1..).unwrap_or(&[]),
        ));
    }
    None
}

struct Out<'a> {
    buf: &'a mut [u16],
    pos: usize,
}

impl Out<'_> {
    fn push(&mut self, c: u16) -> Result<(), PathError> {
        *self
            .buf
            .get_mut(self.pos)
            .ok_or(PathError::BufferTooSmall)? = c;
        self.pos += 1;
        Ok(())
    }
    fn push_str(&mut self, s: &str) -> Result<(), PathError> {
        s.bytes().try_for_each(|b| self.push(b as u16))
    }
    /// Copies `s`, turning `/` into `\`.
    fn push_name(&mut self, s: &[u16]) -> Result<(), PathError> {
        s.iter()
            .try_for_each(|&c| self.push(if is_sep(c) { SEP } else { c }))
    }
}

/// Converts `dos` into `out`. See the module documentation.
pub fn dos_to_nt(dos: &[u16], cwd: Option<&[u16]>, out: &mut [u16]) -> Result<NtPath, PathError> {
    if dos.is_empty() {
        return Err(PathError::Empty);
    }
    let mut o = Out { buf: out, pos: 0 };
    if starts_with(dos, "\\\\?\\") || starts_with(dos, "\\??\\") {
        o.push_str("\\??\\")?;
        dos[4..].iter().try_for_each(|&c| o.push(c))?;
        let last = o.buf[..o.pos].iter().rposition(|&c| c == SEP).unwrap_or(0);
        let file_part = (last + 1 < o.pos && last >= 3).then_some(last + 1);
        return Ok(NtPath {
            len: o.pos,
            file_part,
        });
    }
    // The root and up to two sequences of components: the current directory's and the
    // name's.
    let cwd_parts = || {
        cwd.and_then(split_absolute)
            .filter(|(k, _, _)| *k != Kind::Device)
            .ok_or(PathError::NoCurrentDirectory)
    };
    let (kind, root, first, second): (Kind, &[u16], &[u16], &[u16]) =
        if let Some((k, root, rest)) = split_absolute(dos) {
            (k, root, &[], rest)
        } else if dos.len() >= 2 && is_letter(dos[0]) && dos[1] == b':' as u16 {
            let same_drive = cwd_parts()
                .ok()
                .filter(|(k, r, _)| *k == Kind::Drive && (r[0] | 0x20) == (dos[0] | 0x20));
            match same_drive {
                Some((_, root, rest)) => (Kind::Drive, root, rest, &dos[2..]),
                None => (Kind::Drive, &dos[..2], &[], &dos[2..]),
            }
        } else if is_sep(dos[0]) {
            let (k, root, _) = cwd_parts()?;
            (k, root, &[], &dos[1..])
        } else {
            let (k, root, rest) = cwd_parts()?;
            (k, root, rest, dos)
        };
    o.push_str(if kind == Kind::Unc {
        "\\??\\UNC\\"
    } else {
        "\\??\\"
    })?;
    o.push_name(root)?;
    let root_end = o.pos;
    let mut last_start = None;
    for part in first
        .split(|&c| is_sep(c))
        .chain(second.split(|&c| is_sep(c)))
    {
        match part {
            [] => {}
            [0x2E] => {}
            [0x2E, 0x2E] => {
                if o.pos > root_end {
                    o.pos = root_end
                        + o.buf[root_end..o.pos]
                            .iter()
                            .rposition(|&c| c == SEP)
                            .unwrap_or(0);
                }
                last_start = None;
            }
            name => {
                o.push(SEP)?;
                last_start = Some(o.pos);
                o.push_name(name)?;
            }
        }
    }
    let trailing = second.last().is_some_and(|&c| is_sep(c));
    if let (Some(start), false) = (last_start, trailing) {
        // Trailing dots and spaces of the last component, unless nothing else is left.
        let name = &o.buf[start..o.pos];
        if let Some(keep) = name
            .iter()
            .rposition(|&c| c != b'.' as u16 && c != b' ' as u16)
        {
            o.pos = start + keep + 1;
        }
    }
    let ends_in_sep = o.buf[..o.pos].last() == Some(&SEP);
    if !ends_in_sep && (trailing || (o.pos == root_end && kind == Kind::Drive)) {
        o.push(SEP)?;
    }
    let file_part = (o.pos > root_end && o.buf[o.pos - 1] != SEP)
        .then(|| {
            o.buf[..o.pos]
                .iter()
                .rposition(|&c| c == SEP)
                .map(|i| i + 1)
        })
        .flatten()
        .filter(|&i| i > root_end);
    Ok(NtPath {
        len: o.pos,
        file_part,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn nt(dos: &str, cwd: Option<&str>) -> Result<(String, Option<String>), PathError> {
        let dos = w(dos);
        let cwd = cwd.map(w);
        let mut out = vec![0u16; max_nt_len(&dos, cwd.as_deref())];
        let r = dos_to_nt(&dos, cwd.as_deref(), &mut out)?;
        let s = String::from_utf16(&out[..r.len]).unwrap();
        let file = r
            .file_part
            .map(|i| String::from_utf16(&out[i..r.len]).unwrap());
        Ok((s, file))
    }

    fn ok(dos: &str, cwd: Option<&str>) -> String {
        nt(dos, cwd).unwrap().0
    }

    #[test]
    fn drive_absolute() {
        assert_eq!(
            nt("C:\\x", None),
            Ok(("\\??\\C:\\x".into(), Some("x".into())))
        );
        assert_eq!(nt("C:\\", None), Ok(("\\??\\C:\\".into(), None)));
        assert_eq!(ok("c:/a//b/./c/../d", None), "\\??\\c:\\a\\b\\d");
        assert_eq!(ok("C:\\..\\..\\x", None), "\\??\\C:\\x");
        assert_eq!(nt("C:\\dir\\", None), Ok(("\\??\\C:\\dir\\".into(), None)));
        assert_eq!(ok("C:\\dir\\file. . ", None), "\\??\\C:\\dir\\file");
        assert_eq!(ok("C:\\a\\..", None), "\\??\\C:\\");
    }

    #[test]
    fn unc_and_device_prefixes() {
        assert_eq!(
            nt("\\\\server\\share\\dir\\f.txt", None),
            Ok((
                "\\??\\UNC\\server\\share\\dir\\f.txt".into(),
                Some("f.txt".into())
            ))
        );
        assert_eq!(ok("\\\\server\\share", None), "\\??\\UNC\\server\\share");
        assert_eq!(
            ok("//server/share/../x", None),
            "\\??\\UNC\\server\\share\\x"
        );
        assert_eq!(ok("\\\\.\\C:\\x\\..\\y", None), "\\??\\C:\\y");
        assert_eq!(ok("\\\\.\\PhysicalDrive0", None), "\\??\\PhysicalDrive0");
        assert_eq!(ok("\\\\?\\C:\\a\\..\\b/c", None), "\\??\\C:\\a\\..\\b/c");
        assert_eq!(ok("\\??\\C:\\x", None), "\\??\\C:\\x");
    }

    #[test]
    fn relative_names_need_a_current_directory() {
        assert_eq!(nt("x", None), Err(PathError::NoCurrentDirectory));
        assert_eq!(nt("\\x", None), Err(PathError::NoCurrentDirectory));
        assert_eq!(nt("", Some("C:\\")), Err(PathError::Empty));
        assert_eq!(
            nt("x", Some("relative\\")),
            Err(PathError::NoCurrentDirectory)
        );
        let cwd = Some("C:\\work\\dir\\");
        assert_eq!(
            nt("sub\\f", cwd),
            Ok(("\\??\\C:\\work\\dir\\sub\\f".into(), Some("f".into())))
        );
        assert_eq!(ok("..\\f", cwd), "\\??\\C:\\work\\f");
        assert_eq!(ok(".", cwd), "\\??\\C:\\work\\dir");
        assert_eq!(ok("\\root\\f", cwd), "\\??\\C:\\root\\f");
        assert_eq!(ok("\\", cwd), "\\??\\C:\\");
        assert_eq!(ok("c:f", cwd), "\\??\\C:\\work\\dir\\f");
        assert_eq!(ok("D:f", cwd), "\\??\\D:\\f");
        let unc = Some("\\\\srv\\sh\\d\\");
        assert_eq!(ok("f", unc), "\\??\\UNC\\srv\\sh\\d\\f");
        assert_eq!(ok("\\f", unc), "\\??\\UNC\\srv\\sh\\f");
        assert_eq!(ok("..\\..\\f", unc), "\\??\\UNC\\srv\\sh\\f");
    }

    #[test]
    fn small_buffers_are_reported() {
        let dos = w("C:\\abc");
        let mut out = [0u16; 6];
        assert_eq!(
            dos_to_nt(&dos, None, &mut out),
            Err(PathError::BufferTooSmall)
        );
        let mut out = [0u16; 10];
        assert_eq!(dos_to_nt(&dos, None, &mut out).unwrap().len, 10);
    }
}
