#!/usr/bin/env bash
# Stage: the interop matrix (docs/interop.md). The generated client of each language calls the
# generated server of each language over 127.0.0.1 (Go's and Rust's own mains; PHP under
# php-fpm behind nginx), on interop/contract: the golden/wire codec vectors and interop/values.json echoed,
# typed and transport errors, @timeout, a deadline through a middle service, a retried idempotent
# rpc, and an event published by each language and consumed by each. Prints the matrix; fails
# on any cell. Needs Go, php-fpm and nginx (stages 30, 45 and 46 install them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local
cargo build -q --locked -p paasctl
unformatted="$(gofmt -l interop/go)"
[ -z "$unformatted" ] || { echo "gofmt: $unformatted" >&2; exit 1; }
for f in interop/php/*.php; do php -l "$f" >/dev/null; done
rustfmt --edition 2021 --check interop/rust/src/bin/*.rs
python3 interop/matrix.py "${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"
