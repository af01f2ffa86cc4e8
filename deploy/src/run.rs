//! The entry points: `deploy` (lock, release record, stages in order, prune, history cap),
//! `status` (per stage, per object of the latest release: ready or why not) and `releases`.
use crate::apply;
use crate::lock;
use crate::objects::{self, Object};
use crate::prune::prune;
use crate::readiness::Readiness;
use crate::release::{self, ReleaseInfo, ReleasePhase};
use crate::{cluster, Error, Options, Plan, Progress, StageInput, Target};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use std::collections::BTreeSet;

/// What a deploy did.
#[derive(Debug, Clone, Default)]
pub struct DeployOutcome {
    /// The release recorded (none for a dry run).
    pub release: Option<ReleaseInfo>,
    /// Objects deleted because the new release no longer has them.
    pub pruned: Vec<String>,
    /// Old releases deleted by the history cap.
    pub expired: Vec<String>,
    /// Objects a dry run could not check: their namespace is created by this release.
    pub skipped: Vec<String>,
}

/// One object's readiness in `status`.
#[derive(Debug, Clone)]
pub struct ObjectStatus {
    pub id: String,
    pub ready: bool,
    /// Why it is not ready (empty when ready).
    pub why: String,
}

/// One stage in `status`.
#[derive(Debug, Clone)]
pub struct StageStatus {
    pub name: String,
    pub objects: Vec<ObjectStatus>,
}

/// The state of a service in an environment.
#[derive(Debug, Clone)]
pub struct StatusReport {
    /// The latest release (none when nothing was deployed: then the stages are the given ones).
    pub release: Option<ReleaseInfo>,
    pub stages: Vec<StageStatus>,
}

type Stages = Vec<(String, Vec<Object>)>;

fn parse_stages(stages: &[StageInput], labels: Option<(&str, &str)>) -> Result<Stages, Error> {
    stages
        .iter()
        .map(|s| Ok((s.name.clone(), objects::parse(&s.yaml, labels)?)))
        .collect()
}

/// Deploys a plan to one cluster (docs/deploy.md).
pub fn deploy(
    target: &Target,
    plan: &Plan,
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    cluster::runtime()?.block_on(async {
        let client = target.client().await?;
        let stages = parse_stages(&plan.stages, Some((&plan.service, &plan.env)))?;
        if options.dry_run {
            return dry_run(&client, &stages, progress).await;
        }
        install(&client, options, progress).await?;
        let identity = format!("{} (pid {})", plan.who, std::process::id());
        let lock = lock::acquire(
            &client,
            &options.system_namespace,
            &plan.service,
            &plan.env,
            &identity,
            options.lease_duration,
        )
        .await?;
        let result = locked(&client, plan, &stages, options, progress).await;
        let released = lock.release().await;
        let outcome = result?;
        released?;
        Ok(outcome)
    })
}

/// The tool's namespace and the Release CRDs, applied and Established.
async fn install(
    client: &kube::Client,
    options: &Options,
    progress: Progress<'_>,
) -> Result<(), Error> {
    let ns = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:\n    \
         app.kubernetes.io/managed-by: paasctl\n    pod-security.kubernetes.io/enforce: restricted\n",
        options.system_namespace
    );
    let mut objs = objects::parse(&ns, None)?;
    objs.extend(objects::parse(release::CRDS, None)?);
    apply::apply(client, "init", &objs, false).await?;
    apply::wait(
        client,
        "init",
        &objs,
        options.timeout,
        options.poll,
        &|_| {},
    )
    .await?;
    progress("init: release records ready");
    Ok(())
}

/// The deploy proper, under the lock.
async fn locked(
    client: &kube::Client,
    plan: &Plan,
    stages: &Stages,
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    let ns = options.system_namespace.as_str();
    let history = release::list(client, ns, &plan.service, &plan.env).await?;
    for r in history.iter().filter(|r| r.phase == ReleasePhase::Pending) {
        progress(&format!(
            "release v{} was left pending by a deploy that did not finish: marked failed",
            r.version
        ));
        let message = "interrupted: the deploy that recorded it did not finish";
        release::set_status(client, ns, &r.name, ReleasePhase::Failed, &r.stage, message).await?;
    }
    let version = history.iter().map(|r| r.version).max().unwrap_or(0) + 1;
    let when = Timestamp::from_second(Timestamp::now().as_second())
        .unwrap_or_else(|_| Timestamp::now())
        .to_string();
    let mut record = release::create(client, ns, plan, version, &when).await?;
    progress(&format!(
        "release v{version} of {} in {}",
        plan.service, plan.env
    ));
    let mut all = Vec::new();
    for (stage, objs) in stages {
        release::set_status(client, ns, &record.name, ReleasePhase::Pending, stage, "").await?;
        progress(&format!("{stage}: applying {} objects", objs.len()));
        if let Err(e) = apply::apply(client, stage, objs, false).await {
            return Err(failed(client, ns, &record.name, stage, e).await);
        }
        if !options.no_wait {
            if let Err(e) =
                apply::wait(client, stage, objs, options.timeout, options.poll, progress).await
            {
                return Err(failed(client, ns, &record.name, stage, e).await);
            }
        }
        all.extend(objs.iter().cloned());
    }
    let last = stages.last().map(|s| s.0.as_str()).unwrap_or("");
    let pruned = match prune(client, &plan.service, &plan.env, &all, progress).await {
        Ok(p) => p,
        Err(e) => return Err(failed(client, ns, &record.name, last, e).await),
    };
    let message = if options.no_wait {
        "applied without waiting for readiness"
    } else {
        ""
    };
    release::set_status(
        client,
        ns,
        &record.name,
        ReleasePhase::Deployed,
        last,
        message,
    )
    .await?;
    record.phase = ReleasePhase::Deployed;
    record.stage = last.to_owned();
    record.message = message.to_owned();
    for r in history.iter().filter(|r| r.phase == ReleasePhase::Deployed) {
        release::set_status(client, ns, &r.name, ReleasePhase::Superseded, &r.stage, "").await?;
    }
    let now = release::list(client, ns, &plan.service, &plan.env).await?;
    let expired = release::cap(client, ns, &now, options.history).await?;
    progress(&format!("release v{version} deployed"));
    Ok(DeployOutcome {
        release: Some(record),
        pruned,
        expired,
        skipped: Vec::new(),
    })
}

/// Marks the release failed at a stage (best effort: the deploy's own error is what is reported).
async fn failed(client: &kube::Client, ns: &str, name: &str, stage: &str, e: Error) -> Error {
    let _ = release::set_status(
        client,
        ns,
        name,
        ReleasePhase::Failed,
        stage,
        &e.to_string(),
    )
    .await;
    e
}

/// Server-side dry run of every stage; objects in a namespace this release would create are
/// skipped (the API server cannot check them before the namespace exists).
async fn dry_run(
    client: &kube::Client,
    stages: &Stages,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    let created: BTreeSet<&str> = stages
        .iter()
        .flat_map(|(_, o)| o)
        .filter(|o| o.kind.resource.kind == "Namespace")
        .map(Object::name)
        .collect();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut missing = BTreeSet::new();
    for ns in created {
        let found = namespaces
            .get_opt(ns)
            .await
            .map_err(|e| Error::api(format!("read namespace {ns}"), e))?;
        if found.is_none() {
            missing.insert(ns.to_owned());
        }
    }
    let mut skipped = Vec::new();
    for (stage, objs) in stages {
        let (check, skip): (Vec<Object>, Vec<Object>) = objs
            .iter()
            .cloned()
            .partition(|o| o.namespace().is_none_or(|ns| !missing.contains(ns)));
        skipped.extend(skip.iter().map(Object::id));
        apply::apply(client, stage, &check, true).await?;
        progress(&format!(
            "{stage}: {} objects accepted by a server-side dry run{}",
            check.len(),
            if skip.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} skipped (their namespace does not exist yet)",
                    skip.len()
                )
            }
        ));
    }
    Ok(DeployOutcome {
        skipped,
        ..DeployOutcome::default()
    })
}

/// The releases of a service and environment, oldest first.
pub fn releases(
    target: &Target,
    service: &str,
    env: &str,
    options: &Options,
) -> Result<Vec<ReleaseInfo>, Error> {
    cluster::runtime()?.block_on(async {
        let client = target.client().await?;
        release::list(&client, &options.system_namespace, service, env).await
    })
}

/// Per stage and object of the latest release (or of `rendered` when nothing was deployed yet):
/// ready or why not.
pub fn status(
    target: &Target,
    service: &str,
    env: &str,
    rendered: &[StageInput],
    options: &Options,
) -> Result<StatusReport, Error> {
    cluster::runtime()?.block_on(async {
        let client = target.client().await?;
        let ns = options.system_namespace.as_str();
        let latest = release::list(&client, ns, service, env).await?.pop();
        let inputs = match &latest {
            Some(r) => release::manifests(&client, ns, r).await?,
            None => rendered.to_vec(),
        };
        let mut stages = Vec::new();
        for (name, objs) in parse_stages(&inputs, None)? {
            let states = apply::check(&client, &objs).await;
            let objects = objs
                .iter()
                .zip(states)
                .map(|(o, s)| {
                    let (ready, why) = match s {
                        Readiness::Ready => (true, String::new()),
                        Readiness::InProgress(w) => (false, w),
                        Readiness::Failed(w) => (false, format!("failed: {w}")),
                    };
                    ObjectStatus {
                        id: o.id(),
                        ready,
                        why,
                    }
                })
                .collect();
            stages.push(StageStatus { name, objects });
        }
        Ok(StatusReport {
            release: latest,
            stages,
        })
    })
}

/// The plan of a rollback: the stored manifests and image of release `to` (default: the newest
/// superseded one, the release before the one deployed now), recorded as a new release.
pub fn rollback_plan(
    target: &Target,
    service: &str,
    env: &str,
    to: Option<u64>,
    who: &str,
    options: &Options,
) -> Result<Plan, Error> {
    cluster::runtime()?.block_on(async {
        let client = target.client().await?;
        let ns = options.system_namespace.as_str();
        let history = release::list(&client, ns, service, env).await?;
        let chosen = match to {
            Some(v) => history.iter().find(|r| r.version == v).ok_or_else(|| {
                Error::NoRelease(format!(
                    "{service} in {env} has no release v{v} (see `paasctl releases`)"
                ))
            })?,
            None => history
                .iter()
                .rev()
                .find(|r| r.phase == ReleasePhase::Superseded)
                .ok_or_else(|| {
                    Error::NoRelease(format!(
                        "{service} in {env} has no earlier deployed release to roll back to"
                    ))
                })?,
        };
        let stages = release::manifests(&client, ns, chosen).await?;
        Ok(Plan {
            service: service.to_owned(),
            env: env.to_owned(),
            image: chosen.image.clone(),
            strategy: "rollback".to_owned(),
            rollback_of: Some(chosen.version),
            who: who.to_owned(),
            stages,
        })
    })
}
