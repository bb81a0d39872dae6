//! Root-task entry for seL4 (x86_64 and ia32).
#![cfg_attr(ntos_bare, no_std, no_main)]

#[cfg(ntos_bare)]
mod entry {
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
        "ntos_stack_bottom:",
        "    .skip 65536",
        "ntos_stack_top:",
        main = sym ntos_main,
    );

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
        "ntos_stack_bottom:",
        "    .skip 65536",
        "ntos_stack_top:",
        main = sym ntos_main,
    );

    #[cfg(target_arch = "x86")]
    #[no_mangle]
    extern "C" fn rust_eh_personality() {}

    #[no_mangle]
    extern "C" fn ntos_main(_bootinfo: usize) -> ! {
        loop {
            core::hint::spin_loop();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        loop {}
    }
}

#[cfg(not(ntos_bare))]
fn main() {
    eprintln!("ntos is the seL4 root task: build it with --target x86_64-unknown-none or i686-unknown-linux-gnu");
}
