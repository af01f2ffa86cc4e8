#!/usr/bin/env bash
# A real Kubernetes control plane for the tests: builds kube-apiserver (from k8s.io/kubernetes)
# and etcd (from go.etcd.io/etcd/server/v3) with the machine's Go, cached outside the checkout in
# ~/.cache/brief-kube/<versions>/bin, and starts them on 127.0.0.1 with the flags Kubernetes' own
# integration test server uses (service-account keys, a token file, RBAC, Pod Security).
# Source it, then: kube_build; kube_start DIR (writes DIR/kubeconfig, DIR/token); kube_stop DIR;
# kube_start_second DIR2 DIR for a second "cluster" on the same etcd (another --etcd-prefix);
# kube_restart DIR starts a stopped API server again (same port, keys, token and prefix).
# kube_gateway_crds prints the directory of the Gateway API's standard CRDs (HTTPRoute, Gateway).
KUBE_VERSION="${KUBE_VERSION:-v1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KUBE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/brief-kube/kubernetes-$KUBE_VERSION-etcd-$ETCD_VERSION"

# Builds both binaries once per version pair. `go install pkg@version` refuses k8s.io/kubernetes
# (its go.mod replaces the staging modules, kubernetes#79384), so a wrapper module requires it and
# repeats each staging replace with the staging module's own release (v0.<minor>.<patch>).
kube_build() {
  if [ -x "$KUBE_CACHE/bin/kube-apiserver" ] && [ -x "$KUBE_CACHE/bin/etcd" ]; then
    return 0
  fi
  local wrap staging
  wrap="$KUBE_CACHE/wrapper"
  mkdir -p "$wrap" "$KUBE_CACHE/bin"
  staging="v0.${KUBE_VERSION#v1.}"
  (
    cd "$wrap"
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod
    local mod
    mod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
    {
      echo "module brief.local/kube"
      echo
      echo "go $(sed -n 's/^go //p' "$mod")"
      echo
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      echo
      echo "replace ("
      sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$mod"
      echo ")"
    } >go.mod
    printf 'package tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n' >tools.go
    go mod tidy >/dev/null 2>&1 || go mod tidy
    echo "building kube-apiserver $KUBE_VERSION (minutes on a cold cache)"
    go build -o "$KUBE_CACHE/bin/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
    mv "$KUBE_CACHE/bin/kube-apiserver.tmp" "$KUBE_CACHE/bin/kube-apiserver"
  )
  (
    local etcdmod="$KUBE_CACHE/etcd"
    mkdir -p "$etcdmod"
    cd "$etcdmod"
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod
    [ -f go.mod ] || go mod init brief.local/etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1
    echo "building etcd $ETCD_VERSION"
    go build -o "$KUBE_CACHE/bin/etcd.tmp" go.etcd.io/etcd/server/v3
    mv "$KUBE_CACHE/bin/etcd.tmp" "$KUBE_CACHE/bin/etcd"
  )
}

# The Gateway API's standard-channel CRDs, from its Go module (sigs.k8s.io/gateway-api, pinned;
# in the Go module cache like the API server's sources): prints their directory. The tests install
# the HTTPRoute CRD from there (the platform, not paasctl, owns the Gateway API in a real cluster).
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-v1.6.3}"
kube_gateway_crds() {
  local dir
  dir="$(GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
    sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
  [ -d "$dir/config/crd/standard" ] || return 1
  echo "$dir/config/crd/standard"
}

# A free TCP port on 127.0.0.1.
kube_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts etcd and one API server with state in DIR; writes DIR/kubeconfig and DIR/token and
# exports KUBE_URL. The caller stops them with kube_stop DIR (or a trap).
kube_start() {
  local dir="$1" etcd_port peer_port
  mkdir -p "$dir"
  etcd_port="$(kube_free_port)"
  peer_port="$(kube_free_port)"
  "$KUBE_CACHE/bin/etcd" --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" --log-level error >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"
  echo "http://127.0.0.1:$etcd_port" >"$dir/etcd.url"
  kube_apiserver "$dir" "http://127.0.0.1:$etcd_port" "${KUBE_ETCD_PREFIX:-/registry}"
}

# A second "cluster": another API server with state in DIR on the etcd of FIRST (a kube_start
# directory) under its own --etcd-prefix (default /registry-DIRNAME). kube_stop DIR stops it (the
# etcd stays FIRST's); exports KUBE_URL and writes DIR/kubeconfig like kube_start.
kube_start_second() {
  local dir="$1" first="$2" prefix="${3:-/registry-$(basename "$1")}"
  mkdir -p "$dir"
  kube_apiserver "$dir" "$(cat "$first/etcd.url")" "$prefix"
}

# One API server with state in DIR on the etcd at URL under PREFIX; waits until it is ready.
# Started again in the same DIR, it keeps its port, keys and token (kube_restart).
kube_apiserver() {
  local dir="$1" etcd_url="$2" prefix="$3" api_port
  if [ -f "$dir/port" ]; then
    api_port="$(cat "$dir/port")"
  else
    api_port="$(kube_free_port)"
    echo "$api_port" >"$dir/port"
    echo "$etcd_url" >"$dir/etcd.server"
    echo "$prefix" >"$dir/etcd.prefix"
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
    python3 -c 'import secrets; print(secrets.token_hex(16))' >"$dir/token"
    echo "$(cat "$dir/token"),admin,admin,system:masters" >"$dir/tokens.csv"
  fi
  "$KUBE_CACHE/bin/kube-apiserver" \
    --etcd-servers "$etcd_url" --etcd-prefix "$prefix" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$dir/certs" --endpoint-reconciler-type none \
    --service-account-key-file "$dir/sa.pub" --service-account-signing-key-file "$dir/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc" \
    --token-auth-file "$dir/tokens.csv" --authorization-mode RBAC \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=false \
    --enable-admission-plugins PodSecurity --disable-admission-plugins ServiceAccount \
    >"$dir/apiserver.log" 2>&1 &
  echo $! >"$dir/apiserver.pid"
  export KUBE_URL="https://127.0.0.1:$api_port"
  local i
  for i in $(seq 1 120); do
    if curl -skf -H "Authorization: Bearer $(cat "$dir/token")" "$KUBE_URL/readyz" >/dev/null 2>&1; then
      break
    fi
    sleep 0.5
  done
  curl -skf -H "Authorization: Bearer $(cat "$dir/token")" "$KUBE_URL/readyz" >/dev/null || {
    tail -n 30 "$dir/apiserver.log" >&2
    return 1
  }
  cat >"$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $KUBE_URL
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: $(cat "$dir/token")
contexts:
- name: local
  context:
    cluster: local
    user: admin
current-context: local
KC
}

# Starts the API server of DIR again after it was stopped (kill of DIR/apiserver.pid).
kube_restart() {
  local dir="$1"
  kube_apiserver "$dir" "$(cat "$dir/etcd.server")" "$(cat "$dir/etcd.prefix")"
}

# Stops the API server (and etcd, for a kube_start DIR) of DIR, waiting only for those: the
# processes of other clusters keep running.
kube_stop() {
  local dir="$1" f pid
  for f in "$dir/apiserver.pid" "$dir/etcd.pid"; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    kill "$pid" 2>/dev/null || continue
    wait "$pid" 2>/dev/null || while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
}
