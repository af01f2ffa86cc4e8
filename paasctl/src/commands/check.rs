//! `paasctl check`: checks a project or one .brief file and reports every problem.
use crate::args::OutputArgs;
use crate::output::{emit, exit_without_drop, path_prefix, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use std::path::Path;

pub fn run(path: &Path, out: &OutputArgs) -> i32 {
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let output = &project.output;
    emit(
        &output.diagnostics,
        &output.sources,
        out,
        &path_prefix(&project.root),
    );
    let code = if output.has_errors() {
        EXIT_INPUT
    } else {
        EXIT_OK
    };
    exit_without_drop(project, code)
}
