//! `paasctl status`: per cluster of the environment, the latest release of a service and, per
//! stage and object, ready or why not (docs/deploy.md).
use crate::args::{FormatArg, StatusArgs};
use crate::output::{EXIT_INPUT, EXIT_OK};
use crate::rendered::{exit_code, render, targets};
use brief_deploy::StatusReport;
use serde_json::json;

/// Prints the status; returns the exit code (1 when an object is not ready or a cluster cannot
/// be read).
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
    let all = match brief_deploy::status(&clusters, &r.service, &r.env, &r.manifests, &options) {
        Ok(all) => all,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code(&e);
        }
    };
    let ready = |rep: &StatusReport| {
        rep.release.is_some() && rep.stages.iter().all(|s| s.objects.iter().all(|o| o.ready))
    };
    let all_ready = all.iter().all(|c| c.report.as_ref().is_ok_and(&ready));
    if a.out.format == FormatArg::Json {
        let v = json!({
            "service": r.service,
            "env": r.env,
            "ready": all_ready,
            "clusters": all.iter().map(|c| match &c.report {
                Ok(rep) => json!({
                    "cluster": c.cluster,
                    "ready": ready(rep),
                    "release": rep.release.as_ref().map(|rel| json!({
                        "version": rel.version, "phase": rel.phase.as_str(), "stage": rel.stage,
                        "message": rel.message, "image": rel.image,
                    })),
                    "stages": rep.stages.iter().map(|s| json!({
                        "name": s.name,
                        "objects": s.objects.iter().map(|o| json!({
                            "object": o.id, "ready": o.ready, "why": o.why,
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }),
                Err(e) => json!({"cluster": c.cluster, "ready": false, "error": e.to_string()}),
            }).collect::<Vec<_>>(),
        });
        println!("{v:#}");
    } else {
        for c in &all {
            let rep = match &c.report {
                Ok(rep) => rep,
                Err(e) => {
                    println!("{} in {}, cluster {}: {e}", r.service, r.env, c.cluster);
                    continue;
                }
            };
            match &rep.release {
                Some(rel) => println!(
                    "{} in {}, cluster {}: release v{} {} (stage {}){}",
                    r.service,
                    r.env,
                    c.cluster,
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
                    "{} in {}, cluster {}: never deployed; the objects of the current manifests:",
                    r.service, r.env, c.cluster
                ),
            }
            for s in &rep.stages {
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
    }
    if all_ready {
        EXIT_OK
    } else {
        EXIT_INPUT
    }
}
