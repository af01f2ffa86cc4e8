//! The platform config a command runs against: `--platform FILE`, else $PAASCTL_PLATFORM, else
//! the embedded default (shared by `check` and `manifests`, so both judge by the same platform).
use backend_k8s::platform::{self, PlatformFile};
use compiler::diagnostic::Diagnostic;
use compiler::Sources;
use std::path::{Path, PathBuf};

/// Loads the platform config into `sources`. `Err` is an IO error (for `error: ...`, exit 2);
/// `Ok(Err(_))` the config's own problems.
pub fn load(
    sources: &mut Sources,
    flag: Option<&Path>,
) -> Result<Result<PlatformFile, Vec<Diagnostic>>, String> {
    let path = flag
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(backend_k8s::PLATFORM_ENV_VAR).map(PathBuf::from));
    match &path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => Ok(platform::load(sources, &p.display().to_string(), &text)),
            Err(e) => Err(format!(
                "cannot read the platform config `{}`: {e}",
                p.display()
            )),
        },
        None => Ok(platform::load_default(sources)),
    }
}
