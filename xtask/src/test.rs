//! `cargo xtask test`: every test there is. Host unit tests first (fast, no QEMU), then
//! selftest images for each arch in debug and release, booted by the integration tests
//! in `tests/qemu` through the QEMU harness.

use crate::image::{self, Variant};
use crate::progress::{step, Result};
use crate::{sh, Options, Paths, Profile};
use std::process::Command;

pub fn test(paths: &Paths, o: &Options) -> Result {
    let env = image::BuildEnv::prepare(paths, false)?;
    if !o.qemu_only {
        step("formatting (cargo fmt --check)", || {
            sh::status(
                Command::new("cargo")
                    .current_dir(&paths.root)
                    .args(["fmt", "--all", "--", "--check"]),
            )
        })?;
        step("lints (cargo clippy, warnings are errors)", || {
            sh::status(Command::new("cargo").current_dir(&paths.root).args([
                "clippy",
                "--quiet",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
        // The PE crates (ntdll, the native programs, the test DLL) have code only their
        // Windows targets compile: lint it there too.
        for &arch in &o.arches {
            step(
                &format!("lints of the PE crates ({})", arch.pe_target()),
                || {
                    sh::status(Command::new("cargo").current_dir(&paths.root).args([
                        "clippy",
                        "--quiet",
                        "--package",
                        "ntdll",
                        "--package",
                        "ntsuite",
                        "--package",
                        "hello",
                        "--package",
                        "smss",
                        "--package",
                        "testdll",
                        "--target",
                        arch.pe_target(),
                        "--",
                        "-D",
                        "warnings",
                    ]))
                },
            )?;
        }
        step("host unit tests (cargo test)", || {
            sh::status(Command::new("cargo").current_dir(&paths.root).args([
                "test",
                "--workspace",
                "--exclude",
                "nereid-qemu-tests",
            ]))
        })?;
    }
    if o.host_only {
        return Ok(());
    }
    for &arch in &o.arches {
        for profile in [Profile::Debug, Profile::Release] {
            image::build(paths, &env, arch, profile, Variant::SelfTest)?;
        }
        // The VGA test reads the screen of a build that stays up.
        image::build(paths, &env, arch, Profile::Debug, Variant::Run)?;
    }
    let arches: Vec<&str> = o.arches.iter().map(|a| a.name()).collect();
    step(
        &format!("QEMU integration tests ({})", arches.join(", ")),
        || {
            sh::status(
                Command::new("cargo")
                    .current_dir(&paths.root)
                    .args([
                        "test",
                        "--package",
                        "nereid-qemu-tests",
                        // Only the integration tests: their result line closes the run.
                        "--test",
                        "boot",
                        "--",
                        "--test-threads=2",
                    ])
                    .env("NEREID_IMAGES", paths.work.join("images"))
                    .env("NEREID_ARCHES", arches.join(","))
                    .env("NEREID_LOGS", paths.work.join("logs")),
            )
        },
    )
}
