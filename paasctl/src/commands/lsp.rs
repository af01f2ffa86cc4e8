//! `paasctl lsp`: the language server on stdin/stdout (the server itself is the brief-lsp crate),
//! given the platform's rules, so the editor shows E06xx as `check` does.
use crate::output::{usage_error, EXIT_OK};
use compiler::Output;
use std::path::Path;

/// The platform config of `check` (`$PAASCTL_PLATFORM`, else the embedded default) and its rules.
struct Platform;

impl brief_lsp::Platform for Platform {
    fn check(&self, _root: &Path, output: &mut Output) {
        match crate::platform::load(&mut output.sources, None) {
            Ok(Ok(pf)) => backend_k8s::check_platform(output, &pf),
            Ok(Err(diags)) => output.add_diagnostics(diags),
            // An unreadable $PAASCTL_PLATFORM: `check` stops with this error; here it is skipped.
            Err(_) => {}
        }
    }

    fn environments(&self) -> Vec<String> {
        let mut sources = compiler::Sources::new();
        match crate::platform::load(&mut sources, None) {
            Ok(Ok(pf)) => pf
                .platform
                .environment_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Serves until the editor shuts the server down; a broken connection is a usage error (exit 2).
pub fn run() -> i32 {
    match brief_lsp::run_stdio(Some(Box::new(Platform))) {
        Ok(()) => EXIT_OK,
        Err(e) => usage_error(&format!("language server: {e}")),
    }
}
