//! Host checks of the generated x86_64 bindings (the host is x86_64, so the
//! build script generated them from kernel/config/x86_64/autoconf.h).

use core::mem::{offset_of, size_of};

use sel4::*;

#[test]
fn numbers_match_the_measured_kernel() {
    assert_eq!(label::UNTYPED_RETYPE, 1);
    assert_eq!(label::TCB_WRITE_REGISTERS, 3);
    assert_eq!(label::CNODE_MINT, 18);
    assert_eq!(label::X86_PAGE_MAP, 37);
    assert_eq!(label::IRQ_ISSUE_IRQ_HANDLER, 23);
    assert_eq!(label::X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC, 50);
    assert_eq!(object_type::UNTYPED, 0);
    assert_eq!(object_type::TCB, 1);
    assert_eq!(object_type::ENDPOINT, 2);
    assert_eq!(object_type::NOTIFICATION, 3);
    assert_eq!(object_type::CAP_TABLE, 4);
    assert_eq!(object_type::X86_PDPT, 5);
    assert_eq!(object_type::X64_PML4, 6);
    assert_eq!(object_type::X86_4K, 7);
    assert_eq!(object_type::X86_LARGE_PAGE, 8);
    assert_eq!(object_type::X86_PAGE_TABLE, 9);
    assert_eq!(object_type::X86_PAGE_DIRECTORY, 10);
    assert_eq!(syscall::CALL, -1);
    assert_eq!(syscall::REPLY_RECV, -2);
    assert_eq!(syscall::NB_RECV, -8);
    assert_eq!(syscall::DEBUG_PUT_CHAR, -9);
    assert_eq!(syscall::DEBUG_NAME_THREAD, -13);
    assert_eq!(consts::CAP_INIT_THREAD_TCB, 1);
    assert_eq!(consts::CAP_INIT_THREAD_CNODE, 2);
    assert_eq!(consts::CAP_INIT_THREAD_VSPACE, 3);
    assert_eq!(consts::CAP_IRQ_CONTROL, 4);
    assert_eq!(consts::CAP_ASID_CONTROL, 5);
    assert_eq!(consts::CAP_INIT_THREAD_ASID_POOL, 6);
    assert_eq!(consts::CAP_IO_PORT, 7);
    assert_eq!(consts::PAGE_BITS, 12);
    assert_eq!(consts::TCB_BITS, 11);
    assert_eq!(consts::ENDPOINT_BITS, 4);
    assert_eq!(consts::MSG_MAX_LENGTH, 120);
    assert_eq!(NUM_MSG_REGISTERS, 4);
    assert_eq!(fault::VM_FAULT, 5);
    assert_eq!(fault::vm_fault::FSR, 3);
    assert_eq!(fault::unknown_syscall::FAULT_IP, 15);
    assert_eq!(fault::unknown_syscall::LENGTH, 19);
    assert_eq!(fault::user_exception::NUMBER, 3);
    assert_eq!(config::MAX_NUM_BOOTINFO_UNTYPED_CAPS, 166);
    assert_eq!(config::WORD_SIZE, 64);
    assert_eq!((config::DEBUG_BUILD, config::PRINTING), (true, true));
}

#[test]
fn errors() {
    assert_eq!(Error::from_word(0), None);
    assert_eq!(Error::from_word(1), Some(Error::InvalidArgument));
    assert_eq!(Error::from_word(6), Some(Error::FailedLookup));
    assert_eq!(Error::from_word(10), Some(Error::NotEnoughMemory));
    assert_eq!(Error::from_word(11), None);
    assert_eq!(Error::RevokeFirst as usize, 9);
}

#[test]
fn message_info_layout() {
    let mi = MessageInfo::new(0xfffff, 7, 3, 0x7f);
    assert_eq!(mi.word(), 0xffff_ffff);
    let mi = MessageInfo::new(label::X86_PAGE_MAP, 0, 1, 3);
    assert_eq!(mi.word(), (37 << 12) | (1 << 7) | 3);
    assert_eq!((mi.label(), mi.extra_caps(), mi.length()), (37, 1, 3));
    let mut mi = MessageInfo::from_word(0);
    mi.set_caps_unwrapped(5);
    assert_eq!(mi.word(), 5 << 9);
    // Values wider than the field are truncated, not spread into neighbours.
    mi.set_length(0x1ff);
    assert_eq!(mi.word(), (5 << 9) | 0x7f);
    assert_eq!(MessageInfo::new(1 << 20, 0, 0, 0).word(), 0);
}

#[test]
fn cap_data_and_rights_layout() {
    let b = CapData::new_badge(0x0fff_ffff);
    assert_eq!(b.word(), 0x0fff_ffff);
    assert_eq!(b.tag(), CapData::BADGE);
    // Badges are 28 bits: a wider value is cut, never reaching the tag bit.
    assert_eq!(
        CapData::new_badge(0x1234_5678_9abc).badge_badge(),
        0x6789abc
    );
    let g = CapData::new_guard(0, 60);
    assert_eq!(g.word(), (1 << 31) | (60 << 2));
    assert_eq!(
        (g.tag(), g.guard_guard_size(), g.guard_guard_bits()),
        (CapData::GUARD, 60, 0)
    );
    assert_eq!(
        CapData::new_guard(0x3ffff, 0).word(),
        (1 << 31) | (0x3ffff << 8)
    );
    assert_eq!(CapRights::new(1, 1, 1).word(), 0b111);
    assert_eq!(CapRights::new(0, 1, 0).word(), 0b010);
    assert_eq!(PrioProps::new(255, 100).word(), (255 << 8) | 100);
}

#[test]
fn struct_layouts() {
    assert_eq!(size_of::<IpcBuffer>(), 1024);
    assert_eq!(core::mem::align_of::<IpcBuffer>(), 1024);
    assert_eq!(offset_of!(IpcBuffer, msg), 8);
    assert_eq!(offset_of!(IpcBuffer, user_data), 0x3c8);
    assert_eq!(offset_of!(IpcBuffer, caps_or_badges), 0x3d0);
    assert_eq!(offset_of!(IpcBuffer, receive_cnode), 0x3e8);
    assert_eq!(offset_of!(IpcBuffer, receive_depth), 0x3f8);
    assert_eq!(size_of::<UserContext>(), 19 * 8);
    assert_eq!(offset_of!(UserContext, tls_base), 18 * 8);
    assert_eq!(size_of::<SlotRegion>(), 16);
    assert_eq!(size_of::<UntypedDesc>(), 12);
    assert_eq!(offset_of!(UntypedDesc, size_bits), 10);
    assert_eq!(offset_of!(BootInfo, ipc_buffer), 32);
    assert_eq!(offset_of!(BootInfo, empty), 40);
    assert_eq!(offset_of!(BootInfo, init_thread_cnode_size_bits), 136);
    assert_eq!(offset_of!(BootInfo, init_thread_domain), 137);
    assert_eq!(offset_of!(BootInfo, arch_info), 145);
    assert_eq!(offset_of!(BootInfo, untyped), 153);
    assert_eq!(offset_of!(BootInfo, untyped_list), 169);
    assert_eq!(size_of::<BootInfo>(), 169 + 166 * 12);
    assert_eq!(size_of::<BootInfoHeader>(), 16);
}

#[test]
fn marshal_sub_word_parameters() {
    let regs = UserContext {
        rip: 0x40_1000,
        rsp: 0x1000_2ff8,
        tls_base: 0xdead,
        ..Default::default()
    };
    let r = marshal::tcb_write_registers(true, 0x5a, 19, &regs);
    assert_eq!(r.label, label::TCB_WRITE_REGISTERS);
    assert_eq!(r.words.len(), 21);
    assert_eq!(r.words[0], 1 | (0x5a << 8));
    assert_eq!(r.words[1], 19);
    assert_eq!(r.words[2], 0x40_1000);
    assert_eq!(r.words[3], 0x1000_2ff8);
    assert_eq!(r.words[20], 0xdead);
    assert_eq!(r.info().word(), (3 << 12) | 21);
    assert!(r.needs_ipc_buffer::<0>());

    let r = marshal::tcb_copy_registers(9, true, false, true, true, 0xff);
    assert_eq!(r.words, [0b1101 | (0xff << 8)]);
    assert_eq!(r.caps, [9]);

    let r = marshal::cnode_mint(
        0x1234,
        64,
        consts::CAP_INIT_THREAD_CNODE,
        7,
        64,
        CapRights::new(0, 1, 1),
        CapData::new_badge(0xd),
    );
    assert_eq!(r.words, [0x1234, 64, 7, 64, 0b011, 0xd]);
    assert_eq!(r.caps, [2]);
    assert_eq!(r.info().word(), (18 << 12) | (1 << 7) | 6);

    let r = marshal::x86_page_map(
        3,
        0x1000_0000,
        CapRights::new(0, 1, 0),
        consts::X86_WRITE_BACK,
    );
    assert_eq!((r.words, r.caps), ([0x1000_0000, 0b010, 0], [3]));

    // int parameters are truncated to 32 bits like libsel4's stub does.
    let r = marshal::irq_control_get(-1, 2, 100, 64);
    assert_eq!(r.words, [0xffff_ffff, 100, 64]);
    assert_eq!(r.caps, [2]);

    let r = marshal::tcb_configure(
        1,
        PrioProps::new(255, 200),
        2,
        CapData::new_guard(0, 60),
        3,
        CapData::new_badge(0),
        0x1000_1000,
        10,
    );
    assert_eq!(
        r.words,
        [1, (255 << 8) | 200, (1 << 31) | (60 << 2), 0, 0x1000_1000]
    );
    assert_eq!(r.caps, [2, 3, 10]);

    // Short register-only messages never need the IPC buffer.
    let r = marshal::x86_io_port_out8(0xf4, 0);
    assert!(!r.needs_ipc_buffer::<0>());
    assert!(!marshal::tcb_set_priority(255).needs_ipc_buffer::<0>());
    assert_eq!(marshal::tcb_set_priority(255).words, [255]);
}

#[test]
fn ipc_buffer_accessors() {
    // Without a buffer the accessors are inert and buffer-needing stubs fail
    // without entering the kernel.
    assert!(ipc_buffer().is_null());
    assert_eq!(get_mr(5), 0);
    set_mr(5, 1);
    assert_eq!(
        untyped_retype(1, object_type::TCB, 11, 2, 0, 0, 100, 1),
        Err(Error::IllegalOperation)
    );

    let buf = Box::leak(Box::new(unsafe { core::mem::zeroed::<IpcBuffer>() }));
    let p: *mut IpcBuffer = buf;
    // SAFETY: a leaked, zeroed buffer used only by this test thread.
    unsafe { set_ipc_buffer(p) };
    set_mr(4, 0x44);
    set_cap(2, 0x99);
    set_receive_path(2, 3, 64);
    assert_eq!(get_mr(4), 0x44);
    assert_eq!(get_mr(200), 0);
    // SAFETY: reading the buffer set above.
    let b = unsafe { &*p };
    assert_eq!(b.msg[4], 0x44);
    assert_eq!(b.caps_or_badges[2], 0x99);
    assert_eq!(
        (b.receive_cnode, b.receive_index, b.receive_depth),
        (2, 3, 64)
    );
    unsafe { set_ipc_buffer(core::ptr::null_mut()) };
}
