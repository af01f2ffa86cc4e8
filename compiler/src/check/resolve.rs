//! Resolution: the type declarations of every file, duplicate and built-in clashes, and each
//! file's scope (its own declarations plus those of the files it imports directly).
use super::{FileInfo, BUILTINS};
use crate::diagnostic::{codes, Diagnostic};
use crate::source::Span;
use grammar::ast::{Ident, Item};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Message,
    Enum,
    Error,
}

impl DeclKind {
    pub(super) fn word(self) -> &'static str {
        match self {
            DeclKind::Message => "a message",
            DeclKind::Enum => "an enum",
            DeclKind::Error => "an error",
        }
    }
}

/// A named type declaration.
#[derive(Debug, Clone)]
pub struct Decl {
    pub name: String,
    pub kind: DeclKind,
    pub file: usize,
    pub item: usize,
    pub span: Span,
}

/// What resolution found: every declaration and each file's scope (name -> declaration index).
#[derive(Debug, Default)]
pub struct Resolved {
    pub decls: Vec<Decl>,
    pub(crate) scopes: Vec<HashMap<String, usize>>,
    pub(crate) service_items: Vec<Option<usize>>,
    service_names: Vec<Option<Span>>,
}

impl Resolved {
    /// The span of the service name in file `file`, if it declares a service.
    pub fn service_name_span(&self, file: usize) -> Option<Span> {
        self.service_names.get(file).cloned().flatten()
    }

    /// The declaration `name` means in file `file`, if any.
    pub fn lookup(&self, file: usize, name: &str) -> Option<usize> {
        self.scopes.get(file)?.get(name).copied()
    }

    /// The declarations of file `file` itself (not those it imports), as (name, index).
    pub(super) fn own(&self, file: usize) -> Vec<(&String, &usize)> {
        self.scopes[file]
            .iter()
            .filter(|(_, &d)| self.decls[d].file == file)
            .collect()
    }
}

/// Declarations first, then scopes: each file sees its own names and its direct imports'.
pub(super) fn resolve(files: &[FileInfo], diags: &mut Vec<Diagnostic>) -> Resolved {
    let mut res = Resolved::default();
    for (fi, f) in files.iter().enumerate() {
        declare_file(fi, f, &mut res, diags);
    }
    let own_scopes = res.scopes.clone();
    for (fi, f) in files.iter().enumerate() {
        for (target, imp_span) in &f.imports {
            if *target != fi {
                import_scope(files, fi, *target, imp_span, &own_scopes, &mut res, diags);
            }
        }
    }
    res
}

/// The declarations of one file: its scope of own names and its service, if any.
fn declare_file(fi: usize, f: &FileInfo, res: &mut Resolved, diags: &mut Vec<Diagnostic>) {
    let mut own: HashMap<String, usize> = HashMap::new();
    let mut service_item = None;
    for (ii, item) in f.parsed.file.items.iter().enumerate() {
        let (name, kind) = match item {
            Item::Message(m) => (&m.name, DeclKind::Message),
            Item::Enum(e) => (&e.name, DeclKind::Enum),
            Item::Error(e) => (&e.name, DeclKind::Error),
            Item::Service(s) => {
                match service_item {
                    Some(prev) => diags.push(second_service(f, prev, &s.span)),
                    None => service_item = Some(ii),
                }
                continue;
            }
            _ => continue,
        };
        if let Some(d) = declare(fi, ii, f, name, kind, &own, res) {
            diags.push(d);
        } else {
            own.insert(name.name.clone(), res.decls.len() - 1);
        }
    }
    res.scopes.push(own);
    res.service_items.push(service_item);
    res.service_names
        .push(service_item.and_then(|i| match &f.parsed.file.items[i] {
            Item::Service(s) => Some(f.span(&s.name.span)),
            _ => None,
        }));
}

/// Records a type declaration, or returns why it cannot be one (a built-in's or a duplicate name).
fn declare(
    fi: usize,
    ii: usize,
    f: &FileInfo,
    name: &Ident,
    kind: DeclKind,
    own: &HashMap<String, usize>,
    res: &mut Resolved,
) -> Option<Diagnostic> {
    if BUILTINS.contains(&name.name.as_str()) {
        return Some(
            Diagnostic::new(codes::E0202, format!("`{}` is a built-in type", name.name))
                .primary(f.span(&name.span), "cannot be declared again")
                .hint("choose another name for this type"),
        );
    }
    if let Some(&prev) = own.get(&name.name) {
        return Some(
            Diagnostic::new(codes::E0202, format!("`{}` is defined twice", name.name))
                .primary(f.span(&name.span), "second definition")
                .secondary(res.decls[prev].span.clone(), "first defined here"),
        );
    }
    res.decls.push(Decl {
        name: name.name.clone(),
        kind,
        file: fi,
        item: ii,
        span: f.span(&name.span),
    });
    None
}

fn second_service(f: &FileInfo, prev: usize, at: &std::ops::Range<usize>) -> Diagnostic {
    let prev_span = match &f.parsed.file.items[prev] {
        Item::Service(p) => p.span.clone(),
        _ => at.clone(),
    };
    Diagnostic::new(codes::E0211, "a file declares at most one service")
        .primary(f.span(at), "second service declaration")
        .secondary(f.span(&prev_span), "first declared here")
}

/// Brings the own names of `target` into the scope of `fi`, reporting names that clash.
fn import_scope(
    files: &[FileInfo],
    fi: usize,
    target: usize,
    imp_span: &Span,
    own_scopes: &[HashMap<String, usize>],
    res: &mut Resolved,
    diags: &mut Vec<Diagnostic>,
) {
    let mut names: Vec<(&String, &usize)> = own_scopes[target].iter().collect();
    names.sort();
    for (name, &di) in names {
        match res.scopes[fi].get(name) {
            Some(&existing) if existing != di => {
                let e = &res.decls[existing];
                diags.push(
                    Diagnostic::new(
                        codes::E0202,
                        format!(
                            "`{name}` is defined in `{}` and in `{}`",
                            files[e.file].rel, files[target].rel
                        ),
                    )
                    .primary(
                        imp_span.clone(),
                        format!("this import brings a second `{name}`"),
                    )
                    .secondary(e.span.clone(), "the other definition"),
                );
            }
            Some(_) => {}
            None => {
                res.scopes[fi].insert(name.clone(), di);
            }
        }
    }
}

/// The files whose types make up the contract of `root`: itself, then its imports, breadth first.
pub fn closure(root: usize, files: &[FileInfo]) -> Vec<usize> {
    let mut out = vec![root];
    // Linear in the imports: a service importing 1,000 files is not 1,000,000 comparisons.
    let mut seen = vec![false; files.len().max(root + 1)];
    seen[root] = true;
    let mut i = 0;
    while i < out.len() {
        for (t, _) in &files[out[i]].imports {
            if let Some(s) = seen.get_mut(*t).filter(|s| !**s) {
                *s = true;
                out.push(*t);
            }
        }
        i += 1;
    }
    out
}
