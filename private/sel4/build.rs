//! Generates the seL4 bindings from the kernel source and our config header.
//!
//! Inputs (all optional):
//! - `NEREID_SEL4_SRC`: a seL4 source tree; default: the `seL4/` folder of
//!   the crates.io package `sel4-sys` pinned by `kernel/Cargo.toml`.
//! - `NEREID_SEL4_CONFIG`: the config header; default:
//!   `kernel/config/{x86_64,ia32}/autoconf.h` by target arch.
//! - `NEREID_KERNEL_DEBUG`: `1` (default) for a `make DEBUG=1` kernel, `0`
//!   for a release kernel.
//!
//! Relative paths are taken relative to the workspace root.

use std::env;
use std::error::Error;
use std::path::{Path, PathBuf};

use sel4_gen::{generate_with_inputs, locate_sel4_source, Arch, DEBUG_DEFINES};

fn main() -> Result<(), Box<dyn Error>> {
    for var in [
        "NEREID_SEL4_SRC",
        "NEREID_SEL4_CONFIG",
        "NEREID_KERNEL_DEBUG",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.join("../..");
    let resolve = |p: PathBuf| if p.is_absolute() { p } else { root.join(p) };

    let sel4 = match env::var_os("NEREID_SEL4_SRC") {
        Some(p) => resolve(PathBuf::from(p)),
        None => {
            let cargo = env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
            println!(
                "cargo:rerun-if-changed={}",
                root.join("kernel/Cargo.toml").display()
            );
            println!(
                "cargo:rerun-if-changed={}",
                root.join("kernel/Cargo.lock").display()
            );
            locate_sel4_source(&root, &cargo)?
        }
    };

    let target_arch = env::var("CARGO_CFG_TARGET_ARCH")?;
    let arch = Arch::from_target_arch(&target_arch)
        .ok_or_else(|| format!("seL4 bindings exist for x86_64 and x86 only, not {target_arch}"))?;
    let config = match env::var_os("NEREID_SEL4_CONFIG") {
        Some(p) => resolve(PathBuf::from(p)),
        None => root.join(format!("kernel/config/{}/autoconf.h", arch.sel4_arch())),
    };
    let defines: &[(&str, &str)] = match env::var("NEREID_KERNEL_DEBUG").as_deref() {
        Err(_) | Ok("1") => DEBUG_DEFINES,
        Ok("0") => &[],
        Ok(other) => {
            return Err(format!("NEREID_KERNEL_DEBUG must be 0 or 1, not {other:?}").into())
        }
    };

    let generated = generate_with_inputs(&sel4, &config, defines, arch)?;
    for input in &generated.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let out =
        Path::new(&env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("sel4_generated.rs");
    std::fs::write(&out, generated.code)?;
    Ok(())
}
