#!/usr/bin/env python3
"""SOQL through libcrmweaver next to the same queries as hand-written SQL
through Python's sqlite3 with JSON serialisation, on the same CRMArena-size
org, in one run, with ratios.

usage: bench/query_bench.py [--iterations N] [--json OUT.json] [--exe build/bench/query_bench]
"""
import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--iterations", type=int, default=20000)
ap.add_argument("--json")
ap.add_argument("--exe", default=os.path.join(os.path.dirname(__file__), "..", "build", "bench", "query_bench"))
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="crmw-qbench-")
r = subprocess.run([args.exe, tmp, str(args.iterations)], capture_output=True, text=True)
if r.returncode:
    sys.exit(f"query_bench failed: {r.stderr}")
lib = json.loads(r.stdout)
con = sqlite3.connect(f"file:{lib['org']}?mode=ro", uri=True)
con.row_factory = sqlite3.Row


def timed(fn, n):
    for _ in range(50):
        fn(0)
    ts = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        ts.append((time.perf_counter() - t0) * 1e6)
    ts.sort()
    return ts[len(ts) // 2], ts[int(0.95 * (len(ts) - 1))]


ids = lib["case_ids"]
POINT = ('SELECT c."Id", c."Subject", c."Status", a."ShippingState", u."Email" FROM "Case" c '
         'LEFT JOIN "Account" a ON a."Id" = c."AccountId" LEFT JOIN "User" u ON u."Id" = c."OwnerId" WHERE c."Id" = ?')


def point(i):
    rows = [{"Id": r["Id"], "Subject": r["Subject"], "Status": r["Status"],
             "Account": {"ShippingState": r["ShippingState"]}, "Owner": {"Email": r["Email"]}}
            for r in con.execute(POINT, (ids[i % 32],))]
    return json.dumps(rows)


ANALYTIC = ('SELECT "Id", "OwnerId", "CreatedDate", "ClosedDate" FROM "Case" WHERE "Status" = ? '
            'AND "CreatedDate" >= ? AND "CreatedDate" < ?')


def analytic(i):
    return json.dumps([dict(r) for r in con.execute(ANALYTIC, ("Closed", "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"))])


AGG = ('SELECT "OwnerId", count("Id") AS n, min("CreatedDate") AS expr0, max("ClosedDate") AS expr1 FROM "Case" '
       'WHERE "CreatedDate" >= ? AND "CreatedDate" < ? AND "Status" = ? GROUP BY "OwnerId"')


def aggregate(i):
    return json.dumps([dict(r) for r in con.execute(AGG, ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "Closed"))])


gcon = sqlite3.connect(f"file:{lib['gen_org']}?mode=ro", uri=True)
SOSL = ('SELECT c."Id", c."Subject" FROM "crmw_fts_Case" f JOIN "Case" c ON c.rowid = f.rowid '
        'WHERE f."crmw_fts_Case" MATCH ? ORDER BY f.rank')


def sosl(i):
    return json.dumps({"Case": [{"Id": r[0], "Subject": r[1]} for r in gcon.execute(SOSL, ('"damaged"',))]})


py = {}
py["point"] = timed(point, args.iterations)
py["sosl"] = timed(sosl, args.iterations // 10 + 1)
py["analytic"] = timed(analytic, args.iterations // 10 + 1)
py["aggregate"] = timed(aggregate, args.iterations // 10 + 1)
res = {"benchmark": "query", "org": "crmarena schema, 200 users, 1000 accounts, 2000 cases; "
       "SOSL: the default generated crmarena org (1000 cases)",
       "iterations": args.iterations, "analytic_bytes": lib["analytic_bytes"]}
rows = []
for name, label in (("point", "point lookup by Id, 2 parent fields (warm cache)"),
                    ("analytic", "closed cases of a half year (~400 records)"),
                    ("aggregate", "cases per agent over 4 quarters (GROUP BY)"),
                    ("sosl", "SOSL one word over generated cases (~140 hits)")):
    res[f"{name}_p50_us"] = lib[f"{name}_p50_us"]
    res[f"{name}_p95_us"] = lib[f"{name}_p95_us"]
    res[f"python_{name}_p50_us"] = round(py[name][0], 2)
    res[f"python_{name}_p95_us"] = round(py[name][1], 2)
    res[f"{name}_speedup_vs_python"] = round(py[name][0] / lib[f"{name}_p50_us"], 2)
    rows.append((label, lib[f"{name}_p50_us"], lib[f"{name}_p95_us"], py[name][0], py[name][1]))
res["peak_rss_kb"] = lib["peak_rss_kb"]
res["python_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
res["point_cold_p50_us"] = lib["point_cold_p50_us"]
res["point_cold_p95_us"] = lib["point_cold_p95_us"]
print(f"SOQL and SOSL on a CRMArena-size org ({args.iterations} point lookups)")
print(f"  {'query':52s} {'crmw p50':>9s} {'p95':>8s} {'python p50':>11s} {'p95':>8s} {'speedup':>8s}")
for label, a50, a95, b50, b95 in rows:
    print(f"  {label:52s} {a50:8.1f}us {a95:7.1f}us {b50:10.1f}us {b95:7.1f}us {b50 / a50:7.2f}x")
print(f"  point lookup with a new query text (parse + compile): p50 {lib['point_cold_p50_us']:.1f}us, "
      f"p95 {lib['point_cold_p95_us']:.1f}us")
if args.json:
    json.dump(res, open(args.json, "w"), indent=1)
subprocess.run(["rm", "-rf", tmp])
