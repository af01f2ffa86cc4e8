//! The commands, one module each. Each depends on the shared modules (`args`, `output`,
//! `project`) and never on another command; each returns its exit code.
mod breaking;
mod canary;
mod check;
mod codegen;
mod completions;
mod deploy;
mod explain;
mod export;
mod fmt;
mod ir;
mod lint;
mod lsp;
mod manifests;
mod releases;
mod rollback;
mod service;
mod status;
mod sync;

use crate::args::{Command, ManifestsArgs};

/// Runs one parsed command; returns the exit code.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Check {
            path,
            platform,
            out,
        } => check::run(&path, platform.as_deref(), &out),
        Command::Ir { path, out } => ir::run(&path, &out),
        Command::Lsp => lsp::run(),
        Command::Codegen {
            path,
            lang,
            out_dir,
            go_import_path,
            php_namespace,
            out,
        } => codegen::run(
            &path,
            lang,
            &out_dir,
            (go_import_path.as_deref(), php_namespace.as_deref()),
            &out,
        ),
        Command::Explain { code, all } => explain::run(code.as_deref(), all),
        Command::Completions { shell } => completions::run(shell),
        Command::Service { command } => service::run(command),
        Command::Deploy(a) => deploy::run(&a),
        Command::Status(a) => status::run(&a),
        Command::Releases(a) => releases::run(&a),
        Command::Rollback(a) => rollback::run(&a),
        Command::Sync(a) => sync::run(&a),
        Command::Canary { command } => canary::run(&command),
        Command::Manifests {
            path,
            env,
            image,
            out,
            platform,
            diag,
        } => manifests::run(&ManifestsArgs {
            path,
            env,
            image,
            out,
            platform,
            diag,
        }),
        Command::Export { path, format, out } => export::run(&path, format, out.as_deref()),
        Command::Fmt { paths, check, out } => fmt::run(&paths, check, &out),
        Command::Lint {
            path,
            deny_warnings,
            out,
        } => lint::run(&path, deny_warnings, &out),
        Command::Breaking {
            path,
            against,
            category,
            out,
        } => breaking::run(&path, &against, category, &out),
    }
}
