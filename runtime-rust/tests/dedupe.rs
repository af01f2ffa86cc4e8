//! The consumers' deduplication store (docs/protocol.md section 9.4) over real sockets on
//! 127.0.0.1: a store shared by two replicas deduplicates across them, a failing store asks for
//! redelivery without running the handler, and the in-memory store's capacity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::events::{Admit, Deduper, EventKey, MemoryDeduper, StoreFuture};
use brief_runtime::{Code, Context, Router, TransportError};
use common::net::serve;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A store shared by replicas (here: one in-memory store behind an `Arc`, as a Redis client
/// would be).
#[derive(Clone, Default)]
struct Shared(Arc<MemoryDeduper>);

impl Deduper for Shared {
    fn acquire<'a>(
        &'a self,
        ctx: &'a Context,
        key: &'a EventKey,
    ) -> StoreFuture<'a, Result<Admit, TransportError>> {
        self.0.acquire(ctx, key)
    }

    fn release<'a>(
        &'a self,
        ctx: &'a Context,
        key: &'a EventKey,
        handled: bool,
    ) -> StoreFuture<'a, Result<(), TransportError>> {
        self.0.release(ctx, key, handled)
    }
}

/// A store that is down.
struct Down;

impl Deduper for Down {
    fn acquire<'a>(
        &'a self,
        _: &'a Context,
        _: &'a EventKey,
    ) -> StoreFuture<'a, Result<Admit, TransportError>> {
        Box::pin(async { Err(TransportError::new(Code::Unavailable, "redis is down")) })
    }

    fn release<'a>(
        &'a self,
        _: &'a Context,
        _: &'a EventKey,
        _: bool,
    ) -> StoreFuture<'a, Result<(), TransportError>> {
        Box::pin(async { Ok(()) })
    }
}

fn event(id: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"specversion": "1.0", "id": id, "source": "billing", "type": "t.x", "data": {}}),
    )
    .unwrap()
}

async fn replica(
    store: Option<Box<dyn FnOnce(brief_runtime::RouterBuilder) -> brief_runtime::RouterBuilder>>,
    runs: Arc<AtomicU64>,
) -> String {
    let mut b = Router::builder("mailer").consume("t.x", move |_ctx, _v: Value| {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<(), TransportError>(())
        }
    });
    if let Some(set) = store {
        b = set(b);
    }
    format!("{}/events/t.x", serve(b.build()).await)
}

async fn deliver(url: &str, body: Vec<u8>) -> u16 {
    common::net::request(
        "POST",
        url,
        &[(
            "content-type".to_owned(),
            "application/cloudevents+json".to_owned(),
        )],
        body,
    )
    .await
    .0
}

#[tokio::test]
async fn a_shared_store_deduplicates_across_replicas() {
    let store = Shared::default();
    let runs = Arc::new(AtomicU64::new(0));
    let (s1, s2) = (store.clone(), store.clone());
    let a = replica(Some(Box::new(move |b| b.deduper(s1))), runs.clone()).await;
    let b = replica(Some(Box::new(move |b| b.deduper(s2))), runs.clone()).await;
    assert_eq!(deliver(&a, event("e1")).await, 204);
    assert_eq!(
        deliver(&b, event("e1")).await,
        204,
        "replica b knows e1 was handled by a"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Without the shared store, each replica remembers only its own.
    let runs = Arc::new(AtomicU64::new(0));
    let a = replica(None, runs.clone()).await;
    let b = replica(None, runs.clone()).await;
    assert_eq!(deliver(&a, event("e1")).await, 204);
    assert_eq!(deliver(&b, event("e1")).await, 204);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failing_store_asks_for_redelivery_without_running_the_handler() {
    let runs = Arc::new(AtomicU64::new(0));
    let url = replica(Some(Box::new(|b| b.deduper(Down))), runs.clone()).await;
    assert_eq!(deliver(&url, event("e1")).await, 503);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_memory_store_forgets_the_oldest_beyond_its_capacity() {
    let d = MemoryDeduper::new(std::time::Duration::from_secs(3600), 2);
    let ctx = Context::background();
    let key = |i: u32| ("billing".to_owned(), format!("e{i}"));
    for i in 0..3 {
        assert_eq!(d.acquire(&ctx, &key(i)).await.unwrap(), Admit::Run);
        assert_eq!(d.acquire(&ctx, &key(i)).await.unwrap(), Admit::Busy);
        d.release(&ctx, &key(i), true).await.unwrap();
    }
    assert_eq!(d.acquire(&ctx, &key(2)).await.unwrap(), Admit::Duplicate);
    assert_eq!(d.acquire(&ctx, &key(1)).await.unwrap(), Admit::Duplicate);
    assert_eq!(
        d.acquire(&ctx, &key(0)).await.unwrap(),
        Admit::Run,
        "e0 was forgotten"
    );
    // A failed handler is forgotten at once.
    d.release(&ctx, &key(0), false).await.unwrap();
    assert_eq!(d.acquire(&ctx, &key(0)).await.unwrap(), Admit::Run);
}
