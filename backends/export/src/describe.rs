//! Contract docs and deprecations as document text: the doc's normalised lines (brief-codegen's
//! [`doc`]) joined by newlines, and a `Deprecated: <reason>` paragraph for a deprecation.
use brief_codegen::doc;
use compiler::ir::Deprecated;

/// The description of an element with `doc` and `deprecated`, `None` when there is nothing to say.
pub fn text(doc_text: Option<&str>, deprecated: Option<&Deprecated>) -> Option<String> {
    let mut lines = doc_text.map(doc::lines).unwrap_or_default();
    if let Some(d) = deprecated {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("Deprecated: {}", doc::deprecation_reason(d)));
    }
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_and_deprecations() {
        let d = Deprecated {
            reason: Some("use b".to_owned()),
        };
        assert_eq!(text(None, None), None);
        assert_eq!(text(Some(" a \n\n\n b"), None).as_deref(), Some("a\n\nb"));
        assert_eq!(
            text(Some("a"), Some(&d)).as_deref(),
            Some("a\n\nDeprecated: use b")
        );
        assert_eq!(
            text(None, Some(&Deprecated { reason: None })).as_deref(),
            Some("Deprecated: deprecated in the contract.")
        );
    }
}
