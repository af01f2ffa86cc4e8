//! The Kubernetes objects, as typed k8s-openapi structs, and their YAML.
use crate::platform::Mesh;
use crate::{calls_label, Manifests, Resolved, Stage, StageFile};
use compiler::app::{Kind, StorageKind};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapEnvSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvFromSource, HTTPGetAction, Lifecycle, LifecycleHandler, Namespace,
    PodAffinityTerm, PodAntiAffinity, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ProjectedVolumeSource, ResourceRequirements, SeccompProfile, SecurityContext, Service,
    ServiceAccount, ServiceAccountTokenProjection, ServicePort, ServiceSpec, SleepAction,
    TopologySpreadConstraint, Volume, VolumeMount, VolumeProjection, WeightedPodAffinityTerm,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, NetworkPolicy, NetworkPolicyEgressRule,
    NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
    ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::Resource;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where vault's agent writes the secrets, one file per secret name.
pub const VAULT_DIR: &str = "/vault/secrets";
/// The container port every service listens on.
pub const HTTP_PORT: i32 = 8080;
/// The user and group every container runs as (restricted: non-root, above 10000).
pub const RUN_AS: i64 = 10001;
const MANAGED_BY: &str = "paasctl";
const READY_PATH: &str = "/health/ready";
const LIVE_PATH: &str = "/health/live";
const TERMINATION_GRACE: i64 = 30;
const PRE_STOP_SLEEP: i64 = 5;
const LINKERD_INBOUND_PORT: i32 = 4143;

/// 64-bit FNV-1a, for content-derived name suffixes (stable across platforms and releases).
pub fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn short_hash(data: &[u8]) -> String {
    format!("{:016x}", fnv1a(data))[..10].to_owned()
}

/// A name of at most `max` characters: cut, with a hash of the whole for uniqueness.
fn fit_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let h = short_hash(name.as_bytes());
    let keep = max - h.len() - 1;
    format!("{}-{h}", name[..keep].trim_end_matches('-'))
}

/// A valid label value from any string: allowed characters only, at most 63, alphanumeric ends.
fn label_value(s: &str) -> String {
    let v: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(63)
        .collect();
    v.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned()
}

struct Ctx<'a> {
    r: &'a Resolved<'a>,
    name: &'a str,
    version: String,
    config_map: String,
}

type Labels = BTreeMap<String, String>;

impl Ctx<'_> {
    fn labels(&self, instance: &str, component: &str) -> Labels {
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

    fn selector(&self, instance: &str) -> Labels {
        let mut l = Labels::new();
        l.insert("app.kubernetes.io/name".into(), self.name.to_owned());
        l.insert("app.kubernetes.io/instance".into(), instance.to_owned());
        l
    }

    fn meta(&self, name: &str, component: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(self.name.to_owned()),
            labels: Some(self.labels(self.name, component)),
            ..Default::default()
        }
    }

    fn resources(&self) -> ResourceRequirements {
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
    fn container(&self) -> Container {
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

    fn pod_annotations(&self, job: bool) -> Option<BTreeMap<String, String>> {
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
    fn pod_labels(&self, instance: &str, component: &str, job: bool) -> Labels {
        let mut l = self.labels(instance, component);
        if self.r.platform.mesh == Mesh::Istio {
            let v = if job { "false" } else { "true" };
            l.insert("sidecar.istio.io/inject".to_owned(), v.to_owned());
        }
        l
    }

    fn volumes(&self) -> Vec<Volume> {
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

    fn pod_spec(&self, containers: Vec<Container>, restart: Option<&str>) -> PodSpec {
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

    fn http_ports(&self) -> Vec<NetworkPolicyPort> {
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

fn tcp_port(port: IntOrString) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(port),
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

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

const NS_NAME: &str = "kubernetes.io/metadata.name";

/// Appends one object's YAML to a stage file.
fn push<T: Serialize + Resource>(file: &mut StageFile, obj: &T, name: &str) {
    if !file.objects.is_empty() {
        file.yaml.push_str("---\n");
    }
    match serde_norway::to_string(obj) {
        Ok(s) => file.yaml.push_str(&s),
        // Serialising these plain structs cannot fail; keep the file valid YAML regardless.
        Err(e) => file
            .yaml
            .push_str(&format!("# serialisation failed: {e}\n")),
    }
    file.objects.push(format!("{}/{name}", T::KIND));
}

pub(crate) fn build(r: &Resolved<'_>) -> Manifests {
    let app = &r.app;
    let name = app.name.as_str();
    let mut config_data = String::new();
    for (k, v) in &r.settings {
        config_data.push_str(k);
        config_data.push('\0');
        config_data.push_str(v);
        config_data.push('\0');
    }
    let ctx = Ctx {
        r,
        name,
        version: label_value(&r.image.version()),
        config_map: format!("{name}-config-{}", short_hash(config_data.as_bytes())),
    };
    let file = |stage| StageFile {
        stage,
        yaml: String::new(),
        objects: Vec::new(),
    };
    let mut init = file(Stage::Init);
    let mut db = file(Stage::Db);
    let mut run = file(Stage::App);
    let mut balancing = file(Stage::Balancing);

    // --- init
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
    ns_labels.insert("paas.brief.dev/cluster".into(), label_value(&r.env.cluster));
    for d in &app.dependencies {
        ns_labels.insert(calls_label(&d.name), "true".into());
    }
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(ns_labels),
            ..Default::default()
        },
        ..Default::default()
    };
    push(&mut init, &ns, name);
    let sa = ServiceAccount {
        metadata: ctx.meta(name, "identity"),
        automount_service_account_token: Some(false),
        ..Default::default()
    };
    push(&mut init, &sa, name);
    let cm = ConfigMap {
        metadata: ctx.meta(&ctx.config_map, "config"),
        data: Some(r.settings.clone()),
        immutable: Some(true),
        ..Default::default()
    };
    push(&mut init, &cm, &ctx.config_map);
    push(&mut init, &network_policy(&ctx), name);

    // --- db
    for st in &app.storages {
        let Some(dir) = &st.migrations else { continue };
        if st.kind != StorageKind::Postgresql {
            continue;
        }
        let key = format!("{}\0{}\0{dir}\0{}", r.image.full, st.name, ctx.config_map);
        let job_name = fit_name(
            &format!("{name}-migrate-{}-{}", st.name, short_hash(key.as_bytes())),
            63,
        );
        let mut c = ctx.container();
        c.name = "migrate".into();
        c.args = Some(vec![
            "migrate".into(),
            "--storage".into(),
            st.name.clone(),
            "--dir".into(),
            dir.clone(),
        ]);
        let job = Job {
            metadata: ObjectMeta {
                labels: Some(ctx.labels(&job_name, "migration")),
                ..ctx.meta(&job_name, "migration")
            },
            spec: Some(JobSpec {
                active_deadline_seconds: Some(900),
                backoff_limit: Some(2),
                ttl_seconds_after_finished: Some(86400),
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(ctx.pod_labels(&job_name, "migration", true)),
                        annotations: ctx.pod_annotations(true),
                        ..Default::default()
                    }),
                    spec: Some(ctx.pod_spec(vec![c], Some("Never"))),
                },
                ..Default::default()
            }),
            ..Default::default()
        };
        push(&mut db, &job, &job_name);
    }

    // --- app
    let selector = ctx.selector(name);
    let mut c = ctx.container();
    c.ports = Some(vec![ContainerPort {
        container_port: HTTP_PORT,
        name: Some("http".into()),
        protocol: Some("TCP".into()),
        ..Default::default()
    }]);
    let probe = |path: &str, period: i32, failures: i32| Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::String("http".into()),
            ..Default::default()
        }),
        period_seconds: Some(period),
        failure_threshold: Some(failures),
        timeout_seconds: Some(2),
        ..Default::default()
    };
    c.readiness_probe = Some(probe(READY_PATH, 5, 3));
    c.liveness_probe = Some(probe(LIVE_PATH, 10, 3));
    // Slow starts are the startup probe's business, so liveness can stay strict.
    c.startup_probe = Some(probe(LIVE_PATH, 2, 60));
    c.lifecycle = Some(Lifecycle {
        pre_stop: Some(LifecycleHandler {
            sleep: Some(SleepAction {
                seconds: PRE_STOP_SLEEP,
            }),
            ..Default::default()
        }),
        ..Default::default()
    });
    let label_selector = LabelSelector {
        match_labels: Some(selector.clone()),
        ..Default::default()
    };
    let mut pod = ctx.pod_spec(vec![c], None);
    pod.topology_spread_constraints = Some(
        ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
            .iter()
            .map(|key| TopologySpreadConstraint {
                label_selector: Some(label_selector.clone()),
                match_label_keys: Some(vec!["pod-template-hash".into()]),
                max_skew: 1,
                topology_key: (*key).to_owned(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                ..Default::default()
            })
            .collect(),
    );
    pod.affinity = Some(Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(label_selector.clone()),
                        topology_key: "kubernetes.io/hostname".into(),
                        ..Default::default()
                    },
                },
            ]),
            ..Default::default()
        }),
        ..Default::default()
    });
    let component = if app.kind == Kind::Worker {
        "worker"
    } else {
        "server"
    };
    let deployment = Deployment {
        metadata: ctx.meta(name, component),
        spec: Some(DeploymentSpec {
            min_ready_seconds: Some(10),
            progress_deadline_seconds: Some(600),
            replicas: if app.autoscaling.is_some() {
                None
            } else {
                Some(i32::try_from(app.replicas).unwrap_or(1))
            },
            revision_history_limit: Some(5),
            selector: label_selector.clone(),
            strategy: Some(DeploymentStrategy {
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::String("25%".into())),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
                type_: Some("RollingUpdate".into()),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(ctx.pod_labels(name, component, false)),
                    annotations: ctx.pod_annotations(false),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    push(&mut run, &deployment, name);
    let pdb = PodDisruptionBudget {
        metadata: ctx.meta(name, component),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(label_selector.clone()),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    push(&mut run, &pdb, name);
    if let Some(a) = app.autoscaling {
        let hpa = HorizontalPodAutoscaler {
            metadata: ctx.meta(name, component),
            spec: Some(HorizontalPodAutoscalerSpec {
                behavior: Some(HorizontalPodAutoscalerBehavior {
                    scale_down: Some(HPAScalingRules {
                        stabilization_window_seconds: Some(300),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                max_replicas: i32::try_from(a.max).unwrap_or(1),
                metrics: Some(vec![MetricSpec {
                    type_: "Resource".into(),
                    resource: Some(ResourceMetricSource {
                        name: "cpu".into(),
                        target: MetricTarget {
                            type_: "Utilization".into(),
                            average_utilization: Some(i32::try_from(a.cpu).unwrap_or(70)),
                            ..Default::default()
                        },
                    }),
                    ..Default::default()
                }]),
                min_replicas: Some(i32::try_from(a.min).unwrap_or(1)),
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some("apps/v1".into()),
                    kind: "Deployment".into(),
                    name: name.to_owned(),
                },
            }),
            ..Default::default()
        };
        push(&mut run, &hpa, name);
    }
    for cron in &app.crons {
        let cj_name = format!("{name}-{}", cron.name);
        let mut c = ctx.container();
        c.name = cron.name.clone();
        c.command = Some(cron.command.clone());
        let labels = ctx.labels(&cj_name, "cron");
        let cj = CronJob {
            metadata: ObjectMeta {
                labels: Some(labels.clone()),
                ..ctx.meta(&cj_name, "cron")
            },
            spec: Some(CronJobSpec {
                concurrency_policy: Some("Forbid".into()),
                failed_jobs_history_limit: Some(3),
                job_template: JobTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels.clone()),
                        ..Default::default()
                    }),
                    spec: Some(JobSpec {
                        active_deadline_seconds: Some(3600),
                        backoff_limit: Some(2),
                        ttl_seconds_after_finished: Some(86400),
                        template: PodTemplateSpec {
                            metadata: Some(ObjectMeta {
                                labels: Some(ctx.pod_labels(&cj_name, "cron", true)),
                                annotations: ctx.pod_annotations(true),
                                ..Default::default()
                            }),
                            spec: Some(ctx.pod_spec(vec![c], Some("Never"))),
                        },
                        ..Default::default()
                    }),
                },
                schedule: cron.schedule.clone(),
                starting_deadline_seconds: Some(300),
                successful_jobs_history_limit: Some(3),
                ..Default::default()
            }),
            ..Default::default()
        };
        push(&mut run, &cj, &cj_name);
    }

    // --- balancing
    if app.kind != Kind::Worker {
        let svc = Service {
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
        };
        push(&mut balancing, &svc, name);
        if let Some(host) = &app.public_host {
            let ing = &r.platform.ingress;
            let mut meta = ctx.meta(name, component);
            if !ing.cluster_issuer.is_empty() {
                meta.annotations = Some(BTreeMap::from([(
                    "cert-manager.io/cluster-issuer".to_owned(),
                    ing.cluster_issuer.clone(),
                )]));
            }
            let ingress = Ingress {
                metadata: meta,
                spec: Some(IngressSpec {
                    ingress_class_name: Some(ing.class.clone()),
                    rules: Some(vec![IngressRule {
                        host: Some(host.clone()),
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
                        hosts: Some(vec![host.clone()]),
                        secret_name: Some(format!("{name}-tls")),
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            };
            push(&mut balancing, &ingress, name);
        }
    }

    let files = [init, db, run, balancing]
        .into_iter()
        .filter(|f| !f.objects.is_empty())
        .map(|mut f| {
            f.yaml = format!(
                "# {} stage of `{name}` in `{}`. Generated by paasctl from app.toml; do not edit.\n{}",
                f.stage.name(),
                app.env_name,
                f.yaml
            );
            f
        })
        .collect();
    Manifests {
        env: app.env_name.clone(),
        files,
    }
}

fn network_policy(ctx: &Ctx<'_>) -> NetworkPolicy {
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
