//! `ntdll-implib OUT_DIR [ARCH…]`: writes `OUT_DIR/<arch>/{ntdll.def,libntdll.a}` for
//! each architecture (`x86_64`, `i386`; both when none is named).

use ntdll_implib::{build_import_library, Arch};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out_dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: ntdll-implib OUT_DIR [x86_64|i386]...");
        return ExitCode::from(2);
    };
    let mut arches = Vec::new();
    for name in args {
        match Arch::from_name(&name) {
            Some(arch) => arches.push(arch),
            None => {
                eprintln!("unknown architecture `{name}` (x86_64 or i386)");
                return ExitCode::from(2);
            }
        }
    }
    if arches.is_empty() {
        arches = Arch::ALL.to_vec();
    }
    for arch in arches {
        match build_import_library(arch, &out_dir.join(arch.name())) {
            Ok(lib) => println!("{}", lib.display()),
            Err(e) => {
                eprintln!("ntdll-implib: {arch}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
