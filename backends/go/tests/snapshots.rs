//! Snapshots of the Go generated for every golden case with an IR, one per file, named
//! `<case>__<path>` (`/` as `__`), in backends/go/tests/snapshots/; one test per golden case
//! (`case::<name>`); no snapshot may be stray.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

brief_testkit::generated_snapshot_tests!("Go", common::generated, common::generated_cases);
