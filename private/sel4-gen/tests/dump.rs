mod common;
#[test]
#[ignore]
fn dump() {
    let arch = std::env::var("ARCH").unwrap_or("x86_64".into());
    let a = if arch == "ia32" {
        sel4_gen::Arch::Ia32
    } else {
        sel4_gen::Arch::X86_64
    };
    let code = sel4_gen::generate(
        &common::sel4_dir(),
        &common::config(&arch),
        sel4_gen::DEBUG_DEFINES,
        a,
    )
    .unwrap();
    std::fs::write(format!("/tmp/sel4_{arch}.rs"), code).unwrap();
}
