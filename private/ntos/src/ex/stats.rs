//! Summary statistics for benchmark samples.

use alloc::string::String;
use core::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub n: usize,
    pub median: u64,
    pub p10: u64,
    pub p90: u64,
    pub min: u64,
    pub max: u64,
}

/// Nearest-rank percentile of sorted data: the smallest value with at
/// least `pct` percent of the samples at or below it.
fn nearest_rank(sorted: &[u64], pct: usize) -> u64 {
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Sorts `samples` in place and summarises them; `None` when empty.
pub fn summarize(samples: &mut [u64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    Some(Summary {
        n: samples.len(),
        median: nearest_rank(samples, 50),
        p10: nearest_rank(samples, 10),
        p90: nearest_rank(samples, 90),
        min: samples[0],
        max: samples[samples.len() - 1],
    })
}

/// The one machine-readable benchmark line (stable format).
pub fn bench_line(name: &str, arch: &str, s: &Summary, tsc_mhz: u64) -> String {
    let mut line = String::new();
    // Writing into a String cannot fail.
    let _ = write!(
        line,
        "BENCH {name} arch={arch} n={} median={} p10={} p90={} min={} max={} unit=cycles tsc_mhz={tsc_mhz}",
        s.n, s.median, s.p10, s.p90, s.min, s.max
    );
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_hundred() {
        let mut v: Vec<u64> = (1..=100).rev().collect();
        let s = summarize(&mut v).unwrap();
        assert_eq!(
            s,
            Summary {
                n: 100,
                median: 50,
                p10: 10,
                p90: 90,
                min: 1,
                max: 100
            }
        );
    }

    #[test]
    fn odd_count_and_duplicates() {
        let mut v = [7u64, 3, 9, 3, 100];
        let s = summarize(&mut v).unwrap();
        assert_eq!(s.median, 7);
        assert_eq!(s.p10, 3);
        assert_eq!(s.p90, 100);
        assert_eq!((s.min, s.max), (3, 100));
        assert_eq!(v, [3, 3, 7, 9, 100]);
    }

    #[test]
    fn single_and_empty() {
        let s = summarize(&mut [42]).unwrap();
        assert_eq!((s.median, s.p10, s.p90, s.min, s.max), (42, 42, 42, 42, 42));
        assert_eq!(summarize(&mut []), None);
    }

    #[test]
    fn ten_thousand_samples() {
        let mut v: Vec<u64> = (0..10_000u64).map(|i| (i * 7919) % 10_000 + 1000).collect();
        let s = summarize(&mut v).unwrap();
        assert_eq!(s.n, 10_000);
        assert_eq!(s.min, 1000);
        assert_eq!(s.max, 10_999);
        assert_eq!(s.median, 5999);
        assert_eq!(s.p10, 1999);
        assert_eq!(s.p90, 9999);
    }

    #[test]
    fn bench_line_format_is_stable() {
        let s = Summary {
            n: 10000,
            median: 3240,
            p10: 3000,
            p90: 5000,
            min: 2900,
            max: 90000,
        };
        assert_eq!(
            bench_line("ipc_roundtrip", "x86_64", &s, 2600),
            "BENCH ipc_roundtrip arch=x86_64 n=10000 median=3240 p10=3000 p90=5000 min=2900 max=90000 unit=cycles tsc_mhz=2600"
        );
    }
}
