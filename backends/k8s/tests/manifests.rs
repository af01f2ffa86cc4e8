//! Golden tests of the manifests backend: every golden case that checks without errors, in every
//! environment of the embedded platform; the bad-input cases of golden/manifests/; determinism;
//! the rule that no environment is ever handed another environment's URL; atomic writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use backend_k8s::platform::{self, check_url, url_host, PlatformFile};
use backend_k8s::{generate, Manifests, Request};
use brief_testkit::corpus::{CASES, MANIFESTS};
use compiler::{render, Compiler, OsFs, Sources};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    brief_testkit::repo()
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn snapshot(name: &str, text: &str) {
    brief_testkit::assert_snapshot!(snapshot_dir(), name.to_owned(), text);
}

/// A golden case's output when it checks without errors and has an app.toml.
fn good_case(name: &str) -> Option<compiler::Output> {
    let out = Compiler::new().check_project(&OsFs, &brief_testkit::case_path(CASES, name));
    out.ir
        .as_ref()
        .is_some_and(|ir| ir.app.is_some())
        .then_some(out)
}

/// Every golden case whose project checks without errors, with its IR and sources.
fn good_cases() -> Vec<(String, compiler::Output)> {
    brief_testkit::cases(CASES)
        .into_iter()
        .filter_map(|(name, _)| good_case(&name).map(|out| (name, out)))
        .collect()
}

fn env_names(pf: &PlatformFile) -> Vec<String> {
    pf.platform.environments.keys().cloned().collect()
}

/// Snapshots of a good golden case in every environment (`<case>@<env>`), one test per golden
/// case (`case::<name>`; a case with errors or without app.toml has none). With
/// `MANIFESTS_OUT=<dir>` the generated files are also written to `<dir>/<case>/<env>/` for the
/// external validators (scripts/test.d/50-manifests.sh).
fn golden_case_in_every_environment(name: &str) {
    let Some(out) = good_case(name) else {
        return;
    };
    let export = std::env::var_os("MANIFESTS_OUT").map(PathBuf::from);
    let mut failed = Vec::new();
    let mut sources = out.sources.clone();
    let pf = platform::load_default(&mut sources).unwrap();
    let locator = out.app.as_ref().map(|a| &a.locations);
    for env in env_names(&pf) {
        let ir = out.ir.as_ref().unwrap();
        let req = Request {
            platform: &pf,
            app_toml: locator,
            env: &env,
            image: Some("registry.paas.internal/services/app:1.4.2"),
        };
        let text = match generate(ir, req) {
            Ok(m) => {
                assert_eq!(generate(ir, req).unwrap(), m, "deterministic");
                if let Some(dir) = &export {
                    m.write(&dir.join(name).join(&env)).unwrap();
                }
                m.concatenated()
            }
            Err(diags) => render::human(&diags, &sources, false),
        };
        let snap = format!("{name}@{env}");
        if std::panic::catch_unwind(|| snapshot(&snap, &text)).is_err() {
            failed.push(snap);
        }
    }
    assert!(
        failed.is_empty(),
        "manifests differ from snapshots: {failed:?}"
    );
}

mod case {
    brief_testkit::golden_cases!(super::golden_case_in_every_environment);
}

#[test]
fn full_app_has_manifests() {
    assert!(good_case("full-app").is_some());
}

/// golden/manifests/<case>/: a project plus `request.toml` (`env`, optional `image`, optional
/// `platform` file name in the case directory). Each must fail; its diagnostics are snapshotted
/// as `bad-<case>`, one test per case (`bad::<name>`).
fn bad_input(name: &str) {
    let dir = brief_testkit::case_path(MANIFESTS, name);
    let req: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("request.toml")).unwrap()).unwrap();
    let out = Compiler::new().check_project(&OsFs, &dir);
    assert!(
        !out.has_errors(),
        "{name}: the project itself must check cleanly"
    );
    let mut sources = out.sources.clone();
    let pf = match req.get("platform").and_then(|p| p.as_str()) {
        Some(file) => {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            platform::load(&mut sources, file, &text)
        }
        None => platform::load_default(&mut sources),
    };
    let text = match pf {
        Err(diags) => render::human(&diags, &sources, false),
        Ok(pf) => {
            let locator = out.app.as_ref().map(|a| &a.locations);
            let r = generate(
                out.ir.as_ref().unwrap(),
                Request {
                    platform: &pf,
                    app_toml: locator,
                    env: req["env"].as_str().unwrap(),
                    image: req.get("image").and_then(|i| i.as_str()),
                },
            );
            match r {
                Ok(_) => panic!("{name}: expected errors"),
                Err(diags) => render::human(&diags, &sources, false),
            }
        }
    };
    snapshot(&format!("bad-{name}"), &text);
}

mod bad {
    brief_testkit::manifests_cases!(super::bad_input);
}

#[test]
fn every_backend_code_is_snapshotted() {
    let mut all = String::new();
    for e in std::fs::read_dir(snapshot_dir()).unwrap() {
        all.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    let missing: Vec<&str> = compiler::codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| c.starts_with("E06") && !all.contains(&format!("[{c}]")))
        .collect();
    assert!(
        missing.is_empty(),
        "backend codes without a snapshot: {missing:?}"
    );
}

/// The embedded platform's every environment hands out only URLs of its own domain, for every
/// golden case: a staging service can never be given a production URL.
#[test]
fn no_environment_gets_another_environments_url() {
    let mut sources = Sources::new();
    let pf = platform::load_default(&mut sources).unwrap();
    let mut checked = 0;
    for (_, out) in good_cases() {
        for env in env_names(&pf) {
            let Ok(m) = generate(
                out.ir.as_ref().unwrap(),
                Request {
                    platform: &pf,
                    app_toml: None,
                    env: &env,
                    image: Some("r.example/app:1"),
                },
            ) else {
                continue;
            };
            let domain = &pf.platform.environments[&env].domain;
            for line in m.concatenated().lines() {
                let Some((_, value)) = line.trim().split_once(": ") else {
                    continue;
                };
                if !value.contains("://") {
                    continue;
                }
                let host = url_host(value).unwrap();
                assert!(host.ends_with(&format!(".{domain}")), "{env}: {value}");
                assert!(check_url(&pf.platform, &env, value).is_ok());
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "too few URLs checked: {checked}");
}

fn platform_with(extra: &str) -> Result<PlatformFile, Vec<compiler::Diagnostic>> {
    let text = format!("{}\n{extra}", platform::DEFAULT_PLATFORM);
    platform::load(&mut Sources::new(), "platform.toml", &text)
}

#[test]
fn staging_is_never_given_a_production_url() {
    // An explicit entry pointing at production's domain is rejected when the platform loads.
    let text = platform::DEFAULT_PLATFORM.replace(
        "[environments.staging]\n",
        "[environments.staging]\nservices = { billing = \"http://billing.billing.svc.production.paas.internal\" }\n",
    );
    let err = platform::load(&mut Sources::new(), "platform.toml", &text).unwrap_err();
    assert_eq!(err[0].code, "E0605");
    assert!(
        err[0].message.contains("environment `prod`"),
        "{}",
        err[0].message
    );
    // So is a template that hard-codes another environment's domain.
    let text = platform::DEFAULT_PLATFORM.replace(
        "domain = \"staging.paas.internal\"\npublic_domain = \"staging.brief.example\"\nurl_template = \"http://{name}.{name}.svc.{domain}\"",
        "domain = \"staging.paas.internal\"\npublic_domain = \"staging.brief.example\"\nurl_template = \"http://{name}.production.paas.internal\"",
    );
    let err = platform::load(&mut Sources::new(), "platform.toml", &text).unwrap_err();
    assert_eq!(err[0].code, "E0605");
    // A host outside every environment is rejected as well.
    let pf = platform_with("").unwrap();
    let e = check_url(&pf.platform, "staging", "https://billing.example.com").unwrap_err();
    assert_eq!(e.0, "E0605");
    // A domain that merely ends like another one does not count as it.
    assert!(check_url(&pf.platform, "staging", "http://a.xstaging.paas.internal").is_err());
    assert!(check_url(
        &pf.platform,
        "staging",
        "http://a.a.svc.staging.paas.internal"
    )
    .is_ok());
    assert!(check_url(&pf.platform, "prod", "http://a.a.svc.staging.paas.internal").is_err());
}

#[test]
fn embedded_platform_is_valid() {
    let pf = platform::load_default(&mut Sources::new()).unwrap();
    assert_eq!(env_names(&pf), vec!["dev", "prod", "staging"]);
}

fn full_app() -> compiler::Ir {
    Compiler::new()
        .check_project(&OsFs, &root().join("golden/cases/full-app"))
        .ir
        .unwrap()
}

#[test]
fn writes_are_atomic() {
    let pf = platform::load_default(&mut Sources::new()).unwrap();
    let ir = full_app();
    let m = |env| {
        generate(
            &ir,
            Request {
                platform: &pf,
                app_toml: None,
                env,
                image: Some("r.example/shop:1"),
            },
        )
        .unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    m("staging").write(&out).unwrap();
    let names = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&out),
        vec![
            "10-init.yaml",
            "20-db.yaml",
            "30-app.yaml",
            "40-balancing.yaml"
        ]
    );
    // A stale file from an earlier run disappears: OUT is replaced as a whole.
    std::fs::write(out.join("99-stale.yaml"), "x").unwrap();
    m("prod").write(&out).unwrap();
    assert_eq!(names(&out).len(), 4);
    let before = std::fs::read_to_string(out.join("30-app.yaml")).unwrap();
    assert!(before.contains("in `prod`"));
    // Nothing is left beside OUT.
    assert_eq!(names(tmp.path()), vec!["out"]);
    // A failing write (OUT is a file) changes nothing.
    let file_out = tmp.path().join("file");
    std::fs::write(&file_out, "keep").unwrap();
    assert!(m("staging").write(&file_out).is_err());
    assert_eq!(std::fs::read_to_string(&file_out).unwrap(), "keep");
    assert_eq!(names(tmp.path()), vec!["file", "out"]);
}

#[test]
fn bytes_are_identical_across_runs() {
    let pf = platform::load_default(&mut Sources::new()).unwrap();
    let a = generate(
        &full_app(),
        Request {
            platform: &pf,
            app_toml: None,
            env: "production",
            image: None,
        },
    )
    .unwrap();
    let pf2 = platform::load_default(&mut Sources::new()).unwrap();
    let b = generate(
        &full_app(),
        Request {
            platform: &pf2,
            app_toml: None,
            env: "production",
            image: None,
        },
    )
    .unwrap();
    assert_eq!(a.concatenated(), b.concatenated());
    assert!(a
        .concatenated()
        .contains("image: registry.paas.internal/services/shop:prod"));
}

/// platform.toml's `[canary] traffic = "httproute"`: the balancing stage of full-app has an
/// HTTPRoute on the platform's Gateway for the service's host, all of it to the stable Service.
#[test]
fn httproute_variant() {
    let text = format!(
        "{}\n[canary]\ntraffic = \"httproute\"\ngateway = \"paas\"\ngateway_namespace = \"gateway-system\"\n",
        platform::DEFAULT_PLATFORM
    );
    snapshot(
        "full-app@staging+httproute",
        &full_app_in_staging(&text).concatenated(),
    );
}

/// full-app's staging manifests under the platform config `platform_text`.
fn full_app_in_staging(platform_text: &str) -> Manifests {
    let pf = platform::load(&mut Sources::new(), "platform.toml", platform_text).unwrap();
    generate(
        &full_app(),
        Request {
            platform: &pf,
            app_toml: None,
            env: "staging",
            image: Some("registry.paas.internal/services/shop:1.4.2"),
        },
    )
    .unwrap()
}

/// The mesh variants of the platform config: snapshots of full-app in staging, also exported for
/// the external validators under `<MANIFESTS_OUT>/full-app-<mesh>/staging/`.
#[test]
fn mesh_variants() {
    let export = std::env::var_os("MANIFESTS_OUT").map(PathBuf::from);
    for mesh in ["linkerd", "istio"] {
        let text =
            platform::DEFAULT_PLATFORM.replace("mesh = \"none\"", &format!("mesh = \"{mesh}\""));
        let m = full_app_in_staging(&text);
        if let Some(dir) = &export {
            m.write(&dir.join(format!("full-app-{mesh}")).join("staging"))
                .unwrap();
        }
        snapshot(&format!("full-app@staging+{mesh}"), &m.concatenated());
    }
}

/// Every snapshot belongs to a golden case, a bad-input case or a mesh variant.
#[test]
fn no_unreferenced_snapshots() {
    let mut expected = std::collections::BTreeSet::new();
    let mut sources = Sources::new();
    let pf = platform::load_default(&mut sources).unwrap();
    for (name, _) in good_cases() {
        for env in env_names(&pf) {
            expected.insert(format!("{name}@{env}"));
        }
    }
    for (name, _) in brief_testkit::cases(MANIFESTS) {
        expected.insert(format!("bad-{name}"));
    }
    for mesh in ["linkerd", "istio"] {
        expected.insert(format!("full-app@staging+{mesh}"));
    }
    expected.insert("full-app@staging+httproute".to_owned());
    let stray = brief_testkit::stray_snapshots(&snapshot_dir(), |stem| expected.contains(stem));
    assert!(
        stray.is_empty(),
        "snapshots without a case (delete them): {stray:?}"
    );
}

/// `check` and `manifests` agree (issue 11): for every golden case and manifests case, the
/// platform check of `paasctl check` is clean exactly when manifests can be made in every
/// environment, and every error manifests reports in some environment is among check's.
#[test]
fn check_and_manifests_agree_on_every_case() {
    let mut dirs: Vec<PathBuf> = brief_testkit::cases(CASES)
        .into_iter()
        .map(|(name, _)| brief_testkit::case_path(CASES, &name))
        .collect();
    dirs.extend(
        brief_testkit::cases(MANIFESTS)
            .into_iter()
            .map(|(name, _)| brief_testkit::case_path(MANIFESTS, &name)),
    );
    for dir in dirs {
        let out = Compiler::new().check_project(&OsFs, &dir);
        let mut checked = Compiler::new().check_project(&OsFs, &dir);
        let mut sources = out.sources.clone();
        let pf = platform::load_default(&mut sources).unwrap();
        backend_k8s::check_output(&mut checked);
        backend_k8s::check_platform(&mut checked, &pf);
        let check_clean = !checked.has_errors();
        let Some(ir) = out.ir.as_ref().filter(|ir| ir.app.is_some()) else {
            continue;
        };
        let locator = out.app.as_ref().map(|a| &a.locations);
        for env in env_names(&pf) {
            let r = generate(
                ir,
                Request {
                    platform: &pf,
                    app_toml: locator,
                    env: &env,
                    image: None,
                },
            );
            match r {
                Ok(_) => {}
                Err(diags) => {
                    assert!(
                        !check_clean,
                        "{}: check is clean but manifests -e {env} fails: {diags:?}",
                        dir.display()
                    );
                    for d in diags {
                        assert!(
                            checked.diagnostics.contains(&d),
                            "{}: manifests -e {env} reports what check does not: {d:?}",
                            dir.display()
                        );
                    }
                }
            }
        }
        if !check_clean && !out.has_errors() {
            // check's extra errors are manifests' own in some environment.
            let any_fails = env_names(&pf).iter().any(|env| {
                generate(
                    ir,
                    Request {
                        platform: &pf,
                        app_toml: locator,
                        env,
                        image: None,
                    },
                )
                .is_err()
            });
            assert!(
                any_fails,
                "{}: check fails but manifests succeeds everywhere",
                dir.display()
            );
        }
    }
}
