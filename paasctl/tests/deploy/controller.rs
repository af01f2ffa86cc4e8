//! The test acting as the controllers: no kubelet or kube-controller-manager runs beside the
//! test API server, so this patches `/status` of one service's Deployments (observedGeneration,
//! replicas, updatedReplicas, availableReplicas, Available) and Jobs (Complete) until stopped.
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use kube::api::{ListParams, Patch, PatchParams};
use kube::Api;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the fake controllers look: `FAKE_CONTROLLERS_MS` (the benchmark shortens it), else
/// 200 ms.
fn interval() -> Duration {
    let ms = std::env::var("FAKE_CONTROLLERS_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    Duration::from_millis(ms)
}

/// A client for a kubeconfig file's current context (default `$KUBECONFIG`).
pub async fn client(kubeconfig: Option<&Path>) -> kube::Client {
    match kubeconfig {
        None => kube::Client::try_default().await.unwrap(),
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path).unwrap();
            let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
                .await
                .unwrap();
            kube::Client::try_from(config).unwrap()
        }
    }
}

/// Runs until dropped. A Deployment whose image ends in `:bad` is failed instead (its progress
/// deadline exceeded), as a rollout of an image that never starts is.
pub struct FakeControllers {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeControllers {
    /// Marks every Deployment and Job of `service` ready, again whenever its generation changes.
    pub fn start(service: &str) -> FakeControllers {
        FakeControllers::run(None, service, false)
    }

    /// The same in the cluster of another kubeconfig (its current context).
    pub fn start_in(kubeconfig: PathBuf, service: &str) -> FakeControllers {
        FakeControllers::run(Some(kubeconfig), service, false)
    }

    /// The same, except that every Job fails (its backoff limit reached).
    pub fn failing_jobs(service: &str) -> FakeControllers {
        FakeControllers::run(None, service, true)
    }

    fn run(kubeconfig: Option<PathBuf>, service: &str, fail_jobs: bool) -> FakeControllers {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let selector = format!("{}={service}", brief_deploy::SERVICE_LABEL);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let client = client(kubeconfig.as_deref()).await;
                while !flag.load(Ordering::SeqCst) {
                    if let Err(e) = tick(&client, &selector, fail_jobs).await {
                        eprintln!("fake controllers: {e}");
                    }
                    tokio::time::sleep(interval()).await;
                }
            });
        });
        FakeControllers {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for FakeControllers {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn tick(client: &kube::Client, selector: &str, fail_jobs: bool) -> Result<(), kube::Error> {
    let lp = ListParams::default().labels(selector);
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    for d in Api::<Deployment>::all(client.clone()).list(&lp).await? {
        let generation = d.metadata.generation.unwrap_or(0);
        if d.status.as_ref().and_then(|s| s.observed_generation) == Some(generation) {
            continue;
        }
        let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let bad = d
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .is_some_and(|p| {
                p.containers
                    .iter()
                    .any(|c| c.image.as_deref().is_some_and(|i| i.ends_with(":bad")))
            });
        let status = if bad {
            // An image that never starts: the rollout passes its progress deadline.
            json!({"status": {
                "observedGeneration": generation, "replicas": replicas, "updatedReplicas": 0,
                "availableReplicas": 0, "unavailableReplicas": replicas,
                "conditions": [{"type": "Progressing", "status": "False",
                    "reason": "ProgressDeadlineExceeded",
                    "message": "ReplicaSet has timed out progressing (faked by the test)",
                    "lastUpdateTime": now, "lastTransitionTime": now}],
            }})
        } else {
            json!({"status": {
            "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True",
                "reason": "MinimumReplicasAvailable", "message": "faked by the test",
                "lastUpdateTime": now, "lastTransitionTime": now}],
            }})
        };
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let name = d.metadata.name.clone().unwrap_or_default();
        Api::<Deployment>::namespaced(client.clone(), &ns)
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
            .await?;
    }
    for j in Api::<Job>::all(client.clone()).list(&lp).await? {
        let conditions = j.status.as_ref().and_then(|s| s.conditions.as_ref());
        if conditions.is_some_and(|c| !c.is_empty()) {
            continue;
        }
        let status = if fail_jobs {
            json!({"status": {
                "startTime": now, "failed": 3, "active": 0,
                "conditions": [
                    {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": "Job has reached the specified backoff limit",
                     "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": "Job has reached the specified backoff limit",
                     "lastProbeTime": now, "lastTransitionTime": now}],
            }})
        } else {
            json!({"status": {
                "startTime": now, "completionTime": now, "succeeded": 1, "active": 0,
                "conditions": [
                    {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                     "message": "faked by the test", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                     "message": "faked by the test", "lastProbeTime": now, "lastTransitionTime": now}],
            }})
        };
        let ns = j.metadata.namespace.clone().unwrap_or_default();
        let name = j.metadata.name.clone().unwrap_or_default();
        Api::<Job>::namespaced(client.clone(), &ns)
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
            .await?;
    }
    Ok(())
}
