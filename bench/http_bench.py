#!/usr/bin/env python3
"""The library's cost per model call against an OpenAI-compatible server that
answers at once (docs/benchmarks.md, "HTTP backend overhead").

A one-thread asyncio server on 127.0.0.1 answers every chat completion with a
canned reply (a tool call on a task's first turn, then a final answer), so
that what is measured is the library's side: building the request body,
curl's connection and transfer, reading and parsing the answer, and the tool
step.  `crmweaver run --backend http` runs the same episodes with --jobs 1 and
--jobs 8; from the trajectories come the per-call times (timings_us.steps:
model_us is request building + HTTP + parsing, tools_us the tool step), and
from the CLI's own summary line the episodes per second.  The server measures
its own time per request (reading the request to writing the answer), and the
peer is Python's http.client posting the same bodies, one connection per
request as the library makes, in the same run.

usage: bench/http_bench.py CRMWEAVER_EXE [--episodes N] [--json]
"""
import asyncio
import http.client
import resource
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

exe = os.path.abspath(sys.argv[1])
args = sys.argv[2:]
as_json = "--json" in args
episodes = int(args[args.index("--episodes") + 1]) if "--episodes" in args else 200

CALL = json.dumps({"id": "c", "object": "chat.completion", "model": "m", "choices": [{"index": 0, "message": {
    "role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "issue_soql_query", "arguments": json.dumps({"query": "SELECT Id FROM Account LIMIT 1"})}}]},
    "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 1000, "completion_tokens": 20}}).encode()
ANSWER = json.dumps({"id": "c", "object": "chat.completion", "model": "m", "choices": [{"index": 0, "message": {
    "role": "assistant", "content": "The answer is 001000000000000AAA."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1100, "completion_tokens": 10}}).encode()


def reply(body):
    i = body.rfind(b'"role":"')
    role = body[i + 8:i + 12] if i >= 0 else b""
    data = ANSWER if role == b"tool" else CALL
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + str(len(data)).encode() + b"\r\n\r\n" + data)


server_ns = []
bodies = []


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    t0 = time.perf_counter_ns()
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    body = await reader.readexactly(int(m.group(1))) if m else b""
    writer.write(reply(body))
    await writer.drain()
    server_ns.append(time.perf_counter_ns() - t0)
    if len(bodies) < 64:
        bodies.append(body)
    writer.close()


def serve(ready):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0, backlog=256))
    ready.append(srv.sockets[0].getsockname()[1])
    loop.run_forever()


ready = []
threading.Thread(target=serve, args=(ready,), daemon=True).start()
while not ready:
    time.sleep(0.01)
port = ready[0]
url = f"http://127.0.0.1:{port}/v1"

tmp = tempfile.mkdtemp(prefix="crmw-httpbench-")


def cpu_children():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def cli(*a):
    r = subprocess.run([exe, *a], capture_output=True, text=True, cwd=tmp)
    if r.returncode != 0:
        sys.exit(f"crmweaver {' '.join(a[:2])} failed: {r.stderr}")
    return r


cli("gen", "--profile", "b2b", "--seed", "1", "--scale", "0.2", "-o", "org.db")
per = max(1, episodes // 22 + 1)
cli("tasks", "gen", "--db", "org.db", "--per-family", str(per), "--seed", "1", "--test-share", "0", "-o", "all.json")
tasks = json.load(open(os.path.join(tmp, "all.json")))[:episodes]
json.dump(tasks, open(os.path.join(tmp, "tasks.json"), "w"))
json.dump(tasks[: len(tasks) // 4], open(os.path.join(tmp, "quarter.json"), "w"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0


results = {"episodes": len(tasks), "model_calls_per_episode": 2, "cores": os.cpu_count(),
           "load_average": round(os.getloadavg()[0], 1)}
for jobs in (1, 8):
    del server_ns[:]
    out = f"run{jobs}.jsonl"
    # the CPU the process spends per episode: all the episodes minus a quarter
    # of them (start-up cancels out); the machine's load does not change it
    c0 = cpu_children()
    cli("run", "--db", "org.db", "--tasks", "quarter.json", "--backend", "http", "--model-url", url, "--model", "m",
        "--no-preflight", "--jobs", str(jobs), "-o", "q.jsonl")
    c1 = cpu_children()
    del server_ns[:]
    r = cli("run", "--db", "org.db", "--tasks", "tasks.json", "--backend", "http", "--model-url", url, "--model", "m",
            "--no-preflight", "--jobs", str(jobs), "-o", out)
    c2 = cpu_children()
    cpu_ep = ((c2 - c1) - (c1 - c0)) / (len(tasks) - len(tasks) // 4) * 1e6
    secs = float(re.search(r"episodes in ([0-9.]+) s", r.stdout).group(1))
    # the same episodes replayed (no HTTP: the recorded assistant messages):
    # what is left of the CPU is the episode itself; the difference is HTTP
    c3 = cpu_children()
    cli("run", "--db", "org.db", "--tasks", "quarter.json", "--backend", "replay", "--replay", out,
        "--jobs", str(jobs), "-o", "rq.jsonl")
    c4 = cpu_children()
    rr = cli("run", "--db", "org.db", "--tasks", "tasks.json", "--backend", "replay", "--replay", out,
             "--jobs", str(jobs), "-o", "replay.jsonl")
    c5 = cpu_children()
    cpu_replay = ((c5 - c4) - (c4 - c3)) / (len(tasks) - len(tasks) // 4) * 1e6
    rsecs = float(re.search(r"episodes in ([0-9.]+) s", rr.stdout).group(1))
    trajs = [json.loads(line) for line in open(os.path.join(tmp, out))]
    model = [s["model_us"] for t in trajs for s in t["timings_us"]["steps"]]
    tools = [s["tools_us"] for t in trajs for s in t["timings_us"]["steps"] if s["tools_us"] > 0]
    total = [t["timings_us"]["total"] for t in trajs]
    srv = [n / 1000 for n in server_ns]
    results[f"jobs{jobs}"] = {
        "model_call_p50_us": pct(model, 50), "model_call_p95_us": pct(model, 95),
        "server_p50_us": round(pct(srv, 50), 1),
        "library_per_call_p50_us": round(pct(model, 50) - pct(srv, 50), 1),
        "tool_step_p50_us": pct(tools, 50), "episode_p50_us": pct(total, 50),
        "episodes_per_s": round(len(trajs) / secs, 1), "seconds": secs,
        "answered": sum(1 for t in trajs if t["end_reason"] == "answered"),
        "cpu_per_episode_us": round(cpu_ep), "cpu_per_model_call_us": round(cpu_ep / 2),
        "replay_cpu_per_episode_us": round(cpu_replay), "replay_episodes_per_s": round(len(trajs) / rsecs, 1),
        "http_cpu_per_model_call_us": round((cpu_ep - cpu_replay) / 2),
    }

# the peer: Python's http.client, one connection per request: the body
# written from its parsed form (json.dumps), posted, the answer parsed
peer = []
docs = [json.loads(b) for b in bodies]
for k in range(400):
    t0 = time.perf_counter_ns()
    body = json.dumps(docs[k % len(docs)]).encode()
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
    data = c.getresponse().read()
    json.loads(data)
    c.close()
    peer.append((time.perf_counter_ns() - t0) / 1000)
results["peer_http_client_p50_us"] = round(pct(peer, 50), 1)
results["request_body_bytes_p50"] = pct([len(b) for b in bodies], 50)
results["model_call_ratio_vs_python"] = round(results["peer_http_client_p50_us"] / results["jobs1"]["model_call_p50_us"], 2)

if as_json:
    print(json.dumps(results))
else:
    print(f"{results['episodes']} episodes of 2 model calls and 1 tool call, request bodies ~"
          f"{results['request_body_bytes_p50']} bytes, server answering at once")
    print(f"({results['cores']} cores, load average {results['load_average']} at the end)")
    print(f"{'':10} {'call p50':>9} {'p95':>9} {'server':>8} {'tool':>7} {'episode':>9} {'ep/s':>6} "
          f"{'CPU/ep':>8} {'replay':>8} {'HTTP CPU/call':>14}")
    for j in (1, 8):
        x = results[f"jobs{j}"]
        print(f"--jobs {j:<3} {x['model_call_p50_us']:>7}us {x['model_call_p95_us']:>7}us {x['server_p50_us']:>6}us "
              f"{x['tool_step_p50_us']:>5}us {x['episode_p50_us']:>7}us {x['episodes_per_s']:>6} "
              f"{x['cpu_per_episode_us']:>6}us {x['replay_cpu_per_episode_us']:>6}us "
              f"{x['http_cpu_per_model_call_us']:>12}us")
    print(f"peer: Python http.client, same bodies, one connection each: {results['peer_http_client_p50_us']} us p50 "
          f"(library call / peer: {results['model_call_ratio_vs_python']}x faster)")
