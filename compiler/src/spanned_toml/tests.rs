//! Unit tests of the shared spanned-TOML reader: schemas off serde derives, locations, first lines.
use super::*;
use crate::app::AppConfig;
use crate::source::FileId;

#[test]
fn the_schema_of_app_toml_is_read_off_the_model() {
    let s = Schema::of::<AppConfig>();
    assert_eq!(
        s.keys(),
        vec![
            "name",
            "description",
            "kind",
            "replicas",
            "engine",
            "public_host",
            "env",
            "secrets",
            "dependencies",
            "storages",
            "crons",
            "autoscaling",
            "envs",
        ]
    );
    let keys = |p: &str| s.at(p).map(Schema::keys).unwrap_or_default();
    assert_eq!(keys("engine"), vec!["name", "version", "size"]);
    assert_eq!(keys("dependencies.0"), vec!["name", "subscribe"]);
    assert_eq!(keys("storages.3"), vec!["kind", "name", "migrations"]);
    assert_eq!(keys("crons.0"), vec!["name", "schedule", "command"]);
    assert_eq!(keys("autoscaling"), vec!["min", "max", "cpu"]);
    assert_eq!(
        keys("envs.production"),
        vec![
            "replicas",
            "engine",
            "public_host",
            "env",
            "secrets",
            "autoscaling"
        ]
    );
    assert_eq!(keys("envs.x.engine"), vec!["version", "size"]);
    assert_eq!(s.at("env.LOG_LEVEL"), Some(&Schema::Value));
    assert_eq!(s.at("dependencies.first"), None);
    assert_eq!(s.siblings("envs.x.engine.name"), vec!["version", "size"]);
}

#[test]
fn locations_fall_back_to_the_nearest_ancestor() {
    let src = "[a]\nb = [1, { c = 2 }]\n\n[[d]]\ne = \"x\"\n";
    let doc = parse(src).unwrap();
    let l = Locations::new(FileId(3), &doc);
    let text = |s: crate::Span| &src[s.range];
    assert_eq!(text(l.value_span("a.b.1.c")), "2");
    assert_eq!(text(l.value_span("a.b.1.zz")), "{ c = 2 }");
    assert_eq!(text(l.key_span("a.b")), "b");
    assert_eq!(text(l.value_span("d.0.e")), "\"x\"");
    assert_eq!(text(l.head("d.0").unwrap()), "[[d]]");
    assert_eq!(l.head("nothing"), None);
    assert_eq!(l.exact_key("a.zz"), None);
    assert_eq!(l.value_span("nothing").range, 0..0);
}

#[test]
fn first_line_cuts_at_the_first_newline() {
    assert_eq!(first_line("ab\ncd", 0..5), 0..2);
    assert_eq!(first_line("ab\ncd", 3..5), 3..5);
    assert_eq!(first_line("ab", 0..9), 0..9);
}

#[test]
fn syntax_errors_keep_the_message_and_range() {
    let e = parse("[a\nb = 1\n").unwrap_err();
    assert!(e.message.contains('\n'), "{e:?}");
    assert!(e.range.start >= 2, "{e:?}");
}
