//! ia32 system call entry (`sysenter`, CONFIG_SYSENTER).
//!
//! EAX = syscall number, EBX = cap in / badge out, ESI = message info in /
//! out, EDI = MR0, EBP = MR1, ECX = user ESP, EDX = address of the
//! `sysenter` instruction (the kernel resumes at EDX + 2). Rust cannot name
//! EBX, EBP or ESI as inline-asm operands on i686, so the entry is a small
//! cdecl routine working on an in/out register array
//! `[number, cap/badge, info, mr0, mr1]`.

use crate::Word;

/// Message registers passed in CPU registers.
pub const REGISTER_MRS: usize = 2;

core::arch::global_asm!(
    ".pushsection .text.nereid_sel4_sysenter,\"ax\",@progbits",
    ".globl nereid_sel4_sysenter",
    ".type nereid_sel4_sysenter,@function",
    "nereid_sel4_sysenter:",
    "push ebp",
    "push ebx",
    "push esi",
    "push edi",
    // The register array: first argument, above 4 saved registers and the return address.
    "mov eax, [esp + 20]",
    "push eax",
    "mov ebx, [eax + 4]",
    "mov esi, [eax + 8]",
    "mov edi, [eax + 12]",
    "mov ebp, [eax + 16]",
    "mov eax, [eax]",
    "mov ecx, esp",
    // EDX = address of the sysenter instruction: the call pushes it and
    // the code at the target pops it (ESP is back to ECX) and jumps back.
    "call .Lnereid_sysenter_go",
    "sysenter",
    // The kernel resumes here (EDX + 2) with ESP = ECX.
    "jmp .Lnereid_sysenter_done",
    ".Lnereid_sysenter_go:",
    "pop edx",
    "jmp edx",
    ".Lnereid_sysenter_done:",
    "pop eax",
    "mov [eax + 4], ebx",
    "mov [eax + 8], esi",
    "mov [eax + 12], edi",
    "mov [eax + 16], ebp",
    "pop edi",
    "pop esi",
    "pop ebx",
    "pop ebp",
    "ret",
    ".size nereid_sel4_sysenter, . - nereid_sel4_sysenter",
    ".popsection",
);

extern "C" {
    fn nereid_sel4_sysenter(regs: *mut [Word; 5]);
}

/// Issues syscall `num` and returns `(badge / cap register, message info)`;
/// `mrs` carries MR0 and MR1 in and out.
#[inline(always)]
pub(crate) fn sys(
    num: isize,
    dest: Word,
    info: Word,
    mrs: &mut [Word; REGISTER_MRS],
) -> (Word, Word) {
    let mut regs = [num as Word, dest, info, mrs[0], mrs[1]];
    // SAFETY: the routine above reads and writes only the five words of
    // `regs` and restores every callee-saved register; the kernel may write
    // this thread's IPC buffer, which a call to an opaque function allows.
    unsafe { nereid_sel4_sysenter(&mut regs) };
    mrs[0] = regs[3];
    mrs[1] = regs[4];
    (regs[1], regs[2])
}
