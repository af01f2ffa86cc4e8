#!/usr/bin/env bash
# Stage: runtime-php under real php-fpm behind nginx. Installs php-fpm, nginx, php-apcu and
# php-curl from the distribution when missing; generates the PHP of golden/cases/summer and
# serves it from runtime-php/tests/fpm/summer.php through nginx (127.0.0.1, a free port) and a
# php-fpm pool (unix socket, pm = static) in a temporary directory, with its dependency
# image-storage down (runtime-php/tests/fpm/dependency.php under `php -S`: counts calls,
# answers 503). runtime-php/tests/fpm/drive.php then calls it with the generated client and
# with separate HTTP requests: the circuit breaker, kept in APCu, opens after the threshold for
# all workers, the dependency gets no calls until half-open; with 1 and then 4 fpm workers.
# Every process it starts is stopped on exit.
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
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
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

for workers in 1 4; do
  echo "--- php-fpm pm = static, pm.max_children = $workers"
  run="$work/run-$workers"
  mkdir -p "$run/tmp"
  dep_port="$(free_port)"
  BRIEF_DEP_COUNT="$run/dep-count" php -S "127.0.0.1:$dep_port" runtime-php/tests/fpm/dependency.php \
    >/dev/null 2>&1 &
  pids+=("$!")
  {
    echo '[global]'
    echo "error_log = $run/fpm.log"
    echo 'daemonize = no'
    echo '[summer]'
    [ "$as_root" = 1 ] && { echo 'user = root'; echo 'group = root'; }
    echo "listen = $run/fpm.sock"
    echo 'listen.mode = 0666'
    echo 'pm = static'
    echo "pm.max_children = $workers"
    echo 'clear_env = yes'
    echo "env[BRIEF_PHP_GEN] = $BRIEF_PHP_GEN"
    echo "env[SERVICE_IMAGE_STORAGE_URL] = http://127.0.0.1:$dep_port"
    echo 'php_admin_value[apc.enabled] = 1'
    echo 'php_admin_value[apc.shm_size] = 32M'
    echo 'catch_workers_output = yes'
  } >"$run/fpm.conf"
  root_flag=()
  [ "$as_root" = 1 ] && root_flag=(-R)
  "$fpm" -y "$run/fpm.conf" -F "${root_flag[@]}" \
    >"$run/fpm.out" 2>&1 &
  pids+=("$!")
  port="$(free_port)"
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
    echo "    listen 127.0.0.1:$port;"
    echo '    location / {'
    echo '      include /etc/nginx/fastcgi_params;'
    echo "      fastcgi_param SCRIPT_FILENAME $root/runtime-php/tests/fpm/summer.php;"
    echo "      fastcgi_pass unix:$run/fpm.sock;"
    echo '    }'
    echo '  }'
    echo '}'
  } >"$run/nginx.conf"
  "$nginx" -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf"
  cp "$run/nginx.pid" "$work/nginx.pid"
  wait_http "http://127.0.0.1:$dep_port/count"
  wait_http "http://127.0.0.1:$port/health/live"
  if ! php runtime-php/tests/fpm/drive.php "http://127.0.0.1:$port" "http://127.0.0.1:$dep_port" "$workers"; then
    echo "--- fpm log"; cat "$run/fpm.log" "$run/fpm.out" 2>/dev/null || true
    echo "--- nginx log"; cat "$run/nginx-error.log" 2>/dev/null || true
    exit 1
  fi
  kill "$(cat "$run/nginx.pid")"
  rm -f "$work/nginx.pid"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
done
echo "php-fpm stage: ok"
