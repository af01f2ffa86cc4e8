//! The service's NetworkPolicy (part of the init stage): what may reach it and what it may reach.
use super::ctx::{tcp_port, Ctx, Labels};
use super::{HTTP_PORT, LINKERD_INBOUND_PORT};
use crate::calls_label;
use crate::platform::Mesh;
use compiler::app::{Kind, StorageKind};
use compiler::wiring::DATA_BUS;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

const NS_NAME: &str = "kubernetes.io/metadata.name";

fn namespace_peer(labels: &[(&str, &str)], pods: Option<&[(&str, &str)]>) -> NetworkPolicyPeer {
    let sel = |l: &[(&str, &str)]| LabelSelector {
        match_labels: Some(
            l.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        ..Default::default()
    };
    NetworkPolicyPeer {
        namespace_selector: Some(sel(labels)),
        pod_selector: pods.map(sel),
        ..Default::default()
    }
}

/// The NetworkPolicy: callers, the ingress controller, the data bus (for a consumer of events)
/// and monitoring in; DNS, dependencies, storages, vault and the mesh out.
pub(super) fn policy(ctx: &Ctx<'_>) -> NetworkPolicy {
    let r = ctx.r;
    let app = &r.app;
    let mut ingress = Vec::new();
    if app.kind != Kind::Worker {
        let calls = calls_label(ctx.name);
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![namespace_peer(&[(calls.as_str(), "true")], None)]),
            ports: Some(ctx.http_ports()),
        });
        if app.public_host.is_some() {
            ingress.push(NetworkPolicyIngressRule {
                from: Some(vec![namespace_peer(
                    &[(NS_NAME, r.platform.ingress.namespace.as_str())],
                    None,
                )]),
                ports: Some(ctx.http_ports()),
            });
        }
    }
    if ctx.subscribes() {
        // The data bus delivers events to POST /events/<topic> (docs/protocol.md, 9.3).
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![namespace_peer(&[(NS_NAME, DATA_BUS)], None)]),
            ports: Some(ctx.http_ports()),
        });
    }
    if let Some(m) = &r.platform.monitoring_namespace {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![namespace_peer(&[(NS_NAME, m.as_str())], None)]),
            ports: Some(vec![tcp_port(IntOrString::String("http".into()))]),
        });
    }
    let mut egress = vec![NetworkPolicyEgressRule {
        to: Some(vec![namespace_peer(
            &[(NS_NAME, "kube-system")],
            Some(&[("k8s-app", "kube-dns")]),
        )]),
        ports: Some(vec![
            NetworkPolicyPort {
                port: Some(IntOrString::Int(53)),
                protocol: Some("UDP".into()),
                ..Default::default()
            },
            tcp_port(IntOrString::Int(53)),
        ]),
    }];
    let mut dep_ports = vec![tcp_port(IntOrString::Int(HTTP_PORT))];
    if r.platform.mesh == Mesh::Linkerd {
        dep_ports.push(tcp_port(IntOrString::Int(LINKERD_INBOUND_PORT)));
    }
    for d in &app.dependencies {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![namespace_peer(&[(NS_NAME, d.name.as_str())], None)]),
            ports: Some(dep_ports.clone()),
        });
    }
    let mut kinds: Vec<StorageKind> = app.storages.iter().map(|s| s.kind).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        if let Some(sp) = r.platform.storages.get(&k) {
            egress.push(NetworkPolicyEgressRule {
                to: Some(vec![namespace_peer(
                    &[(NS_NAME, sp.namespace.as_str())],
                    None,
                )]),
                ports: Some(vec![tcp_port(IntOrString::Int(i32::from(sp.port)))]),
            });
        }
    }
    if !app.secrets.is_empty() {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![namespace_peer(
                &[(NS_NAME, r.platform.vault.namespace.as_str())],
                None,
            )]),
            ports: Some(vec![tcp_port(IntOrString::Int(i32::from(
                r.platform.vault.port,
            )))]),
        });
    }
    let mesh = match r.platform.mesh {
        Mesh::None => None,
        Mesh::Linkerd => Some(("linkerd", vec![443, 8086, 8090])),
        Mesh::Istio => Some(("istio-system", vec![15012])),
    };
    if let Some((ns, ports)) = mesh {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![namespace_peer(&[(NS_NAME, ns)], None)]),
            ports: Some(
                ports
                    .into_iter()
                    .map(|p| tcp_port(IntOrString::Int(p)))
                    .collect(),
            ),
        });
    }
    let mut only_name = Labels::new();
    only_name.insert("app.kubernetes.io/name".into(), ctx.name.to_owned());
    NetworkPolicy {
        metadata: ctx.meta(ctx.name, "network"),
        spec: Some(NetworkPolicySpec {
            egress: Some(egress),
            ingress: Some(ingress),
            pod_selector: Some(LabelSelector {
                match_labels: Some(only_name),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
        }),
    }
}
