//! `paasctl rollback`: an earlier release as a new release (docs/deploy.md): its recorded inputs
//! rendered again with today's toolchain and platform config, or with `--no-regenerate` (or for a
//! record without inputs) its stored manifests reapplied; progress on stderr, or a JSON event
//! stream with `--format json`.
use crate::args::RollbackArgs;
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, regenerate, render, targets, who};
use brief_deploy::{Event, Plan};

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
    let plan =
        match brief_deploy::rollback_plan(&clusters, &r.service, &r.env, args.to, &who(), &options)
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return exit_code(&e);
            }
        };
    let version = plan.rollback_of.unwrap_or(0);
    let plan = match (&plan.inputs, args.no_regenerate) {
        (Some(inputs), false) => {
            let again = match regenerate(
                inputs,
                &r.env,
                Some(&plan.image),
                a.platform.as_deref(),
                &a.out,
            ) {
                Ok(again) => again,
                Err(code) => {
                    eprintln!(
                        "error: the inputs of v{version} do not render with today's toolchain \
                         and platform (above); `--no-regenerate` reapplies its stored manifests"
                    );
                    return code;
                }
            };
            progress(&Event::Note {
                message: format!(
                    "rolling back {} in {} to v{version} ({}): its inputs rendered again with {} \
                     and platform {} (recorded: {}, platform {})",
                    plan.service,
                    plan.env,
                    plan.image,
                    again.inputs.toolchain,
                    again.inputs.platform_hash,
                    inputs.toolchain,
                    inputs.platform_hash
                ),
            });
            Plan {
                manifests: again.manifests,
                inputs: Some(again.inputs),
                ..plan
            }
        }
        (recorded, no_regenerate) => {
            let why = if no_regenerate {
                "its stored manifests reapplied (--no-regenerate)"
            } else if recorded.is_none() {
                "its stored manifests reapplied: the record has no inputs to render again (it \
                 was made by an older paasctl)"
            } else {
                "its stored manifests reapplied"
            };
            progress(&Event::Note {
                message: format!(
                    "rolling back {} in {} to v{version} ({}): {why}",
                    plan.service, plan.env, plan.image
                ),
            });
            plan
        }
    };
    match brief_deploy::deploy(&clusters, &plan, &options, &progress) {
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
