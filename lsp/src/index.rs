//! The symbol index of a checked project: which declaration a position names, and every place a
//! declaration is written (its name, then its uses). Definition, references, rename and the
//! rename quick fixes all ask it, so they agree on what a symbol is.
use crate::convert;
use compiler::model::{DeclId, Declaration};
use compiler::{FileId, Output, Span};
use lsp_types::Position;

/// The text of a file of the run (empty when unknown).
pub fn text(output: &Output, file: FileId) -> &str {
    output
        .sources
        .get(file)
        .map(|f| f.text.as_ref())
        .unwrap_or("")
}

/// The declaration at a byte offset: the one a type name there refers to, or the one whose name
/// is written there; with the span of the name under the offset.
pub fn at_offset(output: &Output, file: FileId, offset: usize) -> Option<(DeclId, Span)> {
    let model = &output.model;
    if let Some(u) = model.use_at(file, offset) {
        return Some((u.decl, u.span.clone()));
    }
    let id = model.decl_at(file, offset)?;
    let d = model.decl(id)?;
    Some((id, d.name_span.clone()))
}

/// The declaration at an LSP position (see [`at_offset`]).
pub fn at(output: &Output, file: FileId, pos: Position) -> Option<(DeclId, Span)> {
    at_offset(output, file, convert::offset(text(output, file), pos))
}

/// The declaration itself.
pub fn decl(output: &Output, id: DeclId) -> Option<&Declaration> {
    output.model.decl(id)
}

/// Every place the declaration is written: its name first, then each use in file and position
/// order. A second declaration of the same name (a duplicate) is not one of them.
pub fn occurrences(output: &Output, id: DeclId) -> Vec<Span> {
    let mut out: Vec<Span> = decl(output, id)
        .map(|d| d.name_span.clone())
        .into_iter()
        .collect();
    out.extend(output.model.references(id).map(|u| u.span.clone()));
    out
}

/// The word for a kind of declaration, as hovers and messages say it.
pub fn kind_word(kind: compiler::model::SymbolKind) -> &'static str {
    use compiler::model::SymbolKind;
    match kind {
        SymbolKind::Service => "service",
        SymbolKind::Rpc => "rpc",
        SymbolKind::Event => "schema",
        SymbolKind::Message => "message",
        SymbolKind::Enum => "enum",
        SymbolKind::Error => "error",
        SymbolKind::Field => "field",
        SymbolKind::EnumValue => "enum value",
    }
}
