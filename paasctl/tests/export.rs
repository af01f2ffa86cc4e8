//! `paasctl export`: each format on stdout and into a file, the same bytes either way, and
//! the exit codes of a project with errors and of bad arguments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::text;
use std::process::Output;

fn paasctl(args: &[&str]) -> Output {
    brief_testkit::paasctl!().run(args)
}

#[test]
fn openapi_on_stdout_is_the_document() {
    let out = paasctl(&["export", "golden/cases/summer", "--format", "openapi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/rpc/summer/sum"]["post"].is_object());
}

#[test]
fn asyncapi_lists_the_topics() {
    let out = paasctl(&["export", "golden/cases/full-app", "--format", "asyncapi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["asyncapi"], "3.0.0");
    let addresses: Vec<&str> = doc["channels"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    assert!(addresses.contains(&"image.uploaded"), "{addresses:?}");
}

#[test]
fn out_writes_the_same_bytes_as_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("nested/summer.proto");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let stdout = paasctl(&["export", "golden/cases/summer", "--format", "proto"]);
    assert_eq!(stdout.status.code(), Some(0), "{}", text(&stdout.stderr));
    assert!(text(&stdout.stdout).contains("syntax = \"proto3\";"));
    let out = paasctl(&[
        "export",
        "golden/cases/summer",
        "--format",
        "proto",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), stdout.stdout);
}

#[test]
fn errors_in_the_project_exit_1_bad_arguments_2() {
    let out = paasctl(&[
        "export",
        "golden/cases/e0201-unknown-type",
        "--format",
        "openapi",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("error[E0201]"));
    assert_eq!(
        paasctl(&["export", "golden/cases/summer"]).status.code(),
        Some(2)
    );
    let bad = paasctl(&["export", "golden/cases/summer", "--format", "wsdl"]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = paasctl(&["export", "no/such/dir", "--format", "proto"]);
    assert_eq!(missing.status.code(), Some(2));
}
