//! The canary strategy (docs/deploy.md): a deploy with `strategy = "canary"` applies the new
//! release's init stage and, beside each stable Deployment, a second Deployment `<name>-canary`
//! running the new version. Traffic is split by replica ratio (the Service selects both, the
//! canary's pods carry `paasctl.brief.dev/track: canary` besides the stable labels), or, when the
//! release's balancing stage has HTTPRoutes (platform.toml's `[canary] traffic = "httproute"`),
//! by their backend weights: the canary's pods are then their own instance
//! (`app.kubernetes.io/instance: <name>-canary`), selected by a Service `<service>-canary`, and
//! each route sends N% to it. Nothing is pruned and the stable release stays `deployed`; the
//! canary's record is in phase `canary`. `promote` deploys the canary's release as the new stable
//! one (its routes back at stable 100, the canary Deployment and Service pruned); `abort` puts the
//! stable release's routes back, removes the canary and returns every cluster to the stable
//! release.
use crate::apply;
use crate::objects::Object;
use crate::prune::prune;
use crate::release::{self, ReleaseInfo, ReleasePhase};
use crate::route::HttpRoute;
use crate::run::{connect, each, parse_stages, stages_for, under_lock};
use crate::{cluster, Error, Event, Options, Plan, Progress, Target};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Service;
use kube::api::DynamicObject;
use kube::Api;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

/// The label that names an instance; a canary split by HTTPRoute weights is its own instance.
const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

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

/// `<name>-canary`.
fn canary_name(name: &str) -> String {
    format!("{name}-canary")
}

/// Labels of the canary's own instance: the instance label made `<instance>-canary`.
fn own_instance(labels: &mut std::collections::BTreeMap<String, String>) {
    if let Some(i) = labels.get_mut(INSTANCE_LABEL) {
        *i = canary_name(i);
    }
}

/// An object as a typed k8s-openapi (or route) struct, and back.
fn typed<T: DeserializeOwned>(o: &Object) -> Result<T, Error> {
    serde_json::to_value(&o.object)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::Input(format!("{}: {e}", o.id())))
}

fn untyped<T: Serialize>(like: &Object, value: &T) -> Result<Object, Error> {
    let object: DynamicObject = serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::Input(format!("{}: {e}", like.id())))?;
    Ok(Object {
        kind: like.kind.clone(),
        object,
    })
}

/// The canary Service of a stable one, for a split by HTTPRoute weights: `<name>-canary`,
/// selecting the canary's instance.
fn canary_service(stable: &Service) -> Service {
    let mut s = stable.clone();
    s.metadata.name = Some(canary_name(&s.metadata.name.clone().unwrap_or_default()));
    s.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert(TRACK_LABEL.to_owned(), "canary".to_owned());
    if let Some(selector) = s.spec.as_mut().and_then(|spec| spec.selector.as_mut()) {
        own_instance(selector);
        selector.insert(TRACK_LABEL.to_owned(), "canary".to_owned());
    }
    s
}

/// The canary of one stable Deployment: renamed, tracked, `replicas` of them; with
/// `own_instance` (a split by HTTPRoute weights) its labels and selector name its own instance,
/// so that the stable Service does not select its pods.
fn canary_of(stable: &Deployment, replicas: i32, separate: bool) -> Deployment {
    let mut d = stable.clone();
    let name = format!("{}-canary", d.metadata.name.clone().unwrap_or_default());
    d.metadata.name = Some(name);
    let labels = d.metadata.labels.get_or_insert_with(Default::default);
    labels.insert(TRACK_LABEL.to_owned(), "canary".to_owned());
    if separate {
        own_instance(labels);
    }
    if let Some(spec) = d.spec.as_mut() {
        spec.replicas = Some(replicas);
        if separate {
            spec.selector.match_labels.iter_mut().for_each(own_instance);
            if let Some(l) = spec
                .template
                .metadata
                .as_mut()
                .and_then(|m| m.labels.as_mut())
            {
                own_instance(l);
            }
        }
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

fn of_kind<'a>(objs: &'a [Object], kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
    objs.iter().filter(move |o| o.kind.resource.kind == kind)
}

/// The objects a canary deploy applies in one cluster, by stage: the init stage as rendered, and
/// in the app stage a canary beside every Deployment; the db stage is left to `promote`. By
/// replica ratio the balancing stage is left to `promote` too (the Service already selects the
/// canary's pods); by HTTPRoute weights (the balancing stage has routes) it gets a canary
/// Service beside every Service a route sends to, and the routes split `percent` to them.
///
/// A Deployment an autoscaler sizes (rendered without `replicas`) is counted at `live`'s figure
/// for it (by [`Object::id`]: what runs in the cluster, see [`live_replicas`]), else at its
/// HorizontalPodAutoscaler's `minReplicas`. The canary itself has a fixed count: the autoscaler
/// keeps sizing stable only, so the share drifts when it scales (docs/deploy.md).
pub(crate) fn canary_stages(
    stages: &[(String, Vec<Object>)],
    percent: u32,
    live: &HashMap<String, i32>,
) -> Result<Vec<(String, Vec<Object>)>, Error> {
    let none = Vec::new();
    let balancing = stages
        .iter()
        .find(|(n, _)| n == "balancing")
        .map_or(&none, |(_, o)| o);
    let routes: Vec<(&Object, HttpRoute)> = of_kind(balancing, "HTTPRoute")
        .map(|o| Ok((o, typed::<HttpRoute>(o)?)))
        .collect::<Result<_, Error>>()?;
    let by_route = !routes.is_empty();
    let mut out = Vec::new();
    for (name, objs) in stages {
        match name.as_str() {
            "init" => out.push((name.clone(), objs.clone())),
            "app" => {
                let mut canaries = Vec::new();
                for o in of_kind(objs, "Deployment") {
                    let stable: Deployment = typed(o)?;
                    let replicas = match stable.spec.as_ref().and_then(|s| s.replicas) {
                        Some(r) => r,
                        None => match live.get(&o.id()) {
                            Some(r) => *r,
                            None => autoscaled_min(objs, o.name())?.unwrap_or(1),
                        },
                    };
                    let canary = canary_of(&stable, canary_replicas(replicas, percent), by_route);
                    canaries.push(untyped(o, &canary)?);
                }
                out.push((name.clone(), canaries));
            }
            "balancing" if by_route => {
                let targets: Vec<String> = routes
                    .iter()
                    .flat_map(|(_, r)| r.weights())
                    .map(|(n, _)| n)
                    .collect();
                let mut objects = Vec::new();
                for o in of_kind(objs, "Service").filter(|o| targets.iter().any(|t| t == o.name()))
                {
                    objects.push(untyped(o, &canary_service(&typed(o)?))?);
                }
                for (o, r) in &routes {
                    objects.push(untyped(o, &r.split(percent, canary_name))?);
                }
                out.push((name.clone(), objects));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The `minReplicas` of the HorizontalPodAutoscaler among `objs` that sizes Deployment `name`.
fn autoscaled_min(objs: &[Object], name: &str) -> Result<Option<i32>, Error> {
    for o in of_kind(objs, "HorizontalPodAutoscaler") {
        let hpa: HorizontalPodAutoscaler = typed(o)?;
        if let Some(spec) = hpa.spec {
            let target = &spec.scale_target_ref;
            if target.kind == "Deployment" && target.name == name {
                return Ok(Some(spec.min_replicas.unwrap_or(1)));
            }
        }
    }
    Ok(None)
}

/// How many replicas the Deployments of the app stage that an autoscaler sizes (rendered without
/// `replicas`) run now in the cluster of `client`, by [`Object::id`]; one not there yet is left
/// out.
pub(crate) async fn live_replicas(
    client: &kube::Client,
    stages: &[(String, Vec<Object>)],
) -> Result<HashMap<String, i32>, Error> {
    let mut live = HashMap::new();
    for (_, objs) in stages.iter().filter(|(n, _)| n == "app") {
        for o in of_kind(objs, "Deployment") {
            let stable: Deployment = typed(o)?;
            if stable.spec.as_ref().and_then(|s| s.replicas).is_some() {
                continue;
            }
            let api: Api<Deployment> =
                Api::namespaced(client.clone(), o.namespace().unwrap_or("default"));
            let running = api
                .get_opt(o.name())
                .await
                .map_err(|e| Error::api(o.id(), e))?
                .and_then(|d| d.spec)
                .and_then(|s| s.replicas);
            if let Some(r) = running {
                live.insert(o.id(), r);
            }
        }
    }
    Ok(live)
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
                // Every route back at the stable release's weights before its canary goes.
                let routes: Vec<Object> = of_kind(&keep, "HTTPRoute").cloned().collect();
                if !routes.is_empty() {
                    apply::apply(&c.client, "balancing", &routes, false).await?;
                    if !options.no_wait {
                        let report = |_: usize, _: usize| {};
                        apply::wait(
                            &c.client,
                            "balancing",
                            &routes,
                            options.timeout,
                            options.poll,
                            &report,
                        )
                        .await?;
                    }
                }
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

    const AUTOSCALED: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: app, image: shop:1}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 3
  maxReplicas: 12
";

    fn canary_count(live: &[(&str, i32)], percent: u32) -> Option<i32> {
        let objs = crate::objects::parse(AUTOSCALED, None).ok()?;
        let live = live.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        let stages = canary_stages(&[("app".to_owned(), objs)], percent, &live).ok()?;
        let canary: Deployment = typed(stages.first()?.1.first()?).ok()?;
        canary.spec?.replicas
    }

    #[test]
    fn an_autoscaled_canary_gets_its_share_of_what_runs_else_of_the_autoscalers_minimum() {
        let id = crate::objects::id("Deployment", Some("shop"), "shop");
        // Stable runs 9 (the autoscaler scaled it): 25% beside 9 is 3.
        assert_eq!(canary_count(&[(&id, 9)], 25), Some(3));
        // Not running yet: counted at minReplicas 3, so 50% is 3.
        assert_eq!(canary_count(&[], 50), Some(3));
        assert_eq!(canary_count(&[], 25), Some(1));
    }
}
