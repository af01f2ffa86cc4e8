//! Lowering: builds the IR contract of a checked file from its syntax tree and the resolution.
use super::resolve::{closure, Decl, DeclKind, Resolved};
use super::FileInfo;
use crate::ir::{self, Deprecated, MapKey, Type};
use crate::source::Sources;
use crate::validate::parse_duration_ms;
use grammar::ast::{self, Annotation, Item, Literal, TypeExpr, TypeMod};
use std::collections::HashMap;

pub(crate) fn doc(d: &Option<ast::Doc>) -> Option<String> {
    d.as_ref().map(|d| d.text.clone())
}

pub(crate) fn deprecated(anns: &[Annotation]) -> Option<Deprecated> {
    anns.iter()
        .find(|a| a.name.name == "deprecated")
        .map(|a| Deprecated {
            reason: a.args.first().and_then(|l| match l {
                Literal::Str(s) => Some(s.value.clone()),
                _ => None,
            }),
        })
}

/// Builds the IR contract of file `fi` (which must declare a service). Call only after checks.
pub fn build_contract(
    fi: usize,
    files: &[FileInfo],
    res: &Resolved,
    sources: &Sources,
) -> Option<ir::Contract> {
    let mut c = contract_outline(fi, files, res, sources)?;
    c.types = contract_types(fi, files, res, sources);
    Some(c)
}

/// The IR contract of file `fi` without its types: name, rpcs and events (what the project's
/// checks look at; the types, most of the work, are lowered only for an IR).
pub(crate) fn contract_outline(
    fi: usize,
    files: &[FileInfo],
    res: &Resolved,
    sources: &Sources,
) -> Option<ir::Contract> {
    let f = &files[fi];
    let si = res.service_items.get(fi).copied().flatten()?;
    let Item::Service(svc) = f.parsed.file.items.get(si)? else {
        return None;
    };
    let lw = Lower { f, sources };
    let mut rpcs = Vec::new();
    let mut events = Vec::new();
    for item in &f.parsed.file.items {
        match item {
            Item::Rpc(r) => rpcs.push(lw.rpc(r)),
            Item::Schema(s) => events.push(lw.event(s)),
            _ => {}
        }
    }
    Some(ir::Contract {
        name: svc.name.value.clone(),
        doc: doc(&svc.doc),
        deprecated: deprecated(&svc.annotations),
        rpcs,
        events,
        types: Vec::new(),
        loc: lw.loc(&svc.span),
    })
}

/// The types of the contract of file `fi`: those of its file and of every file it imports.
pub(crate) fn contract_types(
    fi: usize,
    files: &[FileInfo],
    res: &Resolved,
    sources: &Sources,
) -> Vec<ir::TypeDef> {
    let mut types = Vec::new();
    for file_idx in closure(fi, files) {
        let lw = Lower {
            f: &files[file_idx],
            sources,
        };
        let scope = &res.scopes[file_idx];
        types.extend(
            lw.f.parsed
                .file
                .items
                .iter()
                .filter_map(|item| lw.type_def(item, scope, &res.decls)),
        );
    }
    types
}

/// Lowers the declarations of one file.
struct Lower<'a> {
    f: &'a FileInfo,
    sources: &'a Sources,
}

impl Lower<'_> {
    fn loc(&self, r: &std::ops::Range<usize>) -> ir::Loc {
        self.sources.loc(&self.f.span(r))
    }

    fn rpc(&self, r: &ast::Rpc) -> ir::Rpc {
        ir::Rpc {
            name: r.name.name.clone(),
            doc: doc(&r.doc),
            input: r.input.name.clone(),
            output: r.output.name.clone(),
            errors: r.throws.iter().map(|t| t.name.clone()).collect(),
            idempotent: r.annotations.iter().any(|a| a.name.name == "idempotent"),
            timeout_ms: r
                .annotations
                .iter()
                .find(|a| a.name.name == "timeout")
                .and_then(|a| match a.args.first() {
                    Some(Literal::Str(s)) => parse_duration_ms(&s.value),
                    _ => None,
                }),
            deprecated: deprecated(&r.annotations),
            loc: self.loc(&r.span),
        }
    }

    fn event(&self, s: &ast::Schema) -> ir::Event {
        ir::Event {
            topic: s.topic.value.clone(),
            message: s.ty.name.clone(),
            doc: doc(&s.doc),
            deprecated: deprecated(&s.annotations),
            loc: self.loc(&s.span),
        }
    }

    fn fields(
        &self,
        fields: &[ast::Field],
        scope: &HashMap<String, usize>,
        decls: &[Decl],
    ) -> Vec<ir::Field> {
        fields
            .iter()
            .map(|fd| ir::Field {
                name: fd.name.name.clone(),
                ty: convert_type(&fd.ty, scope, decls),
                doc: doc(&fd.doc),
                deprecated: deprecated(&fd.annotations),
                loc: self.loc(&fd.span),
            })
            .collect()
    }

    fn type_def(
        &self,
        item: &Item,
        scope: &HashMap<String, usize>,
        decls: &[Decl],
    ) -> Option<ir::TypeDef> {
        Some(match item {
            Item::Message(m) => ir::TypeDef::Message(ir::Message {
                name: m.name.name.clone(),
                doc: doc(&m.doc),
                fields: self.fields(&m.fields, scope, decls),
                deprecated: deprecated(&m.annotations),
                loc: self.loc(&m.span),
            }),
            Item::Error(e) => ir::TypeDef::Error(ir::ErrorType {
                name: e.name.name.clone(),
                doc: doc(&e.doc),
                fields: self.fields(&e.fields, scope, decls),
                deprecated: deprecated(&e.annotations),
                loc: self.loc(&e.span),
            }),
            Item::Enum(e) => ir::TypeDef::Enum(ir::Enum {
                name: e.name.name.clone(),
                doc: doc(&e.doc),
                values: e
                    .values
                    .iter()
                    .map(|v| ir::EnumValue {
                        name: v.name.name.clone(),
                        doc: doc(&v.doc),
                        deprecated: deprecated(&v.annotations),
                        loc: self.loc(&v.span),
                    })
                    .collect(),
                deprecated: deprecated(&e.annotations),
                loc: self.loc(&e.span),
            }),
            _ => return None,
        })
    }
}

/// Converts a checked type expression into an IR type.
fn convert_type(ty: &TypeExpr, scope: &HashMap<String, usize>, decls: &[Decl]) -> Type {
    let base = match ty.base.name.as_str() {
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "string" => Type::String,
        "bytes" => Type::Bytes,
        "time" => Type::Time,
        name => match scope.get(name).and_then(|&i| decls.get(i)).map(|d| d.kind) {
            Some(DeclKind::Enum) => Type::Enum {
                name: name.to_owned(),
            },
            _ => Type::Message {
                name: name.to_owned(),
            },
        },
    };
    ty.mods.iter().rev().fold(base, |inner, m| match m {
        TypeMod::List(_) => Type::List {
            elem: Box::new(inner),
        },
        TypeMod::Optional(_) => Type::Optional {
            inner: Box::new(inner),
        },
        TypeMod::Map { key, .. } => Type::Map {
            key: if key.name == "int" {
                MapKey::Int
            } else {
                MapKey::String
            },
            value: Box::new(inner),
        },
    })
}
