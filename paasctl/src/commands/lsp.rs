//! `paasctl lsp`: the language server on stdin/stdout (the server itself is the brief-lsp crate).
use crate::output::{usage_error, EXIT_OK};

/// Serves until the editor shuts the server down; a broken connection is a usage error (exit 2).
pub fn run() -> i32 {
    match brief_lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => usage_error(&format!("language server: {e}")),
    }
}
