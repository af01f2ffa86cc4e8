//! runtime-go/examples/summer/summer.brief.go is the real generator's output for the project in
//! runtime-go/examples/summer/contract/: this test generates it and fails when the file in the
//! repository differs. `INSTA_UPDATE=always` (or `BRIEF_UPDATE_EXAMPLE=1`) writes it instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_backend_go::Go;
use brief_codegen::Backend;
use compiler::{Compiler, OsFs};

/// The import path of the example package inside the runtime-go module.
const IMPORT_PATH: &str = "github.com/brief-paas/paasctl/runtime-go/examples/summer";

#[test]
fn runtime_go_example_is_the_generated_code() {
    let example = common::repo().join("runtime-go/examples/summer");
    let output = Compiler::new().check_project(&OsFs, &example.join("contract"));
    let ir = output
        .ir
        .as_ref()
        .unwrap_or_else(|| panic!("the example contract does not compile: {:?}", output));
    let files = Go::new(IMPORT_PATH)
        .unwrap()
        .generate(ir, &output.sources)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["summer.brief.go"], "the example has one package");
    let want = String::from_utf8(files[0].contents.clone()).unwrap();
    let path = example.join("summer.brief.go");
    let update = std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
        || std::env::var_os("BRIEF_UPDATE_EXAMPLE").is_some();
    if update {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not what the generator makes of {}/contract; regenerate it with \
         BRIEF_UPDATE_EXAMPLE=1 cargo test -p brief-backend-go --test example",
        path.display(),
        example.display()
    );
}
