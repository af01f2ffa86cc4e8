//! `paasctl codegen`: runs a backend on the project's IR and writes its files with brief-codegen's
//! atomic writer (the output directory is owned by codegen; see docs/go.md).
//!
//! Everything is generated in memory first; on any error nothing is written. A failed write leaves
//! the previous output as it was, unchanged files keep their modification time, and when nothing
//! changed at all OUT is not touched: running codegen twice changes nothing.
use crate::args::{LangArg, OutputArgs};
use crate::output::{emit, path_prefix, plural, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use brief_codegen::write::{write_dir, Guard};
use brief_codegen::Backend;
use std::path::Path;

/// Generates `lang` for the project at `path` into `out_dir`; returns the exit code. `options`
/// are the language options: (`--go-import-path`, `--php-namespace`).
pub fn run(
    path: &Path,
    lang: LangArg,
    out_dir: &Path,
    options: (Option<&str>, Option<&str>),
    out: &OutputArgs,
) -> i32 {
    let (go_import_path, php_namespace) = options;
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let output = &project.output;
    let prefix = path_prefix(&project.root);
    emit(&output.diagnostics, &output.sources, out, &prefix);
    let Some(ir) = &output.ir else {
        return EXIT_INPUT;
    };
    if ir.service.is_none() {
        if ir.dependencies.is_empty() {
            eprintln!(
                "error: nothing to generate: `{}` has no service.brief and no rpc/<dependency>.brief",
                project.root.display()
            );
            eprintln!(
                "  = help: declare the service's contract in service.brief (see docs/language.md)"
            );
            return EXIT_INPUT;
        }
        eprintln!(
            "note: `{}` has no service.brief: generating the clients of its dependencies only",
            project.root.display()
        );
    }
    let backend: Box<dyn Backend> = match lang {
        LangArg::Go => {
            let Some(import_path) = go_import_path else {
                return usage_error("--lang go needs --go-import-path (the import path of the output directory in your Go module)");
            };
            match brief_backend_go::Go::new(import_path) {
                Ok(go) => Box::new(go),
                Err(e) => return usage_error(&format!("cannot generate Go: {e}")),
            }
        }
        LangArg::Php => {
            let Some(namespace) = php_namespace else {
                return usage_error("--lang php needs --php-namespace (the namespace of the output directory, its PSR-4 prefix, like Acme\\Summer\\Generated)");
            };
            match backend_php::Php::new(namespace) {
                Ok(php) => Box::new(php),
                Err(e) => return usage_error(&format!("cannot generate PHP: {e}")),
            }
        }
        LangArg::Rust => Box::new(backend_rust::Rust::new()),
    };
    let files = match backend.generate(ir, &output.sources) {
        Ok(files) => files,
        Err(diags) => {
            emit(&diags, &output.sources, out, &prefix);
            return EXIT_INPUT;
        }
    };
    match write_dir(out_dir, &files, Guard::Marker) {
        Ok(w) => {
            eprintln!(
                "{}: {} ({} changed, {} removed)",
                out_dir.display(),
                plural(w.files, "file"),
                w.changed,
                w.removed
            );
            EXIT_OK
        }
        Err(e) => usage_error(&format!("cannot write `{}`: {e}", out_dir.display())),
    }
}
