//! What the test areas share: the ntdll imports more than one area calls (beyond the two
//! `native` declares), constants, the TEB, name and attribute builders, event and wait
//! helpers, and helpers for handling statuses.
#![allow(non_snake_case, dead_code, clippy::upper_case_acronyms)]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
pub use ntdef::status::NtStatus;
pub use ntdef::types::{OBJECT_ATTRIBUTES, STRING, UNICODE_STRING};

pub use crate::native::{NtDisplayString, NtTerminateProcess};

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    pub fn NtClose(Handle: HANDLE) -> NtStatus;
    pub fn NtTerminateThread(ThreadHandle: HANDLE, ExitStatus: NtStatus) -> NtStatus;
}

// The services and routines more than one test area calls, declared once (one signature
// each: two declarations of one import that differ are a `clashing_extern_declarations`
// warning). An area's own imports stay in its module.
#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    pub fn LdrGetDllHandle(
        path: *const u16,
        characteristics: *const u32,
        name: *const UNICODE_STRING,
        handle: *mut *mut c_void,
    ) -> NtStatus;
    pub fn LdrGetProcedureAddress(
        handle: *mut c_void,
        name: *const STRING,
        ordinal: u32,
        address: *mut *mut c_void,
    ) -> NtStatus;
    pub fn LdrUnloadDll(DllHandle: *mut c_void) -> NtStatus;
    pub fn LdrLoadDll(
        path: *const u16,
        characteristics: *const u32,
        name: *const UNICODE_STRING,
        handle: *mut *mut c_void,
    ) -> NtStatus;
    pub fn NtAllocateVirtualMemory(
        process: HANDLE,
        base: *mut usize,
        zero_bits: usize,
        size: *mut usize,
        alloc_type: u32,
        protect: u32,
    ) -> NtStatus;
    pub fn NtCancelTimer(h: HANDLE, current: *mut u8) -> NtStatus;
    pub fn NtCreateEvent(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        kind: u32,
        initial: u8,
    ) -> NtStatus;
    pub fn NtCreateThreadEx(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        process: HANDLE,
        routine: usize,
        argument: usize,
        flags: u32,
        zero_bits: usize,
        stack_size: usize,
        maximum_stack_size: usize,
        attributes: *const c_void,
    ) -> NtStatus;
    pub fn NtCreateTimer(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        timer_type: u32,
    ) -> NtStatus;
    pub fn NtDelayExecution(alertable: u8, interval: *const i64) -> NtStatus;
    pub fn NtDuplicateObject(
        source_process: HANDLE,
        source: HANDLE,
        target_process: HANDLE,
        target: *mut HANDLE,
        access: u32,
        attributes: u32,
        options: u32,
    ) -> NtStatus;
    pub fn NtFreeVirtualMemory(
        process: HANDLE,
        base: *mut usize,
        size: *mut usize,
        free_type: u32,
    ) -> NtStatus;
    pub fn NtOpenEvent(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    pub fn NtOpenKey(h: *mut HANDLE, access: u32, oa: *const OBJECT_ATTRIBUTES) -> NtStatus;
    pub fn NtOpenProcess(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        cid: *const ClientId,
    ) -> NtStatus;
    pub fn NtOpenSymbolicLinkObject(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
    ) -> NtStatus;
    pub fn NtOpenThread(
        h: *mut HANDLE,
        access: u32,
        oa: *const OBJECT_ATTRIBUTES,
        cid: *const ClientId,
    ) -> NtStatus;
    pub fn NtProtectVirtualMemory(
        process: HANDLE,
        base: *mut usize,
        size: *mut usize,
        new: u32,
        old: *mut u32,
    ) -> NtStatus;
    pub fn NtPulseEvent(h: HANDLE, previous: *mut i32) -> NtStatus;
    pub fn NtQueryInformationProcess(
        h: HANDLE,
        class: u32,
        buf: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtQueryInformationThread(
        h: HANDLE,
        class: u32,
        buf: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtQueryObject(
        h: HANDLE,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;
    pub fn NtQueryPerformanceCounter(counter: *mut i64, frequency: *mut i64) -> NtStatus;
    pub fn NtQuerySemaphore(
        h: HANDLE,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        returned: *mut u32,
    ) -> NtStatus;
    pub fn NtQuerySymbolicLinkObject(
        h: HANDLE,
        target: *mut UNICODE_STRING,
        returned: *mut u32,
    ) -> NtStatus;
    pub fn NtQuerySystemInformation(
        class: u32,
        buf: *mut c_void,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
    pub fn NtQueryValueKey(
        h: HANDLE,
        name: *const UNICODE_STRING,
        class: u32,
        buffer: *mut c_void,
        length: u32,
        result: *mut u32,
    ) -> NtStatus;
    pub fn NtQueryVirtualMemory(
        process: HANDLE,
        base: usize,
        class: u32,
        info: *mut c_void,
        length: usize,
        returned: *mut usize,
    ) -> NtStatus;
    pub fn NtReadVirtualMemory(
        process: HANDLE,
        base: usize,
        buffer: *mut c_void,
        size: usize,
        done: *mut usize,
    ) -> NtStatus;
    pub fn NtResetEvent(h: HANDLE, previous: *mut i32) -> NtStatus;
    pub fn NtResumeThread(h: HANDLE, previous: *mut u32) -> NtStatus;
    pub fn NtSetEvent(h: HANDLE, previous: *mut i32) -> NtStatus;
    pub fn NtSetTimer(
        h: HANDLE,
        due: *const i64,
        apc: *const c_void,
        context: *const c_void,
        resume: u8,
        period: i32,
        previous: *mut u8,
    ) -> NtStatus;
    pub fn NtSignalAndWaitForSingleObject(
        signal: HANDLE,
        wait: HANDLE,
        alertable: u8,
        timeout: *const i64,
    ) -> NtStatus;
    pub fn NtWaitForMultipleObjects(
        count: u32,
        handles: *const HANDLE,
        wait_type: u32,
        alertable: u8,
        timeout: *const i64,
    ) -> NtStatus;
    pub fn NtWaitForSingleObject(h: HANDLE, alertable: u8, timeout: *const i64) -> NtStatus;
    pub fn NtWriteVirtualMemory(
        process: HANDLE,
        base: usize,
        buffer: *const c_void,
        size: usize,
        done: *mut usize,
    ) -> NtStatus;
    pub fn RtlDosPathNameToNtPathName_U(
        dos: *const u16,
        nt: *mut UNICODE_STRING,
        file_part: *mut *mut u16,
        relative: *mut c_void,
    ) -> u8;
    pub fn RtlFreeUnicodeString(s: *mut UNICODE_STRING);
}

/// `CLIENT_ID`: the process and thread ids of a thread.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct ClientId {
    pub UniqueProcess: usize,
    pub UniqueThread: usize,
}

/// `HANDLE`.
pub type HANDLE = *mut c_void;

/// `NtCurrentProcess()`: `(HANDLE)-1`.
pub const CURRENT_PROCESS: HANDLE = usize::MAX as HANDLE;
/// `NtCurrentThread()`: `(HANDLE)-2`.
pub const CURRENT_THREAD: HANDLE = (usize::MAX - 1) as HANDLE;

/// Highest user address + 1 (`MmUserProbeAddress`: 0x7FFF0000 on 32-bit Windows,
/// 0x7FFFFFFF0000 on 64-bit Windows).
#[cfg(target_pointer_width = "64")]
pub const USER_LIMIT: usize = 0x0000_7FFF_FFFF_0000;
#[cfg(target_pointer_width = "32")]
pub const USER_LIMIT: usize = 0x7FFF_0000;

/// The first kernel-space address.
#[cfg(target_pointer_width = "64")]
pub const KERNEL: usize = 0xFFFF_8000_0000_0000;
#[cfg(target_pointer_width = "32")]
pub const KERNEL: usize = 0x8000_0000;

/// Inside the first 64 KiB, which Windows never maps (allocations start at 0x10000) and
/// neither does the executive; 0x10000 itself is where the process heap may land.
pub const UNMAPPED: usize = 0x0000_8000;

pub const STATUS_SUCCESS: u32 = 0x0000_0000;
pub const STATUS_DATATYPE_MISALIGNMENT: u32 = 0x8000_0002;
pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
pub const STATUS_INVALID_HANDLE: u32 = 0xC000_0008;

// Constants more than one area uses (values from the WDK headers and MS-ERREF 2.3.1).
pub const EVENT_ALL_ACCESS: u32 = 0x001F_0003;
pub const TIMER_ALL_ACCESS: u32 = 0x001F_0003;
pub const NOTIFICATION: u32 = 0;
pub const SYNCHRONIZATION: u32 = 1;
pub const CREATE_SUSPENDED: u32 = 1;
pub const OBJ_CASE_INSENSITIVE: u32 = 0x40;
pub const OBJ_OPENIF: u32 = 0x80;
pub const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
pub const THREAD_ALL_ACCESS: u32 = 0x001F_FFFF;
pub const THREAD_QUERY_LIMITED_INFORMATION: u32 = 0x0800;
pub const SYNCHRONIZE: u32 = 0x0010_0000;
pub const SYMBOLIC_LINK_QUERY: u32 = 0x0001;
pub const WAIT_ALL: u32 = 0;
pub const WAIT_ANY: u32 = 1;
pub const NULL: HANDLE = core::ptr::null_mut();
pub const ZERO: i64 = 0;
pub const X64: bool = cfg!(target_pointer_width = "64");
pub const TEB_PEB: usize = if X64 { 0x60 } else { 0x30 };
pub const PEB_PROCESS_PARAMETERS: usize = if X64 { 0x20 } else { 0x10 };
pub const REG_NONE: u32 = 0;
pub const REG_SZ: u32 = 1;
pub const REG_EXPAND_SZ: u32 = 2;
pub const REG_MULTI_SZ: u32 = 7;
pub const REG_DWORD: u32 = 4;
pub const REG_QWORD: u32 = 11;
pub const STATUS_TIMEOUT: u32 = 0x0000_0102;
pub const STATUS_PENDING: u32 = 0x0000_0103;
pub const STATUS_OBJECT_NAME_EXISTS: u32 = 0x4000_0000;
pub const STATUS_PARTIAL_COPY: u32 = 0x8000_000D;
pub const STATUS_NO_MORE_ENTRIES: u32 = 0x8000_001A;
pub const STATUS_UNSUCCESSFUL: u32 = 0xC000_0001;
pub const STATUS_INVALID_INFO_CLASS: u32 = 0xC000_0003;
pub const STATUS_INFO_LENGTH_MISMATCH: u32 = 0xC000_0004;
pub const STATUS_INVALID_PARAMETER: u32 = 0xC000_000D;
pub const STATUS_CONFLICTING_ADDRESSES: u32 = 0xC000_0018;
pub const STATUS_ACCESS_DENIED: u32 = 0xC000_0022;
pub const STATUS_BUFFER_TOO_SMALL: u32 = 0xC000_0023;
pub const STATUS_OBJECT_TYPE_MISMATCH: u32 = 0xC000_0024;
pub const STATUS_OBJECT_NAME_NOT_FOUND: u32 = 0xC000_0034;
pub const STATUS_OBJECT_NAME_COLLISION: u32 = 0xC000_0035;
pub const STATUS_OBJECT_PATH_NOT_FOUND: u32 = 0xC000_003A;
pub const STATUS_OBJECT_PATH_SYNTAX_BAD: u32 = 0xC000_003B;
pub const STATUS_INVALID_PAGE_PROTECTION: u32 = 0xC000_0045;
pub const STATUS_PROCEDURE_NOT_FOUND: u32 = 0xC000_007A;
pub const STATUS_INVALID_PARAMETER_1: u32 = 0xC000_00EF;
pub const STATUS_INVALID_PARAMETER_3: u32 = 0xC000_00F1;
pub const STATUS_INVALID_PARAMETER_4: u32 = 0xC000_00F2;
pub const STATUS_INVALID_PARAMETER_6: u32 = 0xC000_00F4;
pub const STATUS_COMMITMENT_LIMIT: u32 = 0xC000_012D;
pub const STATUS_DLL_NOT_FOUND: u32 = 0xC000_0135;

/// `0xc0000008 (STATUS_INVALID_HANDLE)`.
pub fn describe(status: u32) -> String {
    match NtStatus::from_u32(status).name() {
        Some(name) => format!("{status:#010x} ({name})"),
        None => format!("{status:#010x}"),
    }
}

/// `Ok` when `got` is `want`, otherwise says what came back instead.
pub fn expect_status(what: &str, got: NtStatus, want: u32) -> Result<(), String> {
    if got.as_u32() == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, want {}",
            describe(got.as_u32()),
            describe(want)
        ))
    }
}

/// A `UNICODE_STRING` with the given fields, for handing over hostile descriptors.
pub fn unicode_raw(length: u16, maximum: u16, buffer: usize) -> UNICODE_STRING {
    UNICODE_STRING {
        Length: length,
        MaximumLength: maximum,
        Buffer: buffer as *mut u16,
    }
}

/// Bytes in a pointer (8 on x86_64, 4 on i386).
pub const W: usize = size_of::<usize>();

/// The calling thread's TEB (`NtCurrentTeb()`), by its `NtTib.Self` field.
pub fn current_teb() -> usize {
    let teb: usize;
    // SAFETY: GS/FS is based at this thread's TEB; reading NtTib.Self has no effects.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly))
    };
    // SAFETY: as above.
    #[cfg(target_arch = "x86")]
    unsafe {
        core::arch::asm!("mov {}, fs:[0x18]", out(reg) teb, options(nostack, readonly))
    };
    teb
}

/// The calling thread's ClientId, from its TEB (0x40 on x64, 0x20 on x86).
pub fn current_cid() -> ClientId {
    let at = current_teb() + if W == 8 { 0x40 } else { 0x20 };
    // SAFETY: the TEB is mapped for the thread's life.
    unsafe {
        ClientId {
            UniqueProcess: *(at as *const usize),
            UniqueThread: *((at + W) as *const usize),
        }
    }
}

/// `s` in UTF-16 (no terminator).
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// A `UNICODE_STRING` over `units` (no terminator counted).
pub fn unicode(units: &[u16]) -> UNICODE_STRING {
    let bytes = (units.len() * 2) as u16;
    unicode_raw(bytes, bytes, units.as_ptr() as usize)
}

/// A name and the `UNICODE_STRING` over it (kept together so the buffer outlives it).
pub struct Name {
    _units: Vec<u16>,
    pub us: UNICODE_STRING,
}

pub fn name(s: &str) -> Name {
    let units = wide(s);
    let us = unicode(&units);
    Name { _units: units, us }
}

/// `InitializeObjectAttributes`: `name` (or none) relative to `root`, no security.
pub fn object_attributes(
    root: HANDLE,
    name: Option<&UNICODE_STRING>,
    attributes: u32,
) -> OBJECT_ATTRIBUTES {
    OBJECT_ATTRIBUTES {
        Length: size_of::<OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: root,
        ObjectName: name.map_or(core::ptr::null_mut(), |n| n as *const _ as *mut _),
        Attributes: attributes,
        SecurityDescriptor: core::ptr::null_mut(),
        SecurityQualityOfService: core::ptr::null_mut(),
    }
}

/// Object attributes without a name (as for opening by id or an unnamed object).
pub fn no_attributes() -> OBJECT_ATTRIBUTES {
    object_attributes(NULL, None, 0)
}

/// `Ok` when `s` is STATUS_SUCCESS, otherwise says what `what` returned instead.
pub fn ok(what: &str, s: NtStatus) -> Result<(), String> {
    expect_status(what, s, STATUS_SUCCESS)
}

/// Closes a handle the test owns (the status is not checked).
pub fn close(h: HANDLE) {
    // SAFETY: a plain value.
    let _ = unsafe { NtClose(h) };
}

/// An unnamed event of `kind` (NOTIFICATION or SYNCHRONIZATION) with EVENT_ALL_ACCESS.
pub fn create_event(kind: u32, initial: bool) -> Result<HANDLE, String> {
    let mut h = NULL;
    // SAFETY: a local for the handle; NULL attributes are allowed.
    let s = unsafe {
        NtCreateEvent(
            &mut h,
            EVENT_ALL_ACCESS,
            core::ptr::null(),
            kind,
            u8::from(initial),
        )
    };
    ok("NtCreateEvent", s)?;
    Ok(h)
}

/// Waits at most `ms` milliseconds (a relative timeout) for `h`.
pub fn wait_ms(h: HANDLE, alertable: bool, ms: i64) -> NtStatus {
    let t = -ms * 10_000;
    // SAFETY: a handle and a local timeout.
    unsafe { NtWaitForSingleObject(h, u8::from(alertable), &t) }
}

/// NtDelayExecution for `ms` milliseconds (a relative interval).
pub fn delay_ms(alertable: bool, ms: i64) -> NtStatus {
    let t = -ms * 10_000;
    // SAFETY: a local interval.
    unsafe { NtDelayExecution(u8::from(alertable), &t) }
}

/// The pointer-sized little-endian word at `at` of `b`.
fn word_at(b: &[u8], at: usize) -> usize {
    let mut w = [0u8; W];
    w.copy_from_slice(&b[at..at + W]);
    usize::from_le_bytes(w)
}

/// PROCESS_BASIC_INFORMATION: (ExitStatus, UniqueProcessId, InheritedFromUniqueProcessId).
pub fn process_basic(h: HANDLE) -> Result<(u32, usize, usize), String> {
    let mut b = [0u8; 6 * W];
    // SAFETY: a local buffer of the class's size.
    let s = unsafe {
        NtQueryInformationProcess(h, 0, b.as_mut_ptr(), (6 * W) as u32, core::ptr::null_mut())
    };
    ok("NtQueryInformationProcess", s)?;
    Ok((
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        word_at(&b, 4 * W),
        word_at(&b, 5 * W),
    ))
}

/// THREAD_BASIC_INFORMATION: (ExitStatus, TebBaseAddress, ClientId).
pub fn thread_basic(h: HANDLE) -> Result<(u32, usize, ClientId), String> {
    let len = if W == 8 { 48 } else { 28 };
    let mut b = [0u8; 48];
    // SAFETY: a local buffer of at least `len` bytes.
    let s = unsafe { NtQueryInformationThread(h, 0, b.as_mut_ptr(), len, core::ptr::null_mut()) };
    ok("NtQueryInformationThread", s)?;
    Ok((
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        word_at(&b, W),
        ClientId {
            UniqueProcess: word_at(&b, 2 * W),
            UniqueThread: word_at(&b, 3 * W),
        },
    ))
}

/// `Ok` when `ok` holds, otherwise `Err(what)`.
pub fn check(what: &str, ok: bool) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(String::from(what))
    }
}

/// A thread's start routine.
pub type ThreadRoutine = extern "system" fn(*mut c_void) -> u32;

/// Starts `routine(argument)` with NtCreateThreadEx in this process.
pub fn spawn(routine: ThreadRoutine, argument: usize, flags: u32) -> Result<HANDLE, String> {
    let mut h: HANDLE = core::ptr::null_mut();
    // SAFETY: a local for the handle; the routine is a function of this program.
    let s = unsafe {
        NtCreateThreadEx(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            CURRENT_PROCESS,
            routine as usize,
            argument,
            flags,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    ok("NtCreateThreadEx", s)?;
    Ok(h)
}

/// (counter, frequency).
pub fn qpc() -> Result<(i64, i64), String> {
    let (mut c, mut f) = (0i64, 0i64);
    // SAFETY: two valid out pointers.
    ok("NtQueryPerformanceCounter", unsafe {
        NtQueryPerformanceCounter(&mut c, &mut f)
    })?;
    Ok((c, f))
}

/// Runs `f` and checks it took at least `ms` milliseconds by the performance counter.
pub fn at_least(what: &str, ms: i64, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let (t0, freq) = qpc()?;
    f()?;
    let (t1, _) = qpc()?;
    let want = ms * freq / 1000;
    if t1 - t0 < want {
        return Err(format!(
            "{what}: took {} counts, want at least {want} ({ms} ms at {freq} Hz)",
            t1 - t0
        ));
    }
    Ok(())
}

/// `Ok` when `got` is `want`, otherwise both (`Debug`).
pub fn eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}
