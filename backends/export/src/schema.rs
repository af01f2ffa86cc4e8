//! JSON Schema of a contract's messages, enums and errors exactly as the wire carries them
//! (docs/protocol.md section 3), shared by the OpenAPI 3.1 and AsyncAPI 3.0 exports.
//!
//! The schemas describe what writers write: `required` lists every non-optional field (writers
//! always write it), an optional field is simply not required (writers omit it when absent,
//! never write `null`), and `null` appears only as an absent element of a `[]?T` or
//! `map[K]?T`. Readers are more lenient than that (a missing or `null` field is its zero value
//! or absent, unknown fields are ignored), which is why no schema forbids additional properties.
use crate::describe;
use crate::json::annotate;
use compiler::ir::{Contract, Enum, ErrorType, Field, MapKey, Message, Type, TypeDef};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Standard base64 with padding and zero padding bits (RFC 4648 section 4), as the wire wants it.
pub const BASE64_PATTERN: &str =
    "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

/// RFC 3339 as the wire accepts it: upper-case `T` and `Z`, 0-9 fractional digits, no leap second
/// (the calendar is `format: date-time`'s; the UTC year range 0000-9999 is not expressible).
pub const TIME_PATTERN: &str = "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$";

/// Canonical decimal int64 map keys: no `+`, no leading zeros, not `-0` (the int64 range is not
/// expressible as a pattern of reasonable size; it is stated in the description).
pub const INT_KEY_PATTERN: &str = "^(?:0|-?[1-9][0-9]{0,18})$";

/// Where the schemas of one contract live: `#/components/schemas/<prefix><Name>`; the prefix is
/// empty for the service's own contract and `<dependency>.` for a dependency's.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub prefix: &'a str,
}

impl Scope<'_> {
    /// The component key of the type `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A `$ref` to the type `name`.
    pub fn reference(&self, name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{}", self.key(name)) })
    }

    /// The schema of a value of type `ty` (an optional's inner type: absence is the field's).
    pub fn of(&self, ty: &Type) -> Value {
        match ty {
            Type::Int => json!({
                "type": "integer",
                "format": "int64",
                "minimum": i64::MIN,
                "maximum": i64::MAX,
            }),
            Type::Float => json!({ "type": "number", "format": "double" }),
            Type::Bool => json!({ "type": "boolean" }),
            Type::String => json!({ "type": "string" }),
            Type::Bytes => json!({
                "type": "string",
                "contentEncoding": "base64",
                "pattern": BASE64_PATTERN,
            }),
            Type::Time => json!({
                "type": "string",
                "format": "date-time",
                "pattern": TIME_PATTERN,
            }),
            Type::List { elem } => json!({ "type": "array", "items": self.element(elem) }),
            Type::Map { key, value } => match key {
                MapKey::String => json!({
                    "type": "object",
                    "additionalProperties": self.element(value),
                }),
                MapKey::Int => json!({
                    "type": "object",
                    "description": "Keys are canonical decimal int64 numbers.",
                    "propertyNames": { "pattern": INT_KEY_PATTERN },
                    "additionalProperties": self.element(value),
                }),
            },
            Type::Optional { inner } => self.of(inner),
            Type::Message { name } | Type::Enum { name } => self.reference(name),
        }
    }

    /// The schema of a list or map element: `null` stands for an absent optional element.
    fn element(&self, ty: &Type) -> Value {
        match ty {
            Type::Optional { inner } => json!({ "anyOf": [self.of(inner), { "type": "null" }] }),
            _ => self.of(ty),
        }
    }

    /// The object schema of a message's or error's fields.
    fn object(&self, fields: &[Field], description: Option<String>, deprecated: bool) -> Value {
        let mut obj = Map::new();
        obj.insert("type".to_owned(), json!("object"));
        annotate(&mut obj, description, deprecated);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in fields {
            let mut schema = self.of(&f.ty);
            let description = describe::text(f.doc.as_deref(), f.deprecated.as_ref());
            if description.is_some() || f.deprecated.is_some() {
                if schema.get("$ref").is_some() {
                    // Keywords beside `$ref` are ignored by older dialects (AsyncAPI's).
                    schema = json!({ "allOf": [schema] });
                }
                if let Value::Object(s) = &mut schema {
                    annotate(s, description, f.deprecated.is_some());
                }
            }
            properties.insert(f.name.clone(), schema);
            if !matches!(f.ty, Type::Optional { .. }) {
                required.push(json!(f.name));
            }
        }
        obj.insert("properties".to_owned(), Value::Object(properties));
        if !required.is_empty() {
            obj.insert("required".to_owned(), Value::Array(required));
        }
        Value::Object(obj)
    }

    /// The schema of a message.
    pub fn message(&self, m: &Message) -> Value {
        let d = describe::text(m.doc.as_deref(), m.deprecated.as_ref());
        self.object(&m.fields, d, m.deprecated.is_some())
    }

    /// The schema of an error's `details`: its fields.
    pub fn error(&self, e: &ErrorType) -> Value {
        let d = describe::text(e.doc.as_deref(), e.deprecated.as_ref());
        self.object(&e.fields, d, e.deprecated.is_some())
    }

    /// The schema of an enum: a string enum of its members' names, their docs in the description.
    pub fn enumeration(&self, e: &Enum) -> Value {
        let mut lines: Vec<String> = describe::text(e.doc.as_deref(), e.deprecated.as_ref())
            .into_iter()
            .collect();
        let members: Vec<String> = e
            .values
            .iter()
            .filter_map(|v| {
                let d = describe::text(v.doc.as_deref(), v.deprecated.as_ref())?;
                Some(format!("- `{}`: {}", v.name, d.replace('\n', " ")))
            })
            .collect();
        if !members.is_empty() {
            lines.push(members.join("\n"));
        }
        let zero = e
            .values
            .first()
            .map(|v| v.name.as_str())
            .unwrap_or_default();
        lines.push(format!("Zero value: `{zero}` (the first member)."));
        let mut obj = Map::new();
        obj.insert("type".to_owned(), json!("string"));
        obj.insert(
            "enum".to_owned(),
            e.values.iter().map(|v| json!(v.name)).collect(),
        );
        annotate(&mut obj, Some(lines.join("\n\n")), e.deprecated.is_some());
        Value::Object(obj)
    }

    /// The schema of any named type.
    pub fn type_def(&self, t: &TypeDef) -> Value {
        match t {
            TypeDef::Message(m) => self.message(m),
            TypeDef::Enum(e) => self.enumeration(e),
            TypeDef::Error(e) => self.error(e),
        }
    }

    /// Inserts the schemas of `contract`'s types named in `names` (all when `None`) into
    /// `schemas`, in the contract's order.
    pub fn add(
        &self,
        contract: &Contract,
        names: Option<&BTreeSet<String>>,
        schemas: &mut Map<String, Value>,
    ) {
        for t in &contract.types {
            let wanted = match names {
                None => true,
                Some(n) => n.contains(t.name()),
            };
            if wanted {
                schemas.insert(self.key(t.name()), self.type_def(t));
            }
        }
    }
}

/// The names of the types reachable from `roots` in `contract` (the roots included).
pub fn reachable<'a>(
    contract: &Contract,
    roots: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().map(str::to_owned).collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let fields: &[Field] = match contract.type_def(&name) {
            Some(TypeDef::Message(m)) => &m.fields,
            Some(TypeDef::Error(e)) => &e.fields,
            _ => &[],
        };
        for f in fields {
            named(&f.ty, &mut todo);
        }
    }
    seen
}

/// Pushes the names of the messages and enums `ty` mentions.
fn named(ty: &Type, out: &mut Vec<String>) {
    match ty {
        Type::List { elem: t } | Type::Map { value: t, .. } | Type::Optional { inner: t } => {
            named(t, out)
        }
        Type::Message { name } | Type::Enum { name } => out.push(name.clone()),
        _ => {}
    }
}
