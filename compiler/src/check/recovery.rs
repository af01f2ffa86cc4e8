//! Quieting cascades after syntax errors: a declaration recovered by guesswork yields no semantic
//! findings, and a name declared in a file that did not parse is not reported as unknown.
use super::FileInfo;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// A declaration with a syntax error in it was recovered by guesswork: semantic findings inside
/// it (a duplicate field made of the next declaration's parts, say) are consequences, not news.
pub(super) fn drop_inside_broken_items(files: &[FileInfo], diags: &mut Vec<Diagnostic>) {
    let mut broken: Vec<Span> = Vec::new();
    for f in files {
        for item in &f.parsed.file.items {
            let r = item.span();
            if f.parsed
                .errors
                .iter()
                .any(|e| e.span.start < r.end && e.span.end >= r.start)
            {
                broken.push(f.span(r));
            }
        }
    }
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| {
        let semantic = d.code.starts_with("E02") || d.code.starts_with("E03");
        !semantic
            || !d.primary_span().is_some_and(|p| {
                broken.iter().any(|b| {
                    b.file == p.file && b.range.start <= p.range.start && p.range.end <= b.range.end
                })
            })
    });
}

/// The texts of `f` and its imports that have syntax errors.
pub(super) fn broken_texts<'a>(f: &'a FileInfo, files: &'a [FileInfo]) -> Vec<&'a str> {
    std::iter::once(f)
        .chain(f.imports.iter().map(|(t, _)| &files[*t]))
        .filter(|g| !g.parsed.errors.is_empty())
        .map(|g| &*g.text)
        .collect()
}

/// Whether one of `texts` has `message|enum|error NAME` in it.
pub(super) fn declared_in(texts: &[&str], name: &str) -> bool {
    texts.iter().any(|text| {
        text.match_indices(name).any(|(at, _)| {
            let after = text[at + name.len()..].chars().next();
            let before = text[..at].trim_end();
            after.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                && text[..at].ends_with(char::is_whitespace)
                && ["message", "enum", "error"].iter().any(|kw| {
                    before.ends_with(kw)
                        && before[..before.len() - kw.len()]
                            .chars()
                            .next_back()
                            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                })
        })
    })
}
