//! The Gateway API HTTPRoute of the balancing stage when platform.toml's `[canary] traffic =
//! "httproute"`: a typed struct (k8s-openapi has no Gateway API types) with the fields rendered
//! here. All traffic goes to the stable Service (weight 100); a canary deploy adds the canary
//! Service with its weight (the deploy driver, deploy/src/canary.rs).
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::Serialize;

/// `gateway.networking.k8s.io/v1` HTTPRoute.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpRoute {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRouteRule>,
}

/// The Gateway a route attaches to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ParentRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpRouteRule {
    pub backend_refs: Vec<BackendRef>,
}

/// A Service the rule sends traffic to, with its weight.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BackendRef {
    pub kind: &'static str,
    pub name: String,
    pub port: i32,
    pub weight: i32,
}

impl Resource for HttpRoute {
    const API_VERSION: &'static str = "gateway.networking.k8s.io/v1";
    const GROUP: &'static str = "gateway.networking.k8s.io";
    const KIND: &'static str = "HTTPRoute";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "httproutes";
    type Scope = NamespaceResourceScope;
}
