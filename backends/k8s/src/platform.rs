//! `platform.toml`: environments, clusters, domains, registry, size classes, mesh, ingress and
//! how a canary gets its traffic.
//!
//! Owned by the platform team; an embedded default makes `paasctl manifests` work out of the box.
//! The reference is docs/platform-toml.md. Errors are located diagnostics like app.toml's.
//!
//! Read with the compiler's shared spanned-TOML reader: the types and required keys come from
//! serde (located by the toml deserializer), unknown keys from `serde_ignored`, their known
//! siblings from the schema of [`Platform`] itself, and later errors are located through the
//! file's [`Locations`].
use compiler::app::{check_dns_label, check_host_name, Size, StorageKind};
use compiler::diagnostic::{codes, did_you_mean, Diagnostic};
use compiler::source::{FileId, Span};
use compiler::spanned_toml::{self, first_line, Locations, Schema};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

/// The embedded default platform config.
pub const DEFAULT_PLATFORM: &str = include_str!("platform.default.toml");
/// The name under which the embedded default appears in diagnostics.
pub const DEFAULT_PLATFORM_NAME: &str = "<embedded platform.toml>";
/// The environment variable that points at the real platform config.
pub const PLATFORM_ENV_VAR: &str = "PAASCTL_PLATFORM";

/// The validated platform config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// `app.kubernetes.io/part-of` on every object.
    pub part_of: String,
    /// Registry and repository prefix of service images.
    pub registry: String,
    #[serde(default)]
    pub mesh: Mesh,
    /// Namespace allowed to scrape `/metrics` of every service.
    #[serde(default)]
    pub monitoring_namespace: Option<String>,
    pub ingress: Ingress,
    /// How `paasctl deploy --strategy canary` splits the traffic.
    #[serde(default)]
    pub canary: Canary,
    pub vault: Vault,
    pub environments: BTreeMap<String, Environment>,
    pub sizes: BTreeMap<Size, SizeClass>,
    pub storages: BTreeMap<StorageKind, StoragePlatform>,
}

/// The service mesh, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mesh {
    #[default]
    None,
    Linkerd,
    Istio,
}

/// `[canary]`: how a canary gets its share of the traffic (docs/deploy.md, Canary).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Canary {
    /// `replicas` (the default): the Service selects stable and canary pods, the share is the
    /// replica ratio; `httproute`: a Gateway API HTTPRoute per service in the balancing stage,
    /// whose backend weights give the canary its exact share.
    #[serde(default)]
    pub traffic: CanaryTraffic,
    /// `httproute`: the Gateway every HTTPRoute attaches to (its parentRef); required then.
    #[serde(default)]
    pub gateway: Option<String>,
    /// The Gateway's namespace; default the service's own.
    #[serde(default)]
    pub gateway_namespace: Option<String>,
}

/// How a canary's traffic is split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CanaryTraffic {
    #[default]
    Replicas,
    Httproute,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingress {
    /// `ingressClassName` of public hosts' Ingresses.
    pub class: String,
    /// Namespace of the ingress controller (allowed in by the NetworkPolicy of public services).
    pub namespace: String,
    /// cert-manager ClusterIssuer of the TLS certificates; empty for none.
    #[serde(default)]
    pub cluster_issuer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vault {
    pub namespace: String,
    pub port: u16,
    /// KV v2 path of a service's secrets, with `{env}` and `{service}`.
    pub kv_path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// Other names of this environment (`production` for `prod`): accepted by `--env` and in
    /// app.toml's `[envs.<name>]`; every object carries the environment's own name.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The one cluster the environment runs on (a label on every namespace), reached through the
    /// kubeconfig context of the same name; or `clusters` for several. [`Environment::clusters`]
    /// is the rule.
    #[serde(default)]
    pub cluster: Option<String>,
    /// Several clusters by name (the environment is deployed to each); each is reached through
    /// its `context` (default: its name) in its `kubeconfig` (default: the user's).
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterConfig>,
    /// The environment's DNS domain: every URL a service of this environment is given ends with it.
    pub domain: String,
    /// Public hosts of this environment must end with it (when set).
    #[serde(default)]
    pub public_domain: Option<String>,
    /// How a dependency's URL is made: `{name}` and `{domain}` are replaced. Without it every
    /// dependency must be listed in `services`.
    #[serde(default)]
    pub url_template: Option<String>,
    /// Explicit URLs of services, by name (they win over the template).
    #[serde(default)]
    pub services: BTreeMap<String, String>,
}

/// How one cluster of `[environments.<env>.clusters.<name>]` is reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    /// The kubeconfig context; default the cluster's name.
    #[serde(default)]
    pub context: Option<String>,
    /// The kubeconfig file; default `$KUBECONFIG`, else `~/.kube/config`.
    #[serde(default)]
    pub kubeconfig: Option<String>,
}

/// One cluster an environment is deployed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRef {
    /// Its name in platform.toml (the namespace label `paas.brief.dev/cluster`).
    pub name: String,
    /// The kubeconfig context.
    pub context: String,
    /// The kubeconfig file, when platform.toml names one.
    pub kubeconfig: Option<String>,
}

impl Environment {
    /// The clusters the environment is deployed to, in name order: the one of `cluster` (its
    /// kubeconfig context of the same name), else every entry of `clusters`. The only place this
    /// rule lives; an environment with neither or both is refused when platform.toml is loaded.
    pub fn clusters(&self) -> Vec<ClusterRef> {
        if self.clusters.is_empty() {
            return self
                .cluster
                .iter()
                .map(|c| ClusterRef {
                    name: c.clone(),
                    context: c.clone(),
                    kubeconfig: None,
                })
                .collect();
        }
        self.clusters
            .iter()
            .map(|(name, c)| ClusterRef {
                name: name.clone(),
                context: c.context.clone().unwrap_or_else(|| name.clone()),
                kubeconfig: c.kubeconfig.clone(),
            })
            .collect()
    }

    /// The first cluster's name (manifests rendered without naming a cluster carry it).
    pub fn primary_cluster(&self) -> String {
        self.clusters()
            .into_iter()
            .next()
            .map(|c| c.name)
            .unwrap_or_default()
    }

    /// Where service `name` is found in this environment (named `env_name`): its URL, and the
    /// platform.toml key that gives it (an entry of `services`, else `url_template`).
    pub fn service_url(&self, env_name: &str, name: &str) -> Option<(String, String)> {
        if let Some(u) = self.services.get(name) {
            return Some((
                u.clone(),
                format!("environments.{env_name}.services.{name}"),
            ));
        }
        self.url_template.as_ref().map(|t| {
            (
                t.replace("{name}", name).replace("{domain}", &self.domain),
                format!("environments.{env_name}.url_template"),
            )
        })
    }
}

/// A resource class: Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeClass {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
    pub ephemeral_storage: String,
}

/// Where the platform runs one kind of storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoragePlatform {
    pub namespace: String,
    pub port: u16,
    pub scheme: String,
}

impl Platform {
    /// The environment a name means: its own name or one of its aliases, with its own name.
    pub fn environment(&self, name: &str) -> Option<(&str, &Environment)> {
        self.environments
            .iter()
            .find(|(n, e)| *n == name || e.aliases.iter().any(|a| a == name))
            .map(|(n, e)| (n.as_str(), e))
    }

    /// Every name an environment is known by (own names and aliases), for did-you-mean hints.
    pub fn environment_names(&self) -> Vec<&str> {
        self.environments
            .iter()
            .flat_map(|(n, e)| {
                std::iter::once(n.as_str()).chain(e.aliases.iter().map(String::as_str))
            })
            .collect()
    }
}

/// A parsed platform config with the spans needed to locate later errors in it.
#[derive(Debug, Clone)]
pub struct PlatformFile {
    pub platform: Platform,
    pub file: FileId,
    locations: Locations,
}

impl PlatformFile {
    /// The span of the value at a dotted path (or of its nearest parent).
    /// Only the first line of a multi-line value (such as a whole table) is marked.
    pub fn span(&self, path: &str) -> Span {
        self.locations
            .head(path)
            .unwrap_or_else(|| Span::new(self.file, 0..0))
    }
}

/// The schema of platform.toml: the keys of every table, from [`Platform`]'s fields.
fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(Schema::of::<Platform>)
}

/// Parses and validates a platform config. `file` is its id in the run's `Sources`.
pub fn parse(file: FileId, src: &str) -> Result<PlatformFile, Vec<Diagnostic>> {
    let doc = match spanned_toml::parse(src) {
        Ok(d) => d,
        Err(e) => {
            return Err(vec![Diagnostic::new(
                codes::E0601,
                e.message.trim().to_owned(),
            )
            .primary(Span::new(file, e.range), "invalid TOML here")]);
        }
    };
    let locations = Locations::new(file, &doc);
    let span = |r: Option<Range<usize>>| Span::new(file, first_line(src, r.unwrap_or(0..0)));
    let mut unknown = Vec::new();
    let de = toml::de::Deserializer::new(src);
    let result: Result<Platform, _> =
        serde_ignored::deserialize(de, |p| unknown.push(p.to_string()));
    // Unknown keys met before a type error are reported with it: a misspelt required key is
    // then both "unknown `domian`, did you mean `domain`?" and "missing `domain`".
    let mut diags: Vec<Diagnostic> = unknown
        .iter()
        .map(|path| {
            let last = path.rsplit('.').next().unwrap_or(path);
            let mut d = Diagnostic::new(codes::E0602, format!("unknown key `{path}`")).primary(
                span(locations.exact_key(path).map(|s| s.range)),
                "not a key of platform.toml",
            );
            let siblings = schema().siblings(path);
            match did_you_mean(last, siblings.iter().copied()) {
                Some(s) => d = d.hint(format!("did you mean `{s}`?")),
                None if !siblings.is_empty() => {
                    d = d.note(format!("the keys here are: {}", siblings.join(", ")))
                }
                None => {}
            }
            d
        })
        .collect();
    let platform = match result {
        Ok(p) => p,
        Err(e) => {
            let msg = e.message().trim().to_owned();
            let range = e.span();
            let d = if msg.starts_with("missing field") {
                Diagnostic::new(codes::E0604, msg).primary(span(range), "in this table")
            } else {
                Diagnostic::new(codes::E0603, msg).primary(span(range), "here")
            };
            diags.push(d);
            diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            return Err(diags);
        }
    };
    let pf = PlatformFile {
        platform,
        file,
        locations,
    };
    validate(&pf, &mut diags);
    if diags.is_empty() {
        Ok(pf)
    } else {
        diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Err(diags)
    }
}

/// The embedded default, parsed. It is tested to be valid.
pub fn default_platform(file: FileId) -> Result<PlatformFile, Vec<Diagnostic>> {
    parse(file, DEFAULT_PLATFORM)
}

fn invalid(pf: &PlatformFile, path: &str, message: String) -> Diagnostic {
    Diagnostic::new(codes::E0603, message).primary(pf.span(path), "invalid value")
}

/// Whether `s` looks like a Kubernetes quantity (`100m`, `1`, `0.5`, `128Mi`, `1G`).
pub fn is_quantity(s: &str) -> bool {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &s[digits.len()..];
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && ["", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"].contains(&suffix)
}

fn validate(pf: &PlatformFile, diags: &mut Vec<Diagnostic>) {
    let p = &pf.platform;
    if let Err(e) = crate::image::check_repository(&p.registry) {
        diags.push(invalid(pf, "registry", format!("`registry` {e}")));
    }
    for (path, v) in [
        ("part_of", Some(&p.part_of)),
        ("monitoring_namespace", p.monitoring_namespace.as_ref()),
        ("ingress.namespace", Some(&p.ingress.namespace)),
        ("vault.namespace", Some(&p.vault.namespace)),
    ] {
        if let Some(v) = v {
            if let Err(e) = check_dns_label(v) {
                diags.push(invalid(pf, path, format!("`{path}` = \"{v}\" {e}")));
            }
        }
    }
    match (&p.canary.traffic, &p.canary.gateway) {
        (CanaryTraffic::Httproute, None) => diags.push(
            Diagnostic::new(
                codes::E0604,
                "`canary.traffic = \"httproute\"` needs `canary.gateway`",
            )
            .primary(
                pf.span("canary.traffic"),
                "HTTPRoutes need a Gateway to attach to",
            )
            .hint(
                "add `gateway = \"<name of the Gateway>\"` (and `gateway_namespace`) to `[canary]`",
            ),
        ),
        (_, Some(g)) => {
            if let Err(e) = check_dns_label(g) {
                diags.push(invalid(
                    pf,
                    "canary.gateway",
                    format!("`canary.gateway` = \"{g}\" {e}"),
                ));
            }
        }
        _ => {}
    }
    if let Some(ns) = &p.canary.gateway_namespace {
        if let Err(e) = check_dns_label(ns) {
            diags.push(invalid(
                pf,
                "canary.gateway_namespace",
                format!("`canary.gateway_namespace` = \"{ns}\" {e}"),
            ));
        }
    }
    if !p.vault.kv_path.contains("{service}") {
        diags.push(invalid(
            pf,
            "vault.kv_path",
            "`vault.kv_path` must contain `{service}`".to_owned(),
        ));
    }
    if p.environments.is_empty() {
        diags.push(
            Diagnostic::new(codes::E0604, "platform.toml declares no environment")
                .primary(pf.span("environments"), "add `[environments.<name>]`"),
        );
    }
    for (name, env) in &p.environments {
        let base = format!("environments.{name}");
        if let Err(e) = check_dns_label(name) {
            diags.push(
                Diagnostic::new(codes::E0603, format!("environment name `{name}` {e}"))
                    .primary(pf.span(&base), "invalid environment name"),
            );
        }
        for alias in &env.aliases {
            if let Err(e) = check_dns_label(alias) {
                diags.push(invalid(
                    pf,
                    &format!("{base}.aliases"),
                    format!("alias `{alias}` of environment `{name}` {e}"),
                ));
            }
            let owners = p
                .environments
                .iter()
                .filter(|(n, e)| *n == alias || e.aliases.contains(alias))
                .count();
            if owners > 1 {
                diags.push(invalid(
                    pf,
                    &format!("{base}.aliases"),
                    format!("`{alias}` names more than one environment"),
                ));
            }
        }
        match (&env.cluster, env.clusters.is_empty()) {
            (None, true) => diags.push(
                Diagnostic::new(
                    codes::E0604,
                    format!("environment `{name}` names no cluster"),
                )
                .primary(pf.span(&base), "in this table")
                .hint("add `cluster = \"<kubeconfig context>\"`, or one `[environments.<env>.clusters.<name>]` per cluster"),
            ),
            (Some(_), false) => diags.push(invalid(
                pf,
                &format!("{base}.cluster"),
                format!("environment `{name}` has both `cluster` and `clusters`: keep one"),
            )),
            _ => {}
        }
        for cluster in env.clusters.keys() {
            if let Err(e) = check_dns_label(cluster) {
                diags.push(invalid(
                    pf,
                    &format!("{base}.clusters.{cluster}"),
                    format!("cluster name `{cluster}` {e}"),
                ));
            }
        }
        if let Err(e) = check_host_name(&env.domain) {
            diags.push(invalid(
                pf,
                &format!("{base}.domain"),
                format!("`{base}.domain` {e}"),
            ));
        }
        if let Some(pd) = &env.public_domain {
            if let Err(e) = check_host_name(pd) {
                diags.push(invalid(
                    pf,
                    &format!("{base}.public_domain"),
                    format!("`{base}.public_domain` {e}"),
                ));
            }
        }
        if let Some(t) = &env.url_template {
            let url = t.replace("{name}", "x").replace("{domain}", &env.domain);
            if !t.contains("{name}") {
                diags.push(invalid(
                    pf,
                    &format!("{base}.url_template"),
                    format!("`{base}.url_template` must contain `{{name}}`"),
                ));
            } else if let Err(e) = check_url(p, name, &url) {
                diags.push(
                    Diagnostic::new(e.0, format!("`{base}.url_template` {}", e.1))
                        .primary(pf.span(&format!("{base}.url_template")), "this template"),
                );
            }
        }
        for (svc, url) in &env.services {
            let path = format!("{base}.services.{svc}");
            if let Err(e) = check_dns_label(svc) {
                diags.push(invalid(pf, &path, format!("service name `{svc}` {e}")));
            }
            if let Err((code, e)) = check_url(p, name, url) {
                diags.push(
                    Diagnostic::new(code, format!("`{path}` = \"{url}\" {e}"))
                        .primary(pf.span(&path), "this URL"),
                );
            }
        }
    }
    for size in Size::ALL {
        match p.sizes.get(size) {
            None => diags.push(
                Diagnostic::new(codes::E0604, format!("size class `{size}` is not defined"))
                    .primary(pf.span("sizes"), format!("add `[sizes.{size}]`")),
            ),
            Some(c) => {
                for (k, v) in [
                    ("cpu_request", &c.cpu_request),
                    ("cpu_limit", &c.cpu_limit),
                    ("memory_request", &c.memory_request),
                    ("memory_limit", &c.memory_limit),
                    ("ephemeral_storage", &c.ephemeral_storage),
                ] {
                    if !is_quantity(v) {
                        let path = format!("sizes.{size}.{k}");
                        diags.push(invalid(
                            pf,
                            &path,
                            format!("`{path}` = \"{v}\" is not a Kubernetes quantity"),
                        ));
                    }
                }
            }
        }
    }
    for kind in StorageKind::ALL {
        if !p.storages.contains_key(kind) {
            diags.push(
                Diagnostic::new(
                    codes::E0604,
                    format!("storage kind `{kind}` is not defined"),
                )
                .primary(pf.span("storages"), format!("add `[storages.{kind}]`")),
            );
        }
    }
    for (kind, s) in &p.storages {
        if let Err(e) = check_dns_label(&s.namespace) {
            let path = format!("storages.{kind}.namespace");
            diags.push(invalid(pf, &path, format!("`{path}` {e}")));
        }
    }
}

/// The host of an `http(s)://host[:port][/path]` or `scheme://host...` URL.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(host.split(':').next().unwrap_or(host))
}

/// The environment a host belongs to: the one whose domain is its longest suffix.
pub fn env_of_host<'a>(platform: &'a Platform, host: &str) -> Option<&'a str> {
    platform
        .environments
        .iter()
        .filter(|(_, e)| host == e.domain || host.ends_with(&format!(".{}", e.domain)))
        .max_by_key(|(_, e)| e.domain.len())
        .map(|(n, _)| n.as_str())
}

/// The rule that a staging service is never given a production URL: the host of every URL an
/// environment hands out must carry that environment's domain, and no other environment's
/// more specific one.
pub fn check_url(platform: &Platform, env: &str, url: &str) -> Result<(), (&'static str, String)> {
    let Some(host) = url_host(url).filter(|h| !h.is_empty()) else {
        return Err((
            codes::E0603,
            "is not a URL (`scheme://host[:port][/path]`)".to_owned(),
        ));
    };
    if check_host_name(host).is_err() {
        return Err((codes::E0603, format!("has an invalid host `{host}`")));
    }
    let domain = platform
        .environments
        .get(env)
        .map(|e| e.domain.as_str())
        .unwrap_or_default();
    match env_of_host(platform, host) {
        Some(e) if e == env => Ok(()),
        Some(other) => Err((
            codes::E0605,
            format!("points at `{host}` in environment `{other}`, not `{env}` (`{domain}`)"),
        )),
        None => Err((
            codes::E0605,
            format!("points at `{host}`, outside environment `{env}`'s domain `{domain}`"),
        )),
    }
}

/// The same rule for public hosts against the environments' `public_domain`s.
pub fn check_public_host(platform: &Platform, env: &str, host: &str) -> Result<(), String> {
    let Some(own) = platform
        .environments
        .get(env)
        .and_then(|e| e.public_domain.as_deref())
    else {
        return Ok(());
    };
    let owner = platform
        .environments
        .iter()
        .filter_map(|(n, e)| e.public_domain.as_deref().map(|d| (n, d)))
        .filter(|(_, d)| host == *d || host.ends_with(&format!(".{d}")))
        .max_by_key(|(_, d)| d.len())
        .map(|(n, _)| n.as_str());
    match owner {
        Some(o) if o == env => Ok(()),
        Some(o) => Err(format!(
            "public host `{host}` belongs to environment `{o}`, not `{env}` (`{own}`)"
        )),
        None => Err(format!(
            "public host `{host}` is outside environment `{env}`'s public domain `{own}`"
        )),
    }
}

/// Adds a platform config's text to a run's sources (so that its errors render with snippets)
/// and parses it. `name` is how diagnostics call the file.
pub fn load(
    sources: &mut compiler::Sources,
    name: &str,
    text: &str,
) -> Result<PlatformFile, Vec<Diagnostic>> {
    let id = sources.add(name, std::sync::Arc::from(text));
    parse(id, text)
}

/// Loads the embedded default into a run's sources.
pub fn load_default(sources: &mut compiler::Sources) -> Result<PlatformFile, Vec<Diagnostic>> {
    load(sources, DEFAULT_PLATFORM_NAME, DEFAULT_PLATFORM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<PlatformFile, Vec<Diagnostic>> {
        parse(FileId(0), text)
    }

    #[test]
    fn quantities() {
        for q in ["100m", "1", "0.5", "128Mi", "1Gi", "2G"] {
            assert!(is_quantity(q), "{q}");
        }
        for q in ["", "lots", "1.2.3", "10 Mi", "Mi", "-1"] {
            assert!(!is_quantity(q), "{q}");
        }
    }

    #[test]
    fn hosts_and_environments() {
        let pf = load(DEFAULT_PLATFORM).unwrap();
        let p = &pf.platform;
        assert_eq!(url_host("http://a.b.c:8080/x?y"), Some("a.b.c"));
        assert_eq!(url_host("amqp://user@h.example:5672"), Some("h.example"));
        assert_eq!(url_host("no-scheme"), None);
        assert_eq!(env_of_host(p, "x.staging.paas.internal"), Some("staging"));
        assert_eq!(env_of_host(p, "staging.paas.internal"), Some("staging"));
        assert_eq!(env_of_host(p, "xstaging.paas.internal"), None);
        assert_eq!(check_public_host(p, "prod", "shop.brief.example"), Ok(()));
        assert!(check_public_host(p, "prod", "shop.staging.brief.example").is_err());
        assert_eq!(p.environment("production").map(|(n, _)| n), Some("prod"));
        assert_eq!(p.environment("prod").map(|(n, _)| n), Some("prod"));
        assert!(p.environment("qa").is_none());
        assert!(check_public_host(p, "staging", "shop.brief.example").is_err());
        assert!(check_public_host(p, "staging", "shop.example.org").is_err());
    }

    #[test]
    fn canary_traffic_is_replicas_by_default_and_httproute_needs_a_gateway() {
        let pf = load(DEFAULT_PLATFORM).unwrap();
        assert_eq!(pf.platform.canary.traffic, CanaryTraffic::Replicas);
        let with = |table: &str| format!("{DEFAULT_PLATFORM}\n[canary]\n{table}\n");
        let pf = load(&with("traffic = \"httproute\"\ngateway = \"paas\"")).unwrap();
        assert_eq!(pf.platform.canary.traffic, CanaryTraffic::Httproute);
        let text = with("traffic = \"httproute\"");
        let diags = load(&text).unwrap_err();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "E0604");
        let at = diags[0].labels[0].span.range.start;
        assert!(text[at..].starts_with("\"httproute\""), "{diags:?}");
        let text = with("traffic = \"mesh\"");
        let diags = load(&text).unwrap_err();
        assert_eq!(diags[0].code, "E0603", "{diags:?}");
        assert!(
            diags[0].message.contains("unknown variant `mesh`"),
            "{diags:?}"
        );
        let at = diags[0].labels[0].span.range.start;
        assert!(text[at..].starts_with("\"mesh\""), "{diags:?}");
        let diags = load(&with("traffic = \"httproute\"\ngateway = \"Bad_Name\"")).unwrap_err();
        assert!(diags[0].message.contains("`canary.gateway`"), "{diags:?}");
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_hint() {
        let text = DEFAULT_PLATFORM
            .replace("part_of =", "partof =")
            .replace("kv_path =", "kvpath =\"x\"\nkv_path =")
            .replace(
                "cpu_limit = \"500m\"",
                "cpu_limit = \"500m\"\ncpu_limt = \"1\"",
            );
        let diags = load(&text).unwrap_err();
        // A misspelt required key is both missing and unknown (with a hint), and the other
        // unknown keys are reported in the same run.
        let got: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(got, vec!["E0604", "E0602", "E0602", "E0602"], "{diags:?}");
        assert_eq!(diags[1].hint.as_deref(), Some("did you mean `part_of`?"));
        let text = DEFAULT_PLATFORM
            .replace("kv_path =", "kvpath = \"x\"\nkv_path =")
            .replace(
                "cpu_limit = \"500m\"",
                "cpu_limit = \"500m\"\ncpu_limt = \"1\"",
            );
        let diags = load(&text).unwrap_err();
        let got: Vec<(&str, &str, Option<&str>)> = diags
            .iter()
            .map(|d| (d.code, d.message.as_str(), d.hint.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "E0602",
                    "unknown key `vault.kvpath`",
                    Some("did you mean `kv_path`?")
                ),
                (
                    "E0602",
                    "unknown key `sizes.small.cpu_limt`",
                    Some("did you mean `cpu_limit`?")
                ),
            ]
        );
    }

    #[test]
    fn an_environment_has_one_cluster_or_several_never_none_or_both() {
        let pf = load(DEFAULT_PLATFORM).unwrap();
        let dev = &pf.platform.environments["dev"];
        assert_eq!(
            dev.clusters(),
            [ClusterRef {
                name: "dev-eu1".into(),
                context: "dev-eu1".into(),
                kubeconfig: None
            }]
        );
        let two = DEFAULT_PLATFORM.replacen(
            "cluster = \"dev-eu1\"",
            "clusters = { eu1 = { context = \"ctx-eu1\" }, us1 = { kubeconfig = \"/k/us1\" } }",
            1,
        );
        let pf = load(&two).unwrap();
        let got = pf.platform.environments["dev"].clusters();
        assert_eq!(
            got,
            [
                ClusterRef {
                    name: "eu1".into(),
                    context: "ctx-eu1".into(),
                    kubeconfig: None
                },
                ClusterRef {
                    name: "us1".into(),
                    context: "us1".into(),
                    kubeconfig: Some("/k/us1".into())
                }
            ]
        );
        assert_eq!(pf.platform.environments["dev"].primary_cluster(), "eu1");
        let none = DEFAULT_PLATFORM.replacen("cluster = \"dev-eu1\"\n", "", 1);
        let d = &load(&none).unwrap_err()[0];
        assert_eq!(
            (d.code, d.message.as_str()),
            ("E0604", "environment `dev` names no cluster")
        );
        let both = DEFAULT_PLATFORM.replacen(
            "cluster = \"dev-eu1\"",
            "cluster = \"dev-eu1\"\nclusters = { eu1 = {} }",
            1,
        );
        let d = &load(&both).unwrap_err()[0];
        assert_eq!(d.code, "E0603");
        assert!(d.message.contains("both `cluster` and `clusters`"), "{d:?}");
    }

    #[test]
    fn wrong_types_and_missing_keys_are_located() {
        let text = DEFAULT_PLATFORM.replace("port = 8200", "port = \"8200\"");
        let d = &load(&text).unwrap_err()[0];
        assert_eq!(d.code, "E0603");
        let at = d.primary_span().unwrap().range.start;
        assert!(
            text[..at].ends_with("[vault]\nnamespace = \"vault\"\nport = "),
            "{d:?}"
        );
    }
}
