//! What a backend gives `paasctl service create`: a new service's hand-written starting code in
//! its language, and the commands that generate, build, test and run it.
use crate::GeneratedFile;

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
