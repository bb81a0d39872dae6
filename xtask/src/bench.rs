//! `cargo xtask bench`: boots release bench builds and reports every `BENCH` line the
//! executive prints, as a ratio to the raw seL4 Call/ReplyRecv round trip between two
//! address spaces measured in the same boot. Figures are never test assertions.

use crate::image::{self, Variant};
use crate::progress::{step, Failure, Result};
use crate::{Arch, Options, Paths, Profile};
use nereid_harness::QemuConfig;
use std::collections::BTreeMap;
use std::time::Duration;

/// The baseline every other figure is divided by.
pub const BASELINE: &str = "ipc_roundtrip";

/// One `BENCH <name> key=value …` line.
#[derive(Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

impl Sample {
    pub fn parse(line: &str) -> Option<Sample> {
        let rest = line[line.find("BENCH ")? + 6..].trim();
        let mut words = rest.split_whitespace();
        let name = words.next()?.to_string();
        let fields = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some(Sample { name, fields })
    }

    pub fn num(&self, key: &str) -> Option<f64> {
        self.fields.get(key)?.parse().ok()
    }
}

fn harness(e: impl std::fmt::Display) -> Failure {
    Failure(e.to_string())
}

fn arch_harness(arch: Arch) -> nereid_harness::Arch {
    match arch {
        Arch::X86_64 => nereid_harness::Arch::X86_64,
        Arch::I386 => nereid_harness::Arch::I386,
    }
}

/// Boots `img` until it powers off and returns its serial lines.
fn boot_lines(paths: &Paths, img: &image::Image, log: &str) -> Result<Vec<String>> {
    let cfg = QemuConfig::new(arch_harness(img.arch))
        .kernel(&img.kernel)
        .module(&img.root_task)
        .log_path(
            paths
                .work
                .join("logs")
                .join(format!("{log}-{}.log", img.arch.name())),
        );
    let mut q = cfg.start().map_err(harness)?;
    q.wait_exit(Duration::from_secs(600)).map_err(harness)?;
    Ok(q.lines().into_iter().map(|l| l.text).collect())
}

/// The samples of a bench boot (the baseline) and of a boot running the native
/// benchmark programs.
fn collect(paths: &Paths, img: &image::Image, programs: &image::Image) -> Result<Vec<Sample>> {
    let mut samples: Vec<Sample> = boot_lines(paths, img, "bench")?
        .iter()
        .filter_map(|l| Sample::parse(l))
        .collect();
    let lines = boot_lines(paths, programs, "bench-programs")?;
    for program in image::BENCH_PROGRAMS {
        let done = format!("ntos: process {program} exited with status 0x0000be4c");
        if !lines.iter().any(|l| l.contains(&done)) {
            return Err(Failure(format!(
                "{}: {program} did not end with 0xbe4c (see the bench-programs log)",
                img.arch.name()
            )));
        }
    }
    samples.extend(lines.iter().filter_map(|l| Sample::parse(l)));
    if !samples.iter().any(|s| s.name == BASELINE) {
        return Err(Failure(format!(
            "{} bench build printed no `BENCH {BASELINE}` line",
            img.arch.name()
        )));
    }
    Ok(samples)
}

pub fn report(arch: Arch, samples: &[Sample]) -> String {
    let base = samples
        .iter()
        .find(|s| s.name == BASELINE)
        .and_then(|s| s.num("median"))
        .unwrap_or(f64::NAN);
    let mut out = String::new();
    for s in samples {
        let f = |k: &str| {
            s.fields
                .get(k)
                .map(String::as_str)
                .unwrap_or("-")
                .to_string()
        };
        let ratio = s.num("median").map(|m| m / base).unwrap_or(f64::NAN);
        out += &format!(
            "{:<8} {:<24} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7.2}x\n",
            arch.name(),
            s.name,
            f("n"),
            f("median"),
            f("p10"),
            f("p90"),
            f("min"),
            f("max"),
            ratio
        );
    }
    out
}

pub fn bench(paths: &Paths, o: &Options) -> Result {
    let env = image::BuildEnv::prepare(paths, false)?;
    let mut out = format!(
        "{:<8} {:<24} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}\n",
        "arch", "benchmark", "n", "median", "p10", "p90", "min", "max", "ratio"
    );
    for &arch in &o.arches {
        let img = image::build(paths, &env, arch, Profile::Release, Variant::Bench)?;
        // Bench builds of the executive do not start boot programs (yet), so the
        // native benchmarks run in a release selftest image that starts only them.
        let set = image::BootSet {
            add: Vec::new(),
            start: Some(
                image::BENCH_PROGRAMS
                    .iter()
                    .map(|p| (*p).to_owned())
                    .collect(),
            ),
        };
        let dir = paths
            .work
            .join("images")
            .join(format!("{}-release-bench-programs", arch.name()));
        let programs = image::build_with(
            paths,
            &env,
            arch,
            Profile::Release,
            Variant::SelfTest,
            &set,
            dir,
        )?;
        let samples = step(&format!("benchmarks ({})", arch.name()), || {
            collect(paths, &img, &programs)
        })?;
        out += &report(arch, &samples);
    }
    println!(
        "\nUnits: rdtsc cycles per operation. QEMU runs under TCG here, so these are emulated\n\
         cycles that follow host time, not hardware figures; compare ratios, not values.\n\
         ratio = median / median of the raw seL4 Call/ReplyRecv round trip ({BASELINE}).\n\
         Native-program figures (null_service: NtClose on an invalid handle, timed in the\n\
         program around the call) come from a second boot of a release image that starts\n\
         only the benchmark programs; their tsc_mhz is 0 (the program cannot learn it).\n"
    );
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bench_line_with_prefix_noise() {
        let s = Sample::parse(
            "ntos: BENCH ipc_roundtrip arch=x86_64 n=10000 median=3240 p10=3100 unit=cycles",
        )
        .unwrap();
        assert_eq!(s.name, "ipc_roundtrip");
        assert_eq!(s.num("median"), Some(3240.0));
        assert_eq!(s.fields["arch"], "x86_64");
        assert!(Sample::parse("ntos: nothing here").is_none());
    }

    #[test]
    fn ratio_is_relative_to_baseline() {
        let samples = vec![
            Sample::parse("BENCH ipc_roundtrip n=10 median=2000").unwrap(),
            Sample::parse("BENCH null_service n=10 median=2500").unwrap(),
        ];
        let r = report(Arch::X86_64, &samples);
        assert!(r.contains("1.00x"), "{r}");
        assert!(r.contains("1.25x"), "{r}");
    }
}
