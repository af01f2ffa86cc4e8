//! The server's long-lived state: the open buffers (overlaid on the disk through the compiler's
//! file-system trait) and one compiler session per service project, each re-checked only when a
//! file of its own changed. An edit of a buffer re-checks its project from memory
//! ([`compiler::Compiler::recheck_project`]: one file read and parsed, nothing searched); opening,
//! saving or closing a file, and an idle moment after edits, check it against the disk again.
use crate::disk::Disk;
use crate::platform::Platform;
use compiler::{Compiler, Diagnostic, FileId, FileSystem, OsFs, Output, OverlayFs};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An open document: its text as the editor has it, and its version.
#[derive(Debug, Clone)]
pub struct Doc {
    pub text: String,
    pub version: i32,
}

/// What a project is: a service directory (with app.toml) or one loose `.brief` file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProjectKey {
    Service(PathBuf),
    Loose(PathBuf),
}

impl ProjectKey {
    /// The directory the project's relative paths start from.
    pub fn root(&self) -> &Path {
        match self {
            ProjectKey::Service(root) => root,
            ProjectKey::Loose(file) => file.parent().unwrap_or(Path::new("/")),
        }
    }
}

/// One project: its compiler session and the result of its last check.
pub struct Project {
    compiler: Compiler,
    pub output: Option<Output>,
    /// Everything the editor shows for it: check, brief.toml and lint, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// What each file was last sent (files without diagnostics are absent): a file is sent its
    /// diagnostics again only when they changed, or when its buffer was edited.
    pub published: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// Buffers edited since the last publication (absolute paths).
    pub edited_docs: BTreeSet<PathBuf>,
    dirty: bool,
    /// The next check searches and reads the disk (else only `edited` is read).
    full: bool,
    /// Project-relative paths of the buffers edited since the last check.
    edited: BTreeSet<String>,
    /// The last check took unedited files from memory: the disk is looked at again when idle.
    pub from_memory: bool,
}

/// Every open buffer and every project seen so far.
#[derive(Default)]
pub struct Workspace {
    pub docs: BTreeMap<PathBuf, Doc>,
    projects: BTreeMap<ProjectKey, Project>,
    /// The platform rules, when the server was given them.
    pub platform: Option<Box<dyn Platform>>,
    /// The disk under the open buffers.
    disk: Disk,
    /// Results replaced by a newer check, dropped once the newer one is published (freeing a
    /// big project's last result takes a while: not before the editor has its diagnostics).
    replaced: Vec<Output>,
}

impl Workspace {
    /// An empty workspace whose checks add the platform's rules, if given.
    pub fn with_platform(platform: Option<Box<dyn Platform>>) -> Self {
        Workspace {
            platform,
            ..Workspace::default()
        }
    }

    /// The project `path` belongs to: the nearest directory above it with an app.toml (on disk
    /// or open in the editor), else the file alone.
    pub fn key_of(&self, path: &Path) -> ProjectKey {
        let fs = OsFs;
        for dir in path.ancestors().skip(1) {
            let app = dir.join("app.toml");
            if self.docs.contains_key(&app) || fs.is_file(&app) {
                return ProjectKey::Service(dir.to_path_buf());
            }
        }
        ProjectKey::Loose(path.to_path_buf())
    }

    /// Marks the project of `path` for a check against the disk before the next answer or the
    /// next idle moment.
    pub fn touch(&mut self, path: &Path) -> ProjectKey {
        let key = self.key_of(path);
        let project = self.projects.entry(key.clone()).or_insert_with(|| Project {
            compiler: Compiler::new(),
            output: None,
            diagnostics: Vec::new(),
            published: BTreeMap::new(),
            edited_docs: BTreeSet::new(),
            dirty: true,
            full: true,
            edited: BTreeSet::new(),
            from_memory: false,
        });
        project.dirty = true;
        project.full = true;
        key
    }

    /// Marks the project of the buffer `path`, just edited, for a check in which only that
    /// buffer is read again (see [`compiler::Compiler::recheck_project`]); a project not checked
    /// yet, or a file that is not one of its `.brief` files or its app.toml, gets a full check.
    pub fn edit(&mut self, path: &Path) -> ProjectKey {
        let key = self.key_of(path);
        let rel = relative(key.root(), path);
        let project = self.projects.get_mut(&key);
        match (project, rel) {
            (Some(p), Some(rel)) if p.output.as_ref().is_some_and(|o| is_input(o, &rel)) => {
                p.dirty = true;
                p.edited.insert(rel);
                p.edited_docs.insert(path.to_path_buf());
            }
            _ => {
                self.touch(path);
                if let Some(p) = self.projects.get_mut(&key) {
                    p.edited_docs.insert(path.to_path_buf());
                }
            }
        }
        key
    }

    /// Projects whose last check took files from memory.
    pub fn checked_from_memory(&self) -> Vec<ProjectKey> {
        self.projects
            .iter()
            .filter(|(_, p)| p.from_memory)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Marks a project for a check against the disk (when the server is idle after edits).
    pub fn recheck_disk(&mut self, key: &ProjectKey) {
        if let Some(p) = self.projects.get_mut(key) {
            p.dirty = true;
            p.full = true;
        }
    }

    /// Projects waiting for a check.
    pub fn dirty(&self) -> Vec<ProjectKey> {
        self.projects
            .iter()
            .filter(|(_, p)| p.dirty)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Re-checks one project over the disk and the open buffers, if it changed.
    pub fn check(&mut self, key: &ProjectKey) -> Option<&mut Project> {
        self.disk.begin_check();
        let mut overlay = OverlayFs::new(&self.disk);
        for (path, doc) in &self.docs {
            overlay.set(path.clone(), doc.text.clone().into_bytes());
        }
        let project = self.projects.get_mut(key)?;
        if project.dirty {
            let root = key.root();
            let edited = std::mem::take(&mut project.edited);
            let fast = !project.full && project.output.is_some();
            let mut output = match key {
                ProjectKey::Service(root) if fast => {
                    project.compiler.recheck_project(&overlay, root, &edited)
                }
                ProjectKey::Service(root) => project.compiler.check_project(&overlay, root),
                ProjectKey::Loose(file) => project.compiler.check_file(&overlay, root, file),
            };
            project.from_memory = fast && matches!(key, ProjectKey::Service(_));
            project.full = false;
            if let (Some(platform), ProjectKey::Service(root)) = (&self.platform, key) {
                if output.app.is_some() {
                    platform.check(root, &mut output);
                }
            }
            let mut diagnostics = output.diagnostics.clone();
            diagnostics.extend(compiler::lint::lint_output(&mut output, &overlay, root));
            let diagnostics = sorted_unique(diagnostics);
            if let Some(old) = project.output.replace(output) {
                self.replaced.push(old);
            }
            project.diagnostics = diagnostics;
            project.dirty = false;
        }
        Some(project)
    }

    /// Drops the results that newer checks replaced. Here, on the thread that made them: freed
    /// on another thread, glibc's allocator made each edit of a 1,000-file project cost 14 ms of
    /// CPU instead of 8 (measured with the did_change bench).
    pub fn drop_replaced(&mut self) {
        self.replaced.clear();
    }

    /// Checks a project as it would be with some files replaced (by absolute path), in a
    /// compiler of its own: the project's session and its last result are left alone.
    pub fn check_with(&self, key: &ProjectKey, replaced: &BTreeMap<PathBuf, String>) -> Output {
        let mut overlay = OverlayFs::new(&OsFs);
        for (path, doc) in &self.docs {
            overlay.set(path.clone(), doc.text.clone().into_bytes());
        }
        for (path, text) in replaced {
            overlay.set(path.clone(), text.clone().into_bytes());
        }
        let mut compiler = Compiler::new();
        match key {
            ProjectKey::Service(root) => compiler.check_project(&overlay, root),
            ProjectKey::Loose(file) => compiler.check_file(&overlay, key.root(), file),
        }
    }

    /// The last result of a project's check, as it is.
    pub fn output(&self, key: &ProjectKey) -> Option<&Output> {
        self.projects.get(key)?.output.as_ref()
    }

    /// Everything the editor shows for a project (check, brief.toml and lint), as last checked.
    pub fn diagnostics(&self, key: &ProjectKey) -> &[Diagnostic] {
        self.projects
            .get(key)
            .map_or(&[], |p| p.diagnostics.as_slice())
    }

    /// The checked project of `path` with the file's id in it, checking it first if needed.
    pub fn analysis(&mut self, path: &Path) -> Option<(ProjectKey, &Output, FileId)> {
        let key = self.key_of(path);
        if !self.projects.contains_key(&key) {
            self.touch(path);
        }
        let root = key.root().to_path_buf();
        let output = self.check(&key)?.output.as_ref()?;
        let rel = relative(&root, path)?;
        let id = output
            .sources
            .iter()
            .find(|(_, f)| f.path == rel)
            .map(|(id, _)| id)?;
        Some((key, output, id))
    }
}

/// Whether `rel` is app.toml or one of the `.brief` files of a check's result.
fn is_input(output: &Output, rel: &str) -> bool {
    rel == "app.toml" || output.files.contains_key(rel)
}

/// Diagnostics sorted (by file, position, code), each once: equal ones have the same sort key,
/// so only those next to each other under one key are compared (linear, not quadratic, in a file
/// with thousands of findings).
fn sorted_unique(mut all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut out: Vec<Diagnostic> = Vec::with_capacity(all.len());
    let mut group = 0;
    for d in all {
        if out.last().is_some_and(|l| l.sort_key() != d.sort_key()) {
            group = out.len();
        }
        if !out[group..].contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Directories never searched for projects (as the compiler skips them for `.brief` files).
const SKIP_DIRS: &[&str] = &["target", "node_modules", "vendor"];

/// Every service project (a directory with app.toml) under `folder`, the folder included, in
/// path order; hidden and build directories are not searched, nor anything deeper than 8 levels.
pub fn service_projects(folder: &Path) -> Vec<PathBuf> {
    let fs = OsFs;
    let mut out = Vec::new();
    let mut work = vec![(folder.to_path_buf(), 0)];
    while let Some((dir, depth)) = work.pop() {
        if fs.is_file(&dir.join("app.toml")) {
            out.push(dir.clone());
        }
        if depth >= 8 {
            continue;
        }
        let Ok(entries) = fs.list(&dir) else {
            continue;
        };
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if fs.is_dir(&p) && !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                work.push((p, depth + 1));
            }
        }
    }
    out.sort();
    out
}

/// `path` relative to `root` with forward slashes, as the compiler names files.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Doc, ProjectKey, Workspace};

    #[test]
    fn a_change_re_parses_only_the_changed_file_and_an_edit_reads_only_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("app.toml"), "name = \"a\"\n").unwrap();
        std::fs::write(
            root.join("service.brief"),
            "service \"a\" `A`\nimport \"t.brief\"\n",
        )
        .unwrap();
        std::fs::write(root.join("t.brief"), "message T `T` { a int }\n").unwrap();
        std::fs::write(root.join("u.brief"), "message U `U` { a int }\n").unwrap();
        let mut ws = Workspace::default();
        let key = ProjectKey::Service(root.to_path_buf());
        let t = root.join("t.brief");
        let doc = |text: &str, version| Doc {
            text: text.to_owned(),
            version,
        };
        ws.docs
            .insert(t.clone(), doc("message T `T` { a int }\n", 1));
        ws.touch(&t);
        let parses = |ws: &mut Workspace| ws.check(&key).unwrap().compiler.parse_count();
        assert_eq!(parses(&mut ws), 3, "every file once");
        ws.docs
            .insert(t.clone(), doc("message T `T` { a strng }\n", 2));
        ws.touch(&t);
        assert_eq!(parses(&mut ws), 4, "only the changed file again");
        assert!(ws.diagnostics(&key).iter().any(|d| d.code == "E0201"));
        // An edit of the buffer: checked from memory, reading only that buffer.
        ws.docs
            .insert(t.clone(), doc("message T `T` { a int }\n", 3));
        ws.edit(&t);
        let project = ws.check(&key).unwrap();
        assert_eq!(project.compiler.parse_count(), 5);
        assert_eq!(project.compiler.read_count(), 1, "t.brief alone");
        assert!(project.from_memory, "the disk is looked at again when idle");
        assert!(!ws.diagnostics(&key).iter().any(|d| d.code == "E0201"));
    }
}
