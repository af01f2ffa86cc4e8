//! app.toml in the editor: hovers of keys from docs/app-toml.md, go to definition and
//! references between `subscribe` topics and their `schema`, and the platform's rules (handed in
//! by the layer above through `brief_lsp::Platform`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use compiler::{Diagnostic, Output, Span};
use lsp_types::Url;
use serde_json::json;
use std::path::Path;
use support::{pos, project_with, range_text, Client};

const APP: &str = "name = \"shop\"\nkind = \"business\"\n\n[engine]\nname = \"golang\"\n\n[[dependencies]]\nname = \"data-bus\"\n\n[[dependencies]]\nname = \"orders\"\nsubscribe = [\"order.placed\"]\n";
const SERVICE: &str = "service \"shop\" `A shop`\n";
const ORDERS: &str = "service \"orders\" `Takes orders`\n\nschema \"order.placed\" Placed `An order was placed`\n\nmessage Placed `Placed` {\n    id int `Id`\n}\n";

fn project() -> tempfile::TempDir {
    project_with(
        APP,
        &[("service.brief", SERVICE), ("rpc/orders.brief", ORDERS)],
    )
}

#[test]
fn hovers_of_keys_and_headers_come_from_the_reference() {
    let dir = project();
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("app.toml"), APP);
    let mut out = String::new();
    for (line, ch) in [(1, 1), (3, 3), (4, 2), (6, 4), (11, 3)] {
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(line, ch)}),
        );
        out.push_str(&format!(
            "## {line}:{ch} at {}\n{}\n\n",
            range_text(&h["range"]),
            h["contents"]["value"].as_str().unwrap()
        ));
    }
    insta::assert_snapshot!("hovers", out);
    c.shutdown();
}

#[test]
fn a_subscribe_topic_goes_to_its_schema_and_the_schema_finds_it() {
    let dir = project();
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("app.toml"), APP);
    let contract = Url::from_file_path(dir.path().join("rpc/orders.brief")).unwrap();
    // Inside "order.placed" on line 11.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": pos(11, 16)}),
    );
    assert_eq!(def["uri"], contract.as_str());
    assert_eq!(
        range_text(&def["range"]),
        "2:7-2:21",
        "the topic of the schema"
    );
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": contract}, "position": pos(2, 10),
               "context": {"includeDeclaration": false}}),
    );
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0]["uri"], uri.as_str());
    assert_eq!(range_text(&refs[0]["range"]), "11:13-11:27");
    c.shutdown();
}

/// A platform with one rule: every service needs `replicas` in its app.toml.
struct Fussy;

impl brief_lsp::Platform for Fussy {
    fn check(&self, _root: &Path, output: &mut Output) {
        let app = output.app.as_ref().unwrap();
        let d = Diagnostic::new(compiler::codes::E0613, "the fussy platform wants replicas")
            .primary(Span::new(app.file, 0..4), "here");
        output.add_diagnostics(vec![d]);
    }

    fn environments(&self) -> Vec<String> {
        vec!["dev".to_owned(), "prod".to_owned()]
    }
}

#[test]
fn the_platforms_rules_and_environments_reach_the_editor() {
    let dir = project();
    let mut c = Client::start_with(Some(Box::new(Fussy)), json!({"capabilities": {}}));
    let uri = c.open(&dir.path().join("app.toml"), APP);
    let diags = c.diagnostics_for(&uri);
    let e = diags.iter().find(|d| d["code"] == "E0613").unwrap();
    assert_eq!(range_text(&e["range"]), "0:0-0:4");
    let text = format!("{APP}\n[");
    c.replace_all(&uri, 2, &text);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos(13, 1)}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"[envs.dev]") && labels.contains(&"[envs.prod]"),
        "{labels:?}"
    );
    c.shutdown();
}
