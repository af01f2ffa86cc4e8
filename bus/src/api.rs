//! The `data-bus` service's rpcs (docs/protocol.md section 9.2) on brief-runtime's router,
//! which also answers `/health/*`, `/metrics`, the envelope of errors and the 4 MiB limit.
use crate::config::Config;
use crate::delivery;
use crate::event;
use crate::kafka::Kafka;
use crate::stats;
use brief_runtime::errors::{Code, ErrorReply};
use brief_runtime::events::{Admit, MemoryDeduper, DATA_BUS};
use brief_runtime::{HandlerResult, Router};
use std::sync::Arc;

/// The rpcs' `@timeout` (section 9.2: 5 s).
pub const RPC_TIMEOUT_MS: u64 = 5000;

fn unavailable(e: String) -> ErrorReply {
    tracing::warn!(error = %e, "kafka");
    ErrorReply::transport(Code::Unavailable, e)
}

/// The router of the `data-bus` service on `kafka`.
pub fn router(config: Arc<Config>, kafka: Arc<Kafka>) -> Router {
    let dedupe = Arc::new(MemoryDeduper::default());
    let (c1, k1) = (config.clone(), kafka.clone());
    let (c2, k2) = (config.clone(), kafka.clone());
    let (c3, k3) = (config, kafka);
    Router::builder(DATA_BUS)
        .rpc("publish", Some(RPC_TIMEOUT_MS), move |_ctx, body| {
            let (config, kafka, dedupe) = (c1.clone(), k1.clone(), dedupe.clone());
            async move { publish(&config, &kafka, &dedupe, body).await }
        })
        .rpc("subscribe", Some(RPC_TIMEOUT_MS), move |_ctx, body| {
            let (config, kafka) = (c2.clone(), k2.clone());
            async move { subscribe(&config, &kafka, &body).await }
        })
        .rpc("unsubscribe", Some(RPC_TIMEOUT_MS), move |_ctx, body| {
            let (config, kafka) = (c3.clone(), k3.clone());
            async move { unsubscribe(&config, &kafka, &body).await }
        })
        .build()
}

/// Stores the event with `acks=all` (key `source|id`, see [`event::record_key`], value the body unchanged); a
/// (`source`, `id`) this instance stored already is acknowledged without a second copy.
async fn publish(
    config: &Config,
    kafka: &Kafka,
    dedupe: &MemoryDeduper,
    body: brief_runtime::bytes::Bytes,
) -> HandlerResult {
    let ev = match event::parse_event(body, config.max_event_bytes, config.topics.as_ref()) {
        Ok(ev) => ev,
        Err(e) => {
            stats::published("invalid", &e.code);
            return Err(e);
        }
    };
    let key = (ev.source.clone(), ev.id.clone());
    match dedupe.admit(&key) {
        Admit::Duplicate => {
            stats::published(&ev.topic, "duplicate");
            return Ok(b"{}".to_vec());
        }
        Admit::Busy => {
            stats::published(&ev.topic, "aborted");
            return Err(ErrorReply::transport(
                Code::Aborted,
                "the same event is being published by another call",
            ));
        }
        Admit::Run => {}
    }
    let stored = match kafka.ensure_topic(&ev.topic).await {
        Ok(()) => {
            kafka
                .write(
                    &ev.topic,
                    &event::record_key(&ev.source, &ev.id),
                    Some(&ev.raw),
                    Some(ev.traceparent.as_deref().unwrap_or_default()),
                )
                .await
        }
        Err(e) => Err(e),
    };
    dedupe.finish(&key, stored.is_ok());
    match stored {
        Ok(()) => {
            stats::published(&ev.topic, "ok");
            Ok(b"{}".to_vec())
        }
        Err(e) => {
            stats::published(&ev.topic, "unavailable");
            Err(unavailable(e))
        }
    }
}

/// Creates the topic, positions a new subscription at its end, then stores the subscription
/// (every instance starts delivering when it reads it).
async fn subscribe(config: &Config, kafka: &Kafka, body: &[u8]) -> HandlerResult {
    let sub = event::parse_subscription(body, config.topics.as_ref(), true)?;
    kafka.ensure_topic(&sub.topic).await.map_err(unavailable)?;
    delivery::start_at_end(config, kafka, &sub)
        .await
        .map_err(unavailable)?;
    let value = serde_json::to_vec(&sub).map_err(|_| ErrorReply::internal())?;
    kafka
        .write(&config.subscriptions_topic, &sub.key(), Some(&value), None)
        .await
        .map_err(unavailable)?;
    Ok(b"{}".to_vec())
}

/// Stores a tombstone for (topic, subscriber): every instance stops its deliveries.
async fn unsubscribe(config: &Config, kafka: &Kafka, body: &[u8]) -> HandlerResult {
    let sub = event::parse_subscription(body, config.topics.as_ref(), false)?;
    kafka
        .write(&config.subscriptions_topic, &sub.key(), None, None)
        .await
        .map_err(unavailable)?;
    Ok(b"{}".to_vec())
}
