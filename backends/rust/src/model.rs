//! View-models: every name, type, attribute and comment the template prints, computed here
//! (including rustfmt's line breaking, see `layout`). The template only lays the items out.
use crate::layout::{attribute, chain, doc, signature};
use crate::names;
use crate::types::{self, Uses};
use brief_codegen::doc as cdoc;
use brief_codegen::scope::Scope;
use compiler::ir::{Contract, Deprecated, Field, Message, Rpc, Type, TypeDef};
use compiler::{codes, Diagnostic};
use serde::Serialize;
use std::collections::BTreeMap;

/// Names every generated module reserves: its own items, what it imports, and the prelude, so
/// that a contract type never shadows them (it gets its kind appended instead).
pub const RESERVED: &[&str] = &[
    "AppError",
    "BTreeMap",
    "Box",
    "CallFailure",
    "CallOptions",
    "Client",
    "Clone",
    "Consumer",
    "Context",
    "Copy",
    "Debug",
    "Default",
    "Deserialize",
    "Drop",
    "Eq",
    "Err",
    "ErrorReply",
    "Fn",
    "From",
    "Hash",
    "Into",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Publisher",
    "Result",
    "RpcInfo",
    "SERVICE_NAME",
    "SUBSCRIPTIONS",
    "Self",
    "Send",
    "Serialize",
    "Server",
    "Sized",
    "Some",
    "String",
    "Sync",
    "Timestamp",
    "ToOwned",
    "ToString",
    "TransportError",
    "Vec",
    "alloc",
    "brief_runtime",
    "consume",
    "core",
    "router",
    "serde",
    "std",
    "subscribe",
    "wire",
];

/// One generated module file.
#[derive(Debug, Serialize)]
pub struct FileVm {
    pub source: String,
    pub module_doc: Vec<String>,
    pub uses: Vec<String>,
    pub modules: Vec<String>,
    /// Items, each a block of lines, separated by blank lines.
    pub items: Vec<Vec<String>>,
}

fn deprecated_attr(indent: usize, d: Option<&Deprecated>) -> Vec<String> {
    match d {
        None => Vec::new(),
        Some(d) => attribute(
            indent,
            "deprecated",
            &[format!(
                "note = {}",
                names::quote(&cdoc::deprecation_reason(d))
            )],
        ),
    }
}

fn doc_lines(indent: usize, text: Option<&str>) -> Vec<String> {
    doc(indent, "///", &text.map(cdoc::lines).unwrap_or_default())
}

const SERDE_CRATE: &str = "#[serde(crate = \"brief_runtime::serde\")]";

struct Ctx<'a> {
    names: BTreeMap<String, String>,
    boxed: std::collections::BTreeSet<(String, String)>,
    uses: Uses,
    contract: &'a Contract,
}

/// The names a contract's module gives its rpcs and events, for code written against it (the
/// `service create` scaffold).
#[derive(Debug, Clone, Default)]
pub struct Api {
    pub rpcs: Vec<ApiRpc>,
    /// The `Publisher` method and message type of each event, in contract order.
    pub events: Vec<ApiEvent>,
}

/// One rpc as the module names it.
#[derive(Debug, Clone)]
pub struct ApiRpc {
    /// The rpc's name in the contract.
    pub name: String,
    /// The `Server` trait's and the `Client`'s method.
    pub method: String,
    pub input: String,
    pub output: String,
    /// The rpc's error enum.
    pub error: String,
}

/// One event as the module names it.
#[derive(Debug, Clone)]
pub struct ApiEvent {
    /// The topic in the contract.
    pub topic: String,
    /// The `Publisher`'s method.
    pub publish: String,
    pub message: String,
    /// The topic's constant (`TOPIC_...`).
    pub konst: String,
    /// The module's `consume_<topic>` function.
    pub consume: String,
}

/// One contract's module: its items, its imports and the names of its API.
pub struct Module {
    pub items: Vec<Vec<String>>,
    pub uses: Vec<String>,
    pub api: Api,
}

/// The items and imports of one contract's module; `server` adds the `Server` trait and router;
/// `subscribed` imports what the items of [`subscriptions`] need.
pub fn contract(c: &Contract, server: bool, subscribed: bool) -> Result<Module, Diagnostic> {
    let mut module = Scope::with(RESERVED);
    for k in names::KEYWORDS.iter().chain(names::NOT_RAW) {
        module.reserve(&[k]);
    }
    let mut type_names = BTreeMap::new();
    for t in &c.types {
        let base = names::type_name(t.name());
        let n = match t {
            TypeDef::Enum(_) => claim_kind(&mut module, &base, "Enum"),
            TypeDef::Message(_) => claim_kind(&mut module, &base, "Message"),
            TypeDef::Error(_) if base.ends_with("Error") => module.claim(&base),
            TypeDef::Error(_) => module.claim(&format!("{base}Error")),
        };
        type_names.insert(t.name().to_owned(), n);
    }
    let messages: Vec<&Message> = c
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    let mut cx = Ctx {
        boxed: types::boxed_fields(&messages),
        names: type_names,
        uses: Uses::default(),
        contract: c,
    };
    let mut items = vec![vec![
        "/// The name of the service in the contract.".to_owned(),
        format!("pub const SERVICE_NAME: &str = {};", names::quote(&c.name)),
    ]];
    let mut topics = Vec::new();
    for e in &c.events {
        let konst = module.claim(&format!("TOPIC_{}", names::constant(&e.topic)));
        topics.push(konst.clone());
        let mut lines = doc_lines(0, e.doc.as_deref());
        if lines.is_empty() {
            lines.push(format!(
                "/// Topic {} (message `{}`).",
                names::quote(&e.topic),
                cx.rust(&e.message)?
            ));
        }
        lines.extend(deprecated_attr(0, e.deprecated.as_ref()));
        lines.push(format!(
            "pub const {konst}: &str = {};",
            names::quote(&e.topic)
        ));
        items.push(lines);
    }
    let mut any_types = false;
    for t in &c.types {
        any_types = true;
        items.push(match t {
            TypeDef::Enum(e) => {
                let mut lines = doc_lines(0, e.doc.as_deref());
                lines.extend(deprecated_attr(0, e.deprecated.as_ref()));
                lines.extend([
                    "#[derive(".to_owned(),
                    "    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,".to_owned(),
                    ")]".to_owned(),
                ]);
                lines.push(SERDE_CRATE.to_owned());
                lines.push(format!("pub enum {} {{", cx.rust(&e.name)?));
                let mut variants = Scope::default();
                for (i, v) in e.values.iter().enumerate() {
                    let name = variants.claim(&names::escape(&names::type_name(&v.name)));
                    lines.extend(doc_lines(4, v.doc.as_deref()));
                    lines.extend(deprecated_attr(4, v.deprecated.as_ref()));
                    if i == 0 {
                        lines.push("    #[default]".to_owned());
                    }
                    lines.push(format!("    #[serde(rename = {})]", names::quote(&v.name)));
                    lines.push(format!("    {name},"));
                }
                lines.push("}".to_owned());
                lines
            }
            TypeDef::Message(m) => {
                let name = cx.rust(&m.name)?;
                let mut lines = doc_lines(0, m.doc.as_deref());
                lines.extend(deprecated_attr(0, m.deprecated.as_ref()));
                lines.extend(cx.structure(&name, &m.name, &m.fields));
                lines
            }
            TypeDef::Error(e) => {
                let name = cx.rust(&e.name)?;
                let mut lines = doc_lines(0, e.doc.as_deref());
                lines.extend(deprecated_attr(0, e.deprecated.as_ref()));
                lines.extend(cx.structure(&name, &e.name, &e.fields));
                let message = e
                    .doc
                    .as_deref()
                    .map(cdoc::one_line)
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| format!("application error {}", e.name));
                lines.extend([
                    String::new(),
                    format!("impl brief_runtime::ApplicationError for {name} {{"),
                    format!("    const NAME: &'static str = {};", names::quote(&e.name)),
                    String::new(),
                    "    fn message(&self) -> String {".to_owned(),
                    format!("        {}.to_owned()", names::quote(&message)),
                    "    }".to_owned(),
                    "}".to_owned(),
                    String::new(),
                    format!("impl std::fmt::Display for {name} {{"),
                    "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {".to_owned(),
                    format!("        f.write_str({})", names::quote(&format!("{}: {message}", e.name))),
                    "    }".to_owned(),
                    "}".to_owned(),
                    String::new(),
                    format!("impl std::error::Error for {name} {{}}"),
                ]);
                lines
            }
        });
    }

    let mut methods = Scope::with(&["new", "with_options", "inner"]);
    let mut rpcs = Vec::new();
    for r in &c.rpcs {
        let konst = module.claim(&format!("RPC_{}", names::constant(&r.name)));
        let error = module.claim(&format!("{}Error", names::type_name(&r.name)));
        let plain = names::snake(&r.name);
        let method = methods.claim(&names::escape(&plain));
        let stem = method.trim_start_matches("r#").trim_end_matches('_');
        let with = methods.claim(&format!("{stem}_with"));
        rpcs.push(RpcNames {
            konst,
            error,
            method,
            with,
        });
    }
    let mut api = Api::default();
    for (r, n) in c.rpcs.iter().zip(&rpcs) {
        items.push(cx.rpc_const(r, n));
        items.push(cx.rpc_error(r, n)?);
        api.rpcs.push(ApiRpc {
            name: r.name.clone(),
            method: n.method.clone(),
            input: cx.rust(&r.input)?,
            output: cx.rust(&r.output)?,
            error: n.error.clone(),
        });
    }
    let mut publish = Scope::with(&["new", "with_options", "inner"]);
    for (e, konst) in c.events.iter().zip(&topics) {
        api.events.push(ApiEvent {
            topic: e.topic.clone(),
            publish: publish.claim(&format!("publish_{}", names::snake(&e.topic))),
            message: cx.rust(&e.message)?,
            konst: konst.clone(),
            consume: String::new(),
        });
    }
    if server && !c.rpcs.is_empty() {
        items.push(cx.server_trait(&rpcs)?);
        items.push(cx.router(&rpcs));
    }
    if !c.rpcs.is_empty() {
        items.extend(cx.client(&rpcs)?);
    }
    if server && !c.events.is_empty() {
        items.extend(cx.publisher(&topics, &api.events)?);
    }
    for ((e, konst), api) in c.events.iter().zip(&topics).zip(&mut api.events) {
        let f = module.claim(&format!("consume_{}", names::snake(&e.topic)));
        items.push(cx.consumer(e, konst, &f)?);
        api.consume = f;
    }

    let mut uses = Vec::new();
    if any_types {
        if c.types.iter().any(|t| match t {
            TypeDef::Message(m) => !m.fields.is_empty(),
            TypeDef::Error(e) => !e.fields.is_empty(),
            TypeDef::Enum(_) => false,
        }) {
            uses.push("use brief_runtime::codec as wire;".to_owned());
        }
        uses.push("use brief_runtime::serde::{Deserialize, Serialize};".to_owned());
    }
    let mut rt: Vec<&str> = Vec::new();
    let rpcs_or_events = !c.rpcs.is_empty() || !c.events.is_empty();
    if !c.rpcs.is_empty() {
        rt.extend(["AppError", "CallFailure", "CallOptions"]);
    }
    if rpcs_or_events || subscribed {
        rt.push("Context");
    }
    if !c.rpcs.is_empty() {
        rt.extend(["ErrorReply", "RpcInfo"]);
    }
    if cx.uses.time {
        rt.push("Timestamp");
    }
    if rpcs_or_events || subscribed {
        rt.push("TransportError");
    }
    match rt.len() {
        0 => {}
        1 => uses.push(format!("use brief_runtime::{};", rt[0])),
        _ => uses.extend(
            rt.chunks(5)
                .map(|ch| format!("use brief_runtime::{{{}}};", ch.join(", "))),
        ),
    }
    if cx.uses.map {
        uses.push("use std::collections::BTreeMap;".to_owned());
    }
    Ok(Module { items, uses, api })
}

/// One subscription of app.toml as the root module refers to it.
pub struct Subscribed<'a> {
    /// The dependency's service name.
    pub service: &'a str,
    /// The dependency's module (`billing`).
    pub module: &'a str,
    /// The event as that module names it.
    pub event: &'a ApiEvent,
}

/// The root module's items for app.toml's subscriptions (docs/rust.md, Events): `SUBSCRIPTIONS`,
/// the `Consumer` trait (one method per topic, typed by its event's message), `consume` (mounts a
/// `Consumer` on a router builder) and `subscribe` (asks the data bus for every topic). The
/// module imports `Context` and `TransportError` (`contract(.., subscribed = true)`).
pub fn subscriptions(subs: &[Subscribed<'_>]) -> Vec<Vec<String>> {
    if subs.is_empty() {
        return Vec::new();
    }
    let mut methods = Scope::default();
    let named: Vec<(&Subscribed<'_>, String)> = subs
        .iter()
        .map(|s| {
            let m = methods.claim(&format!("on_{}", names::snake(&s.event.topic)));
            (s, m)
        })
        .collect();
    let konsts: Vec<String> = subs
        .iter()
        .map(|s| format!("{}::{}", s.module, s.event.konst))
        .collect();
    let mut list = vec![
        "/// The topics this service subscribes to (app.toml), which [`subscribe`] asks the data bus"
            .to_owned(),
        "/// to deliver.".to_owned(),
    ];
    let one = format!(
        "pub const SUBSCRIPTIONS: &[&str] = &[{}];",
        konsts.join(", ")
    );
    if one.len() <= crate::layout::MAX_WIDTH && konsts.join(", ").len() <= 60 {
        list.push(one);
    } else {
        list.push("pub const SUBSCRIPTIONS: &[&str] = &[".to_owned());
        list.extend(konsts.iter().map(|k| format!("    {k},")));
        list.push("];".to_owned());
    }

    let mut tr = vec![
        "/// The consumer of the events this service subscribes to (app.toml): one method per topic,"
            .to_owned(),
        "/// implemented by the application (`async fn` in the impl); [`consume`] mounts it. An error"
            .to_owned(),
        "/// asks the data bus to redeliver.".to_owned(),
        "pub trait Consumer: Send + Sync + 'static {".to_owned(),
    ];
    for (i, (s, m)) in named.iter().enumerate() {
        if i > 0 {
            tr.push(String::new());
        }
        tr.push(format!(
            "    /// Consumes topic {} of service {}, once per event",
            names::quote(&s.event.topic),
            names::quote(s.service)
        ));
        tr.push("    /// (the runtime deduplicates deliveries).".to_owned());
        tr.extend(signature(
            4,
            &format!("fn {m}"),
            &[
                "&self".to_owned(),
                "ctx: Context".to_owned(),
                format!("event: {}::{}", s.module, s.event.message),
            ],
            " -> impl std::future::Future<Output = Result<(), TransportError>> + Send;",
        ));
    }
    tr.push("}".to_owned());

    let mut mount = vec![
        "/// Mounts `consumer` on `router`: the data bus's deliveries at `POST /events/<topic>` reach"
            .to_owned(),
        "/// its method of that topic, checked, decoded and deduplicated by the runtime.".to_owned(),
    ];
    mount.extend(signature(
        0,
        "pub fn consume<C: Consumer>",
        &[
            "mut router: brief_runtime::RouterBuilder".to_owned(),
            "consumer: C".to_owned(),
        ],
        " -> brief_runtime::RouterBuilder {",
    ));
    mount.push("    let consumer = std::sync::Arc::new(consumer);".to_owned());
    for (s, m) in &named {
        mount.extend([
            format!("    router = {}::{}(router, {{", s.module, s.event.consume),
            "        let c = consumer.clone();".to_owned(),
            "        move |ctx, event| {".to_owned(),
            "            let c = c.clone();".to_owned(),
            format!("            async move {{ c.{m}(ctx, event).await }}"),
            "        }".to_owned(),
            "    });".to_owned(),
        ]);
    }
    mount.push("    router".to_owned());
    mount.push("}".to_owned());

    let mut sub = vec![
        "/// Asks the data bus to deliver every topic of [`SUBSCRIPTIONS`] to".to_owned(),
        "/// `<base_url>/events/<topic>`, `base_url` being this service's own base URL".to_owned(),
        "/// (`brief_runtime::events::self_url`, from `SERVICE_URL`). Call it at start, once the server"
            .to_owned(),
        "/// listens: transient failures are retried with backoff until `ctx`'s deadline (without one,"
            .to_owned(),
        "/// until it succeeds). Idempotent.".to_owned(),
    ];
    sub.extend(signature(
        0,
        "pub async fn subscribe",
        &[
            "ctx: &Context".to_owned(),
            "bus: &brief_runtime::Bus".to_owned(),
            "base_url: &str".to_owned(),
        ],
        " -> Result<(), TransportError> {",
    ));
    sub.push("    bus.subscribe_all(ctx, SUBSCRIPTIONS, base_url).await".to_owned());
    sub.push("}".to_owned());
    vec![list, tr, mount, sub]
}

/// `base`, else `base` + `kind`, else with `_` until free.
fn claim_kind(scope: &mut Scope, base: &str, kind: &str) -> String {
    let base = names::escape(base);
    if scope.contains(&base) {
        scope.claim(&format!("{base}{kind}"))
    } else {
        scope.claim(&base)
    }
}

struct RpcNames {
    konst: String,
    error: String,
    method: String,
    with: String,
}

impl Ctx<'_> {
    fn rust(&self, name: &str) -> Result<String, Diagnostic> {
        self.names.get(name).cloned().ok_or_else(|| {
            Diagnostic::new(
                codes::E0201,
                format!("contract `{}`: unknown type `{name}`", self.contract.name),
            )
        })
    }

    fn structure(&mut self, name: &str, wire_name: &str, fields: &[Field]) -> Vec<String> {
        let mut lines =
            vec!["#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]".to_owned()];
        lines.push(SERDE_CRATE.to_owned());
        if fields.is_empty() {
            lines.push(format!("pub struct {name} {{}}"));
            return lines;
        }
        lines.push(format!("pub struct {name} {{"));
        let mut scope = Scope::default();
        for f in fields {
            let field = scope.claim(&names::escape(&names::snake(&f.name)));
            let boxed = self.boxed.contains(&(wire_name.to_owned(), f.name.clone()));
            let ty = types::rust_type(&f.ty, &self.names, boxed, &mut self.uses);
            let mut args = vec![
                format!("rename = {}", names::quote(&f.name)),
                "default".to_owned(),
            ];
            if matches!(f.ty, Type::Optional { .. }) {
                args.push("skip_serializing_if = \"Option::is_none\"".to_owned());
            }
            args.push(format!("with = \"wire::As::<{}>\"", types::adapter(&f.ty)));
            lines.extend(doc_lines(4, f.doc.as_deref()));
            lines.extend(deprecated_attr(4, f.deprecated.as_ref()));
            lines.extend(attribute(4, "serde", &args));
            lines.push(format!("    pub {field}: {ty},"));
        }
        lines.push("}".to_owned());
        lines
    }

    fn rpc_const(&self, r: &Rpc, n: &RpcNames) -> Vec<String> {
        let mut lines = vec![format!(
            "/// What the runtime knows of rpc {}.",
            names::quote(&r.name)
        )];
        let errors: Vec<String> = r.errors.iter().map(|e| names::quote(e)).collect();
        lines.extend([
            format!("pub const {}: RpcInfo = RpcInfo {{", n.konst),
            format!("    name: {},", names::quote(&r.name)),
            format!("    idempotent: {},", r.idempotent),
            match r.timeout_ms {
                Some(ms) => format!("    timeout_ms: Some({ms}),"),
                None => "    timeout_ms: None,".to_owned(),
            },
            format!("    errors: &[{}],", errors.join(", ")),
            "};".to_owned(),
        ]);
        lines
    }

    fn rpc_error(&self, r: &Rpc, n: &RpcNames) -> Result<Vec<String>, Diagnostic> {
        let e = &n.error;
        let mut declared = Vec::new();
        let mut variants = Scope::with(&["Undeclared", "Transport"]);
        for name in &r.errors {
            let ty = self.rust(name)?;
            let v = variants.claim(&names::escape(&names::type_name(name)));
            declared.push((v, ty, name));
        }
        let mut l = vec![
            format!(
                "/// The errors of rpc {}: its declared application errors, one it does not declare, or a",
                names::quote(&r.name)
            ),
            "/// transport error.".to_owned(),
            "#[derive(Debug, Clone, PartialEq)]".to_owned(),
            format!("pub enum {e} {{"),
        ];
        for (v, ty, name) in &declared {
            l.push(format!("    /// Application error {}.", names::quote(name)));
            l.push(format!("    {v}(Box<{ty}>),"));
        }
        l.extend([
            "    /// An application error the rpc does not declare.".to_owned(),
            "    Undeclared(Box<AppError>),".to_owned(),
            "    /// A transport error.".to_owned(),
            "    Transport(TransportError),".to_owned(),
            "}".to_owned(),
            String::new(),
            format!("impl brief_runtime::IntoReply for {e} {{"),
            "    fn into_reply(self) -> ErrorReply {".to_owned(),
            "        match self {".to_owned(),
        ]);
        for (v, _, _) in &declared {
            l.push(format!("            {e}::{v}(e) => ErrorReply::app(&*e),"));
        }
        l.extend([
            format!("            {e}::Undeclared(e) => ErrorReply::undeclared(&e),"),
            format!("            {e}::Transport(e) => ErrorReply::from_transport(&e),"),
            "        }".to_owned(),
            "    }".to_owned(),
            "}".to_owned(),
            String::new(),
            format!("impl brief_runtime::FromFailure for {e} {{"),
            "    fn from_failure(f: CallFailure) -> Self {".to_owned(),
            "        match f {".to_owned(),
            format!("            CallFailure::Transport(e) => {e}::Transport(e),"),
        ]);
        if declared.is_empty() {
            l.push(format!(
                "            CallFailure::App(e) => {e}::Undeclared(Box::new(e)),"
            ));
        } else {
            l.push("            CallFailure::App(e) => match e.name.as_str() {".to_owned());
            for (v, _, name) in &declared {
                l.extend([
                    format!(
                        "                {} => match brief_runtime::errors::decode_app(&e) {{",
                        names::quote(name)
                    ),
                    format!("                    Ok(d) => {e}::{v}(Box::new(d)),"),
                    format!("                    Err(t) => {e}::Transport(t),"),
                    "                },".to_owned(),
                ]);
            }
            l.push(format!(
                "                _ => {e}::Undeclared(Box::new(e)),"
            ));
            l.push("            },".to_owned());
        }
        l.extend([
            "        }".to_owned(),
            "    }".to_owned(),
            "}".to_owned(),
            String::new(),
            format!("impl From<TransportError> for {e} {{"),
            "    fn from(e: TransportError) -> Self {".to_owned(),
            format!("        {e}::Transport(e)"),
            "    }".to_owned(),
            "}".to_owned(),
        ]);
        for (v, ty, _) in &declared {
            l.extend([
                String::new(),
                format!("impl From<{ty}> for {e} {{"),
                format!("    fn from(e: {ty}) -> Self {{"),
                format!("        {e}::{v}(Box::new(e))"),
                "    }".to_owned(),
                "}".to_owned(),
            ]);
        }
        l.extend([
            String::new(),
            format!("impl std::fmt::Display for {e} {{"),
            "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {".to_owned(),
            "        match self {".to_owned(),
        ]);
        for (v, _, _) in &declared {
            l.push(format!("            {e}::{v}(e) => e.fmt(f),"));
        }
        l.extend([
            format!("            {e}::Undeclared(e) => e.fmt(f),"),
            format!("            {e}::Transport(e) => e.fmt(f),"),
            "        }".to_owned(),
            "    }".to_owned(),
            "}".to_owned(),
            String::new(),
            format!("impl std::error::Error for {e} {{}}"),
        ]);
        Ok(l)
    }

    fn rpc_doc(&self, indent: usize, r: &Rpc) -> Vec<String> {
        let mut l = doc_lines(indent, r.doc.as_deref());
        if l.is_empty() {
            l.push(format!(
                "{}/// Rpc {}.",
                " ".repeat(indent),
                names::quote(&r.name)
            ));
        }
        l.extend(deprecated_attr(indent, r.deprecated.as_ref()));
        l
    }

    fn server_trait(&self, rpcs: &[RpcNames]) -> Result<Vec<String>, Diagnostic> {
        let mut l = vec![
            format!(
                "/// The rpcs of service {}, implemented by the application (`async fn` in the impl);",
                names::quote(&self.contract.name)
            ),
            "/// [`router`] serves it.".to_owned(),
            "pub trait Server: Send + Sync + 'static {".to_owned(),
        ];
        for (i, (r, n)) in self.contract.rpcs.iter().zip(rpcs).enumerate() {
            if i > 0 {
                l.push(String::new());
            }
            l.extend(self.rpc_doc(4, r));
            let input = self.rust(&r.input)?;
            let output = self.rust(&r.output)?;
            l.extend(signature(
                4,
                &format!("fn {}", n.method),
                &[
                    "&self".to_owned(),
                    "ctx: Context".to_owned(),
                    format!("input: {input}"),
                ],
                &format!(
                    " -> impl std::future::Future<Output = Result<{output}, {}>> + Send;",
                    n.error
                ),
            ));
        }
        l.push("}".to_owned());
        Ok(l)
    }

    fn router(&self, rpcs: &[RpcNames]) -> Vec<String> {
        let mut l: Vec<String> = [
            "/// A router serving `server` at `POST /rpc/<service>/<rpc>`, with `/health/live`,",
            "/// `/health/ready` and `/metrics`; serve it with `brief_runtime::serve`.",
            "pub fn router<S: Server>(server: S) -> brief_runtime::Router {",
            "    router_builder(server).build()",
            "}",
            "",
            "/// The builder of [`router`], to add event consumers (`consume_<topic>`) before `build()`.",
            "pub fn router_builder<S: Server>(server: S) -> brief_runtime::RouterBuilder {",
            "    let server = std::sync::Arc::new(server);",
            "    let mut router = brief_runtime::Router::builder(SERVICE_NAME);",
        ]
        .map(str::to_owned)
        .to_vec();
        for n in rpcs {
            l.extend([
                format!("    router = router.handle(&{}, {{", n.konst),
                "        let s = server.clone();".to_owned(),
                "        move |ctx, input| {".to_owned(),
                "            let s = s.clone();".to_owned(),
                format!(
                    "            async move {{ s.{}(ctx, input).await }}",
                    n.method
                ),
                "        }".to_owned(),
                "    });".to_owned(),
            ]);
        }
        l.push("    router".to_owned());
        l.push("}".to_owned());
        l
    }

    fn publisher(
        &self,
        topics: &[String],
        events: &[ApiEvent],
    ) -> Result<Vec<Vec<String>>, Diagnostic> {
        let c = self.contract;
        let strukt = vec![
            format!(
                "/// Publishes the events of service {} through the data bus (`SERVICE_DATA_BUS_URL`).",
                names::quote(&c.name)
            ),
            "#[derive(Debug, Clone)]".to_owned(),
            "pub struct Publisher {".to_owned(),
            "    inner: brief_runtime::Publisher,".to_owned(),
            "}".to_owned(),
        ];
        let mut l = vec![
            "impl Publisher {".to_owned(),
            "    /// A publisher whose data bus URL comes from `SERVICE_DATA_BUS_URL`.".to_owned(),
            "    pub fn new() -> Result<Self, brief_runtime::ConfigError> {".to_owned(),
            "        Self::with_options(brief_runtime::ClientOptions::new())".to_owned(),
            "    }".to_owned(),
            String::new(),
            "    /// A publisher with options (the data bus URL, ...).".to_owned(),
        ];
        l.extend(signature(
            4,
            "pub fn with_options",
            &["opts: brief_runtime::ClientOptions".to_owned()],
            " -> Result<Self, brief_runtime::ConfigError> {",
        ));
        l.extend([
            "        Ok(Publisher {".to_owned(),
            "            inner: brief_runtime::Publisher::new(SERVICE_NAME, opts)?,".to_owned(),
            "        })".to_owned(),
            "    }".to_owned(),
        ]);
        for ((e, konst), api) in c.events.iter().zip(topics).zip(events) {
            let (m, ty) = (&api.publish, &api.message);
            l.push(String::new());
            l.push(format!(
                "    /// Publishes `data` on topic {}; the event's id.",
                names::quote(&e.topic)
            ));
            l.extend(deprecated_attr(4, e.deprecated.as_ref()));
            l.extend(signature(
                4,
                &format!("pub async fn {m}"),
                &[
                    "&self".to_owned(),
                    "ctx: &Context".to_owned(),
                    format!("data: &{ty}"),
                ],
                " -> Result<String, TransportError> {",
            ));
            l.extend(chain(
                8,
                "self.inner",
                &[format!(".publish(ctx, {konst}, data)"), ".await".to_owned()],
            ));
            l.push("    }".to_owned());
        }
        l.push("}".to_owned());
        Ok(vec![strukt, l])
    }

    fn consumer(
        &self,
        e: &compiler::ir::Event,
        konst: &str,
        f: &str,
    ) -> Result<Vec<String>, Diagnostic> {
        let ty = self.rust(&e.message)?;
        let mut l = vec![
            format!(
                "/// Consumes topic {}: `handler` runs for each delivery at `POST /events/<topic>`, once",
                names::quote(&e.topic)
            ),
            "/// per event (the runtime deduplicates by source and id); an error asks for redelivery.".to_owned(),
        ];
        l.extend(deprecated_attr(0, e.deprecated.as_ref()));
        l.extend(signature(
            0,
            &format!("pub fn {f}<F, Fut>"),
            &[
                "router: brief_runtime::RouterBuilder".to_owned(),
                "handler: F".to_owned(),
            ],
            " -> brief_runtime::RouterBuilder",
        ));
        l.extend([
            "where".to_owned(),
            format!("    F: Fn(Context, {ty}) -> Fut + Send + Sync + 'static,"),
            "    Fut: std::future::Future<Output = Result<(), TransportError>> + Send + 'static,"
                .to_owned(),
            "{".to_owned(),
            format!("    router.consume({konst}, handler)"),
            "}".to_owned(),
        ]);
        Ok(l)
    }

    fn client(&self, rpcs: &[RpcNames]) -> Result<Vec<Vec<String>>, Diagnostic> {
        let c = self.contract;
        let env = brief_codegen::naming::discovery_env_var(&c.name);
        let strukt = vec![
            format!(
                "/// A client of service {}: one method per rpc, each also with per-call options.",
                names::quote(&c.name)
            ),
            "#[derive(Debug, Clone)]".to_owned(),
            "pub struct Client {".to_owned(),
            "    inner: brief_runtime::Client,".to_owned(),
            "}".to_owned(),
        ];
        let mut l = vec!["impl Client {".to_owned()];
        l.push(format!(
            "    /// A client whose base URL comes from `{env}`."
        ));
        l.push("    pub fn new() -> Result<Self, brief_runtime::ConfigError> {".to_owned());
        l.push("        Self::with_options(brief_runtime::ClientOptions::new())".to_owned());
        l.push("    }".to_owned());
        l.push(String::new());
        l.push(format!(
            "    /// A client with options (base URL instead of `{env}`, response limit, ...)."
        ));
        l.extend(signature(
            4,
            "pub fn with_options",
            &["opts: brief_runtime::ClientOptions".to_owned()],
            " -> Result<Self, brief_runtime::ConfigError> {",
        ));
        l.push("        Ok(Client {".to_owned());
        l.push("            inner: brief_runtime::Client::new(SERVICE_NAME, opts)?,".to_owned());
        l.push("        })".to_owned());
        l.push("    }".to_owned());
        for (r, n) in c.rpcs.iter().zip(rpcs) {
            let input = self.rust(&r.input)?;
            let output = self.rust(&r.output)?;
            let ret = format!(" -> Result<{output}, {}> {{", n.error);
            l.push(String::new());
            l.extend(self.rpc_doc(4, r));
            l.extend(signature(
                4,
                &format!("pub async fn {}", n.method),
                &[
                    "&self".to_owned(),
                    "ctx: &Context".to_owned(),
                    format!("input: &{input}"),
                ],
                &ret,
            ));
            l.extend(chain(
                8,
                "self",
                &[
                    format!(".{}(ctx, input, &CallOptions::new())", n.with),
                    ".await".to_owned(),
                ],
            ));
            l.push("    }".to_owned());
            l.push(String::new());
            l.push(format!(
                "    /// [`Client::{}`] with per-call options (headers, a shorter timeout).",
                n.method
            ));
            l.extend(deprecated_attr(4, r.deprecated.as_ref()));
            l.extend(signature(
                4,
                &format!("pub async fn {}", n.with),
                &[
                    "&self".to_owned(),
                    "ctx: &Context".to_owned(),
                    format!("input: &{input}"),
                    "opts: &CallOptions".to_owned(),
                ],
                &ret,
            ));
            l.extend(chain(
                8,
                "self.inner",
                &[
                    format!(".invoke(ctx, &{}, input, opts)", n.konst),
                    ".await".to_owned(),
                ],
            ));
            l.push("    }".to_owned());
        }
        l.push("}".to_owned());
        Ok(vec![strukt, l])
    }
}
