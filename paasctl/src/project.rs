//! Project discovery, once for every command: the project a path names (a directory, or the
//! project root of a file), loading and checking it, and the `.brief` files below paths.
use compiler::{Compiler, FileSystem, OsFs, Output};
use std::path::{Path, PathBuf};

/// Directories never searched for `.brief` files (as `paasctl check` does).
const SKIP_DIRS: &[&str] = &["target", "node_modules", "vendor"];

/// A checked project: its root directory and the compiler's output.
pub struct Project {
    pub root: PathBuf,
    pub output: Output,
}

/// The project a path names: a directory is its own root, a file belongs to the nearest
/// ancestor that holds app.toml (else its own directory).
pub fn root(path: &Path) -> Result<PathBuf, String> {
    if path.is_dir() {
        Ok(path.to_path_buf())
    } else if path.is_file() {
        Ok(root_of_file(path))
    } else {
        Err(format!("`{}` does not exist", path.display()))
    }
}

/// Loads and checks `path`: a project directory, or a .brief file with what it imports.
/// `Err` is a usage or IO error, for the message `error: ...`.
pub fn load(path: &Path) -> Result<Project, String> {
    let root = root(path)?;
    let output = if path.is_dir() {
        check_dir(&OsFs, &root)
    } else {
        if path.extension().and_then(|e| e.to_str()) != Some("brief") {
            return Err(format!(
                "`{}` is neither a directory nor a .brief file",
                path.display()
            ));
        }
        Compiler::new().check_file(&OsFs, &root, path)
    };
    Ok(Project { root, output })
}

/// Checks the project directory `root` of `fs` (the disk, or a release's recorded inputs in
/// memory), with the k8s backend's own checks.
pub fn check_dir(fs: &dyn FileSystem, root: &Path) -> Output {
    let mut output = Compiler::new().check_project(fs, root);
    // Kubernetes limits (CronJob names) are the k8s backend's; `check` reports them too.
    backend_k8s::check_output(&mut output);
    output
}

/// The nearest ancestor of a .brief file that holds app.toml, else the file's directory.
fn root_of_file(file: &Path) -> PathBuf {
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let mut cur = Some(dir.as_path());
    while let Some(d) = cur {
        if d.join("app.toml").is_file() {
            return d.to_path_buf();
        }
        cur = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    dir
}

/// Every `.brief` file named or below a named directory, sorted, without duplicates.
pub fn brief_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, 0);
        } else if p.is_file() {
            if p.extension().and_then(|e| e.to_str()) != Some("brief") {
                return Err(format!("`{}` is not a .brief file", p.display()));
            }
            out.push(p.clone());
        } else {
            return Err(format!("`{}` does not exist", p.display()));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                walk(&p, out, depth + 1);
            }
        } else if name.ends_with(".brief") {
            out.push(p);
        }
    }
}
