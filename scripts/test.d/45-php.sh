#!/usr/bin/env bash
# Stage: PHP backend and runtime-php. Installs php-cli, php-curl, phpcs, phpunit, php-apcu and
# the PSR-3/17/18 packages (php-psr-log, php-psr-http-client, php-nyholm-psr7) from the
# distribution when missing; generates the PHP of every golden case with an IR and
# runs `php -l` on every file and `phpcs --standard=PSR12` (a cargo test, --ignored); lints
# runtime-php; runs its PHPUnit tests: the codec against golden/wire, error mapping and
# discovery, and the generated server under `php -S` called by the generated client.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
php -m 2>/dev/null | grep -qx curl || need+=(php-curl)
php -m 2>/dev/null | grep -qx apcu || need+=(php-apcu)
command -v phpcs >/dev/null 2>&1 || need+=(php-codesniffer)
command -v phpunit >/dev/null 2>&1 || need+=(phpunit)
[ -f /usr/share/php/Psr/Log/autoload.php ] || need+=(php-psr-log)
[ -f /usr/share/php/Psr/Http/Client/autoload.php ] || need+=(php-psr-http-client)
[ -f /usr/share/php/Nyholm/Psr7/autoload.php ] || need+=(php-nyholm-psr7)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
php --version | head -n1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Every golden case: php -l and phpcs PSR12 on the generated tree.
BRIEF_PHP_OUT="$work/golden" cargo test -q -p brief-backend-php --test php_toolchain -- --ignored

# runtime-php itself.
for f in runtime-php/autoload.php runtime-php/src/*.php runtime-php/tests/*.php; do
  php -l "$f" >/dev/null
done
phpcs --standard=PSR12 -q runtime-php/autoload.php runtime-php/src

# PHPUnit: the code generated for the tests' fixture and for golden/cases/summer.
cargo build -q -p paasctl
paasctl="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
"$paasctl" codegen runtime-php/tests/fixtures/wire --lang php --out "$work/gen/wire" \
  --php-namespace 'Wire\Generated' 2>/dev/null
"$paasctl" codegen golden/cases/summer --lang php --out "$work/gen/summer" \
  --php-namespace 'Summer\Generated' 2>/dev/null
BRIEF_PHP_GEN="$work/gen" php -d apc.enable_cli=1 "$(command -v phpunit)" -c runtime-php/tests/phpunit.xml
