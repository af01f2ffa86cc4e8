//! Retries, Retry-After and the circuit breaker of a client over real sockets on 127.0.0.1
//! (docs/protocol.md section 6; the fake-clock scenarios of golden/wire/retry.json are not run
//! by this runtime yet).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::{CallFailure, CallOptions, Client, ClientOptions, Code, Context, RpcInfo};
use common::net::{scripted, Script};
use std::time::{Duration, Instant};

const UNAVAILABLE: &[u8] = br#"{"error":{"code":"unavailable","message":"overloaded"}}"#;

fn rpc(idempotent: bool) -> RpcInfo {
    RpcInfo {
        name: "r",
        idempotent,
        timeout_ms: None,
        errors: &[],
    }
}

async fn client(script: Script) -> (Client, common::net::Seen) {
    let (base, seen) = scripted(script).await;
    (
        Client::new("dep", ClientOptions::new().base_url(base)).unwrap(),
        seen,
    )
}

#[tokio::test]
async fn idempotent_rpcs_are_retried_on_unavailable_with_the_same_request_id() {
    let (c, seen) = client(Script {
        status: 200,
        body: b"{}".to_vec(),
        sequence: vec![
            (503, UNAVAILABLE.to_vec(), vec![]),
            (503, UNAVAILABLE.to_vec(), vec![]),
        ],
        ..Script::default()
    })
    .await;
    let r = c
        .call(
            &Context::background(),
            &rpc(true),
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await;
    assert!(r.is_ok(), "{r:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    let ids: Vec<_> = seen
        .iter()
        .map(|(_, h, _)| h["x-request-id"].clone())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
}

#[tokio::test]
async fn other_rpcs_and_codes_are_not_retried() {
    let (c, seen) = client(Script {
        status: 503,
        body: UNAVAILABLE.to_vec(),
        ..Script::default()
    })
    .await;
    let r = c
        .call(
            &Context::background(),
            &rpc(false),
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await;
    assert!(matches!(r, Err(CallFailure::Transport(t)) if t.code == Code::Unavailable));
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (c, seen) = client(Script {
        status: 500,
        body: br#"{"error":{"code":"internal","message":"x"}}"#.to_vec(),
        ..Script::default()
    })
    .await;
    let _ = c
        .call(
            &Context::background(),
            &rpc(true),
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await;
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn retry_after_lengthens_the_backoff() {
    let (c, seen) = client(Script {
        status: 200,
        body: b"{}".to_vec(),
        sequence: vec![(
            503,
            UNAVAILABLE.to_vec(),
            vec![("Retry-After".into(), "1".into())],
        )],
        ..Script::default()
    })
    .await;
    let t0 = Instant::now();
    let r = c
        .call(
            &Context::background(),
            &rpc(true),
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert!(
        t0.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(brief_runtime::client::parse_retry_after("2"), Some(2000));
    assert_eq!(brief_runtime::client::parse_retry_after("soon"), None);
    assert_eq!(
        brief_runtime::client::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(0)
    );
}

#[tokio::test]
async fn the_breaker_opens_after_failures_and_rejects_locally() {
    let (c, seen) = client(Script {
        status: 500,
        body: br#"{"error":{"code":"internal","message":"x"}}"#.to_vec(),
        ..Script::default()
    })
    .await;
    for _ in 0..20 {
        let _ = c
            .call(
                &Context::background(),
                &rpc(false),
                b"{}".to_vec(),
                &CallOptions::new(),
            )
            .await;
    }
    assert_eq!(seen.lock().unwrap().len(), 20);
    let r = c
        .call(
            &Context::background(),
            &rpc(false),
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await;
    match r {
        Err(CallFailure::Transport(t)) => {
            assert_eq!(t.code, Code::Unavailable);
            assert!(t.is_circuit_open(), "{t}");
        }
        other => panic!("want the circuit-open error, got {other:?}"),
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        20,
        "an open circuit sends nothing"
    );
}
