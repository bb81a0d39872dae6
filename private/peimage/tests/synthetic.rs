//! Hand-built PE32 and PE32+ images: parse, layout, imports, exports, TLS, relocations.

mod common;

use common::*;
use peimage::{
    parse_forwarder, relocate, Export, ForwardTarget, Import, Machine, MappedImage, PeError,
    PeImage, Protection,
};

const MACHINES: [Machine; 2] = [Machine::I386, Machine::Amd64];

#[test]
fn parses_headers_and_sections() {
    for m in MACHINES {
        for dll in [false, true] {
            let s = sample(m, dll);
            let img = PeImage::parse(&s.file).unwrap();
            assert_eq!(img.machine(), m);
            assert_eq!(img.is_dll(), dll);
            assert_eq!(img.image_base(), s.builder.image_base);
            assert_eq!(img.size_of_image(), s.builder.size_of_image());
            assert_eq!(img.size_of_headers(), 0x400);
            assert_eq!(img.entry_point_rva(), Some(s.text + 0x10));
            assert_eq!(img.subsystem(), peimage::subsystem::NATIVE);
            assert_eq!(img.stack_reserve(), 0x10_0000);
            assert_eq!(img.stack_commit(), 0x2000);
            assert_eq!(img.dll_characteristics(), 0x0140);
            assert_eq!(img.header_bytes(), &s.file[..0x400]);
            let names: Vec<&[u8]> = img.sections().map(|s| s.name).collect();
            assert_eq!(
                names,
                [
                    &b".text"[..],
                    b".data",
                    b".idata",
                    b".edata",
                    b".tls",
                    b".reloc"
                ]
            );
            let text = img.sections().next().unwrap();
            assert_eq!(text.virtual_address, 0x1000);
            assert_eq!(text.virtual_size, TEXT_LEN as u32);
            assert_eq!(text.data, &[0xcc; TEXT_LEN][..]);
            assert_eq!(
                text.protection(),
                Protection {
                    read: true,
                    write: false,
                    execute: true
                }
            );
            let data = img.sections().nth(1).unwrap();
            assert_eq!(data.virtual_size, DATA_VSIZE);
            // Raw data is 0x200 (file-aligned) but only 0x40 were written; clamped to
            // the raw size, not the virtual size, here.
            assert_eq!(data.data.len(), 0x200);
            assert_eq!(data.data[0x20], 0x20);
            assert!(data.protection().write);
            let reloc = img.data_directory(peimage::directory::BASERELOC).unwrap();
            assert_eq!(reloc.rva, s.reloc);
            assert_eq!(img.data_directory(peimage::directory::RESOURCE), None);
            assert_eq!(img.data_directory(200), None);
        }
    }
}

#[test]
fn entry_point_zero_is_none() {
    let mut b = sample(Machine::Amd64, true).builder;
    b.entry = 0;
    let file = b.build();
    assert_eq!(PeImage::parse(&file).unwrap().entry_point_rva(), None);
}

#[test]
fn raw_data_is_clamped_to_virtual_size() {
    let mut b = Builder::new(Machine::Amd64);
    b.section(".text", SCN_CODE, vec![0x90; 0x300], 0x10);
    let file = b.build();
    let img = PeImage::parse(&file).unwrap();
    let s = img.sections().next().unwrap();
    assert_eq!(s.size_of_raw_data, 0x400);
    assert_eq!(s.data, &[0x90; 0x10][..]);
    let mut mem = vec![0xee; img.size_of_image() as usize];
    img.copy_mapped(&mut mem).unwrap();
    assert_eq!(&mem[0x1000..0x1010], &[0x90; 0x10]);
    assert!(mem[0x1010..].iter().all(|&b| b == 0));
}

#[test]
fn copy_mapped_lays_out_by_rva() {
    for m in MACHINES {
        let s = sample(m, false);
        let img = PeImage::parse(&s.file).unwrap();
        let soi = img.size_of_image() as usize;
        // Larger than needed, pre-filled: the tail past SizeOfImage is untouched.
        let mut mem = vec![0xa5u8; soi + 0x100];
        img.copy_mapped(&mut mem).unwrap();
        assert_eq!(&mem[..0x400], &s.file[..0x400]);
        assert!(mem[0x400..0x1000].iter().all(|&b| b == 0), "header tail");
        for sec in img.sections() {
            let va = sec.virtual_address as usize;
            assert_eq!(&mem[va..va + sec.data.len()], sec.data);
        }
        let t = s.text as usize;
        assert_eq!(&mem[t..t + TEXT_LEN], &[0xcc; TEXT_LEN]);
        assert!(mem[t + TEXT_LEN..s.data as usize].iter().all(|&b| b == 0));
        // .data: 0x40 written bytes, zeros up to the raw size and the bss tail.
        let d = s.data as usize;
        assert_eq!(mem[d + 0x3f], 0x3f);
        assert!(mem[d + 0x40..d + DATA_VSIZE as usize]
            .iter()
            .all(|&b| b == 0));
        assert!(mem[soi..].iter().all(|&b| b == 0xa5), "past SizeOfImage");

        let mut small = vec![0u8; soi - 1];
        assert_eq!(
            img.copy_mapped(&mut small),
            Err(PeError::DestinationTooSmall)
        );

        // The mapped view sees the same headers.
        let mapped = MappedImage::new(&mem).unwrap();
        assert_eq!(mapped.machine(), m);
        assert_eq!(mapped.image_base(), img.image_base());
        assert_eq!(mapped.size_of_image(), img.size_of_image());
        assert_eq!(mapped.entry_point_rva(), img.entry_point_rva());
        assert_eq!(mapped.bytes().len(), soi);
        let msec = mapped.sections().nth(1).unwrap();
        assert_eq!(msec.data.len(), DATA_VSIZE as usize);
        assert_eq!(
            MappedImage::new(&mem[..soi - 1]).unwrap_err(),
            PeError::Truncated
        );
    }
}

#[test]
fn imports_by_name_and_ordinal() {
    for m in MACHINES {
        let s = sample(m, false);
        let mem = mapped(&s.file);
        let img = MappedImage::new(&mem).unwrap();
        let w = m.pointer_size() as u32;
        let dlls: Vec<_> = img.imports().unwrap().map(Result::unwrap).collect();
        assert_eq!(dlls.len(), 2);
        assert_eq!(dlls[0].name, b"ntdll.dll");
        assert_eq!(dlls[1].name, b"KERNEL32.dll");
        assert_eq!(dlls[0].iat_rva, s.iat_rvas[0]);
        assert_ne!(dlls[0].lookup_rva, dlls[0].iat_rva);
        let e: Vec<_> = dlls[0].entries().map(Result::unwrap).collect();
        assert_eq!(e.len(), 3);
        assert_eq!(
            e[0].import,
            Import::ByName {
                hint: 5,
                name: b"RtlInitUnicodeString"
            }
        );
        assert_eq!(e[1].import, Import::ByOrdinal(7));
        assert_eq!(
            e[2].import,
            Import::ByName {
                hint: 0,
                name: b"memset"
            }
        );
        for (i, x) in e.iter().enumerate() {
            assert_eq!(x.iat_slot_rva, s.iat_rvas[0] + i as u32 * w);
        }
        let k: Vec<_> = dlls[1].entries().map(Result::unwrap).collect();
        assert_eq!(
            k,
            [peimage::ImportEntry {
                import: Import::ByName {
                    hint: 1,
                    name: b"ExitProcess"
                },
                iat_slot_rva: s.iat_rvas[1]
            }]
        );
    }
}

#[test]
fn import_lookup_falls_back_to_iat() {
    let s = sample(Machine::Amd64, false);
    let mut mem = mapped(&s.file);
    // OriginalFirstThunk = 0 for the first descriptor.
    put32(&mut mem, s.idata as usize, 0);
    let img = MappedImage::new(&mem).unwrap();
    let dll = img.imports().unwrap().next().unwrap().unwrap();
    assert_eq!(dll.lookup_rva, dll.iat_rva);
    assert_eq!(dll.entries().count(), 3);
}

#[test]
fn no_imports_no_exports_no_tls() {
    let mut b = Builder::new(Machine::I386);
    b.section(".text", SCN_CODE, vec![0xc3], 0);
    let mem = mapped(&b.build());
    let img = MappedImage::new(&mem).unwrap();
    assert_eq!(img.imports().unwrap().count(), 0);
    assert_eq!(img.export_by_name(b"x"), Ok(None));
    assert_eq!(img.export_by_ordinal(1), Ok(None));
    assert_eq!(img.export_names().unwrap().count(), 0);
    assert_eq!(img.tls(), Ok(None));
    assert_eq!(img.tls_callbacks_va().unwrap().count(), 0);
}

#[test]
fn exports_by_name_ordinal_and_forwarder() {
    for m in MACHINES {
        let s = sample(m, true);
        let mem = mapped(&s.file);
        let img = MappedImage::new(&mem).unwrap();
        let names: Vec<&[u8]> = img.export_names().unwrap().map(Result::unwrap).collect();
        assert_eq!(names, [&b"Alpha"[..], b"Beta", b"Fwd", b"FwdOrd", b"Zeta"]);
        assert_eq!(img.export_dll_name(), Ok(Some(&b"sample.dll"[..])));
        assert_eq!(img.export_ordinal_range(), Ok(Some((5, 5))));
        let by_name = |n: &[u8]| img.export_by_name(n).unwrap();
        assert_eq!(by_name(b"Alpha"), Some(Export::Rva(s.text)));
        assert_eq!(by_name(b"Beta"), Some(Export::Rva(s.text + 0x10)));
        assert_eq!(by_name(b"Zeta"), Some(Export::Rva(s.text + 0x10)));
        assert_eq!(
            by_name(b"Fwd"),
            Some(Export::Forwarder(b"NTDLL.RtlCopyMemory"))
        );
        assert_eq!(by_name(b"FwdOrd"), Some(Export::Forwarder(b"ntdll.#12")));
        for missing in [
            &b""[..],
            b"A",
            b"alpha",
            b"Alphaa",
            b"Gamma",
            b"Zz",
            b"\xff",
        ] {
            assert_eq!(by_name(missing), None, "{missing:?}");
        }
        let by_ord = |o| img.export_by_ordinal(o).unwrap();
        assert_eq!(by_ord(4), None); // below Base
        assert_eq!(by_ord(5), Some(Export::Rva(s.text)));
        assert_eq!(by_ord(6), None); // empty slot
        assert_eq!(by_ord(7), Some(Export::Rva(s.text + 0x10)));
        assert_eq!(by_ord(8), Some(Export::Forwarder(b"NTDLL.RtlCopyMemory")));
        assert_eq!(by_ord(9), Some(Export::Forwarder(b"ntdll.#12")));
        assert_eq!(by_ord(10), None); // past NumberOfFunctions
        assert_eq!(by_ord(u16::MAX), None);
    }
}

#[test]
fn forwarder_strings() {
    assert_eq!(
        parse_forwarder(b"NTDLL.RtlCopyMemory"),
        Ok((&b"NTDLL"[..], ForwardTarget::Name(b"RtlCopyMemory")))
    );
    assert_eq!(
        parse_forwarder(b"api.ms.win.#65535"),
        Ok((&b"api.ms.win"[..], ForwardTarget::Ordinal(65535)))
    );
    for bad in [
        &b""[..],
        b"NoDot",
        b".Name",
        b"Dll.",
        b"Dll.#",
        b"Dll.#65536",
        b"Dll.#1x",
    ] {
        assert!(parse_forwarder(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn tls_directory_and_callbacks() {
    for m in MACHINES {
        let s = sample(m, false);
        let mem = mapped(&s.file);
        let img = MappedImage::new(&mem).unwrap();
        let ib = img.image_base();
        let t = img.tls().unwrap().unwrap();
        assert_eq!(t.raw_data_start_va, ib + u64::from(s.tls + 0x60));
        assert_eq!(t.raw_data_end_va, ib + u64::from(s.tls + 0x70));
        assert_eq!(t.address_of_index_va, ib + u64::from(s.tls + 0x80));
        assert_eq!(t.size_of_zero_fill, 0x10);
        let cbs: Vec<u64> = img
            .tls_callbacks_va()
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            cbs,
            [ib + u64::from(s.text + 0x20), ib + u64::from(s.text + 0x28)]
        );
        assert_eq!(img.va_to_rva(cbs[0]), Some(s.text + 0x20));
        assert_eq!(img.va_to_rva(ib - 1), None);
        assert_eq!(img.va_to_rva(ib + u64::from(img.size_of_image())), None);
    }
}

fn read_ptr(mem: &[u8], m: Machine, at: u32) -> u64 {
    match m {
        Machine::Amd64 => get64(mem, at as usize),
        Machine::I386 => u64::from(get32(mem, at as usize)),
    }
}

#[test]
fn relocate_positive_and_negative_deltas() {
    for m in MACHINES {
        let s = sample(m, true);
        let orig = mapped(&s.file);
        let ib = s.builder.image_base;
        let bases: &[u64] = match m {
            Machine::Amd64 => &[
                ib + 0x10_0000,
                ib - 0x10_0000,
                0x7ff6_1234_0000,
                0x1_0000,
                ib + 0x1_0000_0000, // a delta wider than 32 bits
            ],
            Machine::I386 => &[ib + 0x10_0000, ib - 0x30_0000, 0x7700_0000, 0x1_0000],
        };
        for &new_base in bases {
            let mut mem = orig.clone();
            relocate(&mut mem, new_base).unwrap();
            for &(at, to) in &s.pointers {
                assert_eq!(
                    read_ptr(&mem, m, at),
                    new_base + u64::from(to),
                    "{m:?} base {new_base:#x} pointer at {at:#x}"
                );
            }
            let img = MappedImage::new(&mem).unwrap();
            assert_eq!(img.image_base(), new_base, "ImageBase updated");
            // TLS callbacks now point into the new base.
            let cbs: Vec<u64> = img
                .tls_callbacks_va()
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(cbs[0], new_base + u64::from(s.text + 0x20));
            // Nothing else changed: same bytes outside pointers and the ImageBase field.
            let mut diff = 0;
            for (i, (a, b)) in mem.iter().zip(&orig).enumerate() {
                if a != b {
                    let in_ptr = s
                        .pointers
                        .iter()
                        .any(|&(at, _)| (at as usize..at as usize + m.pointer_size()).contains(&i));
                    let in_base = (OPT_OFFSET + 24..OPT_OFFSET + 32).contains(&i);
                    assert!(in_ptr || in_base, "{m:?}: byte {i:#x} changed");
                    diff += 1;
                }
            }
            assert!(diff > 0);
            // Relocating again to the same base is a no-op; back to the original base
            // restores the original bytes exactly.
            let before = mem.clone();
            relocate(&mut mem, new_base).unwrap();
            assert_eq!(mem, before);
            relocate(&mut mem, ib).unwrap();
            assert_eq!(mem, orig, "{m:?}: round trip through {new_base:#x}");
        }
    }
}

/// A HIGHLOW fixup in a PE32+ image adds the low 32 bits of the delta.
#[test]
fn highlow_in_pe32_plus() {
    let mut b = Builder::new(Machine::Amd64);
    let d = b.section(".data", SCN_DATA, 0x1122_3344u32.to_le_bytes().to_vec(), 0);
    let rel = relocs(&[(d, vec![0x3000])]);
    let r = b.section(".reloc", SCN_RDATA, rel.clone(), 0);
    b.dir(5, r, rel.len() as u32);
    let mut mem = mapped(&b.build());
    relocate(&mut mem, b.image_base - 0x1_0000).unwrap();
    assert_eq!(get32(&mem, d as usize), 0x1121_3344);
}

fn single_fixup_image(m: Machine, entry: u16) -> (Vec<u8>, u32) {
    let mut b = Builder::new(m);
    let d = b.section(".data", SCN_DATA, vec![0x11; 16], 0);
    let rel = relocs(&[(d, vec![entry])]);
    let r = b.section(".reloc", SCN_RDATA, rel.clone(), 0);
    b.dir(5, r, rel.len() as u32);
    (mapped(&b.build()), d)
}

#[test]
fn relocation_errors_leave_memory_untouched() {
    for (m, entry, err) in [
        (Machine::Amd64, 0x1000, PeError::UnsupportedRelocation(1)),
        (Machine::Amd64, 0x4000, PeError::UnsupportedRelocation(4)),
        (Machine::I386, 0x5000, PeError::UnsupportedRelocation(5)),
        (Machine::I386, 0xa000, PeError::BadRelocation), // DIR64 in PE32
        (Machine::Amd64, 0xaffc, PeError::BadRelocation), // runs past SizeOfImage
    ] {
        let (mut mem, d) = single_fixup_image(m, entry);
        // A good fixup first: it must not be applied either.
        let r = MappedImage::new(&mem)
            .unwrap()
            .data_directory(5)
            .unwrap()
            .rva as usize;
        put32(&mut mem, r + 4, 12);
        put16(&mut mem, r + 8, 0x3000);
        put16(&mut mem, r + 10, entry);
        let _ = d;
        let before = mem.clone();
        let base = if m == Machine::I386 {
            0x100_0000
        } else {
            0x2_0000_0000
        };
        assert_eq!(relocate(&mut mem, base), Err(err), "{m:?} {entry:#x}");
        assert_eq!(mem, before);
    }
}

#[test]
fn relocations_stripped_and_bad_bases() {
    let mut b = Builder::new(Machine::I386);
    b.section(".text", SCN_CODE, vec![0xc3], 0);
    b.extra_characteristics = 0x0001;
    let mut mem = mapped(&b.build());
    assert_eq!(
        relocate(&mut mem, 0x50_0000),
        Err(PeError::RelocationsStripped)
    );
    assert_eq!(relocate(&mut mem, 0x40_0000), Ok(()), "no move needed");
    // Without the flag and without a directory there is nothing to fix.
    b.extra_characteristics = 0;
    let mut mem = mapped(&b.build());
    relocate(&mut mem, 0x50_0000).unwrap();
    assert_eq!(MappedImage::new(&mem).unwrap().image_base(), 0x50_0000);

    let s = sample(Machine::I386, true);
    let mut mem = mapped(&s.file);
    let before = mem.clone();
    assert_eq!(
        relocate(&mut mem, 0x1_0000_0000),
        Err(PeError::BadImageBase)
    );
    assert_eq!(relocate(&mut mem, 0x50_1000), Err(PeError::BadImageBase));
    relocate(&mut mem, 0xffff_0000).unwrap(); // ends at 0xffff_8000
    relocate(&mut mem, s.builder.image_base).unwrap();
    assert_eq!(mem, before);
    let s = sample(Machine::Amd64, true);
    let mut mem = mapped(&s.file);
    assert_eq!(
        relocate(&mut mem, u64::MAX - 0xfff),
        Err(PeError::BadImageBase)
    );
}

#[test]
fn error_display() {
    assert_eq!(PeError::BadDirectory(5).to_string(), "bad data directory 5");
    assert_eq!(
        PeError::UnsupportedMachine(0x1c0).to_string(),
        "unsupported machine 0x01c0"
    );
}
