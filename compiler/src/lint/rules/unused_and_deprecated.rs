//! L0401 and L0402 in one pass over the compiler's kept resolution ([`crate::model::Model`]):
//! the uses of deprecated types, and the types that no rpc or event reaches.
use super::{finding, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::model::SymbolKind;
use crate::project::Output;

/// L0401 (unused types, reachability from the rpcs and events of every contract) and L0402
/// (uses of deprecated types from elements that are not deprecated themselves).
pub(super) fn unused_and_deprecated(output: &Output, out: &mut Vec<Finding>) {
    let m = &output.model;
    for u in m.deprecated_uses() {
        let (Some(d), Some(owner)) = (m.decl(u.decl), m.decl(u.owner)) else {
            continue;
        };
        out.push(finding(
            Diagnostic::new(codes::L0402, format!("`{}` is deprecated", d.name))
                .primary(u.span.clone(), "used here")
                .hint("use its replacement, or mark this element @deprecated too"),
            owner.element_start,
        ));
    }
    if !m
        .all_declarations()
        .any(|(_, d)| d.kind == SymbolKind::Service)
    {
        return;
    }
    let roots = m
        .all_declarations()
        .filter(|(_, d)| matches!(d.kind, SymbolKind::Rpc | SymbolKind::Event))
        .map(|(id, _)| id);
    let reached = m.reachable(roots);
    for (id, d) in m.all_declarations() {
        if !d.kind.is_type() || !d.resolvable || reached.contains(&id) {
            continue;
        }
        let what = match d.kind {
            SymbolKind::Message => "message",
            SymbolKind::Enum => "enum",
            _ => "error",
        };
        out.push(finding(
            Diagnostic::new(codes::L0401, format!("{what} `{}` is not used", d.name))
                .primary(d.name_span.clone(), "no rpc, event or error reaches it")
                .hint("remove it, or use it from an rpc or event"),
            d.element_start,
        ));
    }
}
