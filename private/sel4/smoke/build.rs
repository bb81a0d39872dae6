//! Links the root task as the seL4 loader wants it: static, non-PIE, at a
//! fixed address, PT_LOAD headers only.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let script = match std::env::var("TARGET").as_deref() {
        Ok("x86_64-unknown-none") => "x86_64.ld",
        Ok("i686-unknown-linux-gnu") => "i386.ld",
        _ => return,
    };
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg=-T{dir}/{script}");
    println!("cargo:rustc-link-arg=--no-pie");
    println!("cargo:rustc-link-arg=-static");
}
