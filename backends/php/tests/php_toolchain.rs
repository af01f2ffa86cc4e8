//! The generated PHP under the real toolchain (run by scripts/test.d/45-php.sh, `--ignored`):
//! every golden case with an IR written to `$BRIEF_PHP_OUT/<case>/` (default: a temporary
//! directory), then `php -l` on every file and `phpcs --standard=PSR12` on the whole tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use std::path::PathBuf;
use std::process::Command;

fn out_dir() -> (PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("BRIEF_PHP_OUT") {
        Some(d) => (PathBuf::from(d), None),
        None => {
            let t = tempfile::tempdir().unwrap();
            (t.path().to_owned(), Some(t))
        }
    }
}

#[test]
#[ignore = "needs php and phpcs (scripts/test.d/45-php.sh)"]
fn generated_php_lints_clean() {
    let (root, _keep) = out_dir();
    let mut all = Vec::new();
    for (case, files) in common::generated_cases() {
        let dir = root.join(&case);
        brief_codegen::write::write_dir(&dir, &files, brief_codegen::write::Guard::Marker).unwrap();
        for f in &files {
            all.push(dir.join(&f.path));
        }
    }
    let mut failed = Vec::new();
    for f in &all {
        let out = Command::new("php").arg("-l").arg(f).output().unwrap();
        if !out.status.success() {
            failed.push(format!(
                "{}: {}{}",
                f.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failed.is_empty(), "php -l failed:\n{}", failed.join("\n"));
    let out = Command::new("phpcs")
        .args(["--standard=PSR12", "-q", "--report=full"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "phpcs --standard=PSR12:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
