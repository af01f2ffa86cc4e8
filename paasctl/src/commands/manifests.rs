//! `paasctl manifests`: the Kubernetes manifests of one environment (docs/manifests.md).
use crate::args::ManifestsArgs;
use crate::output::{emit, path_prefix, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use std::io::Write;

/// Writes the manifests of one environment; returns the exit code.
pub fn run(a: &ManifestsArgs) -> i32 {
    use backend_k8s::Request;
    if !a.path.is_dir() {
        return usage_error(&format!(
            "`{}` is not a service directory",
            a.path.display()
        ));
    }
    let mut output = match project::load(&a.path) {
        Ok(p) => p.output,
        Err(e) => return usage_error(&e),
    };
    if output.has_errors() {
        emit(
            &output.diagnostics,
            &output.sources,
            &a.diag,
            &path_prefix(&a.path),
        );
        return EXIT_INPUT;
    }
    let loaded = match crate::platform::load(&mut output.sources, a.platform.as_deref()) {
        Ok(l) => l,
        Err(e) => return usage_error(&e),
    };
    let locator = output.app.as_ref().map(|a| &a.locations);
    let result = loaded.and_then(|pf| {
        let ir = output.ir.as_ref().ok_or_else(Vec::new)?;
        backend_k8s::generate(
            ir,
            Request {
                platform: &pf,
                app_toml: locator,
                env: &a.env,
                image: a.image.as_deref(),
            },
        )
    });
    let m = match result {
        Ok(m) => m,
        Err(diags) => {
            output.diagnostics.extend(diags);
            emit(
                &output.diagnostics,
                &output.sources,
                &a.diag,
                &path_prefix(&a.path),
            );
            return EXIT_INPUT;
        }
    };
    // Warnings of the check (if any) are still shown.
    if !output.diagnostics.is_empty() {
        emit(
            &output.diagnostics,
            &output.sources,
            &a.diag,
            &path_prefix(&a.path),
        );
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| a.path.join("manifests").join(&m.env));
    if out.as_os_str() == "-" {
        let _ = std::io::stdout()
            .lock()
            .write_all(m.concatenated().as_bytes());
        return EXIT_OK;
    }
    if let Err(e) = m.write(&out) {
        return usage_error(&format!("cannot write `{}`: {e}", out.display()));
    }
    let objects: usize = m.files.iter().map(|f| f.objects.len()).sum();
    eprintln!(
        "wrote {} ({objects} objects) to {}",
        if m.files.len() == 1 {
            "1 file".to_owned()
        } else {
            format!("{} files", m.files.len())
        },
        out.display()
    );
    EXIT_OK
}
