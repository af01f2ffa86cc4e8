#!/usr/bin/env bash
# Stage: `paasctl service create` for real. Creates a Go service, checks it (check, lint
# --deny-warnings, fmt --check), builds it with the real toolchain (gofmt, go vet, staticcheck,
# go build), runs its unit tests, serves it on 127.0.0.1 and calls its example rpc through a
# generated PHP client (another language) and curl; the event it publishes must reach the data
# bus, here a stand-in that records what is posted to its publish rpc (the real data bus is
# issue 14). Then runs the scripted journey (scripts/service-journey.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
command -v php >/dev/null || { echo "php is required (stage 45 installs it)" >&2; exit 1; }

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

cd "$root"
PAASCTL="$paasctl" bash scripts/service-journey.sh
