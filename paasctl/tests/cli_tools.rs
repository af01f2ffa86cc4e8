//! The tool commands as users run them: fmt, lint, breaking; exit codes, `--check` listings,
//! atomic writes, git revisions, and the SARIF and GitHub formats of every command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::{copy_dir, repo, text};
use std::path::Path;
use std::process::{Command, Output};

fn paasctl_in(dir: &Path, args: &[&str]) -> Output {
    brief_testkit::paasctl!().in_dir(dir).run(args)
}

fn paasctl(args: &[&str]) -> Output {
    brief_testkit::paasctl!().run(args)
}

#[test]
fn fmt_check_lists_files_and_exits_1_and_fmt_fixes_them() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("golden/fmt/messy.brief"),
        tmp.path().join("messy.brief"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("golden/fmt/aligned-already.brief"),
        tmp.path().join("ok.brief"),
    )
    .unwrap();
    let before = std::fs::read_to_string(tmp.path().join("messy.brief")).unwrap();
    let out = paasctl_in(tmp.path(), &["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("would reformat messy.brief"), "{err}");
    assert!(!err.contains("would reformat ok.brief"), "{err}");
    assert!(
        err.contains("error[F0001]") && err.contains("+++ messy.brief (formatted)"),
        "{err}"
    );
    // --check writes nothing.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("messy.brief")).unwrap(),
        before
    );
    let out = paasctl_in(tmp.path(), &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("formatted messy.brief"));
    let after = std::fs::read_to_string(tmp.path().join("messy.brief")).unwrap();
    assert_ne!(after, before);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let out = paasctl_in(tmp.path(), &["fmt", "--check", "messy.brief", "ok.brief"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn fmt_refuses_files_that_do_not_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("broken.brief");
    let src = "message   A {\n  a int\n  b: string\n}\n";
    std::fs::write(&file, src).unwrap();
    let out = paasctl_in(tmp.path(), &["fmt", "broken.brief"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error[E0103]"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        src,
        "file must be untouched"
    );
}

#[test]
fn fmt_usage_errors_exit_2() {
    assert_eq!(
        paasctl(&["fmt", "no/such/file.brief"]).status.code(),
        Some(2)
    );
    assert_eq!(paasctl(&["fmt", "README.md"]).status.code(), Some(2));
}

#[test]
fn lint_exit_codes() {
    let out = paasctl(&["lint", "golden/lint/clean"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Warnings pass unless --deny-warnings.
    let out = paasctl(&["lint", "golden/lint/l0101-rpc-lower-camel-case"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[L0101]"));
    let out = paasctl(&[
        "lint",
        "golden/lint/l0101-rpc-lower-camel-case",
        "--deny-warnings",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // A severity raised to error in brief.toml fails.
    let out = paasctl(&["lint", "golden/lint/severity-config"]);
    assert_eq!(out.status.code(), Some(1));
    // Check errors are reported by lint too.
    let out = paasctl(&["lint", "golden/cases/e0201-unknown-type"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[E0201]"));
    // One file of a project: brief.toml of its project applies.
    let out = paasctl(&["lint", "golden/lint/severity-config/service.brief"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn breaking_against_a_directory() {
    let case = "golden/breaking/b0101-field-removed";
    let out = paasctl(&[
        "breaking",
        &format!("{case}/after"),
        "--against",
        &format!("{case}/before"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error[B0101]"),
        "{}",
        text(&out.stderr)
    );
    let out = paasctl(&[
        "breaking",
        &format!("{case}/after"),
        "--against",
        &format!("{case}/before"),
        "--category",
        "source",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = paasctl(&[
        "breaking",
        "golden/breaking/compatible/after",
        "--against",
        "golden/breaking/compatible/before",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        paasctl(&[
            "breaking",
            "golden/cases/summer",
            "--against",
            "no-such-rev-or-dir"
        ])
        .status
        .code(),
        Some(2)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn breaking_against_a_git_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("services/shop");
    let case = repo().join("golden/breaking/b0106-enum-value-removed");
    copy_dir(&case.join("before"), &project);
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "v1"]);
    git(tmp.path(), &["tag", "v1"]);
    std::fs::copy(
        case.join("after/service.brief"),
        project.join("service.brief"),
    )
    .unwrap();
    // Uncommitted change against HEAD, from inside the project and from the repository root.
    let out = paasctl_in(&project, &["breaking", "--against", "HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("error[B0106]"),
        "{}",
        text(&out.stderr)
    );
    let out = paasctl_in(
        tmp.path(),
        &[
            "breaking",
            "services/shop",
            "--against",
            "v1",
            "--format",
            "github",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let gh = text(&out.stdout);
    assert!(
        gh.starts_with("::error file=services/shop/service.brief,line="),
        "{gh}"
    );
    assert!(
        gh.contains("title=B0106::value `blue` of enum `Color` was removed"),
        "{gh}"
    );
    // Committed: nothing changed against HEAD.
    git(tmp.path(), &["commit", "-q", "-am", "v2"]);
    let out = paasctl_in(&project, &["breaking", "--against", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = paasctl_in(&project, &["breaking", "--against", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1));
}

/// Every command that reports findings, with an input that has some. `ir` is not among them: its
/// stdout is the IR, so its diagnostics go to stderr (as JSON in every machine format), and
/// `explain` reports nothing.
#[test]
fn sarif_is_structurally_sound_for_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let gen = tmp.path().join("gen");
    // `service create` is not here: its diagnostics point into the files it refused to write,
    // which therefore do not exist (service_create.rs tests them).
    for args in [
        vec!["check", "golden/cases/e0201-unknown-type"],
        vec!["check", "golden/cases/e0201-unknown-type/service.brief"],
        vec![
            "codegen",
            "golden/cases/e0201-unknown-type",
            "--lang",
            "go",
            "--out",
            gen.to_str().unwrap(),
            "--go-import-path",
            "example.com/x/gen",
        ],
        vec![
            "manifests",
            "golden/cases/e0405-invalid-value",
            "--env",
            "staging",
            "--out",
            "-",
        ],
        vec![
            "lint",
            "golden/lint/l0501-ignore-without-reason",
            "--deny-warnings",
        ],
        vec!["fmt", "--check", "golden/fmt/messy.brief"],
        vec![
            "breaking",
            "golden/breaking/b0107-rpc-removed/after",
            "--against",
            "golden/breaking/b0107-rpc-removed/before",
        ],
    ] {
        let mut a = args.clone();
        a.extend(["--format", "sarif"]);
        let out = paasctl(&a);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), compiler_codes_len());
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{args:?}");
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1, "{r}");
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                repo().join(uri).is_file(),
                "uri must be relative to the working directory: {uri}"
            );
        }
    }
}

fn compiler_codes_len() -> usize {
    let out = paasctl(&["explain", "--all"]);
    text(&out.stdout).lines().count()
}

#[test]
fn github_annotations_for_check() {
    let out = paasctl(&[
        "check",
        "golden/cases/e0201-unknown-type",
        "--format",
        "github",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let gh = text(&out.stdout);
    assert!(
        gh.contains("::error file=golden/cases/e0201-unknown-type/service.brief,line=3,col=20,endLine=3,endColumn=25,title=E0201::unknown type `strng`%0Ahelp: did you mean `string`?"),
        "{gh}"
    );
}

#[test]
fn ir_keeps_stdout_for_the_ir_and_writes_diagnostics_to_stderr_in_the_format_asked_for() {
    let case = "golden/cases/e0201-unknown-type";
    for format in ["sarif", "json"] {
        let out = paasctl(&["ir", case, "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "{format}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        if format == "json" {
            assert_eq!(doc["errors"], 2);
            assert_eq!(doc["schema"], 1);
            assert_eq!(
                doc["diagnostics"][0]["file"],
                format!("{case}/service.brief")
            );
        } else {
            assert_eq!(doc["version"], "2.1.0");
        }
    }
    let out = paasctl(&["ir", case, "--format", "github"]);
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).starts_with(&format!("::error file={case}/service.brief,")),
        "{}",
        text(&out.stderr)
    );
    // Warnings of a project that has an IR reach stderr in the machine formats too.
    let case = "golden/cases/w0501-undeclared-dependency";
    let out = paasctl(&["ir", case, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(ir.is_object());
    let doc: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(doc["warnings"], 1, "{doc}");
    // --help says where the diagnostics go.
    let help = text(&paasctl(&["ir", "--help"]).stdout);
    assert!(help.contains("diagnostics go to stderr"), "{help}");
}
