//! L0102 FIELD_LOWER_CAMEL_CASE: message and error fields in lowerCamelCase.
use super::{finding, naming, Finding};
use crate::diagnostic::codes;
use crate::directives::element_start;
use crate::lint::case::{is_lower_camel, lower_camel};
use crate::lint::{Check, Rule};
use crate::source::FileId;
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0102,
    name: "FIELD_LOWER_CAMEL_CASE",
    default_on: true,
    rationale: "a field's name is its JSON name on the wire; lowerCamelCase is what JSON APIs use",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let fields = match item {
        Item::Message(m) => &m.fields,
        Item::Error(e) => &e.fields,
        _ => return,
    };
    for f in fields {
        if !is_lower_camel(&f.name.name) {
            out.push(finding(
                naming(
                    codes::L0102,
                    "field",
                    &f.name,
                    "lowerCamelCase",
                    &lower_camel(&f.name.name),
                    id,
                )
                .note("a field's name is also its JSON name: renaming it is a breaking change"),
                element_start(&f.annotations, &f.span),
            ));
        }
    }
}
