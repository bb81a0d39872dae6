//! The generated numbers for our x86_64 and ia32 configurations equal the
//! values measured on the real kernel (docs: shared/reference/sel4-5.0.0.md),
//! and follow config changes the way the kernel's own generators do.

mod common;

use std::path::{Path, PathBuf};

use sel4_gen::cpp::Value;
use sel4_gen::layout::struct_layout;
use sel4_gen::marshal::{plan, Kind};
use sel4_gen::{build_model, Arch, Model, DEBUG_DEFINES};

fn model(arch: Arch) -> Model {
    build_model(
        &common::sel4_dir(),
        &common::config(arch.sel4_arch()),
        DEBUG_DEFINES,
        arch,
    )
    .unwrap()
}

fn label(m: &Model, id: &str) -> u64 {
    m.label(id).unwrap_or_else(|| panic!("no label {id}"))
}

fn obj(m: &Model, c: &str) -> i128 {
    m.object_type(c)
        .unwrap_or_else(|| panic!("no object type {c}"))
}

const GENERIC_LABELS: &[(&str, u64)] = &[
    ("UntypedRetype", 1),
    ("TCBReadRegisters", 2),
    ("TCBWriteRegisters", 3),
    ("TCBConfigure", 5),
    ("TCBSetPriority", 6),
    ("TCBSetMCPriority", 7),
    ("TCBSetIPCBuffer", 8),
    ("TCBSetSpace", 9),
    ("TCBSuspend", 10),
    ("TCBResume", 11),
    ("TCBBindNotification", 12),
    ("CNodeRevoke", 14),
    ("CNodeDelete", 15),
    ("CNodeCopy", 17),
    ("CNodeMint", 18),
    ("CNodeMove", 19),
    ("CNodeMutate", 20),
    ("CNodeSaveCaller", 22),
    ("IRQIssueIRQHandler", 23),
    ("IRQAckIRQ", 24),
    ("IRQSetIRQHandler", 25),
    ("IRQClearIRQHandler", 26),
    ("DomainSetSet", 27),
];

#[test]
fn x86_64_matches_measured_kernel() {
    let m = model(Arch::X86_64);
    for (id, v) in GENERIC_LABELS {
        assert_eq!(label(&m, id), *v, "{id}");
    }
    for (id, v) in [
        ("X86PDPTMap", 28),
        ("X86PDPTUnmap", 29),
        ("X86PageDirectoryMap", 30),
        ("X86PageTableMap", 33),
        ("X86PageTableUnmap", 34),
        ("X86PageMap", 37),
        ("X86PageUnmap", 39),
        ("X86PageGetAddress", 41),
        ("X86ASIDControlMakePool", 42),
        ("X86ASIDPoolAssign", 43),
        ("X86IOPortIn8", 44),
        ("X86IOPortOut8", 47),
        ("X86IRQIssueIRQHandlerIOAPIC", 50),
        ("X86IRQIssueIRQHandlerMSI", 51),
    ] {
        assert_eq!(label(&m, id), v, "{id}");
    }
    assert_eq!(m.labels.last().unwrap().1, 51);
    for (c, v) in [
        ("seL4_UntypedObject", 0),
        ("seL4_TCBObject", 1),
        ("seL4_EndpointObject", 2),
        ("seL4_NotificationObject", 3),
        ("seL4_CapTableObject", 4),
        ("seL4_X86_PDPTObject", 5),
        ("seL4_X64_PML4Object", 6),
        ("seL4_X86_4K", 7),
        ("seL4_X86_LargePageObject", 8),
        ("seL4_X86_PageTableObject", 9),
        ("seL4_X86_PageDirectoryObject", 10),
    ] {
        assert_eq!(obj(&m, c), v, "{c}");
    }
    // Without CONFIG_HUGE_PAGE libsel4 gives the huge page an invalid number.
    assert_eq!(obj(&m, "seL4_X64_HugePageObject"), 0xfffffffe);
    assert_eq!(m.msg_registers, 4);
    assert_eq!(m.constant("seL4_PageBits"), Some(12));
    assert_eq!(m.constant("seL4_SlotBits"), Some(5));
    assert_eq!(m.constant("seL4_TCBBits"), Some(11));
    assert_eq!(m.constant("seL4_WordBits"), Some(64));
    assert_eq!(m.constant("seL4_MsgMaxLength"), Some(120));
    assert_eq!(m.constant("seL4_MsgMaxExtraCaps"), Some(3));
    assert_eq!(m.constant("seL4_MaxPrio"), Some(255));
    assert_eq!(m.constant("seL4_InvalidPrio"), Some(-1));
    assert_eq!(m.constant("IPCBUF_GDT_SELECTOR"), Some(67));
    let unknown = &m
        .fault_msgs
        .iter()
        .find(|(k, _)| k == "UnknownSyscall")
        .unwrap()
        .1;
    assert_eq!(unknown.first(), Some(&("RAX".to_string(), 0)));
    assert_eq!(unknown.iter().find(|(n, _)| n == "FaultIP").unwrap().1, 15);
    assert_eq!(unknown.iter().find(|(n, _)| n == "Length").unwrap().1, 19);
}

#[test]
fn ia32_matches_measured_kernel() {
    let m = model(Arch::Ia32);
    for (id, v) in GENERIC_LABELS {
        assert_eq!(label(&m, id), *v, "{id}");
    }
    for (id, v) in [
        ("X86PageDirectoryMap", 28),
        ("X86PageTableMap", 31),
        ("X86PageMap", 35),
        ("X86PageUnmap", 37),
        ("X86ASIDControlMakePool", 40),
        ("X86ASIDPoolAssign", 41),
        ("X86IOPortIn8", 42),
        ("X86IOPortOut8", 45),
        ("X86IRQIssueIRQHandlerIOAPIC", 48),
        ("X86IRQIssueIRQHandlerMSI", 49),
    ] {
        assert_eq!(label(&m, id), v, "{id}");
    }
    assert_eq!(m.label("X86PDPTMap"), None);
    for (c, v) in [
        ("seL4_CapTableObject", 4),
        ("seL4_X86_4K", 5),
        ("seL4_X86_LargePageObject", 6),
        ("seL4_X86_PageTableObject", 7),
        ("seL4_X86_PageDirectoryObject", 8),
    ] {
        assert_eq!(obj(&m, c), v, "{c}");
    }
    assert_eq!(m.object_type("seL4_X64_PML4Object"), None);
    assert_eq!(m.msg_registers, 2);
    assert_eq!(m.constant("seL4_SlotBits"), Some(4));
    // CONFIG_XSAVE_SIZE 512 is not > 576.
    assert_eq!(m.constant("seL4_TCBBits"), Some(10));
    assert_eq!(m.constant("seL4_WordBits"), Some(32));
    assert_eq!(m.constant("seL4_LargePageBits"), Some(22));
    assert_eq!(m.constant("IPCBUF_GDT_SELECTOR"), Some(0x3b));
    let unknown = &m
        .fault_msgs
        .iter()
        .find(|(k, _)| k == "UnknownSyscall")
        .unwrap()
        .1;
    assert_eq!(unknown.first(), Some(&("EAX".to_string(), 0)));
    assert_eq!(unknown.iter().find(|(n, _)| n == "Length").unwrap().1, 11);
}

#[test]
fn syscalls_config_and_faults() {
    for arch in [Arch::X86_64, Arch::Ia32] {
        let m = model(arch);
        let expect = [
            ("Call", -1),
            ("ReplyRecv", -2),
            ("Send", -3),
            ("NBSend", -4),
            ("Recv", -5),
            ("Reply", -6),
            ("Yield", -7),
            ("NBRecv", -8),
            ("DebugPutChar", -9),
            ("DebugHalt", -10),
            ("DebugCapIdentify", -11),
            ("DebugSnapshot", -12),
            ("DebugNameThread", -13),
            ("DebugRun", -14),
            ("VMEnter", -22),
        ];
        for (n, v) in expect {
            assert_eq!(m.syscall(n).unwrap().number, v, "{n}");
        }
        assert!(m.syscall("DebugPutChar").unwrap().enabled);
        assert!(!m.syscall("VMEnter").unwrap().enabled);
        assert!(m.debug_build && m.printing);
        assert_eq!(
            m.config_value("CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS"),
            Some(&Value::Int(166))
        );
        assert_eq!(
            m.config_value("CONFIG_KERNEL_CFLAGS"),
            Some(&Value::Str(String::new()))
        );
        let labels: Vec<_> = m
            .fault_labels
            .iter()
            .map(|(n, v)| (n.as_str(), *v))
            .collect();
        assert_eq!(
            labels,
            [
                ("NullFault", 0),
                ("CapFault", 1),
                ("UnknownSyscall", 2),
                ("UserException", 3),
                ("VMFault", 5)
            ]
        );
        let vm = &m.fault_msgs.iter().find(|(k, _)| k == "VMFault").unwrap().1;
        let names: Vec<_> = vm.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        assert_eq!(
            names,
            [
                ("IP", 0),
                ("Addr", 1),
                ("PrefetchFault", 2),
                ("FSR", 3),
                ("Length", 4)
            ]
        );
        let errors: Vec<_> = m.errors.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        assert_eq!(errors[1], ("seL4_InvalidArgument", 1));
        assert_eq!(errors[10], ("seL4_NotEnoughMemory", 10));
    }
}

#[test]
fn release_kernel_has_no_debug_syscalls_or_printing() {
    let m = build_model(
        &common::sel4_dir(),
        &common::config("x86_64"),
        &[],
        Arch::X86_64,
    )
    .unwrap();
    assert!(!m.debug_build);
    // Printing in common.h is keyed on DEBUG.
    assert!(!m.printing);
    assert_eq!(m.config_value("CONFIG_PRINTING"), None);
    assert!(!m.syscall("DebugPutChar").unwrap().enabled);
    assert_eq!(m.syscall("DebugPutChar").unwrap().number, -9);
}

/// A copy of our config headers with `extra` appended to the arch header.
struct TempConfig {
    dir: PathBuf,
}

impl TempConfig {
    fn new(tag: &str, arch: &str, extra: &str) -> TempConfig {
        let dir = std::env::temp_dir().join(format!("sel4-gen-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(arch)).unwrap();
        let src = common::workspace_root().join("kernel/config");
        std::fs::copy(src.join("common.h"), dir.join("common.h")).unwrap();
        let mut header = std::fs::read_to_string(src.join(arch).join("autoconf.h")).unwrap();
        header.push_str(extra);
        std::fs::write(dir.join(arch).join("autoconf.h"), header).unwrap();
        TempConfig { dir }
    }

    fn header(&self, arch: &str) -> PathBuf {
        self.dir.join(arch).join("autoconf.h")
    }
}

impl Drop for TempConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn model_with(tag: &str, arch: Arch, extra: &str) -> Model {
    let t = TempConfig::new(tag, arch.sel4_arch(), extra);
    build_model(
        &common::sel4_dir(),
        &t.header(arch.sel4_arch()),
        DEBUG_DEFINES,
        arch,
    )
    .unwrap()
}

#[test]
fn huge_page_shifts_object_types() {
    let m = model_with("huge", Arch::X86_64, "#define CONFIG_HUGE_PAGE 1\n");
    assert_eq!(obj(&m, "seL4_X64_HugePageObject"), 7);
    assert_eq!(obj(&m, "seL4_X86_4K"), 8);
    assert_eq!(obj(&m, "seL4_X86_LargePageObject"), 9);
    assert_eq!(obj(&m, "seL4_X86_PageTableObject"), 10);
    assert_eq!(obj(&m, "seL4_X86_PageDirectoryObject"), 11);
    // Labels do not depend on it.
    assert_eq!(label(&m, "X86PageMap"), 37);
}

#[test]
fn smp_shifts_labels() {
    // TCBSetAffinity (condition CONFIG_MAX_NUM_NODES > 1) follows TCBUnbindNotification.
    let m = model_with(
        "smp",
        Arch::X86_64,
        "#undef CONFIG_MAX_NUM_NODES\n#define CONFIG_MAX_NUM_NODES 2\n",
    );
    assert_eq!(label(&m, "TCBUnbindNotification"), 13);
    assert_eq!(label(&m, "TCBSetAffinity"), 14);
    assert_eq!(label(&m, "CNodeRevoke"), 15);
    assert_eq!(label(&m, "CNodeMint"), 19);
    assert_eq!(label(&m, "X86PDPTMap"), 29);
    assert_eq!(label(&m, "X86PageMap"), 38);
    assert_eq!(m.config_value("CONFIG_MAX_NUM_NODES"), Some(&Value::Int(2)));
    assert!(m.methods.iter().any(|x| x.id == "TCBSetAffinity"));
    let base = model(Arch::X86_64);
    assert_eq!(base.label("TCBSetAffinity"), None);
}

#[test]
fn hardware_debug_api_adds_labels_and_fault() {
    let m = model_with(
        "hwdebug",
        Arch::Ia32,
        "#define CONFIG_HARDWARE_DEBUG_API 1\n",
    );
    // Four breakpoint methods after TCBUnbindNotification.
    assert_eq!(label(&m, "TCBSetBreakpoint"), 14);
    assert_eq!(label(&m, "CNodeRevoke"), 18);
    assert_eq!(label(&m, "X86PageMap"), 39);
    assert!(m.fault_labels.contains(&("DebugException".to_string(), 4)));
    assert!(m.fault_msgs.iter().any(|(k, _)| k == "DebugException"));
    assert_eq!(m.constant("seL4_NumHWBreakpoints"), Some(4));
}

#[test]
fn iommu_and_vtx_shift_arch_objects() {
    let m = model_with(
        "iommu",
        Arch::X86_64,
        "#define CONFIG_IOMMU 1\n#define CONFIG_VTX 1\n",
    );
    assert_eq!(obj(&m, "seL4_X86_PageDirectoryObject"), 10);
    assert_eq!(obj(&m, "seL4_X86_IOPageTableObject"), 11);
    assert_eq!(obj(&m, "seL4_X86_VCPUObject"), 12);
    assert_eq!(obj(&m, "seL4_X86_EPTPTObject"), 16);
    assert!(m.syscall("VMEnter").unwrap().enabled);
    // The VTX methods get labels after the plain x86 ones.
    assert_eq!(
        label(&m, "X86PageMapEPT"),
        label(&m, "X86PageGetAddress") + 1
    );
}

#[test]
fn struct_layouts() {
    for (arch, size, caps, recv_depth) in [
        (Arch::X86_64, 1024, 0x3d0, 0x3f8),
        (Arch::Ia32, 512, 0x1e8, 0x1fc),
    ] {
        let m = model(arch);
        let s = |n: &str| m.structs.iter().find(|s| s.name == n).unwrap();
        let ipc = s("seL4_IPCBuffer");
        let l = struct_layout(&m, ipc).unwrap();
        assert_eq!((l.size, l.align), (size, size), "{arch:?}");
        let off = |n: &str| l.offsets[ipc.fields.iter().position(|f| f.name == n).unwrap()];
        assert_eq!(off("msg"), u64::from(arch.word_bits() / 8));
        assert_eq!(off("caps_or_badges"), caps);
        assert_eq!(off("receiveDepth"), recv_depth);
        let uc = struct_layout(&m, s("seL4_UserContext")).unwrap();
        let words = if arch == Arch::X86_64 { 19 } else { 13 };
        assert_eq!(uc.size, words * u64::from(arch.word_bits() / 8));
        let bi = s("seL4_BootInfo");
        assert!(bi.packed);
        let l = struct_layout(&m, bi).unwrap();
        let w = u64::from(arch.word_bits() / 8);
        // 5 words, 6 slot regions, u8, 2 words, a region, then the list.
        let list = 5 * w + 12 * w + 1 + 2 * w + 2 * w;
        assert_eq!(*l.offsets.last().unwrap(), list);
        assert_eq!(l.size, list + 166 * (w + 4));
    }
}

#[test]
fn bitfield_layouts() {
    for arch in [Arch::X86_64, Arch::Ia32] {
        let m = model(arch);
        let mi = m.bitfields.block("seL4_MessageInfo").unwrap();
        let f = |n: &str| {
            let f = mi.field(n).unwrap();
            (f.offset, f.bits)
        };
        assert_eq!(f("label"), (12, 20));
        assert_eq!(f("capsUnwrapped"), (9, 3));
        assert_eq!(f("extraCaps"), (7, 2));
        assert_eq!(f("length"), (0, 7));
        let badge = m.bitfields.block("Badge").unwrap();
        assert_eq!(
            badge.field("Badge").map(|f| (f.offset, f.bits)),
            Some((0, 28))
        );
        assert_eq!(badge.field("CapDataType").map(|f| f.offset), Some(31));
        let guard = m.bitfields.block("Guard").unwrap();
        let size = if arch == Arch::X86_64 { (2, 6) } else { (3, 5) };
        assert_eq!(
            guard.field("GuardSize").map(|f| (f.offset, f.bits)),
            Some(size)
        );
        assert_eq!(
            guard.field("GuardBits").map(|f| (f.offset, f.bits)),
            Some((8, 18))
        );
        let vm = m.bitfields.block("VMFault").unwrap();
        assert_eq!(vm.words(), if arch == Arch::X86_64 { 20 } else { 12 });
    }
}

#[test]
fn marshalling_plans() {
    let m = model(Arch::X86_64);
    let meth = |id: &str| m.methods.iter().find(|x| x.id == id).unwrap();
    // WriteRegisters: resume|arch_flags<<8 in word 0, count in word 1, 19 registers.
    let p = plan(&m, meth("TCBWriteRegisters")).unwrap();
    assert_eq!(p.num_words, 21);
    assert!(p.caps.is_empty());
    let placed: Vec<_> = p
        .words_in
        .iter()
        .map(|(n, _, f, b)| (n.as_str(), *f, *b))
        .collect();
    assert_eq!(
        placed,
        [
            ("resume_target", 0, 1),
            ("arch_flags", 8, 8),
            ("count", 64, 64),
            ("regs", 128, 19 * 64)
        ]
    );
    // Mint: the source root CNode is the only extra cap.
    let p = plan(&m, meth("CNodeMint")).unwrap();
    assert_eq!(p.caps, ["src_root"]);
    assert_eq!(p.num_words, 6);
    // Page map: vroot (seL4_CPtr) travels as a cap.
    let p = plan(&m, meth("X86PageMap")).unwrap();
    assert_eq!((p.caps.len(), p.num_words), (1, 3));
    // In8 returns a byte in the low bits of MR0.
    let p = plan(&m, meth("X86IOPortIn8")).unwrap();
    assert_eq!(p.outputs.len(), 1);
    assert!(matches!(p.outputs[0].1, Kind::Scalar { bits: 8, .. }));
    assert_eq!(p.num_out_words, 1);
    // ReadRegisters returns a whole UserContext.
    assert_eq!(
        plan(&m, meth("TCBReadRegisters")).unwrap().num_out_words,
        19
    );

    let m32 = model(Arch::Ia32);
    let p = plan(
        &m32,
        m32.methods
            .iter()
            .find(|x| x.id == "TCBWriteRegisters")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(p.num_words, 15);
}

#[test]
fn generated_source_has_the_numbers() {
    let code = sel4_gen::generate(
        &common::sel4_dir(),
        &common::config("ia32"),
        DEBUG_DEFINES,
        Arch::Ia32,
    )
    .unwrap();
    assert!(code.contains("pub const X86_PAGE_MAP: crate::Word = 35;"));
    assert!(code.contains("pub const X86_4K: crate::Word = 5;"));
    assert!(code.contains("pub fn x86_page_map(service: CPtr, vroot: CPtr, vaddr: Word, rights: CapRights, attr: Word)"));
    assert!(code.contains("#[repr(C, align(512))]"));
    assert!(!code.contains("X64_PML4"));
}

#[test]
fn missing_inputs_are_errors() {
    let e = build_model(
        Path::new("/nonexistent"),
        &common::config("x86_64"),
        &[],
        Arch::X86_64,
    );
    assert!(e.is_err());
    // A config header for the wrong word size is refused.
    let e = build_model(
        &common::sel4_dir(),
        &common::config("ia32"),
        &[],
        Arch::X86_64,
    );
    assert!(e.unwrap_err().to_string().contains("CONFIG_WORD_SIZE"));
}
