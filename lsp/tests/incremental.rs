//! Incremental checking through the protocol: after each edit of a sequence (typos, a type
//! renamed away and back, a type deleted, a syntax error, an app.toml change), what the editor
//! has been published equals what a fresh server shows for the same buffers; files that only
//! depend on an edited declaration are republished; files whose diagnostics did not change are
//! sent nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use lsp_types::Url;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use support::{project_with, Client};

const APP: &str = "name = \"shop\"\n\n[[dependencies]]\nname = \"billing\"\n";
const SERVICE: &str = "service \"shop\" `Shop`\nimport \"types/order.brief\"\nimport \"types/item.brief\"\n\nrpc getOrder (OrderId) Order `Gets an order`\nrpc listItems (OrderId) Items `Lists items`\n";
const ORDER: &str = "import \"item.brief\"\n\nmessage OrderId `Id` {\n    id string `Id`\n}\n\nmessage Order `An order` {\n    id string `Id`\n    items []Item `Items`\n    state State `State`\n}\n\nenum State `State` {\n    open\n    closed\n}\n";
const ITEM: &str = "message Item `An item` {\n    sku string `Sku`\n    count int `Count`\n}\n\nmessage Items `Items` {\n    items []Item `Items`\n}\n";
const BILLING: &str = "service \"billing\" `Billing`\n\nrpc charge (Charge) Charge `Charges`\n\nmessage Charge `A charge` {\n    amount int `Amount`\n}\n\nmessage Spare `Not used` {\n    a int `A`\n}\n";

fn shop() -> tempfile::TempDir {
    project_with(
        APP,
        &[
            ("service.brief", SERVICE),
            ("types/order.brief", ORDER),
            ("types/item.brief", ITEM),
            ("rpc/billing.brief", BILLING),
        ],
    )
}

/// A server on the workspace folder `dir`.
fn server(dir: &Path) -> Client {
    let folder = Url::from_file_path(dir).unwrap();
    Client::start_with(
        None,
        json!({"capabilities": {}, "workspaceFolders": [{"uri": folder, "name": "w"}]}),
    )
}

/// What the editor shows: the last diagnostics published for each file (none: absent).
#[derive(Default)]
struct Shown {
    files: BTreeMap<String, Vec<Value>>,
}

impl Shown {
    /// Waits until the server has handled everything sent so far (a request is answered after
    /// the checks of the changes before it are published), then takes in what it published;
    /// returns the files that were sent something.
    fn sync(&mut self, c: &mut Client, any: &Url) -> Vec<String> {
        c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": any}}),
        );
        let mut sent = Vec::new();
        for n in std::mem::take(&mut c.seen) {
            if n.method != "textDocument/publishDiagnostics" {
                continue;
            }
            let uri = n.params["uri"].as_str().unwrap().to_owned();
            let diags = n.params["diagnostics"].as_array().unwrap().clone();
            if diags.is_empty() {
                self.files.remove(&uri);
            } else {
                self.files.insert(uri.clone(), diags);
            }
            sent.push(uri);
        }
        sent
    }
}

/// What a fresh server shows for the project with these buffers open.
fn fresh(dir: &Path, buffers: &BTreeMap<String, String>) -> BTreeMap<String, Vec<Value>> {
    let mut c = server(dir);
    for (rel, text) in buffers {
        c.open(&dir.join(rel), text);
    }
    let mut shown = Shown::default();
    shown.sync(
        &mut c,
        &Url::from_file_path(dir.join("service.brief")).unwrap(),
    );
    c.shutdown();
    shown.files
}

fn codes(diags: Option<&Vec<Value>>) -> Vec<String> {
    diags
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn after_every_edit_the_published_diagnostics_are_those_of_a_fresh_check() {
    let dir = shop();
    let root = dir.path();
    let mut c = server(root);
    let mut buffers: BTreeMap<String, String> = BTreeMap::new();
    for (rel, text) in [
        ("service.brief", SERVICE),
        ("types/order.brief", ORDER),
        ("types/item.brief", ITEM),
        ("app.toml", APP),
    ] {
        c.open(&root.join(rel), text);
        buffers.insert(rel.to_owned(), text.to_owned());
    }
    let service = Url::from_file_path(root.join("service.brief")).unwrap();
    let mut shown = Shown::default();
    shown.sync(&mut c, &service);
    assert_eq!(shown.files, fresh(root, &buffers), "after opening");
    let steps: Vec<(&str, String)> = vec![
        ("types/order.brief", ORDER.replace("id string", "id strng")),
        ("types/order.brief", ORDER.to_owned()),
        (
            "types/item.brief",
            ITEM.replace("message Item ", "message Thing "),
        ),
        ("types/item.brief", ITEM.to_owned()),
        (
            "types/item.brief",
            ITEM.replace("message Items `Items` {\n    items []Item `Items`\n}\n", ""),
        ),
        (
            "types/item.brief",
            "message Item `An item` {\n    sku string\n".to_owned(),
        ),
        ("types/item.brief", ITEM.to_owned()),
        (
            "service.brief",
            SERVICE.replace("rpc getOrder", "rpc GetOrder")
                + "message Unused `U` {\n    a int `A`\n}\n",
        ),
        ("app.toml", APP.replace("billing", "billings")),
        ("app.toml", APP.to_owned()),
        (
            "types/order.brief",
            format!("import \"missing.brief\"\n{ORDER}"),
        ),
        ("types/order.brief", ORDER.to_owned()),
        ("service.brief", SERVICE.to_owned()),
    ];
    for (i, (rel, text)) in steps.into_iter().enumerate() {
        let uri = Url::from_file_path(root.join(rel)).unwrap();
        c.replace_all(&uri, i as i32 + 2, &text);
        buffers.insert(rel.to_owned(), text);
        shown.sync(&mut c, &service);
        assert_eq!(shown.files, fresh(root, &buffers), "step {i}: {rel}");
    }
    c.shutdown();
}

#[test]
fn a_file_using_a_declaration_that_changes_is_republished_and_others_are_not() {
    let dir = shop();
    let root = dir.path();
    let mut c = server(root);
    let item = Url::from_file_path(root.join("types/item.brief")).unwrap();
    let order = Url::from_file_path(root.join("types/order.brief")).unwrap();
    let billing = Url::from_file_path(root.join("rpc/billing.brief")).unwrap();
    c.open(&root.join("types/item.brief"), ITEM);
    let mut shown = Shown::default();
    shown.sync(&mut c, &item);
    assert_eq!(
        codes(shown.files.get(billing.as_str())),
        ["L0401"],
        "`Spare` is not used"
    );
    assert!(!shown.files.contains_key(order.as_str()));
    // `Item` renamed away: order.brief, not edited, uses it.
    c.replace_all(&item, 2, &ITEM.replace("message Item ", "message Thing "));
    let sent = shown.sync(&mut c, &item);
    assert!(sent.contains(&order.to_string()), "{sent:?}");
    assert_eq!(codes(shown.files.get(order.as_str())), ["E0201"]);
    assert!(
        !sent.contains(&billing.to_string()),
        "billing's diagnostics did not change: not sent again"
    );
    // Back: order.brief is cleared.
    c.replace_all(&item, 3, ITEM);
    let sent = shown.sync(&mut c, &item);
    assert!(sent.contains(&order.to_string()), "{sent:?}");
    assert!(!shown.files.contains_key(order.as_str()));
    // `Item` disappears altogether: its users are told again.
    c.replace_all(
        &item,
        4,
        "message Items `Items` {\n    items []Item `Items`\n}\n",
    );
    let sent = shown.sync(&mut c, &item);
    assert!(sent.contains(&order.to_string()), "{sent:?}");
    assert_eq!(codes(shown.files.get(order.as_str())), ["E0201"]);
    c.shutdown();
}

#[test]
fn a_file_changed_on_disk_after_edits_is_seen_when_the_server_is_idle() {
    let dir = shop();
    let root = dir.path();
    let mut c = server(root);
    let item = Url::from_file_path(root.join("types/item.brief")).unwrap();
    let order = Url::from_file_path(root.join("types/order.brief")).unwrap();
    c.open(&root.join("types/item.brief"), ITEM);
    let mut shown = Shown::default();
    shown.sync(&mut c, &item);
    // An edit is checked from memory; then another program changes a file that is not open.
    c.replace_all(&item, 2, &format!("{ITEM}\n"));
    shown.sync(&mut c, &item);
    std::fs::write(
        root.join("types/order.brief"),
        ORDER.replacen("id string", "id strng", 1),
    )
    .unwrap();
    // Nothing more is sent: the idle check against the disk finds it.
    let diags = c.diagnostics_for(&order);
    assert_eq!(codes(Some(&diags)), ["E0201"]);
    c.shutdown();
}
