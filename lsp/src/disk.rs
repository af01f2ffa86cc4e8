//! The disk as the server reads it: the real file system, with file contents cached by their
//! modification time and size, and what one check asks about a path (is it a file, a
//! directory, its time and size) asked once, directory listings included. A check of a
//! 1,000-file project then costs one `stat` per file instead of a `stat`, an `open`, a `read`
//! and another `stat`; a file changed on disk is seen at the next check.
use compiler::FileSystem;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// A file's modification time and size: its content is read again when they change.
type Stamp = (SystemTime, u64);

/// A file's content as read, with the stamp it had then.
type Cached = (Stamp, Arc<[u8]>);

/// What a `stat` said.
#[derive(Debug, Clone, Copy)]
struct Meta {
    is_file: bool,
    is_dir: bool,
    /// Modification time and size, for files.
    stamp: Option<Stamp>,
}

/// The cached real file system (see the module doc).
#[derive(Debug, Default)]
pub struct Disk {
    /// Contents by path, with the stamp they were read at.
    contents: RefCell<HashMap<PathBuf, Cached>>,
    /// What this check learnt of each path (`None`: it does not exist).
    meta: RefCell<HashMap<PathBuf, Option<Meta>>>,
    /// The kind of each entry of the directories listed in this check (from the listing, no
    /// `stat`): is it a directory.
    kinds: RefCell<HashMap<PathBuf, bool>>,
}

impl Disk {
    /// Forgets what the last check learnt of paths (contents stay, checked against their stamp).
    pub fn begin_check(&self) {
        self.meta.borrow_mut().clear();
        self.kinds.borrow_mut().clear();
    }

    fn meta(&self, path: &Path) -> Option<Meta> {
        if let Some(m) = self.meta.borrow().get(path) {
            return *m;
        }
        let m = std::fs::metadata(path).ok().map(|m| Meta {
            is_file: m.is_file(),
            is_dir: m.is_dir(),
            stamp: m
                .is_file()
                .then(|| m.modified().ok().map(|t| (t, m.len())))
                .flatten(),
        });
        self.meta.borrow_mut().insert(path.to_path_buf(), m);
        m
    }
}

impl FileSystem for Disk {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let stamp = self.meta(path).and_then(|m| m.stamp);
        if let (Some(stamp), Some((at, bytes))) = (stamp, self.contents.borrow().get(path)) {
            if *at == stamp {
                return Ok(bytes.to_vec());
            }
        }
        let bytes = std::fs::read(path)?;
        if let Some(stamp) = stamp {
            self.contents
                .borrow_mut()
                .insert(path.to_path_buf(), (stamp, Arc::from(bytes.as_slice())));
        }
        Ok(bytes)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        let mut kinds = self.kinds.borrow_mut();
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            let path = e.path();
            // A symbolic link is followed by `stat` later, as `Path::is_dir` does.
            match e.file_type() {
                Ok(t) if !t.is_symlink() => {
                    kinds.insert(path.clone(), t.is_dir());
                }
                _ => {}
            }
            out.push(path);
        }
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        if let Some(&d) = self.kinds.borrow().get(path) {
            return d;
        }
        self.meta(path).is_some_and(|m| m.is_dir)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.meta(path).is_some_and(|m| m.is_file)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Disk;
    use compiler::FileSystem;

    #[test]
    fn a_file_changed_on_disk_is_read_again_at_the_next_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.brief");
        std::fs::write(&path, "one").unwrap();
        let disk = Disk::default();
        disk.begin_check();
        assert_eq!(disk.read(&path).unwrap(), b"one");
        assert!(disk.is_file(&path) && !disk.is_dir(&path));
        std::fs::write(&path, "two, longer").unwrap();
        assert_eq!(
            disk.read(&path).unwrap(),
            b"one",
            "within one check: as first seen"
        );
        disk.begin_check();
        assert_eq!(disk.read(&path).unwrap(), b"two, longer");
        assert_eq!(disk.list(dir.path()).unwrap(), vec![path.clone()]);
        assert!(disk.is_dir(dir.path()));
        std::fs::remove_file(&path).unwrap();
        disk.begin_check();
        assert!(disk.read(&path).is_err() && !disk.is_file(&path));
    }
}
