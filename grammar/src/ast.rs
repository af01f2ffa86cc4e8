//! The `.brief` syntax tree: every node carries its byte span; types are flat (no recursion).
use serde::Serialize;
use std::ops::Range;

/// A byte range in one source file.
pub type Span = Range<usize>;

/// One parsed `.brief` file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct File {
    pub items: Vec<Item>,
}

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A backtick doc string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    pub text: String,
    pub span: Span,
}

/// A double-quoted string literal (already unescaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// An argument of an annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Literal {
    Str(StrLit),
    Int { value: String, span: Span },
    Name(Ident),
}

impl Literal {
    pub fn span(&self) -> &Span {
        match self {
            Literal::Str(s) => &s.span,
            Literal::Int { span, .. } => span,
            Literal::Name(i) => &i.span,
        }
    }
}

/// `@name` or `@name(args)` on the line(s) before a declaration. Names may be dotted (`@lint.ignore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    pub name: Ident,
    pub args: Vec<Literal>,
    pub span: Span,
}

/// A type prefix: `[]`, `?` or `map[K]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TypeMod {
    List(Span),
    Optional(Span),
    Map { key: Ident, span: Span },
}

/// A type expression, kept flat: the prefixes in order, then the base name.
/// `[]?map[string]T` is `mods = [List, Optional, Map(string)]`, `base = T`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeExpr {
    pub mods: Vec<TypeMod>,
    pub base: Ident,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub doc: Option<Doc>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// `service "name" `doc``
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDecl {
    pub annotations: Vec<Annotation>,
    pub name: StrLit,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// `import "path.brief"`
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub path: StrLit,
    pub span: Span,
}

/// `rpc name (Input) Output throws (E1, E2) `doc``
#[derive(Debug, Clone, Serialize)]
pub struct Rpc {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub input: Ident,
    pub output: Ident,
    pub throws: Vec<Ident>,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// `message Name `doc` { fields }`
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub doc: Option<Doc>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `enum Name `doc` { values }`
#[derive(Debug, Clone, Serialize)]
pub struct Enum {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub doc: Option<Doc>,
    pub values: Vec<EnumValue>,
    pub span: Span,
}

/// `error Name `doc` { fields }` (the body is optional).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDecl {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub doc: Option<Doc>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `schema "topic" Type `doc``
#[derive(Debug, Clone, Serialize)]
pub struct Schema {
    pub annotations: Vec<Annotation>,
    pub topic: StrLit,
    pub ty: Ident,
    pub doc: Option<Doc>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub enum Item {
    Service(ServiceDecl),
    Import(Import),
    Rpc(Rpc),
    Message(Message),
    Enum(Enum),
    Error(ErrorDecl),
    Schema(Schema),
}

impl Item {
    pub fn span(&self) -> &Span {
        match self {
            Item::Service(x) => &x.span,
            Item::Import(x) => &x.span,
            Item::Rpc(x) => &x.span,
            Item::Message(x) => &x.span,
            Item::Enum(x) => &x.span,
            Item::Error(x) => &x.span,
            Item::Schema(x) => &x.span,
        }
    }
}
