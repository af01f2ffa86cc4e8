//! The CLI as users run it: exit codes, output formats, help.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::text;
use std::process::Output;

fn paasctl(args: &[&str]) -> Output {
    brief_testkit::paasctl!().run(args)
}

#[test]
fn clean_project_exits_0() {
    let out = paasctl(&["check", "golden/cases/summer"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn warnings_exit_0_errors_exit_1() {
    let out = paasctl(&["check", "golden/cases/w0501-undeclared-dependency"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[W0501]"));
    let out = paasctl(&["check", "golden/cases/e0201-unknown-type"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[E0201]") && err.contains("service.brief:3:20"),
        "{err}"
    );
    assert!(err.contains("2 errors found"), "{err}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(paasctl(&["check", "no/such/dir"]).status.code(), Some(2));
    assert_eq!(paasctl(&["check", "README.md"]).status.code(), Some(2));
    assert_eq!(paasctl(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        paasctl(&["check", "--format", "xml"]).status.code(),
        Some(2)
    );
}

#[test]
fn json_diagnostics_are_located() {
    let out = paasctl(&[
        "check",
        "golden/cases/e0201-unknown-type",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"], 2);
    let d = &doc["diagnostics"][1];
    assert_eq!(d["code"], "E0201");
    // Relative to the working directory, as in every machine format (docs/diagnostics.md).
    assert_eq!(d["file"], "golden/cases/e0201-unknown-type/service.brief");
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 20);
    assert_eq!(d["end_column"], 25);
    assert_eq!(d["hint"], "did you mean `string`?");
}

#[test]
fn ir_is_json_on_stdout() {
    let out = paasctl(&["ir", "golden/cases/summer"]);
    assert_eq!(out.status.code(), Some(0));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ir["version"], 1);
    assert_eq!(ir["service"]["rpcs"][0]["name"], "sum");
    assert_eq!(ir["dependencies"][0]["name"], "image-storage");
    // With errors: nothing on stdout, diagnostics on stderr, exit 1.
    let out = paasctl(&["ir", "golden/cases/e0201-unknown-type"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("E0201"));
}

#[test]
fn a_single_file_is_checked_with_its_imports() {
    let out = paasctl(&["ir", "golden/cases/summer/rpc/image-storage.brief"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ir["service"]["name"], "image-storage");
    assert!(ir["app"].is_null());
}

/// The commands `paasctl --help` lists (every one but `help`).
fn commands() -> Vec<String> {
    let out = paasctl(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    let listing = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section");
    listing
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_explains_each_command_with_an_example() {
    let cmds = commands();
    assert_eq!(
        cmds,
        [
            "check",
            "ir",
            "codegen",
            "manifests",
            "export",
            "fmt",
            "lint",
            "breaking",
            "explain",
            "lsp",
            "deploy",
            "status",
            "releases",
            "rollback",
            "sync",
            "canary",
            "service",
            "completions"
        ],
        "a new command: add it here and to the SARIF test in cli_tools.rs"
    );
    for cmd in &cmds {
        // A command group shows its examples on each subcommand.
        let args: &[&str] = match cmd.as_str() {
            "service" => &["service", "create", "--help"],
            "canary" => &["canary", "promote", "--help"],
            c => &[c, "--help"],
        };
        let out = paasctl(args);
        assert_eq!(out.status.code(), Some(0), "{cmd}");
        let help = text(&out.stdout);
        assert!(
            help.contains("Examples:\n  paasctl "),
            "`paasctl {cmd} --help` has no example:\n{help}"
        );
    }
}

#[test]
fn explain_knows_every_code() {
    let mut unknown = Vec::new();
    for c in compiler::codes::ALL {
        // Lower case works as well as the registry's spelling.
        let out = paasctl(&["explain", &c.code.to_lowercase()]);
        let stdout = text(&out.stdout);
        let first = format!("{}: {} (", c.code, c.title);
        let mut lines = stdout.lines();
        let ok = out.status.code() == Some(0)
            && lines.next().is_some_and(|l| l.starts_with(&first))
            && lines.any(|l| l.contains("docs/"));
        if !ok {
            unknown.push(format!("{}: {stdout}{}", c.code, text(&out.stderr)));
        }
    }
    assert!(
        unknown.is_empty(),
        "codes explain does not know: {unknown:?}"
    );
    assert!(compiler::codes::ALL.len() > 50);
    // `--all` lists exactly the registry, one code a line.
    let out = paasctl(&["explain", "--all"]);
    let listed: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
        .collect();
    let registry: Vec<&str> = compiler::codes::ALL.iter().map(|c| c.code).collect();
    assert_eq!(listed, registry);
    assert_eq!(paasctl(&["explain", "E9999"]).status.code(), Some(2));
}
