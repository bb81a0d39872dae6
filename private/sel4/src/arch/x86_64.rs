//! x86_64 system call entry (`syscall`, CONFIG_SYSCALL).
//!
//! RDX = syscall number, RDI = cap in / badge out, RSI = message info in /
//! out, MR0..MR3 = R10, R8, R9, R15. The instruction clobbers RCX and R11.
//! The kernel does not preserve RSP on this path (it returns with RSP = 0)
//! but does restore RBX from the thread's saved context, so RSP is parked in
//! RBX. RBX itself belongs to LLVM and cannot be an asm operand: it is saved
//! in R12 (declared clobbered) around the sequence.

use core::arch::asm;

use crate::Word;

/// Message registers passed in CPU registers.
pub const REGISTER_MRS: usize = 4;

/// Issues syscall `num` and returns `(badge / cap register, message info)`;
/// `mrs` carries MR0..MR3 in and out.
#[inline(always)]
pub(crate) fn sys(
    num: isize,
    dest: Word,
    info: Word,
    mrs: &mut [Word; REGISTER_MRS],
) -> (Word, Word) {
    let badge: Word;
    let out_info: Word;
    // SAFETY: the sequence only touches the registers declared here (RBX is
    // saved in R12 and restored, RSP is restored from RBX, which the kernel
    // preserves). The kernel may write this thread's IPC buffer, which the
    // default memory clobber of `asm!` accounts for.
    unsafe {
        asm!(
            "mov r12, rbx",
            "mov rbx, rsp",
            "syscall",
            "mov rsp, rbx",
            "mov rbx, r12",
            inout("rdx") num as Word => _,
            inout("rdi") dest => badge,
            inout("rsi") info => out_info,
            inout("r10") mrs[0],
            inout("r8") mrs[1],
            inout("r9") mrs[2],
            inout("r15") mrs[3],
            out("rcx") _,
            out("r11") _,
            out("r12") _,
        );
    }
    (badge, out_info)
}
