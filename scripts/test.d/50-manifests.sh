#!/usr/bin/env bash
# Stage: Kubernetes manifests (backends/k8s). Generates the manifests of every golden case in every
# environment of the embedded platform (plus the mesh variants and one run of the real CLI), then
# validates every object strictly against the Kubernetes 1.34 OpenAPI schemas (kubernetes-validate)
# and lints them with kube-score (zero findings, warnings included), Checkov (zero findings but the
# waivers of scripts/checkov.yaml, each with its reason) and kube-linter when it can be installed.
# Installs its tools by itself; see docs/manifests.md for the pinned versions and the checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
export INSTA_UPDATE=no CARGO_TERM_COLOR=never GOTOOLCHAIN=local

K8S_VALIDATE_VERSION=1.34.1   # matches k8s-openapi's v1_34 feature
KUBE_VERSION=1.34.0
KUBE_SCORE_VERSION=v1.20.0
KUBE_LINTER_VERSION=v0.7.2
CHECKOV_VERSION=3.3.30
# Tools are cached outside the checkout (a fresh clone reuses them), one entry per pinned version.
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/brief-manifest-tools"
mkdir -p "$TOOLS"

# --- kubernetes-validate, in a venv of its own (Debian's Python refuses system-wide pip installs).
VENV="$TOOLS/venv"
if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
fi
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$K8S_VALIDATE_VERSION"; then
  "$VENV/bin/pip" install -q "kubernetes-validate==$K8S_VALIDATE_VERSION"
fi

# --- Checkov, in a venv of its own (its dependencies are many and pinned by it).
CHECKOV_VENV="$TOOLS/checkov-$CHECKOV_VERSION"
if [ ! -x "$CHECKOV_VENV/bin/checkov" ]; then
  rm -rf "$CHECKOV_VENV"
  python3 -m venv "$CHECKOV_VENV"
  echo "installing checkov $CHECKOV_VERSION"
  "$CHECKOV_VENV/bin/pip" install -q "checkov==$CHECKOV_VERSION"
fi

# --- kube-score
export GOBIN="$HOME/go/bin"
mkdir -p "$GOBIN"
if [ ! -x "$GOBIN/kube-score" ] || [ "$(cat "$TOOLS/kube-score.version" 2>/dev/null)" != "$KUBE_SCORE_VERSION" ]; then
  go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  echo "$KUBE_SCORE_VERSION" > "$TOOLS/kube-score.version"
fi

# --- kube-linter: the Go module proxy reachable here refuses it (403), so it may be missing.
have_kube_linter=0
if [ -x "$GOBIN/kube-linter" ] && [ "$(cat "$TOOLS/kube-linter.version" 2>/dev/null)" = "$KUBE_LINTER_VERSION" ]; then
  have_kube_linter=1
elif go install "golang.stackrox.io/kube-linter/cmd/kube-linter@$KUBE_LINTER_VERSION" 2>"$TOOLS/kube-linter-install.log"; then
  echo "$KUBE_LINTER_VERSION" > "$TOOLS/kube-linter.version"
  have_kube_linter=1
else
  echo "WARNING: kube-linter $KUBE_LINTER_VERSION cannot be installed here; its lint is SKIPPED:" >&2
  tail -n 2 "$TOOLS/kube-linter-install.log" >&2
  if [ "${REQUIRE_KUBE_LINTER:-0}" = 1 ]; then
    echo "REQUIRE_KUBE_LINTER=1: failing" >&2
    exit 1
  fi
fi

# --- generate
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
MANIFESTS_OUT="$OUT" cargo test -q --locked -p brief-backend-k8s --test manifests -- \
  case:: mesh_variants
cargo run -q --locked -p paasctl -- manifests golden/cases/full-app -e production \
  --image registry.paas.internal/services/shop:1.4.2 --out "$OUT/cli/prod"
mapfile -t files < <(find "$OUT" -name '*.yaml' | sort)
mapfile -t dirs < <(find "$OUT" -name '10-init.yaml' -printf '%h\n' | sort)
echo "generated ${#files[@]} files in ${#dirs[@]} case/environment directories"
[ "${#dirs[@]}" -ge 6 ] || { echo "too few manifests generated" >&2; exit 1; }

# --- validate: every object against the OpenAPI schemas, unknown fields rejected
"$VENV/bin/kubernetes-validate" --strict --quiet -k "$KUBE_VERSION" "${files[@]}"
echo "kubernetes-validate --strict: ${#files[@]} files valid against Kubernetes $KUBE_VERSION"

# --- lint: each case/environment as a whole (kube-score matches Services, PDBs, policies to pods)
for d in "${dirs[@]}"; do
  if ! kube-score score --exit-one-on-warning --output-format ci \
      --enable-optional-test container-seccomp-profile \
      --enable-optional-test container-ephemeral-storage-request-equals-limit \
      --enable-optional-test container-ports-check \
      "$d"/*.yaml > "$OUT/score.txt"; then
    echo "kube-score findings in ${d#"$OUT"/}:" >&2
    grep -v '^\[OK\]\|^\[SKIPPED\]' "$OUT/score.txt" >&2 || true
    exit 1
  fi
  if [ "$have_kube_linter" = 1 ]; then
    kube-linter lint "$d"
  fi
done
echo "kube-score $KUBE_SCORE_VERSION: no findings in ${#dirs[@]} directories"

# --- Checkov: every case and environment with the waivers of scripts/checkov.yaml; then the
# CLI's output for an image pinned by digest with no waiver at all.
"$CHECKOV_VENV/bin/checkov" --config-file "$ROOT/scripts/checkov.yaml" -d "$OUT" >"$OUT/checkov.txt" 2>&1 || {
  cat "$OUT/checkov.txt" >&2
  exit 1
}
grep -q 'Failed checks: 0,' "$OUT/checkov.txt" || { cat "$OUT/checkov.txt" >&2; exit 1; }
echo "checkov $CHECKOV_VERSION: $(grep -o 'Passed checks: [0-9]*' "$OUT/checkov.txt"), no findings (waivers: scripts/checkov.yaml)"
digest="registry.paas.internal/services/shop@sha256:$(printf 'shop' | sha256sum | cut -d' ' -f1)"
cargo run -q --locked -p paasctl -- manifests golden/cases/full-app -e production --image "$digest" \
  --out "$OUT/digest" 2>/dev/null
"$CHECKOV_VENV/bin/checkov" --framework kubernetes --compact --quiet -d "$OUT/digest" >"$OUT/checkov-digest.txt" 2>&1 || {
  cat "$OUT/checkov-digest.txt" >&2
  exit 1
}
echo "checkov $CHECKOV_VERSION, no waivers, image by digest: $(grep -o 'Passed checks: [0-9]*, Failed checks: 0' "$OUT/checkov-digest.txt")"
if [ "$have_kube_linter" = 1 ]; then
  echo "kube-linter $KUBE_LINTER_VERSION: no findings"
fi

# --- the benchmark runs once briefly so that it cannot rot (numbers: docs/manifests.md)
cargo bench -q --locked -p brief-backend-k8s --bench manifests -- --warm-up-time 1 --measurement-time 3
