#!/usr/bin/env bash
# Stage: `paasctl service create` for real, for each engine with a backend, each service checked
# (check, lint --deny-warnings, fmt --check) and built, unit-tested, served on 127.0.0.1 and its
# example rpc called through a generated client of the other language:
# - Go: gofmt, go vet, staticcheck, go build, go test; served by its own main; called by a
#   generated PHP client and curl;
# - PHP: php -l, phpcs PSR-12, PHPUnit; served by php-fpm behind nginx with the service's own
#   docker/php-fpm.conf and docker/nginx.conf (ports and paths rewritten); called by a generated
#   Go client;
# - Rust: cargo fmt --check, clippy -D warnings, cargo test, cargo build; served by its own main;
#   called by a generated Go client.
# Each publishes its event to the data bus, here a stand-in that records what is posted to its
# publish rpc (the real data bus is issue 14). The prompts are answered on a pseudo-terminal
# (scripts/lib/prompt_test.py). Then runs scripts/service-journey.sh (which deploys to a local
# kube-apiserver: scripts/lib/kube.sh builds it once, cached).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
command -v php >/dev/null || { echo "php is required (stage 45 installs it)" >&2; exit 1; }
fpm="$(command -v php-fpm 2>/dev/null || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1)"
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
[ -n "$fpm" ] && [ -x "$nginx" ] || { echo "php-fpm and nginx are required (stage 46 installs them)" >&2; exit 1; }

cargo build -q --locked -p paasctl
paasctl="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
tools="${BRIEF_GO_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/brief-go-tools}"
staticcheck="$tools/staticcheck-v0.8.2/staticcheck"
[ -x "$staticcheck" ] || { echo "staticcheck is missing (stage 30 installs it)" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { # url
  for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "not ready: $1" >&2; return 1
}

# go_call SERVICE URL NAME: calls SERVICE's hello at URL for NAME with a generated Go client
# (SERVICE's contract, the current directory's service.brief, as its rpc/SERVICE.brief); prints
# the greeting.
go_call() {
  local svc="$1" url="$2" who="$3" dir="$work/gocaller-$1" pkg
  pkg="$(echo "$svc" | tr -d -- '-')client"
  mkdir -p "$dir/rpc"
  cp service.brief "$dir/rpc/$svc.brief"
  printf 'name = "gocaller"\n\n[engine]\nname = "golang"\n\n[[dependencies]]\nname = "%s"\n' "$svc" >"$dir/app.toml"
  "$paasctl" codegen "$dir" --lang go --out "$dir/gen" --go-import-path gocaller/gen 2>/dev/null
  cat >"$dir/go.mod" <<MOD
module gocaller

go 1.22

require github.com/brief-paas/paasctl/runtime-go v0.0.0

replace github.com/brief-paas/paasctl/runtime-go => $root/runtime-go
MOD
  cat >"$dir/main.go" <<GO
package main

import (
	"context"
	"fmt"
	"os"

	"gocaller/gen/$pkg"
)

func main() {
	c, err := $pkg.NewClient()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := c.Hello(context.Background(), &$pkg.HelloIn{Name: "$who"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(out.Greeting)
}
GO
  (cd "$dir" && env "SERVICE_$(echo "$svc" | tr 'a-z-' 'A-Z_')_URL=$url" go run .)
}

cd "$work"
"$paasctl" service create greeter --engine golang --description 'Greets people' \
  --depends-on billing --runtime-dir "$root" --yes
cd greeter
"$paasctl" check
"$paasctl" lint --deny-warnings
"$paasctl" fmt --check
unformatted="$(gofmt -l .)"
[ -z "$unformatted" ] || { echo "gofmt: $unformatted" >&2; exit 1; }
go vet ./...
"$staticcheck" ./...
go build -o "$work/greeter-bin" .
go test ./...

# The stand-in data bus: answers publish with {} and appends each event to bus.log.
bus_port="$(free_port)"
cat >"$work/bus.py" <<'PY'
import http.server, sys
class Bus(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/rpc/data-bus/publish":
            with open(sys.argv[2], "ab") as f:
                f.write(body + b"\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Bus).serve_forever()
PY
python3 "$work/bus.py" "$bus_port" "$work/bus.log" &
pids+=($!)

port="$(free_port)"
LISTEN_ADDR="127.0.0.1:$port" SERVICE_DATA_BUS_URL="http://127.0.0.1:$bus_port" \
  SERVICE_BILLING_URL="http://127.0.0.1:1" "$work/greeter-bin" >"$work/greeter.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$port/health/ready"

answer="$(curl -sf -X POST "http://127.0.0.1:$port/rpc/greeter/hello" \
  -H 'Content-Type: application/json' -d '{"name":"curl"}')"
[ "$answer" = '{"greeting":"Hello, curl!"}' ] || { echo "curl got: $answer" >&2; exit 1; }

# A PHP caller: greeter's contract as its rpc/greeter.brief, a generated PHP client.
mkdir -p "$work/caller/rpc"
cp service.brief "$work/caller/rpc/greeter.brief"
printf 'name = "caller"\n\n[engine]\nname = "php"\n\n[[dependencies]]\nname = "greeter"\n' >"$work/caller/app.toml"
"$paasctl" codegen "$work/caller" --lang php --out "$work/caller/gen" --php-namespace 'Caller\Generated' 2>/dev/null
cat >"$work/caller/call.php" <<PHP
<?php

declare(strict_types=1);

require '$root/runtime-php/autoload.php';
spl_autoload_register(static function (string \$class): void {
    \$prefix = 'Caller\\\\Generated\\\\';
    if (str_starts_with(\$class, \$prefix)) {
        require __DIR__ . '/gen/' . str_replace('\\\\', '/', substr(\$class, strlen(\$prefix))) . '.php';
    }
});

\$client = Caller\Generated\Greeter\GreeterClient::fromEnv();
\$out = \$client->hello(new Caller\Generated\Greeter\HelloIn('Ada'));
echo \$out->greeting, "\n";
PHP
find "$work/caller/gen" -name '*Client.php' | head -n 3
got="$(SERVICE_GREETER_URL="http://127.0.0.1:$port" php "$work/caller/call.php")"
[ "$got" = "Hello, Ada!" ] || { echo "PHP client got: $got" >&2; exit 1; }
grep -q '"name":"Ada"' "$work/bus.log" || { echo "no Greeted event for Ada on the bus:" >&2; cat "$work/bus.log" >&2; exit 1; }
grep -q '"type":"greeter.greeted"' "$work/bus.log" || { echo "event type is not the topic" >&2; cat "$work/bus.log" >&2; exit 1; }
echo "service create: Go service built, tested, served; PHP client and curl answered, event published"

# --- A PHP service, under php-fpm behind nginx, called by a generated Go client.
cd "$work"
"$paasctl" service create mailer --engine php --description 'Sends mail' --depends-on billing \
  --runtime-dir "$root" --yes
cd mailer
"$paasctl" check
"$paasctl" lint --deny-warnings
"$paasctl" fmt --check
find src public tests bootstrap.php -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null
phpcs --standard=PSR12 -q src public tests bootstrap.php
phpunit

fpm_port="$(free_port)"
http_port="$(free_port)"
sed -e "s#^listen = 127.0.0.1:9000#listen = 127.0.0.1:$fpm_port#" \
  -e "s#^\[global\]#[global]\npid = $work/fpm.pid#" docker/php-fpm.conf >"$work/fpm.conf"
sed -e "s#listen 8080;#listen 127.0.0.1:$http_port;#" -e "s#/srv/mailer#$work/mailer#g" \
  -e "s#127.0.0.1:9000#127.0.0.1:$fpm_port#" -e "s#/tmp/nginx#$work/nginx#g" \
  docker/nginx.conf >"$work/nginx.conf"
: >"$work/bus.log"
SERVICE_DATA_BUS_URL="http://127.0.0.1:$bus_port" SERVICE_BILLING_URL="http://127.0.0.1:1" \
  "$fpm" -R -F -y "$work/fpm.conf" >"$work/fpm.log" 2>&1 &
pids+=($!)
"$nginx" -c "$work/nginx.conf" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$http_port/health/ready" || { cat "$work/fpm.log" "$work/nginx.log" >&2; exit 1; }

# A Go caller: a generated Go client of mailer.
got="$(go_call mailer "http://127.0.0.1:$http_port" Grace)"
[ "$got" = "Hello, Grace!" ] || { echo "Go client got: $got" >&2; cat "$work/fpm.log" >&2; exit 1; }
grep -q '"type":"mailer.greeted"' "$work/bus.log" || { echo "no mailer.greeted event on the bus" >&2; cat "$work/bus.log" >&2; exit 1; }
grep -q '"name":"Grace"' "$work/bus.log" || { echo "the event is not for Grace" >&2; exit 1; }
echo "service create: PHP service linted, tested, served by php-fpm + nginx; Go client answered, event published"

# --- A Rust service, served by its own main, called by a generated Go client.
cd "$work"
"$paasctl" service create tagger --engine rust --description 'Tags things' --depends-on billing \
  --runtime-dir "$root" --yes
cd tagger
"$paasctl" check
"$paasctl" lint --deny-warnings
"$paasctl" fmt --check
# The workspace's lock file pins the runtime's dependencies to the tested versions (and lets the
# shared CARGO_TARGET_DIR reuse their builds); cargo drops what the service does not use.
cp "$root/Cargo.lock" Cargo.lock
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
cargo build
tagger_bin="${CARGO_TARGET_DIR:-$work/tagger/target}/debug/tagger"
: >"$work/bus.log"
port="$(free_port)"
LISTEN_ADDR="127.0.0.1:$port" SERVICE_DATA_BUS_URL="http://127.0.0.1:$bus_port" \
  SERVICE_BILLING_URL="http://127.0.0.1:1" "$tagger_bin" >"$work/tagger.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$port/health/ready" || { cat "$work/tagger.log" >&2; exit 1; }
got="$(go_call tagger "http://127.0.0.1:$port" Linus)"
[ "$got" = "Hello, Linus!" ] || { echo "Go client got: $got" >&2; cat "$work/tagger.log" >&2; exit 1; }
grep -q '"type":"tagger.greeted"' "$work/bus.log" || { echo "no tagger.greeted event on the bus" >&2; cat "$work/bus.log" >&2; exit 1; }
grep -q '"name":"Linus"' "$work/bus.log" || { echo "the event is not for Linus" >&2; exit 1; }
echo "service create: Rust service formatted, clippy-clean, tested, served; Go client answered, event published"

# The prompts, on a real pseudo-terminal.
mkdir -p "$work/prompted"
python3 "$root/scripts/lib/prompt_test.py" "$paasctl" "$work/prompted"

cd "$root"
PAASCTL="$paasctl" bash scripts/service-journey.sh
