//! Fuzz target: arbitrary bytes as service.brief (and, split at a NUL, as an imported file and
//! app.toml) through the parser and the whole checker. It must never panic, and every diagnostic
//! must point inside its file.
#![no_main]
use compiler::{Compiler, MemFs};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let service = parts.next().unwrap_or_default();
    let imported = parts.next().unwrap_or_default();
    let app = parts.next().unwrap_or(b"name = \"x\"\n");
    if let Ok(s) = std::str::from_utf8(service) {
        let _ = grammar::parse(s);
    }
    let mut fs = MemFs::new();
    fs.insert("/p/app.toml", app.to_vec());
    fs.insert("/p/service.brief", service.to_vec());
    fs.insert("/p/types.brief", imported.to_vec());
    let out = Compiler::new().check_project(&fs, Path::new("/p"));
    for d in &out.diagnostics {
        for l in &d.labels {
            let file = out.sources.get(l.span.file).expect("label in a known file");
            assert!(l.span.range.start <= l.span.range.end && l.span.range.end <= file.text.len());
        }
    }
    let _ = compiler::render::human(&out.diagnostics, &out.sources, false);
    let _ = compiler::render::json(&out.diagnostics, &out.sources, "");
});
