//! Comment directives written right before an element: `// brief:ignore RULE reason` (lint) and
//! `// brief:allow-breaking RULE reason` (breaking-change detector), and the elements they target.
//!
//! One parser for both tools: [`directives`] reads the comments of a file, and [`accepted`]
//! checks them against a tool's rules ([`Tool`]), reporting the malformed ones in that tool's codes.
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::project::Output;
use crate::source::{FileId, Span};
use grammar::ast::{Annotation, Item};
use grammar::Parsed;
use std::ops::Range;

/// Which tool a directive speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `brief:ignore`: silence one lint rule on the next element.
    Ignore,
    /// `brief:allow-breaking`: accept one breaking change on the next element.
    AllowBreaking,
}

impl DirectiveKind {
    pub fn keyword(self) -> &'static str {
        match self {
            DirectiveKind::Ignore => "brief:ignore",
            DirectiveKind::AllowBreaking => "brief:allow-breaking",
        }
    }
}

/// One directive comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub kind: DirectiveKind,
    /// The rule as written (a code such as `L0101` or a name such as `RPC_LOWER_CAMEL_CASE`).
    pub rule: Option<String>,
    /// The reason after the rule; empty when missing.
    pub reason: String,
    /// The comment's byte range.
    pub span: Range<usize>,
    /// Where the next token after the comment (and any comments below it) starts: the element the
    /// directive applies to starts exactly there (its first annotation, or its keyword or name).
    pub target: usize,
}

/// The directives of one file, in source order.
pub fn directives(src: &str, parsed: &Parsed) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in &parsed.comments {
        if c.block {
            continue;
        }
        let body = c.text.trim_start_matches('/').trim();
        for kind in [DirectiveKind::Ignore, DirectiveKind::AllowBreaking] {
            let Some(rest) = body.strip_prefix(kind.keyword()) else {
                continue;
            };
            if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
                continue;
            }
            let rest = rest.trim();
            let (rule, reason) = match rest.split_once(char::is_whitespace) {
                Some((r, why)) => (Some(r.to_owned()), why.trim().to_owned()),
                None if rest.is_empty() => (None, String::new()),
                None => (Some(rest.to_owned()), String::new()),
            };
            out.push(Directive {
                kind,
                rule,
                reason,
                span: c.span.clone(),
                target: grammar::lexer::next_token(src, c.span.end),
            });
        }
    }
    out
}

/// What one tool calls its directives and which rules they may name.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub kind: DirectiveKind,
    /// The code of a directive without a rule, or without a reason (it has no effect).
    pub incomplete: &'static str,
    /// The code of a directive that names an unknown rule.
    pub unknown: &'static str,
    /// What the tool's rules are called in messages: `lint rule`.
    pub rules_are: &'static str,
    /// What one directive is called in labels: `ignore`.
    pub noun: &'static str,
    /// The example reason of the hints: `why it is fine here`.
    pub example_reason: &'static str,
    /// The code of the rule with this code or name (case-insensitive), if there is one.
    pub lookup: fn(&str) -> Option<&'static str>,
    /// Every code and name, for did-you-mean.
    pub ids: fn() -> Vec<&'static str>,
}

/// A well-formed directive: it applies to findings of rule `code` at `target` in `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub file: FileId,
    pub target: usize,
    pub code: &'static str,
    /// The comment.
    pub span: Span,
}

/// The directives of `tool` in every `.brief` file of a check run: the well-formed ones, and a
/// diagnostic for each one without a rule (`tool.incomplete`), with an unknown rule
/// (`tool.unknown`) or without a reason (`tool.incomplete`). Malformed directives have no effect.
pub fn accepted(output: &Output, tool: &Tool) -> (Vec<Accepted>, Vec<Diagnostic>) {
    let mut ok = Vec::new();
    let mut diags = Vec::new();
    let keyword = tool.kind.keyword();
    for loaded in output.files.values() {
        let Some(file) = output.sources.get(loaded.id) else {
            continue;
        };
        for d in directives(&file.text, &loaded.parsed) {
            if d.kind != tool.kind {
                continue;
            }
            let span = Span::new(loaded.id, d.span.clone());
            let Some(written) = &d.rule else {
                diags.push(
                    Diagnostic::new(
                        tool.incomplete,
                        format!("`{keyword}` names no rule and gives no reason"),
                    )
                    .primary(span, format!("incomplete {}", tool.noun))
                    .hint(format!(
                        "write `// {keyword} RULE_ID {}`",
                        tool.example_reason
                    )),
                );
                continue;
            };
            let Some(code) = (tool.lookup)(written) else {
                let mut diag = Diagnostic::new(
                    tool.unknown,
                    format!("unknown {} `{written}`", tool.rules_are),
                )
                .primary(span, "no such rule");
                if let Some(s) = did_you_mean(written, (tool.ids)()) {
                    diag = diag.hint(format!("did you mean `{s}`?"));
                }
                diags.push(diag);
                continue;
            };
            if d.reason.is_empty() {
                diags.push(
                    Diagnostic::new(
                        tool.incomplete,
                        format!("`{keyword} {written}` gives no reason"),
                    )
                    .primary(
                        span,
                        format!("a reason is required; this {} has no effect", tool.noun),
                    )
                    .hint(format!(
                        "write `// {keyword} {written} {}`",
                        tool.example_reason
                    )),
                );
                continue;
            }
            ok.push(Accepted {
                file: loaded.id,
                target: d.target,
                code,
                span,
            });
        }
    }
    (ok, diags)
}

/// Where an element with these annotations starts: its first annotation, else its own span.
pub fn element_start(annotations: &[Annotation], span: &Range<usize>) -> usize {
    annotations
        .first()
        .map(|a| a.span.start)
        .unwrap_or(span.start)
}

/// Maps the start of every element's own span (item keyword, field or enum-value name) to the
/// start of the element with its annotations, so that a finding located at an element can be
/// matched with the directives before it.
pub fn element_starts(parsed: &Parsed) -> std::collections::HashMap<usize, usize> {
    let mut m = std::collections::HashMap::new();
    for item in &parsed.file.items {
        let (ann, span): (&[Annotation], &Range<usize>) = match item {
            Item::Service(x) => (&x.annotations, &x.span),
            Item::Import(x) => (&[], &x.span),
            Item::Rpc(x) => (&x.annotations, &x.span),
            Item::Message(x) => {
                for f in &x.fields {
                    m.insert(f.span.start, element_start(&f.annotations, &f.span));
                }
                (&x.annotations, &x.span)
            }
            Item::Error(x) => {
                for f in &x.fields {
                    m.insert(f.span.start, element_start(&f.annotations, &f.span));
                }
                (&x.annotations, &x.span)
            }
            Item::Enum(x) => {
                for v in &x.values {
                    m.insert(v.span.start, element_start(&v.annotations, &v.span));
                }
                (&x.annotations, &x.span)
            }
            Item::Schema(x) => (&x.annotations, &x.span),
        };
        m.insert(span.start, element_start(ann, span));
    }
    m
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn finds_directives_and_targets() {
        let src = "// brief:ignore L0101 legacy name\n// other\n@idempotent\nrpc Get (A) B\n// brief:ignore\nmessage A {}\n// brief:ignore-not\n";
        let parsed = grammar::parse(src);
        let d = directives(src, &parsed);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].rule.as_deref(), Some("L0101"));
        assert_eq!(d[0].reason, "legacy name");
        assert_eq!(&src[d[0].target..d[0].target + 11], "@idempotent");
        assert_eq!(d[1].rule, None);
        let starts = element_starts(&parsed);
        let rpc = src.find("rpc").unwrap();
        assert_eq!(starts[&rpc], d[0].target);
    }

    /// One validation for both tools: each reads only its own keyword, in its own codes.
    #[test]
    fn accepted_checks_rule_and_reason() {
        let src = "// brief:ignore L0101 legacy\n// brief:ignore L0101\n// brief:ignore NOPE why\n// brief:ignore\n// brief:allow-breaking B0101 gone\nmessage A {}\n";
        let mut fs = crate::MemFs::new();
        fs.insert("/p/a.brief", src);
        let output = crate::Compiler::new().check_file(
            &fs,
            std::path::Path::new("/p"),
            std::path::Path::new("/p/a.brief"),
        );
        let tool = Tool {
            kind: DirectiveKind::Ignore,
            incomplete: "L0501",
            unknown: "L0502",
            rules_are: "lint rule",
            noun: "ignore",
            example_reason: "why",
            lookup: |id| (id == "L0101").then_some("L0101"),
            ids: || vec!["L0101"],
        };
        let (ok, diags) = accepted(&output, &tool);
        assert_eq!(ok.len(), 1);
        assert_eq!(
            (ok[0].code, ok[0].target),
            ("L0101", src.find("message").unwrap())
        );
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["L0501", "L0502", "L0501"]);
        assert_eq!(diags[0].message, "`brief:ignore L0101` gives no reason");
        assert_eq!(diags[1].hint.as_deref(), None);
        let waiver = Tool {
            kind: DirectiveKind::AllowBreaking,
            lookup: |id| (id == "B0101").then_some("B0101"),
            ..tool
        };
        let (ok, diags) = accepted(&output, &waiver);
        assert_eq!((ok.len(), diags.len()), (1, 0));
    }
}
