//! The balancing stage: what puts traffic on the new version (the Service, the HTTPRoute when
//! platform.toml's canary traffic is `httproute`, and the Ingress of a public host). A worker has
//! none, unless it consumes events: then a Service for the data bus's deliveries.
use super::ctx::Ctx;
use super::push;
use super::route::{BackendRef, HttpRoute, HttpRouteRule, HttpRouteSpec, ParentRef};
use crate::platform::{url_host, CanaryTraffic};
use crate::StageFile;
use compiler::app::Kind;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The balancing stage's objects.
pub(super) fn build(ctx: &Ctx<'_>, balancing: &mut StageFile) {
    let app = &ctx.r.app;
    if !ctx.reachable() {
        return;
    }
    push(balancing, &service(ctx), ctx.name);
    if app.kind == Kind::Worker {
        return;
    }
    if ctx.r.platform.canary.traffic == CanaryTraffic::Httproute {
        push(balancing, &route(ctx), ctx.name);
    }
    if let Some(host) = &app.public_host {
        push(balancing, &ingress(ctx, host), ctx.name);
    }
}

fn service(ctx: &Ctx<'_>) -> Service {
    let (name, component, selector) = (ctx.name, ctx.component(), ctx.selector(ctx.name));
    Service {
        metadata: ctx.meta(name, component),
        spec: Some(ServiceSpec {
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                protocol: Some("TCP".into()),
                target_port: Some(IntOrString::String("http".into())),
                ..Default::default()
            }]),
            selector: Some(selector),
            type_: Some("ClusterIP".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The service's HTTPRoute on the platform's Gateway, for the host of its URL in this
/// environment: every request to the stable Service (weight 100).
fn route(ctx: &Ctx<'_>) -> HttpRoute {
    let (name, r) = (ctx.name, ctx.r);
    let canary = &r.platform.canary;
    let hostnames = r
        .platform
        .environments
        .get(&r.app.env_name)
        .and_then(|e| e.service_url(&r.app.env_name, name))
        .and_then(|(url, _)| url_host(&url).map(str::to_owned))
        .into_iter()
        .collect();
    HttpRoute {
        api_version: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: ctx.meta(name, ctx.component()),
        spec: HttpRouteSpec {
            parent_refs: vec![ParentRef {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: canary.gateway.clone().unwrap_or_default(),
                namespace: canary.gateway_namespace.clone(),
            }],
            hostnames,
            rules: vec![HttpRouteRule {
                backend_refs: vec![BackendRef {
                    kind: "Service",
                    name: name.to_owned(),
                    port: 80,
                    weight: 100,
                }],
            }],
        },
    }
}

/// The Ingress of `host`, with a cert-manager certificate when the platform has an issuer.
fn ingress(ctx: &Ctx<'_>, host: &str) -> Ingress {
    let (name, component, r) = (ctx.name, ctx.component(), ctx.r);
    let ing = &r.platform.ingress;
    let mut meta = ctx.meta(name, component);
    if !ing.cluster_issuer.is_empty() {
        meta.annotations = Some(BTreeMap::from([(
            "cert-manager.io/cluster-issuer".to_owned(),
            ing.cluster_issuer.clone(),
        )]));
    }
    Ingress {
        metadata: meta,
        spec: Some(IngressSpec {
            ingress_class_name: Some(ing.class.clone()),
            rules: Some(vec![IngressRule {
                host: Some(host.to_owned()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: name.to_owned(),
                                port: Some(ServiceBackendPort {
                                    name: Some("http".into()),
                                    ..Default::default()
                                }),
                            }),
                            ..Default::default()
                        },
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                    }],
                }),
            }]),
            tls: Some(vec![IngressTLS {
                hosts: Some(vec![host.to_owned()]),
                secret_name: Some(format!("{name}-tls")),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
