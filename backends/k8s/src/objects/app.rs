//! The app stage: the Deployment and what keeps it healthy and sized (PodDisruptionBudget,
//! HorizontalPodAutoscaler), and one CronJob per `[[crons]]`.
use super::ctx::Ctx;
use super::{push, HTTP_PORT, LIVE_PATH, PRE_STOP_SLEEP, READY_PATH};
use crate::StageFile;
use compiler::app::{Autoscaling, Cron};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Container, ContainerPort, HTTPGetAction, Lifecycle, LifecycleHandler,
    PodAffinityTerm, PodAntiAffinity, PodSpec, PodTemplateSpec, Probe, SleepAction,
    TopologySpreadConstraint, WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The app stage's objects.
pub(super) fn build(ctx: &Ctx<'_>, run: &mut StageFile) {
    let name = ctx.name;
    let label_selector = LabelSelector {
        match_labels: Some(ctx.selector(name)),
        ..Default::default()
    };
    push(run, &deployment(ctx, &label_selector), name);
    push(run, &pdb(ctx, &label_selector), name);
    if let Some(a) = ctx.r.app.autoscaling {
        push(run, &hpa(ctx, a), name);
    }
    for cron in &ctx.r.app.crons {
        let cj = cron_job(ctx, cron);
        let cj_name = format!("{name}-{}", cron.name);
        push(run, &cj, &cj_name);
    }
}

/// The service's container: its port, probes and graceful stop.
fn container(ctx: &Ctx<'_>) -> Container {
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
    c
}

/// The Deployment's pod: spread over zones and hosts.
fn pod(ctx: &Ctx<'_>, label_selector: &LabelSelector) -> PodSpec {
    let c = container(ctx);
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
    pod
}

fn deployment(ctx: &Ctx<'_>, label_selector: &LabelSelector) -> Deployment {
    let (name, app, component) = (ctx.name, &ctx.r.app, ctx.component());
    let pod = pod(ctx, label_selector);
    Deployment {
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
    }
}

fn pdb(ctx: &Ctx<'_>, label_selector: &LabelSelector) -> PodDisruptionBudget {
    let (name, component) = (ctx.name, ctx.component());
    PodDisruptionBudget {
        metadata: ctx.meta(name, component),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(label_selector.clone()),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn hpa(ctx: &Ctx<'_>, a: Autoscaling) -> HorizontalPodAutoscaler {
    let (name, component) = (ctx.name, ctx.component());
    HorizontalPodAutoscaler {
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
    }
}

fn cron_job(ctx: &Ctx<'_>, cron: &Cron) -> CronJob {
    let name = ctx.name;
    let cj_name = format!("{name}-{}", cron.name);
    let mut c = ctx.container();
    c.name = cron.name.clone();
    c.command = Some(cron.command.clone());
    let labels = ctx.labels(&cj_name, "cron");
    CronJob {
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
    }
}
