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
    if diags.iter().any(fails) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
