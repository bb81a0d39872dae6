//! The executive's console: every line goes to COM1 and to the VGA text
//! screen (whichever of the two is attached).

use super::ioport::IoPortCap;
use super::serial::{PortIo, Uart16550};
use super::vga::{cursor_port_writes, Cells, TextScreen, COLUMNS, ROWS};
use core::fmt::{self, Write};
use spin::Mutex;

/// The mapped VGA text buffer (80×25 cells at its virtual address).
pub struct VgaCells {
    base: *mut u16,
}

impl VgaCells {
    /// # Safety
    /// `base` must be the virtual address of a mapped, writable 4 KiB frame
    /// holding the VGA text buffer, used by nothing else.
    pub unsafe fn new(base: *mut u16) -> Self {
        Self { base }
    }
}

// SAFETY: the frame is owned by this value alone; the executive is single
// threaded and the console lock serialises access anyway.
unsafe impl Send for VgaCells {}

impl Cells for VgaCells {
    fn read(&self, index: usize) -> u16 {
        if index >= COLUMNS * ROWS {
            return 0;
        }
        // SAFETY: in bounds of the mapped text buffer (see `new`); volatile
        // because it is device memory.
        unsafe { self.base.add(index).read_volatile() }
    }

    fn write(&mut self, index: usize, cell: u16) {
        if index < COLUMNS * ROWS {
            // SAFETY: as in `read`.
            unsafe { self.base.add(index).write_volatile(cell) }
        }
    }
}

pub struct Console {
    serial: Option<Uart16550<IoPortCap>>,
    screen: Option<TextScreen<VgaCells>>,
    /// CRT controller ports, to move the blinking hardware cursor along.
    crtc: Option<IoPortCap>,
}

impl Console {
    const fn empty() -> Self {
        Self {
            serial: None,
            screen: None,
            crtc: None,
        }
    }

    fn sync_cursor(&mut self) {
        if let (Some(v), Some(ports)) = (&self.screen, &mut self.crtc) {
            let (row, col) = v.cursor();
            for (port, value) in cursor_port_writes(row, col) {
                if ports.out8(port, value).is_err() {
                    return;
                }
            }
        }
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match &mut self.serial {
            // A failing port invocation cannot be reported anywhere better
            // than the console itself; keep the screen going.
            Some(u) => {
                let _ = u.write_bytes(s.as_bytes());
            }
            // Before COM1 is set up (or if that failed), a debug kernel can
            // still print for us.
            None if sel4::config::PRINTING => sel4::debug_puts(s),
            None => {}
        }
        if let Some(v) = &mut self.screen {
            v.write_bytes(s.as_bytes());
        }
        Ok(())
    }
}

static CONSOLE: Mutex<Console> = Mutex::new(Console::empty());

pub fn attach_serial(uart: Uart16550<IoPortCap>) {
    CONSOLE.lock().serial = Some(uart);
}

pub fn attach_screen(screen: TextScreen<VgaCells>, crtc: Option<IoPortCap>) {
    let mut c = CONSOLE.lock();
    c.screen = Some(screen);
    c.crtc = crtc;
    c.sync_cursor();
}

pub fn has_screen() -> bool {
    CONSOLE.lock().screen.is_some()
}

/// Pins the first `rows` screen rows (the banner) above the scrolling area.
pub fn pin_screen_rows(rows: usize) {
    if let Some(v) = &mut CONSOLE.lock().screen {
        v.pin_rows(rows);
    }
}

/// Attribute for following VGA output (serial output is unaffected).
pub fn set_screen_attr(attr: u8) {
    if let Some(v) = &mut CONSOLE.lock().screen {
        v.set_attr(attr);
    }
}

pub fn print(args: fmt::Arguments<'_>) {
    let mut c = CONSOLE.lock();
    let _ = c.write_fmt(args);
    c.sync_cursor();
}

/// For the panic handler: prints even if the panic struck while the
/// console was locked (the holder can only be the panicking code itself).
pub fn print_panic(args: fmt::Arguments<'_>) {
    if CONSOLE.is_locked() {
        // SAFETY: the executive has one thread; a held lock means the panic
        // happened inside a console write on this very stack, which will
        // never resume.
        unsafe { CONSOLE.force_unlock() };
    }
    print(args);
}

/// `println!` for the executive: both consoles.
#[macro_export]
macro_rules! kprintln {
    () => { $crate::hal::console::print(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::hal::console::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
