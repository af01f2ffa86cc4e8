//! Benchmark: the manifests of 1,000 services for one environment, in one run.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
use backend_k8s::{generate, platform, Request};
use compiler::{FileId, Ir};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn service(i: usize) -> Ir {
    let src = format!(
        r#"name = "svc-{i}"
kind = "business"
replicas = 3
public_host = "svc-{i}.staging.brief.example"
secrets = ["DB_PASSWORD", "API_KEY"]

[engine]
name = "golang"
version = "1.23"
size = "medium"

[env]
LOG_LEVEL = "info"

[[dependencies]]
name = "svc-{a}"

[[dependencies]]
name = "svc-{b}"

[[storages]]
kind = "postgresql"
name = "main"
migrations = "migrations"

[[crons]]
name = "cleanup"
schedule = "0 3 * * *"
command = ["bin/cleanup"]

[autoscaling]
min = 3
max = 10
"#,
        a = (i + 1) % 1000,
        b = (i + 7) % 1000
    );
    let (app, diags) = compiler::app::parse(FileId(0), &src);
    assert!(diags.is_empty(), "{diags:?}");
    Ir {
        version: compiler::ir::IR_VERSION,
        service: None,
        dependencies: Vec::new(),
        app: app.map(|a| a.config),
        subscriptions: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let pf = platform::default_platform(FileId(1)).expect("the embedded platform is valid");
    let irs: Vec<Ir> = (0..1000).map(service).collect();
    let mut group = c.benchmark_group("manifests");
    group.sample_size(10);
    group.bench_function("1000 services, staging", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for ir in &irs {
                let m = generate(
                    ir,
                    Request {
                        platform: &pf,
                        app_toml: None,
                        env: "staging",
                        image: Some("registry.paas.internal/services/app:1.0.0"),
                    },
                )
                .expect("valid input");
                bytes += m.files.iter().map(|f| f.yaml.len()).sum::<usize>();
            }
            black_box(bytes)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
