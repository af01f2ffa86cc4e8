//! Makes one `#[test]` per golden case: for each corpus a macro (`golden_cases!(path::to::run)`)
//! that expands to `#[test] fn <case>() { run("<case>") }` for every case found now. Cargo reruns
//! this when a corpus directory changes, so a new case is a new test without touching code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[allow(dead_code)]
#[path = "src/corpus.rs"]
mod corpus;
use std::fmt::Write;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let repo = Path::new(&manifest).join("../..");
    let mut out = String::new();
    for c in corpus::ALL {
        println!("cargo:rerun-if-changed={}", repo.join(c.dir).display());
        writeln!(
            out,
            "/// One `#[test]` per case of `{}/`, each calling `$run(\"<case>\")`.\n#[macro_export]\nmacro_rules! {} {{\n    ($run:path) => {{",
            c.dir, c.macro_name
        )
        .unwrap();
        for (name, _) in c.cases_in(&repo) {
            writeln!(
                out,
                "        #[test]\n        fn {}() {{\n            $run({name:?})\n        }}",
                corpus::test_name(&name)
            )
            .unwrap();
        }
        out.push_str("    };\n}\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("cases.rs");
    std::fs::write(dest, out).unwrap();
}
