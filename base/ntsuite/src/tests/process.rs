//! Process creation: RtlCreateUserProcess (over NtCreateUserProcess) starting
//! hello.exe from `\SystemRoot` (the boot archive), its first thread suspended until
//! resumed, then waited for; failures for missing and non-executable images.
//!
//! Expectations, from public documentation:
//! - RtlCreateUserProcess leaves the initial thread suspended (ReactOS / Windows
//!   callers such as smss resume it with NtResumeThread, which returns the previous
//!   count 1) and fills RTL_USER_PROCESS_INFORMATION (Length, handles, ClientId,
//!   SECTION_IMAGE_INFORMATION).
//! - The child's PROCESS_BASIC_INFORMATION.InheritedFromUniqueProcessId is its
//!   creator; its exit status is its entry point's result (hello.exe returns 0x1234).
//! - A path to a file that does not exist is STATUS_OBJECT_NAME_NOT_FOUND, to a
//!   directory that does not exist STATUS_OBJECT_PATH_NOT_FOUND; a file that is not an
//!   executable is STATUS_INVALID_IMAGE_NOT_MZ (CreateProcess docs / image section
//!   creation).
//! - ProcessParameters may be denormalized (offsets, RtlCreateProcessParameters'
//!   output) or normalized; the kernel copies them into the child.

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;

const STATUS_INVALID_IMAGE_NOT_MZ: u32 = 0xC000_012F;

/// RTL_USER_PROCESS_PARAMETERS offsets (Windows 7 public symbols).
#[cfg(target_pointer_width = "64")]
mod rupp {
    pub const SIZE: usize = 0x400;
    pub const CURRENT_DIRECTORY: usize = 0x38;
    pub const IMAGE_PATH_NAME: usize = 0x60;
    pub const COMMAND_LINE: usize = 0x70;
}
#[cfg(target_pointer_width = "32")]
mod rupp {
    pub const SIZE: usize = 0x298;
    pub const CURRENT_DIRECTORY: usize = 0x24;
    pub const IMAGE_PATH_NAME: usize = 0x38;
    pub const COMMAND_LINE: usize = 0x40;
}

const IMAGE_INFO_SIZE: usize = if W == 8 { 0x40 } else { 0x30 };

#[repr(C)]
#[allow(non_snake_case)]
pub(super) struct ProcessInformation {
    Length: u32,
    pub(super) Process: HANDLE,
    pub(super) Thread: HANDLE,
    pub(super) ClientId: ClientId,
    Image: [u8; IMAGE_INFO_SIZE],
}

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
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

}

/// A parameter block with these strings, after the structure: `normalized` with
/// addresses, else with offsets from the block (as RtlCreateProcessParameters makes).
/// The `u64` vector keeps it 8-aligned.
fn parameters(image: &str, command: &str, normalized: bool) -> Vec<u64> {
    let strings = [
        (rupp::IMAGE_PATH_NAME, wide(image)),
        (rupp::COMMAND_LINE, wide(command)),
        (rupp::CURRENT_DIRECTORY, wide("C:\\")),
    ];
    let total = rupp::SIZE + strings.iter().map(|(_, s)| s.len() * 2 + 2).sum::<usize>();
    let mut block = vec![0u64; total.div_ceil(8)];
    let base = block.as_mut_ptr() as usize;
    let bytes = block.as_mut_ptr() as *mut u8;
    let put = |at: usize, v: &[u8]| {
        // SAFETY: every write stays inside `block` (`total` bytes).
        unsafe { core::ptr::copy_nonoverlapping(v.as_ptr(), bytes.add(at), v.len()) }
    };
    put(0, &(total as u32).to_le_bytes());
    put(4, &(total as u32).to_le_bytes());
    put(8, &u32::from(normalized).to_le_bytes());
    let mut at = rupp::SIZE;
    for (field, s) in &strings {
        let len = (s.len() * 2) as u16;
        put(*field, &len.to_le_bytes());
        put(*field + 2, &(len + 2).to_le_bytes());
        let buffer = if normalized { base + at } else { at };
        put(*field + W, &buffer.to_le_bytes());
        let raw: Vec<u8> = s.iter().flat_map(|u| u.to_le_bytes()).collect();
        put(at, &raw);
        at += s.len() * 2 + 2;
    }
    block
}

/// Starts `image` (its thread suspended) with a block made by [`parameters`].
pub(super) fn create(image: &str, normalized: bool) -> Result<ProcessInformation, NtStatus> {
    let name = wide(image);
    let us = UNICODE_STRING {
        Length: (name.len() * 2) as u16,
        MaximumLength: (name.len() * 2) as u16,
        Buffer: name.as_ptr() as *mut u16,
    };
    let mut block = parameters(image, "hello.exe from the suite", normalized);
    let mut info = ProcessInformation {
        Length: 0,
        Process: core::ptr::null_mut(),
        Thread: core::ptr::null_mut(),
        ClientId: ClientId::default(),
        Image: [0; IMAGE_INFO_SIZE],
    };
    // SAFETY: locals for every pointer.
    let s = unsafe {
        RtlCreateUserProcess(
            &us,
            0x40,
            block.as_mut_ptr().cast(),
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            &mut info,
        )
    };
    if s.as_u32() == STATUS_SUCCESS {
        Ok(info)
    } else {
        Err(s)
    }
}

/// Our own process id, from the TEB's ClientId.
fn own_pid() -> usize {
    current_cid().UniqueProcess
}

fn run_hello(normalized: bool) -> Result<(), String> {
    let info = create("\\??\\C:\\Nereid\\hello.exe", normalized)
        .map_err(|s| format!("RtlCreateUserProcess: {}", describe(s.as_u32())))?;
    let r = (|| {
        if info.Length as usize != size_of::<ProcessInformation>() {
            return Err(format!("Length {}", info.Length));
        }
        let (status, pid, parent) = process_basic(info.Process)?;
        if status != STATUS_PENDING || pid != info.ClientId.UniqueProcess || parent != own_pid() {
            return Err(format!(
                "child: ExitStatus {status:#x}, pid {pid:#x} (ClientId {:#x}), parent {parent:#x} \
                 (we are {:#x})",
                info.ClientId.UniqueProcess,
                own_pid()
            ));
        }
        if info.ClientId.UniqueThread == 0 || info.ClientId.UniqueThread % 4 != 0 {
            return Err(format!("thread id {:#x}", info.ClientId.UniqueThread));
        }
        // SECTION_IMAGE_INFORMATION: TransferAddress first, Machine at 0x30 (x64) / 0x20.
        let entry = usize::from_le_bytes(info.Image[..W].try_into().unwrap_or([0; W]));
        let machine_at = if W == 8 { 0x30 } else { 0x20 };
        let machine = u16::from_le_bytes([info.Image[machine_at], info.Image[machine_at + 1]]);
        let want_machine = if W == 8 { 0x8664 } else { 0x014C };
        if entry == 0 || machine != want_machine {
            return Err(format!(
                "image info: entry {entry:#x}, machine {machine:#x}"
            ));
        }
        let zero = 0i64;
        // SAFETY: a handle and a local; a zero timeout polls.
        let s = unsafe { NtWaitForSingleObject(info.Process, 0, &zero) };
        expect_status("a suspended child has not ended", s, STATUS_TIMEOUT)?;
        let mut prev = 7u32;
        // SAFETY: a handle and a local.
        let s = unsafe { NtResumeThread(info.Thread, &mut prev) };
        expect_status("NtResumeThread(child)", s, STATUS_SUCCESS)?;
        if prev != 1 {
            return Err(format!("previous suspend count {prev}, want 1"));
        }
        let timeout = -2000 * 10_000i64;
        // SAFETY: a handle and a local.
        let s = unsafe { NtWaitForSingleObject(info.Process, 0, &timeout) };
        expect_status("wait for the child", s, STATUS_SUCCESS)?;
        let (status, _, _) = process_basic(info.Process)?;
        if status != 0x1234 {
            return Err(format!("child exit status {status:#x}, want 0x1234"));
        }
        Ok(())
    })();
    // SAFETY: handles the call returned; a child left suspended by a failure ends.
    unsafe {
        if r.is_err() {
            NtTerminateProcess(info.Process, NtStatus::from_u32(1));
        }
        NtClose(info.Thread);
        NtClose(info.Process);
    }
    r
}

fn create_denormalized() -> Result<(), String> {
    run_hello(false)
}

fn create_normalized() -> Result<(), String> {
    run_hello(true)
}

fn bad_images() -> Result<(), String> {
    for (path, want) in [
        ("\\??\\C:\\Nereid\\nosuch.exe", STATUS_OBJECT_NAME_NOT_FOUND),
        ("\\??\\D:\\nowhere\\hello.exe", STATUS_OBJECT_PATH_NOT_FOUND),
        ("\\??\\C:\\Nereid\\boot.ini", STATUS_INVALID_IMAGE_NOT_MZ),
    ] {
        let got = match create(path, false) {
            Ok(info) => {
                // SAFETY: handles the call returned; the (wrongly made) child ends.
                unsafe {
                    NtTerminateProcess(info.Process, NtStatus::from_u32(1));
                    NtClose(info.Thread);
                    NtClose(info.Process);
                }
                NtStatus::from_u32(STATUS_SUCCESS)
            }
            Err(s) => s,
        };
        expect_status(path, got, want)?;
    }
    Ok(())
}

/// Virtual memory of a (suspended) child through its process handle: allocate, write,
/// read back, query, protect, free; its PEB read across; a handle without the VM
/// rights is refused (NtReadVirtualMemory / NtWriteVirtualMemory need PROCESS_VM_READ /
/// PROCESS_VM_WRITE, NtAllocate/Free/ProtectVirtualMemory PROCESS_VM_OPERATION:
/// ReadProcessMemory / VirtualAllocEx docs).
fn child_memory() -> Result<(), String> {
    let info = create("\\??\\C:\\Nereid\\hello.exe", false)
        .map_err(|s| format!("RtlCreateUserProcess: {}", describe(s.as_u32())))?;
    let child = info.Process;
    let r = (|| {
        let ok = |what: &str, s: NtStatus| expect_status(what, s, STATUS_SUCCESS);
        let (mut base, mut size) = (0usize, 0x3000usize);
        // SAFETY: locals; MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE.
        ok("allocate in the child", unsafe {
            NtAllocateVirtualMemory(child, &mut base, 0, &mut size, 0x3000, 0x04)
        })?;
        let data = *b"written by the suite into a child";
        let mut done = 0usize;
        // SAFETY: locals.
        ok("write into the child", unsafe {
            NtWriteVirtualMemory(
                child,
                base + 0x1FF0,
                data.as_ptr().cast(),
                data.len(),
                &mut done,
            )
        })?;
        let mut back = [0u8; 33];
        // SAFETY: locals.
        ok("read from the child", unsafe {
            NtReadVirtualMemory(
                child,
                base + 0x1FF0,
                back.as_mut_ptr().cast(),
                back.len(),
                &mut done,
            )
        })?;
        if back != data || done != data.len() {
            return Err(format!(
                "read back {:?} ({done} bytes)",
                String::from_utf8_lossy(&back)
            ));
        }
        // The child's own copy, not ours: our address `base` is not this memory.
        let mut mbi = [0u8; 48];
        let mut ret = 0usize;
        // SAFETY: locals (MEMORY_BASIC_INFORMATION fits 48 bytes on both arches).
        ok("query the child", unsafe {
            NtQueryVirtualMemory(child, base, 0, mbi.as_mut_ptr().cast(), mbi.len(), &mut ret)
        })?;
        let (mut pb, mut ps, mut old) = (base, 0x1000usize, 0u32);
        // SAFETY: locals; PAGE_READONLY.
        ok("protect in the child", unsafe {
            NtProtectVirtualMemory(child, &mut pb, &mut ps, 0x02, &mut old)
        })?;
        if old != 0x04 {
            return Err(format!("old protection {old:#x}, want 0x4"));
        }
        // SAFETY: locals: a write into the now read-only page is a partial copy.
        let s = unsafe { NtWriteVirtualMemory(child, base, data.as_ptr().cast(), 4, &mut done) };
        expect_status("write into a read-only page of the child", s, 0x8000_000D)?; // STATUS_PARTIAL_COPY
                                                                                    // The child's PEB: ImageBaseAddress equals the image information's base
                                                                                    // (TransferAddress lies inside the image).
        let mut peb_base = [0u8; W];
        let peb_image = 0x7FFD_E000 + if W == 8 { 0x10 } else { 0x08 };
        // SAFETY: locals.
        ok("read the child's PEB", unsafe {
            NtReadVirtualMemory(child, peb_image, peb_base.as_mut_ptr().cast(), W, &mut done)
        })?;
        let image_base = usize::from_le_bytes(peb_base);
        let entry = usize::from_le_bytes(info.Image[..W].try_into().unwrap_or([0; W]));
        if image_base == 0 || entry <= image_base || entry - image_base > 0x10_0000 {
            return Err(format!(
                "child image base {image_base:#x}, entry {entry:#x}"
            ));
        }
        let (mut fb, mut fs) = (base, 0usize);
        // SAFETY: locals; MEM_RELEASE.
        ok("free in the child", unsafe {
            NtFreeVirtualMemory(child, &mut fb, &mut fs, 0x8000)
        })?;
        // A handle to the child with query rights only.
        let mut weak: HANDLE = core::ptr::null_mut();
        // SAFETY: locals; PROCESS_QUERY_LIMITED_INFORMATION, no options.
        ok("duplicate a weak handle", unsafe {
            NtDuplicateObject(
                CURRENT_PROCESS,
                child,
                CURRENT_PROCESS,
                &mut weak,
                0x1000,
                0,
                0,
            )
        })?;
        let mut one = [0u8; 1];
        // SAFETY: locals.
        let s =
            unsafe { NtReadVirtualMemory(weak, peb_image, one.as_mut_ptr().cast(), 1, &mut done) };
        let (mut b2, mut s2) = (0usize, 0x1000usize);
        // SAFETY: locals.
        let s2 = unsafe { NtAllocateVirtualMemory(weak, &mut b2, 0, &mut s2, 0x3000, 0x04) };
        // SAFETY: a handle made above.
        unsafe { NtClose(weak) };
        expect_status("read without PROCESS_VM_READ", s, 0xC000_0022)?;
        expect_status("allocate without PROCESS_VM_OPERATION", s2, 0xC000_0022)?;
        // A thread handle is no process handle.
        // SAFETY: locals.
        let s = unsafe {
            NtReadVirtualMemory(
                info.Thread,
                peb_image,
                one.as_mut_ptr().cast(),
                1,
                &mut done,
            )
        };
        expect_status("thread handle as process", s, 0xC000_0024)
    })();
    // SAFETY: handles the call returned; the child never ran and ends here.
    unsafe {
        NtTerminateProcess(child, NtStatus::from_u32(1));
        NtClose(info.Thread);
        NtClose(child);
    }
    r
}

/// NtDuplicateObject across processes: an event duplicated into a (suspended) child
/// shows in its handle count, and duplicated back with DUPLICATE_CLOSE_SOURCE names the
/// same event (setting it through the copy signals ours) and leaves the child with none
/// (DuplicateHandle docs: any process pair the caller holds PROCESS_DUP_HANDLE on).
fn duplicate_into_child() -> Result<(), String> {
    let info = create("\\??\\C:\\Nereid\\hello.exe", false)
        .map_err(|s| format!("RtlCreateUserProcess: {}", describe(s.as_u32())))?;
    let child = info.Process;
    let mut event: HANDLE = core::ptr::null_mut();
    // SAFETY: a local; EVENT_ALL_ACCESS, notification event, not signalled.
    let s = unsafe { NtCreateEvent(&mut event, 0x1F_0003, core::ptr::null(), 0, 0) };
    let r = (|| {
        expect_status("NtCreateEvent", s, STATUS_SUCCESS)?;
        let count = |what: &str| -> Result<u32, String> {
            let mut n = [0u8; 4];
            // SAFETY: ProcessHandleCount is a ULONG.
            let s = unsafe {
                NtQueryInformationProcess(child, 20, n.as_mut_ptr(), 4, core::ptr::null_mut())
            };
            expect_status(what, s, STATUS_SUCCESS)?;
            Ok(u32::from_le_bytes(n))
        };
        let before = count("handle count before")?;
        let mut in_child: HANDLE = core::ptr::null_mut();
        // SAFETY: locals; DUPLICATE_SAME_ACCESS.
        let s = unsafe { NtDuplicateObject(CURRENT_PROCESS, event, child, &mut in_child, 0, 0, 2) };
        expect_status("duplicate into the child", s, STATUS_SUCCESS)?;
        if count("handle count after")? != before + 1 || in_child.is_null() {
            return Err(String::from("the child's handle count did not grow"));
        }
        let mut back: HANDLE = core::ptr::null_mut();
        // SAFETY: locals; DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS.
        let s = unsafe { NtDuplicateObject(child, in_child, CURRENT_PROCESS, &mut back, 0, 0, 3) };
        expect_status("duplicate back, closing the source", s, STATUS_SUCCESS)?;
        if count("handle count at the end")? != before {
            return Err(String::from(
                "DUPLICATE_CLOSE_SOURCE left the child's handle",
            ));
        }
        // SAFETY: the handle just returned.
        let s = unsafe { NtSetEvent(back, core::ptr::null_mut()) };
        // SAFETY: as above.
        unsafe { NtClose(back) };
        expect_status("set through the copy", s, STATUS_SUCCESS)?;
        let zero = 0i64;
        // SAFETY: our event handle; a zero timeout polls.
        let s = unsafe { NtWaitForSingleObject(event, 0, &zero) };
        expect_status("our event is signalled", s, STATUS_SUCCESS)
    })();
    // SAFETY: handles this test owns; the child never ran and ends here.
    unsafe {
        NtClose(event);
        NtTerminateProcess(child, NtStatus::from_u32(1));
        NtClose(info.Thread);
        NtClose(child);
    }
    r
}

pub const TESTS: &[Test] = tests![
    ("process.duplicate_into_child", duplicate_into_child),
    ("process.child_memory", child_memory),
    ("process.create_denormalized", create_denormalized),
    ("process.create_normalized", create_normalized),
    ("process.bad_images", bad_images),
];
