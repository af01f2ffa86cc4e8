//! Interceptors as tower layers over real sockets on 127.0.0.1: client layers around the whole
//! call (retries included) that add headers, see the encoded input and short-circuit; server
//! layers after decoding that see the typed input and the caller, reject, and change the output;
//! their order (first given outermost).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::bytes::Bytes;
use brief_runtime::intercept::{
    ClientCall, ClientService, ServerCall, ServerOutput, ServerService,
};
use brief_runtime::tower;
use brief_runtime::{
    CallFailure, CallOptions, Client, ClientOptions, Code, Context, ErrorReply, Router, RpcInfo,
    TransportError,
};
use common::net::{scripted, serve, Script};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tower::ServiceExt as _;

const ECHO: RpcInfo = RpcInfo {
    name: "echo",
    idempotent: true,
    timeout_ms: None,
    errors: &[],
};

type Log = Arc<Mutex<Vec<String>>>;

/// A client layer that logs around the call under `name` and adds header `x-layer: name`.
fn client_layer(
    name: &'static str,
    log: Log,
) -> impl tower::Layer<ClientService, Service = ClientService> + Clone + Send + Sync + 'static {
    tower::layer::layer_fn(move |next: ClientService| {
        let log = log.clone();
        ClientService::new(tower::service_fn(move |mut call: ClientCall| {
            let (next, log) = (next.clone(), log.clone());
            async move {
                log.lock().unwrap().push(format!(
                    "{name} > {} {}",
                    call.procedure(),
                    String::from_utf8_lossy(&call.body)
                ));
                call.opts = call.opts.header("x-layer", name);
                let r = next.oneshot(call).await;
                log.lock().unwrap().push(format!("{name} < {}", r.is_ok()));
                r
            }
        }))
    })
}

#[tokio::test]
async fn client_layers_wrap_the_whole_call_first_given_outermost() {
    let (base, seen) = scripted(Script {
        status: 200,
        body: b"{\"ok\":true}".to_vec(),
        sequence: vec![(
            503,
            br#"{"error":{"code":"unavailable","message":"x"}}"#.to_vec(),
            vec![],
        )],
        ..Script::default()
    })
    .await;
    let log: Log = Arc::default();
    let c = Client::new(
        "dep",
        ClientOptions::new()
            .base_url(base)
            .layer(client_layer("outer", log.clone()))
            .layer(client_layer("inner", log.clone())),
    )
    .unwrap();
    let out = c
        .call(
            &Context::background(),
            &ECHO,
            b"{\"a\":1}".to_vec(),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(&out[..], b"{\"ok\":true}");
    assert_eq!(
        *log.lock().unwrap(),
        [
            "outer > dep.echo {\"a\":1}",
            "inner > dep.echo {\"a\":1}",
            "inner < true",
            "outer < true"
        ],
        "one pass through the layers for a call that was retried once"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "the retry happened below the layers");
    for (_, headers, _) in seen.iter() {
        let v: Vec<_> = headers
            .get_all("x-layer")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(v, ["outer", "inner"]);
    }
}

#[tokio::test]
async fn a_client_layer_can_answer_without_sending() {
    let (base, seen) = scripted(Script {
        status: 200,
        body: b"{}".to_vec(),
        ..Script::default()
    })
    .await;
    let deny = tower::layer::layer_fn(|_next: ClientService| {
        ClientService::new(tower::service_fn(|call: ClientCall| async move {
            Err::<Bytes, _>(CallFailure::Transport(TransportError::new(
                Code::PermissionDenied,
                format!("{} is not allowed", call.procedure()),
            )))
        }))
    });
    let c = Client::new("dep", ClientOptions::new().base_url(base).layer(deny)).unwrap();
    let e = c
        .call(
            &Context::background(),
            &ECHO,
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, CallFailure::Transport(t) if t.code == Code::PermissionDenied && t.message == "dep.echo is not allowed")
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Msg {
    #[serde(default)]
    n: i64,
}

/// A server layer that rejects calls without a caller and doubles `Msg` outputs.
fn require_caller(
    log: Log,
) -> impl tower::Layer<ServerService, Service = ServerService> + Clone + Send + Sync + 'static {
    tower::layer::layer_fn(move |next: ServerService| {
        let log = log.clone();
        ServerService::new(tower::service_fn(move |call: ServerCall| {
            let (next, log) = (next.clone(), log.clone());
            async move {
                log.lock().unwrap().push(format!(
                    "{} n={:?} caller={}",
                    call.procedure(),
                    call.input::<Msg>().map(|m| m.n),
                    call.ctx.caller()
                ));
                if call.ctx.caller().is_empty() {
                    return Err(ErrorReply::transport(
                        Code::Unauthenticated,
                        "unknown caller",
                    ));
                }
                let mut out = next.oneshot(call).await?;
                if let Some(m) = out.downcast_mut::<Msg>() {
                    m.n *= 2;
                }
                Ok::<ServerOutput, ErrorReply>(out)
            }
        }))
    })
}

#[tokio::test]
async fn server_layers_see_the_decoded_input_and_the_caller_and_can_reject() {
    let log: Log = Arc::default();
    let router = Router::builder("s")
        .layer(require_caller(log.clone()))
        .handle(&ECHO, |_ctx, m: Msg| async move {
            Ok::<Msg, TransportError>(Msg { n: m.n + 1 })
        })
        .build();
    let base = serve(router).await;
    let url = format!("{base}/rpc/s/echo");
    let json_ct = ("content-type".to_owned(), "application/json".to_owned());
    let (status, _, body) = common::net::request(
        "POST",
        &url,
        std::slice::from_ref(&json_ct),
        b"{\"n\":5}".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"],
        "unauthenticated"
    );
    let caller = ("x-source-service".to_owned(), "front".to_owned());
    let (status, _, body) = common::net::request(
        "POST",
        &url,
        &[json_ct.clone(), caller],
        b"{\"n\":5}".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({"n": 12}),
        "(5 + 1) × 2"
    );
    assert_eq!(
        *log.lock().unwrap(),
        ["s.echo n=Some(5) caller=", "s.echo n=Some(5) caller=front"]
    );
    // A body that does not decode never reaches the layers.
    let (status, _, _) =
        common::net::request("POST", &url, &[json_ct], b"{\"n\":\"x\"}".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_server_layer_replacing_the_output_with_another_type_is_internal() {
    let swap = tower::layer::layer_fn(|next: ServerService| {
        ServerService::new(tower::service_fn(move |call: ServerCall| {
            let next = next.clone();
            async move {
                next.oneshot(call).await?;
                Ok::<ServerOutput, ErrorReply>(Box::new("not a Msg"))
            }
        }))
    });
    let router = Router::builder("s")
        .handle(
            &ECHO,
            |_ctx, m: Msg| async move { Ok::<Msg, TransportError>(m) },
        )
        .layer(swap)
        .build();
    let base = serve(router).await;
    let (status, _, body) = common::net::request(
        "POST",
        &format!("{base}/rpc/s/echo"),
        &[("content-type".to_owned(), "application/json".to_owned())],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["message"],
        "internal error"
    );
}
