//! The breaking-change detector: compares the IR of a project with the IR of an earlier version
//! of it (see docs/breaking.md). Pure: both sides arrive already checked.
//!
//! Findings are in two categories, in the spirit of buf's: WIRE (the JSON protocol breaks for
//! peers built against the old contract) and SOURCE (code generated from the new contract stops
//! compiling for existing callers). Each finding is located in the new version; a
//! `// brief:allow-breaking RULE reason` comment right before that element waives it.
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::directives;
use crate::ir::{Contract, Field, Ir, Loc, Type, TypeDef};
use crate::project::Output;
use crate::source::{FileId, Span};
use std::collections::{BTreeSet, HashMap, HashSet};

pub use crate::diagnostic::Category;

/// One breaking-change rule.
#[derive(Debug, Clone, Copy)]
pub struct BreakingRule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub rationale: &'static str,
}

use Category::{Source, Wire};

/// Every breaking-change rule, in code order. Codes, names and categories never change.
pub const RULES: &[BreakingRule] = &[
    BreakingRule { code: codes::B0101, name: "FIELD_REMOVED", category: Wire, rationale: "peers still send or expect the field; a rename is a removal plus an addition" },
    BreakingRule { code: codes::B0102, name: "FIELD_TYPE_CHANGED", category: Wire, rationale: "the field's JSON no longer decodes on the other side" },
    BreakingRule { code: codes::B0103, name: "FIELD_OPTIONAL_TO_REQUIRED", category: Wire, rationale: "old clients that omit the field in a request are rejected" },
    BreakingRule { code: codes::B0104, name: "FIELD_REQUIRED_TO_OPTIONAL", category: Wire, rationale: "old readers of a response, event or error expect the field to be present" },
    BreakingRule { code: codes::B0105, name: "FIELD_REQUIRED_ADDED", category: Wire, rationale: "old clients do not send a new required field of a request" },
    BreakingRule { code: codes::B0106, name: "ENUM_VALUE_REMOVED", category: Wire, rationale: "peers still send or expect the value" },
    BreakingRule { code: codes::B0107, name: "RPC_REMOVED", category: Wire, rationale: "old clients still call it" },
    BreakingRule { code: codes::B0108, name: "RPC_INPUT_CHANGED", category: Wire, rationale: "old clients send the old request type" },
    BreakingRule { code: codes::B0109, name: "RPC_OUTPUT_CHANGED", category: Wire, rationale: "old clients decode the old response type" },
    BreakingRule { code: codes::B0110, name: "EVENT_REMOVED", category: Wire, rationale: "subscribers wait for a topic that is never published again" },
    BreakingRule { code: codes::B0111, name: "EVENT_TYPE_CHANGED", category: Wire, rationale: "subscribers decode the old message type" },
    BreakingRule { code: codes::B0112, name: "SERVICE_RENAMED", category: Wire, rationale: "the service name is in every rpc's URL and in discovery" },
    BreakingRule { code: codes::B0113, name: "ENUM_VALUE_ADDED", category: Wire, rationale: "old clients reject an enum name they do not know (invalid_argument); waive once every reader is updated" },
    BreakingRule { code: codes::B0201, name: "FIELD_PRESENCE_CHANGED", category: Source, rationale: "`T` and `?T` are different types in generated code" },
    BreakingRule { code: codes::B0202, name: "TYPE_REMOVED", category: Source, rationale: "callers name the generated type; renaming or removing it breaks their code (type names are not on the wire)" },
    BreakingRule { code: codes::B0203, name: "RPC_ERROR_ADDED", category: Source, rationale: "exhaustive matches over an rpc's errors stop compiling; on the wire old clients see an unknown error as a generic failure" },
];

/// Finds a breaking rule by code or name (case-insensitive).
pub fn rule(id: &str) -> Option<&'static BreakingRule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

/// `// brief:allow-breaking RULE reason`: accepts one breaking change at the next element.
const WAIVER: directives::Tool = directives::Tool {
    kind: directives::DirectiveKind::AllowBreaking,
    incomplete: codes::B0001,
    unknown: codes::B0002,
    rules_are: "breaking-change rule",
    noun: "waiver",
    example_reason: "why no peer is affected",
    lookup: |id| rule(id).map(|r| r.code),
    ids: || RULES.iter().flat_map(|r| [r.code, r.name]).collect(),
};

/// Which categories to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Wire,
    Source,
    All,
}

impl Filter {
    fn keeps(self, c: Category) -> bool {
        matches!(
            (self, c),
            (Filter::All, _) | (Filter::Wire, Category::Wire) | (Filter::Source, Category::Source)
        )
    }
}

/// Compares the IR of an earlier version (`old`) with a checked project (`new`, which must have an
/// IR). Returns the breaking changes that are neither filtered out nor waived, plus findings about
/// malformed waivers, sorted.
pub fn compare(old: &Ir, new: &Output, filter: Filter) -> Vec<Diagnostic> {
    let Some(new_ir) = &new.ir else {
        return Vec::new();
    };
    let mut cx = Cx {
        new,
        out: Vec::new(),
    };
    if let (Some(o), Some(n)) = (&old.service, &new_ir.service) {
        cx.contract(o, n);
    }
    for o in &old.dependencies {
        if let Some(n) = new_ir.dependencies.iter().find(|n| n.name == o.name) {
            cx.contract(o, n);
        }
    }
    let findings = cx.out;
    // Waivers.
    let (accepted, mut diags) = directives::accepted(new, &WAIVER);
    let waivers: HashSet<(FileId, usize, &'static str)> = accepted
        .into_iter()
        .map(|w| (w.file, w.target, w.code))
        .collect();
    let starts: HashMap<FileId, HashMap<usize, usize>> = new
        .files
        .values()
        .map(|lf| (lf.id, directives::element_starts(&lf.parsed)))
        .collect();
    for f in findings {
        let Some(r) = rule(f.code) else { continue };
        if !filter.keeps(r.category) {
            continue;
        }
        if let Some(s) = f.primary_span() {
            let el = starts
                .get(&s.file)
                .and_then(|m| m.get(&s.range.start))
                .copied()
                .unwrap_or(s.range.start);
            if waivers.contains(&(s.file, el, r.code)) {
                continue;
            }
        }
        diags.push(f);
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

struct Cx<'a> {
    new: &'a Output,
    out: Vec<Diagnostic>,
}

/// Message names reachable from the inputs (requests) and from the outputs (responses, events,
/// errors) of a contract.
fn roles(c: &Contract) -> (BTreeSet<String>, BTreeSet<String>) {
    let reach = |roots: Vec<&str>| -> BTreeSet<String> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut work: Vec<String> = roots.into_iter().map(str::to_owned).collect();
        while let Some(n) = work.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let fields: &[Field] = match c.type_def(&n) {
                Some(TypeDef::Message(m)) => &m.fields,
                Some(TypeDef::Error(e)) => &e.fields,
                _ => &[],
            };
            for f in fields {
                if let Some(name) = named(&f.ty) {
                    work.push(name.to_owned());
                }
            }
        }
        seen
    };
    let inputs = reach(c.rpcs.iter().map(|r| r.input.as_str()).collect());
    let outputs = reach(
        c.rpcs
            .iter()
            .flat_map(|r| {
                std::iter::once(r.output.as_str()).chain(r.errors.iter().map(String::as_str))
            })
            .chain(c.events.iter().map(|e| e.message.as_str()))
            .collect(),
    );
    (inputs, outputs)
}

/// The message or enum a type refers to, through lists, maps and optionals.
fn named(t: &Type) -> Option<&str> {
    match t {
        Type::List { elem } => named(elem),
        Type::Map { value, .. } => named(value),
        Type::Optional { inner } => named(inner),
        Type::Message { name } | Type::Enum { name } => Some(name),
        _ => None,
    }
}

fn type_text(t: &Type) -> String {
    match t {
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::String => "string".into(),
        Type::Bytes => "bytes".into(),
        Type::Time => "time".into(),
        Type::List { elem } => format!("[]{}", type_text(elem)),
        Type::Map { key, value } => {
            let k = match key {
                crate::ir::MapKey::String => "string",
                crate::ir::MapKey::Int => "int",
            };
            format!("map[{k}]{}", type_text(value))
        }
        Type::Optional { inner } => format!("?{}", type_text(inner)),
        Type::Message { name } | Type::Enum { name } => name.clone(),
    }
}

fn split_optional(t: &Type) -> (bool, &Type) {
    match t {
        Type::Optional { inner } => (true, inner),
        other => (false, other),
    }
}

fn kind_word(t: &TypeDef) -> &'static str {
    match t {
        TypeDef::Message(_) => "message",
        TypeDef::Enum(_) => "enum",
        TypeDef::Error(_) => "error",
    }
}

fn was(loc: &Loc) -> String {
    format!("before: {}:{}:{}", loc.file, loc.line, loc.column)
}

impl Cx<'_> {
    /// The span of a location in the new sources, cut to its first line (a whole message
    /// would be a wall of carets).
    fn span(&self, loc: &Loc) -> Span {
        let found = self.new.model.file(&loc.file);
        let Some((id, file)) = found.and_then(|id| Some((id, self.new.sources.get(id)?))) else {
            return Span::new(FileId(u32::MAX), loc.start..loc.end);
        };
        let end = file
            .text
            .get(loc.start..loc.end)
            .and_then(|t| t.find('\n'))
            .map(|i| loc.start + i)
            .unwrap_or(loc.end);
        Span::new(id, loc.start..end)
    }

    fn push(&mut self, code: &'static str, msg: String, at: &Loc, label: &str, notes: Vec<String>) {
        self.push_fix(code, msg, at, label, notes, None);
    }

    /// A finding with its category and, when there is a concrete one, its fix (the hint).
    fn push_fix(
        &mut self,
        code: &'static str,
        msg: String,
        at: &Loc,
        label: &str,
        notes: Vec<String>,
        fix: Option<String>,
    ) {
        let category = rule(code).map_or(Category::Wire, |r| r.category);
        let mut d = Diagnostic::new(code, msg)
            .primary(self.span(at), label)
            .category(category);
        for n in notes {
            d = d.note(n);
        }
        if let Some(f) = fix {
            d = d.hint(f);
        }
        self.out.push(d);
    }

    fn contract(&mut self, old: &Contract, new: &Contract) {
        if old.name != new.name {
            self.push(
                codes::B0112,
                format!("service `{}` was renamed to `{}`", old.name, new.name),
                &new.loc,
                "renamed here",
                vec![was(&old.loc)],
            );
        }
        let (old_in, old_out) = roles(old);
        let (new_in, new_out) = roles(new);
        let is_input = |n: &str| old_in.contains(n) || new_in.contains(n);
        let is_output = |n: &str| old_out.contains(n) || new_out.contains(n);
        for o in &old.rpcs {
            let Some(n) = new.rpcs.iter().find(|r| r.name == o.name) else {
                let mut notes = vec![was(&o.loc)];
                let added = new
                    .rpcs
                    .iter()
                    .filter(|r| !old.rpcs.iter().any(|x| x.name == r.name));
                if let Some(s) = did_you_mean(&o.name, added.map(|r| r.name.as_str())) {
                    notes.push(format!(
                        "renamed to `{s}`? a rename is a removal for old clients"
                    ));
                }
                self.push(
                    codes::B0107,
                    format!("rpc `{}` was removed", o.name),
                    &new.loc,
                    "from this service",
                    notes,
                );
                continue;
            };
            if o.input != n.input {
                self.push(
                    codes::B0108,
                    format!(
                        "rpc `{}` takes `{}` instead of `{}`",
                        n.name, n.input, o.input
                    ),
                    &n.loc,
                    "input type changed",
                    vec![was(&o.loc)],
                );
            }
            if o.output != n.output {
                self.push(
                    codes::B0109,
                    format!(
                        "rpc `{}` returns `{}` instead of `{}`",
                        n.name, n.output, o.output
                    ),
                    &n.loc,
                    "output type changed",
                    vec![was(&o.loc)],
                );
            }
            for e in &n.errors {
                if !o.errors.contains(e) {
                    self.push(
                        codes::B0203,
                        format!("rpc `{}` now throws `{e}`", n.name),
                        &n.loc,
                        "error added to throws",
                        vec![],
                    );
                }
            }
        }
        for o in &old.events {
            match new.events.iter().find(|e| e.topic == o.topic) {
                None => self.push(
                    codes::B0110,
                    format!("event `{}` was removed", o.topic),
                    &new.loc,
                    "no longer published by this service",
                    vec![was(&o.loc)],
                ),
                Some(n) if n.message != o.message => self.push(
                    codes::B0111,
                    format!(
                        "event `{}` carries `{}` instead of `{}`",
                        n.topic, n.message, o.message
                    ),
                    &n.loc,
                    "event type changed",
                    vec![was(&o.loc)],
                ),
                Some(_) => {}
            }
        }
        for ot in &old.types {
            let Some(nt) = new.type_def(ot.name()) else {
                let mut notes = vec![was(type_loc(ot))];
                let added = new
                    .types
                    .iter()
                    .filter(|t| old.type_def(t.name()).is_none());
                if let Some(s) = did_you_mean(ot.name(), added.map(TypeDef::name)) {
                    notes.push(format!("renamed to `{s}`?"));
                }
                self.push(
                    codes::B0202,
                    format!("{} `{}` was removed or renamed", kind_word(ot), ot.name()),
                    &new.loc,
                    "from this contract",
                    notes,
                );
                continue;
            };
            match (ot, nt) {
                (TypeDef::Message(o), TypeDef::Message(n)) => {
                    self.fields(
                        &o.name,
                        &o.fields,
                        &n.fields,
                        &n.loc,
                        is_input(&o.name),
                        is_output(&o.name),
                    );
                }
                (TypeDef::Error(o), TypeDef::Error(n)) => {
                    self.fields(&o.name, &o.fields, &n.fields, &n.loc, false, true);
                }
                (TypeDef::Enum(o), TypeDef::Enum(n)) => {
                    // Readers reject unknown names (docs/protocol.md 3.1): a new value breaks the
                    // old readers of an enum that responses, events or errors carry.
                    if is_output(&o.name) {
                        for v in n
                            .values
                            .iter()
                            .filter(|v| !o.values.iter().any(|x| x.name == v.name))
                        {
                            self.push(
                                codes::B0113,
                                format!("value `{}` was added to enum `{}`, which clients read", v.name, n.name),
                                &v.loc,
                                "new value",
                                vec!["old clients reject an enum name they do not know (`invalid_argument`); waive this once every reader is updated".to_owned()],
                            );
                        }
                    }
                    for v in &o.values {
                        if !n.values.iter().any(|x| x.name == v.name) {
                            self.push(
                                codes::B0106,
                                format!("value `{}` of enum `{}` was removed", v.name, n.name),
                                &n.loc,
                                "from this enum",
                                vec![was(&v.loc)],
                            );
                        }
                    }
                }
                _ => self.push(
                    codes::B0202,
                    format!(
                        "`{}` changed from {} to {}",
                        ot.name(),
                        kind_word(ot),
                        kind_word(nt)
                    ),
                    type_loc(nt),
                    "different kind of type",
                    vec![was(type_loc(ot))],
                ),
            }
        }
    }

    fn fields(
        &mut self,
        owner: &str,
        old: &[Field],
        new: &[Field],
        owner_loc: &Loc,
        input: bool,
        output: bool,
    ) {
        for o in old {
            let Some(n) = new.iter().find(|f| f.name == o.name) else {
                let mut notes = vec![was(&o.loc)];
                let added: Vec<&str> = new
                    .iter()
                    .filter(|f| !old.iter().any(|x| x.name == f.name) && f.ty == o.ty)
                    .map(|f| f.name.as_str())
                    .collect();
                if let [one] = added.as_slice() {
                    notes.push(format!(
                        "renamed to `{one}`? the name is the JSON key on the wire"
                    ));
                }
                self.push(
                    codes::B0101,
                    format!("field `{}` of `{owner}` was removed", o.name),
                    owner_loc,
                    "from this type",
                    notes,
                );
                continue;
            };
            let (o_opt, o_inner) = split_optional(&o.ty);
            let (n_opt, n_inner) = split_optional(&n.ty);
            if o_inner != n_inner {
                self.push(
                    codes::B0102,
                    format!(
                        "field `{}` of `{owner}` changed type from `{}` to `{}`",
                        n.name,
                        type_text(&o.ty),
                        type_text(&n.ty)
                    ),
                    &n.loc,
                    "type changed",
                    vec![was(&o.loc)],
                );
                continue;
            }
            if o_opt != n_opt {
                let (from, to) = (type_text(&o.ty), type_text(&n.ty));
                self.push(
                    codes::B0201,
                    format!(
                        "field `{}` of `{owner}` changed from `{from}` to `{to}`",
                        n.name
                    ),
                    &n.loc,
                    "presence changed",
                    vec![was(&o.loc)],
                );
                if o_opt && input {
                    self.push(
                        codes::B0103,
                        format!("field `{}` of `{owner}` became required", n.name),
                        &n.loc,
                        "old clients may omit it",
                        vec![format!("`{owner}` is sent by clients")],
                    );
                }
                if n_opt && output {
                    self.push(
                        codes::B0104,
                        format!("field `{}` of `{owner}` became optional", n.name),
                        &n.loc,
                        "old readers expect it",
                        vec![format!("`{owner}` is read by clients or subscribers")],
                    );
                }
            }
        }
        if input {
            for n in new {
                if !old.iter().any(|o| o.name == n.name) && !matches!(n.ty, Type::Optional { .. }) {
                    self.push_fix(
                        codes::B0105,
                        format!("required field `{}` was added to `{owner}`", n.name),
                        &n.loc,
                        "old clients do not send it",
                        vec![format!("`{owner}` is sent by clients")],
                        Some(format!(
                            "make it optional: `{} ?{}`",
                            n.name,
                            type_text(&n.ty)
                        )),
                    );
                }
            }
        }
    }
}

fn type_loc(t: &TypeDef) -> &Loc {
    match t {
        TypeDef::Message(m) => &m.loc,
        TypeDef::Enum(e) => &e.loc,
        TypeDef::Error(e) => &e.loc,
    }
}
