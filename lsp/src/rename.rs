//! Rename of messages, enums, enum values, errors, fields and rpcs: what may be renamed, the
//! edits (every occurrence from the symbol index, across files and imports), the refusal of a
//! name that is not an identifier or collides, and whether the rename breaks the wire (what
//! `paasctl breaking` reports between the project before and after).
use crate::index;
use compiler::breaking::{self, Filter};
use compiler::check::BUILTINS;
use compiler::model::{DeclId, SymbolKind};
use compiler::{FileId, Output, Span};
use std::collections::BTreeMap;
use std::ops::Range;

/// A planned rename: the declaration, its old name, and the edits by file.
#[derive(Debug)]
pub struct Plan {
    pub kind: SymbolKind,
    pub old: String,
    pub new: String,
    pub edits: BTreeMap<FileId, Vec<Range<usize>>>,
}

/// The kind with its article: "a field", "an enum".
fn noun(kind: SymbolKind) -> String {
    let word = index::kind_word(kind);
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// What may be renamed at a position: the declaration and the span of the name there. An error
/// explains why a symbol there cannot be renamed; `None` when there is no symbol.
pub fn prepare(
    output: &Output,
    file: FileId,
    offset: usize,
) -> Result<Option<(DeclId, Span)>, String> {
    let Some((id, at)) = index::at_offset(output, file, offset) else {
        return Ok(None);
    };
    let d = index::decl(output, id).ok_or("the declaration is gone; try again")?;
    match d.kind {
        SymbolKind::Service => Err(
            "a service is renamed by hand: its name is in app.toml, service.brief and every caller's rpc/<name>.brief"
                .to_owned(),
        ),
        SymbolKind::Event => Err(
            "an event topic is renamed by hand: subscribers name it in their app.toml".to_owned(),
        ),
        _ => Ok(Some((id, at))),
    }
}

/// Whether `name` can be written where a name is expected.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The edits that rename the declaration at `offset` to `new`, or why not (the name is not an
/// identifier, or it is taken where the declaration is visible).
pub fn plan(output: &Output, file: FileId, offset: usize, new: &str) -> Result<Plan, String> {
    let (id, _) = prepare(output, file, offset)?.ok_or("there is nothing to rename here")?;
    let d = index::decl(output, id).ok_or("the declaration is gone; try again")?;
    if !is_identifier(new) {
        return Err(format!(
            "`{new}` is not a valid name: a letter or `_`, then letters, digits or `_`"
        ));
    }
    if new == d.name {
        return Err(format!("`{new}` is already its name"));
    }
    if let Some(why) = collision(output, id, new) {
        return Err(why);
    }
    let mut edits: BTreeMap<FileId, Vec<Range<usize>>> = BTreeMap::new();
    for span in index::occurrences(output, id) {
        edits.entry(span.file).or_default().push(span.range);
    }
    Ok(Plan {
        kind: d.kind,
        old: d.name.clone(),
        new: new.to_owned(),
        edits,
    })
}

/// Why `new` cannot be the name of `id`: a sibling part of the same name, or a type of that name
/// in a file that sees this one (or a built-in type's name).
fn collision(output: &Output, id: DeclId, new: &str) -> Option<String> {
    let model = &output.model;
    let d = model.decl(id)?;
    if d.kind.is_type() {
        if BUILTINS.contains(&new) {
            return Some(format!("`{new}` is a built-in type"));
        }
        let same_file = model
            .declarations(d.file)
            .find(|(_, o)| o.kind.is_type() && o.name == new);
        if let Some((_, o)) = same_file {
            return Some(format!(
                "{} `{new}` is already declared in `{}`",
                index::kind_word(o.kind),
                output.sources.path(o.file)
            ));
        }
        let mut files: Vec<FileId> = output.sources.iter().map(|(f, _)| f).collect();
        files.sort();
        for f in files {
            let Some(scope) = model.scope(f) else {
                continue;
            };
            if scope.get(&d.name) != Some(id) {
                continue;
            }
            if let Some(other) = scope.get(new).and_then(|o| model.decl(o)) {
                return Some(format!(
                    "`{}` sees both: {} `{new}` is declared in `{}`",
                    scope.path,
                    index::kind_word(other.kind),
                    output.sources.path(other.file)
                ));
            }
        }
        return None;
    }
    let sibling = model
        .all_declarations()
        .find(|(o, od)| *o != id && od.parent == d.parent && od.kind == d.kind && od.name == new);
    sibling.map(|(_, o)| {
        let parent = o
            .parent
            .and_then(|p| model.decl(p))
            .map_or_else(String::new, |p| format!(" in `{}`", p.name));
        format!(
            "{} `{new}` already exists{parent}",
            index::kind_word(o.kind)
        )
    })
}

/// The file texts after the rename, by file.
pub fn renamed_texts(output: &Output, plan: &Plan) -> BTreeMap<FileId, String> {
    let mut out = BTreeMap::new();
    for (file, ranges) in &plan.edits {
        let mut text = index::text(output, *file).to_owned();
        let mut ranges = ranges.clone();
        ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
        for r in ranges {
            if text.get(r.clone()).is_some() {
                text.replace_range(r, &plan.new);
            }
        }
        out.insert(*file, text);
    }
    out
}

/// What the project says once renamed: refused when it has an error the project did not have
/// (a collision the index did not see), else the WIRE-breaking changes, if any, as a warning.
pub fn verdict(before: &Output, after: &Output, plan: &Plan) -> Result<Option<String>, String> {
    let count = |o: &Output, code: &str| {
        o.diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code == code)
            .count()
    };
    if let Some(d) = after
        .diagnostics
        .iter()
        .find(|d| d.is_error() && count(after, d.code) > count(before, d.code))
    {
        return Err(format!(
            "renaming `{}` to `{}` would break the project: {} {}",
            plan.old, plan.new, d.code, d.message
        ));
    }
    let what = format!(
        "Renaming {} `{}` to `{}`",
        noun(plan.kind),
        plan.old,
        plan.new
    );
    match &before.ir {
        Some(old) => {
            let found = breaking::compare(old, after, Filter::Wire);
            if found.is_empty() {
                return Ok(None);
            }
            let list: Vec<String> = found
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            Ok(Some(format!(
                "{what} is a WIRE-breaking change: peers built against the old contract break ({}). Done anyway; undo it, or add `// brief:allow-breaking` with a reason.",
                list.join("; ")
            )))
        }
        // With errors there is no IR to compare: the names of these are on the wire.
        None if matches!(
            plan.kind,
            SymbolKind::Field | SymbolKind::Rpc | SymbolKind::EnumValue
        ) =>
        {
            Ok(Some(format!(
                "{what} is probably a WIRE-breaking change: its name is on the wire (the project has errors, so `paasctl breaking` cannot compare). Done anyway."
            )))
        }
        None => Ok(None),
    }
}

/// The rename as an LSP workspace edit: one text edit per occurrence, by file URL.
pub fn workspace_edit(
    output: &Output,
    root: &std::path::Path,
    plan: &Plan,
) -> lsp_types::WorkspaceEdit {
    let mut changes = std::collections::HashMap::new();
    for (file, ranges) in &plan.edits {
        let Some(uri) = crate::convert::url(&root.join(output.sources.path(*file))) else {
            continue;
        };
        let text = index::text(output, *file);
        let lines = crate::convert::LineIndex::new(text);
        let edits = ranges
            .iter()
            .map(|r| {
                let range = lsp_types::Range::new(
                    lines.position(text, r.start),
                    lines.position(text, r.end),
                );
                lsp_types::TextEdit::new(range, plan.new.clone())
            })
            .collect();
        changes.insert(uri, edits);
    }
    lsp_types::WorkspaceEdit::new(changes)
}
