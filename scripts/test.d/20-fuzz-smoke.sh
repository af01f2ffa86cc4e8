#!/usr/bin/env bash
# A short cargo-fuzz run of the parser + checker (fuzz/README.md). Needs a nightly toolchain;
# where none is installed the stage says so and skips rather than pretending.
set -euo pipefail
cd "$(dirname "$0")/../../fuzz"
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "SKIPPED fuzz smoke: no nightly toolchain on this machine (cargo fuzz needs one)"
  exit 0
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
corpus=$(mktemp -d)
cargo +nightly fuzz run check "$corpus" seeds -- -max_total_time="${FUZZ_SECONDS:-30}" 2>&1 | tail -n 3
rm -rf "$corpus"
