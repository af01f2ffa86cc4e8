//! `paasctl lint`: checks the project, then runs the lint rules configured by `brief.toml`.
use crate::cli::{
    emit, load, path_prefix, project_root, usage_error, OutputArgs, EXIT_INPUT, EXIT_OK,
};
use compiler::{lint, Diagnostic, OsFs, Severity};
use std::path::Path;

pub fn run(path: &Path, deny_warnings: bool, out: &OutputArgs) -> i32 {
    let mut output = match load(path) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        project_root(path)
    };
    let diags = lint::lint_output(&mut output, &OsFs, &root);
    emit(&diags, &output.sources, out, &path_prefix(&root));
    let fails = |d: &Diagnostic| d.is_error() || (deny_warnings && d.severity == Severity::Warning);
    let code = if diags.iter().any(fails) {
        EXIT_INPUT
    } else {
        EXIT_OK
    };
    crate::cli::exit_without_drop((output, diags), code)
}

/// What `paasctl explain` adds for the tools' codes: name, default, rationale, and the docs page.
pub fn explain_tool_code(code: &str) -> Option<String> {
    if let Some(r) = lint::RULES.iter().find(|r| r.code == code) {
        let default = if r.default_on { "on" } else { "off" };
        return Some(format!(
            "Lint rule {} (default: {default}): {}.\nSee docs/lint.md; silence one finding with `// brief:ignore {} reason`.",
            r.name, r.rationale, r.code
        ));
    }
    if let Some(r) = compiler::breaking::RULES.iter().find(|r| r.code == code) {
        return Some(format!(
            "Breaking-change check {} (category {}): {}.\nSee docs/breaking.md; waive one with `// brief:allow-breaking {} reason`.",
            r.name,
            r.category.name(),
            r.rationale,
            r.code
        ));
    }
    match code.as_bytes().first() {
        Some(b'L') => Some("See docs/lint.md.".to_owned()),
        Some(b'B') => Some("See docs/breaking.md.".to_owned()),
        Some(b'F') => Some("See docs/fmt.md; `paasctl fmt` fixes it.".to_owned()),
        _ => None,
    }
}
