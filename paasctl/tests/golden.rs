//! The golden corpus: every `golden/cases/<name>/` project is checked, and its rendered
//! diagnostics and IR are compared with the insta snapshot `golden/snapshots/<name>.snap`, one
//! test per case (`case::<name>`, made by the test kit from the directory listing).
//! Also: no unreferenced snapshots, and every diagnostic code has a golden case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::corpus::CASES;
use compiler::{render, Compiler, OsFs};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    brief_testkit::repo().join("golden")
}

/// What a case's snapshot holds: diagnostics as a person sees them, then the IR if one was made.
pub fn render_case(dir: &Path) -> String {
    let out = Compiler::new().check_project(&OsFs, dir);
    let mut text = String::new();
    if !out.diagnostics.is_empty() {
        text.push_str(&render::human(&out.diagnostics, &out.sources, false));
    }
    match &out.ir {
        Some(ir) => {
            text.push_str("--- IR ---\n");
            text.push_str(&serde_json::to_string_pretty(ir).unwrap());
            text.push('\n');
        }
        None => text.push_str("--- no IR (errors) ---\n"),
    }
    text
}

/// One test per case (`cargo test -p paasctl --test golden -- e0201` runs the E0201 cases).
fn golden_case(name: &str) {
    let dir = brief_testkit::case_path(CASES, name);
    let text = render_case(&dir);
    brief_testkit::assert_snapshot!(golden_dir().join("snapshots"), name, text, input_file => &dir);
}

mod case {
    brief_testkit::golden_cases!(super::golden_case);
}

#[test]
fn no_unreferenced_snapshots() {
    let names: BTreeSet<String> = brief_testkit::cases(CASES)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let stray = brief_testkit::stray_snapshots(&golden_dir().join("snapshots"), |stem| {
        names.contains(stem)
    });
    assert!(
        stray.is_empty(),
        "snapshots without a golden case (delete them): {stray:?}"
    );
}

/// Codes that no golden project can produce, with the reason; each has a unit test instead.
const NOT_IN_GOLDEN: &[(&str, &str)] = &[
    (
        "E0002",
        "an unreadable file cannot be committed to git; covered by compiler/tests/check.rs",
    ),
    (
        "E0701",
        "an internal error of a backend, unreachable from any project; covered by \
backends/go/src/lib.rs",
    ),
];

#[test]
fn every_code_has_a_golden_case() {
    let mut all_snapshots = String::new();
    for e in std::fs::read_dir(golden_dir().join("snapshots")).unwrap() {
        all_snapshots.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    // The manifests backend's codes (E06xx) are snapshotted by its own golden test over
    // golden/manifests/<case>/ (backends/k8s/tests/manifests.rs).
    let k8s = brief_testkit::repo().join("backends/k8s/tests/snapshots");
    for e in std::fs::read_dir(k8s).unwrap() {
        all_snapshots.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    // The tools' snapshots (paasctl/tests/tools.rs) count too.
    for tool in ["lint", "breaking", "fmt"] {
        if let Ok(entries) = std::fs::read_dir(golden_dir().join(tool).join("snapshots")) {
            for e in entries {
                all_snapshots.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
    }
    let missing: Vec<&str> = compiler::codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|code| NOT_IN_GOLDEN.iter().all(|(c, _)| c != code))
        .filter(|code| !all_snapshots.contains(&format!("[{code}]")))
        .collect();
    assert!(
        missing.is_empty(),
        "diagnostic codes without a golden case: {missing:?}"
    );
}
