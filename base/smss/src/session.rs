//! What smss does (see the crate documentation), with fixed buffers: the process has
//! no allocator of its own, and nothing here needs more than a few pages.
#![allow(non_snake_case, clippy::upper_case_acronyms)]

use crate::native::{self, Line, NtStatus};
use core::ffi::c_void;
use core::fmt::Write;
use ntdef::types::{OBJECT_ATTRIBUTES, UNICODE_STRING};

type HANDLE = *mut c_void;

const KEY_READ: u32 = 0x0002_0019;
const SYMBOLIC_LINK_ALL_ACCESS: u32 = 0x000F_0001;
const OBJ_PERMANENT: u32 = 0x10;
const OBJ_CASE_INSENSITIVE: u32 = 0x40;
const OBJ_OPENIF: u32 = 0x80;
const REG_SZ: u32 = 1;
const REG_MULTI_SZ: u32 = 7;
/// `KeyValueFullInformation` / `KeyValuePartialInformation`.
const KEY_VALUE_FULL: u32 = 1;
const KEY_VALUE_PARTIAL: u32 = 2;
const STATUS_NO_MORE_ENTRIES: u32 = 0x8000_001A;

/// Where the Session Manager's configuration is (Windows' key).
const SESSION_MANAGER: &str =
    "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Session Manager";
/// `\SystemRoot` in both forms.
const NT_SYSTEM_ROOT: &str = "\\??\\C:\\Nereid\\";
const DOS_SYSTEM_ROOT: &str = "C:\\Nereid\\";

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct ClientId {
    UniqueProcess: usize,
    UniqueThread: usize,
}

#[repr(C)]
struct ProcessInformation {
    Length: u32,
    Process: HANDLE,
    Thread: HANDLE,
    ClientId: ClientId,
    Image: [u8; if size_of::<usize>() == 8 { 0x40 } else { 0x30 }],
}

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    fn NtOpenKey(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    fn NtQueryValueKey(
        h: HANDLE,
        name: *const UNICODE_STRING,
        class: u32,
        buf: *mut c_void,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    fn NtEnumerateValueKey(
        h: HANDLE,
        index: u32,
        class: u32,
        buf: *mut c_void,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    fn NtCreateSymbolicLinkObject(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        target: *const UNICODE_STRING,
    ) -> NtStatus;
    fn NtClose(h: HANDLE) -> NtStatus;
    fn RtlCreateProcessParameters(
        out: *mut *mut c_void,
        image: *const UNICODE_STRING,
        dll_path: *const UNICODE_STRING,
        current_directory: *const UNICODE_STRING,
        command_line: *const UNICODE_STRING,
        environment: *mut c_void,
        window_title: *const UNICODE_STRING,
        desktop: *const UNICODE_STRING,
        shell_info: *const UNICODE_STRING,
        runtime_data: *const UNICODE_STRING,
    ) -> NtStatus;
    fn RtlDestroyProcessParameters(p: *mut c_void) -> NtStatus;
    fn RtlCreateUserProcess(
        image: *const UNICODE_STRING,
        attributes: u32,
        parameters: *mut c_void,
        process_sd: *mut c_void,
        thread_sd: *mut c_void,
        parent: HANDLE,
        inherit: u8,
        debug_port: HANDLE,
        token: HANDLE,
        info: *mut ProcessInformation,
    ) -> NtStatus;
    fn NtResumeThread(h: HANDLE, previous: *mut u32) -> NtStatus;
    fn NtWaitForSingleObject(h: HANDLE, alertable: u8, timeout: *const i64) -> NtStatus;
    fn NtQueryInformationProcess(
        h: HANDLE,
        class: u32,
        buf: *mut c_void,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
}

/// A UTF-16 string in a fixed buffer.
struct Wide {
    buf: [u16; 260],
    len: usize,
}

impl Wide {
    fn new() -> Wide {
        Wide {
            buf: [0; 260],
            len: 0,
        }
    }

    fn from(parts: &[&str]) -> Wide {
        let mut w = Wide::new();
        for p in parts {
            w.push_str(p);
        }
        w
    }

    fn push_str(&mut self, s: &str) {
        for u in s.encode_utf16() {
            self.push(u);
        }
    }

    fn push(&mut self, u: u16) {
        // One unit stays free for the terminator.
        if self.len + 1 < self.buf.len() {
            self.buf[self.len] = u;
            self.len += 1;
        }
    }

    fn units(&self) -> &[u16] {
        &self.buf[..self.len]
    }

    fn unicode(&self) -> UNICODE_STRING {
        native::unicode(self.units())
    }
}

fn attributes(name: &UNICODE_STRING, flags: u32) -> OBJECT_ATTRIBUTES {
    OBJECT_ATTRIBUTES {
        Length: size_of::<OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: core::ptr::null_mut(),
        ObjectName: name as *const _ as *mut _,
        Attributes: flags,
        SecurityDescriptor: core::ptr::null_mut(),
        SecurityQualityOfService: core::ptr::null_mut(),
    }
}

fn say(args: core::fmt::Arguments<'_>) {
    let mut line = Line::new();
    let _ = line.write_str("smss: ");
    let _ = line.write_fmt(args);
    line.display();
}

/// An 8-byte aligned buffer for registry answers. Every function's frame stays below
/// a page: a bigger one would need the `__chkstk` stack probe, which no CRT provides
/// here.
#[repr(C, align(8))]
struct Answer([u8; 1024]);

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn units_at(b: &[u8], at: usize, bytes: usize) -> impl Iterator<Item = u16> + '_ {
    b.get(at..at + bytes)
        .unwrap_or(&[])
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
}

fn open_session_key(suffix: &str) -> Result<HANDLE, NtStatus> {
    let name = Wide::from(&[SESSION_MANAGER, suffix]);
    let us = name.unicode();
    let oa = attributes(&us, OBJ_CASE_INSENSITIVE);
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: locals for every pointer.
    let s = unsafe { NtOpenKey(&mut h, KEY_READ, &oa) };
    if s.is_success() {
        Ok(h)
    } else {
        Err(s)
    }
}

/// Step 2: `\GLOBAL??\<name>` → target for every REG_SZ value of `DOS Devices`.
#[inline(never)]
fn dos_devices() {
    let Ok(key) = open_session_key("\\DOS Devices") else {
        say(format_args!("no DOS Devices key"));
        return;
    };
    let mut made = 0;
    let mut answer = Answer([0; 1024]);
    for index in 0.. {
        let mut len = 0u32;
        // SAFETY: a handle and local buffers.
        let s = unsafe {
            NtEnumerateValueKey(
                key,
                index,
                KEY_VALUE_FULL,
                answer.0.as_mut_ptr().cast(),
                answer.0.len() as u32,
                &mut len,
            )
        };
        if s.as_u32() == STATUS_NO_MORE_ENTRIES || !s.is_success() {
            break;
        }
        // KEY_VALUE_FULL_INFORMATION { TitleIndex, Type, DataOffset, DataLength,
        // NameLength, Name[] }.
        let b = &answer.0;
        if u32_at(b, 4) != REG_SZ {
            continue;
        }
        let (data_at, data_len, name_len) = (
            u32_at(b, 8) as usize,
            u32_at(b, 12) as usize,
            u32_at(b, 16) as usize,
        );
        let mut link = Wide::from(&["\\GLOBAL??\\"]);
        units_at(b, 20, name_len).for_each(|u| link.push(u));
        let mut target = Wide::new();
        units_at(b, data_at, data_len)
            .take_while(|&u| u != 0)
            .for_each(|u| target.push(u));
        let (lus, tus) = (link.unicode(), target.unicode());
        let oa = attributes(&lus, OBJ_CASE_INSENSITIVE | OBJ_PERMANENT | OBJ_OPENIF);
        let mut h: HANDLE = core::ptr::null_mut();
        // SAFETY: locals for every pointer.
        let s = unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_ALL_ACCESS, &oa, &tus) };
        if s.is_success() {
            made += 1;
            // SAFETY: the handle just returned (the link is permanent).
            unsafe { NtClose(h) };
        } else {
            say(format_args!("DOS device link failed: {:#010x}", s.as_u32()));
        }
    }
    // SAFETY: the key handle opened above.
    unsafe { NtClose(key) };
    say(format_args!("{made} DOS device link(s) in \\GLOBAL??"));
}

/// Starts `entry` (`program [arguments]`): its process handle, thread resumed.
#[inline(never)]
fn start(entry: &str) -> Result<HANDLE, NtStatus> {
    let program = entry.split(' ').next().unwrap_or(entry);
    let nt_image = Wide::from(&[NT_SYSTEM_ROOT, program]);
    let dos_image = Wide::from(&[DOS_SYSTEM_ROOT, program]);
    let command = Wide::from(&[entry]);
    let directory = Wide::from(&["C:\\"]);
    let (nt, dos, cmd, dir) = (
        nt_image.unicode(),
        dos_image.unicode(),
        command.unicode(),
        directory.unicode(),
    );
    let mut params: *mut c_void = core::ptr::null_mut();
    // SAFETY: locals for every pointer; NULLs take the defaults (our own environment).
    let s = unsafe {
        RtlCreateProcessParameters(
            &mut params,
            &dos,
            core::ptr::null(),
            &dir,
            &cmd,
            core::ptr::null_mut(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    if !s.is_success() {
        return Err(s);
    }
    let mut info = ProcessInformation {
        Length: 0,
        Process: core::ptr::null_mut(),
        Thread: core::ptr::null_mut(),
        ClientId: ClientId::default(),
        Image: [0; if size_of::<usize>() == 8 { 0x40 } else { 0x30 }],
    };
    // SAFETY: locals and the block just made.
    let s = unsafe {
        RtlCreateUserProcess(
            &nt,
            OBJ_CASE_INSENSITIVE,
            params,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            &mut info,
        )
    };
    // SAFETY: the block RtlCreateProcessParameters made; the child has its own copy.
    unsafe { RtlDestroyProcessParameters(params) };
    if !s.is_success() {
        return Err(s);
    }
    // SAFETY: the thread handle just returned; closed once resumed.
    unsafe {
        NtResumeThread(info.Thread, core::ptr::null_mut());
        NtClose(info.Thread);
    }
    Ok(info.Process)
}

/// Waits for `process` and reports its exit status.
#[inline(never)]
fn finish(program: &str, process: HANDLE) {
    // SAFETY: a process handle `start` returned; NULL timeout waits for ever.
    unsafe { NtWaitForSingleObject(process, 0, core::ptr::null()) };
    let mut basic = [0usize; 6];
    // SAFETY: PROCESS_BASIC_INFORMATION is six pointer-sized slots.
    let s = unsafe {
        NtQueryInformationProcess(
            process,
            0,
            basic.as_mut_ptr().cast(),
            size_of_val(&basic) as u32,
            core::ptr::null_mut(),
        )
    };
    if s.is_success() {
        say(format_args!(
            "{program} exited with status {:#010x}",
            basic[0] as u32
        ));
    }
    // SAFETY: the handle is ours.
    unsafe { NtClose(process) };
}

/// Step 3: the BootExecute programs.
#[inline(never)]
fn boot_execute() {
    let Ok(key) = open_session_key("") else {
        say(format_args!("no Session Manager key: nothing to run"));
        return;
    };
    let name = Wide::from(&["BootExecute"]);
    let us = name.unicode();
    let mut answer = Answer([0; 1024]);
    let mut len = 0u32;
    // SAFETY: a handle and local buffers.
    let s = unsafe {
        NtQueryValueKey(
            key,
            &us,
            KEY_VALUE_PARTIAL,
            answer.0.as_mut_ptr().cast(),
            answer.0.len() as u32,
            &mut len,
        )
    };
    // SAFETY: the key handle opened above.
    unsafe { NtClose(key) };
    // KEY_VALUE_PARTIAL_INFORMATION { TitleIndex, Type, DataLength, Data[] }.
    let b = &answer.0;
    if !s.is_success() || u32_at(b, 4) != REG_MULTI_SZ {
        say(format_args!("no BootExecute value: nothing to run"));
        return;
    }
    let data_len = (u32_at(b, 8) as usize).min(b.len() - 12);
    let mut entry = [0u8; 256];
    let mut n = 0;
    for u in units_at(b, 12, data_len).chain([0]) {
        if u != 0 {
            if n < entry.len() {
                // Boot configuration lines are ASCII.
                entry[n] = u8::try_from(u).unwrap_or(b'?');
                n += 1;
            }
            continue;
        }
        let line = core::str::from_utf8(&entry[..n]).unwrap_or("").trim();
        n = 0;
        if line.is_empty() {
            continue;
        }
        let (is_async, command) = match line.strip_prefix("async ") {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let program = command.split(' ').next().unwrap_or(command);
        match start(command) {
            Ok(process) if is_async => {
                // SAFETY: the handle `start` returned; the process runs on without us.
                unsafe { NtClose(process) };
            }
            Ok(process) => finish(program, process),
            Err(s) => say(format_args!(
                "{program}: not started ({:#010x})",
                s.as_u32()
            )),
        }
    }
}

/// Everything smss does; its exit status.
pub fn run() -> u32 {
    say(format_args!("Nereid Session Manager"));
    dos_devices();
    boot_execute();
    0
}
