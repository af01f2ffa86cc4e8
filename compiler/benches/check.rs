//! Criterion benchmarks of checking a generated 1,000-file project: cold, warm (nothing changed),
//! one file changed, and one file alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::{Compiler, MemFs};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

/// A project with `n` dependency contracts, each with rpcs, messages, an enum and an error.
pub fn corpus(n: usize) -> MemFs {
    let mut fs = MemFs::new();
    let mut app = String::from("name = \"bench\"\n");
    for i in 0..n {
        app.push_str(&format!("[[dependencies]]\nname = \"dep{i}\"\n"));
        fs.insert(
            format!("/p/rpc/dep{i}.brief"),
            contract(&format!("dep{i}"), i),
        );
    }
    fs.insert("/p/app.toml", app);
    fs.insert("/p/service.brief", contract("bench", n));
    fs
}

/// The benchmark contract, shared with scripts/gen_corpus.py (the protoc comparison).
fn contract(name: &str, seed: usize) -> String {
    include_str!("../../scripts/bench-contract.brief")
        .replace("@NAME@", name)
        .replace("@SEED@", &seed.to_string())
}

fn bench(c: &mut Criterion) {
    let root = Path::new("/p");
    let fs = corpus(1000);
    let mut g = c.benchmark_group("check_1000_files");
    g.sample_size(10);
    g.bench_function("cold", |b| {
        b.iter(|| {
            let out = Compiler::new().check_project(&fs, root);
            assert!(out.ir.is_some());
        })
    });
    let mut warm = Compiler::new();
    warm.check_project(&fs, root);
    g.bench_function("warm_nothing_changed", |b| {
        b.iter(|| warm.check_project(&fs, root))
    });
    let mut changed = fs.clone();
    let mut edit = 0usize;
    g.bench_function("warm_one_file_changed", |b| {
        b.iter(|| {
            edit += 1;
            changed.insert(
                "/p/rpc/dep7.brief",
                format!("{}// edit {edit}\n", contract("dep7", 7)),
            );
            warm.check_project(&changed, root)
        })
    });
    g.bench_function("single_file", |b| {
        b.iter(|| Compiler::new().check_file(&fs, root, Path::new("/p/rpc/dep7.brief")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
