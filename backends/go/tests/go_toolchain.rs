//! Builds the Go generated for every golden case with the real Go toolchain, then runs the
//! end-to-end tests (tests/e2e/) against the code generated for golden/cases/go-everything.
//!
//! Ignored by a plain `cargo test` (it needs Go and takes a while); scripts/test.d/40-go-codegen.sh
//! runs it with `--ignored`. It fails, never skips, when Go is missing. `BRIEF_GO_BENCH=1` also
//! runs the generated-client benchmark (`BRIEF_GO_BENCHTIME`, default `200x`) and prints it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::path::{Path, PathBuf};
use std::process::Command;

fn go_bin(tool: &str) -> PathBuf {
    let candidates = [
        std::env::var_os("GOROOT").map(|r| Path::new(&r).join("bin").join(tool)),
        Some(PathBuf::from("/usr/local/go/bin").join(tool)),
    ];
    for c in candidates.into_iter().flatten() {
        if c.is_file() {
            return c;
        }
    }
    let found = Command::new(tool).arg("version").output();
    if tool == "go" && found.is_ok_and(|o| o.status.success()) {
        return PathBuf::from(tool);
    }
    if tool == "gofmt"
        && Command::new(tool)
            .arg("-l")
            .arg("/dev/null")
            .output()
            .is_ok()
    {
        return PathBuf::from(tool);
    }
    panic!("`{tool}` not found (looked in $GOROOT/bin, /usr/local/go/bin and PATH): the Go stage needs Go");
}

fn run(dir: &Path, cmd: &mut Command) -> String {
    let out = cmd
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
#[ignore = "needs the Go toolchain; run by scripts/test.d/40-go-codegen.sh"]
fn generated_go_builds_vets_is_gofmt_clean_and_works_end_to_end() {
    let go = go_bin("go");
    let gofmt = go_bin("gofmt");
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path();
    let runtime = common::repo().join("runtime-go").canonicalize().unwrap();
    std::fs::write(
        module.join("go.mod"),
        format!(
            "module example.com/golden\n\ngo 1.22\n\nrequire github.com/brief-paas/paasctl/runtime-go v0.0.0\n\nreplace github.com/brief-paas/paasctl/runtime-go => {}\n",
            runtime.display()
        ),
    )
    .unwrap();
    let mut count = 0;
    for (case, files) in common::generated_cases() {
        let out = module.join("cases").join(&case).join("gen");
        for f in files {
            let p = out.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f.contents).unwrap();
            count += 1;
        }
    }
    eprintln!("generated {count} Go files into {}", module.display());

    // gofmt first, before the fixtures are copied in: the generated code must be formatted.
    let unformatted = run(module, Command::new(&gofmt).arg("-l").arg("."));
    assert!(
        unformatted.trim().is_empty(),
        "generated Go is not gofmt-clean:\n{unformatted}\n{}",
        run(module, Command::new(&gofmt).arg("-d").arg("."))
    );
    run(module, Command::new(&go).args(["build", "./..."]));

    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let target = module.join("cases/go-everything/gen");
    for e in std::fs::read_dir(&e2e).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "go") {
            std::fs::copy(&p, target.join(p.file_name().unwrap())).unwrap();
        }
    }
    run(module, Command::new(&go).args(["vet", "./..."]));
    let out = run(
        module,
        Command::new(&go).args([
            "test",
            "-count=1",
            "-timeout=120s",
            "-v",
            "./cases/go-everything/gen/",
        ]),
    );
    eprintln!("{out}");
    if std::env::var_os("BRIEF_GO_BENCH").is_some() {
        let benchtime = std::env::var("BRIEF_GO_BENCHTIME").unwrap_or_else(|_| "200x".into());
        let out = run(
            module,
            Command::new(&go).args([
                "test",
                "-run",
                "^$",
                "-bench",
                "GeneratedClientOverhead",
                "-benchtime",
                &benchtime,
                "-count=1",
                "./cases/go-everything/gen/",
            ]),
        );
        println!("{out}");
    }
}
