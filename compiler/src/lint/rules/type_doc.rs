//! L0204 TYPE_DOC: messages, enums and errors have a doc (off by default).
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0204,
    name: "TYPE_DOC",
    default_on: false,
    rationale: "documented types make generated code self-explanatory (off by default: noisy on small DTOs)",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let (what, name, has_doc, el) = match item {
        Item::Message(m) => (
            "message",
            &m.name,
            m.doc.is_some(),
            element_start(&m.annotations, &m.span),
        ),
        Item::Error(e) => (
            "error",
            &e.name,
            e.doc.is_some(),
            element_start(&e.annotations, &e.span),
        ),
        Item::Enum(e) => (
            "enum",
            &e.name,
            e.doc.is_some(),
            element_start(&e.annotations, &e.span),
        ),
        _ => return,
    };
    if !has_doc {
        out.push(finding(
            Diagnostic::new(codes::L0204, format!("{what} `{}` has no doc", name.name)).primary(
                Span::new(id, name.span.clone()),
                "add a doc string after the name",
            ),
            el,
        ));
    }
}
