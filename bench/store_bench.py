#!/usr/bin/env python3
"""Bulk insert into a file org database: libcrmweaver's bulk loader next to
Python's sqlite3 executemany into the same table (same layout, same indexes,
one transaction, WAL) in one run, with ratios.

usage: bench/store_bench.py [--rows N] [--json OUT.json] [--exe build/bench/store_bench]
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
ap.add_argument("--rows", type=int, default=300000)
ap.add_argument("--json")
ap.add_argument("--repeat", type=int, default=3, help="runs of each side; the best counts")
ap.add_argument("--exe", default=os.path.join(os.path.dirname(__file__), "..", "build", "bench", "store_bench"))
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="crmw-bench-")


def crmw_run():
    out = subprocess.run([args.exe, tmp, str(args.rows)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"store_bench failed: {out.stderr}")
    return json.loads(out.stdout)


def fresh_copy(name):
    """A copy of the parents-only org (store_bench wrote empty.db)."""
    dst = os.path.join(tmp, name)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    src = sqlite3.connect(os.path.join(tmp, "empty.db"))
    dst_con = sqlite3.connect(dst)
    src.backup(dst_con)
    src.close()
    dst_con.close()
    return dst


def python_run(tuned):
    """Plain sqlite3 executemany into the same layout.  tuned: what a careful
    Python script can do too (rollback journal, indexes built after)."""
    path = fresh_copy("py.db")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = %s" % ("DELETE" if tuned else "WAL"))
    con.execute("PRAGMA synchronous = NORMAL")
    idx = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'OrderItem' AND sql IS NOT NULL")]
    t0 = time.perf_counter()
    con.execute("BEGIN")
    if tuned:
        for name, in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'OrderItem' AND sql IS NOT NULL").fetchall():
            con.execute(f'DROP INDEX "{name}"')
    con.executemany('INSERT INTO "OrderItem" ("Id", "OrderId", "Product2Id", "Quantity", "UnitPrice", '
                    '"PricebookEntryId") VALUES (?, ?, ?, ?, ?, ?)', rows)
    if tuned:
        for sql in idx:
            con.execute(sql)
    con.execute("COMMIT")
    dt = time.perf_counter() - t0
    n = con.execute('SELECT count(*) FROM "OrderItem"').fetchone()[0]
    con.close()
    assert n == args.rows
    return args.rows / dt


lib = crmw_run()
o, pr, e = lib["orders"][0], lib["products"][0], lib["entries"][0]
rows = [(f"802{i:015d}", o, pr, 1.0 + i % 5, 10.5, e) for i in range(args.rows)]
typed = json_ = py = py_tuned = 0.0
peak = 0
for _ in range(args.repeat):
    r = crmw_run()
    typed = max(typed, r["typed_rows_per_s"])
    json_ = max(json_, r["json_rows_per_s"])
    peak = max(peak, r["peak_rss_kb"])
    py = max(py, python_run(False))
    py_tuned = max(py_tuned, python_run(True))
py_rate = py
res = {
    "benchmark": "store_bulk_insert",
    "rows": args.rows,
    "object": "OrderItem (3 references, 2 numbers, 3 indexes), file database, one transaction",
    "repeat": args.repeat,
    "crmw_typed_rows_per_s": round(typed),
    "crmw_json_rows_per_s": round(json_),
    "python_sqlite3_executemany_rows_per_s": round(py_rate),
    "python_sqlite3_tuned_rows_per_s": round(py_tuned),
    "typed_speedup_vs_python": round(typed / py_rate, 2),
    "json_speedup_vs_python": round(json_ / py_rate, 2),
    "typed_speedup_vs_python_tuned": round(typed / py_tuned, 2),
    "crmw_peak_rss_kb": peak,
    "python_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}
print(f"store bulk insert, {args.rows} OrderItem rows into a file database (best of {args.repeat})")
print(f"  {'loader':42s} {'rows/s':>12s} {'vs python':>10s}")
print(f"  {'libcrmweaver bulk, typed setters':42s} {res['crmw_typed_rows_per_s']:12,d} {res['typed_speedup_vs_python']:9.2f}x")
print(f"  {'libcrmweaver bulk, JSON records':42s} {res['crmw_json_rows_per_s']:12,d} {res['json_speedup_vs_python']:9.2f}x")
print(f"  {'python sqlite3 executemany, WAL (no checks)':42s} {res['python_sqlite3_executemany_rows_per_s']:12,d} {1:9.2f}x")
print(f"  {'python sqlite3, journal + indexes after':42s} {res['python_sqlite3_tuned_rows_per_s']:12,d} "
      f"{res['python_sqlite3_tuned_rows_per_s'] / py_rate:9.2f}x")
print(f"  peak RSS: libcrmweaver {res['crmw_peak_rss_kb']} KiB, python {res['python_peak_rss_kb']} KiB")
if args.json:
    with open(args.json, "w") as f:
        json.dump(res, f, indent=1)
subprocess.run(["rm", "-rf", tmp])
