//! The known annotations (`@idempotent`, `@timeout`, `@deprecated`): where each may stand, its
//! arguments, and the checks of what is written.
use super::FileInfo;
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::validate::parse_duration_ms;
use grammar::ast::{Annotation, Literal};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Service,
    Rpc,
    Message,
    Field,
    Enum,
    EnumValue,
    Error,
    Schema,
}

impl Target {
    fn word(self) -> &'static str {
        match self {
            Target::Service => "a service",
            Target::Rpc => "an rpc",
            Target::Message => "a message",
            Target::Field => "a field",
            Target::Enum => "an enum",
            Target::EnumValue => "an enum value",
            Target::Error => "an error",
            Target::Schema => "a schema",
        }
    }
}

/// Known annotations: name, where they may stand, and their arguments.
struct AnnotationSpec {
    name: &'static str,
    targets: &'static [Target],
    /// (minimum, maximum) number of string arguments.
    args: (usize, usize),
    usage: &'static str,
}

const ALL_TARGETS: &[Target] = &[
    Target::Service,
    Target::Rpc,
    Target::Message,
    Target::Field,
    Target::Enum,
    Target::EnumValue,
    Target::Error,
    Target::Schema,
];

const ANNOTATIONS: &[AnnotationSpec] = &[
    AnnotationSpec {
        name: "idempotent",
        targets: &[Target::Rpc],
        args: (0, 0),
        usage: "@idempotent",
    },
    AnnotationSpec {
        name: "timeout",
        targets: &[Target::Rpc],
        args: (1, 1),
        usage: "@timeout(\"250ms\")",
    },
    AnnotationSpec {
        name: "deprecated",
        targets: ALL_TARGETS,
        args: (0, 1),
        usage: "@deprecated(\"reason\")",
    },
];

/// Every known annotation: its name and how it is written with its arguments (`@timeout("250ms")`),
/// for tools that offer them (the language server's completion).
pub fn known() -> impl Iterator<Item = (&'static str, &'static str)> {
    ANNOTATIONS.iter().map(|s| (s.name, s.usage))
}

/// Checks the annotations written on one element of kind `target`.
pub(super) fn check_annotations(
    f: &FileInfo,
    anns: &[Annotation],
    target: Target,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &Annotation> = HashMap::new();
    for a in anns {
        let name = a.name.name.as_str();
        let Some(spec) = ANNOTATIONS.iter().find(|s| s.name == name) else {
            diags.push(unknown(f, a));
            continue;
        };
        if let Some(prev) = seen.insert(spec.name, a) {
            diags.push(
                Diagnostic::new(codes::E0305, format!("`@{name}` is given twice"))
                    .primary(f.span(&a.span), "repeated")
                    .secondary(f.span(&prev.span), "first given here"),
            );
            continue;
        }
        if let Some(d) = misplaced(f, a, spec, target).or_else(|| bad_arguments(f, a, spec)) {
            diags.push(d);
            continue;
        }
        if spec.name == "timeout" {
            diags.extend(bad_timeout(f, a));
        }
    }
}

fn unknown(f: &FileInfo, a: &Annotation) -> Diagnostic {
    let name = a.name.name.as_str();
    let d = Diagnostic::new(codes::E0301, format!("unknown annotation `@{name}`"))
        .primary(f.span(&a.name.span), "not a known annotation");
    match did_you_mean(name, ANNOTATIONS.iter().map(|s| s.name)) {
        Some(s) => d.hint(format!("did you mean `@{s}`?")),
        None => {
            d.note("known annotations: @idempotent, @timeout(\"250ms\"), @deprecated(\"reason\")")
        }
    }
}

fn misplaced(
    f: &FileInfo,
    a: &Annotation,
    spec: &AnnotationSpec,
    target: Target,
) -> Option<Diagnostic> {
    if spec.targets.contains(&target) {
        return None;
    }
    let name = spec.name;
    Some(
        Diagnostic::new(
            codes::E0302,
            format!("`@{name}` cannot be used on {}", target.word()),
        )
        .primary(f.span(&a.span), "not allowed here")
        .note(format!(
            "`@{name}` applies to {}",
            spec.targets
                .iter()
                .map(|t| t.word())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

fn bad_arguments(f: &FileInfo, a: &Annotation, spec: &AnnotationSpec) -> Option<Diagnostic> {
    let strings = a.args.iter().all(|l| matches!(l, Literal::Str(_)));
    if a.args.len() >= spec.args.0 && a.args.len() <= spec.args.1 && strings {
        return None;
    }
    Some(
        Diagnostic::new(
            codes::E0303,
            format!("wrong arguments for `@{}`", spec.name),
        )
        .primary(f.span(&a.span), "here")
        .hint(format!("write it as `{}`", spec.usage)),
    )
}

fn bad_timeout(f: &FileInfo, a: &Annotation) -> Option<Diagnostic> {
    let Some(Literal::Str(s)) = a.args.first() else {
        return None;
    };
    if parse_duration_ms(&s.value).is_some() {
        return None;
    }
    Some(
        Diagnostic::new(
            codes::E0304,
            format!("`{}` is not a valid timeout", s.value),
        )
        .primary(
            f.span(&s.span),
            "expected a positive whole number of `ms` or `s`",
        )
        .hint("for example `@timeout(\"250ms\")` or `@timeout(\"2s\")`"),
    )
}
