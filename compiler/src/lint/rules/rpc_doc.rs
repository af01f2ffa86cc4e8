//! L0201 RPC_DOC: rpcs have a doc.
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0201,
    name: "RPC_DOC",
    default_on: true,
    rationale: "an rpc is a public API: say what it does for the callers and the generated docs",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Rpc(r) = item else { return };
    if r.doc.is_none() {
        out.push(finding(
            Diagnostic::new(codes::L0201, format!("rpc `{}` has no doc", r.name.name))
                .primary(
                    Span::new(id, r.name.span.clone()),
                    "add a doc string at the end of the line",
                )
                .hint("rpc name (In) Out `What it does`"),
            element_start(&r.annotations, &r.span),
        ));
    }
}
