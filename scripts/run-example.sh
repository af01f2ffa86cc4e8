#!/usr/bin/env bash
# The main job on the example project in the repo: build paasctl, check the project, print its IR.
# Later stages (codegen, manifests) are added here as they land. Needs no cluster.
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
