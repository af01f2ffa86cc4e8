//! The OpenAPI 3.1 export: one `POST /rpc/<service>/<rpc>` per rpc of the service's own
//! contract (docs/protocol.md sections 2-5): the input and output messages as JSON bodies, the
//! 422 envelope of the rpc's declared errors, the transport statuses with their codes, the
//! metadata headers, and `@timeout` / `@idempotent` as `x-brief-timeout-ms` /
//! `x-brief-idempotent`.
use crate::schema::Scope;
use crate::{describe, json, subject};
use brief_codegen::write::GENERATED_MARKER;
use brief_codegen::{Backend, GeneratedFile};
use compiler::ir::{Contract, Ir, Rpc, TypeDef};
use compiler::{Diagnostic, Sources};
use serde_json::{json, Map, Value};

/// The OpenAPI 3.1 backend: `openapi.json`.
#[derive(Debug, Clone, Default)]
pub struct OpenApi;

impl Backend for OpenApi {
    fn name(&self) -> &'static str {
        "OpenAPI"
    }

    fn generate(&self, ir: &Ir, _: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        Ok(vec![json::file("openapi.json", &document(ir), "OpenAPI")?])
    }
}

/// The transport codes by HTTP status (docs/protocol.md 4.2), statuses ascending.
pub const TRANSPORT_STATUSES: &[(u16, &[&str], &str)] = &[
    (400, &["invalid_argument", "out_of_range"], "Malformed request or bad input (method, Content-Type, Content-Encoding, undecodable body)."),
    (401, &["unauthenticated"], "Unauthenticated (returned by the handler)."),
    (403, &["permission_denied"], "Permission denied (returned by the handler)."),
    (404, &["not_found"], "Generic not found (returned by the handler)."),
    (409, &["already_exists", "aborted"], "Already exists, or a concurrency conflict (returned by the handler)."),
    (412, &["failed_precondition"], "The system is not in the required state (returned by the handler)."),
    (429, &["resource_exhausted"], "Quota exhausted, or a body over 4 MiB."),
    (499, &["canceled"], "The caller gave up."),
    (500, &["unknown", "internal", "data_loss"], "A bug, a panic, unencodable output, an undeclared application error, or a failed dependency (details.reason `DEPENDENCY_FAILED`)."),
    (501, &["unimplemented"], "Unknown service or rpc, or not implemented by the handler."),
    (503, &["unavailable"], "Overloaded or down; the only retryable code (for `@idempotent` rpcs)."),
    (504, &["deadline_exceeded"], "The deadline passed (`X-Request-Timeout-Ms`, `@timeout`)."),
];

/// Headers a request may carry (docs/protocol.md section 5): component key, name, schema, text.
const REQUEST_HEADERS: &[(&str, &str, &str, &str)] = &[
    ("RequestId", "X-Request-Id", "^[\\x21-\\x7E]{1,128}$", "The request id (1-128 visible ASCII characters), echoed in the response; an invalid or missing one is replaced by a generated one."),
    ("RequestTimeoutMs", "X-Request-Timeout-Ms", "^[0-9]{1,10}$", "The caller's remaining time in milliseconds (1-10 digits); the handler's deadline is the earlier of this and the rpc's `@timeout`. `0` means the deadline has passed (504 `deadline_exceeded`); anything else is ignored."),
    ("SourceService", "X-Source-Service", "", "The calling service's name."),
    ("Traceparent", "traceparent", "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", "W3C Trace Context; an invalid value is ignored (with `tracestate`)."),
    ("Tracestate", "tracestate", "", "W3C Trace Context vendor state, passed on with a valid `traceparent`."),
];

/// The document's own components are under this prefix (contract type names have no dots).
const OWN: &str = "brief.";

fn own_ref(kind: &str, key: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{OWN}{key}") })
}

fn document(ir: &Ir) -> Value {
    let mut schemas = Map::new();
    let mut paths = Map::new();
    let mut description = vec![format!(
        "{GENERATED_MARKER} export from the service's contract; do not edit."
    )];
    if let Some(c) = &ir.service {
        let scope = Scope { prefix: "" };
        scope.add(c, None, &mut schemas);
        for e in thrown(c) {
            schemas.insert(format!("{OWN}AppError.{}", e), app_error(&scope, e));
        }
        for rpc in &c.rpcs {
            let path = format!("/rpc/{}/{}", c.name, rpc.name);
            paths.insert(path, json!({ "post": operation(c, rpc) }));
        }
        description.extend(describe::text(c.doc.as_deref(), c.deprecated.as_ref()));
    }
    description.push(PRESENCE.to_owned());
    let mut parameters = Map::new();
    for (key, name, pattern, text) in REQUEST_HEADERS {
        let mut schema = json!({ "type": "string" });
        if !pattern.is_empty() {
            schema["pattern"] = json!(pattern);
        }
        parameters.insert(
            format!("{OWN}{key}"),
            json!({ "name": name, "in": "header", "required": false, "description": text, "schema": schema }),
        );
    }
    let mut responses = Map::new();
    for (status, codes, text) in TRANSPORT_STATUSES {
        responses.insert(
            format!("{OWN}{status}"),
            json!({
                "description": text,
                "headers": { "X-Request-Id": own_ref("headers", "RequestId") },
                "content": { "application/json": { "schema": transport_envelope(codes) } },
            }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": subject(ir),
            "version": "0",
            "description": description.join("\n\n"),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": parameters,
            "headers": {
                format!("{OWN}RequestId"): {
                    "description": "The request id: the request's valid `X-Request-Id`, else a generated one (32 lower-case hex digits).",
                    "required": true,
                    "schema": { "type": "string" },
                },
            },
            "responses": responses,
        },
    })
}

/// What the schemas' `required` means, once for the document.
const PRESENCE: &str = "Schemas describe what writers write (docs/protocol.md section 3): \
`required` lists the non-optional fields, which writers always write; an absent optional field \
is omitted, never `null`. Readers also accept a missing or `null` field (its zero value, or \
absent) and ignore unknown fields.";

/// The errors some rpc of `c` declares, in the contract's order.
fn thrown(c: &Contract) -> Vec<&str> {
    c.types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Error(e) if c.rpcs.iter().any(|r| r.errors.contains(&e.name)) => {
                Some(e.name.as_str())
            }
            _ => None,
        })
        .collect()
}

/// The `error` object of application error `name`: its code, message and details.
fn app_error(scope: &Scope<'_>, name: &str) -> Value {
    json!({
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": { "const": name },
            "message": { "type": "string", "description": "For logs: the error's doc or a description." },
            "details": scope.reference(name),
        },
    })
}

/// The envelope of a transport error with one of `codes`.
fn transport_envelope(codes: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": { "type": "string", "enum": codes },
                    "message": { "type": "string", "description": "For logs; never parse it." },
                    "details": { "type": "object", "description": "Free-form." },
                },
            },
        },
    })
}

fn operation(c: &Contract, rpc: &Rpc) -> Value {
    let scope = Scope { prefix: "" };
    let x_request_id = json!({ "X-Request-Id": own_ref("headers", "RequestId") });
    let mut responses = Map::new();
    responses.insert(
        "200".to_owned(),
        json!({
            "description": format!("The output message `{}`.", rpc.output),
            "headers": x_request_id,
            "content": { "application/json": { "schema": scope.reference(&rpc.output) } },
        }),
    );
    if !rpc.errors.is_empty() {
        let errors: Vec<Value> = rpc
            .errors
            .iter()
            .map(|e| own_ref("schemas", &format!("AppError.{e}")))
            .collect();
        responses.insert(
            "422".to_owned(),
            json!({
                "description": "An application error the rpc declares: `code` is its name, `details` its fields.",
                "headers": x_request_id,
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "oneOf": errors } },
                } } },
            }),
        );
    }
    for (status, _, _) in TRANSPORT_STATUSES {
        responses.insert(
            status.to_string(),
            own_ref("responses", &status.to_string()),
        );
    }
    let mut op = Map::new();
    op.insert("operationId".to_owned(), json!(rpc.name));
    op.insert("tags".to_owned(), json!([c.name]));
    json::annotate(
        &mut op,
        describe::text(rpc.doc.as_deref(), rpc.deprecated.as_ref()),
        rpc.deprecated.is_some(),
    );
    let parameters: Vec<Value> = REQUEST_HEADERS
        .iter()
        .map(|(key, ..)| own_ref("parameters", key))
        .collect();
    op.insert("parameters".to_owned(), Value::Array(parameters));
    op.insert(
        "requestBody".to_owned(),
        json!({
            "description": format!("The input message `{}`; an empty body or `null` is the empty message.", rpc.input),
            "required": true,
            "content": { "application/json": { "schema": scope.reference(&rpc.input) } },
        }),
    );
    op.insert("responses".to_owned(), Value::Object(responses));
    op.insert("x-brief-idempotent".to_owned(), json!(rpc.idempotent));
    if let Some(ms) = rpc.timeout_ms {
        op.insert("x-brief-timeout-ms".to_owned(), json!(ms));
    }
    Value::Object(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transport_code_has_one_status() {
        let codes: Vec<&str> = TRANSPORT_STATUSES
            .iter()
            .flat_map(|(_, c, _)| c.iter().copied())
            .collect();
        assert_eq!(codes.len(), 16);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 16);
    }
}
