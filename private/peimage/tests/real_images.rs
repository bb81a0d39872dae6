//! Real images: our ntdll.dll (rust-lld, both arches) and a native C program linked by
//! mingw-w64 against our libntdll.a. Needs the rustup targets x86_64-pc-windows-msvc and
//! i686-pc-windows-msvc and the Debian packages gcc-mingw-w64 / binutils-mingw-w64;
//! fails naming them when missing (nothing is skipped).

use ntdll_implib::{build_import_library, run_tool, Arch, DLL_NAME, EXPORTS};
use peimage::{relocate, subsystem, Export, Import, Machine, MappedImage, PeImage};
use std::path::{Path, PathBuf};
use std::process::Command;

const PROGRAM: &str = r#"
typedef unsigned short WCHAR;
typedef struct _UNICODE_STRING {
    unsigned short Length;
    unsigned short MaximumLength;
    WCHAR *Buffer;
} UNICODE_STRING;
__declspec(dllimport) void __stdcall RtlInitUnicodeString(UNICODE_STRING *d, const WCHAR *s);

static UNICODE_STRING name;
/* An absolute pointer in data (external, so it stays there): a base relocation. */
const WCHAR *nereid_text = L"Nereid";

void __stdcall NtProcessStartup(void *peb)
{
    (void)peb;
    RtlInitUnicodeString(&name, nereid_text);
    for (;;) {
    }
}
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(arch: Arch) -> PathBuf {
    workspace_root()
        .join("target/peimage-test/work")
        .join(arch.name())
}

fn machine(arch: Arch) -> Machine {
    match arch {
        Arch::X86_64 => Machine::Amd64,
        Arch::I386 => Machine::I386,
    }
}

/// Builds ntdll.dll (release) in `target/peimage-test`, a target directory of its own
/// so the nested cargo never waits on the one running the tests.
fn build_ntdll(arch: Arch) -> Vec<u8> {
    let target_dir = workspace_root().join("target/peimage-test");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "ntdll", "--release", "--target"])
        .arg(arch.rust_target())
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building ntdll.dll for {arch} failed (is the rustup target installed? \
         rustup target add {})",
        arch.rust_target()
    );
    let path = target_dir
        .join(arch.rust_target())
        .join("release")
        .join(DLL_NAME);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Links [`PROGRAM`] with mingw-w64 gcc against our libntdll.a.
fn build_native_program(arch: Arch) -> Vec<u8> {
    let out = scratch(arch);
    std::fs::create_dir_all(&out).unwrap();
    // build_import_library and run_tool name gcc-mingw-w64 / binutils-mingw-w64 when a
    // tool is missing.
    let lib = build_import_library(arch, &out).unwrap_or_else(|e| panic!("{e}"));
    let source = out.join("native.c");
    let exe = out.join("native.exe");
    std::fs::write(&source, PROGRAM).unwrap();
    let entry = match arch {
        Arch::X86_64 => "NtProcessStartup",
        Arch::I386 => "_NtProcessStartup@4",
    };
    run_tool(
        Command::new(arch.mingw_tool("gcc"))
            .args([
                "-O2",
                "-Wall",
                "-Werror",
                "-nostdlib",
                "-ffreestanding",
                "-Wl,--subsystem,native",
                "-Wl,--dynamicbase",
            ])
            .args(["-e", entry, "-o"])
            .arg(&exe)
            .arg(&source)
            .arg("-L")
            .arg(lib.parent().unwrap())
            .arg("-lntdll"),
    )
    .unwrap_or_else(|e| panic!("{e} (Debian package gcc-mingw-w64)"));
    std::fs::read(&exe).unwrap()
}

fn map(file: &[u8]) -> Vec<u8> {
    let img = PeImage::parse(file).unwrap();
    let mut mem = vec![0u8; img.size_of_image() as usize];
    img.copy_mapped(&mut mem).unwrap();
    mem
}

/// Every section's data shows up at its RVA; headers at 0.
fn check_layout(file: &[u8], mem: &[u8]) {
    let img = PeImage::parse(file).unwrap();
    assert_eq!(&mem[..img.header_bytes().len()], img.header_bytes());
    for s in img.sections() {
        let va = s.virtual_address as usize;
        assert_eq!(&mem[va..va + s.data.len()], s.data, "{:?}", s.name);
    }
}

/// No prefix panics; every prefix shorter than the last section's raw data fails.
fn check_truncations(file: &[u8]) {
    let img = PeImage::parse(file).unwrap();
    let covered = img
        .sections()
        .map(|s| (s.pointer_to_raw_data + s.size_of_raw_data) as usize)
        .max()
        .unwrap();
    for len in (0..file.len()).step_by(7) {
        let r = PeImage::parse(&file[..len]);
        if len < covered {
            assert!(r.is_err(), "prefix {len} of {covered} accepted");
        }
    }
}

fn check_arch(arch: Arch) {
    let m = machine(arch);

    // ntdll.dll
    let dll = build_ntdll(arch);
    let img = PeImage::parse(&dll).unwrap_or_else(|e| panic!("{arch} ntdll.dll: {e}"));
    assert_eq!(img.machine(), m);
    assert!(img.is_dll());
    assert_eq!(img.subsystem(), subsystem::NATIVE);
    assert!(img
        .sections()
        .any(|s| s.name == b".text" && s.protection().execute));
    let mut dll_mem = map(&dll);
    check_layout(&dll, &dll_mem);
    check_truncations(&dll);
    {
        let ntdll = MappedImage::new(&dll_mem).unwrap();
        assert_eq!(ntdll.export_dll_name().unwrap(), Some(DLL_NAME.as_bytes()));
        let names: Vec<&[u8]> = ntdll.export_names().unwrap().map(Result::unwrap).collect();
        let expected: Vec<&[u8]> = EXPORTS.iter().map(|e| e.name.as_bytes()).collect();
        assert_eq!(names, expected, "{arch}: export name table");
        let text = ntdll.sections().find(|s| s.name == b".text").unwrap();
        let text_range = text.virtual_address..text.virtual_address + text.virtual_size;
        for e in EXPORTS {
            match ntdll.export_by_name(e.name.as_bytes()).unwrap() {
                Some(Export::Rva(rva)) => {
                    assert!(text_range.contains(&rva), "{arch}: {} at {rva:#x}", e.name)
                }
                other => panic!("{arch}: {}: {other:?}", e.name),
            }
        }
        assert_eq!(ntdll.export_by_name(b"NtNoSuchRoutine").unwrap(), None);
        // Ordinals cover the same functions.
        let (base, count) = ntdll.export_ordinal_range().unwrap().unwrap();
        let by_ordinal = (base..base + count)
            .filter(|&o| matches!(ntdll.export_by_ordinal(o as u16), Ok(Some(Export::Rva(_)))))
            .count();
        assert_eq!(by_ordinal, EXPORTS.len());
    }
    // Rebase ntdll (rust-lld emits relocations for DLLs) and back.
    let orig = dll_mem.clone();
    let new_base = img.image_base() + 0x100_0000;
    relocate(&mut dll_mem, new_base).unwrap();
    assert_eq!(MappedImage::new(&dll_mem).unwrap().image_base(), new_base);
    relocate(&mut dll_mem, img.image_base()).unwrap();
    assert_eq!(dll_mem, orig, "{arch}: ntdll relocation round trip");

    // The native program.
    let exe = build_native_program(arch);
    let prog = PeImage::parse(&exe).unwrap_or_else(|e| panic!("{arch} native.exe: {e}"));
    assert_eq!(prog.machine(), m);
    assert!(!prog.is_dll());
    assert_eq!(prog.subsystem(), subsystem::NATIVE);
    assert!(prog.entry_point_rva().is_some());
    let mut mem = map(&exe);
    check_layout(&exe, &mem);
    check_truncations(&exe);
    {
        let p = MappedImage::new(&mem).unwrap();
        let dlls: Vec<_> = p.imports().unwrap().map(Result::unwrap).collect();
        assert_eq!(dlls.len(), 1, "{arch}: {dlls:?}");
        assert_eq!(dlls[0].name, DLL_NAME.as_bytes());
        let entries: Vec<_> = dlls[0].entries().map(Result::unwrap).collect();
        assert_eq!(entries.len(), 1, "{arch}: {entries:?}");
        let Import::ByName { name, .. } = entries[0].import else {
            panic!("{arch}: {entries:?}");
        };
        assert_eq!(name, b"RtlInitUnicodeString");
        assert_eq!(entries[0].iat_slot_rva, dlls[0].iat_rva);
        // Binding: the import resolves against our ntdll's export table.
        let ntdll = MappedImage::new(&orig).unwrap();
        assert!(matches!(
            ntdll.export_by_name(name).unwrap(),
            Some(Export::Rva(_))
        ));
    }
    // The program is relocatable (an absolute pointer in .data, --dynamicbase).
    assert!(prog.data_directory(peimage::directory::BASERELOC).is_some());
    let before = mem.clone();
    let new_base = match m {
        Machine::I386 => 0x1000_0000,
        Machine::Amd64 => 0x7ff7_0000_0000,
    };
    relocate(&mut mem, new_base).unwrap();
    assert_ne!(mem, before);
    relocate(&mut mem, prog.image_base()).unwrap();
    assert_eq!(mem, before, "{arch}: program relocation round trip");
}

#[test]
fn x86_64_ntdll_and_native_program() {
    check_arch(Arch::X86_64);
}

#[test]
fn i386_ntdll_and_native_program() {
    check_arch(Arch::I386);
}
