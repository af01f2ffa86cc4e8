//! The Rust backend: typed servers and clients on runtime-rust (crate `brief_runtime`), from the
//! IR.
//!
//! [`Rust`] implements brief-codegen's [`Backend`]: every file in memory (the caller writes
//! them), deterministically. Layout (docs/rust.md): `mod.rs` is the root module (a user includes
//! the output directory with `mod generated;`): the service's own contract (types, rpc
//! descriptors and errors, the `Server` trait, `router` and a `Client`), app.toml's subscriptions
//! (`SUBSCRIPTIONS`, the `Consumer` trait, `consume` and `subscribe`) and one `pub mod` per
//! dependency contract (`rpc/<dep>.brief`), in `<dep>.rs`: its types, errors and `Client`.
mod layout;
mod model;
mod names;
mod types;

pub mod scaffold;

use brief_codegen::{doc as cdoc, locate, plan, template, Backend};
use compiler::ir::{Contract, Ir};
use compiler::{codes, Diagnostic, Sources};
use model::FileVm;

pub use brief_codegen::GeneratedFile;

/// The Rust backend (no options yet).
#[derive(Debug, Clone, Default)]
pub struct Rust;

impl Rust {
    pub fn new() -> Self {
        Rust
    }
}

impl Backend for Rust {
    fn name(&self) -> &'static str {
        "Rust"
    }

    fn generate(&self, ir: &Ir, sources: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        generate(ir, sources).map_err(|d| vec![d])
    }
}

const TEMPLATE: &str = include_str!("templates/module.rs.jinja");

/// Module names that a dependency module cannot take (`_` is appended).
const MODULE_RESERVED: &[&str] = &[
    "mod",
    "brief_runtime",
    "core",
    "std",
    "alloc",
    "wire",
    "serde",
];

/// The module of a dependency: its service name in snake case (`image-storage` →
/// `image_storage`); keywords and reserved names get `_` appended.
fn module_name(c: &Contract) -> String {
    let s = names::snake(&c.name);
    if names::KEYWORDS.contains(&s.as_str())
        || names::NOT_RAW.contains(&s.as_str())
        || MODULE_RESERVED.contains(&s.as_str())
    {
        format!("{s}_")
    } else {
        s
    }
}

fn internal(e: minijinja::Error) -> Diagnostic {
    template::internal_error("Rust", &e)
}

fn module_doc(lead: String, c: Option<&Contract>) -> Vec<String> {
    let mut l = vec![lead];
    if let Some(d) = c
        .and_then(|c| c.doc.as_deref())
        .map(cdoc::lines)
        .filter(|l| !l.is_empty())
    {
        l.push(String::new());
        l.extend(d);
    }
    if let Some(d) = c.and_then(|c| c.deprecated.as_ref()) {
        l.push(String::new());
        l.push(format!("Deprecated: {}", cdoc::deprecation_reason(d)));
    }
    layout::doc(0, "//!", &l)
}

fn generate(ir: &Ir, sources: &Sources) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let env = template::environment(&[("module.rs", TEMPLATE)]).map_err(internal)?;
    let render = |vm: &FileVm| -> Result<Vec<u8>, Diagnostic> {
        template::render(&env, "module.rs", vm)
            .map(String::into_bytes)
            .map_err(internal)
    };
    let mut files = Vec::new();
    let mut modules = Vec::new();
    let mut apis = Vec::new();
    for unit in plan::dependencies(ir, module_name) {
        let c = unit.contract;
        let model::Module { items, uses, api } = model::contract(c, false, false)
            .map_err(|d| locate::at(d, sources, &c.loc, "in this contract"))?;
        apis.push((c.name.clone(), unit.name.clone(), api));
        let vm = FileVm {
            source: c.loc.file.clone(),
            module_doc: module_doc(
                format!(
                    "Calls service {} ({}): its types, errors and a client.",
                    names::quote(&c.name),
                    c.loc.file
                ),
                Some(c),
            ),
            uses,
            modules: Vec::new(),
            items,
        };
        files.push(GeneratedFile::new(
            format!("{}.rs", unit.name),
            render(&vm)?,
        ));
        modules.push(unit.name);
    }
    modules.sort();
    // app.toml's subscriptions as the compiler resolved them (sorted by dependency, then topic).
    let mut subs = Vec::new();
    for s in &ir.subscriptions {
        let (service, module, api) = apis
            .iter()
            .find(|(name, _, _)| *name == s.dependency)
            .ok_or_else(|| {
                Diagnostic::new(
                    codes::E0503,
                    format!(
                        "subscription to `{}`: no contract for dependency `{}`",
                        s.topic, s.dependency
                    ),
                )
            })?;
        let event = api
            .events
            .iter()
            .find(|e| e.topic == s.topic)
            .ok_or_else(|| {
                Diagnostic::new(
                    codes::E0503,
                    format!(
                        "subscription: `{}` publishes no event `{}`",
                        s.dependency, s.topic
                    ),
                )
            })?;
        subs.push(model::Subscribed {
            service,
            module,
            event,
        });
    }
    let subscribed = !subs.is_empty();
    let (mut items, uses, source, doc) = match &ir.service {
        Some(c) => {
            let model::Module { items, uses, .. } = model::contract(c, true, subscribed)?;
            let doc = module_doc(
                format!(
                    "The generated Rust binding of service {}: its types, server and client.",
                    names::quote(&c.name)
                ),
                Some(c),
            );
            (items, uses, c.loc.file.clone(), doc)
        }
        None => (
            Vec::new(),
            if subscribed {
                vec!["use brief_runtime::{Context, TransportError};".to_owned()]
            } else {
                Vec::new()
            },
            "app.toml".to_owned(),
            module_doc(
                if subscribed {
                    "The clients of this service's dependencies and the consumer of the events it subscribes to."
                } else {
                    "The clients of this service's dependencies."
                }
                .to_owned(),
                None,
            ),
        ),
    };
    items.extend(model::subscriptions(&subs));
    let vm = FileVm {
        source,
        module_doc: doc,
        uses,
        modules,
        items,
    };
    files.push(GeneratedFile::new("mod.rs", render(&vm)?));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
