//! The AsyncAPI 3.0 export: a channel per topic the service publishes (its contract's `schema`
//! events, operation `send`) and per topic it subscribes to (app.toml's `subscribe`, resolved in
//! the IR's subscriptions, operation `receive`); each message is the CloudEvents 1.0 envelope
//! in structured JSON mode with `data` the event's message (docs/protocol.md section 9).
use crate::schema::{reachable, Scope};
use crate::{describe, json, subject};
use brief_codegen::write::GENERATED_MARKER;
use brief_codegen::{plan, Backend, GeneratedFile};
use compiler::ir::{Event, Ir};
use compiler::{Diagnostic, Sources};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The AsyncAPI 3.0 backend: `asyncapi.json`.
#[derive(Debug, Clone, Default)]
pub struct AsyncApi;

impl Backend for AsyncApi {
    fn name(&self) -> &'static str {
        "AsyncAPI"
    }

    fn generate(&self, ir: &Ir, _: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        Ok(vec![json::file(
            "asyncapi.json",
            &document(ir),
            "AsyncAPI",
        )?])
    }
}

/// One channel of the document.
struct Channel<'a> {
    /// `send` (published) or `receive` (subscribed).
    action: &'static str,
    /// The publishing service (the CloudEvents `source`).
    source: &'a str,
    event: &'a Event,
    scope: Scope<'a>,
}

/// A channel or message id from a topic: characters other than ASCII letters, digits, `_` and
/// `-` become `_`; a taken id gets `_2`, `_3`, ...
fn channel_id(topic: &str, taken: &mut BTreeSet<String>) -> String {
    let base: String = topic
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

fn document(ir: &Ir) -> Value {
    let mut schemas = Map::new();
    let mut channels_in: Vec<Channel<'_>> = Vec::new();
    let mut description = vec![format!(
        "{GENERATED_MARKER} export from the service's contract and app.toml; do not edit."
    )];
    if let Some(c) = &ir.service {
        let scope = Scope { prefix: "" };
        let roots = c.events.iter().map(|e| e.message.as_str());
        scope.add(c, Some(&reachable(c, roots)), &mut schemas);
        for event in &c.events {
            channels_in.push(Channel {
                action: "send",
                source: &c.name,
                event,
                scope,
            });
        }
        description.extend(describe::text(c.doc.as_deref(), c.deprecated.as_ref()));
    }
    let units = plan::dependencies(ir, |c| c.name.clone());
    let prefixes: Vec<String> = units.iter().map(|u| format!("{}.", u.name)).collect();
    for (unit, prefix) in units.iter().zip(&prefixes) {
        let c = unit.contract;
        let subs: Vec<&Event> = ir
            .subscriptions
            .iter()
            .filter(|s| s.dependency == c.name)
            .filter_map(|s| c.events.iter().find(|e| e.topic == s.topic))
            .collect();
        if subs.is_empty() {
            continue;
        }
        let scope = Scope { prefix };
        let roots = subs.iter().map(|e| e.message.as_str());
        scope.add(c, Some(&reachable(c, roots)), &mut schemas);
        for event in subs {
            channels_in.push(Channel {
                action: "receive",
                source: &c.name,
                event,
                scope,
            });
        }
    }
    description.push(
        "Events are CloudEvents 1.0 in structured JSON mode, delivered by the data bus as \
`POST <subscriber>/events/<topic>` (docs/protocol.md section 9). Schemas describe what writers \
write: `required` lists the non-optional fields; readers also accept a missing or `null` field."
            .to_owned(),
    );
    let mut taken = BTreeSet::new();
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    for ch in &channels_in {
        let id = channel_id(&ch.event.topic, &mut taken);
        let text = describe::text(ch.event.doc.as_deref(), ch.event.deprecated.as_ref());
        let mut channel = Map::new();
        channel.insert("address".to_owned(), json!(ch.event.topic));
        json::annotate(&mut channel, text.clone(), false);
        channel.insert(
            "messages".to_owned(),
            json!({ id.clone(): { "$ref": format!("#/components/messages/{id}") } }),
        );
        channels.insert(id.clone(), Value::Object(channel));
        let mut op = Map::new();
        op.insert("action".to_owned(), json!(ch.action));
        op.insert(
            "channel".to_owned(),
            json!({ "$ref": format!("#/channels/{id}") }),
        );
        op.insert(
            "summary".to_owned(),
            json!(match ch.action {
                "send" => format!("{} publishes `{}`.", ch.source, ch.event.topic),
                _ => format!("Receives `{}` from {}.", ch.event.topic, ch.source),
            }),
        );
        op.insert(
            "messages".to_owned(),
            json!([{ "$ref": format!("#/channels/{id}/messages/{id}") }]),
        );
        operations.insert(format!("{}_{id}", ch.action), Value::Object(op));
        let mut message = Map::new();
        message.insert("name".to_owned(), json!(ch.event.message));
        message.insert(
            "contentType".to_owned(),
            json!("application/cloudevents+json"),
        );
        json::annotate(&mut message, text, false);
        message.insert("payload".to_owned(), envelope(ch));
        messages.insert(id, Value::Object(message));
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": subject(ir),
            "version": "0",
            "description": description.join("\n\n"),
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": { "messages": messages, "schemas": schemas },
    })
}

/// The CloudEvents envelope of a channel's events.
fn envelope(ch: &Channel<'_>) -> Value {
    let time = ch.scope.of(&compiler::ir::Type::Time);
    let mut payload = json!({
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
        "properties": {
            "specversion": { "type": "string", "const": "1.0" },
            "id": { "type": "string", "format": "uuid", "description": "A random UUID v4, kept across retries; (`source`, `id`) identifies the event." },
            "source": { "type": "string", "const": ch.source, "description": "The publishing service." },
            "type": { "type": "string", "const": ch.event.topic, "description": "The topic." },
            "time": time,
            "datacontenttype": { "type": "string", "const": "application/json" },
            "data": ch.scope.reference(&ch.event.message),
            "traceparent": { "type": "string", "description": "CloudEvents distributed tracing: present when published under a trace context." },
            "tracestate": { "type": "string" },
        },
    });
    if ch.event.deprecated.is_some() {
        payload["deprecated"] = json!(true);
    }
    payload
}
