//! golden/wire/codec.json: every case decoded, re-encoded and compared; every reject rejected;
//! every unencodable value refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_runtime::codec::{self, Bytes, Float, Int, IntMap, List, Map, Message, Opt, Plain, Wire};
use brief_runtime::Timestamp;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Runs one case of type `W`/`T`; returns the failures.
fn run<W: Wire<T>, T>(case: &Value) -> Vec<String> {
    let mut fails = Vec::new();
    let ty = case["type"].as_str().unwrap();
    if let Some(canonical) = case.get("canonical") {
        let want: Value = serde_json::from_slice(&wire_text(canonical)).unwrap();
        let mut inputs = vec![canonical.clone()];
        inputs.extend(
            case.get("accept")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        for input in inputs {
            match codec::decode_as::<W, T>(&wire_text(&input)) {
                Err(e) => fails.push(format!("{ty}: {input} rejected: {e}")),
                Ok(v) => {
                    let out = codec::encode_as::<W, T>(&v).unwrap();
                    let got: Value = serde_json::from_slice(&out).unwrap();
                    if !same_json(&got, &want) {
                        fails.push(format!("{ty}: {input} re-encoded as {got}, want {want}"));
                    }
                }
            }
        }
    }
    for input in case
        .get("reject")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if codec::decode_as::<W, T>(&wire_text(input)).is_ok() {
            fails.push(format!("{ty}: {input} accepted, want rejected"));
        }
    }
    fails
}

fn run_case(case: &Value) -> Vec<String> {
    match case["type"].as_str().unwrap() {
        "int" => run::<Int, i64>(case),
        "float" => run::<Float, f64>(case),
        "bool" => run::<Plain, bool>(case),
        "string" => run::<Plain, String>(case),
        "bytes" => run::<Bytes, Vec<u8>>(case),
        "time" => run::<Plain, Timestamp>(case),
        "Color" => run::<Plain, Color>(case),
        "?int" => run::<Opt<Int>, Option<i64>>(case),
        "?string" => run::<Opt<Plain>, Option<String>>(case),
        "[]int" => run::<List<Int>, Vec<i64>>(case),
        "[]?int" => run::<List<Opt<Int>>, Vec<Option<i64>>>(case),
        "[][]int" => run::<List<List<Int>>, Vec<Vec<i64>>>(case),
        "[]Color" => run::<List<Plain>, Vec<Color>>(case),
        "map[string]int" => run::<Map<Int>, BTreeMap<String, i64>>(case),
        "map[string]?int" => run::<Map<Opt<Int>>, BTreeMap<String, Option<i64>>>(case),
        "map[string][]int" => run::<Map<List<Int>>, BTreeMap<String, Vec<i64>>>(case),
        "map[int]string" => run::<IntMap<Plain>, BTreeMap<i64, String>>(case),
        "Item" => run::<Message, Item>(case),
        "Empty" => run::<Message, Empty>(case),
        "Everything" => run::<Message, Everything>(case),
        "Tree" => run::<Message, Tree>(case),
        other => vec![format!("type {other} is not declared by this test")],
    }
}

#[test]
fn every_codec_case() {
    let v = vectors("codec.json");
    assert_eq!(v["format"], "brief-wire/codec/1");
    let fails: Vec<String> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(run_case)
        .collect();
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

#[test]
fn every_unencodable_value_is_refused() {
    let v = vectors("codec.json");
    for case in v["unencodable"].as_array().unwrap() {
        let float = |s: &str| match s {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            o => panic!("{o}"),
        };
        match (case["type"].as_str().unwrap(), case) {
            ("float", c) => {
                assert!(
                    codec::encode_as::<Float, f64>(&float(c["float"].as_str().unwrap())).is_err()
                )
            }
            ("[]float", c) => assert!(codec::encode_as::<List<Float>, Vec<f64>>(&vec![
                1.0,
                float(c["float"].as_str().unwrap())
            ])
            .is_err()),
            // A Timestamp outside years 0000..9999 cannot be built, so it cannot be encoded.
            ("time", c) => {
                assert!(Timestamp::from_unix(c["unix_seconds"].as_i64().unwrap(), 0).is_none())
            }
            // A Rust enum holds only its members: an out-of-range ordinal cannot be built.
            ("Color", _) => {}
            (other, _) => panic!("unencodable type {other} is not handled"),
        }
    }
}

#[test]
fn decode_errors_name_the_json_path() {
    let e = codec::decode::<Item>(br#"{"tags":["a",5]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("$.tags[1]: "), "{e}");
    let e = codec::decode::<Item>(br#"{"color":"purple"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("purple"), "{e}");
}
