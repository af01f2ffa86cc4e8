"""Drives `paasctl service create` on a real pseudo-terminal: answers its prompts as a user
would (a name, Enter for the default engine and description, one dependency) and checks that
each prompt shows its default and that the project holds the answers.
Usage: python3 prompt_test.py PAASCTL WORKDIR"""
import os
import pty
import sys
import time

paasctl, work = sys.argv[1], sys.argv[2]
os.chdir(work)
pid, fd = pty.fork()
if pid == 0:
    os.execv(paasctl, [paasctl, "service", "create"])

seen = b""


def expect(text, timeout=20.0):
    global seen
    end = time.time() + timeout
    while text.encode() not in seen:
        if time.time() > end:
            sys.exit(f"prompt_test: no {text!r} on the terminal; saw {seen.decode(errors='replace')!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            time.sleep(0.05)
        seen += chunk


expect("Service name (a DNS label, like billing): ")
os.write(fd, b"prompted\n")
expect("Engine (golang, php, rust) [golang]: ")
os.write(fd, b"\n")
expect("Description [The prompted service]: ")
os.write(fd, b"\n")
expect("Services it calls, separated by spaces [none]: ")
os.write(fd, b"billing\n")
expect("created golang service `prompted`")
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(f"prompt_test: exit {status}: {seen.decode(errors='replace')}")
app = open(os.path.join(work, "prompted", "app.toml")).read()
assert 'description = "The prompted service"' in app, app
assert 'name = "billing"' in app, app
assert os.path.isfile(os.path.join(work, "prompted", "rpc", "billing.brief"))
assert os.path.isfile(os.path.join(work, "prompted", "main.go"))
print("service create: prompts on a terminal show their defaults and take the answers")
