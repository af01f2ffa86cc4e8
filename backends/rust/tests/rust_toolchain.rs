//! Builds the Rust generated for every golden case with an IR in a throwaway crate (its own
//! `[workspace]`, depending on runtime-rust by path): `cargo fmt --check` and
//! `cargo clippy --all-targets -- -D warnings` must pass. Then the end-to-end tests of tests/e2e/
//! run in that crate against the code of golden/cases/go-everything.
//!
//! Ignored by a plain `cargo test` (it builds a crate and takes a while);
//! scripts/test.d/35-rust-codegen.sh runs it with `--ignored`. `CARGO_TARGET_DIR` is shared with
//! the crate so that the runtime and its dependencies are built once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, cmd: &mut Command) -> String {
    let out = cmd
        .current_dir(dir)
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

/// The module name of a golden case in the throwaway crate.
fn module(case: &str) -> String {
    brief_testkit::corpus::test_name(case)
}

/// Writes the crate: `src/lib.rs` with one `pub mod <case>` per golden case (each the generated
/// directory), the e2e tests, and a manifest depending on runtime-rust by path.
pub fn write_crate(root: &Path) -> usize {
    let runtime = common::repo().join("runtime-rust").canonicalize().unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"golden-rust\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [workspace]\n\n[dependencies]\nbrief-runtime = {{ path = {:?} }}\n\n\
             [dev-dependencies]\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\", \"time\", \"io-util\", \"sync\"] }}\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's lock file pins the runtime's dependencies to the tested versions.
    std::fs::copy(common::repo().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let src = root.join("src");
    let mut lib = String::from("//! Generated code of the golden cases.\n");
    let mut count = 0;
    for (case, files) in common::generated_cases() {
        let m = module(&case);
        lib.push_str(&format!("pub mod {m};\n"));
        for f in files {
            let p = src.join(&m).join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f.contents).unwrap();
            count += 1;
        }
    }
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    if e2e.is_dir() {
        std::fs::create_dir_all(root.join("tests")).unwrap();
        for e in std::fs::read_dir(&e2e).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                std::fs::copy(&p, root.join("tests").join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    count
}

#[test]
#[ignore = "builds a throwaway crate with cargo; run by scripts/test.d/35-rust-codegen.sh"]
fn generated_rust_is_rustfmt_clean_clippy_clean_and_works_end_to_end() {
    let keep = std::env::var_os("BRIEF_RUST_KEEP").is_some();
    let tmp = tempfile::tempdir().unwrap();
    let root = if keep {
        tmp.keep()
    } else {
        tmp.path().to_path_buf()
    };
    let count = write_crate(&root);
    eprintln!("generated {count} Rust files into {}", root.display());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // rustfmt first, on the generated files only (before anything else is added).
    run(&root, Command::new(&cargo).args(["fmt", "--check"]));
    run(
        &root,
        Command::new(&cargo).args(["clippy", "--all-targets", "--", "-D", "warnings"]),
    );
    let out = run(
        &root,
        Command::new(&cargo).args(["test", "--", "--test-threads=4"]),
    );
    eprintln!("{out}");
}
