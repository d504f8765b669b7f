#!/usr/bin/env python3
"""Smoke test of `crmweaver bench all` (TAP): a small run of every benchmark
with its peers writes one JSON document holding each part's results (library
side and peer side), prints the summary table with ratios, and leaves no file
behind.  The numbers themselves are measured by hand (docs/benchmarks.md).

usage: test_bench_all.py PATH_TO_CRMWEAVER BENCH_SOURCE_DIR BENCH_BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe, bench_src, bench_bin = sys.argv[1:4]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-bench-all-")
env = dict(os.environ, CRMW_BENCH_DIR=bench_src, CRMW_BENCH_BIN=bench_bin)
out = os.path.join(tmp, "results.json")
work = os.path.join(tmp, "work")
os.mkdir(work)

r = subprocess.run([exe, "bench", "all", "--profile", "crmarena", "--repeat", "1", "--iterations", "20",
                    "--rows", "3000", "--sizes", "1000", "--queries", "20", "--dir", work, "-o", out],
                   capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=900)
t.ok(r.returncode == 0, "bench all exits 0", r.stderr[-2000:])
doc = json.load(open(out)) if os.path.exists(out) else {}
res = doc.get("results", {})
t.ok(doc.get("benchmark") == "all" and doc.get("failed_parts") == 0 and doc.get("machine", {}).get("cpus", 0) >= 1,
     "the document names the run, the machine and no failed part", {k: doc.get(k) for k in ("failed_parts", "machine")})
t.ok(set(res) == {"gen_crmarena", "store", "query", "tools", "memory", "env"},
     "--profile crmarena: one generator part, and store, query, tools, memory, env", sorted(res))


def positive(obj, keys):
    return all(isinstance(obj.get(k), (int, float)) and obj[k] > 0 for k in keys)


g = res.get("gen_crmarena", {})
t.ok(positive(g, ["default_rows_per_s", "x10_rows_per_s", "x10_one_thread_rows_per_s", "x10_two_threads_speedup",
                  "x10_peak_rss_kb"]) and g.get("x10_rows", 0) > 10 * 90000,
     "generator: default and 10x orgs, with one thread and two, and peak memory", g)
s = res.get("store", {})
t.ok(s.get("rows") == 3000 and positive(s, ["crmw_typed_rows_per_s", "crmw_json_rows_per_s",
                                            "python_sqlite3_executemany_rows_per_s", "typed_speedup_vs_python"]),
     "store: the bulk loader beside Python sqlite3, with ratios", s)
q = res.get("query", {})
t.ok(positive(q, [f"{p}{k}" for p in ("point", "analytic", "aggregate", "sosl")
                  for k in ("_p50_us", "_p95_us", "_speedup_vs_python")] +
              [f"python_{p}_p50_us" for p in ("point", "analytic", "aggregate", "sosl")] + ["peak_rss_kb"]),
     "query: SOQL point, analytic, aggregate and SOSL beside Python sqlite3", q)
tl = res.get("tools", {})
t.ok(positive(tl, ["cases_p50_us", "python_cases_p50_us", "search_p50_us", "python_search_p50_us", "peak_rss_kb"]),
     "tools: tool calls beside Python functions", tl)
m = res.get("memory", {})
t.ok(m.get("sizes") == [1000] and positive(m, ["exact_1k_p50_us", "sqlite_scan_1k_p50_us", "exact_1k_peak_rss_kb"]),
     "memory: the exact scan beside the SQLite scan (and faiss when built)", {k: m.get(k) for k in list(m)[:12]})
e = res.get("env", {})
t.ok(positive(e, ["step_p50_us", "reset_p50_us", "reward_p50_us", "python_step_p50_us",
                  "throughput_1_thread_steps_per_s", "throughput_2_threads_steps_per_s"]),
     "env: step, reset, reward beside the Python reference, and throughput", e)
lines = r.stdout.splitlines()
t.ok(any(x.startswith("summary") for x in lines) and
     sum(1 for x in lines if x.rstrip().endswith("MiB") or "x " in x) >= 10 and
     any("python reference env" in x for x in lines) and any("SQLite brute-force scan" in x for x in lines),
     "the summary table has a line per measurement with peers and ratios", r.stdout[-3000:])
t.ok(os.listdir(work) == [], "no file is left in --dir", os.listdir(work))

r = subprocess.run([exe, "bench", "gen", "-o", out], capture_output=True, text=True)
t.ok(r.returncode == 2 and "-o is for bench all" in r.stderr, "-o is refused outside bench all", r.stderr)
r = subprocess.run([exe, "bench", "all", "--rows", "5"], capture_output=True, text=True)
t.ok(r.returncode == 2 and "--rows" in r.stderr, "a bad --rows is refused before anything runs", r.stderr)
shutil.rmtree(tmp)
t.done()
