#!/usr/bin/env bash
# Benchmark of the deploy driver: the wall time of a deploy to two clusters against one (the
# target of issue 15 is a ratio <= 1.1), on two real kube-apiservers, each on its own etcd
# (BENCH_ETCD=shared: both on one etcd; scripts/lib/kube.sh), the test acting as the controllers.
# Prints the medians and the ratio; BENCH_TRACE=1 the last run's events with their times,
# BENCH_TRACE_ALL=1 with it every run's.
# BENCH_RUNS=N sets the number of runs of each (default 5); the driver polls readiness every
# BENCH_POLL_MS (default 50) ms and the fake controllers look every FAKE_CONTROLLERS_MS (default
# here 20) ms, so that the figure is the driver's and not the fake controllers' latency.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
export CARGO_TERM_COLOR=never GOTOOLCHAIN=local
# shellcheck source=lib/kube.sh
. scripts/lib/kube.sh

kube_build
STATE="$(mktemp -d)"
trap 'kube_stop "$STATE/two"; kube_stop "$STATE/one"; rm -rf "$STATE"' EXIT
kube_start "$STATE/one"
export KUBECONFIG="$STATE/one/kubeconfig"
if [ "${BENCH_ETCD:-own}" = shared ]; then
  kube_start_second "$STATE/two" "$STATE/one"
else
  kube_start "$STATE/two"
fi
export KUBECONFIG_TWO="$STATE/two/kubeconfig"
export FAKE_CONTROLLERS_MS="${FAKE_CONTROLLERS_MS:-20}"
cargo test -q -p paasctl --test deploy -- --ignored --exact bench_a_deploy_to_two_clusters_against_one \
  --nocapture 2>&1 | grep -E "^(deploy of|  )"
