//! Obtaining, configuring and building seL4 5.0.0.
//!
//! The source comes from the crates.io package `sel4-sys` =0.0.28 (folder `seL4/`),
//! fetched and checksum-pinned by cargo through `kernel/Cargo.toml` + `kernel/Cargo.lock`.
//! It is copied into `target/nereid/kernel/<arch>-<flavour>/` (never into git), our
//! config header replaces the shipped pc99 `autoconf.h`, and the kernel's own Makefile
//! builds it. `NEREID_SEL4_SRC=/path/to/seL4` points the whole build (kernel and
//! bindings) at another tree.

use crate::image::BuildEnv;
use crate::progress::{step, Failure, Result};
use crate::{fail, sh, Arch, Paths};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const SRC_ENV: &str = "NEREID_SEL4_SRC";

/// Finds the seL4 source tree: the user's override, or the one cargo fetched.
pub fn source(paths: &Paths) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(SRC_ENV) {
        let dir = PathBuf::from(dir);
        if !dir.join("libsel4").is_dir() || !dir.join("Makefile").is_file() {
            fail!(
                "{SRC_ENV}={} is not a seL4 source tree (no libsel4/ or Makefile)",
                dir.display()
            );
        }
        return Ok(dir);
    }
    let manifest = paths.root.join("kernel/Cargo.toml");
    let manifest = manifest.to_string_lossy();
    sh::run(
        "cargo",
        &["fetch", "--locked", "--quiet", "--manifest-path", &manifest],
    )
    .map_err(|e| {
        Failure(format!(
            "fetching seL4 (crate sel4-sys =0.0.28) failed: {e}"
        ))
    })?;
    let meta = sh::output(
        "cargo",
        &[
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
            &manifest,
        ],
    )?;
    let meta: serde_json::Value = serde_json::from_str(&meta)?;
    let pkg = meta["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "sel4-sys"))
        .ok_or_else(|| Failure("cargo metadata lists no sel4-sys package".into()))?;
    let manifest_path = pkg["manifest_path"].as_str().unwrap_or_default();
    let dir = Path::new(manifest_path)
        .parent()
        .map(|p| p.join("seL4"))
        .ok_or_else(|| Failure("sel4-sys has no manifest folder".into()))?;
    let version = std::fs::read_to_string(dir.join("VERSION")).unwrap_or_default();
    if version.trim() != "5.0.0" {
        fail!(
            "{} holds seL4 {:?}, expected 5.0.0",
            dir.display(),
            version.trim()
        );
    }
    Ok(dir)
}

/// Our config header for `arch` with its `#include "…"` lines expanded, since the
/// kernel's Makefile copies the header alone into its build folder.
pub fn flattened_config(paths: &Paths, arch: Arch) -> Result<String> {
    fn expand(file: &Path, depth: usize, out: &mut String) -> Result {
        if depth > 8 {
            fail!("{}: #include nesting too deep", file.display());
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure(format!("cannot read {}: {e}", file.display())))?;
        for line in text.lines() {
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix("#include") {
                let name = rest.trim().trim_matches('"');
                let inc = file.parent().unwrap_or(Path::new(".")).join(name);
                expand(&inc, depth + 1, out)?;
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        Ok(())
    }
    let mut out = String::new();
    expand(
        &paths
            .root
            .join("kernel/config")
            .join(arch.kernel_name())
            .join("autoconf.h"),
        0,
        &mut out,
    )?;
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Builds the kernel and returns the image QEMU's multiboot loader accepts (ELF32).
pub fn build(paths: &Paths, env: &BuildEnv, arch: Arch, debug: bool) -> Result<PathBuf> {
    let src = &env.sel4_src;
    let config = flattened_config(paths, arch)?;
    let flavour = if debug { "debug" } else { "release" };
    let dir = paths
        .work
        .join("kernel")
        .join(format!("{}-{flavour}", arch.kernel_name()));
    let mut h = DefaultHasher::new();
    (src.to_string_lossy(), &config, debug).hash(&mut h);
    let stamp = format!("{:016x}\n", h.finish());
    let stamp_file = dir.join(".nereid-stamp");
    let image = dir.join(if arch == Arch::X86_64 {
        "kernel32.elf"
    } else {
        "kernel.elf"
    });

    step(
        &format!("seL4 5.0.0 kernel ({}, {flavour})", arch.kernel_name()),
        || {
            if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str()) {
                let _ = std::fs::remove_dir_all(&dir);
                copy_tree(src, &dir)?;
                std::fs::write(dir.join("include/plat/pc99/autoconf.h"), &config)?;
            }
            let path = format!(
                "{}:{}",
                env.venv_bin.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let mut make = Command::new("make");
            make.current_dir(&dir).env("PATH", path).args([
                "ARCH=x86",
                "PLAT=pc99",
                &format!("SEL4_ARCH={}", arch.kernel_name()),
                "PYTHON=python3",
                // tools/circular_includes.py predates Python 3.
                "CIRCULAR_INCLUDES=true",
                // Drops -Werror and the packed-member warning newer gcc raises on 5.0 code.
                "WARNINGS=all strict-prototypes no-address-of-packed-member",
                "-j2",
            ]);
            if debug {
                make.arg("DEBUG=1");
            }
            sh::quiet(&mut make)?;
            if arch == Arch::X86_64 {
                // QEMU's multiboot loader takes only ELF32 images.
                sh::quiet(
                    Command::new("objcopy")
                        .arg("-O")
                        .arg("elf32-i386")
                        .arg(dir.join("kernel.elf"))
                        .arg(&image),
                )?;
            }
            std::fs::write(&stamp_file, &stamp)?;
            Ok(())
        },
    )?;
    Ok(image)
}
