//! Readiness of an applied object by kstatus rules: the controller must have seen the latest
//! spec (`status.observedGeneration == metadata.generation`), then the kind's own conditions
//! decide. Statuses are read into the typed k8s-openapi structs. Pure: no cluster access.
use crate::route::HttpRoute;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

/// The reason of an HTTPRoute that no parent has reported on: ready when no controller manages
/// its Gateways (the driver looks them up, [`gateway_has_controller`]), else waited for.
pub const NO_PARENT_STATUS: &str = "no parent Gateway has reported on it yet";

/// The readiness of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Still progressing; the reason names the condition or the field that is not there yet.
    InProgress(String),
    /// Will not become ready (a failed Job, a Deployment past its progress deadline).
    Failed(String),
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready)
    }
}

/// The readiness of an object as the API server returned it (JSON), by its kind.
pub fn of(object: &Value) -> Readiness {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let typed = |r: Result<Readiness, serde_json::Error>| {
        r.unwrap_or_else(|e| Readiness::InProgress(format!("unreadable status: {e}")))
    };
    match kind {
        "Deployment" => {
            typed(serde_json::from_value::<Deployment>(object.clone()).map(|d| deployment(&d)))
        }
        "Job" => typed(serde_json::from_value::<Job>(object.clone()).map(|j| job(&j))),
        "CustomResourceDefinition" => typed(
            serde_json::from_value::<CustomResourceDefinition>(object.clone()).map(|c| crd(&c)),
        ),
        "Namespace" => {
            typed(serde_json::from_value::<Namespace>(object.clone()).map(|n| namespace(&n)))
        }
        "HTTPRoute" => {
            typed(serde_json::from_value::<HttpRoute>(object.clone()).map(|r| http_route(&r)))
        }
        _ => generic(object),
    }
}

/// Any other kind: ready once applied, unless its status reports an older generation.
fn generic(object: &Value) -> Readiness {
    let generation = object
        .pointer("/metadata/generation")
        .and_then(Value::as_i64);
    let observed = object
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    match (generation, observed) {
        (Some(g), Some(o)) if o < g => {
            Readiness::InProgress(format!("observedGeneration {o} is behind generation {g}"))
        }
        _ => Readiness::Ready,
    }
}

/// A condition's status, reason and message by type.
struct Cond<'a> {
    status: &'a str,
    reason: Option<&'a str>,
    message: Option<&'a str>,
}

fn why(type_: &str, c: Option<&Cond<'_>>) -> String {
    match c {
        None => format!("condition {type_} not reported yet"),
        Some(c) => {
            let mut s = format!("condition {type_}={}", c.status);
            if let Some(r) = c.reason.filter(|r| !r.is_empty()) {
                s.push_str(&format!(" ({r})"));
            }
            if let Some(m) = c.message.filter(|m| !m.is_empty()) {
                s.push_str(&format!(": {m}"));
            }
            s
        }
    }
}

/// A Deployment is ready when the controller saw the latest generation, every replica is updated
/// and available, and the Available condition is True. Past its progress deadline it failed.
pub fn deployment(d: &Deployment) -> Readiness {
    let generation = d.metadata.generation.unwrap_or(0);
    let Some((status, observed)) = d
        .status
        .as_ref()
        .and_then(|s| s.observed_generation.map(|o| (s, o)))
    else {
        return Readiness::InProgress("no status yet (the controller has not seen it)".to_owned());
    };
    if observed < generation {
        return Readiness::InProgress(format!(
            "observedGeneration {observed} is behind generation {generation}"
        ));
    }
    let conds: Vec<(&str, Cond<'_>)> = status
        .conditions
        .iter()
        .flatten()
        .map(|c| {
            (
                c.type_.as_str(),
                Cond {
                    status: c.status.as_str(),
                    reason: c.reason.as_deref(),
                    message: c.message.as_deref(),
                },
            )
        })
        .collect();
    let find = |t: &str| conds.iter().find(|(ty, _)| *ty == t).map(|(_, c)| c);
    if let Some(p) = find("Progressing") {
        if p.reason == Some("ProgressDeadlineExceeded") {
            return Readiness::Failed(why("Progressing", Some(p)));
        }
    }
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = status.updated_replicas.unwrap_or(0);
    if updated < want {
        return Readiness::InProgress(format!("{updated} of {want} replicas updated"));
    }
    let replicas = status.replicas.unwrap_or(0);
    if replicas > updated {
        return Readiness::InProgress(format!(
            "{} old replicas pending termination",
            replicas - updated
        ));
    }
    let available = status.available_replicas.unwrap_or(0);
    if available < want {
        return Readiness::InProgress(format!("{available} of {want} replicas available"));
    }
    match find("Available") {
        Some(c) if c.status == "True" => Readiness::Ready,
        c => Readiness::InProgress(why("Available", c)),
    }
}

/// A Job is ready when its Complete condition is True; a True Failed condition is an error.
pub fn job(j: &Job) -> Readiness {
    let conds = j
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let find = |t: &str| {
        conds.iter().find(|c| c.type_ == t).map(|c| Cond {
            status: c.status.as_str(),
            reason: c.reason.as_deref(),
            message: c.message.as_deref(),
        })
    };
    if let Some(f) = find("Failed").filter(|c| c.status == "True") {
        return Readiness::Failed(why("Failed", Some(&f)));
    }
    match find("Complete") {
        Some(c) if c.status == "True" => Readiness::Ready,
        c => Readiness::InProgress(why("Complete", c.as_ref())),
    }
}

/// A CustomResourceDefinition is ready when Established.
pub fn crd(c: &CustomResourceDefinition) -> Readiness {
    let cond = c
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Established"));
    match cond {
        Some(c) if c.status == "True" => Readiness::Ready,
        c => Readiness::InProgress(why(
            "Established",
            c.map(|c| Cond {
                status: c.status.as_str(),
                reason: c.reason.as_deref(),
                message: c.message.as_deref(),
            })
            .as_ref(),
        )),
    }
}

/// An HTTPRoute is ready when the controller of every parent that reports on it accepted it
/// (`Accepted`) and resolved its backends (`ResolvedRefs`), both at the route's generation. A
/// route no parent reports on is [`NO_PARENT_STATUS`].
pub fn http_route(r: &HttpRoute) -> Readiness {
    let generation = r.metadata.generation.unwrap_or(0);
    let parents = r
        .status
        .as_ref()
        .map(|s| s.parents.as_slice())
        .unwrap_or(&[]);
    if parents.is_empty() {
        return Readiness::InProgress(NO_PARENT_STATUS.to_owned());
    }
    for p in parents {
        for t in ["Accepted", "ResolvedRefs"] {
            let c = p.conditions.iter().find(|c| c.type_ == t);
            let cond = c.map(|c| Cond {
                status: c.status.as_str(),
                reason: Some(c.reason.as_str()),
                message: Some(c.message.as_str()),
            });
            let parent = format!("Gateway {}", p.parent_ref.name);
            match c {
                Some(c) if c.observed_generation.unwrap_or(generation) < generation => {
                    return Readiness::InProgress(format!(
                        "{parent}: condition {t} is of generation {}, not {generation}",
                        c.observed_generation.unwrap_or(0)
                    ))
                }
                Some(c) if c.status == "True" => {}
                _ => return Readiness::InProgress(format!("{parent}: {}", why(t, cond.as_ref()))),
            }
        }
    }
    Readiness::Ready
}

/// Whether a controller manages a Gateway (as the API server returned it): some status condition
/// of it is no longer `Unknown` (the CRD's default until a controller reports).
pub fn gateway_has_controller(gateway: &Value) -> bool {
    gateway
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| s != "Unknown")
        })
}

/// A Namespace is ready while Active (a Terminating one is not).
pub fn namespace(n: &Namespace) -> Readiness {
    match n.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Active") | None => Readiness::Ready,
        Some(p) => Readiness::InProgress(format!("phase {p}")),
    }
}

#[cfg(test)]
mod tests;
