//! The one-way dependency rule between the workspace's crates, read from `cargo metadata`:
//! grammar <- compiler <- brief-codegen (shared codegen) <- backends/* <- paasctl. A crate's
//! normal and build dependencies on workspace crates point to lower layers only (so backends,
//! one layer, never depend on each other); dev-dependencies too, plus the dev-only test kit,
//! which is never a normal dependency. Runtimes (runtime-rust) are what generated code links
//! against: they depend on no workspace crate, and others use them only as a dev-dependency.
//! A crate that is not in the table fails: add it there.
//! Also, inside paasctl, that no command module imports another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::collections::BTreeMap;
use std::process::Command;

/// Where each workspace crate sits: it may depend only on crates of lower layers.
const LAYERS: &[(&str, Layer)] = &[
    ("brief-grammar", Layer::At(0)),
    ("brief-compiler", Layer::At(1)),
    ("brief-codegen", Layer::At(2)),
    ("brief-backend-go", Layer::At(3)),
    ("brief-backend-k8s", Layer::At(3)),
    ("brief-backend-php", Layer::At(3)),
    ("brief-backend-rust", Layer::At(3)),
    ("brief-backend-export", Layer::At(3)),
    ("brief-lsp", Layer::At(3)),
    ("brief-deploy", Layer::At(3)),
    ("paasctl", Layer::At(4)),
    ("brief-testkit", Layer::TestOnly),
    ("brief-runtime", Layer::Runtime),
    ("brief-bus", Layer::Service),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    /// A layer of the chain.
    At(u8),
    /// Only ever a dev-dependency; it depends on no workspace crate.
    TestOnly,
    /// A runtime of generated code: it depends on no workspace crate; others may use it as a
    /// dev-dependency only.
    Runtime,
    /// A service built on a runtime (the data bus): it may depend on runtimes; no workspace
    /// crate depends on it.
    Service,
}

fn layer(name: &str) -> Option<Layer> {
    LAYERS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

/// Every workspace crate with its dependencies on workspace crates: (name, kind).
fn workspace() -> BTreeMap<String, Vec<(String, String)>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(brief_testkit::repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| names.contains(&d["name"].as_str().unwrap()))
                .map(|d| {
                    let kind = d["kind"].as_str().unwrap_or("normal").to_owned();
                    (d["name"].as_str().unwrap().to_owned(), kind)
                })
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

/// The rule's verdict on one dependency, `None` when it is allowed.
fn violation(from: &str, to: &str, kind: &str) -> Option<String> {
    let (Some(f), Some(t)) = (layer(from), layer(to)) else {
        return None; // reported as a crate missing from the table
    };
    match (f, t, kind) {
        (Layer::TestOnly, _, _) => Some(format!(
            "{from} -> {to} ({kind}): the test kit depends on no workspace crate"
        )),
        (Layer::Runtime, _, _) => Some(format!(
            "{from} -> {to} ({kind}): a runtime depends on no workspace crate"
        )),
        (_, Layer::Service, _) => Some(format!(
            "{from} -> {to} ({kind}): no workspace crate depends on a service"
        )),
        (Layer::Service, Layer::Runtime, _) => None,
        (Layer::Service, _, _) => Some(format!(
            "{from} -> {to} ({kind}): a service depends on runtimes only"
        )),
        (_, Layer::Runtime, "dev") => None,
        (_, Layer::Runtime, _) => Some(format!(
            "{from} -> {to} ({kind}): a runtime is only ever a dev-dependency of the workspace"
        )),
        (Layer::At(_), Layer::TestOnly, "dev") => None,
        (Layer::At(_), Layer::TestOnly, _) => Some(format!(
            "{from} -> {to} ({kind}): the test kit is only ever a dev-dependency"
        )),
        (Layer::At(a), Layer::At(b), _) if b < a => None,
        (Layer::At(a), Layer::At(b), _) => Some(format!(
            "{from} (layer {a}) -> {to} (layer {b}) ({kind}): dependencies point to lower layers only"
        )),
    }
}

#[test]
fn every_crate_has_a_layer() {
    let missing: Vec<String> = workspace()
        .into_keys()
        .filter(|name| layer(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "workspace crates without a layer: {missing:?}; add each to LAYERS in {} \
         (and docs/ARCHITECTURE.md)",
        file!()
    );
}

#[test]
fn dependencies_point_down_only() {
    let mut wrong = Vec::new();
    for (from, deps) in workspace() {
        for (to, kind) in deps {
            wrong.extend(violation(&from, &to, &kind));
        }
    }
    assert!(
        wrong.is_empty(),
        "the one-way dependency rule is broken:\n{}",
        wrong.join("\n")
    );
}

/// The rule itself, on made-up edges.
#[test]
fn the_rule_rejects_what_it_should() {
    assert!(violation("brief-backend-go", "brief-compiler", "normal").is_none());
    assert!(violation("paasctl", "brief-grammar", "dev").is_none());
    assert!(violation("paasctl", "brief-testkit", "dev").is_none());
    assert!(violation("brief-backend-go", "brief-backend-k8s", "normal").is_some());
    assert!(violation("brief-backend-k8s", "brief-backend-go", "dev").is_some());
    assert!(violation("brief-compiler", "brief-codegen", "normal").is_some());
    assert!(violation("brief-grammar", "brief-compiler", "build").is_some());
    assert!(violation("brief-compiler", "brief-testkit", "normal").is_some());
    assert!(violation("brief-testkit", "brief-compiler", "normal").is_some());
    assert!(violation("brief-runtime", "brief-compiler", "normal").is_some());
    assert!(violation("brief-backend-rust", "brief-runtime", "dev").is_none());
    assert!(violation("brief-backend-rust", "brief-runtime", "normal").is_some());
}

/// Inside paasctl: each `src/commands/<name>.rs` uses the shared modules (`args`, `output`,
/// `project`, `gitfs`), never another command.
#[test]
fn commands_do_not_import_each_other() {
    let dir = brief_testkit::repo().join("paasctl/src/commands");
    let mut wrong = Vec::new();
    for file in brief_testkit::file_names(&dir) {
        if file == "mod.rs" {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.contains("super::") || line.contains("crate::commands") {
                wrong.push(format!("commands/{file}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a command depends on another; move the shared part to args.rs, output.rs or project.rs:\n{}",
        wrong.join("\n")
    );
}
