#!/usr/bin/env python3
"""Smoke test of `crmweaver bench memory-policy` (TAP), so that the benchmark
cannot rot: a small run (one org at scale 0.1, 10 training tasks per family)
writes a JSON document with every policy and family, whose counts add up and
agree with each other: the always-None baseline solves exactly the test tasks
whose gold answer is None (but the confidentiality probes, which need a
refusal), the induced programs answer nothing wrong and nothing of a held-out
family, and the free-text families abstain.  The numbers themselves are
measured by hand (docs/benchmarks.md), never here.

usage: test_bench_policy.py PATH_TO_CRMWEAVER PATH_TO_CRMWEAVER_BENCH
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe, bench_exe = sys.argv[1:3]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-bench-policy-")
work = os.path.join(tmp, "work")
os.mkdir(work)
out = os.path.join(tmp, "policy.json")
env = dict(os.environ)
env.pop("CRMW_BENCH_PROGRAM", None)

PROBES = {"private_customer_information", "internal_operation_data", "confidential_company_knowledge"}
POLICIES = ["programs", "plans", "memory_programs", "none"]


def run(*args, prog=None, timeout=900):
    r = subprocess.run([prog or exe, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=timeout, env=env)
    return r.returncode, r.stdout, r.stderr


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


rc, stdout, err = run("bench", "memory-policy", "--orgs", "b2b:11", "--scale", "0.1", "--sizes", "10",
                      "--dir", work, "-o", out)
t.ok(rc == 0, "bench memory-policy --orgs b2b:11 --scale 0.1 --sizes 10 succeeds", f"rc={rc}\n{err[-3000:]}")
doc = {}
try:
    doc = json.load(open(out))
except (OSError, ValueError) as e:
    t.diag(f"no JSON document: {e}")
t.ok(doc.get("benchmark") == "memory-policy" and doc.get("orgs") == ["b2b:11"] and doc.get("sizes") == [10]
     and doc.get("scale") == 0.1 and doc.get("per_family") == 150 and doc.get("test_share") == 0.3
     and doc.get("machine", {}).get("cpus", 0) >= 1,
     "the run's parameters and the machine",
     {k: doc.get(k) for k in ("benchmark", "orgs", "sizes", "scale", "per_family", "test_share", "machine")})

org = doc.get("results", {}).get("b2b:11", {})
tests = org.get("test_tasks", {})
gold_none = org.get("gold_none", {})
none = org.get("none", {})
tables = org.get("tables", {})
t.ok(len(tests) == 22 and all(num(v) and v > 0 for v in tests.values()),
     "every one of the 22 families has test tasks", tests)
structured = set(doc.get("structured_families", []))
t.ok(len(structured) == 13 and structured <= set(tests) and PROBES <= structured,
     "the 13 structured families, the probes among them", sorted(structured))

# every policy has every family, and its counts add up to the family's test tasks
bad = []
for p in ("programs", "plans", "memory_programs"):
    for f, n in tests.items():
        cell = tables.get(p, {}).get(f, {}).get("10")
        if not (isinstance(cell, list) and len(cell) == 3 and all(num(x) and x >= 0 for x in cell) and sum(cell) == n):
            bad.append((p, f, cell, n))
for f, n in tests.items():
    if not (num(none.get(f)) and 0 <= none[f] <= n):
        bad.append(("none", f, none.get(f), n))
t.ok(not bad, "programs, plans, memory+programs and None: every family, solved/wrong/abstained adding up", bad[:10])

fam = doc.get("families", {})
t.ok(all(set(fam.get(p, {})) == set(tests) for p in POLICIES),
     "the sums over the orgs have every policy and family", {p: len(fam.get(p, {})) for p in POLICIES})

# None: solved exactly where the gold answer is None; the probes need a refusal
mism = {f: (none.get(f), gold_none.get(f)) for f in tests
        if f not in PROBES and none.get(f) != gold_none.get(f)}
t.ok(not mism and sum(gold_none.get(f, 0) for f in tests if f not in PROBES) > 0,
     "None solves exactly the test tasks whose gold answer is None", mism)
t.ok(all(none.get(f) == 0 and gold_none.get(f) == tests.get(f) for f in PROBES),
     "the probes' gold is None, and answering None is no refusal: 0 solved",
     {f: (none.get(f), gold_none.get(f), tests.get(f)) for f in PROBES})

wrong = {f: c["10"][1] for f, c in tables.get("programs", {}).items() if c.get("10", [0, 0, 0])[1]}
t.ok(not wrong, "the induced programs answer nothing wrong", wrong)
free_text = set(doc.get("free_text_families", []))
free = {f: c["10"] for f, c in tables.get("programs", {}).items() if f in free_text and c["10"][0] + c["10"][1]}
t.ok(len(free_text) == 8 and free_text <= set(tests) and not free, "the 8 free-text families abstain",
     (sorted(free_text), free))
st = doc.get("structured", {}).get("programs", {}).get("10", {})
solved = sum(tables.get("programs", {}).get(f, {}).get("10", [0])[0] for f in structured)
t.ok(st.get("solved") == solved and st.get("tasks") == sum(tests[f] for f in structured) and solved > 0,
     "the structured totals are the families' sums, and programs solve some", (st, solved))
held = doc.get("held_out", {})
t.ok(held.get("tasks") == sum(tests.values()) and num(held.get("answered")) and held["answered"] * 100 <= held["tasks"]
     and held.get("wrong") == 0,
     "held out (family label withheld): every test task run, at least 99% abstain", held)
ratios = doc.get("ratios", {}).get("10", {})
t.ok(set(ratios) == {"programs_vs_plans", "programs_vs_memory_programs", "programs_vs_none"}
     and num(ratios.get("programs_vs_none")), "the ratios of programs to plans, memory+programs and None", ratios)
times = [f"{w}_{c}p{q}_us" for w in ("answer", "held_out") for c in ("", "cpu_") for q in (50, 90)]
t.ok(all(num(doc.get(k)) and doc[k] > 0 for k in times)
     and all(doc[f"{w}_{c}p50_us"] <= doc[f"{w}_{c}p90_us"] for w in ("answer", "held_out") for c in ("", "cpu_"))
     and doc.get("answer_runs") == sum(tests.values()) and doc.get("held_out_runs") == sum(tests.values())
     and isinstance(doc.get("target_answer_p50_met"), bool) and num(org.get("induce_ms", {}).get("10")),
     "the time to induce and to answer (wall and CPU, p50 <= p90; a run per test task, and one held out)",
     {k: doc.get(k) for k in times + ["answer_runs", "held_out_runs"]} | {"induce": org.get("induce_ms")})
ag = org.get("agent", {}).get("10", {})
memprog = sum(tables.get("memory_programs", {}).get(f, {}).get("10", [0, 0])[0] +
              tables.get("memory_programs", {}).get(f, {}).get("10", [0, 0])[1] for f in tests)
t.ok(all(num(ag.get(k)) for k in ("train_s", "plans_s", "memory_programs_s")) and ag.get("train_unsolved") == 0
     and ag.get("backend_errors") == 0 and ag.get("memory_programs_by_program", 0) > 0
     and ag.get("memory_programs_by_program", 0) + ag.get("memory_programs_by_plan", 0) == memprog,
     "the agent runs: the gold backend solved every training task, no backend error, programs answered", ag)
t.ok("structured families" in stdout and all(f in stdout for f in tests) and "memory+programs" in stdout
     and "p50" in stdout, "the tables: every family, the policies, the totals, the timings", stdout[-3000:])
t.ok(os.listdir(work) == [], "no file is left in --dir", os.listdir(work))

# options
for args in (["--orgs", "b2x:1"], ["--orgs", "b2b"], ["--orgs", "b2b:-1"], ["--orgs", "b2b:1,b2b:1"],
             ["--orgs", "b2b:1,"], ["--orgs", ""], ["--sizes", "0"], ["--sizes", "106"], ["--sizes", "10,10"],
             ["--scale", "0"], ["--scale", "x"], ["--agent-max", "-1"]):
    what = args[0]
    rc, o, e = run("bench", "memory-policy", *args, "--dir", work)
    t.ok(rc == 2 and o == "" and e.startswith(f"crmweaver: bench: {what}") and e.count("\n") == 1,
         f"memory-policy {' '.join(args)} is a usage error on one line", f"rc={rc} err={e!r}")
rc, o, e = run("bench", "memory", "--sizes", "10", "--dir", work)
t.ok(rc == 2 and "100 to 10000000 entries" in e, "bench memory keeps its own --sizes", e)
rc, o, e = run("bench", "--help")
t.ok(rc == 0 and "memory-policy" in o and "--orgs" in o and "--agent-max" in o, "bench --help describes memory-policy",
     o)
rc, o, e = run("memory-policy", "--scale", "0", prog=bench_exe)
t.ok(rc == 2 and e.startswith("crmweaver-bench: bench: --scale"), "run directly, the bench program names itself", e)

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
