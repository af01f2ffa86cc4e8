//! View-models: everything the templates print, computed here (class, member and case names,
//! PHP types, docblock types, codec descriptors, `use` lines, docblocks). Templates only lay
//! them out.
use crate::names;
use brief_codegen::doc::{deprecation_reason, lines};
use brief_codegen::scope::Scope;
use compiler::ir::{Contract, Deprecated, Field, MapKey, Rpc, Type, TypeDef};
use compiler::{codes, Diagnostic};
use serde::Serialize;
use std::collections::BTreeMap;

/// The runtime's namespace.
pub const RUNTIME: &str = "Brief\\Runtime";

/// Properties of every PHP exception, which the fields of an error cannot be named.
const EXCEPTION_PROPERTIES: &[&str] = &[
    "code", "file", "line", "message", "previous", "string", "this", "trace",
];

/// Classes generated files import (`use`), which contract types cannot be named (lower case).
const IMPORTED: &[&str] = &[
    "apperror",
    "brief",
    "briefexception",
    "client",
    "codec",
    "context",
    "datetimeimmutable",
    "message",
    "publisher",
    "rpc",
    "service",
];

/// Methods of generated clients besides the rpcs (PHP compares method names case-insensitively).
const CLIENT_METHODS: &[&str] = &["__construct", "fromenv"];

/// What a generated file is.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Enum(EnumVm),
    Message(ClassVm),
    Error(ClassVm),
    Handler(ServiceVm),
    Unimplemented(ServiceVm),
    Server(ServiceVm),
    Client(ServiceVm),
    Publisher(PublisherVm),
    EventHandler(crate::consumer::ConsumerVm),
    Consumer(crate::consumer::ConsumerVm),
}

/// One PHP file: its header and one class-like declaration.
#[derive(Debug, Serialize)]
pub struct FileVm {
    pub source: String,
    pub namespace: String,
    pub uses: Vec<String>,
    pub body: Body,
}

#[derive(Debug, Serialize)]
pub struct EnumVm {
    pub doc: String,
    pub name: String,
    pub cases: Vec<CaseVm>,
}

#[derive(Debug, Serialize)]
pub struct CaseVm {
    pub doc: String,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ClassVm {
    pub doc: String,
    pub name: String,
    /// Errors: the error's name (the envelope code) and the exception message, as literals.
    pub code: String,
    pub message: String,
    pub params: Vec<ParamVm>,
}

#[derive(Debug, Serialize)]
pub struct ParamVm {
    /// Docblock lines about the field (its doc, deprecation).
    pub doc: Vec<String>,
    /// The docblock type, when it says more than the native type (`list<string>`).
    pub doc_type: Option<String>,
    pub php_type: String,
    pub name: String,
    pub default: String,
    pub wire: String,
    /// The field's JSON path suffix as a literal (`'.id'`).
    pub path: String,
    pub codec: String,
    pub optional: bool,
}

#[derive(Debug, Serialize)]
pub struct ServiceVm {
    pub doc: String,
    pub name: String,
    pub handler: String,
    pub service: String,
    /// The calling service's name as a literal: what generated clients send as
    /// X-Source-Service and key their breaker state by.
    pub caller: String,
    pub rpcs: Vec<RpcVm>,
}

#[derive(Debug, Serialize)]
pub struct RpcVm {
    pub doc: Vec<String>,
    pub throws: Vec<String>,
    pub lit: String,
    pub method: String,
    pub input: String,
    pub output: String,
    pub descriptor: String,
}

#[derive(Debug, Serialize)]
pub struct PublisherVm {
    pub doc: String,
    pub name: String,
    pub service: String,
    pub events: Vec<EventVm>,
}

#[derive(Debug, Serialize)]
pub struct EventVm {
    pub doc: String,
    pub method: String,
    pub message: String,
    pub topic: String,
}

/// One contract's namespace: the class names of its types and its files' bodies (file stem =
/// class name).
#[derive(Debug)]
pub struct ContractVm {
    pub bodies: Vec<(String, Body, bool)>,
    /// The PHP class of each of the contract's types, by contract name.
    pub classes: BTreeMap<String, String>,
}

/// A docblock of `lines` at `indent` with its final newline, or nothing without lines.
pub fn docblock(lines: &[String], indent: &str) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut s = format!("{indent}/**\n");
    for l in lines {
        if l.is_empty() {
            s.push_str(&format!("{indent} *\n"));
        } else {
            s.push_str(&format!("{indent} * {l}\n"));
        }
    }
    s.push_str(&format!("{indent} */\n"));
    s
}

/// Doc lines with the deprecation note appended, made safe for a docblock.
fn doc_lines(doc: Option<&str>, deprecated: Option<&Deprecated>, fallback: &str) -> Vec<String> {
    let mut l = doc.map(lines).unwrap_or_default();
    if l.is_empty() && !fallback.is_empty() {
        l.push(fallback.to_owned());
    }
    if let Some(d) = deprecated {
        if !l.is_empty() {
            l.push(String::new());
        }
        l.push(format!("@deprecated {}", deprecation_reason(d)));
    }
    l.into_iter().map(|s| names::doc_safe(&s)).collect()
}

/// The class names of a contract's types, then the view-models of its files. `server` adds the
/// handler, its base and the server glue; `publisher` the publisher of its events.
pub fn contract(
    c: &Contract,
    server: bool,
    publisher: bool,
    caller: &str,
) -> Result<ContractVm, Diagnostic> {
    let svc = names::upper(&c.name);
    let mut ns = Scope::with(IMPORTED);
    let handler = names::claim_class(&mut ns, &format!("{svc}Handler"), "_");
    let unimplemented = names::claim_class(&mut ns, &format!("Unimplemented{svc}Handler"), "_");
    let server_name = names::claim_class(&mut ns, &format!("{svc}Server"), "_");
    let client_name = names::claim_class(&mut ns, &format!("{svc}Client"), "_");
    let publisher_name = names::claim_class(&mut ns, &format!("{svc}Publisher"), "_");
    let mut classes: BTreeMap<&str, String> = BTreeMap::new();
    for t in &c.types {
        let base = names::upper(t.name());
        let name = match t {
            TypeDef::Enum(_) => names::claim_class(&mut ns, &base, "Enum"),
            TypeDef::Message(_) => names::claim_class(&mut ns, &base, "Message"),
            TypeDef::Error(_) if base.ends_with("Exception") => {
                names::claim_class(&mut ns, &base, "Error")
            }
            TypeDef::Error(_) => names::claim_class(&mut ns, &format!("{base}Exception"), "Error"),
        };
        classes.insert(t.name(), name);
    }
    let class = |name: &str| -> Result<String, Diagnostic> {
        classes.get(name).cloned().ok_or_else(|| {
            Diagnostic::new(
                codes::E0201,
                format!("contract `{}`: unknown type `{name}`", c.name),
            )
        })
    };

    let mut bodies = Vec::new();
    for t in &c.types {
        match t {
            TypeDef::Enum(e) => {
                let name = class(&e.name)?;
                let mut cases = Scope::with(&["class"]);
                let cases = e
                    .values
                    .iter()
                    .map(|v| CaseVm {
                        doc: docblock(
                            &doc_lines(v.doc.as_deref(), v.deprecated.as_ref(), ""),
                            "    ",
                        ),
                        name: names::claim_member(
                            &mut cases,
                            &names::upper(&v.name),
                            "Value",
                            true,
                        ),
                        value: names::quote(&v.name),
                    })
                    .collect();
                let fallback = format!("Enum {} (on the wire: the member's name).", e.name);
                let doc = doc_lines(e.doc.as_deref(), e.deprecated.as_ref(), &fallback);
                let doc = docblock(&doc, "");
                bodies.push((name.clone(), Body::Enum(EnumVm { doc, name, cases }), false));
            }
            TypeDef::Message(m) => {
                let name = class(&m.name)?;
                let (params, time) = params(&m.fields, &["this"], &class)?;
                let fallback = format!("Message {}.", m.name);
                let doc = doc_lines(m.doc.as_deref(), m.deprecated.as_ref(), &fallback);
                let vm = ClassVm {
                    doc: docblock(&doc, ""),
                    name: name.clone(),
                    code: names::quote(&m.name),
                    message: names::quote(""),
                    params,
                };
                bodies.push((name, Body::Message(vm), time));
            }
            TypeDef::Error(e) => {
                let name = class(&e.name)?;
                let (params, time) = params(&e.fields, EXCEPTION_PROPERTIES, &class)?;
                let text = match e.doc.as_deref().map(brief_codegen::doc::one_line) {
                    Some(d) if !d.is_empty() => format!("{}: {d}", e.name),
                    _ => e.name.clone(),
                };
                let fallback = format!("Error {} (HTTP 422, code {}).", e.name, e.name);
                let doc = doc_lines(e.doc.as_deref(), e.deprecated.as_ref(), &fallback);
                let vm = ClassVm {
                    doc: docblock(&doc, ""),
                    name: name.clone(),
                    code: names::quote(&e.name),
                    message: names::quote(&text),
                    params,
                };
                bodies.push((name, Body::Error(vm), time));
            }
        }
    }

    let mut methods = Scope::with(CLIENT_METHODS);
    let mut rpcs = Vec::new();
    for r in &c.rpcs {
        rpcs.push(rpc_vm(r, &class, &mut methods)?);
    }
    let service = names::quote(&c.name);
    let svc_vm = |name: &str, doc: String, rpcs: Vec<RpcVm>| ServiceVm {
        doc: docblock(&[doc], ""),
        name: name.to_owned(),
        handler: handler.clone(),
        service: service.clone(),
        caller: names::quote(caller),
        rpcs,
    };
    let clone_rpcs = |v: &[RpcVm]| -> Vec<RpcVm> {
        v.iter()
            .map(|r| RpcVm {
                doc: r.doc.clone(),
                throws: r.throws.clone(),
                lit: r.lit.clone(),
                method: r.method.clone(),
                input: r.input.clone(),
                output: r.output.clone(),
                descriptor: r.descriptor.clone(),
            })
            .collect()
    };
    if server {
        let hdoc = doc_lines(
            c.doc.as_deref(),
            c.deprecated.as_ref(),
            &format!("The handler of service {}: one method per rpc.", c.name),
        );
        bodies.push((
            handler.clone(),
            Body::Handler(ServiceVm {
                doc: docblock(&hdoc, ""),
                ..svc_vm(&handler, String::new(), clone_rpcs(&rpcs))
            }),
            false,
        ));
        bodies.push((
            unimplemented.clone(),
            Body::Unimplemented(svc_vm(
                &unimplemented,
                format!(
                    "A base for {handler}: every rpc answers `unimplemented` until overridden."
                ),
                clone_rpcs(&rpcs),
            )),
            false,
        ));
        bodies.push((
            server_name.clone(),
            Body::Server(svc_vm(
                &server_name,
                format!(
                    "Serves service {} with its {handler}: give it to Brief\\Runtime\\Server.",
                    c.name
                ),
                clone_rpcs(&rpcs),
            )),
            false,
        ));
    }
    if !rpcs.is_empty() {
        bodies.push((
            client_name.clone(),
            Body::Client(svc_vm(
                &client_name,
                format!("A typed client of service {}.", c.name),
                rpcs,
            )),
            false,
        ));
    }
    if publisher && !c.events.is_empty() {
        let mut pm = Scope::with(&["__construct", "fromenv"]);
        let mut events = Vec::new();
        for ev in &c.events {
            let message = class(&ev.message)?;
            let method = names::claim_member(
                &mut pm,
                &format!("publish{}", names::upper(&ev.topic)),
                "Event",
                true,
            );
            let mut doc = doc_lines(ev.doc.as_deref(), None, "");
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.push(format!(
                "Publishes $m on topic {} and returns the event id.",
                ev.topic
            ));
            if let Some(d) = &ev.deprecated {
                doc.push(String::new());
                doc.push(names::doc_safe(&format!(
                    "@deprecated {}",
                    deprecation_reason(d)
                )));
            }
            events.push(EventVm {
                doc: docblock(&doc, "    "),
                method,
                message,
                topic: names::quote(&ev.topic),
            });
        }
        bodies.push((
            publisher_name.clone(),
            Body::Publisher(PublisherVm {
                doc: docblock(
                    &[format!(
                        "Publishes the events of service {} on the data bus.",
                        c.name
                    )],
                    "",
                ),
                name: publisher_name,
                service,
                events,
            }),
            false,
        ));
    }
    let classes = classes
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Ok(ContractVm { bodies, classes })
}

fn rpc_vm(
    r: &Rpc,
    class: &dyn Fn(&str) -> Result<String, Diagnostic>,
    methods: &mut Scope,
) -> Result<RpcVm, Diagnostic> {
    let method = names::claim_member(methods, &names::lower(&r.name), "Rpc", true);
    let input = class(&r.input)?;
    let output = class(&r.output)?;
    let mut throws = Vec::new();
    let mut errors = Vec::new();
    for e in &r.errors {
        let c = class(e)?;
        errors.push(format!("{c}::class"));
        throws.push(c);
    }
    let timeout = r
        .timeout_ms
        .map_or_else(|| "null".to_owned(), |ms| ms.to_string());
    let descriptor = format!(
        "new Rpc({}, {}, {timeout}, [{}])",
        names::quote(&r.name),
        r.idempotent,
        errors.join(", ")
    );
    let mut doc = doc_lines(r.doc.as_deref(), None, &format!("Rpc {}.", r.name));
    let mut tags = vec![String::new()];
    if r.idempotent {
        tags.push("Idempotent: retried on `unavailable`.".to_owned());
    }
    if let Some(ms) = r.timeout_ms {
        tags.push(format!("Timeout: {ms} ms."));
    }
    if tags.len() > 1 {
        doc.extend(tags);
    }
    if let Some(d) = &r.deprecated {
        doc.push(String::new());
        doc.push(names::doc_safe(&format!(
            "@deprecated {}",
            deprecation_reason(d)
        )));
    }
    Ok(RpcVm {
        doc,
        throws,
        lit: names::quote(&r.name),
        method,
        input,
        output,
        descriptor,
    })
}

/// The constructor parameters of a message or error, and whether one is a time.
fn params(
    fields: &[Field],
    reserved: &[&str],
    class: &dyn Fn(&str) -> Result<String, Diagnostic>,
) -> Result<(Vec<ParamVm>, bool), Diagnostic> {
    let mut scope = Scope::with(reserved);
    let mut out = Vec::new();
    let mut time = false;
    for f in fields {
        let name = names::claim_member(&mut scope, &names::lower(&f.name), "Field", false);
        let t = php_type(&f.ty, class)?;
        time |= t.time;
        let doc = doc_lines(f.doc.as_deref(), f.deprecated.as_ref(), "");
        out.push(ParamVm {
            doc,
            doc_type: (t.doc != t.native).then_some(t.doc),
            php_type: t.native,
            name,
            default: t.default,
            wire: names::quote(&f.name),
            path: names::quote(&format!(".{}", f.name)),
            codec: t.codec,
            optional: matches!(f.ty, Type::Optional { .. }),
        });
    }
    Ok((out, time))
}

/// A contract type in PHP: its native type, docblock type, default value and codec descriptor.
struct PhpType {
    native: String,
    doc: String,
    default: String,
    codec: String,
    time: bool,
}

fn php_type(
    t: &Type,
    class: &dyn Fn(&str) -> Result<String, Diagnostic>,
) -> Result<PhpType, Diagnostic> {
    let simple = |native: &str, default: &str, codec: &str| PhpType {
        native: native.to_owned(),
        doc: native.to_owned(),
        default: default.to_owned(),
        codec: names::quote(codec),
        time: false,
    };
    Ok(match t {
        Type::Int => simple("int", "0", "int"),
        Type::Float => simple("float", "0.0", "float"),
        Type::Bool => simple("bool", "false", "bool"),
        Type::String => simple("string", "''", "string"),
        Type::Bytes => simple("string", "''", "bytes"),
        Type::Time => PhpType {
            native: "DateTimeImmutable".into(),
            doc: "DateTimeImmutable".into(),
            default: "new DateTimeImmutable('0001-01-01T00:00:00Z')".into(),
            codec: names::quote("time"),
            time: true,
        },
        Type::List { elem } => {
            let e = php_type(elem, class)?;
            PhpType {
                native: "array".into(),
                doc: format!("list<{}>", e.doc),
                default: "[]".into(),
                codec: format!("['list', {}]", e.codec),
                time: e.time,
            }
        }
        Type::Map { key, value } => {
            let v = php_type(value, class)?;
            let k = match key {
                MapKey::String => "string",
                MapKey::Int => "int",
            };
            PhpType {
                native: "array".into(),
                doc: format!("array<{k}, {}>", v.doc),
                default: "[]".into(),
                codec: format!("['map', '{k}', {}]", v.codec),
                time: v.time,
            }
        }
        Type::Optional { inner } => {
            let i = php_type(inner, class)?;
            PhpType {
                native: format!("?{}", i.native),
                doc: if i.doc == i.native {
                    format!("?{}", i.doc)
                } else {
                    format!("{}|null", i.doc)
                },
                default: "null".into(),
                codec: format!("['opt', {}]", i.codec),
                time: i.time,
            }
        }
        Type::Message { name } => {
            let c = class(name)?;
            PhpType {
                native: c.clone(),
                doc: c.clone(),
                default: format!("new {c}()"),
                codec: format!("['msg', {c}::class]"),
                time: false,
            }
        }
        Type::Enum { name } => {
            let c = class(name)?;
            PhpType {
                native: c.clone(),
                doc: c.clone(),
                default: format!("{c}::FIRST"),
                codec: format!("['enum', {c}::class]"),
                time: false,
            }
        }
    })
}
