//! procbench.exe: times a whole process life as a parent sees it: RtlCreateUserProcess
//! of nop.exe (image mapped, parameters copied, first thread made suspended),
//! NtResumeThread, NtWaitForSingleObject until it has exited, and closing both handles.
//! Prints one `BENCH process_create_exit …` line; exits with 0xBE4E (0xBAD0_0002 when a
//! round failed or nop.exe did not exit with 0).
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
#[allow(clippy::upper_case_acronyms)]
mod bench {
    use super::native::{bench_line, tsc, unicode, utf16, Line, NtStatus};
    use core::ffi::c_void;

    type HANDLE = *mut c_void;

    #[repr(C)]
    struct ProcessInformation {
        length: u32,
        process: HANDLE,
        thread: HANDLE,
        client_id: [usize; 2],
        image: [u8; if size_of::<usize>() == 8 { 0x40 } else { 0x30 }],
    }

    #[cfg_attr(
        target_arch = "x86",
        link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
    )]
    #[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
    extern "system" {
        fn RtlCreateProcessParameters(
            out: *mut *mut c_void,
            image: *const ntdef::types::UNICODE_STRING,
            dll_path: *const c_void,
            current_directory: *const c_void,
            command_line: *const ntdef::types::UNICODE_STRING,
            environment: *mut c_void,
            window_title: *const c_void,
            desktop: *const c_void,
            shell_info: *const c_void,
            runtime_data: *const c_void,
        ) -> NtStatus;
        fn RtlCreateUserProcess(
            image: *const ntdef::types::UNICODE_STRING,
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
        fn NtClose(h: HANDLE) -> NtStatus;
    }

    const WARMUP: usize = 3;
    pub const ROUNDS: usize = 40;

    static NT_PATH: [u16; 21] = utf16("\\??\\C:\\Nereid\\nop.exe");
    static DOS_PATH: [u16; 17] = utf16("C:\\Nereid\\nop.exe");
    static COMMAND: [u16; 7] = utf16("nop.exe");

    /// One create–resume–wait–close; `false` if any step failed.
    fn round(params: *mut c_void) -> bool {
        let nt = unicode(&NT_PATH);
        let mut info = ProcessInformation {
            length: 0,
            process: core::ptr::null_mut(),
            thread: core::ptr::null_mut(),
            client_id: [0; 2],
            image: [0; if size_of::<usize>() == 8 { 0x40 } else { 0x30 }],
        };
        // SAFETY: locals and the parameter block made once by the caller.
        let s = unsafe {
            RtlCreateUserProcess(
                &nt,
                0x40,
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
        if !s.is_success() {
            let mut hex = [0u8; 10];
            let mut line = Line::new();
            let _ = core::fmt::Write::write_fmt(
                &mut line,
                format_args!(
                    "procbench: RtlCreateUserProcess(nop.exe): {}",
                    super::native::hex32(s.as_u32(), &mut hex)
                ),
            );
            line.display();
            return false;
        }
        let mut basic = [usize::MAX; 6];
        // SAFETY: handles just returned; PROCESS_BASIC_INFORMATION is six words.
        unsafe {
            NtResumeThread(info.thread, core::ptr::null_mut());
            NtWaitForSingleObject(info.process, 0, core::ptr::null());
            NtQueryInformationProcess(
                info.process,
                0,
                basic.as_mut_ptr().cast(),
                size_of_val(&basic) as u32,
                core::ptr::null_mut(),
            );
            NtClose(info.thread);
            NtClose(info.process);
        }
        basic[0] as u32 == 0
    }

    pub fn run(samples: &mut [u64; ROUNDS]) -> Option<Line> {
        let (dos, cmd) = (unicode(&DOS_PATH), unicode(&COMMAND));
        let mut params: *mut c_void = core::ptr::null_mut();
        let null = core::ptr::null();
        // SAFETY: locals; NULLs take the defaults.
        let s = unsafe {
            RtlCreateProcessParameters(
                &mut params,
                &dos,
                null,
                null,
                &cmd,
                core::ptr::null_mut(),
                null,
                null,
                null,
                null,
            )
        };
        if !s.is_success() {
            super::native::print("procbench: RtlCreateProcessParameters failed");
            return None;
        }
        for _ in 0..WARMUP {
            if !round(params) {
                return None;
            }
        }
        for s in samples.iter_mut() {
            let t0 = tsc();
            if !round(params) {
                return None;
            }
            *s = tsc().wrapping_sub(t0);
        }
        bench_line("process_create_exit", samples)
    }
}

/// The native-subsystem entry point.
#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    let mut samples = [0u64; bench::ROUNDS];
    match bench::run(&mut samples) {
        Some(line) => {
            line.display();
            native::exit(0xBE4E)
        }
        None => {
            native::print("procbench: creating or running nop.exe failed");
            native::exit(0xBAD0_0002)
        }
    }
}

#[cfg(not(target_os = "windows"))]
fn main() {}
