//! The schemas' patterns against the wire's own vectors (golden/wire/codec.json): every `bytes`,
//! `time` and `map[int]T` key the wire accepts matches its pattern, and every string it rejects
//! fails the pattern, except the few a pattern cannot say (listed here and in docs/export.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use backend_export::schema::{BASE64_PATTERN, INT_KEY_PATTERN, TIME_PATTERN};
use regex::Regex;
use serde_json::Value;

/// The case's wire texts: (accepted, rejected), each parsed as JSON when it is JSON.
fn inputs(case: &Value) -> (Vec<Value>, Vec<Value>) {
    let parse = |v: &Value| serde_json::from_str::<Value>(v.as_str().unwrap()).ok();
    let mut accepted: Vec<Value> = case.get("canonical").and_then(parse).into_iter().collect();
    for key in ["accept", "reject"] {
        let list: Vec<Value> = case
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(parse).collect())
            .unwrap_or_default();
        if key == "accept" {
            accepted.extend(list);
        } else {
            return (accepted, list);
        }
    }
    (accepted, Vec::new())
}

/// The strings of `values` (`bytes`, `time`) or their object keys (`map[int]T`).
fn strings(values: &[Value], keys: bool) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| match (v, keys) {
            (Value::Object(m), true) => m.keys().cloned().collect(),
            (Value::String(s), false) => vec![s.clone()],
            _ => Vec::new(),
        })
        .collect()
}

fn check(ty: &str, pattern: &str, keys: bool, inexpressible: &[&str]) {
    let path = brief_testkit::repo().join("golden/wire/codec.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let re = Regex::new(pattern).unwrap();
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for case in doc["cases"].as_array().unwrap() {
        if case["type"] == ty {
            let (a, r) = inputs(case);
            ok.extend(strings(&a, keys));
            bad.extend(strings(&r, keys));
        }
    }
    assert!(ok.len() >= 3 && bad.len() >= 3, "{ty}: too few vectors");
    for s in &ok {
        assert!(
            re.is_match(s),
            "{ty}: the wire accepts {s:?}, the pattern does not"
        );
    }
    let passing: Vec<&str> = bad
        .iter()
        .map(String::as_str)
        .filter(|s| re.is_match(s))
        .collect();
    assert_eq!(
        passing, inexpressible,
        "{ty}: rejected by the wire, matched by the pattern"
    );
}

#[test]
fn bytes_pattern_is_exactly_the_wire() {
    check("bytes", BASE64_PATTERN, false, &[]);
}

#[test]
fn time_pattern_leaves_only_the_calendar_and_the_utc_range() {
    check(
        "time",
        TIME_PATTERN,
        false,
        &[
            // Not a date: `format: date-time` rejects them.
            "2026-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            // Outside years 0000-9999 once in UTC.
            "0000-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
        ],
    );
}

#[test]
fn int_key_pattern_leaves_only_the_int64_range() {
    check(
        "map[int]string",
        INT_KEY_PATTERN,
        true,
        &["9223372036854775808"],
    );
}
