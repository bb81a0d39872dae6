//! What every native test program shares: the ntdll imports, UTF-16 literals, output,
//! exit and the panic handler.
#![allow(non_snake_case, dead_code)]

use core::ffi::c_void;
pub use ntdef::status::NtStatus;
use ntdef::types::UNICODE_STRING;

#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "system" {
    pub fn NtDisplayString(String: *const UNICODE_STRING) -> NtStatus;
    pub fn NtTerminateProcess(ProcessHandle: *mut c_void, ExitStatus: NtStatus) -> NtStatus;
}

/// `NtCurrentProcess()`.
pub const CURRENT_PROCESS: *mut c_void = usize::MAX as *mut c_void;

/// A UTF-16 copy of an ASCII literal, built at compile time.
pub const fn utf16<const N: usize>(s: &str) -> [u16; N] {
    let b = s.as_bytes();
    let mut out = [0u16; N];
    let mut i = 0;
    while i < N && i < b.len() {
        out[i] = b[i] as u16;
        i += 1;
    }
    out
}

/// A `UNICODE_STRING` over `text` (no terminator counted).
pub fn unicode(text: &[u16]) -> UNICODE_STRING {
    let bytes = (text.len() * 2) as u16;
    UNICODE_STRING {
        Length: bytes,
        MaximumLength: bytes,
        Buffer: text.as_ptr() as *mut u16,
    }
}

/// Prints `text` (UTF-16) through NtDisplayString.
pub fn display(text: &[u16]) -> NtStatus {
    let s = unicode(text);
    // SAFETY: `s` describes `text`, alive for the call.
    unsafe { NtDisplayString(&s) }
}

/// Prints an ASCII line through NtDisplayString (at most 126 characters).
pub fn print(line: &str) -> NtStatus {
    let mut buf = [0u16; 128];
    let mut n = 0;
    for &b in line.as_bytes().iter().take(126) {
        buf[n] = u16::from(b);
        n += 1;
    }
    buf[n] = u16::from(b'\n');
    display(&buf[..=n])
}

/// Ends the process with `status`.
pub fn exit(status: u32) -> ! {
    loop {
        // SAFETY: a service call; the executive checks its arguments.
        unsafe { NtTerminateProcess(CURRENT_PROCESS, NtStatus::from_u32(status)) };
    }
}

/// Hex digits of `v` (8 of them) into `out`.
pub fn hex32(v: u32, out: &mut [u8; 10]) -> &str {
    out[0] = b'0';
    out[1] = b'x';
    for i in 0..8 {
        let d = ((v >> (28 - 4 * i)) & 0xF) as u8;
        out[2 + i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
    }
    core::str::from_utf8(&out[..]).unwrap_or("?")
}

/// `lfence; rdtsc`: the time-stamp counter once every earlier instruction has completed.
#[inline(always)]
pub fn tsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: lfence and rdtsc only read the counter (the kernel leaves CR4.TSD clear);
    // no memory is touched.
    unsafe {
        core::arch::asm!(
            "lfence",
            "rdtsc",
            out("eax") lo,
            out("edx") hi,
            options(nomem, nostack, preserves_flags)
        )
    };
    (u64::from(hi) << 32) | u64::from(lo)
}

#[cfg(target_arch = "x86_64")]
pub const ARCH: &str = "x86_64";
#[cfg(target_arch = "x86")]
pub const ARCH: &str = "i386";

/// Nearest-rank percentile of sorted samples (as the executive's `ex::stats`).
fn rank(sorted: &[u64], pct: usize) -> u64 {
    let r = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[r - 1]
}

/// A fixed line buffer for `write!`.
pub struct Line {
    buf: [u8; 192],
    len: usize,
}

impl core::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Line {
    pub const fn new() -> Line {
        Line {
            buf: [0; 192],
            len: 0,
        }
    }

    /// Prints the line (and a newline) through NtDisplayString; unlike [`print`], up
    /// to 191 characters.
    pub fn display(&self) -> NtStatus {
        let mut text = [0u16; 193];
        let mut n = 0;
        for (dst, &b) in text
            .iter_mut()
            .zip(self.buf[..self.len].iter().chain(b"\n"))
        {
            *dst = u16::from(b);
            n += 1;
        }
        display(&text[..n])
    }
}

/// Sorts `samples` and formats the `BENCH <name> …` line in the format of the
/// executive's own `BENCH ipc_roundtrip` line. A program cannot learn the TSC
/// frequency (no service reports it): `tsc_mhz=0`. `None` without samples.
pub fn bench_line(name: &str, samples: &mut [u64]) -> Option<Line> {
    use core::fmt::Write;
    samples.sort_unstable();
    let (min, max) = (*samples.first()?, *samples.last()?);
    let mut line = Line::new();
    write!(
        line,
        "BENCH {name} arch={ARCH} n={} median={} p10={} p90={} min={min} max={max} unit=cycles tsc_mhz=0",
        samples.len(),
        rank(samples, 50),
        rank(samples, 10),
        rank(samples, 90),
    )
    .ok()?;
    Some(line)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    exit(0xDEAD_0001)
}

// The freestanding runtime a CRT-less executable needs (`core` is one object that
// refers to all of these, even where the code using them is discarded): memory
// routines, the MSVC frame handler named by `core`'s unwind tables (never reached:
// panics abort) and, on i386, LLVM's 64-bit division helpers.

// The memory routines are imported from ntdll.dll, which every process maps and which
// exports memcpy, memmove, memset and memcmp (cdecl, as Windows' ntdll does; see
// `private/ntdll/src/crt.rs`), instead of being defined a second time here. Declaring
// them in a raw-dylib block is enough: rustc puts every declared item in the import
// library, lld-link resolves `core`'s references to its thunks and keeps only the
// imports live code calls. On i386 rustc names a cdecl raw-dylib thunk without the `_`
// every C symbol carries there, while `core` refers to `_memcpy`: `link_name` gives the
// decorated symbol, and `undecorated` keeps the imported name `memcpy`.
#[cfg_attr(
    target_arch = "x86",
    link(name = "ntdll", kind = "raw-dylib", import_name_type = "undecorated")
)]
#[cfg_attr(not(target_arch = "x86"), link(name = "ntdll", kind = "raw-dylib"))]
extern "C" {
    #[cfg_attr(target_arch = "x86", link_name = "_memcpy")]
    fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8;
    #[cfg_attr(target_arch = "x86", link_name = "_memmove")]
    fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8;
    #[cfg_attr(target_arch = "x86", link_name = "_memset")]
    fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8;
    #[cfg_attr(target_arch = "x86", link_name = "_memcmp")]
    fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32;
}

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".section .rdata,\"dr\"",
    ".globl _fltused",
    "_fltused:",
    ".long 0",
    ".text",
    ".globl __CxxFrameHandler3",
    "__CxxFrameHandler3:",
    "mov eax, 1",
    "ret",
);

#[cfg(target_arch = "x86")]
core::arch::global_asm!(
    ".section .rdata,\"dr\"",
    ".globl __fltused",
    "__fltused:",
    ".long 0",
    ".text",
    ".globl ___CxxFrameHandler3",
    "___CxxFrameHandler3:",
    "mov eax, 1",
    "ret",
    ".globl __alldiv",
    "__alldiv:",
    "jmp {alldiv}",
    ".globl __aulldiv",
    "__aulldiv:",
    "jmp {aulldiv}",
    ".globl __allrem",
    "__allrem:",
    "jmp {allrem}",
    ".globl __aullrem",
    "__aullrem:",
    "jmp {aullrem}",
    alldiv = sym i386::alldiv,
    aulldiv = sym i386::aulldiv,
    allrem = sym i386::allrem,
    aullrem = sym i386::aullrem,
);

#[cfg(target_arch = "x86")]
mod i386 {
    /// Shift-subtract division (the `/` operator would call these very helpers).
    fn udivmod(n: u64, d: u64) -> (u64, u64) {
        if d == 0 {
            return (u64::MAX, n);
        }
        let (mut q, mut r) = (0u64, 0u64);
        for i in (0..64).rev() {
            r = (r << 1) | ((n >> i) & 1);
            if r >= d {
                r -= d;
                q |= 1 << i;
            }
        }
        (q, r)
    }

    fn sdivmod(a: i64, b: i64) -> (i64, i64) {
        let (q, r) = udivmod(a.unsigned_abs(), b.unsigned_abs());
        let q = if (a < 0) != (b < 0) {
            (q as i64).wrapping_neg()
        } else {
            q as i64
        };
        let r = if a < 0 {
            (r as i64).wrapping_neg()
        } else {
            r as i64
        };
        (q, r)
    }

    pub(super) extern "stdcall" fn alldiv(a: i64, b: i64) -> i64 {
        sdivmod(a, b).0
    }
    pub(super) extern "stdcall" fn allrem(a: i64, b: i64) -> i64 {
        sdivmod(a, b).1
    }
    pub(super) extern "stdcall" fn aulldiv(a: u64, b: u64) -> u64 {
        udivmod(a, b).0
    }
    pub(super) extern "stdcall" fn aullrem(a: u64, b: u64) -> u64 {
        udivmod(a, b).1
    }
}
