//! Source files, file ids and spans, with line/column lookup for diagnostics and the IR.
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::Arc;

/// A file's id: its index in a [`Sources`] map. A long-lived [`crate::Compiler`] gives a path
/// the same id in every run, so ids of one run may have gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

/// A source location as the IR records it: project-relative path, byte range, 1-based line and
/// column of the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loc {
    pub file: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// One source file: its project-relative path (forward slashes) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: Arc<str>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }
}

/// All files of one run, by id. Implements codespan's `Files` for rendering.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Shared: a long-lived compiler hands the same line table to every run until the text changes.
    files: Vec<Option<Arc<SourceFile>>>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file under a new id (after every id in use) and returns it. Callers add each file
    /// once per run.
    pub fn add(&mut self, path: impl Into<String>, text: Arc<str>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files
            .push(Some(Arc::new(SourceFile::new(path.into(), text))));
        id
    }

    /// Adds (or replaces) the file with a given id.
    pub fn insert(&mut self, id: FileId, path: impl Into<String>, text: Arc<str>) {
        self.insert_shared(id, Arc::new(SourceFile::new(path.into(), text)));
    }

    /// Adds (or replaces) the file with a given id, sharing a file made earlier.
    pub fn insert_shared(&mut self, id: FileId, file: Arc<SourceFile>) {
        let i = id.0 as usize;
        if self.files.len() <= i {
            self.files.resize(i + 1, None);
        }
        self.files[i] = Some(file);
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)?.as_deref()
    }

    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.path.as_str()).unwrap_or("<unknown>")
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((FileId(i as u32), f.as_deref()?)))
    }

    /// The IR's location record for a span.
    pub fn loc(&self, span: &Span) -> Loc {
        let (line, column) = self
            .get(span.file)
            .map(|f| f.line_col(span.range.start))
            .unwrap_or((1, 1));
        Loc {
            file: self.path(span.file).to_owned(),
            start: span.range.start,
            end: span.range.end,
            line,
            column,
        }
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.get(id)
            .map(|f| f.path.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.get(id)
            .map(|f| &*f.text)
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        self.get(id)
            .map(|f| f.line_index(byte_index))
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let f = self
            .get(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        let start = *f.line_starts.get(line_index).ok_or(
            codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: f.line_starts.len().saturating_sub(1),
            },
        )?;
        let end = f
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(f.text.len());
        Ok(start..end)
    }
}
