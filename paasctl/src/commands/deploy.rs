//! `paasctl deploy`: renders one environment for each of its clusters and hands the stages to the
//! deploy driver (docs/deploy.md); progress on stderr, or a JSON event stream with
//! `--format json`.
use crate::args::{DeployArgs, StrategyArg};
use crate::output::EXIT_OK;
use crate::rendered::{exit_code, print_event, render, targets, who};
use backend_k8s::platform::CanaryTraffic;
use brief_deploy::Event;

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
    let canary_traffic = r.canary_traffic;
    let clusters = match targets(&r, &a.cluster) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let plan = brief_deploy::Plan {
        service: r.service,
        env: r.env,
        image: a.image.clone(),
        strategy: match a.strategy {
            StrategyArg::Simple => "simple",
            StrategyArg::Canary => "canary",
        }
        .to_owned(),
        rollback_of: None,
        who: who(),
        manifests: r.manifests,
        inputs: Some(r.inputs),
    };
    let options = brief_deploy::Options {
        timeout: a.timeout,
        no_wait: a.no_wait,
        dry_run: a.dry_run,
        history: a.history,
        no_auto_rollback: a.no_auto_rollback,
        lease_duration: a.lease,
        canary_percent: a.canary_percent,
        ..brief_deploy::Options::default()
    };
    let format = a.out.format;
    let progress = |e: &Event| print_event(format, e);
    match brief_deploy::deploy(&clusters, &plan, &options, &progress) {
        Ok(outcome) => {
            let message = match &outcome.release {
                Some(rel) if a.strategy == StrategyArg::Canary => format!(
                    "canary of {} in {}: release v{} beside the stable release in {} ({}% of \
                     the traffic by {}); `paasctl canary promote` or `abort`",
                    plan.service,
                    plan.env,
                    rel.version,
                    names(&clusters),
                    a.canary_percent,
                    match canary_traffic {
                        CanaryTraffic::Replicas => "replica ratio",
                        CanaryTraffic::Httproute => "HTTPRoute weights",
                    }
                ),
                Some(rel) => format!(
                    "deployed {} to {}: release v{} in {} ({} pruned)",
                    plan.service,
                    plan.env,
                    rel.version,
                    names(&clusters),
                    outcome.pruned.len()
                ),
                None => {
                    let mut m = "dry run: nothing was changed".to_owned();
                    for (cluster, id) in &outcome.skipped {
                        m.push_str(&format!(
                            "\n  {cluster}: not checked (its namespace does not exist yet): {id}"
                        ));
                    }
                    m
                }
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

fn names(clusters: &[brief_deploy::Target]) -> String {
    clusters
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
