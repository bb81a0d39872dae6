//! Shared helpers: find the seL4 tree and our config headers.

use std::path::{Path, PathBuf};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn sel4_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("NEREID_SEL4_SRC") {
        return PathBuf::from(d);
    }
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    sel4_gen::locate_sel4_source(&workspace_root(), &cargo).expect("locate the seL4 source")
}

pub fn config(arch: &str) -> PathBuf {
    workspace_root().join(format!("kernel/config/{arch}/autoconf.h"))
}
