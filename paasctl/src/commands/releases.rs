//! `paasctl releases`: the release history of a service in an environment, oldest first
//! (docs/deploy.md).
use crate::args::{FormatArg, StatusArgs};
use crate::output::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::rendered::{render, target};
use serde_json::json;

/// Prints the releases; returns the exit code.
pub fn run(a: &StatusArgs) -> i32 {
    let r = match render(&a.path, &a.env, None, a.platform.as_deref(), &a.out) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let options = brief_deploy::Options::default();
    let list = match brief_deploy::releases(&target(&a.cluster), &r.service, &r.env, &options) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                brief_deploy::Error::Cluster(_) => EXIT_USAGE,
                _ => EXIT_INPUT,
            };
        }
    };
    if a.out.format == FormatArg::Json {
        let v: Vec<_> = list
            .iter()
            .map(|rel| {
                json!({
                    "version": rel.version, "who": rel.who, "strategy": rel.strategy,
                    "image": rel.image, "time": rel.when, "status": rel.phase.as_str(),
                    "stage": rel.stage, "message": rel.message, "rollback_of": rel.rollback_of,
                })
            })
            .collect();
        println!("{:#}", serde_json::Value::Array(v));
        return EXIT_OK;
    }
    if list.is_empty() {
        println!("{} in {}: no releases", r.service, r.env);
        return EXIT_OK;
    }
    println!(
        "{:<8} {:<11} {:<21} {:<12} {:<12} IMAGE",
        "VERSION", "STATUS", "TIME", "STRATEGY", "WHO"
    );
    for rel in &list {
        println!(
            "{:<8} {:<11} {:<21} {:<12} {:<12} {}",
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
    EXIT_OK
}
