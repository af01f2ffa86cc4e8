//! What the benches share: the echoed message, its rpc, an error type that is never looked at,
//! and the two servers (the typed router and a bare hyper echo) they call.
use brief_runtime::codec::{As, Int, List, Plain};
use brief_runtime::{Router, RpcInfo, TransportError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    #[serde(rename = "id", default, with = "As::<Int>")]
    pub id: i64,
    #[serde(rename = "tags", default, with = "As::<List<Plain>>")]
    pub tags: Vec<String>,
}

pub const ECHO: RpcInfo = RpcInfo {
    name: "echo",
    idempotent: false,
    timeout_ms: None,
    errors: &[],
};

#[derive(Debug)]
pub struct Never;
impl brief_runtime::FromFailure for Never {
    fn from_failure(_: brief_runtime::CallFailure) -> Self {
        Never
    }
}
impl From<TransportError> for Never {
    fn from(_: TransportError) -> Self {
        Never
    }
}

/// Starts, on the current tokio runtime, the typed router serving [`ECHO`] and a bare hyper
/// server echoing the same JSON, both on 127.0.0.1; their base URL and echo URL.
pub async fn start_servers() -> (String, String) {
    let router = Router::builder("bench")
        .handle(
            &ECHO,
            |_ctx, m: Msg| async move { Ok::<Msg, TransportError>(m) },
        )
        .build();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let brief_url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(l, router, std::future::pending()));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_url = format!("http://{}/echo", l.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            let svc = hyper::service::service_fn(
                |req: http::Request<hyper::body::Incoming>| async move {
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    let m: Msg = serde_json::from_slice(&body).unwrap();
                    let out = serde_json::to_vec(&m).unwrap();
                    let mut r = http::Response::new(Full::new(Bytes::from(out)));
                    r.headers_mut().insert(
                        "content-type",
                        http::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(r)
                },
            );
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    (brief_url, bare_url)
}
