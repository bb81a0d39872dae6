//! Key and value names: case folding, path splitting, fallible copies.

use alloc::vec::Vec;
use core::cmp::Ordering;

use ntdef::NtStatus;
use ntrtl::upcase::upcase_char;

use super::status::STATUS_INSUFFICIENT_RESOURCES;

/// The path separator of key names.
pub const SEPARATOR: u16 = b'\\' as u16;

/// Copies `src` into a new vector, failing instead of aborting when the heap is
/// exhausted (clients choose the sizes).
pub fn try_copy<T: Copy>(src: &[T]) -> Result<Vec<T>, NtStatus> {
    let mut out = Vec::new();
    out.try_reserve_exact(src.len())
        .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
    out.extend_from_slice(src);
    Ok(out)
}

/// The folded form names are compared and sorted by.
pub fn upcase(name: &[u16]) -> Result<Vec<u16>, NtStatus> {
    let mut out = try_copy(name)?;
    for c in &mut out {
        *c = upcase_char(*c);
    }
    Ok(out)
}

/// Case-insensitive equality of a folded name with a name as the client spelled it.
pub fn matches_folded(folded: &[u16], name: &[u16]) -> bool {
    folded.len() == name.len() && folded.iter().zip(name).all(|(&f, &c)| f == upcase_char(c))
}

/// Orders a folded name against a name as the client spelled it, folding on the fly.
pub fn cmp_folded(folded: &[u16], name: &[u16]) -> Ordering {
    folded
        .iter()
        .copied()
        .cmp(name.iter().map(|&c| upcase_char(c)))
}

/// The non-empty components of a path: runs of separators (leading, doubled,
/// trailing) delimit but never name anything.
pub fn components(path: &[u16]) -> impl Iterator<Item = &[u16]> {
    path.split(|&c| c == SEPARATOR).filter(|c| !c.is_empty())
}

#[cfg(test)]
pub fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_skip_empty_runs() {
        let p = w("\\a\\\\bc\\");
        let parts: Vec<&[u16]> = components(&p).collect();
        assert_eq!(parts, [&w("a")[..], &w("bc")[..]]);
        assert_eq!(components(&w("\\\\\\")).count(), 0);
        assert_eq!(components(&[]).count(), 0);
    }

    #[test]
    fn folding() {
        assert_eq!(upcase(&w("aBé")).unwrap(), w("ABÉ"));
        assert!(matches_folded(&w("ABÉ"), &w("abé")));
        assert!(!matches_folded(&w("AB"), &w("abc")));
        assert!(!matches_folded(&w("AB"), &w("ac")));
        assert_eq!(cmp_folded(&w("AB"), &w("ab")), Ordering::Equal);
        assert_eq!(cmp_folded(&w("AB"), &w("abc")), Ordering::Less);
        assert_eq!(cmp_folded(&w("AC"), &w("abc")), Ordering::Greater);
    }
}
