//! What to run: QEMU's configuration and its translation into a command line.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::error::HarnessError;
use crate::exit::ExitInfo;
use crate::qemu::Qemu;

/// Default guest memory.
pub const DEFAULT_MEMORY_MIB: u32 = 512;

/// Guest architecture; picks the QEMU binary and CPU model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    I386,
}

impl Arch {
    /// The QEMU system emulator for this architecture.
    pub fn qemu_binary(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu-system-x86_64",
            Arch::I386 => "qemu-system-i386",
        }
    }

    /// The TCG CPU model: the plain models are enough for seL4 and keep
    /// runs comparable between machines.
    pub fn cpu(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu64",
            Arch::I386 => "qemu32",
        }
    }

    /// Short name, as used in echo prefixes and file names.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "i386",
        }
    }
}

/// Where the guest's screen and serial console go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Display {
    /// No window (`-display none`); serial captured by the harness. For tests.
    None,
    /// QEMU's default window; serial still on QEMU's stdout (captured by
    /// [`Qemu::start`], the terminal under [`QemuConfig::run_interactive`]).
    Window,
    /// No window; serial console and QEMU monitor multiplexed on the user's
    /// terminal (`-nographic -serial mon:stdio`). Only for
    /// [`QemuConfig::run_interactive`].
    Console,
}

/// Disk image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiskFormat {
    Raw,
    Qcow2,
}

impl DiskFormat {
    fn as_str(self) -> &'static str {
        match self {
            DiskFormat::Raw => "raw",
            DiskFormat::Qcow2 => "qcow2",
        }
    }
}

/// A `-drive` of the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    pub path: PathBuf,
    pub format: DiskFormat,
    /// QEMU's `if=` value: `ide`, `virtio`, `floppy`, `none`, ...
    pub interface: String,
    pub read_only: bool,
}

impl Disk {
    /// A writable IDE disk.
    pub fn ide(path: impl Into<PathBuf>, format: DiskFormat) -> Self {
        Disk {
            path: path.into(),
            format,
            interface: "ide".into(),
            read_only: false,
        }
    }
}

/// A multiboot module passed with `-initrd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootModule {
    pub path: PathBuf,
    /// The module's own command line (multiboot passes it to the kernel).
    pub cmdline: Option<String>,
}

/// Everything needed to start QEMU. Build it with the chained setters:
///
/// ```no_run
/// use nereid_harness::{Arch, QemuConfig};
/// let config = QemuConfig::new(Arch::X86_64)
///     .kernel("build/k64/kernel32.elf")
///     .module("build/x86_64/ntoskrnl.elf")
///     .append("console_port=0x3f8")
///     .log_path("target/qemu/boot.log");
/// ```
#[derive(Debug, Clone)]
pub struct QemuConfig {
    arch: Arch,
    kernel: Option<PathBuf>,
    modules: Vec<BootModule>,
    append: Option<String>,
    memory_mib: u32,
    debug_exit: bool,
    no_reboot: bool,
    devices: Vec<String>,
    extra_args: Vec<OsString>,
    disks: Vec<Disk>,
    display: Display,
    log_path: Option<PathBuf>,
    qmp: bool,
    qmp_socket: Option<PathBuf>,
    name: Option<String>,
    die_with_spawning_thread: bool,
    program: Option<(OsString, Vec<OsString>)>,
}

impl QemuConfig {
    /// Defaults: 512 MiB, isa-debug-exit on, `-no-reboot`, no display,
    /// QMP on, no kernel (QEMU then sits in the BIOS).
    pub fn new(arch: Arch) -> Self {
        QemuConfig {
            arch,
            kernel: None,
            modules: Vec::new(),
            append: None,
            memory_mib: DEFAULT_MEMORY_MIB,
            debug_exit: true,
            no_reboot: true,
            devices: Vec::new(),
            extra_args: Vec::new(),
            disks: Vec::new(),
            display: Display::None,
            log_path: None,
            qmp: true,
            qmp_socket: None,
            name: None,
            die_with_spawning_thread: true,
            program: None,
        }
    }

    /// The multiboot kernel (`-kernel`). QEMU needs an ELF32 image even for x86_64.
    pub fn kernel(mut self, path: impl Into<PathBuf>) -> Self {
        self.kernel = Some(path.into());
        self
    }

    /// Appends a boot module (`-initrd`); the first is seL4's root task.
    pub fn module(mut self, path: impl Into<PathBuf>) -> Self {
        self.modules.push(BootModule {
            path: path.into(),
            cmdline: None,
        });
        self
    }

    /// Appends a boot module with its own command line.
    pub fn module_with_cmdline(mut self, path: impl Into<PathBuf>, cmdline: &str) -> Self {
        self.modules.push(BootModule {
            path: path.into(),
            cmdline: Some(cmdline.to_string()),
        });
        self
    }

    /// The kernel command line (`-append`).
    pub fn append(mut self, cmdline: &str) -> Self {
        self.append = Some(cmdline.to_string());
        self
    }

    /// Guest memory in MiB.
    pub fn memory_mib(mut self, mib: u32) -> Self {
        self.memory_mib = mib;
        self
    }

    /// Whether to add the isa-debug-exit device at port 0xf4 (and decode
    /// exit codes as its values).
    pub fn debug_exit(mut self, on: bool) -> Self {
        self.debug_exit = on;
        self
    }

    /// Whether to pass `-no-reboot` (a triple fault then ends QEMU instead of
    /// looping through the BIOS).
    pub fn no_reboot(mut self, on: bool) -> Self {
        self.no_reboot = on;
        self
    }

    /// Adds `-device <spec>`.
    pub fn device(mut self, spec: &str) -> Self {
        self.devices.push(spec.to_string());
        self
    }

    /// Adds a raw argument at the end of the command line.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// Adds raw arguments at the end of the command line.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.extra_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds a disk (`-drive`).
    pub fn disk(mut self, disk: Disk) -> Self {
        self.disks.push(disk);
        self
    }

    /// Picks the display mode.
    pub fn display(mut self, display: Display) -> Self {
        self.display = display;
        self
    }

    /// Mirrors the serial output, with timestamps, into this file.
    pub fn log_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.log_path = Some(path.into());
        self
    }

    /// Whether to open a QMP socket (on by default; needed for keys,
    /// screen dumps and memory reads).
    pub fn qmp(mut self, on: bool) -> Self {
        self.qmp = on;
        self
    }

    /// Puts the QMP socket at a fixed path instead of the per-instance
    /// temporary directory, e.g. for `xtask run` to print it.
    pub fn qmp_socket(mut self, path: impl Into<PathBuf>) -> Self {
        self.qmp_socket = Some(path.into());
        self
    }

    /// Names the instance in echoed serial lines (default: the arch).
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Whether [`Qemu::start`] asks Linux to kill QEMU when the spawning
    /// thread ends (on by default). This keeps QEMU from outliving a test
    /// binary that was interrupted with Ctrl-C or aborted, where `Drop`
    /// never runs. Turn it off if a `Qemu` must outlive the thread that
    /// started it (e.g. a fixture shared between test threads).
    pub fn die_with_spawning_thread(mut self, on: bool) -> Self {
        self.die_with_spawning_thread = on;
        self
    }

    /// **Test-only**: runs `program leading_args... <QEMU arguments>`
    /// instead of QEMU, so the harness can be tested with a fake emulator
    /// such as `sh -c 'echo banner; sleep 60'` (the QEMU arguments then
    /// become the script's `$0 $1 ...` and are ignored).
    pub fn program_override<I, S>(mut self, program: impl Into<OsString>, leading_args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.program = Some((
            program.into(),
            leading_args.into_iter().map(Into::into).collect(),
        ));
        self
    }

    pub fn arch(&self) -> Arch {
        self.arch
    }

    pub fn display_mode(&self) -> Display {
        self.display
    }

    pub fn log_file(&self) -> Option<&Path> {
        self.log_path.as_deref()
    }

    pub(crate) fn debug_exit_enabled(&self) -> bool {
        self.debug_exit
    }

    pub(crate) fn qmp_enabled(&self) -> bool {
        self.qmp
    }

    pub(crate) fn fixed_qmp_socket(&self) -> Option<&Path> {
        self.qmp_socket.as_deref()
    }

    pub(crate) fn kills_with_thread(&self) -> bool {
        self.die_with_spawning_thread
    }

    pub(crate) fn echo_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.arch.name())
    }

    /// The program that will run (QEMU, or the test override).
    pub fn program(&self) -> OsString {
        match &self.program {
            Some((p, _)) => p.clone(),
            None => self.arch.qemu_binary().into(),
        }
    }

    /// QEMU's arguments. `qmp_socket` is where the QMP server listens, if any.
    pub(crate) fn qemu_args(
        &self,
        qmp_socket: Option<&Path>,
    ) -> Result<Vec<OsString>, HarnessError> {
        let mut a: Vec<OsString> = Vec::new();
        let mut push = |items: &[&str]| a.extend(items.iter().map(OsString::from));
        push(&["-cpu", self.arch.cpu()]);
        push(&["-m", &self.memory_mib.to_string()]);
        if self.no_reboot {
            push(&["-no-reboot"]);
        }
        match self.display {
            // No monitor either: its default "vc" backend is useless headless.
            Display::None => push(&["-display", "none", "-monitor", "none", "-serial", "stdio"]),
            Display::Window => push(&["-serial", "stdio"]),
            Display::Console => push(&["-nographic", "-serial", "mon:stdio"]),
        }
        if self.debug_exit {
            push(&["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        }
        if let Some(kernel) = &self.kernel {
            a.push("-kernel".into());
            a.push(kernel.clone().into_os_string());
        }
        if !self.modules.is_empty() {
            if self.kernel.is_none() {
                return Err(HarnessError::Config("boot modules need a -kernel".into()));
            }
            a.push("-initrd".into());
            a.push(initrd_arg(&self.modules)?.into());
        }
        if let Some(cmdline) = &self.append {
            if self.kernel.is_none() {
                return Err(HarnessError::Config("-append needs a -kernel".into()));
            }
            a.push("-append".into());
            a.push(cmdline.into());
        }
        for disk in &self.disks {
            a.push("-drive".into());
            a.push(drive_arg(disk)?.into());
        }
        for dev in &self.devices {
            a.push("-device".into());
            a.push(dev.into());
        }
        if let Some(sock) = qmp_socket {
            a.push("-qmp".into());
            let path = utf8_path(sock, "QMP socket")?;
            a.push(format!("unix:{},server=on,wait=off", escape_commas(path)).into());
        }
        a.extend(self.extra_args.iter().cloned());
        Ok(a)
    }

    /// The full command, without stdio set up, for callers that run QEMU
    /// themselves (`xtask run`). QMP is only included when a fixed socket
    /// was configured with [`QemuConfig::qmp_socket`].
    pub fn command(&self) -> Result<Command, HarnessError> {
        let sock = self.qmp.then_some(self.qmp_socket.as_deref()).flatten();
        self.command_with_qmp(sock)
    }

    pub(crate) fn command_with_qmp(
        &self,
        qmp_socket: Option<&Path>,
    ) -> Result<Command, HarnessError> {
        let (program, leading) = match &self.program {
            Some((p, lead)) => (p.clone(), lead.clone()),
            None => (self.arch.qemu_binary().into(), Vec::new()),
        };
        let mut cmd = Command::new(program);
        cmd.args(leading).args(self.qemu_args(qmp_socket)?);
        Ok(cmd)
    }

    /// The command line of [`QemuConfig::command`] as one shell-quoted string.
    pub fn describe(&self) -> String {
        match self.command() {
            Ok(cmd) => describe_command(&cmd),
            Err(e) => format!("<{e}>"),
        }
    }

    /// Checks what can be checked before spawning, so the common mistakes
    /// get a clear message instead of QEMU's.
    pub(crate) fn preflight(&self) -> Result<(), HarnessError> {
        let program = self.program();
        if find_program(&program).is_none() {
            return Err(HarnessError::QemuNotFound {
                program: program.to_string_lossy().into_owned(),
            });
        }
        let mut files: Vec<(&Path, &str)> = Vec::new();
        if let Some(k) = &self.kernel {
            files.push((k, "kernel"));
        }
        files.extend(
            self.modules
                .iter()
                .map(|m| (m.path.as_path(), "boot module")),
        );
        files.extend(self.disks.iter().map(|d| (d.path.as_path(), "disk image")));
        for (path, what) in files {
            if !path.is_file() {
                return Err(HarnessError::Config(format!(
                    "{what} {} does not exist",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// Starts QEMU with serial capture; see [`Qemu::start`].
    pub fn start(&self) -> Result<Qemu, HarnessError> {
        Qemu::start(self)
    }

    /// Runs QEMU in the foreground with the caller's stdin/stdout/stderr
    /// (the way to use [`Display::Console`]) and returns how it ended.
    /// Nothing is captured or logged in this mode.
    pub fn run_interactive(&self) -> Result<ExitInfo, HarnessError> {
        self.preflight()?;
        let mut cmd = self.command()?;
        cmd.stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        let start = Instant::now();
        let status = cmd.status().map_err(|e| spawn_error(self, e))?;
        Ok(ExitInfo::from_status(
            status,
            self.debug_exit,
            start.elapsed(),
        ))
    }
}

pub(crate) fn spawn_error(config: &QemuConfig, e: std::io::Error) -> HarnessError {
    let program = config.program().to_string_lossy().into_owned();
    if e.kind() == std::io::ErrorKind::NotFound {
        HarnessError::QemuNotFound { program }
    } else {
        HarnessError::io(format!("cannot start {program}"), e)
    }
}

/// Looks `program` up the way `execvp` would.
pub(crate) fn find_program(program: &std::ffi::OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let is_exec = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let as_path = Path::new(program);
    if as_path.components().count() > 1 || program.to_string_lossy().contains('/') {
        return is_exec(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| is_exec(p))
}

fn utf8_path<'a>(path: &'a Path, what: &str) -> Result<&'a str, HarnessError> {
    path.to_str()
        .ok_or_else(|| HarnessError::Config(format!("{what} path {} is not UTF-8", path.display())))
}

/// QEMU option values separate properties with commas; a literal comma is
/// written twice.
fn escape_commas(s: &str) -> String {
    s.replace(',', ",,")
}

fn drive_arg(disk: &Disk) -> Result<String, HarnessError> {
    let path = utf8_path(&disk.path, "disk")?;
    let mut s = format!(
        "file={},format={},if={}",
        escape_commas(path),
        disk.format.as_str(),
        disk.interface
    );
    if disk.read_only {
        s.push_str(",readonly=on");
    }
    Ok(s)
}

/// QEMU's multiboot loader splits `-initrd` at commas and treats text after
/// the first space of each item as the module's command line, with no
/// escaping; so those characters are refused rather than silently mangled.
fn initrd_arg(modules: &[BootModule]) -> Result<String, HarnessError> {
    let mut items = Vec::with_capacity(modules.len());
    for m in modules {
        let path = utf8_path(&m.path, "boot module")?;
        if path.contains([',', ' ']) {
            return Err(HarnessError::Config(format!(
                "boot module path {path:?} contains a comma or space, which -initrd cannot express"
            )));
        }
        match &m.cmdline {
            Some(c) if c.contains(',') => {
                return Err(HarnessError::Config(format!(
                    "boot module command line {c:?} contains a comma, which -initrd cannot express"
                )))
            }
            Some(c) if !c.is_empty() => items.push(format!("{path} {c}")),
            _ => items.push(path.to_string()),
        }
    }
    Ok(items.join(","))
}

/// Renders a command so that pasting it into a POSIX shell runs the same thing.
pub(crate) fn describe_command(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:=+@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_of(config: &QemuConfig, sock: Option<&Path>) -> Vec<String> {
        config
            .qemu_args(sock)
            .expect("valid config")
            .into_iter()
            .map(|a| a.into_string().expect("utf-8"))
            .collect()
    }

    #[test]
    fn x86_64_command_line() {
        let config = QemuConfig::new(Arch::X86_64)
            .kernel("/k/kernel32.elf")
            .module("/b/root.elf")
            .module_with_cmdline("/b/smss.exe", "-v")
            .append("console_port=0x3f8 disable_iommu")
            .disk(Disk::ide("/d/c,1.img", DiskFormat::Raw))
            .device("virtio-rng-pci")
            .arg("-s");
        let args = args_of(&config, Some(Path::new("/tmp/x/qmp.sock")));
        let expected = [
            "-cpu",
            "qemu64",
            "-m",
            "512",
            "-no-reboot",
            "-display",
            "none",
            "-monitor",
            "none",
            "-serial",
            "stdio",
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel",
            "/k/kernel32.elf",
            "-initrd",
            "/b/root.elf,/b/smss.exe -v",
            "-append",
            "console_port=0x3f8 disable_iommu",
            "-drive",
            "file=/d/c,,1.img,format=raw,if=ide",
            "-device",
            "virtio-rng-pci",
            "-qmp",
            "unix:/tmp/x/qmp.sock,server=on,wait=off",
            "-s",
        ];
        assert_eq!(args, expected);
        assert_eq!(config.program(), "qemu-system-x86_64");
    }

    #[test]
    fn i386_console_command_line() {
        let config = QemuConfig::new(Arch::I386)
            .kernel("/k/kernel.elf")
            .memory_mib(256)
            .debug_exit(false)
            .no_reboot(false)
            .display(Display::Console)
            .disk(Disk {
                path: "/d/disk.qcow2".into(),
                format: DiskFormat::Qcow2,
                interface: "virtio".into(),
                read_only: true,
            });
        let args = args_of(&config, None);
        let expected = [
            "-cpu",
            "qemu32",
            "-m",
            "256",
            "-nographic",
            "-serial",
            "mon:stdio",
            "-kernel",
            "/k/kernel.elf",
            "-drive",
            "file=/d/disk.qcow2,format=qcow2,if=virtio,readonly=on",
        ];
        assert_eq!(args, expected);
        assert_eq!(config.program(), "qemu-system-i386");
    }

    #[test]
    fn window_mode_keeps_serial_on_stdio() {
        let args = args_of(
            &QemuConfig::new(Arch::X86_64).display(Display::Window),
            None,
        );
        assert!(!args.iter().any(|a| a == "-display" || a == "-nographic"));
        let serial = args.iter().position(|a| a == "-serial").expect("-serial");
        assert_eq!(args[serial + 1], "stdio");
    }

    #[test]
    fn command_and_describe() {
        let config = QemuConfig::new(Arch::X86_64)
            .kernel("/k/kernel32.elf")
            .append("a b")
            .qmp_socket("/run/q.sock");
        let text = config.describe();
        assert!(
            text.starts_with("qemu-system-x86_64 -cpu qemu64 -m 512 "),
            "{text}"
        );
        assert!(text.contains(" -append 'a b' "), "{text}");
        assert!(
            text.ends_with(" -qmp unix:/run/q.sock,server=on,wait=off"),
            "{text}"
        );
        // Without a fixed socket, command() leaves QMP out: only a running
        // harness instance has a socket directory.
        let plain = QemuConfig::new(Arch::X86_64).command().expect("command");
        assert!(!plain.get_args().any(|a| a == "-qmp"));
    }

    #[test]
    fn program_override_prepends_leading_args() {
        let config = QemuConfig::new(Arch::X86_64).program_override("sh", ["-c", "echo hi"]);
        let cmd = config.command().expect("command");
        assert_eq!(cmd.get_program(), "sh");
        let args: Vec<_> = cmd.get_args().take(3).collect();
        assert_eq!(args, ["-c", "echo hi", "-cpu"]);
    }

    #[test]
    fn rejects_inexpressible_configs() {
        let bad_module = QemuConfig::new(Arch::X86_64).kernel("/k").module("/a,b");
        assert!(matches!(
            bad_module.qemu_args(None),
            Err(HarnessError::Config(_))
        ));
        let bad_cmdline = QemuConfig::new(Arch::X86_64)
            .kernel("/k")
            .module_with_cmdline("/a", "x,y");
        assert!(matches!(
            bad_cmdline.qemu_args(None),
            Err(HarnessError::Config(_))
        ));
        let no_kernel = QemuConfig::new(Arch::X86_64).append("x");
        assert!(matches!(
            no_kernel.qemu_args(None),
            Err(HarnessError::Config(_))
        ));
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("plain-arg,x=1"), "plain-arg,x=1");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn preflight_reports_missing_pieces() {
        let missing =
            QemuConfig::new(Arch::X86_64).program_override("/nonexistent/qemu-nope", [""; 0]);
        let err = missing.preflight().expect_err("missing program");
        assert_eq!(
            err.to_string(),
            "/nonexistent/qemu-nope not found: run `cargo xtask test`, which installs qemu-system-x86"
        );
        let no_kernel = QemuConfig::new(Arch::X86_64)
            .program_override("sh", [""; 0])
            .kernel("/nonexistent/kernel.elf");
        let err = no_kernel.preflight().expect_err("missing kernel");
        assert!(
            err.to_string()
                .contains("kernel /nonexistent/kernel.elf does not exist"),
            "{err}"
        );
        assert!(find_program("sh".as_ref()).is_some());
    }
}
