//! Property tests of the formatter: on random valid contracts, written with random whitespace and
//! comments between any two tokens, formatting is idempotent, keeps every comment, and never
//! changes the IR (locations aside). The same holds for every golden file, as it is and under
//! whitespace mutations, checked in its own project (with its imports): the IR when the file has
//! one, else the codes of its diagnostics; how many had an IR is counted and asserted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::{fmt, Compiler, FileSystem, MemFs, OsFs, Output};
use proptest::prelude::*;
use std::cell::Cell;
use std::path::{Path, PathBuf};

/// A tiny deterministic generator driven by proptest's seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Writes tokens separated by random whitespace and comments.
struct Writer<'g> {
    g: &'g mut Gen,
    out: String,
    comments: usize,
}

impl Writer<'_> {
    fn sep(&mut self) {
        let s = match self.g.below(12) {
            0 => {
                self.comments += 1;
                format!(" /* c{} */ ", self.comments)
            }
            1 => {
                self.comments += 1;
                format!(" // c{}\n", self.comments)
            }
            2 => "\n".to_owned(),
            3 => "\n\n\n".to_owned(),
            4 => "\t".to_owned(),
            5 => "   ".to_owned(),
            _ => " ".to_owned(),
        };
        self.out.push_str(&s);
    }
    fn tok(&mut self, t: &str) {
        self.sep();
        self.out.push_str(t);
    }
}

const FIELD_NAMES: &[&str] = &[
    "a",
    "bb",
    "createdAt",
    "map",
    "message",
    "type",
    "id",
    "x_y",
];
const BUILTINS: &[&str] = &["int", "float", "bool", "string", "bytes", "time"];

fn contract(seed: u64) -> String {
    let mut g = Gen(seed | 1);
    let n_msgs = 1 + g.below(4);
    let n_enums = g.below(3);
    let n_errors = g.below(3);
    let mut w = Writer {
        g: &mut g,
        out: String::new(),
        comments: 0,
    };
    w.tok("service");
    w.tok("\"svc\"");
    if w.g.chance(50) {
        w.tok("`The service`");
    }
    for i in 0..w.g.below(4) {
        if w.g.chance(40) {
            w.tok("@idempotent");
        }
        if w.g.chance(30) {
            w.tok("@timeout");
            w.tok("(");
            w.tok("\"250ms\"");
            w.tok(")");
        }
        w.tok("rpc");
        w.tok(&format!("r{i}"));
        w.tok("(");
        let input = format!("M{}", w.g.below(n_msgs));
        w.tok(&input);
        w.tok(")");
        let output = format!("M{}", w.g.below(n_msgs));
        w.tok(&output);
        if n_errors > 0 && w.g.chance(50) {
            w.tok("throws");
            w.tok("(");
            for e in 0..n_errors {
                if e > 0 {
                    w.tok(",");
                }
                w.tok(&format!("Er{e}"));
            }
            w.tok(")");
        }
        if w.g.chance(60) {
            w.tok("`Does things\nover lines`");
        }
    }
    for i in 0..w.g.below(3) {
        w.tok("schema");
        w.tok(&format!("\"t.e{i}\""));
        let m = format!("M{}", w.g.below(n_msgs));
        w.tok(&m);
    }
    for m in 0..n_msgs {
        if w.g.chance(20) {
            w.tok("@deprecated");
            w.tok("(");
            w.tok("\"old\"");
            w.tok(")");
        }
        w.tok("message");
        w.tok(&format!("M{m}"));
        if w.g.chance(40) {
            w.tok("`A message`");
        }
        w.tok("{");
        let mut used = Vec::new();
        for _ in 0..w.g.below(5) {
            let name = w.g.pick(FIELD_NAMES);
            if used.contains(&name) {
                continue;
            }
            used.push(name);
            w.tok(name);
            // Prefixes: never `??`, at most three.
            let mut last_opt = false;
            let mut wrapped = false;
            for _ in 0..w.g.below(4) {
                match w.g.below(3) {
                    0 => {
                        w.tok("[");
                        w.tok("]");
                        last_opt = false;
                        wrapped = true;
                    }
                    1 if !last_opt => {
                        w.tok("?");
                        last_opt = true;
                        wrapped = true;
                    }
                    _ => {
                        w.tok("map");
                        w.tok("[");
                        let k = w.g.pick(&["string", "int"]);
                        w.tok(k);
                        w.tok("]");
                        last_opt = false;
                        wrapped = true;
                    }
                }
            }
            // By value only earlier messages (no recursion); through a prefix any message.
            let base = match w.g.below(3) {
                0 if n_enums > 0 => format!("E{}", w.g.below(n_enums)),
                1 if wrapped => format!("M{}", w.g.below(n_msgs)),
                1 if m > 0 => format!("M{}", w.g.below(m)),
                _ => w.g.pick(BUILTINS).to_owned(),
            };
            w.tok(&base);
            if w.g.chance(50) {
                w.tok("`A field`");
            }
        }
        w.tok("}");
    }
    for e in 0..n_enums {
        w.tok("enum");
        w.tok(&format!("E{e}"));
        w.tok("{");
        for v in 0..1 + w.g.below(3) {
            if w.g.chance(15) {
                w.tok("@deprecated");
            }
            w.tok(&format!("v{v}"));
            if w.g.chance(50) {
                w.tok("`A value`");
            }
        }
        w.tok("}");
    }
    for e in 0..n_errors {
        w.tok("error");
        w.tok(&format!("Er{e}"));
        if w.g.chance(50) {
            w.tok("{");
            if w.g.chance(70) {
                w.tok("id");
                w.tok("int");
            }
            w.tok("}");
        }
    }
    w.sep();
    w.out
}

/// What formatting must not change: the IR without locations or, when there is none, the codes
/// of the diagnostics.
#[derive(Debug, PartialEq)]
enum Meaning {
    Ir(serde_json::Value),
    Errors(Vec<&'static str>),
}

impl Meaning {
    fn of(out: Output) -> Meaning {
        match out.ir.and_then(|ir| serde_json::to_value(ir).ok()) {
            Some(mut v) => {
                strip_locs(&mut v);
                Meaning::Ir(v)
            }
            None => {
                let mut codes: Vec<&'static str> = out.diagnostics.iter().map(|d| d.code).collect();
                codes.sort_unstable();
                Meaning::Errors(codes)
            }
        }
    }
}

/// The meaning of a one-file project.
fn standalone(src: &str) -> Meaning {
    let mut fs = MemFs::new();
    fs.insert("/p/service.brief", src.as_bytes().to_vec());
    Meaning::of(Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/service.brief")))
}

/// The disk, with one file's text replaced; counts how often that file is read.
struct Overlay<'a> {
    path: &'a Path,
    text: &'a str,
    reads: Cell<usize>,
}

impl FileSystem for Overlay<'_> {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if path == self.path {
            self.reads.set(self.reads.get() + 1);
            return Ok(self.text.as_bytes().to_vec());
        }
        OsFs.read(path)
    }
    fn list(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        OsFs.list(dir)
    }
    fn is_dir(&self, path: &Path) -> bool {
        OsFs.is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        path == self.path || OsFs.is_file(path)
    }
}

/// The meaning of the golden file `path` with the text `src`, checked in its project (the
/// nearest ancestor with app.toml, else its directory) as `paasctl check <file>` does.
fn in_project(path: &Path, src: &str) -> Meaning {
    let dir = path.parent().unwrap();
    let root = dir
        .ancestors()
        .take_while(|d| d.starts_with(golden_dir()))
        .find(|d| d.join("app.toml").is_file())
        .unwrap_or(dir);
    let fs = Overlay {
        path,
        text: src,
        reads: Cell::new(0),
    };
    let out = Compiler::new().check_file(&fs, root, path);
    assert!(
        fs.reads.get() > 0,
        "{}: the file was not read",
        path.display()
    );
    Meaning::of(out)
}

fn strip_locs(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("loc");
            m.values_mut().for_each(strip_locs);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_locs),
        _ => {}
    }
}

/// Formats `src`; checks that the result parses, keeps the comments, is idempotent and means
/// what `src` meant. Returns whether that meaning was an IR.
fn check_invariants(src: &str, meaning: &dyn Fn(&str) -> Meaning) -> Result<bool, TestCaseError> {
    let parsed = grammar::parse(src);
    prop_assume!(parsed.errors.is_empty());
    let once = fmt::format_parsed(src, &parsed).unwrap();
    let reparsed = grammar::parse(&once);
    prop_assert!(
        reparsed.errors.is_empty(),
        "formatted text does not parse:\n{}",
        once
    );
    prop_assert_eq!(
        reparsed.comments.len(),
        parsed.comments.len(),
        "comments lost:\n{}",
        once
    );
    let twice = fmt::format_parsed(&once, &reparsed).unwrap();
    prop_assert_eq!(&once, &twice, "not idempotent");
    let before = meaning(src);
    prop_assert_eq!(&before, &meaning(&once), "IR changed:\n{}", once);
    Ok(matches!(before, Meaning::Ir(_)))
}

/// Every run of spaces outside doc strings, strings and comments becomes a random run of spaces,
/// tabs or a newline.
fn mutate_spaces(src: &str, seed: u64) -> String {
    let mut g = Gen(seed | 1);
    let mut out = String::new();
    let mut in_doc = false;
    let mut in_str = false;
    let mut in_comment = false;
    for c in src.chars() {
        match c {
            '`' if !in_str && !in_comment => in_doc = !in_doc,
            '"' if !in_doc && !in_comment => in_str = !in_str,
            '\n' => in_comment = false,
            '/' if !in_doc && !in_str && out.ends_with('/') => in_comment = true,
            _ => {}
        }
        if c == ' ' && !in_doc && !in_str && !in_comment {
            out.push_str(["  ", "\t", " ", "\n", "   "][g.below(5)]);
        } else {
            out.push(c);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn formatting_random_contracts_keeps_the_ir(seed in any::<u64>()) {
        let src = contract(seed);
        let is_ir = check_invariants(&src, &standalone)?;
        prop_assert!(is_ir, "generator made an invalid contract:\n{}\n{:?}", src, standalone(&src));
    }

    #[test]
    fn formatting_mutated_golden_files_keeps_the_ir(seed in any::<u64>()) {
        let files = golden_files();
        let (path, src) = &files[(seed as usize) % files.len()];
        let out = mutate_spaces(src, seed);
        check_invariants(&out, &|text| in_project(path, text))?;
    }
}

/// Every golden file that parses, formatted in its project: the IR (or the diagnostics' codes)
/// stays, and most files are compared by a real IR.
#[test]
fn formatting_every_golden_file_keeps_its_meaning() {
    let files = golden_files();
    let mut with_ir = 0;
    for (path, src) in &files {
        match check_invariants(src, &|text| in_project(path, text)) {
            Ok(true) => with_ir += 1,
            Ok(false) => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    eprintln!(
        "{with_ir} of {} golden files compared by their IR, the others by their diagnostics",
        files.len()
    );
    assert!(files.len() > 100, "corpus too small: {}", files.len());
    assert!(
        with_ir * 4 >= files.len() * 3,
        "only {with_ir} of {} golden files were compared by their IR",
        files.len()
    );
}

fn golden_dir() -> PathBuf {
    brief_testkit::repo().canonicalize().unwrap().join("golden")
}

/// Every golden `.brief` file that is UTF-8 and parses, with its text.
fn golden_files() -> Vec<(PathBuf, String)> {
    brief_testkit::brief_files(&golden_dir())
        .into_iter()
        .filter_map(|p| {
            let s = std::fs::read_to_string(&p).ok()?;
            grammar::parse(&s).errors.is_empty().then_some((p, s))
        })
        .collect()
}
