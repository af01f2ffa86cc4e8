//! Atomic output: the stage files go to a temporary directory beside OUT, which then replaces
//! OUT. A failed run leaves the previous output as it was.
use crate::Manifests;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "manifests".to_owned());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes the stage files of `m` as the whole content of directory `out` (created if needed).
pub fn write_atomic(m: &Manifests, out: &Path) -> io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let tmp = sibling(out, "tmp");
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    let result = (|| {
        fs::create_dir(&tmp)?;
        for f in &m.files {
            let mut file = fs::File::create(tmp.join(f.stage.file_name()))?;
            file.write_all(f.yaml.as_bytes())?;
            file.sync_all()?;
        }
        replace_dir(&tmp, out)
    })();
    if result.is_err() && tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Moves `new` to `out`; an existing `out` is moved aside first and restored if that fails.
fn replace_dir(new: &Path, out: &Path) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(new, out);
    }
    if !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a directory", out.display()),
        ));
    }
    let old = sibling(out, "old");
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(new, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    fs::remove_dir_all(&old)
}
