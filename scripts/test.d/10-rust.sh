#!/usr/bin/env bash
# Rust: formatting, lints (clippy -D warnings), every workspace test, benches compile.
set -euo pipefail
cd "$(dirname "$0")/../.."
export INSTA_UPDATE=no CARGO_TERM_COLOR=never
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# Pending snapshots mean a snapshot test wrote a .snap.new instead of passing.
if find . -path ./target -prune -o \( -name '*.snap.new' -o -name '*.pending-snap' \) -print | grep -q .; then
  echo "pending insta snapshots found: review them with cargo insta review" >&2
  exit 1
fi
