#!/usr/bin/env bash
# The main job on the example project in the repo: build paasctl, check the project, print its IR,
# write its staging manifests, generate its Go code and build it against runtime-go (needs Go).
# Later stages are added here as they land. Needs no cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
example="${1:-golden/cases/summer}"
cargo build --release --locked -p paasctl
paasctl=target/release/paasctl
echo "== paasctl check $example"
"$paasctl" check "$example"
echo "== paasctl ir $example (first lines)"
"$paasctl" ir "$example" | head -n 40
echo "== paasctl manifests $example --env staging (embedded platform defaults; no cluster needed)"
out=$(mktemp -d)
"$paasctl" manifests "$example" --env staging --out "$out"
ls -l "$out"
head -n 30 "$out"/30-app.yaml
echo "== paasctl codegen $example --lang go, then gofmt, go build, go vet in a throwaway module"
command -v go >/dev/null || { echo "go not found: the Go codegen step needs Go" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runtime="$(cd runtime-go && pwd)"
printf 'module example.com/service\n\ngo 1.22\n\nrequire github.com/brief-paas/paasctl/runtime-go v0.0.0\n\nreplace github.com/brief-paas/paasctl/runtime-go => %s\n' "$runtime" > "$work/go.mod"
"$paasctl" codegen "$example" --lang go --out "$work/gen" --go-import-path example.com/service/gen
(cd "$work/gen" && find . -type f | sort)
(
  cd "$work"
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
  unformatted="$(gofmt -l gen)"
  [ -z "$unformatted" ] || { echo "not gofmt-clean: $unformatted" >&2; exit 1; }
  go build ./...
  go vet ./...
)
echo "== the generated Go for $example builds"
