//! The `tracing` spans of a call: one `rpc.client` span around the client's call and one
//! `rpc.server` span around the handler, each with the fields service, rpc and code, recorded by
//! a subscriber of the test's own over a real socket on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
use brief_runtime::codec::{As, Int};
use brief_runtime::{
    CallFailure, CallOptions, Client, ClientOptions, Code, Context, FromFailure, Router, RpcInfo,
    TransportError,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = BTreeMap<String, String>;

#[derive(Default)]
struct Spans {
    next: AtomicU64,
    spans: Mutex<Vec<(String, Fields)>>,
}

struct Values<'a>(&'a mut Fields);

impl Visit for Values<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

#[derive(Clone)]
struct Collector(Arc<Spans>);

impl Subscriber for Collector {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        span.record(&mut Values(&mut fields));
        let mut spans = self.0.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        self.0.next.fetch_add(1, Ordering::SeqCst);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        let (_, fields) = &mut spans[id.into_u64() as usize - 1];
        values.record(&mut Values(fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Msg {
    #[serde(rename = "id", default, with = "As::<Int>")]
    id: i64,
}

const ECHO: RpcInfo = RpcInfo {
    name: "echo",
    idempotent: false,
    timeout_ms: None,
    errors: &[],
};

const MISSING: RpcInfo = RpcInfo {
    name: "missing",
    idempotent: false,
    timeout_ms: None,
    errors: &[],
};

#[derive(Debug)]
struct Failed(#[allow(dead_code)] CallFailure);

impl FromFailure for Failed {
    fn from_failure(f: CallFailure) -> Self {
        Failed(f)
    }
}

impl From<TransportError> for Failed {
    fn from(t: TransportError) -> Self {
        Failed(CallFailure::Transport(t))
    }
}

fn span(service: &str, rpc: &str, code: &str) -> Fields {
    [("service", service), ("rpc", rpc), ("code", code)]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_has_a_client_span_and_a_server_span_with_service_rpc_and_code() {
    let spans = Arc::new(Spans::default());
    tracing::subscriber::set_global_default(Collector(spans.clone())).unwrap();
    let router = Router::builder("spans")
        .handle(
            &ECHO,
            |_ctx, m: Msg| async move { Ok::<Msg, TransportError>(m) },
        )
        .handle(&MISSING, |_ctx, _m: Msg| async move {
            Err::<Msg, TransportError>(TransportError::new(Code::NotFound, "no such thing"))
        })
        .build();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(l, router, std::future::pending()));
    let client = Client::new("spans", ClientOptions::new().base_url(url)).unwrap();
    let ctx = Context::background();
    let out: Result<Msg, Failed> = client
        .invoke(&ctx, &ECHO, &Msg { id: 7 }, &CallOptions::new())
        .await;
    assert_eq!(out.unwrap(), Msg { id: 7 });
    let out: Result<Msg, Failed> = client
        .invoke(&ctx, &MISSING, &Msg { id: 8 }, &CallOptions::new())
        .await;
    assert!(out.is_err());
    let got: Vec<(String, Fields)> = spans
        .spans
        .lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.starts_with("rpc."))
        .cloned()
        .collect();
    let want = vec![
        ("rpc.client".to_owned(), span("spans", "echo", "ok")),
        ("rpc.server".to_owned(), span("spans", "echo", "ok")),
        (
            "rpc.client".to_owned(),
            span("spans", "missing", "not_found"),
        ),
        (
            "rpc.server".to_owned(),
            span("spans", "missing", "not_found"),
        ),
    ];
    assert_eq!(got, want);
}
