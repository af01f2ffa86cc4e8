//! `paasctl canary promote|abort`: the running canary made the new stable release, or removed
//! (docs/deploy.md); progress on stderr, or a JSON event stream with `--format json`.
use crate::args::{CanaryCommand, SyncArgs};
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, render, targets, who};
use brief_deploy::Event;

/// Promotes or aborts; returns the exit code.
pub fn run(c: &CanaryCommand) -> i32 {
    let (a, promote) = match c {
        CanaryCommand::Promote(a) => (a, true),
        CanaryCommand::Abort(a) => (a, false),
    };
    run_one(a, promote)
}

fn run_one(a: &SyncArgs, promote: bool) -> i32 {
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
    let result = if promote {
        brief_deploy::promote_plan(&clusters, &r.service, &r.env, &who(), &options).and_then(
            |(plan, canary)| {
                progress(&Event::Note {
                    message: format!(
                        "promoting the canary v{canary} of {} in {} ({})",
                        plan.service, plan.env, plan.image
                    ),
                });
                let outcome = brief_deploy::deploy(&clusters, &plan, &options, &progress)?;
                Ok(format!(
                    "promoted the canary v{canary} of {} in {}: release v{}",
                    r.service,
                    r.env,
                    outcome.release.map(|r| r.version).unwrap_or(0)
                ))
            },
        )
    } else {
        brief_deploy::canary_abort(&clusters, &r.service, &r.env, &who(), &options, &progress)
            .map(|v| format!("aborted the canary v{v} of {} in {}", r.service, r.env))
    };
    match result {
        Ok(message) => {
            progress(&Event::Note { message });
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code(&e)
        }
    }
}
