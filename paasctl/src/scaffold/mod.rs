//! The engine-independent files of a new service for `paasctl service create`: app.toml,
//! service.brief with one example rpc and one event, `rpc/<dep>.brief` stubs, and (once the
//! engine's scaffold is known) the README, the CI workflow and the pre-commit config. Names and
//! values are computed here; the templates hold layout only.
use brief_codegen::scaffold::{toml_escape, Scaffold};
use brief_codegen::{template, GeneratedFile};
use compiler::naming::{self, Digits};
use compiler::Diagnostic;
use serde::Serialize;

/// The example rpc of every new service (its engine scaffold tests a concrete answer).
pub const EXAMPLE_RPC: &str = "hello";

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct NewService {
    pub name: String,
    pub engine: &'static str,
    pub description: String,
    pub depends_on: Vec<String>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("app.toml", include_str!("templates/app.toml.jinja")),
    (
        "service.brief",
        include_str!("templates/service.brief.jinja"),
    ),
    (
        "dependency.brief",
        include_str!("templates/dependency.brief.jinja"),
    ),
    ("README.md", include_str!("templates/README.md.jinja")),
    ("ci.yml", include_str!("templates/ci.yml.jinja")),
    (
        "pre-commit.yaml",
        include_str!("templates/pre-commit.yaml.jinja"),
    ),
];

#[derive(Serialize)]
struct ContractVm<'a> {
    name: &'a str,
    name_toml: String,
    description_toml: String,
    description_doc: String,
    engine: &'a str,
    engine_version: &'static str,
    deps: &'a [String],
    envs: &'a [String],
    overrides: Vec<Override>,
    topic: String,
}

/// A commented-out `[envs.<env>...]` example of app.toml.
#[derive(Serialize)]
struct Override {
    table: String,
    line: &'static str,
}

#[derive(Serialize)]
struct DepVm<'a> {
    dep: &'a str,
}

#[derive(Serialize)]
struct ProjectVm<'a> {
    name: &'a str,
    description: &'a str,
    engine_title: &'static str,
    generated_dir: &'a str,
    codegen_args: String,
    build: &'a [String],
    test: String,
    test_list: &'a [String],
    run: &'a str,
    env_vars: Vec<String>,
    first_env: &'a str,
    setup: &'static str,
    paasctl_version: &'static str,
}

/// The oldest engine version the engine's brief runtime supports (app.toml's E0405 minimum).
fn engine_version(engine: &str) -> &'static str {
    match engine {
        "php" => "8.2",
        "rust" => backend_rust::scaffold::RUST_VERSION,
        _ => "1.22",
    }
}

fn engine_title(engine: &str) -> &'static str {
    match engine {
        "php" => "PHP",
        "rust" => "Rust",
        _ => "Go",
    }
}

/// The CI steps that install the engine's toolchain.
fn ci_setup(engine: &str) -> &'static str {
    match engine {
        "rust" => "      - run: rustup component add clippy rustfmt",
        "php" => "      - uses: shivammathur/setup-php@v2\n        with:\n          php-version: \"8.2\"\n          extensions: curl, apcu",
        _ => "      - uses: actions/setup-go@v5\n        with:\n          go-version-file: go.mod",
    }
}

fn environment() -> Result<minijinja::Environment<'static>, Diagnostic> {
    template::environment(TEMPLATES).map_err(|e| template::internal_error("service create", &e))
}

fn render(
    env: &minijinja::Environment<'_>,
    name: &str,
    vm: &impl Serialize,
) -> Result<String, Diagnostic> {
    template::render(env, name, vm).map_err(|e| template::internal_error("service create", &e))
}

/// app.toml, service.brief and one stub per dependency: what the compiler checks before
/// anything is written. `envs` are the platform's environment names.
pub fn contract_files(s: &NewService, envs: &[String]) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let env = environment()?;
    let vm = ContractVm {
        name: &s.name,
        name_toml: toml_escape(&s.name),
        description_toml: toml_escape(&s.description),
        // A doc string ends at a backtick.
        description_doc: s.description.replace('`', "'"),
        engine: s.engine,
        engine_version: engine_version(s.engine),
        deps: &s.depends_on,
        envs,
        overrides: envs.iter().map(|e| example_override(e)).collect(),
        topic: format!("{}.greeted", naming::lower_snake(&s.name, Digits::AsLower)),
    };
    let mut files = vec![
        GeneratedFile::new("app.toml", render(&env, "app.toml", &vm)?),
        GeneratedFile::new("service.brief", render(&env, "service.brief", &vm)?),
    ];
    for dep in &s.depends_on {
        files.push(GeneratedFile::new(
            format!("rpc/{dep}.brief"),
            render(&env, "dependency.brief", &DepVm { dep })?,
        ));
    }
    Ok(files)
}

/// README.md, the CI workflow and the pre-commit config, which name the engine's commands.
pub fn project_files(
    s: &NewService,
    scaffold: &Scaffold,
    envs: &[String],
) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let env = environment()?;
    let mut env_vars: Vec<String> = std::iter::once("data-bus")
        .chain(s.depends_on.iter().map(String::as_str))
        .map(naming::discovery_env_var)
        .collect();
    env_vars.sort();
    let vm = ProjectVm {
        name: &s.name,
        description: &s.description,
        engine_title: engine_title(s.engine),
        generated_dir: &scaffold.generated_dir,
        codegen_args: scaffold
            .codegen_args
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" "),
        build: &scaffold.build,
        test: scaffold.test.join(" && "),
        test_list: &scaffold.test,
        run: &scaffold.run,
        env_vars,
        first_env: envs.first().map(String::as_str).unwrap_or("dev"),
        setup: ci_setup(s.engine),
        paasctl_version: env!("CARGO_PKG_VERSION"),
    };
    Ok(vec![
        GeneratedFile::new("README.md", render(&env, "README.md", &vm)?),
        GeneratedFile::new(".github/workflows/ci.yml", render(&env, "ci.yml", &vm)?),
        GeneratedFile::new(
            ".pre-commit-config.yaml",
            render(&env, "pre-commit.yaml", &vm)?,
        ),
    ])
}

/// A production-like environment runs more replicas; the others a smaller size.
fn example_override(env: &str) -> Override {
    if env.starts_with("prod") {
        Override {
            table: format!("envs.{env}"),
            line: "replicas = 3",
        }
    } else {
        Override {
            table: format!("envs.{env}.engine"),
            line: "size = \"nano\"",
        }
    }
}

/// `s` as one POSIX shell word.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
