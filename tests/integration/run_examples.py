#!/usr/bin/env python3
"""Build an org with the CLI and run every C example host over it, checking
what each prints.  The HTTP example talks to a small OpenAI-compatible fake
server on the loopback (a tool call, then an answer).

usage: run_examples.py BUILD_EXAMPLES_DIR CRMWEAVER_EXE

CRMW_TEST_WRAP, when set, is a command prefix (shell words) the examples run
under: tests/valgrind_cli.py sets it to valgrind.
"""
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

bindir, exe = sys.argv[1], sys.argv[2]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-examples-")
org = os.path.join(tmp, "org.db")
r = subprocess.run([exe, "gen", "--profile", "b2b", "--seed", "1", "--scale", "0.1", "-o", org],
                   capture_output=True, text=True)
t.ok(r.returncode == 0, "org generated", r.stderr)


def example(name, *args, env=None):
    path = os.path.join(bindir, "example-" + name)
    if not os.path.exists(path):
        return None
    wrap = shlex.split(os.environ.get("CRMW_TEST_WRAP", ""))
    return subprocess.run([*wrap, path, *args], capture_output=True, text=True, env=env,
                          timeout=120 * int(os.environ.get("CRMW_TEST_TIME_SCALE", "1")))


r = example("host-backend", org)
traj = json.loads(r.stdout) if r and r.returncode == 0 else {}
t.ok(traj.get("end_reason") == "answered" and traj.get("turns") == 2, "host-backend: a tool call, then the answer",
     r.stderr if r else "missing")

r = example("custom-tool", org)
t.ok(r and r.returncode == 0 and '{"price": 60.00}' in r.stdout and "rejected" in r.stdout,
     "custom-tool: computed, and bad arguments rejected by the schema", (r.stdout + r.stderr) if r else "missing")

r = example("memory-store", tmp)
t.ok(r and r.returncode == 0 and "Route a case" in r.stdout, "memory-store: the closest guideline",
     (r.stdout + r.stderr) if r else "missing")

r = example("rollouts", org)
t.ok(r and r.returncode == 0 and r.stdout.count("episode ") == 4 and '"advantages"' in r.stdout,
     "rollouts: a batch of four and the group's advantages", (r.stdout + r.stderr) if r else "missing")


class Fake(http.server.BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Fake.calls.append((self.path, body))
        if any(m["role"] == "tool" for m in body["messages"]):
            msg = {"role": "assistant", "content": "Q1 2024 starts on 2024-01-01."}
        else:
            msg = {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "get_period", "arguments": json.dumps({"period_name": "Q1", "year": 2024})}}]}
        data = json.dumps({"choices": [{"message": msg}], "usage": {"prompt_tokens": 10, "completion_tokens": 5}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args):
        pass


features = json.loads(subprocess.run([exe, "features"], capture_output=True, text=True).stdout or "{}")
if not features.get("features", features).get("curl", False):
    t.skip("http-backend: an episode against a fake OpenAI server", "built without curl")
else:
    srv = http.server.HTTPServer(("127.0.0.1", 0), Fake)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/v1"
    env = dict(os.environ, OPENAI_API_KEY="sk-test", no_proxy="*", http_proxy="", https_proxy="")
    r = example("http-backend", org, url, "fake-model", env=env)
    srv.shutdown()
    traj = json.loads(r.stdout) if r and r.returncode == 0 else {}
    t.ok(traj.get("end_reason") == "answered" and traj.get("usage", {}).get("prompt_tokens") == 20,
         "http-backend: an episode against a fake OpenAI server", (r.stdout + r.stderr)[-800:] if r else "missing")
    t.ok(Fake.calls and Fake.calls[0][0] == "/v1/chat/completions" and Fake.calls[0][1]["model"] == "fake-model",
         "the request went to /v1/chat/completions with the model", Fake.calls[:1])
r = example("http-backend")
t.ok(r and r.returncode == 2 and "usage" in r.stderr, "http-backend: usage without arguments")

shutil.rmtree(tmp)
sys.exit(t.done())
