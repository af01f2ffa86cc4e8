//! Tests of the semantic model on small projects: declarations, uses, deprecation, reachability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;
use crate::{Compiler, MemFs, Output};
use std::path::Path;

const TYPES: &str = "message Money {\n  cents int\n}\n\n@deprecated(\"use Money\")\nmessage OldMoney {\n  cents int\n}\n\nmessage Unused {\n  x int\n}\n";

const SERVICE: &str = "import \"types.brief\"\n\nservice \"shop\"\n\nrpc pay (Pay) Money\n\n@deprecated\nrpc payOld (Pay) OldMoney\n\nmessage Pay {\n  amount Money\n  old ?OldMoney\n}\n";

fn run() -> Output {
    let mut fs = MemFs::new();
    fs.insert("/p/service.brief", SERVICE);
    fs.insert("/p/types.brief", TYPES);
    Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/service.brief"))
}

fn offset(text: &str, needle: &str, nth: usize) -> usize {
    text.match_indices(needle).nth(nth).map(|(i, _)| i).unwrap()
}

#[test]
fn declarations_of_a_file_with_spans_docs_and_parents() {
    let out = run();
    assert!(!out.has_errors(), "{:?}", out.diagnostics);
    let m = &out.model;
    let svc = m.file("service.brief").unwrap();
    let names: Vec<(&str, SymbolKind)> = m
        .declarations(svc)
        .map(|(_, d)| (d.name.as_str(), d.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("shop", SymbolKind::Service),
            ("pay", SymbolKind::Rpc),
            ("payOld", SymbolKind::Rpc),
            ("Pay", SymbolKind::Message),
            ("amount", SymbolKind::Field),
            ("old", SymbolKind::Field),
        ]
    );
    let (_, pay) = m
        .declarations(svc)
        .find(|(_, d)| d.name == "payOld")
        .unwrap();
    assert_eq!(pay.deprecated, Some(crate::ir::Deprecated { reason: None }));
    assert_eq!(pay.element_start, offset(SERVICE, "@deprecated", 0));
    assert_eq!(
        &SERVICE[pay.name_span.range.clone()],
        "payOld",
        "the name span is the name"
    );
    assert!(SERVICE[pay.span.range.clone()].starts_with("rpc payOld"));
    let parent = pay.parent.and_then(|p| m.decl(p)).unwrap();
    assert_eq!(parent.kind, SymbolKind::Service);
}

#[test]
fn every_use_resolves_to_its_declaration_across_imports() {
    let out = run();
    let m = &out.model;
    let svc = m.file("service.brief").unwrap();
    let types = m.file("types.brief").unwrap();
    // `Money` written in the rpc resolves to the message in types.brief.
    let at = offset(SERVICE, "Money", 0);
    let money = m.decl_at(svc, at + 1).unwrap();
    let d = m.decl(money).unwrap();
    assert_eq!((d.name.as_str(), d.file), ("Money", types));
    // Its name in its own file is the same declaration.
    assert_eq!(m.decl_at(types, offset(TYPES, "Money", 0)), Some(money));
    // Two references: the rpc's output and the field `amount`.
    let refs: Vec<&str> = m
        .references(money)
        .map(|u| m.decl(u.owner).unwrap().name.as_str())
        .collect();
    assert_eq!(refs, ["pay", "amount"]);
    // Scopes: imports and names.
    let scope = m.scope(svc).unwrap();
    assert_eq!(scope.imports.len(), 1);
    assert_eq!(scope.imports[0].target, types);
    assert_eq!(m.resolve(svc, "OldMoney"), m.resolve(types, "OldMoney"));
    assert!(m.resolve(types, "Pay").is_none(), "imports go one way");
    // Nothing there.
    assert_eq!(m.decl_at(svc, 0), None);
}

#[test]
fn deprecated_uses_skip_deprecated_contexts() {
    let out = run();
    let m = &out.model;
    let uses: Vec<(&str, &str)> = m
        .deprecated_uses()
        .map(|u| {
            (
                m.decl(u.decl).unwrap().name.as_str(),
                m.decl(u.owner).unwrap().name.as_str(),
            )
        })
        .collect();
    // `payOld` is deprecated itself; the field `old` is not.
    assert_eq!(uses, [("OldMoney", "old")]);
}

#[test]
fn reachability_from_rpcs_and_events() {
    let out = run();
    let m = &out.model;
    let roots = m
        .all_declarations()
        .filter(|(_, d)| matches!(d.kind, SymbolKind::Rpc | SymbolKind::Event))
        .map(|(id, _)| id);
    let reached = m.reachable(roots);
    let unused: Vec<&str> = m
        .all_declarations()
        .filter(|(id, d)| d.kind.is_type() && !reached.contains(id))
        .map(|(_, d)| d.name.as_str())
        .collect();
    assert_eq!(unused, ["Unused"]);
}

#[test]
fn second_definitions_are_declared_but_never_resolved_to() {
    let mut fs = MemFs::new();
    fs.insert(
        "/p/a.brief",
        "message A {}\nmessage A {}\nmessage B {\n  a A\n}\n",
    );
    let out = Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/a.brief"));
    let m = &out.model;
    let a: Vec<(DeclId, bool)> = m
        .all_declarations()
        .filter(|(_, d)| d.name == "A")
        .map(|(id, d)| (id, d.resolvable))
        .collect();
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].1, a[1].1), (true, false));
    assert_eq!(m.references(a[0].0).count(), 1);
    assert_eq!(m.references(a[1].0).count(), 0);
}
