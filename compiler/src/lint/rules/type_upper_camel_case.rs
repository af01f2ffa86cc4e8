//! L0103 TYPE_UPPER_CAMEL_CASE: message and enum names in UpperCamelCase.
use super::{type_name, Finding};
use crate::diagnostic::codes;
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::FileId;
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0103,
    name: "TYPE_UPPER_CAMEL_CASE",
    default_on: true,
    rationale: "messages and enums become types in generated code, where UpperCamelCase is the norm",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let (what, name, el) = match item {
        Item::Message(m) => ("message", &m.name, element_start(&m.annotations, &m.span)),
        Item::Enum(e) => ("enum", &e.name, element_start(&e.annotations, &e.span)),
        _ => return,
    };
    type_name(codes::L0103, what, name, id, el, out);
}
