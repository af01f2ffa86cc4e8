//! The objects of a stage: multi-document YAML read into kube-rs `DynamicObject`s, each with the
//! API resource it is applied through and the driver's ownership labels added.
use crate::{Error, ENV_LABEL, SERVICE_LABEL};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject};
use kube::Api;
use serde::Deserialize;

/// An API resource and whether its objects live in a namespace.
#[derive(Debug, Clone)]
pub(crate) struct Kind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

fn kind<K: kube::Resource<DynamicType = ()>>(namespaced: bool) -> Kind {
    Kind {
        resource: ApiResource::erase::<K>(&()),
        namespaced,
    }
}

/// The Release record's resource.
pub(crate) fn release_kind() -> Kind {
    custom("Release", "releases")
}

/// The ReleaseChunk resource (manifests too large for one Release).
pub(crate) fn chunk_kind() -> Kind {
    custom("ReleaseChunk", "releasechunks")
}

fn custom(kind: &str, plural: &str) -> Kind {
    of_group("paasctl.brief.dev", "v1alpha1", kind, plural)
}

/// The Gateway API HTTPRoute (its CRD is the platform's: installed with the gateway controller).
pub(crate) fn http_route_kind() -> Kind {
    of_group("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
}

/// The Gateway API Gateway an HTTPRoute attaches to.
pub(crate) fn gateway_kind() -> Kind {
    of_group("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
}

fn of_group(group: &str, version: &str, kind: &str, plural: &str) -> Kind {
    Kind {
        resource: ApiResource {
            group: group.to_owned(),
            version: version.to_owned(),
            api_version: format!("{group}/{version}"),
            kind: kind.to_owned(),
            plural: plural.to_owned(),
        },
        namespaced: true,
    }
}

/// Every kind the driver applies and prunes, in prune order (dependents before what they use).
pub(crate) fn known_kinds() -> Vec<Kind> {
    vec![
        http_route_kind(),
        kind::<Ingress>(true),
        kind::<Service>(true),
        kind::<HorizontalPodAutoscaler>(true),
        kind::<PodDisruptionBudget>(true),
        kind::<CronJob>(true),
        kind::<Deployment>(true),
        kind::<Job>(true),
        kind::<NetworkPolicy>(true),
        kind::<ConfigMap>(true),
        kind::<Secret>(true),
        kind::<ServiceAccount>(true),
        kind::<Namespace>(false),
        kind::<CustomResourceDefinition>(false),
    ]
}

fn lookup(api_version: &str, kind: &str) -> Option<Kind> {
    known_kinds()
        .into_iter()
        .chain([release_kind(), chunk_kind()])
        .find(|k| k.resource.api_version == api_version && k.resource.kind == kind)
}

/// One object to apply.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub kind: Kind,
    pub object: DynamicObject,
}

impl Object {
    pub fn name(&self) -> &str {
        self.object.metadata.name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.object.metadata.namespace.as_deref()
    }

    /// `Kind/name` or `Kind/namespace/name`, for messages.
    pub fn id(&self) -> String {
        id(&self.kind.resource.kind, self.namespace(), self.name())
    }

    pub fn api(&self, client: &kube::Client) -> Api<DynamicObject> {
        api(client, &self.kind, self.namespace())
    }
}

/// `Kind/name` or `Kind/namespace/name`.
pub(crate) fn id(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

pub(crate) fn api(
    client: &kube::Client,
    kind: &Kind,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    match (kind.namespaced, namespace) {
        (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, &kind.resource),
        (true, None) => Api::default_namespaced_with(client.clone(), &kind.resource),
        (false, _) => Api::all_with(client.clone(), &kind.resource),
    }
}

/// Reads a stage's YAML; `labels` (the ownership labels) are added to every object.
pub(crate) fn parse(yaml: &str, labels: Option<(&str, &str)>) -> Result<Vec<Object>, Error> {
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(yaml) {
        let value = serde_json::Value::deserialize(doc)
            .map_err(|e| Error::Input(format!("not YAML: {e}")))?;
        if value.is_null() {
            continue;
        }
        let mut object: DynamicObject = serde_json::from_value(value)
            .map_err(|e| Error::Input(format!("not a Kubernetes object: {e}")))?;
        let types = object
            .types
            .clone()
            .ok_or_else(|| Error::Input("an object without apiVersion/kind".to_owned()))?;
        let kind = lookup(&types.api_version, &types.kind).ok_or_else(|| {
            Error::Input(format!(
                "kind {} {} is not one the deploy driver knows",
                types.api_version, types.kind
            ))
        })?;
        if object.metadata.name.as_deref().unwrap_or("").is_empty() {
            return Err(Error::Input(format!("a {} without a name", types.kind)));
        }
        if let Some((service, env)) = labels {
            let l = object.metadata.labels.get_or_insert_with(Default::default);
            l.insert(SERVICE_LABEL.to_owned(), service.to_owned());
            l.insert(ENV_LABEL.to_owned(), env.to_owned());
        }
        out.push(Object { kind, object });
    }
    Ok(out)
}

/// The label selector of one service's objects in one environment.
pub(crate) fn selector(service: &str, env: &str) -> String {
    format!("{SERVICE_LABEL}={service},{ENV_LABEL}={env}")
}
