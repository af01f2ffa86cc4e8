#!/usr/bin/env bash
# Stage: the language server driven by a real editor. Neovim (Debian's, installed when missing)
# headless, with the documented config editors/nvim/brief.lua, opens a service project; the
# script lsp/tests/nvim/e2e.lua records the diagnostics, a hover, a go-to-definition jump and the
# buffer after formatting, and this stage asserts them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

if ! command -v nvim >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1
cargo build -q -p paasctl
PAASCTL="$(cd "${CARGO_TARGET_DIR:-$ROOT/target}" && pwd)/debug/paasctl"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$work/orders"
mkdir -p "$project"
printf 'name = "orders"\n\n[engine]\nname = "golang"\n' > "$project/app.toml"
# A typo (`strng`, line 7) and formatting to fix (the message's spacing).
printf 'service "orders" `Takes orders`\nimport "types.brief"\n\nrpc place (PlaceIn) Order `Place an order`\n\nmessage   PlaceIn {\n    sku strng `The item`\n}\n' > "$project/service.brief"
printf '// Shared types.\nmessage Order `An order` { id int }\n' > "$project/types.brief"

out="$work/result.txt"
BRIEF_PROJECT="$project" BRIEF_OUT="$out" timeout 120 nvim --headless -u NONE -i NONE -n \
  --cmd "let g:brief_paasctl = '$PAASCTL'" \
  -c "luafile $ROOT/editors/nvim/brief.lua" \
  -c "luafile $ROOT/lsp/tests/nvim/e2e.lua" >/dev/null 2>&1 || true
if [ ! -s "$out" ]; then
  echo "neovim wrote no result" >&2
  exit 1
fi
cat "$out"
expect() { # pattern what
  if ! grep -qF -- "$1" "$out"; then
    echo "FAILED: $2 (expected a line with: $1)" >&2
    exit 1
  fi
}
expect 'diagnostic E0201 6:8-6:13 unknown type `strng`' "the editor shows check's E0201 at the typo"
expect 'hover ```brief | message Order `An order` { id int } | ```' "hover shows the declaration"
expect 'definition types.brief 1:8' "go to definition jumps across the import"
expect 'formatted message PlaceIn {' "formatting applied the formatter's edit"
echo "neovim end to end: ok"
