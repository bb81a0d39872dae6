//! `cargo xtask run`: build and boot one arch interactively.

use crate::image::{self, Variant};
use crate::progress::{Failure, Result};
use crate::{Arch, Options, Paths};
use nereid_harness::{Display, QemuConfig};

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

pub fn run(paths: &Paths, o: &Options) -> Result {
    let arch = o.arches[0];
    let window = !o.headless && has_display();
    let env = image::BuildEnv::prepare(paths, window)?;
    let set = image::BootSet {
        add: o.add.clone(),
        start: o.start.clone(),
    };
    let dir = image::image_dir(paths, arch, o.profile, Variant::Run);
    let img = image::build_with(paths, &env, arch, o.profile, Variant::Run, &set, dir)?;
    let cfg = QemuConfig::new(match arch {
        Arch::X86_64 => nereid_harness::Arch::X86_64,
        Arch::I386 => nereid_harness::Arch::I386,
    })
    .kernel(&img.kernel)
    .module(&img.root_task)
    // Window: VGA console in the window, serial log here. Otherwise the serial
    // console is this terminal (Ctrl-A X quits, Ctrl-A C toggles QEMU's monitor).
    .display(if window {
        Display::Window
    } else {
        Display::Console
    });
    eprintln!("\x1b[1m==>\x1b[0m booting: {}", cfg.describe());
    if !window {
        eprintln!("    (serial console; quit with Ctrl-A X)");
    }
    let exit = cfg.run_interactive().map_err(|e| Failure(e.to_string()))?;
    eprintln!("    QEMU ended: {exit}");
    Ok(())
}
