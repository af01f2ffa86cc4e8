//! `paasctl sync`: brings every cluster of an environment to the release of record
//! (docs/deploy.md); progress on stderr, or a JSON event stream with `--format json`.
use crate::args::SyncArgs;
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, render, targets, who};
use brief_deploy::Event;

/// Syncs; returns the exit code.
pub fn run(a: &SyncArgs) -> i32 {
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
    match brief_deploy::sync(&clusters, &r.service, &r.env, &who(), &options, &progress) {
        Ok(outcome) => {
            let message = if outcome.synced.is_empty() {
                format!(
                    "{} in {}: every cluster runs release v{}",
                    r.service, r.env, outcome.version
                )
            } else {
                format!(
                    "synced {} in {}: {} brought to release v{}",
                    r.service,
                    r.env,
                    outcome.synced.join(", "),
                    outcome.version
                )
            };
            progress(&Event::Note { message });
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code(&e)
        }
    }
}
