//! `Compiler::recheck_project`: told which files were edited, it reads only those, and its
//! result is the one a fresh compiler's full `check_project` gives (diagnostics, lint, IR, model),
//! edit after edit, including when a declaration others use changes or disappears.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::{Compiler, FileSystem, MemFs, Output};
use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = "/p";

fn project() -> MemFs {
    let mut fs = MemFs::new();
    fs.insert(
        "/p/app.toml",
        "name = \"shop\"\n\n[[dependencies]]\nname = \"billing\"\n",
    );
    fs.insert(
        "/p/service.brief",
        "service \"shop\" `Shop`\nimport \"types/order.brief\"\nimport \"types/item.brief\"\n\nrpc getOrder (OrderId) Order `Gets an order`\nrpc listItems (OrderId) Items `Lists items`\n",
    );
    fs.insert(
        "/p/types/order.brief",
        "import \"item.brief\"\n\nmessage OrderId `Id` {\n    id string `Id`\n}\n\nmessage Order `An order` {\n    id string `Id`\n    items []Item `Items`\n    state State `State`\n}\n\nenum State `State` {\n    open\n    closed\n}\n",
    );
    fs.insert(
        "/p/types/item.brief",
        "message Item `An item` {\n    sku string `Sku`\n    count int `Count`\n}\n\nmessage Items `Items` {\n    items []Item `Items`\n}\n",
    );
    fs.insert(
        "/p/rpc/billing.brief",
        "service \"billing\" `Billing`\n\nrpc charge (Charge) Charge `Charges`\n\nmessage Charge `A charge` {\n    amount int `Amount`\n}\n",
    );
    fs
}

/// What a run says (check and lint diagnostics, IR, model), with file ids replaced by paths.
fn said(out: &mut Output, fs: &MemFs) -> String {
    let mut lint = compiler::lint::lint_output(out, fs, Path::new(ROOT));
    lint.extend(out.diagnostics.iter().cloned());
    let mut text = format!("{lint:?}\n{:?}\n{:?}", out.ir, out.model);
    let mut ids: Vec<(compiler::FileId, String)> = out
        .sources
        .iter()
        .map(|(id, f)| (id, f.path.clone()))
        .collect();
    // Longest number first: `FileId(12)` is not touched by the replacement of `FileId(1)`.
    ids.sort_by_key(|(id, _)| std::cmp::Reverse(id.0));
    for (id, path) in ids {
        text = text.replace(&format!("FileId({})", id.0), &format!("File({path})"));
    }
    text
}

fn fresh(fs: &MemFs) -> String {
    let mut out = Compiler::new().check_project(fs, Path::new(ROOT));
    said(&mut out, fs)
}

fn text_of(fs: &MemFs, path: &str) -> String {
    String::from_utf8(fs.read(Path::new(path)).unwrap()).unwrap()
}

fn edited(rels: &[&str]) -> BTreeSet<String> {
    rels.iter().map(|r| (*r).to_owned()).collect()
}

#[test]
fn each_edit_reads_one_file_and_gives_what_a_full_check_gives() {
    let mut fs = project();
    let root = Path::new(ROOT);
    let mut compiler = Compiler::new();
    compiler.check_project(&fs, root);
    assert_eq!(compiler.read_count(), 5, "the first check reads everything");
    let order = "/p/types/order.brief";
    let item = "/p/types/item.brief";
    let base_order = text_of(&fs, order);
    let base_item = text_of(&fs, item);
    // Each step: a file, its new text; after each, the edited re-check equals a fresh check.
    let steps: Vec<(&str, String)> = vec![
        // A typo in a field type: E0201 in order.brief.
        (order, base_order.replace("id string", "id strng")),
        // Fixed again.
        (order, base_order.clone()),
        // `Item`, used by order.brief and service.brief's `Items`, renamed away: the dependents
        // now have errors although they were not edited.
        (item, base_item.replace("message Item ", "message Thing ")),
        // Back: the dependents are clean again.
        (item, base_item.clone()),
        // `Items` disappears: service.brief's rpc has an unknown type.
        (
            item,
            base_item.replace("message Items `Items` {\n    items []Item `Items`\n}\n", ""),
        ),
        // A syntax error.
        (
            item,
            "message Item `An item` {\n    sku string\n".to_owned(),
        ),
        (item, base_item.clone()),
        // A lint finding (an rpc that is not lowerCamelCase) and an unused type.
        (
            "/p/service.brief",
            text_of(&fs, "/p/service.brief").replace("rpc getOrder", "rpc GetOrder")
                + "message Unused `Not used` {\n    a int `A`\n}\n",
        ),
        // app.toml: the dependency renamed (W0501, W0503).
        (
            "/p/app.toml",
            "name = \"shop\"\n\n[[dependencies]]\nname = \"billings\"\n".to_owned(),
        ),
        // An import of a file that does not exist.
        (order, format!("import \"missing.brief\"\n{base_order}")),
    ];
    for (i, (path, text)) in steps.into_iter().enumerate() {
        fs.insert(path, text);
        let rel = path.trim_start_matches("/p/");
        let mut out = compiler.recheck_project(&fs, root, &edited(&[rel]));
        assert_eq!(compiler.read_count(), 1, "step {i}: only {rel} is read");
        assert_eq!(said(&mut out, &fs), fresh(&fs), "step {i}: {rel}");
    }
}

#[test]
fn dependents_get_the_errors_of_a_declaration_that_changed() {
    let mut fs = project();
    let root = Path::new(ROOT);
    let mut compiler = Compiler::new();
    assert!(!compiler.check_project(&fs, root).has_errors());
    let item = "/p/types/item.brief";
    let text = text_of(&fs, item);
    fs.insert(item, text.replace("message Item ", "message Thing "));
    let out = compiler.recheck_project(&fs, root, &edited(&["types/item.brief"]));
    let unknown: BTreeSet<&str> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == compiler::codes::E0201)
        .filter_map(|d| d.primary_span())
        .map(|s| out.sources.path(s.file))
        .collect();
    assert_eq!(
        unknown,
        BTreeSet::from(["types/item.brief", "types/order.brief"]),
        "`Item` is unknown where it is used, in the edited file and in the one importing it"
    );
}

#[test]
fn without_a_previous_check_it_is_a_full_check() {
    let fs = project();
    let mut compiler = Compiler::new();
    let mut out = compiler.recheck_project(&fs, Path::new(ROOT), &edited(&["service.brief"]));
    assert_eq!(compiler.read_count(), 5);
    assert_eq!(said(&mut out, &fs), fresh(&fs));
}

#[test]
fn an_edited_file_the_last_search_did_not_find_joins_the_project() {
    let mut fs = project();
    let root = Path::new(ROOT);
    let mut compiler = Compiler::new();
    compiler.check_project(&fs, root);
    fs.insert("/p/extra.brief", "message Extra `E` {\n    a inx `A`\n}\n");
    let mut out = compiler.recheck_project(&fs, root, &edited(&["extra.brief"]));
    assert!(out.files.contains_key("extra.brief"));
    // A fresh compiler numbers the files in another order (the new one is not last), which
    // orders what is sorted by file differently: the same findings, by path, sorted.
    let findings = |o: &mut Output| {
        let mut all: Vec<String> = compiler::lint::lint_output(o, &fs, root)
            .iter()
            .map(|d| {
                let labels: Vec<String> = d
                    .labels
                    .iter()
                    .map(|l| {
                        format!(
                            "{} {:?} {}",
                            o.sources.path(l.span.file),
                            l.span.range,
                            l.message
                        )
                    })
                    .collect();
                format!(
                    "{} {} {labels:?} {:?} {:?}",
                    d.code, d.message, d.notes, d.hint
                )
            })
            .collect();
        all.sort();
        all
    };
    let mut fresh_out = Compiler::new().check_project(&fs, root);
    assert_eq!(findings(&mut out), findings(&mut fresh_out));
    let paths = |o: &Output| o.files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(&out), paths(&fresh_out));
}

#[test]
fn a_file_changed_behind_its_back_is_seen_at_the_next_full_check() {
    let mut fs = project();
    let root = Path::new(ROOT);
    let mut compiler = Compiler::new();
    compiler.check_project(&fs, root);
    fs.insert(
        "/p/types/item.brief",
        "message Item `I` {\n    a inx `A`\n}\n",
    );
    let out = compiler.recheck_project(&fs, root, &edited(&["service.brief"]));
    assert!(!out.has_errors(), "not told: the remembered text is used");
    let mut out = compiler.check_project(&fs, root);
    assert!(out.has_errors());
    assert_eq!(said(&mut out, &fs), fresh(&fs));
}
