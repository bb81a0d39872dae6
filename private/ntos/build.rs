//! Selects the root-task link setup for the two seL4 targets.
//!
//! The seL4 ELF loader wants a static, non-PIE image at a fixed address with
//! only PT_LOAD program headers, so the bare targets get our linker scripts.
//! Host builds (unit tests, `cargo build -p ntos` without `--target`) get
//! nothing and build the runtime parts out (no `ntos_bare` cfg).

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ntos_bare)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=link");
    let target = env::var("TARGET").unwrap_or_default();
    let dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let (script, extra): (&str, &[&str]) = match target.as_str() {
        "x86_64-unknown-none" => ("link/x86_64.ld", &[]),
        "i686-unknown-linux-gnu" => ("link/i386.ld", &["-static"]),
        _ => return,
    };
    println!("cargo::rustc-cfg=ntos_bare");
    println!("cargo::rustc-link-arg-bins=-T{dir}/{script}");
    println!("cargo::rustc-link-arg-bins=--no-pie");
    for arg in extra {
        println!("cargo::rustc-link-arg-bins={arg}");
    }
}
