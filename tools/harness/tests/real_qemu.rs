//! The harness against real QEMU without a guest kernel: SeaBIOS finds no
//! boot device and waits, which is enough to exercise QMP. These tests fail
//! (with instructions) when QEMU is not installed.

use std::path::Path;
use std::time::{Duration, Instant};

use nereid_harness::{png_dimensions, Arch, Qemu, QemuConfig, PNG_SIGNATURE, VGA_ROWS};
use serde_json::{json, Value};

fn start_bios(arch: Arch) -> Qemu {
    // No NIC: otherwise SeaBIOS spends seconds in the iPXE ROM.
    QemuConfig::new(arch)
        .args(["-nic", "none"])
        .start()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Polls the VGA text screen until a row contains `needle`.
fn wait_for_screen(qemu: &mut Qemu, needle: &str, timeout: Duration) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let rows = qemu.vga_text().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), VGA_ROWS);
        assert!(rows.iter().all(|r| r.chars().count() <= 80));
        if rows.iter().any(|r| r.contains(needle)) || Instant::now() >= deadline {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn qmp_screen_keys_and_quit_x86_64() {
    let mut qemu = start_bios(Arch::X86_64);
    let pid = qemu.pid();

    let status = qemu
        .qmp_execute("query-status", Value::Null)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status["status"], "running", "{status}");

    let rows = wait_for_screen(&mut qemu, "SeaBIOS", Duration::from_secs(15));
    assert!(
        rows.iter().any(|r| r.contains("SeaBIOS")),
        "no SeaBIOS banner on screen: {rows:#?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let shot = dir.path().join("screen.png");
    qemu.screendump(&shot).unwrap_or_else(|e| panic!("{e}"));
    let png = std::fs::read(&shot).expect("screendump wrote a file");
    assert_eq!(png[..8], PNG_SIGNATURE);
    let (w, h) = png_dimensions(&png).expect("PNG header");
    // SeaBIOS text mode renders at 720x400; allow other VGA text/graphics sizes.
    assert!(
        (320..=2048).contains(&w) && (200..=1536).contains(&h),
        "{w}x{h}"
    );

    qemu.send_key(&["shift", "a"])
        .unwrap_or_else(|e| panic!("{e}"));
    qemu.type_text("dir C:\\\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = qemu
        .send_key(&["no-such-key"])
        .expect_err("QEMU rejects unknown qcodes");
    assert!(err.to_string().contains("send-key"), "{err}");

    let hmp = qemu
        .human_monitor_command("info status")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(hmp.contains("running"), "{hmp}");
    let bytes = qemu.read_phys(0xB8000, 2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bytes.len(), 2);
    assert_eq!(bytes[0], b'S', "first cell should hold SeaBIOS's 'S'");

    let exit = qemu.quit().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code, Some(0), "{exit}");
    assert_eq!(exit.signal, None);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "QEMU {pid} still there"
    );
    let events = qemu.take_qmp_events();
    assert!(events.iter().all(|e| e.get("event").is_some()));
}

#[test]
fn i386_starts_and_drop_kills_it() {
    let mut qemu = start_bios(Arch::I386);
    let pid = qemu.pid();
    assert!(qemu
        .command_line()
        .starts_with("qemu-system-i386 -cpu qemu32 -m 512 "));
    let ret = qemu
        .qmp_execute("query-cpus-fast", json!({}))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ret[0]["target"], "i386", "{ret}");
    drop(qemu);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "QEMU {pid} survived drop"
    );
}

#[test]
fn typed_keys_reach_the_guest() {
    // SeaBIOS offers a boot menu on ESC and picks an entry by digit, which
    // proves key events travel QMP -> PS/2 keyboard -> guest.
    let mut qemu = QemuConfig::new(Arch::X86_64)
        .args(["-nic", "none", "-boot", "menu=on,splash-time=20000"])
        .start()
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = wait_for_screen(&mut qemu, "Press ESC", Duration::from_secs(15));
    assert!(rows.iter().any(|r| r.contains("Press ESC")), "{rows:#?}");
    qemu.send_key(&["esc"]).unwrap_or_else(|e| panic!("{e}"));
    // The menu is drawn line by line; wait for the entry we will pick.
    let rows = wait_for_screen(&mut qemu, "Floppy [drive A]", Duration::from_secs(15));
    let floppy = rows
        .iter()
        .find_map(|r| r.strip_suffix(". Floppy [drive A]"))
        .unwrap_or_else(|| panic!("no floppy entry: {rows:#?}"))
        .to_string();
    qemu.type_text(&floppy).unwrap_or_else(|e| panic!("{e}"));
    let rows = wait_for_screen(&mut qemu, "Booting from Floppy", Duration::from_secs(15));
    assert!(
        rows.iter().any(|r| r.contains("Booting from Floppy")),
        "{rows:#?}"
    );
}
