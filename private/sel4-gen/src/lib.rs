//! Generator of Nereid's Rust seL4 bindings.
//!
//! Reads the seL4 5.0.0 source tree (interface XML, syscall XML, libsel4
//! headers and bitfield files) together with our config header and emits
//! Rust source for `private/sel4`. Numbering follows the kernel's own
//! generators: invocation labels are numbered 1, 2, … over the enabled
//! methods of `sel4.xml`, continuing through the sel4_arch and then the
//! arch XML; syscalls are numbered -1, -2, … in file order regardless of
//! their conditions; invocation arguments are packed like libsel4's stubs.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod bf;
pub mod cdecl;
pub mod cpp;
mod emit;
pub mod layout;
pub mod lex;
pub mod marshal;
pub mod model;
pub mod names;

pub use model::{build_model, Model};

/// The x86 seL4 architectures Nereid supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Ia32,
}

impl Arch {
    pub fn word_bits(self) -> u32 {
        match self {
            Arch::X86_64 => 64,
            Arch::Ia32 => 32,
        }
    }

    /// The seL4 "sel4_arch" directory name.
    pub fn sel4_arch(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Ia32 => "ia32",
        }
    }

    /// From a Cargo `CARGO_CFG_TARGET_ARCH` value.
    pub fn from_target_arch(a: &str) -> Option<Arch> {
        match a {
            "x86_64" => Some(Arch::X86_64),
            "x86" => Some(Arch::Ia32),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub enum GenError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Xml {
        path: PathBuf,
        message: String,
    },
    Parse(String),
    Locate(String),
}

impl GenError {
    pub fn parse(msg: String) -> GenError {
        GenError::Parse(msg)
    }

    pub fn io(path: &Path, source: std::io::Error) -> GenError {
        GenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn xml(path: &Path, e: roxmltree::Error) -> GenError {
        GenError::Xml {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    /// Prefixes a parse error with where it happened.
    pub fn context(self, ctx: String) -> GenError {
        match self {
            GenError::Parse(m) => GenError::Parse(format!("{ctx}: {m}")),
            other => other,
        }
    }
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            GenError::Xml { path, message } => write!(f, "{}: {message}", path.display()),
            GenError::Parse(m) => write!(f, "{m}"),
            GenError::Locate(m) => write!(f, "cannot locate the seL4 source: {m}"),
        }
    }
}

impl std::error::Error for GenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GenError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Generated code plus the files it was generated from.
pub struct Generated {
    pub code: String,
    pub inputs: Vec<PathBuf>,
}

/// Generates the Rust bindings for `arch` from the seL4 tree at `sel4_dir`
/// and `config_header` (with `extra_defines` applied first, like `-D`).
pub fn generate(
    sel4_dir: &Path,
    config_header: &Path,
    extra_defines: &[(&str, &str)],
    arch: Arch,
) -> Result<String, GenError> {
    generate_with_inputs(sel4_dir, config_header, extra_defines, arch).map(|g| g.code)
}

/// Like [`generate`], also reporting every file read.
pub fn generate_with_inputs(
    sel4_dir: &Path,
    config_header: &Path,
    extra_defines: &[(&str, &str)],
    arch: Arch,
) -> Result<Generated, GenError> {
    let model = build_model(sel4_dir, config_header, extra_defines, arch)?;
    let code = emit::emit(&model)?;
    Ok(Generated {
        code,
        inputs: model.inputs,
    })
}

/// The defines `make DEBUG=1` adds for a debug kernel.
pub const DEBUG_DEFINES: &[(&str, &str)] = &[("DEBUG", "1"), ("CONFIG_DEBUG_BUILD", "1")];

/// Finds the seL4 source that ships in the crates.io package `sel4-sys`
/// pinned by `<workspace>/kernel/Cargo.toml`: runs `cargo fetch --locked`
/// and `cargo metadata` on that manifest with the given cargo binary.
pub fn locate_sel4_source(workspace_root: &Path, cargo: &Path) -> Result<PathBuf, GenError> {
    let manifest = workspace_root.join("kernel/Cargo.toml");
    let run = |args: &[&str]| -> Result<Vec<u8>, GenError> {
        let out = Command::new(cargo)
            .args(args)
            .arg("--manifest-path")
            .arg(&manifest)
            .output()
            .map_err(|e| GenError::Locate(format!("running {}: {e}", cargo.display())))?;
        if !out.status.success() {
            return Err(GenError::Locate(format!(
                "cargo {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(out.stdout)
    };
    run(&["fetch", "--locked", "--quiet"])?;
    let meta = run(&["metadata", "--format-version", "1", "--locked", "--offline"])?;
    let meta = String::from_utf8(meta)
        .map_err(|_| GenError::Locate("metadata is not UTF-8".to_string()))?;
    let dir = sel4_sys_dir_from_metadata(&meta)?;
    let sel4 = dir.join("seL4");
    if !sel4.join("libsel4/include/interfaces/sel4.xml").is_file() {
        return Err(GenError::Locate(format!(
            "{} is not a seL4 tree",
            sel4.display()
        )));
    }
    Ok(sel4)
}

/// Extracts the directory of package `sel4-sys` from `cargo metadata` JSON
/// (the `manifest_path` of that package, minus `Cargo.toml`).
pub fn sel4_sys_dir_from_metadata(json: &str) -> Result<PathBuf, GenError> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| GenError::Locate(format!("cargo metadata: {e}")))?;
    let manifest = v["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "sel4-sys")
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| GenError::Locate("package sel4-sys not in cargo metadata".to_string()))?;
    Path::new(manifest)
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| GenError::Locate("manifest path has no parent".to_string()))
}
