//! Contract doc strings, normalised the same way for every language: lines trimmed, control
//! characters made spaces, blank runs collapsed; and the text of deprecation notes. How they are
//! written as comments (`//`, `/** */`, `///`) is the backend's.
use compiler::ir::Deprecated;

/// What a deprecation note says when `@deprecated` gives no reason.
pub const DEFAULT_DEPRECATION: &str = "deprecated in the contract.";

/// The doc's lines: control characters and tabs made spaces, each line trimmed, runs of blank
/// lines collapsed into one, no blank line first or last.
pub fn lines(doc: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in doc.split('\n') {
        let line: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let line = line.trim().to_owned();
        let after_blank = match out.last() {
            None => true,
            Some(l) => l.is_empty(),
        };
        if line.is_empty() && after_blank {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// The doc on one line (for error messages, string literals): its lines joined by single spaces.
pub fn one_line(doc: &str) -> String {
    lines(doc)
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of `doc` with `lead: ` in front of the first, when there is a doc.
pub fn with_lead(lead: &str, doc: Option<&str>) -> Option<Vec<String>> {
    let mut l = doc.map(lines).filter(|l| !l.is_empty())?;
    l[0] = format!("{lead}: {}", l[0]);
    Some(l)
}

/// The reason of a deprecation on one line, or [`DEFAULT_DEPRECATION`].
pub fn deprecation_reason(d: &Deprecated) -> String {
    d.reason
        .as_deref()
        .map(one_line)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| DEFAULT_DEPRECATION.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(
            lines("\n  a\t b \n\n\n  c\n\n"),
            vec!["a  b".to_owned(), String::new(), "c".to_owned()]
        );
        assert_eq!(one_line("a\n\n b"), "a b");
        assert_eq!(
            with_lead("X", Some(" one\ntwo")),
            Some(vec!["X: one".to_owned(), "two".to_owned()])
        );
        assert_eq!(with_lead("X", Some(" \n ")), None);
    }

    #[test]
    fn deprecation_reasons() {
        let d = |r: Option<&str>| Deprecated {
            reason: r.map(str::to_owned),
        };
        assert_eq!(deprecation_reason(&d(Some("use\n b"))), "use b");
        assert_eq!(deprecation_reason(&d(Some(" "))), DEFAULT_DEPRECATION);
        assert_eq!(deprecation_reason(&d(None)), DEFAULT_DEPRECATION);
    }
}
