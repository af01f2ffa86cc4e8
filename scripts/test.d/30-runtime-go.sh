#!/usr/bin/env bash
# Stage: Go runtime (runtime-go) against the wire conformance vectors (golden/wire).
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
race=-race
# The race detector needs cgo; fall back when it is unavailable.
if ! go env CGO_ENABLED | grep -q 1 || ! command -v gcc >/dev/null 2>&1; then
  echo "note: cgo/gcc unavailable, running tests without -race"
  race=
fi
go test $race -count=1 -timeout 170s ./...
# The benchmark is compiled and run once briefly so that it cannot rot.
go test -run '^$' -bench . -benchtime 200x -count=1 ./...
