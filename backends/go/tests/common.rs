//! Shared by the tests: the golden cases that have an IR, generated with a fixed import path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use brief_backend_go::{GeneratedFile, Go};
use brief_codegen::Backend;
use brief_testkit::corpus::CASES;
use compiler::{Compiler, OsFs};
use std::path::PathBuf;

pub fn repo() -> PathBuf {
    brief_testkit::repo()
}

/// The import path a golden case's code gets in the throwaway module (`example.com/golden`).
pub fn import_path(case: &str) -> String {
    format!("example.com/golden/cases/{case}/gen")
}

/// The generated files of one golden case, `None` when it has no IR (errors); generating twice
/// gives the same bytes.
pub fn generated(name: &str) -> Option<Vec<GeneratedFile>> {
    let dir = brief_testkit::case_path(CASES, name);
    let output = Compiler::new().check_project(&OsFs, &dir);
    let ir = output.ir.as_ref()?;
    let go = Go::new(&import_path(name)).unwrap();
    let files = go
        .generate(ir, &output.sources)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(
        files,
        go.generate(ir, &output.sources).unwrap(),
        "{name}: output is not deterministic"
    );
    Some(files)
}

/// Every golden case that has an IR, with its generated files.
pub fn generated_cases() -> Vec<(String, Vec<GeneratedFile>)> {
    let out: Vec<(String, Vec<GeneratedFile>)> = brief_testkit::cases(CASES)
        .into_iter()
        .filter_map(|(name, _)| generated(&name).map(|files| (name, files)))
        .collect();
    assert!(out.iter().any(|(n, _)| n == "go-everything"));
    out
}
