//! Process creation: `NtCreateUserProcess`, the Windows Vista+ path that
//! `RtlCreateUserProcess` (and kernel32's `CreateProcess`) take: the executive opens
//! the image itself, maps it with ntdll into a new address space, copies the caller's
//! `RTL_USER_PROCESS_PARAMETERS` into the new process (normalized) and makes its first
//! thread, which starts in ntdll's `LdrInitializeThunk` (suspended if asked).
//!
//! Images: until the I/O manager and file systems exist, `\SystemRoot` (`C:\Nereid`) is
//! the boot archive, read-only: `\??\C:\Nereid\<name>`, `\SystemRoot\<name>` and the
//! same under `System32\` name its files (case-insensitively); any other path is
//! `STATUS_OBJECT_PATH_NOT_FOUND`, a missing file `STATUS_OBJECT_NAME_NOT_FOUND`.
//!
//! Structures (phnt `ntpsapi.h`; layouts checked against the public symbols of Windows
//! 8, `_PS_CREATE_INFO` 0x58 bytes on x64 / 0x48 on x86):
//! - `PS_CREATE_INFO`: `Size`, `State` (`PsCreateSuccess` = 6, `PsCreateFailOnFileOpen`
//!   = 1, `PsCreateFailExeFormat` = 3), then for success `OutputFlags`, `FileHandle`,
//!   `SectionHandle`, `UserProcessParametersNative` (u64), `…Wow64`,
//!   `CurrentParameterFlags`, `PebAddressNative` (u64), `PebAddressWow64`,
//!   `ManifestAddress` (u64), `ManifestSize`.
//! - `PS_ATTRIBUTE_LIST`: `PS_ATTRIBUTE_IMAGE_NAME` (0x20005, the NT path, required),
//!   `PS_ATTRIBUTE_CLIENT_ID` (0x10003, out), `PS_ATTRIBUTE_IMAGE_INFO` (0x6, out:
//!   `SECTION_IMAGE_INFORMATION`), `PS_ATTRIBUTE_PARENT_PROCESS` (0x60000, in: the
//!   parent instead of the caller); others are ignored.
//!
//! Not supported yet: handle inheritance (`PROCESS_CREATE_FLAGS_INHERIT_HANDLES` is
//! accepted and ignored), debug ports, jobs, tokens.

use alloc::vec;
use alloc::vec::Vec;

use super::bootfs::{boot_file, image_name};
use super::obsvc::{capture_attributes, return_handle, word_at, ObState};
use super::pssvc::{self, PROCESS_CREATE_PROCESS};
use super::services::{Context, Outcome};
use super::threadsvc::{read_attribute_list, THREAD_CREATE_FLAGS_CREATE_SUSPENDED};
use crate::ke::probe::{probe, UserPtr};
use crate::mm::section;
use crate::ob::handle::HandleAttributes;
use crate::ob::{Handle, ObjectId, TypeIndex};
use crate::ps::ntprocess::NtProcess;
use crate::ps::{cid, params, teb};
use ntdef::status::{
    NtStatus, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_IMAGE_NOT_MZ, STATUS_INVALID_PARAMETER,
    STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_NAME_NOT_FOUND,
};
use ntdef::types::OBJECT_ATTRIBUTES;
use ntsvc::{HANDLE, NT_CURRENT_PROCESS};
use peimage::PeImage;

const WORD: usize = size_of::<usize>();

/// `sizeof(PS_CREATE_INFO)`.
#[cfg(target_pointer_width = "64")]
const CREATE_INFO_SIZE: usize = 0x58;
#[cfg(target_pointer_width = "32")]
const CREATE_INFO_SIZE: usize = 0x48;
/// Where `State` is; the success fields follow in an 8-aligned union (`OutputFlags`
/// stays 0).
const CREATE_STATE: usize = WORD;
const PS_CREATE_FAIL_ON_FILE_OPEN: u32 = 1;
const PS_CREATE_FAIL_EXE_FORMAT: u32 = 3;
const PS_CREATE_SUCCESS: u32 = 6;

const PS_ATTRIBUTE_IMAGE_NAME: usize = 0x0002_0005;
const PS_ATTRIBUTE_CLIENT_ID: usize = 0x0001_0003;
const PS_ATTRIBUTE_IMAGE_INFO: usize = 0x0000_0006;
const PS_ATTRIBUTE_PARENT_PROCESS: usize = 0x0006_0000;

/// `PROCESS_CREATE_FLAGS_*` that exist (Windows 10: up to 0x4000 plus a few higher
/// bits); unknown bits are refused.
const PROCESS_CREATE_FLAGS_VALID: u32 = 0x0000_FFFF;

/// `sizeof(SECTION_IMAGE_INFORMATION)`: 0x40 on x64, 0x30 on x86.
pub const IMAGE_INFO_SIZE: usize = if WORD == 8 { 0x40 } else { 0x30 };
/// Longest image path accepted (`UNICODE_STRING` bytes).
const MAX_PATH_BYTES: usize = 0xFFFE;
/// Longest environment block copied (bytes).
const MAX_ENVIRONMENT: usize = 32 * 1024;

fn u16_at(raw: &[u8], at: usize) -> u16 {
    raw.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// Reads the string whose `UNICODE_STRING` is at `field` of the captured header `raw`
/// of a block at `base` (`normalized`: buffers are addresses, else offsets from the
/// block).
fn capture_string(
    p: &NtProcess,
    raw: &[u8],
    base: usize,
    field: usize,
    normalized: bool,
) -> Result<Vec<u8>, NtStatus> {
    let len = usize::from(u16_at(raw, field));
    let buffer = word_at(raw, field + WORD);
    if len == 0 || buffer == 0 {
        return Ok(Vec::new());
    }
    let at = if normalized {
        buffer
    } else {
        base.checked_add(buffer).ok_or(STATUS_INVALID_PARAMETER)?
    };
    probe(at, len, 1)?;
    let mut bytes = vec![0u8; len];
    p.read(at, &mut bytes)?;
    Ok(bytes)
}

/// Captures a caller's `RTL_USER_PROCESS_PARAMETERS` at `at`.
fn capture_parameters(p: &NtProcess, at: usize) -> Result<params::Input, NtStatus> {
    probe(at, params::SIZE, 4)?;
    let mut raw = vec![0u8; params::SIZE];
    p.read(at, &mut raw)?;
    let flags = u32::from_le_bytes([raw[8], raw[9], raw[10], raw[11]]);
    let normalized = flags & params::NORMALIZED != 0;
    let s = |field| capture_string(p, &raw, at, field, normalized).map(|b| units(&b));
    let environment = word_at(&raw, params::ENVIRONMENT);
    let environment = if environment == 0 {
        params::default_environment()
    } else {
        capture_environment(p, environment, word_at(&raw, params::ENVIRONMENT_SIZE))?
    };
    Ok(params::Input {
        image_path: s(params::IMAGE_PATH_NAME)?,
        command_line: s(params::COMMAND_LINE)?,
        current_directory: s(params::CURRENT_DIRECTORY)?,
        dll_path: s(params::DLL_PATH)?,
        window_title: s(params::WINDOW_TITLE)?,
        desktop_info: s(params::DESKTOP_INFO)?,
        shell_info: s(params::SHELL_INFO)?,
        runtime_data: capture_string(p, &raw, at, params::RUNTIME_DATA, normalized)?,
        environment,
    })
}

/// The environment block at `at`: `size` bytes if given (Vista+ callers set
/// `EnvironmentSize`), else up to its double NUL; at most [`MAX_ENVIRONMENT`].
fn capture_environment(p: &NtProcess, at: usize, size: usize) -> Result<Vec<u16>, NtStatus> {
    if size != 0 {
        let size = size.min(MAX_ENVIRONMENT) & !1;
        probe(at, size, 2)?;
        let mut bytes = vec![0u8; size];
        p.read(at, &mut bytes)?;
        return Ok(units(&bytes));
    }
    let mut out = Vec::new();
    let mut chunk = [0u8; 256];
    let mut cursor = at;
    while out.len() * 2 < MAX_ENVIRONMENT {
        probe(cursor, chunk.len(), 2)?;
        p.read(cursor, &mut chunk)?;
        for c in chunk.chunks_exact(2) {
            let u = u16::from_le_bytes([c[0], c[1]]);
            out.push(u);
            if out.ends_with(&[0, 0]) {
                return Ok(out);
            }
        }
        cursor += chunk.len();
    }
    Err(STATUS_INVALID_PARAMETER)
}

/// `SECTION_IMAGE_INFORMATION` for the image `exe` mapped at `base` (the same record
/// `NtQuerySection` gives for an image section, `mm::section`).
pub fn image_information(exe: &[u8], base: usize) -> Vec<u8> {
    match PeImage::parse(exe) {
        Ok(img) => section::image_information(
            &section::ImageInfo::of(&img, exe.len()),
            base as u64,
            WORD == 8,
        ),
        Err(_) => vec![0; IMAGE_INFO_SIZE],
    }
}

fn handle_for(
    cx: &mut Context<'_>,
    object: ObjectId,
    ty: TypeIndex,
    desired: u32,
    attributes: u32,
) -> Result<Handle, NtStatus> {
    let access = cx.ob.granted_access(ty, desired)?;
    cx.ob.om.create_handle(
        cx.caller.table,
        object,
        access,
        HandleAttributes::from_obj_bits(attributes),
    )
}

/// Writes `CreateInfo.State` (and nothing else): how a failure is reported.
fn set_state(cx: &Context<'_>, create_info: usize, state: u32) {
    let _ = cx
        .process
        .write(create_info + CREATE_STATE, &state.to_le_bytes());
}

/// `NtCreateUserProcess`.
#[allow(clippy::too_many_arguments)]
pub fn create_user_process(
    cx: &mut Context<'_>,
    process_out: UserPtr<HANDLE>,
    thread_out: UserPtr<HANDLE>,
    process_access: u32,
    thread_access: u32,
    process_attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    thread_attributes: Option<UserPtr<OBJECT_ATTRIBUTES>>,
    process_flags: u32,
    thread_flags: u32,
    parameters: usize,
    create_info: usize,
    attribute_list: usize,
) -> Outcome {
    Outcome::Reply(NtStatus::from_result((|| {
        probe(create_info, CREATE_INFO_SIZE, 4)?;
        if process_flags & !PROCESS_CREATE_FLAGS_VALID != 0
            || thread_flags & !super::threadsvc::THREAD_CREATE_FLAGS_VALID != 0
            || parameters == 0
        {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let attributes = read_attribute_list(cx, attribute_list)?;
        let p_attrs = match process_attributes {
            Some(a) => capture_attributes(&*cx.process, a)?.attributes,
            None => 0,
        };
        let t_attrs = match thread_attributes {
            Some(a) => capture_attributes(&*cx.process, a)?.attributes,
            None => 0,
        };
        let input = capture_parameters(cx.process, parameters)?;
        // The image: the attribute, as Windows requires it.
        let (_, size, at) = attributes
            .iter()
            .copied()
            .find(|a| a.0 == PS_ATTRIBUTE_IMAGE_NAME)
            .ok_or(STATUS_INVALID_PARAMETER)?;
        if size == 0 || size > MAX_PATH_BYTES || size % 2 != 0 {
            return Err(STATUS_OBJECT_NAME_INVALID);
        }
        probe(at, size, 2)?;
        let mut path = vec![0u8; size];
        cx.process.read(at, &mut path)?;
        let path = units(&path);
        // The parent: the attribute's process handle, else the caller.
        let parent = match attributes
            .iter()
            .find(|a| a.0 == PS_ATTRIBUTE_PARENT_PROCESS)
        {
            Some(&(_, _, h)) if h != NT_CURRENT_PROCESS => {
                pssvc::process_of_handle(cx, h, PROCESS_CREATE_PROCESS)?
            }
            _ => cx.process.pid,
        };
        let name = image_name(&path).inspect_err(|_| {
            set_state(cx, create_info, PS_CREATE_FAIL_ON_FILE_OPEN);
        })?;
        let (Some(exe), Some(ntdll)) = (boot_file(&name), boot_file("ntdll.dll")) else {
            set_state(cx, create_info, PS_CREATE_FAIL_ON_FILE_OPEN);
            return Err(STATUS_OBJECT_NAME_NOT_FOUND);
        };
        // The handles must be writable before a child exists that could be left
        // without one (the probe checked range and alignment only).
        for out in [process_out.addr(), thread_out.addr()] {
            cx.process.ensure_backed(cx.mm, cx.shadows, out, WORD)?;
            if cx.process.accessible(out, WORD, true) < WORD {
                return Err(ntdef::status::STATUS_ACCESS_VIOLATION);
            }
        }
        // Not an executable at all (Windows' image section creation says so first).
        if !exe.starts_with(b"MZ") {
            set_state(cx, create_info, PS_CREATE_FAIL_EXE_FORMAT);
            return Err(STATUS_INVALID_IMAGE_NOT_MZ);
        }

        let pid = *cx.next_number;
        let first = pid + 1;
        let suspended = thread_flags & THREAD_CREATE_FLAGS_CREATE_SUSPENDED != 0;
        let endpoint = cx.process.endpoint();
        let mut p = match NtProcess::spawn(
            cx.mm, cx.shadows, endpoint, pid, first, &name, &input, exe, ntdll, suspended,
        ) {
            Ok(p) => p,
            Err(e) => {
                set_state(cx, create_info, PS_CREATE_FAIL_EXE_FORMAT);
                return Err(e.status());
            }
        };
        *cx.next_number += 2;
        let mut id = match cx.ob.attach() {
            Ok(id) => id,
            Err(s) => {
                let _ = p.terminate(cx.mm, cx.shadows);
                return Err(s);
            }
        };
        let _ = cx.ke.attach(&id);
        let (Some(process_object), Some(thread)) =
            (id.caller.process, ObState::split_first_thread(&mut id))
        else {
            cx.ob.detach(id);
            let _ = p.terminate(cx.mm, cx.shadows);
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        };
        let base = p.image_base();
        let (tcb, teb) = p
            .thread(first)
            .map_or((None, 0), |t| (Some(t.tcb()), t.teb));
        p.ob = Some(id);
        cx.spawned.push((pid, p));
        cx.ps.add(pid, &name, process_object, parent, cx.ke.now);
        let start = boot_file(&name)
            .and_then(|e| PeImage::parse(e).ok())
            .and_then(|i| i.entry_point_rva())
            .map_or(0, |rva| base + rva as usize);
        cx.ps
            .add_thread(first, pid, thread, tcb, teb, start, cx.ke.now);
        if suspended {
            if let Some(t) = cx.ps.thread(first) {
                t.suspend_count = 1;
                t.set_stopped();
            }
        }

        // Handles, then what the caller asked to be told.
        let ph = handle_for(
            cx,
            process_object,
            cx.ob.process_type(),
            process_access,
            p_attrs,
        )?;
        return_handle(cx.ob, &cx.caller, &*cx.process, process_out, ph)?;
        let th = handle_for(
            cx,
            thread.object,
            cx.ob.thread_type(),
            thread_access,
            t_attrs,
        )?;
        return_handle(cx.ob, &cx.caller, &*cx.process, thread_out, th)?;
        let mut info = vec![0u8; CREATE_INFO_SIZE - CREATE_STATE];
        info[..4].copy_from_slice(&PS_CREATE_SUCCESS.to_le_bytes());
        let put64 = |info: &mut Vec<u8>, at: usize, v: u64| {
            let at = at - CREATE_STATE;
            info[at..at + 8].copy_from_slice(&v.to_le_bytes());
        };
        // UserProcessParametersNative and PebAddressNative (offsets from the start).
        let (params_at, peb_at) = if WORD == 8 {
            (0x28, 0x38)
        } else {
            (0x18, 0x28)
        };
        put64(&mut info, params_at, params::PARAMS_ADDRESS as u64);
        put64(&mut info, peb_at, teb::PEB_ADDRESS as u64);
        cx.process.write(create_info + CREATE_STATE, &info)?;
        for &(kind, size, at) in &attributes {
            match kind {
                PS_ATTRIBUTE_CLIENT_ID if size >= 2 * WORD => {
                    probe(at, 2 * WORD, 4)?;
                    let mut raw = Vec::with_capacity(2 * WORD);
                    raw.extend_from_slice(&cid::process_id(pid).to_le_bytes());
                    raw.extend_from_slice(&cid::thread_id(first).to_le_bytes());
                    cx.process.write(at, &raw)?;
                }
                PS_ATTRIBUTE_IMAGE_INFO if size >= IMAGE_INFO_SIZE => {
                    probe(at, IMAGE_INFO_SIZE, 4)?;
                    cx.process.write(at, &image_information(exe, base))?;
                }
                _ => {}
            }
        }
        Ok(())
    })()))
}
