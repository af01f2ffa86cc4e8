//! Unit tests of the app.toml parser and the per-environment merge.
use super::*;

const FULL: &str = r#"
name = "image-resizer"
description = "Resizes images"
kind = "business"
replicas = 2
public_host = "img.example.com"
secrets = ["DB_PASSWORD", "API_KEY"]

[engine]
name = "golang"
version = "1.23"
size = "small"

[env]
LOG_LEVEL = "info"
WORKERS = 4

[[dependencies]]
name = "image-storage"
subscribe = ["image.uploaded"]

[[dependencies]]
name = "auth"

[[storages]]
kind = "postgresql"
name = "main"
migrations = "migrations"

[[storages]]
kind = "redis"
name = "cache"

[[crons]]
name = "cleanup"
schedule = "0 3 * * *"
command = ["bin/cleanup", "--older-than", "7d"]

[autoscaling]
min = 2
max = 10

[envs.production]
replicas = 4
public_host = "img.prod.example.com"
secrets = ["SENTRY_DSN"]

[envs.production.engine]
size = "large"

[envs.production.env]
LOG_LEVEL = "warn"

[envs.production.autoscaling]
min = 4
max = 20
cpu = 60
"#;

fn parse_str(src: &str) -> (Option<AppFile>, Vec<Diagnostic>) {
    parse(FileId(0), src)
}

fn codes_of(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

fn line_of(src: &str, d: &Diagnostic) -> usize {
    let start = d.primary_span().map_or(0, |s| s.range.start);
    src[..start].matches('\n').count() + 1
}

#[test]
fn full_example_parses_without_diagnostics() {
    let (app, diags) = parse_str(FULL);
    assert!(diags.is_empty(), "{diags:#?}");
    let c = app.unwrap().config;
    assert_eq!(c.name, "image-resizer");
    assert_eq!(c.kind, Kind::Business);
    assert_eq!(c.replicas, 2);
    let e = c.engine.clone().unwrap();
    assert_eq!(
        (e.name, e.version.as_str(), e.size),
        (EngineName::Golang, "1.23", Size::Small)
    );
    assert_eq!(c.env["WORKERS"], "4");
    assert_eq!(c.dependencies[0].subscribe, vec!["image.uploaded"]);
    assert_eq!(c.storages[0].migrations.as_deref(), Some("migrations"));
    assert_eq!(
        c.crons[0].command,
        vec!["bin/cleanup", "--older-than", "7d"]
    );
    assert_eq!(
        c.autoscaling,
        Some(Autoscaling {
            min: 2,
            max: 10,
            cpu: 70
        })
    );
}

#[test]
fn for_env_merges_overrides() {
    let c = parse_str(FULL).0.unwrap().config;
    let prod = c.for_env("production");
    assert_eq!(prod.env_name, "production");
    assert_eq!(prod.replicas, 4);
    assert_eq!(prod.engine.as_ref().unwrap().size, Size::Large);
    assert_eq!(prod.engine.as_ref().unwrap().version, "1.23");
    assert_eq!(prod.public_host.as_deref(), Some("img.prod.example.com"));
    assert_eq!(prod.env["LOG_LEVEL"], "warn");
    assert_eq!(prod.env["WORKERS"], "4");
    assert_eq!(prod.secrets, vec!["API_KEY", "DB_PASSWORD", "SENTRY_DSN"]);
    assert_eq!(
        prod.autoscaling,
        Some(Autoscaling {
            min: 4,
            max: 20,
            cpu: 60
        })
    );
    let staging = c.for_env("staging");
    assert_eq!(staging.replicas, 2);
    assert_eq!(staging.engine.unwrap().size, Size::Small);
    assert_eq!(staging.env["LOG_LEVEL"], "info");
    assert_eq!(staging.secrets, vec!["API_KEY", "DB_PASSWORD"]);
}

#[test]
fn minimal_file_gets_defaults() {
    let (app, diags) = parse_str("name = \"summer\"\n");
    assert!(diags.is_empty());
    let c = app.unwrap().config;
    assert_eq!((c.kind, c.replicas, c.engine), (Kind::Business, 1, None));
}

#[test]
fn unknown_keys_at_every_level_with_did_you_mean() {
    let src = "name = \"a\"\nreplica = 2\n[engin]\nname = \"rust\"\n[engine]\nname = \"rust\"\nsise = \"small\"\n[[dependencies]]\nnme = \"b\"\n[envs.prod]\nreplics = 3\n";
    let (_, diags) = parse_str(src);
    let got: Vec<(String, Option<String>, usize)> = diags
        .iter()
        .filter(|d| d.code == codes::E0402)
        .map(|d| (d.message.clone(), d.hint.clone(), line_of(src, d)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "unknown key `replica`".into(),
                Some("did you mean `replicas`?".into()),
                2
            ),
            (
                "unknown key `engin`".into(),
                Some("did you mean `engine`?".into()),
                3
            ),
            (
                "unknown key `engine.sise`".into(),
                Some("did you mean `engine.size`?".into()),
                7
            ),
            (
                "unknown key `dependencies.0.nme`".into(),
                Some("did you mean `dependencies.0.name`?".into()),
                9
            ),
            (
                "unknown key `envs.prod.replics`".into(),
                Some("did you mean `envs.prod.replicas`?".into()),
                11
            ),
        ]
    );
    // `dependencies.0` lacks its name too.
    assert!(codes_of(&diags).contains(&codes::E0404));
}

#[test]
fn type_errors_at_the_right_line_and_all_reported() {
    let src = "name = \"a\"\n\nreplicas = \"two\"\nsecrets = [\"A\", 3]\n[engine]\nname = 5\n";
    let (app, diags) = parse_str(src);
    assert!(app.is_some());
    let got: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, line_of(src, d))).collect();
    assert_eq!(got, vec![("E0403", 3), ("E0403", 4), ("E0403", 6)]);
    assert_eq!(
        diags[0].message,
        "`replicas` must be an integer, found a string"
    );
}

#[test]
fn missing_name_is_reported_and_yields_no_config() {
    let (app, diags) = parse_str("kind = \"worker\"\n");
    assert!(app.is_none());
    assert_eq!(codes_of(&diags), vec!["E0404"]);
}

#[test]
fn invalid_values() {
    let src = r#"name = "Bad_Name"
kind = "buisness"
public_host = "nodot"
secrets = ["db-password", "SERVICE_TOKEN"]
[engine]
name = "golang"
size = "huge"
[env]
lower = "x"
[[storages]]
kind = "redis"
name = "cache"
migrations = "m"
[[crons]]
name = "c"
schedule = "61 * * * *"
command = ""
[autoscaling]
min = 5
max = 2
"#;
    let (_, diags) = parse_str(src);
    let got: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, line_of(src, d))).collect();
    assert_eq!(
        got,
        vec![
            ("E0405", 1),
            ("E0405", 2),
            ("E0405", 3),
            ("E0405", 4),
            ("E0405", 4),
            ("E0405", 7),
            ("E0405", 9),
            ("E0405", 13),
            ("E0405", 16),
            ("E0405", 17),
            ("E0405", 20),
        ],
        "{diags:#?}"
    );
    let kind = &diags[1];
    assert_eq!(kind.hint.as_deref(), Some("did you mean \"business\"?"));
    let secret = &diags[3];
    assert_eq!(
        secret.hint.as_deref(),
        Some("did you mean \"DB_PASSWORD\"?")
    );
}

#[test]
fn duplicates() {
    let src = r#"name = "a"
secrets = ["TOKEN", "TOKEN", "LEVEL"]
[env]
LEVEL = "x"
[[dependencies]]
name = "b"
subscribe = ["t", "t"]
[[dependencies]]
name = "b"
[[storages]]
kind = "redis"
name = "s"
[[storages]]
kind = "postgresql"
name = "s"
[[crons]]
name = "c"
schedule = "@daily"
command = "run"
[[crons]]
name = "c"
schedule = "@hourly"
command = "run"
"#;
    let (_, diags) = parse_str(src);
    let got: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, line_of(src, d))).collect();
    assert_eq!(
        got,
        vec![
            ("E0406", 2),
            ("E0406", 2),
            ("E0406", 7),
            ("E0406", 9),
            ("E0406", 15),
            ("E0406", 21)
        ],
        "{diags:#?}"
    );
}

#[test]
fn env_overrides_reject_fixed_keys() {
    let src = "name = \"a\"\n[engine]\nname = \"rust\"\n[envs.prod]\nname = \"b\"\n[envs.prod.engine]\nname = \"go\"\n[envs.Prod]\n";
    let (_, diags) = parse_str(src);
    let got: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, line_of(src, d))).collect();
    assert_eq!(
        got,
        vec![("E0407", 5), ("E0407", 7), ("E0405", 8)],
        "{diags:#?}"
    );
}

#[test]
fn self_dependency_and_worker_public_host() {
    let src = "name = \"a\"\nkind = \"worker\"\npublic_host = \"a.example.com\"\n[[dependencies]]\nname = \"a\"\n";
    let (_, diags) = parse_str(src);
    let got: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, line_of(src, d))).collect();
    assert_eq!(got, vec![("E0405", 3), ("E0405", 5)]);
}

#[test]
fn long_cronjob_names_are_left_to_the_backend() {
    // The CronJob name limit is Kubernetes knowledge: backends/k8s checks it (`validate_app`).
    let src = format!(
        "name = \"{}\"\n[[crons]]\nname = \"{}\"\nschedule = \"@daily\"\ncommand = \"x\"\n",
        "a".repeat(30),
        "b".repeat(30)
    );
    let (app, diags) = parse_str(&src);
    assert!(diags.is_empty(), "{diags:#?}");
    let app = app.unwrap();
    assert_eq!(
        &src[app.value_span("crons.0.name").range],
        format!("\"{}\"", "b".repeat(30))
    );
}

#[test]
fn syntax_error() {
    let (app, diags) = parse_str("name = \n");
    assert!(app.is_none());
    assert_eq!(codes_of(&diags), vec!["E0401"]);
}

#[test]
fn inline_array_of_tables_is_accepted() {
    let (app, diags) = parse_str("name = \"a\"\ndependencies = [{ name = \"b\" }, 3]\n");
    assert_eq!(codes_of(&diags), vec!["E0403"]);
    assert_eq!(app.unwrap().config.dependencies[0].name, "b");
}

#[test]
fn value_spans_still_resolve() {
    let (app, _) = parse_str(FULL);
    let app = app.unwrap();
    let s = app.value_span("dependencies.0.subscribe.0");
    assert_eq!(&FULL[s.range], "\"image.uploaded\"");
    let s = app.value_span("dependencies.1.name");
    assert_eq!(&FULL[s.range], "\"auth\"");
}

#[test]
fn ir_json_round_trips() {
    let c = parse_str(FULL).0.unwrap().config;
    let json = serde_json::to_string(&c).unwrap();
    let back: AppConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
}
