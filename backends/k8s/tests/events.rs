//! Events end to end in the manifests: for every golden case that consumes events, in every
//! environment, object by object, the data bus can reach the consumer's `POST /events/<topic>`
//! and the consumer can reach the data bus; a publisher can reach the bus too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use backend_k8s::platform::{self, PlatformFile};
use backend_k8s::{calls_label, generate, Request, SELF_URL_VAR};
use brief_testkit::corpus::CASES;
use compiler::wiring::DATA_BUS;
use compiler::{Compiler, OsFs};
use serde::Deserialize;
use serde_json::Value;

/// Every object of every stage file, as JSON values.
fn objects(case: &str, env: &str) -> (Vec<Value>, compiler::Ir) {
    objects_at(&brief_testkit::case_path(CASES, case), env)
}

fn objects_at(project: &std::path::Path, env: &str) -> (Vec<Value>, compiler::Ir) {
    let out = Compiler::new().check_project(&OsFs, project);
    let ir = out
        .ir
        .clone()
        .unwrap_or_else(|| panic!("{}: {:?}", project.display(), out.diagnostics));
    let mut sources = out.sources.clone();
    let pf: PlatformFile = platform::load_default(&mut sources).unwrap();
    let req = Request {
        platform: &pf,
        app_toml: out.app.as_ref().map(|a| &a.locations),
        env,
        image: None,
    };
    let m = generate(&ir, req).unwrap();
    let mut objs = Vec::new();
    for f in &m.files {
        for doc in serde_norway::Deserializer::from_str(&f.yaml) {
            let v = Value::deserialize(doc).unwrap();
            if !v.is_null() {
                objs.push(v);
            }
        }
    }
    (objs, ir)
}

fn of_kind<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

fn one<'a>(objs: &'a [Value], kind: &str) -> &'a Value {
    let found = of_kind(objs, kind);
    assert_eq!(found.len(), 1, "one {kind}");
    found[0]
}

/// Whether a NetworkPolicy peer list selects namespace `ns` (by its name label).
fn peers_select_namespace(rule: &Value, side: &str, ns: &str) -> bool {
    rule[side].as_array().is_some_and(|peers| {
        peers.iter().any(|p| {
            p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == ns
                && p.get("podSelector").is_none()
        })
    })
}

fn ports_include(rule: &Value, port: &Value) -> bool {
    rule["ports"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| &p["port"] == port))
}

/// Golden cases whose service consumes events.
fn consumers() -> Vec<String> {
    brief_testkit::cases(CASES)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| {
            let out = Compiler::new().check_project(&OsFs, &brief_testkit::case_path(CASES, name));
            out.ir.is_some_and(|ir| {
                ir.app.is_some() && !ir.subscriptions.is_empty() && {
                    ir.app.as_ref().is_some_and(|a| a.engine.is_some())
                }
            })
        })
        .collect()
}

#[test]
fn the_corpus_has_consumers_of_events_including_a_worker() {
    let names = consumers();
    assert!(names.contains(&"full-app".to_owned()), "{names:?}");
    assert!(names.contains(&"worker-minimal".to_owned()), "{names:?}");
}

#[test]
fn the_bus_reaches_every_consumer_and_every_consumer_reaches_the_bus() {
    let mut sources = compiler::Sources::new();
    let pf = platform::load_default(&mut sources).unwrap();
    for case in consumers() {
        for env in pf.platform.environments.keys() {
            let (objs, ir) = objects(&case, env);
            let app = ir.app.as_ref().unwrap();
            let name = app.name.as_str();
            let at = format!("{case}@{env}");

            // The bus -> the consumer: a Service selects the pods on their `http` port ...
            let deployment = one(&objs, "Deployment");
            let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
            let container = &deployment["spec"]["template"]["spec"]["containers"][0];
            let http = container["ports"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "http")
                .unwrap_or_else(|| panic!("{at}: container has an http port"));
            let service = of_kind(&objs, "Service")
                .into_iter()
                .find(|s| s["metadata"]["name"] == name)
                .unwrap_or_else(|| panic!("{at}: a consumer has a Service"));
            assert_eq!(service["spec"]["ports"][0]["targetPort"], "http", "{at}");
            for (k, v) in service["spec"]["selector"].as_object().unwrap() {
                assert_eq!(&pod_labels[k], v, "{at}: the Service selects the pods");
            }
            // ... and the NetworkPolicy of those pods admits the bus's namespace on that port.
            let policy = one(&objs, "NetworkPolicy");
            for (k, v) in policy["spec"]["podSelector"]["matchLabels"]
                .as_object()
                .unwrap()
            {
                assert_eq!(&pod_labels[k], v, "{at}: the policy selects the pods");
            }
            let ingress = policy["spec"]["ingress"].as_array().unwrap();
            assert!(
                ingress
                    .iter()
                    .any(|r| peers_select_namespace(r, "from", DATA_BUS)
                        && ports_include(r, &Value::from("http"))),
                "{at}: the data bus may deliver to the http port: {ingress:?}"
            );
            assert_eq!(http["containerPort"], 8080, "{at}");

            // The consumer knows its own base URL (for Subscribe), and it is the Service's.
            let config = one(&objs, "ConfigMap");
            let own = config["data"][SELF_URL_VAR]
                .as_str()
                .unwrap_or_else(|| panic!("{at}: {SELF_URL_VAR} is set"));
            let ns = service["metadata"]["namespace"].as_str().unwrap();
            assert!(
                own.starts_with(&format!("http://{name}.{ns}.svc.")),
                "{at}: {own} is the Service's address"
            );

            // The consumer -> the bus: the bus's URL, egress to its namespace, and the
            // `calls-data-bus` label the bus's own policy admits.
            assert!(
                config["data"]["SERVICE_DATA_BUS_URL"].is_string(),
                "{at}: the bus's URL is set"
            );
            let egress = policy["spec"]["egress"].as_array().unwrap();
            assert!(
                egress
                    .iter()
                    .any(|r| peers_select_namespace(r, "to", DATA_BUS)
                        && ports_include(r, &Value::from(8080))),
                "{at}: the consumer may call the data bus: {egress:?}"
            );
            let namespace = one(&objs, "Namespace");
            assert_eq!(
                namespace["metadata"]["labels"][calls_label(DATA_BUS)],
                "true",
                "{at}: the namespace is labelled as a caller of the bus"
            );
        }
    }
}

#[test]
fn a_worker_that_consumes_no_events_stays_unreachable() {
    // worker-minimal without its subscription: no Service, no SERVICE_URL, no ingress from the bus.
    let dir = tempfile::tempdir().unwrap();
    let case = brief_testkit::case_path(CASES, "worker-minimal");
    let app = std::fs::read_to_string(case.join("app.toml"))
        .unwrap()
        .replace("subscribe = [\"invoice.paid\"]\n", "");
    std::fs::write(dir.path().join("app.toml"), app).unwrap();
    let (objs, ir) = objects_at(dir.path(), "dev");
    assert!(ir.subscriptions.is_empty());
    assert!(of_kind(&objs, "Service").is_empty(), "no Service");
    assert!(one(&objs, "ConfigMap")["data"].get(SELF_URL_VAR).is_none());
    let policy = one(&objs, "NetworkPolicy");
    let ingress = policy["spec"]["ingress"].as_array().unwrap();
    assert!(
        !ingress
            .iter()
            .any(|r| peers_select_namespace(r, "from", DATA_BUS)),
        "{ingress:?}"
    );
}
