//! The client side of a call (docs/protocol.md sections 2, 4.4, 5, 8): one [`Client`] per
//! dependency over a pooled keep-alive hyper client; deadlines, metadata headers, the response
//! size limit and the reading of error answers.
use crate::breaker::{Breaker, Outcome};
use crate::budget::Budget;
use crate::errors::{interpret, CallFailure, Code, FromFailure, Origin, TransportError};
use crate::meta::{self, Context};
use crate::{discovery, metrics};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
}

/// How a client is built: base URL (else discovery), own service name, response limit.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    base_url: Option<String>,
    source_service: Option<String>,
    max_response_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            base_url: None,
            source_service: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
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
}

/// A client could not be built: the message names the variable or setting.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

type Http = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

struct Inner {
    service: String,
    base: String,
    source: Option<String>,
    max_response: usize,
    http: Http,
    breaker: Breaker,
    budget: Budget,
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
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.enforce_http(false);
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Ok(Client {
            inner: Arc::new(Inner {
                service: service.to_owned(),
                base,
                source: opts.source_service,
                max_response: opts.max_response_bytes,
                http,
                breaker: Breaker::default(),
                budget: Budget::default(),
            }),
        })
    }

    /// The dependency's service name.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// The URL of `rpc`.
    pub fn url(&self, rpc: &str) -> String {
        format!("{}/rpc/{}/{rpc}", self.inner.base, self.inner.service)
    }

    /// Sends one call of `rpc` with the encoded input `body` under `ctx`; the output's bytes on
    /// a 200, else the failure. Counted in the client metrics.
    pub async fn call(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        body: Vec<u8>,
        opts: &CallOptions,
    ) -> Result<Bytes, CallFailure> {
        let start = Instant::now();
        let result = self
            .attempts(ctx, rpc, Bytes::from(body), opts, start)
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
        let dep = self.inner.service.as_str();
        metrics::inc(
            "brief_client_requests_total",
            &[("dependency", dep), ("rpc", rpc.name), ("code", code)],
        );
        metrics::observe(
            "brief_client_request_duration_seconds",
            &[("dependency", dep), ("rpc", rpc.name)],
            start.elapsed(),
        );
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
        body: Bytes,
        opts: &CallOptions,
        start: Instant,
    ) -> Result<Bytes, CallFailure> {
        let mut deadline = start + rpc.timeout().unwrap_or(DEFAULT_TIMEOUT);
        if let Some(d) = ctx.deadline() {
            deadline = deadline.min(d);
        }
        if let Some(t) = opts.timeout {
            deadline = deadline.min(start + t);
        }
        let request_id = ctx
            .request_id()
            .map(str::to_owned)
            .unwrap_or_else(meta::new_request_id);
        let dep = self.inner.service.as_str();
        let mut last: Option<CallFailure> = None;
        let mut attempt = 1u32;
        loop {
            if deadline
                .saturating_duration_since(Instant::now())
                .as_millis()
                < 1
            {
                return Err(last.unwrap_or_else(|| {
                    transport(Code::DeadlineExceeded, "the call's deadline has passed")
                }));
            }
            let Some(ticket) = self.inner.breaker.allow(clock_ms()) else {
                metrics::inc(
                    "brief_client_breaker_rejections_total",
                    &[("dependency", dep)],
                );
                return Err(last
                    .unwrap_or_else(|| CallFailure::Transport(TransportError::circuit_open(dep))));
            };
            if attempt == 1 {
                self.inner.budget.deposit(clock_ms());
            }
            let mut retry_after = None;
            let result = self
                .attempt(
                    ctx,
                    rpc,
                    body.clone(),
                    opts,
                    deadline,
                    &request_id,
                    &mut retry_after,
                )
                .await;
            self.inner
                .breaker
                .record(ticket, classify(&result), clock_ms());
            let state = self.inner.breaker.state(clock_ms()) as i64;
            metrics::gauge_set("brief_client_breaker_state", &[("dependency", dep)], state);
            let failure = match result {
                Ok(b) => return Ok(b),
                Err(f) => f,
            };
            let retryable = matches!(&failure, CallFailure::Transport(t)
                if t.code.retryable() && t.origin == Origin::Outgoing && !t.is_dependency_failed());
            if !retryable || !rpc.idempotent || attempt >= MAX_ATTEMPTS {
                return Err(failure);
            }
            let cap = (INITIAL_BACKOFF_MS << (attempt - 1)).min(MAX_BACKOFF_MS);
            let mut delay = (random_unit() * cap as f64).floor() as u64;
            if let Some(ra) = retry_after {
                delay = delay.max(ra.min(MAX_BACKOFF_MS));
            }
            let delay = Duration::from_millis(delay);
            if Instant::now() + delay >= deadline || !self.inner.budget.withdraw(clock_ms()) {
                return Err(failure);
            }
            metrics::inc(
                "brief_client_retries_total",
                &[("dependency", dep), ("rpc", rpc.name)],
            );
            tokio::time::sleep(delay).await;
            last = Some(failure);
            attempt += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        ctx: &Context,
        rpc: &RpcInfo,
        body: Bytes,
        opts: &CallOptions,
        deadline: Instant,
        request_id: &str,
        retry_after: &mut Option<u64>,
    ) -> Result<Bytes, CallFailure> {
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .as_millis();
        if remaining < 1 {
            return Err(transport(
                Code::DeadlineExceeded,
                "the call's deadline has passed",
            ));
        }
        let mut req = http::Request::post(self.url(rpc.name))
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(meta::REQUEST_ID, request_id)
            .header(meta::REQUEST_TIMEOUT_MS, remaining.to_string());
        if let Some(source) = ctx.service().or(self.inner.source.as_deref()) {
            req = req.header(meta::SOURCE_SERVICE, source);
        }
        if let Some(tp) = ctx.outgoing_traceparent() {
            req = req.header(meta::TRACEPARENT, tp);
            if let Some(ts) = ctx.tracestate() {
                req = req.header(meta::TRACESTATE, ts);
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
            if !own.contains(&k.to_ascii_lowercase().as_str()) {
                req = req.header(k.as_str(), v.as_str());
            }
        }
        let req = req.body(Full::new(body)).map_err(|e| {
            transport(
                Code::InvalidArgument,
                format!("cannot build the request: {e}"),
            )
        })?;
        let max = self.inner.max_response;
        let exchange =
            async {
                let resp =
                    self.inner.http.request(req).await.map_err(|e| {
                        transport(Code::Unavailable, format!("connection failed: {e}"))
                    })?;
                let status = resp.status().as_u16();
                if status == 429 || status == 503 {
                    *retry_after = resp
                        .headers()
                        .get(http::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                }
                let announced = resp
                    .headers()
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if announced.is_some_and(|n| n > max as u64) {
                    return Err(too_large(max));
                }
                let body = Limited::new(resp.into_body(), max)
                    .collect()
                    .await
                    .map_err(|e| {
                        if e.is::<http_body_util::LengthLimitError>() {
                            too_large(max)
                        } else {
                            transport(
                                Code::Unavailable,
                                format!("reading the response failed: {e}"),
                            )
                        }
                    })?
                    .to_bytes();
                Ok((status, body))
            };
        let (status, body) = match tokio::time::timeout_at(deadline.into(), exchange).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(transport(
                    Code::DeadlineExceeded,
                    format!("no answer from {} within the deadline", self.inner.service),
                ))
            }
        };
        if status == 200 {
            Ok(body)
        } else {
            Err(interpret(status, &body))
        }
    }
}

const MAX_ATTEMPTS: u32 = 3;
const INITIAL_BACKOFF_MS: u64 = 100;
const MAX_BACKOFF_MS: u64 = 2000;

/// Milliseconds of the process's monotonic clock (the breaker's and budget's time).
fn clock_ms() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let e = *EPOCH.get_or_init(Instant::now);
    u64::try_from(e.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A uniform number in [0, 1).
fn random_unit() -> f64 {
    (meta::random_u64() >> 11) as f64 / (1u64 << 53) as f64
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
