//! L0104 ERROR_UPPER_CAMEL_CASE: error names in UpperCamelCase.
use super::{type_name, Finding};
use crate::diagnostic::codes;
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::FileId;
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0104,
    name: "ERROR_UPPER_CAMEL_CASE",
    default_on: true,
    rationale: "errors become types and are sent by name; UpperCamelCase like other types",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Error(e) = item else { return };
    type_name(
        codes::L0104,
        "error",
        &e.name,
        id,
        element_start(&e.annotations, &e.span),
        out,
    );
}
