//! Link options for the PE DLL (the Windows targets only; host builds are for tests).
//!
//! rustc asks lld-link for the C runtime (`/defaultlib:msvcrt`); ntdll is the bottom of
//! every NT process and has no CRT under it, so default libraries are dropped and the
//! few symbols `core` still needs come from `src/crt.rs`. Like Windows' ntdll it has no
//! entry point (the loader lives inside it and is called, not notified) and depends on
//! no subsystem.
fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    if target.ends_with("-pc-windows-msvc") {
        // DbgPrint and DbgPrintEx are C-variadic, defined in assembly (src/dbgprint.rs):
        // no `#[no_mangle]` item exports them.
        for arg in [
            "/NODEFAULTLIB",
            "/NOENTRY",
            "/SUBSYSTEM:NATIVE",
            "/EXPORT:DbgPrint",
            "/EXPORT:DbgPrintEx",
        ] {
            println!("cargo:rustc-link-arg-cdylib={arg}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
