//! Reading app.toml's tables into the model: the app-specific values and rules on top of the
//! shared spanned-TOML [`Reader`], which knows the keys of each table from the model's schema.
use super::*;
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::naming::upper_snake;
use crate::source::Span;
use crate::spanned_toml::{item_range, key_range, Codes, Reader, Schema, Spanned};
use crate::validate::host_of_url;
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut, Range};
use std::sync::OnceLock;
use toml_edit::TableLike;

/// app.toml's codes for what the shared reader finds.
pub(super) const CODES: Codes = Codes {
    unknown_key: codes::E0402,
    wrong_type: codes::E0403,
    missing_key: codes::E0404,
};

/// The schema of app.toml: the keys of every table, from [`AppConfig`]'s fields.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(Schema::of::<AppConfig>)
}

/// The schema of the table at `path` of app.toml (`dependencies.0`, `envs.x.engine`, ...).
fn at(path: &str) -> &'static Schema {
    static NONE: Schema = Schema::Value;
    schema().at(path).unwrap_or(&NONE)
}

/// The keys of the table at `path` of app.toml.
pub fn keys_at(path: &str) -> Vec<&'static str> {
    at(path).keys()
}

/// Other names of the words of closed sets, too far from them for did-you-mean.
const WORD_ALIASES: &[(&str, &str)] = &[("go", "golang")];

/// An E0405 diagnostic at `span`.
fn invalid(span: Span, message: String, label: &str) -> Diagnostic {
    Diagnostic::new(codes::E0405, message).primary(span, label.to_owned())
}

/// The app.toml walk: the shared reader plus app.toml's own rules.
pub(super) struct Parser<'s> {
    pub(super) r: Reader<'s>,
}

impl<'s> Deref for Parser<'s> {
    type Target = Reader<'s>;
    fn deref(&self) -> &Reader<'s> {
        &self.r
    }
}

impl DerefMut for Parser<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.r
    }
}

impl Parser<'_> {
    /// An integer in `lo..=hi`.
    fn int(
        &mut self,
        t: &dyn TableLike,
        key: &str,
        path: &str,
        lo: u32,
        hi: u32,
    ) -> Option<Spanned<u32>> {
        let (n, span) = self.integer(t, key, path)?;
        if n < i64::from(lo) || n > i64::from(hi) {
            let d = invalid(
                span,
                format!("`{path}` is {n}; it must be from {lo} to {hi}"),
                "out of range",
            );
            self.push(d);
            return None;
        }
        u32::try_from(n).ok().map(|n| (n, span))
    }

    fn check<F>(&mut self, value: &Spanned<String>, path: &str, f: F) -> bool
    where
        F: Fn(&str) -> Result<(), String>,
    {
        match f(&value.0) {
            Ok(()) => true,
            Err(e) => {
                let d = invalid(
                    value.1.clone(),
                    format!("`{path}` = \"{}\" {e}", value.0),
                    "invalid value",
                );
                self.push(d);
                false
            }
        }
    }

    /// A word of a closed set, with did-you-mean.
    fn word<T: Copy>(
        &mut self,
        t: &dyn TableLike,
        key: &str,
        path: &str,
        words: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let (s, span) = self.string(t, key, path)?;
        if let Some(v) = parse(&s) {
            return Some(v);
        }
        let mut d = invalid(
            span,
            format!("`{path}` = \"{s}\" is not one of {}", words.join(", ")),
            "unknown value",
        )
        .note(format!("allowed values: {}", words.join(", ")));
        let alias = WORD_ALIASES
            .iter()
            .find(|(a, w)| a.eq_ignore_ascii_case(&s) && words.contains(w))
            .map(|(_, w)| *w);
        if let Some(m) = alias.or_else(|| did_you_mean(&s, words.iter().copied())) {
            d = d.hint(format!("did you mean \"{m}\"?"));
        }
        self.push(d);
        None
    }

    /// Reports the second and later occurrences of the same value.
    fn duplicates(&mut self, items: &[Spanned<String>], what: &str) {
        let mut seen: BTreeMap<&str, &Span> = BTreeMap::new();
        for (v, span) in items {
            match seen.get(v.as_str()) {
                Some(first) => {
                    let d = Diagnostic::new(codes::E0406, format!("duplicate {what} `{v}`"))
                        .primary(span.clone(), "declared again here")
                        .secondary((*first).clone(), "first declared here");
                    self.push(d);
                }
                None => {
                    seen.insert(v, span);
                }
            }
        }
    }

    pub(super) fn app(&mut self, root: &dyn TableLike) -> Option<AppConfig> {
        self.unknown_keys(root, "", at(""), "app.toml");
        let name = self.string(root, "name", "name");
        match &name {
            None if root.get("name").is_none() => {
                let d = Diagnostic::new(codes::E0404, "missing required key `name`")
                    .primary(self.span(Some(0..0)), "app.toml needs `name`")
                    .hint("add `name = \"<service-name>\"` at the top of app.toml");
                self.push(d);
            }
            Some(n) => {
                self.check(n, "name", check_dns_label);
            }
            None => {}
        }
        let service = name.as_ref().map(|n| n.0.clone()).unwrap_or_default();
        let description = self
            .string(root, "description", "description")
            .map(|d| d.0)
            .unwrap_or_default();
        let kind = self
            .word(root, "kind", "kind", Kind::WORDS, Kind::from_word)
            .unwrap_or_default();
        let replicas = self
            .int(root, "replicas", "replicas", 1, MAX_REPLICAS)
            .map_or(1, |r| r.0);
        let engine = self.table(root, "engine", "engine").and_then(|t| {
            let range = item_range(root, "engine");
            self.engine(t, range)
        });
        let public_host = self.public_host(root, "public_host", kind);
        let (env, env_spans) = self.env_vars(root, "env");
        let secrets = self.secrets(root, "secrets", &env_spans);
        let dependencies = self.dependencies(root, &service);
        let storages = self.storages(root);
        let crons = self.crons(root);
        let autoscaling = self
            .table(root, "autoscaling", "autoscaling")
            .and_then(|t| self.autoscaling(t, item_range(root, "autoscaling"), "autoscaling"));
        let mut envs = BTreeMap::new();
        if let Some(t) = self.table(root, "envs", "envs") {
            for (env_name, _) in t.iter() {
                let path = format!("envs.{env_name}");
                let name_span = self.span(key_range(t, env_name));
                self.check(&(env_name.to_owned(), name_span), &path, |s| {
                    check_dns_label(s).map_err(|e| format!("names an environment that {e}"))
                });
                if let Some(o) = self.table(t, env_name, &path) {
                    let ov = self.env_override(o, &path, kind, &env_spans, item_range(t, env_name));
                    envs.insert(env_name.to_owned(), ov);
                }
            }
        }
        let name = name?.0;
        Some(AppConfig {
            name,
            description,
            kind,
            replicas,
            engine,
            public_host,
            env,
            secrets,
            dependencies,
            storages,
            crons,
            autoscaling,
            envs,
        })
    }

    fn engine(&mut self, t: &dyn TableLike, range: Option<Range<usize>>) -> Option<Engine> {
        self.unknown_keys(t, "engine", at("engine"), "`[engine]`");
        let name = self.word(
            t,
            "name",
            "engine.name",
            EngineName::WORDS,
            EngineName::from_word,
        );
        if t.get("name").is_none() {
            self.missing(range, "engine.name", "`[engine]`");
        }
        let version = self.version(t, "engine.version");
        let size = self
            .word(t, "size", "engine.size", Size::WORDS, Size::from_word)
            .unwrap_or_default();
        Some(Engine {
            name: name?,
            version: version.unwrap_or_default(),
            size,
        })
    }

    fn version(&mut self, t: &dyn TableLike, path: &str) -> Option<String> {
        let v = self.string(t, "version", path)?;
        let ok = self.check(&v, path, |s| {
            if !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                Ok(())
            } else {
                Err("is not a version (letters, digits, `.` and `-`, at most 32)".to_owned())
            }
        });
        ok.then_some(v.0)
    }

    fn public_host(&mut self, t: &dyn TableLike, path: &str, kind: Kind) -> Option<String> {
        let v = self.string(t, "public_host", path)?;
        if let Some(host) = host_of_url(&v.0) {
            let d = invalid(
                v.1.clone(),
                format!("`{path}` = \"{}\" is a URL, not a host name", v.0),
                "a host name has no scheme or path",
            )
            .hint(format!(
                "drop the scheme and the path: `public_host = \"{host}\"`"
            ));
            self.push(d);
            return None;
        }
        if !self.check(&v, path, check_host_name) {
            return None;
        }
        if kind == Kind::Worker {
            let d = invalid(
                v.1.clone(),
                format!("`{path}` is set but the service is a worker"),
                "a worker accepts no traffic",
            )
            .hint("remove `public_host`, or change `kind`");
            self.push(d);
            return None;
        }
        Some(v.0)
    }

    /// `[env]`: names to string values. Returns the variables and the span of each name.
    fn env_vars(
        &mut self,
        t: &dyn TableLike,
        path: &str,
    ) -> (BTreeMap<String, String>, Vec<Spanned<String>>) {
        let mut vars = BTreeMap::new();
        let mut spans = Vec::new();
        let Some(et) = self.table(t, "env", path) else {
            return (vars, spans);
        };
        for (k, _) in et.iter() {
            let p = format!("{path}.{k}");
            let key = (k.to_owned(), self.span(key_range(et, k)));
            if !self.check(&key, &p, check_env_var_name) {
                continue;
            }
            let Some(item) = et.get(k) else { continue };
            let value = match item.as_value() {
                Some(toml_edit::Value::String(s)) => s.value().clone(),
                Some(toml_edit::Value::Integer(i)) => i.value().to_string(),
                Some(toml_edit::Value::Boolean(b)) => b.value().to_string(),
                _ => {
                    self.type_error(et, k, &p, "a string");
                    continue;
                }
            };
            vars.insert(k.to_owned(), value);
            spans.push(key);
        }
        (vars, spans)
    }

    fn secrets(
        &mut self,
        t: &dyn TableLike,
        path: &str,
        env_spans: &[Spanned<String>],
    ) -> Vec<String> {
        let Some(list) = self.strings(t, "secrets", path) else {
            return Vec::new();
        };
        let mut ok = Vec::new();
        for (i, s) in list.iter().enumerate() {
            let p = format!("{path}.{i}");
            if let Err(e) = check_env_var_name(&s.0) {
                let mut d = invalid(
                    s.1.clone(),
                    format!("secret name \"{}\" {e}", s.0),
                    "invalid secret name",
                );
                let fixed = upper_snake(&s.0);
                if check_env_var_name(&fixed).is_ok() {
                    d = d.hint(format!("did you mean \"{fixed}\"?"));
                }
                d = d.note(format!(
                    "`{p}` names a vault secret; the service reads it from the file named by `<NAME>_FILE`"
                ));
                self.push(d);
                continue;
            }
            if let Some((_, es)) = env_spans.iter().find(|(n, _)| *n == s.0) {
                let d = Diagnostic::new(
                    codes::E0406,
                    format!("`{}` is both a secret and an `[env]` variable", s.0),
                )
                .primary(s.1.clone(), "declared as a secret here")
                .secondary(es.clone(), "and as a plain variable here");
                self.push(d);
            }
            let file_var = format!("{}_FILE", s.0);
            if let Some((_, es)) = env_spans.iter().find(|(n, _)| *n == file_var) {
                let d = Diagnostic::new(
                    codes::E0406,
                    format!("`{file_var}` is set by the platform for secret `{}`", s.0),
                )
                .primary(es.clone(), "this variable would be overwritten")
                .secondary(s.1.clone(), "the secret")
                .note("a secret NAME is delivered as the file named by NAME_FILE");
                self.push(d);
            }
            ok.push(s.clone());
        }
        self.duplicates(&ok, "secret");
        let mut names: Vec<String> = Vec::new();
        for (n, _) in ok {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    fn dependencies(&mut self, root: &dyn TableLike, service: &str) -> Vec<Dependency> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (i, (t, range)) in self
            .tables(root, "dependencies", "dependencies")
            .into_iter()
            .enumerate()
        {
            let path = format!("dependencies.{i}");
            self.unknown_keys(t, &path, at(&path), "`[[dependencies]]`");
            let name = self.string(t, "name", &format!("{path}.name"));
            if t.get("name").is_none() {
                self.missing(range.clone(), &format!("{path}.name"), "`[[dependencies]]`");
            }
            let subscribe = self
                .strings(t, "subscribe", &format!("{path}.subscribe"))
                .unwrap_or_default();
            self.duplicates(&subscribe, "subscription");
            let Some(name) = name else { continue };
            if !self.check(&name, &format!("{path}.name"), check_dns_label) {
                continue;
            }
            if name.0 == service {
                let d = invalid(
                    name.1.clone(),
                    format!("`{service}` depends on itself"),
                    "the service's own name",
                );
                self.push(d);
                continue;
            }
            names.push(name.clone());
            let mut topics: Vec<String> = Vec::new();
            for (s, _) in subscribe {
                if !topics.contains(&s) {
                    topics.push(s);
                }
            }
            out.push(Dependency {
                name: name.0,
                subscribe: topics,
            });
        }
        self.duplicates(&names, "dependency");
        out
    }

    fn storages(&mut self, root: &dyn TableLike) -> Vec<Storage> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (i, (t, range)) in self
            .tables(root, "storages", "storages")
            .into_iter()
            .enumerate()
        {
            let path = format!("storages.{i}");
            self.unknown_keys(t, &path, at(&path), "`[[storages]]`");
            self.require(t, range.clone(), &path, &["kind", "name"], "`[[storages]]`");
            let kind = self.word(
                t,
                "kind",
                &format!("{path}.kind"),
                StorageKind::WORDS,
                StorageKind::from_word,
            );
            let name = self.string(t, "name", &format!("{path}.name"));
            let name = name.filter(|n| self.check(n, &format!("{path}.name"), check_dns_label));
            let mpath = format!("{path}.migrations");
            let migrations = self.string(t, "migrations", &mpath).filter(|m| {
                self.check(m, &mpath, |s| {
                    let bad = s.is_empty()
                        || s.starts_with('/')
                        || s.contains('\\')
                        || s.split('/').any(|seg| seg == "..");
                    if bad {
                        Err("must be a relative path inside the project".to_owned())
                    } else {
                        Ok(())
                    }
                })
            });
            if let (Some(k), Some(m)) = (kind, &migrations) {
                if k != StorageKind::Postgresql {
                    let d = invalid(
                        m.1.clone(),
                        format!("a {k} storage has no migrations"),
                        "only postgresql storages have migrations",
                    );
                    self.push(d);
                }
            }
            if let (Some(kind), Some(name)) = (kind, name) {
                names.push(name.clone());
                out.push(Storage {
                    kind,
                    name: name.0,
                    migrations: migrations.map(|m| m.0),
                });
            }
        }
        self.duplicates(&names, "storage");
        out
    }

    fn crons(&mut self, root: &dyn TableLike) -> Vec<Cron> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (i, (t, range)) in self.tables(root, "crons", "crons").into_iter().enumerate() {
            let path = format!("crons.{i}");
            let schema = at(&path);
            self.unknown_keys(t, &path, schema, "`[[crons]]`");
            // Every key of a cron is required.
            self.require(t, range.clone(), &path, &schema.keys(), "`[[crons]]`");
            let npath = format!("{path}.name");
            let name = self
                .string(t, "name", &npath)
                .filter(|n| self.check(n, &npath, check_dns_label));
            let spath = format!("{path}.schedule");
            let schedule = self.string(t, "schedule", &spath).filter(|s| {
                self.check(s, &spath, |v| {
                    validate_cron(v).map_err(|e| format!("is not a cron schedule: {e}"))
                })
            });
            let cpath = format!("{path}.command");
            let command = match t.get("command") {
                None => None,
                Some(item) if item.is_str() => self.string(t, "command", &cpath).map(|c| {
                    (
                        c.0.split_whitespace()
                            .map(str::to_owned)
                            .collect::<Vec<_>>(),
                        c.1,
                    )
                }),
                Some(item) if item.is_array() => self
                    .strings(t, "command", &cpath)
                    .map(|v| (v.into_iter().map(|s| s.0).collect(), self.span(item.span()))),
                Some(_) => {
                    self.type_error(t, "command", &cpath, "a string or an array of strings");
                    None
                }
            };
            let command = command.filter(|c| {
                if c.0.is_empty() || c.0.iter().any(String::is_empty) {
                    let d = invalid(
                        c.1.clone(),
                        format!("`{cpath}` is empty"),
                        "a command is needed",
                    );
                    self.push(d);
                    false
                } else {
                    true
                }
            });
            if let (Some(name), Some(schedule), Some(command)) = (name, schedule, command) {
                names.push(name.clone());
                out.push(Cron {
                    name: name.0,
                    schedule: schedule.0,
                    command: command.0,
                });
            }
        }
        self.duplicates(&names, "cron");
        out
    }

    fn autoscaling(
        &mut self,
        t: &dyn TableLike,
        range: Option<Range<usize>>,
        path: &str,
    ) -> Option<Autoscaling> {
        let what = format!("`[{path}]`");
        self.unknown_keys(t, path, at("autoscaling"), &what);
        self.require(t, range, path, &["min", "max"], &what);
        let min = self.int(t, "min", &format!("{path}.min"), 1, MAX_REPLICAS);
        let max = self.int(t, "max", &format!("{path}.max"), 1, MAX_REPLICAS);
        let cpu = self.int(t, "cpu", &format!("{path}.cpu"), 10, 95);
        let (min, max) = (min?, max?);
        if max.0 < min.0 {
            let d = invalid(
                max.1.clone(),
                format!("`{path}.max` ({}) is below `{path}.min` ({})", max.0, min.0),
                "less than min",
            )
            .secondary(min.1.clone(), "min is set here");
            self.push(d);
            return None;
        }
        Some(Autoscaling {
            min: min.0,
            max: max.0,
            cpu: cpu.map_or(DEFAULT_CPU_PERCENT, |c| c.0),
        })
    }

    fn env_override(
        &mut self,
        t: &dyn TableLike,
        path: &str,
        kind: Kind,
        base_env: &[Spanned<String>],
        _range: Option<Range<usize>>,
    ) -> EnvOverride {
        let what = format!("`[{path}]`");
        let override_keys = keys_at("envs.*");
        let top_keys = keys_at("");
        for (k, _) in t.iter() {
            if override_keys.contains(&k) {
                continue;
            }
            let span = self.span(key_range(t, k));
            if top_keys.contains(&k) {
                let d = Diagnostic::new(
                    codes::E0407,
                    format!("`{k}` cannot be overridden per environment"),
                )
                .primary(span, format!("not allowed in {what}"))
                .note(format!(
                    "an environment may override: {}",
                    override_keys.join(", ")
                ));
                self.push(d);
            } else {
                let mut d = Diagnostic::new(codes::E0402, format!("unknown key `{path}.{k}`"))
                    .primary(span, format!("not a key of {what}"));
                match did_you_mean(k, override_keys.iter().copied()) {
                    Some(s) => d = d.hint(format!("did you mean `{path}.{s}`?")),
                    None => {
                        d = d.note(format!(
                            "an environment may override: {}",
                            override_keys.join(", ")
                        ))
                    }
                }
                self.push(d);
            }
        }
        let replicas = self
            .int(t, "replicas", &format!("{path}.replicas"), 1, MAX_REPLICAS)
            .map(|r| r.0);
        let epath = format!("{path}.engine");
        let engine_keys = keys_at("envs.*.engine");
        let engine = self.table(t, "engine", &epath).map(|et| {
            for (k, _) in et.iter() {
                if engine_keys.contains(&k) {
                    continue;
                }
                let span = self.span(key_range(et, k));
                let d = if k == "name" {
                    Diagnostic::new(
                        codes::E0407,
                        "`engine.name` cannot be overridden per environment",
                    )
                    .primary(span, "the engine is the same in every environment")
                } else {
                    let mut d = Diagnostic::new(codes::E0402, format!("unknown key `{epath}.{k}`"))
                        .primary(span, format!("not a key of `[{epath}]`"));
                    if let Some(s) = did_you_mean(k, engine_keys.iter().copied()) {
                        d = d.hint(format!("did you mean `{epath}.{s}`?"));
                    }
                    d
                };
                self.push(d);
            }
            EngineOverride {
                version: self.version(et, &format!("{epath}.version")),
                size: self.word(
                    et,
                    "size",
                    &format!("{epath}.size"),
                    Size::WORDS,
                    Size::from_word,
                ),
            }
        });
        let public_host = self.public_host(t, &format!("{path}.public_host"), kind);
        let (env, env_spans) = self.env_vars(t, &format!("{path}.env"));
        let mut all_env = base_env.to_vec();
        all_env.extend(env_spans);
        let secrets = self.secrets(t, &format!("{path}.secrets"), &all_env);
        let apath = format!("{path}.autoscaling");
        let autoscaling = self
            .table(t, "autoscaling", &apath)
            .and_then(|at| self.autoscaling(at, item_range(t, "autoscaling"), &apath));
        EnvOverride {
            replicas,
            engine,
            public_host,
            env,
            secrets,
            autoscaling,
        }
    }
}
