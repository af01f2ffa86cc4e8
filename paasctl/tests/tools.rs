//! Golden tests of the tools: `golden/lint/<case>/` projects, `golden/breaking/<case>/{before,after}/`
//! pairs and `golden/fmt/<case>.brief` inputs, each with the insta snapshot
//! `golden/<tool>/snapshots/<case>.snap`; no snapshot without a case; and formatter idempotency
//! over every `.brief` file of the corpus.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::breaking::{self, Filter};
use compiler::{fmt, lint, render, Compiler, OsFs, Sources};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden")
}

/// The cases of one tool: sub-directories (lint, breaking) or `.brief` files (fmt).
fn cases(tool: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(golden_dir().join(tool))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "snapshots")
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "brief"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

fn counts(diags: &[compiler::Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    format!(
        "--- {} errors, {} warnings ---\n",
        errors,
        diags.len() - errors
    )
}

fn render_lint(dir: &Path) -> String {
    let mut out = Compiler::new().check_project(&OsFs, dir);
    let diags = lint::lint_output(&mut out, &OsFs, dir);
    let mut text = render::human(&diags, &out.sources, false);
    text.push_str(&counts(&diags));
    text
}

fn render_breaking(dir: &Path) -> String {
    let old = Compiler::new().check_project(&OsFs, &dir.join("before"));
    let new = Compiler::new().check_project(&OsFs, &dir.join("after"));
    assert!(
        old.ir.is_some() && new.ir.is_some(),
        "{}: before/after must check clean: {:?} {:?}",
        dir.display(),
        old.diagnostics,
        new.diagnostics
    );
    let diags = breaking::compare(old.ir.as_ref().unwrap(), &new, Filter::All);
    let mut text = render::human(&diags, &new.sources, false);
    text.push_str(&counts(&diags));
    for (name, filter) in [("wire", Filter::Wire), ("source", Filter::Source)] {
        let codes: Vec<&str> = breaking::compare(old.ir.as_ref().unwrap(), &new, filter)
            .iter()
            .map(|d| d.code)
            .collect();
        text.push_str(&format!("--category {name}: {codes:?}\n"));
    }
    text
}

fn render_fmt(file: &Path) -> String {
    let src = std::fs::read_to_string(file).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let parsed = grammar::parse(&src);
    let mut sources = Sources::new();
    let id = sources.add(name.clone(), src.clone().into());
    match fmt::format_parsed(&src, &parsed) {
        None => {
            let diags: Vec<_> = parsed
                .errors
                .iter()
                .map(|e| compiler::syntax::to_diagnostic(id, e))
                .collect();
            format!(
                "--- refused: does not parse ---\n{}",
                render::human(&diags, &sources, false)
            )
        }
        Some(formatted) => {
            assert_eq!(
                fmt::format_source(&formatted).as_deref(),
                Some(formatted.as_str()),
                "{name}: not idempotent"
            );
            let check: Vec<_> = fmt::check_diagnostic(id, &name, &src, &formatted)
                .into_iter()
                .collect();
            format!(
                "--- fmt --check ---\n{}--- formatted ---\n{formatted}",
                render::human(&check, &sources, false)
            )
        }
    }
}

fn snapshot_all(tool: &str, render_case: fn(&Path) -> String) {
    let mut failed = Vec::new();
    for (name, path) in cases(tool) {
        let text = render_case(&path);
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => golden_dir().join(tool).join("snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                input_file => path.clone(),
            }, {
                insta::assert_snapshot!(name.clone(), text);
            });
        });
        if result.is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "{tool} cases differ from their snapshots: {failed:?}"
    );
}

#[test]
fn lint_cases() {
    snapshot_all("lint", render_lint);
}

#[test]
fn breaking_cases() {
    snapshot_all("breaking", render_breaking);
}

#[test]
fn fmt_cases() {
    snapshot_all("fmt", render_fmt);
}

#[test]
fn no_unreferenced_tool_snapshots() {
    let mut stray = Vec::new();
    for tool in ["lint", "breaking", "fmt"] {
        let names: BTreeSet<String> = cases(tool).into_iter().map(|(n, _)| n).collect();
        let Ok(entries) = std::fs::read_dir(golden_dir().join(tool).join("snapshots")) else {
            continue;
        };
        for e in entries {
            let file = e.unwrap().file_name().to_string_lossy().into_owned();
            match file.strip_suffix(".snap") {
                Some(stem) if names.contains(stem) => {}
                _ => stray.push(format!("{tool}/snapshots/{file}")),
            }
        }
    }
    assert!(
        stray.is_empty(),
        "snapshots without a case (delete them): {stray:?}"
    );
}

/// Every lint rule and every breaking rule has a case named after its code.
#[test]
fn every_rule_has_a_case() {
    let lint: Vec<String> = cases("lint").into_iter().map(|(n, _)| n).collect();
    for r in lint::RULES {
        let prefix = format!("{}-", r.code.to_lowercase());
        assert!(
            lint.iter().any(|n| n.starts_with(&prefix)),
            "no golden/lint case for {}",
            r.code
        );
    }
    let breaking: Vec<String> = cases("breaking").into_iter().map(|(n, _)| n).collect();
    for r in breaking::RULES {
        let prefix = format!("{}-", r.code.to_lowercase());
        assert!(
            breaking.iter().any(|n| n.starts_with(&prefix)),
            "no golden/breaking case for {}",
            r.code
        );
    }
}

fn brief_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            brief_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "brief") {
            out.push(p);
        }
    }
}

/// Formatting twice is formatting once, over every `.brief` file of the corpus; files that do
/// not parse are refused.
#[test]
fn fmt_is_idempotent_over_the_corpus() {
    let mut files = Vec::new();
    brief_files(&golden_dir(), &mut files);
    assert!(files.len() > 50, "corpus too small: {}", files.len());
    let mut refused = 0;
    for f in files {
        let Ok(src) = std::fs::read_to_string(&f) else {
            continue; // not UTF-8: e0001's case
        };
        let parsed = grammar::parse(&src);
        match fmt::format_parsed(&src, &parsed) {
            None => {
                assert!(!parsed.errors.is_empty(), "{}", f.display());
                refused += 1;
            }
            Some(once) => {
                let twice = fmt::format_source(&once).unwrap_or_else(|| {
                    panic!("{}: formatted text does not parse:\n{once}", f.display())
                });
                assert_eq!(once, twice, "{}: not idempotent", f.display());
                assert_eq!(
                    grammar::parse(&once).comments.len(),
                    parsed.comments.len(),
                    "{}: comments lost",
                    f.display()
                );
            }
        }
    }
    assert!(refused >= 6, "the syntax-error cases must be refused");
}
