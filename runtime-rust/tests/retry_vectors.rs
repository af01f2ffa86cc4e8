//! golden/wire/retry.json: every scenario, one client per scenario on a fake clock with a
//! scripted transport and scripted randomness.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::breaker::BreakerConfig;
use brief_runtime::budget::BudgetConfig;
use brief_runtime::errors::decode_app;
use brief_runtime::server::BoxFuture;
use brief_runtime::transport::{Answer, Clock, SendError, Transport};
use brief_runtime::{
    CallFailure, CallOptions, Client, ClientOptions, Context, RetryPolicy, RpcInfo,
};
use common::{vectors, Empty, NotFound};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Fake {
    now: AtomicU64,
    sleeps: Mutex<Vec<u64>>,
    responses: Mutex<VecDeque<Value>>,
    timeouts: Mutex<Vec<u64>>,
    random: Mutex<VecDeque<f64>>,
}

struct FakeClock(Arc<Fake>);

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.0.now.load(Ordering::SeqCst)
    }
    fn sleep(&self, ms: u64) -> BoxFuture<()> {
        self.0.sleeps.lock().unwrap().push(ms);
        self.0.now.fetch_add(ms, Ordering::SeqCst);
        Box::pin(async {})
    }
}

struct FakeTransport(Arc<Fake>);

impl Transport for FakeTransport {
    fn send(
        &self,
        req: http::Request<bytes::Bytes>,
        timeout_ms: u64,
        _max_body: usize,
    ) -> BoxFuture<Result<Answer, SendError>> {
        let f = self.0.clone();
        let header: u64 = req.headers()["x-request-timeout-ms"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(header, timeout_ms);
        f.timeouts.lock().unwrap().push(header);
        let r = f
            .responses
            .lock()
            .unwrap()
            .pop_front()
            .expect("more attempts than responses");
        Box::pin(async move {
            let latency = r.get("latency_ms").and_then(Value::as_u64).unwrap_or(0);
            if latency >= timeout_ms && latency > 0 {
                f.now.fetch_add(timeout_ms, Ordering::SeqCst);
                return Err(SendError::Timeout);
            }
            f.now.fetch_add(latency, Ordering::SeqCst);
            if r.get("fail").is_some() {
                return Err(SendError::Connection("connection refused".into()));
            }
            let mut headers = http::HeaderMap::new();
            for (k, v) in r
                .get("headers")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                headers.insert(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    http::HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
                );
            }
            Ok(Answer {
                status: u16::try_from(r["status"].as_u64().unwrap()).unwrap(),
                headers,
                body: bytes::Bytes::from(r["body"].as_str().unwrap_or_default().to_owned()),
            })
        })
    }
}

fn client(config: &Value, fake: &Arc<Fake>) -> Client {
    let d = vectors("retry.json")["defaults"].clone();
    let mut retry = RetryPolicy::default();
    assert_eq!(
        d["max_attempts"].as_u64().unwrap(),
        u64::from(retry.max_attempts)
    );
    assert_eq!(
        d["initial_backoff_ms"].as_u64().unwrap(),
        retry.initial_backoff_ms
    );
    assert_eq!(d["max_backoff_ms"].as_u64().unwrap(), retry.max_backoff_ms);
    let budget = BudgetConfig::default();
    assert_eq!(
        d["budget_percent"].as_u64().unwrap(),
        u64::from(budget.percent)
    );
    assert_eq!(d["budget_window_ms"].as_u64().unwrap(), budget.window_ms);
    if let Some(n) = config.get("max_attempts").and_then(Value::as_u64) {
        retry.max_attempts = u32::try_from(n).unwrap();
    }
    if let Some(n) = config.get("max_backoff_ms").and_then(Value::as_u64) {
        retry.max_backoff_ms = n;
    }
    let mut breaker = Some(BreakerConfig::default());
    if let Some(b) = config.get("breaker") {
        if b.get("disabled").is_some() {
            breaker = None;
        } else if let (Some(cfg), Some(n)) = (breaker.as_mut(), b.get("min_requests")) {
            cfg.min_requests = u32::try_from(n.as_u64().unwrap()).unwrap();
        }
    }
    let budget = if config
        .get("budget")
        .is_some_and(|b| b.get("disabled").is_some())
    {
        None
    } else {
        Some(budget)
    };
    let r = fake.clone();
    let mut opts = ClientOptions::new()
        .base_url("http://dep")
        .retry(retry)
        .breaker(breaker)
        .budget(budget)
        .clock(Arc::new(FakeClock(fake.clone())))
        .transport(Arc::new(FakeTransport(fake.clone())))
        .random(Arc::new(move || {
            r.random
                .lock()
                .unwrap()
                .pop_front()
                .expect("more draws than random numbers")
        }));
    if let Some(n) = config.get("max_response_bytes").and_then(Value::as_u64) {
        opts = opts.max_response_bytes(usize::try_from(n).unwrap());
    }
    Client::new("dep", opts).unwrap()
}

/// The call's result as the vectors name it, its message, and whether it is the circuit-open one.
fn outcome(r: Result<bytes::Bytes, CallFailure>) -> (String, String, bool) {
    match r {
        Ok(body) => match brief_runtime::client::decode_output::<Empty>(&body) {
            Ok(_) => ("ok".into(), String::new(), false),
            Err(t) => (t.code.as_str().into(), t.message, false),
        },
        Err(CallFailure::Transport(t)) => (
            t.code.as_str().into(),
            t.message.clone(),
            t.is_circuit_open(),
        ),
        Err(CallFailure::App(a)) if a.name == "NotFound" => match decode_app::<NotFound>(&a) {
            Ok(_) => (a.name, a.message, false),
            Err(t) => (t.code.as_str().into(), t.message, false),
        },
        Err(CallFailure::App(a)) => (a.name, a.message, false),
    }
}

#[tokio::test]
async fn every_retry_scenario() {
    let v = vectors("retry.json");
    assert_eq!(v["format"], "brief-wire/retry/2");
    let mut fails = Vec::new();
    for s in v["scenarios"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let fake = Arc::new(Fake::default());
        let c = client(s.get("config").unwrap_or(&Value::Null), &fake);
        for (i, call) in s["calls"].as_array().unwrap().iter().enumerate() {
            for rep in 0..call.get("repeat").and_then(Value::as_u64).unwrap_or(1) {
                let at = format!("{name}: call {i} #{rep}");
                if let Some(ms) = call.get("advance_ms").and_then(Value::as_u64) {
                    fake.now.fetch_add(ms, Ordering::SeqCst);
                }
                *fake.responses.lock().unwrap() = call["responses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned()
                    .collect();
                *fake.random.lock().unwrap() = call
                    .get("random")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().map(|x| x.as_f64().unwrap()).collect())
                    .unwrap_or_default();
                fake.sleeps.lock().unwrap().clear();
                fake.timeouts.lock().unwrap().clear();
                let rpc_v = &call["rpc"];
                let rpc = RpcInfo {
                    name: "r",
                    idempotent: rpc_v["idempotent"].as_bool().unwrap(),
                    timeout_ms: rpc_v.get("timeout_ms").and_then(Value::as_u64),
                    errors: &["NotFound"],
                };
                let t0 = fake.now.load(Ordering::SeqCst);
                let r = c
                    .call(
                        &Context::background(),
                        &rpc,
                        b"{}".to_vec(),
                        &CallOptions::new(),
                    )
                    .await;
                let elapsed = fake.now.load(Ordering::SeqCst) - t0;
                let (result, message, circuit_open) = outcome(r);
                let want = &call["expect"];
                let attempts = fake.timeouts.lock().unwrap().len() as u64;
                let mut check = |what: &str, ok: bool, got: String| {
                    if !ok {
                        fails.push(format!("{at}: {what} = {got}, want {}", want[what]));
                    }
                };
                check(
                    "attempts",
                    attempts == want["attempts"].as_u64().unwrap(),
                    attempts.to_string(),
                );
                check(
                    "result",
                    result == want["result"].as_str().unwrap(),
                    result.clone(),
                );
                if let Some(sl) = want.get("sleeps_ms") {
                    let got = fake.sleeps.lock().unwrap().clone();
                    let w: Vec<u64> = sl
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap())
                        .collect();
                    check("sleeps_ms", got == w, format!("{got:?}"));
                }
                if let Some(th) = want.get("timeout_headers_ms") {
                    let got = fake.timeouts.lock().unwrap().clone();
                    let w: Vec<u64> = th
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap())
                        .collect();
                    check("timeout_headers_ms", got == w, format!("{got:?}"));
                }
                if let Some(m) = want.get("message") {
                    check("message", message == m.as_str().unwrap(), message.clone());
                }
                if let Some(b) = want.get("budget") {
                    let (calls, retries) = c.budget_counts();
                    let ok = u64::from(calls) == b["calls"].as_u64().unwrap()
                        && u64::from(retries) == b["retries"].as_u64().unwrap();
                    check("budget", ok, format!("{calls}/{retries}"));
                }
                if let Some(b) = want.get("breaker") {
                    let got = c.breaker_state().as_str();
                    check("breaker", got == b.as_str().unwrap(), got.to_owned());
                }
                if let Some(co) = want.get("circuit_open") {
                    check(
                        "circuit_open",
                        circuit_open == co.as_bool().unwrap(),
                        circuit_open.to_string(),
                    );
                }
                if let Some(e) = want.get("elapsed_ms") {
                    check(
                        "elapsed_ms",
                        elapsed == e.as_u64().unwrap(),
                        elapsed.to_string(),
                    );
                }
            }
        }
    }
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}
