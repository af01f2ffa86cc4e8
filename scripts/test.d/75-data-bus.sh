#!/usr/bin/env bash
# The data bus (bus/, docs/data-bus.md) over a real single-node Kafka: installs Kafka with
# scripts/lib/kafka.sh, starts it, and runs bus/tests/kafka.rs against it, including the Go
# end to end (paasctl-generated Go publisher and consumer; needs Go). BRIEF_REQUIRE_KAFKA makes
# a test that would skip fail instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
export CARGO_TERM_COLOR=never GOTOOLCHAIN=local
command -v go >/dev/null || { echo "go not found: the data bus stage needs Go (see README)" >&2; exit 1; }
unformatted="$(gofmt -l bus/tests/go)"
[ -z "$unformatted" ] || { echo "gofmt: $unformatted" >&2; exit 1; }
# shellcheck source=scripts/lib/kafka.sh
source scripts/lib/kafka.sh
kafka_install
work="$(mktemp -d)"
trap 'kafka_stop "$work/kafka"; rm -rf "$work"' EXIT
kafka_start "$work/kafka"
echo "kafka $KAFKA_VERSION at $KAFKA_BOOTSTRAP"
cargo build --locked -p paasctl -p brief-bus
export PAASCTL="${CARGO_TARGET_DIR:-$PWD/target}/debug/paasctl"
export BRIEF_REQUIRE_KAFKA=1
cargo test --locked -p brief-bus --test kafka -- --test-threads=3 --nocapture 2>&1 | tee "$work/test.log"
# Restarting the broker disturbs every test on it, so this one runs alone, last.
BRIEF_KAFKA_DIR="$work/kafka" cargo test --locked -p brief-bus --test kafka -- --ignored --nocapture \
  kafka_restarted 2>&1 | tee -a "$work/test.log"
if grep -q '^SKIPPED' "$work/test.log"; then
  echo "a data bus test skipped although Kafka runs" >&2
  exit 1
fi
