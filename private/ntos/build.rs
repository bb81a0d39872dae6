//! Selects the root-task link setup for the two seL4 targets.
//!
//! The seL4 ELF loader wants a static, non-PIE image at a fixed address with
//! only PT_LOAD program headers, so the bare targets get our linker scripts.
//! Host builds (unit tests, `cargo build -p ntos` without `--target`) get
//! nothing and build the runtime parts out (no `ntos_bare` cfg).

use std::env;

fn main() {
    embed_boot_archive();
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

/// Copies the boot archive xtask packed (`NEREID_BOOT_ARCHIVE`) to `OUT_DIR/boot.arc`,
/// which the executive includes; without the variable the archive is empty, so plain
/// `cargo build -p ntos` and the host tests need no PE files.
fn embed_boot_archive() {
    println!("cargo::rerun-if-env-changed=NEREID_BOOT_ARCHIVE");
    let out = std::path::PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let data = match env::var("NEREID_BOOT_ARCHIVE") {
        Ok(path) if !path.is_empty() => {
            println!("cargo::rerun-if-changed={path}");
            std::fs::read(&path).unwrap_or_else(|e| panic!("boot archive {path}: {e}"))
        }
        _ => Vec::new(),
    };
    std::fs::write(out.join("boot.arc"), data).expect("write boot.arc");
}
