//! What the benches share: the echoed message, its rpc and an error type that is never looked at.
use brief_runtime::codec::{As, Int, List, Plain};
use brief_runtime::{RpcInfo, TransportError};
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
