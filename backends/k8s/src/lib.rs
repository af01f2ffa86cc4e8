//! Kubernetes manifests for one service and one environment, from the IR and the platform config.
//!
//! [`generate`] is pure: the same IR, platform config, environment and image give byte-identical
//! YAML. [`Manifests::write`] puts the stage files on disk (brief-codegen's atomic writer), and
//! [`Request`] is this crate's brief-codegen [`Backend`]. What is generated and why is
//! explained in docs/manifests.md; the platform config in docs/platform-toml.md.
pub mod image;
mod objects;
pub mod platform;
mod validate;

use brief_codegen::write::{write_dir, Guard, Written};
use brief_codegen::{Backend, GeneratedFile};
use compiler::app::{AppConfig, EffectiveConfig};
use compiler::diagnostic::{codes, did_you_mean, Diagnostic};
use compiler::spanned_toml::Locations;
use compiler::{Ir, Output};
use platform::PlatformFile;
use std::collections::BTreeMap;
use std::path::Path;

pub use objects::fnv1a;
pub use platform::{Platform, DEFAULT_PLATFORM, PLATFORM_ENV_VAR};
pub use validate::{check_output, validate_app};

/// The deploy stages, applied in this order; each is one YAML file.
pub const STAGES: &[Stage] = &[Stage::Init, Stage::Db, Stage::App, Stage::Balancing];

/// A deploy stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Namespace, ServiceAccount, ConfigMap, NetworkPolicy: what the rest needs to exist.
    Init,
    /// Database migration Jobs.
    Db,
    /// Deployment, PodDisruptionBudget, HorizontalPodAutoscaler, CronJobs.
    App,
    /// What puts traffic on the new version: Service and Ingress.
    Balancing,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Init => "init",
            Stage::Db => "db",
            Stage::App => "app",
            Stage::Balancing => "balancing",
        }
    }

    /// The file name: a number first so that a plain sort gives the apply order.
    pub fn file_name(self) -> &'static str {
        match self {
            Stage::Init => "10-init.yaml",
            Stage::Db => "20-db.yaml",
            Stage::App => "30-app.yaml",
            Stage::Balancing => "40-balancing.yaml",
        }
    }
}

/// One stage's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFile {
    pub stage: Stage,
    /// Multi-document YAML, documents separated by `---`.
    pub yaml: String,
    /// `Kind/name` of each object, in order.
    pub objects: Vec<String>,
}

/// The manifests of one service in one environment: the non-empty stages, in apply order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifests {
    pub env: String,
    pub files: Vec<StageFile>,
}

impl Manifests {
    /// Every file concatenated in apply order (for snapshots and `--out -`).
    pub fn concatenated(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            out.push_str(&format!("# {}\n", f.stage.file_name()));
            out.push_str(&f.yaml);
        }
        out
    }

    /// The stage files as generated files named by [`Stage::file_name`].
    pub fn generated_files(&self) -> Vec<GeneratedFile> {
        self.files
            .iter()
            .map(|f| GeneratedFile::new(f.stage.file_name(), f.yaml.as_bytes()))
            .collect()
    }

    /// Writes the stage files as the whole content of directory `out` (created if needed),
    /// atomically: a failed run leaves the previous output as it was.
    pub fn write(&self, out: &Path) -> std::io::Result<Written> {
        write_dir(out, &self.generated_files(), Guard::None)
    }
}

/// Adds a primary label at app.toml's `path` when the locations are known and have it.
fn label_at(locations: Option<&Locations>, d: Diagnostic, path: &str, message: &str) -> Diagnostic {
    match locations.and_then(|l| l.head(path)) {
        Some(s) => d.primary(s, message.to_owned()),
        None => d,
    }
}

/// What [`generate`] needs besides the IR.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub platform: &'a PlatformFile,
    /// app.toml's key positions, for locating errors (optional): the compiler's
    /// `Output::app` locations.
    pub app_toml: Option<&'a Locations>,
    /// The environment's name (a key of the platform's `[environments]`).
    pub env: &'a str,
    /// The image to run; default `<registry>/<service>:<env>`.
    pub image: Option<&'a str>,
}

/// Everything resolved for one environment before objects are built.
pub(crate) struct Resolved<'a> {
    pub app: EffectiveConfig,
    pub platform: &'a Platform,
    /// The cluster the manifests are for (the namespace's `paas.brief.dev/cluster` label).
    pub cluster: String,
    pub image: image::ImageRef,
    /// `SERVICE_<DEP>_URL` and the like: the non-secret settings of the ConfigMap.
    pub settings: BTreeMap<String, String>,
}

pub use compiler::naming::upper_snake;

/// The label on a caller's Namespace that lets it reach `service`.
pub fn calls_label(service: &str) -> String {
    format!("paas.brief.dev/calls-{service}")
}

/// Longest dependency name that fits in a label key's 63-character name part.
const MAX_LABELLED_NAME: usize = 63 - "calls-".len();
/// Longest secret name that fits in a vault annotation key's 63-character name part.
const MAX_SECRET_NAME: usize = 63 - "agent-inject-template-".len();

impl Backend for Request<'_> {
    fn name(&self) -> &'static str {
        "Kubernetes manifests"
    }

    fn generate(
        &self,
        ir: &Ir,
        _sources: &compiler::Sources,
    ) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        generate(ir, *self).map(|m| m.generated_files())
    }
}

/// What `manifests` would reject about the project in any environment of the platform, added to
/// `output` (each problem once, sorted): `paasctl check` runs it so that check and manifests
/// agree. The rules are [`generate`]'s own; only the image is the default one. An IR is no longer
/// handed out when they are errors.
pub fn check_platform(output: &mut Output, pf: &PlatformFile) {
    let Some(ir) = &output.ir else { return };
    if ir.app.is_none() {
        return;
    }
    let locations = output.app.as_ref().map(|a| &a.locations);
    let mut found: Vec<Diagnostic> = Vec::new();
    for env in pf.platform.environments.keys() {
        let req = Request {
            platform: pf,
            app_toml: locations,
            env,
            image: None,
        };
        if let Err(diags) = resolve(ir, req) {
            found.extend(diags);
        }
    }
    output.add_diagnostics(found);
}

/// The ConfigMap variable with the service's own base URL, set when it subscribes to events:
/// the generated `Subscribe` sends `$SERVICE_URL/events/<topic>` to the data bus.
pub const SELF_URL_VAR: &str = "SERVICE_URL";

/// E0611: the platform has no URL for service `name` in `env_name`.
fn unresolvable(pf: &PlatformFile, env_name: &str, domain: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        codes::E0611,
        format!("the platform cannot resolve dependency `{name}` in environment `{env_name}`"),
    )
    .primary(
        pf.span(&format!("environments.{env_name}")),
        "no `url_template` and no entry in `services`",
    )
    .hint(format!(
        "add `{name} = \"http://...{domain}\"` to `[environments.{env_name}.services]`"
    ))
}

/// Builds the manifests of one environment, or every problem that prevents it.
/// They are for the environment's first cluster; [`generate_for_cluster`] names another.
pub fn generate(ir: &Ir, req: Request<'_>) -> Result<Manifests, Vec<Diagnostic>> {
    let resolved = resolve(ir, req)?;
    Ok(objects::build(&resolved))
}

/// The manifests of one environment for one of its clusters (by its platform.toml name, see
/// `platform::Environment::clusters`): they differ only in the namespace's cluster label.
pub fn generate_for_cluster(
    ir: &Ir,
    req: Request<'_>,
    cluster: &str,
) -> Result<Manifests, Vec<Diagnostic>> {
    let mut resolved = resolve(ir, req)?;
    cluster.clone_into(&mut resolved.cluster);
    Ok(objects::build(&resolved))
}

fn resolve<'a>(ir: &Ir, req: Request<'a>) -> Result<Resolved<'a>, Vec<Diagnostic>> {
    let pf = req.platform;
    let platform = &pf.platform;
    let mut diags = Vec::new();
    let Some(app) = &ir.app else {
        return Err(vec![Diagnostic::new(
            codes::E0501,
            "the project has no app.toml; manifests are made from it",
        )]);
    };
    let Some((env_name, env)) = platform.environment(req.env) else {
        let names: Vec<&str> = platform.environment_names();
        let mut d = Diagnostic::new(codes::E0610, format!("unknown environment `{}`", req.env))
            .primary(pf.span("environments"), "the platform's environments")
            .note(format!("the platform has: {}", names.join(", ")));
        if let Some(s) = did_you_mean(req.env, names.iter().copied()) {
            d = d.hint(format!("did you mean `{s}`?"));
        }
        return Err(vec![d]);
    };
    check_app_envs(app, pf, req.app_toml, &mut diags);
    // app.toml may name the environment by an alias: `[envs.production]` for `prod`.
    let app_key = app_env_key(app, platform, env_name);
    let mut cfg = app.for_env(app_key);
    cfg.env_name = env_name.to_owned();
    diags.extend(validate::validate_app(app, req.app_toml));
    let locate =
        |d: Diagnostic, path: &str, message: &str| label_at(req.app_toml, d, path, message);
    if cfg.engine.is_none() {
        let d = Diagnostic::new(codes::E0613, format!("`{}` has no `[engine]`", cfg.name))
            .hint("add to app.toml:\n\n[engine]\nname = \"golang\"\nsize = \"small\"");
        diags.push(locate(d, "name", "this service has no engine"));
    }
    let image_ref = req
        .image
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}/{}:{}", platform.registry, cfg.name, env_name));
    let image = match image::parse(&image_ref) {
        Ok(i) => Some(i),
        Err(e) => {
            diags.push(
                Diagnostic::new(
                    codes::E0612,
                    format!("invalid image reference `{image_ref}`: it {e}"),
                )
                .hint("an image reference is `[registry/]repository:tag` or `...@sha256:<digest>`"),
            );
            None
        }
    };
    let mut settings = BTreeMap::new();
    for (k, v) in &cfg.env {
        settings.insert(k.clone(), v.clone());
    }
    for s in &cfg.secrets {
        if s.len() > MAX_SECRET_NAME {
            let d = Diagnostic::new(
                codes::E0615,
                format!("secret name `{s}` is longer than {MAX_SECRET_NAME} characters, the limit of vault's annotations"),
            );
            diags.push(locate(d, "secrets", "a name here is too long"));
        }
        settings.insert(format!("{s}_FILE"), format!("{}/{s}", objects::VAULT_DIR));
    }
    settings.insert("SERVICE_NAME".to_owned(), cfg.name.clone());
    settings.insert("SERVICE_ENV".to_owned(), env_name.to_owned());
    for (i, dep) in cfg.dependencies.iter().enumerate() {
        if dep.name.len() > MAX_LABELLED_NAME {
            let d = Diagnostic::new(
                codes::E0615,
                format!(
                    "dependency name `{}` is longer than {MAX_LABELLED_NAME} characters, the limit of the `{}` label",
                    dep.name,
                    calls_label("<name>")
                ),
            );
            diags.push(locate(d, &format!("dependencies.{i}.name"), "too long"));
        }
        let Some((url, path)) = env.service_url(env_name, &dep.name) else {
            diags.push(unresolvable(pf, env_name, &env.domain, &dep.name));
            continue;
        };
        if let Err((code, e)) = platform::check_url(platform, env_name, &url) {
            diags.push(
                Diagnostic::new(code, format!("the URL of `{}` {e}", dep.name))
                    .primary(
                        pf.span(&path),
                        format!("resolves `{}` to `{url}`", dep.name),
                    )
                    .note("a service is only ever given URLs of its own environment"),
            );
            continue;
        }
        settings.insert(compiler::naming::discovery_env_var(&dep.name), url);
    }
    // A consumer of events tells the data bus where to deliver them: its own base URL.
    if cfg.dependencies.iter().any(|d| !d.subscribe.is_empty()) {
        match env.service_url(env_name, &cfg.name) {
            Some((url, _)) => {
                settings.insert(SELF_URL_VAR.to_owned(), url);
            }
            None => diags.push(unresolvable(pf, env_name, &env.domain, &cfg.name)),
        }
    }
    for st in &cfg.storages {
        if let Some(sp) = platform.storages.get(&st.kind) {
            let url = format!(
                "{}://{}-{}.{}.svc.{}:{}",
                sp.scheme, cfg.name, st.name, sp.namespace, env.domain, sp.port
            );
            settings.insert(format!("STORAGE_{}_URL", upper_snake(&st.name)), url);
        }
    }
    if let Some(host) = &cfg.public_host {
        if let Err(e) = platform::check_public_host(platform, env_name, host) {
            let own = format!("envs.{app_key}.public_host");
            let path = if app
                .envs
                .get(app_key)
                .is_some_and(|o| o.public_host.is_some())
            {
                own
            } else {
                "public_host".to_owned()
            };
            let d = locate(Diagnostic::new(codes::E0605, e), &path, "this host");
            diags.push(
                d.secondary(
                    pf.span(&format!("environments.{}.public_domain", env_name)),
                    "the environment's public domain",
                )
                .hint(format!(
                    "set `public_host` for this environment in app.toml's `[envs.{}]`",
                    env_name
                )),
            );
        }
    }
    match (diags.is_empty(), image) {
        (true, Some(image)) => Ok(Resolved {
            app: cfg,
            platform,
            cluster: env.primary_cluster(),
            image,
            settings,
        }),
        _ => Err(diags),
    }
}

/// The key of app.toml's `[envs]` that overrides environment `env` (its own name first, else
/// an alias); `env` itself when there is none.
fn app_env_key<'a>(app: &'a AppConfig, platform: &Platform, env: &'a str) -> &'a str {
    if app.envs.contains_key(env) {
        return env;
    }
    app.envs
        .keys()
        .find(|k| platform.environment(k).is_some_and(|(n, _)| n == env))
        .map_or(env, String::as_str)
}

/// Every `[envs.<env>]` of app.toml must name an environment of the platform.
fn check_app_envs(
    app: &AppConfig,
    pf: &PlatformFile,
    locator: Option<&Locations>,
    diags: &mut Vec<Diagnostic>,
) {
    let names: Vec<&str> = pf.platform.environment_names();
    for e in app.envs.keys() {
        if pf.platform.environment(e).is_none() {
            let mut d = Diagnostic::new(
                codes::E0614,
                format!("app.toml overrides environment `{e}`, which the platform does not have"),
            )
            .note(format!("the platform has: {}", names.join(", ")));
            if let Some(s) = did_you_mean(e, names.iter().copied()) {
                d = d.hint(format!("did you mean `[envs.{s}]`?"));
            }
            d = label_at(locator, d, &format!("envs.{e}"), "no such environment");
            diags.push(d);
        }
    }
    for (i, e) in app.envs.keys().enumerate() {
        let Some((own, _)) = pf.platform.environment(e) else {
            continue;
        };
        if let Some(first) = app
            .envs
            .keys()
            .take(i)
            .find(|k| pf.platform.environment(k).is_some_and(|(n, _)| n == own))
        {
            let d = Diagnostic::new(
                codes::E0614,
                format!("`[envs.{first}]` and `[envs.{e}]` override the same environment `{own}`"),
            )
            .hint(format!("merge them into `[envs.{own}]`"));
            diags.push(label_at(
                locator,
                d,
                &format!("envs.{e}"),
                "the second name",
            ));
        }
    }
}
