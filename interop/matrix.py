"""The interop matrix (docs/interop.md): the generated client of each language calls the
generated server of each language over 127.0.0.1, on the contract in interop/contract, and every
cell must pass. Servers: Go (its own main, interop/go/server), PHP (php-fpm behind nginx,
interop/php/server.php), Rust (its own main, interop/rust/src/bin/server.rs). Events go
through the data bus at BUS_URL (the real brief-bus on Kafka: stage 58 starts both), to which
every server is subscribed; without BUS_URL, through a stand-in (runtime-php/tests/interop/bus.php)
that delivers each event twice to every server.

Usage: python3 interop/matrix.py PAASCTL [BUS_URL]   (needs go, cargo, php, php-fpm, nginx; stages 30/45/46 install them)
Prints the matrix as a table (scenario x client->server) and exits 1 on any failing cell."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACT = os.path.join(ROOT, "interop", "contract")
LANGS = ["go", "php", "rust"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def wait_ready(url, procs, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        for p in procs:
            if p.poll() is not None:
                sys.exit(f"matrix: a server exited ({p.args[0]}) before {url} was ready")
        time.sleep(0.1)
    sys.exit(f"matrix: {url} not ready after {timeout} s")


def which(*names):
    for n in names:
        p = shutil.which(n) or (os.path.exists(n) and n)
        if p:
            return p
    for d in ("/usr/sbin",):
        for f in sorted(os.listdir(d)):
            if any(f.startswith(n) for n in names):
                return os.path.join(d, f)
    sys.exit(f"matrix: none of {names} is installed")


def build_go(paasctl, work):
    go = os.path.join(work, "go")
    shutil.copytree(os.path.join(ROOT, "interop", "go"), go)
    with open(os.path.join(go, "go.mod")) as f:
        mod = f.read().replace("=> ../../runtime-go", "=> " + os.path.join(ROOT, "runtime-go"))
    with open(os.path.join(go, "go.mod"), "w") as f:
        f.write(mod)
    run([paasctl, "codegen", CONTRACT, "--lang", "go", "--out", os.path.join(go, "gen"),
         "--go-import-path", "interop/gen"], stderr=subprocess.DEVNULL)
    env = dict(os.environ, GOTOOLCHAIN="local")
    run(["go", "vet", "./..."], cwd=go, env=env)
    run(["go", "build", "-o", os.path.join(work, "bin") + "/", "./server", "./client"], cwd=go, env=env)


def build_rust(paasctl, work):
    """Copies interop/rust, generates its src/gen, builds the server and client (sharing
    CARGO_TARGET_DIR with the workspace, pinned by the workspace's lock file) and returns the
    directory of the binaries. A compiler warning fails the build."""
    crate = os.path.join(work, "rust")
    shutil.copytree(os.path.join(ROOT, "interop", "rust"), crate)
    manifest = os.path.join(crate, "Cargo.toml")
    with open(manifest) as f:
        text = f.read().replace('path = "../../runtime-rust"', f'path = "{os.path.join(ROOT, "runtime-rust")}"')
    with open(manifest, "w") as f:
        f.write(text)
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(crate, "Cargo.lock"))
    run([paasctl, "codegen", CONTRACT, "--lang", "rust", "--out", os.path.join(crate, "src", "gen")],
        stderr=subprocess.DEVNULL)
    p = subprocess.run(["cargo", "build", "--bins", "--message-format", "short"], cwd=crate,
                       capture_output=True, text=True)
    warnings = [l for l in p.stderr.splitlines() if ": warning:" in l or l.startswith("warning:")]
    if p.returncode != 0 or warnings:
        sys.exit("matrix: the Rust side does not build cleanly:\n" + p.stderr[-4000:])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(crate, "target")
    return os.path.join(target, "debug")


def gen_php(paasctl, work):
    out = os.path.join(work, "php-gen")
    run([paasctl, "codegen", CONTRACT, "--lang", "php", "--out", out,
         "--php-namespace", "Matrix\\Generated"], stderr=subprocess.DEVNULL)
    return out


def subscribe(bus, topic, subscriber, target):
    """Subscribes `subscriber` at `target` to `topic` on the data bus (docs/protocol.md 9.2)."""
    body = json.dumps({"topic": topic, "subscriber": subscriber, "url": target}).encode()
    req = urllib.request.Request(bus + "/rpc/data-bus/subscribe", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 200:
            sys.exit(f"matrix: subscribe {subscriber} to {topic}: HTTP {r.status}")


def main():
    paasctl = os.path.abspath(sys.argv[1])
    real_bus = sys.argv[2] if len(sys.argv) > 2 else None
    work = tempfile.mkdtemp(prefix="matrix-")
    procs = []
    try:
        build_go(paasctl, work)
        rust_bin = build_rust(paasctl, work)
        php_gen = gen_php(paasctl, work)
        php_env = {"BRIEF_RUNTIME_PHP": os.path.join(ROOT, "runtime-php", "autoload.php"),
                   "MATRIX_PHP_GEN": php_gen}
        ports = {"bus": free_port(), "go": free_port(), "php": free_port(), "rust": free_port(),
                 "fpm": free_port()}
        url = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
        bus_log = os.path.join(work, "bus.log")

        if real_bus:
            url["bus"] = real_bus
        else:
            # The stand-in bus, delivering to every server.
            env = dict(os.environ, BRIEF_BUS_LOG=bus_log, BRIEF_BUS_SUBSCRIBERS=",".join(url[l] for l in LANGS),
                       PHP_CLI_SERVER_WORKERS="4")
            procs.append(subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{ports['bus']}", os.path.join(ROOT, "runtime-php", "tests", "interop", "bus.php")],
                env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "bus.err"), "w")))

        # Go.
        env = dict(os.environ, LISTEN_ADDR=f"127.0.0.1:{ports['go']}", SERVICE_DATA_BUS_URL=url["bus"])
        procs.append(subprocess.Popen([os.path.join(work, "bin", "server")], env=env,
                                      stderr=open(os.path.join(work, "go.err"), "w")))

        # Rust.
        env = dict(os.environ, LISTEN_ADDR=f"127.0.0.1:{ports['rust']}", SERVICE_DATA_BUS_URL=url["bus"])
        procs.append(subprocess.Popen([os.path.join(rust_bin, "matrix-rust-server")], env=env,
                                      stderr=open(os.path.join(work, "rust.err"), "w")))

        # PHP under php-fpm (4 workers, APCu) behind nginx.
        fpm_conf = os.path.join(work, "fpm.conf")
        with open(fpm_conf, "w") as f:
            f.write(f"[global]\nerror_log = {work}/fpm.log\npid = {work}/fpm.pid\ndaemonize = no\n[matrix]\n")
            if os.getuid() == 0:
                f.write("user = root\ngroup = root\n")
            f.write(f"listen = 127.0.0.1:{ports['fpm']}\npm = static\npm.max_children = 4\nclear_env = yes\n")
            for k, v in dict(php_env, SERVICE_DATA_BUS_URL=url["bus"]).items():
                f.write(f"env[{k}] = {v}\n")
            f.write("php_admin_value[apc.enabled] = 1\nphp_admin_value[apc.shm_size] = 32M\ncatch_workers_output = yes\n")
        nginx_conf = os.path.join(work, "nginx.conf")
        with open(nginx_conf, "w") as f:
            f.write(f"""worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    fastcgi_temp_path {work}/nginx-fastcgi;
    proxy_temp_path {work}/nginx-proxy;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{
        listen 127.0.0.1:{ports['php']};
        location / {{
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME {ROOT}/interop/php/server.php;
            fastcgi_pass 127.0.0.1:{ports['fpm']};
        }}
    }}
}}
""")
        fpm = which("php-fpm", "php-fpm8")
        nginx = which("nginx")
        procs.append(subprocess.Popen([fpm, "-F", "-y", fpm_conf] + (["-R"] if os.getuid() == 0 else []),
                                      stderr=open(os.path.join(work, "fpm.err"), "w")))
        procs.append(subprocess.Popen([nginx, "-c", nginx_conf, "-g", "daemon off;"],
                                      stderr=open(os.path.join(work, "nginx.err"), "w")))
        for lang in LANGS:
            wait_ready(url[lang] + "/health/ready", procs)
        if real_bus:
            for lang in LANGS:
                subscribe(real_bus, "matrix.happened", f"matrix-{lang}", url[lang] + "/events/matrix.happened")

        codec = os.path.join(ROOT, "golden", "wire", "codec.json")
        values = os.path.join(ROOT, "interop", "values.json")
        cells = {}
        scenarios = []
        for client in LANGS:
            for server in LANGS:
                final = next(l for l in LANGS if l != server)
                micro = "php" in (client, server)
                if client == "go":
                    cmd = [os.path.join(work, "bin", "client"), "-server", url[server], "-final", url[final],
                           "-publisher", url[client], "-vectors", codec, "-values", values] + (["-micro"] if micro else [])
                    env = dict(os.environ)
                elif client == "rust":
                    cmd = [os.path.join(rust_bin, "matrix-rust-client"), url[server], url[final], url[client], codec, values] \
                        + (["micro"] if micro else [])
                    env = dict(os.environ)
                else:
                    cmd = ["php", os.path.join(ROOT, "interop", "php", "client.php"), url[server], url[final],
                           url[client], codec, values] + (["micro"] if micro else [])
                    env = dict(os.environ, **php_env)
                p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
                lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
                if not lines:
                    lines = [{"scenario": "client", "ok": False, "detail": (p.stderr or p.stdout)[-400:]}]
                for r in lines:
                    if r["scenario"] not in scenarios:
                        scenarios.append(r["scenario"])
                    cells[(r["scenario"], client, server)] = r
        pairs = [(c, s) for c in LANGS for s in LANGS]
        width = max(len(s) for s in scenarios) + 2
        print("interop matrix (client -> server; deadline: via the server to the other language; "
              "event: published by the client's language, consumed by the server; data bus: "
              + ("brief-bus on Kafka" if real_bus else "the stand-in") + ")")
        print("".ljust(width) + "".join(f"{c}->{s}".ljust(12) for c, s in pairs))
        failed = []
        for sc in scenarios:
            row = sc.ljust(width)
            for c, s in pairs:
                r = cells.get((sc, c, s))
                ok = bool(r and r["ok"])
                row += ("pass" if ok else "FAIL").ljust(12)
                if not ok:
                    failed.append(f"  {sc} {c}->{s}: {r['detail'] if r else 'not run'}")
            print(row)
        for c, s in pairs:
            for sc in scenarios:
                r = cells.get((sc, c, s))
                if r and r["ok"] and "skipped" in r["detail"] and not r["detail"].startswith("0 ") and "(0 " not in r["detail"]:
                    print(f"  note {sc} {c}->{s}: {r['detail']}")
        if failed:
            print("failures:\n" + "\n".join(failed))
            for f in ("go.err", "rust.err", "fpm.log", "nginx-error.log", "bus.err"):
                p = os.path.join(work, f)
                if os.path.exists(p):
                    print(f"--- {f}\n" + open(p, errors="replace").read()[-1500:])
            sys.exit(1)
        print(f"interop matrix: {len(scenarios)} scenarios x {len(pairs)} pairs, all pass")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
