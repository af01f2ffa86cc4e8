//! `paasctl ir`: prints the project's IR as JSON on stdout; diagnostics go to stderr.
use crate::args::{FormatArg, OutputArgs};
use crate::output::{emit_to_stderr, exit_without_drop, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use std::io::Write;
use std::path::Path;

pub fn run(path: &Path, out: &OutputArgs) -> i32 {
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let output = &project.output;
    let Some(ir) = &output.ir else {
        // Diagnostics go to stderr here: stdout is reserved for the IR.
        emit_to_stderr(&output.diagnostics, &output.sources, out);
        return EXIT_INPUT;
    };
    if out.format == FormatArg::Human {
        emit_to_stderr(&output.diagnostics, &output.sources, out);
    }
    let code = match serde_json::to_string_pretty(ir) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout().lock(), "{s}");
            EXIT_OK
        }
        Err(e) => usage_error(&format!("cannot serialise the IR: {e}")),
    };
    exit_without_drop(project, code)
}
