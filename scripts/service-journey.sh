#!/usr/bin/env bash
# The new-service journey, scripted: `paasctl service create` -> add an rpc to the contract ->
# codegen -> build and test -> manifests -> deploy to the local control plane -> the release in
# `paasctl releases`. Prints each step's time and the total wall time (one-off set-up excluded:
# paasctl is built, and the local control plane (a real kube-apiserver + etcd, scripts/lib/kube.sh,
# built once and cached) started, before the clock starts; Go is the machine's). No kubelet runs
# here, so the deploy applies every stage without waiting for readiness (`--no-wait`).
# Usage: bash scripts/service-journey.sh   (PAASCTL=path/to/paasctl to skip the cargo build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
if [ -z "${PAASCTL:-}" ]; then
  (cd "$root" && cargo build -q --locked -p paasctl)
  PAASCTL="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
fi
work="$(mktemp -d)"
# shellcheck source=lib/kube.sh
. "$root/scripts/lib/kube.sh"
kube_build
trap 'kube_stop "$work/kube"; rm -rf "$work"' EXIT
kube_start "$work/kube" >/dev/null
kubeconfig="$work/kube/kubeconfig"
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
"$PAASCTL" deploy -e staging --image journey:1 --no-wait --kubeconfig "$kubeconfig" 2>"$work/deploy.log" \
  || { cat "$work/deploy.log" >&2; exit 1; }
step "deploy (--no-wait)"
"$PAASCTL" releases -e staging --kubeconfig "$kubeconfig" >"$work/releases.txt"
grep -Eq '(^| )v1 +deployed .*journey:1' "$work/releases.txt" || { cat "$work/releases.txt" >&2; exit 1; }
step "releases"
sed 's/^/    /' "$work/releases.txt"
awk -v a="$start" -v b="$(now)" 'BEGIN { printf "journey wall time: %.2f s (target under 60 s)\n", b - a }'
