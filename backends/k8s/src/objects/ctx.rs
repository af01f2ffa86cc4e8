//! What every stage builds on: the service's names, labels and metadata, and the container and
//! pod shared by the Deployment, the CronJobs and the migration Jobs.
use super::{label_value, short_hash, LINKERD_INBOUND_PORT, MANAGED_BY, RUN_AS, TERMINATION_GRACE};
use crate::platform::Mesh;
use crate::Resolved;
use compiler::app::Kind;
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapEnvSource, Container, EmptyDirVolumeSource, EnvFromSource,
    PodSecurityContext, PodSpec, ProjectedVolumeSource, ResourceRequirements, SeccompProfile,
    SecurityContext, ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::api::networking::v1::NetworkPolicyPort;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// One service in one environment, with the names every object shares.
pub(super) struct Ctx<'a> {
    pub(super) r: &'a Resolved<'a>,
    pub(super) name: &'a str,
    pub(super) version: String,
    pub(super) config_map: String,
}

pub(super) type Labels = BTreeMap<String, String>;

impl<'a> Ctx<'a> {
    /// The names of `r`'s objects; the ConfigMap's carries a hash of the settings.
    pub(super) fn new(r: &'a Resolved<'a>) -> Self {
        let name = r.app.name.as_str();
        let mut config_data = String::new();
        for (k, v) in &r.settings {
            config_data.push_str(k);
            config_data.push('\0');
            config_data.push_str(v);
            config_data.push('\0');
        }
        Ctx {
            r,
            name,
            version: label_value(&r.image.version()),
            config_map: format!("{name}-config-{}", short_hash(config_data.as_bytes())),
        }
    }

    /// Whether the service consumes events, which the data bus delivers over HTTP.
    pub(super) fn subscribes(&self) -> bool {
        self.r
            .app
            .dependencies
            .iter()
            .any(|d| !d.subscribe.is_empty())
    }

    /// Whether the service has a Service object: all but workers that consume no events.
    pub(super) fn reachable(&self) -> bool {
        self.r.app.kind != Kind::Worker || self.subscribes()
    }

    /// `app.kubernetes.io/component` of the workload and what serves it.
    pub(super) fn component(&self) -> &'static str {
        if self.r.app.kind == Kind::Worker {
            "worker"
        } else {
            "server"
        }
    }

    pub(super) fn labels(&self, instance: &str, component: &str) -> Labels {
        let mut l = Labels::new();
        l.insert("app.kubernetes.io/name".into(), self.name.to_owned());
        l.insert("app.kubernetes.io/instance".into(), instance.to_owned());
        l.insert("app.kubernetes.io/version".into(), self.version.clone());
        l.insert("app.kubernetes.io/component".into(), component.to_owned());
        l.insert(
            "app.kubernetes.io/part-of".into(),
            self.r.platform.part_of.clone(),
        );
        l.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.to_owned());
        l
    }

    pub(super) fn selector(&self, instance: &str) -> Labels {
        let mut l = Labels::new();
        l.insert("app.kubernetes.io/name".into(), self.name.to_owned());
        l.insert("app.kubernetes.io/instance".into(), instance.to_owned());
        l
    }

    pub(super) fn meta(&self, name: &str, component: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(self.name.to_owned()),
            labels: Some(self.labels(self.name, component)),
            ..Default::default()
        }
    }

    pub(super) fn resources(&self) -> ResourceRequirements {
        let size = self
            .r
            .app
            .engine
            .as_ref()
            .map(|e| e.size)
            .unwrap_or_default();
        let mut requests = BTreeMap::new();
        let mut limits = BTreeMap::new();
        if let Some(c) = self.r.platform.sizes.get(&size) {
            requests.insert("cpu".to_owned(), Quantity(c.cpu_request.clone()));
            requests.insert("memory".to_owned(), Quantity(c.memory_request.clone()));
            requests.insert(
                "ephemeral-storage".to_owned(),
                Quantity(c.ephemeral_storage.clone()),
            );
            limits.insert("cpu".to_owned(), Quantity(c.cpu_limit.clone()));
            limits.insert("memory".to_owned(), Quantity(c.memory_limit.clone()));
            limits.insert(
                "ephemeral-storage".to_owned(),
                Quantity(c.ephemeral_storage.clone()),
            );
        }
        ResourceRequirements {
            requests: Some(requests),
            limits: Some(limits),
            ..Default::default()
        }
    }

    /// The container shared by the Deployment, the CronJobs and the migration Jobs.
    pub(super) fn container(&self) -> Container {
        Container {
            name: self.name.to_owned(),
            image: Some(self.r.image.full.clone()),
            image_pull_policy: Some("Always".into()),
            env_from: Some(vec![EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: self.config_map.clone(),
                    optional: Some(false),
                }),
                ..Default::default()
            }]),
            resources: Some(self.resources()),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    ..Default::default()
                }),
                privileged: Some(false),
                read_only_root_filesystem: Some(true),
                run_as_non_root: Some(true),
                run_as_user: Some(RUN_AS),
                run_as_group: Some(RUN_AS),
                seccomp_profile: Some(runtime_default()),
                ..Default::default()
            }),
            volume_mounts: Some(vec![VolumeMount {
                name: "tmp".into(),
                mount_path: "/tmp".into(),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    pub(super) fn pod_annotations(&self, job: bool) -> Option<BTreeMap<String, String>> {
        let mut a = BTreeMap::new();
        let secrets = &self.r.app.secrets;
        if !secrets.is_empty() {
            let path = self
                .r
                .platform
                .vault
                .kv_path
                .replace("{env}", &self.r.app.env_name)
                .replace("{service}", self.name);
            let v = "vault.hashicorp.com";
            a.insert(format!("{v}/agent-inject"), "true".to_owned());
            a.insert(format!("{v}/agent-pre-populate-only"), "true".to_owned());
            a.insert(format!("{v}/role"), self.name.to_owned());
            a.insert(format!("{v}/agent-run-as-user"), RUN_AS.to_string());
            a.insert(format!("{v}/agent-run-as-group"), RUN_AS.to_string());
            a.insert(
                format!("{v}/agent-service-account-token-volume-name"),
                "vault-token".to_owned(),
            );
            for s in secrets {
                a.insert(format!("{v}/agent-inject-secret-{s}"), path.clone());
                a.insert(
                    format!("{v}/agent-inject-template-{s}"),
                    format!(
                        "{{{{- with secret \"{path}\" -}}}}{{{{ .Data.data.{s} }}}}{{{{- end -}}}}"
                    ),
                );
            }
        }
        match self.r.platform.mesh {
            Mesh::None => {}
            Mesh::Linkerd => {
                let v = if job { "disabled" } else { "enabled" };
                a.insert("linkerd.io/inject".to_owned(), v.to_owned());
            }
            // Istio reads its injection switch from a label (see `pod_labels`).
            Mesh::Istio => {}
        }
        (!a.is_empty()).then_some(a)
    }

    /// A pod template's labels: the object's, plus Istio's injection switch.
    pub(super) fn pod_labels(&self, instance: &str, component: &str, job: bool) -> Labels {
        let mut l = self.labels(instance, component);
        if self.r.platform.mesh == Mesh::Istio {
            let v = if job { "false" } else { "true" };
            l.insert("sidecar.istio.io/inject".to_owned(), v.to_owned());
        }
        l
    }

    pub(super) fn volumes(&self) -> Vec<Volume> {
        let mut v = vec![Volume {
            name: "tmp".into(),
            empty_dir: Some(EmptyDirVolumeSource {
                size_limit: Some(Quantity("64Mi".into())),
                ..Default::default()
            }),
            ..Default::default()
        }];
        if !self.r.app.secrets.is_empty() {
            // The agent's own token: the app's containers mount no token at all.
            v.push(Volume {
                name: "vault-token".into(),
                projected: Some(ProjectedVolumeSource {
                    sources: Some(vec![VolumeProjection {
                        service_account_token: Some(ServiceAccountTokenProjection {
                            audience: Some("vault".into()),
                            expiration_seconds: Some(600),
                            path: "token".into(),
                        }),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        v
    }

    pub(super) fn pod_spec(&self, containers: Vec<Container>, restart: Option<&str>) -> PodSpec {
        PodSpec {
            automount_service_account_token: Some(false),
            containers,
            enable_service_links: Some(false),
            restart_policy: restart.map(str::to_owned),
            security_context: Some(PodSecurityContext {
                fs_group: Some(RUN_AS),
                run_as_group: Some(RUN_AS),
                run_as_non_root: Some(true),
                run_as_user: Some(RUN_AS),
                seccomp_profile: Some(runtime_default()),
                ..Default::default()
            }),
            service_account_name: Some(self.name.to_owned()),
            termination_grace_period_seconds: Some(TERMINATION_GRACE),
            volumes: Some(self.volumes()),
            ..Default::default()
        }
    }

    pub(super) fn http_ports(&self) -> Vec<NetworkPolicyPort> {
        let mut ports = vec![tcp_port(IntOrString::String("http".into()))];
        if self.r.platform.mesh == Mesh::Linkerd {
            ports.push(tcp_port(IntOrString::Int(LINKERD_INBOUND_PORT)));
        }
        ports
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        ..Default::default()
    }
}

pub(super) fn tcp_port(port: IntOrString) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(port),
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}
