//! Installs what the build and the tests need on a fresh Debian 12 machine: Debian
//! packages (as root through apt-get), rustup targets and the Python venv that the
//! kernel's own header generators run in. Nothing here is assumed to be present.

use crate::progress::{step, Failure, Result};
use crate::{fail, sh, Paths};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A program the build runs, and the Debian package that provides it.
struct Tool {
    program: &'static str,
    package: &'static str,
    why: &'static str,
}

const TOOLS: &[Tool] = &[
    Tool {
        program: "make",
        package: "make",
        why: "builds the seL4 kernel",
    },
    Tool {
        program: "gcc",
        package: "gcc",
        why: "compiles the seL4 kernel",
    },
    Tool {
        program: "cpp",
        package: "cpp",
        why: "preprocesses the seL4 kernel",
    },
    Tool {
        program: "objcopy",
        package: "binutils",
        why: "turns the x86_64 kernel into ELF32 for multiboot",
    },
    Tool {
        program: "python3",
        package: "python3",
        why: "runs the kernel's header generators",
    },
    Tool {
        program: "qemu-system-x86_64",
        package: "qemu-system-x86",
        why: "boots Nereid (x86_64)",
    },
    Tool {
        program: "qemu-system-i386",
        package: "qemu-system-x86",
        why: "boots Nereid (i386)",
    },
    Tool {
        program: "x86_64-w64-mingw32-gcc",
        package: "gcc-mingw-w64",
        why: "builds C native programs (x86_64)",
    },
    Tool {
        program: "i686-w64-mingw32-gcc",
        package: "gcc-mingw-w64",
        why: "builds C native programs (i386)",
    },
    Tool {
        program: "x86_64-w64-mingw32-dlltool",
        package: "binutils-mingw-w64",
        why: "makes ntdll's import library (x86_64)",
    },
    Tool {
        program: "i686-w64-mingw32-dlltool",
        package: "binutils-mingw-w64",
        why: "makes ntdll's import library (i386)",
    },
];

/// Rustup targets: the executive's ELF targets now, the PE targets for ntdll and programs.
pub const RUST_TARGETS: &[&str] = &[
    "x86_64-unknown-none",
    "i686-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "i686-pc-windows-msvc",
];

/// Python packages the kernel's generators import (pinned; they change rarely).
const PYTHON_PACKAGES: &[&str] = &["ply==3.11", "six==1.17.0", "Tempita==0.6.0"];

pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Makes sure every tool is on PATH, installing missing Debian packages when we can.
pub fn ensure_packages(with_display: bool) -> Result {
    let mut missing: Vec<&Tool> = TOOLS
        .iter()
        .filter(|t| find_program(t.program).is_none())
        .collect();
    let mut packages: Vec<&str> = missing.iter().map(|t| t.package).collect();
    // A QEMU window needs the GTK/SDL front end, which Debian ships separately.
    if with_display && !Path::new("/usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so").exists() {
        packages.push("qemu-system-gui");
    }
    packages.sort_unstable();
    packages.dedup();
    if packages.is_empty() {
        return Ok(());
    }
    step(
        &format!("install Debian packages: {}", packages.join(" ")),
        || {
            if !is_root() || find_program("apt-get").is_none() {
                let list: Vec<String> = missing
                    .iter()
                    .map(|t| format!("  {} (package {}): {}", t.program, t.package, t.why))
                    .collect();
                fail!(
                    "missing programs:\n{}\ninstall them as root: apt-get install {}",
                    list.join("\n"),
                    packages.join(" ")
                );
            }
            let env = [("DEBIAN_FRONTEND", "noninteractive")];
            sh::run_env("apt-get", &["update", "-q"], &env)?;
            let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
            args.extend(&packages);
            sh::run_env("apt-get", &args, &env)?;
            Ok(())
        },
    )?;
    missing.retain(|t| find_program(t.program).is_none());
    if let Some(t) = missing.first() {
        fail!(
            "{} is still missing after installing {}",
            t.program,
            t.package
        );
    }
    Ok(())
}

/// rustfmt and clippy: `xtask test` checks formatting and lints.
fn ensure_rust_components() -> Result {
    let have = |sub: &str| {
        std::process::Command::new("cargo")
            .args([sub, "--version"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("fmt") && have("clippy") {
        return Ok(());
    }
    step("rustup component add rustfmt clippy", || {
        sh::run("rustup", &["component", "add", "rustfmt", "clippy"])
    })
}

pub fn ensure_rust_targets() -> Result {
    ensure_rust_components()?;
    let out = sh::output("rustup", &["target", "list", "--installed"]).map_err(|e| {
        Failure(format!(
            "rustup is needed to add Rust targets ({e}); install Rust with rustup"
        ))
    })?;
    let installed: Vec<&str> = out.lines().map(str::trim).collect();
    let missing: Vec<&str> = RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.contains(t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("rustup target add {}", missing.join(" ")), || {
        let mut args = vec!["target", "add"];
        args.extend(&missing);
        sh::run("rustup", &args)
    })
}

/// The venv with the kernel generators' Python modules; returns its `bin` folder.
pub fn ensure_python_venv(paths: &Paths) -> Result<PathBuf> {
    let venv = paths.work.join("venv");
    let bin = venv.join("bin");
    let stamp = venv.join("nereid-packages");
    let wanted = PYTHON_PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(bin);
    }
    step("Python venv for the kernel's generators", || {
        let _ = std::fs::remove_dir_all(&venv);
        let venv_str = venv.to_string_lossy().into_owned();
        if sh::run("python3", &["-m", "venv", &venv_str]).is_err() {
            if is_root() && find_program("apt-get").is_some() {
                let env = [("DEBIAN_FRONTEND", "noninteractive")];
                sh::run_env("apt-get", &["install", "-y", "-q", "python3-venv"], &env)?;
                sh::run("python3", &["-m", "venv", &venv_str])?;
            } else {
                fail!("python3 cannot create a venv: install python3-venv (apt-get install python3-venv)");
            }
        }
        let pip = bin.join("pip");
        let mut args = vec!["install", "-q", "--disable-pip-version-check"];
        args.extend(PYTHON_PACKAGES);
        sh::run(&pip.to_string_lossy(), &args)?;
        std::fs::write(&stamp, &wanted)?;
        Ok(())
    })?;
    Ok(bin)
}

/// Everything a build needs. Cheap when all is present.
pub fn ensure_all(paths: &Paths, with_display: bool) -> Result<PathBuf> {
    ensure_packages(with_display)?;
    ensure_rust_targets()?;
    ensure_python_venv(paths)
}
