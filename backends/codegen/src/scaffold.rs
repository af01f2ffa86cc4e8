//! What a backend gives `paasctl service create`: a new service's hand-written starting code in
//! its language, and the commands that generate, build, test and run it.
use crate::{template, GeneratedFile};
use serde::Serialize;

/// A new service's code for one engine. The files are the user's from then on (they carry no
/// generated marker); `codegen` says how `paasctl codegen` regenerates the code they build on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffold {
    /// The engine's files, paths relative to the service directory (`main.go`, `go.mod`, ...).
    pub files: Vec<GeneratedFile>,
    /// Where generated code goes, relative to the service directory (`gen`).
    pub generated_dir: String,
    /// The `paasctl codegen` options after `--out <generated_dir>` (`--lang go --go-import-path m/gen`).
    pub codegen_args: Vec<String>,
    /// Shell commands, run in the service directory, that build it.
    pub build: Vec<String>,
    /// Shell commands that run its unit tests.
    pub test: Vec<String>,
    /// The shell command that serves it locally on `$PORT` (default 8080).
    pub run: String,
}

/// The inside of a TOML basic string (`"..."`) holding `s`: quotes, backslashes and control
/// characters escaped (app.toml and Cargo.toml of a new service).
pub fn toml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Every template of `templates` (file path, source) rendered with `vm`, one file each, in
/// order: a new service's hand-written files. A template failure is E0701 naming `backend`.
pub fn render_files(
    backend: &str,
    templates: &[(&'static str, &'static str)],
    vm: &impl Serialize,
) -> Result<Vec<GeneratedFile>, compiler::Diagnostic> {
    let internal = |e: minijinja::Error| template::internal_error(backend, &e);
    let env = template::environment(templates).map_err(internal)?;
    let mut files = Vec::new();
    for (name, _) in templates {
        let text = template::render(&env, name, vm).map_err(internal)?;
        files.push(GeneratedFile::new(*name, text));
    }
    Ok(files)
}
