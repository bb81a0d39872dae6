//! Time-stamp counter.

/// Reads the TSC after all earlier instructions have completed (`lfence`
/// keeps `rdtsc` from being hoisted above the code being timed).
#[inline(always)]
pub fn read_serialized() -> u64 {
    let lo: u32;
    let hi: u32;
    // SAFETY: lfence and rdtsc only read the counter (user mode may: the
    // kernel leaves CR4.TSD clear); no memory is touched.
    unsafe {
        core::arch::asm!(
            "lfence",
            "rdtsc",
            out("eax") lo,
            out("edx") hi,
            options(nomem, nostack, preserves_flags)
        );
    }
    (u64::from(hi) << 32) | u64::from(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_moves_forward() {
        let a = read_serialized();
        let mut x = 0u64;
        for i in 0..10_000u64 {
            x = core::hint::black_box(x.wrapping_add(i));
        }
        let b = read_serialized();
        assert!(b > a, "tsc did not advance: {a} -> {b} ({x})");
    }
}
