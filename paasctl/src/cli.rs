//! Command-line parsing and the commands; every command returns its exit code.
use clap::{Parser, Subcommand, ValueEnum};
use compiler::render;
use compiler::{Compiler, OsFs, Output};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit code: clean run (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Exit code: errors in the input.
pub const EXIT_INPUT: i32 = 1;
/// Exit code: usage or IO error.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "paasctl",
    version,
    about = "Contracts and service config in; typed clients, servers and manifests out.",
    long_about = "paasctl turns a service project (app.toml, service.brief, rpc/<dependency>.brief) \
into everything the platform needs. Exit codes: 0 clean (warnings allowed), 1 errors in the input, \
2 usage or IO error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct OutputArgs {
    /// How to print diagnostics: human (stderr), json, sarif (SARIF 2.1.0) or github (Actions
    /// annotations), the last three on stdout.
    #[arg(long, value_enum, default_value_t = FormatArg::Human, global = true)]
    pub(crate) format: FormatArg,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub(crate) color: ColorArg,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatArg {
    Human,
    Json,
    Sarif,
    Github,
}

/// Target languages of `paasctl codegen` (php and rust are planned).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum LangArg {
    Go,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a service project or one .brief file and report every problem.
    #[command(
        after_help = "Examples:\n  paasctl check                      # the project in the current directory\n  paasctl check golden/cases/summer  # another project\n  paasctl check rpc/billing.brief    # one file and what it imports\n  paasctl check --format json        # machine-readable diagnostics"
    )]
    Check {
        /// A service directory or a .brief file.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Print the project's IR as JSON (versioned; see docs/ir.md) for external generators.
    #[command(
        after_help = "Examples:\n  paasctl ir > ir.json\n  paasctl ir golden/cases/summer | jq '.service.rpcs[].name'"
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
paasctl codegen golden/cases/summer --lang go --out /tmp/summer/gen --go-import-path example.com/summer/gen\n\n\
Go layout (docs/go.md): OUT/<service>.brief.go is the service's own package (types, Server, NewHandler, \
Client, Publisher, Consumer); OUT/<dependency>client/ holds a typed client per rpc/<dependency>.brief."
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
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Write the Kubernetes manifests of one environment: one YAML file per deploy stage.
    #[command(
        after_help = "Stages, applied in order: 10-init.yaml (Namespace, ServiceAccount, ConfigMap, \
NetworkPolicy), 20-db.yaml (migration Jobs), 30-app.yaml (Deployment, PodDisruptionBudget, \
HorizontalPodAutoscaler, CronJobs), 40-balancing.yaml (Service, Ingress). See docs/manifests.md.\n\n\
Examples:\n  paasctl manifests --env staging\n  paasctl manifests services/shop --env production --image registry.example/shop:1.4.2 --out deploy/production\n  paasctl manifests --env staging --out - | kubectl apply --dry-run=server -f -\n  paasctl manifests --env staging --platform platform.toml   # or PAASCTL_PLATFORM=platform.toml"
    )]
    Manifests {
        /// The service directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment (a key of the platform's `[environments]`).
        #[arg(long)]
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
        #[arg(long, value_enum, default_value_t = crate::breaking::CategoryArg::All)]
        category: crate::breaking::CategoryArg,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Explain a diagnostic code, e.g. `paasctl explain E0201`.
    #[command(after_help = "Examples:\n  paasctl explain E0201\n  paasctl explain --all")]
    Explain {
        /// The code, such as E0201.
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        all: bool,
    },
}

/// Runs the CLI on `args`; returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    EXIT_OK
                }
                _ => EXIT_USAGE,
            };
        }
    };
    match cli.command {
        Command::Check { path, out } => check(&path, &out),
        Command::Ir { path, out } => ir(&path, &out),
        Command::Codegen {
            path,
            lang,
            out_dir,
            go_import_path,
            out,
        } => codegen(&path, lang, &out_dir, go_import_path.as_deref(), &out),
        Command::Explain { code, all } => explain(code.as_deref(), all),
        Command::Manifests {
            path,
            env,
            image,
            out,
            platform,
            diag,
        } => crate::manifests::run(&crate::manifests::ManifestsArgs {
            path,
            env,
            image,
            out,
            platform,
            diag,
        }),
        Command::Fmt { paths, check, out } => crate::fmt::run(&paths, check, &out),
        Command::Lint {
            path,
            deny_warnings,
            out,
        } => crate::lint::run(&path, deny_warnings, &out),
        Command::Breaking {
            path,
            against,
            category,
            out,
        } => crate::breaking::run(&path, &against, category, &out),
    }
}

/// Loads and checks `path` (a project directory or a .brief file). `None` for usage/IO errors.
pub fn load(path: &Path) -> Result<Output, String> {
    let mut compiler = Compiler::new();
    if path.is_dir() {
        let mut output = compiler.check_project(&OsFs, path);
        backend_k8s::check_output(&mut output);
        Ok(output)
    } else if path.is_file() {
        if path.extension().and_then(|e| e.to_str()) != Some("brief") {
            return Err(format!(
                "`{}` is neither a directory nor a .brief file",
                path.display()
            ));
        }
        let root = project_root(path);
        Ok(compiler.check_file(&OsFs, &root, path))
    } else {
        Err(format!("`{}` does not exist", path.display()))
    }
}

/// The nearest ancestor of a .brief file that holds app.toml, else the file's directory.
pub(crate) fn project_root(file: &Path) -> PathBuf {
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let mut cur = Some(dir.as_path());
    while let Some(d) = cur {
        if d.join("app.toml").is_file() {
            return d.to_path_buf();
        }
        cur = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    dir
}

pub(crate) fn use_color(c: ColorArg) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Prints diagnostics in the chosen format: human to stderr, JSON to stdout.
fn report(output: &Output, out: &OutputArgs) {
    emit(&output.diagnostics, &output.sources, out, "");
}

/// The path prefix that makes a project's relative paths relative to the current directory
/// (SARIF URIs and GitHub annotations point at files from the repository root, where CI runs).
pub(crate) fn path_prefix(project_dir: &Path) -> String {
    if project_dir.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = project_dir.strip_prefix(&cwd) {
                return rel.to_string_lossy().into_owned();
            }
        }
    }
    project_dir.to_string_lossy().into_owned()
}

/// Prints diagnostics in any format: human to stderr with a summary line, the machine formats
/// to stdout. `prefix` is joined onto paths by the SARIF and GitHub formats.
pub(crate) fn emit(
    diags: &[compiler::Diagnostic],
    sources: &compiler::Sources,
    out: &OutputArgs,
    prefix: &str,
) {
    let format = match out.format {
        FormatArg::Human => render::Format::Human,
        FormatArg::Json => render::Format::Json,
        FormatArg::Sarif => render::Format::Sarif,
        FormatArg::Github => render::Format::Github,
    };
    let text = render::render(format, diags, sources, use_color(out.color), prefix);
    if format == render::Format::Human {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        if errors + warnings > 0 {
            let _ = writeln!(err, "{}", summary(errors, warnings));
        }
    } else {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, w) => format!("{} found", plural(w, "warning")),
        (e, 0) => format!("{} found", plural(e, "error")),
        (e, w) => format!("{} and {} found", plural(e, "error"), plural(w, "warning")),
    }
}

pub(crate) fn usage_error(msg: &str) -> i32 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

fn check(path: &Path, out: &OutputArgs) -> i32 {
    let output = match load(path) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    if out.format == FormatArg::Human {
        report(&output, out);
    } else {
        let root = if path.is_dir() {
            path.to_path_buf()
        } else {
            project_root(path)
        };
        emit(
            &output.diagnostics,
            &output.sources,
            out,
            &path_prefix(&root),
        );
    }
    let code = if output.has_errors() {
        EXIT_INPUT
    } else {
        EXIT_OK
    };
    exit_without_drop(output, code)
}

/// The process ends right after a command: freeing a large project's trees and IR piece by piece
/// would cost more than checking a file, so it is left to the operating system.
pub(crate) fn exit_without_drop<T>(value: T, code: i32) -> i32 {
    std::mem::forget(value);
    code
}

fn ir(path: &Path, out: &OutputArgs) -> i32 {
    let output = match load(path) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let Some(ir) = &output.ir else {
        // Diagnostics go to stderr here: stdout is reserved for the IR.
        let text = match out.format {
            FormatArg::Human => {
                render::human(&output.diagnostics, &output.sources, use_color(out.color))
            }
            _ => render::json(&output.diagnostics, &output.sources),
        };
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        return EXIT_INPUT;
    };
    if out.format == FormatArg::Human {
        let text = render::human(&output.diagnostics, &output.sources, use_color(out.color));
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
    let code = match serde_json::to_string_pretty(ir) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout().lock(), "{s}");
            EXIT_OK
        }
        Err(e) => usage_error(&format!("cannot serialise the IR: {e}")),
    };
    exit_without_drop(output, code)
}

fn codegen(
    path: &Path,
    lang: LangArg,
    out_dir: &Path,
    go_import_path: Option<&str>,
    out: &OutputArgs,
) -> i32 {
    let output = match load(path) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    report(&output, out);
    let Some(ir) = &output.ir else {
        return EXIT_INPUT;
    };
    let files: Vec<crate::codegen::File> = match lang {
        LangArg::Go => {
            let Some(import_path) = go_import_path else {
                return usage_error("--lang go needs --go-import-path (the import path of the output directory in your Go module)");
            };
            let opts = brief_backend_go::Options {
                import_path: import_path.to_owned(),
            };
            match brief_backend_go::generate(ir, &opts) {
                Ok(files) => files
                    .into_iter()
                    .map(|f| crate::codegen::File {
                        path: f.path,
                        contents: f.contents,
                    })
                    .collect(),
                Err(e) => return usage_error(&format!("cannot generate Go: {e}")),
            }
        }
    };
    match crate::codegen::write_atomically(out_dir, &files) {
        Ok(w) => {
            eprintln!(
                "{}: {} ({} changed, {} removed)",
                out_dir.display(),
                plural(w.files, "file"),
                w.changed,
                w.removed
            );
            EXIT_OK
        }
        Err(e) => usage_error(&format!("cannot write `{}`: {e}", out_dir.display())),
    }
}

fn explain(code: Option<&str>, all: bool) -> i32 {
    if all || code.is_none() {
        for c in compiler::codes::ALL {
            println!(
                "{}  {:<8} {}",
                c.code,
                format!("{:?}", c.severity).to_lowercase(),
                c.title
            );
        }
        return EXIT_OK;
    }
    let code = code.unwrap_or_default().to_uppercase();
    match compiler::codes::lookup(&code) {
        Some(c) => {
            println!(
                "{}: {} ({})",
                c.code,
                c.title,
                format!("{:?}", c.severity).to_lowercase()
            );
            if let Some(extra) = crate::lint::explain_tool_code(c.code) {
                println!("{extra}");
            } else {
                println!(
                    "See docs/diagnostics.md#{} for examples.",
                    c.code.to_lowercase()
                );
            }
            EXIT_OK
        }
        None => usage_error(&format!(
            "unknown code `{code}`; `paasctl explain --all` lists them"
        )),
    }
}
