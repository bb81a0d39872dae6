//! VGA text-mode console (80×25 cells of character + attribute).
//!
//! The screen logic works on any [`Cells`] store so it runs against a plain
//! array in host tests and against the mapped frame at 0xB8000 on the
//! machine.

pub const COLUMNS: usize = 80;
pub const ROWS: usize = 25;
/// Physical address of the colour text buffer.
pub const TEXT_BUFFER_PADDR: u64 = 0xB8000;
/// Light grey on black.
pub const DEFAULT_ATTR: u8 = 0x07;
/// Yellow on blue, for the banner.
pub const BANNER_ATTR: u8 = 0x1E;

/// CRT controller index and data ports (colour adapters).
pub const CRTC_INDEX: u16 = 0x3D4;
pub const CRTC_DATA: u16 = 0x3D5;
const CRTC_CURSOR_HIGH: u8 = 0x0E;
const CRTC_CURSOR_LOW: u8 = 0x0F;

/// Port writes that put the hardware cursor at `(row, col)`.
pub fn cursor_port_writes(row: usize, col: usize) -> [(u16, u8); 4] {
    let pos = (row.min(ROWS - 1) * COLUMNS + col.min(COLUMNS - 1)) as u16;
    [
        (CRTC_INDEX, CRTC_CURSOR_LOW),
        (CRTC_DATA, (pos & 0xFF) as u8),
        (CRTC_INDEX, CRTC_CURSOR_HIGH),
        (CRTC_DATA, (pos >> 8) as u8),
    ]
}

/// Storage of 80×25 16-bit cells (low byte character, high byte attribute).
pub trait Cells {
    fn read(&self, index: usize) -> u16;
    fn write(&mut self, index: usize, cell: u16);
}

impl Cells for [u16; COLUMNS * ROWS] {
    fn read(&self, index: usize) -> u16 {
        self.get(index).copied().unwrap_or(0)
    }
    fn write(&mut self, index: usize, cell: u16) {
        if let Some(c) = self.get_mut(index) {
            *c = cell;
        }
    }
}

pub fn cell(ch: u8, attr: u8) -> u16 {
    u16::from(attr) << 8 | u16::from(ch)
}

pub struct TextScreen<C> {
    cells: C,
    row: usize,
    col: usize,
    attr: u8,
    /// Rows above this one are pinned (never scrolled).
    top: usize,
}

impl<C: Cells> TextScreen<C> {
    /// Takes over the screen and clears it.
    pub fn new(cells: C) -> Self {
        let mut s = Self {
            cells,
            row: 0,
            col: 0,
            attr: DEFAULT_ATTR,
            top: 0,
        };
        s.clear();
        s
    }

    pub fn clear(&mut self) {
        let blank = cell(b' ', self.attr);
        for i in 0..COLUMNS * ROWS {
            self.cells.write(i, blank);
        }
        self.row = 0;
        self.col = 0;
        self.top = 0;
    }

    /// Keeps the first `rows` rows (e.g. the banner) in place while the
    /// rest scrolls; output continues below them.
    pub fn pin_rows(&mut self, rows: usize) {
        self.top = rows.min(ROWS - 1);
        if self.row < self.top {
            self.row = self.top;
            self.col = 0;
        }
    }

    pub fn set_attr(&mut self, attr: u8) {
        self.attr = attr;
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn cells(&self) -> &C {
        &self.cells
    }

    pub fn put(&mut self, byte: u8) {
        match byte {
            b'\n' => self.newline(),
            b'\r' => self.col = 0,
            // Like a terminal: the cursor moves, cells keep their content.
            b'\t' => self.col = ((self.col / 8 + 1) * 8).min(COLUMNS),
            _ => {
                // Code page 437 has glyphs for everything, but the executive
                // prints ASCII; anything else shows as a block.
                let ch = if (0x20..0x7F).contains(&byte) {
                    byte
                } else {
                    0xFE
                };
                if self.col == COLUMNS {
                    self.newline();
                }
                self.cells
                    .write(self.row * COLUMNS + self.col, cell(ch, self.attr));
                self.col += 1;
            }
        }
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.put(b);
        }
    }

    fn newline(&mut self) {
        self.col = 0;
        if self.row + 1 < ROWS {
            self.row += 1;
        } else {
            self.scroll();
        }
    }

    fn scroll(&mut self) {
        for i in COLUMNS * self.top..COLUMNS * (ROWS - 1) {
            let c = self.cells.read(i + COLUMNS);
            self.cells.write(i, c);
        }
        let blank = cell(b' ', self.attr);
        for i in COLUMNS * (ROWS - 1)..COLUMNS * ROWS {
            self.cells.write(i, blank);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Screen = TextScreen<[u16; COLUMNS * ROWS]>;

    fn row_text(s: &Screen, row: usize) -> String {
        (0..COLUMNS)
            .map(|c| (s.cells()[row * COLUMNS + c] & 0xFF) as u8 as char)
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    fn screen() -> Screen {
        TextScreen::new([0xFFFF; COLUMNS * ROWS])
    }

    #[test]
    fn new_screen_is_blank_with_default_attribute() {
        let s = screen();
        assert!(s.cells().iter().all(|&c| c == 0x0720));
        assert_eq!(s.cursor(), (0, 0));
    }

    #[test]
    fn text_and_attributes_land_in_cells() {
        let mut s = screen();
        s.set_attr(BANNER_ATTR);
        s.write_bytes(b"Nereid\n");
        s.set_attr(DEFAULT_ATTR);
        s.write_bytes(b"ok");
        assert_eq!(s.cells()[0], 0x1E4E); // 'N' yellow on blue
        assert_eq!(row_text(&s, 0), "Nereid");
        assert_eq!(row_text(&s, 1), "ok");
        assert_eq!(s.cells()[COLUMNS], 0x076F);
        assert_eq!(s.cursor(), (1, 2));
    }

    #[test]
    fn long_lines_wrap() {
        let mut s = screen();
        s.write_bytes(&[b'x'; COLUMNS + 3]);
        assert_eq!(row_text(&s, 0).len(), COLUMNS);
        assert_eq!(row_text(&s, 1), "xxx");
        assert_eq!(s.cursor(), (1, 3));
    }

    #[test]
    fn exactly_full_line_then_newline_does_not_leave_an_empty_row() {
        let mut s = screen();
        s.write_bytes(&[b'y'; COLUMNS]);
        s.write_bytes(b"\nz");
        assert_eq!(row_text(&s, 1), "z");
    }

    #[test]
    fn scrolling_moves_rows_up_and_blanks_the_last() {
        let mut s = screen();
        for i in 0..ROWS + 2 {
            s.write_bytes(format!("line {i}\n").as_bytes());
        }
        // 27 lines + final newline: lines 0..=2 scrolled off.
        assert_eq!(row_text(&s, 0), "line 3");
        assert_eq!(row_text(&s, ROWS - 2), "line 26");
        assert_eq!(row_text(&s, ROWS - 1), "");
        assert_eq!(s.cursor(), (ROWS - 1, 0));
    }

    #[test]
    fn pinned_banner_stays_while_the_rest_scrolls() {
        let mut s = screen();
        s.set_attr(BANNER_ATTR);
        s.write_bytes(b"Banner\n");
        s.set_attr(DEFAULT_ATTR);
        s.pin_rows(1);
        for i in 0..60 {
            s.write_bytes(format!("line {i}\n").as_bytes());
        }
        assert_eq!(row_text(&s, 0), "Banner");
        assert_eq!(s.cells()[0], 0x1E42);
        // Rows 1..=23 hold the last 23 lines, row 24 is the empty cursor row.
        assert_eq!(row_text(&s, 1), "line 37");
        assert_eq!(row_text(&s, ROWS - 2), "line 59");
        assert_eq!(row_text(&s, ROWS - 1), "");
        assert_eq!(s.cursor(), (ROWS - 1, 0));
    }

    #[test]
    fn pinning_below_the_cursor_moves_output_down() {
        let mut s = screen();
        s.pin_rows(2);
        s.write_bytes(b"x");
        assert_eq!(row_text(&s, 2), "x");
        assert_eq!(row_text(&s, 0), "");
        s.pin_rows(99);
        assert_eq!(s.cursor(), (ROWS - 1, 0));
        s.write_bytes(b"y\nz");
        // Everything but the last row is pinned: it scrolls in place.
        assert_eq!(row_text(&s, ROWS - 1), "z");
        assert_eq!(row_text(&s, 2), "x");
    }

    #[test]
    fn hardware_cursor_position() {
        assert_eq!(
            cursor_port_writes(24, 79),
            [(0x3D4, 0x0F), (0x3D5, 0xCF), (0x3D4, 0x0E), (0x3D5, 0x07)]
        );
        // A full line leaves the cursor past the last column: clamp it.
        assert_eq!(cursor_port_writes(0, 80)[1], (0x3D5, 79));
        assert_eq!(cursor_port_writes(1, 0)[1], (0x3D5, 80));
    }

    #[test]
    fn control_and_non_ascii_bytes() {
        let mut s = screen();
        s.write_bytes(b"ab\rc\t|\x01\xC3");
        assert_eq!(row_text(&s, 0), "cb      |\u{FE}\u{FE}");
    }
}
