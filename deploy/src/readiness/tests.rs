//! The readiness rules on typed statuses, without a cluster.
use super::*;
use serde_json::json;

fn deploy(status: serde_json::Value) -> Readiness {
    of(&json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "a", "generation": 2},
        "spec": {"replicas": 2, "selector": {}, "template": {}},
        "status": status,
    }))
}

fn available(status: &str) -> serde_json::Value {
    json!({"type": "Available", "status": status, "reason": "MinimumReplicasAvailable", "message": "ok"})
}

#[test]
fn deployment_ready_when_observed_updated_available() {
    let r = deploy(
        json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
        "availableReplicas": 2, "conditions": [available("True")]}),
    );
    assert_eq!(r, Readiness::Ready);
}

#[test]
fn deployment_with_an_old_observed_generation_is_not_ready() {
    let r = deploy(
        json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
        "availableReplicas": 2, "conditions": [available("True")]}),
    );
    assert_eq!(
        r,
        Readiness::InProgress("observedGeneration 1 is behind generation 2".to_owned())
    );
}

#[test]
fn deployment_without_status_is_not_ready() {
    let r = of(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "a", "generation": 1}}));
    assert!(matches!(r, Readiness::InProgress(w) if w.contains("no status")));
}

#[test]
fn deployment_counts_updated_available_and_old_replicas() {
    let r = deploy(json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1}));
    assert_eq!(
        r,
        Readiness::InProgress("1 of 2 replicas updated".to_owned())
    );
    let r = deploy(json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2}));
    assert_eq!(
        r,
        Readiness::InProgress("1 old replicas pending termination".to_owned())
    );
    let r = deploy(
        json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
        "availableReplicas": 1}),
    );
    assert_eq!(
        r,
        Readiness::InProgress("1 of 2 replicas available".to_owned())
    );
}

#[test]
fn deployment_needs_the_available_condition() {
    let r = deploy(
        json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
        "availableReplicas": 2, "conditions": [available("False")]}),
    );
    assert_eq!(
        r,
        Readiness::InProgress(
            "condition Available=False (MinimumReplicasAvailable): ok".to_owned()
        )
    );
    let r = deploy(
        json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
        "availableReplicas": 2}),
    );
    assert_eq!(
        r,
        Readiness::InProgress("condition Available not reported yet".to_owned())
    );
}

#[test]
fn deployment_past_its_progress_deadline_failed() {
    let r = deploy(
        json!({"observedGeneration": 2, "conditions": [{"type": "Progressing",
        "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"}]}),
    );
    assert!(matches!(r, Readiness::Failed(w) if w.contains("ProgressDeadlineExceeded")));
}

fn job(conditions: serde_json::Value) -> Readiness {
    of(
        &json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m"},
        "status": {"conditions": conditions}}),
    )
}

#[test]
fn job_complete_failed_and_running() {
    assert_eq!(
        job(json!([{"type": "Complete", "status": "True"}])),
        Readiness::Ready
    );
    assert!(matches!(
        job(json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit"}])),
        Readiness::Failed(w) if w.contains("BackoffLimitExceeded") && w.contains("backoff limit")
    ));
    assert_eq!(
        job(json!([])),
        Readiness::InProgress("condition Complete not reported yet".to_owned())
    );
}

#[test]
fn crd_needs_established() {
    let crd = |status: &str| {
        of(
            &json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "x.y"},
            "spec": {"group": "y", "names": {"kind": "X", "plural": "x"}, "scope": "Namespaced",
                     "versions": []},
            "status": {"conditions": [{"type": "Established", "status": status}]}}),
        )
    };
    assert_eq!(crd("True"), Readiness::Ready);
    assert!(!crd("False").is_ready());
}

#[test]
fn other_kinds_are_ready_when_applied_unless_behind() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    assert_eq!(of(&cm), Readiness::Ready);
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "generation": 3}, "status": {"observedGeneration": 2}});
    assert!(!of(&hpa).is_ready());
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"},
        "status": {"phase": "Terminating"}});
    assert_eq!(
        of(&ns),
        Readiness::InProgress("phase Terminating".to_owned())
    );
}

fn route(parents: serde_json::Value) -> Readiness {
    of(&json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "a", "namespace": "a", "generation": 3},
        "spec": {"parentRefs": [{"name": "paas", "namespace": "gw"}], "rules": []},
        "status": {"parents": parents},
    }))
}

fn cond(type_: &str, status: &str, generation: i64) -> serde_json::Value {
    json!({"type": type_, "status": status, "reason": "R", "message": "m",
           "observedGeneration": generation, "lastTransitionTime": "2026-12-02T00:00:00Z"})
}

fn parent(conditions: serde_json::Value) -> serde_json::Value {
    json!([{"parentRef": {"name": "paas", "namespace": "gw"},
            "controllerName": "example.net/gateway", "conditions": conditions}])
}

#[test]
fn http_route_needs_accepted_and_resolved_refs_at_its_generation() {
    let ok = route(parent(json!([
        cond("Accepted", "True", 3),
        cond("ResolvedRefs", "True", 3)
    ])));
    assert_eq!(ok, Readiness::Ready);
    let refused = route(parent(json!([
        cond("Accepted", "False", 3),
        cond("ResolvedRefs", "True", 3)
    ])));
    assert_eq!(
        refused,
        Readiness::InProgress("Gateway paas: condition Accepted=False (R): m".to_owned())
    );
    let unresolved = route(parent(json!([cond("Accepted", "True", 3)])));
    assert_eq!(
        unresolved,
        Readiness::InProgress("Gateway paas: condition ResolvedRefs not reported yet".to_owned())
    );
    let old = route(parent(json!([
        cond("Accepted", "True", 2),
        cond("ResolvedRefs", "True", 2)
    ])));
    assert!(
        matches!(&old, Readiness::InProgress(w) if w.contains("generation 2, not 3")),
        "{old:?}"
    );
}

#[test]
fn http_route_without_parent_status_is_left_to_the_gateway_lookup() {
    assert_eq!(
        route(json!([])),
        Readiness::InProgress(NO_PARENT_STATUS.to_owned())
    );
    let pending = json!({"status": {"conditions": [
        {"type": "Accepted", "status": "Unknown", "reason": "Pending"},
        {"type": "Programmed", "status": "Unknown", "reason": "Pending"}]}});
    assert!(!gateway_has_controller(&pending));
    assert!(!gateway_has_controller(&json!({})));
    let managed = json!({"status": {"conditions": [
        {"type": "Accepted", "status": "True", "reason": "Accepted"}]}});
    assert!(gateway_has_controller(&managed));
}
