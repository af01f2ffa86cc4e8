//! Completion through the protocol, in `.brief` files and app.toml: each case puts the cursor
//! somewhere in a buffer and snapshots every item with its edit (and the import it adds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use serde_json::json;
use support::{completion_lines, pos, project_with, Client};

const APP: &str = "name = \"orders\"\n\n[engine]\nname = \"golang\"\n";
const TYPES: &str = "message Order `An order` {\n    id int `Its id`\n}\n\nenum Status `A state` {\n    open\n}\n\nerror NotFound `No such order`\n";
const EXTRA: &str = "message Extra `More` {\n    a int `A`\n}\n\nerror Gone `Gone for good`\n";
const HEAD: &str = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n\n";

/// Each case: a name, the text after HEAD with `|` where the cursor is.
const BRIEF_CASES: &[(&str, &str)] = &[
    ("field type", "message In `In` {\n    sku |\n}\n"),
    (
        "field type after a prefix, typed",
        "message In `In` {\n    sku []O|\n}\n",
    ),
    ("map key", "message In `In` {\n    sku map[|\n}\n"),
    ("rpc input", "rpc place (|"),
    ("rpc output", "rpc place (Order) |"),
    ("throws", "rpc place (Order) Order throws (NotFound, |"),
    ("schema type", "schema \"order.placed\" |"),
    ("annotation", "@|\nrpc place (Order) Order `Place`\n"),
    ("keyword at the top level", "mes|"),
    ("nothing in a doc string", "message In `a |"),
    ("import path", "import \"|"),
];

#[test]
fn brief_completions() {
    let dir = project_with(
        APP,
        &[
            ("service.brief", HEAD),
            ("types.brief", TYPES),
            ("more/extra.brief", EXTRA),
        ],
    );
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), HEAD);
    let mut out = String::new();
    for (version, (name, case)) in BRIEF_CASES.iter().enumerate() {
        let text = format!("{HEAD}{case}");
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        let line = text[..at].matches('\n').count() as u32;
        let ch = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
        c.replace_all(&uri, version as i32 + 2, &text);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(line, ch)}),
        );
        out.push_str(&format!(
            "## {name}: {case:?}\n{}\n\n",
            completion_lines(&items)
        ));
    }
    insta::assert_snapshot!("brief", out);
    c.shutdown();
}

const TOML_CASES: &[(&str, &str)] = &[
    (
        "top-level keys",
        "name = \"orders\"\n|\n\n[engine]\nname = \"golang\"\n",
    ),
    (
        "keys of [engine]",
        "name = \"orders\"\n\n[engine]\nname = \"golang\"\n|\n",
    ),
    (
        "engine names",
        "name = \"orders\"\n\n[engine]\nname = \"go|\"\n",
    ),
    ("sizes", "name = \"orders\"\n\n[engine]\nsize = |\n"),
    ("kinds", "name = \"orders\"\nkind = |\n"),
    (
        "storage kinds",
        "name = \"orders\"\n\n[[storages]]\nkind = |\n",
    ),
    ("headers", "name = \"orders\"\n\n[|\n"),
];

#[test]
fn app_toml_completions() {
    let dir = project_with(APP, &[("service.brief", HEAD)]);
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("app.toml"), APP);
    let mut out = String::new();
    for (version, (name, case)) in TOML_CASES.iter().enumerate() {
        let at = case.find('|').unwrap();
        let text = case.replace('|', "");
        let line = text[..at].matches('\n').count() as u32;
        let ch = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
        c.replace_all(&uri, version as i32 + 2, &text);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(line, ch)}),
        );
        out.push_str(&format!(
            "## {name}: {case:?}\n{}\n\n",
            completion_lines(&items)
        ));
    }
    insta::assert_snapshot!("app_toml", out);
    c.shutdown();
}
