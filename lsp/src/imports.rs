//! Imports between the files of a project: the path one file writes to import another, the
//! edit that adds such an import, and the types a file could import (completion and the "add
//! import" quick fix both use them).
use crate::{convert, index};
use compiler::model::DeclId;
use compiler::project::resolve_import;
use compiler::{FileId, Output};
use grammar::ast::Item;
use lsp_types::{Position, Range, TextEdit};

/// The path `from` writes in an `import` to reach `to` (both project-relative).
pub fn path_from(from: &str, to: &str) -> Option<String> {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>().split_last()?.1.to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    let path = parts.join("/");
    (resolve_import(from, &path).as_deref() == Some(to)).then_some(path)
}

/// The edit that adds `import "<path>"` to `file`: after its last import, else after its
/// service declaration, else at the top.
pub fn add_import(output: &Output, file: FileId, path: &str) -> Option<TextEdit> {
    let rel = output.sources.path(file);
    let parsed = &output.files.get(rel)?.parsed;
    let text = index::text(output, file);
    let line = format!("import \"{path}\"");
    let last = |want_import: bool| {
        parsed
            .file
            .items
            .iter()
            .filter(|i| matches!(i, Item::Import(_)) == want_import)
            .filter(|i| want_import || matches!(i, Item::Service(_)))
            .map(|i| i.span().end)
            .max()
    };
    let (at, new_text) = match last(true).or_else(|| last(false)) {
        Some(end) => {
            let eol = text[end..].find('\n').map_or(text.len(), |i| end + i);
            (convert::position(text, eol), format!("\n{line}"))
        }
        None => (Position::new(0, 0), format!("{line}\n\n")),
    };
    Some(TextEdit::new(Range::new(at, at), new_text))
}

/// The types named `name` declared in other files of the project that `file` does not see,
/// each with the path `file` would import it by; sorted by path.
pub fn importable(output: &Output, file: FileId, name: &str) -> Vec<(DeclId, String)> {
    let model = &output.model;
    if model.resolve(file, name).is_some() {
        return Vec::new();
    }
    let from = output.sources.path(file);
    let mut out: Vec<(DeclId, String)> = model
        .all_declarations()
        .filter(|(_, d)| d.kind.is_type() && d.resolvable && d.name == name && d.file != file)
        .filter_map(|(id, d)| Some((id, path_from(from, output.sources.path(d.file))?)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[cfg(test)]
mod tests {
    use super::path_from;

    #[test]
    fn import_paths_are_relative_to_the_importing_file() {
        assert_eq!(
            path_from("service.brief", "types.brief").as_deref(),
            Some("types.brief")
        );
        assert_eq!(
            path_from("service.brief", "a/b.brief").as_deref(),
            Some("a/b.brief")
        );
        assert_eq!(
            path_from("rpc/x.brief", "types.brief").as_deref(),
            Some("../types.brief")
        );
        assert_eq!(
            path_from("a/b/c.brief", "a/d.brief").as_deref(),
            Some("../d.brief")
        );
        assert_eq!(
            path_from("a/c.brief", "a/d/e.brief").as_deref(),
            Some("d/e.brief")
        );
    }
}
