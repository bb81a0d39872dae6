//! `cargo xtask`: the one entry point for building, running, testing and benchmarking
//! Nereid. Every command first installs what it needs (Debian packages, rustup targets,
//! a Python venv) so that it works on a fresh machine, and prints each step with its time.

mod bench;
mod deps;
mod image;
mod kernel;
mod progress;
mod run;
mod sh;
mod test;

use progress::Result;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    I386,
}

impl Arch {
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::I386];

    /// The name users and logs see.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "i386",
        }
    }

    /// seL4's name (`SEL4_ARCH`, config folder).
    pub fn kernel_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "ia32",
        }
    }

    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-none",
            Arch::I386 => "i686-unknown-linux-gnu",
        }
    }

    /// The Rust target of the PE images (ntdll.dll, native programs) for this arch.
    pub fn pe_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-pc-windows-msvc",
            Arch::I386 => "i686-pc-windows-msvc",
        }
    }

    fn parse(s: &str) -> Option<Vec<Arch>> {
        match s {
            "x86_64" | "x64" | "amd64" => Some(vec![Arch::X86_64]),
            "i386" | "i686" | "x86" | "ia32" => Some(vec![Arch::I386]),
            "all" => Some(Arch::ALL.to_vec()),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    /// Also cargo's output folder name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// Where things live: the repository root and `target/nereid`, our build folder.
pub struct Paths {
    pub root: PathBuf,
    pub work: PathBuf,
}

impl Paths {
    fn new() -> Result<Paths> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .ok_or_else(|| progress::Failure("xtask has no parent folder".into()))?;
        let work = root.join("target").join("nereid");
        std::fs::create_dir_all(&work)?;
        Ok(Paths { root, work })
    }
}

/// Command-line options shared by the subcommands.
#[derive(Debug)]
pub struct Options {
    pub arches: Vec<Arch>,
    pub profile: Profile,
    pub headless: bool,
    pub host_only: bool,
    pub qemu_only: bool,
    /// `run --add FILE`: extra files for the boot archive.
    pub add: Vec<PathBuf>,
    /// `run --start NAME`: the programs the executive starts (replacing the default list).
    pub start: Option<Vec<String>>,
}

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  run     build kernel + executive and boot them in QEMU (a window when a display
          exists, the serial console in this terminal otherwise; quit with Ctrl-A X)
  test    run every test: host unit tests, then the QEMU integration tests (both arches)
  bench   boot bench builds and print figures as ratios to the raw seL4 IPC round trip
  build   build the bootable images without running them
  setup   install what the build needs (Debian packages, rustup targets, Python venv)

options:
  --arch x86_64|i386|all   architecture (run: x86_64; test, bench, build: all)
  --release                release build (kernel without printing, optimised executive)
  --headless               run: serial console in the terminal even when a display exists
  --host-only              test: only the host unit tests
  --qemu-only              test: only the QEMU integration tests
  --add FILE               run: put FILE (e.g. a native .exe) into the boot archive
                           under its file name (repeatable)
  --start NAME[,NAME…]     run: the programs the executive starts, in order, instead
                           of the default list (repeatable)
";

fn parse(args: &[String]) -> std::result::Result<(String, Options), String> {
    let mut it = args.iter();
    let cmd = it.next().cloned().unwrap_or_else(|| "help".into());
    let mut o = Options {
        arches: if cmd == "run" {
            vec![Arch::X86_64]
        } else {
            Arch::ALL.to_vec()
        },
        profile: Profile::Debug,
        headless: false,
        host_only: false,
        qemu_only: false,
        add: Vec::new(),
        start: None,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--arch" => {
                let v = it.next().ok_or("--arch needs a value")?;
                o.arches = Arch::parse(v).ok_or_else(|| format!("unknown arch {v:?}"))?;
            }
            "--release" => o.profile = Profile::Release,
            "--headless" => o.headless = true,
            "--host-only" => o.host_only = true,
            "--qemu-only" => o.qemu_only = true,
            "--add" => o
                .add
                .push(PathBuf::from(it.next().ok_or("--add needs a file")?)),
            "--start" => {
                let v = it.next().ok_or("--start needs a program name")?;
                o.start.get_or_insert_with(Vec::new).extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(String::from),
                );
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if cmd != "run" && (!o.add.is_empty() || o.start.is_some()) {
        return Err("--add and --start are options of `run`".into());
    }
    if cmd == "run" && o.arches.len() != 1 {
        return Err("run boots one arch: --arch x86_64 or --arch i386".into());
    }
    Ok((cmd, o))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, opts) = match parse(&args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("xtask: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let result = Paths::new().and_then(|paths| match cmd.as_str() {
        "run" => run::run(&paths, &opts),
        "test" => test::test(&paths, &opts),
        "bench" => bench::bench(&paths, &opts),
        "build" => image::BuildEnv::prepare(&paths, false).and_then(|env| {
            for &arch in &opts.arches {
                for variant in [image::Variant::Run, image::Variant::SelfTest] {
                    let img = image::build(&paths, &env, arch, opts.profile, variant)?;
                    eprintln!("    image: {}", img.dir.display());
                }
            }
            Ok(())
        }),
        "setup" => deps::ensure_all(&paths, std::env::var_os("DISPLAY").is_some()).map(|_| ()),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(progress::Failure(format!(
            "unknown command {other:?}\n\n{USAGE}"
        ))),
    });
    match result {
        Ok(()) => eprintln!("xtask {cmd}: ok ({:.1}s)", start.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!(
                "\x1b[31mxtask {cmd}: FAILED\x1b[0m ({:.1}s): {e}",
                start.elapsed().as_secs_f64()
            );
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn add_and_start_are_collected_in_order() {
        let (cmd, o) = parse(&args(&[
            "run",
            "--add",
            "a/x.exe",
            "--add",
            "y.exe",
            "--start",
            "x.exe,y.exe",
            "--start",
            "hello.exe",
        ]))
        .unwrap();
        assert_eq!(cmd, "run");
        assert_eq!(o.add, [PathBuf::from("a/x.exe"), PathBuf::from("y.exe")]);
        assert_eq!(o.start.unwrap(), ["x.exe", "y.exe", "hello.exe"]);
    }

    #[test]
    fn run_without_start_keeps_the_default_list() {
        let (_, o) = parse(&args(&["run", "--add", "x.exe"])).unwrap();
        assert!(o.start.is_none());
    }

    #[test]
    fn add_is_refused_outside_run() {
        assert!(parse(&args(&["test", "--add", "x.exe"])).is_err());
        assert!(parse(&args(&["run", "--add"])).is_err());
    }
}
