//! The platform's part of a check, given by the layer above: the platform rules (E06xx) live in
//! backends/k8s, a crate of the server's own layer that it may not depend on (see
//! paasctl/tests/architecture.rs), so `paasctl lsp` hands them in through this trait.
use compiler::Output;
use std::path::Path;

/// What the platform adds to the check of a service project.
pub trait Platform: Send {
    /// Adds the platform's problems with the checked project at `root` to `output` (as `paasctl
    /// check` does).
    fn check(&self, root: &Path, output: &mut Output);

    /// The names of the platform's environments (with their aliases), for `[envs.<env>]`.
    fn environments(&self) -> Vec<String>;
}
