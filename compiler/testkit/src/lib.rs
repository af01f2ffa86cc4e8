//! The workspace's dev-only test kit: golden case discovery with one test per case, the paasctl
//! CLI runner, the snapshot helper, and small file helpers. Only ever a dev-dependency.
//!
//! A test kit fails a test by panicking, so the workspace's no-panic lints do not apply here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod corpus;
mod files;
mod runner;

pub use corpus::Corpus;
pub use files::{brief_files, copy_dir, file_names, stray_snapshots};
pub use insta;
pub use runner::{text, Paasctl};

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cases of a corpus (`corpus::CASES` and so on), sorted by name.
pub fn cases(corpus: Corpus) -> Vec<(String, PathBuf)> {
    corpus.cases_in(&repo())
}

/// The directory of one case of a corpus (for a file corpus, the file).
pub fn case_path(corpus: Corpus, name: &str) -> PathBuf {
    match corpus.layout {
        corpus::Layout::Dirs => repo().join(corpus.dir).join(name),
        corpus::Layout::Files(ext) => repo().join(corpus.dir).join(format!("{name}.{ext}")),
    }
}

/// Asserts that `text` equals the insta snapshot `<dir>/<name>.snap` (no module prefix, no
/// expression; `input_file` recorded when given). Expands in the calling test, so the snapshot's
/// `source:` stays the test file.
#[macro_export]
macro_rules! assert_snapshot {
    ($dir:expr, $name:expr, $text:expr) => {
        $crate::insta::with_settings!({
            snapshot_path => $dir,
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            $crate::insta::assert_snapshot!($name, $text);
        })
    };
    ($dir:expr, $name:expr, $text:expr, input_file => $input:expr) => {
        $crate::insta::with_settings!({
            snapshot_path => $dir,
            prepend_module_to_snapshot => false,
            omit_expression => true,
            input_file => $input,
        }, {
            $crate::insta::assert_snapshot!($name, $text);
        })
    };
}

/// The snapshot name of one generated file of a golden case: `<case>__<path>` (`/` as `__`).
pub fn generated_snapshot_name(case: &str, path: &str) -> String {
    format!("{case}__{}", path.replace('/', "__"))
}

/// Asserts a backend's output for golden case `case` file by file against the snapshots in
/// `dir` (named by [`generated_snapshot_name`]); `files` is `None` for a case without an IR,
/// which must then have no snapshots. Fails once, naming every file that differs. Expands in
/// the calling test, so the snapshots' `source:` stays the backend's test file.
#[macro_export]
macro_rules! assert_generated_snapshots {
    ($dir:expr, $case:expr, $files:expr, $lang:expr) => {{
        let (dir, case): (std::path::PathBuf, &str) = ($dir, $case);
        match $files {
            None => {
                let prefix = format!("{case}__");
                let stale: Vec<String> = $crate::file_names(&dir)
                    .into_iter()
                    .filter(|f| f.starts_with(&prefix))
                    .collect();
                assert!(stale.is_empty(), "{case} has no IR but snapshots: {stale:?}");
            }
            Some(files) => {
                let input = $crate::repo().join("golden/cases").join(case);
                let mut failed = Vec::new();
                for (path, contents) in files {
                    let name = $crate::generated_snapshot_name(case, &path);
                    let text = String::from_utf8(contents).unwrap();
                    let result = std::panic::catch_unwind(|| {
                        $crate::assert_snapshot!(dir.clone(), name.clone(), text, input_file => &input);
                    });
                    if result.is_err() {
                        failed.push(name);
                    }
                }
                assert!(
                    failed.is_empty(),
                    "generated {} differs from its snapshots: {failed:?}",
                    $lang
                );
            }
        }
    }};
}

/// A generator's snapshot suite, in its `tests/snapshots.rs`: one test per golden case
/// (`case::<name>`) whose generated files (`$generated(case)`: `None` without an IR, else items
/// with `path` and `contents`) each match their snapshot `<case>__<path>` in `tests/snapshots/`
/// (a case without an IR has none), and `no_unreferenced_snapshots` over `$all()` (every case
/// with an IR and its files). `$what` names the output in messages (`"Go"`, `"export"`).
#[macro_export]
macro_rules! generated_snapshot_tests {
    ($what:expr, $generated:path, $all:path) => {
        fn snapshot_dir() -> std::path::PathBuf {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
        }

        /// A case's generated files each match their snapshot; a case without an IR has none.
        fn generated_snapshots(case: &str) {
            let files = $generated(case).map(|fs| {
                fs.into_iter()
                    .map(|f| (f.path, f.contents))
                    .collect::<Vec<_>>()
            });
            $crate::assert_generated_snapshots!(snapshot_dir(), case, files, $what);
        }

        mod case {
            $crate::golden_cases!(super::generated_snapshots);
        }

        #[test]
        fn no_unreferenced_snapshots() {
            let wanted: std::collections::BTreeSet<String> = $all()
                .into_iter()
                .flat_map(|(case, files)| {
                    files
                        .into_iter()
                        .map(move |f| $crate::generated_snapshot_name(&case, &f.path))
                })
                .collect();
            let stray = $crate::stray_snapshots(&snapshot_dir(), |stem| wanted.contains(stem));
            assert!(
                stray.is_empty(),
                "snapshots without a generated file (delete them): {stray:?}"
            );
        }
    };
}

/// The paasctl binary of the calling crate's tests (only paasctl's own tests have it).
#[macro_export]
macro_rules! paasctl {
    () => {
        $crate::Paasctl::new(env!("CARGO_BIN_EXE_paasctl"))
    };
}
