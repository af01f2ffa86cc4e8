//! `paasctl service create`: a new service project that builds, tests and deploys. The contract
//! files are checked in memory first (a bad name gets app.toml's own diagnostic, and nothing is
//! written); then the engine's code, the generated code and the project files are written at once
//! with the atomic writer, and the result is checked on disk as `paasctl check` would.
use crate::args::{CreateArgs, EngineArg, ServiceCommand};
use crate::output::{emit, path_prefix, usage_error, EXIT_INPUT, EXIT_OK};
use crate::scaffold::{self, NewService, EXAMPLE_RPC};
use crate::{platform, project};
use brief_codegen::scaffold::Scaffold;
use brief_codegen::write::{write_dir, Guard};
use brief_codegen::{Backend, GeneratedFile};
use compiler::{Compiler, MemFs, Output, Sources};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn run(command: ServiceCommand) -> i32 {
    match command {
        ServiceCommand::Create(args) => create(&args),
    }
}

fn create(a: &CreateArgs) -> i32 {
    let interactive = !a.yes && std::io::stdin().is_terminal();
    let name = match (&a.name, interactive) {
        (Some(n), _) => n.clone(),
        (None, true) => ask("Service name (a DNS label, like billing)", None),
        (None, false) => {
            return usage_error(
                "`service create` needs NAME (or run it in a terminal to be asked for it)",
            )
        }
    };
    let engine = match (a.engine, interactive) {
        (Some(e), _) => e,
        (None, true) => loop {
            let answer = ask("Engine (golang, php, rust)", Some("golang"));
            match answer.as_str() {
                "golang" | "go" => break EngineArg::Golang,
                "php" => break EngineArg::Php,
                "rust" => break EngineArg::Rust,
                other => {
                    eprintln!("  `{other}` is not an engine with a backend: golang, php or rust")
                }
            }
        },
        (None, false) => EngineArg::Golang,
    };
    let default_description = format!("The {name} service");
    let description = match (&a.description, interactive) {
        (Some(d), _) => d.clone(),
        (None, true) => ask("Description", Some(&default_description)),
        (None, false) => default_description,
    };
    let depends_on = if a.depends_on.is_empty() && interactive {
        ask("Services it calls, separated by spaces", Some("none"))
            .split_whitespace()
            .filter(|d| *d != "none")
            .map(str::to_owned)
            .collect()
    } else {
        a.depends_on.clone()
    };
    let dir = a.dir.clone().unwrap_or_else(|| PathBuf::from(&name));
    if let Err(e) = must_be_empty(&dir) {
        return usage_error(&e);
    }

    let mut platform_sources = Sources::default();
    let pf = match platform::load(&mut platform_sources, a.platform.as_deref()) {
        Err(e) => return usage_error(&e),
        Ok(Err(diags)) => {
            emit(&diags, &platform_sources, &a.out, "");
            return EXIT_INPUT;
        }
        Ok(Ok(pf)) => pf,
    };
    let envs: Vec<String> = pf.platform.environments.keys().cloned().collect();
    let new = NewService {
        name,
        engine: engine.app_toml_name(),
        description,
        depends_on,
    };

    // The contract files, checked before anything exists on disk.
    let contract = match scaffold::contract_files(&new, &envs) {
        Ok(f) => f,
        Err(d) => return internal(d, &a.out),
    };
    let mut fs = MemFs::new();
    for f in &contract {
        fs.insert(dir.join(&f.path), f.contents.clone());
    }
    let mut output = Compiler::new().check_project(&fs, &dir);
    backend_k8s::check_output(&mut output);
    if output.app.is_some() {
        backend_k8s::check_platform(&mut output, &pf);
    }
    let prefix = path_prefix(&dir);
    if output.has_errors() {
        emit(&output.diagnostics, &output.sources, &a.out, &prefix);
        eprintln!("note: nothing was written");
        return EXIT_INPUT;
    }

    let (scaffold, generated) = match engine_code(engine, a, &new, &output) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let project_files = match scaffold::project_files(&new, &scaffold, &envs) {
        Ok(f) => f,
        Err(d) => return internal(d, &a.out),
    };
    let mut files = contract;
    files.extend(scaffold.files.iter().cloned());
    files.extend(
        generated.into_iter().map(|f| {
            GeneratedFile::new(format!("{}/{}", scaffold.generated_dir, f.path), f.contents)
        }),
    );
    files.extend(project_files);
    files.sort_by(|x, y| x.path.cmp(&y.path));
    if let Err(e) = write_dir(&dir, &files, Guard::None) {
        return usage_error(&format!("cannot write `{}`: {e}", dir.display()));
    }

    // What was written, checked as `paasctl check` does.
    let mut written = match project::load(&dir) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    backend_k8s::check_platform(&mut written.output, &pf);
    emit(
        &written.output.diagnostics,
        &written.output.sources,
        &a.out,
        &prefix,
    );
    if written.output.has_errors() {
        return EXIT_INPUT;
    }
    next_steps(&dir, &new, &scaffold, files.len());
    EXIT_OK
}

/// The engine's scaffold and the generated code it builds on.
fn engine_code(
    engine: EngineArg,
    a: &CreateArgs,
    new: &NewService,
    output: &Output,
) -> Result<(Scaffold, Vec<GeneratedFile>), i32> {
    let Some(ir) = &output.ir else {
        return Err(EXIT_INPUT);
    };
    let runtime_dir = match &a.runtime_dir {
        Some(d) => match std::path::absolute(d) {
            Ok(abs) => Some(abs),
            Err(e) => return Err(usage_error(&format!("--runtime-dir: {e}"))),
        },
        None => None,
    };
    match engine {
        EngineArg::Golang => {
            let module = a.go_module.clone().unwrap_or_else(|| new.name.clone());
            let runtime_go = runtime_dir.map(|d| d.join("runtime-go").display().to_string());
            let version = format!("v{}", env!("CARGO_PKG_VERSION"));
            let opts = brief_backend_go::scaffold::ScaffoldOptions {
                module: &module,
                runtime_version: &version,
                runtime_dir: runtime_go.as_deref(),
                example_rpc: EXAMPLE_RPC,
            };
            let scaffold =
                brief_backend_go::scaffold::scaffold(ir, &opts).map_err(|d| internal(d, &a.out))?;
            let import = format!("{module}/{}", scaffold.generated_dir);
            let go = brief_backend_go::Go::new(&import)
                .map_err(|e| usage_error(&format!("--go-module: {e}")))?;
            let generated = go.generate(ir, &output.sources).map_err(|diags| {
                emit(&diags, &output.sources, &a.out, "");
                EXIT_INPUT
            })?;
            Ok((scaffold, generated))
        }
        EngineArg::Php => {
            let runtime_php = runtime_dir.map(|d| d.join("runtime-php").display().to_string());
            let opts = backend_php::scaffold::ScaffoldOptions {
                runtime_version: env!("CARGO_PKG_VERSION"),
                runtime_dir: runtime_php.as_deref(),
                example_rpc: EXAMPLE_RPC,
            };
            let scaffold =
                backend_php::scaffold::scaffold(ir, &opts).map_err(|d| internal(d, &a.out))?;
            let namespace = scaffold.codegen_args.last().cloned().unwrap_or_default();
            let php = backend_php::Php::new(&namespace)
                .map_err(|e| usage_error(&format!("cannot generate PHP: {e}")))?;
            let generated = php.generate(ir, &output.sources).map_err(|diags| {
                emit(&diags, &output.sources, &a.out, "");
                EXIT_INPUT
            })?;
            Ok((scaffold, generated))
        }
        EngineArg::Rust => {
            let runtime_rust = runtime_dir.map(|d| d.join("runtime-rust").display().to_string());
            let opts = backend_rust::scaffold::ScaffoldOptions {
                runtime_version: env!("CARGO_PKG_VERSION"),
                runtime_dir: runtime_rust.as_deref(),
                example_rpc: EXAMPLE_RPC,
            };
            let scaffold =
                backend_rust::scaffold::scaffold(ir, &opts).map_err(|d| internal(d, &a.out))?;
            let generated = backend_rust::Rust::new()
                .generate(ir, &output.sources)
                .map_err(|diags| {
                    emit(&diags, &output.sources, &a.out, "");
                    EXIT_INPUT
                })?;
            Ok((scaffold, generated))
        }
    }
}

fn internal(d: compiler::Diagnostic, out: &crate::args::OutputArgs) -> i32 {
    emit(&[d], &Sources::default(), out, "");
    EXIT_INPUT
}

/// `Err` unless `dir` is absent or an empty directory: `service create` never overwrites.
fn must_be_empty(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(format!("`{}` exists and is not a directory", dir.display()));
    }
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    if entries.next().is_some() {
        return Err(format!(
            "`{}` is not empty: `service create` never overwrites files (choose another --dir)",
            dir.display()
        ));
    }
    Ok(())
}

/// Asks on stderr, reads one line of stdin; an empty answer takes `default`.
fn ask(question: &str, default: Option<&str>) -> String {
    loop {
        let mut err = std::io::stderr().lock();
        let _ = match default {
            Some(d) if !d.is_empty() => write!(err, "{question} [{d}]: "),
            _ => write!(err, "{question}: "),
        };
        let _ = err.flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
            return default.unwrap_or("").to_owned();
        }
        let answer = line.trim();
        match (answer.is_empty(), default) {
            (false, _) => return answer.to_owned(),
            (true, Some(d)) => return d.to_owned(),
            (true, None) => continue,
        }
    }
}

fn next_steps(dir: &Path, new: &NewService, s: &Scaffold, files: usize) {
    eprintln!(
        "created {} service `{}` in {} ({files} files)",
        new.engine,
        new.name,
        dir.display()
    );
    eprintln!("next:");
    eprintln!("  cd {}", dir.display());
    for t in &s.test {
        eprintln!("  {t}");
    }
    eprintln!("  {}", s.run);
}
