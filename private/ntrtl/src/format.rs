//! The `printf`-style formatting of `DbgPrint` / `DbgPrintEx`, as the Windows kernel's
//! debug print understands it (the Microsoft C runtime's conversions plus the NT ones
//! documented for DbgPrint): `%c %C %s %S %Z %wZ %d %i %u %x %X %o %p %%`, flags
//! `- + 0 # space`, width and precision (also `*`), and the size prefixes `h l ll w I
//! I32 I64 z`. `%s`/`%S` of NULL print `(null)`, as the CRT does; an unknown
//! conversion is copied as written.
//!
//! Arguments come from a caller-supplied [`Args`] (the variadic words, one per
//! argument — two for 64-bit integers on 32-bit targets) and strings from [`Strings`]
//! (ntdll reads process memory; tests use a map), so this module never touches memory
//! itself and is host-tested. Output goes to a callback, one UTF-16 unit at a time (no
//! allocation: ntrtl has no heap).

/// The variadic arguments, in order.
pub trait Args {
    /// The next pointer-sized argument (`int`, `long` and pointers take one; on 32-bit
    /// targets a 64-bit integer takes two).
    fn word(&mut self) -> usize;
}

/// Reads the strings arguments point at.
pub trait Strings {
    /// The byte at `addr` (`None`: unreadable; the string ends there).
    fn byte(&self, addr: usize) -> Option<u8>;
    /// The UTF-16 unit at `addr`.
    fn unit(&self, addr: usize) -> Option<u16>;
}

/// Longest string argument copied (units), so a missing terminator cannot run on.
const MAX_STRING: usize = 4096;
/// Most digits a number is padded to by its precision.
const MAX_DIGITS: usize = 128;

/// The output callback.
type Out<'a> = &'a mut dyn FnMut(u16);

/// A converted number: digits in a fixed buffer.
struct Digits {
    buf: [u16; MAX_DIGITS],
    len: usize,
}

impl Digits {
    fn units(&self) -> &[u16] {
        &self.buf[MAX_DIGITS - self.len..]
    }
}

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    wide: bool,
    long64: bool,
}

fn pad(out: Out<'_>, n: usize, c: u16) {
    for _ in 0..n {
        out(c);
    }
}

/// Emits a body of `len` units (written by `body`) with `prefix` (sign or `0x`) in a
/// field of `spec.width`.
fn field(
    out: Out<'_>,
    spec: &Spec,
    prefix: &[u8],
    len: usize,
    numeric: bool,
    body: &mut dyn FnMut(Out<'_>),
) {
    let fill = spec.width.saturating_sub(prefix.len() + len);
    let prefix_out = |out: Out<'_>| prefix.iter().for_each(|&b| out(u16::from(b)));
    if spec.left {
        prefix_out(out);
        body(out);
        pad(out, fill, u16::from(b' '));
    } else if spec.zero && numeric && spec.precision.is_none() {
        prefix_out(out);
        pad(out, fill, u16::from(b'0'));
        body(out);
    } else {
        pad(out, fill, u16::from(b' '));
        prefix_out(out);
        body(out);
    }
}

fn digits(mut v: u64, radix: u64, upper: bool, min: usize) -> Digits {
    let mut d = Digits {
        buf: [u16::from(b'0'); MAX_DIGITS],
        len: 0,
    };
    while v != 0 && d.len < MAX_DIGITS {
        let x = (v % radix) as u8;
        let c = match x {
            0..=9 => b'0' + x,
            _ if upper => b'A' + x - 10,
            _ => b'a' + x - 10,
        };
        d.len += 1;
        d.buf[MAX_DIGITS - d.len] = u16::from(c);
        v /= radix;
    }
    d.len = d.len.max(min.min(MAX_DIGITS));
    d
}

fn emit_units(out: Out<'_>, units: &[u16]) {
    units.iter().for_each(|&u| out(u));
}

fn emit_bytes(out: Out<'_>, bytes: &[u8]) {
    bytes.iter().for_each(|&b| out(u16::from(b)));
}

fn int_arg(args: &mut dyn Args, spec: &Spec) -> u64 {
    let w = args.word() as u64;
    if spec.long64 && usize::BITS == 32 {
        w | ((args.word() as u64) << 32)
    } else {
        w
    }
}

/// Formats `fmt` with `args`, writing UTF-16 units (no terminator) to `out`.
pub fn format(fmt: &[u8], args: &mut dyn Args, mem: &dyn Strings, out: Out<'_>) {
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if c != b'%' {
            out(u16::from(c));
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut spec = Spec::default();
        while let Some(&f) = fmt.get(i) {
            match f {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                b'#' => spec.alt = true,
                _ => break,
            }
            i += 1;
        }
        if fmt.get(i) == Some(&b'*') {
            let w = args.word() as isize as i32;
            if w < 0 {
                spec.left = true;
            }
            spec.width = w.unsigned_abs() as usize;
            i += 1;
        } else {
            while let Some(d) = fmt.get(i).filter(|d| d.is_ascii_digit()) {
                spec.width = spec
                    .width
                    .saturating_mul(10)
                    .saturating_add(usize::from(d - b'0'));
                i += 1;
            }
        }
        if fmt.get(i) == Some(&b'.') {
            i += 1;
            let mut p = 0usize;
            if fmt.get(i) == Some(&b'*') {
                p = (args.word() as isize).max(0) as usize;
                i += 1;
            } else {
                while let Some(d) = fmt.get(i).filter(|d| d.is_ascii_digit()) {
                    p = p.saturating_mul(10).saturating_add(usize::from(d - b'0'));
                    i += 1;
                }
            }
            spec.precision = Some(p);
        }
        // Size prefixes.
        loop {
            match fmt.get(i) {
                Some(b'h') => i += 1,
                Some(b'l') if fmt.get(i + 1) == Some(&b'l') => {
                    spec.long64 = true;
                    i += 2;
                }
                Some(b'l') => {
                    spec.wide = true;
                    i += 1;
                }
                Some(b'w') => {
                    spec.wide = true;
                    i += 1;
                }
                Some(b'z') => i += 1,
                Some(b'I') if fmt[i..].starts_with(b"I64") => {
                    spec.long64 = true;
                    i += 3;
                }
                Some(b'I') if fmt[i..].starts_with(b"I32") => i += 3,
                Some(b'I') => {
                    spec.long64 = usize::BITS == 64;
                    i += 1;
                }
                _ => break,
            }
        }
        let Some(&conv) = fmt.get(i) else {
            emit_bytes(out, &fmt[start..]);
            break;
        };
        i += 1;
        match conv {
            b'%' => out(u16::from(b'%')),
            b'c' | b'C' => {
                let v = args.word();
                let ch = if conv == b'C' || spec.wide {
                    v as u16
                } else {
                    u16::from(v as u8)
                };
                field(out, &spec, b"", 1, false, &mut |o| o(ch));
            }
            b's' | b'S' => {
                let p = args.word();
                let wide = (conv == b'S') != spec.wide;
                let limit = spec.precision.unwrap_or(MAX_STRING).min(MAX_STRING);
                string_field(out, &spec, mem, p, wide, None, limit);
            }
            b'Z' => {
                // PANSI_STRING (%Z) or PUNICODE_STRING (%wZ): Length, MaximumLength,
                // Buffer.
                let p = args.word();
                let limit = spec.precision.unwrap_or(MAX_STRING).min(MAX_STRING);
                match counted(mem, p, spec.wide) {
                    Some((buffer, units)) => {
                        string_field(out, &spec, mem, buffer, spec.wide, Some(units), limit)
                    }
                    None => string_field(out, &spec, mem, 0, false, None, limit),
                }
            }
            b'd' | b'i' => {
                let raw = int_arg(args, &spec);
                // Without a 64-bit prefix an int is 32 bits wide on every target.
                let v = if spec.long64 {
                    raw as i64
                } else {
                    i64::from(raw as u32 as i32)
                };
                let sign: &[u8] = if v < 0 {
                    b"-"
                } else if spec.plus {
                    b"+"
                } else if spec.space {
                    b" "
                } else {
                    b""
                };
                let d = digits(v.unsigned_abs(), 10, false, spec.precision.unwrap_or(1));
                field(out, &spec, sign, d.len, true, &mut |o| {
                    emit_units(o, d.units())
                });
            }
            b'u' | b'x' | b'X' | b'o' => {
                let raw = int_arg(args, &spec);
                let v = if spec.long64 {
                    raw
                } else {
                    u64::from(raw as u32)
                };
                let (radix, prefix): (u64, &[u8]) = match conv {
                    b'x' if spec.alt && v != 0 => (16, b"0x"),
                    b'X' if spec.alt && v != 0 => (16, b"0X"),
                    b'x' | b'X' => (16, b""),
                    b'o' if spec.alt => (8, b"0"),
                    b'o' => (8, b""),
                    _ => (10, b""),
                };
                let d = digits(v, radix, conv == b'X', spec.precision.unwrap_or(1));
                field(out, &spec, prefix, d.len, true, &mut |o| {
                    emit_units(o, d.units())
                });
            }
            b'p' => {
                let v = args.word() as u64;
                let d = digits(v, 16, true, 2 * size_of::<usize>());
                field(out, &spec, b"", d.len, false, &mut |o| {
                    emit_units(o, d.units())
                });
            }
            _ => emit_bytes(out, &fmt[start..i]),
        }
    }
}

/// Emits the string at `p` (`0`: `(null)`): `len` units when counted, else up to its
/// terminator; at most `limit`; in a field (two passes: its length, then its units).
fn string_field(
    out: Out<'_>,
    spec: &Spec,
    mem: &dyn Strings,
    p: usize,
    wide: bool,
    len: Option<usize>,
    limit: usize,
) {
    if p == 0 {
        let null = b"(null)";
        let n = null.len().min(limit);
        field(out, spec, b"", n, false, &mut |o| emit_bytes(o, &null[..n]));
        return;
    }
    let unit = |k: usize| -> Option<u16> {
        if wide {
            p.checked_add(2 * k).and_then(|a| mem.unit(a))
        } else {
            p.checked_add(k).and_then(|a| mem.byte(a)).map(u16::from)
        }
    };
    let max = len.unwrap_or(MAX_STRING).min(limit);
    let n = (0..max)
        .take_while(|&k| match unit(k) {
            Some(0) => len.is_some(),
            Some(_) => true,
            None => false,
        })
        .count();
    field(out, spec, b"", n, false, &mut |o| {
        for k in 0..n {
            o(unit(k).unwrap_or(0));
        }
    });
}

/// A `STRING` / `UNICODE_STRING` at `p` (Length, MaximumLength, Buffer): its buffer
/// and length in units; `None` for NULL or an unreadable descriptor.
fn counted(mem: &dyn Strings, p: usize, wide: bool) -> Option<(usize, usize)> {
    if p == 0 {
        return None;
    }
    let w = size_of::<usize>();
    let length = usize::from(u16::from_le_bytes([mem.byte(p)?, mem.byte(p + 1)?]));
    let mut buffer = 0usize;
    for k in 0..w {
        buffer |= usize::from(mem.byte(p + w + k)?) << (8 * k);
    }
    let units = if wide { length / 2 } else { length };
    (buffer != 0).then_some((buffer, units))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct List(Vec<usize>);
    impl Args for List {
        fn word(&mut self) -> usize {
            if self.0.is_empty() {
                0
            } else {
                self.0.remove(0)
            }
        }
    }

    /// Memory: bytes at 0x1000.., nothing else.
    struct Mem(Vec<u8>);
    impl Strings for Mem {
        fn byte(&self, a: usize) -> Option<u8> {
            a.checked_sub(0x1000).and_then(|i| self.0.get(i).copied())
        }
        fn unit(&self, a: usize) -> Option<u16> {
            Some(u16::from_le_bytes([self.byte(a)?, self.byte(a + 1)?]))
        }
    }

    fn f(fmt: &str, args: &[usize], mem: &Mem) -> String {
        let mut units = Vec::new();
        format(fmt.as_bytes(), &mut List(args.to_vec()), mem, &mut |u| {
            units.push(u)
        });
        String::from_utf16(&units).unwrap()
    }

    #[test]
    fn numbers() {
        let m = Mem(vec![]);
        assert_eq!(
            f("%d %i %u", &[(-5i32) as u32 as usize, 7, 3000000000], &m),
            "-5 7 3000000000"
        );
        assert_eq!(
            f("[%5d|%-5d|%05d]", &[42, 42, 42], &m),
            "[   42|42   |00042]"
        );
        assert_eq!(
            f("%x %X %#x %08lx %o", &[255, 255, 255, 0xBEEF, 8], &m),
            "ff FF 0xff 0000beef 10"
        );
        assert_eq!(f("%+d % d %.3d", &[5, 5, 7], &m), "+5  5 007");
        assert_eq!(f("%*d|%-*d", &[4, 1, 3, 2], &m), "   1|2  ");
        assert_eq!(f("100%%", &[], &m), "100%");
        if usize::BITS == 64 {
            assert_eq!(f("%I64x %llu", &[0x1_0000_0000, 5], &m), "100000000 5");
            assert_eq!(f("%p", &[0xABC], &m), "0000000000000ABC");
        }
    }

    #[test]
    fn strings() {
        // "hi\0" at 0x1000, L"wé\0" at 0x1004, UNICODE_STRING at 0x1010.
        let w = size_of::<usize>();
        let mut bytes = vec![b'h', b'i', 0, 0, b'w', 0, 0xE9, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&6u16.to_le_bytes());
        bytes.resize(0x10 + w, 0);
        bytes.extend_from_slice(&0x1004usize.to_le_bytes());
        let m = Mem(bytes);
        assert_eq!(
            f("<%s> <%S> <%ws>", &[0x1000, 0x1004, 0x1004], &m),
            "<hi> <wé> <wé>"
        );
        assert_eq!(f("%wZ!", &[0x1010], &m), "wé!");
        assert_eq!(f("%s %wZ", &[0, 0], &m), "(null) (null)");
        assert_eq!(
            f("[%5s|%-4s|%.1s]", &[0x1000, 0x1000, 0x1000], &m),
            "[   hi|hi  |h]"
        );
        assert_eq!(f("%c%C", &[b'A' as usize, 0xE9], &m), "Aé");
        // Unreadable memory ends the string; an unknown conversion is copied.
        assert_eq!(f("%s|%q", &[0x9999], &m), "|%q");
        assert_eq!(f("tail %", &[], &m), "tail %");
    }
}
