#!/usr/bin/env bash
# Stage: Go runtime (runtime-go) against the wire conformance vectors (golden/wire),
# its load test (amplification targets), staticcheck and golangci-lint.
set -euo pipefail
cd "$(dirname "$0")/../../runtime-go"
export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local
go version
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "gofmt: these files need formatting:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...

# Linters, pinned and installed from the Go module proxy with `go install` into a cache
# directory (one per version), so that a warm run does not build them again.
STATICCHECK_VERSION=v0.8.2     # honnef.co/go/tools
GOLANGCI_LINT_VERSION=v2.15.0  # github.com/golangci/golangci-lint/v2
tools="${BRIEF_GO_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/brief-go-tools}"
install_tool() { # name version package
  local dir="$tools/$1-$2"
  if [ ! -x "$dir/$1" ]; then
    echo "installing $1 $2"
    mkdir -p "$dir"
    GOBIN="$dir" GOFLAGS=-buildvcs=false go install "$3@$2"
  fi
  echo "$dir/$1"
}
staticcheck="$(install_tool staticcheck "$STATICCHECK_VERSION" honnef.co/go/tools/cmd/staticcheck | tail -n1)"
golangci_lint="$(install_tool golangci-lint "$GOLANGCI_LINT_VERSION" github.com/golangci/golangci-lint/v2/cmd/golangci-lint | tail -n1)"
"$staticcheck" -version
"$staticcheck" ./...
"$golangci_lint" version
"$golangci_lint" run ./...

race=-race
# The race detector needs cgo; fall back when it is unavailable.
if ! go env CGO_ENABLED | grep -q 1 || ! command -v gcc >/dev/null 2>&1; then
  echo "note: cgo/gcc unavailable, running tests without -race"
  race=
fi
go test $race -count=1 -timeout 170s -skip '^TestLoadAmplification$' ./...
# The load test runs without the race detector (it measures), and prints its table.
go test -count=1 -timeout 170s -run '^TestLoadAmplification$' -v .
# The benchmarks are compiled and run once briefly so that they cannot rot.
go test -run '^$' -bench . -benchtime 200x -count=1 ./...
