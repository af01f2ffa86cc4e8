//! The init stage: what the rest needs to exist (Namespace, ServiceAccount, ConfigMap) and the
//! NetworkPolicy that fences the service in.
use super::ctx::Ctx;
use super::{label_value, network, push};
use crate::{calls_label, StageFile};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The init stage's objects.
pub(super) fn build(ctx: &Ctx<'_>, init: &mut StageFile) {
    let name = ctx.name;
    push(init, &namespace(ctx), name);
    push(init, &service_account(ctx), name);
    push(init, &config_map(ctx), &ctx.config_map);
    push(init, &network::policy(ctx), name);
}

/// The Namespace: restricted pod security, the environment and cluster, and a `calls-<dep>`
/// label per dependency (what the dependency's NetworkPolicy lets in).
fn namespace(ctx: &Ctx<'_>) -> Namespace {
    let (name, r, app) = (ctx.name, ctx.r, &ctx.r.app);
    let mut ns_labels = ctx.labels(name, "namespace");
    for mode in ["enforce", "audit", "warn"] {
        ns_labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            "restricted".into(),
        );
        ns_labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            "latest".into(),
        );
    }
    ns_labels.insert("paas.brief.dev/env".into(), app.env_name.clone());
    ns_labels.insert("paas.brief.dev/cluster".into(), label_value(&r.cluster));
    for d in &app.dependencies {
        ns_labels.insert(calls_label(&d.name), "true".into());
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(ns_labels),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn service_account(ctx: &Ctx<'_>) -> ServiceAccount {
    ServiceAccount {
        metadata: ctx.meta(ctx.name, "identity"),
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

/// The ConfigMap of the non-secret settings; its name carries a hash of its content.
fn config_map(ctx: &Ctx<'_>) -> ConfigMap {
    ConfigMap {
        metadata: ctx.meta(&ctx.config_map, "config"),
        data: Some(ctx.r.settings.clone()),
        immutable: Some(true),
        ..Default::default()
    }
}
