//! `paasctl rollback`: reapplies an earlier release's stored manifests (every cluster's) as a new
//! release (docs/deploy.md); progress on stderr, or a JSON event stream with `--format json`.
use crate::args::RollbackArgs;
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, render, targets, who};
use brief_deploy::Event;

/// Rolls back; returns the exit code.
pub fn run(args: &RollbackArgs) -> i32 {
    let a = &args.run;
    // Rendered only for the service's name, the environment's own name and its clusters.
    let r = match render(&a.path, &a.env, None, a.platform.as_deref(), &a.out) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let clusters = match targets(&r, &a.cluster) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let options = brief_deploy::Options {
        timeout: a.timeout,
        no_wait: a.no_wait,
        ..brief_deploy::Options::default()
    };
    let format = a.out.format;
    let progress = |e: &Event| print_event(format, e);
    let result =
        brief_deploy::rollback_plan(&clusters, &r.service, &r.env, args.to, &who(), &options)
            .and_then(|plan| {
                progress(&Event::Note {
                    message: format!(
                        "rolling back {} in {} to v{} ({})",
                        plan.service,
                        plan.env,
                        plan.rollback_of.unwrap_or(0),
                        plan.image
                    ),
                });
                brief_deploy::deploy(&clusters, &plan, &options, &progress)
            });
    match result {
        Ok(outcome) => {
            let version = outcome.release.map(|r| r.version).unwrap_or(0);
            progress(&Event::Note {
                message: format!(
                    "rolled back {} in {}: release v{version} ({} pruned)",
                    r.service,
                    r.env,
                    outcome.pruned.len()
                ),
            });
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code(&e)
        }
    }
}
