//! The small file-system trait through which the compiler core gets its inputs.
//!
//! The core never touches the disk: the CLI passes [`OsFs`], tests and the language server pass
//! [`MemFs`] (or their own overlay of unsaved editor buffers).
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
