//! `RTL_USER_PROCESS_PARAMETERS`: the layout and the block `RtlCreateProcessParameters`
//! builds, for either pointer width (the host tests check both).
//!
//! Layout as in Windows' public symbols (`dt ntdll!_RTL_USER_PROCESS_PARAMETERS`,
//! Windows 7), the same the executive uses (`private/ntos/src/ps/params.rs`):
//! `MaximumLength`, `Length`, `Flags`, `DebugFlags` (ULONGs), `ConsoleHandle`,
//! `ConsoleFlags`, three standard handles, `CurrentDirectory` (`CURDIR`: a
//! `UNICODE_STRING` and a handle), `DllPath`, `ImagePathName`, `CommandLine`,
//! `Environment`, nine ULONGs (`StartingX` … `ShowWindowFlags`), `WindowTitle`,
//! `DesktopInfo`, `ShellInfo`, `RuntimeData`, 32 `RTL_DRIVE_LETTER_CURDIR`s,
//! `EnvironmentSize`, `EnvironmentVersion`.
//!
//! The block, as Wine's `dlls/ntdll/tests/env.c` observes Windows (Vista and later)
//! build it: the strings follow the structure in the order `CurrentDirectory`,
//! `DllPath`, `ImagePathName`, `CommandLine`, `WindowTitle`, `DesktopInfo`,
//! `ShellInfo`, `RuntimeData`, each at a pointer-aligned offset, NUL-terminated, with
//! `MaximumLength = Length + 2` (the current directory reserves `MAX_PATH` characters);
//! a "null" string (`MaximumLength` 0) stays `{0, 0, NULL}` and takes no room.
//! `Length` (Windows' `Size`) ends after the strings, pointer-aligned;
//! `MaximumLength` (`AllocationSize`) equals it. The environment is copied right after
//! `Length` into the same allocation; `Environment` is its address (never an offset)
//! and `EnvironmentSize` the bytes from it to the end of the allocation. A
//! denormalized block (`Flags` without `RTL_USER_PROC_PARAMS_NORMALIZED`) holds string
//! offsets from its start instead of addresses.

use ntdef::status::{NtStatus, STATUS_INVALID_PARAMETER};

/// `RTL_USER_PROC_PARAMS_NORMALIZED`.
pub const NORMALIZED: u32 = 0x01;
/// `MAX_PATH` characters, reserved for the current directory.
pub const CURDIR_CHARS: usize = 260;

/// Offsets of `RTL_USER_PROCESS_PARAMETERS` for pointers of `w` bytes (4 or 8).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub w: usize,
}

/// The eight strings of the block, in the order their buffers are placed.
pub const STRINGS: usize = 8;

impl Layout {
    pub const X64: Layout = Layout { w: 8 };
    pub const X86: Layout = Layout { w: 4 };
    /// This build's pointer width.
    pub const NATIVE: Layout = Layout {
        w: size_of::<usize>(),
    };

    pub const MAXIMUM_LENGTH: usize = 0x00;
    pub const LENGTH: usize = 0x04;
    pub const FLAGS: usize = 0x08;
    pub const DEBUG_FLAGS: usize = 0x0C;
    pub const CONSOLE_HANDLE: usize = 0x10;

    /// `sizeof(UNICODE_STRING)`: two USHORTs, padding to a pointer, the buffer.
    pub const fn unicode_string(self) -> usize {
        2 * self.w
    }
    pub const fn console_flags(self) -> usize {
        Self::CONSOLE_HANDLE + self.w
    }
    pub const fn standard_input(self) -> usize {
        (self.console_flags() + 4).next_multiple_of(self.w)
    }
    pub const fn current_directory(self) -> usize {
        self.standard_input() + 3 * self.w
    }
    pub const fn dll_path(self) -> usize {
        self.current_directory() + self.unicode_string() + self.w
    }
    pub const fn image_path_name(self) -> usize {
        self.dll_path() + self.unicode_string()
    }
    pub const fn command_line(self) -> usize {
        self.image_path_name() + self.unicode_string()
    }
    pub const fn environment(self) -> usize {
        self.command_line() + self.unicode_string()
    }
    pub const fn starting_x(self) -> usize {
        self.environment() + self.w
    }
    pub const fn window_title(self) -> usize {
        (self.starting_x() + 9 * 4).next_multiple_of(self.w)
    }
    pub const fn desktop_info(self) -> usize {
        self.window_title() + self.unicode_string()
    }
    pub const fn shell_info(self) -> usize {
        self.desktop_info() + self.unicode_string()
    }
    pub const fn runtime_data(self) -> usize {
        self.shell_info() + self.unicode_string()
    }
    /// `CurrentDirectores[32]`: `RTL_DRIVE_LETTER_CURDIR` is two USHORTs, a ULONG and
    /// a `STRING`.
    pub const fn current_directories(self) -> usize {
        self.runtime_data() + self.unicode_string()
    }
    pub const fn environment_size(self) -> usize {
        self.current_directories() + 32 * (8 + self.unicode_string())
    }
    pub const fn environment_version(self) -> usize {
        self.environment_size() + self.w
    }
    /// `sizeof(RTL_USER_PROCESS_PARAMETERS)` (Windows 7).
    pub const fn size(self) -> usize {
        self.environment_version() + self.w
    }

    /// The string fields in placement order.
    pub const fn strings(self) -> [usize; STRINGS] {
        [
            self.current_directory(),
            self.dll_path(),
            self.image_path_name(),
            self.command_line(),
            self.window_title(),
            self.desktop_info(),
            self.shell_info(),
            self.runtime_data(),
        ]
    }
}

/// One string to place: its characters, or `None` for a null string.
pub type Source<'a> = Option<&'a [u16]>;

/// Where [`build`] puts things, from [`plan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `Length` and `MaximumLength`: the structure and its strings.
    pub length: usize,
    /// The whole allocation: `length` plus the environment, pointer-aligned.
    pub total: usize,
}

fn max_chars(index: usize, chars: usize) -> usize {
    let own = chars + 1;
    if index == 0 {
        own.max(CURDIR_CHARS)
    } else {
        own
    }
}

/// Sizes the block for `strings` and an environment of `env_chars` code units.
/// `STATUS_INVALID_PARAMETER` when a string cannot be described by a `UNICODE_STRING`
/// with its terminator.
pub fn plan(
    layout: Layout,
    strings: &[Source; STRINGS],
    env_chars: usize,
) -> Result<Plan, NtStatus> {
    let mut at = layout.size();
    for (i, s) in strings.iter().enumerate() {
        if let Some(s) = s {
            let max = max_chars(i, s.len());
            if max * 2 > usize::from(u16::MAX) {
                return Err(STATUS_INVALID_PARAMETER);
            }
            at = at.next_multiple_of(layout.w) + max * 2;
        }
    }
    let length = at.next_multiple_of(layout.w);
    let total = (length + env_chars * 2).next_multiple_of(layout.w);
    if u32::try_from(total).is_err() {
        return Err(STATUS_INVALID_PARAMETER);
    }
    Ok(Plan { length, total })
}

fn put(b: &mut [u8], at: usize, bytes: &[u8]) {
    b[at..at + bytes.len()].copy_from_slice(bytes);
}

fn put_word(layout: Layout, b: &mut [u8], at: usize, v: usize) {
    put(b, at, &v.to_le_bytes()[..layout.w]);
}

/// Reads the pointer-sized field at `at`.
pub fn word(layout: Layout, b: &[u8], at: usize) -> usize {
    let mut w = [0u8; size_of::<usize>()];
    w[..layout.w].copy_from_slice(&b[at..at + layout.w]);
    usize::from_le_bytes(w)
}

fn put_chars(b: &mut [u8], at: usize, chars: &[u16]) {
    for (i, c) in chars.iter().enumerate() {
        put(b, at + 2 * i, &c.to_le_bytes());
    }
}

/// Builds the block into `out` (`plan.total` bytes, any content), to live at address
/// `base`. `env` is copied whole (it should end with its empty string). Strings hold
/// offsets unless `normalized`.
pub fn build(
    layout: Layout,
    out: &mut [u8],
    base: usize,
    plan: Plan,
    strings: &[Source; STRINGS],
    env: &[u16],
    normalized: bool,
) {
    out[..plan.total].fill(0);
    let mut at = layout.size();
    for (i, (s, field)) in strings.iter().zip(layout.strings()).enumerate() {
        let Some(s) = s else { continue };
        at = at.next_multiple_of(layout.w);
        let max = max_chars(i, s.len());
        put_chars(out, at, s);
        put(out, field, &((s.len() * 2) as u16).to_le_bytes());
        put(out, field + 2, &((max * 2) as u16).to_le_bytes());
        put_word(
            layout,
            out,
            field + layout.w,
            if normalized { base + at } else { at },
        );
        at += max * 2;
    }
    let length = plan.length as u32;
    put(out, Layout::MAXIMUM_LENGTH, &length.to_le_bytes());
    put(out, Layout::LENGTH, &length.to_le_bytes());
    let flags = if normalized { NORMALIZED } else { 0 };
    put(out, Layout::FLAGS, &flags.to_le_bytes());
    put_chars(out, plan.length, env);
    put_word(layout, out, layout.environment(), base + plan.length);
    put_word(
        layout,
        out,
        layout.environment_size(),
        plan.total - plan.length,
    );
}

/// `RtlNormalizeProcessParams` / `RtlDeNormalizeProcessParams` on the structure's
/// bytes (at least `layout.size()`) of a block at `base`: adds (`normalize`) or
/// subtracts `base` to every non-NULL string buffer and sets or clears the flag. A
/// block already in the wanted form is left alone.
pub fn rebase(layout: Layout, b: &mut [u8], base: usize, normalize: bool) {
    let flags = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
    if (flags & NORMALIZED != 0) == normalize {
        return;
    }
    let mask = if layout.w == 8 {
        usize::MAX
    } else {
        u32::MAX as usize
    };
    for field in layout.strings() {
        let at = field + layout.w;
        let v = word(layout, b, at);
        if v != 0 {
            let v = if normalize {
                v.wrapping_add(base)
            } else {
                v.wrapping_sub(base)
            };
            put_word(layout, b, at, v & mask);
        }
    }
    let flags = if normalize {
        flags | NORMALIZED
    } else {
        flags & !NORMALIZED
    };
    put(b, Layout::FLAGS, &flags.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_7_offsets() {
        // dt ntdll!_RTL_USER_PROCESS_PARAMETERS on Windows 7 x64 and x86.
        let cases = [
            (
                Layout::X64,
                [0x18, 0x20, 0x38, 0x50, 0x60, 0x70, 0x80, 0x88],
            ),
            (
                Layout::X86,
                [0x14, 0x18, 0x24, 0x30, 0x38, 0x40, 0x48, 0x4C],
            ),
        ];
        for (l, [cf, si, cd, dll, img, cmd, env, sx]) in cases {
            assert_eq!(
                [
                    l.console_flags(),
                    l.standard_input(),
                    l.current_directory(),
                    l.dll_path(),
                    l.image_path_name(),
                    l.command_line(),
                    l.environment(),
                    l.starting_x()
                ],
                [cf, si, cd, dll, img, cmd, env, sx]
            );
        }
        let x64 = Layout::X64;
        assert_eq!(
            [
                x64.window_title(),
                x64.desktop_info(),
                x64.shell_info(),
                x64.runtime_data(),
                x64.current_directories(),
                x64.environment_size(),
                x64.environment_version(),
                x64.size()
            ],
            [0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0x3F0, 0x3F8, 0x400]
        );
        let x86 = Layout::X86;
        assert_eq!(
            [
                x86.window_title(),
                x86.desktop_info(),
                x86.shell_info(),
                x86.runtime_data(),
                x86.current_directories(),
                x86.environment_size(),
                x86.environment_version(),
                x86.size()
            ],
            [0x70, 0x78, 0x80, 0x88, 0x90, 0x290, 0x294, 0x298]
        );
    }

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn u16_at(b: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
    }

    fn u32_at(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
    }

    #[test]
    fn block_like_windows() {
        let image = w("c:\\foo.exe");
        let dir = w("C:\\");
        let env = w("a=b\0c=d\0\0");
        for layout in [Layout::X64, Layout::X86] {
            let strings: [Source; STRINGS] = [
                Some(&dir),
                None,
                Some(&image),
                Some(&image),
                Some(&[]),
                Some(&[]),
                Some(&[]),
                None,
            ];
            let plan = plan(layout, &strings, env.len()).unwrap();
            let mut b = vec![0xAB; plan.total];
            let base = 0x1234_0000;
            build(layout, &mut b, base, plan, &strings, &env, false);
            assert_eq!(u32_at(&b, 0), plan.length);
            assert_eq!(u32_at(&b, 4), plan.length);
            assert_eq!(u32_at(&b, 8), 0);
            let mut pos = layout.size();
            for (i, field) in layout.strings().into_iter().enumerate() {
                let (len, max) = (u16_at(&b, field), u16_at(&b, field + 2));
                let buf = word(layout, &b, field + layout.w);
                match strings[i] {
                    None => assert_eq!((len, max, buf), (0, 0, 0), "string {i}"),
                    Some(s) => {
                        assert_eq!(buf, pos.next_multiple_of(layout.w), "string {i}");
                        assert_eq!(len, s.len() * 2);
                        assert_eq!(max, if i == 0 { 520 } else { len + 2 });
                        assert_eq!(u16_at(&b, buf + len), 0, "terminator {i}");
                        pos = buf + max;
                    }
                }
            }
            assert_eq!(plan.length, pos.next_multiple_of(layout.w));
            assert_eq!(word(layout, &b, layout.environment()), base + plan.length);
            assert_eq!(
                word(layout, &b, layout.environment_size()),
                plan.total - plan.length
            );
            assert!(plan.total >= plan.length + env.len() * 2);
            assert_eq!(u16_at(&b, plan.length + 2 * 3), 0);
            assert_eq!(u16_at(&b, plan.length + 2 * 4), usize::from(b'c'));
            // Normalize: addresses; denormalize: back to the same bytes.
            let before = b.clone();
            rebase(layout, &mut b, base, true);
            assert_eq!(u32_at(&b, 8), 1);
            let f = layout.image_path_name() + layout.w;
            assert_eq!(word(layout, &b, f), base + word(layout, &before, f));
            assert_eq!(word(layout, &b, layout.dll_path() + layout.w), 0);
            let normalized = b.clone();
            rebase(layout, &mut b, base, true);
            assert_eq!(b, normalized, "normalizing twice changes nothing");
            rebase(layout, &mut b, base, false);
            assert_eq!(b, before);
        }
    }

    #[test]
    fn long_current_directory_and_limits() {
        let long = vec![b'x' as u16; 300];
        let mut s: [Source; STRINGS] = [None; STRINGS];
        s[0] = Some(&long);
        let p = plan(Layout::X64, &s, 1).unwrap();
        assert_eq!(p.length, (0x400 + 602usize).next_multiple_of(8));
        let huge = vec![0u16; 32767];
        s[3] = Some(&huge);
        assert_eq!(plan(Layout::X64, &s, 1), Err(STATUS_INVALID_PARAMETER));
    }
}
