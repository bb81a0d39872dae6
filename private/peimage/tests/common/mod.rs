//! Test-only PE builder: assembles headers, sections and import/export/TLS/relocation
//! directories in memory, for PE32 (i386) and PE32+ (AMD64).

#![allow(dead_code)]

use peimage::Machine;

pub const PE_OFFSET: usize = 0x80;
pub const COFF_OFFSET: usize = PE_OFFSET + 4;
pub const OPT_OFFSET: usize = COFF_OFFSET + 20;

pub const SCN_CODE: u32 = 0x0000_0020 | 0x2000_0000 | 0x4000_0000; // code, X, R
pub const SCN_DATA: u32 = 0x0000_0040 | 0x4000_0000 | 0x8000_0000; // init data, R, W
pub const SCN_RDATA: u32 = 0x0000_0040 | 0x4000_0000; // init data, R

pub fn align(v: u32, a: u32) -> u32 {
    v.div_ceil(a) * a
}

pub fn opt_size(wide: bool) -> usize {
    if wide {
        240
    } else {
        224
    }
}

pub fn section_table_offset(wide: bool) -> usize {
    OPT_OFFSET + opt_size(wide)
}

pub fn dir_offset(wide: bool, index: usize) -> usize {
    OPT_OFFSET + if wide { 112 } else { 96 } + index * 8
}

pub fn put16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}
pub fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
pub fn put64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
pub fn get32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
pub fn get64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

#[derive(Clone)]
pub struct Sec {
    pub name: &'static str,
    pub rva: u32,
    pub vsize: u32,
    pub data: Vec<u8>,
    pub chars: u32,
}

#[derive(Clone)]
pub struct Builder {
    pub machine: Machine,
    pub dll: bool,
    pub image_base: u64,
    pub entry: u32,
    pub subsystem: u16,
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub stack: (u64, u64),
    pub extra_characteristics: u16,
    pub sections: Vec<Sec>,
    pub dirs: [(u32, u32); 16],
}

impl Builder {
    pub fn new(machine: Machine) -> Builder {
        Builder {
            machine,
            dll: false,
            image_base: match machine {
                Machine::I386 => 0x40_0000,
                Machine::Amd64 => 0x1_4000_0000,
            },
            entry: 0,
            subsystem: 1,
            section_alignment: 0x1000,
            file_alignment: 0x200,
            stack: (0x10_0000, 0x2000),
            extra_characteristics: 0,
            sections: Vec::new(),
            dirs: [(0, 0); 16],
        }
    }

    pub fn wide(&self) -> bool {
        self.machine == Machine::Amd64
    }

    pub fn ptr(&self) -> usize {
        self.machine.pointer_size()
    }

    fn header_end(&self) -> u32 {
        (section_table_offset(self.wide()) + 40 * self.sections.len()) as u32
    }

    pub fn size_of_headers(&self) -> u32 {
        align(self.header_end(), self.file_alignment)
    }

    /// The RVA the next section added will get.
    pub fn next_rva(&self) -> u32 {
        match self.sections.last() {
            None => align(
                // Room for a generous section table.
                (section_table_offset(self.wide()) + 40 * 16) as u32,
                self.section_alignment,
            ),
            Some(s) => align(s.rva + s.vsize.max(1), self.section_alignment),
        }
    }

    /// Adds a section; `vsize` 0 means the data length. Returns its RVA.
    pub fn section(&mut self, name: &'static str, chars: u32, data: Vec<u8>, vsize: u32) -> u32 {
        let rva = self.next_rva();
        let vsize = if vsize == 0 { data.len() as u32 } else { vsize };
        self.sections.push(Sec {
            name,
            rva,
            vsize,
            data,
            chars,
        });
        rva
    }

    pub fn dir(&mut self, index: usize, rva: u32, size: u32) {
        self.dirs[index] = (rva, size);
    }

    pub fn size_of_image(&self) -> u32 {
        self.next_rva()
    }

    pub fn build(&self) -> Vec<u8> {
        let wide = self.wide();
        let soh = self.size_of_headers();
        let mut raw_ptrs = Vec::new();
        let mut file_len = soh;
        for s in &self.sections {
            let raw = align(s.data.len() as u32, self.file_alignment);
            raw_ptrs.push(if raw == 0 { (0, 0) } else { (file_len, raw) });
            file_len += raw;
        }
        let mut b = vec![0u8; file_len as usize];
        b[0..2].copy_from_slice(b"MZ");
        put32(&mut b, 0x3c, PE_OFFSET as u32);
        b[PE_OFFSET..PE_OFFSET + 4].copy_from_slice(b"PE\0\0");
        let c = COFF_OFFSET;
        put16(&mut b, c, self.machine.coff());
        put16(&mut b, c + 2, self.sections.len() as u16);
        put16(&mut b, c + 16, opt_size(wide) as u16);
        let mut chars = 0x0002 | self.extra_characteristics;
        if !wide {
            chars |= 0x0100; // 32BIT_MACHINE
        } else {
            chars |= 0x0020; // LARGE_ADDRESS_AWARE
        }
        if self.dll {
            chars |= 0x2000;
        }
        put16(&mut b, c + 18, chars);
        let o = OPT_OFFSET;
        put16(&mut b, o, if wide { 0x20b } else { 0x10b });
        put32(&mut b, o + 16, self.entry);
        if wide {
            put64(&mut b, o + 24, self.image_base);
        } else {
            put32(&mut b, o + 28, self.image_base as u32);
        }
        put32(&mut b, o + 32, self.section_alignment);
        put32(&mut b, o + 36, self.file_alignment);
        put16(&mut b, o + 40, 6);
        put16(&mut b, o + 48, 6);
        put32(&mut b, o + 56, self.size_of_image());
        put32(&mut b, o + 60, soh);
        put16(&mut b, o + 68, self.subsystem);
        put16(&mut b, o + 70, 0x0140); // DYNAMIC_BASE | NX_COMPAT
        if wide {
            put64(&mut b, o + 72, self.stack.0);
            put64(&mut b, o + 80, self.stack.1);
            put64(&mut b, o + 88, 0x10_0000);
            put64(&mut b, o + 96, 0x1000);
            put32(&mut b, o + 108, 16);
        } else {
            put32(&mut b, o + 72, self.stack.0 as u32);
            put32(&mut b, o + 76, self.stack.1 as u32);
            put32(&mut b, o + 80, 0x10_0000);
            put32(&mut b, o + 84, 0x1000);
            put32(&mut b, o + 92, 16);
        }
        for (i, &(rva, size)) in self.dirs.iter().enumerate() {
            put32(&mut b, dir_offset(wide, i), rva);
            put32(&mut b, dir_offset(wide, i) + 4, size);
        }
        let t = section_table_offset(wide);
        for (i, s) in self.sections.iter().enumerate() {
            let e = t + 40 * i;
            b[e..e + s.name.len()].copy_from_slice(s.name.as_bytes());
            put32(&mut b, e + 8, s.vsize);
            put32(&mut b, e + 12, s.rva);
            put32(&mut b, e + 16, raw_ptrs[i].1);
            put32(&mut b, e + 20, raw_ptrs[i].0);
            put32(&mut b, e + 36, s.chars);
            let p = raw_ptrs[i].0 as usize;
            b[p..p + s.data.len()].copy_from_slice(&s.data);
        }
        b
    }
}

/// Appends `s` and a NUL; returns its offset.
fn push_str(buf: &mut Vec<u8>, s: &str) -> u32 {
    let off = buf.len() as u32;
    buf.extend_from_slice(s.as_bytes());
    buf.push(0);
    off
}

fn push_ptr(buf: &mut Vec<u8>, wide: bool, v: u64) {
    if wide {
        buf.extend_from_slice(&v.to_le_bytes());
    } else {
        buf.extend_from_slice(&(v as u32).to_le_bytes());
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Imp {
    Name(u16, &'static str),
    Ordinal(u16),
}

pub struct BuiltImports {
    pub data: Vec<u8>,
    pub dir_size: u32,
    /// Per DLL: IAT RVA.
    pub iat_rvas: Vec<u32>,
}

/// An import section at `base`: descriptors, then per DLL its lookup table and IAT
/// (both null-terminated), then hint/name entries and DLL names.
pub fn imports(base: u32, wide: bool, dlls: &[(&str, &[Imp])]) -> BuiltImports {
    let w = if wide { 8 } else { 4 };
    let desc_len = (dlls.len() + 1) * 20;
    let mut tables_len = 0;
    for (_, e) in dlls {
        tables_len += 2 * (e.len() + 1) * w;
    }
    // Strings after the tables.
    let mut strings = Vec::new();
    let strings_base = (desc_len + tables_len) as u32;
    let mut name_rvas = Vec::new();
    let mut hint_rvas = Vec::new();
    for (dll, entries) in dlls {
        name_rvas.push(base + strings_base + push_str(&mut strings, dll));
        let mut h = Vec::new();
        for e in entries.iter() {
            if let Imp::Name(hint, name) = e {
                if strings.len() % 2 == 1 {
                    strings.push(0);
                }
                let off = strings.len() as u32;
                strings.extend_from_slice(&hint.to_le_bytes());
                push_str(&mut strings, name);
                h.push(base + strings_base + off);
            } else {
                h.push(0);
            }
        }
        hint_rvas.push(h);
    }
    let mut data = vec![0u8; desc_len];
    let mut iat_rvas = Vec::new();
    for (i, (_, entries)) in dlls.iter().enumerate() {
        let ilt = base + data.len() as u32;
        let mut table = Vec::new();
        for (j, e) in entries.iter().enumerate() {
            let v = match e {
                Imp::Name(..) => u64::from(hint_rvas[i][j]),
                Imp::Ordinal(o) => u64::from(*o) | if wide { 1 << 63 } else { 1 << 31 },
            };
            push_ptr(&mut table, wide, v);
        }
        push_ptr(&mut table, wide, 0);
        data.extend_from_slice(&table);
        let iat = base + data.len() as u32;
        data.extend_from_slice(&table);
        iat_rvas.push(iat);
        let d = 20 * i;
        put32(&mut data, d, ilt);
        put32(&mut data, d + 12, name_rvas[i]);
        put32(&mut data, d + 16, iat);
    }
    assert_eq!(data.len() as u32, strings_base);
    data.extend_from_slice(&strings);
    BuiltImports {
        data,
        dir_size: desc_len as u32,
        iat_rvas,
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Fun {
    Rva(u32),
    Forward(&'static str),
    Empty,
}

/// An export section at `base` (the directory spans the whole section data, so the
/// forwarder strings are inside it). `names`: (name, function index), any order.
pub fn exports(
    base: u32,
    dll: &str,
    ordinal_base: u32,
    funcs: &[Fun],
    names: &[(&'static str, u16)],
) -> Vec<u8> {
    let mut names = names.to_vec();
    names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let eat = 40;
    let npt = eat + 4 * funcs.len();
    let ord = npt + 4 * names.len();
    let strings_at = ord + 2 * names.len();
    let mut strings = Vec::new();
    let s = |strings: &mut Vec<u8>, v: &str| base + (strings_at as u32) + push_str(strings, v);
    let dll_name = s(&mut strings, dll);
    let mut data = vec![0u8; strings_at];
    put32(&mut data, 12, dll_name);
    put32(&mut data, 16, ordinal_base);
    put32(&mut data, 20, funcs.len() as u32);
    put32(&mut data, 24, names.len() as u32);
    put32(&mut data, 28, base + eat as u32);
    put32(&mut data, 32, base + npt as u32);
    put32(&mut data, 36, base + ord as u32);
    for (i, f) in funcs.iter().enumerate() {
        let v = match f {
            Fun::Rva(r) => *r,
            Fun::Forward(t) => s(&mut strings, t),
            Fun::Empty => 0,
        };
        put32(&mut data, eat + 4 * i, v);
    }
    for (i, (name, index)) in names.iter().enumerate() {
        let r = s(&mut strings, name);
        put32(&mut data, npt + 4 * i, r);
        put16(&mut data, ord + 2 * i, *index);
    }
    data.extend_from_slice(&strings);
    data
}

/// A relocation directory from `(page_rva, entries)` blocks; odd blocks get an
/// ABSOLUTE pad entry.
pub fn relocs(blocks: &[(u32, Vec<u16>)]) -> Vec<u8> {
    let mut data = Vec::new();
    for (page, entries) in blocks {
        let mut e = entries.clone();
        if e.len() % 2 == 1 {
            e.push(0);
        }
        data.extend_from_slice(&page.to_le_bytes());
        data.extend_from_slice(&((8 + 2 * e.len()) as u32).to_le_bytes());
        for x in e {
            data.extend_from_slice(&x.to_le_bytes());
        }
    }
    data
}

/// What [`sample`] put where.
pub struct Sample {
    pub file: Vec<u8>,
    pub builder: Builder,
    pub text: u32,
    pub data: u32,
    pub idata: u32,
    pub edata: u32,
    pub tls: u32,
    pub reloc: u32,
    pub iat_rvas: Vec<u32>,
    /// RVAs (in .data and .tls) holding absolute addresses, and the RVA each points to.
    pub pointers: Vec<(u32, u32)>,
}

pub const TEXT_LEN: usize = 0x30;
pub const DATA_RAW: usize = 0x40;
pub const DATA_VSIZE: u32 = 0x1800;

/// A small complete image: .text (code), .data (pointers, bss tail), .idata (ntdll.dll
/// by name and ordinal, kernel32.dll by name), .edata (names, gap, forwarders), .tls
/// (directory and two callbacks), .reloc (DIR64 or HIGHLOW for every pointer).
pub fn sample(machine: Machine, dll: bool) -> Sample {
    let mut b = Builder::new(machine);
    b.dll = dll;
    let wide = b.wide();
    let w = b.ptr();
    let ib = b.image_base;

    let text = b.section(".text", SCN_CODE, vec![0xcc; TEXT_LEN], 0);
    b.entry = text + 0x10;

    // .data: two pointers into .text and .data, then bytes 1..; vsize larger than raw.
    let data_rva = b.next_rva();
    let mut data = vec![0u8; DATA_RAW];
    for (i, x) in data.iter_mut().enumerate() {
        *x = i as u8;
    }
    let pointers_data = [(data_rva, text + 0x20), (data_rva + 8, data_rva + 0x10)];
    for &(at, to) in &pointers_data {
        let off = (at - data_rva) as usize;
        data[off..off + w].copy_from_slice(&(ib + u64::from(to)).to_le_bytes()[..w]);
    }
    b.section(".data", SCN_DATA, data, DATA_VSIZE);

    let idata = b.next_rva();
    let ntdll: &[Imp] = &[
        Imp::Name(5, "RtlInitUnicodeString"),
        Imp::Ordinal(7),
        Imp::Name(0, "memset"),
    ];
    let k32: &[Imp] = &[Imp::Name(1, "ExitProcess")];
    let imp = imports(idata, wide, &[("ntdll.dll", ntdll), ("KERNEL32.dll", k32)]);
    b.section(".idata", SCN_DATA, imp.data.clone(), 0);
    b.dir(1, idata, imp.dir_size);

    let edata = b.next_rva();
    let exp = exports(
        edata,
        "sample.dll",
        5,
        &[
            Fun::Rva(text),
            Fun::Empty,
            Fun::Rva(text + 0x10),
            Fun::Forward("NTDLL.RtlCopyMemory"),
            Fun::Forward("ntdll.#12"),
        ],
        &[
            ("Beta", 2),
            ("Alpha", 0),
            ("Fwd", 3),
            ("FwdOrd", 4),
            ("Zeta", 2),
        ],
    );
    let exp_len = exp.len() as u32;
    b.section(".edata", SCN_RDATA, exp, 0);
    b.dir(0, edata, exp_len);

    // .tls: the directory at 0, callbacks array at 0x40, template bytes at 0x60..0x70,
    // index slot at 0x80.
    let tls = b.next_rva();
    let mut t = vec![0u8; 0x90];
    let va = |r: u32| ib + u64::from(r);
    let fields = [
        va(tls + 0x60),
        va(tls + 0x70),
        va(tls + 0x80),
        va(tls + 0x40),
    ];
    let mut pointers_tls = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        t[i * w..i * w + w].copy_from_slice(&f.to_le_bytes()[..w]);
        pointers_tls.push((tls + (i * w) as u32, (f - ib) as u32));
    }
    put32(&mut t, 4 * w, 0x10); // SizeOfZeroFill
    for (i, cb) in [text + 0x20, text + 0x28].iter().enumerate() {
        let off = 0x40 + i * w;
        t[off..off + w].copy_from_slice(&va(*cb).to_le_bytes()[..w]);
        pointers_tls.push((tls + off as u32, *cb));
    }
    for x in &mut t[0x60..0x70] {
        *x = 0x5a;
    }
    b.section(".tls", SCN_DATA, t, 0);
    b.dir(9, tls, if wide { 40 } else { 24 });

    let mut pointers = pointers_data.to_vec();
    pointers.extend(pointers_tls);
    let ty: u16 = if wide { 10 } else { 3 };
    let mut blocks: Vec<(u32, Vec<u16>)> = Vec::new();
    for &(at, _) in &pointers {
        let page = at & !0xfff;
        let entry = (ty << 12) | (at & 0xfff) as u16;
        match blocks.iter_mut().find(|(p, _)| *p == page) {
            Some((_, e)) => e.push(entry),
            None => blocks.push((page, vec![entry])),
        }
    }
    let rel = relocs(&blocks);
    let rel_len = rel.len() as u32;
    let reloc = b.section(".reloc", SCN_RDATA, rel, 0);
    b.dir(5, reloc, rel_len);

    Sample {
        file: b.build(),
        builder: b,
        text,
        data: data_rva,
        idata,
        edata,
        tls,
        reloc,
        iat_rvas: imp.iat_rvas,
        pointers,
    }
}

/// `file` laid out by RVA.
pub fn mapped(file: &[u8]) -> Vec<u8> {
    let img = peimage::PeImage::parse(file).expect("valid image");
    let mut mem = vec![0u8; img.size_of_image() as usize];
    img.copy_mapped(&mut mem).expect("copy_mapped");
    mem
}
