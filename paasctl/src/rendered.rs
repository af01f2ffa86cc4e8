//! The rendered manifests of one environment for the deploy commands (`deploy`, `status`,
//! `releases`, `rollback`): the project checked and rendered by the k8s backend once per cluster
//! of the environment, its stages handed to the deploy driver as YAML; diagnostics printed as
//! `paasctl manifests` prints them. Also which clusters a command talks to (platform.toml's, or
//! the one of `--kubeconfig`/`--context`) and how the driver's events are printed. A release's
//! recorded inputs are rendered again the same way, from memory ([`regenerate`]).
use crate::args::{ClusterArgs, FormatArg, OutputArgs};
use crate::output::{emit, path_prefix, usage_error, EXIT_INPUT};
use crate::project;
use backend_k8s::platform::ClusterRef;
use brief_deploy::Inputs;
use compiler::MemFs;
use std::path::{Path, PathBuf};

/// The toolchain that renders, as recorded in a release's inputs.
pub const TOOLCHAIN: &str = concat!("paasctl ", env!("CARGO_PKG_VERSION"));

/// Where a release's recorded files are put in memory to be checked again.
const REPLAY_ROOT: &str = "/release";
/// The empty file that makes a recorded directory (a storage's `migrations`) exist in memory.
const DIR_MARKER: &str = ".recorded-directory";

/// A service's stages in one environment, per cluster.
pub struct Rendered {
    pub service: String,
    /// The environment's own name (an alias resolved).
    pub env: String,
    /// The environment's clusters (platform.toml).
    pub clusters: Vec<ClusterRef>,
    /// Each cluster's stages.
    pub manifests: Vec<brief_deploy::ClusterStages>,
    /// What they were rendered from (the release record keeps it).
    pub inputs: Inputs,
    /// How a canary gets its traffic (platform.toml's `[canary] traffic`).
    pub canary_traffic: backend_k8s::platform::CanaryTraffic,
}

/// Renders the project at `path` for `env`; on errors prints them and returns the exit code.
pub fn render(
    path: &Path,
    env: &str,
    image: Option<&str>,
    platform: Option<&Path>,
    diag: &OutputArgs,
) -> Result<Rendered, i32> {
    if !path.is_dir() {
        return Err(usage_error(&format!(
            "`{}` is not a service directory",
            path.display()
        )));
    }
    let output = project::load(path).map_err(|e| usage_error(&e))?.output;
    render_output(output, &path_prefix(path), env, image, platform, diag)
}

/// Renders a release's recorded inputs again, with today's toolchain and platform config: the
/// files checked from memory (the compiler's file-system trait), as `render` checks a directory.
pub fn regenerate(
    inputs: &Inputs,
    env: &str,
    image: Option<&str>,
    platform: Option<&Path>,
    diag: &OutputArgs,
) -> Result<Rendered, i32> {
    let root = Path::new(REPLAY_ROOT);
    let mut fs = MemFs::new();
    for (path, text) in &inputs.files {
        fs.insert(root.join(path), text.as_bytes().to_vec());
    }
    for dir in &inputs.dirs {
        fs.insert(root.join(dir).join(DIR_MARKER), Vec::new());
    }
    let output = project::check_dir(&fs, root);
    render_output(output, "", env, image, platform, diag)
}

/// Renders a checked project for `env`, once per cluster; prints its diagnostics (paths joined
/// onto `prefix`) and, on errors, returns the exit code.
fn render_output(
    mut output: compiler::Output,
    prefix: &str,
    env: &str,
    image: Option<&str>,
    platform: Option<&Path>,
    diag: &OutputArgs,
) -> Result<Rendered, i32> {
    let show = |output: &compiler::Output| {
        emit(&output.diagnostics, &output.sources, diag, prefix);
    };
    if output.has_errors() {
        show(&output);
        return Err(EXIT_INPUT);
    }
    // The inputs are what the compiler read: app.toml and every .brief (the platform is added
    // to the sources next, and kept as its hash).
    let files = output
        .sources
        .iter()
        .map(|(_, f)| (f.path.clone(), f.text.to_string()))
        .collect();
    let dirs = output
        .app
        .iter()
        .flat_map(|a| &a.config.storages)
        .filter_map(|s| s.migrations.clone())
        .collect();
    let loaded =
        crate::platform::load(&mut output.sources, platform).map_err(|e| usage_error(&e))?;
    let platform_hash = loaded
        .as_ref()
        .ok()
        .and_then(|pf| output.sources.get(pf.file))
        .map(|f| format!("{:016x}", backend_k8s::fnv1a(f.text.as_bytes())))
        .unwrap_or_default();
    let inputs = Inputs {
        files,
        dirs,
        platform_hash,
        toolchain: TOOLCHAIN.to_owned(),
    };
    let locator = output.app.as_ref().map(|a| &a.locations);
    let result = loaded.and_then(|pf| {
        let ir = output.ir.as_ref().ok_or_else(Vec::new)?;
        let req = backend_k8s::Request {
            platform: &pf,
            app_toml: locator,
            env,
            image,
        };
        let first = backend_k8s::generate(ir, req)?;
        let clusters = pf
            .platform
            .environment(&first.env)
            .map(|(_, e)| e.clusters())
            .unwrap_or_default();
        let mut manifests = Vec::new();
        for c in &clusters {
            let m = backend_k8s::generate_for_cluster(ir, req, &c.name)?;
            manifests.push(brief_deploy::ClusterStages {
                cluster: c.name.clone(),
                stages: stages(&m),
            });
        }
        Ok((first.env, clusters, manifests, pf.platform.canary.traffic))
    });
    let service = output
        .ir
        .as_ref()
        .and_then(|ir| ir.app.as_ref())
        .map(|a| a.name.clone());
    match (result, service) {
        (Ok((env, clusters, manifests, canary_traffic)), Some(service)) => {
            if !output.diagnostics.is_empty() {
                show(&output);
            }
            Ok(Rendered {
                service,
                env,
                clusters,
                manifests,
                inputs,
                canary_traffic,
            })
        }
        (Ok(_), None) => Err(usage_error("the project has no app.toml")),
        (Err(diags), _) => {
            output.diagnostics.extend(diags);
            show(&output);
            Err(EXIT_INPUT)
        }
    }
}

fn stages(m: &backend_k8s::Manifests) -> Vec<brief_deploy::StageInput> {
    m.files
        .iter()
        .map(|f| brief_deploy::StageInput {
            name: f.stage.name().to_owned(),
            yaml: f.yaml.clone(),
        })
        .collect()
}

/// The clusters a command talks to: every cluster of the environment (each through its
/// kubeconfig context), or, with `--kubeconfig` or `--context`, the one cluster they reach: the
/// environment's cluster whose context or name `--context` is, else its only cluster. Prints a
/// usage error (and returns its exit code) when that is ambiguous.
pub fn targets(r: &Rendered, c: &ClusterArgs) -> Result<Vec<brief_deploy::Target>, i32> {
    if c.kubeconfig.is_none() && c.context.is_none() {
        return Ok(r
            .clusters
            .iter()
            .map(|cl| brief_deploy::Target {
                name: cl.name.clone(),
                kubeconfig: cl.kubeconfig.as_ref().map(PathBuf::from),
                context: Some(cl.context.clone()),
            })
            .collect());
    }
    let by_context = c.context.as_ref().and_then(|ctx| {
        r.clusters
            .iter()
            .find(|cl| &cl.context == ctx)
            .or_else(|| r.clusters.iter().find(|cl| &cl.name == ctx))
    });
    let (cluster, matched) = match (by_context, r.clusters.as_slice()) {
        (Some(cl), _) => (cl, true),
        (None, [only]) => (only, false),
        (None, all) => {
            let names: Vec<String> = all
                .iter()
                .map(|cl| format!("`{}` (context `{}`)", cl.name, cl.context))
                .collect();
            return Err(usage_error(&format!(
                "environment `{}` has several clusters, {}: name one with --context",
                r.env,
                names.join(", ")
            )));
        }
    };
    // A cluster named by --context is reached as platform.toml says, unless --kubeconfig says
    // otherwise; an unnamed one through the flags as given.
    Ok(vec![brief_deploy::Target {
        name: cluster.name.clone(),
        kubeconfig: c
            .kubeconfig
            .clone()
            .or_else(|| matched.then(|| cluster.kubeconfig.as_ref().map(PathBuf::from))?),
        context: if matched {
            Some(cluster.context.clone())
        } else {
            c.context.clone()
        },
    }])
}

/// Who deploys: `$USER`, else `$LOGNAME`.
pub fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Prints the driver's events: human lines on stderr, or with `--format json` one JSON object
/// per line on stdout (the event stream for CI).
pub fn print_event(format: FormatArg, event: &brief_deploy::Event) {
    if format == FormatArg::Json {
        match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("error: cannot print an event: {e}"),
        }
    } else {
        eprintln!("{event}");
    }
}

/// The exit code of a driver error: 2 when a cluster cannot be reached or configured, else 1.
pub fn exit_code(e: &brief_deploy::Error) -> i32 {
    if e.is_cluster() {
        crate::output::EXIT_USAGE
    } else {
        EXIT_INPUT
    }
}
