//! The language server over an in-memory connection (the real message loop, no editor):
//! diagnostics as `check` reports them and cleared when fixed, incremental edits, hover, go to
//! definition across an import, references, symbols, formatting, and bad requests answered
//! with errors instead of a crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use lsp_types::Url;
use serde_json::{json, Value};
use support::{pos, Client};

const SERVICE: &str = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n\nrpc place (PlaceIn) Order `Place an order`\n\nmessage PlaceIn {\n    sku strng `The item`\n}\n";
const TYPES: &str = "// Shared types.\nmessage Order `An order` { id int }\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.toml"),
        "name = \"orders\"\n\n[engine]\nname = \"golang\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("service.brief"), SERVICE).unwrap();
    std::fs::write(dir.path().join("types.brief"), TYPES).unwrap();
    dir
}

#[test]
fn diagnostics_match_check_and_clear_when_an_incremental_edit_fixes_them() {
    let dir = project();
    let c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), SERVICE);
    let diags = c.diagnostics_for(&uri);
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"E0201"), "{diags:?}");
    let e = diags.iter().find(|d| d["code"] == "E0201").unwrap();
    // `strng` on line 7 (0-based 6), columns 8..13, with check's did-you-mean as help.
    assert_eq!(e["range"], json!({"start": pos(6, 8), "end": pos(6, 13)}));
    assert_eq!(e["severity"], 1);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("help: did you mean `string`?"),
        "{e}"
    );
    // Replace `strng` with `string` by a range edit (as editors send).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": pos(6, 8), "end": pos(6, 13)}, "text": "string"}]}),
    );
    let diags = c.diagnostics_for(&uri);
    assert!(
        diags.iter().all(|d| d["code"] != "E0201"),
        "fixed in the buffer, not on disk: {diags:?}"
    );
    c.shutdown();
}

#[test]
fn hover_definition_references_and_symbols_follow_the_model() {
    let dir = project();
    let fixed = SERVICE.replace("strng", "string");
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), &fixed);
    let types = Url::from_file_path(dir.path().join("types.brief")).unwrap();
    // `Order` in `rpc place (PlaceIn) Order`: line 3, column 20.
    let at = json!({"textDocument": {"uri": uri}, "position": pos(3, 21)});
    let hover = c.request("textDocument/hover", at.clone());
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("message Order"), "{text}");
    assert!(text.contains("An order"), "the doc: {text}");
    assert_eq!(
        hover["range"],
        json!({"start": pos(3, 20), "end": pos(3, 25)})
    );

    let def = c.request("textDocument/definition", at.clone());
    assert_eq!(def["uri"], types.as_str(), "across the import");
    assert_eq!(def["range"], json!({"start": pos(1, 8), "end": pos(1, 13)}));

    let mut refs_params = at.clone();
    refs_params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", refs_params);
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), 2, "the declaration and the one use: {refs:?}");
    assert_eq!(refs[0]["uri"], types.as_str());
    assert_eq!(refs[1]["uri"], uri.as_str());

    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"orders") && names.contains(&"PlaceIn"),
        "{names:?}"
    );
    let place_in = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "PlaceIn")
        .unwrap();
    assert_eq!(
        place_in["children"][0]["name"], "sku",
        "fields nest under their message"
    );
    c.shutdown();
}

#[test]
fn formatting_returns_the_formatters_edit_and_refuses_broken_files() {
    let dir = project();
    let mut c = Client::start();
    let messy = "message   A {\n  a int\n}\n";
    let path = dir.path().join("a.brief");
    std::fs::write(&path, messy).unwrap();
    let uri = c.open(&path, messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let expected = compiler::fmt::format_source(messy).unwrap();
    assert_eq!(edits[0]["newText"], expected.as_str());
    assert_eq!(edits[0]["range"]["start"], pos(0, 0));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "message {"}]}),
    );
    let err = c
        .request_raw(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .unwrap_err();
    assert!(err.contains("does not parse"), "{err}");
    c.shutdown();
}

#[test]
fn malformed_and_unknown_requests_get_errors_and_the_server_keeps_serving() {
    let dir = project();
    let mut c = Client::start();
    let err = c
        .request_raw("textDocument/hover", json!({"nonsense": true}))
        .unwrap_err();
    assert!(err.starts_with("-32602"), "invalid params: {err}");
    let err = c.request_raw("brief/frobnicate", json!({})).unwrap_err();
    assert!(err.starts_with("-32601"), "method not found: {err}");
    // A file that is not a brief file at all, and a position far past the end.
    let uri = c.open(&dir.path().join("service.brief"), "\u{0}\u{1}garbage {{{{");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(9999, 9999)}),
    );
    assert_eq!(hover, Value::Null);
    c.shutdown();
}

#[test]
fn diagnostics_stay_inside_the_project_and_app_toml_problems_reach_app_toml() {
    let dir = project();
    std::fs::write(
        dir.path().join("app.toml"),
        "name = \"orders\"\nreplicas = 0\n\n[engine]\nname = \"golang\"\n",
    )
    .unwrap();
    let c = Client::start();
    let _ = c.open(
        &dir.path().join("service.brief"),
        &SERVICE.replace("strng", "string"),
    );
    let app = Url::from_file_path(dir.path().join("app.toml")).unwrap();
    let diags = c.diagnostics_for(&app);
    assert!(diags.iter().any(|d| d["code"] == "E0405"), "{diags:?}");
    assert_eq!(diags[0]["range"]["start"], pos(1, 11));
    c.shutdown();
}

#[test]
fn every_service_project_under_the_workspace_folders_is_checked_at_initialize() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "nested/b", "node_modules/c"] {
        let root = dir.path().join(sub);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("app.toml"), "name = \"x\"\n").unwrap();
        std::fs::write(
            root.join("service.brief"),
            "service \"x\" `X`\nmessage M `M` { a strng }\n",
        )
        .unwrap();
    }
    let folder = Url::from_file_path(dir.path()).unwrap();
    let mut c = support::Client::start_with(
        None,
        json!({"capabilities": {}, "workspaceFolders": [{"uri": folder, "name": "w"}]}),
    );
    // Any request answers after the first check; the diagnostics come before it.
    let _ = c.request("textDocument/hover", json!({"textDocument": {"uri": folder.join("a/service.brief").unwrap()}, "position": pos(0, 0)}));
    let published: Vec<String> = c
        .seen
        .iter()
        .filter(|n| n.method == "textDocument/publishDiagnostics")
        .filter(|n| {
            n.params["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
        })
        .map(|n| {
            n.params["uri"]
                .as_str()
                .unwrap()
                .trim_start_matches(&format!("{folder}/"))
                .to_owned()
        })
        .collect();
    assert!(
        published.contains(&"a/service.brief".to_owned()),
        "{published:?}"
    );
    assert!(
        published.contains(&"nested/b/service.brief".to_owned()),
        "{published:?}"
    );
    assert!(
        published.iter().all(|p| !p.starts_with("node_modules")),
        "{published:?}"
    );
    c.shutdown();
}
