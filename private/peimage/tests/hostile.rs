//! Hostile input: truncation, out-of-range pointers, huge counts, overflowing RVAs and
//! a deterministic mutation loop. Nothing may panic; every refusal is a `PeError`.

mod common;

use common::*;
use peimage::{relocate, Machine, MappedImage, PeError, PeImage};

const MACHINES: [Machine; 2] = [Machine::I386, Machine::Amd64];

/// Walks everything the crate offers over a mapped image; returns how many items it saw.
fn exercise_mapped(mem: &[u8]) -> usize {
    let Ok(img) = MappedImage::new(mem) else {
        return 0;
    };
    let mut seen = img.sections().count();
    if let Ok(imports) = img.imports() {
        for dll in imports.take(64) {
            seen += 1;
            if let Ok(dll) = dll {
                seen += dll.entries().take(256).count();
            }
        }
    }
    if let Ok(names) = img.export_names() {
        for name in names.take(256).flatten() {
            seen += 1;
            let _ = img.export_by_name(name);
        }
    }
    for name in [&b"Alpha"[..], b"Fwd", b"Zeta", b"", b"\xff\xff"] {
        let _ = img.export_by_name(name);
    }
    for ordinal in (0..16).chain([u16::MAX]) {
        if let Ok(Some(peimage::Export::Forwarder(f))) = img.export_by_ordinal(ordinal) {
            let _ = peimage::parse_forwarder(f);
        }
    }
    let _ = img.export_dll_name();
    let _ = img.tls();
    if let Ok(cbs) = img.tls_callbacks_va() {
        seen += cbs.take(64).count();
    }
    for dir in 0..16 {
        let _ = img.data_directory(dir);
    }
    let base = img.image_base();
    let mut copy = mem.to_vec();
    for target in [
        base.wrapping_add(0x1_0000),
        base.wrapping_sub(0x1_0000),
        0x1_0000,
    ] {
        let _ = relocate(&mut copy, target);
    }
    seen
}

fn exercise_file(file: &[u8]) -> Result<usize, PeError> {
    let img = PeImage::parse(file)?;
    let mut seen = img.sections().count();
    let _ = img.header_bytes();
    // A mutated SizeOfImage can be valid and up to 4 GiB: lay out only small ones.
    if img.size_of_image() > 1 << 20 {
        return Ok(seen);
    }
    let mut mem = vec![0u8; img.size_of_image() as usize];
    img.copy_mapped(&mut mem)?;
    seen += exercise_mapped(&mem);
    Ok(seen)
}

#[test]
fn every_truncation_is_an_error() {
    for m in MACHINES {
        let s = sample(m, true);
        assert!(exercise_file(&s.file).unwrap() > 10);
        for len in 0..s.file.len() {
            let r = PeImage::parse(&s.file[..len]);
            assert!(r.is_err(), "{m:?}: prefix of {len} bytes accepted");
        }
        let mem = mapped(&s.file);
        for len in 0..mem.len() {
            assert!(
                MappedImage::new(&mem[..len]).is_err(),
                "{m:?}: mapped prefix {len}"
            );
        }
        // relocate parses the same headers; a sample of prefixes (copying each is
        // quadratic).
        for len in (0..mem.len()).step_by(61) {
            let mut short = mem[..len].to_vec();
            assert!(relocate(&mut short, 0x7700_0000).is_err());
        }
    }
}

fn patched(m: Machine, f: impl FnOnce(&mut Vec<u8>)) -> Result<PeImage<'static>, PeError> {
    let mut file = sample(m, true).file;
    f(&mut file);
    let leaked: &'static [u8] = Box::leak(file.into_boxed_slice());
    PeImage::parse(leaked)
}

#[track_caller]
fn err(m: Machine, f: &dyn Fn(&mut Vec<u8>)) -> PeError {
    match patched(m, f) {
        Ok(_) => panic!("{m:?}: patched image accepted"),
        Err(e) => e,
    }
}

#[test]
fn malformed_headers() {
    for m in MACHINES {
        let wide = m == Machine::Amd64;
        let t = section_table_offset(wide);
        assert_eq!(err(m, &|b| b[0] = b'Z'), PeError::BadMagic);
        assert_eq!(err(m, &|b| put32(b, 0x3c, u32::MAX)), PeError::Truncated);
        assert_eq!(
            err(m, &|b| put32(b, 0x3c, u32::MAX - 2)),
            PeError::Truncated
        );
        assert_eq!(err(m, &|b| put32(b, 0x3c, 0x40)), PeError::BadSignature);
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET, 0x1c0)),
            PeError::UnsupportedMachine(0x1c0)
        );
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 18, 0)),
            PeError::NotExecutable
        );
        // PE32 magic on AMD64 and vice versa.
        assert_eq!(
            err(m, &|b| put16(
                b,
                OPT_OFFSET,
                if wide { 0x10b } else { 0x20b }
            )),
            PeError::BadOptionalHeader
        );
        // SizeOfOptionalHeader too small for its directories, or huge.
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 16, 96)),
            PeError::BadOptionalHeader
        );
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 16, u16::MAX)),
            PeError::Truncated
        );
        // NumberOfRvaAndSizes huge.
        let ndirs = OPT_OFFSET + if wide { 108 } else { 92 };
        assert_eq!(
            err(m, &|b| put32(b, ndirs, u32::MAX)),
            PeError::BadOptionalHeader
        );
        // NumberOfSections huge / over the loader's limit / past SizeOfHeaders.
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 2, u16::MAX)),
            PeError::BadSectionTable
        );
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 2, 97)),
            PeError::BadSectionTable
        );
        assert_eq!(
            err(m, &|b| put16(b, COFF_OFFSET + 2, 40)),
            PeError::BadSectionTable
        );
        // Alignments.
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 32, 0x1001)),
            PeError::BadAlignment
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 32, 0)),
            PeError::BadAlignment
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 36, 0x300)),
            PeError::BadAlignment
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 36, 0x2000)),
            PeError::BadAlignment
        );
        // SizeOfImage / SizeOfHeaders / ImageBase / entry point.
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 56, 0)),
            PeError::BadOptionalHeader
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 56, 0x7000)),
            PeError::SectionOutOfRange
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 60, 0)),
            PeError::BadOptionalHeader
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 60, u32::MAX)),
            PeError::BadOptionalHeader
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 60, 0x1800)),
            PeError::Truncated // past the end of the 0x1000-byte file
        );
        assert_eq!(
            err(m, &|b| put32(b, OPT_OFFSET + 16, 0x8000)),
            PeError::BadOptionalHeader
        );
        if wide {
            assert_eq!(
                err(m, &|b| {
                    put64(b, OPT_OFFSET + 24, u64::MAX - 0xffff);
                    put32(b, OPT_OFFSET + 56, 0x2_0000);
                }),
                PeError::BadOptionalHeader
            );
            assert_eq!(
                err(m, &|b| put64(b, OPT_OFFSET + 24, 0x1_4000_1000)),
                PeError::BadOptionalHeader
            );
        } else {
            assert_eq!(
                err(m, &|b| {
                    put32(b, OPT_OFFSET + 28, 0xffff_0000);
                    put32(b, OPT_OFFSET + 56, 0x2_0000);
                }),
                PeError::BadOptionalHeader
            );
        }
        // Sections: misaligned, overlapping, overflowing, outside the image or file.
        let va = |i: usize| t + 40 * i + 12;
        assert_eq!(
            err(m, &|b| put32(b, va(0), 0x1800)),
            PeError::SectionOutOfRange
        );
        assert_eq!(
            err(m, &|b| put32(b, va(1), 0x1000)),
            PeError::SectionOutOfRange
        );
        assert_eq!(err(m, &|b| put32(b, va(0), 0)), PeError::SectionOutOfRange);
        assert_eq!(
            err(m, &|b| {
                put32(b, va(5), 0xffff_f000);
                put32(b, va(5) - 4, 0x2000);
            }),
            PeError::SectionOutOfRange
        );
        assert_eq!(
            err(m, &|b| put32(b, va(5) - 4, u32::MAX)),
            PeError::SectionOutOfRange
        );
        assert_eq!(
            err(m, &|b| put32(b, va(2) + 8, u32::MAX - 0x100)),
            PeError::SectionOutOfRange
        );
        assert_eq!(
            err(m, &|b| put32(b, va(2) + 4, u32::MAX)),
            PeError::SectionOutOfRange
        );
        // Directories outside SizeOfImage, or wrapping.
        for (dir, rva, size) in [
            (0, 0x7ff0, 0x20),
            (1, u32::MAX, 2),
            (5, 0x1000, u32::MAX),
            (9, 0x9000, 1),
        ] {
            assert_eq!(
                err(m, &|b| {
                    put32(b, dir_offset(wide, dir), rva);
                    put32(b, dir_offset(wide, dir) + 4, size);
                }),
                PeError::BadDirectory(dir as u16)
            );
        }
        // The security directory is a file range.
        assert_eq!(
            err(m, &|b| {
                put32(b, dir_offset(wide, 4), 0x200);
                put32(b, dir_offset(wide, 4) + 4, 0x10_0000);
            }),
            PeError::BadDirectory(4)
        );
        assert!(patched(m, |b| {
            put32(b, dir_offset(wide, 4), 0x200);
            put32(b, dir_offset(wide, 4) + 4, 0x10);
        })
        .is_ok());
    }
}

/// Patches a mapped sample image and returns it.
fn mapped_with(m: Machine, f: impl FnOnce(&Sample, &mut Vec<u8>)) -> Vec<u8> {
    let s = sample(m, true);
    let mut mem = mapped(&s.file);
    f(&s, &mut mem);
    mem
}

#[test]
fn malformed_imports() {
    for m in MACHINES {
        let w = m.pointer_size();
        let first_error = |mem: &[u8]| -> Option<PeError> {
            let img = MappedImage::new(mem).unwrap();
            for dll in img.imports().unwrap() {
                let dll = match dll {
                    Ok(d) => d,
                    Err(e) => return Some(e),
                };
                for e in dll.entries() {
                    if let Err(e) = e {
                        return Some(e);
                    }
                }
            }
            None
        };
        let bad = Some(PeError::BadDirectory(1));
        // DLL name out of range / unterminated at the end of the image.
        let mem = mapped_with(m, |s, mem| put32(mem, s.idata as usize + 12, 0x7fff_ffff));
        assert_eq!(first_error(&mem), bad);
        let mem = mapped_with(m, |s, mem| {
            let n = mem.len();
            put32(mem, s.idata as usize + 12, n as u32 - 4);
            mem[n - 4..].fill(b'A');
        });
        assert_eq!(first_error(&mem), bad);
        // Lookup table out of range or wrapping.
        let mem = mapped_with(m, |s, mem| put32(mem, s.idata as usize, 0xffff_fff0));
        assert_eq!(first_error(&mem), bad);
        // Hint/name RVA out of range, ordinal with junk bits, IAT past the image.
        let mem = mapped_with(m, |s, mem| {
            let ilt = get32(mem, s.idata as usize) as usize;
            put32(mem, ilt, 0x7fff_fff0);
        });
        assert_eq!(first_error(&mem), bad);
        let mem = mapped_with(m, |s, mem| {
            let ilt = get32(mem, s.idata as usize) as usize;
            let v: u64 = if w == 8 {
                (1 << 63) | 0x1_0001
            } else {
                0x8001_0001
            };
            mem[ilt..ilt + w].copy_from_slice(&v.to_le_bytes()[..w]);
        });
        assert_eq!(first_error(&mem), bad);
        let mem = mapped_with(m, |s, mem| {
            let n = mem.len() as u32;
            put32(mem, s.idata as usize + 16, n - 4);
        });
        assert_eq!(first_error(&mem), bad);
        if w == 8 {
            let mem = mapped_with(m, |s, mem| {
                let ilt = get32(mem, s.idata as usize) as usize;
                put64(mem, ilt, 0x1_0000_1000);
            });
            assert_eq!(first_error(&mem), bad);
        }
        // A descriptor table running off the end of the image.
        let mem = mapped_with(m, |s, mem| {
            let n = mem.len() as u32;
            let d = dir_offset(w == 8, 1);
            put32(mem, d, n - 20);
            put32(mem, d + 4, 20);
            mem[(n - 20) as usize..].fill(1);
            let _ = s;
        });
        assert_eq!(first_error(&mem), bad);
    }
}

#[test]
fn malformed_exports() {
    for m in MACHINES {
        let bad = Err(PeError::BadDirectory(0));
        let check = |field: usize, value: u32| {
            let mem = mapped_with(m, |s, mem| put32(mem, s.edata as usize + field, value));
            let img = MappedImage::new(&mem).unwrap();
            (
                img.export_by_name(b"Beta").map(|_| ()),
                img.export_by_ordinal(7).map(|_| ()),
            )
        };
        // NumberOfFunctions / NumberOfNames huge; arrays out of range or wrapping.
        assert_eq!(check(20, u32::MAX), (bad, bad));
        assert_eq!(check(24, u32::MAX), (bad, bad));
        assert_eq!(check(28, 0xffff_fff0), (bad, bad));
        assert_eq!(check(32, 0x7ff0), (bad, bad));
        assert_eq!(check(36, u32::MAX), (bad, bad));
        // Base past the ordinal: simply not found.
        assert_eq!(check(16, 0xffff_fff0), (Ok(()), Ok(())));
        // A name ordinal index past NumberOfFunctions.
        let mem = mapped_with(m, |s, mem| {
            let ords = get32(mem, s.edata as usize + 36) as usize;
            put16(mem, ords + 2, 99);
        });
        assert_eq!(
            MappedImage::new(&mem).unwrap().export_by_name(b"Beta"),
            Err(PeError::BadDirectory(0))
        );
        // A function RVA outside the image; a forwarder without a dot.
        let mem = mapped_with(m, |s, mem| {
            let eat = get32(mem, s.edata as usize + 28) as usize;
            put32(mem, eat, 0x7fff_0000);
        });
        let img = MappedImage::new(&mem).unwrap();
        assert_eq!(img.export_by_ordinal(5), Err(PeError::BadDirectory(0)));
        let mem = mapped_with(m, |s, mem| {
            let eat = get32(mem, s.edata as usize + 28) as usize;
            let fwd = get32(mem, eat + 12) as usize;
            mem[fwd..fwd + 6].copy_from_slice(b"NTDLLx");
        });
        let img = MappedImage::new(&mem).unwrap();
        assert_eq!(img.export_by_ordinal(8), Err(PeError::BadDirectory(0)));
        // Export directory smaller than its header.
        let mem = mapped_with(m, |_, mem| {
            put32(mem, dir_offset(m == Machine::Amd64, 0) + 4, 8)
        });
        assert_eq!(
            MappedImage::new(&mem).unwrap().export_names().map(|_| ()),
            Err(PeError::BadDirectory(0))
        );
    }
}

#[test]
fn malformed_tls_and_relocations() {
    for m in MACHINES {
        let wide = m == Machine::Amd64;
        let w = m.pointer_size();
        // Callback array address outside the image; a callback outside the image.
        let mem = mapped_with(m, |s, mem| {
            mem[s.tls as usize + 3 * w..s.tls as usize + 4 * w].fill(0xff);
        });
        assert_eq!(
            MappedImage::new(&mem)
                .unwrap()
                .tls_callbacks_va()
                .map(|_| ()),
            Err(PeError::BadDirectory(9))
        );
        let mem = mapped_with(m, |s, mem| {
            mem[s.tls as usize + 0x40..s.tls as usize + 0x40 + w].fill(0xee);
        });
        let r: Vec<_> = MappedImage::new(&mem)
            .unwrap()
            .tls_callbacks_va()
            .unwrap()
            .collect();
        assert_eq!(r, [Err(PeError::BadDirectory(9))]);
        // Callback array unterminated at the end of the image.
        let mem = mapped_with(m, |s, mem| {
            let n = mem.len();
            let ib = get64(&mem[..], OPT_OFFSET + 24);
            let ib = if wide {
                ib
            } else {
                u64::from(get32(mem, OPT_OFFSET + 28))
            };
            let last = ib + (n - w) as u64;
            let at = s.tls as usize + 3 * w;
            mem[at..at + w].copy_from_slice(&last.to_le_bytes()[..w]);
            mem[n - w..].copy_from_slice(&(ib + 0x1000).to_le_bytes()[..w]);
        });
        let r: Vec<_> = MappedImage::new(&mem)
            .unwrap()
            .tls_callbacks_va()
            .unwrap()
            .collect();
        assert_eq!(r.last(), Some(&Err(PeError::BadDirectory(9))));
        // TLS directory too small.
        let mem = mapped_with(m, |_, mem| put32(mem, dir_offset(wide, 9) + 4, 8));
        assert_eq!(
            MappedImage::new(&mem).unwrap().tls(),
            Err(PeError::BadDirectory(9))
        );

        // Relocation blocks: size 0, odd, past the directory, wrapping page RVA, a
        // fixup that would patch the relocation directory itself.
        for (what, size_or_page) in [
            ("size 0", (Some(0u32), None)),
            ("size 4", (Some(4), None)),
            ("odd size", (Some(11), None)),
            ("huge size", (Some(u32::MAX), None)),
            ("page past image", (None, Some(0xffff_f000u32))),
        ] {
            let mut mem = mapped_with(m, |s, mem| {
                if let Some(size) = size_or_page.0 {
                    put32(mem, s.reloc as usize + 4, size);
                }
                if let Some(page) = size_or_page.1 {
                    put32(mem, s.reloc as usize, page);
                }
            });
            let before = mem.clone();
            assert_eq!(
                relocate(&mut mem, 0x3000_0000),
                Err(PeError::BadRelocation),
                "{m:?} {what}"
            );
            assert_eq!(mem, before);
        }
        let mut mem = mapped_with(m, |s, mem| {
            put32(mem, s.reloc as usize, s.reloc);
            put16(mem, s.reloc as usize + 8, 0x3000);
        });
        assert_eq!(relocate(&mut mem, 0x3000_0000), Err(PeError::BadRelocation));
    }
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        // Bias towards boundary values, which find more edge cases than noise.
        match self.next() % 8 {
            0 => 0,
            1 => 0xff,
            2 => 0x80,
            3 => 0x7f,
            _ => self.next() as u8,
        }
    }
}

fn mutate(rng: &mut Rng, bytes: &mut [u8], hot: &[std::ops::Range<usize>]) {
    for _ in 0..1 + rng.below(4) {
        let at = if rng.below(3) > 0 && !hot.is_empty() {
            let r = &hot[rng.below(hot.len())];
            r.start + rng.below(r.len())
        } else {
            rng.below(bytes.len())
        };
        bytes[at] = rng.byte();
    }
}

#[test]
fn mutation_loop_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    let mut rejected = 0;
    for m in MACHINES {
        let s = sample(m, true);
        let mem = mapped(&s.file);
        let headers = 0..section_table_offset(m == Machine::Amd64) + 40 * 6;
        // File mutations: mostly in the headers.
        for _ in 0..20_000 {
            let mut f = s.file.clone();
            mutate(&mut rng, &mut f, std::slice::from_ref(&headers));
            match exercise_file(&f) {
                Ok(_) => accepted += 1,
                Err(_) => rejected += 1,
            }
        }
        // Mapped mutations: in the directories the loader walks.
        let hot = [
            headers.clone(),
            s.idata as usize..s.idata as usize + 0x100,
            s.edata as usize..s.edata as usize + 0x100,
            s.tls as usize..s.tls as usize + 0x60,
            s.reloc as usize..s.reloc as usize + 0x20,
        ];
        for _ in 0..30_000 {
            let mut x = mem.clone();
            mutate(&mut rng, &mut x, &hot);
            exercise_mapped(&x);
        }
    }
    eprintln!("mutants: {accepted} accepted, {rejected} rejected");
    // The loop must reach both outcomes to be testing anything.
    assert!(
        accepted > 100 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}
