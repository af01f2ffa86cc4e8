//! The side table of a TOML document's spans by dotted key path (array elements by index):
//! what locates a problem found after parsing, without the document or a second parse.
use super::{first_line, join, Document};
use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::ops::Range;
use toml_edit::{Item, TableLike, Value};

/// Where one key and its value are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: Option<Range<usize>>,
    value: Option<Range<usize>>,
    /// The first line of the value (or of the key, when the value has no span).
    head: Option<Range<usize>>,
}

/// Every key path of one file with the spans of its key and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    file: FileId,
    entries: BTreeMap<String, Entry>,
}

impl Locations {
    /// The locations of every key of `doc`, the text of file `file`.
    pub fn new(file: FileId, doc: &Document) -> Self {
        let mut out = Locations {
            file,
            entries: BTreeMap::new(),
        };
        out.table(doc.raw(), doc.as_table(), "");
        out
    }

    /// The file the spans are in.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// The span of the value at `path`, else of the nearest ancestor that has one, else 0..0.
    pub fn value_span(&self, path: &str) -> Span {
        self.span(self.find(path, |e| e.value.clone()))
    }

    /// The span of the key at `path`, else of the nearest ancestor's key, else 0..0.
    pub fn key_span(&self, path: &str) -> Span {
        self.span(self.find(path, |e| e.key.clone()))
    }

    /// The first line of the value at `path` or of its nearest ancestor; `None` when not even
    /// the first segment of `path` is in the file.
    pub fn head(&self, path: &str) -> Option<Span> {
        self.find(path, |e| e.head.clone())
            .map(|r| Span::new(self.file, r))
    }

    /// The span of the key at exactly `path`, if it is in the file.
    pub fn exact_key(&self, path: &str) -> Option<Span> {
        let r = self.entries.get(path)?.key.clone()?;
        Some(Span::new(self.file, r))
    }

    fn span(&self, r: Option<Range<usize>>) -> Span {
        Span::new(self.file, r.unwrap_or(0..0))
    }

    fn find(
        &self,
        path: &str,
        get: impl Fn(&Entry) -> Option<Range<usize>>,
    ) -> Option<Range<usize>> {
        let mut p = path;
        loop {
            if let Some(r) = self.entries.get(p).and_then(&get) {
                return Some(r);
            }
            p = &p[..p.rfind('.')?];
        }
    }

    fn insert(
        &mut self,
        src: &str,
        path: String,
        key: Option<Range<usize>>,
        value: Option<Range<usize>>,
    ) {
        let value = value.or_else(|| key.clone());
        let head = value.clone().map(|r| first_line(src, r));
        self.entries.insert(path, Entry { key, value, head });
    }

    fn table(&mut self, src: &str, t: &dyn TableLike, prefix: &str) {
        for (k, item) in t.iter() {
            let path = join(prefix, k);
            let key = t.key(k).and_then(|k| k.span());
            self.insert(src, path.clone(), key, item.span());
            self.item(src, item, &path);
        }
    }

    fn item(&mut self, src: &str, item: &Item, path: &str) {
        match item {
            Item::Table(t) => self.table(src, t, path),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    let p = join(path, &i.to_string());
                    self.insert(src, p.clone(), t.span(), t.span());
                    self.table(src, t, &p);
                }
            }
            Item::Value(v) => self.value(src, v, path),
            Item::None => {}
        }
    }

    fn value(&mut self, src: &str, v: &Value, path: &str) {
        match v {
            Value::InlineTable(t) => self.table(src, t, path),
            Value::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    let p = join(path, &i.to_string());
                    self.insert(src, p.clone(), e.span(), e.span());
                    self.value(src, e, &p);
                }
            }
            _ => {}
        }
    }
}
