//! Contract docs as Go comments, written the way gofmt would leave them (the normalisation
//! itself is brief-codegen's `doc`).
//!
//! gofmt rewrites top-level doc comments (go/doc/comment): indented lines become code blocks or
//! lists and a lone capitalised line between paragraphs becomes a `# heading`. Docs are
//! therefore normalised first (lines trimmed, blank runs collapsed) and headings are written in
//! the form gofmt would give them, so that `gofmt -l` finds nothing to change.
use brief_codegen::doc::deprecation_reason;
pub use brief_codegen::doc::{lines, one_line};
use compiler::ir::Deprecated;

/// How a contract doc continues the Go name that starts a doc comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead<'a> {
    /// A type: the doc is a noun phrase (`Color is the colour of an item.`).
    Noun,
    /// A function or method: what it does, then the doc as it is (`Get calls rpc get: Fetch
    /// one item.`), since a doc's verb form cannot be relied on.
    Says(&'a str),
}

/// A doc in Go's form, starting with the Go `name` (go.dev/doc/comment): kept when its first
/// word already is the name;
/// otherwise `name is <doc>` for a [`Lead::Noun`], the doc's first letter lower-cased unless its
/// first word is an initialism (`HTTP`, `ID`), and `name <says>: <doc>` for a [`Lead::Says`].
/// `None` without a doc.
pub fn go_form(name: &str, doc: Option<&str>, lead: Lead) -> Option<Vec<String>> {
    let mut l = doc.map(lines).filter(|l| !l.is_empty())?;
    let first = l[0].clone();
    let (word, rest) = first.split_once(' ').unwrap_or((first.as_str(), ""));
    let bare = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    l[0] = if bare == name {
        let tail = &first[bare.len()..];
        format!("{name}{tail}")
    } else {
        let mut chars = word.chars();
        let decap = match (chars.next(), chars.next()) {
            (Some(_), Some(b)) if b.is_uppercase() || b.is_ascii_digit() => word.to_owned(),
            (Some(a), _) => format!("{}{}", a.to_lowercase(), &word[a.len_utf8()..]),
            (None, _) => String::new(),
        };
        let sep = if rest.is_empty() { "" } else { " " };
        match lead {
            Lead::Noun => format!("{name} is {decap}{sep}{rest}"),
            Lead::Says(says) => format!("{name} {says}: {first}"),
        }
    };
    Some(l)
}

/// Paragraph lines of a comment: the doc in Go's form ([`go_form`]) when there is one, else
/// `fallback`, then a `Deprecated:` paragraph when deprecated.
pub fn text(
    name: &str,
    doc: Option<&str>,
    lead: Lead,
    fallback: &str,
    deprecated: Option<&Deprecated>,
) -> Vec<String> {
    let mut out = go_form(name, doc, lead).unwrap_or_else(|| vec![fallback.to_owned()]);
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
    fn docs_start_with_the_go_name() {
        let f = |doc: &str, lead| go_form("GetIn", Some(doc), lead).unwrap()[0].clone();
        assert_eq!(f("Input of get", Lead::Noun), "GetIn is input of get");
        assert_eq!(f("An input.", Lead::Noun), "GetIn is an input.");
        assert_eq!(
            f("GetIn carries the id.", Lead::Noun),
            "GetIn carries the id."
        );
        assert_eq!(f("Get input", Lead::Noun), "GetIn is get input");
        assert_eq!(f("GetIn: the input", Lead::Noun), "GetIn: the input");
        assert_eq!(f("HTTP input", Lead::Noun), "GetIn is HTTP input");
        assert_eq!(
            f("Fetch an item.", Lead::Says("calls rpc get")),
            "GetIn calls rpc get: Fetch an item."
        );
        assert_eq!(go_form("X", Some("  \n"), Lead::Noun), None);
    }

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
