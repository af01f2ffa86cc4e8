//! The registry of lint rules: one file per rule (its metadata and its check), listed once here.
//!
//! Adding a rule: a file `<rule_name>.rs` with `pub const RULE: Rule`, one line in [`registry!`]
//! below, its code in the diagnostic registry, a row in docs/lint.md and a case in golden/lint.
use super::{Check, Finding};
use crate::diagnostic::Diagnostic;
use crate::project::Output;
use crate::source::{FileId, Span};
use grammar::ast::{Annotation, Ident};

/// Declares the rule modules and lists their rules in [`RULES`], in this (code) order.
macro_rules! registry {
    ($($rule:ident,)*) => {
        $(mod $rule;)*
        /// Every lint rule, in code order. Codes and names never change meaning.
        pub const RULES: &[super::Rule] = &[$($rule::RULE,)*];
        /// The module of every rule, in the order of [`RULES`].
        #[cfg(test)]
        const MODULES: &[&str] = &[$(stringify!($rule),)*];
    };
}

registry! {
    rpc_lower_camel_case,
    field_lower_camel_case,
    type_upper_camel_case,
    error_upper_camel_case,
    enum_value_lower_snake_case,
    topic_dotted_lower,
    rpc_doc,
    event_doc,
    service_doc,
    type_doc,
    rpc_read_idempotent,
    rpc_timeout,
    unused_type,
    deprecated_use,
    ignore_without_reason,
    ignore_unknown_rule,
    ignore_unused,
}

mod unused_and_deprecated;

/// Runs the check of every rule over a check run, enabled or not (the caller filters).
pub(crate) fn run(output: &Output) -> Vec<Finding> {
    let mut out = Vec::new();
    for loaded in output.files.values() {
        for item in &loaded.parsed.file.items {
            for r in RULES {
                if let Check::Item(check) = r.check {
                    check(loaded.id, item, &mut out);
                }
            }
        }
    }
    for r in RULES {
        if let Check::Run(check) = r.check {
            check(output, &mut out);
        }
    }
    out
}

fn finding(d: Diagnostic, element: usize) -> Finding {
    Finding { diag: d, element }
}

/// A naming finding: `{what} name `x` is not {style}`, with the converted name as the hint.
fn naming(
    code: &'static str,
    what: &str,
    name: &Ident,
    style: &str,
    suggestion: &str,
    id: FileId,
) -> Diagnostic {
    let mut d = Diagnostic::new(code, format!("{what} name `{}` is not {style}", name.name))
        .primary(
            Span::new(id, name.span.clone()),
            format!("expected {style}"),
        );
    if !suggestion.is_empty() && suggestion != name.name {
        d = d.hint(format!("rename it to `{suggestion}`"));
    }
    d
}

/// A type name that must be UpperCamelCase (messages, enums, errors).
fn type_name(
    code: &'static str,
    what: &str,
    name: &Ident,
    id: FileId,
    el: usize,
    out: &mut Vec<Finding>,
) {
    if !super::case::is_upper_camel(&name.name) {
        out.push(finding(
            naming(
                code,
                what,
                name,
                "UpperCamelCase",
                &super::case::upper_camel(&name.name),
                id,
            ),
            el,
        ));
    }
}

fn has(annotations: &[Annotation], name: &str) -> bool {
    annotations.iter().any(|a| a.name.name == name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::diagnostic::{codes, Severity};

    /// Codes and names are unique, in code order, registered as warnings, and each rule lives in
    /// the file named after it.
    #[test]
    fn registry_is_consistent() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(MODULES[i], r.name.to_lowercase(), "{}: file name", r.code);
            let info = codes::lookup(r.code)
                .unwrap_or_else(|| panic!("{} is not in the diagnostic registry", r.code));
            assert_eq!(info.severity, Severity::Warning, "{}", r.code);
            if let Some(prev) = i.checked_sub(1).map(|p| RULES[p]) {
                assert!(prev.code < r.code, "{} after {}", r.code, prev.code);
            }
            assert!(!r.rationale.is_empty() && !r.rationale.ends_with('.'));
            if let Check::With(other) = r.check {
                let o = super::super::rule(other).unwrap();
                assert!(matches!(o.check, Check::Run(_)), "{}", r.code);
            }
        }
        let names: std::collections::BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), RULES.len());
        // Every registered L code is a rule, except the configuration codes.
        for c in codes::ALL.iter().filter(|c| c.code.starts_with('L')) {
            assert!(
                super::super::rule(c.code).is_some() || ["L0001", "L0002"].contains(&c.code),
                "{} is registered but is no rule",
                c.code
            );
        }
    }

    /// docs/lint.md has a row `| code | name | default |` for every rule.
    #[test]
    fn every_rule_is_documented() {
        let doc = include_str!("../../../../docs/lint.md");
        for r in RULES {
            let default = if r.default_on { "warning" } else { "**off**" };
            let row = format!("| {} | {} | {default} |", r.code, r.name);
            assert!(doc.contains(&row), "docs/lint.md has no row `{row}`");
        }
    }
}
