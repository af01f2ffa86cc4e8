//! Snapshots of the PHP generated for every golden case with an IR, one per file, named
//! `<case>__<path>` (`/` as `__`), in backends/php/tests/snapshots/; one test per golden case
//! (`case::<name>`); no snapshot may be stray.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::collections::BTreeSet;
use std::path::Path;

fn snapshot_name(case: &str, path: &str) -> String {
    format!("{case}__{}", path.replace('/', "__"))
}

fn snapshot_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// A case's generated files each match their snapshot; a case without an IR has no snapshots.
fn generated_php(case: &str) {
    let Some(files) = common::generated(case) else {
        let prefix = format!("{case}__");
        let stale: Vec<String> = brief_testkit::file_names(&snapshot_dir())
            .into_iter()
            .filter(|f| f.starts_with(&prefix))
            .collect();
        assert!(
            stale.is_empty(),
            "{case} has no IR but snapshots: {stale:?}"
        );
        return;
    };
    let input = common::repo().join("golden/cases").join(case);
    let mut failed = Vec::new();
    for f in files {
        let name = snapshot_name(case, &f.path);
        let text = String::from_utf8(f.contents).unwrap();
        let result = std::panic::catch_unwind(|| {
            brief_testkit::assert_snapshot!(snapshot_dir(), name.clone(), text, input_file => &input);
        });
        if result.is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "generated PHP differs from its snapshots: {failed:?}"
    );
}

mod case {
    brief_testkit::golden_cases!(super::generated_php);
}

#[test]
fn no_unreferenced_snapshots() {
    let wanted: BTreeSet<String> = common::generated_cases()
        .into_iter()
        .flat_map(|(case, files)| {
            files
                .into_iter()
                .map(move |f| snapshot_name(&case, &f.path))
        })
        .collect();
    let stray = brief_testkit::stray_snapshots(&snapshot_dir(), |stem| wanted.contains(stem));
    assert!(
        stray.is_empty(),
        "snapshots without a generated file (delete them): {stray:?}"
    );
}
