//! `// brief:ignore RULE reason`: silences the findings of one rule at the next element.
use super::{rule, Finding, LintConfig, RULES};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::{self, DirectiveKind, Tool};
use crate::project::Output;
use crate::source::FileId;
use std::collections::{HashMap, HashSet};

/// Lint's directive, read by the parser shared with `brief:allow-breaking`.
const IGNORE: Tool = Tool {
    kind: DirectiveKind::Ignore,
    incomplete: codes::L0501,
    unknown: codes::L0502,
    rules_are: "lint rule",
    noun: "ignore",
    example_reason: "why it is fine here",
    lookup: |id| rule(id).map(|r| r.code),
    ids: || RULES.iter().flat_map(|r| [r.code, r.name]).collect(),
};

/// The findings of enabled rules that no ignore silences, the malformed ignores (L0501, L0502)
/// and the ignores of enabled rules that silence nothing (L0503). Unsorted.
pub(super) fn apply(
    output: &Output,
    findings: Vec<Finding>,
    config: &LintConfig,
) -> Vec<Diagnostic> {
    let (accepted, mut out) = directives::accepted(output, &IGNORE);
    // (file, target, rule) -> the last ignore written for it; an earlier duplicate is unused.
    let ignores: HashMap<(FileId, usize, &'static str), usize> = accepted
        .iter()
        .enumerate()
        .map(|(i, a)| ((a.file, a.target, a.code), i))
        .collect();
    let mut used: HashSet<usize> = HashSet::new();
    for f in findings {
        if !config.is_enabled(f.diag.code) {
            continue;
        }
        let Some(file) = f.diag.primary_span().map(|s| s.file) else {
            continue;
        };
        if let Some(&i) = ignores.get(&(file, f.element, f.diag.code)) {
            used.insert(i);
            continue;
        }
        out.push(f.diag);
    }
    for (i, a) in accepted.into_iter().enumerate() {
        if !used.contains(&i) && config.is_enabled(a.code) {
            out.push(
                Diagnostic::new(
                    codes::L0503,
                    format!("`brief:ignore {}` suppresses nothing", a.code),
                )
                .primary(a.span, "no finding of this rule on the next element")
                .hint("remove the comment, or move it right before the element it is about"),
            );
        }
    }
    out
}
