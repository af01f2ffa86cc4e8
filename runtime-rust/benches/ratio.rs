//! The round trip's ratio to bare hyper, measured robustly on a loaded machine: the typed
//! client with the router, and the bare hyper client with a bare server (as in
//! `round_trip.rs`), run alternately in blocks of 20 calls on the same runtime, 400 blocks each;
//! printed are the median block times and the median of the per-pair ratios
//! (`cargo bench -p brief-runtime --bench ratio`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
mod support;
use brief_runtime::{CallOptions, Client, ClientOptions, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::{Duration, Instant};
use support::{Msg, Never, ECHO};

const BLOCK: u32 = 20;
const BLOCKS: usize = 400;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (brief_url, bare_url) = support::start_servers().await;
        let client = Client::new("bench", ClientOptions::new().base_url(brief_url)).unwrap();
        let bare: hyper_util::client::legacy::Client<_, Full<Bytes>> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        let msg = Msg {
            id: 7,
            tags: vec!["a".into(), "b".into()],
        };
        let ctx = Context::background();
        let typed_block = || async {
            let t = Instant::now();
            for _ in 0..BLOCK {
                let out: Result<Msg, Never> =
                    client.invoke(&ctx, &ECHO, &msg, &CallOptions::new()).await;
                assert!(out.is_ok());
            }
            t.elapsed()
        };
        let bare_block = || async {
            let t = Instant::now();
            for _ in 0..BLOCK {
                let req = http::Request::post(&bare_url)
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(serde_json::to_vec(&msg).unwrap())))
                    .unwrap();
                let resp = bare.request(req).await.unwrap();
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                let out: Msg = serde_json::from_slice(&body).unwrap();
                assert_eq!(out.id, 7);
            }
            t.elapsed()
        };
        for _ in 0..50 {
            typed_block().await;
            bare_block().await;
        }
        let per_call = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(BLOCK);
        let (mut typed, mut bare_t, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..BLOCKS {
            let (t, b) = if i % 2 == 0 {
                let t = typed_block().await;
                (t, bare_block().await)
            } else {
                let b = bare_block().await;
                (typed_block().await, b)
            };
            typed.push(per_call(t));
            bare_t.push(per_call(b));
            ratios.push(t.as_secs_f64() / b.as_secs_f64());
        }
        let (t, b) = (median(&mut typed), median(&mut bare_t));
        println!(
            "ratio: typed client + router {t:.1} us, bare hyper {b:.1} us (medians of {BLOCKS} blocks of {BLOCK} calls), ratio of medians {:.3}, median of paired ratios {:.3}",
            t / b,
            median(&mut ratios)
        );
    });
}
