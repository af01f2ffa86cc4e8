//! The Go backend: typed servers, clients and event bindings on runtime-go, from the IR.
//!
//! [`Go`] implements brief-codegen's [`Backend`]: every file in memory (the caller writes them),
//! deterministically: the same IR and options give byte-identical output. Layout (docs/go.md):
//!
//! - `<service>.brief.go` at the root (import path [`Go::import_path`]): the service's own
//!   contract (types, rpc descriptors, `Server` + `NewHandler`, `Client`, `Publisher`, topic
//!   constants and `Handle<Event>` functions), and the `Consumer` of the topics app.toml
//!   subscribes to;
//! - `<dep>client/<dep>.brief.go` per dependency contract (`rpc/<dep>.brief`): its types, rpc
//!   descriptors, `Client`, topic constants and `Handle<Event>` functions.
mod doc;
mod model;
mod names;
pub mod scaffold;

use brief_codegen::{locate, plan, template, Backend};
use compiler::ir::Ir;
use compiler::{codes, Diagnostic, Sources};
use model::{ConsumerVm, FileVm};
use std::collections::BTreeSet;

pub use brief_codegen::GeneratedFile;

/// The Go backend with its options: [`Go::new`] checks them.
#[derive(Debug, Clone)]
pub struct Go {
    /// The Go import path the output directory has in the user's module (like protoc's
    /// `go_package`), e.g. `example.com/summer/gen`. Dependency packages live below it.
    import_path: String,
}

impl Go {
    /// The backend for output at `import_path`, or why that is not a Go import path.
    pub fn new(import_path: &str) -> Result<Self, String> {
        validate_import_path(import_path)?;
        Ok(Go {
            import_path: import_path.to_owned(),
        })
    }

    pub fn import_path(&self) -> &str {
        &self.import_path
    }
}

impl Backend for Go {
    fn name(&self) -> &'static str {
        "Go"
    }

    fn generate(&self, ir: &Ir, sources: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        generate(ir, &self.import_path, sources).map_err(|d| vec![d])
    }
}

const TEMPLATE: &str = include_str!("templates/package.go.jinja");

/// Checks a Go import path: non-empty `/`-separated elements of letters, digits and `-._~`.
pub fn validate_import_path(p: &str) -> Result<(), String> {
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
        Err(format!(
            "`{p}` is not a Go import path (like example.com/myservice/gen)"
        ))
    }
}

/// A failure of the template engine: a bug of this backend, never of the project.
fn internal(e: minijinja::Error) -> Diagnostic {
    template::internal_error("Go", &e)
}

/// Generates the Go code of a project's IR, sorted by path.
fn generate(
    ir: &Ir,
    import_path: &str,
    sources: &Sources,
) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let env = template::environment(&[("package.go", TEMPLATE)]).map_err(internal)?;
    let render = |vm: &FileVm| -> Result<Vec<u8>, Diagnostic> {
        template::render(&env, "package.go", vm)
            .map(String::into_bytes)
            .map_err(internal)
    };

    let mut files = Vec::new();

    // Dependency packages, named after the service; collisions (`a-b` and `ab`) get a number.
    let mut deps = Vec::new();
    for unit in plan::dependencies(ir, |c| names::package(&c.name, "x") + "client") {
        let c = unit.contract;
        let vm = model::contract(c, false, false)
            .map_err(|d| locate::at(d, sources, &c.loc, "in this contract"))?;
        deps.push((c, unit.name, vm));
    }

    // Subscriptions of app.toml as the compiler resolved them (sorted by dependency, then topic).
    let subs = ir
        .subscriptions
        .iter()
        .map(|s| (s.dependency.as_str(), s.topic.as_str()));
    let mut consumers = Vec::new();
    let mut used_deps = BTreeSet::new();
    let mut methods = brief_codegen::scope::Scope::default();
    for (dep, topic) in subs {
        let (_, pkg, vm) = deps.iter().find(|(c, _, _)| c.name == dep).ok_or_else(|| {
            Diagnostic::new(
                codes::E0503,
                format!("subscription to `{topic}`: no contract for dependency `{dep}`"),
            )
        })?;
        let ev = vm.events.iter().find(|e| e.topic == topic).ok_or_else(|| {
            Diagnostic::new(
                codes::E0503,
                format!("subscription: `{dep}` publishes no event `{topic}`"),
            )
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
        let pkg = names::package(plan::last_element(import_path), "pkg");
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
            let path = format!("{import_path}/{d}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_when_the_backend_is_made() {
        assert!(Go::new("example.com/summer/gen").is_ok());
        for bad in ["", "not a path", "a//b", "a/../b", "a/é"] {
            let e = Go::new(bad).map(|_| ()).unwrap_err();
            assert!(e.contains("is not a Go import path"), "{e}");
        }
    }

    #[test]
    fn template_failures_are_internal_errors() {
        let e = template::environment(&[("t", "{{ missing }}")])
            .and_then(|env| template::render(&env, "t", &()))
            .map(|_| ())
            .map_err(internal)
            .unwrap_err();
        assert_eq!(e.code, codes::E0701);
        assert!(
            e.message.starts_with("the Go backend failed: "),
            "{}",
            e.message
        );
    }
}
