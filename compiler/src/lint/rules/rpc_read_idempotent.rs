//! L0301 RPC_READ_IDEMPOTENT: rpcs named like reads are @idempotent.
use super::{finding, has, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::lint::{Check, Rule};
use crate::source::{FileId, Span};
use grammar::ast::Item;

pub const RULE: Rule = Rule {
    code: codes::L0301,
    name: "RPC_READ_IDEMPOTENT",
    default_on: true,
    rationale: "rpcs without @idempotent are never retried; reads (get*, list*, find*, ...) almost always may be",
    check: Check::Item(check),
};

/// Rpc name prefixes that read without changing anything.
pub const READ_PREFIXES: &[&str] = &[
    "get", "list", "find", "search", "fetch", "lookup", "query", "count", "describe", "check",
    "exists", "read", "batchGet",
];

fn check(id: FileId, item: &Item, out: &mut Vec<Finding>) {
    let Item::Rpc(r) = item else { return };
    if let Some(p) = read_prefix(&r.name.name) {
        if !has(&r.annotations, "idempotent") {
            out.push(finding(
                Diagnostic::new(
                    codes::L0301,
                    format!("rpc `{}` reads but is not @idempotent", r.name.name),
                )
                .primary(
                    Span::new(id, r.name.span.clone()),
                    format!("`{p}...` looks like a read"),
                )
                .note("rpcs without @idempotent are never retried by generated clients")
                .hint(
                    "add `@idempotent` on the line before, or ignore this rule if the call changes state",
                ),
                element_start(&r.annotations, &r.span),
            ));
        }
    }
}

/// The read prefix an rpc name starts with, as a whole word (`getUser`, `list`; not `getaway`).
pub fn read_prefix(name: &str) -> Option<&'static str> {
    READ_PREFIXES.iter().copied().find(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::read_prefix;

    #[test]
    fn read_prefixes_are_whole_words() {
        assert_eq!(read_prefix("getUser"), Some("get"));
        assert_eq!(read_prefix("list"), Some("list"));
        assert_eq!(read_prefix("getaway"), None);
    }
}
