#!/usr/bin/env bash
# Benchmark: `paasctl check` against `protoc` on the same 1,000-service schema (scripts/gen_corpus.py),
# both run here in one go; prints best-of-N wall times and their ratio. Installs protoc if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
n="${1:-1000}"; runs="${RUNS:-7}"
if ! command -v protoc >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq protobuf-compiler >/dev/null
fi
cargo build --release --locked -q -p paasctl
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
python3 scripts/gen_corpus.py "$dir" "$n"
python3 - "$dir" "$runs" <<'PY'
import subprocess, sys, time, glob
d, runs = sys.argv[1], int(sys.argv[2])
def best(cmd):
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL); ts.append(time.perf_counter() - t)
    return min(ts)
protos = sorted(glob.glob(f"{d}/proto/*.proto"))
p = best(["protoc", f"-I{d}/proto", "-I/usr/include", "--descriptor_set_out=/dev/null", *protos])
b = best(["target/release/paasctl", "check", f"{d}/brief"])
print(f"files: {len(protos)}  protoc: {p*1000:.1f} ms  paasctl check: {b*1000:.1f} ms  speed-up: {p/b:.2f}x")
PY
