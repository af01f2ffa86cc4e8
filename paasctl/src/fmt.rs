//! `paasctl fmt`: formats .brief files in place (atomically), or reports them with `--check`.
use crate::cli::{emit, usage_error, OutputArgs, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use compiler::{fmt, syntax, Diagnostic, Sources};
use std::path::{Path, PathBuf};

/// Directories never searched for `.brief` files (as `paasctl check` does).
const SKIP_DIRS: &[&str] = &["target", "node_modules", "vendor"];

/// Every `.brief` file named or below a named directory, sorted, without duplicates.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
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

/// The path as shown to people and tools: forward slashes, no leading `./`.
fn display(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

pub fn run(paths: &[PathBuf], check: bool, out: &OutputArgs) -> i32 {
    let files = match collect(paths) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let mut sources = Sources::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut changed = Vec::new();
    let mut io_error = false;
    for path in &files {
        let shown = display(path);
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read `{shown}`: {e}");
                io_error = true;
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            diags.push(Diagnostic::new(
                compiler::codes::E0001,
                format!("`{shown}` is not valid UTF-8; not formatted"),
            ));
            continue;
        };
        let id = sources.add(shown.clone(), text.clone().into());
        let parsed = grammar_parse(&text);
        let Some(formatted) = fmt::format_parsed(&text, &parsed) else {
            diags.extend(parsed.errors.iter().map(|e| syntax::to_diagnostic(id, e)));
            continue;
        };
        if formatted == text {
            continue;
        }
        changed.push(shown.clone());
        if check {
            diags.extend(fmt::check_diagnostic(id, &shown, &text, &formatted));
        } else if let Err(e) = brief_codegen::write::write_file(path, formatted.as_bytes()) {
            eprintln!("error: cannot write `{shown}`: {e}");
            io_error = true;
        }
    }
    emit(&diags, &sources, out, "");
    if out.format == crate::cli::FormatArg::Human {
        let verb = if check { "would reformat" } else { "formatted" };
        for c in &changed {
            eprintln!("{verb} {c}");
        }
    }
    if io_error {
        EXIT_USAGE
    } else if diags.iter().any(Diagnostic::is_error) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

fn grammar_parse(text: &str) -> grammar::Parsed {
    grammar::parse(text)
}
