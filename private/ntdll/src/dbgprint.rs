//! `DbgPrint` / `DbgPrintEx`: formatted debug output (`ntrtl::format`) to the console
//! the executive keeps (serial line and screen), where Windows sends it to an attached
//! debugger. Output longer than 512 characters is cut there, as Windows' debug print
//! buffer is.
//!
//! Both are C-variadic (cdecl on i386), which stable Rust cannot define, so a few lines
//! of assembly per architecture give the formatter the address of the first variadic
//! argument: on x64 the four register arguments are stored into the caller's home
//! space, which lies right below the stacked ones, so all variadic arguments form one
//! array of 8-byte slots; on i386 they are on the stack already. `build.rs` exports the
//! two symbols (the export list test in `tests.rs` names them, as it cannot find them in
//! Rust sources).

use ntdef::status::{NtStatus, STATUS_SUCCESS};
use ntdef::types::UNICODE_STRING;
use ntrtl::format::{Args, Strings};

/// Characters one call prints at most.
const LIMIT: usize = 512;

/// The variadic arguments: consecutive pointer-sized slots from `at`.
struct Slots(*const usize);

impl Args for Slots {
    fn word(&mut self) -> usize {
        // SAFETY: the caller passed at least as many arguments as its format names (the
        // C contract of DbgPrint); the slots are consecutive on the stack.
        let w = unsafe { self.0.read_unaligned() };
        // SAFETY: stepping to the next slot of the same argument area.
        self.0 = unsafe { self.0.add(1) };
        w
    }
}

/// String arguments are read in place (a bad pointer faults, as it would on Windows).
struct Direct;

impl Strings for Direct {
    fn byte(&self, addr: usize) -> Option<u8> {
        // SAFETY: the caller passed a string the format says is there.
        Some(unsafe { (addr as *const u8).read() })
    }
    fn unit(&self, addr: usize) -> Option<u16> {
        // SAFETY: as above (UTF-16 strings may be misaligned in C callers' data).
        Some(unsafe { (addr as *const u16).read_unaligned() })
    }
}

/// Formats `format` with the variadic arguments at `args` and prints the result.
extern "C" fn dbg_vprint(format: *const u8, args: *const usize) -> NtStatus {
    if format.is_null() {
        return STATUS_SUCCESS;
    }
    // SAFETY: a NUL-terminated format string (the contract); at most 4 KiB is looked at.
    let len = unsafe { crate::abi::terminated_len(format, 4096) };
    // SAFETY: `len` bytes were just read.
    let fmt = unsafe { core::slice::from_raw_parts(format, len) };
    let mut text = [0u16; LIMIT];
    let mut n = 0;
    ntrtl::format::format(fmt, &mut Slots(args), &Direct, &mut |u| {
        if n < LIMIT {
            text[n] = u;
            n += 1;
        }
    });
    let s = UNICODE_STRING {
        Length: (n * 2) as u16,
        MaximumLength: (n * 2) as u16,
        Buffer: text.as_mut_ptr(),
    };
    // SAFETY: a service stub; `s` describes `text`.
    unsafe { crate::services::NtDisplayString(&s) };
    STATUS_SUCCESS
}

#[cfg(all(target_os = "windows", target_arch = "x86_64"))]
core::arch::global_asm!(
    ".globl DbgPrint",
    "DbgPrint:",
    // Home the register arguments: Format at [rsp+8], the variadic ones from [rsp+16].
    "    mov [rsp + 8], rcx",
    "    mov [rsp + 16], rdx",
    "    mov [rsp + 24], r8",
    "    mov [rsp + 32], r9",
    "    sub rsp, 40",
    "    lea rdx, [rsp + 56]",
    "    call {vprint}",
    "    add rsp, 40",
    "    ret",
    ".globl DbgPrintEx",
    "DbgPrintEx:",
    // DbgPrintEx(ComponentId, Level, Format, ...): the variadic ones from [rsp+32].
    "    mov [rsp + 32], r9",
    "    sub rsp, 40",
    "    mov rcx, r8",
    "    lea rdx, [rsp + 72]",
    "    call {vprint}",
    "    add rsp, 40",
    "    ret",
    vprint = sym dbg_vprint,
);

#[cfg(all(target_os = "windows", target_arch = "x86"))]
core::arch::global_asm!(
    ".globl _DbgPrint",
    "_DbgPrint:",
    // cdecl: [esp+4] Format, the variadic ones from [esp+8].
    "    lea eax, [esp + 8]",
    "    push eax",
    "    push dword ptr [esp + 8]",
    "    call {vprint}",
    "    add esp, 8",
    "    ret",
    ".globl _DbgPrintEx",
    "_DbgPrintEx:",
    // DbgPrintEx(ComponentId, Level, Format, ...): Format at [esp+12].
    "    lea eax, [esp + 16]",
    "    push eax",
    "    push dword ptr [esp + 16]",
    "    call {vprint}",
    "    add esp, 8",
    "    ret",
    vprint = sym dbg_vprint,
);
