//! What a client stands on, replaceable for tests: the [`Clock`] (milliseconds and sleeping),
//! the randomness of backoff, and the [`Transport`] that sends one attempt. The defaults are the
//! process's monotonic clock and tokio's timers, and a pooled keep-alive hyper client.
use crate::server::BoxFuture;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A clock in milliseconds, and sleeping on it.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
    fn sleep(&self, ms: u64) -> BoxFuture<()>;
}

/// The process's monotonic clock with tokio's timers.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        let e = *EPOCH.get_or_init(Instant::now);
        u64::try_from(e.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn sleep(&self, ms: u64) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms)))
    }
}

/// A source of uniform numbers in [0, 1) for backoff.
pub type Random = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The default randomness.
pub fn random_unit() -> f64 {
    (crate::meta::random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// An answer to one attempt.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// Why an attempt got no answer.
#[derive(Debug, Clone)]
pub enum SendError {
    /// Connection refused, reset or closed; reading the body failed.
    Connection(String),
    /// No (whole) answer within the attempt's time.
    Timeout,
    /// The body is longer than the limit (or announced so).
    TooLarge,
}

/// Sends one attempt: the request, the time it may take, the response size limit.
pub trait Transport: Send + Sync {
    fn send(
        &self,
        req: http::Request<Bytes>,
        timeout_ms: u64,
        max_body: usize,
    ) -> BoxFuture<Result<Answer, SendError>>;
}

/// A pooled keep-alive hyper client (HTTP/1.1, `http`; redirects are never followed).
#[derive(Clone)]
pub struct HyperTransport {
    http: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HyperTransport")
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.enforce_http(false);
        HyperTransport {
            http: hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(connector),
        }
    }
}

impl HyperTransport {
    /// A pooled client speaking HTTP/2 with prior knowledge (h2c) to `http` URLs: the calls to
    /// one host share a multiplexed connection (`ClientOptions::h2c`).
    pub fn h2c() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        HyperTransport {
            http: hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .http2_only(true)
                .timer(hyper_util::rt::TokioTimer::new())
                .build(connector),
        }
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        req: http::Request<Bytes>,
        timeout_ms: u64,
        max_body: usize,
    ) -> BoxFuture<Result<Answer, SendError>> {
        let http = self.http.clone();
        Box::pin(async move {
            let exchange = async {
                let resp = http
                    .request(req.map(Full::new))
                    .await
                    .map_err(|e| SendError::Connection(format!("connection failed: {e}")))?;
                let (parts, body) = resp.into_parts();
                let status = parts.status.as_u16();
                let headers = parts.headers;
                let announced = headers
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if announced.is_some_and(|n| n > max_body as u64) {
                    return Err(SendError::TooLarge);
                }
                let body = Limited::new(body, max_body)
                    .collect()
                    .await
                    .map_err(|e| {
                        if e.is::<http_body_util::LengthLimitError>() {
                            SendError::TooLarge
                        } else {
                            SendError::Connection(format!("reading the response failed: {e}"))
                        }
                    })?
                    .to_bytes();
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            };
            match tokio::time::timeout(Duration::from_millis(timeout_ms), exchange).await {
                Ok(r) => r,
                Err(_) => Err(SendError::Timeout),
            }
        })
    }
}
