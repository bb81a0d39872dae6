//! `RtlUpcaseUnicodeChar`: simple (one-to-one) uppercase mapping of UTF-16 code units.
//!
//! Windows maps through the upcase table of its NLS data, which covers the whole BMP.
//! Nereid carries a hand-written subset. Every mapping below is Unicode's simple
//! uppercase mapping, and every code unit not listed maps to itself:
//!
//! | range | mapping |
//! |---|---|
//! | ASCII `a`–`z` | `A`–`Z` |
//! | Latin-1 U+00E0–U+00FE (not U+00F7 ÷) | −0x20; U+00FF ÿ → U+0178 Ÿ |
//! | Latin Extended-A U+0100–U+017F | the case pairs; ı (U+0131), ĸ, ŉ and ſ (U+017F) unchanged |
//! | ƒ U+0192 | U+0191 (it is in Windows-1252) |
//! | Greek U+03AC–U+03CE | the monotonic alphabet, tonos forms, final sigma → Σ |
//! | Cyrillic U+0430–U+052F | basic (−0x20), U+0450–U+045F (−0x50), the case pairs of U+0460–U+052F |
//! | Armenian U+0561–U+0586 | −0x30 |
//! | Latin Extended Additional U+1E00–U+1E95, U+1EA0–U+1EFF | the case pairs |
//! | Roman numerals U+2170–U+217F | −0x10 |
//! | circled letters U+24D0–U+24E9 | −0x1A |
//! | fullwidth Latin U+FF41–U+FF5A | −0x20 |
//!
//! Deliberately unchanged: lowercase letters whose uppercase lies in another block or in
//! ASCII (µ U+00B5, ı U+0131, ſ U+017F), because whether Windows' table maps them is
//! not established; and scripts outside the table (Greek Extended, Georgian, Coptic,
//! Glagolitic, Deseret…). Case-insensitive comparisons of such text therefore see case
//! differences that Windows would fold.

/// `RtlUpcaseUnicodeChar`.
pub const fn upcase_char(c: u16) -> u16 {
    match c {
        0x0061..=0x007A => c - 0x20,
        0x00E0..=0x00FE if c != 0x00F7 => c - 0x20,
        0x00FF => 0x0178,
        // Latin Extended-A: uppercase at the even code point of each pair…
        0x0101..=0x012F | 0x0133..=0x0137 | 0x014B..=0x0177 if c & 1 == 1 => c - 1,
        // …except in the two runs where the pairs start on an odd code point.
        0x013A..=0x0148 | 0x017A..=0x017E if c & 1 == 0 => c - 1,
        0x0192 => 0x0191,
        0x03AC => 0x0386,
        0x03AD..=0x03AF => c - 0x25,
        0x03B1..=0x03C1 | 0x03C3..=0x03CB => c - 0x20,
        0x03C2 => 0x03A3,
        0x03CC => 0x038C,
        0x03CD..=0x03CE => c - 0x3F,
        0x0430..=0x044F => c - 0x20,
        0x0450..=0x045F => c - 0x50,
        0x0461..=0x0481 | 0x048B..=0x04BF | 0x04D1..=0x052F if c & 1 == 1 => c - 1,
        0x04C2..=0x04CE if c & 1 == 0 => c - 1,
        0x04CF => 0x04C0,
        0x0561..=0x0586 => c - 0x30,
        0x1E01..=0x1E95 | 0x1EA1..=0x1EFF if c & 1 == 1 => c - 1,
        0x2170..=0x217F => c - 0x10,
        0x24D0..=0x24E9 => c - 0x1A,
        0xFF41..=0xFF5A => c - 0x20,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii() {
        assert_eq!(upcase_char(b'a' as u16), b'A' as u16);
        assert_eq!(upcase_char(b'z' as u16), b'Z' as u16);
        assert_eq!(upcase_char(b'A' as u16), b'A' as u16);
        assert_eq!(upcase_char(b'{' as u16), b'{' as u16);
        assert_eq!(upcase_char(b'`' as u16), b'`' as u16);
        assert_eq!(upcase_char(b'0' as u16), b'0' as u16);
    }

    #[test]
    fn latin1() {
        assert_eq!(upcase_char(0x00E9), 0x00C9); // é → É
        assert_eq!(upcase_char(0x00F7), 0x00F7); // ÷
        assert_eq!(upcase_char(0x00DF), 0x00DF); // ß has no single uppercase
        assert_eq!(upcase_char(0x00FF), 0x0178); // ÿ → Ÿ
        assert_eq!(upcase_char(0x00B5), 0x00B5); // µ deliberately unchanged
        assert_eq!(upcase_char(0x00C0), 0x00C0);
    }

    #[test]
    fn latin_extended_a_pairs() {
        assert_eq!(upcase_char(0x0101), 0x0100); // ā → Ā
        assert_eq!(upcase_char(0x0100), 0x0100);
        assert_eq!(upcase_char(0x0131), 0x0131); // ı unchanged
        assert_eq!(upcase_char(0x0133), 0x0132); // ĳ → Ĳ
        assert_eq!(upcase_char(0x0138), 0x0138); // ĸ
        assert_eq!(upcase_char(0x013A), 0x0139); // ĺ → Ĺ (odd/even run)
        assert_eq!(upcase_char(0x0139), 0x0139);
        assert_eq!(upcase_char(0x0142), 0x0141); // ł → Ł
        assert_eq!(upcase_char(0x0149), 0x0149); // ŉ
        assert_eq!(upcase_char(0x0153), 0x0152); // œ → Œ
        assert_eq!(upcase_char(0x0161), 0x0160); // š → Š
        assert_eq!(upcase_char(0x017E), 0x017D); // ž → Ž
        assert_eq!(upcase_char(0x017F), 0x017F); // ſ unchanged
    }

    #[test]
    fn greek_cyrillic_armenian() {
        assert_eq!(upcase_char(0x03B1), 0x0391); // α → Α
        assert_eq!(upcase_char(0x03C2), 0x03A3); // ς → Σ
        assert_eq!(upcase_char(0x03C3), 0x03A3); // σ → Σ
        assert_eq!(upcase_char(0x03C9), 0x03A9); // ω → Ω
        assert_eq!(upcase_char(0x03AC), 0x0386); // ά → Ά
        assert_eq!(upcase_char(0x03AF), 0x038A); // ί → Ί
        assert_eq!(upcase_char(0x03CC), 0x038C); // ό → Ό
        assert_eq!(upcase_char(0x03CE), 0x038F); // ώ → Ώ
        assert_eq!(upcase_char(0x0430), 0x0410); // а → А
        assert_eq!(upcase_char(0x044F), 0x042F); // я → Я
        assert_eq!(upcase_char(0x0451), 0x0401); // ё → Ё
        assert_eq!(upcase_char(0x0491), 0x0490); // ґ → Ґ
        assert_eq!(upcase_char(0x04C2), 0x04C1); // ӂ → Ӂ
        assert_eq!(upcase_char(0x04CF), 0x04C0); // ӏ → Ӏ
        assert_eq!(upcase_char(0x0561), 0x0531); // ա → Ա
    }

    #[test]
    fn other_blocks() {
        assert_eq!(upcase_char(0x1E01), 0x1E00);
        assert_eq!(upcase_char(0x1EF9), 0x1EF8); // ỹ → Ỹ
        assert_eq!(upcase_char(0x1E96), 0x1E96); // ẖ: no simple uppercase
        assert_eq!(upcase_char(0x2170), 0x2160); // ⅰ → Ⅰ
        assert_eq!(upcase_char(0x24D0), 0x24B6); // ⓐ → Ⓐ
        assert_eq!(upcase_char(0xFF41), 0xFF21); // ａ → Ａ
        assert_eq!(upcase_char(0xD800), 0xD800); // surrogates pass through
    }

    /// The table must agree with Unicode wherever it maps, and must never map
    /// an uppercase letter or a non-letter.
    #[test]
    fn agrees_with_unicode_simple_uppercase() {
        let mut mapped = 0;
        for c in 0..=0xFFFFu16 {
            let up = upcase_char(c);
            if up == c {
                continue;
            }
            mapped += 1;
            let ch = char::from_u32(c as u32).expect("surrogates are never mapped");
            let mut upper = ch.to_uppercase();
            assert_eq!(upper.len(), 1, "{c:#06x} has a multi-char uppercase");
            assert_eq!(upper.next().unwrap() as u32, up as u32, "{c:#06x}");
            assert_eq!(upcase_char(up), up, "{c:#06x}: upcase is idempotent");
        }
        // Pins the scope documented above; a table change must update it knowingly.
        assert_eq!(mapped, 530);
    }
}
