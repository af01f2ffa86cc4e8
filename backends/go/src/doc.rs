//! Contract docs as Go comments, written the way gofmt would leave them (the normalisation
//! itself is brief-codegen's `doc`).
//!
//! gofmt rewrites top-level doc comments (go/doc/comment): indented lines become code blocks or
//! lists and a lone capitalised line between paragraphs becomes a `# heading`. Docs are
//! therefore normalised first (lines trimmed, blank runs collapsed) and headings are written in
//! the form gofmt would give them, so that `gofmt -l` finds nothing to change.
use brief_codegen::doc::{deprecation_reason, with_lead};
pub use brief_codegen::doc::{lines, one_line};
use compiler::ir::Deprecated;

/// Paragraph lines of a comment: `lead: doc...` when there is a doc, else `fallback`, then a
/// `Deprecated:` paragraph when deprecated.
pub fn text(
    lead: &str,
    doc: Option<&str>,
    fallback: &str,
    deprecated: Option<&Deprecated>,
) -> Vec<String> {
    let mut out = with_lead(lead, doc).unwrap_or_else(|| vec![fallback.to_owned()]);
    push_deprecated(&mut out, deprecated);
    out
}

/// Appends the `Deprecated:` paragraph Go tools recognise.
pub fn push_deprecated(out: &mut Vec<String>, deprecated: Option<&Deprecated>) {
    if let Some(d) = deprecated {
        let reason = deprecation_reason(d);
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(format!("Deprecated: {reason}"));
    }
}

/// `// `-prefixed lines of an indented comment (struct fields, interface methods, constants in a
/// block), which gofmt does not reformat.
pub fn inner(text: &[String]) -> Vec<String> {
    text.iter().map(|l| slashes(l)).collect()
}

/// `// `-prefixed lines of a top-level doc comment, with headings in gofmt's form.
pub fn top(text: &[String]) -> Vec<String> {
    let mut all: Vec<String> = text.to_vec();
    all.push(String::new());
    let n = text.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let line = &all[i];
        let single = i > 0 && all[i - 1].is_empty() && all[i + 1].is_empty();
        let fixed = if single && is_heading(line) {
            format!("# {}", line[1..].trim())
        } else if is_old_heading(&all, i) {
            format!("# {line}")
        } else {
            line.clone()
        };
        out.push(slashes(&fixed));
    }
    out
}

fn slashes(line: &str) -> String {
    if line.is_empty() {
        "//".to_owned()
    } else {
        format!("// {line}")
    }
}

/// go/doc/comment's `isHeading`: `# text` (a one-line paragraph).
fn is_heading(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 2 && b[0] == b'#' && (b[1] == b' ' || b[1] == b'\t') && line.trim() != "#"
}

/// go/doc/comment's `isOldHeading`: a lone capitalised line without punctuation between two
/// paragraphs. `all` ends with an empty line, as the parser's lines do.
fn is_old_heading(all: &[String], off: usize) -> bool {
    if off == 0
        || !all[off - 1].is_empty()
        || off + 2 >= all.len()
        || !all[off + 1].is_empty()
        || all[off + 2].starts_with([' ', '\t'])
    {
        return false;
    }
    let line = all[off].trim();
    let Some(first) = line.chars().next() else {
        return false;
    };
    if !(first.is_alphabetic() && first.is_uppercase()) {
        return false;
    }
    let Some(last) = line.chars().last() else {
        return false;
    };
    if !(last.is_alphabetic() || last.is_numeric()) {
        return false;
    }
    if line
        .chars()
        .any(|c| ";:!?+*/=[]{}_^°&§~%#@<\">\\".contains(c))
    {
        return false;
    }
    // "'" only for a possessive "'s".
    let mut rest = line;
    while let Some((_, b)) = rest.split_once('\'') {
        if b != "s" && !b.starts_with("s ") {
            return false;
        }
        rest = b;
    }
    // "." only when followed by a non-space.
    let mut rest = line;
    while let Some((_, b)) = rest.split_once('.') {
        if b.is_empty() || b.starts_with(' ') {
            return false;
        }
        rest = b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_as_gofmt_writes_them() {
        let t: Vec<String> = ["X: intro", "", "Details Here", "", "more."]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            top(&t),
            vec!["// X: intro", "//", "// # Details Here", "//", "// more."]
        );
        let t: Vec<String> = ["X: intro", "", "#   H", "", "more."]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(top(&t)[2], "// # H");
    }
}
