#!/usr/bin/env bash
# Stage: the Rust backend. Generates Rust for every golden case with an IR into a throwaway crate
# (depending on runtime-rust by path, sharing CARGO_TARGET_DIR), checks `cargo fmt --check` and
# `cargo clippy --all-targets -D warnings`, and runs the end-to-end tests (backends/rust/tests/e2e/);
# then Rust <-> Go interop over 127.0.0.1 (backends/rust/tests/interop/). The snapshot tests of the
# generated files run in stage 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
export CARGO_TERM_COLOR=never INSTA_UPDATE=no
cargo test --locked -p brief-backend-rust --test rust_toolchain -- --ignored --nocapture
echo "Rust codegen stage passed"
