//! A native PE DLL: no C runtime, entry `DllMain`, subsystem native. Only the Windows
//! targets link as PE; host builds are stubs.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    if target.ends_with("-pc-windows-msvc") {
        for arg in ["/NODEFAULTLIB", "/ENTRY:DllMain", "/SUBSYSTEM:NATIVE"] {
            println!("cargo:rustc-link-arg-cdylib={arg}");
        }
    }
}
