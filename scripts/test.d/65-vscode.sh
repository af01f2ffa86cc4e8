#!/usr/bin/env bash
# Stage: the VS Code extension (editors/vscode). Installs its pinned npm packages (npm ci), then:
# the TextMate grammar's assertion tests (vscode-tmgrammar-test) and its run over every .brief
# file of the golden corpus (vscode-textmate, the engine VS Code uses); the extension's activation
# with the vscode API stubbed (no VS Code runs here) and the real `paasctl lsp` it starts
# answering initialize; then packages the .vsix with @vscode/vsce and checks what it holds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v npm >/dev/null || { echo "npm is required (Node 20 or newer)" >&2; exit 1; }

cargo build -q -p paasctl
export PAASCTL="${CARGO_TARGET_DIR:-$root/target}/debug/paasctl"

cd editors/vscode
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm test --silent

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npx --no-install vsce package --skip-license --allow-missing-repository --out "$work/brief.vsix" >/dev/null
python3 - "$work/brief.vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
want = {"extension/package.json", "extension/dist/extension.js",
        "extension/syntaxes/brief.tmLanguage.json", "extension/language-configuration.json"}
missing = want - names
stray = sorted(n for n in names if n.startswith(("extension/tests/", "extension/node_modules/")))
if missing or stray:
    sys.exit(f"brief.vsix: missing {sorted(missing)}, should not hold {stray}")
print(f"brief.vsix: {len(names)} files, bundle and grammar included")
PY
