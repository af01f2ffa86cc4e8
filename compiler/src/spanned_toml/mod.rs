//! The one spanned-TOML reader, shared by app.toml (this crate) and platform.toml (the k8s backend).
//!
//! Design, in four parts:
//!
//! - [`parse`] reads a document with `toml_edit`, which keeps the byte range of every key and
//!   value; a syntax error comes back as a [`SyntaxError`] for the caller to word.
//! - [`Schema::of`] reads the set of keys of every table off the `serde::Deserialize` derive of
//!   the model type that the table fills (`AppConfig`, `Platform`, ...). The known keys, their
//!   order and their nesting therefore come from the structs themselves: a field added to or
//!   removed from a struct is a known key at once, with nothing to keep in step by hand.
//! - [`Reader`] walks a document's tables with spans: typed getters that report wrong types,
//!   unknown keys (with did-you-mean, checked against the schema and named by dotted path) and
//!   missing required keys, each located, all in one run. The diagnostic codes are the caller's
//!   ([`Codes`]); app.toml reads through it. platform.toml, whose structs are plain data, is
//!   deserialised by serde (its type and missing-key errors come located from the toml
//!   deserializer) and takes its unknown keys from `serde_ignored`, this schema and [`Locations`].
//! - [`Locations`] is the side table of dotted key path -> spans that outlives the document: it
//!   locates problems found later (by project checks, or by a backend) without parsing again.
//!
//! [`first_line`] is the one place where a multi-line span (a whole table) is cut to its head.
mod locations;
mod reader;
mod schema;

pub use locations::Locations;
pub use reader::{describe, item_range, key_range, Codes, Reader, Spanned};
pub use schema::Schema;

use std::ops::Range;

/// A parsed document that keeps its spans.
pub type Document = toml_edit::ImDocument<String>;

/// Why a text is not TOML: `toml_edit`'s message and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The whole message, possibly several lines ("what\nexpected ...").
    pub message: String,
    /// Where the error is; it may run onto the next line.
    pub range: Range<usize>,
}

/// Parses `src` into a document with spans.
pub fn parse(src: &str) -> Result<Document, SyntaxError> {
    src.parse::<Document>().map_err(|e| SyntaxError {
        message: e.message().to_owned(),
        range: e.span().unwrap_or(0..0),
    })
}

/// The part of `range` on its first line in `src` (a table's header rather than its body).
pub fn first_line(src: &str, range: Range<usize>) -> Range<usize> {
    let end = src
        .get(range.clone())
        .and_then(|t| t.find('\n'))
        .map_or(range.end, |i| range.start + i);
    range.start..end
}

/// `path.key`, or `key` at the top level.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests;
