//! Loading a service project through the file-system trait, with a content-keyed parse cache,
//! then resolution, checks and the IR.
use crate::app::{self, AppFile};
use crate::check::{self, Resolved};
use crate::diagnostic::{codes, did_you_mean, Diagnostic};
use crate::fs::FileSystem;
use crate::ir::{self, Ir};
use crate::model::{self, Model};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::syntax;
use grammar::ast::Item;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Directories never searched for `.brief` files.
const SKIP_DIRS: &[&str] = &["target", "node_modules", "vendor"];

/// A long-lived compiler: gives each path one [`FileId`] for its whole life, and keeps parsed
/// files cached between runs (checked against the content), so that a change to one file
/// re-parses only that file (the language server and the pre-commit hook rely on it).
/// [`Compiler::recheck_project`] goes further: told which files changed, it reads only those.
#[derive(Debug, Default)]
pub struct Compiler {
    /// Project-relative path -> its id, assigned on first read and never reused.
    ids: HashMap<String, FileId>,
    cache: HashMap<FileId, Cached>,
    parses: usize,
    /// app.toml as last read and parsed, with its problems.
    app: Option<CachedApp>,
    /// The root of the last [`Compiler::check_project`] and the `.brief` files it found there.
    walked: Option<(PathBuf, Vec<String>)>,
    /// How many files the last run read through the file system.
    reads: usize,
}

/// A `.brief` file as last read: its text, its parse and its line table.
#[derive(Debug, Clone)]
struct Cached {
    text: Arc<str>,
    parsed: Arc<grammar::Parsed>,
    source: Arc<SourceFile>,
}

/// app.toml as last read: its text, what it parsed to and the problems found parsing it.
#[derive(Debug, Clone)]
struct CachedApp {
    text: Arc<str>,
    source: Arc<SourceFile>,
    app: Option<AppFile>,
    diags: Vec<Diagnostic>,
}

/// What one run produced: the IR (only when there are no errors), every diagnostic, the sources.
#[derive(Debug)]
pub struct Output {
    pub ir: Option<Ir>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// The parsed `.brief` files of the run, by project-relative path (for the formatter and linter).
    pub files: BTreeMap<String, LoadedFile>,
    /// What resolution found: declarations, scopes and every use of a type (see [`Model`]).
    pub model: Model,
    /// app.toml as parsed (also when errors stopped the IR), with where its keys are: backends
    /// check it further and locate their problems with it.
    pub app: Option<AppFile>,
}

/// A `.brief` file as loaded in one run.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub id: FileId,
    pub parsed: Arc<grammar::Parsed>,
}

impl Output {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds the problems a later check found (a backend's rules, the platform's): each once,
    /// sorted in with the others; the IR is withdrawn when any of them is an error.
    pub fn add_diagnostics(&mut self, found: Vec<Diagnostic>) {
        let mut added = false;
        for d in found {
            if !self.diagnostics.contains(&d) {
                self.diagnostics.push(d);
                added = true;
            }
        }
        if !added {
            return;
        }
        self.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        if self.has_errors() {
            self.ir = None;
        }
    }
}

impl Compiler {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times a file was actually parsed (cache misses) since this compiler was made.
    pub fn parse_count(&self) -> usize {
        self.parses
    }

    /// The id of a project-relative path: the same in every run of this compiler.
    pub fn file_id(&mut self, rel: &str) -> FileId {
        let next = FileId(self.ids.len() as u32);
        *self.ids.entry(rel.to_owned()).or_insert(next)
    }

    /// How many files the last run read through the file system (the others came from memory).
    pub fn read_count(&self) -> usize {
        self.reads
    }

    /// The number of parsed files held in the cache.
    pub fn cached_files(&self) -> usize {
        self.cache.len()
    }

    /// Whether the parse of this path is cached.
    pub fn is_cached(&self, rel: &str) -> bool {
        self.ids
            .get(rel)
            .is_some_and(|id| self.cache.contains_key(id))
    }

    /// Checks a whole service project rooted at `root`: app.toml, service.brief, rpc/*.brief and
    /// every other `.brief` file below it.
    pub fn check_project(&mut self, fs: &dyn FileSystem, root: &Path) -> Output {
        let run = Run::new(self, fs, root, None);
        let mut rels = Vec::new();
        run.find_brief_files(root, &mut rels, 0);
        rels.sort();
        run.compiler.walked = Some((root.to_path_buf(), rels.clone()));
        run.load_project(&rels)
    }

    /// Checks the project of the last [`Compiler::check_project`] again when only the files
    /// `edited` (project-relative paths, app.toml included) may have changed since: the others
    /// are taken from memory, neither searched for nor read, so a 1,000-file project costs one
    /// read and one parse. The output is the one `check_project` would give as long as nothing
    /// else changed; a file created, deleted or changed behind the caller's back is seen at the
    /// next `check_project`. Without a previous `check_project` of `root`, it is one.
    pub fn recheck_project(
        &mut self,
        fs: &dyn FileSystem,
        root: &Path,
        edited: &BTreeSet<String>,
    ) -> Output {
        let rels = match &self.walked {
            Some((walked_root, rels)) if walked_root == root => rels.clone(),
            _ => return self.check_project(fs, root),
        };
        let mut rels = rels;
        // An edited file the last search did not find (a new buffer): part of the project now.
        for rel in edited {
            if let (true, Err(at)) = (rel.ends_with(".brief"), rels.binary_search(rel)) {
                rels.insert(at, rel.clone());
            }
        }
        Run::new(self, fs, root, Some(edited)).load_project(&rels)
    }

    /// Checks one `.brief` file (and what it imports); `root` bounds its imports.
    pub fn check_file(&mut self, fs: &dyn FileSystem, root: &Path, file: &Path) -> Output {
        let mut run = Run::new(self, fs, root, None);
        let rel = relative(root, file);
        run.load_brief(&rel);
        run.finish(None, false)
    }
}

/// The project-relative path of `file`, with forward slashes.
fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Joins `import` onto the directory of `from`, lexically; `None` when it leaves the root.
pub fn resolve_import(from: &str, import: &str) -> Option<String> {
    if import.starts_with('/') || import.contains('\\') || import.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in import.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

struct Run<'a> {
    compiler: &'a mut Compiler,
    fs: &'a dyn FileSystem,
    /// When set, only these files are read; the others are the compiler's copies.
    edited: Option<&'a BTreeSet<String>>,
    root: PathBuf,
    sources: Sources,
    diags: Vec<Diagnostic>,
    /// Loaded `.brief` files in load order.
    files: Vec<check::FileInfo>,
    by_rel: HashMap<String, usize>,
}

impl<'a> Run<'a> {
    fn new(
        compiler: &'a mut Compiler,
        fs: &'a dyn FileSystem,
        root: &Path,
        edited: Option<&'a BTreeSet<String>>,
    ) -> Self {
        compiler.reads = 0;
        Run {
            compiler,
            fs,
            edited,
            root: root.to_path_buf(),
            sources: Sources::new(),
            diags: Vec::new(),
            files: Vec::new(),
            by_rel: HashMap::new(),
        }
    }

    /// Loads app.toml and the given `.brief` files (with what they import), then checks them.
    fn load_project(mut self, rels: &[String]) -> Output {
        let app = self.load_app();
        for rel in rels {
            self.load_brief(rel);
        }
        // A file that is no longer part of the project leaves the cache.
        let loaded: HashSet<FileId> = self.files.iter().map(|f| f.id).collect();
        self.compiler.cache.retain(|id, _| loaded.contains(id));
        self.finish(app, true)
    }

    /// Whether `rel` is taken from memory in this run rather than read.
    fn kept_in_memory(&self, rel: &str) -> bool {
        self.edited.is_some_and(|e| !e.contains(rel))
    }

    /// The cached `.brief` file `rel`, when this run takes it from memory.
    fn remembered(&self, rel: &str) -> Option<(FileId, Cached)> {
        if !self.kept_in_memory(rel) {
            return None;
        }
        let id = *self.compiler.ids.get(rel)?;
        Some((id, self.compiler.cache.get(&id)?.clone()))
    }

    /// Whether the `.brief` file `rel` exists: one this run takes from memory does, unasked.
    fn exists(&self, rel: &str) -> bool {
        let remembered = self.kept_in_memory(rel)
            && self
                .compiler
                .ids
                .get(rel)
                .is_some_and(|id| self.compiler.cache.contains_key(id));
        remembered || self.fs.is_file(&self.root.join(rel))
    }

    /// Reads a file as text; invalid UTF-8 is reported at the first bad byte and decoded lossily.
    fn read_text(&mut self, rel: &str) -> Option<(FileId, Arc<str>, Arc<SourceFile>)> {
        self.compiler.reads += 1;
        let bytes = match self.fs.read(&self.root.join(rel)) {
            Ok(b) => b,
            Err(e) => {
                if let Some(id) = self.compiler.ids.get(rel) {
                    self.compiler.cache.remove(id);
                }
                self.diags.push(Diagnostic::new(
                    codes::E0002,
                    format!("cannot read `{rel}`: {e}"),
                ));
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(s) => {
                let id = self.compiler.file_id(rel);
                // The same text as last time: the same line table too.
                let cached = self.compiler.cache.get(&id).filter(|c| *c.text == *s);
                let (text, source) = match cached {
                    Some(c) => (c.text.clone(), c.source.clone()),
                    None => {
                        let text: Arc<str> = Arc::from(s);
                        let source = Arc::new(SourceFile::new(rel, text.clone()));
                        (text, source)
                    }
                };
                self.sources.insert_shared(id, source.clone());
                Some((id, text, source))
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text: Arc<str> = Arc::from(String::from_utf8_lossy(e.as_bytes()).into_owned());
                let id = self.compiler.file_id(rel);
                self.sources.insert(id, rel, text.clone());
                let end = (at + 1).min(text.len());
                self.diags.push(
                    Diagnostic::new(codes::E0001, format!("`{rel}` is not valid UTF-8"))
                        .primary(Span::new(id, at..end), "invalid byte sequence here")
                        .hint("save the file as UTF-8"),
                );
                None
            }
        }
    }

    fn load_app(&mut self) -> Option<AppFile> {
        if self.kept_in_memory("app.toml") {
            if let (Some(c), Some(&id)) = (&self.compiler.app, self.compiler.ids.get("app.toml")) {
                self.sources.insert_shared(id, c.source.clone());
                self.diags.extend(c.diags.iter().cloned());
                return c.app.clone();
            }
        }
        let cached = self.compiler.app.take();
        if !self.fs.is_file(&self.root.join("app.toml")) {
            self.diags.push(
                Diagnostic::new(codes::E0501, "no app.toml in the service directory")
                .hint("a service project is a directory with app.toml, service.brief and rpc/<dependency>.brief"),
            );
            return None;
        }
        let (id, text, source) = self.read_text("app.toml")?;
        // Parsed again only when its text changed.
        let (app, diags) = match cached.filter(|c| c.text == text) {
            Some(c) => (c.app, c.diags),
            None => app::parse(id, &text),
        };
        self.compiler.app = Some(CachedApp {
            text,
            source,
            app: app.clone(),
            diags: diags.clone(),
        });
        self.diags.extend(diags);
        app
    }

    fn find_brief_files(&self, dir: &Path, out: &mut Vec<String>, depth: usize) {
        if depth > 32 {
            return;
        }
        let Ok(mut entries) = self.fs.list(dir) else {
            return;
        };
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if self.fs.is_dir(&p) {
                if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                    self.find_brief_files(&p, out, depth + 1);
                }
            } else if name.ends_with(".brief") {
                out.push(relative(&self.root, &p));
            }
        }
    }

    /// Loads a `.brief` file and, through a work list, everything it imports.
    fn load_brief(&mut self, rel: &str) -> Option<usize> {
        if let Some(&i) = self.by_rel.get(rel) {
            return Some(i);
        }
        let first = self.load_one(rel)?;
        let mut work = vec![first];
        while let Some(i) = work.pop() {
            let imports: Vec<(String, grammar::ast::StrLit)> = self.files[i]
                .parsed
                .file
                .items
                .iter()
                .filter_map(|it| match it {
                    Item::Import(imp) => Some((self.files[i].rel.clone(), imp.path.clone())),
                    _ => None,
                })
                .collect();
            for (from, lit) in imports {
                let fid = self.files[i].id;
                let span = Span::new(fid, lit.span.clone());
                let Some(target) = resolve_import(&from, &lit.value) else {
                    self.diags.push(
                        Diagnostic::new(codes::E0204, format!("import `{}` leaves the project", lit.value))
                            .primary(span, "this path is outside the service directory")
                            .note("imports are relative to the importing file and stay inside the project root"),
                    );
                    continue;
                };
                let target_idx = match self.by_rel.get(&target) {
                    Some(&t) => Some(t),
                    None if !self.exists(&target) => {
                        self.diags.push(
                            Diagnostic::new(
                                codes::E0203,
                                format!("imported file `{target}` does not exist"),
                            )
                            .primary(span, "no such file"),
                        );
                        None
                    }
                    None => {
                        let t = self.load_one(&target);
                        if let Some(t) = t {
                            work.push(t);
                        }
                        t
                    }
                };
                if let Some(t) = target_idx {
                    self.files[i]
                        .imports
                        .push((t, Span::new(fid, lit.span.clone())));
                }
            }
        }
        Some(first)
    }

    /// Reads and parses one file (through the cache) without following its imports.
    fn load_one(&mut self, rel: &str) -> Option<usize> {
        let (id, text, parsed) = match self.remembered(rel) {
            Some((id, c)) => {
                self.sources.insert_shared(id, c.source);
                (id, c.text, c.parsed)
            }
            None => {
                let (id, text, source) = self.read_text(rel)?;
                let parsed = match self.compiler.cache.get(&id) {
                    Some(c) if c.text == text => c.parsed.clone(),
                    _ => {
                        let parsed = Arc::new(grammar::parse(&text));
                        self.compiler.parses += 1;
                        parsed
                    }
                };
                let cached = Cached {
                    text: text.clone(),
                    parsed: parsed.clone(),
                    source,
                };
                self.compiler.cache.insert(id, cached);
                (id, text, parsed)
            }
        };
        for e in &parsed.errors {
            self.diags.push(syntax::to_diagnostic(id, e));
        }
        let idx = self.files.len();
        self.files.push(check::FileInfo {
            id,
            text,
            rel: rel.to_owned(),
            parsed,
            imports: Vec::new(),
        });
        self.by_rel.insert(rel.to_owned(), idx);
        Some(idx)
    }

    fn finish(mut self, app: Option<AppFile>, project: bool) -> Output {
        let resolved = check::check_files(&self.files, &mut self.diags);
        let model = model::build(&self.files, &resolved);
        let mut contracts: Vec<(usize, ir::Contract)> = Vec::new();
        for (i, f) in self.files.iter().enumerate() {
            let is_contract = if project {
                f.rel == "service.brief" || is_rpc_file(&f.rel)
            } else {
                i == 0
            };
            if !is_contract {
                continue;
            }
            // Types are lowered below, only when there is an IR to build.
            let outline = check::lower::contract_outline(i, &self.files, &resolved, &self.sources);
            if let Some(c) = outline {
                contracts.push((i, c));
            }
        }
        let subscriptions = if project {
            self.project_checks(app.as_ref(), &contracts, &resolved)
        } else {
            Vec::new()
        };
        self.diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diags.dedup();
        let has_errors = self.diags.iter().any(Diagnostic::is_error);
        let ir = if has_errors {
            None
        } else {
            let mut service = None;
            let mut dependencies = Vec::new();
            for (i, mut c) in contracts {
                c.types = check::lower::contract_types(i, &self.files, &resolved, &self.sources);
                if !project || self.files[i].rel == "service.brief" {
                    service = Some(c);
                } else {
                    dependencies.push(c);
                }
            }
            dependencies.sort_by(|a, b| a.name.cmp(&b.name));
            Some(Ir {
                version: ir::IR_VERSION,
                service,
                dependencies,
                app: app.as_ref().map(|a| a.config.clone()),
                subscriptions,
            })
        };
        let files = self
            .files
            .iter()
            .map(|f| {
                (
                    f.rel.clone(),
                    LoadedFile {
                        id: f.id,
                        parsed: f.parsed.clone(),
                    },
                )
            })
            .collect();
        Output {
            ir,
            diagnostics: self.diags,
            sources: self.sources,
            files,
            model,
            app,
        }
    }

    fn project_checks(
        &mut self,
        app: Option<&AppFile>,
        contracts: &[(usize, ir::Contract)],
        resolved: &Resolved,
    ) -> Vec<ir::Subscription> {
        let Some(app) = app else {
            return Vec::new();
        };
        let deps: Vec<&str> = app
            .config
            .dependencies
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        for (i, c) in contracts {
            let f = &self.files[*i];
            let name_span = resolved
                .service_name_span(*i)
                .unwrap_or_else(|| Span::new(f.id, 0..0));
            if f.rel == "service.brief" {
                if c.name != app.config.name {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0502,
                            format!(
                                "service.brief declares service `{}` but app.toml names it `{}`",
                                c.name, app.config.name
                            ),
                        )
                        .primary(name_span, "declared here")
                        .secondary(app.value_span("name"), "app.toml's name")
                        .hint("the service's name must be the same in both files"),
                    );
                }
            } else if let Some(stem) = rpc_stem(&f.rel) {
                // `rpc/<dep>.brief` of a declared dependency that declares another name: the
                // one fix is renaming the service; the file and app.toml already agree.
                let misnamed_dep = c.name != stem && deps.contains(&stem);
                if misnamed_dep {
                    self.diags.push(misnamed_dependency_contract(
                        app,
                        &f.rel,
                        stem,
                        &c.name,
                        name_span.clone(),
                    ));
                } else if c.name != stem {
                    self.diags.push(
                        Diagnostic::new(
                            codes::W0502,
                            format!("`{}` declares service `{}`", f.rel, c.name),
                        )
                        .primary(
                            name_span.clone(),
                            format!("expected `{stem}` after the file name"),
                        )
                        .hint(format!("rename the file to `rpc/{}.brief`", c.name)),
                    );
                }
                if !misnamed_dep && !deps.contains(&c.name.as_str()) {
                    let mut d = Diagnostic::new(
                        codes::W0501,
                        format!("`{}` is not a dependency in app.toml", c.name),
                    )
                    .primary(name_span, "contract of an undeclared dependency")
                    .hint(format!(
                        "add it to app.toml:\n\n[[dependencies]]\nname = \"{}\"",
                        c.name
                    ));
                    if let Some(s) = did_you_mean(&c.name, deps.iter().copied()) {
                        d = d.note(format!("app.toml declares `{s}`; is it the same service?"));
                    }
                    self.diags.push(d);
                }
            }
        }
        let service = contracts
            .iter()
            .find(|(i, _)| self.files[*i].rel == "service.brief")
            .map(|(i, c)| (&self.files[*i], c));
        let dependency_contracts = contracts
            .iter()
            .filter(|(i, _)| is_rpc_file(&self.files[*i].rel))
            .map(|(_, c)| c.name.as_str())
            .collect();
        let project = crate::wiring::Project {
            fs: self.fs,
            root: &self.root,
            app,
            service,
            dependency_contracts,
        };
        crate::wiring::check(&project, &mut self.diags);
        // Subscriptions: each topic must be a schema of that dependency's contract.
        let mut subscriptions = Vec::new();
        for (di, dep) in app.config.dependencies.iter().enumerate() {
            if dep.subscribe.is_empty() {
                continue;
            }
            let contract = contracts
                .iter()
                .find(|(i, c)| c.name == dep.name && is_rpc_file(&self.files[*i].rel))
                .map(|(_, c)| c);
            // `rpc/<dep>.brief` declaring another service is W0502, whose one fix (renaming the
            // service) also fixes these subscriptions: no E0503 for them, and no subscription to
            // a contract that is not the dependency's.
            let misnamed = contracts
                .iter()
                .any(|(i, _)| rpc_stem(&self.files[*i].rel) == Some(dep.name.as_str()));
            if contract.is_none() && misnamed {
                continue;
            }
            for (ti, topic) in dep.subscribe.iter().enumerate() {
                let span = app.value_span(&format!("dependencies.{di}.subscribe.{ti}"));
                match contract {
                    None => self.diags.push(
                        Diagnostic::new(
                            codes::E0503,
                            format!(
                                "cannot subscribe to `{topic}`: there is no contract for `{}`",
                                dep.name
                            ),
                        )
                        .primary(span, "subscription")
                        .hint(format!(
                            "add rpc/{}.brief with the dependency's `schema` declarations",
                            dep.name
                        )),
                    ),
                    Some(c) => match c.events.iter().find(|e| &e.topic == topic) {
                        Some(e) => subscriptions.push(ir::Subscription {
                            dependency: dep.name.clone(),
                            topic: topic.clone(),
                            message: e.message.clone(),
                        }),
                        None => {
                            let mut d = Diagnostic::new(
                                codes::E0503,
                                format!("`{}` publishes no event `{topic}`", dep.name),
                            )
                            .primary(span, "unknown topic");
                            if let Some(s) =
                                did_you_mean(topic, c.events.iter().map(|e| e.topic.as_str()))
                            {
                                d = d.hint(format!("did you mean `{s}`?"));
                            } else {
                                d = d.hint(published_topics(&dep.name, c));
                            }
                            self.diags.push(d);
                        }
                    },
                }
            }
        }
        subscriptions.sort();
        subscriptions.dedup();
        subscriptions
    }
}

/// W0502 for `rpc/<stem>.brief`, the contract of the declared dependency `stem`, that declares
/// `service "<declared>"`: rename the service.
fn misnamed_dependency_contract(
    app: &AppFile,
    rel: &str,
    stem: &str,
    declared: &str,
    name_span: Span,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        codes::W0502,
        format!("`{rel}` declares service `{declared}`"),
    )
    .primary(
        name_span,
        format!("expected `{stem}`, the dependency this file is the contract of"),
    );
    if let Some(i) = app.config.dependencies.iter().position(|d| d.name == stem) {
        d = d.secondary(
            app.value_span(&format!("dependencies.{i}.name")),
            "the dependency in app.toml",
        );
    }
    d.hint(format!("rename the service: `service \"{stem}\"`"))
}

/// The hint of E0503 for a topic `dep` does not publish: the topics it does publish.
fn published_topics(dep: &str, c: &ir::Contract) -> String {
    let topics: Vec<String> = c.events.iter().map(|e| format!("`{}`", e.topic)).collect();
    match topics.as_slice() {
        [] => format!("`{dep}` publishes no events: its contract has no `schema` declarations"),
        [one] => format!("`{dep}` publishes only {one}"),
        many => format!("`{dep}` publishes {}", many.join(", ")),
    }
}

fn is_rpc_file(rel: &str) -> bool {
    rpc_stem(rel).is_some()
}

/// `rpc/<stem>.brief` -> `stem`.
fn rpc_stem(rel: &str) -> Option<&str> {
    rel.strip_prefix("rpc/")
        .and_then(|r| r.strip_suffix(".brief"))
        .filter(|s| !s.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_resolve_relative_to_the_importing_file() {
        assert_eq!(
            resolve_import("service.brief", "types.brief").as_deref(),
            Some("types.brief")
        );
        assert_eq!(
            resolve_import("rpc/a.brief", "../t/x.brief").as_deref(),
            Some("t/x.brief")
        );
        assert_eq!(
            resolve_import("rpc/a.brief", "./b.brief").as_deref(),
            Some("rpc/b.brief")
        );
        assert_eq!(
            resolve_import("a/b/c.brief", "../../d.brief").as_deref(),
            Some("d.brief")
        );
    }

    #[test]
    fn imports_never_leave_the_root() {
        for bad in [
            "../x.brief",
            "/etc/x.brief",
            "a/../../x.brief",
            "C:\\x.brief",
            "c:x.brief",
        ] {
            assert_eq!(resolve_import("service.brief", bad), None, "{bad}");
        }
        assert_eq!(resolve_import("rpc/a.brief", "../../x.brief"), None);
    }

    #[test]
    fn rpc_file_stems() {
        assert_eq!(rpc_stem("rpc/billing.brief"), Some("billing"));
        assert_eq!(rpc_stem("rpc/sub/billing.brief"), None);
        assert_eq!(rpc_stem("service.brief"), None);
    }
}
