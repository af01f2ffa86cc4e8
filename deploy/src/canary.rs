//! The canary strategy (docs/deploy.md): a deploy with `strategy = "canary"` applies the new
//! release's init stage and, beside each stable Deployment, a second Deployment `<name>-canary`
//! running the new version; traffic is split by replica ratio (the Service selects both, the
//! canary's pods carry `paasctl.brief.dev/track: canary` besides the stable labels). Nothing is
//! pruned and the stable release stays `deployed`; the canary's record is in phase `canary`.
//! `promote` deploys the canary's release as the new stable one (the canary Deployment pruned);
//! `abort` removes the canary and returns every cluster to the stable release.
use crate::objects::Object;
use crate::prune::prune;
use crate::release::{self, ReleaseInfo, ReleasePhase};
use crate::run::{connect, each, parse_stages, stages_for, under_lock};
use crate::{cluster, Error, Event, Options, Plan, Progress, Target};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::DynamicObject;

/// The label that marks a canary's Deployment and pods.
pub const TRACK_LABEL: &str = "paasctl.brief.dev/track";

/// How many canary replicas give it `percent` of the traffic beside `stable` replicas (at least 1).
pub fn canary_replicas(stable: i32, percent: u32) -> i32 {
    let p = i64::from(percent.clamp(1, 99));
    let s = i64::from(stable.max(1));
    // c / (s + c) = p / 100  =>  c = s * p / (100 - p), rounded up.
    let c = (s * p + (100 - p) - 1) / (100 - p);
    i32::try_from(c.max(1)).unwrap_or(i32::MAX)
}

/// The canary of one stable Deployment: renamed, tracked, `replicas` of them.
fn canary_of(stable: &Deployment, replicas: i32) -> Deployment {
    let mut d = stable.clone();
    let name = format!("{}-canary", d.metadata.name.clone().unwrap_or_default());
    d.metadata.name = Some(name);
    d.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert(TRACK_LABEL.to_owned(), "canary".to_owned());
    if let Some(spec) = d.spec.as_mut() {
        spec.replicas = Some(replicas);
        spec.selector
            .match_labels
            .get_or_insert_with(Default::default)
            .insert(TRACK_LABEL.to_owned(), "canary".to_owned());
        spec.template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(Default::default)
            .insert(TRACK_LABEL.to_owned(), "canary".to_owned());
    }
    d
}

/// The objects a canary deploy applies in one cluster, by stage: the init stage as rendered, and
/// in the app stage a canary beside every Deployment; the db and balancing stages are left to
/// `promote` (the Service already selects the canary's pods).
pub(crate) fn canary_stages(
    stages: &[(String, Vec<Object>)],
    percent: u32,
) -> Result<Vec<(String, Vec<Object>)>, Error> {
    let mut out = Vec::new();
    for (name, objs) in stages {
        match name.as_str() {
            "init" => out.push((name.clone(), objs.clone())),
            "app" => {
                let mut canaries = Vec::new();
                for o in objs.iter().filter(|o| o.kind.resource.kind == "Deployment") {
                    let stable: Deployment = serde_json::to_value(&o.object)
                        .and_then(serde_json::from_value)
                        .map_err(|e| Error::Input(format!("{}: {e}", o.id())))?;
                    let replicas = stable.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                    let canary = canary_of(&stable, canary_replicas(replicas, percent));
                    let object: DynamicObject = serde_json::to_value(&canary)
                        .and_then(serde_json::from_value)
                        .map_err(|e| Error::Input(format!("{}: {e}", o.id())))?;
                    canaries.push(Object {
                        kind: o.kind.clone(),
                        object,
                    });
                }
                out.push((name.clone(), canaries));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The newest release in phase `canary` among every target's history, and the client of a
/// cluster that has it.
async fn running_canary(
    targets: &[Target],
    service: &str,
    env: &str,
    options: &Options,
) -> Result<(kube::Client, ReleaseInfo, ReleaseInfo), Error> {
    let ns = options.system_namespace.as_str();
    let mut best: Option<(kube::Client, ReleaseInfo, ReleaseInfo)> = None;
    for t in targets {
        let client = t.client().await.map_err(|e| e.in_cluster(&t.name))?;
        let history = release::list(&client, ns, service, env)
            .await
            .map_err(|e| e.in_cluster(&t.name))?;
        let canary = history
            .iter()
            .filter(|r| r.phase == ReleasePhase::Canary)
            .max_by_key(|r| r.version);
        let stable = history
            .iter()
            .filter(|r| r.phase == ReleasePhase::Deployed)
            .max_by_key(|r| r.version);
        if let (Some(c), Some(s)) = (canary, stable) {
            if best.as_ref().is_none_or(|b| b.1.version < c.version) {
                best = Some((client, c.clone(), s.clone()));
            }
        }
    }
    best.ok_or_else(|| {
        Error::NoRelease(format!(
            "{service} in {env} has no canary running (see `paasctl releases`)"
        ))
    })
}

/// The plan that promotes the running canary: its release's manifests deployed as the new stable
/// release (strategy `canary-promote`, `rollbackOf` unset).
pub fn promote_plan(
    targets: &[Target],
    service: &str,
    env: &str,
    who: &str,
    options: &Options,
) -> Result<(Plan, u64), Error> {
    cluster::runtime()?.block_on(async {
        let (client, canary, _) = running_canary(targets, service, env, options).await?;
        let stored = release::stored(&client, &options.system_namespace, &canary).await?;
        Ok((
            Plan {
                service: service.to_owned(),
                env: env.to_owned(),
                image: canary.image.clone(),
                strategy: "canary-promote".to_owned(),
                rollback_of: None,
                who: who.to_owned(),
                manifests: stored.manifests,
                inputs: stored.inputs,
            },
            canary.version,
        ))
    })
}

/// Aborts the running canary: every cluster back to the stable release's objects (the canary
/// Deployments and what only the canary brought pruned); the canary's record `rolled-back`.
/// Returns the canary's version.
pub fn abort(
    targets: &[Target],
    service: &str,
    env: &str,
    who: &str,
    options: &Options,
    progress: Progress<'_>,
) -> Result<u64, Error> {
    cluster::runtime()?.block_on(async {
        let ns = options.system_namespace.as_str();
        let (client, canary, stable) = running_canary(targets, service, env, options).await?;
        let stored = release::stored(&client, ns, &stable).await?;
        let plan = Plan {
            service: service.to_owned(),
            env: env.to_owned(),
            image: stable.image.clone(),
            strategy: "canary-abort".to_owned(),
            rollback_of: None,
            who: who.to_owned(),
            manifests: stored.manifests,
            inputs: stored.inputs,
        };
        let conns = connect(targets, &plan.manifests, Some((service, env))).await?;
        under_lock(&conns, &plan, options, progress, |conns| async {
            each(conns, |c| async {
                let keep: Vec<Object> = stages_for(&plan.manifests, &c.name)
                    .map(|s| parse_stages(&s, Some((service, env))))
                    .transpose()?
                    .unwrap_or_default()
                    .into_iter()
                    .flat_map(|(_, o)| o)
                    .collect();
                prune(&c.client, service, env, &keep, &c.name, progress).await?;
                let message = format!("aborted: traffic returned to v{}", stable.version);
                release::set_status(
                    &c.client,
                    ns,
                    &canary.name,
                    ReleasePhase::RolledBack,
                    &canary.stage,
                    &message,
                )
                .await
            })
            .await
        })
        .await?;
        progress(&Event::Note {
            message: format!(
                "canary v{} aborted: every cluster is back at release v{}",
                canary.version, stable.version
            ),
        });
        Ok(canary.version)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_replicas_give_the_percent_of_the_traffic() {
        assert_eq!(canary_replicas(2, 50), 2);
        assert_eq!(canary_replicas(2, 10), 1);
        assert_eq!(canary_replicas(9, 10), 1);
        assert_eq!(canary_replicas(9, 25), 3);
        assert_eq!(canary_replicas(3, 99), 297);
        assert_eq!(canary_replicas(0, 5), 1);
    }
}
