//! The exports are deterministic: two independent compilations of every golden case give the
//! same bytes in every format, and the order of the IR's dependencies does not matter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use brief_testkit::corpus::CASES;
use compiler::{Compiler, OsFs};

#[test]
fn same_bytes_from_independent_compilations_and_any_dependency_order() {
    let mut checked = 0;
    for (name, dir) in brief_testkit::cases(CASES) {
        let first = Compiler::new().check_project(&OsFs, &dir);
        let second = Compiler::new().check_project(&OsFs, &dir);
        let (Some(a), Some(b)) = (&first.ir, &second.ir) else {
            continue;
        };
        let mut reversed = b.clone();
        reversed.dependencies.reverse();
        for backend in common::backends() {
            let x = backend.generate(a, &first.sources).unwrap();
            let y = backend.generate(b, &second.sources).unwrap();
            let z = backend.generate(&reversed, &second.sources).unwrap();
            assert_eq!(x, y, "{name}: {}", backend.name());
            assert_eq!(
                x,
                z,
                "{name}: {} depends on the dependency order",
                backend.name()
            );
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} cases have an IR");
}
