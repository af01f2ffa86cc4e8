//! The CLI runner: paasctl as users run it, from the repository root (or a given directory),
//! without colour and without the caller's `PAASCTL_PLATFORM`.
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A paasctl binary with the directory and environment it runs in.
#[derive(Debug, Clone)]
pub struct Paasctl {
    bin: PathBuf,
    dir: PathBuf,
    env: Vec<(String, OsString)>,
}

impl Paasctl {
    /// The binary at `bin`, run from the repository root.
    pub fn new(bin: impl Into<PathBuf>) -> Self {
        Paasctl {
            bin: bin.into(),
            dir: crate::repo(),
            env: Vec::new(),
        }
    }

    /// Runs from `dir` instead.
    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.dir = dir.to_path_buf();
        self
    }

    /// Sets an environment variable for the runs.
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// Runs paasctl with `args` and waits for it.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(&self.bin);
        c.args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env_remove("PAASCTL_PLATFORM");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()))
    }
}

/// Bytes of stdout or stderr as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
