//! Real sockets on 127.0.0.1 for the tests: a router served on a free port, a scripted peer, and
//! raw requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use brief_runtime::bytes::Bytes;
use brief_runtime::Router;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioExecutor;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// Serves `router` on 127.0.0.1; its base URL. The server stops with the test's runtime.
pub async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(brief_runtime::serve(
        listener,
        router,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// One scripted answer: status, body, headers.
pub type Answer = (u16, Vec<u8>, Vec<(String, String)>);

/// What a scripted peer answers.
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub hang: bool,
    /// Answers of the first requests, in order (status, body, headers); then `status`/`body`.
    pub sequence: Vec<Answer>,
}

/// The requests a scripted peer received: path, headers and body.
pub type Seen = Arc<Mutex<Vec<(String, http::HeaderMap, Vec<u8>)>>>;

/// A peer on 127.0.0.1 that answers every request with `script`; its base URL and what it saw.
pub async fn scripted(script: Script) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let script = script.clone();
            let seen = seen2.clone();
            let count = count.clone();
            let svc =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let mut script = script.clone();
                    let seen = seen.clone();
                    let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if let Some((status, body, headers)) = script.sequence.get(n).cloned() {
                        script.status = status;
                        script.body = body;
                        script.headers = headers;
                    }
                    async move {
                        let path = req.uri().path().to_owned();
                        let headers = req.headers().clone();
                        let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
                        seen.lock().unwrap().push((path, headers, body));
                        if script.hang {
                            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        }
                        let mut r =
                            http::Response::new(Full::new(Bytes::from(script.body.clone())));
                        *r.status_mut() = http::StatusCode::from_u16(script.status).unwrap();
                        for (k, v) in &script.headers {
                            r.headers_mut().insert(
                                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                                http::HeaderValue::from_str(v).unwrap(),
                            );
                        }
                        Ok::<_, std::convert::Infallible>(r)
                    }
                });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// A raw HTTP request; status, headers and body of the answer.
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (u16, http::HeaderMap, Vec<u8>) {
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = client
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}
