//! Environment blocks: the logic of `RtlQueryEnvironmentVariable_U`,
//! `RtlSetEnvironmentVariable` and `RtlExpandEnvironmentStrings_U`.
//!
//! A block is a run of NUL-terminated `name=value` strings ended by an empty string
//! (the SDK's `GetEnvironmentStrings` page). The name is everything before the first
//! `=` that is not the first character, so the per-drive entries `=C:=C:\dir` are
//! named `=C:`. Names compare case-insensitively (upcased); values are kept as given.
//!
//! Facts checked by Wine's `dlls/ntdll/tests/env.c` against Windows, which the host
//! tests below repeat: a name with `=` after its first character is
//! `STATUS_INVALID_PARAMETER` to set (but `=x` and `=` are names); deleting a missing
//! variable succeeds; a query whose value fills the buffer exactly succeeds without a
//! terminator, a longer one is `STATUS_BUFFER_TOO_SMALL` with the needed length;
//! `%name%` of an unknown or unterminated reference stays as written; the expansion
//! reports the bytes needed including the terminator.
//!
//! New variables are inserted in name order (upcased comparison), as Windows keeps its
//! blocks sorted.

use crate::upcase::upcase_char;
use ntdef::status::{NtStatus, STATUS_INVALID_PARAMETER};

/// `STATUS_VARIABLE_NOT_FOUND` (MS-ERREF 2.3.1).
pub const STATUS_VARIABLE_NOT_FOUND: NtStatus = NtStatus::from_u32(0xC000_0100);

const EQ: u16 = b'=' as u16;
const PERCENT: u16 = b'%' as u16;

/// The number of code units of the block, up to and including the terminating empty
/// string (at least 1 for an empty block: the lone NUL). `env` is read no further than
/// its length; a block without its terminator counts to the end of the slice.
pub fn block_len(env: &[u16]) -> usize {
    let mut at = 0;
    while at < env.len() {
        let len = env[at..]
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(env.len() - at);
        if len == 0 {
            return at + 1;
        }
        at += len + 1;
    }
    env.len()
}

/// The entries of a block (without their terminators), up to the empty string.
pub fn entries(env: &[u16]) -> impl Iterator<Item = &[u16]> {
    env[..block_len(env)]
        .split(|&c| c == 0)
        .take_while(|e| !e.is_empty())
}

/// Splits an entry into name and value (`None` for an entry without `=`).
fn split(entry: &[u16]) -> Option<(&[u16], &[u16])> {
    let eq = entry.iter().skip(1).position(|&c| c == EQ)? + 1;
    Some((&entry[..eq], &entry[eq + 1..]))
}

fn same_name(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| upcase_char(x) == upcase_char(y))
}

fn name_order(a: &[u16], b: &[u16]) -> core::cmp::Ordering {
    a.iter()
        .map(|&c| upcase_char(c))
        .cmp(b.iter().map(|&c| upcase_char(c)))
}

/// The value of variable `name`, if the block has it.
pub fn find<'a>(env: &'a [u16], name: &[u16]) -> Option<&'a [u16]> {
    if name.is_empty() {
        return None;
    }
    entries(env)
        .filter_map(split)
        .find(|(n, _)| same_name(n, name))
        .map(|(_, v)| v)
}

/// What a query with a buffer of `capacity_bytes` does with a value of `value_chars`:
/// `Ok(write_terminator)` when it fits (the terminator only when there is room for
/// it), `Err(STATUS_BUFFER_TOO_SMALL)` otherwise.
pub fn query_fit(value_chars: usize, capacity_bytes: usize) -> Result<bool, NtStatus> {
    let bytes = value_chars * 2;
    if bytes > capacity_bytes {
        Err(ntdef::status::STATUS_BUFFER_TOO_SMALL)
    } else {
        Ok(bytes + 2 <= capacity_bytes)
    }
}

/// Checks a name for `RtlSetEnvironmentVariable`: not empty, no `=` after the first
/// character.
pub fn check_name(name: &[u16]) -> Result<(), NtStatus> {
    if name.is_empty() || name.iter().skip(1).any(|&c| c == EQ) {
        Err(STATUS_INVALID_PARAMETER)
    } else {
        Ok(())
    }
}

/// The block length (code units, terminator included) after setting `name` to `value`
/// (`None` deletes it). The name must have passed [`check_name`].
pub fn set_len(env: &[u16], name: &[u16], value: Option<&[u16]>) -> usize {
    let mut len = 1;
    let mut replaced = false;
    for entry in entries(env) {
        match split(entry) {
            Some((n, _)) if same_name(n, name) => {
                replaced = true;
                if let Some(v) = value {
                    len += name.len() + 1 + v.len() + 1;
                }
            }
            _ => len += entry.len() + 1,
        }
    }
    if let (false, Some(v)) = (replaced, value) {
        len += name.len() + 1 + v.len() + 1;
    }
    len
}

/// Writes the block `env` with `name` set to `value` (`None` deletes it) into `out`,
/// which must hold [`set_len`] code units; returns the length written. An existing
/// entry is replaced where it is (its name keeps the new spelling); a new one goes
/// before the first entry whose name sorts after it.
pub fn set(env: &[u16], name: &[u16], value: Option<&[u16]>, out: &mut [u16]) -> usize {
    let mut at = 0;
    let mut put = |out: &mut [u16], parts: &[&[u16]]| {
        for part in parts {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        out[at] = 0;
        at += 1;
    };
    let mut done = false;
    for entry in entries(env) {
        let parsed = split(entry);
        if let Some((n, _)) = parsed {
            if !done && same_name(n, name) {
                done = true;
                if let Some(v) = value {
                    put(out, &[name, &[EQ], v]);
                }
                continue;
            }
            if !done && name_order(n, name).is_gt() {
                done = true;
                if let Some(v) = value {
                    put(out, &[name, &[EQ], v]);
                }
            }
        }
        put(out, &[entry]);
    }
    if let (false, Some(v)) = (done, value) {
        put(out, &[name, &[EQ], v]);
    }
    put(out, &[]);
    at
}

/// `RtlExpandEnvironmentStrings_U`: writes the expansion of `src` into `out` as far as
/// it fits and returns its full length in code units (without terminator). `%name%`
/// with a known name becomes its value; anything else is copied as written.
pub fn expand(env: &[u16], src: &[u16], out: &mut [u16]) -> usize {
    let mut len = 0;
    let mut emit = |out: &mut [u16], part: &[u16]| {
        for &c in part {
            if let Some(slot) = out.get_mut(len) {
                *slot = c;
            }
            len += 1;
        }
    };
    let mut rest = src;
    while let Some(start) = rest.iter().position(|&c| c == PERCENT) {
        emit(out, &rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.iter().position(|&c| c == PERCENT) else {
            emit(out, &rest[start..]);
            rest = &[];
            break;
        };
        match find(env, &after[..end]) {
            Some(value) => {
                emit(out, value);
                rest = &after[end + 1..];
            }
            None => {
                // Unknown: the first `%` and the name stay; the closing `%` may open
                // the next reference.
                emit(out, &rest[start..start + 1 + end]);
                rest = &after[end..];
            }
        }
    }
    emit(out, rest);
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    /// A block from `entries` (each `name=value`).
    fn block(entries: &[&str]) -> Vec<u16> {
        let mut b = Vec::new();
        for e in entries {
            b.extend(w(e));
            b.push(0);
        }
        b.push(0);
        b
    }

    fn text(b: &[u16]) -> Vec<String> {
        entries(b).map(String::from_utf16_lossy).collect()
    }

    fn small() -> Vec<u16> {
        // The block Wine's env.c queries.
        block(&[
            "foo=toto",
            "fo=titi",
            "fooo=tutu",
            "sr=an=ouo",
            "=oOH=III",
            "nul=",
        ])
    }

    #[test]
    fn lengths_and_entries() {
        assert_eq!(block_len(&[0]), 1);
        assert_eq!(block_len(&[0, 0]), 1);
        let b = small();
        assert_eq!(block_len(&b), b.len());
        // Garbage after the terminator is not part of the block.
        let mut c = b.clone();
        c.extend(w("x=y"));
        assert_eq!(block_len(&c), b.len());
        assert_eq!(text(&b).len(), 6);
        // A truncated block ends at the slice.
        assert_eq!(block_len(&w("a=b")), 3);
    }

    #[test]
    fn find_like_windows() {
        let b = small();
        let f = |n: &str| find(&b, &w(n)).map(String::from_utf16_lossy);
        assert_eq!(f("foo").as_deref(), Some("toto"));
        assert_eq!(f("FoO").as_deref(), Some("toto"));
        assert_eq!(f("fooo").as_deref(), Some("tutu"));
        assert_eq!(f("foo="), None);
        assert_eq!(f("foo "), None);
        assert_eq!(f("f"), None);
        assert_eq!(f(""), None);
        assert_eq!(f("sr").as_deref(), Some("an=ouo"));
        assert_eq!(f("=oOH").as_deref(), Some("III"));
        assert_eq!(f("nul").as_deref(), Some(""));
    }

    #[test]
    fn query_fit_rules() {
        // "toto": 8 bytes.
        assert!(query_fit(4, 2).is_err());
        assert!(query_fit(4, 6).is_err());
        assert_eq!(query_fit(4, 8), Ok(false));
        assert_eq!(query_fit(4, 10), Ok(true));
        assert_eq!(query_fit(0, 0), Ok(false));
    }

    #[test]
    fn names_that_can_be_set() {
        assert!(check_name(&w("cat")).is_ok());
        assert!(check_name(&w("=too")).is_ok());
        assert!(check_name(&w("=")).is_ok());
        assert_eq!(check_name(&w("me=too")), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(check_name(&[]), Err(STATUS_INVALID_PARAMETER));
    }

    fn apply(env: &[u16], name: &str, value: Option<&str>) -> Vec<u16> {
        let (n, v) = (w(name), value.map(w));
        let len = set_len(env, &n, v.as_deref());
        let mut out = vec![0xCCCC; len + 3];
        assert_eq!(set(env, &n, v.as_deref(), &mut out), len);
        out.truncate(len);
        assert_eq!(block_len(&out), len);
        out
    }

    #[test]
    fn set_insert_replace_delete() {
        let e = block(&[]);
        let e = apply(&e, "cat", Some("dog"));
        assert_eq!(text(&e), ["cat=dog"]);
        let e = apply(&e, "CAT", Some("horse"));
        assert_eq!(text(&e), ["CAT=horse"]);
        let e = apply(&e, "apple", Some("1"));
        let e = apply(&e, "zebra", Some("2"));
        let e = apply(&e, "Mouse", Some("3"));
        let e = apply(&e, "=C:", Some("C:\\"));
        assert_eq!(
            text(&e),
            ["=C:=C:\\", "apple=1", "CAT=horse", "Mouse=3", "zebra=2"]
        );
        let e = apply(&e, "cat", None);
        assert_eq!(text(&e), ["=C:=C:\\", "apple=1", "Mouse=3", "zebra=2"]);
        // Deleting what is not there changes nothing.
        let same = apply(&e, "horse", None);
        assert_eq!(same, e);
        let e = apply(&e, "me", Some("too=also"));
        assert_eq!(find(&e, &w("me")), Some(&w("too=also")[..]));
        let e = apply(&e, "empty", Some(""));
        assert_eq!(find(&e, &w("empty")), Some(&[][..]));
        assert_eq!(apply(&block(&[]), "x", None), [0]);
    }

    fn expanded(src: &str, room: usize) -> (String, usize) {
        let b = small();
        let mut out = vec![b'-' as u16; room];
        let len = expand(&b, &w(src), &mut out);
        let written = out.len().min(len);
        (String::from_utf16_lossy(&out[..written]), len)
    }

    #[test]
    fn expand_like_windows() {
        assert_eq!(expanded("hello%foo%world", 64).0, "hellototoworld");
        assert_eq!(expanded("hello%=oOH%world", 64).0, "helloIIIworld");
        assert_eq!(expanded("hello%foo", 64).0, "hello%foo");
        assert_eq!(expanded("hello%bar%world", 64).0, "hello%bar%world");
        assert_eq!(expanded("%bar%foo%", 64).0, "%bartoto");
        assert_eq!(expanded("%%", 64).0, "%%");
        assert_eq!(expanded("%nul%x", 64).0, "x");
        // The full length is reported whatever the room.
        assert_eq!(expanded("hello%foo%world", 4), ("hell".into(), 14));
        assert_eq!(expanded("", 0), (String::new(), 0));
    }
}
