//! Property tests of the formatter: on random valid contracts, written with random whitespace and
//! comments between any two tokens, formatting is idempotent, keeps every comment, and never
//! changes the IR (locations aside). The same holds for every golden file under whitespace mutations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::{fmt, Compiler, MemFs};
use proptest::prelude::*;
use std::path::Path;

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

/// The IR of a one-file project as JSON, without locations.
fn ir_without_locs(src: &str) -> Option<serde_json::Value> {
    let mut fs = MemFs::new();
    fs.insert("/p/service.brief", src.as_bytes().to_vec());
    let out = Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/service.brief"));
    let mut v = serde_json::to_value(out.ir?).ok()?;
    strip_locs(&mut v);
    Some(v)
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

fn check_invariants(src: &str) -> Result<(), TestCaseError> {
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
    prop_assert_eq!(
        ir_without_locs(src),
        ir_without_locs(&once),
        "IR changed:\n{}",
        once
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn formatting_random_contracts_keeps_the_ir(seed in any::<u64>()) {
        let src = contract(seed);
        let mut fs = MemFs::new();
        fs.insert("/p/service.brief", src.as_bytes().to_vec());
        let out = Compiler::new().check_file(&fs, Path::new("/p"), Path::new("/p/service.brief"));
        prop_assert!(out.ir.is_some(), "generator made an invalid contract:\n{}\n{:?}", src, out.diagnostics);
        check_invariants(&src)?;
    }

    #[test]
    fn formatting_mutated_golden_files_keeps_the_ir(seed in any::<u64>()) {
        let files = golden_files();
        let (_, src) = &files[(seed as usize) % files.len()];
        // Mutation: every run of spaces becomes a random run of spaces, tabs or a newline.
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
        check_invariants(&out)?;
    }
}

fn golden_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "brief") {
                if let Ok(s) = std::fs::read_to_string(&p) {
                    if grammar::parse(&s).errors.is_empty() {
                        out.push((p.display().to_string(), s));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden"),
        &mut out,
    );
    out.sort();
    out
}
