#!/usr/bin/env python3
"""Smoke test of `crmweaver bench memory` (TAP): a small run prints one JSON
object with every key of the guide's contract for its size, the exact engines
find the exact top-10, and the benchmark leaves no file behind.  The numbers
themselves are measured by hand (docs/benchmarks.md), never here.

`crmweaver bench` of a build tree runs the bench program (build/bench/
crmweaver-bench); under valgrind (CRMW_TEST_WRAP, tests/valgrind_cli.py) the
CLI is pointed at a wrapper that runs the bench program under valgrind too.

usage: test_bench_memory.py PATH_TO_CRMWEAVER PATH_TO_CRMWEAVER_BENCH
"""
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe, bench_exe = sys.argv[1:3]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-bench-memory-")
env = dict(os.environ)
env.pop("CRMW_BENCH_PROGRAM", None)
wrap = os.environ.get("CRMW_TEST_WRAP")
if wrap:
    # the bench program under the same valgrind prefix, named crmweaver as
    # the CLI names it (its messages then start "crmweaver: ")
    wdir = tempfile.mkdtemp(prefix="crmw-bench-wrap-")
    os.symlink(os.path.abspath(bench_exe), os.path.join(wdir, "crmweaver"))
    script = os.path.join(wdir, "bench.sh")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\nexec {wrap} {shlex.quote(os.path.join(wdir, 'crmweaver'))} \"$@\"\n")
    os.chmod(script, 0o755)
    env["CRMW_BENCH_PROGRAM"] = script


def run(*args, timeout=600, prog=None, extra=None):
    r = subprocess.run([prog or exe, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout,
                       env={**env, **(extra or {})})
    return r.returncode, r.stdout, r.stderr


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


rc, out, err = run("bench", "memory", "--sizes", "2000", "--queries", "50", "--json", "--dir", tmp)
t.ok(rc == 0, "bench memory --sizes 2000 --queries 50 --json succeeds", f"rc={rc}\n{err}")
lines = out.strip().split("\n")
doc = None
try:
    doc = json.loads(out)
except ValueError as e:
    t.diag(f"not JSON: {e}\n{out[:2000]}")
t.ok(isinstance(doc, dict) and len(lines) == 1, "stdout is one JSON object on one line", out[:2000])
doc = doc if isinstance(doc, dict) else {}

t.ok(doc.get("benchmark") == "memory" and doc.get("sizes") == [2000] and doc.get("dim") == 384
     and doc.get("k") == 10 and doc.get("queries") == 50,
     "the run's parameters: benchmark, sizes, dim, k, queries",
     {k: doc.get(k) for k in ("benchmark", "sizes", "dim", "k", "queries")})

faiss = doc.get("faiss")
t.ok(isinstance(faiss, bool), "faiss says whether the build has faiss", repr(faiss))
t.ok(doc.get("data") == "clustered", "the default data is clustered", doc.get("data"))
t.ok(doc.get("ef_search_default") is True
     and ((num(doc.get("ef_search")) and doc["ef_search"] >= 1) if faiss else doc.get("ef_search") is None),
     "ef_search is the library's default the handle reported (null without faiss)",
     {k: doc.get(k) for k in ("ef_search", "ef_search_default")})

engines = ["exact", "exact_int8", "exact_batch", "faiss_flat", "hnsw", "sqlite_scan"]
missing = [f"{e}_2k_{m}" for e in engines for m in ("p50_us", "p95_us", "recall_at_10")
           if f"{e}_2k_{m}" not in doc]
t.ok(not missing, "every engine has _p50_us, _p95_us and _recall_at_10 for the size", missing)

always = ["exact", "exact_int8", "exact_batch", "sqlite_scan"] + (["faiss_flat", "hnsw"] if faiss else [])
bad = [f"{e}_2k_{m}" for e in always for m in ("p50_us", "p95_us", "recall_at_10")
       if not num(doc.get(f"{e}_2k_{m}")) or doc.get(f"{e}_2k_{m}") < 0]
t.ok(not bad, "the engines that ran report numbers", bad)
if faiss:
    t.skip("engines without faiss report null", "this build has faiss")
else:
    t.ok(doc.get("hnsw_2k_p50_us") is None and doc.get("faiss_flat_2k_p50_us") is None,
         "engines without faiss report null", {k: doc.get(k) for k in ("hnsw_2k_p50_us", "faiss_flat_2k_p50_us")})

ordered = [e for e in always if num(doc.get(f"{e}_2k_p50_us")) and num(doc.get(f"{e}_2k_p95_us"))
           and doc[f"{e}_2k_p50_us"] > doc[f"{e}_2k_p95_us"]]
t.ok(not ordered, "p50 <= p95 for every engine", ordered)

exact_recall = {e: doc.get(f"{e}_2k_recall_at_10") for e in ("exact", "exact_int8", "exact_batch", "sqlite_scan")}
t.ok(all(num(v) and v >= 0.999 for v in exact_recall.values()),
     "the exact scans (float, int8 with rescoring, batch) and the SQL scan find the exact top-10", exact_recall)
if faiss:
    t.ok(num(doc.get("faiss_flat_2k_recall_at_10")) and doc["faiss_flat_2k_recall_at_10"] >= 0.99,
         "faiss Flat finds the exact top-10", doc.get("faiss_flat_2k_recall_at_10"))
    t.ok(num(doc.get("hnsw_2k_recall_at_10")) and 0 < doc["hnsw_2k_recall_at_10"] <= 1,
         "HNSW32 recall@10 is measured", doc.get("hnsw_2k_recall_at_10"))
else:
    t.skip("faiss Flat finds the exact top-10", "no faiss in this build")
    t.skip("HNSW32 recall@10 is measured", "no faiss in this build")

keys = ["store_2k_build_s", "exact_2k_load_s", "peak_rss_kb", "exact_speedup_vs_sqlite_scan",
        "exact_2k_speedup_vs_sqlite_scan"]
t.ok(all(num(doc.get(k)) and doc[k] > 0 for k in keys), "build time, load time, peak RSS and ratios",
     {k: doc.get(k) for k in keys})
t.ok("exact_speedup_vs_faiss_flat" in doc and (num(doc["exact_speedup_vs_faiss_flat"]) or not faiss),
     "exact_speedup_vs_faiss_flat", doc.get("exact_speedup_vs_faiss_flat"))

t.ok(os.path.isdir(tmp) and not os.listdir(tmp), "no file is left in --dir", os.listdir(tmp) if os.path.isdir(tmp) else tmp)

rc, out, err = run("bench", "memory", "--sizes", "500", "--queries", "20", "--engines", "hnsw", "--data", "uniform",
                   "--ef-search", "40", "--repeat", "1", "--dir", tmp)
t.ok(rc == 0 and "uniform random unit vectors" in out
     and ("faiss HNSW32, ef_search 40" in out if faiss else "faiss HNSW32" in out),
     "--data uniform (the worst case) and --ef-search are still available", f"rc={rc}\n{out}{err}")
rc, out, err = run("bench", "memory", "--sizes", "10,abc", "--dir", tmp)
t.ok(rc == 2 and out == "" and err.startswith("crmweaver: bench: --sizes") and err.count("\n") == 1,
     "a bad --sizes is a usage error on one line", f"rc={rc} err={err!r}")
rc, out, err = run("bench", "memory", "--queries", "5", "--dir", tmp)
t.ok(rc == 2 and "--queries" in err, "a bad --queries is a usage error", f"rc={rc} err={err!r}")
rc, out, err = run("bench", "--help")
t.ok(rc == 0 and "memory" in out and "--sizes" in out, "bench --help describes bench memory", out)

# the bench program itself, and a CLI pointed at a missing one
rc, out, err = run("memory", "--queries", "5", prog=bench_exe)
t.ok(rc == 2 and err.startswith("crmweaver-bench: bench: --queries") and err.count("\n") == 1,
     "run directly, the bench program names itself in its errors", f"rc={rc} err={err!r}")
missing = os.path.join(tmp, "no-such-program")
rc, out, err = run("bench", "memory", extra={"CRMW_BENCH_PROGRAM": missing})
t.ok(rc == 1 and out == "" and err.startswith("crmweaver: bench: CRMW_BENCH_PROGRAM=") and err.count("\n") == 1,
     "a CRMW_BENCH_PROGRAM that is not a program is one error line", f"rc={rc} err={err!r}")

shutil.rmtree(tmp, ignore_errors=True)
if wrap:
    shutil.rmtree(wdir, ignore_errors=True)
sys.exit(t.done())
