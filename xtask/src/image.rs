//! Building bootable images: a seL4 kernel plus the executive root task (and, from the
//! next stages on, the boot modules the executive loads).

use crate::progress::{step, Result};
use crate::{deps, kernel, sh, Arch, Paths, Profile};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the executive is built to do after boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Stay up and serve (what `xtask run` boots).
    Run,
    /// Run the built-in self-checks, then power QEMU off with the verdict.
    SelfTest,
    /// Run the benchmarks, print `BENCH …` lines, power off.
    Bench,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Run => "run",
            Variant::SelfTest => "selftest",
            Variant::Bench => "bench",
        }
    }

    fn features(self) -> Option<&'static str> {
        match self {
            Variant::Run => None,
            Variant::SelfTest => Some("selftest"),
            Variant::Bench => Some("bench"),
        }
    }
}

/// What every image build needs, prepared once per command.
pub struct BuildEnv {
    /// `bin` of the venv the kernel's generators run in.
    pub venv_bin: PathBuf,
    /// The seL4 tree the kernel and the bindings are built from.
    pub sel4_src: PathBuf,
}

impl BuildEnv {
    /// Installs what is missing, then locates (fetching if needed) the seL4 source.
    pub fn prepare(paths: &Paths, with_display: bool) -> Result<BuildEnv> {
        let venv_bin = deps::ensure_all(paths, with_display)?;
        let sel4_src = kernel::source(paths)?;
        Ok(BuildEnv { venv_bin, sel4_src })
    }
}

/// A bootable set of files in `target/nereid/images/<arch>-<profile>-<variant>/`.
#[derive(Debug, Clone)]
pub struct Image {
    pub arch: Arch,
    pub dir: PathBuf,
    /// The multiboot kernel (ELF32).
    pub kernel: PathBuf,
    /// The executive: seL4's root task, passed as the first multiboot module.
    pub root_task: PathBuf,
}

pub fn image_dir(paths: &Paths, arch: Arch, profile: Profile, variant: Variant) -> PathBuf {
    paths.work.join("images").join(format!(
        "{}-{}-{}",
        arch.name(),
        profile.name(),
        variant.name()
    ))
}

/// Native programs booted by every image, in this order (`start=` lines of boot.ini).
pub const PROGRAMS: &[&str] = &["hello.exe", "badcall.exe"];

/// Builds ntdll.dll and the native programs for `arch` and packs them with the boot
/// configuration into the archive the executive embeds (`NEREID_BOOT_ARCHIVE`).
fn build_boot_archive(paths: &Paths, arch: Arch, profile: Profile, dir: &Path) -> Result<PathBuf> {
    step(
        &format!(
            "ntdll.dll + native programs ({}, {})",
            arch.name(),
            profile.name()
        ),
        || {
            let mut cmd = Command::new("cargo");
            cmd.current_dir(&paths.root).args([
                "build",
                "--quiet",
                "--package",
                "ntdll",
                "--package",
                "hello",
                "--target",
                arch.pe_target(),
            ]);
            if profile == Profile::Release {
                cmd.arg("--release");
            }
            sh::status(&mut cmd)?;
            let out = paths
                .root
                .join("target")
                .join(arch.pe_target())
                .join(profile.name());
            let mut files: Vec<(String, Vec<u8>)> = Vec::new();
            let config: String = PROGRAMS.iter().map(|p| format!("start={p}\n")).collect();
            files.push((bootarc::CONFIG_NAME.to_owned(), config.into_bytes()));
            for name in std::iter::once("ntdll.dll").chain(PROGRAMS.iter().copied()) {
                files.push((name.to_owned(), std::fs::read(out.join(name))?));
            }
            let entries: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(n, d)| (n.as_str(), d.as_slice()))
                .collect();
            std::fs::create_dir_all(dir)?;
            let path = dir.join("boot.arc");
            std::fs::write(&path, bootarc::write(&entries))?;
            Ok(path)
        },
    )
}

/// Builds the executive for `arch`; the kernel flavour follows the profile (debug
/// kernels print, release kernels do not), and the bindings see the same kernel tree.
fn build_executive(
    paths: &Paths,
    src: &Path,
    arch: Arch,
    profile: Profile,
    variant: Variant,
    archive: &Path,
) -> Result<PathBuf> {
    step(
        &format!(
            "executive ntos ({}, {}, {})",
            arch.name(),
            profile.name(),
            variant.name()
        ),
        || {
            let mut cmd = Command::new("cargo");
            cmd.current_dir(&paths.root)
                .args([
                    "build",
                    "--quiet",
                    "--package",
                    "ntos",
                    "--bin",
                    "ntos",
                    "--target",
                    arch.rust_target(),
                ])
                .env(kernel::SRC_ENV, src)
                .env("NEREID_BOOT_ARCHIVE", archive)
                .env(
                    "NEREID_KERNEL_DEBUG",
                    if profile == Profile::Debug { "1" } else { "0" },
                );
            if profile == Profile::Release {
                cmd.arg("--release");
            }
            if let Some(f) = variant.features() {
                cmd.args(["--features", f]);
            }
            sh::status(&mut cmd)?;
            Ok(paths
                .root
                .join("target")
                .join(arch.rust_target())
                .join(profile.name())
                .join("ntos"))
        },
    )
}

pub fn build(
    paths: &Paths,
    env: &BuildEnv,
    arch: Arch,
    profile: Profile,
    variant: Variant,
) -> Result<Image> {
    let kernel = kernel::build(paths, env, arch, profile == Profile::Debug)?;
    let dir = image_dir(paths, arch, profile, variant);
    let archive = build_boot_archive(paths, arch, profile, &dir)?;
    let exe = build_executive(paths, &env.sel4_src, arch, profile, variant, &archive)?;
    std::fs::create_dir_all(&dir)?;
    let image = Image {
        arch,
        kernel: dir.join("kernel.elf"),
        root_task: dir.join("ntos.elf"),
        dir,
    };
    std::fs::copy(&kernel, &image.kernel)?;
    std::fs::copy(&exe, &image.root_task)?;
    Ok(image)
}
