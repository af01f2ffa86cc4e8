//! L0101 RPC_LOWER_CAMEL_CASE: rpc names in lowerCamelCase.
use super::{finding, naming, Finding};
use crate::diagnostic::codes;
use crate::directives::element_start;
use crate::lint::case::{is_lower_camel, lower_camel};
use crate::lint::{Check, Rule};
use crate::source::FileId;
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0101,
    name: "RPC_LOWER_CAMEL_CASE",
    default_on: true,
    rationale: "rpc names become method names and URL path segments; one style reads the same in every language",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Rpc(r) = item else { return };
    if !is_lower_camel(&r.name.name) {
        out.push(finding(
            naming(
                codes::L0101,
                "rpc",
                &r.name,
                "lowerCamelCase",
                &lower_camel(&r.name.name),
                id,
            ),
            element_start(&r.annotations, &r.span),
        ));
    }
}
