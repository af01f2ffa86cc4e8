//! Serving connections (docs/protocol.md sections 1 and 7): HTTP/1.1 and, when enabled, HTTP/2
//! with prior knowledge (h2c) on one port; the header read, body read and idle keep-alive
//! timeouts of section 7, all configurable in [`ServeOptions`]; graceful shutdown.
//!
//! hyper's own HTTP/1 header timeout also runs while a keep-alive connection waits for its next
//! request, which would close idle connections after the header timeout instead of the idle one.
//! So each connection is watched here instead: its reads say when a request starts arriving,
//! its service says when requests are in flight, and one timer per connection closes it when
//! the headers take too long (the connection is dropped) or it stayed idle too long (a graceful
//! close: HTTP/1 closes at once, HTTP/2 sends GOAWAY).
use crate::server::{
    BoxFuture, Router, HEADER_READ_TIMEOUT, IDLE_TIMEOUT, READ_TIMEOUT, SHUTDOWN_GRACE,
};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;

/// How [`serve_with`] serves: the timeouts of docs/protocol.md section 7 (defaults of section
/// 10), the shutdown grace period, and whether HTTP/2 with prior knowledge (h2c) is accepted
/// next to HTTP/1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// The most a client may take to send a request's headers, from their first byte (the
    /// connection is closed). HTTP/1 only: HTTP/2 has no separate header phase.
    pub header_read_timeout: Duration,
    /// The most a request's body may take to arrive, from its headers (`deadline_exceeded`).
    pub read_timeout: Duration,
    /// How long a connection may stay without a request in flight before it is closed.
    pub idle_timeout: Duration,
    /// How long a shutting-down server waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Accept HTTP/2 with prior knowledge (h2c) as well as HTTP/1.1.
    pub h2c: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: HEADER_READ_TIMEOUT,
            read_timeout: READ_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
            shutdown_grace: SHUTDOWN_GRACE,
            h2c: true,
        }
    }
}

/// What a connection's watchdog acts on, updated by its reads and its service.
struct Watch {
    opened: Instant,
    /// Requests being answered.
    in_flight: AtomicUsize,
    /// 1 + the milliseconds since `opened` when bytes arrived with no request in flight (a
    /// request's headers are being received); 0 when none.
    head_since: AtomicU64,
    /// The milliseconds since `opened` when the last request ended (or the connection opened).
    idle_since: AtomicU64,
    /// Whether any byte was read yet.
    started: AtomicBool,
    /// The connection opened with the HTTP/2 preface.
    h2: AtomicBool,
    /// A request was received (before it, the first request's headers are due from the open).
    served: AtomicBool,
}

impl Watch {
    fn new() -> Self {
        Watch {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            head_since: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            started: AtomicBool::new(false),
            h2: AtomicBool::new(false),
            served: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn on_read(&self, bytes: &[u8]) {
        if !self.started.load(Ordering::Relaxed) && !self.started.swap(true, Ordering::Relaxed) {
            let n = bytes.len().min(H2_PREFACE.len());
            if n >= 3 && bytes[..n] == H2_PREFACE[..n] {
                self.h2.store(true, Ordering::Relaxed);
            }
        }
        if self.in_flight.load(Ordering::Relaxed) == 0
            && self.head_since.load(Ordering::Relaxed) == 0
        {
            self.head_since
                .store(self.now_ms().saturating_add(1), Ordering::Relaxed);
        }
    }

    fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        if !self.served.load(Ordering::Relaxed) {
            self.served.store(true, Ordering::Relaxed);
        }
        self.head_since.store(0, Ordering::Relaxed);
    }

    fn end(&self) {
        self.idle_since.store(self.now_ms(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0";

/// Why a connection's watchdog fired.
enum Expired {
    /// A request's headers did not arrive in time.
    Header,
    /// No request for the idle timeout.
    Idle,
}

/// Completes when the connection's headers or its idleness exceed their timeouts. It wakes at
/// least every `header_read_timeout`, so a request that starts arriving during a long idle
/// sleep is still held to its header timeout exactly.
async fn watchdog(w: &Watch, opts: &ServeOptions) -> Expired {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let (header, idle) = (ms(opts.header_read_timeout), ms(opts.idle_timeout));
    let step = header.min(idle).max(1);
    loop {
        let now = w.now_ms();
        let idle_due = || {
            Some((
                w.idle_since.load(Ordering::Relaxed).saturating_add(idle),
                Expired::Idle,
            ))
        };
        let due = if w.in_flight.load(Ordering::Relaxed) > 0 {
            None
        } else if w.h2.load(Ordering::Relaxed) {
            idle_due()
        } else {
            match w.head_since.load(Ordering::Relaxed) {
                // A new connection's first request is due like headers from the open (as Go's
                // ReadHeaderTimeout), so that silent connections cannot be held for the idle
                // timeout.
                0 if !w.served.load(Ordering::Relaxed) => Some((header, Expired::Header)),
                0 => idle_due(),
                at => Some(((at - 1).saturating_add(header), Expired::Header)),
            }
        };
        let wait = match due {
            Some((at, why)) if now >= at => return why,
            Some((at, _)) => (at - now).min(step),
            None => step,
        };
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

/// A connection's socket, telling its [`Watch`] when bytes arrive.
struct Watched<T> {
    io: T,
    watch: Arc<Watch>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.on_read(&buf.filled()[before..]);
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The router as one connection's service: counts its requests in flight for the watchdog.
#[derive(Clone)]
struct ConnService {
    router: Router,
    watch: Arc<Watch>,
}

/// Ends a request for the watchdog when dropped (also when hyper drops a cancelled request).
struct InFlight(Arc<Watch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.end();
    }
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for ConnService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn call(&self, req: Request<hyper::body::Incoming>) -> Self::Future {
        self.watch.begin();
        let guard = InFlight(self.watch.clone());
        let router = self.router.clone();
        Box::pin(async move {
            let resp = router.handle(req).await;
            drop(guard);
            Ok(resp)
        })
    }
}

/// Serves `router` on `listener` with `opts` until `shutdown` completes; then reports not-ready,
/// stops accepting, asks every connection to close once its requests are answered, and waits up
/// to `opts.shutdown_grace` for them.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    opts: ServeOptions,
) -> std::io::Result<()> {
    let router = router.with_read_timeout(opts.read_timeout);
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(None);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
    let builder = Arc::new(if opts.h2c {
        builder
    } else {
        builder.http1_only()
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let watch = Arc::new(Watch::new());
                let io = hyper_util::rt::TokioIo::new(Watched { io: stream, watch: watch.clone() });
                let service = ConnService { router: router.clone(), watch: watch.clone() };
                let conn = builder.serve_connection(io, service).into_owned();
                tokio::spawn(connection(conn, watch, opts, stopped.clone()));
            }
            () = &mut shutdown => break,
        }
    }
    router.set_ready(false);
    drop(listener);
    drop(stopped);
    let _ = stop.send(true);
    tokio::select! {
        () = stop.closed() => {}
        () = tokio::time::sleep(opts.shutdown_grace) => {
            tracing::warn!("requests still in flight after the shutdown grace period");
        }
    }
    Ok(())
}

/// One served connection.
type Conn = hyper_util::server::conn::auto::Connection<
    'static,
    hyper_util::rt::TokioIo<Watched<tokio::net::TcpStream>>,
    ConnService,
    hyper_util::rt::TokioExecutor,
>;

/// Drives one connection: until it ends, its headers or idleness time out, or the server shuts
/// down (then it closes once its requests are answered).
async fn connection(
    conn: Conn,
    watch: Arc<Watch>,
    opts: ServeOptions,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    tokio::pin!(conn);
    let mut closing = false;
    let mut idle_close = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stopped.changed(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            why = watchdog(&watch, &opts), if !closing => match why {
                Expired::Header => {
                    tracing::debug!("closing a connection: request headers not received in time");
                    return;
                }
                Expired::Idle => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                    idle_close = true;
                }
            },
            // A request whose headers raced the idle close: hyper answers it and closes; one
            // that does not become a request within the header timeout is dropped.
            () = tokio::time::sleep(opts.header_read_timeout), if idle_close => {
                if watch.in_flight.load(Ordering::Relaxed) == 0 {
                    return;
                }
                idle_close = false;
            }
        }
    }
}
