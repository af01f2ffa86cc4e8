//! L0105 ENUM_VALUE_LOWER_SNAKE_CASE: enum values in lower_snake_case.
use super::{finding, naming, Finding};
use crate::diagnostic::codes;
use crate::directives::element_start;
use crate::lint::case::{is_lower_snake, lower_snake};
use crate::lint::{Check, Rule};
use crate::source::FileId;
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0105,
    name: "ENUM_VALUE_LOWER_SNAKE_CASE",
    default_on: true,
    rationale: "an enum value is a string constant on the wire; lower_snake_case is stable across languages",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Enum(e) = item else { return };
    for v in &e.values {
        if !is_lower_snake(&v.name.name) {
            out.push(finding(
                naming(
                    codes::L0105,
                    "enum value",
                    &v.name,
                    "lower_snake_case",
                    &lower_snake(&v.name.name),
                    id,
                ),
                element_start(&v.annotations, &v.span),
            ));
        }
    }
}
