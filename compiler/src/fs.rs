//! The small file-system trait through which the compiler core gets its inputs.
//!
//! The core never touches the disk: the CLI passes [`OsFs`], tests and the language server pass
//! [`MemFs`], and a language server puts its unsaved editor buffers in an [`OverlayFs`].
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// What the compiler needs from a file system: read a file, list a directory.
pub trait FileSystem {
    /// The bytes of a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The entries of a directory (files and directories), in any order.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// Whether `path` is a file.
    fn is_file(&self, path: &Path) -> bool;
}

/// An in-memory file system, for tests, fuzzing and editor buffers.
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemFs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), content.into());
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        // Keys are ordered by path components, so a directory's descendants are contiguous.
        let mut out: Vec<PathBuf> = Vec::new();
        for p in self.files.range(dir.to_path_buf()..) {
            let Ok(rest) = p.0.strip_prefix(dir) else {
                break;
            };
            if let Some(first) = rest.components().next() {
                let child = dir.join(first.as_os_str());
                if out.last() != Some(&child) {
                    out.push(child);
                }
            }
        }
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files
            .range(path.to_path_buf()..)
            .find(|(p, _)| p.as_path() != path)
            .is_some_and(|(p, _)| p.starts_with(path))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
}

/// The real file system. Only the CLI and test harnesses construct it; the core sees the trait.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsFs;

impl FileSystem for OsFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// Reads through to a base file system except where a buffer is set (the buffer wins) or the
/// path is removed (it does not exist). A language server puts the open documents here.
pub struct OverlayFs<'a> {
    base: &'a dyn FileSystem,
    /// `Some(text)` for a buffer, `None` for a removal.
    layer: BTreeMap<PathBuf, Option<Vec<u8>>>,
}

impl<'a> OverlayFs<'a> {
    pub fn new(base: &'a dyn FileSystem) -> Self {
        OverlayFs {
            base,
            layer: BTreeMap::new(),
        }
    }

    /// Sets the content of `path`, whether or not the base has it.
    pub fn set(&mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) {
        self.layer.insert(path.into(), Some(content.into()));
    }

    /// Hides `path` (a file deleted in the editor but not yet on disk).
    pub fn remove(&mut self, path: impl Into<PathBuf>) {
        self.layer.insert(path.into(), None);
    }

    /// Drops the overlay's entry for `path`: the base shows through again (a buffer was closed).
    pub fn reset(&mut self, path: &Path) {
        self.layer.remove(path);
    }

    /// The overlay's buffers and removals below `dir`, as direct children of `dir`.
    fn layer_children(&self, dir: &Path) -> Vec<(PathBuf, bool)> {
        let mut out = Vec::new();
        for (p, content) in self.layer.range(dir.to_path_buf()..) {
            let Ok(rest) = p.strip_prefix(dir) else {
                break;
            };
            let mut parts = rest.components();
            let Some(first) = parts.next() else { continue };
            let child = dir.join(first.as_os_str());
            // A removal hides only the file itself, not the directories above it.
            let is_file_entry = parts.next().is_none();
            out.push((child, content.is_some() || !is_file_entry));
        }
        out
    }
}

impl FileSystem for OverlayFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.layer.get(path) {
            Some(Some(b)) => Ok(b.clone()),
            Some(None) => Err(io::Error::new(io::ErrorKind::NotFound, "removed")),
            None => self.base.read(path),
        }
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let base = self.base.list(dir);
        let extra = self.layer_children(dir);
        if base.is_err() && extra.iter().all(|(_, present)| !present) {
            return base;
        }
        let mut out: Vec<PathBuf> = base.unwrap_or_default();
        for (child, present) in extra {
            let removed = !present && matches!(self.layer.get(&child), Some(None));
            if removed {
                out.retain(|p| p != &child);
            } else if !out.contains(&child) {
                out.push(child);
            }
        }
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        if self.layer.contains_key(path) {
            return false;
        }
        self.base.is_dir(path)
            || self
                .layer
                .range(path.to_path_buf()..)
                .take_while(|(p, _)| p.starts_with(path))
                .any(|(p, c)| c.is_some() && p != path)
    }

    fn is_file(&self, path: &Path) -> bool {
        match self.layer.get(path) {
            Some(c) => c.is_some(),
            None => self.base.is_file(path),
        }
    }
}

#[cfg(test)]
mod overlay_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn base() -> MemFs {
        let mut fs = MemFs::new();
        fs.insert("/p/a.brief", "a");
        fs.insert("/p/rpc/b.brief", "b");
        fs
    }

    #[test]
    fn buffers_win_and_removals_hide() {
        let base = base();
        let mut o = OverlayFs::new(&base);
        o.set("/p/a.brief", "A");
        o.set("/p/new/c.brief", "C");
        o.remove("/p/rpc/b.brief");
        assert_eq!(o.read(Path::new("/p/a.brief")).unwrap(), b"A");
        assert!(o.read(Path::new("/p/rpc/b.brief")).is_err());
        assert!(!o.is_file(Path::new("/p/rpc/b.brief")));
        assert!(o.is_file(Path::new("/p/new/c.brief")));
        assert!(o.is_dir(Path::new("/p/new")));
        let mut top = o.list(Path::new("/p")).unwrap();
        top.sort();
        assert_eq!(
            top,
            [
                PathBuf::from("/p/a.brief"),
                PathBuf::from("/p/new"),
                PathBuf::from("/p/rpc")
            ]
        );
        assert!(o.list(Path::new("/p/rpc")).unwrap().is_empty());
        o.reset(Path::new("/p/a.brief"));
        assert_eq!(o.read(Path::new("/p/a.brief")).unwrap(), b"a");
    }
}
