//! The export backends: documents of a service's contract for tools outside brief, each one
//! file, from the IR (docs/export.md).
//!
//! - [`OpenApi`]: OpenAPI 3.1 of the service's rpcs as the wire protocol carries them;
//! - [`AsyncApi`]: AsyncAPI 3.0 of the events it publishes and subscribes to (CloudEvents);
//! - [`Proto`]: proto3 of its messages, enums, errors and rpcs, for gRPC tooling.
//!
//! OpenAPI and AsyncAPI share the JSON Schema of the types ([`schema`]); every document is
//! deterministic (keys in a fixed order, the contract's order or sorted).
mod asyncapi;
mod describe;
mod json;
mod openapi;
mod proto;
mod proto_types;
pub mod schema;

pub use asyncapi::AsyncApi;
pub use brief_codegen::GeneratedFile;
pub use openapi::OpenApi;
pub use proto::Proto;

use compiler::ir::Ir;

/// What the document is named after: the service, else the app (a worker), else `service`.
fn subject(ir: &Ir) -> &str {
    match (&ir.service, &ir.app) {
        (Some(c), _) => &c.name,
        (None, Some(app)) => &app.name,
        (None, None) => "service",
    }
}
