//! The semantic model of one run, kept for tools that ask questions about the source: every
//! declaration, each file's scope, and every use of a type with the declaration it resolves to.
//!
//! It is what a language server needs for go-to-definition, find-references, document symbols
//! and hovers, and what lint and breaking-change detection use instead of resolving again.
mod build;

pub(crate) use build::build;

use crate::ir::Deprecated;
use crate::source::{FileId, Span};
use std::collections::{BTreeMap, BTreeSet};

/// Index of a declaration in a [`Model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclId(pub u32);

/// What a declaration declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Service,
    Rpc,
    /// `schema "topic" Type`; its name is the topic.
    Event,
    Message,
    Enum,
    Error,
    Field,
    EnumValue,
}

impl SymbolKind {
    /// Whether uses can refer to it (messages, enums and errors).
    pub fn is_type(self) -> bool {
        matches!(
            self,
            SymbolKind::Message | SymbolKind::Enum | SymbolKind::Error
        )
    }
}

/// One declaration of a `.brief` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub name: String,
    pub kind: SymbolKind,
    pub file: FileId,
    /// The name as written (for a service or an event, the string literal).
    pub name_span: Span,
    /// The whole declaration, without its doc comment and annotations.
    pub span: Span,
    /// Where the element starts with its annotations (where `// brief:` directives attach).
    pub element_start: usize,
    pub doc: Option<String>,
    pub deprecated: Option<Deprecated>,
    /// The declaration it is part of: a field's message or error, an enum value's enum, an rpc's
    /// or event's service.
    pub parent: Option<DeclId>,
    /// For a type, whether resolution accepted it (a second definition of a name, or a built-in
    /// type's name, is declared but never resolved to).
    pub resolvable: bool,
}

/// A name written where a type is expected, and what it means there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub span: Span,
    /// The declaration it resolves to.
    pub decl: DeclId,
    /// The declaration it is written in: the rpc (input, output, throws), the event, or the field.
    pub owner: DeclId,
}

/// An `import` of a file, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The path literal as written.
    pub span: Span,
    pub target: FileId,
}

/// What one file sees: its own type declarations and those of the files it imports directly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub path: String,
    pub imports: Vec<Import>,
    names: BTreeMap<String, DeclId>,
}

impl Scope {
    /// The type a name means in this file.
    pub fn get(&self, name: &str) -> Option<DeclId> {
        self.names.get(name).copied()
    }

    /// Every name in scope, sorted.
    pub fn names(&self) -> impl Iterator<Item = (&str, DeclId)> {
        self.names.iter().map(|(n, d)| (n.as_str(), *d))
    }
}

/// The resolution result of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    decls: Vec<Declaration>,
    /// Sorted by file, then position.
    uses: Vec<Use>,
    /// For each declaration, the indices (into `uses`) of the uses that refer to it.
    refs: Vec<Vec<usize>>,
    /// For each declaration, the indices (into `uses`) of the uses it owns.
    owned: Vec<Vec<usize>>,
    /// For each declaration, its parts (fields, values, rpcs and events).
    children: Vec<Vec<DeclId>>,
    scopes: BTreeMap<FileId, Scope>,
}

impl Model {
    pub fn decl(&self, id: DeclId) -> Option<&Declaration> {
        self.decls.get(id.0 as usize)
    }

    /// Every declaration, in file load order and source order.
    pub fn all_declarations(&self) -> impl Iterator<Item = (DeclId, &Declaration)> {
        self.decls
            .iter()
            .enumerate()
            .map(|(i, d)| (DeclId(i as u32), d))
    }

    /// The declarations of one file, in source order (parents before their parts).
    pub fn declarations(&self, file: FileId) -> impl Iterator<Item = (DeclId, &Declaration)> {
        self.all_declarations().filter(move |(_, d)| d.file == file)
    }

    /// Every use of a type, by file and position.
    pub fn uses(&self) -> &[Use] {
        &self.uses
    }

    /// The uses in one file, in source order.
    pub fn uses_in_file(&self, file: FileId) -> impl Iterator<Item = &Use> {
        self.uses.iter().filter(move |u| u.span.file == file)
    }

    /// Every use site of a declaration.
    pub fn references(&self, decl: DeclId) -> impl Iterator<Item = &Use> {
        self.refs
            .get(decl.0 as usize)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.uses.get(i))
    }

    /// The use whose span holds `offset` in `file`.
    pub fn use_at(&self, file: FileId, offset: usize) -> Option<&Use> {
        self.uses_in_file(file).find(|u| contains(&u.span, offset))
    }

    /// What is at `offset` in `file`: the declaration a use there refers to, or the declaration
    /// whose name is there (go-to-definition and hover).
    pub fn decl_at(&self, file: FileId, offset: usize) -> Option<DeclId> {
        if let Some(u) = self.use_at(file, offset) {
            return Some(u.decl);
        }
        self.declarations(file)
            .find(|(_, d)| contains(&d.name_span, offset))
            .map(|(id, _)| id)
    }

    /// The scope of a file.
    pub fn scope(&self, file: FileId) -> Option<&Scope> {
        self.scopes.get(&file)
    }

    /// The type `name` means in `file`.
    pub fn resolve(&self, file: FileId, name: &str) -> Option<DeclId> {
        self.scope(file)?.get(name)
    }

    /// The id of the file with this project-relative path.
    pub fn file(&self, path: &str) -> Option<FileId> {
        self.scopes
            .iter()
            .find(|(_, s)| s.path == path)
            .map(|(id, _)| *id)
    }

    /// Whether a declaration or one it is part of is `@deprecated`.
    pub fn in_deprecated(&self, decl: DeclId) -> bool {
        let mut at = self.decl(decl);
        while let Some(d) = at {
            if d.deprecated.is_some() {
                return true;
            }
            at = d.parent.and_then(|p| self.decl(p));
        }
        false
    }

    /// Uses of a deprecated type from an element that is not deprecated itself, in file and
    /// position order. A field of a deprecated message or error counts as deprecated; an rpc of a
    /// deprecated service does not (it is still called).
    pub fn deprecated_uses(&self) -> impl Iterator<Item = &Use> {
        self.uses.iter().filter(|u| {
            self.decl(u.decl).is_some_and(|d| d.deprecated.is_some())
                && !self.deprecated_context(u.owner)
        })
    }

    /// Whether uses written in `owner` are in a deprecated element: `owner` is deprecated, or it
    /// is a field of a deprecated type.
    pub fn deprecated_context(&self, owner: DeclId) -> bool {
        let Some(d) = self.decl(owner) else {
            return false;
        };
        d.deprecated.is_some()
            || d.parent
                .and_then(|p| self.decl(p))
                .is_some_and(|p| p.kind.is_type() && p.deprecated.is_some())
    }

    /// The uses written inside a declaration or its parts (a message's fields, say).
    pub fn uses_within(&self, decl: DeclId) -> Vec<&Use> {
        let mut out = Vec::new();
        let mut work = vec![decl];
        while let Some(d) = work.pop() {
            let i = d.0 as usize;
            out.extend(
                self.owned
                    .get(i)
                    .into_iter()
                    .flatten()
                    .filter_map(|&u| self.uses.get(u)),
            );
            work.extend(self.children.get(i).into_iter().flatten().copied());
        }
        out
    }

    /// The types reachable from `roots` through uses (the roots themselves included).
    pub fn reachable(&self, roots: impl IntoIterator<Item = DeclId>) -> BTreeSet<DeclId> {
        let mut seen = BTreeSet::new();
        let mut work: Vec<DeclId> = roots.into_iter().collect();
        while let Some(d) = work.pop() {
            if !seen.insert(d) {
                continue;
            }
            work.extend(self.uses_within(d).into_iter().map(|u| u.decl));
        }
        seen
    }
}

fn contains(span: &Span, offset: usize) -> bool {
    span.range.start <= offset && offset < span.range.end.max(span.range.start + 1)
}

#[cfg(test)]
mod tests;
