//! `paasctl breaking`: compares the project with a directory or a git revision of it.
use crate::args::{CategoryArg, OutputArgs};
use crate::gitfs::GitFs;
use crate::output::{
    emit, eprint_plain, path_prefix, usage_error, EXIT_INPUT, EXIT_OK, EXIT_USAGE,
};
use crate::project;
use compiler::breaking::{self, Filter};
use compiler::{Compiler, OsFs};
use std::path::Path;

pub fn run(path: &Path, against: &str, category: CategoryArg, out: &OutputArgs) -> i32 {
    let root = match project::root(path) {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let new = match project::load(&root) {
        Ok(p) => p.output,
        Err(e) => return usage_error(&e),
    };
    let prefix = path_prefix(&root);
    if new.has_errors() {
        emit(&new.diagnostics, &new.sources, out, &prefix);
        return EXIT_INPUT;
    }
    let against_dir = Path::new(against);
    let (old, what) = if against_dir.is_dir() {
        (
            Compiler::new().check_project(&OsFs, against_dir),
            format!("`{against}`"),
        )
    } else {
        let (fs, old_root) = match GitFs::open(&root, against) {
            Ok(x) => x,
            Err(e) => return usage_error(&e),
        };
        if fs.is_empty() {
            eprintln!("note: the project has no files at `{against}`; nothing to compare");
            return EXIT_OK;
        }
        (
            Compiler::new().check_project(&fs, &old_root),
            format!("revision `{against}`"),
        )
    };
    let Some(old_ir) = &old.ir else {
        eprintln!("error: the baseline ({what}) has errors; cannot compare against it:");
        eprint_plain(&old.diagnostics, &old.sources);
        return EXIT_USAGE;
    };
    let filter = match category {
        CategoryArg::Wire => Filter::Wire,
        CategoryArg::Source => Filter::Source,
        CategoryArg::All => Filter::All,
    };
    let diags = breaking::compare(old_ir, &new, filter);
    emit(&diags, &new.sources, out, &prefix);
    if diags.iter().any(compiler::Diagnostic::is_error) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
