#!/usr/bin/env bash
# Stage: runtime-php under real php-fpm behind nginx. Installs php-fpm, nginx, php-apcu and
# php-curl from the distribution when missing; generates the PHP of golden/cases/summer and
# serves it from runtime-php/tests/fpm/summer.php through nginx (127.0.0.1, a free port) and a
# php-fpm pool (unix socket, pm = static) in a temporary directory, with its dependency
# image-storage down (runtime-php/tests/fpm/dependency.php under `php -S`: counts calls,
# answers 503). runtime-php/tests/fpm/drive.php then calls it with the generated client and
# with separate HTTP requests: the circuit breaker, kept in APCu, opens after the threshold for
# all workers, the dependency gets no calls until half-open; with 1 and then 4 fpm workers.
# Then interop with Go both ways (needs Go): the generated Go client calls the generated PHP
# server under php-fpm and the generated PHP client the generated Go server (a result, a typed
# application error, a timeout, a retried idempotent rpc), and an event published by each is
# consumed by the other through a test bus (runtime-php/tests/interop/bus.php, a stand-in for
# the data bus of issue 14). Every process it starts is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

fpm_bin() { command -v php-fpm 2>/dev/null || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1; }
need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
[ -n "$(fpm_bin)" ] || need+=(php-fpm)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
php -m 2>/dev/null | grep -x curl >/dev/null || need+=(php-curl)
php -m 2>/dev/null | grep -x apcu >/dev/null || need+=(php-apcu)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
fpm="$(fpm_bin)"
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
"$fpm" --version | head -n1
"$nginx" -v

work="$(mktemp -d)"
pids=()
nginx_pids=()
cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);'; }
wait_http() {
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "not answering: $1" >&2
  return 1
}

cargo build -q -p paasctl
paasctl="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
"$paasctl" codegen golden/cases/summer --lang php --out "$work/gen/summer" \
  --php-namespace 'Summer\Generated' 2>/dev/null
export BRIEF_PHP_GEN="$work/gen"

as_root=0
[ "$(id -u)" = 0 ] && as_root=1

# start_site RUN FRONT WORKERS [ENV=VALUE...]: a php-fpm pool (unix socket, pm = static with
# WORKERS children, APCu on) behind nginx on 127.0.0.1:$site_port serving the front controller
# FRONT, its files in RUN; env[] of the pool from the rest.
start_site() {
  local run="$1" front="$2" workers="$3"
  shift 3
  mkdir -p "$run/tmp"
  {
    echo '[global]'
    echo "error_log = $run/fpm.log"
    echo 'daemonize = no'
    echo '[site]'
    [ "$as_root" = 1 ] && { echo 'user = root'; echo 'group = root'; }
    echo "listen = $run/fpm.sock"
    echo 'listen.mode = 0666'
    echo 'pm = static'
    echo "pm.max_children = $workers"
    echo 'clear_env = yes'
    echo "env[BRIEF_PHP_GEN] = $BRIEF_PHP_GEN"
    for kv in "$@"; do echo "env[${kv%%=*}] = ${kv#*=}"; done
    echo 'php_admin_value[apc.enabled] = 1'
    echo 'php_admin_value[apc.shm_size] = 32M'
    echo 'catch_workers_output = yes'
  } >"$run/fpm.conf"
  local root_flag=()
  [ "$as_root" = 1 ] && root_flag=(-R)
  "$fpm" -y "$run/fpm.conf" -F "${root_flag[@]}" >"$run/fpm.out" 2>&1 &
  pids+=("$!")
  site_port="$(free_port)"
  {
    [ "$as_root" = 1 ] && echo 'user root;'
    echo 'worker_processes 1;'
    echo "pid $run/nginx.pid;"
    echo "error_log $run/nginx-error.log;"
    echo 'events { worker_connections 64; }'
    echo 'http {'
    echo '  access_log off;'
    for t in client_body fastcgi proxy uwsgi scgi; do echo "  ${t}_temp_path $run/tmp/$t;"; done
    echo '  server {'
    echo "    listen 127.0.0.1:$site_port;"
    echo '    location / {'
    echo '      include /etc/nginx/fastcgi_params;'
    echo "      fastcgi_param SCRIPT_FILENAME $front;"
    echo "      fastcgi_pass unix:$run/fpm.sock;"
    echo '    }'
    echo '  }'
    echo '}'
  } >"$run/nginx.conf"
  "$nginx" -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf"
  nginx_pids+=("$run/nginx.pid")
  wait_http "http://127.0.0.1:$site_port/health/live"
}
site_logs() {
  echo "--- fpm log"; cat "$1/fpm.log" "$1/fpm.out" 2>/dev/null | tail -n 40 || true
  echo "--- nginx log"; tail -n 20 "$1/nginx-error.log" 2>/dev/null || true
}
stop_all() {
  for f in "${nginx_pids[@]}"; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  nginx_pids=()
}

# Part 1: the breaker across requests and workers.
for workers in 1 4; do
  echo "--- php-fpm pm = static, pm.max_children = $workers, dependency down"
  run="$work/run-$workers"
  mkdir -p "$run"
  dep_port="$(free_port)"
  BRIEF_DEP_COUNT="$run/dep-count" php -S "127.0.0.1:$dep_port" runtime-php/tests/fpm/dependency.php \
    >/dev/null 2>&1 &
  pids+=("$!")
  wait_http "http://127.0.0.1:$dep_port/count"
  start_site "$run" "$root/runtime-php/tests/fpm/summer.php" "$workers" \
    "SERVICE_IMAGE_STORAGE_URL=http://127.0.0.1:$dep_port"
  if ! php runtime-php/tests/fpm/drive.php "http://127.0.0.1:$site_port" "http://127.0.0.1:$dep_port" "$workers"; then
    site_logs "$run"
    exit 1
  fi
  stop_all
done

# Part 2: interop with Go both ways, on the contracts of runtime-php/tests/fixtures/interop
# (server, publisher) and interop-listener (client, consumer); events through a test bus that
# stands in for the data bus (issue 14).
export PATH="$PATH:/usr/local/go/bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod
command -v go >/dev/null || { echo "go not found: the interop part needs Go (see README)" >&2; exit 1; }
echo "--- interop with Go ($(go version | cut -d' ' -f3))"
mod="$work/go"
mkdir -p "$mod/cmd"
for f in interop interop-listener; do
  "$paasctl" codegen "runtime-php/tests/fixtures/$f" --lang go --out "$mod/$f" \
    --go-import-path "example.com/interop/$f" 2>/dev/null
  ns="Server"; [ "$f" = interop-listener ] && ns="Listener"
  "$paasctl" codegen "runtime-php/tests/fixtures/$f" --lang php --out "$work/gen/$f" \
    --php-namespace "Interop\\$ns" 2>/dev/null
done
cp -r runtime-php/tests/interop/go/server runtime-php/tests/interop/go/client "$mod/cmd/"
printf 'module example.com/interop\n\ngo 1.22\n\nrequire github.com/brief-paas/paasctl/runtime-go v0.0.0\n\nreplace github.com/brief-paas/paasctl/runtime-go => %s\n' \
  "$root/runtime-go" >"$mod/go.mod"
(cd "$mod" && go build -o "$work/go-server" ./cmd/server && go build -o "$work/go-client" ./cmd/client)
run="$work/interop"
mkdir -p "$run"
go_port="$(free_port)"
bus_port="$(free_port)"
GO_EVENTS_LOG="$run/go-events" "$work/go-server" "$go_port" >"$run/go-server.log" 2>&1 &
pids+=("$!")
wait_http "http://127.0.0.1:$go_port/health/live"
start_site "$run" "$root/runtime-php/tests/interop/server.php" 2 "PHP_EVENTS_LOG=$run/php-events"
BRIEF_BUS_LOG="$run/bus.log" \
  BRIEF_BUS_SUBSCRIBERS="http://127.0.0.1:$site_port,http://127.0.0.1:$go_port" \
  php -S "127.0.0.1:$bus_port" runtime-php/tests/interop/bus.php >/dev/null 2>&1 &
pids+=("$!")
sleep 0.5
key="k$RANDOM$RANDOM"
if ! "$work/go-client" "http://127.0.0.1:$site_port" "http://127.0.0.1:$bus_port" "go-$key" \
  || ! php runtime-php/tests/interop/client.php "http://127.0.0.1:$go_port" "http://127.0.0.1:$bus_port" "php-$key"; then
  site_logs "$run"
  echo "--- go server log"; cat "$run/go-server.log"
  echo "--- bus log"; cat "$run/bus.log" 2>/dev/null || true
  exit 1
fi
check_events() {
  local file="$1" who="$2"
  local go_n php_n
  go_n="$(grep -c '"note":"from go"' "$file" 2>/dev/null || true)"
  php_n="$(grep -c '"note":"from php"' "$file" 2>/dev/null || true)"
  if [ "$go_n" != 1 ] || [ "$php_n" != 1 ]; then
    echo "FAIL $who consumer: events from go: $go_n, from php: $php_n (want 1 each: every event delivered twice, deduplicated)" >&2
    cat "$run/bus.log" >&2
    exit 1
  fi
  echo "ok   $who consumer handled the event from go and the one from php once each (each delivered twice)"
}
check_events "$run/php-events" "PHP (php-fpm)"
check_events "$run/go-events" "Go"
bad="$(grep '^delivery' "$run/bus.log" | grep -cv ': 204$' || true)"
[ "$bad" = 0 ] || { echo "FAIL deliveries not acknowledged with 204:" >&2; cat "$run/bus.log" >&2; exit 1; }
echo "ok   every delivery was acknowledged with 204 (duplicates included)"
stop_all
echo "php-fpm stage: ok"
