//! The server side (docs/protocol.md sections 2.3 and 7): a [`Router`] serving
//! `POST /rpc/<service>/<rpc>`, `/health/live`, `/health/ready` and `/metrics` as a hyper
//! service, and [`serve`] with graceful shutdown.
use crate::client::RpcInfo;
use crate::errors::{Code, ErrorReply, IntoReply};
use crate::meta::{self, Context};
use crate::metrics;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Body;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tracing::Instrument as _;

pub use crate::conn::{serve_with, ServeOptions};
use crate::events::{Admit, Deduper, MemoryDeduper};
use crate::intercept::{ServerCall, ServerOutput, ServerService, Wrap};

/// The largest request body a server accepts.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// How long a shutting-down server waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's headers, from its first byte (section 7).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body, from its headers (section 7).
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a keep-alive connection may stay without a request before the server closes it.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// A boxed `Send` future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The result of a handler as the router sees it: the encoded output, or the error reply.
pub type HandlerResult = Result<Vec<u8>, ErrorReply>;

type Handler = Arc<dyn Fn(Context, Bytes) -> BoxFuture<HandlerResult> + Send + Sync>;

struct Route {
    timeout: Option<Duration>,
    handler: Handler,
    metrics: RouteMetrics,
    /// For a typed route ([`RouterBuilder::handle`]), what server layers wrap.
    typed: Option<Typed>,
}

/// Decodes a request body as an rpc's input, boxed for the server layers.
type DecodeAny =
    Arc<dyn Fn(&[u8]) -> Result<Box<dyn std::any::Any + Send>, ErrorReply> + Send + Sync>;

/// A typed route in parts, so that server layers can be put between decoding and the handler
/// when the router is built.
struct Typed {
    rpc: &'static str,
    decode: DecodeAny,
    core: ServerService,
    encode: Arc<dyn Fn(ServerOutput) -> HandlerResult + Send + Sync>,
}

impl Typed {
    /// The route's handler with `layers` around the application's.
    fn layered(self, service: &Arc<str>, layers: &[Wrap<ServerService>]) -> Handler {
        let stack = crate::intercept::stack(self.core, layers);
        let (decode, encode, rpc, service) = (self.decode, self.encode, self.rpc, service.clone());
        Arc::new(move |ctx, body| {
            let (stack, decode, encode, service) = (
                stack.clone(),
                decode.clone(),
                encode.clone(),
                service.clone(),
            );
            Box::pin(async move {
                use tower::ServiceExt as _;
                let input = decode(&body)?;
                let call = ServerCall {
                    ctx,
                    service,
                    rpc,
                    input,
                };
                encode(stack.oneshot(call).await?)
            })
        })
    }
}

/// The series of one route, resolved when the router is built (no lock or allocation per
/// request on the way to them).
struct RouteMetrics {
    requests: metrics::ByCode,
    errors: metrics::ByCode,
    duration: metrics::Histogram,
}

impl RouteMetrics {
    fn new(service: &str, rpc: &str) -> Self {
        let l = [("service", service), ("rpc", rpc)];
        RouteMetrics {
            requests: metrics::ByCode::new("brief_server_requests_total", &l),
            errors: metrics::ByCode::new("brief_server_errors_total", &l),
            duration: metrics::Histogram::new("brief_server_request_duration_seconds", &l),
        }
    }

    fn count(&self, code: &str, received: Instant) {
        self.requests.inc(code);
        if code != "ok" {
            self.errors.inc(code);
        }
        self.duration.observe(received.elapsed());
    }
}

struct Inner {
    service: Arc<str>,
    rpcs: HashMap<String, Route>,
    events: HashMap<String, Handler>,
    ready: AtomicBool,
    in_flight: metrics::Gauge,
    unknown: RouteMetrics,
}

/// Builds a [`Router`]: one entry per rpc (generated code does this).
pub struct RouterBuilder {
    service: String,
    rpcs: HashMap<String, Route>,
    events: HashMap<String, Handler>,
    /// The consumers' deduplication store, set when the router is built.
    dedupe: Arc<std::sync::OnceLock<Arc<dyn Deduper>>>,
    deduper: Option<Arc<dyn Deduper>>,
    layers: Vec<Wrap<ServerService>>,
}

impl RouterBuilder {
    /// Serves rpc `name` (with its `@timeout`) by `handler`, which decodes the body, runs the
    /// application and encodes the result.
    pub fn rpc<F, Fut>(mut self, name: &str, timeout_ms: Option<u64>, handler: F) -> Self
    where
        F: Fn(Context, Bytes) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |ctx, body| Box::pin(handler(ctx, body)));
        self.rpcs.insert(
            name.to_owned(),
            Route {
                timeout: timeout_ms.map(Duration::from_millis),
                handler,
                metrics: RouteMetrics::new(&self.service, name),
                typed: None,
            },
        );
        self
    }

    /// Serves rpc `info` by a typed handler: the body is decoded as its input `I` (empty and
    /// `null` are the empty message; failure is `invalid_argument`), the output encoded, an
    /// error answered as [`IntoReply`] says. Generated routers call this once per rpc.
    pub fn handle<I, O, E, F, Fut>(self, info: &RpcInfo, handler: F) -> Self
    where
        I: serde::Serialize + serde::de::DeserializeOwned + Default + Send + 'static,
        O: serde::Serialize + Send + 'static,
        E: IntoReply + Send + 'static,
        F: Fn(Context, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let h = handler.clone();
        let core = tower::service_fn(move |call: ServerCall| {
            let h = h.clone();
            async move {
                let input = call
                    .input
                    .downcast::<I>()
                    .map_err(|_| wrong_type("input"))?;
                match h(call.ctx, *input).await {
                    Ok(out) => Ok(Box::new(out) as ServerOutput),
                    Err(e) => Err(e.into_reply()),
                }
            }
        });
        let typed = Typed {
            rpc: info.name,
            decode: Arc::new(|body| {
                decode_input::<I>(body).map(|i| Box::new(i) as Box<dyn std::any::Any + Send>)
            }),
            core: ServerService::new(core),
            encode: Arc::new(|out| match out.downcast::<O>() {
                Ok(o) => encode_output(&*o),
                Err(_) => Err(wrong_type("output")),
            }),
        };
        let mut b = self.rpc(info.name, info.timeout_ms, move |ctx, body| {
            let handler = handler.clone();
            async move {
                let input: I = decode_input(&body)?;
                match handler(ctx, input).await {
                    Ok(out) => encode_output(&out),
                    Err(e) => Err(e.into_reply()),
                }
            }
        });
        if let Some(route) = b.rpcs.get_mut(info.name) {
            route.typed = Some(typed);
        }
        b
    }

    /// Wraps every rpc served through [`RouterBuilder::handle`] (every generated route) in
    /// `layer`, a tower layer over [`ServerService`] (an interceptor: see
    /// [`crate::intercept`]), whichever rpcs are added before or after it. The first layer given
    /// is the outermost. Event consumers are not wrapped.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<ServerService> + Send + Sync + 'static,
        L::Service: tower::Service<ServerCall, Response = ServerOutput, Error = ErrorReply>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<ServerCall>>::Future: Send + 'static,
    {
        self.layers.push(crate::intercept::wrap(layer));
        self
    }

    /// Consumes `topic`: deliveries at `POST /events/<topic>` are checked as CloudEvents,
    /// deduplicated by (`source`, `id`) and their `data` decoded as `T` for `handler`
    /// (section 9.4: 204 when handled or a duplicate, 409 while another delivery of the same
    /// event runs, 400 for an invalid event, the handler's error otherwise).
    pub fn consume<T, E, F, Fut>(self, topic: &str, handler: F) -> Self
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Default + Send + 'static,
        E: IntoReply + Send + 'static,
        F: Fn(Context, T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let dedupe = self.dedupe.clone();
        let name = topic.to_owned();
        self.event(topic, move |ctx, body| {
            let handler = handler.clone();
            let dedupe = dedupe.clone();
            let topic = name.clone();
            async move {
                let (key, data) = crate::events::parse_delivery(&topic, &body)?;
                let input: T = crate::codec::decode(&data)
                    .map_err(|e| ErrorReply::transport(Code::InvalidArgument, e.to_string()))?;
                // Set by `build`, before any delivery can arrive.
                let Some(store) = dedupe.get().cloned() else {
                    return Err(ErrorReply::internal());
                };
                let result = match store.acquire(&ctx, &key).await {
                    Err(e) => {
                        tracing::error!(topic = %topic, error = %e, "the dedupe store failed");
                        Err(ErrorReply::transport(
                            Code::Unavailable,
                            "the dedupe store failed",
                        ))
                    }
                    Ok(Admit::Duplicate) => Ok(false),
                    Ok(Admit::Busy) => Err(ErrorReply::transport(
                        Code::Aborted,
                        "this event is being processed by another delivery",
                    )),
                    Ok(Admit::Run) => {
                        let r = handler(ctx.clone(), input).await;
                        if let Err(e) = store.release(&ctx, &key, r.is_ok()).await {
                            tracing::error!(topic = %topic, error = %e, "the dedupe store failed");
                        }
                        r.map(|()| true).map_err(IntoReply::into_reply)
                    }
                };
                let label = match &result {
                    Ok(true) => "ok".to_owned(),
                    Ok(false) => "duplicate".to_owned(),
                    Err(e) => e.code.clone(),
                };
                metrics::inc(
                    "brief_events_received_total",
                    &[("topic", &topic), ("result", &label)],
                );
                result.map(|_| Vec::new())
            }
        })
    }

    /// The store that remembers handled events for every consumer of this router (the
    /// in-memory [`MemoryDeduper`] by default), whether set before or after the consumers.
    pub fn deduper(mut self, store: impl Deduper) -> Self {
        self.deduper = Some(Arc::new(store));
        self
    }

    /// Serves `POST /events/<topic>` by `handler` (a consumer of that topic).
    pub fn event<F, Fut>(mut self, topic: &str, handler: F) -> Self
    where
        F: Fn(Context, Bytes) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |ctx, body| Box::pin(handler(ctx, body)));
        self.events.insert(topic.to_owned(), handler);
        self
    }

    /// The router.
    pub fn build(mut self) -> Router {
        let service: Arc<str> = self.service.as_str().into();
        let store = self
            .deduper
            .take()
            .unwrap_or_else(|| Arc::new(MemoryDeduper::default()));
        let _ = self.dedupe.set(store);
        if !self.layers.is_empty() {
            for route in self.rpcs.values_mut() {
                if let Some(typed) = route.typed.take() {
                    route.handler = typed.layered(&service, &self.layers);
                }
            }
        }
        let in_flight = metrics::Gauge::new(
            "brief_server_in_flight_requests",
            &[("service", &self.service)],
        );
        let unknown = RouteMetrics::new(&self.service, "unknown");
        Router {
            inner: Arc::new(Inner {
                service,
                rpcs: self.rpcs,
                events: self.events,
                ready: AtomicBool::new(true),
                in_flight,
                unknown,
            }),
            read_timeout: READ_TIMEOUT,
        }
    }
}

/// The request router of one service: a hyper `Service` (cheap to clone) whose
/// [`Router::handle`] can also be called from any other HTTP framework.
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
    read_timeout: Duration,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("service", &self.inner.service)
            .finish()
    }
}

fn json(status: u16, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn error(reply: &ErrorReply) -> Response<Full<Bytes>> {
    json(reply.status, reply.body())
}

fn with_request_id(
    mut r: Response<Full<Bytes>>,
    id: Option<http::HeaderValue>,
) -> Response<Full<Bytes>> {
    if let Some(v) = id {
        r.headers_mut()
            .insert(http::HeaderName::from_static(meta::REQUEST_ID), v);
    }
    r
}

/// All values of header `name` joined with `,` (one allocation when there is one value).
fn header(h: &http::HeaderMap, name: &str) -> Option<String> {
    let mut values = h.get_all(name).iter().filter_map(|v| v.to_str().ok());
    let first = values.next()?;
    let mut out = first.to_owned();
    for v in values {
        out.push(',');
        out.push_str(v);
    }
    Some(out)
}

/// `application/json`, case-insensitively, parameters ignored.
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

impl Router {
    /// The router of service `service`.
    pub fn builder(service: &str) -> RouterBuilder {
        RouterBuilder {
            service: service.to_owned(),
            rpcs: HashMap::new(),
            events: HashMap::new(),
            dedupe: Arc::default(),
            deduper: None,
            layers: Vec::new(),
        }
    }

    /// The service's name.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// The same router (sharing its routes and readiness) with another limit on the time a
    /// request body may take to arrive ([`READ_TIMEOUT`] by default; [`serve_with`] sets it from
    /// its [`ServeOptions`]).
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets readiness (`/health/ready`); [`serve`] clears it when shutting down.
    pub fn set_ready(&self, ready: bool) {
        self.inner.ready.store(ready, Ordering::SeqCst);
    }

    /// Answers one request.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = req.uri().path().to_owned();
        if let Some(rest) = path.strip_prefix("/rpc/") {
            return self.rpc(rest, req).await;
        }
        if let Some(topic) = path.strip_prefix("/events/") {
            return self.event(topic, req).await;
        }
        let get = req.method() == Method::GET;
        match path.as_str() {
            "/health/live" if get => json(200, br#"{"status":"ok"}"#.to_vec()),
            "/health/ready" if get => {
                if self.inner.ready.load(Ordering::SeqCst) {
                    json(200, br#"{"status":"ok"}"#.to_vec())
                } else {
                    json(
                        503,
                        br#"{"status":"unavailable","reason":"shutting down"}"#.to_vec(),
                    )
                }
            }
            "/metrics" if get => {
                let mut r = Response::new(Full::new(Bytes::from(metrics::render())));
                r.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                );
                r
            }
            _ => error(&ErrorReply::transport(
                Code::Unimplemented,
                format!("no endpoint {path}"),
            )),
        }
    }

    async fn rpc<B>(&self, rest: &str, req: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let received = Instant::now();
        let inner = &*self.inner;
        let route = match rest.split_once('/') {
            Some((s, r)) if s == &*inner.service && !r.contains('/') => inner.rpcs.get_key_value(r),
            _ => None,
        };
        let ctx = Context::from_headers_shared(
            &inner.service,
            |n| header(req.headers(), n),
            received,
            route.and_then(|(_, r)| r.timeout),
        );
        let id = ctx
            .request_id()
            .and_then(|id| http::HeaderValue::from_str(id).ok());
        let Some((name, route)) = route else {
            let reply = ErrorReply::transport(Code::Unimplemented, format!("no rpc /rpc/{rest}"));
            inner.unknown.count(&reply.code, received);
            return with_request_id(error(&reply), id);
        };
        let span = tracing::info_span!(
            "rpc.server",
            service = &*inner.service,
            rpc = name.as_str(),
            code = tracing::field::Empty,
        );
        inner.in_flight.add(1);
        let result = self
            .run(route, ctx, req, id.as_ref())
            .instrument(span.clone())
            .await;
        inner.in_flight.add(-1);
        let code = match &result {
            Ok(_) => "ok",
            Err(reply) => reply.code.as_str(),
        };
        span.record("code", code);
        route.metrics.count(code, received);
        let resp = match result {
            Ok(out) => json(200, out),
            Err(reply) => error(&reply),
        };
        with_request_id(resp, id)
    }

    async fn run<B>(
        &self,
        route: &Route,
        ctx: Context,
        req: Request<B>,
        request_id: Option<&http::HeaderValue>,
    ) -> HandlerResult
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let body = read_body(req, "application/json", self.read_timeout).await?;
        if ctx.remaining().is_some_and(|r| r.is_zero()) {
            return Err(ErrorReply::transport(
                Code::DeadlineExceeded,
                "the deadline passed before the handler ran",
            ));
        }
        match (CatchUnwind((route.handler)(ctx, body))).await {
            Ok(r) => r,
            Err(()) => {
                let request_id = request_id.and_then(|v| v.to_str().ok()).unwrap_or_default();
                tracing::error!(request_id = %request_id, "handler panicked");
                Err(ErrorReply::internal())
            }
        }
    }

    async fn event<B>(&self, topic: &str, req: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let received = Instant::now();
        let ctx = Context::from_headers_shared(
            &self.inner.service,
            |n| header(req.headers(), n),
            received,
            None,
        );
        let id = ctx
            .request_id()
            .and_then(|id| http::HeaderValue::from_str(id).ok());
        let Some(handler) = self.inner.events.get(topic) else {
            let reply =
                ErrorReply::transport(Code::Unimplemented, format!("no consumer of {topic}"));
            return with_request_id(error(&reply), id);
        };
        let result = match read_body(req, "application/cloudevents+json", self.read_timeout).await {
            Ok(body) => match (CatchUnwind(handler(ctx, body))).await {
                Ok(r) => r,
                Err(()) => Err(ErrorReply::internal()),
            },
            Err(e) => Err(e),
        };
        let resp = match result {
            Ok(_) => {
                let mut r = Response::new(Full::new(Bytes::new()));
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            }
            Err(reply) => error(&reply),
        };
        with_request_id(resp, id)
    }
}

/// The `internal` answer to an input or output that is not of the rpc's type (a server layer
/// replaced it).
fn wrong_type(what: &str) -> ErrorReply {
    tracing::error!("a server layer passed an {what} of the wrong type");
    ErrorReply::internal()
}

/// Runs a handler's future in the request's own task, turning a panic into `Err(())` (no task
/// spawn, so no hop to another worker thread).
struct CatchUnwind(BoxFuture<HandlerResult>);

impl Future for CatchUnwind {
    type Output = Result<HandlerResult, ()>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || inner.poll(cx))) {
            Ok(std::task::Poll::Ready(r)) => std::task::Poll::Ready(Ok(r)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    }
}

/// Checks method, `Content-Type` (JSON, or `also`) and `Content-Encoding`, then reads the body
/// within [`MAX_REQUEST_BYTES`] and `timeout` (section 2.3 steps 4 and 5).
async fn read_body<B>(req: Request<B>, also: &str, timeout: Duration) -> Result<Bytes, ErrorReply>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if req.method() != Method::POST {
        return Err(ErrorReply::transport(
            Code::InvalidArgument,
            format!("method {} is not allowed: use POST", req.method()),
        ));
    }
    let ct = header(req.headers(), "content-type");
    let also_ok = ct
        .as_deref()
        .and_then(|c| c.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(also));
    if !is_json(ct.as_deref()) && !also_ok {
        return Err(ErrorReply::transport(
            Code::InvalidArgument,
            "Content-Type must be application/json",
        ));
    }
    if let Some(enc) = header(req.headers(), "content-encoding") {
        if !enc.trim().eq_ignore_ascii_case("identity") {
            return Err(ErrorReply::transport(
                Code::InvalidArgument,
                format!("Content-Encoding {enc} is not supported"),
            ));
        }
    }
    let mut read = std::pin::pin!(Limited::new(req.into_body(), MAX_REQUEST_BYTES).collect());
    // A small body usually arrived with the headers: the first poll completes it and no timer
    // is armed. Otherwise the rest must arrive within `timeout`.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(read.as_mut().poll(cx))).await;
    let read = match first {
        std::task::Poll::Ready(r) => Ok(r),
        std::task::Poll::Pending => tokio::time::timeout(timeout, read).await,
    };
    match read {
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(ErrorReply::transport(
            Code::ResourceExhausted,
            format!("the request body is larger than {MAX_REQUEST_BYTES} bytes"),
        )),
        Ok(Err(e)) => Err(ErrorReply::transport(
            Code::InvalidArgument,
            format!("reading the request body failed: {e}"),
        )),
        Err(_) => Err(ErrorReply::transport(
            Code::DeadlineExceeded,
            format!(
                "the request body was not sent within {} ms",
                timeout.as_millis()
            ),
        )),
    }
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for Router {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn call(&self, req: Request<hyper::body::Incoming>) -> Self::Future {
        let router = self.clone();
        Box::pin(async move { Ok(router.handle(req).await) })
    }
}

/// Serves `router` on `listener` until `shutdown` completes, with the default
/// [`ServeOptions`]: HTTP/1.1 and h2c, the timeouts of section 7 (headers 10 s, body 30 s, idle
/// keep-alive connections closed after 120 s); then reports not-ready, stops accepting and waits
/// up to [`SHUTDOWN_GRACE`] for requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    crate::conn::serve_with(listener, router, shutdown, ServeOptions::default()).await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Binds `addr` (like `0.0.0.0:8080`) and serves `router` until SIGTERM or Ctrl-C.
pub async fn serve_addr(addr: &str, router: Router) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve(listener, router, shutdown_signal()).await
}

/// Decodes a request body as the rpc's input: empty and `null` are the empty message; failure is
/// `invalid_argument` naming the JSON path.
pub fn decode_input<T: serde::Serialize + serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, ErrorReply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    crate::codec::decode(body)
        .map_err(|e| ErrorReply::transport(Code::InvalidArgument, e.to_string()))
}

/// Encodes a handler's output; failure (a NaN) is `internal`.
pub fn encode_output<T: serde::Serialize>(out: &T) -> HandlerResult {
    crate::codec::encode(out).map_err(|e| {
        tracing::error!(error = %e, "cannot encode the output");
        ErrorReply::internal()
    })
}
