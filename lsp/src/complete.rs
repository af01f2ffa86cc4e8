//! Completion in `.brief` files: types where a type is written (the built-ins, the `[]`, `?` and
//! `map[...]` forms, the types in scope, and those of other files with the import added),
//! keywords at the start of a declaration, annotations with their arguments, and import paths.
use crate::{convert, imports, index, rename};
use compiler::check::{known_annotations, BUILTINS};
use compiler::model::SymbolKind;
use compiler::{FileId, Output};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};

/// What is expected where the cursor is.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    /// A field's type: built-ins and forms allowed.
    FieldType,
    /// A map's key type.
    MapKey,
    /// An rpc's input or output, or a schema's type.
    Message,
    /// In `throws (...)`.
    Error,
    Annotation,
    /// Inside the quotes of an import.
    ImportPath,
    /// The first word of a top-level declaration.
    Keyword,
}

const KEYWORDS: &[(&str, &str)] = &[
    ("service", "service \"name\" `What it does`"),
    ("import", "import \"types.brief\""),
    ("rpc", "rpc name (Input) Output `What it does`"),
    ("message", "message Name `What it is` { ... }"),
    ("enum", "enum Name `What it is` { ... }"),
    ("error", "error Name `When it happens`"),
    (
        "schema",
        "schema \"topic.name\" Message `When it is published`",
    ),
];

/// The completions at byte `offset` of `file`.
pub fn brief(output: &Output, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let text = index::text(output, file);
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .count();
    let word_start = offset - word_len;
    let Some(slot) = slot(text, line_start, word_start, before) else {
        return Vec::new();
    };
    let replace = |from: usize| convert::range(text, &(from..offset));
    match slot {
        Slot::ImportPath => {
            let quote = before.rfind('"').map_or(offset, |i| line_start + i + 1);
            import_paths(output, file, replace(quote))
        }
        Slot::Annotation => known_annotations()
            .map(|(name, usage)| CompletionItem {
                label: usage.to_owned(),
                kind: Some(CompletionItemKind::PROPERTY),
                filter_text: Some(name.to_owned()),
                text_edit: Some(edit(replace(word_start), &usage[1..])),
                ..Default::default()
            })
            .collect(),
        Slot::Keyword => KEYWORDS
            .iter()
            .map(|(k, usage)| CompletionItem {
                label: (*k).to_owned(),
                kind: Some(CompletionItemKind::KEYWORD),
                detail: Some((*usage).to_owned()),
                text_edit: Some(edit(replace(word_start), &format!("{k} "))),
                ..Default::default()
            })
            .collect(),
        Slot::MapKey => ["string", "int"]
            .iter()
            .map(|k| {
                simple(
                    k,
                    CompletionItemKind::KEYWORD,
                    "map key",
                    replace(word_start),
                )
            })
            .collect(),
        Slot::FieldType | Slot::Message | Slot::Error => {
            types(output, file, &slot, replace(word_start))
        }
    }
}

fn edit(range: Range, text: &str) -> CompletionTextEdit {
    CompletionTextEdit::Edit(TextEdit::new(range, text.to_owned()))
}

fn simple(label: &str, kind: CompletionItemKind, detail: &str, range: Range) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail.to_owned()),
        text_edit: Some(edit(range, label)),
        ..Default::default()
    }
}

/// What the cursor's word is, from the text of its line before it (and, for the first word of
/// a line, whether it is inside a declaration's braces).
fn slot(text: &str, line_start: usize, word_start: usize, before: &str) -> Option<Slot> {
    let head = &before[..word_start - line_start];
    let trimmed = head.trim_start();
    let quotes = head.matches('"').count();
    if trimmed.starts_with("import") && quotes % 2 == 1 {
        return Some(Slot::ImportPath);
    }
    if quotes % 2 == 1 || head.matches('`').count() % 2 == 1 || head.contains("//") {
        return None;
    }
    if head.ends_with('@') {
        return Some(Slot::Annotation);
    }
    if trimmed.is_empty() {
        return (brace_depth(&text[..line_start]) == 0).then_some(Slot::Keyword);
    }
    if head.ends_with("map[") {
        return Some(Slot::MapKey);
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    match words.first().copied() {
        Some("rpc") => {
            if let Some(i) = head.rfind("throws") {
                let after = &head[i..];
                return (after.contains('(') && !after.contains(')')).then_some(Slot::Error);
            }
            let opens = head.matches('(').count();
            let closes = head.matches(')').count();
            let after_close = head.rfind(')').map(|i| head[i + 1..].trim());
            match (opens, closes) {
                (1, 0) if head.trim_end().ends_with('(') => Some(Slot::Message),
                (1, 1) if after_close == Some("") => Some(Slot::Message),
                _ => None,
            }
        }
        Some("schema") if quotes == 2 && head.trim_end().ends_with('"') => Some(Slot::Message),
        _ => {
            // A field: `name <prefixes>` then the type, inside a message or an error.
            let rest: Vec<&str> = words
                .into_iter()
                .skip_while(|w| w.starts_with('@'))
                .collect();
            let field = match rest.as_slice() {
                [name] => rename::is_identifier(name) && head.ends_with([' ', '\t']),
                [name, mods] => {
                    rename::is_identifier(name) && head.ends_with(mods) && is_mods(mods)
                }
                _ => false,
            };
            (field && in_fields(&text[..line_start])).then_some(Slot::FieldType)
        }
    }
}

/// Whether `s` is a run of type prefixes (`[]`, `?`, `map[K]`).
fn is_mods(s: &str) -> bool {
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[]").or_else(|| rest.strip_prefix('?')) {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("map[") {
            match r.find(']') {
                Some(i) => rest = &r[i + 1..],
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// The offsets of the braces still open at the end of `text` (outside strings, doc strings and
/// comments).
fn open_braces(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut open = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open
}

fn brace_depth(text: &str) -> usize {
    open_braces(text).len()
}

/// Whether the end of `text` is inside the braces of a message or an error.
fn in_fields(text: &str) -> bool {
    let Some(&open) = open_braces(text).last() else {
        return false;
    };
    let mut head = text[..open].trim_end();
    if let Some(h) = head.strip_suffix('`') {
        head = h.rfind('`').map_or(h, |i| &h[..i]).trim_end();
    }
    let mut words = head.split_whitespace().rev();
    let _name = words.next();
    matches!(words.next(), Some("message" | "error"))
}

/// Types for a slot: the built-ins and forms for fields, then every type the file sees, then
/// the types of other files with an edit that adds their import.
fn types(output: &Output, file: FileId, slot: &Slot, range: Range) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    let wanted = |k: SymbolKind| match slot {
        Slot::Message => k == SymbolKind::Message,
        Slot::Error => k == SymbolKind::Error,
        _ => k.is_type() && k != SymbolKind::Error,
    };
    if *slot == Slot::FieldType {
        for b in BUILTINS {
            out.push(simple(
                b,
                CompletionItemKind::KEYWORD,
                "built-in type",
                range,
            ));
        }
        for (form, what) in [
            ("[]", "a list of"),
            ("?", "an optional"),
            ("map[string]", "a map from string to"),
        ] {
            let mut item = simple(form, CompletionItemKind::OPERATOR, what, range);
            item.sort_text = Some(format!("~{form}"));
            out.push(item);
        }
    }
    let model = &output.model;
    let item = |id, name: &str| -> Option<CompletionItem> {
        let d = model.decl(id)?;
        wanted(d.kind).then(|| CompletionItem {
            label: name.to_owned(),
            kind: Some(match d.kind {
                SymbolKind::Enum => CompletionItemKind::ENUM,
                SymbolKind::Error => CompletionItemKind::CLASS,
                _ => CompletionItemKind::STRUCT,
            }),
            detail: Some(format!(
                "{} in {}",
                index::kind_word(d.kind),
                output.sources.path(d.file)
            )),
            documentation: d.doc.clone().map(lsp_types::Documentation::String),
            text_edit: Some(edit(range, name)),
            ..Default::default()
        })
    };
    let scope: Vec<(String, compiler::model::DeclId)> = model
        .scope(file)
        .map(|s| s.names().map(|(n, d)| (n.to_owned(), d)).collect())
        .unwrap_or_default();
    for (name, id) in &scope {
        out.extend(item(*id, name));
    }
    // Types this file does not see yet: offered with their import.
    let mut others: Vec<&str> = model
        .all_declarations()
        .filter(|(_, d)| d.kind.is_type() && d.resolvable && d.file != file)
        .map(|(_, d)| d.name.as_str())
        .filter(|n| !scope.iter().any(|(s, _)| s == n))
        .collect();
    others.sort();
    others.dedup();
    for name in others {
        for (id, path) in imports::importable(output, file, name) {
            if let Some(mut it) = item(id, name) {
                it.additional_text_edits =
                    imports::add_import(output, file, &path).map(|e| vec![e]);
                it.detail = Some(format!(
                    "{} (adds import \"{path}\")",
                    it.detail.unwrap_or_default()
                ));
                out.push(it);
            }
        }
    }
    out
}

/// Every `.brief` file of the project the file could import (not itself, not one it imports),
/// as the path it would write.
fn import_paths(output: &Output, file: FileId, range: Range) -> Vec<CompletionItem> {
    let from = output.sources.path(file);
    let imported: Vec<FileId> = output
        .model
        .scope(file)
        .map(|s| s.imports.iter().map(|i| i.target).collect())
        .unwrap_or_default();
    output
        .files
        .iter()
        .filter(|(rel, f)| rel.as_str() != from && !imported.contains(&f.id))
        .filter_map(|(rel, _)| imports::path_from(from, rel))
        .map(|p| simple(&p, CompletionItemKind::FILE, "a file of the project", range))
        .collect()
}
