#!/usr/bin/env bash
# Benchmark (not a timed test): calls per second through the generated PHP client (breaker,
# retry budget, metrics, codec) against bare curl with a reused handle, the same request to the
# same server: the generated echo server of runtime-php/tests/fixtures/wire under nginx and
# php-fpm (4 workers) when both are installed, else under `php -S`. Prints both rates and the
# ratio (target >= 0.8x). BRIEF_BENCH_CALLS sets the calls per measurement (default 2000).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
calls="${BRIEF_BENCH_CALLS:-2000}"
work="$(mktemp -d)"
pids=()
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cargo build -q -p paasctl
paasctl="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
"$paasctl" codegen runtime-php/tests/fixtures/wire --lang php --out "$work/gen/wire" \
  --php-namespace 'Wire\Generated' 2>/dev/null
"$paasctl" codegen golden/cases/summer --lang php --out "$work/gen/summer" \
  --php-namespace 'Summer\Generated' 2>/dev/null
export BRIEF_PHP_GEN="$work/gen"
port="$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);')"
fpm="$(command -v php-fpm 2>/dev/null || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1 || true)"
nginx="$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)"
if [ -n "$fpm" ] && [ -n "$nginx" ]; then
  server="nginx + php-fpm (pm = static, 4 workers)"
  mkdir -p "$work/tmp"
  user=""; [ "$(id -u)" = 0 ] && user=$'user = root\ngroup = root'
  cat >"$work/fpm.conf" <<CONF
[global]
error_log = $work/fpm.log
daemonize = no
[bench]
$user
listen = $work/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 4
clear_env = yes
env[BRIEF_PHP_GEN] = $BRIEF_PHP_GEN
env[BRIEF_PHP_BUS_LOG] = /dev/null
php_admin_value[error_log] = /dev/null
CONF
  flag=(); [ "$(id -u)" = 0 ] && flag=(-R)
  "$fpm" -y "$work/fpm.conf" -F "${flag[@]}" >/dev/null 2>&1 &
  pids+=("$!")
  nuser=""; [ "$(id -u)" = 0 ] && nuser="user root;"
  temps=""; for t in client_body fastcgi proxy uwsgi scgi; do temps+="${t}_temp_path $work/tmp/$t; "; done
  cat >"$work/nginx.conf" <<CONF
$nuser
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  $temps
  server {
    listen 127.0.0.1:$port;
    keepalive_requests 100000;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $root/runtime-php/tests/server.php;
      fastcgi_pass unix:$work/fpm.sock;
    }
  }
}
CONF
  "$nginx" -e "$work/nginx-error.log" -p "$work" -c "$work/nginx.conf"
else
  server="php -S (install php-fpm and nginx for the keep-alive setup)"
  BRIEF_PHP_BUS_LOG=/dev/null php -S "127.0.0.1:$port" runtime-php/tests/server.php >/dev/null 2>&1 &
  pids+=("$!")
fi
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health/live" 2>/dev/null && break
  sleep 0.1
done
echo "server: $server; $calls calls per measurement, median of 3"
php runtime-php/tests/bench.php "http://127.0.0.1:$port" "$calls"
