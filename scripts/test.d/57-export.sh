#!/usr/bin/env bash
# Stage: `paasctl export` checked by the tools of each format's own ecosystem (docs/export.md):
# - every golden case with an IR exported in each format by the real CLI;
# - OpenAPI 3.1: openapi-spec-validator on every document; then schemathesis drives the
#   generated Go server of golden/cases/go-everything (backends/export/tests/validators/server.go)
#   from our own document and must report no failure of the checks listed below;
# - AsyncAPI 3.0: @asyncapi/parser on every document, a severity-0 diagnostic fails;
# - proto3: protoc on every file, `buf lint` with backends/export/tests/validators/buf.yaml, and
#   tonic-build compiling the go-everything .proto in a throwaway crate, whose test uses it.
# Installs its tools by itself, cached outside the checkout, one directory per set of versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
export INSTA_UPDATE=no CARGO_TERM_COLOR=never GOTOOLCHAIN=local

OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0
SCHEMATHESIS_VERSION=4.32.5
ASYNCAPI_PARSER_VERSION=3.6.6
BUF_VERSION=1.75.0
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/brief-export-tools/osv$OPENAPI_SPEC_VALIDATOR_VERSION-st$SCHEMATHESIS_VERSION-ap$ASYNCAPI_PARSER_VERSION-buf$BUF_VERSION"
VALIDATORS="$ROOT/backends/export/tests/validators"
mkdir -p "$TOOLS"

# --- tools: a venv (Debian's Python refuses system-wide pip installs), node modules, protoc
if [ ! -x "$TOOLS/venv/bin/schemathesis" ] || [ ! -x "$TOOLS/venv/bin/openapi-spec-validator" ]; then
  if ! python3 -m venv "$TOOLS/venv" 2>/dev/null; then
    rm -rf "$TOOLS/venv"
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$TOOLS/venv"
  fi
  "$TOOLS/venv/bin/pip" install -q "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION" \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi
if [ ! -x "$TOOLS/node/node_modules/.bin/buf" ] || [ ! -d "$TOOLS/node/node_modules/@asyncapi/parser" ]; then
  mkdir -p "$TOOLS/node"
  # No lock file: it would record the registry's address.
  (cd "$TOOLS/node" && npm install --no-package-lock --no-save --silent \
    "@asyncapi/parser@$ASYNCAPI_PARSER_VERSION" "@bufbuild/buf@$BUF_VERSION")
fi
if ! command -v protoc >/dev/null; then
  apt-get update -qq && apt-get install -y -qq protobuf-compiler >/dev/null
fi
BUF="$TOOLS/node/node_modules/.bin/buf"
echo "tools: openapi-spec-validator $OPENAPI_SPEC_VALIDATOR_VERSION, schemathesis $SCHEMATHESIS_VERSION, @asyncapi/parser $ASYNCAPI_PARSER_VERSION, buf $("$BUF" --version), $(protoc --version)"

# --- export every golden case with an IR in each format, with the real CLI
cargo build -q --locked -p paasctl
paasctl="${CARGO_TARGET_DIR:-$ROOT/target}/debug/paasctl"
OUT="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT
cases=()
for dir in golden/cases/*/; do
  case="$(basename "$dir")"
  # Exit 1: the case has errors, hence no IR (its snapshots say the same).
  if ! "$paasctl" export "$dir" --format openapi --out "$OUT/$case.openapi.json" 2>/dev/null; then
    continue
  fi
  "$paasctl" export "$dir" --format asyncapi --out "$OUT/$case.asyncapi.json" 2>/dev/null
  "$paasctl" export "$dir" --format proto --out "$OUT/$case.proto" 2>/dev/null
  cases+=("$case")
done
expected="$(find backends/export/tests/snapshots -name '*__openapi.json.snap' | wc -l)"
echo "exported ${#cases[@]} golden cases in 3 formats"
[ "${#cases[@]}" -eq "$expected" ] || { echo "expected $expected cases (the snapshots')" >&2; exit 1; }

# --- OpenAPI: the spec validator
for c in "${cases[@]}"; do
  "$TOOLS/venv/bin/openapi-spec-validator" "$OUT/$c.openapi.json" >/dev/null
done
echo "openapi-spec-validator: ${#cases[@]} OpenAPI 3.1 documents valid"

# --- AsyncAPI: the parser (severity 0 fails; the rest is printed)
node_script="$TOOLS/node/asyncapi-parse.mjs"
cp "$VALIDATORS/asyncapi-parse.mjs" "$node_script"
files=()
for c in "${cases[@]}"; do files+=("$OUT/$c.asyncapi.json"); done
node "$node_script" "${files[@]}" | grep -v 'asyncapi-latest-version' || true
node "$node_script" "${files[@]}" >/dev/null
echo "@asyncapi/parser: ${#cases[@]} AsyncAPI 3.0 documents without errors"

# --- proto3: protoc, then buf lint; each file where its package says (brief/<name>/v1/)
for c in "${cases[@]}"; do
  pkg="$(sed -n 's/^package \(.*\);$/\1/p' "$OUT/$c.proto")"
  name="$(echo "$pkg" | cut -d. -f2)"
  mod="$OUT/proto/$c"
  mkdir -p "$mod/brief/$name/v1"
  cp "$OUT/$c.proto" "$mod/brief/$name/v1/$name.proto"
  cp "$VALIDATORS/buf.yaml" "$mod/buf.yaml"
  (cd "$mod" && protoc -I. --descriptor_set_out=/dev/null "brief/$name/v1/$name.proto")
  (cd "$mod" && "$BUF" lint)
done
echo "protoc and buf lint (backends/export/tests/validators/buf.yaml): ${#cases[@]} proto3 files clean"

# --- schemathesis against the generated Go server of go-everything, driven by our OpenAPI
go_mod="$OUT/go-server"
mkdir -p "$go_mod/cmd/server"
"$paasctl" codegen golden/cases/go-everything --lang go --out "$go_mod/gen" \
  --go-import-path example.com/export/gen >/dev/null 2>&1
printf 'module example.com/export\n\ngo 1.22\n\nrequire github.com/brief-paas/paasctl/runtime-go v0.0.0\n\nreplace github.com/brief-paas/paasctl/runtime-go => %s/runtime-go\n' "$ROOT" > "$go_mod/go.mod"
cp "$VALIDATORS/server.go" "$go_mod/cmd/server/main.go"
(cd "$go_mod" && GOFLAGS=-mod=mod GOPROXY=off go build -o server ./cmd/server)
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$go_mod/server" "127.0.0.1:$port" &
server_pid=$!
for _ in $(seq 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
# The checks (docs/export.md says why the others are not run): no 5xx, every status, content
# type, response header and response body as the document declares. X-Request-Timeout-Ms is
# fixed: a generated `0` or `1` makes the server answer 504 deadline_exceeded, as it must.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
(cd "$OUT" && "$TOOLS/venv/bin/schemathesis" run "$OUT/go-everything.openapi.json" \
  --url "http://127.0.0.1:$port" --checks "$CHECKS" -H 'X-Request-Timeout-Ms: 10000' \
  --phases examples,coverage,fuzzing --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" \
  --seed "${SCHEMATHESIS_SEED:-57}" --workers 1 > "$OUT/schemathesis.log" 2>&1) || {
  cat "$OUT/schemathesis.log" >&2
  echo "schemathesis found failures" >&2
  exit 1
}
grep -E 'generated|passed|failures' "$OUT/schemathesis.log" | tail -n 3
echo "schemathesis $SCHEMATHESIS_VERSION: no failures ($CHECKS)"

# --- tonic-build: the go-everything .proto compiled from Rust in a throwaway crate (its own
# workspace, the shared target directory), whose test uses the generated messages and services.
crate="$OUT/tonic"
mkdir -p "$crate/src" "$crate/proto/brief/everything/v1"
cp "$VALIDATORS/tonic/Cargo.toml.in" "$crate/Cargo.toml"
cp "$VALIDATORS/tonic/build.rs" "$crate/build.rs"
cp "$VALIDATORS/tonic/src/lib.rs" "$crate/src/lib.rs"
cp "$OUT/go-everything.proto" "$crate/proto/brief/everything/v1/everything.proto"
(cd "$crate" && BRIEF_PROTO=proto/brief/everything/v1/everything.proto cargo test -q)
echo "tonic-build 0.12.3: the go-everything .proto compiles to Rust and its messages and service are usable"
