//! What a client stands on, replaceable for tests: the [`Clock`] (milliseconds and sleeping),
//! the randomness of backoff, and the [`Transport`] that sends one attempt. The defaults are the
//! process's monotonic clock and tokio's timers, and a pooled keep-alive hyper client that
//! speaks `http` and `https` (rustls with the ring provider; docs/rust.md, "TLS").
use crate::server::BoxFuture;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
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

/// A pooled keep-alive hyper client (HTTP/1.1, `http` and `https`; redirects are never
/// followed). `https` is rustls (ring) verifying the server against the system's roots
/// (rustls-native-certs: `SSL_CERT_FILE` / `SSL_CERT_DIR` replace them when set) plus, with
/// [`HyperTransport::with_ca_file`], the certificates of a PEM file. `http` URLs go straight to
/// the TCP connection, as before TLS existed.
#[derive(Clone)]
pub struct HyperTransport {
    http: hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HyperTransport")
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        HyperTransport::build(system_tls().clone(), false)
    }
}

impl HyperTransport {
    /// A client that also trusts the certificates (PEM) in `ca_file`, beside the system's roots;
    /// an unreadable file or one without a certificate is an error.
    pub fn with_ca_file(ca_file: &std::path::Path) -> Result<Self, String> {
        use rustls_pki_types::pem::PemObject;
        let mut roots = system_roots();
        let shown = ca_file.display();
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(ca_file)
            .map_err(|e| format!("CA file {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("CA file {shown}: {e}"))?;
        if certs.is_empty() {
            return Err(format!("CA file {shown} holds no PEM certificate"));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("CA file {shown}: {e}"))?;
        }
        Ok(HyperTransport::build(tls_config(roots), false))
    }

    /// The pooled client over `tls`; `h2c` makes it speak HTTP/2 with prior knowledge.
    fn build(tls: rustls::ClientConfig, h2c: bool) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let mut builder = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
        builder.pool_idle_timeout(Duration::from_secs(90));
        if h2c {
            builder
                .http2_only(true)
                .timer(hyper_util::rt::TokioTimer::new());
        }
        HyperTransport {
            http: builder.build(connector),
        }
    }
}

/// The TLS configuration over the system's roots, built once per process.
fn system_tls() -> &'static rustls::ClientConfig {
    static SYSTEM: std::sync::OnceLock<rustls::ClientConfig> = std::sync::OnceLock::new();
    SYSTEM.get_or_init(|| tls_config(system_roots()))
}

/// The system's trusted roots (certificates that do not parse are skipped; none at all leaves
/// an empty store, and every `https` connection then fails with "UnknownIssuer").
fn system_roots() -> rustls::RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::debug!(error = %e, "loading the system's TLS roots");
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    roots
}

/// TLS 1.2 and 1.3 with the ring provider (chosen here, not process-wide, so a process that
/// links another rustls provider too still builds it), verifying against `roots`.
fn tls_config(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the default versions; this arm only keeps the function total.
        Err(_) => rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    }
}

/// An error and its causes, `a: b: c` (hyper's own message says only "client error (Connect)";
/// the cause says why, e.g. "invalid peer certificate: UnknownIssuer").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

impl HyperTransport {
    /// A pooled client speaking HTTP/2 with prior knowledge (h2c) to `http` URLs: the calls to
    /// one host share a multiplexed connection (`ClientOptions::h2c`). `https` URLs go through
    /// the same TLS as [`HyperTransport::default`].
    pub fn h2c() -> Self {
        HyperTransport::build(system_tls().clone(), true)
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
                let resp = http.request(req.map(Full::new)).await.map_err(|e| {
                    SendError::Connection(format!("connection failed: {}", chain(&e)))
                })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_provider_builds_the_tls_configuration_so_its_fallback_never_runs() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        assert!(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .is_ok());
    }

    #[test]
    fn a_ca_file_that_is_missing_or_holds_no_certificate_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("brief-ca-{}", std::process::id()));
        let missing = dir.join("missing.pem");
        let err = HyperTransport::with_ca_file(&missing).map(|_| ()).err();
        assert!(
            err.as_deref().is_some_and(|e| e.contains("missing.pem")),
            "{err:?}"
        );
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap_or_default();
        let err = HyperTransport::with_ca_file(&empty).map(|_| ()).err();
        assert_eq!(
            err,
            Some(format!(
                "CA file {} holds no PEM certificate",
                empty.display()
            ))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
