//! `paasctl fmt`: formats .brief files in place (atomically), or reports them with `--check`.
use crate::args::{FormatArg, OutputArgs};
use crate::output::{emit, usage_error, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::project;
use compiler::{fmt, syntax, Diagnostic, Sources};
use std::path::{Path, PathBuf};

/// The path as shown to people and tools: forward slashes, no leading `./`.
fn display(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

pub fn run(paths: &[PathBuf], check: bool, out: &OutputArgs) -> i32 {
    let files = match project::brief_files(paths) {
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
    if out.format == FormatArg::Human {
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
