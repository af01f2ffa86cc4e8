//! Builds the [`Model`] from the loaded files and the checker's resolution.
use super::{DeclId, Declaration, Import, Model, Scope, SymbolKind, Use};
use crate::check::lower::{deprecated, doc};
use crate::check::{FileInfo, Resolved};
use crate::directives::element_start;
use grammar::ast::{self, Annotation, Ident, Item};
use std::collections::HashMap;
use std::ops::Range;

/// The model of a checked run.
pub(crate) fn build(files: &[FileInfo], res: &Resolved) -> Model {
    let mut b = Builder {
        model: Model::default(),
        // Resolution's declaration index -> model id.
        of_resolved: HashMap::new(),
        by_item: res
            .decls
            .iter()
            .enumerate()
            .map(|(ri, d)| ((d.file, d.item), ri))
            .collect(),
        pending: Vec::new(),
    };
    for (fi, f) in files.iter().enumerate() {
        b.declare_file(fi, f, res);
    }
    for (owner, fi, id) in std::mem::take(&mut b.pending) {
        b.use_site(files, res, fi, owner, id);
    }
    for (fi, f) in files.iter().enumerate() {
        b.scope(fi, f, files, res);
    }
    b.finish()
}

struct Builder<'a> {
    model: Model,
    of_resolved: HashMap<usize, DeclId>,
    /// (file index, item index) -> resolution's declaration index.
    by_item: HashMap<(usize, usize), usize>,
    /// Names written where a type is expected: (owner, file index, name), resolved once every
    /// declaration is known.
    pending: Vec<(DeclId, usize, &'a Ident)>,
}

/// What a declaration is, before it gets its id.
struct New<'b> {
    name: String,
    kind: SymbolKind,
    name_span: &'b Range<usize>,
    span: &'b Range<usize>,
    annotations: &'b [Annotation],
    doc: &'b Option<ast::Doc>,
    parent: Option<DeclId>,
}

impl<'a> Builder<'a> {
    fn add(&mut self, f: &FileInfo, n: New<'_>) -> DeclId {
        let id = DeclId(self.model.decls.len() as u32);
        self.model.decls.push(Declaration {
            name: n.name,
            kind: n.kind,
            file: f.id,
            name_span: f.span(n.name_span),
            span: f.span(n.span),
            element_start: element_start(n.annotations, n.span),
            doc: doc(n.doc),
            deprecated: deprecated(n.annotations),
            parent: n.parent,
            resolvable: false,
        });
        self.model.children.push(Vec::new());
        if let Some(p) = n.parent {
            if let Some(c) = self.model.children.get_mut(p.0 as usize) {
                c.push(id);
            }
        }
        id
    }

    fn declare_file(&mut self, fi: usize, f: &'a FileInfo, res: &Resolved) {
        let service = res.service_items.get(fi).copied().flatten();
        let mut service_id = None;
        for (ii, item) in f.parsed.file.items.iter().enumerate() {
            match item {
                Item::Service(s) => {
                    let id = self.add(
                        f,
                        New {
                            name: s.name.value.clone(),
                            kind: SymbolKind::Service,
                            name_span: &s.name.span,
                            span: &s.span,
                            annotations: &s.annotations,
                            doc: &s.doc,
                            parent: None,
                        },
                    );
                    if service == Some(ii) {
                        service_id = Some(id);
                    }
                }
                Item::Import(_) => {}
                Item::Rpc(r) => {
                    let id = self.add(
                        f,
                        named(
                            &r.name,
                            SymbolKind::Rpc,
                            &r.span,
                            &r.annotations,
                            &r.doc,
                            service_id,
                        ),
                    );
                    for t in [&r.input, &r.output].into_iter().chain(&r.throws) {
                        self.pending.push((id, fi, t));
                    }
                }
                Item::Schema(s) => {
                    let id = self.add(
                        f,
                        New {
                            name: s.topic.value.clone(),
                            kind: SymbolKind::Event,
                            name_span: &s.topic.span,
                            span: &s.span,
                            annotations: &s.annotations,
                            doc: &s.doc,
                            parent: service_id,
                        },
                    );
                    self.pending.push((id, fi, &s.ty));
                }
                Item::Message(m) => {
                    let id = self.type_decl(
                        fi,
                        ii,
                        f,
                        named(
                            &m.name,
                            SymbolKind::Message,
                            &m.span,
                            &m.annotations,
                            &m.doc,
                            None,
                        ),
                    );
                    self.fields(fi, f, id, &m.fields);
                }
                Item::Error(e) => {
                    let id = self.type_decl(
                        fi,
                        ii,
                        f,
                        named(
                            &e.name,
                            SymbolKind::Error,
                            &e.span,
                            &e.annotations,
                            &e.doc,
                            None,
                        ),
                    );
                    self.fields(fi, f, id, &e.fields);
                }
                Item::Enum(e) => {
                    let id = self.type_decl(
                        fi,
                        ii,
                        f,
                        named(
                            &e.name,
                            SymbolKind::Enum,
                            &e.span,
                            &e.annotations,
                            &e.doc,
                            None,
                        ),
                    );
                    for v in &e.values {
                        self.add(
                            f,
                            named(
                                &v.name,
                                SymbolKind::EnumValue,
                                &v.span,
                                &v.annotations,
                                &v.doc,
                                Some(id),
                            ),
                        );
                    }
                }
            }
        }
    }

    /// A message, enum or error, linked to resolution's declaration if it accepted it.
    fn type_decl(&mut self, fi: usize, ii: usize, f: &FileInfo, n: New<'_>) -> DeclId {
        let id = self.add(f, n);
        if let Some(&ri) = self.by_item.get(&(fi, ii)) {
            self.of_resolved.insert(ri, id);
            if let Some(d) = self.model.decls.get_mut(id.0 as usize) {
                d.resolvable = true;
            }
        }
        id
    }

    fn fields(&mut self, fi: usize, f: &'a FileInfo, parent: DeclId, fields: &'a [ast::Field]) {
        for fd in fields {
            let id = self.add(
                f,
                named(
                    &fd.name,
                    SymbolKind::Field,
                    &fd.span,
                    &fd.annotations,
                    &fd.doc,
                    Some(parent),
                ),
            );
            self.pending.push((id, fi, &fd.ty.base));
        }
    }

    fn use_site(
        &mut self,
        files: &[FileInfo],
        res: &Resolved,
        fi: usize,
        owner: DeclId,
        id: &Ident,
    ) {
        let Some(decl) = res
            .lookup(fi, &id.name)
            .and_then(|ri| self.of_resolved.get(&ri).copied())
        else {
            return;
        };
        self.model.uses.push(Use {
            span: files[fi].span(&id.span),
            decl,
            owner,
        });
    }

    fn scope(&mut self, fi: usize, f: &FileInfo, files: &[FileInfo], res: &Resolved) {
        let names = res
            .scopes
            .get(fi)
            .into_iter()
            .flatten()
            .filter_map(|(name, ri)| Some((name.clone(), *self.of_resolved.get(ri)?)))
            .collect();
        let imports = f
            .imports
            .iter()
            .map(|(t, span)| Import {
                span: span.clone(),
                target: files[*t].id,
            })
            .collect();
        self.model.scopes.insert(
            f.id,
            Scope {
                path: f.rel.clone(),
                imports,
                names,
            },
        );
    }

    fn finish(mut self) -> Model {
        let m = &mut self.model;
        m.uses.sort_by(|a, b| {
            (a.span.file, a.span.range.start).cmp(&(b.span.file, b.span.range.start))
        });
        m.refs = vec![Vec::new(); m.decls.len()];
        m.owned = vec![Vec::new(); m.decls.len()];
        for (i, u) in m.uses.iter().enumerate() {
            if let Some(r) = m.refs.get_mut(u.decl.0 as usize) {
                r.push(i);
            }
            if let Some(o) = m.owned.get_mut(u.owner.0 as usize) {
                o.push(i);
            }
        }
        self.model
    }
}

fn named<'b>(
    name: &'b Ident,
    kind: SymbolKind,
    span: &'b Range<usize>,
    annotations: &'b [Annotation],
    doc: &'b Option<ast::Doc>,
    parent: Option<DeclId>,
) -> New<'b> {
    New {
        name: name.name.clone(),
        kind,
        name_span: &name.span,
        span,
        annotations,
        doc,
        parent,
    }
}
