//! Subscribing to the data bus at start (docs/protocol.md section 9.2) over real sockets on
//! 127.0.0.1: a scripted bus that fails before it answers, one that refuses, one that never
//! comes up in time; and the own base URL of `SERVICE_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::events::{self_url, StartBackoff};
use brief_runtime::{Bus, ClientOptions, Code, Context};
use common::net::{scripted, Script};
use serde_json::Value;
use std::time::{Duration, Instant};

const UNAVAILABLE: &[u8] = br#"{"error":{"code":"unavailable","message":"starting"}}"#;

fn fast() -> StartBackoff {
    StartBackoff {
        initial: Duration::from_millis(10),
        max: Duration::from_millis(20),
    }
}

async fn bus(script: Script) -> (Bus, common::net::Seen) {
    let (base, seen) = scripted(script).await;
    let bus = Bus::new("mailer", ClientOptions::new().base_url(base))
        .unwrap()
        .with_start_backoff(fast());
    (bus, seen)
}

fn unavailable() -> (u16, Vec<u8>, Vec<(String, String)>) {
    (503, UNAVAILABLE.to_vec(), Vec::new())
}

#[tokio::test]
async fn subscribe_all_retries_a_bus_that_is_not_up_until_every_topic_is_subscribed() {
    // Round 1: the first topic fails its three attempts (the client's own retries), the second
    // is subscribed; round 2 subscribes the first one only.
    let (bus, seen) = bus(Script {
        status: 200,
        body: b"{}".to_vec(),
        sequence: vec![unavailable(), unavailable(), unavailable()],
        ..Script::default()
    })
    .await;
    bus.subscribe_all(
        &Context::background(),
        &["invoice.paid", "invoice.sent"],
        "http://mailer.test:8080/",
    )
    .await
    .unwrap();
    let seen = seen.lock().unwrap();
    let bodies: Vec<Value> = seen
        .iter()
        .map(|(path, _, body)| {
            assert_eq!(path, "/rpc/data-bus/subscribe");
            serde_json::from_slice(body).unwrap()
        })
        .collect();
    assert_eq!(
        bodies.len(),
        5,
        "3 failed attempts, then one call per topic"
    );
    let want = |topic: &str| {
        serde_json::json!({
            "topic": topic,
            "subscriber": "mailer",
            "url": format!("http://mailer.test:8080/events/{topic}"),
        })
    };
    assert_eq!(bodies[0], want("invoice.paid"));
    assert_eq!(bodies[3], want("invoice.sent"));
    assert_eq!(bodies[4], want("invoice.paid"));
    assert_eq!(
        seen[0].1.get("x-source-service").unwrap(),
        "mailer",
        "the bus sees who subscribes"
    );
}

#[tokio::test]
async fn subscribing_again_sends_the_same_request() {
    let (bus, seen) = bus(Script {
        status: 200,
        body: b"{}".to_vec(),
        ..Script::default()
    })
    .await;
    for _ in 0..2 {
        bus.subscribe_all(&Context::background(), &["a.b"], "http://m:1")
            .await
            .unwrap();
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].2, seen[1].2);
}

#[tokio::test]
async fn a_refusal_that_waiting_cannot_change_ends_at_once() {
    let (bus, seen) = bus(Script {
        status: 400,
        body: br#"{"error":{"code":"invalid_argument","message":"bad url"}}"#.to_vec(),
        ..Script::default()
    })
    .await;
    let e = bus
        .subscribe_all(&Context::background(), &["a.b", "c.d"], "http://m:1")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidArgument);
    assert_eq!(seen.lock().unwrap().len(), 1, "no second topic, no retry");
}

#[tokio::test]
async fn a_bus_that_stays_down_ends_at_the_deadline_with_its_error() {
    let (base, seen) = scripted(Script {
        status: 503,
        body: UNAVAILABLE.to_vec(),
        ..Script::default()
    })
    .await;
    let bus = Bus::new("mailer", ClientOptions::new().base_url(base))
        .unwrap()
        .with_start_backoff(StartBackoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(100),
        });
    let start = Instant::now();
    let ctx = Context::background().with_deadline(start + Duration::from_millis(800));
    let e = bus
        .subscribe_all(&ctx, &["a.b"], "http://m:1")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Unavailable);
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    assert!(seen.lock().unwrap().len() > 3, "more than one round");
}

#[test]
fn start_backoff_grows_to_its_cap_with_jitter_in_the_upper_half() {
    let b = StartBackoff::default();
    assert_eq!(b.delay(1, 0.0), Duration::from_millis(125));
    assert!(b.delay(1, 0.999_999) < Duration::from_millis(250));
    assert_eq!(b.delay(3, 0.0), Duration::from_millis(500));
    assert_eq!(b.delay(40, 0.0), Duration::from_secs(5));
    assert!(b.delay(40, 0.999) <= Duration::from_secs(10));
}

#[test]
fn the_own_base_url_is_checked_like_a_dependency_url() {
    assert_eq!(
        self_url(Some(" http://shop.test:8080/ ")).unwrap(),
        "http://shop.test:8080"
    );
    let e = self_url(Some("shop:8080")).unwrap_err().to_string();
    assert!(e.contains("SERVICE_URL"), "{e}");
    let e = brief_runtime::discovery::resolve_var("SERVICE_URL", "own URL", None, |_| None)
        .unwrap_err();
    assert!(e.contains("set SERVICE_URL"), "{e}");
}
