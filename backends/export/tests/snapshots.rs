//! Snapshots of every golden case with an IR exported in each format (OpenAPI, AsyncAPI,
//! proto3), named `<case>__<file>`, in backends/export/tests/snapshots/; one test per golden
//! case (`case::<name>`); no snapshot may be stray.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

brief_testkit::generated_snapshot_tests!("export", common::exported, common::exported_cases);
