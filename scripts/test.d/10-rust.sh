#!/usr/bin/env bash
# Rust: formatting, lints (clippy -D warnings), every workspace test, benches compile.
set -euo pipefail
cd "$(dirname "$0")/../.."
export INSTA_UPDATE=no CARGO_TERM_COLOR=never
# The data bus (bus/) links librdkafka built from source (rdkafka's cmake-build), which needs
# cmake and curl's headers (librdkafka's CMake build includes them unconditionally).
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need+=(libcurl4-openssl-dev)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# Pending snapshots mean a snapshot test wrote a .snap.new instead of passing.
if find . -path ./target -prune -o \( -name '*.snap.new' -o -name '*.pending-snap' \) -print | grep -q .; then
  echo "pending insta snapshots found: review them with cargo insta review" >&2
  exit 1
fi
