//! Golden tests of the tools: `golden/lint/<case>/` projects, `golden/breaking/<case>/{before,after}/`
//! pairs and `golden/fmt/<case>.brief` inputs, each with the insta snapshot
//! `golden/<tool>/snapshots/<case>.snap`; no snapshot without a case; and formatter idempotency
//! over every `.brief` file of the corpus.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::corpus::{BREAKING, FMT, LINT};
use brief_testkit::Corpus;
use compiler::breaking::Filter;
use compiler::{render, Compiler, OsFs, Sources};
use std::collections::BTreeSet;
use std::path::Path;

/// A tool's case: rendered by `render_case`, compared with `golden/<tool>/snapshots/<name>.snap`.
fn tool_case(corpus: Corpus, name: &str, render_case: fn(&Path) -> String) {
    let path = brief_testkit::case_path(corpus, name);
    let text = render_case(&path);
    let dir = brief_testkit::repo().join(corpus.dir).join("snapshots");
    brief_testkit::assert_snapshot!(dir, name, text, input_file => &path);
}

fn names(corpus: Corpus) -> Vec<String> {
    brief_testkit::cases(corpus)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
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
    let diags = compiler::lint::lint_output(&mut out, &OsFs, dir);
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
    let diags = compiler::breaking::compare(old.ir.as_ref().unwrap(), &new, Filter::All);
    let mut text = render::human(&diags, &new.sources, false);
    text.push_str(&counts(&diags));
    for (name, filter) in [("wire", Filter::Wire), ("source", Filter::Source)] {
        let codes: Vec<&str> = compiler::breaking::compare(old.ir.as_ref().unwrap(), &new, filter)
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
    match compiler::fmt::format_parsed(&src, &parsed) {
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
                compiler::fmt::format_source(&formatted).as_deref(),
                Some(formatted.as_str()),
                "{name}: not idempotent"
            );
            let check: Vec<_> = compiler::fmt::check_diagnostic(id, &name, &src, &formatted)
                .into_iter()
                .collect();
            format!(
                "--- fmt --check ---\n{}--- formatted ---\n{formatted}",
                render::human(&check, &sources, false)
            )
        }
    }
}

/// One test per case: `lint::<case>`, `breaking::<case>`, `fmt::<case>`.
mod lint {
    fn run(name: &str) {
        super::tool_case(super::LINT, name, super::render_lint);
    }
    brief_testkit::lint_cases!(run);
}

mod breaking {
    fn run(name: &str) {
        super::tool_case(super::BREAKING, name, super::render_breaking);
    }
    brief_testkit::breaking_cases!(run);
}

mod fmt {
    fn run(name: &str) {
        super::tool_case(super::FMT, name, super::render_fmt);
    }
    brief_testkit::fmt_cases!(run);
}

#[test]
fn no_unreferenced_tool_snapshots() {
    let mut stray = Vec::new();
    for corpus in [LINT, BREAKING, FMT] {
        let names: BTreeSet<String> = names(corpus).into_iter().collect();
        let dir = brief_testkit::repo().join(corpus.dir).join("snapshots");
        for file in brief_testkit::stray_snapshots(&dir, |stem| names.contains(stem)) {
            stray.push(format!("{}/snapshots/{file}", corpus.dir));
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
    let lint = names(LINT);
    for r in compiler::lint::RULES {
        let prefix = format!("{}-", r.code.to_lowercase());
        assert!(
            lint.iter().any(|n| n.starts_with(&prefix)),
            "no golden/lint case for {}",
            r.code
        );
    }
    let breaking = names(BREAKING);
    for r in compiler::breaking::RULES {
        let prefix = format!("{}-", r.code.to_lowercase());
        assert!(
            breaking.iter().any(|n| n.starts_with(&prefix)),
            "no golden/breaking case for {}",
            r.code
        );
    }
}

/// Formatting twice is formatting once, over every `.brief` file of the corpus; files that do
/// not parse are refused.
#[test]
fn fmt_is_idempotent_over_the_corpus() {
    let files = brief_testkit::brief_files(&brief_testkit::repo().join("golden"));
    assert!(files.len() > 50, "corpus too small: {}", files.len());
    let mut refused = 0;
    for f in files {
        let Ok(src) = std::fs::read_to_string(&f) else {
            continue; // not UTF-8: e0001's case
        };
        let parsed = grammar::parse(&src);
        match compiler::fmt::format_parsed(&src, &parsed) {
            None => {
                assert!(!parsed.errors.is_empty(), "{}", f.display());
                refused += 1;
            }
            Some(once) => {
                let twice = compiler::fmt::format_source(&once).unwrap_or_else(|| {
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
