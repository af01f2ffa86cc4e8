//! Code actions: a quick fix for each diagnostic whose hint names one fix (a did-you-mean, the
//! brief spelling of another language's type, lint's "rename it to"), and "add import" for an
//! unknown type declared in another file of the project.
//!
//! The compiler gives its fixes as hint text; the forms read here are the ones it writes
//! (`did you mean `X`?`, `did you mean "X"?`, `did you mean `@X`?`, `` `x` is written `y` ``,
//! `rename it to `X``). A hint in another form gets no quick fix, never a wrong one: the fix must
//! change the text under the diagnostic's primary span.
use crate::{convert, imports, index, rename};
use compiler::{codes, Diagnostic, FileId, Output};
use lsp_types::{CodeAction, CodeActionKind, TextEdit, Url, WorkspaceEdit};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// The text between the first pair of `open`/`close` after `prefix` in `hint`.
fn quoted<'h>(hint: &'h str, prefix: &str, open: char, close: char) -> Option<&'h str> {
    let rest = hint.strip_prefix(prefix)?.strip_prefix(open)?;
    let end = rest.find(close)?;
    Some(&rest[..end])
}

/// The replacement a hint proposes for the text `written` under the primary span.
fn replacement(hint: &str, written: &str) -> Option<String> {
    if let Some(s) = quoted(hint, "did you mean ", '`', '`') {
        let s = s.strip_prefix('@').unwrap_or(s);
        // app.toml hints give the dotted path of a key, or a `[table]` header.
        let s = s.trim_start_matches('[').trim_end_matches(']');
        let s = if written.contains('.') {
            s
        } else {
            s.rsplit('.').next().unwrap_or(s)
        };
        // A suggestion for a TOML string (a topic, say) stays a string.
        return Some(if written.starts_with('"') && !s.starts_with('"') {
            format!("\"{s}\"")
        } else {
            s.to_owned()
        });
    }
    if let Some(s) = quoted(hint, "did you mean ", '"', '"') {
        return Some(if written.starts_with('"') {
            format!("\"{s}\"")
        } else {
            s.to_owned()
        });
    }
    let (_, rest) = hint.split_once("` is written `")?;
    let word = rest.split('`').next()?;
    hint.strip_prefix(&format!("`{written}`"))
        .is_some()
        .then(|| word.to_owned())
}

/// The quick fixes for the diagnostics of `file` whose primary span meets `range` (bytes).
pub fn actions(
    output: &Output,
    diagnostics: &[Diagnostic],
    root: &Path,
    file: FileId,
    range: Range<usize>,
) -> Vec<CodeAction> {
    let text = index::text(output, file);
    let Some(uri) = convert::url(&root.join(output.sources.path(file))) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut positions = convert::Positions::new(&output.sources);
    for d in diagnostics {
        let Some(span) = d.primary_span() else {
            continue;
        };
        let r = &span.range;
        if span.file != file || r.start > range.end || r.end < range.start {
            continue;
        }
        let written = text.get(r.clone()).unwrap_or("");
        let lsp_diag = convert::diagnostic(d, &mut positions, root);
        let mut push = |title: String, edit: WorkspaceEdit| {
            out.push(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(edit),
                is_preferred: Some(true),
                ..Default::default()
            });
        };
        if let Some(hint) = &d.hint {
            if let Some(new) = quoted(hint, "rename it to ", '`', '`') {
                if let Ok(plan) = rename::plan(output, file, r.start, new) {
                    push(
                        format!("Rename `{written}` to `{new}`"),
                        rename::workspace_edit(output, root, &plan),
                    );
                }
            } else if let Some(new) = replacement(hint, written).filter(|n| n != written) {
                let edit = TextEdit::new(convert::range(text, r), new.clone());
                push(
                    format!("Replace `{written}` with `{new}`"),
                    one(&uri, vec![edit]),
                );
            }
        }
        if d.code == codes::E0201 {
            for (_, path) in imports::importable(output, file, written) {
                if let Some(edit) = imports::add_import(output, file, &path) {
                    push(format!("Add `import \"{path}\"`"), one(&uri, vec![edit]));
                }
            }
        }
    }
    out
}

fn one(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn hints_the_compiler_writes_become_replacements() {
        let r = |h: &str, w: &str| replacement(h, w);
        assert_eq!(
            r("did you mean `string`?", "strng").as_deref(),
            Some("string")
        );
        assert_eq!(
            r("did you mean `@timeout`?", "timout").as_deref(),
            Some("timeout")
        );
        assert_eq!(
            r("did you mean `engine.name`?", "nmae").as_deref(),
            Some("name")
        );
        assert_eq!(
            r("did you mean `[envs.prod]`?", "prd").as_deref(),
            Some("prod")
        );
        assert_eq!(
            r("did you mean \"golang\"?", "\"gol\"").as_deref(),
            Some("\"golang\"")
        );
        assert_eq!(
            r(
                "`int64` is written `int` in .brief (see the built-in types)",
                "int64"
            )
            .as_deref(),
            Some("int")
        );
        assert_eq!(
            r("did you mean `order.placed`?", "\"order.plcd\"").as_deref(),
            Some("\"order.placed\""),
            "a topic in app.toml stays a string"
        );
        assert_eq!(r("`int64` is written `int`", "other"), None);
        assert_eq!(r("add it to app.toml", "x"), None);
    }
}
