//! What native C programs link against to call our ntdll.dll: the export list, the
//! `.def` file written from it and `libntdll.a` import libraries made from that with
//! mingw-w64's `dlltool`.
//!
//! On i386 every `NTAPI` routine is stdcall, so a C compiler refers to
//! `RtlInitUnicodeString` as `_RtlInitUnicodeString@8`, while the DLL exports the
//! undecorated name (as Windows' ntdll and its `ntdll.lib` do). The `.def` file
//! therefore lists decorated names on i386 and `dlltool --kill-at` maps each to the
//! undecorated import name. On x86_64 names are never decorated.
//!
//! [`EXPORTS`] must match the `#[no_mangle]` functions of the `ntdll` crate; ntdll's
//! unit tests check the names against its sources, and this crate's integration tests
//! check names and decorations against the DLL actually built.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The DLL the import libraries point at.
pub const DLL_NAME: &str = "ntdll.dll";

/// How an export is called on i386, which decides its symbol in an import library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `NTAPI`: the callee pops `arg_bytes` of arguments; C sees `_Name@arg_bytes`.
    Stdcall { arg_bytes: u32 },
    /// The C runtime routines: C sees `_Name`.
    Cdecl,
}

/// One export of ntdll.dll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: &'static str,
    pub call: Call,
}

const fn stdcall(name: &'static str, arg_bytes: u32) -> Export {
    Export {
        name,
        call: Call::Stdcall { arg_bytes },
    }
}

const fn cdecl(name: &'static str) -> Export {
    Export {
        name,
        call: Call::Cdecl,
    }
}

/// Every export of ntdll.dll, sorted by name (the order of the DLL's name table). The
/// byte counts are the i386 argument sizes: 4 per pointer, `ULONG`, `LONG`, `WCHAR` or
/// `BOOLEAN` (all widened to a stack slot).
pub const EXPORTS: &[Export] = &[
    cdecl("DbgPrint"),
    cdecl("DbgPrintEx"),
    stdcall("LdrFindEntryForAddress", 8),
    stdcall("LdrGetDllHandle", 16),
    stdcall("LdrGetProcedureAddress", 16),
    stdcall("LdrInitializeThunk", 4),
    stdcall("LdrLoadDll", 16),
    stdcall("LdrUnloadDll", 4),
    stdcall("NtAlertResumeThread", 8),
    stdcall("NtAlertThread", 4),
    stdcall("NtAllocateVirtualMemory", 24),
    stdcall("NtCancelTimer", 8),
    stdcall("NtClearEvent", 4),
    stdcall("NtClose", 4),
    stdcall("NtCreateDirectoryObject", 12),
    stdcall("NtCreateEvent", 20),
    stdcall("NtCreateKey", 28),
    stdcall("NtCreateKeyedEvent", 16),
    stdcall("NtCreateMutant", 16),
    stdcall("NtCreateSection", 28),
    stdcall("NtCreateSemaphore", 20),
    stdcall("NtCreateSymbolicLinkObject", 16),
    stdcall("NtCreateThread", 32),
    stdcall("NtCreateThreadEx", 44),
    stdcall("NtCreateTimer", 16),
    stdcall("NtCreateUserProcess", 44),
    stdcall("NtDelayExecution", 8),
    stdcall("NtDeleteKey", 4),
    stdcall("NtDeleteValueKey", 8),
    stdcall("NtDisplayString", 4),
    stdcall("NtDuplicateObject", 28),
    stdcall("NtEnumerateKey", 24),
    stdcall("NtEnumerateValueKey", 24),
    stdcall("NtExtendSection", 8),
    stdcall("NtFlushKey", 4),
    stdcall("NtFreeVirtualMemory", 16),
    stdcall("NtMakeTemporaryObject", 4),
    stdcall("NtMapViewOfSection", 40),
    stdcall("NtOpenDirectoryObject", 12),
    stdcall("NtOpenEvent", 12),
    stdcall("NtOpenKey", 12),
    stdcall("NtOpenKeyedEvent", 12),
    stdcall("NtOpenMutant", 12),
    stdcall("NtOpenProcess", 16),
    stdcall("NtOpenSection", 12),
    stdcall("NtOpenSemaphore", 12),
    stdcall("NtOpenSymbolicLinkObject", 12),
    stdcall("NtOpenThread", 16),
    stdcall("NtOpenTimer", 12),
    stdcall("NtProtectVirtualMemory", 20),
    stdcall("NtPulseEvent", 8),
    stdcall("NtQueryDirectoryObject", 28),
    stdcall("NtQueryEvent", 20),
    stdcall("NtQueryInformationProcess", 20),
    stdcall("NtQueryInformationThread", 20),
    stdcall("NtQueryKey", 20),
    stdcall("NtQueryMutant", 20),
    stdcall("NtQueryObject", 20),
    stdcall("NtQueryPerformanceCounter", 8),
    stdcall("NtQuerySection", 20),
    stdcall("NtQuerySemaphore", 20),
    stdcall("NtQuerySymbolicLinkObject", 12),
    stdcall("NtQuerySystemInformation", 16),
    stdcall("NtQuerySystemTime", 4),
    stdcall("NtQueryTimer", 20),
    stdcall("NtQueryTimerResolution", 12),
    stdcall("NtQueryValueKey", 24),
    stdcall("NtQueryVirtualMemory", 24),
    stdcall("NtQueueApcThread", 20),
    stdcall("NtReadVirtualMemory", 20),
    stdcall("NtReleaseKeyedEvent", 16),
    stdcall("NtReleaseMutant", 8),
    stdcall("NtReleaseSemaphore", 12),
    stdcall("NtResetEvent", 8),
    stdcall("NtResumeThread", 8),
    stdcall("NtSetEvent", 8),
    stdcall("NtSetInformationProcess", 16),
    stdcall("NtSetInformationThread", 16),
    stdcall("NtSetTimer", 28),
    stdcall("NtSetTimerResolution", 12),
    stdcall("NtSetValueKey", 24),
    stdcall("NtSignalAndWaitForSingleObject", 16),
    stdcall("NtSuspendThread", 8),
    stdcall("NtTerminateProcess", 8),
    stdcall("NtTerminateThread", 8),
    stdcall("NtTestAlert", 0),
    stdcall("NtUnmapViewOfSection", 8),
    stdcall("NtWaitForKeyedEvent", 16),
    stdcall("NtWaitForMultipleObjects", 20),
    stdcall("NtWaitForSingleObject", 12),
    stdcall("NtWriteVirtualMemory", 20),
    stdcall("NtYieldExecution", 0),
    stdcall("RtlAllocateHeap", 12),
    stdcall("RtlAnsiStringToUnicodeString", 12),
    stdcall("RtlAppendUnicodeStringToString", 8),
    stdcall("RtlAppendUnicodeToString", 8),
    stdcall("RtlAreBitsClear", 12),
    stdcall("RtlAreBitsSet", 12),
    stdcall("RtlCharToInteger", 12),
    stdcall("RtlCheckRegistryKey", 8),
    stdcall("RtlClearAllBits", 4),
    stdcall("RtlClearBits", 12),
    stdcall("RtlCompareUnicodeString", 12),
    stdcall("RtlCopyUnicodeString", 8),
    stdcall("RtlCreateEnvironment", 8),
    stdcall("RtlCreateHeap", 24),
    stdcall("RtlCreateProcessParameters", 40),
    stdcall("RtlCreateProcessParametersEx", 44),
    stdcall("RtlCreateRegistryKey", 8),
    stdcall("RtlCreateUserProcess", 40),
    stdcall("RtlCreateUserThread", 40),
    stdcall("RtlDeNormalizeProcessParams", 4),
    stdcall("RtlDeleteRegistryValue", 12),
    stdcall("RtlDestroyEnvironment", 4),
    stdcall("RtlDestroyHeap", 4),
    stdcall("RtlDestroyProcessParameters", 4),
    stdcall("RtlDosPathNameToNtPathName_U", 16),
    stdcall("RtlEqualUnicodeString", 12),
    stdcall("RtlExitUserThread", 4),
    stdcall("RtlExpandEnvironmentStrings_U", 16),
    stdcall("RtlFindClearBits", 12),
    stdcall("RtlFindClearBitsAndSet", 12),
    stdcall("RtlFindSetBits", 12),
    stdcall("RtlFindSetBitsAndClear", 12),
    stdcall("RtlFreeAnsiString", 4),
    stdcall("RtlFreeHeap", 12),
    stdcall("RtlFreeUnicodeString", 4),
    stdcall("RtlInitAnsiString", 8),
    stdcall("RtlInitAnsiStringEx", 8),
    stdcall("RtlInitString", 8),
    stdcall("RtlInitUnicodeString", 8),
    stdcall("RtlInitUnicodeStringEx", 8),
    stdcall("RtlInitializeBitMap", 12),
    stdcall("RtlIntegerToChar", 16),
    stdcall("RtlIntegerToUnicodeString", 12),
    stdcall("RtlMultiByteToUnicodeN", 20),
    stdcall("RtlMultiByteToUnicodeSize", 12),
    stdcall("RtlNormalizeProcessParams", 4),
    stdcall("RtlNumberOfClearBits", 4),
    stdcall("RtlNumberOfSetBits", 4),
    stdcall("RtlQueryEnvironmentVariable_U", 12),
    stdcall("RtlQueryRegistryValues", 20),
    stdcall("RtlReAllocateHeap", 16),
    stdcall("RtlSecondsSince1970ToTime", 8),
    stdcall("RtlSecondsSince1980ToTime", 8),
    stdcall("RtlSetAllBits", 4),
    stdcall("RtlSetBits", 12),
    stdcall("RtlSetEnvironmentVariable", 12),
    stdcall("RtlSizeHeap", 12),
    stdcall("RtlTimeFieldsToTime", 8),
    stdcall("RtlTimeToSecondsSince1970", 8),
    stdcall("RtlTimeToSecondsSince1980", 8),
    stdcall("RtlTimeToTimeFields", 8),
    stdcall("RtlUnicodeStringToAnsiString", 12),
    stdcall("RtlUnicodeStringToInteger", 12),
    stdcall("RtlUnicodeToMultiByteN", 20),
    stdcall("RtlUnicodeToMultiByteSize", 12),
    stdcall("RtlUpcaseUnicodeChar", 4),
    stdcall("RtlUpcaseUnicodeString", 12),
    stdcall("RtlUserThreadStart", 8),
    stdcall("RtlWriteRegistryValue", 24),
    stdcall("RtlxAnsiStringToUnicodeSize", 4),
    stdcall("RtlxUnicodeStringToAnsiSize", 4),
    stdcall("ZwAlertResumeThread", 8),
    stdcall("ZwAlertThread", 4),
    stdcall("ZwAllocateVirtualMemory", 24),
    stdcall("ZwCancelTimer", 8),
    stdcall("ZwClearEvent", 4),
    stdcall("ZwClose", 4),
    stdcall("ZwCreateDirectoryObject", 12),
    stdcall("ZwCreateEvent", 20),
    stdcall("ZwCreateKey", 28),
    stdcall("ZwCreateKeyedEvent", 16),
    stdcall("ZwCreateMutant", 16),
    stdcall("ZwCreateSection", 28),
    stdcall("ZwCreateSemaphore", 20),
    stdcall("ZwCreateSymbolicLinkObject", 16),
    stdcall("ZwCreateThread", 32),
    stdcall("ZwCreateThreadEx", 44),
    stdcall("ZwCreateTimer", 16),
    stdcall("ZwCreateUserProcess", 44),
    stdcall("ZwDelayExecution", 8),
    stdcall("ZwDeleteKey", 4),
    stdcall("ZwDeleteValueKey", 8),
    stdcall("ZwDisplayString", 4),
    stdcall("ZwDuplicateObject", 28),
    stdcall("ZwEnumerateKey", 24),
    stdcall("ZwEnumerateValueKey", 24),
    stdcall("ZwExtendSection", 8),
    stdcall("ZwFlushKey", 4),
    stdcall("ZwFreeVirtualMemory", 16),
    stdcall("ZwMakeTemporaryObject", 4),
    stdcall("ZwMapViewOfSection", 40),
    stdcall("ZwOpenDirectoryObject", 12),
    stdcall("ZwOpenEvent", 12),
    stdcall("ZwOpenKey", 12),
    stdcall("ZwOpenKeyedEvent", 12),
    stdcall("ZwOpenMutant", 12),
    stdcall("ZwOpenProcess", 16),
    stdcall("ZwOpenSection", 12),
    stdcall("ZwOpenSemaphore", 12),
    stdcall("ZwOpenSymbolicLinkObject", 12),
    stdcall("ZwOpenThread", 16),
    stdcall("ZwOpenTimer", 12),
    stdcall("ZwProtectVirtualMemory", 20),
    stdcall("ZwPulseEvent", 8),
    stdcall("ZwQueryDirectoryObject", 28),
    stdcall("ZwQueryEvent", 20),
    stdcall("ZwQueryInformationProcess", 20),
    stdcall("ZwQueryInformationThread", 20),
    stdcall("ZwQueryKey", 20),
    stdcall("ZwQueryMutant", 20),
    stdcall("ZwQueryObject", 20),
    stdcall("ZwQueryPerformanceCounter", 8),
    stdcall("ZwQuerySection", 20),
    stdcall("ZwQuerySemaphore", 20),
    stdcall("ZwQuerySymbolicLinkObject", 12),
    stdcall("ZwQuerySystemInformation", 16),
    stdcall("ZwQuerySystemTime", 4),
    stdcall("ZwQueryTimer", 20),
    stdcall("ZwQueryTimerResolution", 12),
    stdcall("ZwQueryValueKey", 24),
    stdcall("ZwQueryVirtualMemory", 24),
    stdcall("ZwQueueApcThread", 20),
    stdcall("ZwReadVirtualMemory", 20),
    stdcall("ZwReleaseKeyedEvent", 16),
    stdcall("ZwReleaseMutant", 8),
    stdcall("ZwReleaseSemaphore", 12),
    stdcall("ZwResetEvent", 8),
    stdcall("ZwResumeThread", 8),
    stdcall("ZwSetEvent", 8),
    stdcall("ZwSetInformationProcess", 16),
    stdcall("ZwSetInformationThread", 16),
    stdcall("ZwSetTimer", 28),
    stdcall("ZwSetTimerResolution", 12),
    stdcall("ZwSetValueKey", 24),
    stdcall("ZwSignalAndWaitForSingleObject", 16),
    stdcall("ZwSuspendThread", 8),
    stdcall("ZwTerminateProcess", 8),
    stdcall("ZwTerminateThread", 8),
    stdcall("ZwTestAlert", 0),
    stdcall("ZwUnmapViewOfSection", 8),
    stdcall("ZwWaitForKeyedEvent", 16),
    stdcall("ZwWaitForMultipleObjects", 20),
    stdcall("ZwWaitForSingleObject", 12),
    stdcall("ZwWriteVirtualMemory", 20),
    stdcall("ZwYieldExecution", 0),
    cdecl("memcmp"),
    cdecl("memcpy"),
    cdecl("memmove"),
    cdecl("memset"),
];

/// The two architectures ntdll.dll is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    I386,
}

impl Arch {
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::I386];

    /// The name used in paths and on command lines.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "i386",
        }
    }

    pub fn from_name(name: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The Rust target ntdll.dll is built with.
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-pc-windows-msvc",
            Arch::I386 => "i686-pc-windows-msvc",
        }
    }

    /// The prefix of the mingw-w64 tools for this architecture.
    pub fn mingw_prefix(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-w64-mingw32",
            Arch::I386 => "i686-w64-mingw32",
        }
    }

    /// `<prefix>-<tool>`, e.g. `i686-w64-mingw32-dlltool`.
    pub fn mingw_tool(self, tool: &str) -> String {
        format!("{}-{tool}", self.mingw_prefix())
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Export {
    /// The name as a `.def` file for `arch` lists it: `Name@N` for stdcall on i386.
    pub fn def_name(&self, arch: Arch) -> String {
        match (arch, self.call) {
            (Arch::I386, Call::Stdcall { arg_bytes }) => format!("{}@{arg_bytes}", self.name),
            _ => self.name.to_owned(),
        }
    }

    /// The symbol a C object file for `arch` refers to (i386 C names take a leading `_`).
    pub fn c_symbol(&self, arch: Arch) -> String {
        match arch {
            Arch::I386 => format!("_{}", self.def_name(arch)),
            Arch::X86_64 => self.name.to_owned(),
        }
    }
}

/// The module-definition file for `arch`, in the dialect `dlltool` reads.
pub fn write_def(arch: Arch) -> String {
    let mut def = format!("; {DLL_NAME} exports for {arch}, generated by ntdll-implib.\n");
    let _ = writeln!(def, "LIBRARY \"{DLL_NAME}\"");
    def.push_str("EXPORTS\n");
    for export in EXPORTS {
        let _ = writeln!(def, "    {}", export.def_name(arch));
    }
    def
}

/// Why an import library could not be made.
#[derive(Debug)]
pub enum Error {
    /// A mingw-w64 tool is not installed.
    MissingTool {
        tool: String,
    },
    /// A tool ran and failed.
    ToolFailed {
        tool: String,
        status: String,
        stderr: String,
    },
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingTool { tool } => write!(
                f,
                "`{tool}` not found: install the Debian packages gcc-mingw-w64 and binutils-mingw-w64 \
                 (apt-get install gcc-mingw-w64)"
            ),
            Error::ToolFailed { tool, status, stderr } => write!(f, "`{tool}` failed ({status}):\n{stderr}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Runs a tool to completion; a tool that cannot be started is reported as missing
/// (with the package to install), one that fails with its standard error.
pub fn run_tool(command: &mut Command) -> Result<std::process::Output, Error> {
    let tool = command.get_program().to_string_lossy().into_owned();
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::MissingTool { tool })
        }
        Err(e) => return Err(Error::Io(e)),
    };
    if !output.status.success() {
        return Err(Error::ToolFailed {
            tool,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(output)
}

/// Writes `ntdll.def` and `libntdll.a` for `arch` into `out_dir` (created if needed) and
/// returns the path of the library.
pub fn build_import_library(arch: Arch, out_dir: &Path) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(out_dir)?;
    let def = out_dir.join("ntdll.def");
    let lib = out_dir.join("libntdll.a");
    std::fs::write(&def, write_def(arch))?;
    run_tool(
        Command::new(arch.mingw_tool("dlltool"))
            .arg("--input-def")
            .arg(&def)
            .arg("--output-lib")
            .arg(&lib)
            .args(["--dllname", DLL_NAME, "--kill-at"]),
    )?;
    Ok(lib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_sorted_and_unique() {
        for pair in EXPORTS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn i386_def_decorates_stdcall_only() {
        let def = write_def(Arch::I386);
        let lines: Vec<&str> = def.lines().collect();
        assert_eq!(lines[1], "LIBRARY \"ntdll.dll\"");
        assert_eq!(lines[2], "EXPORTS");
        assert!(lines.contains(&"    RtlInitUnicodeString@8"));
        assert!(lines.contains(&"    RtlIntegerToChar@16"));
        assert!(lines.contains(&"    RtlMultiByteToUnicodeN@20"));
        assert!(lines.contains(&"    memcpy"));
        assert_eq!(lines.len(), 3 + EXPORTS.len());
    }

    #[test]
    fn x86_64_def_is_undecorated() {
        let def = write_def(Arch::X86_64);
        assert!(def.contains("\n    RtlInitUnicodeString\n"));
        assert!(!def.contains('@'));
    }

    #[test]
    fn c_symbols() {
        let e = stdcall("RtlInitUnicodeString", 8);
        assert_eq!(e.c_symbol(Arch::I386), "_RtlInitUnicodeString@8");
        assert_eq!(e.c_symbol(Arch::X86_64), "RtlInitUnicodeString");
        assert_eq!(cdecl("memset").c_symbol(Arch::I386), "_memset");
    }

    #[test]
    fn arch_names() {
        assert_eq!(Arch::from_name("i386"), Some(Arch::I386));
        assert_eq!(Arch::from_name("x86_64"), Some(Arch::X86_64));
        assert_eq!(Arch::from_name("arm64"), None);
        assert_eq!(Arch::I386.mingw_tool("dlltool"), "i686-w64-mingw32-dlltool");
    }

    #[test]
    fn missing_tool_names_the_debian_package() {
        let err = run_tool(&mut Command::new("nereid-no-such-tool-w64-mingw32-gcc")).unwrap_err();
        assert!(matches!(err, Error::MissingTool { .. }));
        assert!(err.to_string().contains("gcc-mingw-w64"), "{err}");
    }
}
