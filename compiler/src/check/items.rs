//! Checks of each declaration of a file against its scope: services, rpcs, schemas, messages,
//! errors, enums, fields and their types.
use super::annotations::{check_annotations, Target};
use super::foreign_types;
use super::recovery::{broken_texts, declared_in};
use super::resolve::{Decl, DeclKind, Resolved};
use super::{FileInfo, BUILTINS, MAX_TYPE_DEPTH};
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::source::Span;
use crate::validate::{is_dns_label, is_topic_name};
use grammar::ast::{self, Item, TypeExpr, TypeMod};
use std::collections::{BTreeSet, HashMap};

/// Checks every item of every file.
pub(super) fn check_items(files: &[FileInfo], res: &Resolved, diags: &mut Vec<Diagnostic>) {
    let imported: BTreeSet<usize> = files
        .iter()
        .flat_map(|f| f.imports.iter().map(|(t, _)| *t))
        .collect();
    for (fi, f) in files.iter().enumerate() {
        let cx = FileCx {
            f,
            scope: &res.scopes[fi],
            decls: &res.decls,
            broken: broken_texts(f, files),
        };
        let service = res.service_items[fi];
        if let (true, Some(si)) = (imported.contains(&fi), service) {
            if let Some(Item::Service(s)) = f.parsed.file.items.get(si) {
                diags.push(imported_service(files, fi, s));
            }
        }
        cx.items(service.is_some(), diags);
    }
}

/// E0206: a file that is imported declares a service.
fn imported_service(files: &[FileInfo], fi: usize, s: &ast::ServiceDecl) -> Diagnostic {
    let f = &files[fi];
    let mut d = Diagnostic::new(
        codes::E0206,
        format!("`{}` is imported but declares a service", f.rel),
    )
    .primary(
        f.span(&s.span),
        "a file that is imported may hold only messages, enums and errors",
    );
    if let Some(imp_span) = files
        .iter()
        .find_map(|g| g.imports.iter().find(|(t, _)| *t == fi).map(|(_, s)| s))
    {
        d = d.secondary(imp_span.clone(), "imported here");
    }
    d.hint("move the shared types into a file of their own and import that")
}

/// A diagnostic awaiting its final code and wording (built by `expect_kind`).
struct Pending {
    diag: Diagnostic,
    wrong_kind: bool,
}

impl Pending {
    fn with_code(self, code: &'static str, role: &str) -> Diagnostic {
        if self.wrong_kind {
            let mut d = self.diag;
            d.code = code;
            d.message = format!("{role} type {}", d.message);
            d
        } else {
            self.diag
        }
    }
}

/// One file under check, with its scope.
struct FileCx<'a> {
    f: &'a FileInfo,
    scope: &'a HashMap<String, usize>,
    decls: &'a [Decl],
    /// Texts of the files in scope (this one and its imports) that have syntax errors: a name
    /// declared there may be unknown only because its declaration did not parse (no cascade).
    broken: Vec<&'a str>,
}

/// Names seen so far in one file, for duplicate checks.
#[derive(Default)]
struct Seen<'a> {
    rpcs: HashMap<&'a str, &'a ast::Ident>,
    topics: HashMap<&'a str, &'a ast::StrLit>,
    reported_no_service: bool,
}

impl<'a> FileCx<'a> {
    fn sp(&self, r: &std::ops::Range<usize>) -> Span {
        self.f.span(r)
    }

    fn items(&self, has_service: bool, diags: &mut Vec<Diagnostic>) {
        let mut seen = Seen::default();
        for item in &self.f.parsed.file.items {
            if let Item::Rpc(ast::Rpc { span, .. }) | Item::Schema(ast::Schema { span, .. }) = item
            {
                if !has_service && !seen.reported_no_service {
                    seen.reported_no_service = true;
                    diags.push(self.no_service(span));
                }
            }
            match item {
                Item::Service(s) => self.service(s, diags),
                Item::Import(_) => {}
                Item::Rpc(r) => self.rpc(r, &mut seen, diags),
                Item::Schema(s) => self.schema(s, &mut seen, diags),
                Item::Message(m) => {
                    check_annotations(self.f, &m.annotations, Target::Message, diags);
                    self.fields(&m.fields, diags);
                }
                Item::Error(e) => {
                    check_annotations(self.f, &e.annotations, Target::Error, diags);
                    self.fields(&e.fields, diags);
                }
                Item::Enum(e) => self.enumeration(e, diags),
            }
        }
    }

    fn no_service(&self, at: &std::ops::Range<usize>) -> Diagnostic {
        Diagnostic::new(
            codes::E0217,
            format!("`{}` declares rpcs or events but no service", self.f.rel),
        )
        .primary(self.sp(at), "belongs to no service")
        .hint("add `service \"name\"` at the top of the file")
    }

    fn service(&self, s: &ast::ServiceDecl, diags: &mut Vec<Diagnostic>) {
        check_annotations(self.f, &s.annotations, Target::Service, diags);
        if !is_dns_label(&s.name.value) {
            diags.push(
                Diagnostic::new(codes::E0216, format!("`{}` is not a valid service name", s.name.value))
                    .primary(self.sp(&s.name.span), "not a DNS label")
                    .hint("a service name is lower-case letters, digits and `-`, at most 63 characters, starting with a letter and ending with a letter or digit"),
            );
        }
    }

    fn rpc(&self, r: &'a ast::Rpc, seen: &mut Seen<'a>, diags: &mut Vec<Diagnostic>) {
        check_annotations(self.f, &r.annotations, Target::Rpc, diags);
        if let Some(prev) = seen.rpcs.insert(&r.name.name, &r.name) {
            diags.push(self.twice("rpc", &r.name.name, &r.name.span, &prev.span));
        }
        for (what, id) in [("input", &r.input), ("output", &r.output)] {
            if let Some(d) = self.expect_kind(id, DeclKind::Message) {
                diags.push(d.with_code(codes::E0208, what));
            }
        }
        let mut thrown: HashMap<&str, &ast::Ident> = HashMap::new();
        for t in &r.throws {
            if let Some(prev) = thrown.insert(&t.name, t) {
                diags.push(
                    Diagnostic::new(codes::E0202, format!("`{}` is thrown twice", t.name))
                        .primary(self.sp(&t.span), "listed again")
                        .secondary(self.sp(&prev.span), "first listed here"),
                );
            }
            if let Some(d) = self.expect_kind(t, DeclKind::Error) {
                diags.push(d.with_code(codes::E0209, "thrown"));
            }
        }
    }

    fn schema(&self, s: &'a ast::Schema, seen: &mut Seen<'a>, diags: &mut Vec<Diagnostic>) {
        check_annotations(self.f, &s.annotations, Target::Schema, diags);
        if !is_topic_name(&s.topic.value) {
            diags.push(
                Diagnostic::new(codes::E0218, format!("`{}` is not a valid topic name", s.topic.value))
                    .primary(self.sp(&s.topic.span), "topics go into URLs and metric labels")
                    .hint("a topic is 1 to 200 ASCII letters, digits, `.`, `_` and `-`, such as `service.create`"),
            );
        }
        if let Some(prev) = seen.topics.insert(&s.topic.value, &s.topic) {
            diags.push(
                Diagnostic::new(
                    codes::E0202,
                    format!("topic `{}` is declared twice", s.topic.value),
                )
                .primary(self.sp(&s.topic.span), "second declaration")
                .secondary(self.sp(&prev.span), "first declared here"),
            );
        }
        if let Some(d) = self.expect_kind(&s.ty, DeclKind::Message) {
            diags.push(d.with_code(codes::E0210, "event"));
        }
    }

    fn enumeration(&self, e: &ast::Enum, diags: &mut Vec<Diagnostic>) {
        check_annotations(self.f, &e.annotations, Target::Enum, diags);
        if e.values.is_empty() {
            diags.push(
                Diagnostic::new(
                    codes::E0214,
                    format!("enum `{}` has no values", e.name.name),
                )
                .primary(self.sp(&e.name.span), "declare at least one value"),
            );
        }
        let mut seen: HashMap<&str, &ast::Ident> = HashMap::new();
        for v in &e.values {
            check_annotations(self.f, &v.annotations, Target::EnumValue, diags);
            if let Some(prev) = seen.insert(&v.name.name, &v.name) {
                diags.push(self.twice("enum value", &v.name.name, &v.name.span, &prev.span));
            }
        }
    }

    /// E0202 for a name defined a second time in one declaration or file.
    fn twice(
        &self,
        what: &str,
        name: &str,
        at: &std::ops::Range<usize>,
        first: &std::ops::Range<usize>,
    ) -> Diagnostic {
        Diagnostic::new(codes::E0202, format!("{what} `{name}` is defined twice"))
            .primary(self.sp(at), "second definition")
            .secondary(self.sp(first), "first defined here")
    }

    fn lookup(&self, name: &str) -> Option<&Decl> {
        self.scope.get(name).and_then(|&i| self.decls.get(i))
    }

    fn declared_in_broken(&self, name: &str) -> bool {
        declared_in(&self.broken, name)
    }

    fn unknown(&self, id: &ast::Ident, builtins_ok: bool) -> Diagnostic {
        let mut cands: Vec<&str> = self.scope.keys().map(String::as_str).collect();
        if builtins_ok {
            cands.extend(BUILTINS);
        }
        cands.sort();
        let mut d = Diagnostic::new(codes::E0201, format!("unknown type `{}`", id.name)).primary(
            self.sp(&id.span),
            "not declared in this file or its imports",
        );
        if let Some(b) = builtins_ok
            .then(|| foreign_types::builtin_for(&id.name))
            .flatten()
        {
            d = d.hint(foreign_types::hint(&id.name, b));
        } else if let Some(s) = did_you_mean(&id.name, cands) {
            d = d.hint(format!("did you mean `{s}`?"));
        }
        d
    }

    /// Checks that `id` names a declaration of `kind`.
    fn expect_kind(&self, id: &ast::Ident, kind: DeclKind) -> Option<Pending> {
        let wrong = |is: String| {
            Diagnostic::new(
                codes::E0201,
                format!("`{}` must be {}", id.name, kind.word()),
            )
            .primary(self.sp(&id.span), is)
        };
        match self.lookup(&id.name) {
            None if BUILTINS.contains(&id.name.as_str()) => Some(Pending {
                diag: wrong(format!("`{}` is a built-in type", id.name)),
                wrong_kind: true,
            }),
            None if self.declared_in_broken(&id.name) => None,
            None => Some(Pending {
                diag: self.unknown(id, false),
                wrong_kind: false,
            }),
            Some(d) if d.kind != kind => Some(Pending {
                diag: wrong(format!("`{}` is {}", id.name, d.kind.word()))
                    .secondary(d.span.clone(), "declared here"),
                wrong_kind: true,
            }),
            Some(_) => None,
        }
    }

    fn fields(&self, fields: &[ast::Field], diags: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&str, &ast::Ident> = HashMap::new();
        for fd in fields {
            check_annotations(self.f, &fd.annotations, Target::Field, diags);
            if let Some(prev) = seen.insert(&fd.name.name, &fd.name) {
                diags.push(self.twice("field", &fd.name.name, &fd.name.span, &prev.span));
            }
            self.type_expr(&fd.ty, diags);
        }
    }

    fn type_expr(&self, ty: &TypeExpr, diags: &mut Vec<Diagnostic>) {
        if ty.mods.len() > MAX_TYPE_DEPTH {
            diags.push(
                Diagnostic::new(
                    codes::E0212,
                    format!("this type nests {} levels deep", ty.mods.len()),
                )
                .primary(
                    self.sp(&ty.span),
                    format!(
                        "at most {MAX_TYPE_DEPTH} levels of `[]`, `?` and `map[..]` are allowed"
                    ),
                )
                .hint("give the inner part a message of its own"),
            );
            return;
        }
        self.type_mods(&ty.mods, diags);
        let base = &ty.base;
        if BUILTINS.contains(&base.name.as_str()) {
            return;
        }
        match self.lookup(&base.name) {
            None if self.declared_in_broken(&base.name) => {}
            None => diags.push(self.unknown(base, true)),
            Some(d) if d.kind == DeclKind::Error => diags.push(
                Diagnostic::new(
                    codes::E0201,
                    format!("`{}` is an error, not a value type", base.name),
                )
                .primary(self.sp(&base.span), "errors can only be thrown by rpcs")
                .secondary(d.span.clone(), "declared here")
                .hint("declare a message with the same fields to carry this data"),
            ),
            Some(_) => {}
        }
    }

    /// `??` and map keys other than `string` and `int`.
    fn type_mods(&self, mods: &[TypeMod], diags: &mut Vec<Diagnostic>) {
        for pair in mods.windows(2) {
            if let [TypeMod::Optional(a), TypeMod::Optional(b)] = pair {
                diags.push(
                    Diagnostic::new(codes::E0213, "an optional of an optional")
                        .primary(self.sp(&(a.start..b.end)), "`??` means the same as `?`")
                        .hint("write a single `?`"),
                );
            }
        }
        for m in mods {
            if let TypeMod::Map { key, .. } = m {
                if key.name != "string" && key.name != "int" {
                    diags.push(
                        Diagnostic::new(codes::E0207, format!("`{}` cannot be a map key", key.name))
                            .primary(self.sp(&key.span), "map keys are `string` or `int`")
                            .note("JSON object keys are strings; `int` keys are written as decimal strings"),
                    );
                }
            }
        }
    }
}
