//! Snapshots of the Go generated for every golden case with an IR, one per file, named
//! `<case>__<path>` (`/` as `__`), in backends/go/tests/snapshots/; no snapshot may be stray.
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

#[test]
fn generated_go_matches_snapshots() {
    let mut failed = Vec::new();
    for (case, files) in common::generated_cases() {
        for f in files {
            let name = snapshot_name(&case, &f.path);
            let text = String::from_utf8(f.contents).unwrap();
            let result = std::panic::catch_unwind(|| {
                insta::with_settings!({
                    snapshot_path => snapshot_dir(),
                    prepend_module_to_snapshot => false,
                    omit_expression => true,
                    input_file => common::repo().join("golden/cases").join(&case),
                }, {
                    insta::assert_snapshot!(name.clone(), text);
                });
            });
            if result.is_err() {
                failed.push(name);
            }
        }
    }
    assert!(
        failed.is_empty(),
        "generated Go differs from its snapshots: {failed:?}"
    );
}

#[test]
fn no_unreferenced_snapshots() {
    let wanted: BTreeSet<String> = common::generated_cases()
        .into_iter()
        .flat_map(|(case, files)| {
            files
                .into_iter()
                .map(move |f| format!("{}.snap", snapshot_name(&case, &f.path)))
        })
        .collect();
    let mut stray = Vec::new();
    for e in std::fs::read_dir(snapshot_dir()).unwrap() {
        let file = e.unwrap().file_name().to_string_lossy().into_owned();
        if !wanted.contains(&file) {
            stray.push(file);
        }
    }
    assert!(
        stray.is_empty(),
        "snapshots without a generated file (delete them): {stray:?}"
    );
}
