#!/usr/bin/env bash
# Benchmark of the data bus: starts a single-node Kafka (scripts/lib/kafka.sh) and runs
# bus/benches/throughput.rs, which prints events/s and p50/p99 publish-to-delivery latency
# through brief-bus next to a raw Kafka produce -> consume with the same client (rdkafka) on the
# same broker, on topics of the same number of partitions, and their ratio.
# BRIEF_BUS_BENCH_EVENTS (default 5000), BRIEF_BUS_BENCH_CONCURRENCY (default 64) and
# BRIEF_BUS_BENCH_PARTITIONS (default 6, the bus's default) change the load; KAFKA_BOOTSTRAP set
# uses that broker.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${KAFKA_BOOTSTRAP:-}" ]; then
  # shellcheck source=scripts/lib/kafka.sh
  source scripts/lib/kafka.sh
  kafka_install
  work="$(mktemp -d)"
  trap 'kafka_stop "$work/kafka"; rm -rf "$work"' EXIT
  kafka_start "$work/kafka"
fi
cargo bench --locked -p brief-bus --bench throughput
