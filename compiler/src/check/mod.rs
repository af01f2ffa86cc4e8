//! Resolution and checks of `.brief` files, then lowering to the IR.
//!
//! [`resolve`] finds declarations and builds each file's scope, [`items`] and [`annotations`]
//! check each declaration against it, [`graph`] checks what spans files and declarations (cycles,
//! one namespace per contract), and [`lower`] builds IR contracts from the checked files.
mod annotations;
mod foreign_types;
mod graph;
mod items;
pub(crate) mod lower;
mod recovery;
mod resolve;

pub use annotations::known as known_annotations;
pub use lower::build_contract;
pub use resolve::{closure, Decl, DeclKind, Resolved};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use std::sync::Arc;

/// Deepest allowed nesting of `[]`, `?` and `map[..]` prefixes in one type.
pub const MAX_TYPE_DEPTH: usize = 32;

/// Built-in scalar type names.
pub const BUILTINS: &[&str] = &["int", "float", "bool", "string", "bytes", "time"];

/// A loaded file: id, project-relative path, parse result and resolved imports (file index, span).
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub id: FileId,
    pub text: Arc<str>,
    pub rel: String,
    pub parsed: Arc<grammar::Parsed>,
    pub imports: Vec<(usize, Span)>,
}

impl FileInfo {
    /// A span of this file.
    pub(crate) fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.id, r.clone())
    }
}

/// Runs every per-file and cross-file check; returns the resolution for IR building.
pub fn check_files(files: &[FileInfo], diags: &mut Vec<Diagnostic>) -> Resolved {
    let res = resolve::resolve(files, diags);
    graph::check_import_cycles(files, diags);
    items::check_items(files, &res, diags);
    graph::check_value_recursion(files, &res, diags);
    graph::check_contract_closures(files, &res, diags);
    recovery::drop_inside_broken_items(files, diags);
    res
}
