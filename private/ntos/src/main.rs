//! Root-task entry for seL4 (x86_64 and ia32).
//!
//! seL4 starts the root task at `_start` with no stack and the bootinfo
//! address in RDI (x86_64) or EBX (ia32). The entry code sets up a stack in
//! .bss and calls into the executive (`ntos::ex::init::start`).
#![cfg_attr(ntos_bare, no_std, no_main)]

#[cfg(all(ntos_bare, target_arch = "x86"))]
mod rt_i386;

#[cfg(ntos_bare)]
mod entry {
    use ntos::hal::{console, debug_exit};

    // 64 KiB of stack, 16-byte aligned: the call leaves RSP ≡ 8 (mod 16) at
    // the callee's entry as the System V ABI expects; bootinfo stays in RDI,
    // the first argument register.
    #[cfg(target_arch = "x86_64")]
    core::arch::global_asm!(
        ".section .text._start,\"ax\",@progbits",
        ".global _start",
        "_start:",
        "    lea rsp, [rip + ntos_stack_top]",
        "    xor ebp, ebp",
        "    call {main}",
        "    ud2",
        ".section .bss.ntos_stack,\"aw\",@nobits",
        ".balign 16",
        "    .skip 65536",
        "ntos_stack_top:",
        main = sym ntos_main,
    );

    // cdecl: the argument goes on the stack; pad so that ESP is 16-byte
    // aligned at the call (Rust's i686 code uses aligned SSE spills).
    #[cfg(target_arch = "x86")]
    core::arch::global_asm!(
        ".section .text._start,\"ax\",@progbits",
        ".global _start",
        "_start:",
        "    mov esp, offset ntos_stack_top",
        "    xor ebp, ebp",
        "    sub esp, 12",
        "    push ebx",
        "    call {main}",
        "    ud2",
        ".section .bss.ntos_stack,\"aw\",@nobits",
        ".balign 16",
        "    .skip 65536",
        "ntos_stack_top:",
        main = sym ntos_main,
    );

    extern "C" fn ntos_main(bootinfo: *const sel4::BootInfo) -> ! {
        // SAFETY: seL4 passes the address of the bootinfo frame it mapped
        // read-only for the root task; it stays valid and unchanged forever.
        match unsafe { bootinfo.as_ref() } {
            Some(bi) => ntos::ex::init::start(bi),
            None => ntos::ke::halt(),
        }
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo) -> ! {
        console::print_panic(format_args!("ntos: panic: {info}\n"));
        if cfg!(any(feature = "selftest", feature = "bench")) {
            console::print_panic(format_args!("ntos: self-test FAILED: panic\n"));
            debug_exit::power_off(debug_exit::ExitCode::Failure);
        }
        ntos::ke::halt()
    }
}

#[cfg(not(ntos_bare))]
fn main() {
    eprintln!(
        "ntos is the seL4 root task: build it with --target x86_64-unknown-none or i686-unknown-linux-gnu"
    );
}
