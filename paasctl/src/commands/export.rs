//! `paasctl export`: the project's contract as an OpenAPI 3.1, AsyncAPI 3.0 or proto3 document
//! (backends/export, docs/export.md), on stdout or into one file written atomically with
//! brief-codegen's writer; diagnostics go to stderr.
use crate::args::{ColorArg, ExportFormat, FormatArg, OutputArgs};
use crate::output::{
    emit_to_stderr, exit_without_drop, path_prefix, usage_error, EXIT_INPUT, EXIT_OK,
};
use crate::project;
use backend_export::{AsyncApi, OpenApi, Proto};
use brief_codegen::write::write_file;
use brief_codegen::Backend;
use std::io::Write;
use std::path::Path;

pub fn run(path: &Path, format: ExportFormat, out_file: Option<&Path>) -> i32 {
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let output = &project.output;
    // Diagnostics go to stderr (human): stdout is the document's.
    let diag = OutputArgs {
        format: FormatArg::Human,
        color: ColorArg::Auto,
    };
    let prefix = path_prefix(&project.root);
    if !output.diagnostics.is_empty() {
        emit_to_stderr(&output.diagnostics, &output.sources, &diag, &prefix);
    }
    let Some(ir) = &output.ir else {
        return exit_without_drop(project, EXIT_INPUT);
    };
    let backend: &dyn Backend = match format {
        ExportFormat::Openapi => &OpenApi,
        ExportFormat::Asyncapi => &AsyncApi,
        ExportFormat::Proto => &Proto,
    };
    let files = match backend.generate(ir, &output.sources) {
        Ok(files) => files,
        Err(diags) => {
            emit_to_stderr(&diags, &output.sources, &diag, &prefix);
            return exit_without_drop(project, EXIT_INPUT);
        }
    };
    let contents: Vec<u8> = files.into_iter().flat_map(|f| f.contents).collect();
    let code = match out_file {
        None => match std::io::stdout().lock().write_all(&contents) {
            Ok(()) => EXIT_OK,
            Err(e) => usage_error(&format!("cannot write to stdout: {e}")),
        },
        Some(file) => match write_file(file, &contents) {
            Ok(()) => {
                eprintln!("{}: {}", backend.name(), file.display());
                EXIT_OK
            }
            Err(e) => usage_error(&format!("cannot write `{}`: {e}", file.display())),
        },
    };
    exit_without_drop(project, code)
}
