//! The starting code of a new Go service for `paasctl service create`: `main.go` (discovery,
//! handler, graceful shutdown), `service.go` (the implementation of the contract), one unit test
//! per rpc, `go.mod` and a `Dockerfile`. Names come from the same view-models as the generated
//! package, so the hand-written code always matches what `paasctl codegen` writes.
use crate::{model, names, validate_import_path};
use brief_codegen::plan;
use brief_codegen::scaffold::{render_files, Scaffold};
use compiler::ir::Ir;
use compiler::{codes, Diagnostic};
use serde::Serialize;

/// Where `paasctl codegen` writes in a new Go service.
pub const GENERATED_DIR: &str = "gen";

/// Options of a new Go service.
#[derive(Debug, Clone)]
pub struct ScaffoldOptions<'a> {
    /// The Go module path (`go.mod`'s `module`).
    pub module: &'a str,
    /// runtime-go's version to require.
    pub runtime_version: &'a str,
    /// A local runtime-go directory to `replace` the module with (a checkout of paasctl).
    pub runtime_dir: Option<&'a str>,
    /// The example rpc whose unit test checks a concrete answer (`hello`); other rpcs get a
    /// test that they answer.
    pub example_rpc: &'a str,
}

#[derive(Serialize)]
struct Vm {
    module: String,
    go_version: String,
    runtime: &'static str,
    runtime_version: String,
    runtime_dir: Option<String>,
    gen_import: String,
    gen_pkg: String,
    service: String,
    description: String,
    rpcs: Vec<RpcVm>,
    publisher: Option<String>,
    event_message: String,
    deps: Vec<DepVm>,
}

#[derive(Serialize)]
struct RpcVm {
    method: String,
    input: String,
    output: String,
    example: bool,
}

#[derive(Serialize)]
struct DepVm {
    name: String,
    import: String,
    pkg: String,
    field: String,
    var: String,
    env_var: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("go.mod", include_str!("templates/scaffold/go.mod.jinja")),
    ("main.go", include_str!("templates/scaffold/main.go.jinja")),
    (
        "service.go",
        include_str!("templates/scaffold/service.go.jinja"),
    ),
    (
        "service_test.go",
        include_str!("templates/scaffold/service_test.go.jinja"),
    ),
    (
        "Dockerfile",
        include_str!("templates/scaffold/Dockerfile.jinja"),
    ),
];

/// A new Go service for the checked `ir` (its own contract and dependencies).
pub fn scaffold(ir: &Ir, opts: &ScaffoldOptions<'_>) -> Result<Scaffold, Diagnostic> {
    validate_import_path(opts.module)
        .map_err(|e| Diagnostic::new(codes::E0405, format!("Go module path: {e}")))?;
    let (Some(app), Some(own)) = (&ir.app, &ir.service) else {
        return Err(Diagnostic::new(
            codes::E0501,
            "a new Go service needs app.toml and service.brief",
        ));
    };
    let gen_import = format!("{}/{GENERATED_DIR}", opts.module);
    let gen_pkg = names::package(plan::last_element(&gen_import), "pkg");
    let vm_own = model::contract(own, true, true)?;
    let rpcs = vm_own
        .rpcs
        .iter()
        .zip(&own.rpcs)
        .map(|(vm, r)| RpcVm {
            method: vm.method.clone(),
            input: vm.input.trim_start_matches('*').to_owned(),
            output: vm.output.trim_start_matches('*').to_owned(),
            example: r.name == opts.example_rpc,
        })
        .collect();
    let publisher = vm_own.events.first().map(|e| e.publish_method.clone());
    let event_message = vm_own
        .events
        .first()
        .map(|e| e.message.trim_start_matches('*').to_owned())
        .unwrap_or_default();
    let deps = plan::dependencies(ir, |c| names::package(&c.name, "x") + "client")
        .into_iter()
        .map(|u| DepVm {
            import: format!("{gen_import}/{}", u.name),
            field: names::exported(&u.contract.name),
            var: names::unexported(&u.contract.name),
            env_var: names::env_var(&u.contract.name),
            name: u.contract.name.clone(),
            pkg: u.name,
        })
        .collect();
    let go_version = app
        .engine
        .as_ref()
        .map(|e| e.version.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "1.22".to_owned());
    let vm = Vm {
        module: opts.module.to_owned(),
        go_version,
        runtime: model::RUNTIME,
        runtime_version: opts.runtime_version.to_owned(),
        runtime_dir: opts.runtime_dir.map(str::to_owned),
        gen_import: gen_import.clone(),
        gen_pkg,
        service: own.name.clone(),
        description: app.description.clone(),
        rpcs,
        publisher,
        event_message,
        deps,
    };
    Ok(Scaffold {
        files: render_files("Go", TEMPLATES, &vm)?,
        generated_dir: GENERATED_DIR.to_owned(),
        codegen_args: vec![
            "--lang".into(),
            "go".into(),
            "--go-import-path".into(),
            gen_import,
        ],
        build: vec!["go vet ./...".into(), "go build ./...".into()],
        test: vec!["go test ./...".into()],
        run: "go run .".into(),
    })
}
