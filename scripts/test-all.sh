#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what it needs, then runs
# each stage in scripts/test.d/ in name order. Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
# Rust builds are cached outside the checkout, one directory per toolchain version, so that a
# warm run on a fresh clone rebuilds only the workspace crates, not every dependency.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  toolchain="$(rustc -V | tr -cs 'A-Za-z0-9.' '-')"
  export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/brief-cargo-target/${toolchain%-}"
fi
echo "cargo target directory: $CARGO_TARGET_DIR"
# No incremental compilation: each clean clone is a new path, so its incremental state would only
# pile up in the cache (14 GB after a day of runs) without being reused.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
start=$SECONDS
for stage in scripts/test.d/*.sh; do
  echo "=== stage: $stage"
  began=$SECONDS
  bash "$stage"
  echo "=== stage $stage passed in $((SECONDS - began)) s"
done
echo "=== all stages passed in $((SECONDS - start)) s"
