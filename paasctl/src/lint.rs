//! `paasctl lint`: checks the project, then runs the lint rules configured by `brief.toml`.
use crate::cli::{
    emit, load, path_prefix, project_root, usage_error, OutputArgs, EXIT_INPUT, EXIT_OK,
};
use compiler::lint::{self, LintConfig};
use compiler::{Diagnostic, Severity};
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
    // The check's errors come first: lint findings on a broken project are partial.
    let mut diags: Vec<Diagnostic> = output
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let config_path = root.join("brief.toml");
    let config = if config_path.is_file() {
        match std::fs::read_to_string(&config_path) {
            Ok(text) => {
                let id = output.sources.add("brief.toml", text.clone().into());
                let (cfg, cdiags) = lint::parse_config(id, &text);
                diags.extend(cdiags);
                cfg
            }
            Err(e) => return usage_error(&format!("cannot read `{}`: {e}", config_path.display())),
        }
    } else {
        LintConfig::default()
    };
    diags.extend(lint::lint(&output, &config));
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    emit(&diags, &output.sources, out, &path_prefix(&root));
    let fails = |d: &Diagnostic| d.is_error() || (deny_warnings && d.severity == Severity::Warning);
    if diags.iter().any(fails) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
