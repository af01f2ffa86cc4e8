//! Completion in app.toml: the keys of the table the cursor is in (from the model's schema,
//! without those already written), table headers, and the closed sets of values (`kind`, engine
//! names, sizes, storage kinds) from the compiler's app model.
use crate::app_toml::table_at;
use crate::convert;
use compiler::app::{keys_at, schema, EngineName, Kind, Size, StorageKind};
use compiler::spanned_toml::Schema;
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, TextEdit};

/// The completions at byte `offset` of app.toml's `text`.
/// `envs` are the platform's environment names (for `[envs.<env>]`), when known.
pub fn complete(text: &str, offset: usize, envs: &[String]) -> Vec<CompletionItem> {
    let offset = floor(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    if before.contains('#') {
        return Vec::new();
    }
    let item = |label: &str, insert: String, from: usize, kind, detail: &str| CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_owned()),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            convert::range(text, &(from..offset)),
            insert,
        ))),
        ..Default::default()
    };
    let indent = before.len() - before.trim_start().len();
    if before.trim_start().starts_with('[') {
        let from = line_start + indent;
        return headers(envs)
            .into_iter()
            .map(|h| item(&h, h.clone(), from, CompletionItemKind::MODULE, "table"))
            .collect();
    }
    let table = table_at(&text[..line_start]);
    if let Some(eq) = before.find('=') {
        let key = before[..eq].trim();
        let path = if table.is_empty() {
            key.to_owned()
        } else {
            format!("{table}.{key}")
        };
        let Some((words, what)) = words(&path) else {
            return Vec::new();
        };
        let value = &before[eq + 1..];
        let from = line_start + eq + 1 + (value.len() - value.trim_start().len());
        return words
            .iter()
            .map(|w| {
                item(
                    w,
                    format!("\"{w}\""),
                    from,
                    CompletionItemKind::ENUM_MEMBER,
                    what,
                )
            })
            .collect();
    }
    let written = written_keys(text, line_start);
    let Some(Schema::Table(fields)) = schema().at(&table) else {
        return Vec::new();
    };
    let keys = keys_at(&table);
    fields
        .iter()
        .filter(|(k, s)| keys.contains(k) && !written.contains(&(*k).to_owned()) && is_inline(s))
        .map(|(k, _)| {
            item(
                k,
                format!("{k} = "),
                line_start + indent,
                CompletionItemKind::PROPERTY,
                "",
            )
        })
        .collect()
}

fn floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a key is written `key = value` (not a table of its own).
fn is_inline(s: &Schema) -> bool {
    match s {
        Schema::Value => true,
        Schema::Array(inner) => **inner == Schema::Value,
        Schema::Table(_) | Schema::Map(_) => false,
    }
}

/// The keys already written in the table the line at `line_start` is in.
fn written_keys(text: &str, line_start: usize) -> Vec<String> {
    let is_header = |l: &&str| l.trim_start().starts_with('[');
    let above = text[..line_start]
        .lines()
        .rev()
        .take_while(|l| !is_header(l));
    let below = text[line_start..]
        .lines()
        .skip(1)
        .take_while(|l| !is_header(l));
    above
        .chain(below)
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .collect()
}

/// Every table header app.toml may have (`[envs.<env>]` for each of `envs`, else as a pattern).
fn headers(envs: &[String]) -> Vec<String> {
    let Schema::Table(fields) = schema() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, s) in fields {
        match s {
            Schema::Table(_) => out.push(format!("[{k}]")),
            Schema::Array(inner) if **inner != Schema::Value => out.push(format!("[[{k}]]")),
            Schema::Map(inner) if matches!(**inner, Schema::Table(_)) => {
                if envs.is_empty() {
                    out.push(format!("[{k}.<env>]"));
                }
                out.extend(envs.iter().map(|e| format!("[{k}.{e}]")));
            }
            Schema::Map(_) => out.push(format!("[{k}]")),
            _ => {}
        }
    }
    out
}

/// The closed set of values of the key at `path`, with what it is.
fn words(path: &str) -> Option<(&'static [&'static str], &'static str)> {
    let segs: Vec<&str> = path.split('.').collect();
    match segs.as_slice() {
        ["kind"] => Some((Kind::WORDS, "service kind")),
        ["engine", "name"] => Some((EngineName::WORDS, "engine")),
        ["engine", "size"] | ["envs", _, "engine", "size"] => Some((Size::WORDS, "size")),
        ["storages", _, "kind"] => Some((StorageKind::WORDS, "storage kind")),
        _ => None,
    }
}
