//! Smoke test of the `sel4` bindings on a real seL4 5.0.0 kernel: a root task
//! that retypes objects, maps frames, starts a second thread and talks to it
//! over an endpoint (register-only and IPC-buffer messages, badges), uses a
//! notification and an IO port, then powers QEMU off through isa-debug-exit
//! (exit status 33 = pass, 5 = panic, 7 = failed check).

#![no_std]
#![no_main]

use core::fmt::Write;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use sel4::*;

// seL4 starts the root task without a stack; bootinfo in RDI / EBX.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".section .text._start,\"ax\",@progbits",
    ".global _start",
    "_start:",
    "lea rsp, [rip + smoke_stack_top]",
    "call {main}",
    "ud2",
    ".section .bss.smoke_stack,\"aw\",@nobits",
    ".balign 16",
    ".skip 65536",
    "smoke_stack_top:",
    main = sym smoke_main,
);

// cdecl with a 16-byte aligned stack at the call.
#[cfg(target_arch = "x86")]
core::arch::global_asm!(
    ".section .text._start,\"ax\",@progbits",
    ".global _start",
    "_start:",
    "mov esp, offset smoke_stack_top",
    "sub esp, 12",
    "push ebx",
    "call {main}",
    "ud2",
    ".section .bss.smoke_stack,\"aw\",@nobits",
    ".balign 16",
    ".skip 65536",
    "smoke_stack_top:",
    main = sym smoke_main,
);

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        debug_puts(s);
        Ok(())
    }
}

macro_rules! say {
    ($($a:tt)*) => {{
        let _ = write!(Console, $($a)*);
    }};
}

fn exit(code: u8) -> ! {
    let _ = x86_io_port_out8(consts::CAP_IO_PORT, 0xf4, Word::from(code));
    loop {
        debug_halt();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    say!("smoke PANIC {info}\n");
    exit(2)
}

fn check(what: &str, ok: bool) {
    if !ok {
        say!("smoke FAIL {what}\n");
        exit(3);
    }
    say!("  ok {what}\n");
}

const CNODE: CPtr = consts::CAP_INIT_THREAD_CNODE;
const VSPACE: CPtr = consts::CAP_INIT_THREAD_VSPACE;
const DEPTH: u8 = consts::WORD_BITS as u8;
const CHILD_STACK: Word = 0x1000_0000;
const CHILD_IPC: Word = 0x1000_1000;
const ECHO: Word = 7;
const SUM: Word = 8;

static EP: AtomicUsize = AtomicUsize::new(0);

/// The second thread: answers ECHO with every register MR + 1 (MR0 = the
/// sender's badge) and SUM with the sum of all message words.
extern "C" fn child() -> ! {
    let ep = EP.load(Relaxed);
    let mut mrs = [0; NUM_MSG_REGISTERS];
    let (mut info, mut badge) = recv_with_mrs(ep, &mut mrs);
    loop {
        let reply = match info.label() {
            ECHO => {
                mrs.iter_mut().for_each(|m| *m += 1);
                mrs[0] = badge;
                MessageInfo::new(ECHO * 10, 0, 0, NUM_MSG_REGISTERS as Word)
            }
            SUM => {
                // The global IPC-buffer pointer is the root's; read our own page.
                let buf = CHILD_IPC as *const IpcBuffer;
                let mut sum: Word = mrs.iter().sum();
                for i in NUM_MSG_REGISTERS..info.length() {
                    // SAFETY: this thread's IPC buffer frame, mapped at CHILD_IPC.
                    sum += unsafe { (*buf).msg[i] };
                }
                mrs[0] = sum;
                MessageInfo::new(SUM * 10, 0, 0, 1)
            }
            _ => MessageInfo::new(99, 0, 0, 0),
        };
        (info, badge) = reply_recv_with_mrs(ep, reply, &mut mrs);
    }
}

extern "C" fn smoke_main(bi: *const BootInfo) -> ! {
    // SAFETY: seL4 passes the address of the bootinfo frame it mapped.
    let bi = unsafe { &*bi };
    say!("smoke: start, {NUM_MSG_REGISTERS} register MRs\n");
    let (first, last) = (bi.untyped.start, bi.untyped.end);
    let list = bi.untyped_list;
    let ut = list
        .iter()
        .take(last - first)
        .position(|d| d.is_device == 0 && d.size_bits >= 20)
        .map(|i| first + i);
    check("found a RAM untyped", ut.is_some());
    let ut = ut.unwrap_or(0);
    // SAFETY: the kernel mapped our IPC buffer there; only this thread uses it.
    unsafe { set_ipc_buffer(bi.ipc_buffer) };

    let mut next = bi.empty.start;
    let mut slot = || {
        next += 1;
        next - 1
    };
    let mut alloc = |ty: Word| {
        let s = slot();
        check(
            "untyped_retype",
            untyped_retype(ut, ty, 0, CNODE, 0, 0, s, 1).is_ok(),
        );
        s
    };
    let ep = alloc(object_type::ENDPOINT);
    let ntfn = alloc(object_type::NOTIFICATION);
    let tcb = alloc(object_type::TCB);
    let stack = alloc(object_type::X86_4K);
    let ipc = alloc(object_type::X86_4K);
    let pt = alloc(object_type::X86_PAGE_TABLE);
    let badged = slot();
    let badged_ntfn = slot();
    let spare = slot();

    check(
        "debug_cap_identify(endpoint) = 4",
        debug_cap_identify(ep) == 4,
    );
    check(
        "debug_cap_identify(tcb) = 12",
        debug_cap_identify(tcb) == 12,
    );
    let all = CapRights::new(1, 1, 1);
    check(
        "cnode_mint with badge",
        cnode_mint(
            CNODE,
            badged,
            DEPTH,
            CNODE,
            ep,
            DEPTH,
            all,
            CapData::new_badge(0x5a),
        )
        .is_ok(),
    );
    check(
        "cnode_copy",
        cnode_copy(CNODE, spare, DEPTH, CNODE, ep, DEPTH, all).is_ok(),
    );
    check("cnode_delete", cnode_delete(CNODE, spare, DEPTH).is_ok());
    check(
        "x86_page_table_map",
        x86_page_table_map(pt, VSPACE, CHILD_STACK, consts::X86_WRITE_BACK).is_ok(),
    );
    let rw = CapRights::new(0, 1, 1);
    check(
        "x86_page_map",
        x86_page_map(stack, VSPACE, CHILD_STACK, rw, 0).is_ok(),
    );
    check(
        "x86_page_map",
        x86_page_map(ipc, VSPACE, CHILD_IPC, rw, 0).is_ok(),
    );
    check(
        "second map of a frame cap fails",
        x86_page_map(ipc, VSPACE, CHILD_IPC + 0x2000, rw, 0).is_err(),
    );
    let pa = x86_page_get_address(stack);
    say!("  stack frame paddr {pa:x?}\n");
    check(
        "x86_page_get_address",
        matches!(pa, Ok(a) if a != 0 && a % 4096 == 0),
    );
    check(
        "bad object type gives InvalidArgument",
        untyped_retype(ut, 9999, 0, CNODE, 0, 0, spare, 1) == Err(Error::InvalidArgument),
    );

    EP.store(ep, Relaxed);
    let no_data = CapData::new_badge(0);
    check(
        "tcb_configure",
        tcb_configure(
            tcb,
            0,
            PrioProps::new(255, 100),
            CNODE,
            no_data,
            VSPACE,
            no_data,
            CHILD_IPC,
            ipc,
        )
        .is_ok(),
    );
    check("tcb_set_priority", tcb_set_priority(tcb, 100).is_ok());
    let words = core::mem::size_of::<UserContext>() / core::mem::size_of::<Word>();
    let entry = child as extern "C" fn() -> ! as usize;
    let mut ctx = UserContext::default();
    #[cfg(target_arch = "x86_64")]
    {
        ctx.rip = entry;
        ctx.rsp = CHILD_STACK + 0x1000 - 8;
        ctx.tls_base = 0x1234;
    }
    #[cfg(target_arch = "x86")]
    {
        ctx.eip = entry;
        ctx.esp = CHILD_STACK + 0x1000 - 4;
    }
    debug_name_thread(tcb, "smoke-child");
    check(
        "tcb_write_registers (resume)",
        tcb_write_registers(tcb, true, 0, words, &ctx).is_ok(),
    );

    for round in 0..3 {
        let mut mrs = [0; NUM_MSG_REGISTERS];
        for (i, m) in mrs.iter_mut().enumerate() {
            *m = 10 * (i + 1) + round;
        }
        let r = call_with_mrs(
            badged,
            MessageInfo::new(ECHO, 0, 0, NUM_MSG_REGISTERS as Word),
            &mut mrs,
        );
        check(
            "call/reply_recv label and length",
            r.label() == ECHO * 10 && r.length() == NUM_MSG_REGISTERS,
        );
        check("badge seen by the receiver", mrs[0] == 0x5a);
        let echoed = mrs
            .iter()
            .enumerate()
            .skip(1)
            .all(|(i, m)| *m == 10 * (i + 1) + round + 1);
        check("register MRs echoed", echoed);
    }

    // Six words: the register MRs plus the rest through the IPC buffer.
    let mut mrs = [0; NUM_MSG_REGISTERS];
    let mut expect = 0;
    for i in 0..6 {
        let v = 100 + i;
        expect += v;
        match mrs.get_mut(i) {
            Some(m) => *m = v,
            None => set_mr(i, v),
        }
    }
    let r = call_with_mrs(ep, MessageInfo::new(SUM, 0, 0, 6), &mut mrs);
    check("6-word message", r.label() == SUM * 10 && mrs[0] == expect);

    let regs = tcb_read_registers(tcb, false, 0, words);
    check("tcb_read_registers", regs.is_ok());
    #[cfg(target_arch = "x86_64")]
    check("tls_base read back", regs.map(|r| r.tls_base) == Ok(0x1234));

    check(
        "mint a badged notification",
        cnode_mint(
            CNODE,
            badged_ntfn,
            DEPTH,
            CNODE,
            ntfn,
            DEPTH,
            all,
            CapData::new_badge(3),
        )
        .is_ok(),
    );
    check("poll on an idle notification", poll(ntfn) == 0);
    signal(badged_ntfn);
    check("signal + poll", poll(ntfn) == 3);
    signal(badged_ntfn);
    check("signal + wait", wait(ntfn) == 3);

    let v = x86_io_port_in8(consts::CAP_IO_PORT, 0x61);
    say!("  in8(0x61) = {v:?}\n");
    check("x86_io_port_in8", v.is_ok());
    check("tcb_suspend", tcb_suspend(tcb).is_ok());
    say!("smoke PASS\n");
    exit(0x10)
}

/// The i686 Linux target's prebuilt core references these.
#[cfg(target_arch = "x86")]
mod runtime {
    use core::ptr::{read_volatile, write_volatile};

    #[no_mangle]
    extern "C" fn rust_eh_personality() {}

    // Byte loops through volatile accesses, so that LLVM cannot turn them
    // back into calls to themselves.
    #[no_mangle]
    unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        for i in 0..n {
            // SAFETY: the caller passes valid, non-overlapping ranges of n bytes.
            unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
        }
        d
    }

    #[no_mangle]
    unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        if (d as usize) < (s as usize) {
            for i in 0..n {
                // SAFETY: valid ranges; copying upwards is safe when d < s.
                unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
            }
        } else {
            for i in (0..n).rev() {
                // SAFETY: valid ranges; copying downwards is safe when d >= s.
                unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
            }
        }
        d
    }

    #[no_mangle]
    unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
        for i in 0..n {
            // SAFETY: the caller passes a valid range of n bytes.
            unsafe { write_volatile(d.add(i), c as u8) };
        }
        d
    }

    #[no_mangle]
    unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        for i in 0..n {
            // SAFETY: the caller passes valid ranges of n bytes.
            let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
        }
        0
    }

    #[no_mangle]
    unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: same contract as memcmp.
        unsafe { memcmp(a, b, n) }
    }
}
