//! 64-bit division for 32-bit x86 without the division operator, which on that target
//! would call the very helpers (`_alldiv` & co, see `crt`) built from this.

/// Quotient and remainder of `n / d`. Division by zero faults, as `div` would.
pub(crate) fn udivmod(n: u64, d: u64) -> (u64, u64) {
    if d == 0 {
        panic!("integer division by zero");
    }
    if n < d {
        return (0, n);
    }
    if n >> 32 == 0 {
        // Both fit in 32 bits: the native instruction does it.
        let (n, d) = (n as u32, d as u32);
        return (u64::from(n / d), u64::from(n % d));
    }
    // Shift-and-subtract, one quotient bit per step, from the highest that can be set.
    let shift = d.leading_zeros() - n.leading_zeros();
    let (mut d, mut q, mut r) = (d << shift, 0u64, n);
    for _ in 0..=shift {
        q <<= 1;
        if r >= d {
            r -= d;
            q |= 1;
        }
        d >>= 1;
    }
    (q, r)
}

/// Signed quotient (truncated toward zero) and remainder (sign of `n`), wrapping for
/// `i64::MIN / -1` as two's complement does.
pub(crate) fn sdivmod(n: i64, d: i64) -> (i64, i64) {
    let (q, r) = udivmod(n.unsigned_abs(), d.unsigned_abs());
    let q = if (n < 0) != (d < 0) {
        (q as i64).wrapping_neg()
    } else {
        q as i64
    };
    let r = if n < 0 {
        (r as i64).wrapping_neg()
    } else {
        r as i64
    };
    (q, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_matches_the_operator() {
        let samples = [
            0u64,
            1,
            2,
            3,
            7,
            10,
            0xFFFF_FFFF,
            0x1_0000_0000,
            0x1_0000_0001,
            10_000_000,
            116_444_736_000_000_000,
            0x8000_0000_0000_0000,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &n in &samples {
            for &d in samples.iter().filter(|&&d| d != 0) {
                assert_eq!(udivmod(n, d), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    #[test]
    fn signed_matches_the_operator() {
        let samples = [
            0i64,
            1,
            -1,
            7,
            -7,
            10_000_000,
            -10_000_000,
            i64::MAX,
            i64::MIN + 1,
            0x1_2345_6789,
        ];
        for &n in &samples {
            for &d in samples.iter().filter(|&&d| d != 0) {
                assert_eq!(sdivmod(n, d), (n / d, n % d), "{n} / {d}");
            }
        }
        assert_eq!(sdivmod(i64::MIN, -1), (i64::MIN, 0));
        assert_eq!(sdivmod(i64::MIN, 10), (i64::MIN / 10, i64::MIN % 10));
    }

    #[test]
    #[should_panic(expected = "division by zero")]
    fn zero_divisor_faults() {
        udivmod(1, 0);
    }
}
