//! The command line: clap's argument types of paasctl and its commands (parsing only, no behaviour).
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "paasctl",
    version,
    about = "Contracts and service config in; typed clients, servers and manifests out.",
    long_about = "paasctl turns a service project (app.toml, service.brief, rpc/<dependency>.brief) \
into everything the platform needs. Exit codes: 0 clean (warnings allowed), 1 errors in the input, \
2 usage or IO error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// How to print diagnostics: human (stderr), json, sarif (SARIF 2.1.0) or github (Actions
    /// annotations), the last three on stdout (`ir`: on stderr, its stdout is the IR). Paths are
    /// relative to the current directory (docs/diagnostics.md).
    #[arg(long, value_enum, default_value_t = FormatArg::Human, global = true)]
    pub format: FormatArg,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    Human,
    Json,
    Sarif,
    Github,
}

/// Target languages of `paasctl codegen`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangArg {
    Go,
    Php,
    Rust,
}

/// Documents of `paasctl export`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// OpenAPI 3.1 (JSON) of the rpcs.
    Openapi,
    /// AsyncAPI 3.0 (JSON) of the events published and subscribed to.
    Asyncapi,
    /// proto3 of the messages, enums, errors and rpcs.
    Proto,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryArg {
    /// Only changes that break existing peers on the wire.
    Wire,
    /// Only changes that break the compilation of regenerated code.
    Source,
    /// Both.
    All,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a service project or one .brief file and report every problem.
    #[command(
        after_help = "Examples:\n  paasctl check                      # the project in the current directory\n  paasctl check golden/cases/summer  # another project\n  paasctl check rpc/billing.brief    # one file and what it imports\n  paasctl check --format json        # machine-readable diagnostics\n  paasctl check --platform platform.toml   # judge app.toml by the real platform (or PAASCTL_PLATFORM)\n\n\
A project's app.toml is checked against the platform config in every environment, with the rules of \
`paasctl manifests`: what manifests would reject, check rejects."
    )]
    Check {
        /// A service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The platform config; default $PAASCTL_PLATFORM, else the embedded default.
        #[arg(long)]
        platform: Option<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Print the project's IR as JSON (versioned; see docs/ir.md) for external generators.
    #[command(
        after_help = "The IR goes to stdout; diagnostics go to stderr, in the --format asked for (exit 1 \
and no IR on errors).\n\n\
Examples:\n  paasctl ir > ir.json\n  paasctl ir golden/cases/summer | jq '.service.rpcs[].name'\n  \
paasctl ir --format json > ir.json 2> diagnostics.json"
    )]
    Ir {
        /// A service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Generate typed servers, clients and event bindings from the project's contracts.
    #[command(
        after_help = "The output directory is owned by codegen: it is replaced as a whole (atomically; files \
that did not change keep their modification time) and must not hold hand-written files.\n\n\
Examples:\n  paasctl codegen --lang go --out gen --go-import-path example.com/summer/gen\n  \
paasctl codegen golden/cases/summer --lang go --out /tmp/summer/gen --go-import-path example.com/summer/gen\n  \
paasctl codegen --lang php --out src/Generated --php-namespace 'Acme\\Summer\\Generated'\n  \
paasctl codegen --lang rust --out src/generated\n\n\
Go layout (docs/go.md): OUT/<service>.brief.go is the service's own package (types, Server, NewHandler, \
Client, Publisher, Consumer); OUT/<dependency>client/ holds a typed client per rpc/<dependency>.brief.\n\n\
Rust layout (docs/rust.md): OUT/mod.rs is the service's own module (types, Server, router, Client; \
include it with `mod generated;`); OUT/<dependency>.rs holds a typed client per rpc/<dependency>.brief."
    )]
    Codegen {
        /// A service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The language to generate.
        #[arg(long, value_enum)]
        lang: LangArg,
        /// The output directory (replaced as a whole).
        #[arg(long = "out", value_name = "DIR")]
        out_dir: PathBuf,
        /// Go: the import path OUT has in your module (like protoc's go_package), e.g.
        /// example.com/summer/gen. Required with --lang go.
        #[arg(long, value_name = "PATH")]
        go_import_path: Option<String>,
        /// PHP: the namespace of OUT (its PSR-4 prefix), e.g. Acme\Summer\Generated. Required
        /// with --lang php (docs/php.md).
        #[arg(long, value_name = "NS")]
        php_namespace: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Write the Kubernetes manifests of one environment: one YAML file per deploy stage.
    #[command(
        after_help = "Stages, applied in order: 10-init.yaml (Namespace, ServiceAccount, ConfigMap, \
NetworkPolicy), 20-db.yaml (migration Jobs), 30-app.yaml (Deployment, PodDisruptionBudget, \
HorizontalPodAutoscaler, CronJobs), 40-balancing.yaml (Service, Ingress). See docs/manifests.md.\n\n\
Examples:\n  paasctl manifests --env staging\n  paasctl manifests services/shop -e prod --image registry.example/shop:1.4.2 --out deploy/prod\n  paasctl manifests --env staging --out - | kubectl apply --dry-run=server -f -\n  paasctl manifests --env staging --platform platform.toml   # or PAASCTL_PLATFORM=platform.toml"
    )]
    Manifests {
        /// The service directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment (a key of the platform's `[environments]`, or one of its aliases).
        #[arg(short = 'e', long)]
        env: String,
        /// The image to run (`repo:tag` or `repo@sha256:...`); default `<registry>/<name>:<env>`.
        #[arg(long)]
        image: Option<String>,
        /// Output directory, replaced as a whole; `-` prints every file to stdout.
        /// Default: `<DIR>/manifests/<ENV>`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The platform config; default $PAASCTL_PLATFORM, else the embedded default.
        #[arg(long)]
        platform: Option<PathBuf>,
        #[command(flatten)]
        diag: OutputArgs,
    },
    /// Export the service's contract as OpenAPI 3.1, AsyncAPI 3.0 or proto3 (docs/export.md).
    #[command(
        after_help = "The document goes to stdout, or to FILE with --out (written atomically); diagnostics \
go to stderr.\n\n\
Examples:\n  paasctl export --format openapi > openapi.json\n  \
paasctl export golden/cases/summer --format asyncapi --out asyncapi.json\n  \
paasctl export --format proto --out proto/summer.proto && protoc --proto_path=proto --descriptor_set_out=/dev/null proto/summer.proto"
    )]
    Export {
        /// The service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The document to export.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write the document to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Format .brief files in the canonical style (docs/fmt.md); `--check` only reports.
    #[command(
        after_help = "Examples:\n  paasctl fmt                        # every .brief file below the current directory\n  paasctl fmt service.brief rpc/     # files and directories\n  paasctl fmt --check                # list files that would change, exit 1 if any\n  paasctl fmt --check --format github"
    )]
    Fmt {
        /// .brief files or directories (every .brief file below them).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Write nothing; report files that are not formatted and exit 1 if there are any.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Lint a service project or one .brief file (rules: docs/lint.md; config: brief.toml).
    #[command(
        after_help = "Examples:\n  paasctl lint                       # the project in the current directory\n  paasctl lint --deny-warnings       # fail on warnings too (CI)\n  paasctl lint --format sarif > lint.sarif"
    )]
    Lint {
        /// A service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Exit 1 on warnings too, not only on errors.
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Report breaking changes against another version of the project (docs/breaking.md).
    #[command(
        after_help = "Examples:\n  paasctl breaking --against HEAD~1          # against a git revision\n  paasctl breaking --against origin/main     # against a branch (CI)\n  paasctl breaking svc --against ../svc-v1   # against a directory\n  paasctl breaking --against v1.2.0 --category wire"
    )]
    Breaking {
        /// The service directory (a .brief file means its project).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The earlier version: a directory, or a git revision (commit, branch, tag, HEAD~1).
        #[arg(long)]
        against: String,
        /// Which breaking changes to report.
        #[arg(long, value_enum, default_value_t = CategoryArg::All)]
        category: CategoryArg,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Explain a diagnostic code or rule name: its meaning, an example, the fix.
    #[command(
        after_help = "Examples:\n  paasctl explain E0201\n  paasctl explain RPC_LOWER_CAMEL_CASE   # a lint rule's name\n  \
paasctl explain FIELD_REMOVED          # a breaking-change check's name\n  paasctl explain --all                  # every code and its title"
    )]
    Explain {
        /// The code (E0201, L0101, B0101) or rule name (RPC_LOWER_CAMEL_CASE, FIELD_REMOVED).
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        all: bool,
    },
    /// Run the language server (LSP over stdin/stdout) for editors.
    #[command(
        after_help = "Editors start it themselves; see docs/editors.md for VS Code, Neovim and Helix.\n\n\
Examples:\n  paasctl lsp                          # what the editor runs\n  \
nvim --cmd 'lua vim.lsp.start({name = \"brief\", cmd = {\"paasctl\", \"lsp\"}})' service.brief"
    )]
    Lsp,
    /// Deploy a service to a cluster, stage by stage (docs/deploy.md).
    #[command(
        after_help = "Renders the manifests of ENV (as `paasctl manifests` does) and applies them with \
server-side apply in every cluster of ENV at once (platform.toml; --kubeconfig/--context for one), \
stage by stage (init, db, app, balancing), the next stage only once every cluster has the last ready. \
Objects of the service that the new release no longer has are pruned; a Release record keeps the \
history; a Lease refuses a second deploy of the same service and environment. Progress on stderr, \
or with --format json as a JSON event stream on stdout.\n\n\
Examples:\n  paasctl deploy -e staging --image registry.example/shop:1.4.2\n  \
paasctl deploy services/shop -e prod --image registry.example/shop@sha256:... --timeout 10m\n  \
paasctl deploy -e staging --image registry.example/shop:1.4.2 --dry-run   # server-side dry run\n  \
paasctl deploy -e dev --image registry.example/shop:1.4.2 --no-wait --kubeconfig ~/.kube/dev --context dev\n  \
paasctl deploy -e prod --image registry.example/shop:1.5.0 --strategy canary --canary-percent 5\n  \
paasctl deploy -e prod --image registry.example/shop:1.5.0 --strategy canary --canary-percent 5 --platform platform.toml   # [canary] traffic = \"httproute\": HTTPRoute weights 95/5"
    )]
    Deploy(DeployArgs),
    /// Show what is deployed: per stage and object, ready or why not.
    #[command(
        after_help = "Examples:\n  paasctl status -e staging\n  paasctl status services/shop -e prod --context prod-eu1"
    )]
    Status(StatusArgs),
    /// List the release history of a service in an environment.
    #[command(
        after_help = "Examples:\n  paasctl releases -e prod\n  paasctl releases services/shop -e prod --format json | jq '.[0]'"
    )]
    Releases(StatusArgs),
    /// Roll back to an earlier release: its inputs rendered again, applied as a new release.
    #[command(
        after_help = "Renders the inputs stored in the release record (by default the release \
before the one deployed now: its app.toml, contracts and image) again with today's toolchain and \
platform config, so that what the platform ships with every service (labels, sizes, policies) does \
not roll back with it, and applies them with everything `deploy` does: stages, readiness, prune, \
lock. --no-regenerate reapplies the manifests stored in the record instead, as they were; so does a \
record of an older paasctl, which has no inputs (a note says so). The rollback is itself a new \
release (strategy `rollback`).\n\n\
Examples:\n  paasctl rollback -e prod\n  paasctl rollback services/shop -e prod --to 7 --timeout 10m\n  \
paasctl rollback -e prod --to 7 --no-regenerate   # the stored manifests, byte for byte"
    )]
    Rollback(RollbackArgs),
    /// Bring every cluster of an environment to the release of record.
    #[command(
        after_help = "The release of record is the newest release deployed in any cluster of ENV. A \
cluster whose own newest deployed release is older (it was down during a deploy, or a deploy went \
to another cluster alone with --context) or that has no release at all (its state was lost) gets \
that release's manifests for it, from the record of a cluster that has them, with everything \
`deploy` does: lock, stages, readiness, prune. Clusters already at the release are left alone. \
Every cluster must answer, unless --skip-unreachable: then a cluster that does not answer is \
reported and left out, the release of record is the newest among those that answer, and the rest \
are synced (run `sync` again when it is back).\n\n\
Examples:\n  paasctl sync -e prod\n  \
paasctl sync -e prod --skip-unreachable   # during an outage: sync the clusters that answer\n  \
paasctl sync services/shop -e prod --timeout 10m --format json   # the event stream for CI"
    )]
    Sync(SyncCmdArgs),
    /// Promote or abort the canary of a service (`deploy --strategy canary`).
    Canary {
        #[command(subcommand)]
        command: CanaryCommand,
    },
    /// Create new service projects (docs/service-create.md).
    Service {
        #[command(subcommand)]
        command: ServiceCommand,
    },
    /// Print a shell completion script for paasctl (docs/completions.md).
    #[command(
        after_help = "Examples:\n  paasctl completions bash > ~/.local/share/bash-completion/completions/paasctl\n  \
paasctl completions zsh > ~/.zfunc/_paasctl      # with fpath+=~/.zfunc before compinit\n  \
paasctl completions fish > ~/.config/fish/completions/paasctl.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: ShellArg,
    },
}

/// `paasctl canary ...`.
#[derive(Subcommand, Debug)]
pub enum CanaryCommand {
    /// Make the running canary the new stable release in every cluster.
    #[command(
        after_help = "Deploys the canary's release (its stored manifests, every stage, the migrations \
included) as the new stable release, with everything `deploy` does; the canary Deployment is \
pruned, the stable one runs the new version (with `[canary] traffic = \"httproute\"`: the \
HTTPRoutes back at the stable Service's weight 100, the canary's Service pruned).\n\n\
Examples:\n  paasctl canary promote -e prod\n  paasctl canary promote services/shop -e prod --timeout 10m"
    )]
    Promote(SyncArgs),
    /// Remove the running canary: all traffic back to the stable release.
    #[command(
        after_help = "Deletes the canary Deployment (and what only the canary brought, such as its \
ConfigMap) in every cluster; the stable release keeps running untouched; the canary's release \
becomes `rolled-back`. With platform.toml's `[canary] traffic = \"httproute\"` the stable release's \
HTTPRoutes are applied first (all traffic to the stable Service), then the canary's Service goes \
too.\n\n\
Examples:\n  paasctl canary abort -e prod\n  paasctl canary abort services/shop -e prod --format json"
    )]
    Abort(SyncArgs),
}

/// Deploy strategies.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyArg {
    /// Every stage applied, the stable Deployment replaced.
    Simple,
    /// A second Deployment beside the stable one; traffic split by replica ratio.
    Canary,
}

/// `paasctl service ...`.
#[derive(Subcommand, Debug)]
pub enum ServiceCommand {
    /// A new service that builds, tests and deploys: app.toml, service.brief with an example rpc
    /// and event, the engine's code wired to the generated code, unit tests, a Dockerfile, CI
    /// and pre-commit config, and a README.
    #[command(
        after_help = "Asks for what is missing when stdin is a terminal (the default shown in brackets); \
with --yes, or without a terminal, it takes the defaults and needs NAME. It refuses a directory \
that is not empty, writes everything at once (nothing on error), generates the code and runs \
`check` on the result.\n\n\
Examples:\n  paasctl service create                                   # asks for everything\n  \
paasctl service create billing --engine golang --description 'Invoices and payments' --yes\n  \
paasctl service create mailer --engine php --yes\n  \
paasctl service create tagger --engine rust --runtime-dir ~/src/paasctl --yes\n  \
paasctl service create shop --depends-on billing --depends-on image-storage --dir services/shop --yes"
    )]
    Create(CreateArgs),
}

/// The arguments of `paasctl service create`.
#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The service name: a DNS label (lower-case letters, digits, `-`), as in app.toml.
    pub name: Option<String>,
    /// The engine (language) of the service.
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// One line on what the service does.
    #[arg(long)]
    pub description: Option<String>,
    /// Where to create it (default: ./NAME); must not exist or be empty.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// A service it calls (repeatable): a dependency in app.toml and an rpc/<SVC>.brief stub.
    #[arg(long = "depends-on", value_name = "SVC")]
    pub depends_on: Vec<String>,
    /// Ask nothing: take the default of every value not given.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Go: the module path of the new service (default: NAME).
    #[arg(long, value_name = "PATH")]
    pub go_module: Option<String>,
    /// A checkout of paasctl whose runtime the new service uses instead of the released one
    /// (Go: a `replace` in go.mod; PHP: a composer path repository and the autoloader
    /// bootstrap.php falls back to; Rust: a path dependency), until the runtimes are published.
    #[arg(long, value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// The platform config (environment names); default $PAASCTL_PLATFORM, else the embedded one.
    #[arg(long)]
    pub platform: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Engines `paasctl service create` can start a service in (rust follows its backend).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineArg {
    Golang,
    Php,
    Rust,
}

impl EngineArg {
    /// The engine's name in app.toml.
    pub fn app_toml_name(self) -> &'static str {
        match self {
            EngineArg::Golang => "golang",
            EngineArg::Php => "php",
            EngineArg::Rust => "rust",
        }
    }
}

/// Shells `paasctl completions` writes a script for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

/// The arguments of `paasctl manifests`, as one value for its command.
pub struct ManifestsArgs {
    pub path: PathBuf,
    pub env: String,
    pub image: Option<String>,
    pub out: Option<PathBuf>,
    pub platform: Option<PathBuf>,
    pub diag: OutputArgs,
}

/// The cluster flags of the deploy commands.
#[derive(clap::Args, Debug, Clone)]
pub struct ClusterArgs {
    /// One cluster through this kubeconfig file instead of the environment's clusters
    /// (platform.toml); default $KUBECONFIG, else ~/.kube/config.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// One cluster instead of the environment's clusters: the one whose kubeconfig context or
    /// name this is, else this context for the environment's only cluster.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// The arguments of `paasctl deploy`.
#[derive(clap::Args, Debug)]
pub struct DeployArgs {
    /// The service directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The environment (a key of the platform's `[environments]`, or one of its aliases).
    #[arg(short = 'e', long)]
    pub env: String,
    /// The image to run (`repo:tag` or `repo@sha256:...`).
    #[arg(long)]
    pub image: String,
    /// How long each stage may take to become ready: `90s`, `10m`, `1h`.
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    pub timeout: std::time::Duration,
    /// Apply every stage in order without waiting for readiness (as `kubectl apply` does).
    #[arg(long)]
    pub no_wait: bool,
    /// Server-side dry run: the API server checks every object; nothing changes.
    #[arg(long)]
    pub dry_run: bool,
    /// How many releases of the service in ENV are kept.
    #[arg(long, default_value_t = 10)]
    pub history: usize,
    /// Leave a failed deploy failed instead of rolling back to the last deployed release.
    #[arg(long)]
    pub no_auto_rollback: bool,
    /// `simple` replaces the release; `canary` runs the new version beside it (see
    /// `paasctl canary`).
    #[arg(long, value_enum, default_value_t = StrategyArg::Simple)]
    pub strategy: StrategyArg,
    /// The canary's share of the traffic, 1 to 99 (by replica ratio, or by HTTPRoute weights as
    /// platform.toml's `[canary] traffic` says).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=99))]
    pub canary_percent: u32,
    /// How long the deploy lock lives without renewal (tests shorten it).
    #[arg(long, value_parser = parse_duration, default_value = "60s", hide = true)]
    pub lease: std::time::Duration,
    /// The platform config; default $PAASCTL_PLATFORM, else the embedded default.
    #[arg(long)]
    pub platform: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// The arguments of `paasctl status` and `paasctl releases`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The service directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The environment (a key of the platform's `[environments]`, or one of its aliases).
    #[arg(short = 'e', long)]
    pub env: String,
    /// The platform config; default $PAASCTL_PLATFORM, else the embedded default.
    #[arg(long)]
    pub platform: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// A duration: a number and a unit (`ms`, `s`, `m`, `h`), e.g. `90s`, `10m`.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 90s, 10m or 1h"))?;
    let secs = match unit {
        "ms" => return Ok(std::time::Duration::from_millis(n)),
        "s" | "" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("`{s}`: the unit is ms, s, m or h")),
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// The arguments of `paasctl sync` and `paasctl canary promote|abort` (and `rollback`'s).
#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// The service directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The environment (a key of the platform's `[environments]`, or one of its aliases).
    #[arg(short = 'e', long)]
    pub env: String,
    /// How long each stage may take to become ready: `90s`, `10m`, `1h`.
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    pub timeout: std::time::Duration,
    /// Apply every stage in order without waiting for readiness.
    #[arg(long)]
    pub no_wait: bool,
    /// The platform config; default $PAASCTL_PLATFORM, else the embedded default.
    #[arg(long)]
    pub platform: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// The arguments of `paasctl sync`: the common ones, and what to do with a cluster that is down.
#[derive(clap::Args, Debug)]
pub struct SyncCmdArgs {
    #[command(flatten)]
    pub run: SyncArgs,
    /// Leave out (and report) the clusters that do not answer instead of failing.
    #[arg(long)]
    pub skip_unreachable: bool,
}

/// The arguments of `paasctl rollback`: those of `sync`, and the version to return to.
#[derive(clap::Args, Debug)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub run: SyncArgs,
    /// The version to return to (see `paasctl releases`); default the one before the current.
    #[arg(long, value_name = "VERSION")]
    pub to: Option<u64>,
    /// Reapply the release's stored manifests as they were instead of rendering its inputs again.
    #[arg(long)]
    pub no_regenerate: bool,
}
