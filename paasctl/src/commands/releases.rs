//! `paasctl releases`: the release history of a service in an environment, per cluster, oldest
//! first (docs/deploy.md).
use crate::args::{FormatArg, StatusArgs};
use crate::output::{EXIT_INPUT, EXIT_OK};
use crate::rendered::{exit_code, render, targets};
use serde_json::json;

/// Prints the releases; returns the exit code (1 when a cluster's history cannot be read).
pub fn run(a: &StatusArgs) -> i32 {
    let r = match render(&a.path, &a.env, None, a.platform.as_deref(), &a.out) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let clusters = match targets(&r, &a.cluster) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let options = brief_deploy::Options::default();
    let all = match brief_deploy::releases(&clusters, &r.service, &r.env, &options) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code(&e);
        }
    };
    let mut code = EXIT_OK;
    for c in &all {
        if let Err(e) = &c.releases {
            eprintln!("error: {e}");
            code = EXIT_INPUT;
        }
    }
    let rows: Vec<(&str, &brief_deploy::ReleaseInfo)> = all
        .iter()
        .filter_map(|c| c.releases.as_ref().ok().map(|l| (c.cluster.as_str(), l)))
        .flat_map(|(cluster, l)| l.iter().map(move |rel| (cluster, rel)))
        .collect();
    if a.out.format == FormatArg::Json {
        let v: Vec<_> = rows
            .iter()
            .map(|(cluster, rel)| {
                json!({
                    "cluster": cluster, "version": rel.version, "who": rel.who,
                    "strategy": rel.strategy, "image": rel.image, "time": rel.when,
                    "status": rel.phase.as_str(), "stage": rel.stage, "message": rel.message,
                    "rollback_of": rel.rollback_of,
                })
            })
            .collect();
        println!("{:#}", serde_json::Value::Array(v));
        return code;
    }
    if rows.is_empty() {
        println!("{} in {}: no releases", r.service, r.env);
        return code;
    }
    let width = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(0).max(7);
    println!(
        "{:<width$} {:<8} {:<11} {:<21} {:<12} {:<12} IMAGE",
        "CLUSTER", "VERSION", "STATUS", "TIME", "STRATEGY", "WHO"
    );
    for (cluster, rel) in &rows {
        println!(
            "{:<width$} {:<8} {:<11} {:<21} {:<12} {:<12} {}",
            cluster,
            format!("v{}", rel.version),
            rel.phase.as_str(),
            rel.when,
            match rel.rollback_of {
                Some(v) => format!("{} v{v}", rel.strategy),
                None => rel.strategy.clone(),
            },
            rel.who,
            rel.image
        );
    }
    code
}
