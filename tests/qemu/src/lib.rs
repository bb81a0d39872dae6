//! Shared plumbing for the QEMU integration tests: where `cargo xtask test` put the
//! images, which arches it asked for, and how to boot one through the harness.
//!
//! These tests need images built by `cargo xtask test`; run directly they fail with a
//! message saying so rather than passing without having booted anything.

use nereid_harness::{Arch, Qemu, QemuConfig};
use std::path::PathBuf;
use std::time::Duration;

/// Generous per-step timeout: QEMU runs under TCG on a loaded 2-core machine.
pub const STEP: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

pub fn arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64",
        Arch::I386 => "i386",
    }
}

fn images_dir() -> PathBuf {
    match std::env::var_os("NEREID_IMAGES") {
        Some(d) => PathBuf::from(d),
        None => panic!("NEREID_IMAGES is not set: run these tests through `cargo xtask test`"),
    }
}

/// Whether `cargo xtask test --arch …` asked for this arch (all when unset).
pub fn wanted(arch: Arch) -> bool {
    match std::env::var("NEREID_ARCHES") {
        Ok(list) => list.split(',').any(|a| a == arch_name(arch)),
        Err(_) => true,
    }
}

/// Boots `<arch>-<profile>-<variant>` with the serial log kept in `target/nereid/logs`.
pub fn boot(arch: Arch, profile: Profile, variant: &str, test: &str) -> Qemu {
    let dir = images_dir().join(format!("{}-{}-{variant}", arch_name(arch), profile.name()));
    let kernel = dir.join("kernel.elf");
    let root_task = dir.join("ntos.elf");
    assert!(
        kernel.is_file() && root_task.is_file(),
        "no image in {} (build it with `cargo xtask test`)",
        dir.display()
    );
    let logs = std::env::var_os("NEREID_LOGS")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&logs).expect("create log folder");
    let cfg = QemuConfig::new(arch)
        .kernel(kernel)
        .module(root_task)
        .name(test)
        .log_path(logs.join(format!("{test}.log")));
    cfg.start().unwrap_or_else(|e| panic!("{e}"))
}
