//! `paasctl deploy`: renders one environment and hands its stages to the deploy driver
//! (docs/deploy.md); progress on stderr.
use crate::args::DeployArgs;
use crate::output::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::rendered::{render, target};

/// Deploys; returns the exit code.
pub fn run(a: &DeployArgs) -> i32 {
    let r = match render(
        &a.path,
        &a.env,
        Some(&a.image),
        a.platform.as_deref(),
        &a.out,
    ) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let plan = brief_deploy::Plan {
        service: r.service,
        env: r.env,
        image: a.image.clone(),
        strategy: "simple".to_owned(),
        rollback_of: None,
        who: std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".to_owned()),
        stages: r.stages,
    };
    let options = brief_deploy::Options {
        timeout: a.timeout,
        no_wait: a.no_wait,
        dry_run: a.dry_run,
        history: a.history,
        ..brief_deploy::Options::default()
    };
    let progress = |line: &str| eprintln!("{line}");
    match brief_deploy::deploy(&target(&a.cluster), &plan, &options, &progress) {
        Ok(outcome) => {
            if let Some(rel) = &outcome.release {
                eprintln!(
                    "deployed {} to {}: release v{} ({} pruned)",
                    plan.service,
                    plan.env,
                    rel.version,
                    outcome.pruned.len()
                );
            } else {
                eprintln!("dry run: nothing was changed");
                for id in &outcome.skipped {
                    eprintln!("  not checked (its namespace does not exist yet): {id}");
                }
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code(&e)
        }
    }
}

/// 2 when the cluster cannot be reached or configured, 1 when the deploy itself failed.
fn exit_code(e: &brief_deploy::Error) -> i32 {
    match e {
        brief_deploy::Error::Cluster(_) => EXIT_USAGE,
        _ => EXIT_INPUT,
    }
}
