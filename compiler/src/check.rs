//! Resolution and checks of `.brief` files: scopes, imports, types, annotations; contract building.
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::ir::{self, Deprecated, MapKey, Type};
use crate::source::{FileId, Sources, Span};
use grammar::ast::{self, Annotation, Item, Literal, TypeExpr, TypeMod};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Deepest allowed nesting of `[]`, `?` and `map[..]` prefixes in one type.
pub const MAX_TYPE_DEPTH: usize = 32;

/// Built-in scalar type names.
pub const BUILTINS: &[&str] = &["int", "float", "bool", "string", "bytes", "time"];

/// A loaded file: id, project-relative path, parse result and resolved imports (file index, span).
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub id: FileId,
    pub text: Arc<str>,
    pub rel: String,
    pub parsed: Arc<grammar::Parsed>,
    pub imports: Vec<(usize, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Message,
    Enum,
    Error,
}

impl DeclKind {
    fn word(self) -> &'static str {
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
    scopes: Vec<HashMap<String, usize>>,
    service_items: Vec<Option<usize>>,
    service_names: Vec<Option<Span>>,
}

impl Resolved {
    /// The span of the service name in file `file`, if it declares a service.
    pub fn service_name_span(&self, file: usize) -> Option<Span> {
        self.service_names.get(file).cloned().flatten()
    }
}

fn span(f: &FileInfo, r: &std::ops::Range<usize>) -> Span {
    Span::new(f.id, r.clone())
}

/// Runs every per-file and cross-file check; returns the resolution for IR building.
pub fn check_files(files: &[FileInfo], diags: &mut Vec<Diagnostic>) -> Resolved {
    let mut res = Resolved::default();
    // 1. Declarations, duplicates within a file, clashes with built-ins.
    for (fi, f) in files.iter().enumerate() {
        let mut own: HashMap<String, usize> = HashMap::new();
        let mut service_item = None;
        for (ii, item) in f.parsed.file.items.iter().enumerate() {
            let (name, kind) = match item {
                Item::Message(m) => (&m.name, DeclKind::Message),
                Item::Enum(e) => (&e.name, DeclKind::Enum),
                Item::Error(e) => (&e.name, DeclKind::Error),
                Item::Service(s) => {
                    if let Some(prev) = service_item {
                        let prev_span = match &f.parsed.file.items[prev] {
                            Item::Service(p) => p.span.clone(),
                            _ => s.span.clone(),
                        };
                        diags.push(
                            Diagnostic::new(codes::E0211, "a file declares at most one service")
                                .primary(span(f, &s.span), "second service declaration")
                                .secondary(span(f, &prev_span), "first declared here"),
                        );
                    } else {
                        service_item = Some(ii);
                    }
                    continue;
                }
                _ => continue,
            };
            if BUILTINS.contains(&name.name.as_str()) {
                diags.push(
                    Diagnostic::new(codes::E0202, format!("`{}` is a built-in type", name.name))
                        .primary(span(f, &name.span), "cannot be declared again")
                        .hint("choose another name for this type"),
                );
                continue;
            }
            let idx = res.decls.len();
            if let Some(&prev) = own.get(&name.name) {
                let p: &Decl = &res.decls[prev];
                diags.push(
                    Diagnostic::new(codes::E0202, format!("`{}` is defined twice", name.name))
                        .primary(span(f, &name.span), "second definition")
                        .secondary(p.span.clone(), "first defined here"),
                );
                continue;
            }
            own.insert(name.name.clone(), idx);
            res.decls.push(Decl {
                name: name.name.clone(),
                kind,
                file: fi,
                item: ii,
                span: span(f, &name.span),
            });
        }
        res.scopes.push(own);
        res.service_items.push(service_item);
        res.service_names
            .push(service_item.and_then(|i| match &f.parsed.file.items[i] {
                Item::Service(s) => Some(span(f, &s.name.span)),
                _ => None,
            }));
    }
    // 2. Scopes: own declarations plus those of directly imported files.
    let own_scopes = res.scopes.clone();
    for (fi, f) in files.iter().enumerate() {
        for (target, imp_span) in &f.imports {
            if *target == fi {
                continue;
            }
            let mut names: Vec<(&String, &usize)> = own_scopes[*target].iter().collect();
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
                                    files[e.file].rel, files[*target].rel
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
    }
    check_import_cycles(files, diags);
    // 3. Items.
    let imported: BTreeSet<usize> = files
        .iter()
        .flat_map(|f| f.imports.iter().map(|(t, _)| *t))
        .collect();
    for (fi, f) in files.iter().enumerate() {
        let cx = FileCx {
            f,
            scope: &res.scopes[fi],
            decls: &res.decls,
            broken: std::iter::once(f)
                .chain(f.imports.iter().map(|(t, _)| &files[*t]))
                .filter(|g| !g.parsed.errors.is_empty())
                .map(|g| &*g.text)
                .collect(),
        };
        let has_service = res.service_items[fi].is_some();
        if let (true, Some(si)) = (imported.contains(&fi), res.service_items[fi]) {
            if let Item::Service(s) = &f.parsed.file.items[si] {
                let mut d = Diagnostic::new(
                    codes::E0206,
                    format!("`{}` is imported but declares a service", f.rel),
                )
                .primary(
                    span(f, &s.span),
                    "a file that is imported may hold only messages, enums and errors",
                );
                if let Some((imp_file, imp_span)) = files.iter().find_map(|g| {
                    g.imports
                        .iter()
                        .find(|(t, _)| *t == fi)
                        .map(|(_, s)| (g, s))
                }) {
                    let _ = imp_file;
                    d = d.secondary(imp_span.clone(), "imported here");
                }
                diags
                    .push(d.hint("move the shared types into a file of their own and import that"));
            }
        }
        let mut rpc_names: HashMap<&str, &ast::Ident> = HashMap::new();
        let mut topics: HashMap<&str, &ast::StrLit> = HashMap::new();
        let mut reported_no_service = false;
        for item in &f.parsed.file.items {
            match item {
                Item::Service(s) => {
                    cx.annotations(&s.annotations, Target::Service, diags);
                    if !is_dns_label(&s.name.value) {
                        diags.push(
                            Diagnostic::new(codes::E0216, format!("`{}` is not a valid service name", s.name.value))
                                .primary(span(f, &s.name.span), "not a DNS label")
                                .hint("a service name is lower-case letters, digits and `-`, at most 63 characters, starting and ending with a letter or digit"),
                        );
                    }
                }
                Item::Import(_) => {}
                Item::Rpc(r) => {
                    if !has_service && !reported_no_service {
                        reported_no_service = true;
                        diags.push(no_service(f, &r.span));
                    }
                    cx.annotations(&r.annotations, Target::Rpc, diags);
                    if let Some(prev) = rpc_names.insert(&r.name.name, &r.name) {
                        diags.push(
                            Diagnostic::new(
                                codes::E0202,
                                format!("rpc `{}` is defined twice", r.name.name),
                            )
                            .primary(span(f, &r.name.span), "second definition")
                            .secondary(span(f, &prev.span), "first defined here"),
                        );
                    }
                    for (what, id) in [("input", &r.input), ("output", &r.output)] {
                        if let Some(d) = cx.expect_kind(id, DeclKind::Message) {
                            diags.push(d.with_code(codes::E0208, what));
                        }
                    }
                    let mut seen: HashMap<&str, &ast::Ident> = HashMap::new();
                    for t in &r.throws {
                        if let Some(prev) = seen.insert(&t.name, t) {
                            diags.push(
                                Diagnostic::new(
                                    codes::E0202,
                                    format!("`{}` is thrown twice", t.name),
                                )
                                .primary(span(f, &t.span), "listed again")
                                .secondary(span(f, &prev.span), "first listed here"),
                            );
                        }
                        if let Some(d) = cx.expect_kind(t, DeclKind::Error) {
                            diags.push(d.with_code(codes::E0209, "thrown"));
                        }
                    }
                }
                Item::Schema(s) => {
                    if !has_service && !reported_no_service {
                        reported_no_service = true;
                        diags.push(no_service(f, &s.span));
                    }
                    cx.annotations(&s.annotations, Target::Schema, diags);
                    if !is_topic_name(&s.topic.value) {
                        diags.push(
                            Diagnostic::new(codes::E0218, format!("`{}` is not a valid topic name", s.topic.value))
                                .primary(span(f, &s.topic.span), "topics go into URLs and metric labels")
                                .hint("a topic is 1 to 200 ASCII letters, digits, `.`, `_` and `-`, such as `service.create`"),
                        );
                    }
                    if let Some(prev) = topics.insert(&s.topic.value, &s.topic) {
                        diags.push(
                            Diagnostic::new(
                                codes::E0202,
                                format!("topic `{}` is declared twice", s.topic.value),
                            )
                            .primary(span(f, &s.topic.span), "second declaration")
                            .secondary(span(f, &prev.span), "first declared here"),
                        );
                    }
                    if let Some(d) = cx.expect_kind(&s.ty, DeclKind::Message) {
                        diags.push(d.with_code(codes::E0210, "event"));
                    }
                }
                Item::Message(m) => {
                    cx.annotations(&m.annotations, Target::Message, diags);
                    cx.fields(&m.fields, diags);
                }
                Item::Error(e) => {
                    cx.annotations(&e.annotations, Target::Error, diags);
                    cx.fields(&e.fields, diags);
                }
                Item::Enum(e) => {
                    cx.annotations(&e.annotations, Target::Enum, diags);
                    if e.values.is_empty() {
                        diags.push(
                            Diagnostic::new(
                                codes::E0214,
                                format!("enum `{}` has no values", e.name.name),
                            )
                            .primary(span(f, &e.name.span), "declare at least one value"),
                        );
                    }
                    let mut seen: HashMap<&str, &ast::Ident> = HashMap::new();
                    for v in &e.values {
                        cx.annotations(&v.annotations, Target::EnumValue, diags);
                        if let Some(prev) = seen.insert(&v.name.name, &v.name) {
                            diags.push(
                                Diagnostic::new(
                                    codes::E0202,
                                    format!("enum value `{}` is defined twice", v.name.name),
                                )
                                .primary(span(f, &v.name.span), "second definition")
                                .secondary(span(f, &prev.span), "first defined here"),
                            );
                        }
                    }
                }
            }
        }
    }
    check_value_recursion(files, &res, diags);
    check_contract_closures(files, &res, diags);
    drop_inside_broken_items(files, diags);
    res
}

/// A declaration with a syntax error in it was recovered by guesswork: semantic findings inside
/// it (a duplicate field made of the next declaration's parts, say) are consequences, not news.
fn drop_inside_broken_items(files: &[FileInfo], diags: &mut Vec<Diagnostic>) {
    let mut broken: Vec<Span> = Vec::new();
    for f in files {
        for item in &f.parsed.file.items {
            let r = item.span();
            if f.parsed
                .errors
                .iter()
                .any(|e| e.span.start < r.end && e.span.end >= r.start)
            {
                broken.push(span(f, r));
            }
        }
    }
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| {
        let semantic = d.code.starts_with("E02") || d.code.starts_with("E03");
        !semantic
            || !d.primary_span().is_some_and(|p| {
                broken.iter().any(|b| {
                    b.file == p.file && b.range.start <= p.range.start && p.range.end <= b.range.end
                })
            })
    });
}

fn no_service(f: &FileInfo, at: &std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::new(
        codes::E0217,
        format!("`{}` declares rpcs or events but no service", f.rel),
    )
    .primary(span(f, at), "belongs to no service")
    .hint("add `service \"name\"` at the top of the file")
}

/// A DNS-1123 label: lower-case alphanumerics and `-`, at most 63, alphanumeric at both ends.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A topic name: 1 to 200 ASCII letters, digits, `.`, `_` and `-` (it appears unescaped in
/// `/events/<topic>` URLs and in metric labels; docs/protocol.md section 9).
pub fn is_topic_name(s: &str) -> bool {
    (1..=200).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
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

struct FileCx<'a> {
    f: &'a FileInfo,
    scope: &'a HashMap<String, usize>,
    decls: &'a [Decl],
    /// Texts of the files in scope (this one and its imports) that have syntax errors: a name
    /// declared there may be unknown only because its declaration did not parse (no cascade).
    broken: Vec<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Service,
    Rpc,
    Message,
    Field,
    Enum,
    EnumValue,
    Error,
    Schema,
}

impl Target {
    fn word(self) -> &'static str {
        match self {
            Target::Service => "a service",
            Target::Rpc => "an rpc",
            Target::Message => "a message",
            Target::Field => "a field",
            Target::Enum => "an enum",
            Target::EnumValue => "an enum value",
            Target::Error => "an error",
            Target::Schema => "a schema",
        }
    }
}

/// Known annotations: name, where they may stand, and their arguments.
struct AnnotationSpec {
    name: &'static str,
    targets: &'static [Target],
    /// (minimum, maximum) number of string arguments.
    args: (usize, usize),
    usage: &'static str,
}

const ALL_TARGETS: &[Target] = &[
    Target::Service,
    Target::Rpc,
    Target::Message,
    Target::Field,
    Target::Enum,
    Target::EnumValue,
    Target::Error,
    Target::Schema,
];

const ANNOTATIONS: &[AnnotationSpec] = &[
    AnnotationSpec {
        name: "idempotent",
        targets: &[Target::Rpc],
        args: (0, 0),
        usage: "@idempotent",
    },
    AnnotationSpec {
        name: "timeout",
        targets: &[Target::Rpc],
        args: (1, 1),
        usage: "@timeout(\"250ms\")",
    },
    AnnotationSpec {
        name: "deprecated",
        targets: ALL_TARGETS,
        args: (0, 1),
        usage: "@deprecated(\"reason\")",
    },
];

/// Parses a duration such as `250ms` or `2s` into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>()
        .ok()?
        .checked_mul(mult)
        .filter(|&v| v > 0)
}

impl FileCx<'_> {
    fn sp(&self, r: &std::ops::Range<usize>) -> Span {
        span(self.f, r)
    }

    fn annotations(&self, anns: &[Annotation], target: Target, diags: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&str, &Annotation> = HashMap::new();
        for a in anns {
            let name = a.name.name.as_str();
            let Some(spec) = ANNOTATIONS.iter().find(|s| s.name == name) else {
                let mut d = Diagnostic::new(codes::E0301, format!("unknown annotation `@{name}`"))
                    .primary(self.sp(&a.name.span), "not a known annotation");
                d = match did_you_mean(name, ANNOTATIONS.iter().map(|s| s.name)) {
                    Some(s) => d.hint(format!("did you mean `@{s}`?")),
                    None => d.note("known annotations: @idempotent, @timeout(\"250ms\"), @deprecated(\"reason\")"),
                };
                diags.push(d);
                continue;
            };
            if let Some(prev) = seen.insert(spec.name, a) {
                diags.push(
                    Diagnostic::new(codes::E0305, format!("`@{name}` is given twice"))
                        .primary(self.sp(&a.span), "repeated")
                        .secondary(self.sp(&prev.span), "first given here"),
                );
                continue;
            }
            if !spec.targets.contains(&target) {
                diags.push(
                    Diagnostic::new(
                        codes::E0302,
                        format!("`@{name}` cannot be used on {}", target.word()),
                    )
                    .primary(self.sp(&a.span), "not allowed here")
                    .note(format!(
                        "`@{name}` applies to {}",
                        spec.targets
                            .iter()
                            .map(|t| t.word())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                continue;
            }
            let strings = a.args.iter().all(|l| matches!(l, Literal::Str(_)));
            if a.args.len() < spec.args.0 || a.args.len() > spec.args.1 || !strings {
                diags.push(
                    Diagnostic::new(codes::E0303, format!("wrong arguments for `@{name}`"))
                        .primary(self.sp(&a.span), "here")
                        .hint(format!("write it as `{}`", spec.usage)),
                );
                continue;
            }
            if spec.name == "timeout" {
                if let Some(Literal::Str(s)) = a.args.first() {
                    if parse_duration_ms(&s.value).is_none() {
                        diags.push(
                            Diagnostic::new(
                                codes::E0304,
                                format!("`{}` is not a valid timeout", s.value),
                            )
                            .primary(
                                self.sp(&s.span),
                                "expected a positive whole number of `ms` or `s`",
                            )
                            .hint("for example `@timeout(\"250ms\")` or `@timeout(\"2s\")`"),
                        );
                    }
                }
            }
        }
    }

    /// Whether a file in scope that failed to parse has `message|enum|error NAME` in its text.
    fn declared_in_broken(&self, name: &str) -> bool {
        self.broken.iter().any(|text| {
            text.match_indices(name).any(|(at, _)| {
                let after = text[at + name.len()..].chars().next();
                let before = text[..at].trim_end();
                after.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                    && text[..at].ends_with(char::is_whitespace)
                    && ["message", "enum", "error"].iter().any(|kw| {
                        before.ends_with(kw)
                            && before[..before.len() - kw.len()]
                                .chars()
                                .next_back()
                                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                    })
            })
        })
    }

    fn lookup(&self, name: &str) -> Option<&Decl> {
        self.scope.get(name).and_then(|&i| self.decls.get(i))
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
        if let Some(s) = did_you_mean(&id.name, cands) {
            d = d.hint(format!("did you mean `{s}`?"));
        }
        d
    }

    /// Checks that `id` names a declaration of `kind`.
    fn expect_kind(&self, id: &ast::Ident, kind: DeclKind) -> Option<Pending> {
        match self.lookup(&id.name) {
            None if BUILTINS.contains(&id.name.as_str()) => Some(Pending {
                diag: Diagnostic::new(
                    codes::E0201,
                    format!("`{}` must be {}", id.name, kind.word()),
                )
                .primary(
                    self.sp(&id.span),
                    format!("`{}` is a built-in type", id.name),
                ),
                wrong_kind: true,
            }),
            None if self.declared_in_broken(&id.name) => None,
            None => Some(Pending {
                diag: self.unknown(id, false),
                wrong_kind: false,
            }),
            Some(d) if d.kind != kind => Some(Pending {
                diag: Diagnostic::new(
                    codes::E0201,
                    format!("`{}` must be {}", id.name, kind.word()),
                )
                .primary(
                    self.sp(&id.span),
                    format!("`{}` is {}", id.name, d.kind.word()),
                )
                .secondary(d.span.clone(), "declared here"),
                wrong_kind: true,
            }),
            Some(_) => None,
        }
    }

    fn fields(&self, fields: &[ast::Field], diags: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&str, &ast::Ident> = HashMap::new();
        for fd in fields {
            self.annotations(&fd.annotations, Target::Field, diags);
            if let Some(prev) = seen.insert(&fd.name.name, &fd.name) {
                diags.push(
                    Diagnostic::new(
                        codes::E0202,
                        format!("field `{}` is defined twice", fd.name.name),
                    )
                    .primary(self.sp(&fd.name.span), "second definition")
                    .secondary(self.sp(&prev.span), "first defined here"),
                );
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
        for pair in ty.mods.windows(2) {
            if let [TypeMod::Optional(a), TypeMod::Optional(b)] = pair {
                diags.push(
                    Diagnostic::new(codes::E0213, "an optional of an optional")
                        .primary(self.sp(&(a.start..b.end)), "`??` means the same as `?`")
                        .hint("write a single `?`"),
                );
            }
        }
        for m in &ty.mods {
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
}

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
fn check_import_cycles(files: &[FileInfo], diags: &mut Vec<Diagnostic>) {
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
fn check_value_recursion(files: &[FileInfo], res: &Resolved, diags: &mut Vec<Diagnostic>) {
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
                    edges[di].push((t, span(f, &fd.ty.span)));
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

/// The files whose types make up the contract of `root`: itself, then its imports, breadth first.
pub fn closure(root: usize, files: &[FileInfo]) -> Vec<usize> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        for (t, _) in &files[out[i]].imports {
            if !out.contains(t) {
                out.push(*t);
            }
        }
        i += 1;
    }
    out
}

/// Within one contract, generated code has one namespace: names must be unique across its files.
fn check_contract_closures(files: &[FileInfo], res: &Resolved, diags: &mut Vec<Diagnostic>) {
    for (fi, _) in files.iter().enumerate() {
        if res.service_items[fi].is_none() {
            continue;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for file in closure(fi, files) {
            let mut own: Vec<(&String, &usize)> = res_own(res, file);
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

fn res_own(res: &Resolved, file: usize) -> Vec<(&String, &usize)> {
    res.scopes[file]
        .iter()
        .filter(|(_, &d)| res.decls[d].file == file)
        .collect()
}

fn doc(d: &Option<ast::Doc>) -> Option<String> {
    d.as_ref().map(|d| d.text.clone())
}

fn deprecated(anns: &[Annotation]) -> Option<Deprecated> {
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
    let f = &files[fi];
    let si = res.service_items.get(fi).copied().flatten()?;
    let Item::Service(svc) = f.parsed.file.items.get(si)? else {
        return None;
    };
    let loc = |file: &FileInfo, r: &std::ops::Range<usize>| sources.loc(&span(file, r));
    let mut rpcs = Vec::new();
    let mut events = Vec::new();
    for item in &f.parsed.file.items {
        match item {
            Item::Rpc(r) => rpcs.push(ir::Rpc {
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
                loc: loc(f, &r.span),
            }),
            Item::Schema(s) => events.push(ir::Event {
                topic: s.topic.value.clone(),
                message: s.ty.name.clone(),
                doc: doc(&s.doc),
                deprecated: deprecated(&s.annotations),
                loc: loc(f, &s.span),
            }),
            _ => {}
        }
    }
    let mut types = Vec::new();
    for file_idx in closure(fi, files) {
        let file = &files[file_idx];
        let scope = &res.scopes[file_idx];
        let conv_fields = |fields: &[ast::Field]| -> Vec<ir::Field> {
            fields
                .iter()
                .map(|fd| ir::Field {
                    name: fd.name.name.clone(),
                    ty: convert_type(&fd.ty, scope, &res.decls),
                    doc: doc(&fd.doc),
                    deprecated: deprecated(&fd.annotations),
                    loc: loc(file, &fd.span),
                })
                .collect()
        };
        for item in &file.parsed.file.items {
            match item {
                Item::Message(m) => types.push(ir::TypeDef::Message(ir::Message {
                    name: m.name.name.clone(),
                    doc: doc(&m.doc),
                    fields: conv_fields(&m.fields),
                    deprecated: deprecated(&m.annotations),
                    loc: loc(file, &m.span),
                })),
                Item::Error(e) => types.push(ir::TypeDef::Error(ir::ErrorType {
                    name: e.name.name.clone(),
                    doc: doc(&e.doc),
                    fields: conv_fields(&e.fields),
                    deprecated: deprecated(&e.annotations),
                    loc: loc(file, &e.span),
                })),
                Item::Enum(e) => types.push(ir::TypeDef::Enum(ir::Enum {
                    name: e.name.name.clone(),
                    doc: doc(&e.doc),
                    values: e
                        .values
                        .iter()
                        .map(|v| ir::EnumValue {
                            name: v.name.name.clone(),
                            doc: doc(&v.doc),
                            deprecated: deprecated(&v.annotations),
                            loc: loc(file, &v.span),
                        })
                        .collect(),
                    deprecated: deprecated(&e.annotations),
                    loc: loc(file, &e.span),
                })),
                _ => {}
            }
        }
    }
    Some(ir::Contract {
        name: svc.name.value.clone(),
        doc: doc(&svc.doc),
        deprecated: deprecated(&svc.annotations),
        rpcs,
        events,
        types,
        loc: loc(f, &svc.span),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("2s"), Some(2000));
        for bad in [
            "",
            "ms",
            "s",
            "0ms",
            "0s",
            "1.5s",
            "1m",
            "-1s",
            "1 s",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn topic_names() {
        for ok in [
            "service.create",
            "a",
            "user_v2.created-at",
            &"a".repeat(200),
        ] {
            assert!(is_topic_name(ok), "{ok}");
        }
        for bad in ["", "a/b", "a%2F", "a b", "ü", "a?x", &"a".repeat(201)] {
            assert!(!is_topic_name(bad), "{bad}");
        }
    }

    #[test]
    fn dns_labels() {
        for ok in ["a", "summer", "image-storage", "a1", &"a".repeat(63)] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64), "ä"] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }
}
