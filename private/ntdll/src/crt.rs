//! The freestanding runtime a CRT-less PE DLL needs: the symbols rust-lld finds
//! referenced by `core`, `compiler_builtins` and our own code once `/NODEFAULTLIB`
//! removes the C runtime. Built only for the Windows targets.
//!
//! - `memcpy`, `memmove`, `memset`, `memcmp`: LLVM lowers copies and fills to them.
//!   They are exported, as Windows' ntdll exports them, so native C programs linked
//!   against our import library get them too.
//! - `_fltused`: MSVC-target objects that use floating point reference it (`core`'s
//!   float formatting does). Its value is never read.
//! - `__CxxFrameHandler3`: the MSVC language handler named by the unwind tables of
//!   `core` functions that have cleanup code (`core` is prebuilt with unwinding). Rust
//!   code here never unwinds, so the handler is only reached by a foreign exception (an
//!   access violation caught by the calling program) passing through such a frame; it
//!   answers `ExceptionContinueSearch`, letting the search go on to the caller's handler.
//! - i386 only, `_alldiv`, `_aulldiv`, `_allrem`, `_aullrem`: LLVM's helpers for 64-bit
//!   division on 32-bit MSVC targets (stdcall, undecorated names).
//!
//! The symbols that are not exported are defined in assembly, because rustc exports
//! every `#[no_mangle]` item of a cdylib.

/// # Safety
/// `dest` and `src` must be valid for `n` bytes and must not overlap.
#[no_mangle]
unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: `i < n` and both ranges are valid (contract).
        unsafe { dest.add(i).write(src.add(i).read()) };
    }
    dest
}

/// # Safety
/// `dest` and `src` must be valid for `n` bytes; they may overlap.
#[no_mangle]
unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize) <= (src as usize) {
        for i in 0..n {
            // SAFETY: `i < n`; copying upwards never overwrites a byte not yet read
            // when the destination starts at or below the source.
            unsafe { dest.add(i).write(src.add(i).read()) };
        }
    } else {
        for i in (0..n).rev() {
            // SAFETY: `i < n`; copying downwards is the safe order when the
            // destination starts above the source.
            unsafe { dest.add(i).write(src.add(i).read()) };
        }
    }
    dest
}

/// # Safety
/// `dest` must be valid for `n` bytes.
#[no_mangle]
unsafe extern "C" fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: `i < n` (contract). C converts the fill value to `unsigned char`.
        unsafe { dest.add(i).write(c as u8) };
    }
    dest
}

/// # Safety
/// `a` and `b` must be valid for `n` bytes.
#[no_mangle]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: `i < n` (contract).
        let (x, y) = unsafe { (a.add(i).read(), b.add(i).read()) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
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
    "mov eax, 1", // ExceptionContinueSearch
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
    "mov eax, 1", // ExceptionContinueSearch; cdecl, the caller pops
    "ret",
    // The helpers take their operands on the stack and pop them, exactly as these
    // stdcall functions do, so a jump is the whole thunk.
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
    use crate::div::{sdivmod, udivmod};

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
