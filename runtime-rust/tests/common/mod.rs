//! Shared by the runtime's tests: the vector files and the named types of codec.json, declared the
//! way generated code declares them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]
use brief_runtime::codec::{As, Bytes, Float, Int, IntMap, List, Map, Message, Opt, Plain};
use brief_runtime::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub mod net;

/// A file of golden/wire, parsed.
pub fn vectors(file: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../golden/wire")
        .join(file);
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

/// A vector's wire text: a string, or `{"base64": ...}` for bytes that are not UTF-8.
pub fn wire_text(v: &Value) -> Vec<u8> {
    use base64::Engine as _;
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(o) => base64::engine::general_purpose::STANDARD
            .decode(o["base64"].as_str().unwrap())
            .unwrap(),
        other => panic!("not a wire text: {other}"),
    }
}

/// JSON equality with numbers compared by value.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Color {
    #[default]
    #[serde(rename = "red")]
    Red,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "blue")]
    Blue,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    #[serde(rename = "id", default, with = "As::<Int>")]
    pub id: i64,
    #[serde(
        rename = "name",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Plain>>"
    )]
    pub name: Option<String>,
    #[serde(rename = "tags", default, with = "As::<List<Plain>>")]
    pub tags: Vec<String>,
    #[serde(rename = "color", default, with = "As::<Plain>")]
    pub color: Color,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    #[serde(rename = "value", default, with = "As::<Int>")]
    pub value: i64,
    #[serde(rename = "children", default, with = "As::<List<Message>>")]
    pub children: Vec<Tree>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Everything {
    #[serde(default, with = "As::<Int>")]
    pub i: i64,
    #[serde(default, with = "As::<Float>")]
    pub f: f64,
    #[serde(default, with = "As::<Plain>")]
    pub b: bool,
    #[serde(default, with = "As::<Plain>")]
    pub s: String,
    #[serde(default, with = "As::<Bytes>")]
    pub by: Vec<u8>,
    #[serde(default, with = "As::<Plain>")]
    pub t: Timestamp,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Int>>"
    )]
    pub oi: Option<i64>,
    #[serde(default, with = "As::<List<Int>>")]
    pub l: Vec<i64>,
    #[serde(default, with = "As::<List<Opt<Int>>>")]
    pub lo: Vec<Option<i64>>,
    #[serde(default, with = "As::<Map<Int>>")]
    pub ms: BTreeMap<String, i64>,
    #[serde(default, with = "As::<IntMap<Plain>>")]
    pub mi: BTreeMap<i64, String>,
    #[serde(default, with = "As::<Message>")]
    pub nested: Item,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Message>>"
    )]
    pub on: Option<Item>,
    #[serde(default, with = "As::<List<Message>>")]
    pub items: Vec<Item>,
    #[serde(default, with = "As::<IntMap<List<Plain>>>")]
    pub tm: BTreeMap<i64, Vec<Timestamp>>,
}

/// Error `NotFound { id int }` of the vectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotFound {
    #[serde(rename = "id", default, with = "As::<Int>")]
    pub id: i64,
}

impl brief_runtime::ApplicationError for NotFound {
    const NAME: &'static str = "NotFound";
    fn message(&self) -> String {
        "The item does not exist".to_owned()
    }
}

/// Error `Conflict {}` of the vectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conflict {}

impl brief_runtime::ApplicationError for Conflict {
    const NAME: &'static str = "Conflict";
    fn message(&self) -> String {
        String::new()
    }
}
