//! Decoding the VGA text-mode buffer (80x25 cells at physical 0xB8000).

/// Physical address of the colour text-mode buffer.
pub const VGA_TEXT_BASE: u64 = 0xB8000;
/// Columns of the standard text mode.
pub const VGA_COLUMNS: usize = 80;
/// Rows of the standard text mode.
pub const VGA_ROWS: usize = 25;
/// Bytes in one screen: a character byte and an attribute byte per cell.
pub const VGA_TEXT_BYTES: usize = VGA_COLUMNS * VGA_ROWS * 2;

/// Glyphs of code page 437 (the VGA ROM font) for bytes 0x00..=0x1F.
const CP437_LOW: [char; 32] = [
    ' ', '☺', '☻', '♥', '♦', '♣', '♠', '•', '◘', '○', '◙', '♂', '♀', '♪', '♫', '☼', '►', '◄', '↕',
    '‼', '¶', '§', '▬', '↨', '↑', '↓', '→', '←', '∟', '↔', '▲', '▼',
];

/// Glyphs of code page 437 for bytes 0x80..=0xFF.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// The character the VGA font shows for `byte`. NUL (an unwritten cell)
/// shows as a space.
pub fn cp437_to_char(byte: u8) -> char {
    match byte {
        0x00..=0x1f => CP437_LOW[usize::from(byte)],
        0x7f => '⌂',
        0x20..=0x7e => char::from(byte),
        0x80..=0xff => CP437_HIGH[usize::from(byte - 0x80)],
    }
}

/// Turns a text-mode buffer into one string per row, trailing blanks
/// removed so tests can compare rows directly. A short buffer yields the
/// rows it covers; the attribute bytes (odd offsets) are ignored.
pub fn decode_text(buffer: &[u8], columns: usize) -> Vec<String> {
    if columns == 0 {
        return Vec::new();
    }
    buffer
        .chunks(columns * 2)
        .map(|row| {
            let s: String = row.iter().step_by(2).map(|&b| cp437_to_char(b)).collect();
            s.trim_end_matches([' ', '\u{a0}']).to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rows_from_even_bytes() {
        let mut buf = vec![0u8; VGA_TEXT_BYTES];
        for (i, b) in b"C:\\>dir".iter().enumerate() {
            buf[i * 2] = *b;
            buf[i * 2 + 1] = 0x07;
        }
        let row1 = VGA_COLUMNS * 2;
        buf[row1] = 0xc9; // box corner
        buf[row1 + 1] = 0x1f;
        buf[row1 + 2] = 0xcd;
        let rows = decode_text(&buf, VGA_COLUMNS);
        assert_eq!(rows.len(), VGA_ROWS);
        assert_eq!(rows[0], "C:\\>dir");
        assert_eq!(rows[1], "╔═");
        assert!(rows[2..].iter().all(String::is_empty));
    }

    #[test]
    fn cp437_table_edges() {
        assert_eq!(cp437_to_char(0), ' ');
        assert_eq!(cp437_to_char(1), '☺');
        assert_eq!(cp437_to_char(b'A'), 'A');
        assert_eq!(cp437_to_char(0x80), 'Ç');
        assert_eq!(cp437_to_char(0xb3), '│');
        assert_eq!(cp437_to_char(0xdb), '█');
        assert_eq!(cp437_to_char(0xfe), '■');
    }
}
