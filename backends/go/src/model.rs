//! View-models: everything the template prints, computed here (names, Go types, imports,
//! comments, gofmt's column alignment). The template only lays it out.
use crate::doc::{self, Lead};
use crate::names;
use brief_codegen::scope::Scope;
use compiler::ir::{Contract, Enum, ErrorType, Event, Field, MapKey, Message, Rpc, Type, TypeDef};
use compiler::{codes, Diagnostic};
use serde::Serialize;
use std::collections::BTreeMap;

/// The runtime's import path.
pub const RUNTIME: &str = "github.com/brief-paas/paasctl/runtime-go";

/// Package-level names every generated package reserves, so that contract names never take them
/// (whether or not this package declares them).
const RESERVED: &[&str] = &[
    "Client",
    "Consumer",
    "HandleEvents",
    "NewClient",
    "NewHandler",
    "NewPublisher",
    "Publisher",
    "Server",
    "ServiceName",
    "Subscribe",
    "Subscriptions",
    "UnimplementedServer",
];

/// Methods of generated error types, which their fields cannot be named.
const ERROR_METHODS: &[&str] = &["AppErrorMessage", "Error", "ErrorCode", "ServerMessage"];

#[derive(Debug, Serialize)]
pub struct FileVm {
    pub source: String,
    pub package_doc: Vec<String>,
    pub package: String,
    pub std_imports: Vec<String>,
    pub other_imports: Vec<String>,
    pub c: Option<ContractVm>,
    pub consumers: Vec<ConsumerVm>,
}

#[derive(Debug, Serialize)]
pub struct ContractVm {
    pub service_lit: String,
    pub service_plain: String,
    pub service_path: String,
    pub env_var: String,
    pub server: bool,
    pub publisher: bool,
    pub enums: Vec<EnumVm>,
    pub messages: Vec<StructVm>,
    pub errors: Vec<StructVm>,
    pub rpcs: Vec<RpcVm>,
    pub events: Vec<EventVm>,
    #[serde(skip)]
    pub uses_time: bool,
}

#[derive(Debug, Serialize)]
pub struct EnumVm {
    pub doc: Vec<String>,
    /// `EnumNames`, `String`, `MarshalText`, `UnmarshalText`, each with its comment.
    pub methods: Vec<String>,
    pub name: String,
    pub consts: Vec<LineVm>,
    pub names_var: String,
    pub names_list: String,
}

/// One line of code with the comment lines above it.
#[derive(Debug, Serialize)]
pub struct LineVm {
    pub doc: Vec<String>,
    pub line: String,
}

#[derive(Debug, Serialize)]
pub struct StructVm {
    pub doc: Vec<String>,
    pub name: String,
    pub fields: Vec<LineVm>,
    /// Errors only: the `ErrorCode` and `Error` methods.
    pub methods: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RpcVm {
    pub doc: Vec<String>,
    pub descriptor: String,
    pub fields: Vec<String>,
    pub errors: Vec<String>,
    pub method: String,
    pub input: String,
    pub output: String,
    pub server_doc: Vec<String>,
    pub client_doc: Vec<String>,
}

#[derive(Debug, Serialize, Clone)]
pub struct EventVm {
    pub topic: String,
    pub topic_doc: Vec<String>,
    pub topic_const: String,
    pub topic_lit: String,
    pub message: String,
    pub publish_method: String,
    pub publish_doc: Vec<String>,
    pub handle_func: String,
    pub handle_doc: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConsumerVm {
    pub doc: Vec<String>,
    pub method: String,
    pub message: String,
    pub topic_const: String,
    pub handle_func: String,
}

/// Builds the view-model of one contract's package.
pub fn contract(c: &Contract, server: bool, publisher: bool) -> Result<ContractVm, Diagnostic> {
    let mut pkg = Scope::with(RESERVED);
    // Types first, in IR order: their names are what users see most.
    let mut type_names: BTreeMap<&str, String> = BTreeMap::new();
    for t in &c.types {
        let base = names::exported(t.name());
        let go_name = match t {
            TypeDef::Enum(_) => names::claim(&mut pkg, &base, "Enum"),
            TypeDef::Message(_) => names::claim(&mut pkg, &base, "Message"),
            TypeDef::Error(_) if base.ends_with("Error") => pkg.claim(&base),
            TypeDef::Error(_) => pkg.claim(&format!("{base}Error")),
        };
        type_names.insert(t.name(), go_name);
    }
    let go = |name: &str| -> Result<String, Diagnostic> {
        type_names.get(name).cloned().ok_or_else(|| {
            Diagnostic::new(
                codes::E0201,
                format!("contract `{}`: unknown type `{name}`", c.name),
            )
        })
    };
    let mut uses_time = c.rpcs.iter().any(|r| r.timeout_ms.is_some());

    let mut enums = Vec::new();
    let mut messages = Vec::new();
    let mut errors = Vec::new();
    for t in &c.types {
        match t {
            TypeDef::Enum(e) => enums.push(enum_vm(e, &go(&e.name)?, &mut pkg)),
            TypeDef::Message(m) => {
                messages.push(message_vm(m, &go(&m.name)?, &go, &mut uses_time)?)
            }
            TypeDef::Error(e) => errors.push(error_vm(e, &go(&e.name)?, &go, &mut uses_time)?),
        }
    }

    let mut methods = Scope::default();
    let mut rpcs = Vec::new();
    for r in &c.rpcs {
        rpcs.push(rpc_vm(r, &go, &mut pkg, &mut methods)?);
    }
    let events = events_vm(&c.events, &go, &mut pkg)?;

    Ok(ContractVm {
        service_lit: names::quote(&c.name),
        service_plain: c.name.clone(),
        service_path: c.name.clone(),
        env_var: names::env_var(&c.name),
        server,
        publisher: publisher && !events.is_empty(),
        enums,
        messages,
        errors,
        rpcs,
        events,
        uses_time,
    })
}

fn enum_vm(e: &Enum, name: &str, pkg: &mut Scope) -> EnumVm {
    let doc = doc::top(&doc::text(
        name,
        e.doc.as_deref(),
        Lead::Noun,
        &format!("{name} is enum {}.", e.name),
        e.deprecated.as_ref(),
    ));
    let mut rows = Vec::new();
    for (i, v) in e.values.iter().enumerate() {
        let cname = names::claim(pkg, &format!("{name}{}", names::exported(&v.name)), "Value");
        let mut text = v.doc.as_deref().map(doc::lines).unwrap_or_default();
        doc::push_deprecated(&mut text, v.deprecated.as_ref());
        rows.push((doc::inner(&text), vec![cname, format!("{name} = {i}")]));
    }
    let names_var = pkg.claim(&format!("{}Names", names::unexported(name)));
    let names_list = e
        .values
        .iter()
        .map(|v| names::quote(&v.name))
        .collect::<Vec<_>>()
        .join(", ");
    let method = |doc: &str, header: String, stmt: String| {
        format!(
            "// {doc}\n{}",
            one_line_funcs(vec![(header, stmt)]).concat()
        )
    };
    let methods = vec![
        method(
            "EnumNames implements brief.Enum.",
            format!("func ({name}) EnumNames() []string"),
            format!("return {names_var}"),
        ),
        method(
            "String returns the wire name of m.",
            format!("func (m {name}) String() string"),
            format!("return brief.EnumString({names_var}, int64(m))"),
        ),
        method(
            "MarshalText implements encoding.TextMarshaler: the wire name of m.",
            format!("func (m {name}) MarshalText() ([]byte, error)"),
            format!("return brief.EnumMarshalText({names_var}, int64(m))"),
        ),
        method(
            "UnmarshalText implements encoding.TextUnmarshaler: m becomes the value named text.",
            format!("func (m *{name}) UnmarshalText(text []byte) error"),
            format!("return brief.EnumUnmarshalText({names_var}, text, m)"),
        ),
    ];
    EnumVm {
        doc,
        methods,
        name: name.to_owned(),
        consts: aligned_block(rows),
        names_var,
        names_list,
    }
}

fn struct_fields(
    fields: &[Field],
    reserved: &[&str],
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    uses_time: &mut bool,
) -> Result<Vec<LineVm>, Diagnostic> {
    let mut scope = Scope::with(reserved);
    let mut rows = Vec::new();
    for f in fields {
        let name = names::claim(&mut scope, &names::exported(&f.name), "Field");
        let ty = go_type(&f.ty, go, uses_time)?;
        let mut text = f.doc.as_deref().map(doc::lines).unwrap_or_default();
        doc::push_deprecated(&mut text, f.deprecated.as_ref());
        let tag = format!("`json:{}`", names::quote(&f.name));
        rows.push((doc::inner(&text), vec![name, ty, tag]));
    }
    Ok(aligned_block(rows))
}

fn message_vm(
    m: &Message,
    name: &str,
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    uses_time: &mut bool,
) -> Result<StructVm, Diagnostic> {
    Ok(StructVm {
        doc: doc::top(&doc::text(
            name,
            m.doc.as_deref(),
            Lead::Noun,
            &format!("{name} is message {}.", m.name),
            m.deprecated.as_ref(),
        )),
        name: name.to_owned(),
        fields: struct_fields(&m.fields, &[], go, uses_time)?,
        methods: Vec::new(),
    })
}

fn error_vm(
    e: &ErrorType,
    name: &str,
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    uses_time: &mut bool,
) -> Result<StructVm, Diagnostic> {
    let message = match e.doc.as_deref().map(doc::one_line) {
        Some(d) if !d.is_empty() => format!("{}: {d}", e.name),
        _ => e.name.clone(),
    };
    let methods = one_line_funcs(vec![
        (
            format!("func (*{name}) ErrorCode() string"),
            format!("return {}", names::quote(&e.name)),
        ),
        (
            format!("func (e *{name}) Error() string"),
            format!("return brief.AppErrorText(e, {})", names::quote(&message)),
        ),
    ]);
    Ok(StructVm {
        doc: doc::top(&doc::text(
            name,
            e.doc.as_deref(),
            Lead::Noun,
            &format!("{name} is error {}.", e.name),
            e.deprecated.as_ref(),
        )),
        name: name.to_owned(),
        fields: struct_fields(&e.fields, ERROR_METHODS, go, uses_time)?,
        methods,
    })
}

fn rpc_vm(
    r: &Rpc,
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    pkg: &mut Scope,
    methods: &mut Scope,
) -> Result<RpcVm, Diagnostic> {
    let method = methods.claim(&names::exported(&r.name));
    let descriptor = names::claim(pkg, &format!("RPC{method}"), "Descriptor");
    let input = go(&r.input)?;
    let output = go(&r.output)?;

    let mut pairs: Vec<(String, String)> = vec![
        ("Service".into(), "ServiceName".into()),
        ("Name".into(), names::quote(&r.name)),
    ];
    if r.idempotent {
        pairs.push(("Idempotent".into(), "true".into()));
    }
    if let Some(ms) = r.timeout_ms {
        let t = if ms % 1000 == 0 {
            format!("{} * time.Second", ms / 1000)
        } else {
            format!("{ms} * time.Millisecond")
        };
        pairs.push(("Timeout".into(), t));
    }
    let fields = aligned_pairs(&pairs);
    let mut error_pairs = Vec::new();
    let mut error_types = Vec::new();
    for e in &r.errors {
        let ty = go(e)?;
        error_pairs.push((
            names::quote(e),
            format!("func() brief.AppError {{ return new({ty}) }}"),
        ));
        error_types.push(format!("*{ty}"));
    }
    let errors = aligned_pairs(&error_pairs);

    let mut desc = vec![format!("{descriptor} describes rpc {}.", r.name)];
    doc::push_deprecated(&mut desc, r.deprecated.as_ref());
    let handles = format!("handles rpc {}", r.name);
    let server_doc = doc::inner(&doc::text(
        &method,
        r.doc.as_deref(),
        Lead::Says(&handles),
        &format!("{method} {handles}."),
        r.deprecated.as_ref(),
    ));
    error_types.push("*brief.Error".into());
    let errors_line = format!("Errors: {}.", error_types.join(", "));
    let calls = format!("calls rpc {}", r.name);
    let mut client = doc::go_form(&method, r.doc.as_deref(), Lead::Says(&calls))
        .unwrap_or_else(|| vec![format!("{method} {calls}.")]);
    if let Some(last) = client.last_mut() {
        if !last.ends_with(['.', '!', '?']) {
            last.push('.');
        }
        last.push(' ');
        last.push_str(&errors_line);
    }
    doc::push_deprecated(&mut client, r.deprecated.as_ref());
    Ok(RpcVm {
        doc: doc::top(&desc),
        descriptor,
        fields,
        errors,
        method,
        input,
        output,
        server_doc,
        client_doc: doc::top(&client),
    })
}

/// Event names come from the message (`TopicSummed`, as in the reference), or from the topic when
/// one message is carried by several topics.
fn events_vm(
    events: &[Event],
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    pkg: &mut Scope,
) -> Result<Vec<EventVm>, Diagnostic> {
    let mut stems = Scope::default();
    let mut out = Vec::new();
    for ev in events {
        let message = go(&ev.message)?;
        let shared = events.iter().filter(|e| e.message == ev.message).count() > 1;
        let stem = stems.claim(&if shared {
            names::exported(&ev.topic)
        } else {
            message.clone()
        });
        let topic_const = pkg.claim(&format!("Topic{stem}"));
        let handle_func = pkg.claim(&format!("Handle{stem}"));
        let publish_method = format!("Publish{stem}");
        let lit = names::quote(&ev.topic);
        let is = format!("{topic_const} is the topic of schema {}", ev.message);
        let mut topic_doc = brief_codegen::doc::with_lead(&is, ev.doc.as_deref())
            .unwrap_or_else(|| vec![format!("{is}.")]);
        doc::push_deprecated(&mut topic_doc, ev.deprecated.as_ref());
        let topic_doc = doc::top(&topic_doc);
        let mut publish = vec![format!(
            "{publish_method} publishes m on topic {lit} and returns the event id."
        )];
        doc::push_deprecated(&mut publish, ev.deprecated.as_ref());
        let mut handle = vec![format!(
            "{handle_func} registers h as the consumer of topic {lit} on s."
        )];
        doc::push_deprecated(&mut handle, ev.deprecated.as_ref());
        out.push(EventVm {
            topic: ev.topic.clone(),
            topic_doc,
            topic_const,
            topic_lit: lit,
            message,
            publish_method,
            publish_doc: doc::top(&publish),
            handle_func,
            handle_doc: doc::top(&handle),
        });
    }
    Ok(out)
}

/// The Go type of a contract type (the mapping of runtime-go/codec.go).
fn go_type(
    t: &Type,
    go: &dyn Fn(&str) -> Result<String, Diagnostic>,
    uses_time: &mut bool,
) -> Result<String, Diagnostic> {
    Ok(match t {
        Type::Int => "int64".into(),
        Type::Float => "float64".into(),
        Type::Bool => "bool".into(),
        Type::String => "string".into(),
        Type::Bytes => "[]byte".into(),
        Type::Time => {
            *uses_time = true;
            "time.Time".into()
        }
        Type::List { elem } => format!("[]{}", go_type(elem, go, uses_time)?),
        Type::Map { key, value } => {
            let k = match key {
                MapKey::String => "string",
                MapKey::Int => "int64",
            };
            format!("map[{k}]{}", go_type(value, go, uses_time)?)
        }
        Type::Optional { inner } => format!("*{}", go_type(inner, go, uses_time)?),
        Type::Message { name } | Type::Enum { name } => go(name)?,
    })
}

// ---- gofmt's alignment ----------------------------------------------------------------------

/// Lines of a block (struct fields, constants) whose cells gofmt aligns in columns; a comment
/// line ends a column block, so a row with a comment above it starts a new one.
fn aligned_block(rows: Vec<(Vec<String>, Vec<String>)>) -> Vec<LineVm> {
    let mut out = Vec::new();
    let mut section: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let flush = |section: &mut Vec<(Vec<String>, Vec<String>)>, out: &mut Vec<LineVm>| {
        let docs: Vec<Vec<String>> = section.iter().map(|(d, _)| d.clone()).collect();
        let cells: Vec<Vec<String>> = section.drain(..).map(|(_, c)| c).collect();
        for (doc, line) in docs.into_iter().zip(aligned_rows(cells)) {
            out.push(LineVm { doc, line });
        }
    };
    for row in rows {
        if !row.0.is_empty() {
            flush(&mut section, &mut out);
        }
        section.push(row);
    }
    flush(&mut section, &mut out);
    out
}

/// Adjacent functions whose body is one statement, as gofmt writes them: on one line when the
/// header and the statement take less than 100 bytes (go/printer's funcBody counts the blank
/// after the header too; exactly 100 is split, as `gofmt` shows), the bodies of
/// adjacent one-liners aligned in a column; otherwise over three lines.
pub fn one_line_funcs(funcs: Vec<(String, String)>) -> Vec<String> {
    let mut out = Vec::new();
    let mut section = Vec::new();
    for (header, stmt) in funcs {
        if header.len() + stmt.len() < 100 {
            section.push(vec![header, format!("{{ {stmt} }}")]);
        } else {
            out.extend(aligned_rows(std::mem::take(&mut section)));
            out.push(format!("{header} {{\n\t{stmt}\n}}"));
        }
    }
    out.extend(aligned_rows(section));
    out
}

/// Rows of cells in one column block: every cell but the last padded to its column's width
/// (in characters, as Go's tabwriter counts) plus one space.
fn aligned_rows(rows: Vec<Vec<String>>) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in &rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    rows.into_iter()
        .map(|r| {
            let n = r.len();
            let mut line = String::new();
            for (i, c) in r.into_iter().enumerate() {
                line.push_str(&c);
                if i + 1 < n {
                    let pad = widths[i] - c.chars().count() + 1;
                    line.push_str(&" ".repeat(pad));
                }
            }
            line
        })
        .collect()
}

/// `key: value,` lines of a composite literal, aligned as go/printer's exprList does: keys up to
/// 40 bytes align; longer ones break the alignment when their size differs from the geometric
/// mean of the previous keys by a factor of 2.5 or more.
fn aligned_pairs(pairs: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut section: Vec<Vec<String>> = Vec::new();
    let (mut lnsum, mut count, mut prev) = (0.0f64, 0usize, 0usize);
    for (i, (k, v)) in pairs.iter().enumerate() {
        let size = k.len();
        let mut use_ff = true;
        if prev > 0 && size > 0 {
            if count == 0 || (prev <= 40 && size <= 40) {
                use_ff = false;
            } else {
                let geomean = (lnsum / count as f64).exp();
                let ratio = size as f64 / geomean;
                use_ff = 2.5 * ratio <= 1.0 || 2.5 <= ratio;
            }
        }
        if i > 0 && use_ff {
            out.extend(aligned_rows(std::mem::take(&mut section)));
        }
        section.push(vec![format!("{k}:"), format!("{v},")]);
        lnsum += (size as f64).ln();
        count += 1;
        prev = size;
    }
    out.extend(aligned_rows(section));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_align_like_gofmt() {
        let p = |k: &str| (k.to_owned(), "1".to_owned());
        assert_eq!(
            aligned_pairs(&[p("\"a\""), p("\"bb\"")]),
            vec!["\"a\":  1,", "\"bb\": 1,"]
        );
        let long = "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"";
        assert_eq!(
            aligned_pairs(&[p("\"a\""), p(long), p("\"c\"")]),
            vec![
                "\"a\": 1,".to_owned(),
                format!("{long}: 1,"),
                "\"c\": 1,".to_owned()
            ]
        );
    }
}
