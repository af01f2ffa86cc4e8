//! Compiler tests through the in-memory file system: robustness on hostile input, the
//! content-keyed parse cache, IO errors, and IR details that golden snapshots do not pin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::ir::{MapKey, Type, TypeDef};
use compiler::{codes, Compiler, FileSystem, MemFs, OverlayFs};
use std::path::{Path, PathBuf};

fn project(service: &str) -> MemFs {
    let mut fs = MemFs::new();
    fs.insert("/p/app.toml", "name = \"x\"\n");
    fs.insert("/p/service.brief", service);
    fs
}

fn codes_of(out: &compiler::Output) -> Vec<&'static str> {
    out.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn twenty_thousand_levels_of_lists_is_one_error_not_a_crash() {
    let src = format!(
        "service \"x\"\nmessage A {{ deep {}int }}\n",
        "[]".repeat(20_000)
    );
    let out = Compiler::new().check_project(&project(&src), Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::E0212]);
}

#[test]
fn ten_megabyte_file_is_checked() {
    let mut src = String::from("service \"x\"\n");
    let mut i = 0;
    while src.len() < 10 * 1024 * 1024 {
        src.push_str(&format!(
            "message M{i} {{\n    a int `doc`\n    b []?string\n}}\n"
        ));
        i += 1;
    }
    let out = Compiler::new().check_project(&project(&src), Path::new("/p"));
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    let ir = out.ir.unwrap();
    assert_eq!(ir.service.unwrap().types.len(), i);
}

#[test]
fn random_garbage_never_panics_and_always_reports() {
    // A small deterministic generator (xorshift) over bytes that matter to the lexer.
    let alphabet: &[u8] = b"servicrpmsagnu{}()[]?@,.\"`/*\n \tx0\xff\xc3";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..300 {
        let len = (round * 7) % 400 + 1;
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let mut fs = MemFs::new();
        fs.insert("/p/app.toml", "name = \"x\"\n");
        fs.insert("/p/service.brief", bytes.clone());
        let out = Compiler::new().check_project(&fs, Path::new("/p"));
        // Garbage is reported: at least one error, and no IR.
        assert!(out.has_errors(), "nothing reported for {bytes:?}");
        assert!(out.ir.is_none(), "an IR for {bytes:?}");
        // Every diagnostic is located in a real file and within its bounds.
        for d in &out.diagnostics {
            if let Some(span) = d.primary_span() {
                let file = out.sources.get(span.file).unwrap();
                assert!(span.range.end <= file.text.len(), "{d:?} on {bytes:?}");
            }
        }
    }
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let mut fs = MemFs::new();
    fs.insert("/p/app.toml", "name = \"x\"\n");
    fs.insert("/p/service.brief", b"service \"x\"\n// \xff\n".to_vec());
    let out = Compiler::new().check_project(&fs, Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::E0001]);
    let span = out.diagnostics[0].primary_span().unwrap();
    assert_eq!(span.range, 15..16);
}

/// A file system whose reads fail, as an unreadable file would.
struct Unreadable(MemFs);

impl FileSystem for Unreadable {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if path.ends_with("service.brief") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "permission denied",
            ));
        }
        self.0.read(path)
    }
    fn list(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        self.0.list(dir)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.0.is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.0.is_file(path)
    }
}

#[test]
fn unreadable_file_is_e0002() {
    let fs = Unreadable(project("service \"x\"\n"));
    let out = Compiler::new().check_project(&fs, Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::E0002]);
    assert!(out.diagnostics[0].message.contains("permission denied"));
}

#[test]
fn parse_cache_reparses_only_the_changed_file() {
    let mut fs = project("service \"x\"\nimport \"types.brief\"\nrpc get (A) A\n");
    fs.insert("/p/types.brief", "message A { id int }\n");
    fs.insert("/p/rpc/billing.brief", "service \"billing\"\n");
    let mut compiler = Compiler::new();
    let first = compiler.check_project(&fs, Path::new("/p"));
    assert_eq!(compiler.parse_count(), 3);
    assert!(first.ir.is_some());
    // Nothing changed: nothing is parsed again.
    compiler.check_project(&fs, Path::new("/p"));
    assert_eq!(compiler.parse_count(), 3);
    // One file changed: only that file is parsed again, and the change is seen.
    fs.insert("/p/types.brief", "message A { id string }\n");
    let out = compiler.check_project(&fs, Path::new("/p"));
    assert_eq!(compiler.parse_count(), 4);
    let svc = out.ir.unwrap().service.unwrap();
    let TypeDef::Message(a) = svc.type_def("A").unwrap() else {
        panic!()
    };
    assert_eq!(a.fields[0].ty, Type::String);
}

#[test]
fn nested_types_convert_outside_in() {
    let out = Compiler::new().check_project(
        &project("service \"x\"\nmessage A { f map[int][]?string }\n"),
        Path::new("/p"),
    );
    let svc = out.ir.unwrap().service.unwrap();
    let TypeDef::Message(a) = &svc.types[0] else {
        panic!()
    };
    assert_eq!(
        a.fields[0].ty,
        Type::Map {
            key: MapKey::Int,
            value: Box::new(Type::List {
                elem: Box::new(Type::Optional {
                    inner: Box::new(Type::String)
                })
            })
        }
    );
}

#[test]
fn rpc_annotations_reach_the_ir() {
    let out = Compiler::new().check_project(
        &project("service \"x\"\n@idempotent\n@timeout(\"2s\")\n@deprecated(\"use get2\")\nrpc get (A) A throws (E)\nmessage A { id int }\nerror E\n"),
        Path::new("/p"),
    );
    let rpc = &out.ir.unwrap().service.unwrap().rpcs[0];
    assert!(rpc.idempotent);
    assert_eq!(rpc.timeout_ms, Some(2000));
    assert_eq!(rpc.errors, vec!["E".to_owned()]);
    assert_eq!(
        rpc.deprecated.as_ref().unwrap().reason.as_deref(),
        Some("use get2")
    );
}

#[test]
fn one_mistake_one_diagnostic() {
    // A missing `}` must not turn every following declaration into an error.
    let src = "service \"x\"\nmessage A {\n    id int\nmessage B { id int }\nmessage C { id int }\nrpc get (B) C\n";
    let out = Compiler::new().check_project(&project(src), Path::new("/p"));
    assert_eq!(out.diagnostics.len(), 1, "{:#?}", out.diagnostics);
}

#[test]
fn independent_errors_are_all_reported() {
    let src = "service \"x\"\nmessage A { a strng }\nmessage B { b [int }\nmessage C { c ??int }\n";
    let out = Compiler::new().check_project(&project(src), Path::new("/p"));
    let mut got = codes_of(&out);
    got.sort();
    assert_eq!(got, vec![codes::E0101, codes::E0201, codes::E0213]);
}

#[test]
fn check_file_follows_imports_but_not_the_project() {
    let mut fs = MemFs::new();
    fs.insert(
        "/p/rpc/billing.brief",
        "service \"billing\"\nimport \"../types/money.brief\"\nrpc pay (Money) Money\n",
    );
    fs.insert("/p/types/money.brief", "message Money { cents int }\n");
    fs.insert("/p/service.brief", "this file is broken");
    let out = Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/rpc/billing.brief"));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.ir.unwrap().service.unwrap().name, "billing");
}

fn ids(out: &compiler::Output) -> Vec<(String, u32)> {
    out.files.iter().map(|(p, f)| (p.clone(), f.id.0)).collect()
}

#[test]
fn file_ids_are_stable_when_other_files_come_and_go() {
    let mut fs = project("service \"x\"\nimport \"types.brief\"\nrpc get (A) A\n");
    fs.insert("/p/types.brief", "message A { id int }\n");
    let mut compiler = Compiler::new();
    let before = ids(&compiler.check_project(&fs, Path::new("/p")));
    // A file that sorts first is added: the others keep their ids.
    fs.insert("/p/a.brief", "message Z { id int }\n");
    let added = ids(&compiler.check_project(&fs, Path::new("/p")));
    for (path, id) in &before {
        assert!(added.contains(&(path.clone(), *id)), "{path} changed id");
    }
    let a_id = added.iter().find(|(p, _)| p == "a.brief").unwrap().1;
    assert!(
        before.iter().all(|(_, id)| *id != a_id),
        "a new file gets a new id"
    );
    // It goes away again: still the same ids.
    fs.remove(Path::new("/p/a.brief"));
    let removed = ids(&compiler.check_project(&fs, Path::new("/p")));
    assert_eq!(removed, before);
    // And when it comes back, it has its old id.
    fs.insert("/p/a.brief", "message Z { id int }\n");
    let back = ids(&compiler.check_project(&fs, Path::new("/p")));
    assert_eq!(back, added);
}

#[test]
fn a_deleted_file_leaves_the_parse_cache() {
    let mut fs = project("service \"x\"\n");
    fs.insert("/p/extra.brief", "message A { id int }\n");
    let mut compiler = Compiler::new();
    compiler.check_project(&fs, Path::new("/p"));
    assert!(compiler.is_cached("extra.brief"));
    assert_eq!(compiler.cached_files(), 2);
    fs.remove(Path::new("/p/extra.brief"));
    compiler.check_project(&fs, Path::new("/p"));
    assert!(!compiler.is_cached("extra.brief"));
    assert_eq!(compiler.cached_files(), 1);
}

#[test]
fn an_unsaved_buffer_is_what_gets_checked() {
    let mut disk = project("service \"x\"\nrpc get (A) A\nmessage A { id int }\n");
    disk.insert("/p/old.brief", "message Old { id int }\n");
    let mut compiler = Compiler::new();
    let mut editor = OverlayFs::new(&disk);
    // The buffer has a mistake that the file on disk does not have; the removed file is gone.
    editor.set(
        "/p/service.brief",
        "service \"x\"\nrpc get (A) B\nmessage A { id int }\n",
    );
    editor.remove("/p/old.brief");
    let out = compiler.check_project(&editor, Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::E0201]);
    assert!(!out.files.contains_key("old.brief"));
    // The buffer is closed: the disk shows through again.
    editor.reset(Path::new("/p/service.brief"));
    let out = compiler.check_project(&editor, Path::new("/p"));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn subscriptions_are_resolved_in_the_ir() {
    let mut fs = MemFs::new();
    fs.insert(
        "/p/app.toml",
        "name = \"x\"\n\n[[dependencies]]\nname = \"data-bus\"\n\n[[dependencies]]\nname = \"shop\"\nsubscribe = [\"order.paid\", \"order.created\"]\n",
    );
    fs.insert("/p/service.brief", "service \"x\"\n");
    fs.insert(
        "/p/rpc/shop.brief",
        "service \"shop\"\nschema \"order.created\" Order\nschema \"order.paid\" Paid\nmessage Order { id int }\nmessage Paid { id int }\n",
    );
    let out = Compiler::new().check_project(&fs, Path::new("/p"));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let ir = out.ir.unwrap();
    let got: Vec<(&str, &str, &str)> = ir
        .subscriptions
        .iter()
        .map(|s| (s.dependency.as_str(), s.topic.as_str(), s.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("shop", "order.created", "Order"),
            ("shop", "order.paid", "Paid")
        ]
    );
    assert_eq!(
        ir.subscription_message(&ir.subscriptions[1]).unwrap().name,
        "Paid"
    );
}

#[test]
fn a_misnamed_dependency_contract_has_one_fix_the_rename() {
    // `rpc/payments.brief` is the contract of the dependency `payments` but declares `payment`:
    // one W0502 that says to rename the service, not also W0501 (add `payment` to app.toml) and
    // E0503 (add rpc/payments.brief, which exists).
    let mut fs = MemFs::new();
    fs.insert(
        "/p/app.toml",
        "name = \"orders\"\n[[dependencies]]\nname = \"data-bus\"\n[[dependencies]]\nname = \"payments\"\nsubscribe = [\"payment.done\"]\n",
    );
    fs.insert("/p/service.brief", "service \"orders\"\n");
    fs.insert(
        "/p/rpc/payments.brief",
        "service \"payment\"\nrpc pay (Pay) Pay\nschema \"payment.done\" Pay\nmessage Pay { id int }\n",
    );
    let out = Compiler::new().check_project(&fs, Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::W0502], "{:#?}", out.diagnostics);
    assert_eq!(
        out.diagnostics[0].hint.as_deref(),
        Some("rename the service: `service \"payments\"`")
    );
    let ir = out.ir.expect("warnings only");
    assert!(ir.subscriptions.is_empty(), "{:?}", ir.subscriptions);
}

#[test]
fn a_missing_brace_is_reported_where_it_opened_and_the_rest_is_checked() {
    let src =
        "service \"x\"\nrpc get (A) B\nmessage A {\n    id int\n\nmessage B {\n    ok strng\n}\n";
    let out = Compiler::new().check_project(&project(src), Path::new("/p"));
    assert_eq!(
        codes_of(&out),
        vec![codes::E0107, codes::E0201],
        "{:#?}",
        out.diagnostics
    );
    let open = out.diagnostics[0]
        .primary_span()
        .expect("located")
        .range
        .start;
    assert_eq!(open, src.find('{').unwrap());
}

#[test]
fn returns_is_one_diagnostic() {
    let src = "service \"x\"\nrpc get (A) returns (A)\nmessage A { id int }\n";
    let out = Compiler::new().check_project(&project(src), Path::new("/p"));
    assert_eq!(codes_of(&out), vec![codes::E0101], "{:#?}", out.diagnostics);
    assert_eq!(
        out.diagnostics[0].hint.as_deref(),
        Some("drop `returns`: `rpc get (A) A`")
    );
}
