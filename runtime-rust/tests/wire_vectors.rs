//! golden/wire errors.json, discovery.json, server.json and headers.json, over real sockets on
//! 127.0.0.1 where a peer is involved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::errors::{decode_app, interpret};
use brief_runtime::server::{decode_input, encode_output};
use brief_runtime::{
    discovery, CallFailure, CallOptions, Client, ClientOptions, Code, Context, ErrorReply, Router,
    RpcInfo, TransportError,
};
use common::net::{request, scripted, serve, Script};
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

const ECHO: RpcInfo = RpcInfo {
    name: "echo",
    idempotent: false,
    timeout_ms: None,
    errors: &["NotFound", "Conflict"],
};

#[test]
fn codes_statuses_and_classification() {
    let v = vectors("errors.json");
    assert_eq!(v["format"], "brief-wire/errors/2");
    let codes = v["codes"].as_array().unwrap();
    assert_eq!(codes.len(), Code::ALL.len());
    for c in codes {
        let code = Code::parse(c["code"].as_str().unwrap()).unwrap();
        assert_eq!(
            u64::from(code.http_status()),
            c["http_status"].as_u64().unwrap(),
            "{code}"
        );
        assert_eq!(
            code.retryable(),
            c["retryable"].as_bool().unwrap(),
            "{code}"
        );
        assert_eq!(
            code.breaker_failure(),
            c["breaker_failure"].as_bool().unwrap(),
            "{code}"
        );
    }
    let fallback = &v["status_fallback"];
    for (status, code) in fallback["map"].as_object().unwrap() {
        assert_eq!(Code::from_status(status.parse().unwrap()).as_str(), code);
    }
    for s in fallback["unknown_examples"].as_array().unwrap() {
        assert_eq!(
            Code::from_status(u16::try_from(s.as_u64().unwrap()).unwrap()),
            Code::Unknown
        );
    }
}

#[test]
fn discovery_vectors() {
    let v = vectors("discovery.json");
    for pair in v["env_names"].as_array().unwrap() {
        assert_eq!(
            discovery::env_var(pair[0].as_str().unwrap()),
            pair[1].as_str().unwrap()
        );
    }
    for case in v["resolve"].as_array().unwrap() {
        let env: BTreeMap<String, String> = serde_json::from_value(case["env"].clone()).unwrap();
        let got = discovery::resolve("summer", case["base_url"].as_str(), |k| env.get(k).cloned());
        match (case.get("expect_url"), got) {
            (Some(url), Ok(base)) => {
                assert_eq!(format!("{base}/rpc/summer/sum"), url.as_str().unwrap())
            }
            (None, Err(e)) => assert!(e.contains(case["error_contains"].as_str().unwrap()), "{e}"),
            (want, got) => panic!("{case}: want {want:?}, got {got:?}"),
        }
    }
}

/// A client call of `echo` against a peer answering `status`/`body`, as generated code reads it:
/// Ok(output JSON), or the failure with declared errors decoded.
async fn call_peer(status: u16, body: &str) -> Result<Value, CallFailure> {
    call_peer_as("echo", status, body).await
}

/// [`call_peer`] with a client of dependency `dep`.
async fn call_peer_as(dep: &str, status: u16, body: &str) -> Result<Value, CallFailure> {
    let (base, _) = scripted(Script {
        status,
        body: body.as_bytes().to_vec(),
        ..Script::default()
    })
    .await;
    let client = Client::new(dep, ClientOptions::new().base_url(base)).unwrap();
    let out = client
        .call(
            &Context::background(),
            &ECHO,
            b"{}".to_vec(),
            &CallOptions::new(),
        )
        .await?;
    let item: Item = brief_runtime::client::decode_output(&out).map_err(CallFailure::Transport)?;
    Ok(serde_json::to_value(item).unwrap())
}

#[tokio::test]
async fn client_responses() {
    let v = vectors("errors.json");
    let mut fails = Vec::new();
    for case in v["client_responses"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let status = u16::try_from(case["status"].as_u64().unwrap()).unwrap();
        let got = call_peer(status, case["body"].as_str().unwrap()).await;
        let want = &case["expect"];
        let ok = match (&got, want) {
            (Ok(out), w) if w.get("ok").is_some() => same_json(out, &w["ok"]),
            (Err(CallFailure::Transport(t)), w) if w.get("transport").is_some() => {
                t.code.as_str() == w["transport"]
                    && w.get("message").is_none_or(|m| m == t.message.as_str())
                    && w.get("details")
                        .is_none_or(|d| same_json(d, &Value::Object((*t.details).clone())))
            }
            (Err(CallFailure::App(a)), w) if w.get("app").is_some() => {
                let declared = ECHO.errors.contains(&a.name.as_str());
                let details = match a.name.as_str() {
                    "NotFound" => {
                        decode_app::<NotFound>(a).map(|e| serde_json::to_value(e).unwrap())
                    }
                    "Conflict" => {
                        decode_app::<Conflict>(a).map(|e| serde_json::to_value(e).unwrap())
                    }
                    _ => Ok(a.details.clone()),
                };
                match details {
                    // A declared error whose details do not decode is internal.
                    Err(t) => w.get("transport").is_some_and(|c| c == t.code.as_str()),
                    Ok(d) => {
                        a.name == w["app"].as_str().unwrap()
                            && declared == w["declared"].as_bool().unwrap()
                            && w.get("details").is_none_or(|x| same_json(x, &d))
                            && w.get("message").is_none_or(|m| m == a.message.as_str())
                    }
                }
            }
            (Err(CallFailure::App(a)), w) if w.get("transport").is_some() => {
                // Invalid details of a declared error: internal.
                a.name == "NotFound"
                    && decode_app::<NotFound>(a).is_err_and(|t| t.code.as_str() == w["transport"])
            }
            _ => false,
        };
        if !ok {
            fails.push(format!("{name}: got {got:?}, want {want}"));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// The echo router of the vectors; `behaviour` decides what its handler does with the input.
fn echo_router<F, Fut>(behaviour: F) -> Router
where
    F: Fn(Context, Item) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Result<Item, ErrorReply>> + Send + 'static,
{
    Router::builder("echo")
        .rpc("echo", None, move |ctx, body| {
            let f = behaviour.clone();
            async move {
                let input: Item = decode_input(&body)?;
                let out = f(ctx, input).await?;
                encode_output(&out)
            }
        })
        .build()
}

#[tokio::test]
async fn server_vectors() {
    let v = vectors("server.json");
    let base = serve(echo_router(|_, item| async move { Ok(item) })).await;
    let mut fails = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let headers: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = match case.get("body_whitespace_padded_to") {
            Some(n) => {
                let n = usize::try_from(n.as_u64().unwrap()).unwrap();
                let mut b = vec![b' '; n - 2];
                b.extend_from_slice(b"{}");
                b
            }
            None => case.get("body").map(wire_text).unwrap_or_default(),
        };
        let url = format!("{base}{}", case["path"].as_str().unwrap());
        let (status, h, got) =
            request(case["method"].as_str().unwrap(), &url, &headers, body).await;
        let want = &case["expect"];
        let parsed: Option<Value> = serde_json::from_slice(&got).ok();
        let mut ok = u64::from(status) == want["status"].as_u64().unwrap();
        if let Some(b) = want.get("body") {
            ok &= parsed.as_ref().is_some_and(|p| same_json(p, b));
        }
        if let Some(code) = want.get("code") {
            ok &= parsed.as_ref().is_some_and(|p| p["error"]["code"] == *code);
            ok &= parsed
                .as_ref()
                .is_some_and(|p| p["error"]["details"].is_object());
        }
        if let Some(m) = want.get("message_contains") {
            ok &= parsed.as_ref().is_some_and(|p| {
                p["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(m.as_str().unwrap())
            });
        }
        if let Some(ct) = want.get("content_type_prefix") {
            ok &= h
                .get("content-type")
                .is_some_and(|c| c.to_str().unwrap().starts_with(ct.as_str().unwrap()));
        }
        if case["path"].as_str().unwrap().starts_with("/rpc/") {
            ok &= h.contains_key("x-request-id");
        }
        if !ok {
            fails.push(format!(
                "{name}: {status} {}",
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// What a generated handler does with the failure of an outgoing call of an rpc declaring
/// NotFound and Conflict, when its own rpc declares the same.
fn handler_reply(f: CallFailure) -> ErrorReply {
    match f {
        CallFailure::Transport(t) => ErrorReply::from_transport(&t),
        CallFailure::App(a) if a.name == "NotFound" => match decode_app::<NotFound>(&a) {
            Ok(e) => ErrorReply::app(&e),
            Err(t) => ErrorReply::from_transport(&t),
        },
        CallFailure::App(a) if a.name == "Conflict" => match decode_app::<Conflict>(&a) {
            Ok(e) => ErrorReply::app(&e),
            Err(t) => ErrorReply::from_transport(&t),
        },
        CallFailure::App(a) => ErrorReply::undeclared(&a),
    }
}

#[tokio::test]
async fn handler_errors() {
    let v = vectors("errors.json");
    let mut fails = Vec::new();
    for case in v["handler_errors"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap().to_owned();
        let h = case["handler"].clone();
        let dep_base = match h.get("downstream") {
            Some(d) if d.get("fail").is_some() => {
                // A port nobody listens on: bind, take the port, close.
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                let port = l.local_addr().unwrap().port();
                drop(l);
                Some(format!("http://127.0.0.1:{port}"))
            }
            Some(d) => Some(
                scripted(Script {
                    status: d
                        .get("status")
                        .and_then(Value::as_u64)
                        .map_or(200, |s| u16::try_from(s).unwrap()),
                    body: d.get("body").map(wire_text).unwrap_or_default(),
                    hang: d.get("hang").is_some(),
                    ..Script::default()
                })
                .await
                .0,
            ),
            None => None,
        };
        let router = echo_router(move |ctx: Context, _item: Item| {
            let h = h.clone();
            let dep_base = dep_base.clone();
            async move {
                if let Some(base) = dep_base {
                    let dep = Client::new("dep", ClientOptions::new().base_url(base)).unwrap();
                    let out = dep
                        .call(&ctx, &ECHO, b"{}".to_vec(), &CallOptions::new())
                        .await;
                    return match out {
                        Ok(_) => Ok(Item::default()),
                        Err(f) => Err(handler_reply(f)),
                    };
                }
                if let Some(code) = h.get("transport").or(h.get("context")) {
                    let mut t = TransportError::new(
                        Code::parse(code.as_str().unwrap()).unwrap(),
                        h.get("message").and_then(Value::as_str).unwrap_or_default(),
                    );
                    if let Some(Value::Object(d)) = h.get("details") {
                        t = t.with_details(d.clone());
                    }
                    return Err(ErrorReply::from_transport(&t));
                }
                if let Some(app) = h.get("app") {
                    let fields = h.get("fields").cloned().unwrap_or(serde_json::json!({}));
                    return Err(match app.as_str().unwrap() {
                        "NotFound" => {
                            ErrorReply::app(&serde_json::from_value::<NotFound>(fields).unwrap())
                        }
                        "Conflict" => ErrorReply::app(&Conflict {}),
                        other => ErrorReply::undeclared(&brief_runtime::AppError {
                            name: other.to_owned(),
                            message: String::new(),
                            details: fields,
                        }),
                    });
                }
                if let Some(p) = h.get("panic") {
                    panic!("{p}");
                }
                // A plain (untyped) error: what `?` on an unexpected failure turns into.
                tracing_free_log(h["plain"].as_str().unwrap());
                Err(ErrorReply::internal())
            }
        });
        let base = serve(router).await;
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        if let Some(ms) = case.get("request_timeout_ms") {
            headers.push(("X-Request-Timeout-Ms".to_owned(), ms.to_string()));
        }
        let (status, _, body) = request(
            "POST",
            &format!("{base}/rpc/echo/echo"),
            &headers,
            b"{}".to_vec(),
        )
        .await;
        let want = &case["expect"];
        let p: Value = serde_json::from_slice(&body).unwrap();
        let e = &p["error"];
        let mut ok =
            u64::from(status) == want["status"].as_u64().unwrap() && e["code"] == want["code"];
        if let Some(m) = want.get("message") {
            ok &= e["message"] == *m;
        }
        if let Some(d) = want.get("details") {
            ok &= same_json(&e["details"], d);
        }
        if let Some(x) = want.get("message_excludes") {
            ok &= !e["message"].as_str().unwrap().contains(x.as_str().unwrap());
        }
        if !ok {
            fails.push(format!("{name}: {status} {p}"));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

fn tracing_free_log(_secret: &str) {}

fn matches(m: &Value, got: Option<&str>, response: &http::HeaderMap) -> bool {
    let o = m.as_object().unwrap();
    o.iter().all(|(k, v)| match k.as_str() {
        "equals" => got == v.as_str(),
        "matches" => {
            got.is_some_and(|g| regex::Regex::new(v.as_str().unwrap()).unwrap().is_match(g))
        }
        "not_equals" => v.as_array().unwrap().iter().all(|n| got != n.as_str()),
        "absent" => got.is_none() == v.as_bool().unwrap(),
        "same_as_response" => {
            got.is_some()
                && got
                    == response
                        .get(v.as_str().unwrap())
                        .map(|h| h.to_str().unwrap())
        }
        "int_range" => got
            .and_then(|g| g.parse::<u64>().ok())
            .is_some_and(|n| n >= v[0].as_u64().unwrap() && n <= v[1].as_u64().unwrap()),
        other => panic!("matcher {other}"),
    })
}

#[tokio::test]
async fn header_vectors() {
    let v = vectors("headers.json");
    let mut fails = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (dep_base, seen) = scripted(Script {
            status: 200,
            body: b"{}".to_vec(),
            ..Script::default()
        })
        .await;
        let saw = std::sync::Arc::new(std::sync::Mutex::new((String::new(), String::new())));
        let saw2 = saw.clone();
        let router = echo_router(move |ctx: Context, item: Item| {
            let dep_base = dep_base.clone();
            let saw = saw2.clone();
            async move {
                *saw.lock().unwrap() = (
                    ctx.request_id().unwrap_or_default().to_owned(),
                    ctx.caller().to_owned(),
                );
                let dep = Client::new("other", ClientOptions::new().base_url(dep_base)).unwrap();
                dep.call(&ctx, &ECHO, b"{}".to_vec(), &CallOptions::new())
                    .await
                    .map_err(handler_reply)?;
                Ok(item)
            }
        });
        let base = serve(router).await;
        let mut headers: Vec<(String, String)> = case["incoming"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        let (status, resp_headers, body) = request(
            "POST",
            &format!("{base}/rpc/echo/echo"),
            &headers,
            b"{}".to_vec(),
        )
        .await;
        if status != 200 {
            fails.push(format!(
                "{name}: {status} {}",
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        let want = &case["expect"];
        let empty = serde_json::Map::new();
        for (h, m) in want
            .get("response")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
        {
            let got = resp_headers.get(h.as_str()).map(|v| v.to_str().unwrap());
            if !matches(m, got, &resp_headers) {
                fails.push(format!("{name}: response {h} = {got:?}, want {m}"));
            }
        }
        let (rid, caller) = saw.lock().unwrap().clone();
        for (k, m) in want
            .get("context")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
        {
            let got = if k == "request_id" { &rid } else { &caller };
            if !matches(m, Some(got), &resp_headers) {
                fails.push(format!("{name}: context {k} = {got:?}, want {m}"));
            }
        }
        let out = seen.lock().unwrap()[0].1.clone();
        for (h, m) in want
            .get("outgoing")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
        {
            let got = out.get(h.as_str()).map(|v| v.to_str().unwrap());
            if !matches(m, got, &resp_headers) {
                fails.push(format!("{name}: outgoing {h} = {got:?}, want {m}"));
            }
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
fn interpret_without_envelope_uses_the_status() {
    assert!(
        matches!(interpret(502, b"<html>"), CallFailure::Transport(t) if t.code == Code::Unavailable)
    );
}

#[tokio::test]
async fn event_vectors() {
    let v = vectors("events.json");
    // Publishing: the request the publisher sends to the data bus.
    let p = &v["publish"];
    let (bus, seen) = scripted(Script {
        status: 200,
        body: b"{}".to_vec(),
        ..Script::default()
    })
    .await;
    let publisher = brief_runtime::Publisher::new(
        p["service"].as_str().unwrap(),
        ClientOptions::new().base_url(bus),
    )
    .unwrap();
    let data: Item = serde_json::from_value(p["data"].clone()).unwrap();
    let id = publisher
        .publish(&Context::background(), p["topic"].as_str().unwrap(), &data)
        .await
        .unwrap();
    let (path, headers, body) = seen.lock().unwrap()[0].clone();
    let want = &p["expect"];
    assert_eq!(path, want["path"].as_str().unwrap());
    for (h, val) in want["headers"].as_object().unwrap() {
        assert_eq!(
            headers.get(h.as_str()).unwrap().to_str().unwrap(),
            val.as_str().unwrap(),
            "{h}"
        );
    }
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["id"], id.as_str());
    for (k, m) in want["body"].as_object().unwrap() {
        let ok = match m.get("json") {
            Some(j) => same_json(&event[k.as_str()], j),
            None => matches(m, event[k.as_str()].as_str(), &headers),
        };
        assert!(ok, "published {k} = {}, want {m}", event[k.as_str()]);
    }

    // Deliveries, in order, to one consumer of summer.summed.
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let next = std::sync::Arc::new(std::sync::Mutex::new(String::from("ok")));
    let (c2, n2) = (calls.clone(), next.clone());
    let router = Router::builder("summer")
        .consume("summer.summed", move |_ctx, _item: Item| {
            let (calls, next) = (c2.clone(), n2.clone());
            async move {
                calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if *next.lock().unwrap() == "ok" {
                    Ok(())
                } else {
                    Err(TransportError::new(Code::Internal, "the handler failed"))
                }
            }
        })
        .build();
    let base = serve(router).await;
    let mut fails = Vec::new();
    for d in v["deliveries"].as_array().unwrap() {
        *next.lock().unwrap() = d["handler"].as_str().unwrap_or("ok").to_owned();
        let headers: Vec<(String, String)> = d["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let url = format!("{base}{}", d["path"].as_str().unwrap());
        let (status, _, body) = request("POST", &url, &headers, wire_text(&d["body"])).await;
        let want = &d["expect"];
        let n = calls.load(std::sync::atomic::Ordering::SeqCst);
        let mut ok = u64::from(status) == want["status"].as_u64().unwrap()
            && n == want["handler_calls"].as_u64().unwrap();
        if let Some(code) = want.get("code") {
            let p: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            ok &= p["error"]["code"] == *code;
        }
        if !ok {
            fails.push(format!(
                "{}: {status} after {n} calls: {}",
                d["name"],
                String::from_utf8_lossy(&body)
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// Every file of golden/wire is run by a test of this runtime: a new file fails here until a
/// test loads it (and is added to this list).
#[test]
fn every_vector_file_is_loaded() {
    let loaded = [
        "breaker.json", // tests/breaker_vectors.rs
        "codec.json",   // tests/codec_vectors.rs
        "discovery.json",
        "errors.json",
        "events.json",
        "headers.json",
        "retry.json", // tests/retry_vectors.rs
        "server.json",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden/wire");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(
        files, loaded,
        "golden/wire has files no runtime-rust test loads"
    );
}

/// The `code` label of `brief_client_requests_total` (section 7.3) for client_responses.
#[tokio::test]
async fn client_metric_codes() {
    let v = vectors("errors.json");
    let count = |code: &str| -> u64 {
        let text = brief_runtime::metrics::render();
        let series = format!(
            "brief_client_requests_total{{dependency=\"metrics-echo\",rpc=\"echo\",code=\"{code}\"}} "
        );
        text.lines()
            .find_map(|l| l.strip_prefix(&series))
            .map_or(0, |n| n.parse().unwrap())
    };
    for case in v["client_responses"].as_array().unwrap() {
        let Some(code) = case["expect"].get("metric_code").and_then(Value::as_str) else {
            continue;
        };
        let before = count(code);
        let status = u16::try_from(case["status"].as_u64().unwrap()).unwrap();
        let _ = call_peer_as("metrics-echo", status, case["body"].as_str().unwrap()).await;
        assert_eq!(count(code), before + 1, "{}: label {code}", case["name"]);
    }
}
