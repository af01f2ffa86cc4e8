//! golden/wire/breaker.json: every scenario on a fake clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::breaker::{Breaker, BreakerConfig, Outcome, Ticket};
use std::collections::HashMap;

fn outcome(s: &str) -> Outcome {
    match s {
        "success" => Outcome::Success,
        "failure" => Outcome::Failure,
        "ignored" => Outcome::Ignored,
        o => panic!("outcome {o}"),
    }
}

#[test]
fn every_breaker_scenario() {
    let v = common::vectors("breaker.json");
    let d = &v["defaults"];
    let cfg = BreakerConfig::default();
    assert_eq!(d["window_ms"].as_u64().unwrap(), cfg.window_ms);
    assert_eq!(d["buckets"].as_u64().unwrap(), cfg.buckets as u64);
    assert_eq!(
        d["min_requests"].as_u64().unwrap(),
        u64::from(cfg.min_requests)
    );
    assert_eq!(d["failure_ratio"].as_f64().unwrap(), cfg.failure_ratio);
    assert_eq!(d["open_ms"].as_u64().unwrap(), cfg.open_ms);
    assert_eq!(
        d["half_open_probes"].as_u64().unwrap(),
        u64::from(cfg.half_open_probes)
    );
    let mut fails = Vec::new();
    for s in v["scenarios"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let b = Breaker::new(cfg);
        let mut started: HashMap<String, Option<Ticket>> = HashMap::new();
        for (i, st) in s["steps"].as_array().unwrap().iter().enumerate() {
            let at = st["at_ms"].as_u64().unwrap();
            match st["op"].as_str().unwrap() {
                "call" => {
                    for _ in 0..st.get("repeat").and_then(|r| r.as_u64()).unwrap_or(1) {
                        let t = b.allow(at);
                        if t.is_some() != st["expect_allowed"].as_bool().unwrap() {
                            fails.push(format!("{name}: step {i}: allowed = {}", t.is_some()));
                        }
                        if let Some(t) = t {
                            b.record(t, outcome(st["outcome"].as_str().unwrap()), at);
                        }
                    }
                }
                "start" => {
                    let t = b.allow(at);
                    if t.is_some() != st["expect_allowed"].as_bool().unwrap() {
                        fails.push(format!("{name}: step {i}: allowed = {}", t.is_some()));
                    }
                    started.insert(st["id"].as_str().unwrap().to_owned(), t);
                }
                "finish" => {
                    if let Some(Some(t)) = started.get(st["id"].as_str().unwrap()) {
                        b.record(*t, outcome(st["outcome"].as_str().unwrap()), at);
                    }
                }
                "state" => {
                    let got = b.state(at).as_str();
                    if got != st["expect"].as_str().unwrap() {
                        fails.push(format!(
                            "{name}: step {i}: state {got}, want {}",
                            st["expect"]
                        ));
                    }
                }
                o => panic!("op {o}"),
            }
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}
