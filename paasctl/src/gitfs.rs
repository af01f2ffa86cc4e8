//! A read-only [`FileSystem`] over one git revision, through the `git` CLI
//! (`git ls-tree -r --name-only`, `git cat-file blob REV:path`): IO stays out of the core.
use compiler::FileSystem;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of one revision, with paths relative to the repository's top directory.
#[derive(Debug)]
pub struct GitFs {
    top: PathBuf,
    rev: String,
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    Ok(out.stdout)
}

impl GitFs {
    /// Opens revision `rev` of the repository that holds `project_dir`. Returns the file system
    /// and the project's root inside it (its path from the repository's top directory).
    pub fn open(project_dir: &Path, rev: &str) -> Result<(GitFs, PathBuf), String> {
        let top = git(project_dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
            format!(
                "`{}` is not in a git repository: {e}",
                project_dir.display()
            )
        })?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let prefix = git(project_dir, &["rev-parse", "--show-prefix"])?;
        let prefix = String::from_utf8_lossy(&prefix)
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a revision"));
        }
        git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| format!("`{rev}` is neither a directory nor a git revision"))?;
        let mut args = vec!["ls-tree", "-r", "--name-only", "-z", rev];
        if !prefix.is_empty() {
            args.push("--");
            args.push(&prefix);
        }
        let listing = git(&top, &args)?;
        let mut files = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        for name in listing.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let p = PathBuf::from(String::from_utf8_lossy(name).into_owned());
            let mut parent = p.parent();
            while let Some(d) = parent {
                dirs.insert(d.to_path_buf());
                parent = d.parent();
            }
            files.insert(p);
        }
        let fs = GitFs {
            top,
            rev: rev.to_owned(),
            files,
            dirs,
        };
        Ok((fs, PathBuf::from(prefix)))
    }

    /// Whether the revision has no files below the project's root.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl FileSystem for GitFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if !self.files.contains(path) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            ));
        }
        let spec = format!("{}:{}", self.rev, path.to_string_lossy().replace('\\', "/"));
        git(&self.top, &["cat-file", "blob", &spec]).map_err(io::Error::other)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .files
            .iter()
            .chain(self.dirs.iter())
            .filter(|p| p.parent() == Some(dir) && p.as_os_str() != dir.as_os_str())
            .cloned()
            .collect())
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains(path)
    }
}
