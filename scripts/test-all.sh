#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what it needs, then runs
# each stage in scripts/test.d/ in name order. Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
for stage in scripts/test.d/*.sh; do
  echo "=== stage: $stage"
  bash "$stage"
done
echo "=== all stages passed"
