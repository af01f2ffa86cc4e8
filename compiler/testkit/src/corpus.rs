//! The golden corpora and how their cases are found; shared by the kit's build script (which
//! makes one test per case) and its library (which lists the cases at run time).
use std::path::{Path, PathBuf};

/// What a corpus's cases are: sub-directories, or files with an extension (the name is the stem).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Dirs,
    Files(&'static str),
}

/// One golden corpus: a directory of the repository whose entries are cases; its `snapshots/`
/// sub-directory (if any) is not a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corpus {
    /// The name of the macro that makes one test per case (`golden_cases!` and so on).
    pub macro_name: &'static str,
    /// The directory, relative to the repository root.
    pub dir: &'static str,
    pub layout: Layout,
}

/// `golden/cases/<name>/`: whole projects.
pub const CASES: Corpus = Corpus {
    macro_name: "golden_cases",
    dir: "golden/cases",
    layout: Layout::Dirs,
};
/// `golden/lint/<name>/`: lint projects.
pub const LINT: Corpus = Corpus {
    macro_name: "lint_cases",
    dir: "golden/lint",
    layout: Layout::Dirs,
};
/// `golden/breaking/<name>/{before,after}/`: pairs of versions.
pub const BREAKING: Corpus = Corpus {
    macro_name: "breaking_cases",
    dir: "golden/breaking",
    layout: Layout::Dirs,
};
/// `golden/fmt/<name>.brief`: formatter inputs.
pub const FMT: Corpus = Corpus {
    macro_name: "fmt_cases",
    dir: "golden/fmt",
    layout: Layout::Files("brief"),
};
/// `golden/manifests/<name>/`: bad inputs of the manifests backend.
pub const MANIFESTS: Corpus = Corpus {
    macro_name: "manifests_cases",
    dir: "golden/manifests",
    layout: Layout::Dirs,
};

/// Every corpus; a new one is added here and gets its macro.
pub const ALL: &[Corpus] = &[CASES, LINT, BREAKING, FMT, MANIFESTS];

impl Corpus {
    /// The cases below the repository root `repo`, sorted by name.
    pub fn cases_in(&self, repo: &Path) -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(repo.join(self.dir)) else {
            return Vec::new();
        };
        let mut out: Vec<(String, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n != "snapshots"))
            .filter(|p| match self.layout {
                Layout::Dirs => p.is_dir(),
                Layout::Files(ext) => p.is_file() && p.extension().is_some_and(|e| e == ext),
            })
            .filter_map(|p| {
                let name = p.file_stem()?.to_string_lossy().into_owned();
                Some((name, p))
            })
            .collect();
        out.sort();
        out
    }
}

/// The Rust name of a case's test: `-` and `.` become `_`; a leading digit gets `case_`.
pub fn test_name(case: &str) -> String {
    let name: String = case
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("case_{name}")
    } else {
        name
    }
}
