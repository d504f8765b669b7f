#!/usr/bin/env python3
"""Damaged files get a clear one-line error and a non-zero exit, never a
crash: an org database with random bytes written over its pages, a file that
is no database, a truncated database, a damaged memory store and a damaged
faiss index file beside a good store.

usage: test_corrupt.py CRMWEAVER_EXE
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-corrupt-")


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True, errors="replace", timeout=120)


def clean_failure(r):
    """Exit 1 (not a signal), one line on stderr."""
    return r.returncode == 1 and r.stderr.count("\n") == 1 and r.stderr.startswith("crmweaver: ")


org = os.path.join(tmp, "org.db")
r = run("gen", "--profile", "crmarena", "--seed", "1", "--scale", "0.1", "-o", org)
t.ok(r.returncode == 0, "org generated", r.stderr)
for name in ("org.db-wal", "org.db-shm"):
    p = os.path.join(tmp, name)
    if os.path.exists(p):
        os.remove(p)

rnd = random.Random(7)
for trial in range(5):
    bad = os.path.join(tmp, f"bad{trial}.db")
    shutil.copy(org, bad)
    size = os.path.getsize(bad)
    with open(bad, "r+b") as f:
        for _ in range(50 * (trial + 1)):
            f.seek(rnd.randrange(0 if trial == 4 else 4096, size))
            f.write(bytes(rnd.randrange(256) for _ in range(32)))
    outcomes = []
    for q in ("SELECT Id, Subject FROM Case LIMIT 3", "SELECT COUNT(Id) FROM OrderItem",
              "FIND {zipper} RETURNING Case(Subject)"):
        r = run("query", "--db", bad, q)
        outcomes.append(r.returncode == 0 or clean_failure(r))
    t.ok(all(outcomes), f"damaged org {trial}: every query answers or fails with one line", r.stderr[:300])

junk = os.path.join(tmp, "junk.db")
with open(junk, "wb") as f:
    f.write(b"this is not a database at all" * 100)
r = run("query", "--db", junk, "SELECT Id FROM Case")
t.ok(clean_failure(r) and "not a database" in r.stderr, "a file that is no database", r.stderr)

short = os.path.join(tmp, "short.db")
with open(org, "rb") as src, open(short, "wb") as dst:
    dst.write(src.read(os.path.getsize(org) // 3))
r = run("query", "--db", short, "SELECT COUNT(Id) FROM OrderItem")
t.ok(r.returncode == 0 or clean_failure(r), "a truncated database", r.stderr)

mem = os.path.join(tmp, "mem.db")
for i in range(30):
    run("memory", "add", "--store", mem, "--text", f"guideline number {i} about cases and orders")
r = run("memory", "index", "--store", mem, "--factory", "Flat")
has_faiss = r.returncode == 0
badmem = os.path.join(tmp, "badmem.db")
shutil.copy(mem, badmem)
with open(badmem, "r+b") as f:
    size = os.path.getsize(badmem)
    for _ in range(40):
        f.seek(rnd.randrange(4096, size))
        f.write(os.urandom(64))
r = run("memory", "search", "--store", badmem, "--text", "cases", "--json")
t.ok(r.returncode == 0 or clean_failure(r), "a damaged memory store", r.stderr)
if has_faiss:
    idx = [p for p in os.listdir(tmp) if p.startswith("mem.db") and p.endswith(".faiss")]
    t.ok(len(idx) == 1, "the faiss index file beside the store", os.listdir(tmp))
    with open(os.path.join(tmp, idx[0]), "r+b") as f:
        f.seek(0)
        f.write(os.urandom(128))
    r = run("memory", "search", "--store", mem, "--text", "cases", "--json")
    t.ok(r.returncode == 0 or clean_failure(r), "a damaged faiss index file", r.stderr)
else:
    t.skip("the faiss index file beside the store", "built without faiss")
    t.skip("a damaged faiss index file", "built without faiss")

shutil.rmtree(tmp)
sys.exit(t.done())
