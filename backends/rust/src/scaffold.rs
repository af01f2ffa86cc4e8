//! The starting code of a new Rust service for `paasctl service create`: `src/main.rs` (discovery,
//! the router, graceful shutdown), `src/lib.rs`, `src/service.rs` (the implementation of the
//! contract, with one unit test per rpc), `Cargo.toml` and a `Dockerfile`. Names come from the
//! same model as the generated module, so the hand-written code always matches what
//! `paasctl codegen --lang rust` writes.
use crate::{model, module_name, names};
use brief_codegen::plan;
use brief_codegen::scaffold::{render_files, toml_escape, Scaffold};
use brief_codegen::scope::Scope;
use compiler::ir::Ir;
use compiler::naming::discovery_env_var;
use compiler::{codes, Diagnostic};
use serde::Serialize;

/// Where `paasctl codegen` writes in a new Rust service (the module `generated` of its library).
pub const GENERATED_DIR: &str = "src/generated";

/// The Rust version a new service declares when app.toml gives none: the workspace's
/// `rust-version`, which runtime-rust is built with.
pub const RUST_VERSION: &str = "1.80";

/// Options of a new Rust service.
#[derive(Debug, Clone)]
pub struct ScaffoldOptions<'a> {
    /// runtime-rust's (crate `brief-runtime`) version to require.
    pub runtime_version: &'a str,
    /// A local runtime-rust directory (a checkout of paasctl's `runtime-rust`) to depend on by
    /// path instead, until the runtime is published.
    pub runtime_dir: Option<&'a str>,
    /// The example rpc whose unit test checks a concrete answer (`hello`); other rpcs get a test
    /// that they answer.
    pub example_rpc: &'a str,
}

#[derive(Serialize)]
struct Vm {
    service: String,
    krate: String,
    description_toml: String,
    rust_version: String,
    runtime_version: String,
    runtime_dir_toml: Option<String>,
    rpcs: Vec<RpcVm>,
    publisher: Option<PublisherVm>,
    deps: Vec<DepVm>,
}

#[derive(Serialize)]
struct RpcVm {
    method: String,
    /// The method's name without `r#` or a trailing `_`, to build test names from.
    test: String,
    input: String,
    output: String,
    error: String,
    example: bool,
}

#[derive(Serialize)]
struct PublisherVm {
    method: String,
    message: String,
}

#[derive(Serialize)]
struct DepVm {
    name: String,
    module: String,
    field: String,
    env_var: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("templates/scaffold/Cargo.toml.jinja"),
    ),
    (
        "src/main.rs",
        include_str!("templates/scaffold/main.rs.jinja"),
    ),
    (
        "src/lib.rs",
        include_str!("templates/scaffold/lib.rs.jinja"),
    ),
    (
        "src/service.rs",
        include_str!("templates/scaffold/service.rs.jinja"),
    ),
    (
        "Dockerfile",
        include_str!("templates/scaffold/Dockerfile.jinja"),
    ),
];

/// A new Rust service for the checked `ir` (its own contract and dependencies).
pub fn scaffold(ir: &Ir, opts: &ScaffoldOptions<'_>) -> Result<Scaffold, Diagnostic> {
    let (Some(app), Some(own)) = (&ir.app, &ir.service) else {
        return Err(Diagnostic::new(
            codes::E0501,
            "a new Rust service needs app.toml and service.brief",
        ));
    };
    let api = model::contract(own, true, false)?.api;
    let rpcs = api
        .rpcs
        .into_iter()
        .map(|r| RpcVm {
            example: r.name == opts.example_rpc,
            test: r
                .method
                .trim_start_matches("r#")
                .trim_end_matches('_')
                .to_owned(),
            method: r.method,
            input: r.input,
            output: r.output,
            error: r.error,
        })
        .collect();
    let publisher = api.events.into_iter().next().map(|e| PublisherVm {
        method: e.publish,
        message: e.message,
    });
    let mut fields = Scope::with(&["events"]);
    let deps = plan::dependencies(ir, module_name)
        .into_iter()
        .map(|u| DepVm {
            name: u.contract.name.clone(),
            field: fields.claim(&names::escape(&names::snake(&u.contract.name))),
            env_var: discovery_env_var(&u.contract.name),
            module: u.name,
        })
        .collect();
    let rust_version = app
        .engine
        .as_ref()
        .map(|e| e.version.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| RUST_VERSION.to_owned());
    let vm = Vm {
        service: own.name.clone(),
        krate: own.name.replace('-', "_"),
        description_toml: toml_escape(&app.description),
        rust_version,
        runtime_version: opts.runtime_version.to_owned(),
        runtime_dir_toml: opts.runtime_dir.map(toml_escape),
        rpcs,
        publisher,
        deps,
    };
    Ok(Scaffold {
        files: render_files("Rust", TEMPLATES, &vm)?,
        generated_dir: GENERATED_DIR.to_owned(),
        codegen_args: vec!["--lang".into(), "rust".into()],
        build: vec![
            "cargo fmt --check".into(),
            "cargo clippy --all-targets -- -D warnings".into(),
            "cargo build".into(),
        ],
        test: vec!["cargo test".into()],
        run: "cargo run".into(),
    })
}
