//! The one output module: exit codes, diagnostics in every `--format`, summaries and usage errors.
use crate::args::{ColorArg, FormatArg, OutputArgs};
use compiler::render;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Exit code: clean run (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Exit code: errors in the input.
pub const EXIT_INPUT: i32 = 1;
/// Exit code: usage or IO error.
pub const EXIT_USAGE: i32 = 2;

/// Prints clap's message for arguments that did not parse (or the help it was asked for) and
/// returns the exit code: help and version are a clean run, anything else a usage error.
pub fn parse_error(e: &clap::Error) -> i32 {
    let _ = e.print();
    match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => EXIT_OK,
        _ => EXIT_USAGE,
    }
}

pub fn use_color(c: ColorArg) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// The path prefix that makes a project's relative paths relative to the current directory, with
/// forward slashes: the one path base of every machine format (JSON, SARIF, GitHub), because CI
/// runs from the repository root and annotations point at files from there.
pub fn path_prefix(project_dir: &Path) -> String {
    let rel = if project_dir.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| project_dir.strip_prefix(&cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| project_dir.to_path_buf())
    } else {
        project_dir.to_path_buf()
    };
    rel.to_string_lossy().replace('\\', "/")
}

fn render_format(f: FormatArg) -> render::Format {
    match f {
        FormatArg::Human => render::Format::Human,
        FormatArg::Json => render::Format::Json,
        FormatArg::Sarif => render::Format::Sarif,
        FormatArg::Github => render::Format::Github,
    }
}

/// Prints diagnostics in any format: human to stderr with a summary line, the machine formats
/// to stdout. `prefix` (see [`path_prefix`]) is joined onto the machine formats' paths.
pub fn emit(
    diags: &[compiler::Diagnostic],
    sources: &compiler::Sources,
    out: &OutputArgs,
    prefix: &str,
) {
    let format = render_format(out.format);
    let text = render::render(format, diags, sources, use_color(out.color), prefix);
    if format == render::Format::Human {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        if errors + warnings > 0 {
            let _ = writeln!(err, "{}", summary(errors, warnings));
        }
    } else {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

/// Prints diagnostics to stderr only, in the format asked for, for a command whose stdout is its
/// product (`ir`): human text without a summary line, or the machine format itself.
pub fn emit_to_stderr(
    diags: &[compiler::Diagnostic],
    sources: &compiler::Sources,
    out: &OutputArgs,
    prefix: &str,
) {
    let format = render_format(out.format);
    let text = render::render(format, diags, sources, use_color(out.color), prefix);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Prints diagnostics that explain a usage error (a baseline that does not check) to stderr,
/// uncoloured, whatever `--format` says.
pub fn eprint_plain(diags: &[compiler::Diagnostic], sources: &compiler::Sources) {
    let text = render::human(diags, sources, false);
    eprint!("{text}");
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, w) => format!("{} found", plural(w, "warning")),
        (e, 0) => format!("{} found", plural(e, "error")),
        (e, w) => format!("{} and {} found", plural(e, "error"), plural(w, "warning")),
    }
}

pub fn usage_error(msg: &str) -> i32 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

/// The process ends right after a command: freeing a large project's trees and IR piece by piece
/// would cost more than checking a file, so it is left to the operating system.
pub fn exit_without_drop<T>(value: T, code: i32) -> i32 {
    std::mem::forget(value);
    code
}
