//! L0202 EVENT_DOC: schemas (events) have a doc.
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0202,
    name: "EVENT_DOC",
    default_on: true,
    rationale: "subscribers of another team read the event's doc to know when it is published",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Schema(s) = item else { return };
    if s.doc.is_none() {
        out.push(finding(
            Diagnostic::new(
                codes::L0202,
                format!("event `{}` has no doc", s.topic.value),
            )
            .primary(
                Span::new(id, s.topic.span.clone()),
                "add a doc string: when is it published?",
            )
            .hint(format!(
                "schema \"{}\" {} `Published when ...`",
                s.topic.value, s.ty.name
            )),
            element_start(&s.annotations, &s.span),
        ));
    }
}
