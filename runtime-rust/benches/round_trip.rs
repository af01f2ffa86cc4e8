//! Criterion benchmarks of the runtime: one call through the typed client and router
//! (`Client::invoke` + `RouterBuilder::handle`: encode, headers, breaker, budget, metrics, decode)
//! against a bare hyper POST with serde_json to a bare hyper server, both over 127.0.0.1 on one
//! tokio runtime; and the circuit breaker's cost per call (permission + recording a success).
//! `cargo bench -p brief-runtime` (docs/rust.md has the figures).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
mod support;
use brief_runtime::breaker::{Breaker, Outcome};
use brief_runtime::{CallOptions, Client, ClientOptions, Context};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::{BodyExt, Full};
use support::{Msg, Never, ECHO};

fn round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (brief_url, bare_url) = rt.block_on(support::start_servers());
    let client = Client::new("bench", ClientOptions::new().base_url(brief_url)).unwrap();
    let bare: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let msg = Msg {
        id: 7,
        tags: vec!["a".into(), "b".into()],
    };
    let ctx = Context::background();
    let mut g = c.benchmark_group("round_trip");
    g.bench_function("typed_client_and_router", |b| {
        b.to_async(&rt).iter(|| async {
            let out: Result<Msg, Never> =
                client.invoke(&ctx, &ECHO, &msg, &CallOptions::new()).await;
            assert!(out.is_ok());
        })
    });
    let to_bare = Client::new(
        "bench",
        ClientOptions::new().base_url(bare_url.trim_end_matches("/echo")),
    )
    .unwrap();
    g.bench_function("typed_client_to_bare_server", |b| {
        b.to_async(&rt).iter(|| async {
            let out: Result<Msg, Never> =
                to_bare.invoke(&ctx, &ECHO, &msg, &CallOptions::new()).await;
            assert!(out.is_ok());
        })
    });
    g.bench_function("bare_hyper_serde_json", |b| {
        b.to_async(&rt).iter(|| async {
            let req = http::Request::post(&bare_url)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(serde_json::to_vec(&msg).unwrap())))
                .unwrap();
            let resp = bare.request(req).await.unwrap();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            let out: Msg = serde_json::from_slice(&body).unwrap();
            assert_eq!(out.id, 7);
        })
    });
    g.finish();
}

fn breaker(c: &mut Criterion) {
    let b = Breaker::default();
    let mut now = 0u64;
    c.bench_function("breaker_allow_and_record_success", |bench| {
        bench.iter(|| {
            now += 1;
            let t = b.allow(std::hint::black_box(now)).unwrap();
            b.record(t, Outcome::Success, now);
        })
    });
}

criterion_group!(benches, round_trip, breaker);
criterion_main!(benches);
