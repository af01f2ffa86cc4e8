#!/usr/bin/env bash
# Stage: the interop matrix (docs/interop.md). The generated client of each language calls the
# generated server of each language over 127.0.0.1 (Go's and Rust's own mains; PHP under
# php-fpm behind nginx), on interop/contract: the golden/wire codec vectors and interop/values.json echoed,
# typed and transport errors, @timeout, a deadline through a middle service, a retried idempotent
# rpc, and an event published by each language and consumed by each through the real data bus
# (brief-bus on a single-node Kafka, scripts/lib/kafka.sh). Prints the matrix; fails on any cell.
# Needs Go, php-fpm and nginx (stages 30, 45 and 46 install them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
cargo build -q --locked -p paasctl -p brief-bus
unformatted="$(gofmt -l interop/go)"
[ -z "$unformatted" ] || { echo "gofmt: $unformatted" >&2; exit 1; }
for f in interop/php/*.php; do php -l "$f" >/dev/null; done
rustfmt --edition 2021 --check interop/rust/src/bin/*.rs
bin="${CARGO_TARGET_DIR:-$root/target}/debug"

# The data bus: brief-bus on Kafka, every server subscribed by matrix.py.
# shellcheck source=../lib/kafka.sh
source scripts/lib/kafka.sh
kafka_install
work="$(mktemp -d)"
bus_pid=""
cleanup() {
  if [ -n "$bus_pid" ]; then
    # brief-bus exits within --shutdown-grace-ms (3 s) + 2 s of SIGTERM (docs/data-bus.md,
    # Shutdown); the kill after 5 s only makes sure the stage leaves no process behind.
    kill "$bus_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$bus_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$bus_pid" 2>/dev/null || true
  fi
  kafka_stop "$work/kafka"
  rm -rf "$work"
}
trap cleanup EXIT
kafka_start "$work/kafka"
"$bin/brief-bus" serve --kafka "$KAFKA_BOOTSTRAP" --listen 127.0.0.1:0 --session-timeout-ms 6000 \
  >"$work/bus.out" 2>"$work/bus.err" &
bus_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/bus.out" && break; sleep 0.1; done
bus_addr="$(sed -n 's/^listening on //p' "$work/bus.out")"
[ -n "$bus_addr" ] || { echo "brief-bus did not start:" >&2; cat "$work/bus.err" >&2; exit 1; }
python3 interop/matrix.py "$bin/paasctl" "http://$bus_addr" || { echo "--- brief-bus" >&2; tail -40 "$work/bus.err" >&2; exit 1; }
