//! Events (docs/protocol.md section 9): the CloudEvent envelope, the data bus client [`Bus`]
//! (publish, and the subscriptions a consumer makes at start, retried with backoff), and the
//! consumer side behind `RouterBuilder::consume` with deduplication of (`source`, `id`).
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
/// The variable holding a consumer's own base URL, which it gives the data bus (the manifests set
/// it for every service that subscribes to events).
pub const SELF_URL_VAR: &str = "SERVICE_URL";
/// Deduplication memory: how long and how many events a consumer remembers.
pub const DEDUPE_TTL: Duration = Duration::from_secs(24 * 3600);
pub const DEDUPE_MAX: usize = 100_000;

const PUBLISH: RpcInfo = RpcInfo {
    name: "publish",
    idempotent: true,
    timeout_ms: Some(5000),
    errors: &[],
};

const SUBSCRIBE: RpcInfo = RpcInfo {
    name: "subscribe",
    idempotent: true,
    timeout_ms: Some(5000),
    errors: &[],
};

const UNSUBSCRIBE: RpcInfo = RpcInfo {
    name: "unsubscribe",
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

/// The data bus as service `source` sees it (section 9.2): publishing its events, and
/// subscribing to topics. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Bus {
    bus: Client,
    source: String,
    start_backoff: StartBackoff,
}

/// What publishes a service's events: the [`Bus`].
pub type Publisher = Bus;

/// The backoff between rounds of [`Bus::subscribe_all`]: before round *n + 1*, a delay uniform in
/// `[c/2, c]` with `c = min(max, initial × 2^(n−1))` (the shape of the bus's redelivery, section
/// 9.3). Each round's calls are themselves retried by the client (section 6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartBackoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for StartBackoff {
    fn default() -> Self {
        StartBackoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(10),
        }
    }
}

impl StartBackoff {
    /// The delay before round `round + 1` (`round` ≥ 1), `r` uniform in [0, 1).
    pub fn delay(&self, round: u32, r: f64) -> Duration {
        let c = self
            .initial
            .saturating_mul(1u32 << (round.saturating_sub(1)).min(20))
            .min(self.max);
        c.mul_f64(0.5 + r.clamp(0.0, 1.0) / 2.0)
    }
}

/// Whether a failed subscription is worth another round: the bus is down, overloaded, slow or
/// failing (`unavailable`, `deadline_exceeded`, `internal`, `unknown`, `data_loss`,
/// `resource_exhausted`, `aborted`). Anything else (`invalid_argument`, `unimplemented`, ...)
/// will not change by waiting.
fn transient(e: &TransportError) -> bool {
    e.code.breaker_failure() || matches!(e.code, Code::ResourceExhausted | Code::Aborted)
}

/// This service's own base URL: `explicit`, else `SERVICE_URL`, checked as a dependency's URL
/// (docs/protocol.md section 8; trailing `/` removed). The error names the variable.
pub fn self_url(explicit: Option<&str>) -> Result<String, ConfigError> {
    crate::discovery::resolve_var(SELF_URL_VAR, "this service's own base URL", explicit, |v| {
        std::env::var(v).ok()
    })
    .map_err(ConfigError)
}

impl Bus {
    /// The data bus of service `source`; the bus URL from `opts` or `SERVICE_DATA_BUS_URL`.
    pub fn new(source: &str, opts: ClientOptions) -> Result<Self, ConfigError> {
        Ok(Bus {
            bus: Client::new(DATA_BUS, opts.source_service(source))?,
            source: source.to_owned(),
            start_backoff: StartBackoff::default(),
        })
    }

    /// The same bus with another backoff between rounds of [`Bus::subscribe_all`].
    pub fn with_start_backoff(mut self, b: StartBackoff) -> Self {
        self.start_backoff = b;
        self
    }

    /// The service name it publishes and subscribes as.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Asks the bus to deliver `topic` to `url` (normally `<own base URL>/events/<topic>`).
    /// Idempotent: subscribing again replaces the URL.
    pub async fn subscribe(
        &self,
        ctx: &Context,
        topic: &str,
        url: &str,
    ) -> Result<(), TransportError> {
        let body = serde_json::json!({"topic": topic, "subscriber": self.source, "url": url});
        self.empty_call(ctx, &SUBSCRIBE, &body).await
    }

    /// Ends the subscription of `topic`.
    pub async fn unsubscribe(&self, ctx: &Context, topic: &str) -> Result<(), TransportError> {
        let body = serde_json::json!({"topic": topic, "subscriber": self.source});
        self.empty_call(ctx, &UNSUBSCRIBE, &body).await
    }

    /// Subscribes to every topic of `topics` at `<base_url>/events/<topic>`, as a consumer does
    /// at start: a round subscribes each topic not yet subscribed; after a transient failure
    /// (the bus not up yet, overloaded, failing) the next round follows the [`StartBackoff`],
    /// until all are subscribed or `ctx`'s deadline would pass (without a deadline it keeps
    /// trying). Another failure ends it at once. Idempotent: running it again, or on several
    /// replicas, leaves the same subscriptions.
    pub async fn subscribe_all(
        &self,
        ctx: &Context,
        topics: &[&str],
        base_url: &str,
    ) -> Result<(), TransportError> {
        let base = base_url.trim_end_matches('/');
        let mut left: Vec<&str> = topics.to_vec();
        let mut round = 1u32;
        loop {
            let mut failed = Vec::new();
            let mut last = None;
            for topic in left {
                let url = format!("{base}/events/{topic}");
                match self.subscribe(ctx, topic, &url).await {
                    Ok(()) => tracing::info!(topic, url, "subscribed to the data bus"),
                    Err(e) if transient(&e) => {
                        failed.push(topic);
                        last = Some(e);
                    }
                    Err(e) => return Err(e),
                }
            }
            let Some(err) = last else {
                return Ok(());
            };
            let delay = self
                .start_backoff
                .delay(round, crate::transport::random_unit());
            if ctx.remaining().is_some_and(|r| r <= delay) {
                return Err(err);
            }
            tracing::warn!(
                topics = ?failed,
                error = %err,
                retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "subscribing to the data bus failed; retrying"
            );
            tokio::time::sleep(delay).await;
            left = failed;
            round = round.saturating_add(1);
        }
    }

    /// A call to the bus whose answer is `{}`; an application error is `internal`.
    async fn empty_call(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        body: &Value,
    ) -> Result<(), TransportError> {
        let body = serde_json::to_vec(body).unwrap_or_default();
        match self.bus.call(ctx, rpc, body, &CallOptions::new()).await {
            Ok(_) => Ok(()),
            Err(CallFailure::Transport(t)) => Err(t),
            Err(CallFailure::App(a)) => Err(TransportError::new(
                Code::Internal,
                format!("the data bus answered application error {}", a.name),
            )),
        }
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

/// An event's identity: (`source`, `id`) (section 9.1).
pub type EventKey = (String, String);

/// A boxed `Send` future borrowing its store.
pub type StoreFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What a consumer does with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Run the handler.
    Run,
    /// Already handled: acknowledge without running it.
    Duplicate,
    /// Being handled by another delivery now.
    Busy,
}

/// Remembers the events a consumer handled (section 9.4). The default is in memory
/// ([`MemoryDeduper`]: one process, lost at restart); services that must deduplicate across
/// restarts or replicas plug in a shared one (a table, Redis) with `RouterBuilder::deduper`.
/// runtime-go's `Deduper` is the same contract.
///
/// A store failure answers the delivery `unavailable`, so the bus redelivers it later.
pub trait Deduper: Send + Sync + 'static {
    /// Whether to run the handler of `key` now; [`Admit::Run`] also marks it being handled, so
    /// that a concurrent delivery gets [`Admit::Busy`].
    fn acquire<'a>(
        &'a self,
        ctx: &'a Context,
        key: &'a EventKey,
    ) -> StoreFuture<'a, Result<Admit, TransportError>>;

    /// The handler of `key` ended: `handled` remembers it as done, otherwise it is forgotten so
    /// that a redelivery runs the handler again.
    fn release<'a>(
        &'a self,
        ctx: &'a Context,
        key: &'a EventKey,
        handled: bool,
    ) -> StoreFuture<'a, Result<(), TransportError>>;
}

/// The in-memory [`Deduper`]: remembers handled events for a time and up to a number (the
/// oldest are forgotten first), [`DEDUPE_TTL`] and [`DEDUPE_MAX`] by default.
#[derive(Debug)]
pub struct MemoryDeduper {
    ttl: Duration,
    capacity: usize,
    state: Mutex<DedupeState>,
}

impl Default for MemoryDeduper {
    fn default() -> Self {
        MemoryDeduper::new(DEDUPE_TTL, DEDUPE_MAX)
    }
}

#[derive(Debug, Default)]
struct DedupeState {
    done: HashMap<EventKey, Instant>,
    order: VecDeque<(EventKey, Instant)>,
    running: HashSet<EventKey>,
}

impl MemoryDeduper {
    /// Remembers up to `capacity` handled events, each for `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        MemoryDeduper {
            ttl,
            capacity,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DedupeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether to run the handler for `key`; `Run` marks it running.
    pub fn admit(&self, key: &EventKey) -> Admit {
        let mut s = self.lock();
        let now = Instant::now();
        while let Some((k, at)) = s.order.front().cloned() {
            if now.duration_since(at) < self.ttl && s.order.len() <= self.capacity {
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
    pub fn finish(&self, key: &EventKey, ok: bool) {
        let mut s = self.lock();
        s.running.remove(key);
        if ok && !s.done.contains_key(key) {
            let now = Instant::now();
            s.done.insert(key.clone(), now);
            s.order.push_back((key.clone(), now));
        }
    }
}

impl Deduper for MemoryDeduper {
    fn acquire<'a>(
        &'a self,
        _ctx: &'a Context,
        key: &'a EventKey,
    ) -> StoreFuture<'a, Result<Admit, TransportError>> {
        let admit = self.admit(key);
        Box::pin(std::future::ready(Ok(admit)))
    }

    fn release<'a>(
        &'a self,
        _ctx: &'a Context,
        key: &'a EventKey,
        handled: bool,
    ) -> StoreFuture<'a, Result<(), TransportError>> {
        self.finish(key, handled);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A delivery's body checked as a CloudEvent of `topic` (section 9.4): its (`source`, `id`) and
/// its `data` text; failure is `invalid_argument`.
pub fn parse_delivery(topic: &str, body: &[u8]) -> Result<(EventKey, Vec<u8>), ErrorReply> {
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
