//! The brief language server (`paasctl lsp`): LSP over stdio on the compiler core, so the editor
//! shows exactly what `check` and `lint` report. The compiler knows nothing of LSP; this crate
//! converts.
//!
//! Framework: rust-analyzer's `lsp-server` (synchronous, with an in-memory connection for
//! tests). One thread owns the state, so changes are applied in the order they arrive (the
//! `didChange` ordering problems of async frameworks with concurrent handlers cannot happen), and
//! a flood of changes is coalesced into one check.
mod app_toml;
mod complete;
mod complete_toml;
mod convert;
mod disk;
mod features;
mod fixes;
mod imports;
mod index;
mod platform;
mod rename;
mod semantic;
mod server;
mod workspace;

pub use platform::Platform;
pub use server::{capabilities, serve, serve_with};

/// Runs the server on stdin/stdout until the client exits, with the platform's rules if given.
pub fn run_stdio(platform: Option<Box<dyn Platform>>) -> Result<(), String> {
    let (conn, io) = lsp_server::Connection::stdio();
    serve_with(&conn, platform)?;
    drop(conn);
    io.join().map_err(|e| e.to_string())
}
