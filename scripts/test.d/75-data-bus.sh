#!/usr/bin/env bash
# The data bus (bus/, docs/data-bus.md) over a real single-node Kafka: installs Kafka with
# scripts/lib/kafka.sh, starts it, and runs bus/tests/kafka.rs against it. BRIEF_REQUIRE_KAFKA
# makes a test that would skip fail instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# shellcheck source=scripts/lib/kafka.sh
source scripts/lib/kafka.sh
kafka_install
work="$(mktemp -d)"
trap 'kafka_stop "$work/kafka"; rm -rf "$work"' EXIT
kafka_start "$work/kafka"
echo "kafka $KAFKA_VERSION at $KAFKA_BOOTSTRAP"
export BRIEF_REQUIRE_KAFKA=1
cargo test --locked -p brief-bus --test kafka -- --test-threads=3 --nocapture 2>&1 | tee "$work/test.log"
if grep -q '^SKIPPED' "$work/test.log"; then
  echo "a data bus test skipped although Kafka runs" >&2
  exit 1
fi
