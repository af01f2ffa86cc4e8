//! The proto3 export: one `.proto` file of the service's own contract, for gRPC tooling: a
//! message per message and error, an enum per enum (its first member is the zero value, as on
//! the wire), wrapper messages where proto3 has no direct form, and a `<Service>Service` with
//! the rpcs. Field numbers follow the fields' declared order; `json_name` keeps the wire names.
//! What cannot map is in docs/export.md.
use crate::proto_types::{claim, pascal, snake, Types};
use crate::{describe, subject};
use brief_codegen::naming::{lower_snake, Digits};
use brief_codegen::scope::Scope;
use brief_codegen::write::GENERATED_MARKER;
use brief_codegen::{Backend, GeneratedFile};
use compiler::ir::{Contract, Deprecated, Enum, Field, Ir, Rpc, TypeDef};
use compiler::{Diagnostic, Sources};
use std::fmt::Write;

/// The proto3 backend: `<service>.proto` (package `brief.<service>.v1`).
#[derive(Debug, Clone, Default)]
pub struct Proto;

impl Backend for Proto {
    fn name(&self) -> &'static str {
        "proto3"
    }

    fn generate(&self, ir: &Ir, _: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        let stem = snake(subject(ir));
        Ok(vec![GeneratedFile::new(
            format!("{stem}.proto"),
            render(ir, &stem),
        )])
    }
}

/// `// ` comment lines of `text` at `indent`.
fn comment(out: &mut String, indent: &str, text: Option<String>) {
    for line in text.iter().flat_map(|t| t.lines()) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}//");
        } else {
            let _ = writeln!(out, "{indent}// {line}");
        }
    }
}

fn render(ir: &Ir, stem: &str) -> String {
    let mut types = Types::default();
    let mut body = String::new();
    let mut service_doc = None;
    if let Some(c) = &ir.service {
        service_doc = describe::text(c.doc.as_deref(), c.deprecated.as_ref());
        for t in &c.types {
            types.declare(t.name());
        }
        for t in &c.types {
            match t {
                TypeDef::Message(m) => {
                    let doc = describe::text(m.doc.as_deref(), m.deprecated.as_ref());
                    message(
                        &mut body,
                        &mut types,
                        &m.name,
                        doc,
                        m.deprecated.as_ref(),
                        &m.fields,
                    );
                }
                TypeDef::Error(e) => {
                    let lead = format!("Application error `{}` (HTTP 422, `error.code` \"{}\", these fields in `error.details`).", e.name, e.name);
                    let doc = describe::text(e.doc.as_deref(), e.deprecated.as_ref());
                    let text = Some(match doc {
                        Some(d) => format!("{lead}\n\n{d}"),
                        None => lead,
                    });
                    message(
                        &mut body,
                        &mut types,
                        &e.name,
                        text,
                        e.deprecated.as_ref(),
                        &e.fields,
                    );
                }
                TypeDef::Enum(e) => enumeration(&mut body, &mut types, e),
            }
        }
        let wrappers = std::mem::take(&mut types.wrappers);
        for w in wrappers {
            let _ = writeln!(
                body,
                "// Wraps one `{}`: proto3 has no direct form for it here (docs/export.md).\nmessage {} {{\n  {} {} = 1;\n}}\n",
                w.brief, w.name, w.decl, w.field
            );
        }
        service(&mut body, &types, c);
    }
    let mut out =
        format!("// {GENERATED_MARKER} export from the service's contract. DO NOT EDIT.\n");
    if let Some(c) = &ir.service {
        let _ = writeln!(out, "// source: {}", c.loc.file);
    }
    out.push('\n');
    let _ = writeln!(out, "syntax = \"proto3\";\n");
    comment(&mut out, "", service_doc);
    // The stem is the subject's lower_snake, starting with a letter: a valid package element.
    let _ = writeln!(out, "package brief.{stem}.v1;\n");
    if types.uses_time {
        let _ = writeln!(out, "import \"google/protobuf/timestamp.proto\";\n");
    }
    out.push_str(&body);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The ` [json_name = ..., deprecated = true]` options of a field or value.
fn options(json_name: Option<&str>, deprecated: bool) -> String {
    let mut o = Vec::new();
    if let Some(j) = json_name {
        o.push(format!(
            "json_name = \"{}\"",
            j.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }
    if deprecated {
        o.push("deprecated = true".to_owned());
    }
    if o.is_empty() {
        String::new()
    } else {
        format!(" [{}]", o.join(", "))
    }
}

fn message(
    out: &mut String,
    types: &mut Types,
    name: &str,
    doc: Option<String>,
    deprecated: Option<&Deprecated>,
    fields: &[Field],
) {
    comment(out, "", doc);
    let proto = types.named(name);
    let _ = writeln!(out, "message {proto} {{");
    if deprecated.is_some() {
        let _ = writeln!(out, "  option deprecated = true;");
    }
    let mut scope = Scope::default();
    for (i, f) in fields.iter().enumerate() {
        comment(
            out,
            "  ",
            describe::text(f.doc.as_deref(), f.deprecated.as_ref()),
        );
        let field_name = claim(&mut scope, &snake(&f.name), "_");
        let decl = types.field(&f.ty);
        let opts = options(Some(&f.name), f.deprecated.is_some());
        let _ = writeln!(out, "  {decl} {field_name} = {}{opts};", i + 1);
    }
    let _ = writeln!(out, "}}\n");
}

fn enumeration(out: &mut String, types: &mut Types, e: &Enum) {
    let mut doc = describe::text(e.doc.as_deref(), e.deprecated.as_ref()).unwrap_or_default();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(
        "On the wire (JSON) a member is its contract name; the first member is the zero value.",
    );
    comment(out, "", Some(doc));
    let proto = types.named(&e.name);
    let _ = writeln!(out, "enum {proto} {{");
    if e.deprecated.is_some() {
        let _ = writeln!(out, "  option deprecated = true;");
    }
    let prefix = lower_snake(&proto, Digits::FollowCase).to_ascii_uppercase();
    for (i, v) in e.values.iter().enumerate() {
        let mut text = describe::text(v.doc.as_deref(), v.deprecated.as_ref()).unwrap_or_default();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("Wire name: \"{}\".", v.name));
        comment(out, "  ", Some(text));
        let value = format!(
            "{prefix}_{}",
            lower_snake(&v.name, Digits::FollowCase).to_ascii_uppercase()
        );
        let value = claim(&mut types.scope, &value, "_");
        let opts = options(None, v.deprecated.is_some());
        let _ = writeln!(out, "  {value} = {i}{opts};");
    }
    let _ = writeln!(out, "}}\n");
}

fn service(out: &mut String, types: &Types, c: &Contract) {
    if c.rpcs.is_empty() {
        return;
    }
    let name = format!("{}Service", pascal(&c.name));
    let _ = writeln!(
        out,
        "// The rpcs of service \"{}\" (on the wire: POST /rpc/{}/<rpc> with JSON).",
        c.name, c.name
    );
    let _ = writeln!(out, "service {name} {{");
    if c.deprecated.is_some() {
        let _ = writeln!(out, "  option deprecated = true;");
    }
    let mut scope = Scope::default();
    for rpc in &c.rpcs {
        comment(out, "  ", rpc_doc(rpc));
        let rpc_name = claim(&mut scope, &pascal(&rpc.name), "");
        let input = types.named(&rpc.input);
        let output = types.named(&rpc.output);
        let mut opts = Vec::new();
        if rpc.idempotent {
            opts.push("option idempotency_level = IDEMPOTENT;");
        }
        if rpc.deprecated.is_some() {
            opts.push("option deprecated = true;");
        }
        if opts.is_empty() {
            let _ = writeln!(out, "  rpc {rpc_name}({input}) returns ({output});");
        } else {
            let _ = writeln!(out, "  rpc {rpc_name}({input}) returns ({output}) {{");
            for o in opts {
                let _ = writeln!(out, "    {o}");
            }
            let _ = writeln!(out, "  }}");
        }
    }
    let _ = writeln!(out, "}}\n");
}

/// An rpc's comment: its doc, its wire name, `@timeout` and declared errors.
fn rpc_doc(rpc: &Rpc) -> Option<String> {
    let mut lines: Vec<String> = describe::text(rpc.doc.as_deref(), rpc.deprecated.as_ref())
        .into_iter()
        .collect();
    let mut facts = vec![format!("Wire name: \"{}\".", rpc.name)];
    if let Some(ms) = rpc.timeout_ms {
        facts.push(format!("Timeout: {ms} ms."));
    }
    if !rpc.errors.is_empty() {
        facts.push(format!("Errors: {}.", rpc.errors.join(", ")));
    }
    lines.push(facts.join(" "));
    Some(lines.join("\n\n"))
}
