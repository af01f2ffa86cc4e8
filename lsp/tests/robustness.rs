//! The server under abuse: a file that is not UTF-8, a 10 MB file, 20,000 levels of nesting, a
//! flood of changes, a cancelled request and malformed messages. It never crashes or blocks:
//! every request is answered (the test client gives up after 20 s) and the last state wins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use serde_json::{json, Value};
use std::time::Instant;
use support::{pos, project_with, Client};

const APP: &str = "name = \"orders\"\n\n[engine]\nname = \"golang\"\n";
const SERVICE: &str = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n";

/// Every request a file can get; none fails with an internal error, none hangs.
fn ask_everything(c: &mut Client, uri: &lsp_types::Url, at: Value) {
    let doc = json!({"textDocument": {"uri": uri}});
    let mut at_pos = doc.clone();
    at_pos["position"] = at;
    for (method, params) in [
        ("textDocument/hover", at_pos.clone()),
        ("textDocument/definition", at_pos.clone()),
        ("textDocument/completion", at_pos.clone()),
        ("textDocument/prepareRename", at_pos.clone()),
        ("textDocument/documentSymbol", doc.clone()),
        ("textDocument/semanticTokens/full", doc.clone()),
        ("textDocument/foldingRange", doc.clone()),
    ] {
        if let Err(e) = c.request_raw(method, params) {
            assert!(!e.starts_with("-32603"), "{method}: {e}");
        }
    }
    let _ = c.request_raw(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
}

#[test]
fn a_file_that_is_not_utf8_is_reported_not_fatal() {
    let dir = project_with(APP, &[("service.brief", SERVICE)]);
    std::fs::write(
        dir.path().join("types.brief"),
        b"message A `\xff\xfe` { a int }\n",
    )
    .unwrap();
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), SERVICE);
    let types = lsp_types::Url::from_file_path(dir.path().join("types.brief")).unwrap();
    let diags = c.diagnostics_for(&types);
    assert!(diags.iter().any(|d| d["code"] == "E0001"), "{diags:?}");
    ask_everything(&mut c, &uri, pos(1, 10));
    c.shutdown();
}

#[test]
fn a_ten_megabyte_file_is_checked_and_answered() {
    let mut big = String::from(SERVICE);
    let mut i = 0;
    while big.len() < 10 * 1024 * 1024 {
        big.push_str(&format!(
            "message M{i} `Message {i}` {{\n    id int `Id`\n    name string `Name`\n}}\n"
        ));
        i += 1;
    }
    let dir = project_with(APP, &[("service.brief", &big), ("types.brief", "")]);
    let mut c = Client::start();
    // Checking 10 MB (140,000 messages) takes seconds in a debug build on a busy machine.
    c.patience = std::time::Duration::from_secs(180);
    let start = Instant::now();
    let uri = c.open(&dir.path().join("service.brief"), &big);
    ask_everything(&mut c, &uri, pos(100_000, 10));
    eprintln!(
        "10 MB file: every request answered in {:?}",
        start.elapsed()
    );
    c.shutdown();
}

#[test]
fn twenty_thousand_levels_of_nesting_get_diagnostics_not_a_stack_overflow() {
    let depth = 20_000;
    let cases = [
        format!(
            "message A `A` {{\n    a {}int `A`\n}}\n",
            "[]".repeat(depth)
        ),
        format!("message A `A` {{\n    a {}int `A`\n}}\n", "?".repeat(depth)),
        format!("message A `A` {}\n", "{".repeat(depth)),
        format!("@deprecated{}\n", "(".repeat(depth)),
        format!(
            "message A `A` {{\n    a map[{}string `A`\n}}\n",
            "map[".repeat(depth)
        ),
    ];
    let dir = project_with(APP, &[("service.brief", SERVICE), ("types.brief", "")]);
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("types.brief"), "");
    for (v, text) in cases.iter().enumerate() {
        c.replace_all(&uri, v as i32 + 2, text);
        ask_everything(&mut c, &uri, pos(1, 100));
    }
    c.shutdown();
}

#[test]
fn a_flood_of_changes_is_applied_in_order_and_the_last_one_wins() {
    let dir = project_with(APP, &[("service.brief", SERVICE), ("types.brief", "")]);
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("types.brief"), "");
    for v in 0..3_000 {
        let text = format!("message A `A` {{\n    a T{v} `A`\n}}\n");
        c.replace_all(&uri, v + 2, &text);
    }
    // Then one range edit on top of the last full text: `T2999` becomes `int`.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5000},
               "contentChanges": [{"range": {"start": pos(1, 6), "end": pos(1, 11)}, "text": "int"}]}),
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(symbols[0]["name"], "A");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(1, 4)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("a int `A`"),
        "{hover}"
    );
    c.shutdown();
}

#[test]
fn a_request_cancelled_before_its_turn_is_answered_request_cancelled() {
    let mut big = String::from(SERVICE);
    for i in 0..20_000 {
        big.push_str(&format!("message M{i} `M` {{\n    id int `Id`\n}}\n"));
    }
    let dir = project_with(APP, &[("service.brief", &big), ("types.brief", "")]);
    let mut c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), &big);
    // The server is busy checking the big file: the request and its cancellation both wait.
    c.replace_all(&uri, 2, &format!("{big}\n"));
    let id = lsp_server::RequestId::from(9_999);
    c.conn
        .sender
        .send(lsp_server::Message::Request(lsp_server::Request::new(
            id.clone(),
            "textDocument/hover".to_owned(),
            json!({"textDocument": {"uri": uri}, "position": pos(3, 10)}),
        )))
        .unwrap();
    c.notify("$/cancelRequest", json!({"id": 9_999}));
    let answer = loop {
        if let lsp_server::Message::Response(r) = c.recv() {
            if r.id == id {
                break r;
            }
        }
    };
    assert_eq!(
        answer.error.map(|e| e.code),
        Some(-32800),
        "RequestCancelled"
    );
    // And the server goes on.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(r.as_array().is_some_and(|s| s.len() > 1));
    c.shutdown();
}

#[test]
fn malformed_notifications_and_requests_are_survived() {
    let dir = project_with(APP, &[("service.brief", SERVICE), ("types.brief", "")]);
    let mut c = Client::start();
    c.notify("textDocument/didOpen", json!({"textDocument": 42}));
    c.notify("textDocument/didChange", json!(null));
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///nowhere.brief", "version": 1}, "contentChanges": [{"range": {"start": pos(99, 99), "end": pos(0, 0)}, "text": "x"}]}));
    let uri = c.open(&dir.path().join("types.brief"), "message A `A` { a int }\n");
    // A range past the end and reversed: clamped, not a panic.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": pos(50, 3), "end": pos(0, 2)}, "text": "é"}]}),
    );
    for method in [
        "textDocument/rename",
        "textDocument/codeAction",
        "textDocument/completion",
    ] {
        let err = c.request_raw(method, json!([1, 2, 3])).unwrap_err();
        assert!(err.starts_with("-32602"), "{method}: {err}");
    }
    ask_everything(&mut c, &uri, pos(0, 9));
    c.shutdown();
}
