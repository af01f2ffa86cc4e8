//! The PHP backend: PSR-4 laid-out PHP 8.2 classes on runtime-php (`Brief\Runtime`), from the IR.
//!
//! [`Php`] implements brief-codegen's [`Backend`]: every file in memory (the caller writes them),
//! deterministically. Layout (docs/php.md), one class per file, namespace [`Php::namespace`]:
//!
//! - at the root, the service's own contract: a class per message, enum and error, the
//!   `<Service>Handler` interface, `Unimplemented<Service>Handler`, the `<Service>Server` glue
//!   that `Brief\Runtime\Server` dispatches to, a `<Service>Client` and a `<Service>Publisher`;
//!   with subscriptions, a `<Service>EventHandler` interface and its `<Service>Consumer` glue;
//! - `<Dep>/` (namespace `NS\<Dep>`) per dependency contract (`rpc/<dep>.brief`): its types and
//!   a `<Dep>Client`.
mod consumer;
mod model;
mod names;
pub mod scaffold;

use brief_codegen::{locate, plan, template, Backend};
use compiler::ir::Ir;
use compiler::{Diagnostic, Sources};
use model::{Body, FileVm, RUNTIME};

pub use brief_codegen::GeneratedFile;
pub use names::{validate_namespace, RESERVED};

/// The PHP backend with its options: [`Php::new`] checks them.
#[derive(Debug, Clone)]
pub struct Php {
    /// The namespace of the output directory (PSR-4 prefix), e.g. `Acme\Shop\Generated`.
    namespace: String,
}

impl Php {
    /// The backend for output in `namespace`, or why that is not a PHP namespace.
    pub fn new(namespace: &str) -> Result<Self, String> {
        validate_namespace(namespace)?;
        Ok(Php {
            namespace: namespace.to_owned(),
        })
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

impl Backend for Php {
    fn name(&self) -> &'static str {
        "PHP"
    }

    fn generate(&self, ir: &Ir, sources: &Sources) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
        generate(ir, &self.namespace, sources).map_err(|d| vec![d])
    }
}

const TEMPLATE: &str = include_str!("templates/file.php.jinja");

/// A failure of the template engine: a bug of this backend, never of the project.
fn internal(e: minijinja::Error) -> Diagnostic {
    template::internal_error("PHP", &e)
}

/// The `use` lines a file needs, sorted.
fn uses(body: &Body, time: bool) -> Vec<String> {
    let rt: &[&str] = match body {
        Body::Enum(_) => &[],
        Body::Message(_) => &["Codec", "Message"],
        Body::Error(_) => &["AppError", "Codec"],
        Body::Handler(_) => &["Context"],
        Body::Unimplemented(_) => &["BriefException", "Context"],
        Body::Server(_) => &["BriefException", "Context", "Message", "Rpc", "Service"],
        Body::Client(_) => &["BriefException", "Client", "Context", "Rpc"],
        Body::Publisher(_) => &["Context", "Publisher"],
        Body::EventHandler(_) => &["Context"],
        Body::Consumer(_) => &["BriefException", "Consumer", "Context", "Message"],
    };
    let mut out: Vec<String> = rt.iter().map(|c| format!("{RUNTIME}\\{c}")).collect();
    if time {
        out.push("DateTimeImmutable".to_owned());
    }
    out.sort();
    out
}

/// A dependency's sub-namespace (before collision numbering): its name in UpperCamel, with
/// `Service` appended when that is a reserved word.
pub(crate) fn dependency_namespace(c: &compiler::ir::Contract) -> String {
    let n = names::upper(&c.name);
    if names::is_reserved(&n) {
        n + "Service"
    } else {
        n
    }
}

/// Generates the PHP code of a project's IR, sorted by path.
fn generate(ir: &Ir, namespace: &str, sources: &Sources) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let env = template::environment(&[("file.php", TEMPLATE)]).map_err(internal)?;
    let mut files = Vec::new();
    let mut emit = |dir: &str, ns: &str, source: &str, bodies: Vec<(String, Body, bool)>| {
        for (class, body, time) in bodies {
            let file = FileVm {
                source: source.to_owned(),
                namespace: ns.to_owned(),
                uses: uses(&body, time),
                body,
            };
            let text = template::render(&env, "file.php", &file).map_err(internal)?;
            files.push(GeneratedFile::new(format!("{dir}{class}.php"), text));
        }
        Ok::<(), Diagnostic>(())
    };
    let caller = match (&ir.service, &ir.app) {
        (Some(c), _) => c.name.as_str(),
        (None, Some(app)) => app.name.as_str(),
        (None, None) => "",
    };
    let mut deps = Vec::new();
    for unit in plan::dependencies(ir, dependency_namespace) {
        let c = unit.contract;
        let vm = model::contract(c, false, false, caller)
            .map_err(|d| locate::at(d, sources, &c.loc, "in this contract"))?;
        let ns = format!("{namespace}\\{}", unit.name);
        emit(&format!("{}/", unit.name), &ns, &c.loc.file, vm.bodies)?;
        deps.push((c.name.clone(), unit.name, vm.classes));
    }
    let mut taken = Vec::new();
    if let Some(c) = &ir.service {
        let vm = model::contract(c, true, true, caller)?;
        taken.extend(vm.bodies.iter().map(|(class, _, _)| class.clone()));
        emit("", namespace, &c.loc.file, vm.bodies)?;
    }
    let consumers = consumer::bodies(ir, namespace, &taken, &deps)?;
    if !consumers.is_empty() {
        let bodies = consumers.into_iter().map(|(c, b)| (c, b, false)).collect();
        emit("", namespace, "app.toml", bodies)?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_when_the_backend_is_made() {
        assert!(Php::new("Acme\\Shop\\Generated").is_ok());
        for bad in ["", "Acme\\", "Acme\\Class", "a b"] {
            let e = Php::new(bad).map(|_| ()).unwrap_err();
            assert!(e.contains("is not a PHP namespace"), "{e}");
        }
    }

    #[test]
    fn template_failures_are_internal_errors() {
        let e = template::environment(&[("t", "{{ missing }}")])
            .and_then(|env| template::render(&env, "t", &()))
            .map(|_| ())
            .map_err(internal)
            .unwrap_err();
        assert_eq!(e.code, compiler::codes::E0701);
        assert!(e.message.starts_with("the PHP backend failed: "));
    }
}
