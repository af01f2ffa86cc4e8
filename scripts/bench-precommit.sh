#!/usr/bin/env bash
# Pre-commit speed: times paasctl check / lint / fmt --check on a generated 1,000-file project,
# whole project and one changed file, with the release binary. Prints the median of N runs in ms.
# Usage: bash scripts/bench-precommit.sh [FILES=1000] [RUNS=15]
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-1000}"
runs="${2:-15}"
cargo build --quiet --release --locked -p paasctl
bin="$PWD/target/release/paasctl"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/types", exist_ok=True)
os.makedirs(f"{root}/rpc", exist_ok=True)
open(f"{root}/app.toml", "w").write('name = "big"\n')
types = n - 1
imports = "".join(f'import "types/t{i}.brief"\n' for i in range(min(types, 20)))
rpcs = "".join(
    f"@idempotent\nrpc getThing{i} (T{i}In) T{i}Out `Get thing {i}`\n\n" for i in range(min(types, 20))
)
open(f"{root}/service.brief", "w").write(f'service "big" `A big service`\n\n{imports}\n{rpcs}')
for i in range(types):
    open(f"{root}/types/t{i}.brief", "w").write(
        f"// Types of thing {i}.\n"
        f"message T{i}In `Request` {{\n    id    int    `Id`\n    query string `Query`\n}}\n\n"
        f"message T{i}Out `Response` {{\n    id     int       `Id`\n    names  []string  `Names`\n"
        f"    labels map[string]string `Labels`\n    state  ?State{i} `State`\n}}\n\n"
        f"enum State{i} `States` {{\n    active `Active`\n    gone   `Gone`\n}}\n"
    )
PY
cd "$dir"
one="types/t7.brief"
echo "// changed" >> "$one"
median() {
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{times[len(times)//2]:8.1f} ms  (min {times[0]:.1f}, max {times[-1]:.1f})  {' '.join(cmd[1:])}")
PY
}
echo "project: $files .brief files; median of $runs runs; $(nproc) cores"
median "$bin" --version
median "$bin" check "$one"
median "$bin" lint "$one"
median "$bin" fmt --check "$one"
median "$bin" check .
median "$bin" lint .
median "$bin" fmt --check .
