//! Shared by the tests: the golden cases that have an IR, exported in every format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use backend_export::{AsyncApi, GeneratedFile, OpenApi, Proto};
use brief_codegen::Backend;
use brief_testkit::corpus::CASES;
use compiler::{Compiler, OsFs};

/// Every export backend.
pub fn backends() -> Vec<Box<dyn Backend>> {
    vec![Box::new(OpenApi), Box::new(AsyncApi), Box::new(Proto)]
}

/// The exported files of one golden case in every format, `None` when it has no IR (errors);
/// exporting twice gives the same bytes.
pub fn exported(name: &str) -> Option<Vec<GeneratedFile>> {
    let dir = brief_testkit::case_path(CASES, name);
    let output = Compiler::new().check_project(&OsFs, &dir);
    let ir = output.ir.as_ref()?;
    let mut files = Vec::new();
    for b in backends() {
        let once = b
            .generate(ir, &output.sources)
            .unwrap_or_else(|e| panic!("{name}: {}: {e:?}", b.name()));
        assert_eq!(
            once,
            b.generate(ir, &output.sources).unwrap(),
            "{name}: {} output is not deterministic",
            b.name()
        );
        assert_eq!(once.len(), 1, "{name}: {} gives one file", b.name());
        files.extend(once);
    }
    Some(files)
}

/// Every golden case that has an IR, with its exported files.
pub fn exported_cases() -> Vec<(String, Vec<GeneratedFile>)> {
    let out: Vec<(String, Vec<GeneratedFile>)> = brief_testkit::cases(CASES)
        .into_iter()
        .filter_map(|(name, _)| exported(&name).map(|files| (name, files)))
        .collect();
    assert!(out.iter().any(|(n, _)| n == "summer"));
    out
}
