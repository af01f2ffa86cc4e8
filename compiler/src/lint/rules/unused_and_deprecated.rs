//! L0401 and L0402 in one pass: its own resolution of type names over the parsed files, then
//! the references to deprecated types and the types that no rpc or event reaches.
use super::{finding, has, Finding};
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::project::{resolve_import, Output};
use crate::source::Span;
use grammar::ast::{Annotation, Ident, Item};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A type reference: which file, which name, where, from which element (for ignores), and
/// whether the referring element is itself deprecated.
struct Ref<'a> {
    name: &'a Ident,
    element: usize,
    deprecated_context: bool,
}

fn push_fields<'a>(v: &mut Vec<Ref<'a>>, fields: &'a [grammar::ast::Field], dep: bool) {
    for f in fields {
        v.push(Ref {
            name: &f.ty.base,
            element: element_start(&f.annotations, &f.span),
            deprecated_context: dep || deprecated(&f.annotations),
        });
    }
}

fn deprecated(a: &[Annotation]) -> bool {
    has(a, "deprecated")
}

/// L0401 (unused types, reachability from the rpcs and events of every contract) and L0402
/// (references to deprecated types from elements that are not deprecated themselves).
pub(super) fn unused_and_deprecated(output: &Output, out: &mut Vec<Finding>) {
    // Declarations per file: name -> (item index).
    let files: Vec<(&String, &crate::project::LoadedFile)> = output.files.iter().collect();
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (rel, _))| (rel.as_str(), i))
        .collect();
    let mut decls: Vec<BTreeMap<&str, usize>> = Vec::new();
    let mut imports: Vec<Vec<usize>> = Vec::new();
    for (rel, lf) in &files {
        let mut d = BTreeMap::new();
        let mut imp = Vec::new();
        for (ii, item) in lf.parsed.file.items.iter().enumerate() {
            match item {
                Item::Message(m) => {
                    d.entry(m.name.name.as_str()).or_insert(ii);
                }
                Item::Enum(e) => {
                    d.entry(e.name.name.as_str()).or_insert(ii);
                }
                Item::Error(e) => {
                    d.entry(e.name.name.as_str()).or_insert(ii);
                }
                Item::Import(i) => {
                    if let Some(t) =
                        resolve_import(rel, &i.path.value).and_then(|t| index.get(t.as_str()))
                    {
                        imp.push(*t);
                    }
                }
                _ => {}
            }
        }
        decls.push(d);
        imports.push(imp);
    }
    let resolve = |fi: usize, name: &str| -> Option<(usize, usize)> {
        if let Some(&ii) = decls[fi].get(name) {
            return Some((fi, ii));
        }
        imports[fi]
            .iter()
            .find_map(|&t| decls[t].get(name).map(|&ii| (t, ii)))
    };
    // References out of each element.
    let refs_of = |fi: usize, ii: usize| -> Vec<Ref<'_>> {
        let mut v = Vec::new();
        let Some(item) = files[fi].1.parsed.file.items.get(ii) else {
            return v;
        };
        match item {
            Item::Rpc(r) => {
                let el = element_start(&r.annotations, &r.span);
                let dep = deprecated(&r.annotations);
                for n in std::iter::once(&r.input)
                    .chain(std::iter::once(&r.output))
                    .chain(r.throws.iter())
                {
                    v.push(Ref {
                        name: n,
                        element: el,
                        deprecated_context: dep,
                    });
                }
            }
            Item::Schema(s) => v.push(Ref {
                name: &s.ty,
                element: element_start(&s.annotations, &s.span),
                deprecated_context: deprecated(&s.annotations),
            }),
            Item::Message(m) => push_fields(&mut v, &m.fields, deprecated(&m.annotations)),
            Item::Error(e) => push_fields(&mut v, &e.fields, deprecated(&e.annotations)),
            _ => {}
        }
        v
    };
    let is_deprecated_decl = |fi: usize, ii: usize| -> bool {
        match files[fi].1.parsed.file.items.get(ii) {
            Some(Item::Message(m)) => deprecated(&m.annotations),
            Some(Item::Enum(e)) => deprecated(&e.annotations),
            Some(Item::Error(e)) => deprecated(&e.annotations),
            _ => false,
        }
    };
    // L0402 over every element of every file.
    for (fi, (_, lf)) in files.iter().enumerate() {
        for ii in 0..lf.parsed.file.items.len() {
            for r in refs_of(fi, ii) {
                if r.deprecated_context {
                    continue;
                }
                if let Some((tf, ti)) = resolve(fi, &r.name.name) {
                    if is_deprecated_decl(tf, ti) {
                        out.push(finding(
                            Diagnostic::new(
                                codes::L0402,
                                format!("`{}` is deprecated", r.name.name),
                            )
                            .primary(Span::new(lf.id, r.name.span.clone()), "used here")
                            .hint("use its replacement, or mark this element @deprecated too"),
                            r.element,
                        ));
                    }
                }
            }
        }
    }
    // L0401: reachability from the rpcs and schemas of every file that declares a service.
    let mut roots = Vec::new();
    for (fi, (_, lf)) in files.iter().enumerate() {
        for (ii, item) in lf.parsed.file.items.iter().enumerate() {
            if matches!(item, Item::Rpc(_) | Item::Schema(_)) {
                roots.push((fi, ii));
            }
        }
    }
    let any_service = files.iter().any(|(_, lf)| {
        lf.parsed
            .file
            .items
            .iter()
            .any(|i| matches!(i, Item::Service(_)))
    });
    if !any_service {
        return;
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut work = roots;
    while let Some((fi, ii)) = work.pop() {
        for r in refs_of(fi, ii) {
            if let Some(t) = resolve(fi, &r.name.name) {
                if seen.insert(t) {
                    work.push(t);
                }
            }
        }
    }
    for (fi, (_, lf)) in files.iter().enumerate() {
        for (ii, item) in lf.parsed.file.items.iter().enumerate() {
            let (what, name, ann, span) = match item {
                Item::Message(m) => ("message", &m.name, &m.annotations, &m.span),
                Item::Enum(e) => ("enum", &e.name, &e.annotations, &e.span),
                Item::Error(e) => ("error", &e.name, &e.annotations, &e.span),
                _ => continue,
            };
            if decls[fi].get(name.name.as_str()) != Some(&ii) || seen.contains(&(fi, ii)) {
                continue;
            }
            out.push(finding(
                Diagnostic::new(codes::L0401, format!("{what} `{}` is not used", name.name))
                    .primary(
                        Span::new(lf.id, name.span.clone()),
                        "no rpc, event or error reaches it",
                    )
                    .hint("remove it, or use it from an rpc or event"),
                element_start(ann, span),
            ));
        }
    }
}
