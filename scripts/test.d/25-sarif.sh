#!/usr/bin/env bash
# Stage: paasctl's SARIF output (check, lint, fmt --check, breaking) against the SARIF 2.1.0 schema.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! python3 -c "import jsonschema" 2>/dev/null; then
  python3 -m pip install --quiet jsonschema || python3 -m pip install --quiet --break-system-packages jsonschema
fi
cargo build --quiet --locked -p paasctl
bin="${CARGO_TARGET_DIR:-target}/debug/paasctl"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Exit codes 0 and 1 are both fine here: findings are what we want in the logs.
run() { local name="$1"; shift; "$bin" "$@" --format sarif >"$out/$name.sarif" || [ $? -eq 1 ]; }
run check-clean check golden/cases/summer
run check-errors check golden/cases/e0201-unknown-type
run check-parse check golden/cases/e0101-unexpected-token
run lint lint golden/lint/l0501-ignore-without-reason
run lint-config lint golden/lint/l0002-unknown-rule-in-config
run fmt fmt --check golden/fmt
run breaking breaking golden/breaking/b0103-optional-to-required/after --against golden/breaking/b0103-optional-to-required/before
python3 scripts/validate-sarif.py paasctl/tests/data/sarif-2.1.0-rtm.5.json "$out"/*.sarif
