//! What every code generator shares: the [`Backend`] contract, naming and casing, the
//! reserved-name [`scope`], doc-string normalisation ([`doc`]), output [`plan`]ning, the minijinja
//! [`template`] environment, the one atomic [`write`]r with the generated-marker guard, and the
//! [`scaffold`] a backend gives `paasctl service create`.
//!
//! A backend (Go, Kubernetes manifests, later PHP, Rust, OpenAPI) supplies only its language's
//! specifics: keywords, type mapping, templates and layout.
pub mod doc;
pub mod locate;
pub mod plan;
pub mod scaffold;
pub mod scope;
pub mod template;
pub mod write;

pub use compiler::naming;
use compiler::{Diagnostic, Ir, Sources};

/// One generated file: a `/`-separated path relative to the output directory, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: Vec<u8>,
}

impl GeneratedFile {
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// A code generator: a value that carries its options (import path, environment, ...) and turns
/// a checked IR into files, deterministically (the same IR and options give the same bytes), or
/// into every problem that prevents it. `sources` are the run's files, so that problems can point
/// into them ([`locate`]).
pub trait Backend {
    /// What it generates, for messages: `Go`, `Kubernetes manifests`.
    fn name(&self) -> &'static str;

    /// The files, sorted by path, or the diagnostics (at least one error).
    fn generate(&self, ir: &Ir, sources: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>>;
}
