//! `RTL_USER_PROCESS_PARAMETERS`: the block `PEB.ProcessParameters` points at, built
//! by the executive for every NT process it starts.
//!
//! Layout as in Windows' public symbols (`dt ntdll!_RTL_USER_PROCESS_PARAMETERS`,
//! Windows 7; later versions append fields after `EnvironmentVersion`):
//!
//! | field | x64 | x86 |
//! |---|---|---|
//! | MaximumLength, Length, Flags, DebugFlags (ULONG) | 0x00 0x04 0x08 0x0C | same |
//! | ConsoleHandle | 0x10 | 0x10 |
//! | ConsoleFlags (ULONG) | 0x18 | 0x14 |
//! | StandardInput, StandardOutput, StandardError | 0x20 0x28 0x30 | 0x18 0x1C 0x20 |
//! | CurrentDirectory (CURDIR: DosPath UNICODE_STRING, Handle) | 0x38 | 0x24 |
//! | DllPath, ImagePathName, CommandLine (UNICODE_STRING) | 0x50 0x60 0x70 | 0x30 0x38 0x40 |
//! | Environment | 0x80 | 0x48 |
//! | StartingX … ShowWindowFlags (9 ULONGs) | 0x88 | 0x4C |
//! | WindowTitle, DesktopInfo, ShellInfo, RuntimeData | 0xB0 0xC0 0xD0 0xE0 | 0x70 0x78 0x80 0x88 |
//! | CurrentDirectores[32] (RTL_DRIVE_LETTER_CURDIR) | 0xF0 | 0x90 |
//! | EnvironmentSize, EnvironmentVersion (ULONG_PTR) | 0x3F0 0x3F8 | 0x290 0x294 |
//! | size | 0x400 | 0x298 |
//!
//! The block is *normalized* (`RTL_USER_PROC_PARAMS_NORMALIZED`): string buffers hold
//! addresses. `MaximumLength` and `Length` are the structure plus its strings; the
//! environment (a double-NUL-terminated UTF-16 block) follows them in the same pages,
//! as a separate allocation would on Windows.
//!
//! Nereid's choices: `ImagePathName` is `\??\C:\Nereid\<boot archive name>` (NT form),
//! `CommandLine` the archive name plus the `boot.ini` arguments, `CurrentDirectory`
//! `C:\` (DosPath buffer of MAX_PATH characters, as Windows reserves; Handle NULL),
//! `DllPath` empty, the environment `Path=C:\Nereid` and `SystemRoot=C:\Nereid`
//! (sorted, as Windows keeps it). No console or standard handles.

use alloc::vec;
use alloc::vec::Vec;

#[cfg(target_pointer_width = "64")]
mod offsets {
    pub const CURRENT_DIRECTORY: usize = 0x38;
    pub const DLL_PATH: usize = 0x50;
    pub const IMAGE_PATH_NAME: usize = 0x60;
    pub const COMMAND_LINE: usize = 0x70;
    pub const ENVIRONMENT: usize = 0x80;
    pub const WINDOW_TITLE: usize = 0xB0;
    pub const DESKTOP_INFO: usize = 0xC0;
    pub const SHELL_INFO: usize = 0xD0;
    pub const RUNTIME_DATA: usize = 0xE0;
    pub const ENVIRONMENT_SIZE: usize = 0x3F0;
    pub const SIZE: usize = 0x400;
}

#[cfg(target_pointer_width = "32")]
mod offsets {
    pub const CURRENT_DIRECTORY: usize = 0x24;
    pub const DLL_PATH: usize = 0x30;
    pub const IMAGE_PATH_NAME: usize = 0x38;
    pub const COMMAND_LINE: usize = 0x40;
    pub const ENVIRONMENT: usize = 0x48;
    pub const WINDOW_TITLE: usize = 0x70;
    pub const DESKTOP_INFO: usize = 0x78;
    pub const SHELL_INFO: usize = 0x80;
    pub const RUNTIME_DATA: usize = 0x88;
    pub const ENVIRONMENT_SIZE: usize = 0x290;
    pub const SIZE: usize = 0x298;
}

pub use offsets::*;
pub const MAXIMUM_LENGTH: usize = 0x00;
pub const LENGTH: usize = 0x04;
pub const FLAGS: usize = 0x08;
/// `RTL_USER_PROC_PARAMS_NORMALIZED`.
pub const NORMALIZED: u32 = 0x01;
/// `MAX_PATH` characters, the current directory's buffer.
const CURDIR_CHARS: usize = 260;

/// Where the block lives in every process, and the most pages it may take (up to the
/// first TEB).
pub const PARAMS_ADDRESS: usize = 0x7FFD_0000;
pub const PARAMS_PAGES: usize = 12;

pub const IMAGE_DIRECTORY: &str = "\\??\\C:\\Nereid\\";
pub const CURRENT_DIRECTORY_PATH: &str = "C:\\";
pub const ENVIRONMENT_VARIABLES: &[&str] = &["Path=C:\\Nereid", "SystemRoot=C:\\Nereid"];

const W: usize = size_of::<usize>();

fn put_word(b: &mut [u8], at: usize, v: usize) {
    b[at..at + W].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Appends `units` NUL-terminated (with room for `max_chars` characters, at least
/// its own length) and writes its UNICODE_STRING at `field`. `None` if it is longer
/// than a UNICODE_STRING can say.
fn put_units(
    b: &mut Vec<u8>,
    base: usize,
    field: usize,
    units: &[u16],
    max_chars: usize,
) -> Option<()> {
    let at = b.len();
    let max = (units.len() + 1).max(max_chars);
    let max_bytes = u16::try_from(max * 2).ok()?;
    b.resize(at + max * 2, 0);
    for (i, u) in units.iter().enumerate() {
        b[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    b[field..field + 2].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
    b[field + 2..field + 4].copy_from_slice(&max_bytes.to_le_bytes());
    put_word(b, field + W, base + at);
    Some(())
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// What a process's parameters say, as strings (UTF-16 code units, no terminators).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// NT path of the image (`\??\C:\…`).
    pub image_path: Vec<u16>,
    pub command_line: Vec<u16>,
    pub current_directory: Vec<u16>,
    pub dll_path: Vec<u16>,
    pub window_title: Vec<u16>,
    pub desktop_info: Vec<u16>,
    pub shell_info: Vec<u16>,
    /// Opaque bytes (`RuntimeData` is a byte-counted UNICODE_STRING).
    pub runtime_data: Vec<u8>,
    /// The environment block: `NAME=value` strings, each NUL-terminated, and a final
    /// NUL (an empty block is one NUL pair).
    pub environment: Vec<u16>,
}

impl Input {
    /// The parameters of boot program `name` (its boot archive name) with `args` (may
    /// be empty): see the module notes.
    pub fn boot(name: &str, args: &str) -> Input {
        let mut image = alloc::string::String::from(IMAGE_DIRECTORY);
        image.push_str(name);
        let mut command = alloc::string::String::from(name);
        if !args.is_empty() {
            command.push(' ');
            command.push_str(args);
        }
        Input {
            image_path: utf16(&image),
            command_line: utf16(&command),
            current_directory: utf16(CURRENT_DIRECTORY_PATH),
            environment: default_environment(),
            ..Input::default()
        }
    }
}

/// `Path=C:\Nereid`, `SystemRoot=C:\Nereid`, as a block.
pub fn default_environment() -> Vec<u16> {
    let mut env = Vec::new();
    for var in ENVIRONMENT_VARIABLES {
        env.extend(var.encode_utf16().chain([0]));
    }
    env.push(0);
    env
}

/// The normalized block for `input`, to be placed at `base`. `None` if it does not fit
/// [`PARAMS_PAGES`] or a string is too long for a UNICODE_STRING.
pub fn build(base: usize, input: &Input) -> Option<Vec<u8>> {
    let mut b = vec![0u8; SIZE];
    put_units(
        &mut b,
        base,
        CURRENT_DIRECTORY,
        &input.current_directory,
        CURDIR_CHARS,
    )?;
    put_units(&mut b, base, DLL_PATH, &input.dll_path, 0)?;
    put_units(&mut b, base, IMAGE_PATH_NAME, &input.image_path, 0)?;
    put_units(&mut b, base, COMMAND_LINE, &input.command_line, 0)?;
    put_units(&mut b, base, WINDOW_TITLE, &input.window_title, 0)?;
    put_units(&mut b, base, DESKTOP_INFO, &input.desktop_info, 0)?;
    put_units(&mut b, base, SHELL_INFO, &input.shell_info, 0)?;
    if !input.runtime_data.is_empty() {
        let n = u16::try_from(input.runtime_data.len()).ok()?;
        let at = b.len();
        b.extend_from_slice(&input.runtime_data);
        b[RUNTIME_DATA..RUNTIME_DATA + 2].copy_from_slice(&n.to_le_bytes());
        b[RUNTIME_DATA + 2..RUNTIME_DATA + 4].copy_from_slice(&n.to_le_bytes());
        put_word(&mut b, RUNTIME_DATA + W, base + at);
    }
    b.resize(b.len().next_multiple_of(2), 0);
    let length = u32::try_from(b.len()).ok()?;
    put_u32(&mut b, MAXIMUM_LENGTH, length);
    put_u32(&mut b, LENGTH, length);
    put_u32(&mut b, FLAGS, NORMALIZED);
    // The environment, pointer-aligned after the strings.
    b.resize(b.len().next_multiple_of(16), 0);
    let env = b.len();
    let mut units = input.environment.clone();
    // However the caller ended it, the block ends with a NUL pair.
    while !units.ends_with(&[0, 0]) {
        units.push(0);
    }
    for u in &units {
        b.extend_from_slice(&u.to_le_bytes());
    }
    put_word(&mut b, ENVIRONMENT, base + env);
    let env_size = b.len() - env;
    put_word(&mut b, ENVIRONMENT_SIZE, env_size);
    (b.len() <= PARAMS_PAGES * 4096).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(b: &[u8], at: usize) -> usize {
        let mut w = [0u8; W];
        w.copy_from_slice(&b[at..at + W]);
        usize::from_le_bytes(w)
    }

    fn string(b: &[u8], base: usize, field: usize) -> (usize, usize, alloc::string::String) {
        let len = usize::from(u16::from_le_bytes([b[field], b[field + 1]]));
        let max = usize::from(u16::from_le_bytes([b[field + 2], b[field + 3]]));
        let at = word(b, field + W) - base;
        let units: Vec<u16> = b[at..at + len]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        (len, max, alloc::string::String::from_utf16(&units).unwrap())
    }

    #[test]
    fn layout() {
        const {
            // CURDIR is a UNICODE_STRING and a handle; then DllPath, ImagePathName,
            // CommandLine, Environment follow without gaps.
            assert!(DLL_PATH == CURRENT_DIRECTORY + 3 * W);
            assert!(IMAGE_PATH_NAME == DLL_PATH + 2 * W);
            assert!(COMMAND_LINE == IMAGE_PATH_NAME + 2 * W);
            assert!(ENVIRONMENT == COMMAND_LINE + 2 * W);
            // 32 RTL_DRIVE_LETTER_CURDIRs (USHORT, USHORT, ULONG, STRING) end where
            // EnvironmentSize starts; EnvironmentVersion ends the structure.
            assert!(ENVIRONMENT_SIZE + 2 * W == SIZE);
            assert!(PARAMS_ADDRESS % 0x1_0000 == 0);
            assert!(PARAMS_ADDRESS + PARAMS_PAGES * 4096 <= super::super::teb::TEB_ADDRESS);
        }
        let drive_curdir = 8 + 2 * W;
        let runtime_data = ENVIRONMENT + W + 9 * 4;
        let runtime_data = runtime_data.next_multiple_of(W) + 3 * 2 * W;
        assert_eq!(runtime_data + 2 * W + 32 * drive_curdir, ENVIRONMENT_SIZE);
    }

    #[test]
    fn block() {
        let base = PARAMS_ADDRESS;
        let b = build(base, &Input::boot("ntsuite.exe", "-v")).unwrap();
        let len = u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize;
        assert_eq!(
            len,
            u32::from_le_bytes(b[0..4].try_into().unwrap()) as usize
        );
        assert_eq!(u32::from_le_bytes(b[8..12].try_into().unwrap()), NORMALIZED);
        let cd = string(&b, base, CURRENT_DIRECTORY);
        assert_eq!((cd.0, cd.1, cd.2.as_str()), (6, 520, "C:\\"));
        assert_eq!(word(&b, CURRENT_DIRECTORY + 2 * W), 0);
        assert_eq!(string(&b, base, DLL_PATH).0, 0);
        assert_eq!(
            string(&b, base, IMAGE_PATH_NAME).2,
            "\\??\\C:\\Nereid\\ntsuite.exe"
        );
        assert_eq!(string(&b, base, COMMAND_LINE).2, "ntsuite.exe -v");
        for f in [CURRENT_DIRECTORY, DLL_PATH, IMAGE_PATH_NAME, COMMAND_LINE] {
            let (l, m, _) = string(&b, base, f);
            let at = word(&b, f + W);
            assert!(l % 2 == 0 && l < m && at >= base + SIZE && at + m <= base + len);
        }
        let env = word(&b, ENVIRONMENT) - base;
        let size = word(&b, ENVIRONMENT_SIZE);
        assert!(env >= len && env + size == b.len());
        assert_eq!(&b[b.len() - 4..], &[0, 0, 0, 0]);
        assert_ne!(&b[b.len() - 6..b.len() - 4], &[0, 0]);
        assert_eq!(string(&b, base, COMMAND_LINE).1, 30);
        assert_eq!(
            build(base, &Input::boot("a.exe", "")).map(|b| string(&b, base, COMMAND_LINE).2),
            Some("a.exe".into())
        );
    }
}
