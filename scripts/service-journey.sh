#!/usr/bin/env bash
# The new-service journey, scripted: `paasctl service create` -> add an rpc to the contract ->
# codegen -> build and test -> manifests. Prints each step's time and the total wall time
# (one-off tool installs excluded: paasctl is built before the clock starts, Go is the machine's).
# The deploy step follows when the deploy driver (issue 15) lands.
# Usage: bash scripts/service-journey.sh   (PAASCTL=path/to/paasctl to skip the cargo build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
if [ -z "${PAASCTL:-}" ]; then
  (cd "$root" && cargo build -q --locked -p paasctl)
  PAASCTL="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s.%N; }
start="$(now)"
last="$start"
step() { # name
  local t
  t="$(now)"
  awk -v a="$last" -v b="$t" -v n="$1" 'BEGIN { printf "  %-28s %6.2f s\n", n, b - a }'
  last="$t"
}

echo "journey:"
"$PAASCTL" service create journey --engine golang --description 'The scripted journey' \
  --runtime-dir "$root" --yes 2>/dev/null
step "service create"
cd journey
cat >>service.brief <<'BRIEF'

rpc bye (ByeIn) ByeOut `Says goodbye`

message ByeIn `Who leaves` {
    name string `The name`
}

message ByeOut `The farewell` {
    farewell string `The words`
}
BRIEF
"$PAASCTL" fmt service.brief >/dev/null 2>&1
"$PAASCTL" check 2>/dev/null
step "edit contract + check"
"$PAASCTL" codegen --out gen --lang go --go-import-path journey/gen 2>/dev/null
grep -q 'Bye(ctx context.Context' gen/journey.brief.go
step "codegen"
go build ./...
go vet ./...
step "build"
go test ./... >/dev/null
step "unit tests"
"$PAASCTL" manifests -e staging --image journey:1 --out "$work/manifests" 2>/dev/null
[ -f "$work/manifests/30-app.yaml" ]
step "manifests"
echo "  deploy                        skipped: the deploy driver (issue 15) has not landed"
awk -v a="$start" -v b="$(now)" 'BEGIN { printf "journey wall time: %.2f s (target under 60 s)\n", b - a }'
