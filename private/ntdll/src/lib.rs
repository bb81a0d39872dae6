//! ntdll.dll for Nereid: the Windows native API as a PE DLL, built for
//! `x86_64-pc-windows-msvc` and `i686-pc-windows-msvc` and linked by rust-lld.
//!
//! Every export has the Windows name, signature and structure layouts (`ntdef`), and is
//! `extern "system"`: the Microsoft x64 convention, stdcall on i386 (the export table
//! has undecorated names, as Windows' ntdll; `_Name@N` appears only in import
//! libraries). The logic is in `ntrtl`; this crate is the ABI edge ([`abi`]) and the
//! freestanding runtime a CRT-less DLL needs ([`crt`]).
//!
//! System services (`Nt*`/`Zw*`) are generated from `ntsvc` ([`services`]); the
//! process start (`LdrInitializeThunk`, import binding) is [`ldr`], which also makes the process heap ([`heap`]); routines asked to
//! allocate take their buffers from it ([`alloc`]). The module list `PEB.Ldr` is
//! [`ldrdata`]; environment blocks, process-parameter blocks and the registry helpers
//! are [`env`], [`params`] and [`registry`].
//!
//! A panic cannot unwind (no unwinder, and unwinding into foreign frames would be
//! undefined): it traps, so the executive sees the thread fault, as it would for an
//! unhandled access violation on Windows. [`abi`] uses that for NULL pointers.
#![cfg_attr(not(test), no_std)]
// `crt` implements memcpy & co; LLVM must not turn their loops into calls to themselves.
#![no_builtins]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod abi;
mod alloc;
mod bitmap;
#[cfg(all(target_os = "windows", not(test)))]
mod crt;
#[cfg(target_os = "windows")]
mod dbgprint;
#[cfg(any(test, all(target_os = "windows", target_arch = "x86")))]
mod div;
mod env;
mod heap;
mod integer;
#[cfg(target_os = "windows")]
mod ldr;
#[cfg(target_os = "windows")]
mod ldrdata;
mod params;
mod path;
mod peb;
#[cfg(target_os = "windows")]
mod process;
mod registry;
mod services;
mod string;
#[cfg(target_os = "windows")]
mod thread;
mod time;

#[cfg(test)]
mod tests;

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: `ud2` raises #UD and never returns; it touches no memory.
    unsafe { core::arch::asm!("ud2", options(noreturn, nomem, nostack)) }
}
