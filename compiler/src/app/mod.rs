//! The app.toml model: parsing with spans, unknown-key and type errors, validation.
//!
//! The parser walks the TOML document itself (with the shared [`crate::spanned_toml`] reader,
//! rather than deserialising through serde) so that one run reports every unknown key, every
//! type error and every invalid value, each at its own span. The keys of each table come from
//! the model's serde derive ([`schema`]). The reference of every key is docs/app-toml.md.
mod cron;
mod model;
mod read;

pub use cron::validate as validate_cron;
pub use model::*;
pub use read::{keys_at, schema};

use crate::diagnostic::{codes, Diagnostic};
use crate::source::{FileId, Span};
use crate::spanned_toml::{self, first_line, Locations, Reader};

/// A parsed app.toml with the spans of its keys and values.
#[derive(Debug, Clone)]
pub struct AppFile {
    pub config: AppConfig,
    pub file: FileId,
    /// Where every key of the file is, for locating later problems (project checks, backends).
    pub locations: Locations,
}

impl AppFile {
    /// The span of the value at a dotted path such as `dependencies.1.name`, else of the nearest parent.
    pub fn value_span(&self, path: &str) -> Span {
        self.locations.value_span(path)
    }

    /// The span of the key at a dotted path.
    pub fn key_span(&self, path: &str) -> Span {
        self.locations.key_span(path)
    }
}

/// Highest `replicas` and autoscaling `max`.
pub const MAX_REPLICAS: u32 = 100;
/// Environment variable name prefixes the platform sets itself.
pub const RESERVED_ENV_PREFIXES: &[&str] = &["SERVICE_", "STORAGE_", "PAAS_"];

/// Parses app.toml. Returns the config when it is usable (it has a `name`), and every problem found.
pub fn parse(file: FileId, src: &str) -> (Option<AppFile>, Vec<Diagnostic>) {
    let doc = match spanned_toml::parse(src) {
        Ok(d) => d,
        Err(e) => return (None, vec![syntax_error(file, src, e)]),
    };
    let mut r = Reader::new(file, src, read::CODES);
    r.root = Some(read::schema());
    let mut p = read::Parser { r };
    let config = p.app(doc.as_table());
    let app = config.map(|config| AppFile {
        config,
        file,
        locations: Locations::new(file, &doc),
    });
    let mut diags = p.r.diags;
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (app, diags)
}

/// E0401: toml_edit's message is "what\nexpected ..."; its span may run onto the next line.
fn syntax_error(file: FileId, src: &str, e: spanned_toml::SyntaxError) -> Diagnostic {
    let range = first_line(src, e.range);
    let mut lines = e.message.trim().lines();
    let what = lines.next().unwrap_or("invalid TOML").to_owned();
    let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
    let label = if rest.is_empty() {
        "invalid TOML here".to_owned()
    } else {
        rest.join("; ")
    };
    Diagnostic::new(codes::E0401, what).primary(Span::new(file, range), label)
}

pub use crate::validate::{check_dns_label, check_host_name};

/// An environment variable name in upper snake case: `[A-Z][A-Z0-9_]*`.
pub fn check_env_var_name(s: &str) -> Result<(), String> {
    let ok = s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(
            "is not an environment variable name (upper-case letters, digits and `_`, starting with a letter)"
                .to_owned(),
        );
    }
    if let Some(p) = RESERVED_ENV_PREFIXES.iter().find(|p| s.starts_with(**p)) {
        return Err(format!(
            "uses the prefix `{p}`, which is reserved for variables the platform sets"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
