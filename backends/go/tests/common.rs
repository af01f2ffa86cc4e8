//! Shared by the tests: the golden cases that have an IR, generated with a fixed import path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use brief_backend_go::{GeneratedFile, Go};
use brief_codegen::Backend;
use compiler::{Compiler, OsFs};
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The import path a golden case's code gets in the throwaway module (`example.com/golden`).
pub fn import_path(case: &str) -> String {
    format!("example.com/golden/cases/{case}/gen")
}

/// Every golden case that has an IR, with its generated files.
pub fn generated_cases() -> Vec<(String, Vec<GeneratedFile>)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("golden/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let output = Compiler::new().check_project(&OsFs, &dir);
        let Some(ir) = &output.ir else {
            continue;
        };
        let go = Go::new(&import_path(&name)).unwrap();
        let files = go
            .generate(ir, &output.sources)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            files,
            go.generate(ir, &output.sources).unwrap(),
            "{name}: output is not deterministic"
        );
        out.push((name, files));
    }
    assert!(out.iter().any(|(n, _)| n == "go-everything"));
    out
}
