//! `paasctl rollback`: reapplies an earlier release's stored manifests as a new release
//! (docs/deploy.md); progress on stderr.
use crate::args::RollbackArgs;
use crate::output::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::rendered::{render, target};

/// Rolls back; returns the exit code.
pub fn run(a: &RollbackArgs) -> i32 {
    // Rendered only for the service's name and the environment's own name.
    let r = match render(&a.path, &a.env, None, a.platform.as_deref(), &a.out) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let options = brief_deploy::Options {
        timeout: a.timeout,
        no_wait: a.no_wait,
        ..brief_deploy::Options::default()
    };
    let cluster = target(&a.cluster);
    let progress = |line: &str| eprintln!("{line}");
    let result = brief_deploy::rollback_plan(&cluster, &r.service, &r.env, a.to, &who, &options)
        .and_then(|plan| {
            progress(&format!(
                "rolling back {} in {} to v{} ({})",
                plan.service,
                plan.env,
                plan.rollback_of.unwrap_or(0),
                plan.image
            ));
            brief_deploy::deploy(&cluster, &plan, &options, &progress)
        });
    match result {
        Ok(outcome) => {
            let version = outcome.release.map(|r| r.version).unwrap_or(0);
            eprintln!(
                "rolled back {} in {}: release v{version} ({} pruned)",
                r.service,
                r.env,
                outcome.pruned.len()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                brief_deploy::Error::Cluster(_) => EXIT_USAGE,
                _ => EXIT_INPUT,
            }
        }
    }
}
