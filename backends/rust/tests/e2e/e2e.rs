//! End-to-end test of generated Rust code (hand-written fixture; see docs/rust.md).
//!
//! backends/rust/tests/rust_toolchain.rs copies this file into the throwaway crate that holds
//! the code generated for every golden case and runs it with `cargo test`: the generated server
//! of golden/cases/go-everything runs on 127.0.0.1 and the generated client calls it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, deprecated)]
use brief_runtime::{CallOptions, ClientOptions, Code, Context, TransportError};
use golden_rust::go_everything as gen;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Impl {
    flaky_calls: AtomicI64,
}

impl gen::Server for Impl {
    async fn get(&self, ctx: Context, input: gen::GetIn) -> Result<gen::Item, gen::GetError> {
        match input.id {
            404 => Err(gen::NotFoundError { id: input.id }.into()),
            409 => Err(gen::ConflictError {}.into()),
            500 => panic!("a handler bug"),
            503 => Err(TransportError::new(Code::Unavailable, "overloaded").into()),
            _ => Ok(gen::Item {
                id: input.id,
                name: format!("caller={} user={}", ctx.caller(), input.user_id),
                note: ctx.request_id().map(str::to_owned),
                blob: vec![0, 1, 2, 255],
                ..gen::Item::default()
            }),
        }
    }

    async fn put(&self, _: Context, input: gen::Item) -> Result<gen::Item, gen::PutError> {
        Ok(input)
    }

    async fn slow(&self, ctx: Context, _: gen::Nothing) -> Result<gen::Nothing, gen::SlowError> {
        // Honours the deadline it is given (the rpc's @timeout is 100ms).
        let left = ctx.remaining().unwrap_or(Duration::from_secs(1));
        tokio::time::sleep(left + Duration::from_millis(200)).await;
        Ok(gen::Nothing {})
    }

    async fn flaky(
        &self,
        _: Context,
        input: gen::FlakyIn,
    ) -> Result<gen::FlakyOut, gen::FlakyError> {
        let calls = self.flaky_calls.fetch_add(1, Ordering::SeqCst) + 1;
        if calls <= input.failures {
            return Err(TransportError::new(Code::Unavailable, "not yet").into());
        }
        Ok(gen::FlakyOut { calls })
    }

    async fn r#type(&self, _: Context, input: gen::Func) -> Result<gen::Range, gen::TypeError> {
        Ok(gen::Range {
            ok: input.r#enum == gen::Type::Func,
        })
    }

    async fn get_item(
        &self,
        ctx: Context,
        input: gen::GetIn,
    ) -> Result<gen::Item, gen::GetItemError> {
        self.get(ctx, input)
            .await
            .map_err(|_| TransportError::new(Code::Internal, "x").into())
    }

    async fn get_item_(
        &self,
        ctx: Context,
        input: gen::GetIn,
    ) -> Result<gen::Item, gen::GetItemError_> {
        self.get(ctx, input)
            .await
            .map_err(|_| TransportError::new(Code::Internal, "x").into())
    }

    async fn old_get(
        &self,
        ctx: Context,
        input: gen::GetIn,
    ) -> Result<gen::Item, gen::OldGetError> {
        self.get(ctx, input)
            .await
            .map_err(|_| TransportError::new(Code::Internal, "x").into())
    }

    async fn older(&self, ctx: Context, input: gen::GetIn) -> Result<gen::Item, gen::OlderError> {
        self.get(ctx, input)
            .await
            .map_err(|_| TransportError::new(Code::Internal, "x").into())
    }
}

async fn start() -> gen::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        gen::router(Impl::default()),
        std::future::pending(),
    ));
    gen::Client::with_options(ClientOptions::new().base_url(url).source_service("e2e")).unwrap()
}

#[tokio::test]
async fn ok_call_round_trips_types_and_metadata() {
    let c = start().await;
    let ctx = Context::background().with_request_id("req-e2e-1");
    let out = c
        .get(
            &ctx,
            &gen::GetIn {
                id: 7,
                user_id: "u1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(out.id, 7);
    assert_eq!(out.name, "caller=e2e user=u1");
    assert_eq!(out.note.as_deref(), Some("req-e2e-1"));
    assert_eq!(out.blob, vec![0, 1, 2, 255]);
    let item = gen::Item {
        id: 1,
        price: 2.5,
        tags: vec!["a".into()],
        by_id: [(-3, "minus three".to_owned())].into_iter().collect(),
        maybe_money: Some(gen::Money {
            units: 5,
            currency: gen::Currency::Usd,
        }),
        created_at: brief_runtime::Timestamp::from_unix(1_767_322_800, 5).unwrap(),
        sparse: vec![Some(1), None],
        ..gen::Item::default()
    };
    assert_eq!(c.put(&Context::background(), &item).await.unwrap(), item);
    let r = c
        .r#type(
            &Context::background(),
            &gen::Func {
                r#enum: gen::Type::Func,
            },
        )
        .await
        .unwrap();
    assert!(r.ok);
}

#[tokio::test]
async fn declared_errors_come_back_typed_and_match_exhaustively() {
    let c = start().await;
    let ctx = Context::background();
    match c
        .get(
            &ctx,
            &gen::GetIn {
                id: 404,
                ..Default::default()
            },
        )
        .await
    {
        Err(gen::GetError::NotFound(e)) => assert_eq!(e.id, 404),
        other => panic!("want NotFound, got {other:?}"),
    }
    assert!(matches!(
        c.get(
            &ctx,
            &gen::GetIn {
                id: 409,
                ..Default::default()
            }
        )
        .await,
        Err(gen::GetError::Conflict(_))
    ));
    match c
        .get(
            &ctx,
            &gen::GetIn {
                id: 503,
                ..Default::default()
            },
        )
        .await
    {
        Err(gen::GetError::Transport(t)) => assert_eq!(t.code, Code::Unavailable),
        other => panic!("want unavailable, got {other:?}"),
    }
    match c
        .get(
            &ctx,
            &gen::GetIn {
                id: 500,
                ..Default::default()
            },
        )
        .await
    {
        Err(gen::GetError::Transport(t)) => {
            assert_eq!(t.code, Code::Internal);
            assert!(!t.message.contains("bug"), "{t}");
        }
        other => panic!("want internal, got {other:?}"),
    }
}

#[tokio::test]
async fn idempotent_rpcs_are_retried_after_unavailable() {
    let c = start().await;
    // flaky is @idempotent: two unavailable answers, then a success, within one call.
    let out = c
        .flaky(
            &Context::background(),
            &gen::FlakyIn {
                failures: 2,
                key: "k".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(out.calls, 3);
}

#[tokio::test]
async fn unknown_rpc_is_unimplemented() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        gen::router(Impl::default()),
        std::future::pending(),
    ));
    // A client of another contract pointed at this server: its rpc is unknown here.
    let other = golden_rust::go_everything::billing::Client::with_options(
        ClientOptions::new().base_url(url),
    )
    .unwrap();
    let r = other
        .charge(
            &Context::background(),
            &golden_rust::go_everything::billing::ChargeIn::default(),
        )
        .await;
    match r {
        Err(golden_rust::go_everything::billing::ChargeError::Transport(t)) => {
            assert_eq!(t.code, Code::Unimplemented)
        }
        other => panic!("want unimplemented, got {other:?}"),
    }
}

#[tokio::test]
async fn timeouts_end_the_call_with_deadline_exceeded() {
    let c = start().await;
    let ctx = Context::background();
    let t0 = std::time::Instant::now();
    match c.slow(&ctx, &gen::Nothing {}).await {
        Err(gen::SlowError::Transport(t)) => assert_eq!(t.code, Code::DeadlineExceeded),
        other => panic!("want deadline_exceeded, got {other:?}"),
    }
    assert!(
        t0.elapsed() < Duration::from_millis(250),
        "{:?}",
        t0.elapsed()
    );
    // A shorter per-call timeout wins over the rpc's.
    let opts = CallOptions::new()
        .timeout(Duration::from_millis(20))
        .header("X-Extra", "1");
    let t0 = std::time::Instant::now();
    assert!(c.slow_with(&ctx, &gen::Nothing {}, &opts).await.is_err());
    assert!(
        t0.elapsed() < Duration::from_millis(90),
        "{:?}",
        t0.elapsed()
    );
}

/// Interop both ways with Go: the Go server and client of the same contract, built by
/// scripts/test.d/35-rust-codegen.sh into `$BRIEF_GO_INTEROP_BIN` (backends/rust/tests/interop/).
/// Without that variable (the toolchain test run alone) it says so and does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_with_go_both_ways() {
    use std::io::BufRead as _;
    let Some(bin) = std::env::var_os("BRIEF_GO_INTEROP_BIN").map(std::path::PathBuf::from) else {
        eprintln!("interop with Go not run: BRIEF_GO_INTEROP_BIN is not set");
        return;
    };
    // Rust client -> Go server.
    let mut server = std::process::Command::new(bin.join("server"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let c = gen::Client::with_options(
        ClientOptions::new()
            .base_url(line.trim())
            .source_service("rust-e2e"),
    )
    .unwrap();
    let ctx = Context::background().with_request_id("req-interop");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let server = Kill(server);
    async {
        let out = c
            .get(
                &ctx,
                &gen::GetIn {
                    id: 7,
                    user_id: "u1".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(out.name, "go caller=rust-e2e user=u1");
        assert_eq!(out.note.as_deref(), Some("req-interop"));
        assert_eq!(out.blob, vec![0, 1, 2, 255]);
        assert_eq!(out.by_id.get(&-3).map(String::as_str), Some("minus three"));
        assert_eq!(
            out.created_at,
            brief_runtime::Timestamp::from_unix(1_767_322_800, 5).unwrap()
        );
        assert_eq!(out.sparse, vec![None]);
        match c
            .get(
                &ctx,
                &gen::GetIn {
                    id: 404,
                    ..Default::default()
                },
            )
            .await
        {
            Err(gen::GetError::NotFound(e)) => assert_eq!(e.id, 404),
            other => panic!("want NotFound from Go, got {other:?}"),
        }
        let item = gen::Item {
            id: 3,
            price: 0.1,
            maybe_money: Some(gen::Money {
                units: 1,
                currency: gen::Currency::Eur,
            }),
            colors: vec![gen::Color::Green],
            ..gen::Item::default()
        };
        assert_eq!(c.put(&ctx, &item).await.unwrap(), item);
        match c.slow(&Context::background(), &gen::Nothing {}).await {
            Err(gen::SlowError::Transport(t)) => assert_eq!(t.code, Code::DeadlineExceeded),
            other => panic!("want deadline_exceeded from Go, got {other:?}"),
        }
    }
    .await;
    drop(server);

    // Go client -> Rust server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        gen::router(Impl::default()),
        std::future::pending(),
    ));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin.join("client"))
            .arg(url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "Go client -> Rust server failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A raw HTTP/1.1 POST on 127.0.0.1 (the test has no HTTP client of its own); the status.
async fn post(url: &str, content_type: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn events_are_published_and_consumed_once() {
    use brief_runtime::serde_json::{json, Value};
    // A fake data bus: a brief service whose publish rpc hands the events to the test.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    const PUBLISH: brief_runtime::RpcInfo = brief_runtime::RpcInfo {
        name: "publish",
        idempotent: true,
        timeout_ms: Some(5000),
        errors: &[],
    };
    let bus = brief_runtime::Router::builder("data-bus")
        .handle(&PUBLISH, move |_ctx, event: Value| {
            let tx = tx.clone();
            async move {
                tx.send(event).unwrap();
                Ok::<Value, TransportError>(json!({}))
            }
        })
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bus_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(listener, bus, std::future::pending()));

    let publisher = gen::Publisher::with_options(ClientOptions::new().base_url(bus_url)).unwrap();
    let happened = gen::Happened {
        what: "it".into(),
        at: brief_runtime::Timestamp::from_unix(1_767_322_800, 0).unwrap(),
    };
    let id = publisher
        .publish_everything_happened(&Context::background(), &happened)
        .await
        .unwrap();
    let event = rx.recv().await.unwrap();
    assert_eq!(event["id"], id.as_str());
    assert_eq!(event["source"], "everything");
    assert_eq!(event["type"], gen::TOPIC_EVERYTHING_HAPPENED);
    assert_eq!(event["data"]["what"], "it");

    // The consumer: deliveries of that event run the handler once.
    let runs = std::sync::Arc::new(AtomicI64::new(0));
    let r2 = runs.clone();
    let router = gen::consume_everything_happened(
        gen::router_builder(Impl::default()),
        move |_ctx, m: gen::Happened| {
            let runs = r2.clone();
            async move {
                assert_eq!(m.what, "it");
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        },
    )
    .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/events/{}",
        listener.local_addr().unwrap(),
        gen::TOPIC_EVERYTHING_HAPPENED
    );
    tokio::spawn(brief_runtime::serve(
        listener,
        router,
        std::future::pending(),
    ));
    let body = brief_runtime::serde_json::to_vec(&event).unwrap();
    assert_eq!(post(&url, "application/cloudevents+json", &body).await, 204);
    assert_eq!(post(&url, "application/cloudevents+json", &body).await, 204);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(post(&url, "application/cloudevents+json", b"{").await, 400);
}

/// What the consumer received.
#[derive(Default)]
struct Received {
    payments: std::sync::Mutex<Vec<gen::billing::PaymentDone>>,
    refunds: AtomicI64,
}

/// The consumer of app.toml's subscriptions (billing's payment.done and refund.issued).
#[derive(Clone, Default)]
struct Subscriber(std::sync::Arc<Received>);

impl gen::Consumer for Subscriber {
    async fn on_payment_done(
        &self,
        ctx: Context,
        event: gen::billing::PaymentDone,
    ) -> Result<(), TransportError> {
        assert_eq!(ctx.caller(), "data-bus");
        if event.amount < 0 {
            return Err(TransportError::new(Code::Unavailable, "try again"));
        }
        self.0.payments.lock().unwrap().push(event);
        Ok(())
    }

    async fn on_refund_issued(
        &self,
        _ctx: Context,
        _event: gen::billing::Refund,
    ) -> Result<(), TransportError> {
        self.0.refunds.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A raw HTTP/1.1 POST of a delivery as the data bus sends it (docs/protocol.md section 9.3).
async fn deliver(url: &str, event: &brief_runtime::serde_json::Value) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = brief_runtime::serde_json::to_vec(event).unwrap();
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/cloudevents+json\r\n\
         X-Request-Id: delivery-1\r\nX-Source-Service: data-bus\r\nX-Request-Timeout-Ms: 30000\r\n\
         X-Delivery-Attempt: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_consumer_subscribes_at_start_and_gets_typed_deliveries() {
    use brief_runtime::serde_json::{json, Value};
    assert_eq!(gen::SUBSCRIPTIONS, ["payment.done", "refund.issued"]);
    // A fake data bus whose subscribe rpc fails once (not up yet), then records.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    const SUBSCRIBE: brief_runtime::RpcInfo = brief_runtime::RpcInfo {
        name: "subscribe",
        idempotent: true,
        timeout_ms: Some(5000),
        errors: &[],
    };
    let calls = std::sync::Arc::new(AtomicI64::new(0));
    let bus = brief_runtime::Router::builder("data-bus")
        .handle(&SUBSCRIBE, move |_ctx, sub: Value| {
            let (tx, calls) = (tx.clone(), calls.clone());
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Err(TransportError::new(Code::Unavailable, "starting"));
                }
                tx.send(sub).unwrap();
                Ok::<Value, TransportError>(json!({}))
            }
        })
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bus_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(listener, bus, std::future::pending()));

    // The service: its rpcs and the consumer on one router, served before subscribing.
    let consumer = Subscriber::default();
    let router = gen::consume(gen::router_builder(Impl::default()), consumer.clone()).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let own = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        router,
        std::future::pending(),
    ));
    let bus =
        brief_runtime::Bus::new(gen::SERVICE_NAME, ClientOptions::new().base_url(bus_url)).unwrap();
    let base = brief_runtime::events::self_url(Some(&own)).unwrap();
    gen::subscribe(&Context::background(), &bus, &base)
        .await
        .unwrap();
    let mut urls = Vec::new();
    for topic in gen::SUBSCRIPTIONS {
        let sub = rx.recv().await.unwrap();
        assert_eq!(sub["topic"], *topic);
        assert_eq!(sub["subscriber"], "everything");
        urls.push(sub["url"].as_str().unwrap().to_owned());
    }
    assert_eq!(urls[0], format!("{own}/events/payment.done"));

    // Deliveries to the URLs it gave reach the typed methods, once per event.
    let event = |id: &str, topic: &str, data: Value| {
        json!({"specversion": "1.0", "id": id, "source": "billing", "type": topic,
               "time": "2026-01-02T03:04:05.000000000Z", "datacontenttype": "application/json",
               "data": data})
    };
    let paid = event(
        "e1",
        "payment.done",
        json!({"receiptId": "r1", "amount": 42}),
    );
    assert_eq!(deliver(&urls[0], &paid).await, 204);
    assert_eq!(deliver(&urls[0], &paid).await, 204, "a duplicate");
    let failing = event(
        "e2",
        "payment.done",
        json!({"receiptId": "r2", "amount": -1}),
    );
    assert_eq!(
        deliver(&urls[0], &failing).await,
        503,
        "an error asks for redelivery"
    );
    let refund = event("e3", "refund.issued", json!({"receiptId": "r1"}));
    assert_eq!(deliver(&urls[1], &refund).await, 204);
    assert_eq!(
        deliver(&urls[0], &refund).await,
        400,
        "type is not the topic"
    );
    let payments = consumer.0.payments.lock().unwrap().clone();
    assert_eq!(
        payments,
        vec![gen::billing::PaymentDone {
            receipt_id: "r1".into(),
            amount: 42
        }]
    );
    assert_eq!(consumer.0.refunds.load(Ordering::SeqCst), 1);
}

/// The interceptor example of docs/rust.md on the generated client and router: a client layer
/// that logs every call, a server layer that refuses calls without a caller.
#[tokio::test]
async fn documented_interceptors_wrap_the_generated_client_and_router() {
    use brief_runtime::intercept::{ClientCall, ClientService, ServerCall, ServerService};
    use brief_runtime::tower::{self, ServiceExt as _};
    use brief_runtime::ErrorReply;
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = calls.clone();
    let log_calls = tower::layer::layer_fn(move |next: ClientService| {
        let seen = seen.clone();
        ClientService::new(tower::service_fn(move |call: ClientCall| {
            let (next, seen) = (next.clone(), seen.clone());
            async move {
                let procedure = call.procedure();
                let r = next.oneshot(call).await;
                seen.lock()
                    .unwrap()
                    .push(format!("{procedure} ok={}", r.is_ok()));
                r
            }
        }))
    });
    let require_caller = tower::layer::layer_fn(|next: ServerService| {
        ServerService::new(tower::service_fn(move |call: ServerCall| {
            let next = next.clone();
            async move {
                if call.ctx.caller().is_empty() {
                    return Err(ErrorReply::transport(
                        Code::Unauthenticated,
                        "unknown caller",
                    ));
                }
                next.oneshot(call).await
            }
        }))
    });
    let router = gen::router_builder(Impl::default())
        .layer(require_caller)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        router,
        std::future::pending(),
    ));
    let input = gen::GetIn {
        id: 7,
        user_id: "u".into(),
    };
    let anonymous = gen::Client::with_options(
        ClientOptions::new()
            .base_url(url.clone())
            .layer(log_calls.clone()),
    )
    .unwrap();
    match anonymous.get(&Context::background(), &input).await {
        Err(gen::GetError::Transport(t)) => assert_eq!(t.code, Code::Unauthenticated),
        other => panic!("want unauthenticated, got {other:?}"),
    }
    let known = gen::Client::with_options(
        ClientOptions::new()
            .base_url(url)
            .source_service("e2e")
            .layer(log_calls),
    )
    .unwrap();
    assert_eq!(
        known.get(&Context::background(), &input).await.unwrap().id,
        7
    );
    assert_eq!(
        *calls.lock().unwrap(),
        ["everything.get ok=false", "everything.get ok=true"]
    );
}
