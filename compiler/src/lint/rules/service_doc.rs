//! L0203 SERVICE_DOC: the service has a doc.
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0203,
    name: "SERVICE_DOC",
    default_on: true,
    rationale: "the service doc is the first line of every generated client and of the service catalogue",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Service(s) = item else { return };
    if s.doc.is_none() {
        out.push(finding(
            Diagnostic::new(
                codes::L0203,
                format!("service `{}` has no doc", s.name.value),
            )
            .primary(
                Span::new(id, s.name.span.clone()),
                "add a doc string after the name",
            )
            .hint(format!(
                "service \"{}\" `What this service is for`",
                s.name.value
            )),
            element_start(&s.annotations, &s.span),
        ));
    }
}
