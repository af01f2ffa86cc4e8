//! L0302 RPC_TIMEOUT: rpcs have a @timeout (off by default).
use super::{finding, has, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0302,
    name: "RPC_TIMEOUT",
    default_on: false,
    rationale: "an explicit per-call timeout documents the latency budget (off by default: the platform default applies)",
    check: Check::Item(check),
};

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Rpc(r) = item else { return };
    if !has(&r.annotations, "timeout") {
        out.push(finding(
            Diagnostic::new(
                codes::L0302,
                format!("rpc `{}` has no @timeout", r.name.name),
            )
            .primary(
                Span::new(id, r.name.span.clone()),
                "the platform's default timeout applies",
            )
            .hint("add `@timeout(\"500ms\")` on the line before"),
            element_start(&r.annotations, &r.span),
        ));
    }
}
