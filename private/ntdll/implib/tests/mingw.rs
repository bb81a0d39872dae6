//! End to end, per architecture: build ntdll.dll, check its export table against
//! [`EXPORTS`], make `libntdll.a` with dlltool, link a native C program against it with
//! mingw-w64 gcc and check what the program imports. Needs the Debian packages
//! gcc-mingw-w64 and binutils-mingw-w64 and the rustup targets of both arches; fails
//! with a message naming them when they are missing.

use ntdll_implib::{build_import_library, run_tool, Arch, DLL_NAME, EXPORTS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A native program, as one is written against the DDK headers (declarations inlined:
/// we ship no headers yet). It calls stdcall routines of three argument sizes through
/// `__declspec(dllimport)` (the `__imp_` pointers) and `memset` as a plain call (the
/// import thunk).
const PROGRAM: &str = r#"
typedef unsigned short WCHAR;
typedef unsigned char BOOLEAN;
typedef long NTSTATUS;
typedef struct _UNICODE_STRING {
    unsigned short Length;
    unsigned short MaximumLength;
    WCHAR *Buffer;
} UNICODE_STRING;
#define NTAPI __stdcall
#define NTSYSAPI __declspec(dllimport)

NTSYSAPI void NTAPI RtlInitUnicodeString(UNICODE_STRING *Destination, const WCHAR *Source);
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(const UNICODE_STRING *String1,
                                             const UNICODE_STRING *String2,
                                             BOOLEAN CaseInSensitive);
NTSYSAPI NTSTATUS NTAPI RtlIntegerToChar(unsigned long Value, unsigned long Base,
                                         long OutputLength, char *String);
void *memset(void *Destination, int Fill, __SIZE_TYPE__ Count);

void NTAPI NtProcessStartup(void *Peb)
{
    UNICODE_STRING a, b;
    char digits[16];
    (void)Peb;
    memset(digits, 0, sizeof digits);
    RtlInitUnicodeString(&a, L"Nereid");
    RtlInitUnicodeString(&b, L"NEREID");
    if (RtlEqualUnicodeString(&a, &b, 1))
        RtlIntegerToChar(42, 10, sizeof digits, digits);
    for (;;) {
    }
}
"#;

const PROGRAM_IMPORTS: [&str; 4] = [
    "RtlEqualUnicodeString",
    "RtlInitUnicodeString",
    "RtlIntegerToChar",
    "memset",
];

fn scratch(arch: Arch) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ntdll-implib")
        .join(arch.name())
}

/// Runs a tool and returns its standard output; any failure ends the test with the
/// tool's own message (for a missing tool: the package to install).
fn output(command: &mut Command) -> String {
    let out = run_tool(command).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out.stdout).expect("tool output is text")
}

fn require_mingw(arch: Arch) {
    for tool in ["gcc", "dlltool", "objdump", "nm"] {
        output(Command::new(arch.mingw_tool(tool)).arg("--version"));
    }
}

/// Builds ntdll.dll for `arch` (release) in a target directory of this test's own, so
/// the nested cargo never waits on the one running the tests, and returns the folder
/// holding `ntdll.dll` and the linker's own import library `ntdll.dll.lib`.
fn build_ntdll(arch: Arch) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ntdll-implib")
        .join("cargo");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "--package",
            "ntdll",
            "--release",
            "--target",
            arch.rust_target(),
        ])
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
    target_dir.join(arch.rust_target()).join("release")
}

/// The names in a PE image's export name table, from `objdump -p`.
fn exported_names(arch: Arch, image: &Path) -> Vec<String> {
    let dump = output(
        Command::new(arch.mingw_tool("objdump"))
            .arg("-p")
            .arg(image),
    );
    let table = dump
        .split("[Ordinal/Name Pointer] Table")
        .nth(1)
        .expect("an export name table");
    table
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.rsplit(']').next().unwrap().trim().to_owned())
        .collect()
}

/// `(dll, names)` for each DLL a PE image imports from, from `objdump -p`.
fn imports(arch: Arch, image: &Path) -> Vec<(String, Vec<String>)> {
    let dump = output(
        Command::new(arch.mingw_tool("objdump"))
            .arg("-p")
            .arg(image),
    );
    dump.split("DLL Name: ")
        .skip(1)
        .map(|section| {
            let mut lines = section.lines();
            let dll = lines.next().unwrap().trim().to_owned();
            // After the column header, one `vma hint name` line per import.
            let names = lines
                .skip_while(|l| !l.contains("Member-Name"))
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .map(|l| {
                    l.split_whitespace()
                        .nth(2)
                        .expect("vma, hint, name")
                        .to_owned()
                })
                .collect();
            (dll, names)
        })
        .collect()
}

/// Code symbols (`T`) defined by the members of an import library, section names aside.
fn library_code_symbols(arch: Arch, library: &Path) -> BTreeSet<String> {
    let listing = output(Command::new(arch.mingw_tool("nm")).arg(library));
    listing
        .lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, "T", name] if !name.starts_with('.') => Some(name.to_owned()),
            _ => None,
        })
        .collect()
}

fn check_arch(arch: Arch) {
    require_mingw(arch);
    let dll_dir = build_ntdll(arch);
    let dll = dll_dir.join(DLL_NAME);

    // The DLL exports exactly the list, by undecorated name on both arches.
    let expected_names: Vec<String> = EXPORTS.iter().map(|e| e.name.to_owned()).collect();
    assert_eq!(
        exported_names(arch, &dll),
        expected_names,
        "{arch} export table"
    );

    // The C symbols our .def promises are the ones the linker derived from the real
    // function signatures (its import library): this proves every `@N`.
    let expected_symbols: BTreeSet<String> = EXPORTS.iter().map(|e| e.c_symbol(arch)).collect();
    let lld_symbols = library_code_symbols(arch, &dll_dir.join("ntdll.dll.lib"));
    assert_eq!(
        lld_symbols, expected_symbols,
        "{arch}: rust-lld's ntdll.dll.lib"
    );

    let out = scratch(arch);
    let lib = build_import_library(arch, &out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        library_code_symbols(arch, &lib),
        expected_symbols,
        "{arch}: libntdll.a"
    );

    let source = out.join("native.c");
    let exe = out.join("native.exe");
    std::fs::write(&source, PROGRAM).unwrap();
    let entry = match arch {
        Arch::X86_64 => "NtProcessStartup",
        Arch::I386 => "_NtProcessStartup@4",
    };
    output(
        Command::new(arch.mingw_tool("gcc"))
            .args([
                "-O2",
                "-Wall",
                "-Werror",
                "-nostdlib",
                "-ffreestanding",
                "-Wl,--subsystem,native",
            ])
            .args(["-e", entry, "-o"])
            .arg(&exe)
            .arg(&source)
            .arg("-L")
            .arg(&out)
            .arg("-lntdll"),
    );

    let headers = output(Command::new(arch.mingw_tool("objdump")).arg("-p").arg(&exe));
    assert!(
        headers.contains("(NT native)"),
        "{arch}: not a native-subsystem image:\n{headers}"
    );
    let imported = imports(arch, &exe);
    let mut names = match &imported[..] {
        [(dll, names)] if dll == DLL_NAME => names.clone(),
        _ => panic!("{arch}: expected imports from {DLL_NAME} only, got {imported:?}"),
    };
    names.sort();
    assert_eq!(names, PROGRAM_IMPORTS, "{arch}: undecorated import names");
    for name in &names {
        assert!(
            expected_names.contains(name),
            "{arch}: {name} is not exported by our DLL"
        );
    }
}

#[test]
fn x86_64_native_program_imports_from_our_ntdll() {
    check_arch(Arch::X86_64);
}

#[test]
fn i386_native_program_imports_from_our_ntdll() {
    check_arch(Arch::I386);
}
