//! The answers to editor requests, computed from a project's last check: hover, go to
//! definition, find references, document symbols and formatting.
use crate::convert::LineIndex;
use crate::convert::{self, url};
use crate::index::{self, kind_word, text};
use compiler::model::{DeclId, Declaration, SymbolKind};
use compiler::{FileId, Output, Span};
use lsp_types::{
    DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Range,
    TextEdit,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn location(
    positions: &mut convert::Positions,
    output: &Output,
    root: &Path,
    span: &Span,
) -> Option<Location> {
    let uri = url(&root.join(output.sources.path(span.file)))?;
    Some(Location::new(uri, positions.range(span)))
}

/// Hover: the declaration as written (its first lines), where it is, its doc and deprecation.
pub fn hover(output: &Output, file: FileId, pos: Position) -> Option<Hover> {
    let Some((id, at)) = index::at(output, file, pos) else {
        return toml_hover(output, file, pos);
    };
    let d = output.model.decl(id)?;
    let source = text(output, d.file).get(d.span.range.clone()).unwrap_or("");
    let mut shown: Vec<&str> = source.lines().take(12).collect();
    if source.lines().count() > 12 {
        shown.push("    …");
    }
    let mut value = format!("```brief\n{}\n```\n", shown.join("\n"));
    value.push_str(&format!(
        "\n{} `{}` in `{}`",
        kind_word(d.kind),
        d.name,
        output.sources.path(d.file)
    ));
    if let Some(doc) = &d.doc {
        value.push_str(&format!("\n\n{doc}"));
    }
    if let Some(dep) = &d.deprecated {
        value.push_str("\n\n**Deprecated**");
        if let Some(reason) = &dep.reason {
            value.push_str(&format!(": {reason}"));
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(convert::range(text(output, file), &at.range)),
    })
}

/// The hover of an app.toml key: its reference from docs/app-toml.md.
fn toml_hover(output: &Output, file: FileId, pos: Position) -> Option<Hover> {
    if output.app.as_ref().map(|a| a.file) != Some(file) {
        return None;
    }
    let src = text(output, file);
    let (range, value) = crate::app_toml::hover(src, convert::offset(src, pos))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(convert::range(src, &range)),
    })
}

/// Go to definition: where the declaration under the cursor is declared.
pub fn definition(output: &Output, root: &Path, file: FileId, pos: Position) -> Option<Location> {
    let (id, _) = index::at(output, file, pos)?;
    let d = output.model.decl(id)?;
    location(
        &mut convert::Positions::new(&output.sources),
        output,
        root,
        &d.name_span,
    )
}

/// Find references: every use of the declaration under the cursor, in every file of the
/// project, with the declaration itself first when asked for.
pub fn references(
    output: &Output,
    root: &Path,
    file: FileId,
    pos: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((id, _)) = index::at(output, file, pos) else {
        return Vec::new();
    };
    let skip = usize::from(!include_declaration);
    let mut positions = convert::Positions::new(&output.sources);
    index::occurrences(output, id)
        .iter()
        .skip(skip)
        .filter_map(|s| location(&mut positions, output, root, s))
        .collect()
}

fn symbol_kind(kind: SymbolKind) -> lsp_types::SymbolKind {
    use lsp_types::SymbolKind as K;
    match kind {
        SymbolKind::Service => K::INTERFACE,
        SymbolKind::Rpc => K::METHOD,
        SymbolKind::Event => K::EVENT,
        SymbolKind::Message => K::STRUCT,
        SymbolKind::Enum => K::ENUM,
        SymbolKind::Error => K::CLASS,
        SymbolKind::Field => K::FIELD,
        SymbolKind::EnumValue => K::ENUM_MEMBER,
    }
}

/// The outline of one file: declarations with their parts nested under them (a part whose
/// parent is in another file is at the top level).
pub fn symbols(output: &Output, file: FileId) -> Vec<DocumentSymbol> {
    let decls: Vec<(DeclId, &Declaration)> = output.model.declarations(file).collect();
    let src = text(output, file);
    let lines = LineIndex::new(src);
    let here: HashSet<DeclId> = decls.iter().map(|(id, _)| *id).collect();
    let mut children: HashMap<DeclId, Vec<usize>> = HashMap::new();
    let mut top = Vec::new();
    for (i, (_, d)) in decls.iter().enumerate() {
        match d.parent {
            Some(p) if here.contains(&p) => children.entry(p).or_default().push(i),
            _ => top.push(i),
        }
    }
    struct Outline<'a> {
        decls: &'a [(DeclId, &'a Declaration)],
        children: &'a HashMap<DeclId, Vec<usize>>,
        src: &'a str,
        lines: &'a LineIndex,
    }
    impl Outline<'_> {
        fn build(&self, i: usize, depth: usize) -> Option<DocumentSymbol> {
            let (id, d) = self.decls.get(i)?;
            let parts: Vec<DocumentSymbol> = if depth < 3 {
                self.children
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|&c| self.build(c, depth + 1))
                    .collect()
            } else {
                Vec::new()
            };
            let range = |r: &std::ops::Range<usize>| {
                Range::new(
                    self.lines.position(self.src, r.start),
                    self.lines.position(self.src, r.end),
                )
            };
            #[allow(deprecated)] // `deprecated` is a required field of the struct
            Some(DocumentSymbol {
                name: d.name.clone(),
                detail: Some(kind_word(d.kind).to_owned()),
                kind: symbol_kind(d.kind),
                tags: None,
                deprecated: None,
                range: range(&d.span.range),
                selection_range: range(&d.name_span.range),
                children: (!parts.is_empty()).then_some(parts),
            })
        }
    }
    let outline = Outline {
        decls: &decls,
        children: &children,
        src,
        lines: &lines,
    };
    top.into_iter()
        .filter_map(|i| outline.build(i, 0))
        .collect()
}

/// Formatting: one edit replacing the whole document with its canonical form; `None` when the
/// file does not parse (the formatter never rewrites broken code), empty when already formatted.
pub fn format(src: &str) -> Option<Vec<TextEdit>> {
    let formatted = compiler::fmt::format_source(src)?;
    if formatted == src {
        return Some(Vec::new());
    }
    let end = convert::position(src, src.len());
    Some(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}
