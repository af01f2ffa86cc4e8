//! The walker over a document's tables: typed getters that report wrong types, unknown keys and
//! missing required keys at their spans, collecting every problem of one run.
use super::{first_line, join, Schema};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::{FileId, Span};
use std::ops::Range;
use toml_edit::{Item, TableLike, Value};

/// A value with its span.
pub type Spanned<T> = (T, Span);

/// The caller's diagnostic codes for the problems the reader finds itself.
#[derive(Debug, Clone, Copy)]
pub struct Codes {
    pub unknown_key: &'static str,
    pub wrong_type: &'static str,
    pub missing_key: &'static str,
}

/// A walk over one document; the diagnostics of the run accumulate in [`Reader::diags`].
#[derive(Debug)]
pub struct Reader<'s> {
    pub file: FileId,
    pub src: &'s str,
    pub codes: Codes,
    pub diags: Vec<Diagnostic>,
    /// The whole document's schema, if known: an unknown key is then looked for in the other
    /// tables, for a hint that crosses table boundaries.
    pub root: Option<&'static Schema>,
}

/// How a TOML item is called in messages ("a string", "an array of tables", ...).
pub fn describe(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => describe_value(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

fn describe_value(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "a table",
    }
}

/// The span of the value of `key`, else of the key itself.
pub fn item_range(t: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    t.get(key)
        .and_then(Item::span)
        .or_else(|| key_range(t, key))
}

/// The span of `key` itself.
pub fn key_range(t: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    t.key(key).and_then(|k| k.span())
}

/// The hint for a key `key` unknown in the table at `path` but known in another table of `root`:
/// TOML's table scope when it is a top-level key written after a table header, else the table
/// it belongs in.
fn elsewhere(root: &Schema, path: &str, key: &str) -> Option<String> {
    let tables = root.tables_with(key);
    let header = |t: &str, array: bool| {
        if array {
            format!("`[[{t}]]`")
        } else {
            format!("`[{t}]`")
        }
    };
    let here = path.split('.').next().unwrap_or("");
    let (table, array) = tables
        .iter()
        .find(|(t, _)| t.split('.').next() != Some(here))?;
    if table.is_empty() {
        let owner = table_of(root, path);
        return Some(format!(
            "`{key}` is a top-level key, but in TOML every key after a table header such as \
{owner} belongs to that table, up to the next header: move `{key}` above the first table header"
        ));
    }
    Some(format!(
        "`{key}` is a key of {}: move it under that header (`{table}.{key}`)",
        header(table, *array)
    ))
}

/// The header of the table at dotted `path` (`crons.0` -> `[[crons]]`).
fn table_of(root: &Schema, path: &str) -> String {
    let first = path.split('.').next().unwrap_or(path);
    match root.get(first) {
        Some(Schema::Array(_)) => format!("`[[{first}]]`"),
        _ => format!("`[{path}]`"),
    }
}

impl<'s> Reader<'s> {
    pub fn new(file: FileId, src: &'s str, codes: Codes) -> Self {
        Reader {
            file,
            src,
            codes,
            diags: Vec::new(),
            root: None,
        }
    }

    /// A span in this file (0..0 when unknown).
    pub fn span(&self, r: Option<Range<usize>>) -> Span {
        Span::new(self.file, r.unwrap_or(0..0))
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The keys of `t` (at dotted `path`) that `schema` does not know: each with a did-you-mean
    /// from the schema's keys, else a note listing them. `what` names the table in messages.
    pub fn unknown_keys(&mut self, t: &dyn TableLike, path: &str, schema: &Schema, what: &str) {
        let allowed = schema.keys();
        for (k, _) in t.iter() {
            if allowed.contains(&k) {
                continue;
            }
            let full = join(path, k);
            let mut d = Diagnostic::new(self.codes.unknown_key, format!("unknown key `{full}`"))
                .primary(self.span(key_range(t, k)), format!("not a key of {what}"));
            let elsewhere = self.root.and_then(|root| elsewhere(root, path, k));
            match (did_you_mean(k, allowed.iter().copied()), elsewhere) {
                (Some(s), _) => d = d.hint(format!("did you mean `{}`?", join(path, s))),
                (None, Some(hint)) => d = d.hint(hint),
                (None, None) => {
                    d = d.note(format!("{what} has the keys: {}", allowed.join(", ")));
                }
            }
            self.push(d);
        }
    }

    /// `key` of `t` (at dotted `path`) is not `expected`.
    pub fn type_error(&mut self, t: &dyn TableLike, key: &str, path: &str, expected: &str) {
        let found = t.get(key).map(describe).unwrap_or("nothing");
        let d = Diagnostic::new(
            self.codes.wrong_type,
            format!("`{path}` must be {expected}, found {found}"),
        )
        .primary(
            self.span(item_range(t, key)),
            format!("expected {expected}"),
        );
        self.push(d);
    }

    /// Element `i` of the array at `path` is not `expected`.
    fn element_type_error(&mut self, v: &Value, path: &str, i: usize, expected: &str) {
        let found = describe_value(v);
        let d = Diagnostic::new(
            self.codes.wrong_type,
            format!("`{path}.{i}` must be {expected}, found {found}"),
        )
        .primary(self.span(v.span()), format!("expected {expected}"));
        self.push(d);
    }

    /// Reports the required key at `path` missing from the table spanning `owner` (only its
    /// first line is marked); `what` names the table.
    pub fn missing(&mut self, owner: Option<Range<usize>>, path: &str, what: &str) {
        let owner = owner.map(|r| first_line(self.src, r));
        let key = path.rsplit('.').next().unwrap_or(path);
        let d = Diagnostic::new(
            self.codes.missing_key,
            format!("missing required key `{path}`"),
        )
        .primary(self.span(owner), format!("{what} needs `{key}`"));
        self.push(d);
    }

    /// Reports each of `keys` that `t` lacks (see [`Reader::missing`]).
    pub fn require(
        &mut self,
        t: &dyn TableLike,
        owner: Option<Range<usize>>,
        path: &str,
        keys: &[&str],
        what: &str,
    ) {
        for key in keys {
            if t.get(key).is_none() {
                self.missing(owner.clone(), &join(path, key), what);
            }
        }
    }

    pub fn string(&mut self, t: &dyn TableLike, key: &str, path: &str) -> Option<Spanned<String>> {
        let item = t.get(key)?;
        match item.as_str() {
            Some(s) => Some((s.to_owned(), self.span(item_range(t, key)))),
            None => {
                self.type_error(t, key, path, "a string");
                None
            }
        }
    }

    /// An integer, unchecked.
    pub fn integer(&mut self, t: &dyn TableLike, key: &str, path: &str) -> Option<Spanned<i64>> {
        let item = t.get(key)?;
        match item.as_integer() {
            Some(n) => Some((n, self.span(item_range(t, key)))),
            None => {
                self.type_error(t, key, path, "an integer");
                None
            }
        }
    }

    /// An array of strings; elements of another type are reported one by one.
    pub fn strings(
        &mut self,
        t: &dyn TableLike,
        key: &str,
        path: &str,
    ) -> Option<Vec<Spanned<String>>> {
        let item = t.get(key)?;
        let Some(arr) = item.as_array() else {
            self.type_error(t, key, path, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            match v.as_str() {
                Some(s) => out.push((s.to_owned(), self.span(v.span()))),
                None => self.element_type_error(v, path, i, "a string"),
            }
        }
        Some(out)
    }

    pub fn table<'a>(
        &mut self,
        t: &'a dyn TableLike,
        key: &str,
        path: &str,
    ) -> Option<&'a dyn TableLike> {
        let item = t.get(key)?;
        match item.as_table_like() {
            Some(tt) => Some(tt),
            None => {
                self.type_error(t, key, path, "a table");
                None
            }
        }
    }

    /// `[[key]]` or `key = [{...}, ...]`: each table with its span.
    pub fn tables<'a>(
        &mut self,
        t: &'a dyn TableLike,
        key: &str,
        path: &str,
    ) -> Vec<(&'a dyn TableLike, Option<Range<usize>>)> {
        let mut out: Vec<(&'a dyn TableLike, Option<Range<usize>>)> = Vec::new();
        match t.get(key) {
            None => {}
            Some(Item::ArrayOfTables(a)) => {
                for tt in a.iter() {
                    out.push((tt as &dyn TableLike, tt.span()));
                }
            }
            Some(Item::Value(Value::Array(a))) => {
                for (i, v) in a.iter().enumerate() {
                    match v.as_inline_table() {
                        Some(tt) => out.push((tt as &dyn TableLike, v.span())),
                        None => self.element_type_error(v, path, i, "a table"),
                    }
                }
            }
            Some(_) => self.type_error(t, key, path, "an array of tables"),
        }
        out
    }
}
