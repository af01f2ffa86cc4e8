//! L0106 TOPIC_DOTTED_LOWER: schema topics in dotted.lower.
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::case::{dotted_lower, is_dotted_lower};
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0106,
    name: "TOPIC_DOTTED_LOWER",
    default_on: true,
    rationale: "topics are routing keys on the data bus: `entity.event`, lowercase, dot-separated",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Schema(s) = item else { return };
    if !is_dotted_lower(&s.topic.value) {
        out.push(finding(
            Diagnostic::new(
                codes::L0106,
                format!("topic `{}` is not dotted.lower", s.topic.value),
            )
            .primary(
                Span::new(id, s.topic.span.clone()),
                "expected lowercase words separated by dots",
            )
            .hint(format!("such as \"{}\"", dotted_lower(&s.topic.value))),
            element_start(&s.annotations, &s.span),
        ));
    }
}
