//! Call metadata (docs/protocol.md section 5): the [`Context`] a handler gets and a call is made
//! under (request id, trace context, caller, deadline), header validation, and random ids.
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const REQUEST_ID: &str = "x-request-id";
pub const REQUEST_TIMEOUT_MS: &str = "x-request-timeout-ms";
pub const SOURCE_SERVICE: &str = "x-source-service";
pub const TRACEPARENT: &str = "traceparent";
pub const TRACESTATE: &str = "tracestate";

/// What a call runs under: the request id, the W3C trace context, the calling service and the
/// deadline. A handler gets the one of its request; calls made with it inherit all of it.
/// [`Context::background`] is the one for calls made outside any request.
#[derive(Debug, Clone, Default)]
pub struct Context {
    request_id: Option<String>,
    traceparent: Option<String>,
    tracestate: Option<String>,
    caller: String,
    service: Option<Arc<str>>,
    deadline: Option<Instant>,
}

impl Context {
    /// No request id, no trace, no deadline.
    pub fn background() -> Self {
        Context::default()
    }

    /// The request id (a handler's is always set).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The calling service (`X-Source-Service`), `""` when not sent.
    pub fn caller(&self) -> &str {
        &self.caller
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The time left before the deadline (`None` without one).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// The incoming `traceparent`, when valid.
    pub fn traceparent(&self) -> Option<&str> {
        self.traceparent.as_deref()
    }

    /// The incoming `tracestate`, when kept.
    pub fn tracestate(&self) -> Option<&str> {
        self.tracestate.as_deref()
    }

    /// The service a handler runs in (the `X-Source-Service` of its outgoing calls).
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// The same context with a deadline no later than `deadline`.
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(self.deadline.map_or(deadline, |d| d.min(deadline)));
        self
    }

    /// The same context with a request id.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// The context of an incoming request: `get` reads a header (lower-case name, all values
    /// joined with `,`); `received` is when it arrived; `rpc_timeout` the rpc's `@timeout`.
    pub fn from_headers(
        service: &str,
        get: impl Fn(&str) -> Option<String>,
        received: Instant,
        rpc_timeout: Option<Duration>,
    ) -> Context {
        Context::from_headers_shared(&Arc::from(service), get, received, rpc_timeout)
    }

    /// [`Context::from_headers`] with the service's name already shared (a router's: no copy
    /// per request).
    pub fn from_headers_shared(
        service: &Arc<str>,
        get: impl Fn(&str) -> Option<String>,
        received: Instant,
        rpc_timeout: Option<Duration>,
    ) -> Context {
        let request_id = get(REQUEST_ID)
            .filter(|id| valid_request_id(id))
            .unwrap_or_else(new_request_id);
        let traceparent = get(TRACEPARENT).filter(|t| valid_traceparent(t));
        let tracestate = traceparent
            .as_ref()
            .and_then(|_| get(TRACESTATE))
            .filter(|s| s.len() <= 512);
        let caller = get(SOURCE_SERVICE).unwrap_or_default();
        let header_deadline = get(REQUEST_TIMEOUT_MS)
            .and_then(|v| parse_timeout_ms(&v))
            .map(|ms| received + Duration::from_millis(ms));
        let rpc_deadline = rpc_timeout.map(|t| received + t);
        let deadline = match (header_deadline, rpc_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Context {
            request_id: Some(request_id),
            traceparent,
            tracestate,
            caller,
            service: Some(service.clone()),
            deadline,
        }
    }

    /// The `traceparent` of an outgoing call: same trace and flags, a new parent id.
    pub fn outgoing_traceparent(&self) -> Option<String> {
        let t = self.traceparent.as_deref()?;
        let trace = t.get(3..35)?;
        let flags = t.get(53..55)?;
        Some(format!("00-{trace}-{}-{flags}", new_span_id()))
    }
}

/// 1–128 visible ASCII characters.
pub fn valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// `X-Request-Timeout-Ms`: 1–10 ASCII digits, else ignored.
pub fn parse_timeout_ms(v: &str) -> Option<u64> {
    if (1..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok()
    } else {
        None
    }
}

fn lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// W3C Trace Context level 1 `traceparent` validity (section 5.2).
pub fn valid_traceparent(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() < 55 || !t.is_ascii() {
        return false;
    }
    let version = &t[0..2];
    if !lower_hex(version) || version == "ff" {
        return false;
    }
    if version == "00" && b.len() != 55 {
        return false;
    }
    if b.len() > 55 && b[55] != b'-' {
        return false;
    }
    if b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
        return false;
    }
    let (trace, parent, flags) = (&t[3..35], &t[36..52], &t[53..55]);
    lower_hex(trace)
        && lower_hex(parent)
        && lower_hex(flags)
        && trace.bytes().any(|c| c != b'0')
        && parent.bytes().any(|c| c != b'0')
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// 64 random bits (a seeded SipHash of a counter and the clock: unpredictable enough for ids,
/// not for secrets).
pub fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}

/// A new request id: 32 lowercase hex characters from 128 random bits.
pub fn new_request_id() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// A new non-zero 16-hex span (parent) id.
pub fn new_span_id() -> String {
    let mut v = random_u64();
    while v == 0 {
        v = random_u64();
    }
    format!("{v:016x}")
}
