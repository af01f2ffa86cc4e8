//! `paasctl manifests` as users run it: exit codes, atomic output, the platform config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_testkit::{file_names as files, repo, text};
use std::path::Path;
use std::process::Output;

fn paasctl(args: &[&str], platform_env: Option<&Path>) -> Output {
    let mut p = brief_testkit::paasctl!();
    if let Some(path) = platform_env {
        p = p.env("PAASCTL_PLATFORM", path);
    }
    p.run(args)
}

#[test]
fn writes_one_file_per_stage_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("staging");
    let o = out.to_str().unwrap();
    let args = [
        "manifests",
        "golden/cases/full-app",
        "--env",
        "staging",
        "--image",
        "registry.example/shop:1.0.0",
        "--out",
        o,
    ];
    let r = paasctl(&args, None);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    assert!(
        text(&r.stderr).contains("wrote 4 files"),
        "{}",
        text(&r.stderr)
    );
    assert_eq!(
        files(&out),
        [
            "10-init.yaml",
            "20-db.yaml",
            "30-app.yaml",
            "40-balancing.yaml"
        ]
    );
    let first = std::fs::read(out.join("30-app.yaml")).unwrap();
    assert_eq!(paasctl(&args, None).status.code(), Some(0));
    assert_eq!(std::fs::read(out.join("30-app.yaml")).unwrap(), first);
}

#[test]
fn input_errors_exit_1_and_leave_the_previous_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    let o = out.to_str().unwrap();
    let ok = paasctl(
        &[
            "manifests",
            "golden/cases/summer",
            "--env",
            "staging",
            "--out",
            o,
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let before = std::fs::read_to_string(out.join("10-init.yaml")).unwrap();
    for (args, code) in [
        (vec!["--env", "stagin"], "E0610"),
        (
            vec!["--env", "staging", "--image", "summer:latest"],
            "E0612",
        ),
    ] {
        let mut all = vec!["manifests", "golden/cases/summer", "--out", o];
        all.extend(args);
        let r = paasctl(&all, None);
        assert_eq!(r.status.code(), Some(1));
        assert!(
            text(&r.stderr).contains(&format!("error[{code}]")),
            "{}",
            text(&r.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(out.join("10-init.yaml")).unwrap(),
            before
        );
    }
    // A project with errors: nothing is generated.
    let r = paasctl(
        &[
            "manifests",
            "golden/cases/e0405-invalid-value",
            "--env",
            "staging",
            "--out",
            o,
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(files(tmp.path()), ["m"]);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let r = paasctl(&["manifests", "golden/cases/summer"], None);
    assert_eq!(r.status.code(), Some(2), "--env is required");
    let r = paasctl(
        &[
            "manifests",
            "golden/cases/summer",
            "--env",
            "staging",
            "--platform",
            "/nonexistent.toml",
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(2));
    let r = paasctl(
        &["manifests", "golden/nonexistent", "--env", "staging"],
        None,
    );
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn platform_from_the_environment_variable_and_its_errors_located() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("platform.toml");
    let text_in = backend_default().replace("[vault]\n", "[vault]\nadress = \"x\"\n");
    std::fs::write(&p, text_in).unwrap();
    let r = paasctl(
        &[
            "manifests",
            "golden/cases/summer",
            "--env",
            "staging",
            "--out",
            "-",
        ],
        Some(&p),
    );
    assert_eq!(r.status.code(), Some(1));
    let err = text(&r.stderr);
    assert!(
        err.contains("error[E0602]: unknown key `vault.adress`"),
        "{err}"
    );
    assert!(err.contains("platform.toml:20:1"), "{err}");
}

#[test]
fn stdout_output() {
    let r = paasctl(
        &[
            "manifests",
            "golden/cases/summer",
            "--env",
            "production",
            "--out",
            "-",
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(0));
    let out = text(&r.stdout);
    assert!(out.starts_with("# 10-init.yaml\n"), "{out}");
    assert!(out.contains("SERVICE_IMAGE_STORAGE_URL: http://image-storage.image-storage.svc.production.paas.internal"));
}

/// The platform's own reference app.toml (`[envs.prod]`, deployed with `-e prod`) works as
/// written; `production` is an alias of `prod` (issue 11).
#[test]
fn the_platforms_own_environment_names_and_the_production_alias() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("app.toml"),
        "name = \"orders\"\n\n[engine]\nname = \"golang\"\nsize = \"small\"\n\n[envs.prod]\nreplicas = 3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("service.brief"),
        "service \"orders\" `Takes orders`\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    for env in ["prod", "production"] {
        for flag in ["-e", "--env"] {
            let r = paasctl(&["manifests", d, flag, env, "--out", "-"], None);
            assert_eq!(r.status.code(), Some(0), "{env}: {}", text(&r.stderr));
            let out = text(&r.stdout);
            assert!(out.contains("SERVICE_ENV: prod\n"), "{out}");
            assert!(out.contains("replicas: 3"), "{out}");
        }
    }
    // The default output directory is named after the environment, not the alias.
    let r = paasctl(&["manifests", d, "-e", "production"], None);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    assert!(dir.join("manifests/prod/10-init.yaml").is_file());
}

/// `check` rejects what `manifests` would reject about app.toml, by the same platform (issue 11).
#[test]
fn check_knows_the_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("app.toml"),
        "name = \"orders\"\npublic_host = \"orders.brief.example\"\n\n[engine]\nname = \"golang\"\nsize = \"small\"\n\n[envs.prd]\nreplicas = 3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("service.brief"),
        "service \"orders\" `Takes orders`\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let r = paasctl(&["check", d], None);
    let err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0614") && err.contains("did you mean `[envs.prod]`?"),
        "{err}"
    );
    // A top-level public host of production is wrong in dev and staging.
    assert!(
        err.contains("E0605") && err.contains("not `staging`"),
        "{err}"
    );
    // --platform, like manifests: a platform whose production environment is `prd` accepts it.
    let only_prd = backend_default()
        .replace("[environments.prod]", "[environments.prd]")
        .replace(
            "[environments.dev]",
            "[environments.dev]\naliases = [\"d\"]",
        );
    let p = dir.join("platform.toml");
    std::fs::write(&p, &only_prd).unwrap();
    let r = paasctl(&["check", d, "--platform", p.to_str().unwrap()], None);
    let err = text(&r.stderr);
    assert!(!err.contains("E0614"), "{err}");
    // The environment variable too.
    let r = paasctl(&["check", d], Some(&p));
    assert!(!text(&r.stderr).contains("E0614"), "{}", text(&r.stderr));
}

fn backend_default() -> String {
    std::fs::read_to_string(repo().join("backends/k8s/src/platform.default.toml")).unwrap()
}
