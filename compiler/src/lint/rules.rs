//! The lint rules themselves, over the parsed files of a check run.
use super::Finding;
use crate::diagnostic::{codes, Diagnostic};
use crate::directives::element_start;
use crate::project::{resolve_import, Output};
use crate::source::{FileId, Span};
use grammar::ast::{Annotation, Ident, Item};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rpc name prefixes that read without changing anything.
pub const READ_PREFIXES: &[&str] = &[
    "get", "list", "find", "search", "fetch", "lookup", "query", "count", "describe", "check",
    "exists", "read", "batchGet",
];

pub(crate) fn run(output: &Output) -> Vec<Finding> {
    let mut out = Vec::new();
    for loaded in output.files.values() {
        per_file(loaded.id, &loaded.parsed, &mut out);
    }
    unused_and_deprecated(output, &mut out);
    out
}

fn finding(d: Diagnostic, element: usize) -> Finding {
    Finding { diag: d, element }
}

fn per_file(id: FileId, parsed: &grammar::Parsed, out: &mut Vec<Finding>) {
    let sp = |r: &std::ops::Range<usize>| Span::new(id, r.clone());
    for item in &parsed.file.items {
        match item {
            Item::Service(s) => {
                if s.doc.is_none() {
                    out.push(finding(
                        Diagnostic::new(
                            codes::L0203,
                            format!("service `{}` has no doc", s.name.value),
                        )
                        .primary(sp(&s.name.span), "add a doc string after the name")
                        .hint(format!(
                            "service \"{}\" `What this service is for`",
                            s.name.value
                        )),
                        element_start(&s.annotations, &s.span),
                    ));
                }
            }
            Item::Import(_) => {}
            Item::Rpc(r) => {
                let el = element_start(&r.annotations, &r.span);
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
                        el,
                    ));
                }
                if r.doc.is_none() {
                    out.push(finding(
                        Diagnostic::new(codes::L0201, format!("rpc `{}` has no doc", r.name.name))
                            .primary(sp(&r.name.span), "add a doc string at the end of the line")
                            .hint("rpc name (In) Out `What it does`"),
                        el,
                    ));
                }
                if let Some(p) = read_prefix(&r.name.name) {
                    if !has(&r.annotations, "idempotent") {
                        out.push(finding(
                            Diagnostic::new(codes::L0301, format!("rpc `{}` reads but is not @idempotent", r.name.name))
                                .primary(sp(&r.name.span), format!("`{p}...` looks like a read"))
                                .note("rpcs without @idempotent are never retried by generated clients")
                                .hint("add `@idempotent` on the line before, or ignore this rule if the call changes state"),
                            el,
                        ));
                    }
                }
                if !has(&r.annotations, "timeout") {
                    out.push(finding(
                        Diagnostic::new(
                            codes::L0302,
                            format!("rpc `{}` has no @timeout", r.name.name),
                        )
                        .primary(sp(&r.name.span), "the platform's default timeout applies")
                        .hint("add `@timeout(\"500ms\")` on the line before"),
                        el,
                    ));
                }
            }
            Item::Schema(s) => {
                let el = element_start(&s.annotations, &s.span);
                if !is_dotted_lower(&s.topic.value) {
                    out.push(finding(
                        Diagnostic::new(
                            codes::L0106,
                            format!("topic `{}` is not dotted.lower", s.topic.value),
                        )
                        .primary(
                            sp(&s.topic.span),
                            "expected lowercase words separated by dots",
                        )
                        .hint(format!("such as \"{}\"", dotted_lower(&s.topic.value))),
                        el,
                    ));
                }
                if s.doc.is_none() {
                    out.push(finding(
                        Diagnostic::new(
                            codes::L0202,
                            format!("event `{}` has no doc", s.topic.value),
                        )
                        .primary(sp(&s.topic.span), "add a doc string: when is it published?")
                        .hint(format!(
                            "schema \"{}\" {} `Published when ...`",
                            s.topic.value, s.ty.name
                        )),
                        el,
                    ));
                }
            }
            Item::Message(m) => {
                type_name(
                    codes::L0103,
                    "message",
                    &m.name,
                    id,
                    element_start(&m.annotations, &m.span),
                    out,
                );
                type_doc(
                    "message",
                    &m.name,
                    m.doc.is_some(),
                    id,
                    element_start(&m.annotations, &m.span),
                    out,
                );
                fields(&m.fields, id, out);
            }
            Item::Error(e) => {
                type_name(
                    codes::L0104,
                    "error",
                    &e.name,
                    id,
                    element_start(&e.annotations, &e.span),
                    out,
                );
                type_doc(
                    "error",
                    &e.name,
                    e.doc.is_some(),
                    id,
                    element_start(&e.annotations, &e.span),
                    out,
                );
                fields(&e.fields, id, out);
            }
            Item::Enum(e) => {
                type_name(
                    codes::L0103,
                    "enum",
                    &e.name,
                    id,
                    element_start(&e.annotations, &e.span),
                    out,
                );
                type_doc(
                    "enum",
                    &e.name,
                    e.doc.is_some(),
                    id,
                    element_start(&e.annotations, &e.span),
                    out,
                );
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
        }
    }
}

fn fields(fields: &[grammar::ast::Field], id: FileId, out: &mut Vec<Finding>) {
    for f in fields {
        if !is_lower_camel(&f.name.name) {
            out.push(finding(
                naming(
                    codes::L0102,
                    "field",
                    &f.name,
                    "lowerCamelCase",
                    &lower_camel(&f.name.name),
                    id,
                )
                .note("a field's name is also its JSON name: renaming it is a breaking change"),
                element_start(&f.annotations, &f.span),
            ));
        }
    }
}

fn type_name(
    code: &'static str,
    what: &str,
    name: &Ident,
    id: FileId,
    el: usize,
    out: &mut Vec<Finding>,
) {
    if !is_upper_camel(&name.name) {
        out.push(finding(
            naming(
                code,
                what,
                name,
                "UpperCamelCase",
                &upper_camel(&name.name),
                id,
            ),
            el,
        ));
    }
}

fn type_doc(
    what: &str,
    name: &Ident,
    has_doc: bool,
    id: FileId,
    el: usize,
    out: &mut Vec<Finding>,
) {
    if !has_doc {
        out.push(finding(
            Diagnostic::new(codes::L0204, format!("{what} `{}` has no doc", name.name)).primary(
                Span::new(id, name.span.clone()),
                "add a doc string after the name",
            ),
            el,
        ));
    }
}

fn naming(
    code: &'static str,
    what: &str,
    name: &Ident,
    style: &str,
    suggestion: &str,
    id: FileId,
) -> Diagnostic {
    let mut d = Diagnostic::new(code, format!("{what} name `{}` is not {style}", name.name))
        .primary(
            Span::new(id, name.span.clone()),
            format!("expected {style}"),
        );
    if !suggestion.is_empty() && suggestion != name.name {
        d = d.hint(format!("rename it to `{suggestion}`"));
    }
    d
}

fn has(annotations: &[Annotation], name: &str) -> bool {
    annotations.iter().any(|a| a.name.name == name)
}

/// The read prefix an rpc name starts with, as a whole word (`getUser`, `list`; not `getaway`).
pub fn read_prefix(name: &str) -> Option<&'static str> {
    READ_PREFIXES.iter().copied().find(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        })
    })
}

pub fn is_lower_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn is_upper_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn is_lower_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

pub fn is_dotted_lower(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2 && parts.iter().all(|p| is_lower_snake(p))
}

/// Splits a name into lowercase words at `_`, `-`, `.`, spaces and case changes.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub fn lower_camel(s: &str) -> String {
    let w = words(s);
    let mut out = String::new();
    for (i, x) in w.iter().enumerate() {
        if i == 0 {
            out.push_str(x);
        } else {
            out.push_str(&capitalize(x));
        }
    }
    out
}

pub fn upper_camel(s: &str) -> String {
    words(s).iter().map(|w| capitalize(w)).collect()
}

pub fn lower_snake(s: &str) -> String {
    words(s).join("_")
}

fn dotted_lower(s: &str) -> String {
    let parts: Vec<String> = s
        .split('.')
        .map(lower_snake)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 2 {
        parts.join(".")
    } else {
        // One segment: its words become the segments (`ItemStored` -> `item.stored`).
        words(s).join(".")
    }
}

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
fn unused_and_deprecated(output: &Output, out: &mut Vec<Finding>) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn cases() {
        assert!(
            is_lower_camel("getUser") && !is_lower_camel("GetUser") && !is_lower_camel("get_user")
        );
        assert!(is_upper_camel("HTTPError") && !is_upper_camel("not_found"));
        assert!(
            is_lower_snake("dark_blue") && !is_lower_snake("darkBlue") && !is_lower_snake("a__b")
        );
        assert!(
            is_dotted_lower("service.create")
                && !is_dotted_lower("ServiceCreated")
                && !is_dotted_lower("one")
        );
        assert_eq!(lower_camel("Get_user_by_ID"), "getUserById");
        assert_eq!(upper_camel("not_found"), "NotFound");
        assert_eq!(lower_snake("DarkBlue"), "dark_blue");
        assert_eq!(lower_snake("HTTPServer"), "http_server");
        assert_eq!(read_prefix("getUser"), Some("get"));
        assert_eq!(read_prefix("list"), Some("list"));
        assert_eq!(read_prefix("getaway"), None);
        assert_eq!(dotted_lower("ServiceCreated"), "service.created");
    }
}
