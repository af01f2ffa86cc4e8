//! Semantic tokens, folding ranges and code actions through the protocol: tokens decoded to
//! lines and snapshotted, folds by line, and every quick fix with its edits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use serde_json::{json, Value};
use support::{edit_lines, pos, project_with, Client};

const APP: &str = "name = \"orders\"\n\n[engine]\nname = \"golang\"\n";
const TYPES: &str = "// Shared types.\nmessage Order `An order` {\n    id int `Its id`\n    @deprecated(\"use id\")\n    code string `Old id`\n}\n\n/* Kinds\n   of things */\nenum Status `A state` {\n    open\n}\n";
const SERVICE: &str = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n\n@timeout(\"2s\")\nrpc place (Order) Order `Place an order`\n\nschema \"order.placed\" Order `Placed`\n";

/// The tokens as `line:col len type [modifiers] text`.
fn decode(tokens: &Value, legend: &Value, text: &str) -> String {
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let types = legend["tokenTypes"].as_array().unwrap();
    let mods = legend["tokenModifiers"].as_array().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        let l: Vec<u16> = lines[line as usize].encode_utf16().collect();
        let word = String::from_utf16_lossy(&l[col as usize..(col + t[2]) as usize]);
        let m: Vec<&str> = (0..mods.len())
            .filter(|i| t[4] & (1 << i) != 0)
            .map(|i| mods[i].as_str().unwrap())
            .collect();
        out.push(format!(
            "{line}:{col} {} {} [{}] {word:?}",
            t[2],
            types[t[3] as usize].as_str().unwrap(),
            m.join(",")
        ));
    }
    out.join("\n")
}

#[test]
fn semantic_tokens_classify_names_by_what_they_declare_or_refer_to() {
    let dir = project_with(APP, &[("service.brief", SERVICE), ("types.brief", TYPES)]);
    let mut c = Client::start();
    let legend = {
        // The legend comes with the capabilities; ask for it again through a second client.
        let caps = serde_json::to_value(brief_lsp::capabilities()).unwrap();
        caps["semanticTokensProvider"]["legend"].clone()
    };
    let mut out = String::new();
    for (name, text) in [("types.brief", TYPES), ("service.brief", SERVICE)] {
        let uri = c.open(&dir.path().join(name), text);
        let tokens = c.request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        );
        out.push_str(&format!(
            "## {name}\n{}\n\n",
            decode(&tokens, &legend, text)
        ));
    }
    insta::assert_snapshot!("semantic_tokens", out);
    c.shutdown();
}

#[test]
fn folding_ranges_cover_declarations_comments_and_imports() {
    let service = "service \"orders\" `Takes orders`\nimport \"types.brief\"\nimport \"more.brief\"\n\nmessage In `In` {\n    a int `A`\n}\n";
    let dir = project_with(
        APP,
        &[
            ("service.brief", service),
            ("types.brief", TYPES),
            ("more.brief", ""),
        ],
    );
    let mut c = Client::start();
    let mut out = String::new();
    for (name, text) in [("types.brief", TYPES), ("service.brief", service)] {
        let uri = c.open(&dir.path().join(name), text);
        let folds = c.request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        );
        out.push_str(&format!("## {name}\n"));
        for f in folds.as_array().unwrap() {
            out.push_str(&format!(
                "{}-{} {}\n",
                f["startLine"],
                f["endLine"],
                f["kind"].as_str().unwrap_or("region")
            ));
        }
    }
    insta::assert_snapshot!("folding", out);
    c.shutdown();
}

#[test]
fn code_actions_fix_did_you_means_foreign_types_lint_names_and_add_imports() {
    let service = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n\n@timout(\"2s\")\nrpc place (In) Order `Place an order`\n\nmessage In `In` {\n    a strng `A`\n    b int64 `B`\n    c Extra `C`\n    Dee int `D`\n}\n";
    let app = "name = \"orders\"\n\n[engine]\nnmae = \"golang\"\n";
    let extra = "message Extra `More` {\n    x int `X`\n}\n";
    let dir = project_with(
        app,
        &[
            ("service.brief", service),
            ("types.brief", TYPES),
            ("more/extra.brief", extra),
        ],
    );
    let mut c = Client::start();
    let mut out = String::new();
    for (name, text) in [("service.brief", service), ("app.toml", app)] {
        let uri = c.open(&dir.path().join(name), text);
        let lines = text.lines().count() as u32;
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 0), "end": pos(lines, 0)},
                   "context": {"diagnostics": []}}),
        );
        out.push_str(&format!("## {name}\n"));
        for a in actions.as_array().unwrap() {
            let code = a["diagnostics"][0]["code"].as_str().unwrap_or("");
            out.push_str(&format!(
                "{code} {} ({})\n{}\n",
                a["title"].as_str().unwrap(),
                a["kind"].as_str().unwrap(),
                edit_lines(&a["edit"], dir.path())
            ));
        }
        out.push('\n');
    }
    insta::assert_snapshot!("code_actions", out);
    c.shutdown();
}
