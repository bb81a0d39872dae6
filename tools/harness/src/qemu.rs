//! A running QEMU: serial expectations, exit handling and QMP operations.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::config::{describe_command, spawn_error, QemuConfig};
use crate::error::{ExpectFailure, HarnessError, FAILURE_TAIL_LINES};
use crate::exit::ExitInfo;
use crate::image::{encode_png, parse_ppm};
use crate::keys::text_to_qcodes;
use crate::qmp::{send_key_args, QmpClient};
use crate::serial::{pump, Captured, SerialLine, SharedCapture, Sinks, TailBuffer};
use crate::vga::{decode_text, VGA_COLUMNS, VGA_TEXT_BASE, VGA_TEXT_BYTES};

/// How often a waiting harness checks whether QEMU is still alive.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// After QEMU exits, how long to wait for the rest of its output.
const DRAIN_GRACE: Duration = Duration::from_millis(500);
/// How long QEMU gets to open its QMP socket after starting.
const QMP_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long `quit` waits for the process after QEMU acknowledged it.
const QUIT_TIMEOUT: Duration = Duration::from_secs(10);
/// QEMU stderr lines kept for error messages.
const STDERR_TAIL_LINES: usize = 40;

/// Result of [`Qemu::expect_regex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexMatch {
    /// The whole (ANSI-stripped) serial line.
    pub line: String,
    /// Capture groups; index 0 is the whole match.
    pub groups: Vec<Option<String>>,
}

/// A running QEMU instance. Dropping it kills QEMU (and everything in its
/// process group), reaps it, and removes its temporary directory.
pub struct Qemu {
    child: Option<Child>,
    exit: Option<ExitInfo>,
    pid: u32,
    start: Instant,
    capture: Arc<SharedCapture>,
    stderr_tail: Arc<Mutex<TailBuffer<String>>>,
    /// Set when QEMU's stderr reached its end (everything it wrote is in the tail).
    stderr_done: Arc<std::sync::atomic::AtomicBool>,
    stdin: Option<ChildStdin>,
    /// Index of the first serial line not yet consumed by an expectation.
    /// One past `lines.len()` means the current unterminated line was
    /// consumed by a match.
    cursor: usize,
    debug_exit: bool,
    command_line: String,
    qmp: Option<QmpClient>,
    qmp_socket: Option<PathBuf>,
    /// Whether the socket path was chosen by the user (then removed on drop).
    qmp_socket_fixed: bool,
    png_screendump: Option<bool>,
    scratch_counter: u64,
    dir: TempDir,
}

impl Qemu {
    /// Spawns QEMU with its serial console captured. Fails with
    /// [`HarnessError::QemuNotFound`] if the emulator is not installed.
    /// [`crate::Display::Console`] is refused: it needs the terminal, see
    /// [`QemuConfig::run_interactive`].
    pub fn start(config: &QemuConfig) -> Result<Qemu, HarnessError> {
        if config.display_mode() == crate::Display::Console {
            return Err(HarnessError::Config(
                "Display::Console gives the serial console to the terminal: use \
                 QemuConfig::run_interactive()"
                    .into(),
            ));
        }
        config.preflight()?;
        let dir = tempfile::Builder::new()
            .prefix("nereid-qemu-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating the QEMU temp directory", e))?;
        let (qmp_socket, qmp_socket_fixed) = match (config.qmp_enabled(), config.fixed_qmp_socket())
        {
            (false, _) => (None, false),
            (true, Some(p)) => (Some(p.to_path_buf()), true),
            (true, None) => (Some(dir.path().join("qmp.sock")), false),
        };
        let mut cmd = config.command_with_qmp(qmp_socket.as_deref())?;
        let command_line = describe_command(&cmd);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        {
            use std::os::unix::process::CommandExt;
            // Own process group: killing the group also ends anything the
            // emulator (or a fake one) started.
            cmd.process_group(0);
            if config.kills_with_thread() {
                // SAFETY: the closure runs between fork and exec and only
                // makes the async-signal-safe prctl system call.
                unsafe {
                    cmd.pre_exec(|| {
                        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                        Ok(())
                    });
                }
            }
        }

        let log = match config.log_file() {
            Some(path) => Some(create_log(path)?),
            None => None,
        };
        let echo_prefix = (std::env::var("NEREID_SERIAL_ECHO").as_deref() == Ok("1"))
            .then(|| format!("[{}] ", config.echo_name()));

        let start = Instant::now();
        let mut child = cmd.spawn().map_err(|e| spawn_error(config, e))?;
        let pid = child.id();
        let capture = Arc::new(SharedCapture::default());
        let stderr_tail = Arc::new(Mutex::new(TailBuffer::new(STDERR_TAIL_LINES)));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let stderr_done = Arc::new(std::sync::atomic::AtomicBool::new(stderr.is_none()));

        let qemu = Qemu {
            child: Some(child),
            exit: None,
            pid,
            start,
            capture: Arc::clone(&capture),
            stderr_tail: Arc::clone(&stderr_tail),
            stderr_done: Arc::clone(&stderr_done),
            stdin,
            cursor: 0,
            debug_exit: config.debug_exit_enabled(),
            command_line,
            qmp: None,
            qmp_socket,
            qmp_socket_fixed,
            png_screendump: None,
            scratch_counter: 0,
            dir,
        };
        // From here on, an error return drops `qemu`, which kills the child.
        if let Some(out) = stdout {
            let sinks = Sinks {
                log,
                echo_prefix: echo_prefix.clone(),
            };
            thread::Builder::new()
                .name(format!("qemu-{pid}-serial"))
                .spawn(move || pump(out, start, capture, sinks))
                .map_err(|e| HarnessError::io("spawning the serial reader thread", e))?;
        }
        if let Some(err) = stderr {
            thread::Builder::new()
                .name(format!("qemu-{pid}-stderr"))
                .spawn(move || collect_stderr(err, stderr_tail, stderr_done, echo_prefix))
                .map_err(|e| HarnessError::io("spawning the stderr reader thread", e))?;
        }
        Ok(qemu)
    }

    /// QEMU's process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The command line that was run, shell-quoted.
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// Time since QEMU was spawned.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The per-instance temporary directory (removed on drop).
    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Every complete serial line so far, plus the unterminated last one if any.
    pub fn lines(&self) -> Vec<SerialLine> {
        let st = self.capture.lock();
        st.lines
            .iter()
            .chain(st.pending.as_ref())
            .cloned()
            .collect()
    }

    /// The last lines of QEMU's own stderr output.
    pub fn stderr_tail(&self) -> Vec<String> {
        lock(&self.stderr_tail).iter().cloned().collect()
    }

    /// Waits for a complete serial line after the previous match that
    /// contains `needle` (ANSI escapes removed) and returns that line. Only
    /// terminated lines match, so the caller always sees the whole line even
    /// though the guest prints it a character at a time; use
    /// [`Qemu::expect_prompt`] for text that ends without a newline.
    /// On failure QEMU is killed and the error shows the last serial lines.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> Result<String, HarnessError> {
        self.expect_with(
            format!("serial line containing {needle:?}"),
            timeout,
            Lines::Complete,
            |line| line.contains(needle).then(|| line.to_string()),
        )
    }

    /// Like [`Qemu::expect`], but an unterminated line (a prompt such as
    /// `C:\> `) matches too; it is then consumed whole.
    pub fn expect_prompt(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, HarnessError> {
        self.expect_with(
            format!("serial output (prompt) containing {needle:?}"),
            timeout,
            Lines::WithPending,
            |line| line.contains(needle).then(|| line.to_string()),
        )
    }

    /// Like [`Qemu::expect`] for several needles; returns the index of the
    /// needle found first (the lowest index if one line has several) and the line.
    pub fn expect_any(
        &mut self,
        needles: &[&str],
        timeout: Duration,
    ) -> Result<(usize, String), HarnessError> {
        self.expect_with(
            format!("serial line containing any of {needles:?}"),
            timeout,
            Lines::Complete,
            |line| {
                needles
                    .iter()
                    .position(|n| line.contains(n))
                    .map(|i| (i, line.to_string()))
            },
        )
    }

    /// Like [`Qemu::expect`] with a regular expression (`regex` crate syntax).
    pub fn expect_regex(
        &mut self,
        pattern: &str,
        timeout: Duration,
    ) -> Result<RegexMatch, HarnessError> {
        let re = Regex::new(pattern)?;
        self.expect_with(
            format!("serial line matching /{pattern}/"),
            timeout,
            Lines::Complete,
            |line| {
                re.captures(line).map(|caps| RegexMatch {
                    line: line.to_string(),
                    groups: caps
                        .iter()
                        .map(|g| g.map(|m| m.as_str().to_string()))
                        .collect(),
                })
            },
        )
    }

    fn expect_with<T>(
        &mut self,
        expected: String,
        timeout: Duration,
        which: Lines,
        mut matcher: impl FnMut(&str) -> Option<T>,
    ) -> Result<T, HarnessError> {
        let deadline = Instant::now() + timeout;
        let capture = Arc::clone(&self.capture);
        let mut exited_at: Option<Instant> = None;
        loop {
            let eof = {
                let mut st = capture.lock();
                if let Some(found) = scan(&st, &mut self.cursor, which, &mut matcher) {
                    return Ok(found);
                }
                if !st.eof {
                    let now = Instant::now();
                    let wait = deadline.saturating_duration_since(now).min(POLL_INTERVAL);
                    st = capture.wait(st, wait);
                    if let Some(found) = scan(&st, &mut self.cursor, which, &mut matcher) {
                        return Ok(found);
                    }
                }
                st.eof
            };
            if self.exit.is_none() {
                self.poll_exit()?;
            }
            if self.exit.is_some() {
                // Output can trail the exit (serial and stderr are read by their own
                // threads); give both a moment before judging.
                let since = *exited_at.get_or_insert_with(Instant::now);
                let stderr_done = self.stderr_done.load(std::sync::atomic::Ordering::Acquire);
                if (eof && stderr_done) || since.elapsed() >= DRAIN_GRACE {
                    return Err(self.failure(expected, timeout, false));
                }
            }
            if Instant::now() >= deadline {
                self.kill_and_reap();
                return Err(self.failure(expected, timeout, true));
            }
            if eof {
                // Nothing left to wait on but the process; don't spin.
                thread::sleep(POLL_INTERVAL);
            }
        }
    }

    fn failure(&self, expected: String, timeout: Duration, killed: bool) -> HarnessError {
        let lines = self.lines();
        let skip = lines.len().saturating_sub(FAILURE_TAIL_LINES);
        HarnessError::Expect(Box::new(ExpectFailure {
            expected,
            timeout,
            exit: self.exit,
            killed,
            last_lines: lines[skip..].to_vec(),
            stderr_tail: self.stderr_tail(),
        }))
    }

    /// Writes bytes to the guest's serial port (QEMU's stdin).
    pub fn write_serial(&mut self, bytes: &[u8]) -> Result<(), HarnessError> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| HarnessError::Config("QEMU's stdin is not available".into()))?;
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .map_err(|e| HarnessError::io("writing to the serial port", e))
    }

    /// How QEMU ended, if it has; does not wait.
    pub fn try_exit(&mut self) -> Result<Option<ExitInfo>, HarnessError> {
        self.poll_exit()?;
        Ok(self.exit)
    }

    fn poll_exit(&mut self) -> Result<(), HarnessError> {
        if self.exit.is_some() {
            return Ok(());
        }
        if let Some(child) = self.child.as_mut() {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| HarnessError::io("waiting for QEMU", e))?
            {
                self.record_exit(status);
            }
        }
        Ok(())
    }

    fn record_exit(&mut self, status: std::process::ExitStatus) {
        self.exit = Some(ExitInfo::from_status(
            status,
            self.debug_exit,
            self.start.elapsed(),
        ));
        self.child = None;
        // QMP requests would only fail from now on.
        self.qmp = None;
    }

    /// Waits for QEMU to exit and reports how. With isa-debug-exit, a guest
    /// writing `v` to port 0xf4 shows up as `debug_exit_value == Some(v)`.
    /// On timeout QEMU is killed and the error shows the last serial lines.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitInfo, HarnessError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll_exit()?;
            if let Some(exit) = self.exit {
                self.drain_output();
                return Ok(exit);
            }
            if Instant::now() >= deadline {
                self.kill_and_reap();
                return Err(self.failure("QEMU to exit".into(), timeout, true));
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Waits briefly for the serial reader to reach end of stream, so
    /// `lines()` after an exit holds everything QEMU printed.
    fn drain_output(&self) {
        let deadline = Instant::now() + DRAIN_GRACE;
        let mut st = self.capture.lock();
        while !st.eof {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self.capture.wait(st, left);
        }
    }

    /// Kills QEMU now and returns how it ended (it may already have exited).
    pub fn kill(&mut self) -> Result<ExitInfo, HarnessError> {
        self.kill_and_reap();
        self.drain_output();
        self.exit
            .ok_or_else(|| HarnessError::Config("QEMU could not be reaped".into()))
    }

    fn kill_and_reap(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Signal the whole group while the leader is unreaped, so the group
        // id cannot have been recycled.
        if let Ok(pgid) = libc::pid_t::try_from(self.pid) {
            // SAFETY: plain kill(2) on our own child's process group.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
        let _ = child.kill();
        match child.wait() {
            Ok(status) => self.record_exit(status),
            Err(_) => self.child = None,
        }
    }

    // ---------------------------------------------------------------- QMP

    fn qmp(&mut self) -> Result<&mut QmpClient, HarnessError> {
        if self.qmp.is_none() {
            let client = self.connect_qmp()?;
            self.qmp = Some(client);
        }
        self.qmp
            .as_mut()
            .ok_or_else(|| HarnessError::Qmp("no connection".into()))
    }

    fn connect_qmp(&mut self) -> Result<QmpClient, HarnessError> {
        let path = self.qmp_socket.clone().ok_or(HarnessError::QmpDisabled)?;
        let deadline = Instant::now() + QMP_CONNECT_TIMEOUT;
        loop {
            self.poll_exit()?;
            if let Some(exit) = self.exit {
                let stderr = self.stderr_tail().join("\n");
                return Err(HarnessError::Qmp(format!(
                    "QEMU ended ({exit}) before QMP was available; its stderr:\n{stderr}"
                )));
            }
            match QmpClient::connect(&path) {
                Ok(stream) => return QmpClient::handshake(stream),
                Err(e) if Instant::now() >= deadline => {
                    return Err(HarnessError::io(
                        format!("connecting to QMP at {}", path.display()),
                        e,
                    ))
                }
                Err(_) => thread::sleep(POLL_INTERVAL),
            }
        }
    }

    /// Runs any QMP command and returns its `return` value. Pass
    /// `Value::Null` for a command without arguments.
    pub fn qmp_execute(&mut self, command: &str, args: Value) -> Result<Value, HarnessError> {
        self.qmp()?.execute(command, args)
    }

    /// QMP events (e.g. `SHUTDOWN`, `RESET`) seen so far; clears them.
    pub fn take_qmp_events(&mut self) -> Vec<Value> {
        self.qmp
            .as_mut()
            .map(QmpClient::take_events)
            .unwrap_or_default()
    }

    /// Runs a human monitor (HMP) command and returns its text output.
    pub fn human_monitor_command(&mut self, command: &str) -> Result<String, HarnessError> {
        let out = self.qmp_execute("human-monitor-command", json!({ "command-line": command }))?;
        Ok(out.as_str().unwrap_or_default().to_string())
    }

    /// Presses `keys` (QEMU qcodes such as `"ctrl"`, `"alt"`, `"delete"`,
    /// `"a"`, `"ret"`) together and releases them, through the emulated
    /// keyboard.
    pub fn send_key(&mut self, keys: &[&str]) -> Result<(), HarnessError> {
        self.qmp_execute("send-key", send_key_args(keys, None))
            .map(drop)
    }

    /// Types ASCII text on a US layout: shift for capitals and symbols,
    /// `\n` as Enter. Nothing is sent if a character has no key.
    pub fn type_text(&mut self, text: &str) -> Result<(), HarnessError> {
        let strokes = text_to_qcodes(text).map_err(HarnessError::UnmappableChar)?;
        for keys in strokes {
            self.send_key(&keys)?;
        }
        Ok(())
    }

    /// Saves the screen as a PNG at `path`. QEMU 7.1+ writes PNG itself;
    /// older or libpng-less builds write PPM, which is converted here.
    pub fn screendump(&mut self, path: impl AsRef<Path>) -> Result<(), HarnessError> {
        let target = std::path::absolute(path.as_ref())
            .map_err(|e| HarnessError::io("resolving the screendump path", e))?;
        let target_str = target
            .to_str()
            .ok_or_else(|| HarnessError::Image(format!("{} is not UTF-8", target.display())))?
            .to_string();
        if self.png_screendump != Some(false) {
            let res = self.qmp_execute(
                "screendump",
                json!({ "filename": target_str, "format": "png" }),
            );
            match res {
                Ok(_) => {
                    self.png_screendump = Some(true);
                    return Ok(());
                }
                // A QEMU that cannot write PNG says so with a command error.
                Err(HarnessError::QmpCommand { .. }) if self.png_screendump.is_none() => {
                    self.png_screendump = Some(false);
                }
                Err(e) => return Err(e),
            }
        }
        let ppm_path = self.scratch_path("screen.ppm");
        let ppm_str = ppm_path.to_string_lossy().into_owned();
        self.qmp_execute("screendump", json!({ "filename": ppm_str }))?;
        let ppm = std::fs::read(&ppm_path)
            .map_err(|e| HarnessError::io(format!("reading {}", ppm_path.display()), e))?;
        let _ = std::fs::remove_file(&ppm_path);
        let image = parse_ppm(&ppm).map_err(HarnessError::Image)?;
        let file = std::fs::File::create(&target)
            .map_err(|e| HarnessError::io(format!("creating {}", target.display()), e))?;
        encode_png(&image, std::io::BufWriter::new(file))
            .map_err(|e| HarnessError::Image(e.to_string()))
    }

    /// Reads guest physical memory (via QMP `pmemsave` into a temp file).
    pub fn read_phys(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, HarnessError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let path = self.scratch_path("phys.bin");
        let path_str = path.to_string_lossy().into_owned();
        self.qmp_execute(
            "pmemsave",
            json!({ "val": addr, "size": len, "filename": path_str }),
        )?;
        let data = std::fs::read(&path)
            .map_err(|e| HarnessError::io(format!("reading {}", path.display()), e))?;
        let _ = std::fs::remove_file(&path);
        if data.len() != len {
            return Err(HarnessError::Qmp(format!(
                "pmemsave of {len} bytes at {addr:#x} produced {} bytes",
                data.len()
            )));
        }
        Ok(data)
    }

    /// The 80x25 VGA text screen at 0xB8000, one string per row with
    /// trailing blanks removed. Meaningless while the guest is in a
    /// graphics mode.
    pub fn vga_text(&mut self) -> Result<Vec<String>, HarnessError> {
        let buf = self.read_phys(VGA_TEXT_BASE, VGA_TEXT_BYTES)?;
        Ok(decode_text(&buf, VGA_COLUMNS))
    }

    /// Asks QEMU to quit and waits for it to exit.
    pub fn quit(&mut self) -> Result<ExitInfo, HarnessError> {
        match self.qmp_execute("quit", Value::Null) {
            Ok(_) => {}
            // QEMU may close the socket before its reply gets through.
            Err(HarnessError::Qmp(_)) | Err(HarnessError::Io { .. })
                if self.try_exit()?.is_some() => {}
            Err(e) => return Err(e),
        }
        self.wait_exit(QUIT_TIMEOUT)
    }

    fn scratch_path(&mut self, name: &str) -> PathBuf {
        self.scratch_counter += 1;
        self.dir
            .path()
            .join(format!("{}-{name}", self.scratch_counter))
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        self.qmp = None;
        self.kill_and_reap();
        if self.qmp_socket_fixed {
            if let Some(sock) = &self.qmp_socket {
                let _ = std::fs::remove_file(sock);
            }
        }
        // `dir` (a TempDir) is removed when the fields drop, after QEMU is gone.
    }
}

impl std::fmt::Debug for Qemu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Qemu")
            .field("pid", &self.pid)
            .field("command_line", &self.command_line)
            .field("exit", &self.exit)
            .finish_non_exhaustive()
    }
}

/// Which serial lines an expectation looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Terminated lines only: a match sees the whole line.
    Complete,
    /// Also the line still being printed (prompts).
    WithPending,
}

/// Looks for a match from `cursor` on, advancing it past the matched line
/// (or past every line looked at when nothing matched).
fn scan<T>(
    st: &Captured,
    cursor: &mut usize,
    which: Lines,
    matcher: &mut impl FnMut(&str) -> Option<T>,
) -> Option<T> {
    while *cursor < st.lines.len() {
        let line = &st.lines[*cursor];
        *cursor += 1;
        if let Some(found) = matcher(&line.text) {
            return Some(found);
        }
    }
    if which == Lines::WithPending && *cursor == st.lines.len() {
        if let Some(pending) = &st.pending {
            if let Some(found) = matcher(&pending.text) {
                *cursor += 1;
                return Some(found);
            }
        }
    }
    None
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn create_log(path: &Path) -> Result<std::fs::File, HarnessError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| HarnessError::io(format!("creating {}", parent.display()), e))?;
    }
    std::fs::File::create(path)
        .map_err(|e| HarnessError::io(format!("creating serial log {}", path.display()), e))
}

fn collect_stderr(
    source: std::process::ChildStderr,
    tail: Arc<Mutex<TailBuffer<String>>>,
    done: Arc<std::sync::atomic::AtomicBool>,
    echo_prefix: Option<String>,
) {
    for line in BufReader::new(source).split(b'\n') {
        let Ok(line) = line else { break };
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if let Some(prefix) = &echo_prefix {
            eprintln!("{prefix}qemu stderr: {text}");
        }
        lock(&tail).push(text);
    }
    done.store(true, std::sync::atomic::Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(lines: &[&str], pending: Option<&str>) -> Captured {
        let mk = |t: &str| SerialLine {
            elapsed: Duration::ZERO,
            raw: t.into(),
            text: t.into(),
        };
        Captured {
            lines: lines.iter().map(|t| mk(t)).collect(),
            pending: pending.map(mk),
            eof: false,
        }
    }

    fn contains(needle: &str) -> impl FnMut(&str) -> Option<String> + '_ {
        move |l: &str| l.contains(needle).then(|| l.to_string())
    }

    #[test]
    fn scan_advances_past_matches() {
        let st = captured(&["a ok", "b", "c ok"], None);
        let mut cursor = 0;
        assert_eq!(
            scan(&st, &mut cursor, Lines::Complete, &mut contains("ok")),
            Some("a ok".into())
        );
        assert_eq!(cursor, 1);
        assert_eq!(
            scan(&st, &mut cursor, Lines::Complete, &mut contains("ok")),
            Some("c ok".into())
        );
        assert_eq!(cursor, 3);
        assert_eq!(
            scan(&st, &mut cursor, Lines::Complete, &mut contains("ok")),
            None
        );
        assert_eq!(cursor, 3);
    }

    #[test]
    fn scan_matches_prompt_once() {
        let st = captured(&["boot"], Some("C:\\>"));
        let mut cursor = 0;
        assert_eq!(
            scan(&st, &mut cursor, Lines::WithPending, &mut contains(">")),
            Some("C:\\>".into())
        );
        assert_eq!(cursor, 2);
        // The prompt is consumed: it must not match again, even once complete.
        assert_eq!(
            scan(&st, &mut cursor, Lines::WithPending, &mut contains(">")),
            None
        );
        let later = captured(&["boot", "C:\\>dir", "x>"], None);
        assert_eq!(
            scan(&later, &mut cursor, Lines::WithPending, &mut contains(">")),
            Some("x>".into())
        );
    }

    #[test]
    fn complete_scan_ignores_the_line_being_printed() {
        let st = captured(&["boot"], Some("ntos: process 1 fau"));
        let mut cursor = 0;
        assert_eq!(
            scan(&st, &mut cursor, Lines::Complete, &mut contains("fau")),
            None
        );
        assert_eq!(cursor, 1, "the pending line must stay unconsumed");
        let later = captured(&["boot", "ntos: process 1 fault: x"], None);
        assert_eq!(
            scan(&later, &mut cursor, Lines::Complete, &mut contains("fau")),
            Some("ntos: process 1 fault: x".into())
        );
    }
}
