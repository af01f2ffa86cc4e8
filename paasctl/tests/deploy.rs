//! The deploy driver against a real kube-apiserver (scripts/test.d/70-deploy.sh starts one and
//! sets KUBECONFIG; these tests are `#[ignore]`d otherwise). No kubelet or controllers run there:
//! where a test needs workloads to become ready, the test itself acts as the Deployment and Job
//! controllers by patching `/status` (deploy/controller.rs), and the test names say so.
//! Each test deploys its own copy of a golden case (the service renamed) so that they can run
//! in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[path = "deploy/controller.rs"]
mod controller;

use brief_deploy::{ClusterStages, Error, Event, Options, Plan, ReleasePhase, StageInput, Target};
use brief_testkit::corpus::CASES;
use compiler::{Compiler, OsFs};
use controller::FakeControllers;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use std::time::Duration;

const IMAGE: &str = "registry.paas.internal/services/app:1.4.2";

/// The rendered stages of a golden case in `env` for the test cluster `one`, with the service's
/// name replaced by `name`.
fn render(case: &str, env: &str, name: Option<&str>, image: &str) -> Option<Plan> {
    render_for(case, env, name, image, &["one"])
}

/// The same for several clusters (their namespaces' cluster labels differ).
fn render_for(
    case: &str,
    env: &str,
    name: Option<&str>,
    image: &str,
    clusters: &[&str],
) -> Option<Plan> {
    render_with(
        backend_k8s::DEFAULT_PLATFORM,
        case,
        env,
        name,
        image,
        clusters,
    )
}

/// The same with the platform config `platform`.
fn render_with(
    platform: &str,
    case: &str,
    env: &str,
    name: Option<&str>,
    image: &str,
    clusters: &[&str],
) -> Option<Plan> {
    let out = Compiler::new().check_project(&OsFs, &brief_testkit::case_path(CASES, case));
    let ir = out.ir.as_ref()?;
    let service = ir.app.as_ref()?.name.clone();
    let mut sources = out.sources.clone();
    let pf = backend_k8s::platform::load(&mut sources, "platform.toml", platform).unwrap();
    let req = backend_k8s::Request {
        platform: &pf,
        app_toml: out.app.as_ref().map(|a| &a.locations),
        env,
        image: Some(image),
    };
    let m = backend_k8s::generate(ir, req).ok()?;
    let rename = |s: &str| match name {
        Some(n) => s.replace(&service, n),
        None => s.to_owned(),
    };
    Some(Plan {
        service: rename(&service),
        env: m.env.clone(),
        image: image.to_owned(),
        strategy: "simple".to_owned(),
        rollback_of: None,
        who: "test".to_owned(),
        manifests: clusters
            .iter()
            .map(|c| ClusterStages {
                cluster: (*c).to_owned(),
                stages: backend_k8s::generate_for_cluster(ir, req, c)
                    .unwrap()
                    .files
                    .iter()
                    .map(|f| StageInput {
                        name: f.stage.name().to_owned(),
                        yaml: rename(&f.yaml),
                    })
                    .collect(),
            })
            .collect(),
        inputs: None,
    })
}

fn summer(name: &str) -> Plan {
    render("summer", "dev", Some(name), IMAGE).unwrap()
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(200),
        ..Options::default()
    }
}

/// The first test cluster (`$KUBECONFIG`, its current context).
fn target() -> Target {
    Target::named("one")
}

/// The second test cluster (`$KUBECONFIG_TWO`: another API server on the same etcd, under its
/// own prefix).
fn target_two() -> Target {
    Target {
        name: "two".to_owned(),
        kubeconfig: Some(kubeconfig_two()),
        context: None,
    }
}

fn kubeconfig_two() -> std::path::PathBuf {
    std::env::var_os("KUBECONFIG_TWO")
        .expect("KUBECONFIG_TWO: the second API server (scripts/test.d/70-deploy.sh)")
        .into()
}

fn quiet(_: &Event) {}

fn deploy(plan: &Plan, options: &Options) -> Result<brief_deploy::DeployOutcome, Error> {
    brief_deploy::deploy(&[target()], plan, options, &quiet)
}

fn releases_in(t: Target, plan: &Plan) -> Vec<brief_deploy::ReleaseInfo> {
    brief_deploy::releases(&[t], &plan.service, &plan.env, &options())
        .unwrap()
        .pop()
        .unwrap()
        .releases
        .unwrap()
}

fn releases(plan: &Plan) -> Vec<brief_deploy::ReleaseInfo> {
    releases_in(target(), plan)
}

fn status_in(t: Target, plan: &Plan) -> brief_deploy::StatusReport {
    brief_deploy::status(&[t], &plan.service, &plan.env, &[], &options())
        .unwrap()
        .pop()
        .unwrap()
        .report
        .unwrap()
}

/// Runs a future against the test cluster.
fn kube<T>(f: impl AsyncFnOnce(kube::Client) -> T) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = kube::Client::try_default().await.unwrap();
            f(client).await
        })
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn every_golden_case_deploys_and_is_admitted_with_the_test_acting_as_controllers() {
    let mut deployed = 0;
    for (case, _) in brief_testkit::cases(CASES) {
        // summer is deployed by the CLI test, in parallel with this one.
        if case == "summer" {
            continue;
        }
        let Some(plan) = render(&case, "dev", None, IMAGE) else {
            continue;
        };
        let _controllers = FakeControllers::start(&plan.service);
        let outcome =
            deploy(&plan, &options()).unwrap_or_else(|e| panic!("golden case {case}: {e}"));
        let rel = outcome.release.unwrap();
        assert_eq!(rel.phase, ReleasePhase::Deployed, "{case}");
        let report = status_in(target(), &plan);
        for s in &report.stages {
            for o in &s.objects {
                assert!(o.ready, "{case}: {} not ready: {}", o.id, o.why);
            }
        }
        deployed += 1;
    }
    assert!(deployed >= 5, "only {deployed} golden cases have manifests");
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn namespace_is_labelled_restricted_and_a_pod_without_a_security_context_is_refused() {
    let plan = summer("summer-psa");
    deploy(
        &plan,
        &Options {
            no_wait: true,
            ..options()
        },
    )
    .unwrap();
    let labels = kube(async |c| {
        Api::<Namespace>::all(c)
            .get("summer-psa")
            .await
            .unwrap()
            .metadata
            .labels
            .unwrap()
    });
    assert_eq!(
        labels
            .get("pod-security.kubernetes.io/enforce")
            .map(String::as_str),
        Some("restricted")
    );
    // The namespace refuses what the restricted profile forbids (a pod that may run as root,
    // escalate, keep its capabilities): the admission is real.
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "root", "namespace": "summer-psa"},
        "spec": {"containers": [{"name": "c", "image": "x:1"}]}});
    let refused = kube(async |c| {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(pod).unwrap();
        Api::namespaced(c, "summer-psa")
            .create(&kube::api::PostParams::default(), &pod)
            .await
            .unwrap_err()
            .to_string()
    });
    assert!(refused.contains("violates PodSecurity"), "{refused}");
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn without_controllers_the_timeout_names_the_deployment_and_why() {
    let plan = summer("summer-timeout");
    let e = deploy(
        &plan,
        &Options {
            timeout: Duration::from_secs(3),
            ..options()
        },
    )
    .unwrap_err();
    let Error::Timeout {
        stage, not_ready, ..
    } = &e
    else {
        panic!("{e}");
    };
    assert_eq!(stage, "app");
    assert_eq!(
        not_ready,
        &["Deployment/summer-timeout/summer-timeout: no status yet (the controller has not seen it)"]
    );
    let text = e.to_string();
    assert!(text.contains("stage `app` timed out"), "{text}");
    let rel = releases(&plan).pop().unwrap();
    assert_eq!(
        (rel.phase, rel.stage.as_str()),
        (ReleasePhase::Failed, "app")
    );
    assert!(rel
        .message
        .contains("Deployment/summer-timeout/summer-timeout"));
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_removed_object_is_pruned_with_the_test_acting_as_controllers() {
    let plan = summer("summer-prune");
    let _controllers = FakeControllers::start(&plan.service);
    let mut with_extra = plan.clone();
    with_extra.manifests[0].stages[0].yaml.push_str(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: summer-prune\ndata:\n  a: b\n",
    );
    let first = deploy(&with_extra, &options()).unwrap();
    assert!(first.pruned.is_empty(), "{:?}", first.pruned);
    let get = || {
        kube(async |c| {
            Api::<ConfigMap>::namespaced(c, "summer-prune")
                .get_opt("extra")
                .await
                .unwrap()
        })
    };
    assert!(get().is_some());
    let second = deploy(&plan, &options()).unwrap();
    assert_eq!(
        second.pruned,
        [("one".to_owned(), "ConfigMap/summer-prune/extra".to_owned())]
    );
    assert!(get().is_none());
    // Objects of the service that carry no driver label are never touched.
    kube(async |c| {
        let cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "hand-made", "namespace": "summer-prune"}}))
        .unwrap();
        Api::<ConfigMap>::namespaced(c, "summer-prune")
            .create(&kube::api::PostParams::default(), &cm)
            .await
            .unwrap();
    });
    assert!(deploy(&plan, &options()).unwrap().pruned.is_empty());
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn release_history_is_recorded_superseded_and_capped() {
    let plan = summer("summer-history");
    let opts = Options {
        no_wait: true,
        history: 3,
        ..options()
    };
    for i in 1..=5 {
        let mut p = plan.clone();
        p.image = format!("registry.paas.internal/services/app:1.0.{i}");
        deploy(&p, &opts).unwrap();
    }
    let list = releases(&plan);
    let seen: Vec<(u64, ReleasePhase, &str)> = list
        .iter()
        .map(|r| (r.version, r.phase, r.image.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                3,
                ReleasePhase::Superseded,
                "registry.paas.internal/services/app:1.0.3"
            ),
            (
                4,
                ReleasePhase::Superseded,
                "registry.paas.internal/services/app:1.0.4"
            ),
            (
                5,
                ReleasePhase::Deployed,
                "registry.paas.internal/services/app:1.0.5"
            ),
        ]
    );
    assert_eq!(list[2].who, "test");
    assert_eq!(list[2].strategy, "simple");
    assert!(list[2].when.ends_with('Z'), "{}", list[2].when);
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn large_manifests_and_inputs_are_stored_in_chunks_and_read_back() {
    let mut plan = summer("summer-chunks");
    // About 1.5 MB of incompressible text in a YAML comment: kept in the record, not applied.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut noise = String::from("\n# ");
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.push_str(&format!("{:02x}", x & 0xff));
        noise.push_str(&format!("{:x}", (x >> 8) & 0xffff));
    }
    noise.push('\n');
    plan.manifests[0].stages[0].yaml.push_str(&noise);
    // The inputs too: a large contract (chunked on its own, joined back by a rollback's plan).
    let inputs = brief_deploy::Inputs {
        files: [("service.brief".to_owned(), format!("// {noise}"))]
            .into_iter()
            .collect(),
        dirs: Vec::new(),
        platform_hash: "0000000000000000".to_owned(),
        toolchain: "paasctl test".to_owned(),
    };
    plan.inputs = Some(inputs.clone());
    let outcome = deploy(
        &plan,
        &Options {
            no_wait: true,
            ..options()
        },
    )
    .unwrap();
    let rel = outcome.release.unwrap();
    assert!(rel.chunks >= 2, "{} chunks", rel.chunks);
    assert!(rel.inputs && rel.input_chunks >= 2, "{rel:?}");
    let back = brief_deploy::rollback_plan(
        &[target()],
        &plan.service,
        &plan.env,
        Some(rel.version),
        "test",
        &options(),
    )
    .unwrap();
    assert_eq!(back.inputs, Some(inputs));
    assert_eq!(back.manifests, plan.manifests);
    // status reads the stored manifests back (joining the chunks) and checks each object.
    let report = status_in(target(), &plan);
    let ids: Vec<&str> = report
        .stages
        .iter()
        .flat_map(|s| &s.objects)
        .map(|o| o.id.as_str())
        .collect();
    assert!(ids.contains(&"Namespace/summer-chunks"), "{ids:?}");
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_second_concurrent_deploy_is_refused_naming_the_holder() {
    let plan = summer("summer-lock");
    let first = {
        let plan = plan.clone();
        std::thread::spawn(move || brief_deploy::deploy(&[target()], &plan, &options(), &quiet))
    };
    // Wait until the first deploy holds the lease (it then waits for its Deployment).
    let held = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        kube(async |c| {
            Api::<Lease>::namespaced(c, "paasctl-system")
                .get_opt("deploy-summer-lock-dev")
                .await
                .unwrap()
                .is_some()
        })
    });
    assert!(held, "the first deploy never took the lease");
    let e = deploy(&plan, &options()).unwrap_err();
    let Error::Locked { holder, lease, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(lease, "paasctl-system/deploy-summer-lock-dev");
    assert!(holder.starts_with("test (pid "), "{holder}");
    assert!(e.to_string().contains("held by test (pid"), "{e}");
    // Now act as the controllers: the first deploy finishes and frees the lease.
    let _controllers = FakeControllers::start(&plan.service);
    first.join().unwrap().unwrap();
    deploy(&plan, &options()).unwrap();
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_crashed_deploys_stale_lease_is_taken_over_and_its_pending_release_marked_failed() {
    let plan = summer("summer-stale");
    let opts = Options {
        no_wait: true,
        ..options()
    };
    deploy(&plan, &opts).unwrap();
    // A crash: the lease of a deploy that stopped renewing long ago, its release left pending.
    kube(async |c| {
        let ten_minutes_ago =
            k8s_openapi::jiff::Timestamp::now() - k8s_openapi::jiff::SignedDuration::from_secs(600);
        let t = k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(ten_minutes_ago);
        let lease: Lease = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "deploy-summer-stale-dev", "namespace": "paasctl-system"},
            "spec": {"holderIdentity": "crashed (pid 1)", "leaseDurationSeconds": 60,
                     "acquireTime": t, "renewTime": t}}))
        .unwrap();
        Api::<Lease>::namespaced(c.clone(), "paasctl-system")
            .create(&kube::api::PostParams::default(), &lease)
            .await
            .unwrap();
        let ar = kube::api::ApiResource {
            group: "paasctl.brief.dev".into(),
            version: "v1alpha1".into(),
            api_version: "paasctl.brief.dev/v1alpha1".into(),
            kind: "Release".into(),
            plural: "releases".into(),
        };
        let api: Api<kube::api::DynamicObject> = Api::namespaced_with(c, "paasctl-system", &ar);
        let mut r = api.get("summer-stale-dev-v1").await.unwrap();
        r.metadata.name = Some("summer-stale-dev-v2".into());
        r.metadata.resource_version = None;
        r.metadata.uid = None;
        r.metadata.creation_timestamp = None;
        r.metadata.managed_fields = None;
        r.data["spec"]["version"] = 2.into();
        r.data.as_object_mut().unwrap().remove("status");
        api.create(&kube::api::PostParams::default(), &r)
            .await
            .unwrap();
        let pending = serde_json::json!({"status": {"phase": "pending", "stage": "app"}});
        api.patch_status(
            "summer-stale-dev-v2",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&pending),
        )
        .await
        .unwrap();
    });
    deploy(&plan, &opts).unwrap();
    let phases: Vec<(u64, ReleasePhase)> = releases(&plan)
        .iter()
        .map(|r| (r.version, r.phase))
        .collect();
    assert_eq!(
        phases,
        [
            (1, ReleasePhase::Superseded),
            (2, ReleasePhase::Failed),
            (3, ReleasePhase::Deployed)
        ]
    );
    let v2 = &releases(&plan)[1];
    assert!(v2.message.contains("interrupted"), "{}", v2.message);
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn no_wait_applies_every_stage_without_controllers() {
    let plan = summer("summer-nowait");
    let outcome = deploy(
        &plan,
        &Options {
            no_wait: true,
            timeout: Duration::from_secs(1),
            ..options()
        },
    )
    .unwrap();
    let rel = outcome.release.unwrap();
    assert_eq!(rel.phase, ReleasePhase::Deployed);
    assert_eq!(rel.message, "applied without waiting for readiness");
    let d = kube(async |c| {
        Api::<Deployment>::namespaced(c, "summer-nowait")
            .get_opt("summer-nowait")
            .await
            .unwrap()
    });
    assert!(d.is_some(), "the app stage was applied");
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn dry_run_changes_nothing() {
    let plan = summer("summer-dry");
    let dry = Options {
        dry_run: true,
        ..options()
    };
    // A service never deployed: the API server checks what it can; nothing is created.
    let outcome = deploy(&plan, &dry).unwrap();
    assert!(outcome.release.is_none());
    assert!(outcome
        .skipped
        .iter()
        .any(|(_, id)| id == "Deployment/summer-dry/summer-dry"));
    let ns = kube(async |c| {
        Api::<Namespace>::all(c)
            .get_opt("summer-dry")
            .await
            .unwrap()
    });
    assert!(ns.is_none());
    assert!(releases(&plan).is_empty());
    // Deployed once, then a dry run of another image: the Deployment keeps its image.
    deploy(
        &plan,
        &Options {
            no_wait: true,
            ..options()
        },
    )
    .unwrap();
    let mut next = plan.clone();
    next.image = "registry.paas.internal/services/app:9.9.9".to_owned();
    for s in &mut next.manifests[0].stages {
        s.yaml = s.yaml.replace(IMAGE, &next.image);
    }
    let outcome = deploy(&next, &dry).unwrap();
    assert!(outcome.skipped.is_empty(), "{:?}", outcome.skipped);
    let image = kube(async |c| {
        Api::<Deployment>::namespaced(c, "summer-dry")
            .get("summer-dry")
            .await
            .unwrap()
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .containers[0]
            .image
            .clone()
            .unwrap()
    });
    assert_eq!(image, IMAGE);
    assert_eq!(releases(&plan).len(), 1);
}

/// `paasctl deploy`, `status` and `releases` as users run them, on golden/cases/summer.
#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn cli_deploys_summer_with_the_test_acting_as_controllers() {
    let _controllers = FakeControllers::start("summer");
    // The embedded platform's dev runs on cluster `dev-eu1`; the test kubeconfig's context is
    // `local`: `--context` points the one cluster there.
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--context", "local"]);
        brief_testkit::paasctl!().run(&all)
    };
    let r = run(&[
        "deploy",
        "golden/cases/summer",
        "-e",
        "dev",
        "--image",
        IMAGE,
        "--timeout",
        "30s",
    ]);
    let err = brief_testkit::text(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(err.contains("app: 2/2 ready"), "{err}");
    assert!(err.contains("deployed summer to dev: release v"), "{err}");
    let r = run(&["status", "golden/cases/summer", "-e", "dev"]);
    let out = brief_testkit::text(&r.stdout);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{out}{}",
        brief_testkit::text(&r.stderr)
    );
    assert!(out.contains("ready      Deployment/summer/summer"), "{out}");
    let r = run(&[
        "releases",
        "golden/cases/summer",
        "-e",
        "dev",
        "--format",
        "json",
    ]);
    assert_eq!(r.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let last = v.as_array().unwrap().last().unwrap();
    assert_eq!(last["status"], "deployed");
    assert_eq!(last["image"], IMAGE);
    assert_eq!(last["strategy"], "simple");
    let r = run(&[
        "deploy",
        "golden/cases/summer",
        "-e",
        "dev",
        "--image",
        "registry.paas.internal/services/app:9.9.9",
        "--dry-run",
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        brief_testkit::text(&r.stderr)
    );
    assert!(brief_testkit::text(&r.stderr).contains("dry run: nothing was changed"));
    // A second release, then `rollback` returns to the first one's stored manifests.
    let next = "registry.paas.internal/services/app:1.4.3";
    let r = run(&[
        "deploy",
        "golden/cases/summer",
        "-e",
        "dev",
        "--image",
        next,
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        brief_testkit::text(&r.stderr)
    );
    let r = run(&["rollback", "golden/cases/summer", "-e", "dev"]);
    let err = brief_testkit::text(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("rolling back summer in dev to v1 ({IMAGE})")),
        "{err}"
    );
    assert!(
        err.contains("rolled back summer in dev: release v3"),
        "{err}"
    );
    let r = run(&["releases", "golden/cases/summer", "-e", "dev"]);
    let out = brief_testkit::text(&r.stdout);
    assert!(out.contains("rollback v1"), "{out}");
    let r = run(&[
        "deploy",
        "golden/cases/summer",
        "-e",
        "dev",
        "--image",
        IMAGE,
        "--kubeconfig",
        "/nonexistent/kubeconfig",
    ]);
    assert_eq!(
        r.status.code(),
        Some(2),
        "{}",
        brief_testkit::text(&r.stderr)
    );
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_failed_migration_job_fails_the_deploy_at_once_with_the_test_acting_as_controllers() {
    let plan = render("full-app", "dev", Some("shop-fail"), IMAGE).unwrap();
    assert!(
        plan.manifests[0].stages.iter().any(|s| s.name == "db"),
        "full-app has a migration"
    );
    let _controllers = FakeControllers::failing_jobs(&plan.service);
    let start = std::time::Instant::now();
    let e = deploy(&plan, &options()).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "it waited for the timeout"
    );
    let Error::Failed { stage, failed, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(stage, "db");
    assert!(
        failed[0].starts_with("Job/shop-fail/shop-fail-migrate-"),
        "{failed:?}"
    );
    assert!(
        failed[0].ends_with(
            "condition Failed=True (BackoffLimitExceeded): Job has reached the specified backoff limit"
        ),
        "{failed:?}"
    );
    let rel = releases(&plan).pop().unwrap();
    assert_eq!(
        (rel.phase, rel.stage.as_str()),
        (ReleasePhase::Failed, "db")
    );
    // The app stage was never applied.
    let d = kube(async |c| {
        Api::<Deployment>::namespaced(c, "shop-fail")
            .get_opt("shop-fail")
            .await
            .unwrap()
    });
    assert!(d.is_none());
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn rollback_reapplies_a_stored_release_as_a_new_one() {
    let plan = summer("summer-rollback");
    let opts = Options {
        no_wait: true,
        ..options()
    };
    let image = |v: &str| format!("registry.paas.internal/services/app:{v}");
    for v in ["1.0.1", "1.0.2"] {
        let p = render("summer", "dev", Some("summer-rollback"), &image(v)).unwrap();
        deploy(&p, &opts).unwrap();
    }
    let live_image = || {
        kube(async |c| {
            Api::<Deployment>::namespaced(c, "summer-rollback")
                .get("summer-rollback")
                .await
                .unwrap()
                .spec
                .unwrap()
                .template
                .spec
                .unwrap()
                .containers[0]
                .image
                .clone()
                .unwrap()
        })
    };
    assert_eq!(live_image(), image("1.0.2"));
    let rollback = |to: Option<u64>| {
        brief_deploy::rollback_plan(&[target()], &plan.service, &plan.env, to, "test", &opts)
    };
    let back = rollback(None).unwrap();
    assert_eq!(back.rollback_of, Some(1));
    assert_eq!(back.image, image("1.0.1"));
    let rel = deploy(&back, &opts).unwrap().release.unwrap();
    assert_eq!((rel.version, rel.strategy.as_str()), (3, "rollback"));
    assert_eq!(live_image(), image("1.0.1"));
    deploy(&rollback(Some(2)).unwrap(), &opts).unwrap();
    assert_eq!(live_image(), image("1.0.2"));
    let seen: Vec<(u64, ReleasePhase, Option<u64>)> = releases(&plan)
        .iter()
        .map(|r| (r.version, r.phase, r.rollback_of))
        .collect();
    assert_eq!(
        seen,
        [
            (1, ReleasePhase::Superseded, None),
            (2, ReleasePhase::Superseded, None),
            (3, ReleasePhase::Superseded, Some(1)),
            (4, ReleasePhase::Deployed, Some(2)),
        ]
    );
    let e = rollback(Some(9)).unwrap_err();
    assert!(e.to_string().contains("has no release v9"), "{e}");
}

/// `paasctl rollback` renders the old release's recorded inputs again with today's platform
/// config: a platform value that lands in every object (`part_of`, the label
/// `app.kubernetes.io/part-of`) changed between the releases is the new one after a rollback, the
/// old one after `rollback --no-regenerate`; both are new releases; a record without inputs (an
/// older paasctl's) falls back to its stored manifests, saying so.
#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn cli_rollback_renders_the_inputs_again_with_todays_platform_unless_no_regenerate() {
    let dir = tempfile::tempdir().unwrap();
    let name = "summer-regen";
    let case = renamed_summer(dir.path(), name);
    let case = case.to_str().unwrap();
    let platform = |file: &str, part_of: &str| {
        let path = dir.path().join(file);
        let text = backend_k8s::DEFAULT_PLATFORM.replacen(
            "part_of = \"brief-paas\"",
            &format!("part_of = \"{part_of}\""),
            1,
        );
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let old = platform("old.toml", "brief-paas");
    let new = platform("new.toml", "brief-paas-next");
    let image = |v: &str| format!("registry.paas.internal/services/app:{v}");
    // The embedded platform's dev runs on cluster `dev-eu1`; `--context local` reaches it here.
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-e", "dev", "--no-wait", "--context", "local"]);
        let r = brief_testkit::paasctl!().run(&all);
        let err = brief_testkit::text(&r.stderr);
        assert_eq!(r.status.code(), Some(0), "{args:?}: {err}");
        err
    };
    for v in ["2.0.1", "2.0.2"] {
        run(&["deploy", case, "--image", &image(v), "--platform", &old]);
    }
    let live = || {
        kube(async |c| {
            let d = Api::<Deployment>::namespaced(c, name)
                .get(name)
                .await
                .unwrap();
            let part_of = d.metadata.labels.unwrap()["app.kubernetes.io/part-of"].clone();
            let image = d.spec.unwrap().template.spec.unwrap().containers[0]
                .image
                .clone()
                .unwrap();
            (image, part_of)
        })
    };
    assert_eq!(live(), (image("2.0.2"), "brief-paas".to_owned()));
    // Today's platform is `new`: the regenerated rollback carries its value with v1's image.
    let err = run(&["rollback", case, "--platform", &new]);
    assert!(
        err.contains(&format!(
            "rolling back {name} in dev to v1 ({}): its inputs rendered again",
            image("2.0.1")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("rolled back {name} in dev: release v3")),
        "{err}"
    );
    assert_eq!(live(), (image("2.0.1"), "brief-paas-next".to_owned()));
    // --no-regenerate: v1's stored manifests, rendered with the old platform.
    let err = run(&[
        "rollback",
        case,
        "--to",
        "1",
        "--no-regenerate",
        "--platform",
        &new,
    ]);
    assert!(
        err.contains("its stored manifests reapplied (--no-regenerate)"),
        "{err}"
    );
    assert!(
        err.contains(&format!("rolled back {name} in dev: release v4")),
        "{err}"
    );
    assert_eq!(live(), (image("2.0.1"), "brief-paas".to_owned()));
    let history = releases(&summer(name));
    let seen: Vec<(u64, &str, Option<u64>, bool)> = history
        .iter()
        .map(|r| (r.version, r.strategy.as_str(), r.rollback_of, r.inputs))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "simple", None, true),
            (2, "simple", None, true),
            (3, "rollback", Some(1), true),
            (4, "rollback", Some(1), true),
        ]
    );
    // A record without inputs (as an older paasctl made them): its stored manifests come back.
    let bare = with_image(&summer(name), &image("2.0.5"));
    assert!(bare.inputs.is_none());
    let v5 = deploy(
        &bare,
        &Options {
            no_wait: true,
            ..options()
        },
    )
    .unwrap()
    .release
    .unwrap();
    assert!(!v5.inputs);
    run(&[
        "deploy",
        case,
        "--image",
        &image("2.0.6"),
        "--platform",
        &new,
    ]);
    let err = run(&["rollback", case, "--to", "5", "--platform", &new]);
    assert!(
        err.contains("its stored manifests reapplied: the record has no inputs"),
        "{err}"
    );
    assert_eq!(live(), (image("2.0.5"), "brief-paas".to_owned()));
}

/// Runs a future against the second test cluster.
fn kube_two<T>(f: impl AsyncFnOnce(kube::Client) -> T) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = controller::client(Some(&kubeconfig_two())).await;
            f(client).await
        })
}

/// Collects a run's events.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<Event>>);

impl Recorder {
    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
}

fn cluster_label(ns: Namespace) -> String {
    ns.metadata.labels.unwrap()["paas.brief.dev/cluster"].clone()
}

#[test]
#[ignore = "needs two kube-apiservers (scripts/test.d/70-deploy.sh)"]
fn two_clusters_get_each_stage_at_once_and_the_next_only_when_both_are_ready_with_the_test_acting_as_controllers(
) {
    let plan = render_for("summer", "dev", Some("summer-two"), IMAGE, &["one", "two"]).unwrap();
    let _one = FakeControllers::start(&plan.service);
    let _two = FakeControllers::start_in(kubeconfig_two(), &plan.service);
    let rec = Recorder::default();
    let progress = |e: &Event| rec.0.lock().unwrap().push(e.clone());
    let outcome =
        brief_deploy::deploy(&[target(), target_two()], &plan, &options(), &progress).unwrap();
    assert_eq!(outcome.release.unwrap().version, 1);
    // Every stage is applied in both clusters before either is done, and no cluster starts a
    // stage before the previous one is done in every cluster.
    let events = rec.events();
    let mut done: Vec<String> = Vec::new();
    let mut applying_in = std::collections::BTreeMap::<String, Vec<String>>::new();
    for e in &events {
        match e {
            Event::StageApplying { cluster, stage, .. } => {
                let order = ["init", "db", "app", "balancing"];
                let i = order.iter().position(|s| s == stage).unwrap();
                for earlier in &order[..i] {
                    let had = plan.manifests[0].stages.iter().any(|s| s.name == *earlier);
                    assert!(
                        !had || done.iter().any(|d| d == earlier),
                        "{cluster} started {stage} before {earlier} was done everywhere: {events:?}"
                    );
                }
                applying_in
                    .entry(stage.clone())
                    .or_default()
                    .push(cluster.clone());
            }
            Event::StageDone { stage } => {
                let mut got = applying_in.get(stage).cloned().unwrap_or_default();
                got.sort();
                assert_eq!(got, ["one", "two"], "{stage}: {events:?}");
                done.push(stage.clone());
            }
            _ => {}
        }
    }
    assert_eq!(done, ["init", "app", "balancing"], "{events:?}");
    assert!(events.contains(&Event::StageProgress {
        cluster: "two".into(),
        stage: "app".into(),
        ready: 2,
        total: 2
    }));
    // Each cluster has its own record of v1, and its own manifests (the cluster label).
    let one = releases_in(target(), &plan);
    let two = releases_in(target_two(), &plan);
    assert_eq!((one.len(), two.len()), (1, 1));
    assert_eq!(
        (one[0].cluster.as_str(), two[0].cluster.as_str()),
        ("one", "two")
    );
    assert_eq!(two[0].phase, ReleasePhase::Deployed);
    let ns =
        |c: kube::Client| async move { Api::<Namespace>::all(c).get("summer-two").await.unwrap() };
    assert_eq!(cluster_label(kube(ns)), "one");
    assert_eq!(cluster_label(kube_two(ns)), "two");
    // The record in cluster two alone can rebuild cluster one: it keeps both clusters' manifests.
    let back = brief_deploy::rollback_plan(
        &[target_two()],
        &plan.service,
        &plan.env,
        Some(1),
        "test",
        &options(),
    )
    .unwrap();
    assert_eq!(back.manifests, plan.manifests);
    for c in brief_deploy::status(
        &[target(), target_two()],
        &plan.service,
        &plan.env,
        &[],
        &options(),
    )
    .unwrap()
    {
        let report = c.report.unwrap();
        assert!(
            report
                .stages
                .iter()
                .all(|s| s.objects.iter().all(|o| o.ready)),
            "{}: {report:?}",
            c.cluster
        );
    }
}

#[test]
#[ignore = "needs two kube-apiservers (scripts/test.d/70-deploy.sh)"]
fn a_timeout_in_one_of_two_clusters_names_that_cluster_the_object_and_why() {
    let plan = render_for("summer", "dev", Some("summer-half"), IMAGE, &["one", "two"]).unwrap();
    // Controllers only in cluster one: cluster two's Deployment never gets a status.
    let _one = FakeControllers::start(&plan.service);
    let e = brief_deploy::deploy(
        &[target(), target_two()],
        &plan,
        &Options {
            timeout: Duration::from_secs(3),
            ..options()
        },
        &quiet,
    )
    .unwrap_err();
    let Error::Timeout {
        cluster,
        stage,
        not_ready,
    } = &e
    else {
        panic!("{e}");
    };
    assert_eq!((cluster.as_str(), stage.as_str()), ("two", "app"));
    assert_eq!(
        not_ready,
        &["Deployment/summer-half/summer-half: no status yet (the controller has not seen it)"]
    );
    assert!(
        e.to_string()
            .starts_with("cluster `two`: stage `app` timed out; not ready:"),
        "{e}"
    );
    // The release failed in both clusters (the balancing stage never started anywhere).
    for t in [target(), target_two()] {
        let rel = releases_in(t, &plan).pop().unwrap();
        assert_eq!(
            (rel.phase, rel.stage.as_str()),
            (ReleasePhase::Failed, "app")
        );
        assert!(rel.message.contains("cluster `two`"), "{}", rel.message);
    }
    let svc = kube(async |c| {
        Api::<k8s_openapi::api::core::v1::Service>::namespaced(c, "summer-half")
            .get_opt("summer-half")
            .await
            .unwrap()
    });
    assert!(svc.is_none(), "cluster one did not go on to balancing");
}

/// A platform.toml whose `dev` has the two test clusters (each a kubeconfig and its context).
fn two_cluster_platform(dir: &std::path::Path) -> std::path::PathBuf {
    let one = std::env::var("KUBECONFIG").expect("KUBECONFIG");
    let two = kubeconfig_two();
    let text = backend_k8s::DEFAULT_PLATFORM.replacen(
        "cluster = \"dev-eu1\"",
        &format!(
            "clusters = {{ one = {{ context = \"local\", kubeconfig = \"{one}\" }}, \
             two = {{ context = \"local\", kubeconfig = \"{}\" }} }}",
            two.display()
        ),
        1,
    );
    let path = dir.join("platform.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `paasctl deploy`, `releases` and `status` on an environment with two clusters.
#[test]
#[ignore = "needs two kube-apiservers (scripts/test.d/70-deploy.sh)"]
fn cli_deploys_to_every_cluster_of_the_environment_with_the_test_acting_as_controllers() {
    let dir = tempfile::tempdir().unwrap();
    let platform = two_cluster_platform(dir.path());
    let platform = platform.to_str().unwrap();
    // A copy of summer under another name, so that it does not meet the single-cluster CLI test.
    let case = renamed_summer(dir.path(), "summer-cli2");
    let case = case.to_str().unwrap();
    let _one = FakeControllers::start("summer-cli2");
    let _two = FakeControllers::start_in(kubeconfig_two(), "summer-cli2");
    let run = |args: &[&str]| brief_testkit::paasctl!().run(args);
    let r = run(&[
        "deploy",
        case,
        "-e",
        "dev",
        "--image",
        IMAGE,
        "--timeout",
        "30s",
        "--platform",
        platform,
    ]);
    let err = brief_testkit::text(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(err.contains("one: app: 2/2 ready"), "{err}");
    assert!(err.contains("two: app: 2/2 ready"), "{err}");
    assert!(err.contains("release v1 in one, two"), "{err}");
    let r = run(&["releases", case, "-e", "dev", "--platform", platform]);
    let out = brief_testkit::text(&r.stdout);
    assert_eq!(r.status.code(), Some(0), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("CLUSTER"), "{out}");
    assert!(lines[1].starts_with("one     v1       deployed"), "{out}");
    assert!(lines[2].starts_with("two     v1       deployed"), "{out}");
    let r = run(&[
        "status",
        case,
        "-e",
        "dev",
        "--platform",
        platform,
        "--format",
        "json",
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        brief_testkit::text(&r.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let clusters: Vec<&str> = v["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(clusters, ["one", "two"]);
    // One cluster of the two, by its name (both contexts are `local`).
    let r = run(&[
        "releases",
        case,
        "-e",
        "dev",
        "--platform",
        platform,
        "--context",
        "two",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["cluster"], "two");
    // The event stream: one JSON object per line on stdout, tagged by `event`.
    let events = |out: &[u8]| -> Vec<serde_json::Value> {
        brief_testkit::text(out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let r = run(&[
        "deploy",
        case,
        "-e",
        "dev",
        "--image",
        "registry.paas.internal/services/app:1.4.3",
        "--timeout",
        "30s",
        "--platform",
        platform,
        "--format",
        "json",
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        brief_testkit::text(&r.stderr)
    );
    let got = events(&r.stdout);
    let kinds: Vec<&str> = got.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"stage-progress"), "{kinds:?}");
    assert_eq!(&kinds[kinds.len() - 2..], ["deployed", "note"], "{kinds:?}");
    assert_eq!(got[kinds.len() - 2]["version"], 2);
    assert!(got
        .iter()
        .any(|e| e["event"] == "stage-done" && e["stage"] == "app"));
    // `sync` as users run it: both clusters already run v2.
    let r = run(&[
        "sync",
        case,
        "-e",
        "dev",
        "--platform",
        platform,
        "--format",
        "json",
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        brief_testkit::text(&r.stderr)
    );
    let got = events(&r.stdout);
    let in_sync: Vec<&str> = got
        .iter()
        .filter(|e| e["event"] == "in-sync")
        .map(|e| e["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(in_sync, ["one", "two"], "{got:?}");
    assert_eq!(
        got.last().unwrap()["message"],
        "summer-cli2 in dev: every cluster runs release v2"
    );
    // A canary in both clusters, aborted; another, promoted.
    let ok = |args: &[&str]| {
        let r = run(args);
        let err = brief_testkit::text(&r.stderr);
        assert_eq!(r.status.code(), Some(0), "{args:?}: {err}");
        err
    };
    let canary = |image: &str| {
        ok(&[
            "deploy",
            case,
            "-e",
            "dev",
            "--image",
            image,
            "--timeout",
            "30s",
            "--platform",
            platform,
            "--strategy",
            "canary",
            "--canary-percent",
            "50",
        ])
    };
    let err = canary("registry.paas.internal/services/app:1.5.0");
    assert!(
        err.contains(
            "canary of summer-cli2 in dev: release v3 beside the stable release in one, two"
        ),
        "{err}"
    );
    let err = ok(&["canary", "abort", case, "-e", "dev", "--platform", platform]);
    assert!(
        err.contains("aborted the canary v3 of summer-cli2 in dev"),
        "{err}"
    );
    canary("registry.paas.internal/services/app:1.6.0");
    let err = ok(&[
        "canary",
        "promote",
        case,
        "-e",
        "dev",
        "--platform",
        platform,
        "--timeout",
        "30s",
    ]);
    assert!(
        err.contains("promoted the canary v4 of summer-cli2 in dev: release v5"),
        "{err}"
    );
    let r = run(&[
        "releases",
        case,
        "-e",
        "dev",
        "--platform",
        platform,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let seen: Vec<(&str, u64, &str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["version"].as_u64().unwrap() >= 3)
        .map(|r| {
            (
                r["cluster"].as_str().unwrap(),
                r["version"].as_u64().unwrap(),
                r["status"].as_str().unwrap(),
                r["strategy"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("one", 3, "rolled-back", "canary"),
            ("one", 4, "superseded", "canary"),
            ("one", 5, "deployed", "canary-promote"),
            ("two", 3, "rolled-back", "canary"),
            ("two", 4, "superseded", "canary"),
            ("two", 5, "deployed", "canary-promote"),
        ]
    );
}

/// A copy of golden/cases/summer in `dir` whose service is named `name` (so that tests running at
/// once do not meet in one namespace).
fn renamed_summer(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let case = dir.join(name);
    copy_dir(&brief_testkit::case_path(CASES, "summer"), &case);
    let app = case.join("app.toml");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        text.replacen("name = \"summer\"", &format!("name = \"{name}\""), 1),
    )
    .unwrap();
    let brief = case.join("service.brief");
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(
        &brief,
        text.replacen("service \"summer\"", &format!("service \"{name}\""), 1),
    )
    .unwrap();
    case
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn live_image_in(client: kube::Client, ns: &str) -> impl std::future::Future<Output = String> {
    let ns = ns.to_owned();
    async move {
        Api::<Deployment>::namespaced(client, &ns)
            .get(&ns)
            .await
            .unwrap()
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .containers[0]
            .image
            .clone()
            .unwrap()
    }
}

fn with_image(plan: &Plan, image: &str) -> Plan {
    let mut p = plan.clone();
    for m in &mut p.manifests {
        for s in &mut m.stages {
            s.yaml = s.yaml.replace(&plan.image, image);
        }
    }
    p.image = image.to_owned();
    p
}

#[test]
#[ignore = "needs two kube-apiservers (scripts/test.d/70-deploy.sh)"]
fn sync_brings_a_cluster_left_at_an_old_release_to_the_release_of_record_with_the_test_acting_as_controllers(
) {
    let plan = render_for("summer", "dev", Some("summer-sync"), IMAGE, &["one", "two"]).unwrap();
    let _one = FakeControllers::start(&plan.service);
    let _two = FakeControllers::start_in(kubeconfig_two(), &plan.service);
    let both = [target(), target_two()];
    brief_deploy::deploy(&both, &plan, &options(), &quiet).unwrap();
    // v2 goes to cluster one alone (as `--context` does): cluster two stays at v1.
    let next = with_image(&plan, "registry.paas.internal/services/app:2.0.0");
    brief_deploy::deploy(&[target()], &next, &options(), &quiet).unwrap();
    assert_eq!(kube_two(|c| live_image_in(c, "summer-sync")), IMAGE);
    let rec = Recorder::default();
    let progress = |e: &Event| rec.0.lock().unwrap().push(e.clone());
    let out = brief_deploy::sync(
        &both,
        &plan.service,
        &plan.env,
        "test",
        &options(),
        &progress,
    )
    .unwrap();
    assert_eq!(
        (out.version, out.synced.as_slice()),
        (2, &["two".to_owned()][..])
    );
    let events = rec.events();
    assert!(events.contains(&Event::InSync {
        cluster: "one".into(),
        version: 2
    }));
    assert!(events.contains(&Event::Syncing {
        cluster: "two".into(),
        version: 2,
        from: Some(1)
    }));
    assert_eq!(
        kube_two(|c| live_image_in(c, "summer-sync")),
        "registry.paas.internal/services/app:2.0.0"
    );
    let phases: Vec<(u64, ReleasePhase)> = releases_in(target_two(), &plan)
        .iter()
        .map(|r| (r.version, r.phase))
        .collect();
    assert_eq!(
        phases,
        [(1, ReleasePhase::Superseded), (2, ReleasePhase::Deployed)]
    );
    // Nothing left to do.
    let again =
        brief_deploy::sync(&both, &plan.service, &plan.env, "test", &options(), &quiet).unwrap();
    assert!(again.synced.is_empty());
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_failed_deploy_rolls_back_to_the_last_deployed_release_unless_told_not_to_with_the_test_acting_as_controllers(
) {
    let plan = summer("summer-auto");
    let _controllers = FakeControllers::start(&plan.service);
    deploy(&plan, &options()).unwrap();
    // An image that never starts: the fake controllers fail its rollout.
    let bad = with_image(&plan, "registry.paas.internal/services/app:bad");
    let e = deploy(&bad, &options()).unwrap_err();
    let Error::RolledBack {
        error,
        to,
        rollback,
    } = &e
    else {
        panic!("{e}");
    };
    assert_eq!(*to, 1);
    assert!(rollback.is_none(), "{e}");
    assert!(
        matches!(error.as_ref(), Error::Failed { stage, .. } if stage == "app"),
        "{e}"
    );
    assert!(
        e.to_string().ends_with("rolled back automatically to v1"),
        "{e}"
    );
    assert_eq!(kube(|c| live_image_in(c, "summer-auto")), IMAGE);
    let seen: Vec<(u64, ReleasePhase, Option<u64>)> = releases(&plan)
        .iter()
        .map(|r| (r.version, r.phase, r.rollback_of))
        .collect();
    assert_eq!(
        seen,
        [
            (1, ReleasePhase::Superseded, None),
            (2, ReleasePhase::RolledBack, None),
            (3, ReleasePhase::Deployed, Some(1)),
        ]
    );
    assert!(
        releases(&plan)[1]
            .message
            .starts_with("rolled back to v1: "),
        "{:?}",
        releases(&plan)[1]
    );
    // --no-auto-rollback: the failed release stays failed, the cluster keeps what was applied.
    let e = deploy(
        &bad,
        &Options {
            no_auto_rollback: true,
            ..options()
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::Failed { .. }), "{e}");
    let last = releases(&plan).pop().unwrap();
    assert_eq!((last.version, last.phase), (4, ReleasePhase::Failed));
    assert_eq!(
        kube(|c| live_image_in(c, "summer-auto")),
        "registry.paas.internal/services/app:bad"
    );
}

fn three_dir() -> std::path::PathBuf {
    std::env::var_os("KUBE_THREE")
        .expect("KUBE_THREE: the third API server's directory (scripts/test.d/70-deploy.sh)")
        .into()
}

fn target_three() -> Target {
    Target {
        name: "three".to_owned(),
        kubeconfig: Some(three_dir().join("kubeconfig")),
        context: None,
    }
}

fn kube_three<T>(f: impl AsyncFnOnce(kube::Client) -> T) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = controller::client(Some(&three_dir().join("kubeconfig"))).await;
            f(client).await
        })
}

fn stop_three() {
    let pid = std::fs::read_to_string(three_dir().join("apiserver.pid")).unwrap();
    let status = std::process::Command::new("kill")
        .arg(pid.trim())
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
}

fn restart_three() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            ". scripts/lib/kube.sh && kube_restart '{}'",
            three_dir().display()
        ))
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success(), "cluster three did not come back");
}

/// Deletes every key of cluster three in the shared etcd (its `--etcd-prefix`), through etcd's
/// gRPC gateway: the cluster loses all its state.
fn wipe_three() {
    let etcd = std::env::var("KUBE_ETCD").expect("KUBE_ETCD");
    let prefix = std::fs::read_to_string(three_dir().join("etcd.prefix")).unwrap();
    let script = r#"k=$(printf '%s/' "$2" | base64 -w0); e=$(printf '%s0' "$2" | base64 -w0)
curl -sf -X POST "$1/v3/kv/deleterange" -d "{\"key\": \"$k\", \"range_end\": \"$e\"}""#;
    let out = std::process::Command::new("bash")
        .args(["-c", script, "wipe", &etcd, prefix.trim()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn no_release_pending(t: Target, plan: &Plan) {
    let pending: Vec<u64> = releases_in(t, plan)
        .iter()
        .filter(|r| r.phase == ReleasePhase::Pending)
        .map(|r| r.version)
        .collect();
    assert!(pending.is_empty(), "left pending: {pending:?}");
}

/// Cluster three goes through what clusters go through: its state lost, its API server stopped in
/// the middle of a stage, the driver killed in the middle of a stage; `sync` and the next deploy
/// recover each time and no release stays pending.
#[test]
#[ignore = "needs three kube-apiservers (scripts/test.d/70-deploy.sh)"]
fn outages_of_cluster_three_are_recovered_by_sync_and_the_next_deploy_with_the_test_acting_as_controllers(
) {
    let plan = render_for(
        "summer",
        "dev",
        Some("summer-out"),
        IMAGE,
        &["one", "three"],
    )
    .unwrap();
    let both = [target(), target_three()];
    let opts = Options {
        lease_duration: Duration::from_secs(3),
        ..options()
    };
    {
        let _one = FakeControllers::start(&plan.service);
        let _three = FakeControllers::start_in(three_dir().join("kubeconfig"), &plan.service);
        brief_deploy::deploy(&both, &plan, &opts, &quiet).unwrap();
    }
    // 1. Cluster three loses all its state (stopped, its etcd prefix deleted, started again on
    //    the empty prefix); sync rebuilds it from the record in cluster one.
    stop_three();
    wipe_three();
    restart_three();
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        kube_three(async |c| {
            Api::<Namespace>::all(c)
                .get_opt("summer-out")
                .await
                .map(|n| n.is_none())
                .unwrap_or(false)
        })
    });
    assert!(gone, "cluster three still has the namespace");
    assert!(releases_in(target_three(), &plan).is_empty());
    {
        let _one = FakeControllers::start(&plan.service);
        let _three = FakeControllers::start_in(three_dir().join("kubeconfig"), &plan.service);
        let rec = Recorder::default();
        let progress = |e: &Event| rec.0.lock().unwrap().push(e.clone());
        let out =
            brief_deploy::sync(&both, &plan.service, &plan.env, "test", &opts, &progress).unwrap();
        assert_eq!(out.synced, ["three"]);
        assert!(rec.events().contains(&Event::Syncing {
            cluster: "three".into(),
            version: 1,
            from: None
        }));
    }
    assert_eq!(kube_three(|c| live_image_in(c, "summer-out")), IMAGE);
    let r = releases_in(target_three(), &plan);
    assert_eq!(
        (r.len(), r[0].version, r[0].phase),
        (1, 1, ReleasePhase::Deployed)
    );
    // 2. The API server of cluster three stops in the middle of the app stage (no controller
    //    there, so the stage waits): the error names the cluster.
    let v2 = with_image(&plan, "registry.paas.internal/services/app:2.0.0");
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(2));
        stop_three();
    });
    let e = {
        let _one = FakeControllers::start(&plan.service);
        brief_deploy::deploy(
            &both,
            &v2,
            &Options {
                no_auto_rollback: true,
                timeout: Duration::from_secs(60),
                ..opts.clone()
            },
            &quiet,
        )
        .unwrap_err()
    };
    stopper.join().unwrap();
    let text = e.to_string();
    assert!(
        text.starts_with("cluster `three`: the API server stopped answering during stage `app`"),
        "{text}"
    );
    assert_eq!(releases(&plan).pop().unwrap().phase, ReleasePhase::Failed);
    restart_three();
    // Its record was left pending (it could not be told); the next deploy marks it failed.
    assert_eq!(
        releases_in(target_three(), &plan).pop().unwrap().phase,
        ReleasePhase::Pending
    );
    std::thread::sleep(Duration::from_secs(3)); // the lease in cluster three expires
    {
        let _one = FakeControllers::start(&plan.service);
        let _three = FakeControllers::start_in(three_dir().join("kubeconfig"), &plan.service);
        let rel = brief_deploy::deploy(&both, &v2, &opts, &quiet)
            .unwrap()
            .release
            .unwrap();
        assert_eq!(rel.version, 3);
    }
    for t in [target(), target_three()] {
        no_release_pending(t, &plan);
    }
    // 3. The driver (the CLI) is killed in the middle of the app stage; the next deploy recovers.
    let dir = tempfile::tempdir().unwrap();
    let one = std::env::var("KUBECONFIG").unwrap();
    let platform = dir.path().join("platform.toml");
    std::fs::write(
        &platform,
        backend_k8s::DEFAULT_PLATFORM.replacen(
            "cluster = \"dev-eu1\"",
            &format!(
                "clusters = {{ one = {{ context = \"local\", kubeconfig = \"{one}\" }}, \
                 three = {{ context = \"local\", kubeconfig = \"{}\" }} }}",
                three_dir().join("kubeconfig").display()
            ),
            1,
        ),
    )
    .unwrap();
    let case = dir.path().join("summer-out");
    copy_dir(&brief_testkit::case_path(CASES, "summer"), &case);
    for (file, from, to) in [
        ("app.toml", "name = \"summer\"", "name = \"summer-out\""),
        (
            "service.brief",
            "service \"summer\"",
            "service \"summer-out\"",
        ),
    ] {
        let p = case.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_paasctl"))
        .args(["deploy", case.to_str().unwrap(), "-e", "dev", "--image"])
        .arg("registry.paas.internal/services/app:4.0.0")
        .args(["--platform", platform.to_str().unwrap(), "--lease", "3s"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mid_stage = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        releases(&plan)
            .last()
            .is_some_and(|r| r.version == 4 && r.phase == ReleasePhase::Pending && r.stage == "app")
    });
    assert!(mid_stage, "the CLI never reached the app stage");
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_secs(3)); // its leases expire
    {
        let _one = FakeControllers::start(&plan.service);
        let _three = FakeControllers::start_in(three_dir().join("kubeconfig"), &plan.service);
        let rec = Recorder::default();
        let progress = |e: &Event| rec.0.lock().unwrap().push(e.clone());
        let rel = brief_deploy::deploy(&both, &v2, &opts, &progress)
            .unwrap()
            .release
            .unwrap();
        assert_eq!(rel.version, 5);
        assert!(rec.events().contains(&Event::Recovered {
            cluster: "three".into(),
            version: 4
        }));
    }
    for t in [target(), target_three()] {
        no_release_pending(t.clone(), &plan);
        let v4 = releases_in(t, &plan)
            .into_iter()
            .find(|r| r.version == 4)
            .unwrap();
        assert_eq!(v4.phase, ReleasePhase::Failed);
        assert!(v4.message.contains("interrupted"), "{}", v4.message);
    } // 4. Cluster three is down while cluster two (which never had the service) is behind the
      //    release of record in cluster one: a plain sync refuses and changes nothing; with
      //    skip_unreachable it syncs two and reports three; once three is back, sync brings it.
    let v6 = render_for(
        "summer",
        "dev",
        Some("summer-out"),
        "registry.paas.internal/services/app:6.0.0",
        &["one", "two", "three"],
    )
    .unwrap();
    {
        let _one = FakeControllers::start(&plan.service);
        let rel = brief_deploy::deploy(&[target()], &v6, &opts, &quiet)
            .unwrap()
            .release
            .unwrap();
        assert_eq!(rel.version, 6);
    }
    stop_three();
    let all = [target(), target_two(), target_three()];
    let e = brief_deploy::sync(&all, &plan.service, &plan.env, "test", &opts, &quiet).unwrap_err();
    assert!(e.to_string().starts_with("cluster `three`: "), "{e}");
    assert!(e.is_cluster(), "{e:?}");
    assert!(releases_in(target_two(), &plan).is_empty());
    {
        let _one = FakeControllers::start(&plan.service);
        let _two = FakeControllers::start_in(kubeconfig_two(), &plan.service);
        let rec = Recorder::default();
        let progress = |e: &Event| rec.0.lock().unwrap().push(e.clone());
        let skip = Options {
            skip_unreachable: true,
            ..opts.clone()
        };
        let out =
            brief_deploy::sync(&all, &plan.service, &plan.env, "test", &skip, &progress).unwrap();
        assert_eq!(
            (out.version, out.synced, out.unreachable),
            (6, vec!["two".to_owned()], vec!["three".to_owned()])
        );
        assert!(
            rec.events()
                .iter()
                .any(|e| matches!(e, Event::Unreachable { cluster, .. } if cluster == "three")),
            "{:?}",
            rec.events()
        );
    }
    assert_eq!(
        kube_two(|c| live_image_in(c, "summer-out")),
        "registry.paas.internal/services/app:6.0.0"
    );
    restart_three();
    {
        let _three = FakeControllers::start_in(three_dir().join("kubeconfig"), &plan.service);
        let out =
            brief_deploy::sync(&all, &plan.service, &plan.env, "test", &opts, &quiet).unwrap();
        assert_eq!(out.synced, ["three"]);
        assert!(out.unreachable.is_empty());
    }
    assert_eq!(
        kube_three(|c| live_image_in(c, "summer-out")),
        "registry.paas.internal/services/app:6.0.0"
    );
    for t in all {
        no_release_pending(t, &plan);
    }
}

/// The benchmark of scripts/bench-deploy.sh (skipped by the test stage): wall time of a deploy of
/// summer to two clusters against one, each cluster with the fake controllers, the median of
/// `BENCH_RUNS` (default 5) runs of each, interleaved, after one warm-up deploy of each (the CRDs
/// installed). The driver polls readiness every `BENCH_POLL_MS` (default 50) ms. Prints the
/// figures and the ratio.
#[test]
#[ignore = "a benchmark: scripts/bench-deploy.sh"]
fn bench_a_deploy_to_two_clusters_against_one() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let poll = std::env::var("BENCH_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let opts = Options {
        poll: Duration::from_millis(poll),
        ..options()
    };
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        for clusters in [1, 2] {
            let name = format!("summer-bench{clusters}-{i}");
            let names: &[&str] = if clusters == 1 {
                &["one"]
            } else {
                &["one", "two"]
            };
            let plan = render_for("summer", "dev", Some(&name), IMAGE, names).unwrap();
            let _c1 = FakeControllers::start(&plan.service);
            let _c2 = FakeControllers::start_in(kubeconfig_two(), &plan.service);
            let targets: Vec<Target> = if clusters == 1 {
                vec![target()]
            } else {
                vec![target(), target_two()]
            };
            let start = std::time::Instant::now();
            let trace = std::env::var_os("BENCH_TRACE").is_some()
                && (i == runs || std::env::var_os("BENCH_TRACE_ALL").is_some());
            let progress = |e: &Event| {
                if trace {
                    println!("  {clusters} {:>5} ms  {e}", start.elapsed().as_millis());
                }
            };
            brief_deploy::deploy(&targets, &plan, &opts, &progress).unwrap();
            let took = start.elapsed();
            if i == 0 {
                continue; // the warm-up
            }
            if clusters == 1 {
                one.push(took);
            } else {
                two.push(took);
            }
        }
    }
    let (m1, m2) = (median(one.clone()), median(two.clone()));
    let every = std::env::var("FAKE_CONTROLLERS_MS").unwrap_or_else(|_| "200".to_owned());
    println!(
        "deploy of summer, median of {runs} runs each (driver poll {poll} ms, fake controllers \
         every {every} ms):"
    );
    println!("  one cluster:  {:>6} ms  {one:?}", m1.as_millis());
    println!("  two clusters: {:>6} ms  {two:?}", m2.as_millis());
    println!(
        "  ratio two/one: {:.2} (target <= 1.10)",
        m2.as_secs_f64() / m1.as_secs_f64()
    );
}

#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_canary_runs_beside_stable_and_is_aborted_or_promoted_with_the_test_acting_as_controllers() {
    let plan = summer("summer-can");
    let _controllers = FakeControllers::start(&plan.service);
    deploy(&plan, &options()).unwrap();
    let canary = |image: &str, percent: u32| {
        let mut p = with_image(&plan, image);
        p.strategy = "canary".to_owned();
        deploy(
            &p,
            &Options {
                canary_percent: percent,
                ..options()
            },
        )
        .unwrap()
        .release
        .unwrap()
    };
    let get = |name: &'static str| {
        kube(async move |c| {
            Api::<Deployment>::namespaced(c, "summer-can")
                .get_opt(name)
                .await
                .unwrap()
        })
    };
    let image_of = |d: &Deployment| {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .image
            .clone()
            .unwrap()
    };
    // 50% beside 2 stable replicas: 2 canary replicas, the stable Deployment untouched.
    let rel = canary("registry.paas.internal/services/app:2.0.0", 50);
    assert_eq!((rel.version, rel.phase), (2, ReleasePhase::Canary));
    let c = get("summer-can-canary").expect("the canary Deployment");
    assert_eq!(c.spec.as_ref().unwrap().replicas, Some(2));
    assert_eq!(image_of(&c), "registry.paas.internal/services/app:2.0.0");
    let track = |d: &Deployment| {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .as_ref()
            .unwrap()[brief_deploy::TRACK_LABEL]
            .clone()
    };
    assert_eq!(track(&c), "canary");
    assert_eq!(image_of(&get("summer-can").unwrap()), IMAGE);
    let phases = || -> Vec<(u64, ReleasePhase)> {
        releases(&plan)
            .iter()
            .map(|r| (r.version, r.phase))
            .collect()
    };
    assert_eq!(
        phases(),
        [(1, ReleasePhase::Deployed), (2, ReleasePhase::Canary)]
    );
    // Abort: the canary is gone, stable keeps running.
    let v = brief_deploy::canary_abort(
        &[target()],
        &plan.service,
        &plan.env,
        "test",
        &options(),
        &quiet,
    )
    .unwrap();
    assert_eq!(v, 2);
    assert!(get("summer-can-canary").is_none());
    assert_eq!(image_of(&get("summer-can").unwrap()), IMAGE);
    assert_eq!(
        phases(),
        [(1, ReleasePhase::Deployed), (2, ReleasePhase::RolledBack)]
    );
    // 10% beside 2: one canary replica; promote makes it the stable release.
    canary("registry.paas.internal/services/app:3.0.0", 10);
    assert_eq!(
        get("summer-can-canary").unwrap().spec.unwrap().replicas,
        Some(1)
    );
    let (promote, from) =
        brief_deploy::promote_plan(&[target()], &plan.service, &plan.env, "test", &options())
            .unwrap();
    assert_eq!(from, 3);
    let rel = deploy(&promote, &options()).unwrap().release.unwrap();
    assert_eq!((rel.version, rel.strategy.as_str()), (4, "canary-promote"));
    assert!(get("summer-can-canary").is_none(), "the canary was pruned");
    assert_eq!(
        image_of(&get("summer-can").unwrap()),
        "registry.paas.internal/services/app:3.0.0"
    );
    assert_eq!(
        phases(),
        [
            (1, ReleasePhase::Superseded),
            (2, ReleasePhase::RolledBack),
            (3, ReleasePhase::Superseded),
            (4, ReleasePhase::Deployed)
        ]
    );
    let e = brief_deploy::canary_abort(
        &[target()],
        &plan.service,
        &plan.env,
        "test",
        &options(),
        &quiet,
    )
    .unwrap_err();
    assert!(e.to_string().contains("has no canary running"), "{e}");
}

/// Installs the Gateway API's HTTPRoute CRD (from $GATEWAY_API_CRDS, scripts/test.d/70-deploy.sh)
/// and waits until it is Established.
fn install_http_route_crd() {
    install_gateway_api_crd("httproutes");
}

/// Installs one CRD of the Gateway API (`httproutes`, `gateways`) and waits until it is
/// Established.
fn install_gateway_api_crd(plural: &str) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let dir = std::env::var("GATEWAY_API_CRDS")
        .expect("GATEWAY_API_CRDS: the Gateway API's CRDs (scripts/test.d/70-deploy.sh)");
    let path = std::path::Path::new(&dir).join(format!("gateway.networking.k8s.io_{plural}.yaml"));
    let crd: CustomResourceDefinition =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let name = format!("{plural}.gateway.networking.k8s.io");
    kube(async |c| {
        let api = Api::<CustomResourceDefinition>::all(c);
        let params = kube::api::PatchParams::apply("paasctl-test").force();
        api.patch(&name, &params, &kube::api::Patch::Apply(&crd))
            .await
            .unwrap();
        for _ in 0..100 {
            let live = api.get(&name).await.unwrap();
            let established = live
                .status
                .and_then(|s| s.conditions)
                .unwrap_or_default()
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            if established {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the CRD {name} is not Established");
    });
}

fn gateway_api(kind: &str, plural: &str) -> kube::api::ApiResource {
    kube::api::ApiResource {
        group: "gateway.networking.k8s.io".to_owned(),
        version: "v1".to_owned(),
        api_version: "gateway.networking.k8s.io/v1".to_owned(),
        kind: kind.to_owned(),
        plural: plural.to_owned(),
    }
}

fn condition(type_: &str, generation: i64) -> serde_json::Value {
    serde_json::json!({"type": type_, "status": "True", "reason": type_, "message": "",
        "observedGeneration": generation, "lastTransitionTime": "2026-12-02T00:00:00Z"})
}

/// With a gateway controller (the test acts as it: its Gateway's status says Accepted), an
/// HTTPRoute is ready only once its parent accepted it: the deploy times out naming the Gateway
/// and why, and goes through once the route's status (patched by the test as the controller)
/// says Accepted and ResolvedRefs.
#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn an_httproute_waits_for_the_gateway_controller_when_there_is_one_with_the_test_acting_as_controllers(
) {
    install_http_route_crd();
    install_gateway_api_crd("gateways");
    let name = "summer-gwc";
    let platform = format!(
        "{}\n[canary]\ntraffic = \"httproute\"\ngateway = \"paas\"\ngateway_namespace = \"gw-ctrl\"\n",
        backend_k8s::DEFAULT_PLATFORM
    );
    let plan = render_with(&platform, "summer", "dev", Some(name), IMAGE, &["one"]).unwrap();
    kube(async |c| {
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"apiVersion": "v1", "kind": "Namespace",
                               "metadata": {"name": "gw-ctrl"}}))
            .unwrap();
        let params = kube::api::PatchParams::apply("paasctl-test").force();
        Api::<Namespace>::all(c.clone())
            .patch("gw-ctrl", &params, &kube::api::Patch::Apply(&ns))
            .await
            .unwrap();
        let gw = Api::<kube::api::DynamicObject>::namespaced_with(
            c,
            "gw-ctrl",
            &gateway_api("Gateway", "gateways"),
        );
        let gateway: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "paas", "namespace": "gw-ctrl"},
            "spec": {"gatewayClassName": "example", "listeners": [{"name": "http", "port": 80,
                     "protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": "All"}}}]},
        }))
        .unwrap();
        let live = gw
            .patch("paas", &params, &kube::api::Patch::Apply(&gateway))
            .await
            .unwrap();
        let generation = live.metadata.generation.unwrap();
        let status = serde_json::json!({"status": {"conditions": [
            condition("Accepted", generation), condition("Programmed", generation)]}});
        gw.patch_status(
            "paas",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&status),
        )
        .await
        .unwrap();
    });
    let _controllers = FakeControllers::start(name);
    let short = Options {
        timeout: Duration::from_secs(3),
        ..options()
    };
    let e = deploy(&plan, &short).unwrap_err().to_string();
    assert!(e.contains("stage `balancing` timed out"), "{e}");
    assert!(
        e.contains(&format!(
            "HTTPRoute/{name}/{name}: Gateway/gw-ctrl/paas: its controller has not accepted the \
             route yet"
        )),
        "{e}"
    );
    // The test as the gateway controller: the route accepted and its backends resolved.
    kube(async |c| {
        let routes = Api::<kube::api::DynamicObject>::namespaced_with(
            c,
            name,
            &gateway_api("HTTPRoute", "httproutes"),
        );
        let generation = routes.get(name).await.unwrap().metadata.generation.unwrap();
        let status = serde_json::json!({"status": {"parents": [{
            "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                          "name": "paas", "namespace": "gw-ctrl"},
            "controllerName": "example.net/gateway",
            "conditions": [condition("Accepted", generation),
                           condition("ResolvedRefs", generation)]}]}});
        routes
            .patch_status(
                name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&status),
            )
            .await
            .unwrap();
    });
    let rel = deploy(&plan, &options()).unwrap().release.unwrap();
    assert_eq!(rel.phase, ReleasePhase::Deployed);
}

/// platform.toml's `[canary] traffic = "httproute"`: the balancing stage has an HTTPRoute (stable
/// 100); a canary gets its own instance, a `-canary` Service and the route's weights (90/10);
/// `abort` puts the route back at stable 100 and removes the canary Deployment and Service; a
/// 25% canary promoted leaves the route at stable 100 with the new image. No gateway controller
/// runs (the API server alone, the CRD from the Gateway API's module): the route is ready once
/// applied, as docs/deploy.md says.
#[test]
#[ignore = "needs a kube-apiserver (scripts/test.d/70-deploy.sh)"]
fn a_canary_split_by_httproute_weights_is_aborted_or_promoted_with_the_test_acting_as_controllers()
{
    install_http_route_crd();
    let name = "summer-route";
    let platform = format!(
        "{}\n[canary]\ntraffic = \"httproute\"\ngateway = \"paas\"\ngateway_namespace = \"gateway-system\"\n",
        backend_k8s::DEFAULT_PLATFORM
    );
    let plan = render_with(&platform, "summer", "dev", Some(name), IMAGE, &["one"]).unwrap();
    let balancing = &plan.manifests[0].stages.last().unwrap();
    assert_eq!(balancing.name, "balancing");
    assert!(
        balancing.yaml.contains("kind: HTTPRoute"),
        "{}",
        balancing.yaml
    );
    let _controllers = FakeControllers::start(name);
    deploy(&plan, &options()).unwrap();
    let weights = || {
        kube(async |c| {
            let ar = kube::api::ApiResource {
                group: "gateway.networking.k8s.io".to_owned(),
                version: "v1".to_owned(),
                api_version: "gateway.networking.k8s.io/v1".to_owned(),
                kind: "HTTPRoute".to_owned(),
                plural: "httproutes".to_owned(),
            };
            let live = Api::<kube::api::DynamicObject>::namespaced_with(c, name, &ar)
                .get(name)
                .await
                .unwrap();
            let route: brief_deploy::route::HttpRoute =
                serde_json::from_value(serde_json::to_value(live).unwrap()).unwrap();
            route.weights()
        })
    };
    let exists = |kind: &'static str, object: String| {
        kube(async move |c| match kind {
            "Service" => Api::<k8s_openapi::api::core::v1::Service>::namespaced(c, name)
                .get_opt(&object)
                .await
                .unwrap()
                .map(|s| s.spec.unwrap().selector.unwrap()),
            _ => Api::<Deployment>::namespaced(c, name)
                .get_opt(&object)
                .await
                .unwrap()
                .map(|d| d.spec.unwrap().selector.match_labels.unwrap()),
        })
    };
    let canary_name = format!("{name}-canary");
    assert_eq!(weights(), [(name.to_owned(), 100)]);
    let canary = |image: &str, percent: u32| {
        let mut p = with_image(&plan, image);
        p.strategy = "canary".to_owned();
        let opts = Options {
            canary_percent: percent,
            ..options()
        };
        deploy(&p, &opts).unwrap().release.unwrap()
    };
    let rel = canary("registry.paas.internal/services/app:3.0.0", 10);
    assert_eq!(rel.phase, ReleasePhase::Canary);
    assert_eq!(
        weights(),
        [(name.to_owned(), 90), (canary_name.clone(), 10)]
    );
    // The canary is its own instance: the stable Service does not select its pods.
    let svc = exists("Service", canary_name.clone()).expect("the canary Service");
    assert_eq!(svc["app.kubernetes.io/instance"], canary_name);
    assert_eq!(svc[brief_deploy::TRACK_LABEL], "canary");
    let dep = exists("Deployment", canary_name.clone()).expect("the canary Deployment");
    assert_eq!(dep["app.kubernetes.io/instance"], canary_name);
    assert_eq!(
        exists("Service", name.to_owned()).unwrap()["app.kubernetes.io/instance"],
        name
    );
    brief_deploy::canary_abort(&[target()], name, &plan.env, "test", &options(), &quiet).unwrap();
    assert_eq!(weights(), [(name.to_owned(), 100)]);
    assert!(exists("Service", canary_name.clone()).is_none());
    assert!(exists("Deployment", canary_name.clone()).is_none());
    canary("registry.paas.internal/services/app:3.1.0", 25);
    assert_eq!(
        weights(),
        [(name.to_owned(), 75), (canary_name.clone(), 25)]
    );
    let (promote, _) =
        brief_deploy::promote_plan(&[target()], name, &plan.env, "test", &options()).unwrap();
    deploy(&promote, &options()).unwrap();
    assert_eq!(weights(), [(name.to_owned(), 100)]);
    assert!(exists("Service", canary_name.clone()).is_none());
    assert!(exists("Deployment", canary_name.clone()).is_none());
    let live = kube(async |c| live_image_in(c, name).await);
    assert_eq!(live, "registry.paas.internal/services/app:3.1.0");
}
