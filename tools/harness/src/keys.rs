//! Mapping ASCII text to QEMU key codes ("qcodes") on a US keyboard layout.
//!
//! QMP's `send-key` presses the listed keys in order and releases them in
//! reverse, so a shifted character is `["shift", key]`.

/// The keys to press together to type `c`, or `None` when a US keyboard
/// has no key for it.
pub fn char_to_qcodes(c: char) -> Option<Vec<&'static str>> {
    let plain = |k: &'static str| Some(vec![k]);
    let shifted = |k: &'static str| Some(vec!["shift", k]);
    match c {
        'a'..='z' | '0'..='9' => plain(qcode_for_alnum(c)?),
        'A'..='Z' => shifted(qcode_for_alnum(c.to_ascii_lowercase())?),
        '\n' | '\r' => plain("ret"),
        '\t' => plain("tab"),
        ' ' => plain("spc"),
        '\x08' => plain("backspace"),
        '\x1b' => plain("esc"),
        '-' => plain("minus"),
        '=' => plain("equal"),
        '[' => plain("bracket_left"),
        ']' => plain("bracket_right"),
        '\\' => plain("backslash"),
        ';' => plain("semicolon"),
        '\'' => plain("apostrophe"),
        '`' => plain("grave_accent"),
        ',' => plain("comma"),
        '.' => plain("dot"),
        '/' => plain("slash"),
        '!' => shifted("1"),
        '@' => shifted("2"),
        '#' => shifted("3"),
        '$' => shifted("4"),
        '%' => shifted("5"),
        '^' => shifted("6"),
        '&' => shifted("7"),
        '*' => shifted("8"),
        '(' => shifted("9"),
        ')' => shifted("0"),
        '_' => shifted("minus"),
        '+' => shifted("equal"),
        '{' => shifted("bracket_left"),
        '}' => shifted("bracket_right"),
        '|' => shifted("backslash"),
        ':' => shifted("semicolon"),
        '"' => shifted("apostrophe"),
        '~' => shifted("grave_accent"),
        '<' => shifted("comma"),
        '>' => shifted("dot"),
        '?' => shifted("slash"),
        _ => None,
    }
}

/// QEMU names letter and digit keys by the character itself; the names
/// must be `'static` for the table, hence the lookup strings.
fn qcode_for_alnum(c: char) -> Option<&'static str> {
    const LETTERS: [&str; 26] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match c {
        'a'..='z' => Some(LETTERS[(c as u8 - b'a') as usize]),
        '0'..='9' => Some(DIGITS[(c as u8 - b'0') as usize]),
        _ => None,
    }
}

/// Maps a whole string; fails on the first character that has no key,
/// returning it.
pub fn text_to_qcodes(text: &str) -> Result<Vec<Vec<&'static str>>, char> {
    text.chars().map(|c| char_to_qcodes(c).ok_or(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_letters_digits_and_symbols() {
        assert_eq!(char_to_qcodes('d'), Some(vec!["d"]));
        assert_eq!(char_to_qcodes('D'), Some(vec!["shift", "d"]));
        assert_eq!(char_to_qcodes('7'), Some(vec!["7"]));
        assert_eq!(char_to_qcodes('&'), Some(vec!["shift", "7"]));
        assert_eq!(char_to_qcodes('\n'), Some(vec!["ret"]));
        assert_eq!(char_to_qcodes(' '), Some(vec!["spc"]));
        assert_eq!(char_to_qcodes(':'), Some(vec!["shift", "semicolon"]));
        assert_eq!(char_to_qcodes('\\'), Some(vec!["backslash"]));
        assert_eq!(char_to_qcodes('|'), Some(vec!["shift", "backslash"]));
        assert_eq!(char_to_qcodes('?'), Some(vec!["shift", "slash"]));
        assert_eq!(char_to_qcodes('é'), None);
        assert_eq!(char_to_qcodes('\x01'), None);
    }

    #[test]
    fn every_printable_ascii_has_a_key() {
        for b in 0x20u8..0x7f {
            let keys =
                char_to_qcodes(b as char).unwrap_or_else(|| panic!("no key for {:?}", b as char));
            assert!(!keys.is_empty() && keys.len() <= 2);
        }
    }

    #[test]
    fn maps_text() {
        assert_eq!(
            text_to_qcodes("dir C:\n"),
            Ok(vec![
                vec!["d"],
                vec!["i"],
                vec!["r"],
                vec!["spc"],
                vec!["shift", "c"],
                vec!["shift", "semicolon"],
                vec!["ret"],
            ])
        );
        assert_eq!(text_to_qcodes("ok€"), Err('€'));
    }
}
