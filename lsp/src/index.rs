//! The symbol index of a checked project: which declaration a position names, and every place a
//! declaration is written (its name, then its uses). Definition, references, rename and the
//! rename quick fixes all ask it, so they agree on what a symbol is. app.toml's `subscribe`
//! topics are uses of the events they name.
use crate::convert;
use compiler::model::{DeclId, Declaration, SymbolKind};
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
    if output.app.as_ref().is_some_and(|a| a.file == file) {
        return subscriptions(output)
            .into_iter()
            .find(|(s, _)| s.range.start <= offset && offset < s.range.end)
            .map(|(s, d)| (d, s));
    }
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
    out.extend(
        subscriptions(output)
            .into_iter()
            .filter(|(_, d)| *d == id)
            .map(|(s, _)| s),
    );
    out
}

/// app.toml's `subscribe` topics, each with the `schema` it names: the event of that topic in
/// the dependency's contract `rpc/<name>.brief`.
pub fn subscriptions(output: &Output) -> Vec<(Span, DeclId)> {
    let Some(app) = &output.app else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (di, dep) in app.config.dependencies.iter().enumerate() {
        let contract = format!("rpc/{}.brief", dep.name);
        for (ti, topic) in dep.subscribe.iter().enumerate() {
            let event = output.model.all_declarations().find(|(_, d)| {
                d.kind == SymbolKind::Event
                    && d.name == *topic
                    && output.sources.path(d.file) == contract
            });
            if let Some((id, _)) = event {
                out.push((
                    app.value_span(&format!("dependencies.{di}.subscribe.{ti}")),
                    id,
                ));
            }
        }
    }
    out
}

/// The word for a kind of declaration, as hovers and messages say it.
pub fn kind_word(kind: SymbolKind) -> &'static str {
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
