//! The server's connection handling over real sockets on 127.0.0.1 (docs/protocol.md sections 1
//! and 7), with shortened timeouts: an idle keep-alive connection stays open past the header
//! timeout and is closed after the idle one, slow headers close the connection, a slow body is
//! `deadline_exceeded`; and calls over HTTP/2 with prior knowledge (h2c).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::bytes::Bytes;
use brief_runtime::{
    serve_with, CallOptions, ClientOptions, Context, Router, RpcInfo, ServeOptions,
};
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ECHO: RpcInfo = RpcInfo {
    name: "echo",
    idempotent: false,
    timeout_ms: None,
    errors: &[],
};

fn router() -> Router {
    Router::builder("s")
        .handle(&ECHO, |_ctx, v: Value| async move {
            Ok::<Value, brief_runtime::TransportError>(v)
        })
        .build()
}

fn short() -> ServeOptions {
    ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(900),
        ..ServeOptions::default()
    }
}

async fn serve(opts: ServeOptions) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_with(listener, router(), std::future::pending(), opts));
    addr.to_string()
}

const REQUEST: &[u8] = b"POST /rpc/s/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";

/// Reads one HTTP/1.1 response (headers and a `Content-Length` body); its status.
async fn response(s: &mut TcpStream) -> u16 {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "closed before a whole response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return text.split(' ').nth(1).unwrap().parse().unwrap();
            }
        }
    }
}

/// Waits for the server to close `s`; how long it took. Fails if bytes arrive or it stays open
/// for `within`.
async fn closed(s: &mut TcpStream, within: Duration) -> Duration {
    let start = Instant::now();
    let mut b = [0u8; 64];
    match tokio::time::timeout(within, s.read(&mut b)).await {
        Ok(Ok(0)) | Ok(Err(_)) => start.elapsed(),
        Ok(Ok(n)) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&b[..n])),
        Err(_) => panic!("still open after {within:?}"),
    }
}

#[tokio::test]
async fn an_idle_keep_alive_connection_outlives_the_header_timeout_and_closes_after_the_idle_one() {
    let addr = serve(short()).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(REQUEST).await.unwrap();
    assert_eq!(response(&mut s).await, 200);
    // Idle for longer than the header timeout: the connection is still usable.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.write_all(REQUEST).await.unwrap();
    assert_eq!(response(&mut s).await, 200);
    // Then idle for the idle timeout: the server closes it.
    let took = closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(800),
        "closed after {took:?}, before the idle timeout"
    );
}

#[tokio::test]
async fn a_new_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let addr = serve(short()).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let took = closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_millis(800),
        "closed after {took:?}: the header timeout is 300 ms, the idle one 900 ms"
    );
}

#[tokio::test]
async fn headers_sent_too_slowly_close_the_connection_at_the_header_timeout() {
    let addr = serve(short()).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"POST /rpc/s/echo HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let took = closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_millis(800),
        "closed after {took:?}: the header timeout is 300 ms, the idle one 900 ms"
    );
    // The same after a first request on a kept-alive connection.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(REQUEST).await.unwrap();
    assert_eq!(response(&mut s).await, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.write_all(b"POST /rpc/s/echo HTTP/1.1\r\n").await.unwrap();
    let took = closed(&mut s, Duration::from_secs(5)).await;
    assert!(took < Duration::from_millis(700), "closed after {took:?}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_deadline_exceeded() {
    let addr = serve(short()).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"POST /rpc/s/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a")
        .await
        .unwrap();
    let start = Instant::now();
    assert_eq!(response(&mut s).await, 504);
    assert!(
        start.elapsed() >= Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn the_default_timeouts_are_those_of_the_protocol() {
    let d = ServeOptions::default();
    assert_eq!(d.header_read_timeout, Duration::from_secs(10));
    assert_eq!(d.read_timeout, Duration::from_secs(30));
    assert_eq!(d.idle_timeout, Duration::from_secs(120));
    assert_eq!(d.shutdown_grace, Duration::from_secs(10));
    assert!(d.h2c);
}

/// A bare hyper HTTP/2 prior-knowledge request; the response's version and status.
async fn h2_post(addr: &str) -> Result<(http::Version, u16), String> {
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .http2_only(true)
            .build_http();
    let req = http::Request::post(format!("http://{addr}/rpc/s/echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{\"a\":1}")))
        .unwrap();
    let resp = client.request(req).await.map_err(|e| e.to_string())?;
    let (version, status) = (resp.version(), resp.status().as_u16());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"{\"a\":1}");
    Ok((version, status))
}

#[tokio::test]
async fn the_server_answers_http2_with_prior_knowledge_and_http1_on_one_port() {
    let addr = serve(ServeOptions::default()).await;
    assert_eq!(h2_post(&addr).await.unwrap(), (http::Version::HTTP_2, 200));
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(REQUEST).await.unwrap();
    assert_eq!(response(&mut s).await, 200);
    // Without h2c, an HTTP/2 client cannot talk to it.
    let http1 = serve(ServeOptions {
        h2c: false,
        ..ServeOptions::default()
    })
    .await;
    assert!(h2_post(&http1).await.is_err());
}

#[tokio::test]
async fn a_client_with_h2c_calls_over_http2() {
    let addr = serve(ServeOptions::default()).await;
    let c = brief_runtime::Client::new(
        "s",
        ClientOptions::new()
            .base_url(format!("http://{addr}"))
            .h2c(true),
    )
    .unwrap();
    for i in 0..3 {
        let body = serde_json::to_vec(&json!({"i": i})).unwrap();
        let out = c
            .call(&Context::background(), &ECHO, body, &CallOptions::new())
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&out).unwrap(),
            json!({"i": i})
        );
    }
    // The same client against a server without h2c fails: it really speaks HTTP/2.
    let http1 = serve(ServeOptions {
        h2c: false,
        ..ServeOptions::default()
    })
    .await;
    let c = brief_runtime::Client::new(
        "s",
        ClientOptions::new()
            .base_url(format!("http://{http1}"))
            .h2c(true),
    )
    .unwrap();
    let e = c
        .call(
            &Context::background(),
            &ECHO,
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await
        .unwrap_err();
    let brief_runtime::CallFailure::Transport(e) = e else {
        panic!("not a transport error: {e:?}");
    };
    assert_eq!(e.code, brief_runtime::Code::Unavailable);
}
