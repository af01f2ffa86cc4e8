//! Project rules that join app.toml with the rest of the repository and the platform's needs:
//! events need the data bus, dependencies need their contracts, migrations need their directory,
//! and the engine version must be one the runtime supports.
use crate::app::{AppFile, EngineName, StorageKind};
use crate::check::FileInfo;
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::fs::FileSystem;
use crate::ir::Contract;
use crate::source::Span;
use std::path::Path;

/// The platform's data bus: an ordinary brief service every publisher and consumer depends on
/// (docs/protocol.md, section 9.2).
pub const DATA_BUS: &str = "data-bus";

/// Services the platform runs and describes itself, so a service repository needs no
/// `rpc/<name>.brief` for them.
pub const PLATFORM_SERVICES: &[&str] = &[DATA_BUS];

/// The oldest engine version each runtime library supports, where the toolchain ships one.
pub fn minimum_version(engine: EngineName) -> Option<&'static str> {
    match engine {
        EngineName::Golang => Some("1.22"),
        EngineName::Php => Some("8.2"),
        _ => None,
    }
}

/// What the rules look at: the project's files and its app.toml.
pub(crate) struct Project<'a> {
    pub fs: &'a dyn FileSystem,
    pub root: &'a Path,
    pub app: &'a AppFile,
    /// `service.brief`'s contract, if it declares one.
    pub service: Option<(&'a FileInfo, &'a Contract)>,
    /// Service names declared by `rpc/*.brief` files.
    pub dependency_contracts: Vec<&'a str>,
}

/// Runs every rule of this module.
pub(crate) fn check(p: &Project<'_>, diags: &mut Vec<Diagnostic>) {
    data_bus(p, diags);
    contracts(p, diags);
    migrations(p, diags);
    engine_version(p, diags);
}

/// E0504: publishing or consuming events without the data bus.
fn data_bus(p: &Project<'_>, diags: &mut Vec<Diagnostic>) {
    let cfg = &p.app.config;
    let first_subscription = cfg.dependencies.iter().enumerate().find_map(|(di, d)| {
        (!d.subscribe.is_empty()).then(|| p.app.value_span(&format!("dependencies.{di}.subscribe")))
    });
    if cfg.dependencies.iter().any(|d| d.name == DATA_BUS) {
        return;
    }
    let published = p.service.and_then(|(f, c)| {
        c.events
            .first()
            .map(|e| (Span::new(f.id, e.loc.start..e.loc.end), e.topic.as_str()))
    });
    let (span, label, what) = match (published, first_subscription) {
        (Some((span, topic)), _) => (span, format!("publishes `{topic}`"), "publishes events"),
        (None, Some(span)) => (span, "a subscription".to_owned(), "consumes events"),
        (None, None) => return,
    };
    diags.push(
        Diagnostic::new(
            codes::E0504,
            format!("`{}` {what} but does not depend on `{DATA_BUS}`", cfg.name),
        )
        .primary(span, label)
        .note("events travel through the platform's data bus; without the dependency the service has no `SERVICE_DATA_BUS_URL` and its network policy blocks the bus")
        .hint(format!(
            "add it to app.toml:\n\n[[dependencies]]\nname = \"{DATA_BUS}\""
        )),
    );
}

/// W0503: a declared dependency whose contract is not in the repository.
fn contracts(p: &Project<'_>, diags: &mut Vec<Diagnostic>) {
    for (di, dep) in p.app.config.dependencies.iter().enumerate() {
        let name = dep.name.as_str();
        if PLATFORM_SERVICES.contains(&name)
            || p.dependency_contracts.contains(&name)
            // E0503 already says that the subscriptions need the contract.
            || !dep.subscribe.is_empty()
            // W0501 already asks whether a contract of a similar name is this dependency.
            || did_you_mean(name, p.dependency_contracts.iter().copied()).is_some()
        {
            continue;
        }
        diags.push(
            Diagnostic::new(codes::W0503, format!("dependency `{name}` has no contract"))
                .primary(
                    p.app.value_span(&format!("dependencies.{di}.name")),
                    format!("no `rpc/{name}.brief`"),
                )
                .note("without it there is no typed client, and `check` cannot see what you call")
                .hint(format!(
                    "add `rpc/{name}.brief`: a copy of the `service.brief` of `{name}`"
                )),
        );
    }
}

/// E0505: `migrations` naming a directory that is not there.
fn migrations(p: &Project<'_>, diags: &mut Vec<Diagnostic>) {
    for (si, s) in p.app.config.storages.iter().enumerate() {
        // Only postgresql storages have migrations (E0405 says so for the others).
        let (Some(dir), StorageKind::Postgresql) = (&s.migrations, s.kind) else {
            continue;
        };
        if p.fs.is_dir(&p.root.join(dir)) {
            continue;
        }
        let (what, hint) = if p.fs.is_file(&p.root.join(dir)) {
            (
                "is a file, not a directory",
                "point `migrations` at the directory that holds the SQL migrations".to_owned(),
            )
        } else {
            (
                "does not exist",
                format!(
                    "create `{dir}/` with the storage's SQL migrations, or remove `migrations`"
                ),
            )
        };
        diags.push(
            Diagnostic::new(codes::E0505, format!("migrations directory `{dir}` {what}"))
                .primary(
                    p.app.value_span(&format!("storages.{si}.migrations")),
                    "relative to the directory of app.toml",
                )
                .hint(hint),
        );
    }
}

/// E0405: an engine version older than the runtime library supports, at the top level or in
/// any environment.
fn engine_version(p: &Project<'_>, diags: &mut Vec<Diagnostic>) {
    let cfg = &p.app.config;
    let Some(engine) = &cfg.engine else { return };
    let Some(min) = minimum_version(engine.name) else {
        return;
    };
    let mut versions = vec![("engine.version".to_owned(), engine.version.as_str())];
    for (env, o) in &cfg.envs {
        if let Some(v) = o.engine.as_ref().and_then(|e| e.version.as_deref()) {
            versions.push((format!("envs.{env}.engine.version"), v));
        }
    }
    for (path, version) in versions {
        if version.is_empty() || !older(version, min) {
            continue;
        }
        diags.push(
            Diagnostic::new(
                codes::E0405,
                format!("{} {version} is older than the runtime supports", engine.name),
            )
            .primary(p.app.value_span(&path), format!("the minimum is {min}"))
            .hint(format!(
                "use `version = \"{min}\"` or newer, or leave `version` out for the platform's default"
            )),
        );
    }
}

/// Whether dotted version `v` is older than `min`, comparing numeric parts (`1.9` < `1.22`);
/// parts that are not numbers (`1.22-rc1`'s `22-rc1`) compare by their leading digits.
fn older(v: &str, min: &str) -> bool {
    let parts = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().unwrap_or(0)
            })
            .collect()
    };
    let (a, b) = (parts(v), parts(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x < y;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::older;

    #[test]
    fn versions_compare_by_number_not_text() {
        assert!(older("1.9", "1.22"));
        assert!(older("1.21.5", "1.22"));
        assert!(!older("1.22", "1.22"));
        assert!(!older("1.22.0", "1.22"));
        assert!(!older("1.100", "1.22"));
        assert!(!older("2", "1.22"));
        assert!(older("8.1", "8.2"));
        assert!(!older("1.23-rc1", "1.22"));
    }
}
