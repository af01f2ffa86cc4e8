//! The Go backend: typed servers, clients and event bindings on runtime-go, from the IR.
//!
//! [`generate`] returns every file in memory (the caller writes them), deterministically: the same
//! IR and options give byte-identical output. Layout (docs/go.md):
//!
//! - `<service>.brief.go` at the root (import path [`Options::import_path`]): the service's own
//!   contract (types, rpc descriptors, `Server` + `NewHandler`, `Client`, `Publisher`, topic
//!   constants and `Handle<Event>` functions), and the `Consumer` of the topics app.toml
//!   subscribes to;
//! - `<dep>client/<dep>.brief.go` per dependency contract (`rpc/<dep>.brief`): its types, rpc
//!   descriptors, `Client`, topic constants and `Handle<Event>` functions.
mod doc;
mod model;
mod names;

use compiler::ir::{Contract, Ir};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use model::{ConsumerVm, FileVm};
use std::collections::BTreeSet;
use std::fmt;

/// What the caller decides about the generated code.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Go import path the output directory has in the user's module (like protoc's
    /// `go_package`), e.g. `example.com/summer/gen`. Dependency packages live below it.
    pub import_path: String,
}

/// One generated file: a `/`-separated path relative to the output directory, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Why nothing could be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

const TEMPLATE: &str = include_str!("templates/package.go.jinja");

/// Checks a Go import path: non-empty `/`-separated elements of letters, digits and `-._~`.
pub fn validate_import_path(p: &str) -> Result<(), Error> {
    let ok = !p.is_empty()
        && p.split('/').all(|e| {
            !e.is_empty()
                && e != "."
                && e != ".."
                && e.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        });
    if ok {
        Ok(())
    } else {
        Err(Error(format!(
            "`{p}` is not a Go import path (like example.com/myservice/gen)"
        )))
    }
}

/// Generates the Go code of a project's IR, sorted by path.
pub fn generate(ir: &Ir, opts: &Options) -> Result<Vec<GeneratedFile>, Error> {
    validate_import_path(&opts.import_path)?;
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| Error(format!("Go template syntax: {e}")))?;
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_template("package.go", TEMPLATE)
        .map_err(|e| Error(format!("Go template: {e}")))?;
    let tmpl = env
        .get_template("package.go")
        .map_err(|e| Error(format!("Go template: {e}")))?;
    let render = |vm: &FileVm| -> Result<Vec<u8>, Error> {
        tmpl.render(Serde(vm))
            .map(|s| {
                let mut s = s.trim_end().to_owned();
                s.push('\n');
                s.into_bytes()
            })
            .map_err(|e| Error(format!("Go template: {e}")))
    };

    let mut files = Vec::new();

    // Dependency packages, named after the service; collisions (`a-b` and `ab`) get a number.
    let mut dep_pkgs = BTreeSet::new();
    let mut deps: Vec<(&Contract, String, model::ContractVm)> = Vec::new();
    let mut sorted: Vec<&Contract> = ir.dependencies.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name).then(a.loc.file.cmp(&b.loc.file)));
    for c in sorted {
        let base = names::package(&c.name, "x") + "client";
        let mut pkg = base.clone();
        let mut n = 2;
        while !dep_pkgs.insert(pkg.clone()) {
            pkg = format!("{base}{n}");
            n += 1;
        }
        let vm = model::contract(c, false, false)?;
        deps.push((c, pkg, vm));
    }

    // Subscriptions of app.toml, sorted by dependency, then topic.
    let mut subs: Vec<(&str, &str)> = ir
        .app
        .iter()
        .flat_map(|a| a.dependencies.iter())
        .flat_map(|d| d.subscribe.iter().map(|t| (d.name.as_str(), t.as_str())))
        .collect();
    subs.sort();
    subs.dedup();
    let mut consumers = Vec::new();
    let mut used_deps = BTreeSet::new();
    let mut methods = names::Scope::default();
    for (dep, topic) in subs {
        let (_, pkg, vm) = deps.iter().find(|(c, _, _)| c.name == dep).ok_or_else(|| {
            Error(format!(
                "subscription to `{topic}`: no contract for dependency `{dep}`"
            ))
        })?;
        let ev = vm.events.iter().find(|e| e.topic == topic).ok_or_else(|| {
            Error(format!(
                "subscription: `{dep}` publishes no event `{topic}`"
            ))
        })?;
        used_deps.insert(pkg.clone());
        let method = methods.claim(&format!("On{}", names::exported(topic)));
        let lit = names::quote(topic);
        let text = vec![format!(
            "{method} consumes topic {lit} of {dep} (deliveries of one event are deduplicated)."
        )];
        consumers.push(ConsumerVm {
            doc: doc::inner(&text),
            method,
            message: format!("{pkg}.{}", ev.message),
            topic_const: format!("{pkg}.{}", ev.topic_const),
            handle_func: format!("{pkg}.{}", ev.handle_func),
        });
    }

    for (c, pkg, vm) in deps {
        let stem = names::package(&c.name, "x");
        let mut std = vec![];
        if !vm.rpcs.is_empty() || !vm.events.is_empty() {
            std.push("\"context\"".to_owned());
        }
        if vm.uses_time {
            std.push("\"time\"".to_owned());
        }
        let mut package_doc = vec![format!(
            "Package {pkg} calls service {} ({}): its types, a client and the consumers of its events.",
            names::quote(&c.name),
            c.loc.file
        )];
        if let Some(d) = c.doc.as_deref().map(doc::lines).filter(|l| !l.is_empty()) {
            package_doc.push(String::new());
            package_doc.extend(d);
        }
        doc::push_deprecated(&mut package_doc, c.deprecated.as_ref());
        let file = FileVm {
            source: c.loc.file.clone(),
            package_doc: doc::top(&package_doc),
            package: pkg.clone(),
            std_imports: std,
            other_imports: vec![format!("brief {}", names::quote(model::RUNTIME))],
            c: Some(vm),
            consumers: Vec::new(),
        };
        files.push(GeneratedFile {
            path: format!("{pkg}/{stem}.brief.go"),
            contents: render(&file)?,
        });
    }

    // The root package: the service's own contract and its subscriptions.
    let own = match &ir.service {
        Some(c) => Some(model::contract(c, true, true)?),
        None => None,
    };
    if own.is_some() || !consumers.is_empty() {
        let last = opts.import_path.rsplit('/').next().unwrap_or_default();
        let pkg = names::package(last, "pkg");
        let (source, stem) = match (&ir.service, &ir.app) {
            (Some(c), _) => (c.loc.file.clone(), names::package(&c.name, "x")),
            (None, Some(a)) => ("app.toml".to_owned(), names::package(&a.name, "x")),
            (None, None) => ("app.toml".to_owned(), pkg.clone()),
        };
        let mut std = vec![];
        let uses_context = !consumers.is_empty()
            || own
                .as_ref()
                .is_some_and(|v| !v.rpcs.is_empty() || !v.events.is_empty());
        if uses_context {
            std.push("\"context\"".to_owned());
        }
        if own.as_ref().is_some_and(|v| v.uses_time) {
            std.push("\"time\"".to_owned());
        }
        let mut other: Vec<(String, String)> = vec![(
            model::RUNTIME.to_owned(),
            format!("brief {}", names::quote(model::RUNTIME)),
        )];
        for d in &used_deps {
            let path = format!("{}/{d}", opts.import_path);
            other.push((path.clone(), names::quote(&path)));
        }
        other.sort();
        let mut package_doc = match &ir.service {
            Some(c) => {
                let mut l = vec![format!(
                    "Package {pkg} is the generated Go binding of service {}: its types, server, client and events.",
                    names::quote(&c.name)
                )];
                if let Some(d) = c.doc.as_deref().map(doc::lines).filter(|l| !l.is_empty()) {
                    l.push(String::new());
                    l.extend(d);
                }
                doc::push_deprecated(&mut l, c.deprecated.as_ref());
                l
            }
            None => vec![format!(
                "Package {pkg} holds the consumers of the events this service subscribes to."
            )],
        };
        if package_doc.is_empty() {
            package_doc.push(format!("Package {pkg}."));
        }
        let file = FileVm {
            source,
            package_doc: doc::top(&package_doc),
            package: pkg,
            std_imports: std,
            other_imports: other.into_iter().map(|(_, spec)| spec).collect(),
            c: own,
            consumers,
        };
        files.push(GeneratedFile {
            path: format!("{stem}.brief.go"),
            contents: render(&file)?,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
