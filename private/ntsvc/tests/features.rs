//! `docs/FEATURES.md` must describe every system service of the table.
//!
//! Its section "NT system services" holds one row per service,
//! `| number | name | status | … |`. This test fails when a service of
//! [`ntsvc::SERVICES`] has no row there, when a row gives a service another number,
//! when a row names a service that no longer exists, or when a status is not one of
//! the file's status values — so adding or renumbering a service without updating
//! the feature table breaks `cargo test --workspace`.

use std::collections::BTreeMap;
use std::path::PathBuf;

const SECTION: &str = "## NT system services";
const STATUSES: [&str; 3] = ["not started", "partial", "done+tested"];

fn features() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/FEATURES.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The lines of the section, up to the next heading of the same or a higher level.
fn section(text: &str) -> Vec<&str> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != SECTION);
    assert!(
        lines.next().is_some(),
        "docs/FEATURES.md has no `{SECTION}` section"
    );
    lines
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("# "))
        .collect()
}

/// The cells of a table row, trimmed and without backticks.
fn cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(
        inner
            .split('|')
            .map(|c| c.trim().trim_matches('`').trim().to_owned())
            .collect(),
    )
}

/// Service rows of the section: name → (number, status).
fn rows(section: &[&str]) -> BTreeMap<String, (u32, String)> {
    let mut found = BTreeMap::new();
    for line in section {
        let Some(c) = cells(line) else { continue };
        if c.len() < 3 || !c[1].starts_with("Nt") {
            continue;
        }
        let number = c[0]
            .strip_prefix("0x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .unwrap_or_else(|| panic!("row of {}: number `{}` is not hex (0x…)", c[1], c[0]));
        let previous = found.insert(c[1].clone(), (number, c[2].clone()));
        assert!(previous.is_none(), "{} has two rows", c[1]);
    }
    found
}

#[test]
fn every_service_has_a_row_with_its_number() {
    let text = features();
    let rows = rows(&section(&text));
    let missing: Vec<&str> = ntsvc::SERVICES
        .iter()
        .filter(|s| !rows.contains_key(s.name))
        .map(|s| s.name)
        .collect();
    assert!(
        missing.is_empty(),
        "docs/FEATURES.md, `{SECTION}`: no row for {missing:?}"
    );
    for s in ntsvc::SERVICES {
        let (number, _) = &rows[s.name];
        assert_eq!(
            *number, s.number,
            "{}: FEATURES.md says {number:#06x}, ntsvc {:#06x}",
            s.name, s.number
        );
    }
}

#[test]
fn rows_name_existing_services_with_known_statuses() {
    let text = features();
    for (name, (_, status)) in rows(&section(&text)) {
        assert!(
            ntsvc::SERVICES.iter().any(|s| s.name == name),
            "docs/FEATURES.md lists {name}, which is not in ntsvc's table"
        );
        assert!(
            STATUSES.iter().any(|s| status.starts_with(s)),
            "{name}: status `{status}` is not one of {STATUSES:?}"
        );
    }
}
