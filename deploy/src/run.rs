//! The entry points: `deploy` (locks, release records, stages in order in every cluster at once,
//! prune, history cap), `status` (per cluster, stage and object of the latest release: ready or
//! why not), `releases` (per cluster) and `rollback_plan`.
use crate::apply;
use crate::lock;
use crate::objects::{self, Object};
use crate::prune::prune;
use crate::readiness::Readiness;
use crate::release::{self, ReleaseInfo, ReleasePhase};
use crate::{cluster, ClusterStages, Error, Event, Options, Plan, Progress, StageInput, Target};
use futures::future::join_all;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use std::collections::BTreeSet;
use std::future::Future;

/// What a deploy did.
#[derive(Debug, Clone, Default)]
pub struct DeployOutcome {
    /// The release recorded, as in the first cluster (none for a dry run).
    pub release: Option<ReleaseInfo>,
    /// Objects deleted because the new release no longer has them: (cluster, object).
    pub pruned: Vec<(String, String)>,
    /// Old releases deleted by the history cap: (cluster, release).
    pub expired: Vec<(String, String)>,
    /// Objects a dry run could not check, their namespace created by this release: (cluster,
    /// object).
    pub skipped: Vec<(String, String)>,
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

/// The state of a service in an environment in one cluster.
#[derive(Debug, Clone)]
pub struct StatusReport {
    /// The latest release (none when nothing was deployed: then the stages are the given ones).
    pub release: Option<ReleaseInfo>,
    pub stages: Vec<StageStatus>,
}

/// `status` of one cluster: its report, or why it could not be read.
#[derive(Debug)]
pub struct ClusterStatus {
    pub cluster: String,
    pub report: Result<StatusReport, Error>,
}

/// `releases` of one cluster: its history, oldest first, or why it could not be read.
#[derive(Debug)]
pub struct ClusterReleases {
    pub cluster: String,
    pub releases: Result<Vec<ReleaseInfo>, Error>,
}

type Stages = Vec<(String, Vec<Object>)>;

pub(crate) fn parse_stages(
    stages: &[StageInput],
    labels: Option<(&str, &str)>,
) -> Result<Stages, Error> {
    stages
        .iter()
        .map(|s| Ok((s.name.clone(), objects::parse(&s.yaml, labels)?)))
        .collect()
}

/// One cluster of a run: its name, client and parsed stages.
pub(crate) struct Conn {
    pub name: String,
    pub client: kube::Client,
    pub stages: Stages,
}

impl Conn {
    fn stage(&self, name: &str) -> &[Object] {
        self.stages
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o.as_slice())
            .unwrap_or(&[])
    }

    fn last_stage(&self) -> &str {
        self.stages.last().map(|s| s.0.as_str()).unwrap_or("")
    }
}

/// Runs `f` in every cluster at once; every cluster's error is kept, named after its cluster.
pub(crate) async fn each<'a, T, F, Fut>(conns: &'a [Conn], f: F) -> Result<Vec<T>, Error>
where
    F: Fn(&'a Conn) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let results = join_all(conns.iter().map(|c| {
        let fut = f(c);
        async move { fut.await.map_err(|e| e.in_cluster(&c.name)) }
    }))
    .await;
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e),
        }
    }
    match Error::join(errors) {
        Some(e) => Err(e),
        None => Ok(ok),
    }
}

/// Clients for every target, made at once; the stages of each from `manifests` (with the
/// ownership labels when `labels`).
pub(crate) async fn connect(
    targets: &[Target],
    manifests: &[ClusterStages],
    labels: Option<(&str, &str)>,
) -> Result<Vec<Conn>, Error> {
    if targets.is_empty() {
        return Err(Error::Cluster("no cluster to deploy to".to_owned()));
    }
    let mut parsed = Vec::new();
    for t in targets {
        let stages = match manifests.iter().find(|m| m.cluster == t.name) {
            Some(m) => parse_stages(&m.stages, labels)?,
            None if manifests.len() == 1 && targets.len() == 1 => {
                parse_stages(&manifests[0].stages, labels)?
            }
            None => {
                return Err(Error::Input(format!(
                    "no manifests for cluster `{}` (the release has {})",
                    t.name,
                    manifests
                        .iter()
                        .map(|m| format!("`{}`", m.cluster))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        parsed.push(stages);
    }
    let clients = join_all(
        targets
            .iter()
            .map(|t| async move { t.client().await.map_err(|e| e.in_cluster(&t.name)) }),
    )
    .await;
    let mut conns = Vec::new();
    let mut errors = Vec::new();
    for ((t, client), stages) in targets.iter().zip(clients).zip(parsed) {
        match client {
            Ok(client) => conns.push(Conn {
                name: t.name.clone(),
                client,
                stages,
            }),
            Err(e) => errors.push(e),
        }
    }
    match Error::join(errors) {
        Some(e) => Err(e),
        None => Ok(conns),
    }
}

pub(crate) fn now_rfc3339() -> String {
    Timestamp::from_second(Timestamp::now().as_second())
        .unwrap_or_else(|_| Timestamp::now())
        .to_string()
}

/// Deploys a plan to every target cluster at once, stage by stage (docs/deploy.md).
pub fn deploy(
    targets: &[Target],
    plan: &Plan,
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    cluster::runtime()?.block_on(async {
        let mut conns = connect(targets, &plan.manifests, Some((&plan.service, &plan.env))).await?;
        if plan.strategy == "canary" {
            let live = each(&conns, |c| {
                crate::canary::live_replicas(&c.client, &c.stages)
            })
            .await?;
            for (c, live) in conns.iter_mut().zip(&live) {
                c.stages = crate::canary::canary_stages(&c.stages, options.canary_percent, live)?;
            }
        }
        if options.dry_run {
            return dry_run(&conns, progress).await;
        }
        under_lock(&conns, plan, options, progress, |conns| {
            locked(conns, plan, options, progress)
        })
        .await
    })
}

/// Installs the release records in every cluster, takes the lock in each (all or none), runs
/// `f`, and frees the locks.
pub(crate) async fn under_lock<'a, T, F, Fut>(
    conns: &'a [Conn],
    plan: &Plan,
    options: &Options,
    progress: Progress<'_>,
    f: F,
) -> Result<T, Error>
where
    F: FnOnce(&'a [Conn]) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    each(conns, |c| install(c, options, progress)).await?;
    let identity = format!("{} (pid {})", plan.who, std::process::id());
    let taken = join_all(conns.iter().map(|c| {
        let identity = identity.clone();
        async move {
            lock::acquire(
                &c.client,
                &options.system_namespace,
                &plan.service,
                &plan.env,
                &identity,
                options.lease_duration,
            )
            .await
            .map_err(|e| e.in_cluster(&c.name))
        }
    }))
    .await;
    let mut locks = Vec::new();
    let mut errors = Vec::new();
    for t in taken {
        match t {
            Ok(l) => locks.push(l),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::join(errors) {
        for l in locks {
            let _ = l.release().await;
        }
        return Err(e);
    }
    let result = f(conns).await;
    let released = join_all(locks.into_iter().map(lock::Lock::release)).await;
    let value = result?;
    for r in released {
        r?;
    }
    Ok(value)
}

/// The annotation that says which install (a CRC-32 of the namespace and CRDs applied) a
/// cluster has: an install already there and ready is not applied again.
const INSTALLED: &str = "paasctl.brief.dev/installed";

/// The tool's namespace and the Release CRDs, applied and Established; skipped (read only) when
/// each is already there as this build would apply it (its [`INSTALLED`] annotation) and ready.
async fn install(conn: &Conn, options: &Options, progress: Progress<'_>) -> Result<(), Error> {
    let ns = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:\n    \
         app.kubernetes.io/managed-by: paasctl\n    pod-security.kubernetes.io/enforce: restricted\n",
        options.system_namespace
    );
    let mut crc = flate2::Crc::new();
    crc.update(ns.as_bytes());
    crc.update(release::CRDS.as_bytes());
    let stamp = format!("{:08x}", crc.sum());
    let mut objs = objects::parse(&ns, None)?;
    objs.extend(objects::parse(release::CRDS, None)?);
    for o in &mut objs {
        o.object
            .metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(INSTALLED.to_owned(), stamp.clone());
    }
    let live = join_all(
        objs.iter()
            .map(|o| async { o.api(&conn.client).get_opt(o.name()).await }),
    )
    .await;
    let current = objs.iter().zip(live).all(|(_, l)| match l {
        Ok(Some(l)) => {
            let stamped = l
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(INSTALLED));
            stamped == Some(&stamp)
                && serde_json::to_value(&l).is_ok_and(|v| crate::readiness::of(&v).is_ready())
        }
        _ => false,
    });
    if !current {
        apply::apply(&conn.client, "init", &objs, false).await?;
        apply::wait(
            &conn.client,
            "init",
            &objs,
            options.timeout,
            options.poll,
            &|_, _| {},
        )
        .await?;
    }
    progress(&Event::Installed {
        cluster: conn.name.clone(),
    });
    Ok(())
}

/// A cluster's history, with the releases a crashed deploy left pending marked failed.
pub(crate) async fn recover(
    conn: &Conn,
    ns: &str,
    plan: &Plan,
    progress: Progress<'_>,
) -> Result<Vec<ReleaseInfo>, Error> {
    let mut history = release::list(&conn.client, ns, &plan.service, &plan.env).await?;
    for r in history
        .iter_mut()
        .filter(|r| r.phase == ReleasePhase::Pending)
    {
        progress(&Event::Recovered {
            cluster: conn.name.clone(),
            version: r.version,
        });
        let message = "interrupted: the deploy that recorded it did not finish";
        release::set_status(
            &conn.client,
            ns,
            &r.name,
            ReleasePhase::Failed,
            &r.stage,
            message,
        )
        .await?;
        r.phase = ReleasePhase::Failed;
    }
    Ok(history)
}

/// The stage names of every cluster, in apply order.
fn stage_names(conns: &[Conn]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in conns {
        for (n, _) in &c.stages {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// The deploy proper, under the locks: a new version recorded in every cluster, each stage
/// applied in every cluster at once and waited for in all before the next, prune, history. A
/// failed release is rolled back to the last deployed one unless `options.no_auto_rollback`.
async fn locked(
    conns: &[Conn],
    plan: &Plan,
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    let ns = options.system_namespace.as_str();
    let histories = each(conns, |c| recover(c, ns, plan, progress)).await?;
    let version = next_version(&histories);
    let when = now_rfc3339();
    let error =
        match record_and_apply(conns, plan, version, &when, &histories, options, progress).await {
            Ok(outcome) => return Ok(outcome),
            Err(e) => e,
        };
    let previous = histories
        .iter()
        .flatten()
        .filter(|r| r.phase == ReleasePhase::Deployed)
        .max_by_key(|r| r.version)
        .cloned();
    let Some(previous) = previous.filter(|_| !options.no_auto_rollback) else {
        return Err(error);
    };
    progress(&Event::AutoRollback {
        failed: version,
        to: previous.version,
    });
    let result = auto_rollback(conns, plan, &previous, options, progress).await;
    if result.is_ok() {
        let name = release::name(&plan.service, &plan.env, version);
        let message = format!("rolled back to v{}: {error}", previous.version);
        join_all(conns.iter().map(|c| {
            let (name, message) = (&name, &message);
            async move {
                let stage = release::list(&c.client, ns, &plan.service, &plan.env)
                    .await
                    .ok()
                    .and_then(|l| l.into_iter().find(|r| &r.name == name))
                    .map(|r| r.stage)
                    .unwrap_or_default();
                let _ = release::set_status(
                    &c.client,
                    ns,
                    name,
                    ReleasePhase::RolledBack,
                    &stage,
                    message,
                )
                .await;
            }
        }))
        .await;
    }
    Err(Error::RolledBack {
        error: Box::new(error),
        to: previous.version,
        rollback: result.err().map(Box::new),
    })
}

/// One more than the highest version of any cluster.
fn next_version(histories: &[Vec<ReleaseInfo>]) -> u64 {
    histories
        .iter()
        .flatten()
        .map(|r| r.version)
        .max()
        .unwrap_or(0)
        + 1
}

/// Reapplies `previous`'s stored manifests in every cluster as a new release (strategy
/// `rollback`), still under the deploy's locks.
async fn auto_rollback(
    conns: &[Conn],
    plan: &Plan,
    previous: &ReleaseInfo,
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    let ns = options.system_namespace.as_str();
    let mut found = None;
    for c in conns {
        if let Ok(m) = release::stored(&c.client, ns, previous).await {
            found = Some(m);
            break;
        }
    }
    let stored = found.ok_or_else(|| {
        Error::NoRelease(format!(
            "no cluster has the manifests of v{} any more",
            previous.version
        ))
    })?;
    let back = Plan {
        service: plan.service.clone(),
        env: plan.env.clone(),
        image: previous.image.clone(),
        strategy: "rollback".to_owned(),
        rollback_of: Some(previous.version),
        who: plan.who.clone(),
        manifests: stored.manifests,
        inputs: stored.inputs,
    };
    let mut again = Vec::new();
    for c in conns {
        let stages = stages_for(&back.manifests, &c.name).ok_or_else(|| {
            Error::Input(format!(
                "release v{} has no manifests for cluster `{}`",
                previous.version, c.name
            ))
        })?;
        again.push(Conn {
            name: c.name.clone(),
            client: c.client.clone(),
            stages: parse_stages(&stages, Some((&plan.service, &plan.env)))?,
        });
    }
    let histories = each(&again, |c| recover(c, ns, &back, progress)).await?;
    let version = next_version(&histories);
    record_and_apply(
        &again,
        &back,
        version,
        &now_rfc3339(),
        &histories,
        options,
        progress,
    )
    .await
}

/// Records `version` of `plan` in every cluster, applies its stages, and finishes (prune, the
/// release deployed, the earlier superseded, the history capped); a failure marks the release
/// failed in every cluster.
pub(crate) async fn record_and_apply(
    conns: &[Conn],
    plan: &Plan,
    version: u64,
    when: &str,
    histories: &[Vec<ReleaseInfo>],
    options: &Options,
    progress: Progress<'_>,
) -> Result<DeployOutcome, Error> {
    let ns = options.system_namespace.as_str();
    let records = each(conns, |c| {
        release::create(&c.client, ns, plan, &c.name, version, when)
    })
    .await?;
    progress(&Event::Release {
        service: plan.service.clone(),
        env: plan.env.clone(),
        version,
        strategy: plan.strategy.clone(),
        clusters: conns.iter().map(|c| c.name.clone()).collect(),
    });
    if let Err((stage, e)) = apply_stages(conns, &records, options, progress).await {
        let message = e.to_string();
        join_all(conns.iter().zip(&records).map(|(c, r)| {
            let (stage, message) = (&stage, &message);
            async move {
                let _ = release::set_status(
                    &c.client,
                    ns,
                    &r.name,
                    ReleasePhase::Failed,
                    stage,
                    message,
                )
                .await;
            }
        }))
        .await;
        progress(&Event::Failed {
            version,
            error: message,
        });
        return Err(e);
    }
    let message = if options.no_wait {
        "applied without waiting for readiness"
    } else {
        ""
    };
    let name = release::name(&plan.service, &plan.env, version);
    let done = each(conns, |c| {
        let history = conns
            .iter()
            .position(|x| std::ptr::eq(x, c))
            .and_then(|i| histories.get(i))
            .cloned()
            .unwrap_or_default();
        finish(c, plan, &name, history, message, options, progress)
    })
    .await?;
    let mut outcome = DeployOutcome::default();
    for (pruned, expired) in done {
        outcome.pruned.extend(pruned);
        outcome.expired.extend(expired);
    }
    let mut record = records.into_iter().next();
    if let Some(r) = record.as_mut() {
        r.phase = if plan.strategy == "canary" {
            ReleasePhase::Canary
        } else {
            ReleasePhase::Deployed
        };
        message.clone_into(&mut r.message);
        r.stage = conns
            .first()
            .map(|c| c.last_stage().to_owned())
            .unwrap_or_default();
    }
    outcome.release = record;
    progress(&Event::Deployed { version });
    Ok(outcome)
}

/// Every stage in order, in every cluster at once; the error names the stage.
async fn apply_stages(
    conns: &[Conn],
    records: &[ReleaseInfo],
    options: &Options,
    progress: Progress<'_>,
) -> Result<(), (String, Error)> {
    let ns = options.system_namespace.as_str();
    for stage in stage_names(conns) {
        each(conns, |c| {
            let stage = stage.clone();
            let record = conns
                .iter()
                .position(|x| std::ptr::eq(x, c))
                .and_then(|i| records.get(i))
                .map(|r| r.name.clone())
                .unwrap_or_default();
            async move {
                let objs = c.stage(&stage);
                if objs.is_empty() {
                    return Ok(());
                }
                // The record names the stage while it is applied (both requests at once).
                let (marked, applied) = tokio::join!(
                    release::set_status(&c.client, ns, &record, ReleasePhase::Pending, &stage, ""),
                    apply_one(c, &stage, objs, options, progress)
                );
                marked.and(applied)
            }
        })
        .await
        .map_err(|e| (stage.clone(), e))?;
        progress(&Event::StageDone { stage });
    }
    Ok(())
}

/// One stage in one cluster: applied, then waited for (unless `--no-wait`).
async fn apply_one(
    c: &Conn,
    stage: &str,
    objs: &[Object],
    options: &Options,
    progress: Progress<'_>,
) -> Result<(), Error> {
    progress(&Event::StageApplying {
        cluster: c.name.clone(),
        stage: stage.to_owned(),
        objects: objs.len(),
    });
    apply::apply(&c.client, stage, objs, false).await?;
    if options.no_wait {
        return Ok(());
    }
    let report = |ready: usize, total: usize| {
        progress(&Event::StageProgress {
            cluster: c.name.clone(),
            stage: stage.to_owned(),
            ready,
            total,
        })
    };
    apply::wait(
        &c.client,
        stage,
        objs,
        options.timeout,
        options.poll,
        &report,
    )
    .await
}

/// After the last stage in one cluster: prune, the release deployed, the one before superseded,
/// the history capped. Returns what was pruned and expired.
#[allow(clippy::type_complexity)]
async fn finish(
    c: &Conn,
    plan: &Plan,
    name: &str,
    history: Vec<ReleaseInfo>,
    message: &str,
    options: &Options,
    progress: Progress<'_>,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), Error> {
    let ns = options.system_namespace.as_str();
    let all: Vec<Object> = c.stages.iter().flat_map(|s| s.1.iter().cloned()).collect();
    let last = c.last_stage();
    if plan.strategy == "canary" {
        // Beside the stable release: nothing pruned, nothing superseded.
        release::set_status(&c.client, ns, name, ReleasePhase::Canary, last, message).await?;
        return Ok((Vec::new(), Vec::new()));
    }
    let pruned = match prune(&c.client, &plan.service, &plan.env, &all, &c.name, progress).await {
        Ok(p) => p,
        Err(e) => {
            let _ = release::set_status(
                &c.client,
                ns,
                name,
                ReleasePhase::Failed,
                last,
                &e.to_string(),
            )
            .await;
            return Err(e);
        }
    };
    release::set_status(&c.client, ns, name, ReleasePhase::Deployed, last, message).await?;
    // The ones it replaces superseded at once; then the history capped (`history` holds every
    // older record: the lock keeps others from adding any meanwhile).
    let superseded = join_all(
        history
            .iter()
            .filter(|r| matches!(r.phase, ReleasePhase::Deployed | ReleasePhase::Canary))
            .map(|r| {
                release::set_status(
                    &c.client,
                    ns,
                    &r.name,
                    ReleasePhase::Superseded,
                    &r.stage,
                    "",
                )
            }),
    )
    .await;
    superseded.into_iter().collect::<Result<Vec<()>, Error>>()?;
    let expired = release::cap(&c.client, ns, &history, options.history).await?;
    let tag = |v: Vec<String>| v.into_iter().map(|x| (c.name.clone(), x)).collect();
    Ok((tag(pruned), tag(expired)))
}

/// Server-side dry run of every stage in every cluster; objects in a namespace this release
/// would create are skipped (the API server cannot check them before the namespace exists).
async fn dry_run(conns: &[Conn], progress: Progress<'_>) -> Result<DeployOutcome, Error> {
    let skipped = each(conns, |c| dry_run_one(c, progress)).await?;
    Ok(DeployOutcome {
        skipped: skipped.into_iter().flatten().collect(),
        ..DeployOutcome::default()
    })
}

async fn dry_run_one(c: &Conn, progress: Progress<'_>) -> Result<Vec<(String, String)>, Error> {
    let created: BTreeSet<&str> = c
        .stages
        .iter()
        .flat_map(|(_, o)| o)
        .filter(|o| o.kind.resource.kind == "Namespace")
        .map(Object::name)
        .collect();
    let namespaces: Api<Namespace> = Api::all(c.client.clone());
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
    for (stage, objs) in &c.stages {
        let (check, skip): (Vec<Object>, Vec<Object>) = objs
            .iter()
            .cloned()
            .partition(|o| o.namespace().is_none_or(|ns| !missing.contains(ns)));
        skipped.extend(skip.iter().map(|o| (c.name.clone(), o.id())));
        apply::apply(&c.client, stage, &check, true).await?;
        progress(&Event::Note {
            message: format!(
                "{}: {stage}: {} objects accepted by a server-side dry run{}",
                c.name,
                check.len(),
                if skip.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} skipped (their namespace does not exist yet)",
                        skip.len()
                    )
                }
            ),
        });
    }
    Ok(skipped)
}

/// The releases of a service and environment in every cluster, each oldest first.
pub fn releases(
    targets: &[Target],
    service: &str,
    env: &str,
    options: &Options,
) -> Result<Vec<ClusterReleases>, Error> {
    cluster::runtime()?.block_on(async {
        Ok(join_all(targets.iter().map(|t| async move {
            let releases = async {
                let client = t.client().await?;
                release::list(&client, &options.system_namespace, service, env).await
            }
            .await
            .map_err(|e| e.in_cluster(&t.name));
            ClusterReleases {
                cluster: t.name.clone(),
                releases,
            }
        }))
        .await)
    })
}

/// The stages of `cluster` among stored or rendered manifests (the only ones when there is one).
pub(crate) fn stages_for(manifests: &[ClusterStages], cluster: &str) -> Option<Vec<StageInput>> {
    manifests
        .iter()
        .find(|m| m.cluster == cluster)
        .or_else(|| (manifests.len() == 1).then(|| &manifests[0]))
        .map(|m| m.stages.clone())
}

/// Per cluster, stage and object of the latest release (or of `rendered` where nothing was
/// deployed yet): ready or why not.
pub fn status(
    targets: &[Target],
    service: &str,
    env: &str,
    rendered: &[ClusterStages],
    options: &Options,
) -> Result<Vec<ClusterStatus>, Error> {
    cluster::runtime()?.block_on(async {
        Ok(join_all(targets.iter().map(|t| async move {
            ClusterStatus {
                cluster: t.name.clone(),
                report: status_one(t, service, env, rendered, options)
                    .await
                    .map_err(|e| e.in_cluster(&t.name)),
            }
        }))
        .await)
    })
}

async fn status_one(
    t: &Target,
    service: &str,
    env: &str,
    rendered: &[ClusterStages],
    options: &Options,
) -> Result<StatusReport, Error> {
    let client = t.client().await?;
    let ns = options.system_namespace.as_str();
    let latest = release::list(&client, ns, service, env).await?.pop();
    let inputs = match &latest {
        Some(r) => stages_for(&release::manifests(&client, ns, r).await?, &t.name),
        None => stages_for(rendered, &t.name),
    }
    .unwrap_or_default();
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
}

/// The plan of a rollback: the stored manifests (every cluster's), inputs (when recorded) and
/// image of release `to` (default: the newest superseded one, the release before the one deployed
/// now), recorded as a new release. Read from the first cluster that has it. The caller may
/// render the inputs again and replace the manifests (`paasctl rollback` does unless
/// `--no-regenerate`).
pub fn rollback_plan(
    targets: &[Target],
    service: &str,
    env: &str,
    to: Option<u64>,
    who: &str,
    options: &Options,
) -> Result<Plan, Error> {
    cluster::runtime()?.block_on(async {
        let ns = options.system_namespace.as_str();
        let mut errors = Vec::new();
        let mut found: Option<(kube::Client, ReleaseInfo)> = None;
        for t in targets {
            let listed = async {
                let client = t.client().await?;
                let history = release::list(&client, ns, service, env).await?;
                Ok::<_, Error>((client, history))
            }
            .await;
            let (client, history) = match listed {
                Ok(x) => x,
                Err(e) => {
                    errors.push(e.in_cluster(&t.name));
                    continue;
                }
            };
            let chosen = match to {
                Some(v) => history.iter().find(|r| r.version == v),
                None => history
                    .iter()
                    .rev()
                    .find(|r| r.phase == ReleasePhase::Superseded),
            };
            if let Some(r) = chosen {
                if found.as_ref().is_none_or(|(_, f)| f.version < r.version) {
                    found = Some((client, r.clone()));
                }
            }
        }
        let Some((client, chosen)) = found else {
            if let Some(e) = Error::join(errors) {
                return Err(e);
            }
            return Err(Error::NoRelease(match to {
                Some(v) => {
                    format!("{service} in {env} has no release v{v} (see `paasctl releases`)")
                }
                None => {
                    format!("{service} in {env} has no earlier deployed release to roll back to")
                }
            }));
        };
        let stored = release::stored(&client, ns, &chosen).await?;
        Ok(Plan {
            service: service.to_owned(),
            env: env.to_owned(),
            image: chosen.image.clone(),
            strategy: "rollback".to_owned(),
            rollback_of: Some(chosen.version),
            who: who.to_owned(),
            manifests: stored.manifests,
            inputs: stored.inputs,
        })
    })
}
