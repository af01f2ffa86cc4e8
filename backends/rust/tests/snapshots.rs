//! Snapshots of the Rust generated for every golden case with an IR, one per file, named
//! `<case>__<path>` (`/` as `__`), in backends/rust/tests/snapshots/; one test per golden case
//! (`case::<name>`); no snapshot may be stray.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::collections::BTreeSet;
use std::path::Path;

fn snapshot_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// A case's generated files each match their snapshot; a case without an IR has no snapshots.
fn generated_rust(case: &str) {
    let files = common::generated(case).map(|fs| {
        fs.into_iter()
            .map(|f| (f.path, f.contents))
            .collect::<Vec<_>>()
    });
    brief_testkit::assert_generated_snapshots!(snapshot_dir(), case, files, "Rust");
}

mod case {
    brief_testkit::golden_cases!(super::generated_rust);
}

#[test]
fn no_unreferenced_snapshots() {
    let wanted: BTreeSet<String> = common::generated_cases()
        .into_iter()
        .flat_map(|(case, files)| {
            files
                .into_iter()
                .map(move |f| brief_testkit::generated_snapshot_name(&case, &f.path))
        })
        .collect();
    let stray = brief_testkit::stray_snapshots(&snapshot_dir(), |stem| wanted.contains(stem));
    assert!(
        stray.is_empty(),
        "snapshots without a generated file (delete them): {stray:?}"
    );
}
