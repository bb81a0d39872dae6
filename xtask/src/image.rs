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

/// Rust native programs: (cargo package, executable).
const RUST_PROGRAMS: &[(&str, &str)] = &[
    ("hello", "hello.exe"),
    ("hello", "badcall.exe"),
    ("hello", "nullbench.exe"),
    ("hello", "svcbench.exe"),
    ("hello", "ping.exe"),
    ("hello", "pong.exe"),
    ("hello", "sleeper.exe"),
    ("hello", "nop.exe"),
    ("hello", "procbench.exe"),
    ("ntsuite", "ntsuite.exe"),
    ("smss", "smss.exe"),
    ("testdll", "nereidtest.dll"),
];

/// C native programs: (source in `base/c`, executable), built with mingw-w64 against
/// `libntdll.a` from `private/ntdll/implib`.
const C_PROGRAMS: &[(&str, &str)] = &[
    ("hello.c", "chello.exe"),
    ("rtltest.c", "rtltest.exe"),
    ("cping.c", "cping.exe"),
    ("cpong.c", "cpong.exe"),
    ("abusemem.c", "abusemem.exe"),
    ("abusewait.c", "abusewait.exe"),
];

/// Native programs booted by every run and selftest image, in this order (`start=`
/// lines of boot.ini, run by the session manager): `async` ones are not waited for
/// before the next starts (sleeper.exe waits until ntsuite.exe ends it; ping.exe
/// waits for pong.exe). cping.exe parks in its first wait, the two abusers run while
/// it waits (abusewait.exe stays parked for good), then cpong.exe completes the pair:
/// the QEMU test sees whether the executive still served it.
pub const PROGRAMS: &[&str] = &[
    "hello.exe",
    "badcall.exe",
    "chello.exe",
    "rtltest.exe",
    "async sleeper.exe",
    "ntsuite.exe",
    "async ping.exe",
    "pong.exe",
    "async cping.exe",
    "abusemem.exe",
    "async abusewait.exe",
    "cpong.exe",
];

/// The session manager run and selftest images start (it runs the `start=` list).
pub const SESSION_MANAGER: &str = "smss.exe";

/// The program a `start=` entry names (`[async ]program [arguments]`).
pub fn start_program(entry: &str) -> &str {
    let entry = entry.trim();
    let entry = entry.strip_prefix("async ").unwrap_or(entry).trim_start();
    entry.split(' ').next().unwrap_or(entry)
}

/// The programs a bench image starts, after the executive's own benchmarks: ping.exe
/// parks in its first wait, so pong.exe starts while it waits.
pub const BENCH_PROGRAMS: &[&str] = &[
    "nullbench.exe",
    "svcbench.exe",
    "procbench.exe",
    "ping.exe",
    "pong.exe",
];

/// What goes into the boot archive beyond the programs built here, and what starts.
#[derive(Clone, Debug, Default)]
pub struct BootSet {
    /// Extra files (`xtask run --add`), stored under their file names.
    pub add: Vec<PathBuf>,
    /// The `start=` list; `None`: the variant's default list.
    pub start: Option<Vec<String>>,
}

/// Compiles the C programs of `base/c` for `arch` with mingw-w64, linked against an
/// import library made from ntdll's export list; returns (name, image) pairs.
fn build_c_programs(paths: &Paths, arch: Arch) -> Result<Vec<(String, Vec<u8>)>> {
    let implib_arch = match arch {
        Arch::X86_64 => ntdll_implib::Arch::X86_64,
        Arch::I386 => ntdll_implib::Arch::I386,
    };
    let out = paths.work.join("c").join(arch.name());
    let lib = ntdll_implib::build_import_library(implib_arch, &out)
        .map_err(|e| crate::progress::Failure(format!("libntdll.a ({}): {e}", arch.name())))?;
    let src = paths.root.join("base").join("c");
    let entry = match arch {
        // NTAPI is stdcall on i386: one pointer argument, 4 bytes.
        Arch::I386 => "_NtProcessStartup@4",
        Arch::X86_64 => "NtProcessStartup",
    };
    let mut images = Vec::new();
    for (source, exe) in C_PROGRAMS {
        let target = out.join(exe);
        let mut cmd = Command::new(implib_arch.mingw_tool("gcc"));
        cmd.args([
            "-std=c99",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-nostdlib",
            "-ffreestanding",
            "-fno-stack-protector",
            "-Wl,--subsystem,native",
            "-e",
            entry,
            "-o",
        ])
        .arg(&target)
        .arg(src.join(source))
        .arg(&lib);
        sh::status(&mut cmd)?;
        images.push(((*exe).to_owned(), std::fs::read(&target)?));
    }
    Ok(images)
}

/// Builds ntdll.dll and the native programs for `arch` and packs them with the boot
/// configuration into the archive the executive embeds (`NEREID_BOOT_ARCHIVE`).
fn build_boot_archive(
    paths: &Paths,
    arch: Arch,
    profile: Profile,
    variant: Variant,
    set: &BootSet,
    dir: &Path,
) -> Result<PathBuf> {
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
                "--package",
                "ntsuite",
                "--package",
                "smss",
                "--package",
                "testdll",
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
            let default_start = match variant {
                Variant::Bench => BENCH_PROGRAMS,
                Variant::Run | Variant::SelfTest => PROGRAMS,
            };
            let start: Vec<String> = set
                .start
                .clone()
                .unwrap_or_else(|| default_start.iter().map(|s| (*s).to_owned()).collect());
            let mut config: String = start.iter().map(|p| format!("start={p}\n")).collect();
            if variant != Variant::Bench {
                config.push_str(&format!("session={SESSION_MANAGER}\n"));
            }
            let mut files: Vec<(String, Vec<u8>)> =
                vec![(bootarc::CONFIG_NAME.to_owned(), config.into_bytes())];
            for name in std::iter::once("ntdll.dll").chain(RUST_PROGRAMS.iter().map(|p| p.1)) {
                files.push((name.to_owned(), std::fs::read(out.join(name))?));
            }
            files.extend(build_c_programs(paths, arch)?);
            for path in &set.add {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| {
                        crate::progress::Failure(format!("--add {}: no file name", path.display()))
                    })?
                    .to_owned();
                let data = std::fs::read(path).map_err(|e| {
                    crate::progress::Failure(format!("--add {}: {e}", path.display()))
                })?;
                // An added file replaces a built one of the same name.
                files.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                files.push((name, data));
            }
            for entry in &start {
                let name = start_program(entry);
                if !files.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    return Err(crate::progress::Failure(format!(
                        "--start {name}: not in the boot archive (add it with --add)"
                    )));
                }
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
    let dir = image_dir(paths, arch, profile, variant);
    build_with(paths, env, arch, profile, variant, &BootSet::default(), dir)
}

/// Builds an image whose boot archive holds `set`, into `dir`.
pub fn build_with(
    paths: &Paths,
    env: &BuildEnv,
    arch: Arch,
    profile: Profile,
    variant: Variant,
    set: &BootSet,
    dir: PathBuf,
) -> Result<Image> {
    let kernel = kernel::build(paths, env, arch, profile == Profile::Debug)?;
    let archive = build_boot_archive(paths, arch, profile, variant, set, &dir)?;
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

#[cfg(test)]
mod start_tests {
    use super::*;

    #[test]
    fn start_entries_name_their_program() {
        assert_eq!(start_program("hello.exe"), "hello.exe");
        assert_eq!(start_program("async sleeper.exe"), "sleeper.exe");
        assert_eq!(start_program("prog.exe -v x"), "prog.exe");
        assert_eq!(start_program(" async  ping.exe 3"), "ping.exe");
        for p in PROGRAMS {
            assert!(RUST_PROGRAMS
                .iter()
                .map(|r| r.1)
                .chain(C_PROGRAMS.iter().map(|c| c.1))
                .any(|n| n == start_program(p)));
        }
    }
}
