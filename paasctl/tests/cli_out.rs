//! The CLI's output contract: one path base and a schema version in the machine formats, breaking
//! categories and fixes as fields, `explain` from docs/explain.md, shell completions, and the
//! pre-push hook of docs/ci.md that compares against the upstream branch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::{copy_dir, repo, text};
use std::path::Path;
use std::process::{Command, Output};

fn paasctl(args: &[&str]) -> Output {
    brief_testkit::paasctl!().run(args)
}

fn paasctl_in(dir: &Path, args: &[&str]) -> Output {
    brief_testkit::paasctl!().in_dir(dir).run(args)
}

/// The file of the first diagnostic in each machine format.
fn paths(dir: &Path, project: &str) -> (String, String, String) {
    let run = |format: &str| {
        let out = paasctl_in(dir, &["check", project, "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        text(&out.stdout)
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["schema"], 1, "{json}");
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let gh = run("github");
    let gh_file = gh
        .split("file=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap()
        .to_owned();
    (
        json["diagnostics"][0]["file"].as_str().unwrap().to_owned(),
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"]
            .as_str()
            .unwrap()
            .to_owned(),
        gh_file,
    )
}

#[test]
fn every_machine_format_has_one_path_base_the_working_directory() {
    let case = "golden/cases/e0201-unknown-type";
    let want = format!("{case}/service.brief");
    let (json, sarif, gh) = paths(&repo(), case);
    assert_eq!(
        (json.as_str(), sarif.as_str(), gh.as_str()),
        (&*want, &*want, &*want)
    );
    // From inside the project, the same file is `service.brief` in every format.
    let (json, sarif, gh) = paths(&repo().join(case), ".");
    assert_eq!(json, "service.brief");
    assert_eq!(sarif, "service.brief");
    assert_eq!(gh, "service.brief");
    // Labels use the same base as the main location.
    let out = paasctl(&["check", case, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for d in doc["diagnostics"].as_array().unwrap() {
        for l in d["labels"].as_array().unwrap() {
            assert!(repo().join(l["file"].as_str().unwrap()).is_file(), "{l}");
        }
    }
}

#[test]
fn breaking_findings_carry_rule_category_and_fix_as_fields() {
    let case = "golden/breaking/b0105-required-field-added";
    let args = |format: &'static str| {
        [
            "breaking".to_owned(),
            format!("{case}/after"),
            "--against".to_owned(),
            format!("{case}/before"),
            "--format".to_owned(),
            format.to_owned(),
        ]
    };
    let run = |format: &'static str| {
        let a = args(format);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = paasctl(&a);
        assert_eq!(out.status.code(), Some(1), "{format}");
        text(&out.stdout)
    };
    let doc: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(doc["schema"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "B0105");
    assert_eq!(d["rule"], "FIELD_REQUIRED_ADDED");
    assert_eq!(d["category"], "WIRE");
    assert_eq!(d["hint"], "make it optional: `count ?int`");
    assert_eq!(d["file"], format!("{case}/after/service.brief"));
    let notes = d["notes"].as_array().unwrap();
    assert!(
        notes.iter().all(|n| {
            let n = n.as_str().unwrap();
            !n.starts_with("category:") && !n.starts_with("make it optional")
        }),
        "category and fix are fields, not notes: {notes:?}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let props = &sarif["runs"][0]["results"][0]["properties"];
    assert_eq!(props["category"], "WIRE", "{sarif}");
    assert_eq!(props["rule"], "FIELD_REQUIRED_ADDED");
    let gh = run("github");
    assert!(gh.contains("[WIRE]%0Ahelp: make it optional"), "{gh}");
    // A diagnostic of the check has neither.
    let out = paasctl(&[
        "check",
        "golden/cases/e0201-unknown-type",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["diagnostics"][0]["category"].is_null());
    assert!(doc["diagnostics"][0]["rule"].is_null());
}

/// docs/explain.md, split into its `## CODE` sections.
fn explain_sections() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(repo().join("docs/explain.md")).unwrap();
    doc.split("\n## ")
        .skip(1)
        .map(|s| {
            let (head, body) = s.split_once('\n').unwrap();
            (head.trim().to_owned(), body.to_owned())
        })
        .collect()
}

#[test]
fn every_code_has_an_explanation_with_an_example_and_explain_prints_it() {
    let sections = explain_sections();
    let documented: Vec<&str> = sections.iter().map(|(c, _)| c.as_str()).collect();
    let registry: Vec<&str> = compiler::codes::ALL.iter().map(|c| c.code).collect();
    assert_eq!(
        documented, registry,
        "docs/explain.md needs one `## CODE` section per registered code, in registry order"
    );
    for (code, body) in &sections {
        assert!(
            body.contains("\n```"),
            "{code}: no example in docs/explain.md"
        );
        let out = paasctl(&["explain", code]);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let stdout = text(&out.stdout);
        assert!(stdout.contains("```"), "{code}: explain prints no example");
        // The anchor printed is a heading of docs/explain.md.
        let anchor = stdout
            .lines()
            .find_map(|l| l.strip_prefix("Docs: docs/explain.md#"))
            .unwrap_or_else(|| panic!("{code}: no docs link:\n{stdout}"));
        assert_eq!(anchor, code.to_lowercase());
    }
}

#[test]
fn explain_accepts_every_rule_name() {
    let names = compiler::lint::RULES
        .iter()
        .map(|r| (r.name, r.code))
        .chain(compiler::breaking::RULES.iter().map(|r| (r.name, r.code)));
    for (name, code) in names {
        for spelling in [name.to_owned(), name.to_lowercase()] {
            let out = paasctl(&["explain", &spelling]);
            assert_eq!(out.status.code(), Some(0), "{spelling}");
            let stdout = text(&out.stdout);
            assert!(
                stdout.starts_with(&format!("{code}: ")),
                "{spelling}: {stdout}"
            );
            assert!(stdout.contains(name), "{spelling}: {stdout}");
        }
    }
    let out = paasctl(&["explain", "RPC_LOWER_CAMEL_CAS"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `RPC_LOWER_CAMEL_CASE`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_for_every_shell_mention_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = paasctl(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(!script.is_empty(), "{shell}");
        for sub in ["check", "manifests", "breaking", "explain", "completions"] {
            assert!(script.contains(sub), "{shell}: no `{sub}` in\n{script}");
        }
        // The global flags too (fish spells them `-l format`).
        assert!(script.contains("format"), "{shell}");
    }
    assert_eq!(paasctl(&["completions", "tcsh"]).status.code(), Some(2));
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

/// The pre-push hook: a committed breaking change passes `--against HEAD` (HEAD against itself)
/// and fails `--against @{upstream}`, which is what the shipped pre-push hook runs.
#[test]
fn the_pre_push_hook_compares_against_the_upstream_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let case = repo().join("golden/breaking/b0106-enum-value-removed");
    copy_dir(&case.join("before"), tmp.path());
    git(tmp.path(), &["init", "-q", "-b", "work"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "v1"]);
    git(tmp.path(), &["branch", "pushed"]);
    git(tmp.path(), &["branch", "--set-upstream-to=pushed"]);
    std::fs::copy(
        case.join("after/service.brief"),
        tmp.path().join("service.brief"),
    )
    .unwrap();
    git(tmp.path(), &["commit", "-q", "-am", "v2"]);
    let out = paasctl_in(tmp.path(), &["breaking", "--against", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = paasctl_in(tmp.path(), &["breaking", "--against", "@{upstream}"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error[B0106]"));

    // The shipped hooks: the pre-push stage runs exactly that; `--against HEAD` only at pre-commit.
    let hooks = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let mut pre_push = 0;
    for hook in hooks.split("\n- id: ").skip(1) {
        let entry = hook
            .lines()
            .find_map(|l| l.trim().strip_prefix("entry: "))
            .unwrap();
        let stages = hook
            .lines()
            .find_map(|l| l.trim().strip_prefix("stages: "))
            .unwrap_or("");
        if entry.contains("--against") && stages.contains("pre-push") {
            pre_push += 1;
            assert_eq!(entry, "paasctl breaking --against @{upstream}", "{hook}");
        }
        if entry.ends_with("--against HEAD") {
            assert!(!stages.contains("pre-push"), "HEAD against itself: {hook}");
        }
    }
    assert_eq!(pre_push, 1, "one pre-push breaking hook");
    // docs/ci.md pins no revision that does not exist (there are no release tags).
    let ci = std::fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    for rev in ci.lines().filter_map(|l| l.trim().strip_prefix("rev: ")) {
        let rev = rev.split_whitespace().next().unwrap();
        assert!(
            rev == "main" || (rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit())),
            "docs/ci.md pins `rev: {rev}`"
        );
    }
    assert!(ci.contains("paasctl-breaking-upstream"));
}
