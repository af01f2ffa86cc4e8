//! `paasctl ir`: prints the project's IR as JSON on stdout; diagnostics go to stderr.
use crate::args::OutputArgs;
use crate::output::{
    emit_to_stderr, exit_without_drop, path_prefix, usage_error, EXIT_INPUT, EXIT_OK,
};
use crate::project;
use std::io::Write;
use std::path::Path;

pub fn run(path: &Path, out: &OutputArgs) -> i32 {
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let output = &project.output;
    // Diagnostics (warnings too) go to stderr in the format asked for: stdout is the IR's.
    if !output.diagnostics.is_empty() {
        emit_to_stderr(
            &output.diagnostics,
            &output.sources,
            out,
            &path_prefix(&project.root),
        );
    }
    let Some(ir) = &output.ir else {
        return exit_without_drop(project, EXIT_INPUT);
    };
    let code = match serde_json::to_string_pretty(ir) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout().lock(), "{s}");
            EXIT_OK
        }
        Err(e) => usage_error(&format!("cannot serialise the IR: {e}")),
    };
    exit_without_drop(project, code)
}
