//! Shared by the tests: the golden cases that have an IR, generated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use backend_rust::{GeneratedFile, Rust};
use brief_codegen::Backend;
use brief_testkit::corpus::CASES;
use compiler::{Compiler, OsFs};
use std::path::PathBuf;

pub fn repo() -> PathBuf {
    brief_testkit::repo()
}

/// The generated files of one golden case, `None` when it has no IR (errors); generating twice
/// gives the same bytes.
pub fn generated(name: &str) -> Option<Vec<GeneratedFile>> {
    let dir = brief_testkit::case_path(CASES, name);
    let output = Compiler::new().check_project(&OsFs, &dir);
    let ir = output.ir.as_ref()?;
    let rust = Rust::new();
    let files = rust
        .generate(ir, &output.sources)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(
        files,
        rust.generate(ir, &output.sources).unwrap(),
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
