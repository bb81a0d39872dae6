//! What the i686 Linux target's prebuilt `core`/`alloc` expect from a C
//! library or unwinder, for a static image without either.
//!
//! `compiler_builtins` provides the memory functions only on targets
//! without a libc (x86_64-unknown-none has them; i686-unknown-linux-gnu
//! does not), so they are written here with string instructions. They are
//! in assembly so the compiler cannot turn their loops back into calls to
//! themselves. The direction flag is clear on entry (cdecl ABI).

core::arch::global_asm!(
    ".section .text.memcpy,\"ax\",@progbits",
    ".globl memcpy",
    ".type memcpy,@function",
    "memcpy:",
    "    push edi",
    "    push esi",
    "    mov edi, [esp + 12]",
    "    mov esi, [esp + 16]",
    "    mov ecx, [esp + 20]",
    "    mov eax, edi",
    "    rep movsb",
    "    pop esi",
    "    pop edi",
    "    ret",
    ".size memcpy, . - memcpy",
    // Overlap-safe: copy backwards when the destination lies above the source.
    ".section .text.memmove,\"ax\",@progbits",
    ".globl memmove",
    ".type memmove,@function",
    "memmove:",
    "    push edi",
    "    push esi",
    "    mov edi, [esp + 12]",
    "    mov esi, [esp + 16]",
    "    mov ecx, [esp + 20]",
    "    mov eax, edi",
    "    cmp edi, esi",
    "    jbe 2f",
    "    lea esi, [esi + ecx - 1]",
    "    lea edi, [edi + ecx - 1]",
    "    std",
    "    rep movsb",
    "    cld",
    "    jmp 3f",
    "2:",
    "    rep movsb",
    "3:",
    "    pop esi",
    "    pop edi",
    "    ret",
    ".size memmove, . - memmove",
    ".section .text.memset,\"ax\",@progbits",
    ".globl memset",
    ".type memset,@function",
    "memset:",
    "    push edi",
    "    mov edi, [esp + 8]",
    "    mov eax, [esp + 12]",
    "    mov ecx, [esp + 16]",
    "    mov edx, edi",
    "    rep stosb",
    "    mov eax, edx",
    "    pop edi",
    "    ret",
    ".size memset, . - memset",
    // memcmp and bcmp: <0, 0, >0 by the first differing byte (unsigned).
    ".section .text.memcmp,\"ax\",@progbits",
    ".globl memcmp",
    ".type memcmp,@function",
    ".globl bcmp",
    ".type bcmp,@function",
    "memcmp:",
    "bcmp:",
    "    push edi",
    "    push esi",
    "    mov esi, [esp + 12]",
    "    mov edi, [esp + 16]",
    "    mov ecx, [esp + 20]",
    "    xor eax, eax",
    "    test ecx, ecx",
    "    jz 2f",
    "    repe cmpsb",
    "    je 2f",
    "    movzx eax, byte ptr [esi - 1]",
    "    movzx ecx, byte ptr [edi - 1]",
    "    sub eax, ecx",
    "2:",
    "    pop esi",
    "    pop edi",
    "    ret",
    ".size memcmp, . - memcmp",
);

/// The prebuilt `core` refers to the personality routine even with
/// panic=abort; nothing unwinds, so it is never called.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// Landing pads in the prebuilt `alloc` end in `_Unwind_Resume`; with
/// panic=abort no landing pad is ever entered.
#[no_mangle]
extern "C" fn _Unwind_Resume() -> ! {
    ntos::ke::halt()
}
