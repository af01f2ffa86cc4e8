//! `paasctl check`: checks a project or one .brief file and reports every problem.
use crate::args::OutputArgs;
use crate::output::{emit, exit_without_drop, path_prefix, usage_error, EXIT_INPUT, EXIT_OK};
use crate::project;
use std::path::Path;

pub fn run(path: &Path, platform: Option<&Path>, out: &OutputArgs) -> i32 {
    let mut project = match project::load(path) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    // What `manifests` would reject in any environment of the platform, `check` rejects too.
    if project.output.app.is_some() {
        let output = &mut project.output;
        match crate::platform::load(&mut output.sources, platform) {
            Err(e) => return usage_error(&e),
            Ok(Err(diags)) => {
                output.diagnostics.extend(diags);
                output.ir = None;
            }
            Ok(Ok(pf)) => backend_k8s::check_platform(output, &pf),
        }
    }
    let output = &project.output;
    emit(
        &output.diagnostics,
        &output.sources,
        out,
        &path_prefix(&project.root),
    );
    let code = if output.has_errors() {
        EXIT_INPUT
    } else {
        EXIT_OK
    };
    exit_without_drop(project, code)
}
