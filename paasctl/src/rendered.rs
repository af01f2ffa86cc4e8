//! The rendered manifests of one environment for the deploy commands (`deploy`, `status`,
//! `releases`): the project checked and rendered by the k8s backend, its stages handed to the
//! deploy driver as YAML; diagnostics printed as `paasctl manifests` prints them.
use crate::args::{ClusterArgs, OutputArgs};
use crate::output::{emit, path_prefix, usage_error, EXIT_INPUT};
use crate::project;
use std::path::Path;

/// A service's stages in one environment.
pub struct Rendered {
    pub service: String,
    /// The environment's own name (an alias resolved).
    pub env: String,
    pub stages: Vec<brief_deploy::StageInput>,
}

/// Renders the project at `path` for `env`; on errors prints them and returns the exit code.
pub fn render(
    path: &Path,
    env: &str,
    image: Option<&str>,
    platform: Option<&Path>,
    diag: &OutputArgs,
) -> Result<Rendered, i32> {
    if !path.is_dir() {
        return Err(usage_error(&format!(
            "`{}` is not a service directory",
            path.display()
        )));
    }
    let mut output = project::load(path).map_err(|e| usage_error(&e))?.output;
    let show = |output: &compiler::Output| {
        emit(
            &output.diagnostics,
            &output.sources,
            diag,
            &path_prefix(path),
        );
    };
    if output.has_errors() {
        show(&output);
        return Err(EXIT_INPUT);
    }
    let loaded =
        crate::platform::load(&mut output.sources, platform).map_err(|e| usage_error(&e))?;
    let locator = output.app.as_ref().map(|a| &a.locations);
    let result = loaded.and_then(|pf| {
        let ir = output.ir.as_ref().ok_or_else(Vec::new)?;
        backend_k8s::generate(
            ir,
            backend_k8s::Request {
                platform: &pf,
                app_toml: locator,
                env,
                image,
            },
        )
    });
    let service = output
        .ir
        .as_ref()
        .and_then(|ir| ir.app.as_ref())
        .map(|a| a.name.clone());
    match (result, service) {
        (Ok(m), Some(service)) => {
            if !output.diagnostics.is_empty() {
                show(&output);
            }
            Ok(Rendered {
                service,
                env: m.env.clone(),
                stages: m
                    .files
                    .iter()
                    .map(|f| brief_deploy::StageInput {
                        name: f.stage.name().to_owned(),
                        yaml: f.yaml.clone(),
                    })
                    .collect(),
            })
        }
        (Ok(_), None) => Err(usage_error("the project has no app.toml")),
        (Err(diags), _) => {
            output.diagnostics.extend(diags);
            show(&output);
            Err(EXIT_INPUT)
        }
    }
}

/// The cluster of the `--kubeconfig`/`--context` flags.
pub fn target(c: &ClusterArgs) -> brief_deploy::Target {
    brief_deploy::Target {
        kubeconfig: c.kubeconfig.clone(),
        context: c.context.clone(),
    }
}
