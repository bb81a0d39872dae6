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

/// The exit status each benchmark program ends with when its figures are good.
const PROGRAM_STATUS: &[(&str, u32)] = &[
    ("nullbench.exe", 0xBE4C),
    ("svcbench.exe", 0xBE4D),
    ("procbench.exe", 0xBE4E),
    ("ping.exe", 0xA001),
    ("pong.exe", 0xA002),
];

/// The samples of one bench boot: the executive's own (the baseline) and the native
/// benchmark programs' it starts afterwards.
fn collect(paths: &Paths, img: &image::Image) -> Result<Vec<Sample>> {
    let lines = boot_lines(paths, img, "bench")?;
    for program in image::BENCH_PROGRAMS {
        let want = PROGRAM_STATUS
            .iter()
            .find(|(p, _)| p == program)
            .map(|&(_, s)| s)
            .ok_or_else(|| Failure(format!("{program}: no expected exit status")))?;
        let done = format!("ntos: process {program} exited with status {want:#010x}");
        if !lines.iter().any(|l| l.contains(&done)) {
            return Err(Failure(format!(
                "{}: {program} did not end with {want:#x} (see the bench log)",
                img.arch.name()
            )));
        }
    }
    let samples: Vec<Sample> = lines.iter().filter_map(|l| Sample::parse(l)).collect();
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
        let samples = step(&format!("benchmarks ({})", arch.name()), || {
            collect(paths, &img)
        })?;
        out += &report(arch, &samples);
    }
    println!(
        "\nUnits: rdtsc cycles per operation. QEMU runs under TCG here, so these are emulated\n\
         cycles that follow host time, not hardware figures; compare ratios, not values.\n\
         ratio = median / median of the raw seL4 Call/ReplyRecv round trip ({BASELINE}).\n\
         Native-program figures come from the same boot, timed in the program: null_service\n\
         is NtClose on an invalid handle; handle_open_close is NtOpenEvent of a named event\n\
         + NtClose; vm_1mib is NtAllocateVirtualMemory of 1 MiB, a write to each of its 256\n\
         pages and NtFreeVirtualMemory; first_touch_page is one such write (a demand-zero\n\
         fault served by the executive); event_pingpong is one round between ping.exe and\n\
         pong.exe (NtSetEvent + NtWaitForSingleObject that blocks, in each process: two\n\
         services and two wakeups per round, so one set->wake across processes is about half\n\
         of it). Their tsc_mhz is 0 (a program cannot learn it).\n"
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
