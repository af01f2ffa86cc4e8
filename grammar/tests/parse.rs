//! Parser tests: the platform's contract form verbatim, comments kept with spans, recovery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use grammar::ast::{Item, TypeMod};

const PLATFORM_EXAMPLE: &str = r#"service "summer"
rpc sum (SumIn) SumOut `A sum method`
message SumIn {
    a      int    `A first number`
    b      int    `A second number`
}
message SumOut {
    sum     int    `A sum of the numbers`
    info    string `Additional info`
}
schema "service.create" ServiceCreate `Создание сервиса`
message ServiceCreate {
    serviceId int
    userId    int
}
"#;

#[test]
fn platform_example_parses_verbatim() {
    let p = grammar::parse(PLATFORM_EXAMPLE);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.file.items.len(), 6);
    let Item::Schema(s) = &p.file.items[4] else {
        panic!()
    };
    assert_eq!(s.topic.value, "service.create");
    assert_eq!(s.doc.as_ref().unwrap().text, "Создание сервиса");
}

#[test]
fn comments_are_kept_with_spans() {
    let src = "// top\nmessage A { /* inner */ a int // trailing\n}\n";
    let p = grammar::parse(src);
    assert!(p.errors.is_empty());
    let texts: Vec<&str> = p.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, vec!["// top", "/* inner */", "// trailing"]);
    for c in &p.comments {
        assert_eq!(&src[c.span.clone()], c.text);
    }
}

#[test]
fn type_prefixes_are_flat() {
    let p = grammar::parse("message A { x []?map[string][]int }");
    let Item::Message(m) = &p.file.items[0] else {
        panic!()
    };
    let mods = &m.fields[0].ty.mods;
    assert_eq!(mods.len(), 4);
    assert!(matches!(mods[2], TypeMod::Map { .. }));
    assert_eq!(m.fields[0].ty.base.name, "int");
}

#[test]
fn syntax_tree_snapshot() {
    let p = grammar::parse("@idempotent\n@timeout(\"250ms\")\nrpc get (In) Out throws (NotFound, Gone) `doc`\nerror NotFound { id int }\nerror Gone\nenum E { a `first` @deprecated b }\nimport \"x.brief\"\n");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    insta::assert_yaml_snapshot!(p.file);
}

#[test]
fn errors_do_not_cascade() {
    let p = grammar::parse("@@@ $$$ message A { a int }\nmessage B { b int }");
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.file.items.len(), 2);
}
