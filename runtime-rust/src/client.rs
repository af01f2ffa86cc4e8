//! The client side of a call (docs/protocol.md sections 2, 4.4, 5, 8): one [`Client`] per
//! dependency over a pooled keep-alive hyper client; deadlines, metadata headers, the response
//! size limit and the reading of error answers.
use crate::breaker::{Breaker, BreakerConfig, Outcome, State};
use crate::budget::{Budget, BudgetConfig};
use crate::errors::{interpret, CallFailure, Code, FromFailure, Origin, TransportError};
use crate::intercept::{self, ClientCall, ClientService, Wrap};
use crate::meta::{self, Context};
use crate::transport::{
    random_unit, Clock, HyperTransport, Random, SendError, SystemClock, Transport,
};
use crate::{discovery, metrics};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// The default timeout of a call whose rpc has no `@timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default limit of a response body a client reads.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// What the runtime needs to know of an rpc, generated as a `const` per rpc.
#[derive(Debug, Clone, Copy)]
pub struct RpcInfo {
    /// The rpc's name as written in the contract.
    pub name: &'static str,
    /// `@idempotent`.
    pub idempotent: bool,
    /// `@timeout`, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// The application errors it declares (`throws`).
    pub errors: &'static [&'static str],
}

impl RpcInfo {
    /// `@timeout` as a duration.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout_ms.map(Duration::from_millis)
    }
}

/// Options of one call: extra headers and a shorter timeout.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
}

impl CallOptions {
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Sends the header `name: value` (the protocol's own headers cannot be replaced).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Bounds this call by `timeout` (it can only shorten the rpc's `@timeout` and the
    /// caller's deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The headers added so far.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The timeout set, if any.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

/// The retry policy of a client (section 6.2; defaults of section 10).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts of one call, the first included.
    pub max_attempts: u32,
    pub initial_backoff_ms: u64,
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff_ms: 100,
            max_backoff_ms: 2000,
        }
    }
}

/// How a client is built: base URL (else discovery), own service name, response limit, the
/// resilience settings, and (for tests) its clock, randomness and transport.
#[derive(Clone)]
pub struct ClientOptions {
    base_url: Option<String>,
    source_service: Option<String>,
    max_response_bytes: usize,
    retry: RetryPolicy,
    breaker: Option<BreakerConfig>,
    budget: Option<BudgetConfig>,
    clock: Arc<dyn Clock>,
    random: Random,
    transport: Option<Arc<dyn Transport>>,
    h2c: bool,
    layers: Vec<Wrap<ClientService>>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url)
            .field("source_service", &self.source_service)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("breaker", &self.breaker)
            .field("budget", &self.budget)
            .field("h2c", &self.h2c)
            .field("layers", &self.layers.len())
            .finish()
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            base_url: None,
            source_service: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            breaker: Some(BreakerConfig::default()),
            budget: Some(BudgetConfig::default()),
            clock: Arc::new(SystemClock),
            random: Arc::new(random_unit),
            transport: None,
            h2c: false,
            layers: Vec::new(),
        }
    }
}

impl ClientOptions {
    pub fn new() -> Self {
        ClientOptions::default()
    }

    /// The dependency's base URL, instead of `SERVICE_<NAME>_URL`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `X-Source-Service` sent outside a handler (inside one, its service's name is sent).
    pub fn source_service(mut self, name: impl Into<String>) -> Self {
        self.source_service = Some(name.into());
        self
    }

    /// The most bytes of a response body read (default 4 MiB).
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// The retry policy (only `@idempotent` rpcs are ever retried).
    pub fn retry(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// The circuit breaker's settings; `None` disables it.
    pub fn breaker(mut self, b: Option<BreakerConfig>) -> Self {
        self.breaker = b;
        self
    }

    /// The retry budget's settings; `None` disables it (retries are then unbounded by traffic).
    pub fn budget(mut self, b: Option<BudgetConfig>) -> Self {
        self.budget = b;
        self
    }

    /// The clock of deadlines, backoff, breaker and budget (tests use a fake one).
    pub fn clock(mut self, c: Arc<dyn Clock>) -> Self {
        self.clock = c;
        self
    }

    /// The randomness of backoff.
    pub fn random(mut self, r: Random) -> Self {
        self.random = r;
        self
    }

    /// The transport of attempts (default: a pooled hyper client).
    pub fn transport(mut self, t: Arc<dyn Transport>) -> Self {
        self.transport = Some(t);
        self
    }

    /// Speak HTTP/2 with prior knowledge (h2c) to an `http` base URL instead of HTTP/1.1: the
    /// calls share one multiplexed connection. The server must accept h2c (runtime-rust's does
    /// by default, `ServeOptions::h2c`). Ignored when [`ClientOptions::transport`] is set.
    pub fn h2c(mut self, on: bool) -> Self {
        self.h2c = on;
        self
    }

    /// Wraps every call of the client in `layer`, a tower layer over
    /// [`intercept::ClientService`] (an interceptor: see [`crate::intercept`]). The first layer
    /// given is the outermost.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<ClientService> + Send + Sync + 'static,
        L::Service: tower::Service<ClientCall, Response = Bytes, Error = CallFailure>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<ClientCall>>::Future: Send + 'static,
    {
        self.layers.push(intercept::wrap(layer));
        self
    }
}

/// A client could not be built: the message names the variable or setting.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

struct Inner {
    service: String,
    base: String,
    source: Option<String>,
    max_response: usize,
    retry: RetryPolicy,
    breaker: Option<Breaker>,
    budget: Option<Budget>,
    clock: Arc<dyn Clock>,
    random: Random,
    transport: Arc<dyn Transport>,
    /// The client's layers around [`Client::call_direct`], if it has any.
    layered: Option<ClientService>,
    breaker_state: metrics::Gauge,
    rejections: metrics::Counter,
    rpcs: RwLock<HashMap<&'static str, Arc<RpcState>>>,
}

/// What a client keeps per rpc, made on its first call: the URL and the metric series.
struct RpcState {
    uri: Result<http::Uri, String>,
    requests: metrics::ByCode,
    duration: metrics::Histogram,
    retries: metrics::Counter,
}

/// A client of one dependency: cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service)
            .field("base", &self.inner.base)
            .finish()
    }
}

impl Client {
    /// The client of service `service`, its URL from `opts` or `SERVICE_<NAME>_URL`.
    pub fn new(service: &str, opts: ClientOptions) -> Result<Self, ConfigError> {
        let base = discovery::resolve(service, opts.base_url.as_deref(), |v| std::env::var(v).ok())
            .map_err(ConfigError)?;
        let sender = match opts.transport {
            Some(t) => t,
            None if opts.h2c => Arc::new(HyperTransport::h2c()),
            None => Arc::new(HyperTransport::default()),
        };
        let dep = [("dependency", service)];
        let layers = opts.layers;
        Ok(Client {
            inner: Arc::new_cyclic(|weak: &std::sync::Weak<Inner>| Inner {
                layered: (!layers.is_empty()).then(|| {
                    let weak = weak.clone();
                    let core = tower::service_fn(move |call: ClientCall| {
                        let inner = weak.upgrade();
                        async move {
                            let inner = inner.ok_or_else(|| {
                                transport(Code::Canceled, "the client was dropped")
                            })?;
                            Client { inner }
                                .call_direct(&call.ctx, &call.rpc, call.body, &call.opts)
                                .await
                        }
                    });
                    intercept::stack(ClientService::new(core), &layers)
                }),
                breaker_state: metrics::Gauge::new("brief_client_breaker_state", &dep),
                rejections: metrics::Counter::new("brief_client_breaker_rejections_total", &dep),
                rpcs: RwLock::default(),
                service: service.to_owned(),
                base,
                source: opts.source_service,
                max_response: opts.max_response_bytes,
                retry: opts.retry,
                breaker: opts.breaker.map(Breaker::new),
                budget: opts.budget.map(Budget::new),
                clock: opts.clock,
                random: opts.random,
                transport: sender,
            }),
        })
    }

    /// The dependency's service name.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// The breaker's state now (closed when it is disabled).
    pub fn breaker_state(&self) -> State {
        let now = self.inner.clock.now_ms();
        self.inner
            .breaker
            .as_ref()
            .map_or(State::Closed, |b| b.state(now))
    }

    /// The calls and retries in the retry budget's window now.
    pub fn budget_counts(&self) -> (u32, u32) {
        let now = self.inner.clock.now_ms();
        self.inner.budget.as_ref().map_or((0, 0), |b| b.counts(now))
    }

    /// The URL of `rpc`.
    pub fn url(&self, rpc: &str) -> String {
        format!("{}/rpc/{}/{rpc}", self.inner.base, self.inner.service)
    }

    /// The state of `rpc`, made on its first call.
    fn rpc_state(&self, rpc: &RpcInfo) -> Arc<RpcState> {
        let found = self
            .inner
            .rpcs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(rpc.name)
            .cloned();
        if let Some(s) = found {
            return s;
        }
        let l = [
            ("dependency", self.inner.service.as_str()),
            ("rpc", rpc.name),
        ];
        let state = Arc::new(RpcState {
            uri: http::Uri::try_from(self.url(rpc.name)).map_err(|e| e.to_string()),
            requests: metrics::ByCode::new("brief_client_requests_total", &l),
            duration: metrics::Histogram::new("brief_client_request_duration_seconds", &l),
            retries: metrics::Counter::new("brief_client_retries_total", &l),
        });
        self.inner
            .rpcs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(rpc.name)
            .or_insert(state)
            .clone()
    }

    /// Sends one call of `rpc` with the encoded input `body` under `ctx`; the output's bytes on
    /// a 200, else the failure. Counted in the client metrics; through the client's layers
    /// first, if it has any.
    pub async fn call(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        body: Vec<u8>,
        opts: &CallOptions,
    ) -> Result<Bytes, CallFailure> {
        let body = Bytes::from(body);
        match &self.inner.layered {
            None => self.call_direct(ctx, rpc, body, opts).await,
            Some(stack) => {
                use tower::ServiceExt as _;
                let call = ClientCall {
                    ctx: ctx.clone(),
                    service: Arc::from(self.inner.service.as_str()),
                    rpc: *rpc,
                    body,
                    opts: opts.clone(),
                };
                stack.clone().oneshot(call).await
            }
        }
    }

    /// [`Client::call`] below the layers.
    async fn call_direct(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        body: Bytes,
        opts: &CallOptions,
    ) -> Result<Bytes, CallFailure> {
        let start = Instant::now();
        let state = self.rpc_state(rpc);
        let span = tracing::info_span!(
            "rpc.client",
            service = self.inner.service.as_str(),
            rpc = rpc.name,
            code = tracing::field::Empty,
        );
        let result = self
            .attempts(ctx, rpc, &state, body, opts)
            .instrument(span.clone())
            .await;
        let code = match &result {
            Ok(_) => "ok",
            Err(CallFailure::Transport(t)) => t.code.as_str(),
            Err(CallFailure::App(a)) if rpc.errors.contains(&a.name.as_str()) => rpc
                .errors
                .iter()
                .find(|n| **n == a.name)
                .copied()
                .unwrap_or("undeclared"),
            Err(CallFailure::App(_)) => "undeclared",
        };
        span.record("code", code);
        state.requests.inc(code);
        state.duration.observe(start.elapsed());
        result
    }

    /// A typed call: encodes `input` (failure: `invalid_argument`, nothing sent), calls, and
    /// decodes the output (failure: `internal`) or builds the rpc's error type `E`. Generated
    /// clients call this once per method.
    pub async fn invoke<I, O, E>(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        input: &I,
        opts: &CallOptions,
    ) -> Result<O, E>
    where
        I: serde::Serialize,
        O: serde::Serialize + serde::de::DeserializeOwned + Default,
        E: FromFailure,
    {
        let body = encode_input(input)?;
        match self.call(ctx, rpc, body, opts).await {
            Ok(out) => Ok(decode_output(&out)?),
            Err(f) => Err(E::from_failure(f)),
        }
    }

    /// The attempts of one call (section 6.2): breaker permission, the retry of an
    /// `@idempotent` rpc after `unavailable` with full-jitter backoff, `Retry-After`, and the
    /// budget, all within the call's deadline.
    async fn attempts(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        state: &RpcState,
        body: Bytes,
        opts: &CallOptions,
    ) -> Result<Bytes, CallFailure> {
        let inner = &*self.inner;
        let clock = &*inner.clock;
        let start = clock.now_ms();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let mut deadline = start.saturating_add(ms(rpc.timeout().unwrap_or(DEFAULT_TIMEOUT)));
        if let Some(r) = ctx.remaining() {
            deadline = deadline.min(start.saturating_add(ms(r)));
        }
        if let Some(t) = opts.timeout {
            deadline = deadline.min(start.saturating_add(ms(t)));
        }
        // Made once for all attempts; an invalid one fails each attempt as building it did.
        let request_id = match ctx.request_id() {
            Some(id) => HeaderValue::from_str(id),
            None => HeaderValue::from_str(&meta::new_request_id()),
        }
        .map_err(|e| e.to_string());
        let dep = inner.service.as_str();
        let mut last: Option<CallFailure> = None;
        let mut attempt = 1u32;
        loop {
            let now = clock.now_ms();
            if deadline.saturating_sub(now) < 1 {
                return Err(last.unwrap_or_else(|| {
                    transport(Code::DeadlineExceeded, "the call's deadline has passed")
                }));
            }
            let ticket = match &inner.breaker {
                None => None,
                Some(b) => match b.allow(now) {
                    Some(t) => Some(t),
                    None => {
                        inner.rejections.inc();
                        return Err(last.unwrap_or_else(|| {
                            CallFailure::Transport(TransportError::circuit_open(dep))
                        }));
                    }
                },
            };
            if attempt == 1 {
                if let Some(b) = &inner.budget {
                    b.deposit(now);
                }
            }
            let mut retry_after = None;
            let result = self
                .attempt(
                    ctx,
                    state,
                    body.clone(),
                    opts,
                    deadline - now,
                    &request_id,
                    &mut retry_after,
                )
                .await;
            if let (Some(b), Some(t)) = (&inner.breaker, ticket) {
                let now = clock.now_ms();
                b.record(t, classify(&result), now);
                inner.breaker_state.set(b.state(now) as i64);
            }
            let failure = match result {
                Ok(b) => return Ok(b),
                Err(f) => f,
            };
            let retryable = matches!(&failure, CallFailure::Transport(t)
                if t.code.retryable() && t.origin == Origin::Outgoing && !t.is_dependency_failed());
            if !retryable || !rpc.idempotent || attempt >= inner.retry.max_attempts {
                return Err(failure);
            }
            let policy = inner.retry;
            let shift = (attempt - 1).min(32);
            let cap = policy
                .initial_backoff_ms
                .saturating_mul(1u64 << shift)
                .min(policy.max_backoff_ms);
            let mut delay = ((inner.random)() * cap as f64).floor() as u64;
            if let Some(ra) = retry_after {
                delay = delay.max(ra.min(policy.max_backoff_ms));
            }
            let now = clock.now_ms();
            if now.saturating_add(delay) >= deadline {
                return Err(failure);
            }
            if let Some(b) = &inner.budget {
                if !b.withdraw(now) {
                    return Err(failure);
                }
            }
            state.retries.inc();
            clock.sleep(delay).await;
            last = Some(failure);
            attempt += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        ctx: &Context,
        state: &RpcState,
        body: Bytes,
        opts: &CallOptions,
        remaining: u64,
        request_id: &Result<HeaderValue, String>,
        retry_after: &mut Option<u64>,
    ) -> Result<Bytes, CallFailure> {
        let uri = state.uri.clone().map_err(|e| {
            transport(
                Code::InvalidArgument,
                format!("cannot build the request: {e}"),
            )
        })?;
        let mut req = http::Request::new(body);
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = uri;
        let h = req.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let request_id = request_id.clone().map_err(|e| {
            transport(
                Code::InvalidArgument,
                format!("cannot build the request: {e}"),
            )
        })?;
        h.insert(HeaderName::from_static(meta::REQUEST_ID), request_id);
        h.insert(
            HeaderName::from_static(meta::REQUEST_TIMEOUT_MS),
            HeaderValue::from(remaining),
        );
        if let Some(source) = ctx.service().or(self.inner.source.as_deref()) {
            h.insert(
                HeaderName::from_static(meta::SOURCE_SERVICE),
                header_value(source)?,
            );
        }
        if let Some(tp) = ctx.outgoing_traceparent() {
            h.insert(
                HeaderName::from_static(meta::TRACEPARENT),
                header_value(&tp)?,
            );
            if let Some(ts) = ctx.tracestate() {
                h.insert(HeaderName::from_static(meta::TRACESTATE), header_value(ts)?);
            }
        }
        for (k, v) in &opts.headers {
            let own = [
                "content-type",
                meta::REQUEST_ID,
                meta::REQUEST_TIMEOUT_MS,
                meta::SOURCE_SERVICE,
                meta::TRACEPARENT,
                meta::TRACESTATE,
            ];
            if own.iter().any(|o| o.eq_ignore_ascii_case(k)) {
                continue;
            }
            let name = HeaderName::try_from(k.as_str()).map_err(|e| {
                transport(
                    Code::InvalidArgument,
                    format!("cannot build the request: {e}"),
                )
            })?;
            h.append(name, header_value(v)?);
        }
        let max = self.inner.max_response;
        let answer = match self.inner.transport.send(req, remaining, max).await {
            Ok(a) if a.body.len() > max => return Err(too_large(max)),
            Ok(a) => a,
            Err(SendError::TooLarge) => return Err(too_large(max)),
            Err(SendError::Connection(m)) => return Err(transport(Code::Unavailable, m)),
            Err(SendError::Timeout) => {
                return Err(transport(
                    Code::DeadlineExceeded,
                    format!("no answer from {} within the deadline", self.inner.service),
                ))
            }
        };
        if answer.status == 429 || answer.status == 503 {
            *retry_after = answer
                .headers
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
        }
        if answer.status == 200 {
            Ok(answer.body)
        } else {
            Err(interpret(answer.status, &answer.body))
        }
    }
}

/// `Retry-After` as milliseconds: delay-seconds, or an HTTP-date (RFC 9110 section 10.2.3);
/// anything else is ignored.
pub fn parse_retry_after(v: &str) -> Option<u64> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(|s| s.saturating_mul(1000));
    }
    let at = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()?;
    let ms = (at - time::OffsetDateTime::now_utc()).whole_milliseconds();
    Some(u64::try_from(ms.max(0)).unwrap_or(0))
}

/// How the breaker counts a finished attempt (section 6.1).
fn classify(r: &Result<Bytes, CallFailure>) -> Outcome {
    match r {
        Ok(_) | Err(CallFailure::App(_)) => Outcome::Success,
        Err(CallFailure::Transport(t)) => {
            if t.code == Code::Canceled {
                Outcome::Ignored
            } else if t.origin == Origin::LocalFailure
                || t.is_dependency_failed()
                || !t.code.breaker_failure()
            {
                Outcome::Success
            } else {
                Outcome::Failure
            }
        }
    }
}

/// A header value of the request; an invalid one fails the call as building the request did.
fn header_value(v: &str) -> Result<HeaderValue, CallFailure> {
    HeaderValue::from_str(v).map_err(|e| {
        transport(
            Code::InvalidArgument,
            format!("cannot build the request: {e}"),
        )
    })
}

fn transport(code: Code, message: impl Into<String>) -> CallFailure {
    CallFailure::Transport(TransportError::new(code, message).outgoing())
}

fn too_large(max: usize) -> CallFailure {
    CallFailure::Transport(TransportError::local_failure(
        Code::ResourceExhausted,
        format!("the response is larger than the client's limit of {max} bytes"),
    ))
}

/// Decodes a 200's body as the output message; failure is a local failure (`internal`).
pub fn decode_output<T: serde::Serialize + serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, TransportError> {
    crate::codec::decode(body).map_err(|e| {
        TransportError::local_failure(Code::Internal, format!("the answer does not decode: {e}"))
    })
}

/// Encodes a call's input; failure (a NaN) is `invalid_argument`, nothing is sent.
pub fn encode_input<T: serde::Serialize>(input: &T) -> Result<Vec<u8>, TransportError> {
    crate::codec::encode(input).map_err(|e| {
        TransportError::new(
            Code::InvalidArgument,
            format!("cannot encode the input: {e}"),
        )
    })
}
