//! Snapshots of every golden case with an IR exported in each format (OpenAPI, AsyncAPI,
//! proto3), named `<case>__<file>`, in backends/export/tests/snapshots/; one test per golden
//! case (`case::<name>`); no snapshot may be stray.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::collections::BTreeSet;
use std::path::Path;

fn snapshot_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// A case's exported documents each match their snapshot; a case without an IR has none.
fn exported(case: &str) {
    let files = common::exported(case).map(|fs| {
        fs.into_iter()
            .map(|f| (f.path, f.contents))
            .collect::<Vec<_>>()
    });
    brief_testkit::assert_generated_snapshots!(snapshot_dir(), case, files, "export");
}

mod case {
    brief_testkit::golden_cases!(super::exported);
}

#[test]
fn no_unreferenced_snapshots() {
    let wanted: BTreeSet<String> = common::exported_cases()
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
        "snapshots without an exported file (delete them): {stray:?}"
    );
}
