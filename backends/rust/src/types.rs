//! Contract types as Rust types and as the runtime's wire adapters (`[]?bytes` is
//! `Vec<Option<Vec<u8>>>` mapped by `wire::List<wire::Opt<wire::Bytes>>`), and which optional
//! message fields must be boxed because the message can reach itself through them.
use compiler::ir::{MapKey, Message, Type};
use std::collections::{BTreeMap, BTreeSet};

/// What the mapping of one field needs from the module's imports.
#[derive(Debug, Default, Clone, Copy)]
pub struct Uses {
    pub map: bool,
    pub time: bool,
}

/// The Rust type of `t`; `names` maps contract type names to Rust names; `boxed` wraps an
/// optional message (top level only) in a `Box`.
pub fn rust_type(
    t: &Type,
    names: &BTreeMap<String, String>,
    boxed: bool,
    uses: &mut Uses,
) -> String {
    match t {
        Type::Int => "i64".to_owned(),
        Type::Float => "f64".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::String => "String".to_owned(),
        Type::Bytes => "Vec<u8>".to_owned(),
        Type::Time => {
            uses.time = true;
            "Timestamp".to_owned()
        }
        Type::List { elem } => format!("Vec<{}>", rust_type(elem, names, false, uses)),
        Type::Map { key, value } => {
            uses.map = true;
            let k = match key {
                MapKey::String => "String",
                MapKey::Int => "i64",
            };
            format!("BTreeMap<{k}, {}>", rust_type(value, names, false, uses))
        }
        Type::Optional { inner } => {
            let i = rust_type(inner, names, false, uses);
            if boxed {
                format!("Option<Box<{i}>>")
            } else {
                format!("Option<{i}>")
            }
        }
        Type::Message { name } | Type::Enum { name } => {
            names.get(name).cloned().unwrap_or_else(|| name.clone())
        }
    }
}

/// The wire adapter of `t` (`wire::List<wire::Int>`).
pub fn adapter(t: &Type) -> String {
    match t {
        Type::Int => "wire::Int".to_owned(),
        Type::Float => "wire::Float".to_owned(),
        Type::Bool | Type::String | Type::Time | Type::Enum { .. } => "wire::Plain".to_owned(),
        Type::Bytes => "wire::Bytes".to_owned(),
        Type::List { elem } => format!("wire::List<{}>", adapter(elem)),
        Type::Map {
            key: MapKey::String,
            value,
        } => format!("wire::Map<{}>", adapter(value)),
        Type::Map {
            key: MapKey::Int,
            value,
        } => format!("wire::IntMap<{}>", adapter(value)),
        Type::Optional { inner } => format!("wire::Opt<{}>", adapter(inner)),
        Type::Message { .. } => "wire::Message".to_owned(),
    }
}

/// The message a field holds directly (`M` or `?M`), whether optional.
fn direct(t: &Type) -> Option<(&str, bool)> {
    match t {
        Type::Message { name } => Some((name, false)),
        Type::Optional { inner } => match inner.as_ref() {
            Type::Message { name } => Some((name, true)),
            _ => None,
        },
        _ => None,
    }
}

/// The (message, field) pairs whose `?M` field must be `Option<Box<M>>`: those where `M` reaches
/// the containing message again through fields held directly (not inside a list or map, which
/// already allocate).
pub fn boxed_fields(messages: &[&Message]) -> BTreeSet<(String, String)> {
    let edges: BTreeMap<&str, Vec<&str>> = messages
        .iter()
        .map(|m| {
            let to = m
                .fields
                .iter()
                .filter_map(|f| direct(&f.ty))
                .map(|(n, _)| n)
                .collect();
            (m.name.as_str(), to)
        })
        .collect();
    let reaches = |from: &str, target: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == target {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges.get(n).into_iter().flatten().copied());
            }
        }
        false
    };
    let mut out = BTreeSet::new();
    for m in messages {
        for f in &m.fields {
            if let Some((to, true)) = direct(&f.ty) {
                if reaches(to, &m.name) {
                    out.insert((m.name.clone(), f.name.clone()));
                }
            }
        }
    }
    out
}
