//! The Gateway API HTTPRoute as the driver sees it (k8s-openapi has no Gateway API types): the
//! backend weights it changes for a canary and the parent statuses its readiness reads, typed;
//! every other field is carried through as it was rendered (the manifests backend renders the
//! route, backends/k8s/src/objects/route.rs).
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `gateway.networking.k8s.io/v1` HTTPRoute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HttpRouteStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    #[serde(default)]
    pub parent_refs: Vec<ParentRef>,
    #[serde(default)]
    pub rules: Vec<HttpRouteRule>,
    /// hostnames and whatever else the route has.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A parent (Gateway) of the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    #[serde(default)]
    pub backend_refs: Vec<BackendRef>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A Service the rule sends traffic to, with its weight (absent: 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteStatus {
    #[serde(default)]
    pub parents: Vec<RouteParentStatus>,
}

/// What one parent's controller says of the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteParentStatus {
    pub parent_ref: ParentRef,
    #[serde(default)]
    pub controller_name: String,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

impl HttpRoute {
    /// The route with `percent` of every stable backend's traffic sent to its canary Service
    /// (`canary_of(name)`), the rest to the stable one.
    pub fn split(&self, percent: u32, canary_of: impl Fn(&str) -> String) -> HttpRoute {
        let p = i32::try_from(percent.min(100)).unwrap_or(100);
        let mut out = self.clone();
        for rule in &mut out.spec.rules {
            let mut refs = Vec::new();
            for b in &rule.backend_refs {
                refs.push(BackendRef {
                    weight: Some(100 - p),
                    ..b.clone()
                });
                refs.push(BackendRef {
                    name: canary_of(&b.name),
                    weight: Some(p),
                    ..b.clone()
                });
            }
            rule.backend_refs = refs;
        }
        out
    }

    /// Every backend's name and weight, rule by rule.
    pub fn weights(&self) -> Vec<(String, i32)> {
        self.spec
            .rules
            .iter()
            .flat_map(|r| &r.backend_refs)
            .map(|b| (b.name.clone(), b.weight.unwrap_or(1)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn split_sends_the_percent_to_each_canary_and_keeps_the_rest() {
        let route: HttpRoute = serde_json::from_value(json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "a", "namespace": "a"},
            "spec": {"parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                     "name": "paas"}],
                     "hostnames": ["a.example"],
                     "rules": [{"backendRefs": [{"kind": "Service", "name": "a", "port": 80,
                                                 "weight": 100}]}]},
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let split = route.split(10, |n| format!("{n}-canary"));
        assert_eq!(
            split.weights(),
            [("a".to_owned(), 90), ("a-canary".to_owned(), 10)]
        );
        let v = serde_json::to_value(&split).unwrap_or_default();
        assert_eq!(v["spec"]["hostnames"], json!(["a.example"]));
        assert_eq!(v["spec"]["rules"][0]["backendRefs"][1]["port"], 80);
        assert_eq!(v["spec"]["parentRefs"][0]["kind"], "Gateway");
        assert_eq!(route.weights(), [("a".to_owned(), 100)]);
    }
}
