//! The NT system services of Nereid, defined once.
//!
//! [`for_each_service!`] is the only list of services. ntdll expands it into the
//! `Nt*`/`Zw*` stubs, the executive into its dispatcher; both sides therefore agree on
//! numbers, argument order and the kind of every argument by construction.
//!
//! # Transport
//!
//! A service of at most [`REGISTER_ARGS`] parameters passes them, one machine word
//! each, as the message words of
//! `seL4_Call(SERVICE_ENDPOINT_CPTR, MessageInfo { label: service number, length: its
//! parameter count })`: they travel in CPU registers, and neither side touches the TEB
//! page (a page neither has in its TLB after the address-space switch: that lookup
//! was a measurable part of every call). A stub of a service with more parameters
//! stores them into the argument block of the calling thread's TEB
//! ([`teb::ARGUMENT_BLOCK`], Windows' `SystemReserved1`, which the executive reads
//! through its shadow mapping of the TEB) and sends length 0; the executive reads the
//! block whenever the length is not the service's parameter count.
//! The reply carries one message register: the NTSTATUS. Messages therefore stay within
//! the register message words, so the kernel never writes the IPC-buffer page (which
//! is the TEB), and qualify for seL4's IPC fastpath.
//!
//! # Parameter kinds
//!
//! Each parameter is `Name: kind` or `Name: kind(Type)`:
//!
//! | kind | stub type | executive check |
//! |---|---|---|
//! | `handle` | `HANDLE` | none here (the handle table decides) |
//! | `value(T)` | `T` | none |
//! | `in_ptr(T)` | `*const T` | not NULL, user range for `size_of::<T>()`, aligned for `T` |
//! | `out_ptr(T)` | `*mut T` | same as `in_ptr` |
//! | `opt_out_ptr(T)` | `*mut T` | NULL allowed, otherwise as `out_ptr` |
//! | `opt_in_ptr(T)` | `*const T` | NULL allowed, otherwise as `in_ptr` |
//! | `out_buf` | `*mut c_void` | checked by the handler against its length parameter |
//! | `in_buf` | `*const c_void` | checked by the handler against its count parameter |
#![no_std]

pub use ntdef;

use core::ffi::c_void;
use ntdef::status::NtStatus;

/// `HANDLE`.
pub type HANDLE = *mut c_void;

/// `CLIENT_ID` (`UniqueProcess`, `UniqueThread`: two handle-sized ids; wdm.h / ntdef.h).
#[repr(C)]
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CLIENT_ID {
    pub UniqueProcess: usize,
    pub UniqueThread: usize,
}

/// `NtCurrentProcess()`: the pseudo-handle `(HANDLE)-1`.
pub const NT_CURRENT_PROCESS: usize = usize::MAX;
/// `NtCurrentThread()`: the pseudo-handle `(HANDLE)-2`.
pub const NT_CURRENT_THREAD: usize = usize::MAX - 1;

/// The slot of every NT thread's CNode holding the executive's service endpoint.
pub const SERVICE_ENDPOINT_CPTR: usize = 1;

/// Most arguments a service may take (the words of the argument block).
pub const MAX_ARGS: usize = 16;

/// Parameters a service may take to have them passed in message registers: seL4's
/// register message words (x86_64: R10, R8, R9, R15; ia32: EDI, EBP).
#[cfg(target_pointer_width = "64")]
pub const REGISTER_ARGS: usize = 4;
#[cfg(target_pointer_width = "32")]
pub const REGISTER_ARGS: usize = 2;
const _: () = assert!(MAX_ARGS <= teb::ARGUMENT_WORDS);

/// Highest user-mode address + 1 (`MM_HIGHEST_USER_ADDRESS` + 1 rounded to the
/// 64 KiB boundary Windows keeps free below it).
#[cfg(target_pointer_width = "64")]
pub const USER_LIMIT: usize = 0x0000_7FFF_FFFF_0000;
#[cfg(target_pointer_width = "32")]
pub const USER_LIMIT: usize = 0x7FFF_0000;

/// TEB facts shared by ntdll and the executive. Offsets as Windows' `_TEB` (public
/// symbols of ntdll.dll, `dt ntdll!_TEB`, Windows 7 and later).
pub mod teb {
    /// `NtTib.Self`.
    #[cfg(target_pointer_width = "64")]
    pub const SELF: usize = 0x30;
    #[cfg(target_pointer_width = "32")]
    pub const SELF: usize = 0x18;
    /// `SystemReserved1[54]`: the service argument block.
    #[cfg(target_pointer_width = "64")]
    pub const ARGUMENT_BLOCK: usize = 0x110;
    #[cfg(target_pointer_width = "32")]
    pub const ARGUMENT_BLOCK: usize = 0xCC;
    /// Words in `SystemReserved1`.
    pub const ARGUMENT_WORDS: usize = 54;

    /// The user-APC area: the words of `SystemReserved1` after the argument block.
    /// Written only by the executive, right before it answers a service with
    /// `STATUS_USER_APC`, and read only by ntdll's stub on that answer (see
    /// [`apc`](super::apc)).
    pub const APC_AREA: usize = ARGUMENT_BLOCK + super::MAX_ARGS * size_of::<usize>();
    /// Words of the user-APC area.
    pub const APC_AREA_WORDS: usize = ARGUMENT_WORDS - super::MAX_ARGS;

    /// `SameTebFlags` (a USHORT: 0x17EE on x64, 0xFCA on x86, Windows 7 and later).
    #[cfg(target_pointer_width = "64")]
    pub const SAME_TEB_FLAGS: usize = 0x17EE;
    #[cfg(target_pointer_width = "32")]
    pub const SAME_TEB_FLAGS: usize = 0xFCA;
    /// Its `SkipThreadAttach` bit: the thread was created with
    /// THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH, so DLLs get no thread notifications.
    pub const SKIP_THREAD_ATTACH: u16 = 1 << 3;
}

/// The user-APC hand-over between the executive and ntdll.
///
/// A service that ends an alertable wait for user APCs (or `NtTestAlert` with APCs
/// queued) answers `STATUS_USER_APC` after writing, at [`teb::APC_AREA`]:
///
/// | word | meaning |
/// |---|---|
/// | [`COUNT`] | records that follow (at most [`BATCH`]) |
/// | [`MORE`] | nonzero: more APCs stay queued (ntdll fetches them with `NtTestAlert`) |
/// | [`FINAL_STATUS`] | the status the caller of the service is to see |
/// | [`RECORDS`].. | `COUNT` records of [`RECORD_WORDS`] words: routine, argument 1..3 |
///
/// ntdll copies the records, zeroes `COUNT` and calls each routine as
/// `Routine(Argument1, Argument2, Argument3)` (`NTAPI`), in order.
pub mod apc {
    /// Word index of the record count.
    pub const COUNT: usize = 0;
    /// Word index of the "more queued" flag.
    pub const MORE: usize = 1;
    /// Word index of the status the service's caller gets after the APCs ran.
    pub const FINAL_STATUS: usize = 2;
    /// Word index of the first record.
    pub const RECORDS: usize = 3;
    /// Words per record: routine and three arguments.
    pub const RECORD_WORDS: usize = 4;
    /// Records per hand-over.
    pub const BATCH: usize = (super::teb::APC_AREA_WORDS - RECORDS) / RECORD_WORDS;
    const _: () = assert!(BATCH >= 1);
    const _: () = assert!(RECORDS + BATCH * RECORD_WORDS <= super::teb::APC_AREA_WORDS);
}

/// Conversion of a stub argument to and from its argument-block word.
pub trait ServiceWord: Copy {
    fn to_word(self) -> usize;
    fn from_word(w: usize) -> Self;
}

impl ServiceWord for usize {
    fn to_word(self) -> usize {
        self
    }
    fn from_word(w: usize) -> Self {
        w
    }
}

impl ServiceWord for u32 {
    fn to_word(self) -> usize {
        self as usize
    }
    fn from_word(w: usize) -> Self {
        w as u32
    }
}

/// `LONG` (sign-extended through the word, truncated back).
impl ServiceWord for i32 {
    fn to_word(self) -> usize {
        self as isize as usize
    }
    fn from_word(w: usize) -> Self {
        w as i32
    }
}

/// `BOOLEAN`.
impl ServiceWord for u8 {
    fn to_word(self) -> usize {
        self as usize
    }
    fn from_word(w: usize) -> Self {
        w as u8
    }
}

impl ServiceWord for NtStatus {
    fn to_word(self) -> usize {
        self.as_u32() as usize
    }
    fn from_word(w: usize) -> Self {
        NtStatus::from_u32(w as u32)
    }
}

impl<T> ServiceWord for *const T {
    fn to_word(self) -> usize {
        self as usize
    }
    fn from_word(w: usize) -> Self {
        w as *const T
    }
}

impl<T> ServiceWord for *mut T {
    fn to_word(self) -> usize {
        self as usize
    }
    fn from_word(w: usize) -> Self {
        w as *mut T
    }
}

/// Calls `$callback! { number Name ZwName (Param: kind(Type), ...); ... }` with every
/// service, in number order. Numbers are dense (a test checks it); a number past the
/// table is `STATUS_INVALID_SYSTEM_SERVICE`. ntdll and the executive are always built
/// together, so numbers may change between builds; programs link by name.
#[macro_export]
macro_rules! for_each_service {
    ($callback:ident) => {
        $callback! {
            0x0000 NtClose ZwClose (Handle: handle);
            0x0001 NtDisplayString ZwDisplayString
                (String: in_ptr($crate::ntdef::types::UNICODE_STRING));
            0x0002 NtTerminateProcess ZwTerminateProcess
                (ProcessHandle: handle, ExitStatus: value($crate::ntdef::status::NtStatus));
            0x0003 NtTerminateThread ZwTerminateThread
                (ThreadHandle: handle, ExitStatus: value($crate::ntdef::status::NtStatus));
            0x0004 NtDuplicateObject ZwDuplicateObject
                (SourceProcessHandle: handle, SourceHandle: handle, TargetProcessHandle: handle,
                 TargetHandle: opt_out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 HandleAttributes: value(u32), Options: value(u32));
            0x0005 NtCreateDirectoryObject ZwCreateDirectoryObject
                (DirectoryHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x0006 NtOpenDirectoryObject ZwOpenDirectoryObject
                (DirectoryHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x0007 NtQueryDirectoryObject ZwQueryDirectoryObject
                (DirectoryHandle: handle, Buffer: out_buf, Length: value(u32),
                 ReturnSingleEntry: value(u8), RestartScan: value(u8),
                 Context: out_ptr(u32), ReturnLength: opt_out_ptr(u32));
            0x0008 NtCreateSymbolicLinkObject ZwCreateSymbolicLinkObject
                (LinkHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 LinkTarget: in_ptr($crate::ntdef::types::UNICODE_STRING));
            0x0009 NtOpenSymbolicLinkObject ZwOpenSymbolicLinkObject
                (LinkHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x000A NtQuerySymbolicLinkObject ZwQuerySymbolicLinkObject
                (LinkHandle: handle, LinkTarget: out_ptr($crate::ntdef::types::UNICODE_STRING),
                 ReturnedLength: opt_out_ptr(u32));
            0x000B NtMakeTemporaryObject ZwMakeTemporaryObject (Handle: handle);
            0x000C NtQueryObject ZwQueryObject
                (Handle: handle, ObjectInformationClass: value(u32), ObjectInformation: out_buf,
                 ObjectInformationLength: value(u32), ReturnLength: opt_out_ptr(u32));
            0x000D NtCreateEvent ZwCreateEvent
                (EventHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 EventType: value(u32), InitialState: value(u8));
            0x000E NtOpenEvent ZwOpenEvent
                (EventHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x000F NtSetEvent ZwSetEvent (EventHandle: handle, PreviousState: opt_out_ptr(i32));
            0x0010 NtResetEvent ZwResetEvent
                (EventHandle: handle, PreviousState: opt_out_ptr(i32));
            0x0011 NtClearEvent ZwClearEvent (EventHandle: handle);
            0x0012 NtPulseEvent ZwPulseEvent
                (EventHandle: handle, PreviousState: opt_out_ptr(i32));
            0x0013 NtQueryEvent ZwQueryEvent
                (EventHandle: handle, EventInformationClass: value(u32),
                 EventInformation: out_buf, EventInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x0014 NtCreateSemaphore ZwCreateSemaphore
                (SemaphoreHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 InitialCount: value(i32), MaximumCount: value(i32));
            0x0015 NtOpenSemaphore ZwOpenSemaphore
                (SemaphoreHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x0016 NtReleaseSemaphore ZwReleaseSemaphore
                (SemaphoreHandle: handle, ReleaseCount: value(i32),
                 PreviousCount: opt_out_ptr(i32));
            0x0017 NtQuerySemaphore ZwQuerySemaphore
                (SemaphoreHandle: handle, SemaphoreInformationClass: value(u32),
                 SemaphoreInformation: out_buf, SemaphoreInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x0018 NtCreateMutant ZwCreateMutant
                (MutantHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 InitialOwner: value(u8));
            0x0019 NtOpenMutant ZwOpenMutant
                (MutantHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x001A NtReleaseMutant ZwReleaseMutant
                (MutantHandle: handle, PreviousCount: opt_out_ptr(i32));
            0x001B NtQueryMutant ZwQueryMutant
                (MutantHandle: handle, MutantInformationClass: value(u32),
                 MutantInformation: out_buf, MutantInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x001C NtWaitForSingleObject ZwWaitForSingleObject
                (Handle: handle, Alertable: value(u8), Timeout: opt_in_ptr(i64));
            0x001D NtWaitForMultipleObjects ZwWaitForMultipleObjects
                (Count: value(u32), Handles: in_buf, WaitType: value(u32),
                 Alertable: value(u8), Timeout: opt_in_ptr(i64));
            0x001E NtSignalAndWaitForSingleObject ZwSignalAndWaitForSingleObject
                (SignalHandle: handle, WaitHandle: handle, Alertable: value(u8),
                 Timeout: opt_in_ptr(i64));
            0x001F NtYieldExecution ZwYieldExecution ();
            0x0020 NtDelayExecution ZwDelayExecution
                (Alertable: value(u8), DelayInterval: in_ptr(i64));
            0x0021 NtAllocateVirtualMemory ZwAllocateVirtualMemory
                (ProcessHandle: handle, BaseAddress: out_ptr(usize), ZeroBits: value(usize),
                 RegionSize: out_ptr(usize), AllocationType: value(u32), Protect: value(u32));
            0x0022 NtFreeVirtualMemory ZwFreeVirtualMemory
                (ProcessHandle: handle, BaseAddress: out_ptr(usize), RegionSize: out_ptr(usize),
                 FreeType: value(u32));
            0x0023 NtQueryVirtualMemory ZwQueryVirtualMemory
                (ProcessHandle: handle, BaseAddress: value(usize),
                 MemoryInformationClass: value(u32), MemoryInformation: out_buf,
                 MemoryInformationLength: value(usize), ReturnLength: opt_out_ptr(usize));
            0x0024 NtProtectVirtualMemory ZwProtectVirtualMemory
                (ProcessHandle: handle, BaseAddress: out_ptr(usize),
                 NumberOfBytesToProtect: out_ptr(usize), NewAccessProtection: value(u32),
                 OldAccessProtection: out_ptr(u32));
            0x0025 NtReadVirtualMemory ZwReadVirtualMemory
                (ProcessHandle: handle, BaseAddress: value(usize), Buffer: out_buf,
                 BufferSize: value(usize), NumberOfBytesRead: opt_out_ptr(usize));
            0x0026 NtWriteVirtualMemory ZwWriteVirtualMemory
                (ProcessHandle: handle, BaseAddress: value(usize), Buffer: in_buf,
                 BufferSize: value(usize), NumberOfBytesWritten: opt_out_ptr(usize));
            0x0027 NtQuerySystemTime ZwQuerySystemTime (SystemTime: out_ptr(i64));
            0x0028 NtQueryPerformanceCounter ZwQueryPerformanceCounter
                (PerformanceCounter: out_ptr(i64), PerformanceFrequency: opt_out_ptr(i64));
            0x0029 NtQueryTimerResolution ZwQueryTimerResolution
                (MaximumTime: out_ptr(u32), MinimumTime: out_ptr(u32),
                 CurrentTime: out_ptr(u32));
            0x002A NtSetTimerResolution ZwSetTimerResolution
                (DesiredTime: value(u32), SetResolution: value(u8), ActualTime: out_ptr(u32));
            0x002B NtOpenProcess ZwOpenProcess
                (ProcessHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ClientId: opt_in_ptr($crate::CLIENT_ID));
            0x002C NtOpenThread ZwOpenThread
                (ThreadHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ClientId: opt_in_ptr($crate::CLIENT_ID));
            0x002D NtQueryInformationProcess ZwQueryInformationProcess
                (ProcessHandle: handle, ProcessInformationClass: value(u32),
                 ProcessInformation: out_buf, ProcessInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x002E NtQueryInformationThread ZwQueryInformationThread
                (ThreadHandle: handle, ThreadInformationClass: value(u32),
                 ThreadInformation: out_buf, ThreadInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x002F NtSuspendThread ZwSuspendThread
                (ThreadHandle: handle, PreviousSuspendCount: opt_out_ptr(u32));
            0x0030 NtResumeThread ZwResumeThread
                (ThreadHandle: handle, PreviousSuspendCount: opt_out_ptr(u32));
            0x0031 NtCreateKey ZwCreateKey
                (KeyHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 TitleIndex: value(u32),
                 Class: opt_in_ptr($crate::ntdef::types::UNICODE_STRING),
                 CreateOptions: value(u32), Disposition: opt_out_ptr(u32));
            0x0032 NtOpenKey ZwOpenKey
                (KeyHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x0033 NtSetValueKey ZwSetValueKey
                (KeyHandle: handle, ValueName: in_ptr($crate::ntdef::types::UNICODE_STRING),
                 TitleIndex: value(u32), Type: value(u32), Data: in_buf, DataSize: value(u32));
            0x0034 NtQueryValueKey ZwQueryValueKey
                (KeyHandle: handle, ValueName: in_ptr($crate::ntdef::types::UNICODE_STRING),
                 KeyValueInformationClass: value(u32), KeyValueInformation: out_buf,
                 Length: value(u32), ResultLength: out_ptr(u32));
            0x0035 NtEnumerateKey ZwEnumerateKey
                (KeyHandle: handle, Index: value(u32), KeyInformationClass: value(u32),
                 KeyInformation: out_buf, Length: value(u32), ResultLength: out_ptr(u32));
            0x0036 NtEnumerateValueKey ZwEnumerateValueKey
                (KeyHandle: handle, Index: value(u32), KeyValueInformationClass: value(u32),
                 KeyValueInformation: out_buf, Length: value(u32), ResultLength: out_ptr(u32));
            0x0037 NtQueryKey ZwQueryKey
                (KeyHandle: handle, KeyInformationClass: value(u32), KeyInformation: out_buf,
                 Length: value(u32), ResultLength: out_ptr(u32));
            0x0038 NtDeleteKey ZwDeleteKey (KeyHandle: handle);
            0x0039 NtDeleteValueKey ZwDeleteValueKey
                (KeyHandle: handle, ValueName: in_ptr($crate::ntdef::types::UNICODE_STRING));
            0x003A NtFlushKey ZwFlushKey (KeyHandle: handle);
            0x003B NtCreateTimer ZwCreateTimer
                (TimerHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 TimerType: value(u32));
            0x003C NtOpenTimer ZwOpenTimer
                (TimerHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x003D NtSetTimer ZwSetTimer
                (TimerHandle: handle, DueTime: in_ptr(i64), TimerApcRoutine: value(usize),
                 TimerContext: value(usize), ResumeTimer: value(u8), Period: value(i32),
                 PreviousState: opt_out_ptr(u8));
            0x003E NtCancelTimer ZwCancelTimer
                (TimerHandle: handle, CurrentState: opt_out_ptr(u8));
            0x003F NtQueryTimer ZwQueryTimer
                (TimerHandle: handle, TimerInformationClass: value(u32),
                 TimerInformation: out_buf, TimerInformationLength: value(u32),
                 ReturnLength: opt_out_ptr(u32));
            0x0040 NtQuerySystemInformation ZwQuerySystemInformation
                (SystemInformationClass: value(u32), SystemInformation: out_buf,
                 SystemInformationLength: value(u32), ReturnLength: opt_out_ptr(u32));
            // Pointers the handler probes itself, in Windows' order (after the flags).
            0x0041 NtCreateSection ZwCreateSection
                (SectionHandle: value(usize), DesiredAccess: value(u32),
                 ObjectAttributes: value(usize), MaximumSize: value(usize),
                 SectionPageProtection: value(u32), AllocationAttributes: value(u32),
                 FileHandle: handle);
            0x0042 NtOpenSection ZwOpenSection
                (SectionHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x0043 NtMapViewOfSection ZwMapViewOfSection
                (SectionHandle: handle, ProcessHandle: handle, BaseAddress: value(usize),
                 ZeroBits: value(usize), CommitSize: value(usize),
                 SectionOffset: value(usize), ViewSize: value(usize),
                 InheritDisposition: value(u32), AllocationType: value(u32),
                 Win32Protect: value(u32));
            0x0044 NtUnmapViewOfSection ZwUnmapViewOfSection
                (ProcessHandle: handle, BaseAddress: value(usize));
            0x0045 NtQuerySection ZwQuerySection
                (SectionHandle: handle, SectionInformationClass: value(u32),
                 SectionInformation: value(usize), SectionInformationLength: value(usize),
                 ReturnLength: value(usize));
            0x0046 NtExtendSection ZwExtendSection
                (SectionHandle: handle, NewSectionSize: in_ptr(i64));
            0x0047 NtCreateThread ZwCreateThread
                (ThreadHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ProcessHandle: handle, ClientId: opt_out_ptr($crate::CLIENT_ID),
                 ThreadContext: in_buf, InitialTeb: in_buf, CreateSuspended: value(u8));
            0x0048 NtCreateThreadEx ZwCreateThreadEx
                (ThreadHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ProcessHandle: handle, StartRoutine: value(usize), Argument: value(usize),
                 CreateFlags: value(u32), ZeroBits: value(usize), StackSize: value(usize),
                 MaximumStackSize: value(usize), AttributeList: in_buf);
            0x0049 NtCreateUserProcess ZwCreateUserProcess
                (ProcessHandle: out_ptr($crate::HANDLE), ThreadHandle: out_ptr($crate::HANDLE),
                 ProcessDesiredAccess: value(u32), ThreadDesiredAccess: value(u32),
                 ProcessObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ThreadObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 ProcessFlags: value(u32), ThreadFlags: value(u32), ProcessParameters: in_buf,
                 CreateInfo: in_buf, AttributeList: in_buf);
            0x004A NtCreateKeyedEvent ZwCreateKeyedEvent
                (KeyedEventHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: opt_in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES),
                 Flags: value(u32));
            0x004B NtOpenKeyedEvent ZwOpenKeyedEvent
                (KeyedEventHandle: out_ptr($crate::HANDLE), DesiredAccess: value(u32),
                 ObjectAttributes: in_ptr($crate::ntdef::types::OBJECT_ATTRIBUTES));
            0x004C NtReleaseKeyedEvent ZwReleaseKeyedEvent
                (KeyedEventHandle: handle, Key: value(usize), Alertable: value(u8),
                 Timeout: opt_in_ptr(i64));
            0x004D NtWaitForKeyedEvent ZwWaitForKeyedEvent
                (KeyedEventHandle: handle, Key: value(usize), Alertable: value(u8),
                 Timeout: opt_in_ptr(i64));
            0x004E NtQueueApcThread ZwQueueApcThread
                (ThreadHandle: handle, ApcRoutine: value(usize), ApcArgument1: value(usize),
                 ApcArgument2: value(usize), ApcArgument3: value(usize));
            0x004F NtTestAlert ZwTestAlert ();
            0x0050 NtAlertThread ZwAlertThread (ThreadHandle: handle);
            0x0051 NtAlertResumeThread ZwAlertResumeThread
                (ThreadHandle: handle, PreviousSuspendCount: opt_out_ptr(u32));
            0x0052 NtSetInformationProcess ZwSetInformationProcess
                (ProcessHandle: handle, ProcessInformationClass: value(u32),
                 ProcessInformation: in_buf, ProcessInformationLength: value(u32));
            0x0053 NtSetInformationThread ZwSetInformationThread
                (ThreadHandle: handle, ThreadInformationClass: value(u32),
                 ThreadInformation: in_buf, ThreadInformationLength: value(u32));
        }
    };
}

/// One row of the table, for tests and tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    pub number: u32,
    pub name: &'static str,
    pub zw_name: &'static str,
    pub params: usize,
}

macro_rules! service_list {
    ($($num:literal $nt:ident $zw:ident ($($p:ident : $kind:ident $(($ty:ty))?),*);)*) => {
        /// Every service, in number order.
        pub const SERVICES: &[Service] = &[$(Service {
            number: $num,
            name: stringify!($nt),
            zw_name: stringify!($zw),
            params: <[&str]>::len(&[$(stringify!($p)),*]),
        }),*];

        /// Every service's number, by its `Nt` name.
        #[allow(non_upper_case_globals)]
        pub mod number {
            $(pub const $nt: u32 = $num;)*
        }
    };
}
for_each_service!(service_list);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_dense_and_names_paired() {
        for (i, s) in SERVICES.iter().enumerate() {
            assert_eq!(s.number as usize, i, "{}", s.name);
            assert!(s.name.starts_with("Nt"), "{}", s.name);
            assert_eq!(&s.zw_name[2..], &s.name[2..]);
            assert!(s.params <= MAX_ARGS);
        }
    }

    #[test]
    fn words_round_trip() {
        let s = ntdef::status::NtStatus::from_u32(0xC000_0005);
        assert_eq!(NtStatus::from_word(s.to_word()), s);
        assert_eq!(u32::from_word(0x1234usize.to_word()), 0x1234);
    }
}
