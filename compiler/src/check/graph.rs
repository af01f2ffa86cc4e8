//! Checks over graphs of files and declarations: import cycles, messages that contain
//! themselves by value, and one namespace per contract.
use super::resolve::{closure, Decl, DeclKind, Resolved};
use super::FileInfo;
use crate::diagnostic::{codes, Diagnostic};
use crate::source::Span;
use grammar::ast::{Item, TypeExpr};
use std::collections::{BTreeSet, HashMap};

/// Depth-first search over a directed graph (iterative: no recursion on deep inputs) that calls
/// `report(cycle, closing_edge)` once per distinct cycle; `cycle` lists the nodes in order.
fn for_each_cycle<'a>(
    edges: &[&'a [(usize, Span)]],
    mut report: impl FnMut(&[usize], &'a (usize, Span)),
) {
    let mut colour = vec![0u8; edges.len()]; // 0 new, 1 on the stack, 2 done
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    for start in 0..edges.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(edge) = edges[node].get(*next) else {
                colour[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match colour[edge.0] {
                0 => {
                    colour[edge.0] = 1;
                    stack.push((edge.0, 0));
                }
                1 => {
                    let pos = stack.iter().position(|(n, _)| *n == edge.0).unwrap_or(0);
                    let cycle: Vec<usize> = stack[pos..].iter().map(|(n, _)| *n).collect();
                    let mut key = cycle.clone();
                    key.sort();
                    if seen.insert(key) {
                        report(&cycle, edge);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Reports import cycles, each once, naming the files in order.
pub(super) fn check_import_cycles(files: &[FileInfo], diags: &mut Vec<Diagnostic>) {
    let edges: Vec<&[(usize, Span)]> = files.iter().map(|f| f.imports.as_slice()).collect();
    for_each_cycle(&edges, |cycle, (target, imp_span)| {
        let mut names: Vec<&str> = cycle.iter().map(|&i| files[i].rel.as_str()).collect();
        names.push(&files[*target].rel);
        diags.push(
            Diagnostic::new(
                codes::E0205,
                format!("import cycle: {}", names.join(" -> ")),
            )
            .primary(imp_span.clone(), "this import closes the cycle")
            .hint("move the shared types into a file that imports neither"),
        );
    });
}

/// The declaration a field's type holds by value (no `?`, `[]` or `map` around it), if a message.
fn by_value_target(
    cx_scope: &HashMap<String, usize>,
    decls: &[Decl],
    ty: &TypeExpr,
) -> Option<usize> {
    if !ty.mods.is_empty() {
        return None;
    }
    let &di = cx_scope.get(&ty.base.name)?;
    (decls.get(di)?.kind == DeclKind::Message).then_some(di)
}

/// A message that contains itself by value (directly or through other messages) has no finite
/// value: report the field that closes the loop.
pub(super) fn check_value_recursion(
    files: &[FileInfo],
    res: &Resolved,
    diags: &mut Vec<Diagnostic>,
) {
    let n = res.decls.len();
    let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
    for (di, d) in res.decls.iter().enumerate() {
        if d.kind != DeclKind::Message {
            continue;
        }
        let f = &files[d.file];
        if let Some(Item::Message(m)) = f.parsed.file.items.get(d.item) {
            for fd in &m.fields {
                if let Some(t) = by_value_target(&res.scopes[d.file], &res.decls, &fd.ty) {
                    edges[di].push((t, f.span(&fd.ty.span)));
                }
            }
        }
    }
    let edge_refs: Vec<&[(usize, Span)]> = edges.iter().map(Vec::as_slice).collect();
    for_each_cycle(&edge_refs, |cycle, (target, sp)| {
        let mut names: Vec<&str> = cycle.iter().map(|&x| res.decls[x].name.as_str()).collect();
        names.push(&res.decls[*target].name);
        diags.push(
            Diagnostic::new(
                codes::E0215,
                format!(
                    "`{}` contains itself: {}",
                    res.decls[*target].name,
                    names.join(" -> ")
                ),
            )
            .primary(sp.clone(), "held by value here")
            .hint("make the field optional (`?T`) or a list (`[]T`)"),
        );
    });
}

/// Within one contract, generated code has one namespace: names must be unique across its files.
pub(super) fn check_contract_closures(
    files: &[FileInfo],
    res: &Resolved,
    diags: &mut Vec<Diagnostic>,
) {
    for (fi, _) in files.iter().enumerate() {
        if res.service_items[fi].is_none() {
            continue;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for file in closure(fi, files) {
            let mut own: Vec<(&String, &usize)> = res.own(file);
            own.sort_by_key(|(_, &d)| d);
            for (name, &di) in own {
                if let Some(&prev) = seen.get(name.as_str()) {
                    // Clashes inside one scope were already reported.
                    let pf = res.decls[prev].file;
                    let direct = files[fi]
                        .imports
                        .iter()
                        .any(|(t, _)| *t == file || *t == pf)
                        && (pf == fi || file == fi);
                    if !direct && prev != di {
                        diags.push(
                            Diagnostic::new(
                                codes::E0202,
                                format!(
                                    "`{name}` is defined twice in the contract of `{}`",
                                    files[fi].rel
                                ),
                            )
                            .primary(res.decls[di].span.clone(), "second definition")
                            .secondary(res.decls[prev].span.clone(), "first definition")
                            .note("generated code puts every type of a contract in one namespace"),
                        );
                    }
                } else {
                    seen.insert(name, di);
                }
            }
        }
    }
}
