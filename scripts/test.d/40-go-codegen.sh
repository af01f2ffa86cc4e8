#!/usr/bin/env bash
# Stage: the Go backend. Generates Go for every golden case with an IR into a throwaway module
# (runtime-go replaced by the local copy), checks gofmt, go build and go vet, runs the end-to-end
# tests (backends/go/tests/e2e/) and the generated-client benchmark once briefly. Fails if Go is
# missing. The Rust snapshot tests of the generated files run in stage 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local CARGO_TERM_COLOR=never INSTA_UPDATE=no
command -v go >/dev/null || { echo "go not found: the Go codegen stage needs Go (see README)" >&2; exit 1; }
go version
unformatted="$(gofmt -l backends/go/tests/e2e)"
if [ -n "$unformatted" ]; then
  echo "gofmt: these fixtures need formatting:" >&2
  echo "$unformatted" >&2
  exit 1
fi
BRIEF_GO_BENCH=1 BRIEF_GO_BENCHTIME="${BRIEF_GO_BENCHTIME:-200x}" \
  cargo test --locked -p brief-backend-go --test go_toolchain -- --ignored --nocapture
# The CLI end to end: codegen twice into one directory changes nothing the second time.
cargo build --locked -p paasctl
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"${CARGO_TARGET_DIR:-target}/debug/paasctl" codegen golden/cases/summer --lang go --out "$out/gen" --go-import-path example.com/summer/gen
before="$(cd "$out/gen" && find . -type f -exec stat -c '%n %Y %i' {} + | sort)"
sleep 1
"${CARGO_TARGET_DIR:-target}/debug/paasctl" codegen golden/cases/summer --lang go --out "$out/gen" --go-import-path example.com/summer/gen 2>&1 | tee "$out/log"
grep -q "(0 changed, 0 removed)" "$out/log"
after="$(cd "$out/gen" && find . -type f -exec stat -c '%n %Y %i' {} + | sort)"
[ "$before" = "$after" ] || { echo "second codegen run touched files" >&2; exit 1; }
echo "Go codegen stage passed"
