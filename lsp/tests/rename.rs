//! Rename through the protocol: prepareRename, the edits across files and imports (snapshots),
//! refusals of invalid and colliding names, and the warning for a WIRE-breaking rename.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use serde_json::{json, Value};
use support::{edit_lines, pos, project_with, shown, Client};

const APP: &str = "name = \"orders\"\n\n[engine]\nname = \"golang\"\n";
const SERVICE: &str = "service \"orders\" `Takes orders`\nimport \"types.brief\"\n\nrpc place (PlaceIn) Order throws (NotFound) `Place an order`\nrpc cancel (PlaceIn) Order `Cancel an order`\n\nmessage PlaceIn `An order to place` {\n    sku string `The item`\n    status Status `Its state`\n    items []Order `Earlier orders`\n}\n";
const TYPES: &str = "message Order `An order` {\n    id int `Its id`\n}\n\nenum Status `A state` {\n    open\n    closed\n}\n\nerror NotFound `No such order`\n";

fn start() -> (tempfile::TempDir, Client, lsp_types::Url) {
    let dir = project_with(APP, &[("service.brief", SERVICE), ("types.brief", TYPES)]);
    let c = Client::start();
    let uri = c.open(&dir.path().join("service.brief"), SERVICE);
    (dir, c, uri)
}

fn rename(
    c: &mut Client,
    uri: &lsp_types::Url,
    line: u32,
    ch: u32,
    to: &str,
) -> Result<Value, String> {
    c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(line, ch), "newName": to}),
    )
}

#[test]
fn prepare_rename_gives_the_name_under_the_cursor_and_refuses_a_service() {
    let (_dir, mut c, uri) = start();
    // `Order` in `rpc place (PlaceIn) Order`, line 3.
    let r = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri}, "position": pos(3, 22)}),
    );
    assert_eq!(r, json!({"start": pos(3, 20), "end": pos(3, 25)}));
    // `sku`, a field, line 7.
    let r = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri}, "position": pos(7, 5)}),
    );
    assert_eq!(r, json!({"start": pos(7, 4), "end": pos(7, 7)}));
    let err = c
        .request_raw(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 10)}),
        )
        .unwrap_err();
    assert!(err.contains("a service is renamed by hand"), "{err}");
    // Nothing at all (a doc string): null.
    let r = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri}, "position": pos(0, 20)}),
    );
    assert_eq!(r, Value::Null);
    c.shutdown();
}

#[test]
fn renaming_a_message_edits_its_declaration_and_every_use_across_the_import() {
    let (dir, mut c, uri) = start();
    let edit = rename(&mut c, &uri, 3, 22, "Purchase").unwrap();
    insta::assert_snapshot!("message_across_files", edit_lines(&edit, dir.path()));
    // The response type of two rpcs changes: `paasctl breaking` calls that WIRE-breaking.
    let shown = shown(&mut c);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].0, 2, "a warning");
    insta::assert_snapshot!("message_across_files_warning", shown[0].1);
    c.shutdown();
}

#[test]
fn renaming_a_field_is_done_and_told_to_be_wire_breaking() {
    let (dir, mut c, uri) = start();
    let edit = rename(&mut c, &uri, 7, 5, "code").unwrap();
    insta::assert_snapshot!("field", edit_lines(&edit, dir.path()));
    let shown = shown(&mut c);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].1.contains("WIRE-breaking"), "{}", shown[0].1);
    insta::assert_snapshot!("field_warning", shown[0].1);
    c.shutdown();
}

#[test]
fn renaming_an_error_enum_and_enum_value_from_the_other_file() {
    let (dir, mut c, _) = start();
    let types = c.open(&dir.path().join("types.brief"), TYPES);
    // `NotFound`'s declaration, line 9: type names are not on the wire.
    let edit = rename(&mut c, &types, 9, 8, "Missing").unwrap();
    insta::assert_snapshot!("error_from_declaration", edit_lines(&edit, dir.path()));
    assert_eq!(shown(&mut c), vec![], "not wire-breaking");
    let edit = rename(&mut c, &types, 4, 6, "State").unwrap();
    insta::assert_snapshot!("enum_from_declaration", edit_lines(&edit, dir.path()));
    // A field's type changes from `Status` to `State`: breaking's B0102.
    let told = shown(&mut c);
    assert!(told.len() == 1 && told[0].1.contains("B0102"), "{told:?}");
    let edit = rename(&mut c, &types, 6, 5, "shut").unwrap();
    insta::assert_snapshot!("enum_value", edit_lines(&edit, dir.path()));
    let told = shown(&mut c);
    assert!(
        told.len() == 1 && told[0].1.contains("B0106"),
        "a value's name is on the wire: {told:?}"
    );
    c.shutdown();
}

#[test]
fn a_name_that_collides_or_is_not_an_identifier_is_refused() {
    let (_dir, mut c, uri) = start();
    let cases = [
        // (line, column, new name, expected in the error)
        (7, 5, "status", "field `status` already exists in `PlaceIn`"),
        (7, 5, "9lives", "`9lives` is not a valid name"),
        (7, 5, "a-b", "`a-b` is not a valid name"),
        (
            3,
            22,
            "Status",
            "enum `Status` is already declared in `types.brief`",
        ),
        (
            3,
            22,
            "PlaceIn",
            "`service.brief` sees both: message `PlaceIn` is declared in `service.brief`",
        ),
        (3, 22, "string", "`string` is a built-in type"),
        (3, 6, "cancel", "rpc `cancel` already exists in `orders`"),
    ];
    for (line, ch, to, expected) in cases {
        let err = rename(&mut c, &uri, line, ch, to).unwrap_err();
        assert!(err.starts_with("-32803"), "RequestFailed: {err}");
        assert!(err.contains(expected), "{to}: {err}");
    }
    assert_eq!(shown(&mut c), vec![], "nothing renamed, nothing told");
    c.shutdown();
}
