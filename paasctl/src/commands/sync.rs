//! `paasctl sync`: brings every cluster of an environment to the release of record
//! (docs/deploy.md); progress on stderr, or a JSON event stream with `--format json`. With
//! `--skip-unreachable` the clusters that do not answer are reported and left out.
use crate::args::SyncCmdArgs;
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, render, targets, who};
use brief_deploy::Event;

/// Syncs; returns the exit code.
pub fn run(cmd: &SyncCmdArgs) -> i32 {
    let a = &cmd.run;
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
        skip_unreachable: cmd.skip_unreachable,
        ..brief_deploy::Options::default()
    };
    let format = a.out.format;
    let progress = |e: &Event| print_event(format, e);
    match brief_deploy::sync(&clusters, &r.service, &r.env, &who(), &options, &progress) {
        Ok(outcome) => {
            let message = if !outcome.unreachable.is_empty() {
                let synced = if outcome.synced.is_empty() {
                    "nothing to bring".to_owned()
                } else {
                    format!("{} brought", outcome.synced.join(", "))
                };
                format!(
                    "synced {} in {} without {} (did not answer): {synced} to release v{}; \
                     run `paasctl sync` again when {} answer",
                    r.service,
                    r.env,
                    outcome.unreachable.join(", "),
                    outcome.version,
                    if outcome.unreachable.len() == 1 {
                        "it does"
                    } else {
                        "they"
                    }
                )
            } else if outcome.synced.is_empty() {
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
