#!/usr/bin/env bash
# Stage: the deploy driver (deploy/, paasctl deploy|status|releases|rollback) against real
# kube-apiservers and etcd (scripts/lib/kube.sh builds them once into ~/.cache/brief-kube, then
# starts them on 127.0.0.1 in about 3 s each): cluster `one` ($KUBECONFIG) and cluster `two`
# ($KUBECONFIG_TWO), a second API server on the same etcd under its own --etcd-prefix, and cluster
# `three` ($KUBE_THREE: its state directory), which the outage test stops, restarts and wipes (its
# etcd prefix deleted, the etcd at $KUBE_ETCD). No kubelet
# or controllers run: the tests act as the Deployment and Job controllers by patching /status
# where they need workloads ready (paasctl/tests/deploy.rs). The Gateway API's CRDs come from its Go
# module ($GATEWAY_API_CRDS); the HTTPRoute canary test installs the HTTPRoute CRD from there.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$HOME/go/bin:$PATH"
export INSTA_UPDATE=no CARGO_TERM_COLOR=never GOTOOLCHAIN=local
# shellcheck source=../lib/kube.sh
. scripts/lib/kube.sh

kube_build
GATEWAY_API_CRDS="$(kube_gateway_crds)"
export GATEWAY_API_CRDS
STATE="$(mktemp -d)"
trap 'kube_stop "$STATE/three"; kube_stop "$STATE/two"; kube_stop "$STATE/one"; rm -rf "$STATE"' EXIT
kube_start "$STATE/one"
export KUBECONFIG="$STATE/one/kubeconfig"
echo "cluster one: kube-apiserver $KUBE_VERSION at $KUBE_URL"
kube_start_second "$STATE/two" "$STATE/one"
export KUBECONFIG_TWO="$STATE/two/kubeconfig"
echo "cluster two: kube-apiserver $KUBE_VERSION at $KUBE_URL (same etcd, prefix /registry-two)"
kube_start_second "$STATE/three" "$STATE/one"
export KUBE_THREE="$STATE/three" KUBE_ETCD="$(cat "$STATE/one/etcd.url")"
echo "cluster three: kube-apiserver $KUBE_VERSION at $KUBE_URL (same etcd, prefix /registry-three)"
cargo test -p paasctl --test deploy -- --ignored --test-threads 4 --skip bench_
