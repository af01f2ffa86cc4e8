//! Applies one stage: every object by server-side apply (field manager `paasctl`, conflicts
//! forced) in parallel, then polls until every object is ready or the stage times out.
use crate::objects::{self, Object};
use crate::readiness::{self, Readiness};
use crate::route::HttpRoute;
use crate::{Error, FIELD_MANAGER};
use futures::future::join_all;
use kube::api::{Patch, PatchParams};
use std::time::{Duration, Instant};

/// Applies the objects of a stage in parallel, cluster-scoped ones (a Namespace, a CRD) first so
/// that the namespaced ones find their namespace; every failure is reported, not only the first.
pub(crate) async fn apply(
    client: &kube::Client,
    stage: &str,
    objects: &[Object],
    dry_run: bool,
) -> Result<(), Error> {
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    if dry_run {
        params = params.dry_run();
    }
    let (first, then): (Vec<&Object>, Vec<&Object>) =
        objects.iter().partition(|o| !o.kind.namespaced);
    let mut failed = Vec::new();
    for group in [first, then] {
        let results = join_all(group.into_iter().map(|o| {
            let params = params.clone();
            async move {
                o.api(client)
                    .patch(o.name(), &params, &Patch::Apply(&o.object))
                    .await
                    .map_err(|e| match Error::api(o.id(), e) {
                        Error::Api { what, message } => format!("{what}: {message}"),
                        other => other.to_string(),
                    })
            }
        }))
        .await;
        failed.extend(results.into_iter().filter_map(Result::err));
        if !failed.is_empty() {
            break;
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Failed {
            cluster: String::new(),
            stage: stage.to_owned(),
            failed,
        })
    }
}

/// How an object that could not be read for want of an API server begins its reason.
const UNREACHABLE: &str = "unreachable: ";

/// The interval of a wait's first looks (it doubles from there up to the poll interval).
const FIRST_LOOK: Duration = Duration::from_millis(10);

/// How long a stage waits for an API server that stopped answering before it fails.
const UNREACHABLE_FOR: Duration = Duration::from_secs(10);

/// The readiness of each object, read from the API server in parallel.
pub(crate) async fn check(client: &kube::Client, objects: &[Object]) -> Vec<Readiness> {
    join_all(objects.iter().map(|o| async move {
        match o.api(client).get_opt(o.name()).await {
            Ok(Some(live)) => match serde_json::to_value(&live) {
                Ok(v) => match readiness::of(&v) {
                    Readiness::InProgress(w) if w == readiness::NO_PARENT_STATUS => {
                        unreported_route(client, &v).await
                    }
                    r => r,
                },
                Err(e) => Readiness::InProgress(format!("unreadable: {e}")),
            },
            Ok(None) => Readiness::InProgress("not found".to_owned()),
            Err(kube::Error::Api(s)) => {
                Readiness::InProgress(format!("cannot read: {}", s.message))
            }
            Err(e) => Readiness::InProgress(format!("{UNREACHABLE}{e}")),
        }
    }))
    .await
}

/// An HTTPRoute no parent reports on: waited for while a controller manages one of its
/// Gateways; ready once applied when none does (no Gateway, no Gateway API, or Gateways no
/// controller has seen): nothing would ever report, and the weights are in place for when one
/// comes.
async fn unreported_route(client: &kube::Client, route: &serde_json::Value) -> Readiness {
    let Ok(r) = serde_json::from_value::<HttpRoute>(route.clone()) else {
        return Readiness::Ready;
    };
    let own = r.metadata.namespace.clone();
    for p in &r.spec.parent_refs {
        let ns = p.namespace.clone().or_else(|| own.clone());
        let gw = objects::api(client, &objects::gateway_kind(), ns.as_deref());
        if let Ok(Some(g)) = gw.get_opt(&p.name).await {
            let managed = serde_json::to_value(&g)
                .map(|v| readiness::gateway_has_controller(&v))
                .unwrap_or(false);
            if managed {
                return Readiness::InProgress(format!(
                    "{}: {}",
                    objects::id("Gateway", ns.as_deref(), &p.name),
                    "its controller has not accepted the route yet"
                ));
            }
        }
    }
    Readiness::Ready
}

/// Waits until every object of the stage is ready; a Failed object ends the wait at once, a
/// timeout names each object that is not ready and why.
pub(crate) async fn wait(
    client: &kube::Client,
    stage: &str,
    objects: &[Object],
    timeout: Duration,
    poll: Duration,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(), Error> {
    let start = Instant::now();
    let mut last_ready = usize::MAX;
    let mut unreachable_since: Option<Instant> = None;
    // Most objects are ready a few milliseconds after they are applied: the first looks come
    // soon after and the interval doubles up to `poll`.
    let mut every = poll.min(FIRST_LOOK);
    loop {
        let states = check(client, objects).await;
        let lost: Vec<&str> = states
            .iter()
            .filter_map(|s| match s {
                Readiness::InProgress(w) if w.starts_with(UNREACHABLE) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        match lost.first() {
            Some(why) if lost.len() == states.len() => {
                let since = *unreachable_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= UNREACHABLE_FOR.min(timeout) {
                    return Err(Error::Cluster(format!(
                        "the API server stopped answering during stage `{stage}` ({})",
                        &why[UNREACHABLE.len()..]
                    )));
                }
            }
            _ => unreachable_since = None,
        }
        let failed: Vec<String> = objects
            .iter()
            .zip(&states)
            .filter_map(|(o, s)| match s {
                Readiness::Failed(why) => Some(format!("{}: {why}", o.id())),
                _ => None,
            })
            .collect();
        if !failed.is_empty() {
            return Err(Error::Failed {
                cluster: String::new(),
                stage: stage.to_owned(),
                failed,
            });
        }
        let ready = states.iter().filter(|s| s.is_ready()).count();
        if ready != last_ready {
            progress(ready, objects.len());
            last_ready = ready;
        }
        if ready == objects.len() {
            return Ok(());
        }
        if start.elapsed() >= timeout {
            let not_ready = objects
                .iter()
                .zip(&states)
                .filter_map(|(o, s)| match s {
                    Readiness::InProgress(why) => Some(format!("{}: {why}", o.id())),
                    _ => None,
                })
                .collect();
            return Err(Error::Timeout {
                cluster: String::new(),
                stage: stage.to_owned(),
                not_ready,
            });
        }
        tokio::time::sleep(every.min(timeout.saturating_sub(start.elapsed()))).await;
        every = (every * 2).min(poll);
    }
}
