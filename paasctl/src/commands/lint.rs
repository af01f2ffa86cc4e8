//! `paasctl lint`: checks the project, then runs the lint rules configured by `brief.toml`.
use crate::args::OutputArgs;
use crate::output::{emit, exit_without_drop, path_prefix, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use compiler::{lint, Diagnostic, OsFs, Severity};
use std::path::Path;

pub fn run(path: &Path, deny_warnings: bool, out: &OutputArgs) -> i32 {
    let mut project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let root = &project.root;
    let diags = lint::lint_output(&mut project.output, &OsFs, root);
    emit(&diags, &project.output.sources, out, &path_prefix(root));
    let fails = |d: &Diagnostic| d.is_error() || (deny_warnings && d.severity == Severity::Warning);
    let code = if diags.iter().any(fails) {
        EXIT_INPUT
    } else {
        EXIT_OK
    };
    exit_without_drop((project, diags), code)
}
