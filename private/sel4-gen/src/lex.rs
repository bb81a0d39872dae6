//! A small C tokenizer, enough for libsel4's headers, `#if` expressions and
//! the bitfield description language.

use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// Integer literal (suffixes such as `ul`/`ULL` are dropped).
    Int(i128),
    Str(String),
    /// Punctuator: one of the multi-char operators or a single character.
    Punct(&'static str),
}

impl Tok {
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(q) if *q == p)
    }

    pub fn ident(&self) -> Option<&str> {
        match self {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
}

const PUNCTS: &[&str] = &[
    "<<=", ">>=", "...", "##", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "->", "++", "--",
    "(", ")", "[", "]", "{", "}", ",", ";", ":", "?", "!", "~", "+", "-", "*", "/", "%", "&", "|",
    "^", "<", ">", "=", "#", ".",
];

/// Removes `/* */` and `//` comments (and, when `dash_comments` is set, the
/// bitfield language's `--` comments), keeping line structure.
pub fn strip_comments(src: &str, dash_comments: bool) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c as char);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1] as char);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_str = true;
            out.push('"');
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if (c == b'/' && b.get(i + 1) == Some(&b'/'))
            || (dash_comments && c == b'-' && b.get(i + 1) == Some(&b'-'))
        {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            // Non-ASCII bytes only occur in comments of these files; keep
            // whatever else verbatim.
            let ch = src[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Tokenizes one logical line or a whole (comment-free) text.
pub fn tokenize(src: &str) -> Result<Vec<Tok>, GenError> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Ident(src[start..i].to_string()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Int(parse_int(&src[start..i])?));
        } else if c == b'"' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            if i >= b.len() {
                return Err(GenError::parse(format!("unterminated string in `{src}`")));
            }
            toks.push(Tok::Str(src[start..i].to_string()));
            i += 1;
        } else if c == b'\'' {
            // Character constant: only plain single characters are supported.
            if i + 2 < b.len() && b[i + 2] == b'\'' {
                toks.push(Tok::Int(b[i + 1] as i128));
                i += 3;
            } else {
                return Err(GenError::parse(format!(
                    "unsupported char literal in `{src}`"
                )));
            }
        } else {
            let rest = &src[i..];
            match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
                Some(p) => {
                    toks.push(Tok::Punct(p));
                    i += p.len();
                }
                None => {
                    return Err(GenError::parse(format!(
                        "unexpected character `{}` in `{src}`",
                        c as char
                    )))
                }
            }
        }
    }
    Ok(toks)
}

/// Parses a C integer literal: decimal, hex, octal, with u/l suffixes.
pub fn parse_int(s: &str) -> Result<i128, GenError> {
    let digits = s.trim_end_matches(['u', 'U', 'l', 'L']);
    let parsed = if let Some(h) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        i128::from_str_radix(h, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i128::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse::<i128>()
    };
    parsed.map_err(|_| GenError::parse(format!("bad integer literal `{s}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_literals() {
        assert_eq!(parse_int("0x1f").unwrap(), 31);
        assert_eq!(parse_int("010").unwrap(), 8);
        assert_eq!(parse_int("1ULL").unwrap(), 1);
        assert_eq!(parse_int("0").unwrap(), 0);
        assert!(parse_int("0xg").is_err());
    }

    #[test]
    fn comments_and_tokens() {
        let s = strip_comments("a /* x\n y */ b // c\n-- d\n", true);
        assert_eq!(s.lines().count(), 3);
        let t = tokenize(&s).unwrap();
        assert_eq!(t, vec![Tok::Ident("a".into()), Tok::Ident("b".into())]);
        let t = tokenize("x<<=2 && \"s\"").unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Ident("x".into()),
                Tok::Punct("<<="),
                Tok::Int(2),
                Tok::Punct("&&"),
                Tok::Str("s".into())
            ]
        );
    }
}
