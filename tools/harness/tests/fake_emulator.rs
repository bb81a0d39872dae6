//! The harness against fake emulators (shell scripts): expectations,
//! failure reports, exit decoding and process cleanup, without QEMU.

use std::path::Path;
use std::time::{Duration, Instant};

use nereid_harness::{Arch, HarnessError, Qemu, QemuConfig};

fn fake(script: &str) -> QemuConfig {
    QemuConfig::new(Arch::X86_64).program_override("sh", ["-c", script])
}

fn start(config: &QemuConfig) -> Qemu {
    config.start().unwrap_or_else(|e| panic!("{e}"))
}

/// True once `pid` is gone or only a zombie awaiting its (foreign) reaper.
fn process_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
        let gone = match stat {
            Err(_) => true,
            // Field 3, after the parenthesised command name, is the state.
            Ok(s) => s
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        };
        if gone {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn expect_finds_banner_and_failure_reports_last_lines() {
    let mut qemu = start(&fake("echo booting; echo banner; sleep 60"));
    let pid = qemu.pid();
    let line = qemu
        .expect("banner", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line, "banner");

    let t0 = Instant::now();
    let err = qemu
        .expect("never-printed", Duration::from_millis(300))
        .expect_err("needle is never printed");
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    let text = err.to_string();
    assert!(text.contains("timed out after 0.300 s"), "{text}");
    assert!(text.contains("\"never-printed\""), "{text}");
    assert!(text.contains("last 2 serial lines:"), "{text}");
    assert!(text.contains("] booting\n"), "{text}");
    assert!(text.contains("] banner\n"), "{text}");
    let failure = err.expect_failure().expect("an Expect failure");
    assert!(failure.killed);
    assert_eq!(failure.exit.and_then(|e| e.signal), Some(9), "SIGKILL");

    // The harness killed and reaped it: no zombie left either.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} survived"
    );
}

#[test]
fn failure_shows_at_most_40_lines() {
    let mut qemu = start(&fake(
        "i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done; sleep 60",
    ));
    qemu.expect("line99", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = qemu
        .expect("nope", Duration::from_millis(100))
        .expect_err("never printed");
    let failure = err.expect_failure().expect("an Expect failure");
    assert_eq!(failure.last_lines.len(), 40);
    assert_eq!(failure.last_lines[0].text, "line60");
    assert_eq!(failure.last_lines[39].text, "line99");
    let text = err.to_string();
    assert!(text.contains("last 40 serial lines:"), "{text}");
    assert!(!text.contains("line59"), "{text}");
}

#[test]
fn exit_status_3_is_debug_exit_value_1() {
    let mut qemu = start(&fake("echo bye; exit 3"));
    let exit = qemu
        .wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code, Some(3));
    assert_eq!(exit.debug_exit_value, Some(1));
    assert_eq!(
        qemu.lines().last().map(|l| l.text.clone()),
        Some("bye".into())
    );

    let mut plain = start(&fake("exit 3").debug_exit(false));
    let exit = plain
        .wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((exit.code, exit.debug_exit_value), (Some(3), None));
}

#[test]
fn expect_fails_fast_when_the_emulator_dies() {
    let mut qemu = start(&fake("echo 'kernel panic' ; echo 'oops' >&2; exit 5"));
    let t0 = Instant::now();
    let err = qemu
        .expect("login:", Duration::from_secs(30))
        .expect_err("emulator exits");
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        t0.elapsed()
    );
    let failure = err.expect_failure().expect("an Expect failure");
    assert!(!failure.killed);
    assert_eq!(failure.exit.and_then(|e| e.code), Some(5));
    let text = err.to_string();
    assert!(
        text.starts_with("QEMU ended (exit status 5 (debug-exit value 2)"),
        "{text}"
    );
    assert!(text.contains("kernel panic"), "{text}");
    assert!(text.contains("QEMU stderr:\n  oops"), "{text}");
}

#[test]
fn drop_kills_the_whole_process_group() {
    let mut qemu = start(&fake("sleep 60 & echo child $!; wait"));
    let m = qemu
        .expect_regex(r"child (\d+)", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let child: u32 = m.groups[1]
        .as_deref()
        .expect("group 1")
        .parse()
        .expect("pid");
    let pid = qemu.pid();
    let dir = qemu.temp_dir().to_path_buf();
    assert!(dir.is_dir());
    drop(qemu);
    assert!(process_gone(pid), "emulator {pid} survived drop");
    assert!(process_gone(child), "grandchild {child} survived drop");
    assert!(!dir.exists(), "temp dir {} not removed", dir.display());
}

#[test]
fn ansi_prompts_regex_and_expect_any() {
    let script =
        r#"printf '\033[1;32mBoot\033[0m config\r\n'; echo 'x=1 y=22'; printf 'C:\\> '; sleep 60"#;
    let mut qemu = start(&fake(script));
    assert_eq!(
        qemu.expect("Boot config", Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}")),
        "Boot config"
    );
    let m = qemu
        .expect_regex(r"x=(\d+) y=(\d+)", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        m.groups,
        [Some("x=1 y=22".into()), Some("1".into()), Some("22".into())]
    );
    // A plain expect waits for whole lines: the prompt (no newline) is not one.
    assert!(qemu.expect("C:\\>", Duration::from_millis(300)).is_err());
    let mut qemu = start(&fake(script));
    qemu.expect("x=1", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    // expect_prompt also sees the line still being printed.
    let line = qemu
        .expect_prompt("C:\\>", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line, "C:\\> ");
    let lines = qemu.lines();
    assert_eq!(lines[0].raw, "\x1b[1;32mBoot\x1b[0m config\r");
    assert_eq!(lines[0].text, "Boot config");
    assert!(lines.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
    // Already consumed: a second match on the same text must not happen.
    assert!(qemu
        .expect("Boot config", Duration::from_millis(100))
        .is_err());
}

#[test]
fn invalid_regex_is_an_error_not_a_panic() {
    let mut qemu = start(&fake("sleep 60"));
    let err = qemu
        .expect_regex("(", Duration::from_millis(10))
        .expect_err("bad regex");
    assert!(matches!(err, HarnessError::Regex(_)), "{err}");
}

#[test]
fn serial_input_reaches_the_guest() {
    let mut qemu = start(&fake(r#"read l; echo "got $l"; sleep 60"#));
    qemu.write_serial(b"hello\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        qemu.expect("got", Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}")),
        "got hello"
    );
}

#[test]
fn log_file_keeps_raw_text_with_timestamps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("sub/serial.log");
    let mut qemu = start(&fake(r#"printf '\033[31mred\033[0m\n'; echo plain"#).log_path(&log));
    qemu.wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(&log).expect("log written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with('[') && lines[0].ends_with("] \x1b[31mred\x1b[0m"),
        "{text}"
    );
    assert!(lines[1].ends_with("] plain"), "{text}");
}

#[test]
fn wait_exit_timeout_kills() {
    let mut qemu = start(&fake("echo alive; sleep 60"));
    let pid = qemu.pid();
    let err = qemu
        .wait_exit(Duration::from_millis(200))
        .expect_err("still running");
    let text = err.to_string();
    assert!(
        text.starts_with("timed out after 0.200 s waiting for QEMU to exit"),
        "{text}"
    );
    assert!(text.contains("] alive"), "{text}");
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn missing_emulator_has_a_clear_message() {
    let err = QemuConfig::new(Arch::X86_64)
        .program_override("/nonexistent/qemu-system-x86_64", [""; 0])
        .start()
        .expect_err("no such program");
    assert!(matches!(err, HarnessError::QemuNotFound { .. }));
    assert_eq!(
        err.to_string(),
        "/nonexistent/qemu-system-x86_64 not found: run `cargo xtask test`, which installs qemu-system-x86"
    );
}

#[test]
fn console_mode_is_refused_by_start() {
    let err = fake("true")
        .display(nereid_harness::Display::Console)
        .start()
        .expect_err("console mode needs run_interactive");
    assert!(err.to_string().contains("run_interactive"), "{err}");
}

#[test]
fn run_interactive_returns_the_status() {
    let exit = fake("exit 7")
        .run_interactive()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((exit.code, exit.debug_exit_value), (Some(7), Some(3)));
}
