//! `paasctl status`: the latest release of a service in an environment and, per stage and
//! object, ready or why not (docs/deploy.md).
use crate::args::{FormatArg, StatusArgs};
use crate::output::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::rendered::{render, target};
use serde_json::json;

/// Prints the status; returns the exit code (1 when an object is not ready).
pub fn run(a: &StatusArgs) -> i32 {
    let r = match render(&a.path, &a.env, None, a.platform.as_deref(), &a.out) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let options = brief_deploy::Options::default();
    let report =
        match brief_deploy::status(&target(&a.cluster), &r.service, &r.env, &r.stages, &options) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("error: {e}");
                return match e {
                    brief_deploy::Error::Cluster(_) => EXIT_USAGE,
                    _ => EXIT_INPUT,
                };
            }
        };
    let all_ready = report
        .stages
        .iter()
        .all(|s| s.objects.iter().all(|o| o.ready));
    if a.out.format == FormatArg::Json {
        let v = json!({
            "service": r.service,
            "env": r.env,
            "release": report.release.as_ref().map(|rel| json!({
                "version": rel.version, "phase": rel.phase.as_str(), "stage": rel.stage,
                "message": rel.message, "image": rel.image,
            })),
            "ready": all_ready,
            "stages": report.stages.iter().map(|s| json!({
                "name": s.name,
                "objects": s.objects.iter().map(|o| json!({
                    "object": o.id, "ready": o.ready, "why": o.why,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        println!("{v:#}");
    } else {
        match &report.release {
            Some(rel) => println!(
                "{} in {}: release v{} {} (stage {}){}",
                r.service,
                r.env,
                rel.version,
                rel.phase.as_str(),
                rel.stage,
                if rel.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", rel.message)
                }
            ),
            None => println!(
                "{} in {}: never deployed; the objects of the current manifests:",
                r.service, r.env
            ),
        }
        for s in &report.stages {
            let ready = s.objects.iter().filter(|o| o.ready).count();
            println!("{}: {ready}/{} ready", s.name, s.objects.len());
            for o in &s.objects {
                if o.ready {
                    println!("  ready      {}", o.id);
                } else {
                    println!("  not ready  {}: {}", o.id, o.why);
                }
            }
        }
    }
    if all_ready && report.release.is_some() {
        EXIT_OK
    } else {
        EXIT_INPUT
    }
}
