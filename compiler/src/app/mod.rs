//! The app.toml model: parsing with spans, unknown-key and type errors, validation.
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::source::{FileId, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// The validated content of app.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppConfig {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default = "one")]
    pub replicas: u32,
    pub engine: Option<Engine>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    #[serde(default)]
    pub envs: BTreeMap<String, toml::Table>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engine {
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub size: String,
}

/// `[[dependencies]]`: a service this one calls or whose events it consumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub name: String,
    /// Topics of the dependency's `schema` events this service consumes.
    #[serde(default)]
    pub subscribe: Vec<String>,
}

/// A parsed app.toml with the spans of its keys and values.
#[derive(Debug, Clone)]
pub struct AppFile {
    pub config: AppConfig,
    pub file: FileId,
    spans: BTreeMap<String, (Range<usize>, Range<usize>)>,
}

impl AppFile {
    /// The span of the value at a dotted path such as `dependencies.1.name`, else of the nearest parent.
    pub fn value_span(&self, path: &str) -> Span {
        self.lookup(path, false)
    }

    /// The span of the key at a dotted path.
    pub fn key_span(&self, path: &str) -> Span {
        self.lookup(path, true)
    }

    fn lookup(&self, path: &str, key: bool) -> Span {
        let mut p = path;
        loop {
            if let Some((k, v)) = self.spans.get(p) {
                return Span::new(self.file, if key { k.clone() } else { v.clone() });
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => return Span::new(self.file, 0..0),
            }
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "kind",
    "replicas",
    "engine",
    "dependencies",
    "envs",
];

/// Parses app.toml. Returns the config when it is usable, and every problem found.
pub fn parse(file: FileId, src: &str) -> (Option<AppFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let doc = match src.parse::<toml_edit::ImDocument<String>>() {
        Ok(d) => d,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::new(codes::E0401, e.message().to_owned())
                    .primary(Span::new(file, range), "invalid TOML here"),
            );
            return (None, diags);
        }
    };
    let mut spans = BTreeMap::new();
    collect_spans(doc.as_item(), "", &mut spans);
    let mut unknown: Vec<String> = Vec::new();
    let de = toml::de::Deserializer::new(src);
    let result: Result<AppConfig, _> = serde_ignored::deserialize(de, |path| {
        unknown.push(path.to_string());
    });
    let app = AppFile {
        config: match result {
            Ok(c) => c,
            Err(e) => {
                let range = e.span().unwrap_or(0..0);
                let code = if e.message().starts_with("missing field") {
                    codes::E0404
                } else {
                    codes::E0403
                };
                diags.push(
                    Diagnostic::new(code, e.message().trim().to_owned())
                        .primary(Span::new(file, range), "here"),
                );
                return (None, diags);
            }
        },
        file,
        spans,
    };
    for path in unknown {
        let last = path.rsplit('.').next().unwrap_or(&path).to_owned();
        let mut d = Diagnostic::new(codes::E0402, format!("unknown key `{path}`"))
            .primary(app.key_span(&path), "not a key of app.toml");
        if !path.contains('.') {
            if let Some(s) = did_you_mean(&last, TOP_KEYS.iter().copied()) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
        }
        diags.push(d);
    }
    (Some(app), diags)
}

fn collect_spans(
    item: &toml_edit::Item,
    prefix: &str,
    out: &mut BTreeMap<String, (Range<usize>, Range<usize>)>,
) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match item {
        toml_edit::Item::Table(t) => {
            for (k, v) in t.iter() {
                let path = join(k);
                let key_span = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                let val_span = v.span().unwrap_or_else(|| key_span.clone());
                out.insert(path.clone(), (key_span, val_span));
                collect_spans(v, &path, out);
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                let path = join(&i.to_string());
                let span = t.span().unwrap_or(0..0);
                out.insert(path.clone(), (span.clone(), span));
                collect_spans(&toml_edit::Item::Table(t.clone()), &path, out);
            }
        }
        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
            for (k, v) in t.iter() {
                let path = join(k);
                let key_span = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                let val_span = v.span().unwrap_or_else(|| key_span.clone());
                out.insert(path.clone(), (key_span, val_span));
                collect_spans(&toml_edit::Item::Value(v.clone()), &path, out);
            }
        }
        toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let path = join(&i.to_string());
                let span = v.span().unwrap_or(0..0);
                out.insert(path.clone(), (span.clone(), span));
                collect_spans(&toml_edit::Item::Value(v.clone()), &path, out);
            }
        }
        _ => {}
    }
}
