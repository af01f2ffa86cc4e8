//! Events (docs/protocol.md section 9): the CloudEvent envelope, a [`Publisher`] that publishes
//! through the data bus, and the consumer side behind `RouterBuilder::consume` with in-memory
//! deduplication of (`source`, `id`).
use crate::client::{CallOptions, Client, ClientOptions, ConfigError, RpcInfo};
use crate::errors::{CallFailure, Code, ErrorReply, TransportError};
use crate::meta::{self, Context};
use crate::{codec, metrics, Timestamp};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The data bus's service name (found through `SERVICE_DATA_BUS_URL`).
pub const DATA_BUS: &str = "data-bus";
/// Deduplication memory: how long and how many events a consumer remembers.
pub const DEDUPE_TTL: Duration = Duration::from_secs(24 * 3600);
pub const DEDUPE_MAX: usize = 100_000;

const PUBLISH: RpcInfo = RpcInfo {
    name: "publish",
    idempotent: true,
    timeout_ms: Some(5000),
    errors: &[],
};

/// A random UUID v4, lower-case.
pub fn new_event_id() -> String {
    let (a, b) = (meta::random_u64(), meta::random_u64());
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Publishes a service's events through the data bus.
#[derive(Debug, Clone)]
pub struct Publisher {
    bus: Client,
    source: String,
}

impl Publisher {
    /// The publisher of service `source`; the bus URL from `opts` or `SERVICE_DATA_BUS_URL`.
    pub fn new(source: &str, opts: ClientOptions) -> Result<Self, ConfigError> {
        Ok(Publisher {
            bus: Client::new(DATA_BUS, opts.source_service(source))?,
            source: source.to_owned(),
        })
    }

    /// Publishes `data` on `topic`; the event's id.
    pub async fn publish<T: serde::Serialize>(
        &self,
        ctx: &Context,
        topic: &str,
        data: &T,
    ) -> Result<String, TransportError> {
        let data: Value = codec::encode(data)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                TransportError::new(Code::InvalidArgument, "the event's data cannot be encoded")
            })?;
        let id = new_event_id();
        let mut event = Map::new();
        event.insert("specversion".into(), "1.0".into());
        event.insert("id".into(), id.clone().into());
        event.insert("source".into(), self.source.clone().into());
        event.insert("type".into(), topic.into());
        event.insert("time".into(), Timestamp::now().to_string().into());
        event.insert("datacontenttype".into(), "application/json".into());
        event.insert("data".into(), data);
        if let Some(tp) = ctx.outgoing_traceparent() {
            event.insert("traceparent".into(), tp.into());
            if let Some(ts) = ctx.tracestate() {
                event.insert("tracestate".into(), ts.into());
            }
        }
        let body = serde_json::to_vec(&Value::Object(event)).unwrap_or_default();
        let result = self
            .bus
            .call(ctx, &PUBLISH, body, &CallOptions::new())
            .await;
        let code = match &result {
            Ok(_) => "ok".to_owned(),
            Err(CallFailure::Transport(t)) => t.code.as_str().to_owned(),
            Err(CallFailure::App(_)) => "undeclared".to_owned(),
        };
        metrics::inc(
            "brief_events_published_total",
            &[("topic", topic), ("result", &code)],
        );
        match result {
            Ok(_) => Ok(id),
            Err(CallFailure::Transport(t)) => Err(t),
            Err(CallFailure::App(a)) => Err(TransportError::new(
                Code::Internal,
                format!("the data bus answered application error {}", a.name),
            )),
        }
    }
}

/// The (`source`, `id`) of events handled successfully, and of those being handled.
#[derive(Debug, Default)]
pub struct Deduper {
    state: Mutex<DedupeState>,
}

#[derive(Debug, Default)]
struct DedupeState {
    done: HashMap<(String, String), Instant>,
    order: VecDeque<((String, String), Instant)>,
    running: HashSet<(String, String)>,
}

/// What a consumer does with a delivery.
pub enum Admit {
    /// Run the handler.
    Run,
    /// Already handled: acknowledge without running it.
    Duplicate,
    /// Being handled by another delivery now.
    Busy,
}

impl Deduper {
    fn lock(&self) -> std::sync::MutexGuard<'_, DedupeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether to run the handler for `key`; `Run` marks it running.
    pub fn admit(&self, key: &(String, String)) -> Admit {
        let mut s = self.lock();
        let now = Instant::now();
        while let Some((k, at)) = s.order.front().cloned() {
            if now.duration_since(at) < DEDUPE_TTL && s.order.len() <= DEDUPE_MAX {
                break;
            }
            s.order.pop_front();
            if s.done.get(&k) == Some(&at) {
                s.done.remove(&k);
            }
        }
        if s.done.contains_key(key) {
            Admit::Duplicate
        } else if !s.running.insert(key.clone()) {
            Admit::Busy
        } else {
            Admit::Run
        }
    }

    /// The handler of `key` finished; remembered when it succeeded.
    pub fn finish(&self, key: &(String, String), ok: bool) {
        let mut s = self.lock();
        s.running.remove(key);
        if ok {
            let now = Instant::now();
            s.done.insert(key.clone(), now);
            s.order.push_back((key.clone(), now));
        }
    }
}

/// A delivery's body checked as a CloudEvent of `topic` (section 9.4): its (`source`, `id`) and
/// its `data` text; failure is `invalid_argument`.
pub fn parse_delivery(topic: &str, body: &[u8]) -> Result<((String, String), Vec<u8>), ErrorReply> {
    let bad = |m: &str| ErrorReply::transport(Code::InvalidArgument, m.to_owned());
    let v: Value = serde_json::from_slice(body).map_err(|_| bad("not a JSON CloudEvent"))?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if text("specversion") != "1.0" {
        return Err(bad("specversion must be 1.0"));
    }
    let (id, source) = (text("id"), text("source"));
    if id.is_empty() || source.is_empty() {
        return Err(bad("a CloudEvent needs an id and a source"));
    }
    if text("type") != topic {
        return Err(bad(&format!(
            "event type {:?} is not the topic {topic:?}",
            text("type")
        )));
    }
    let data = serde_json::to_vec(v.get("data").unwrap_or(&Value::Null)).unwrap_or_default();
    Ok(((source, id), data))
}
