#!/usr/bin/env python3
"""Task sets at 100 tasks per family on the three profiles, through the CLI:
no two identical tasks and no task shared by two splits (the identity of
docs/tasks.md, recomputed here), named-entity tasks that name exactly one
product of the day's purchases (or none), gold programs that take period
ends as get_period returns them, and every gold program reaching its answer
with the tools (`tasks check`, also on a set made without verification).

usage: test_task_sets.py CRMWEAVER_EXE
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-tasksets-")
# under valgrind (the slow suite) every process is ~40 times slower
PER = 10 if os.environ.get("CRMW_TEST_VALGRIND") else 100
TODAY_LINE = re.compile(r"- Today's date: \d{4}-\d{2}-\d{2}\n")


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def identity(task):
    """docs/tasks.md, "Identical tasks": family, query, the required metadata
    without the line of today's date, and the gold answer."""
    req = TODAY_LINE.sub("", task["metadata"]["required"] or "")
    return (task["family"], task["query"], req, json.dumps(task["answer"]))


def words_of(text):
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def loose(word, token):
    """A customer's word matches a word of a product when they are the same
    word but for a plural ending: "glove" and "gloves", "box" and "boxes"."""
    a, b = (word, token) if len(word) <= len(token) else (token, word)
    return b in (a, a + "s", a + "es")


def ned_matches(con, task):
    """The products of the day's purchases that the customer's words name:
    the product search finds them (every word in the name or description),
    or their name holds every word up to a plural ending."""
    gold = task["gold"]
    cid = gold[0]["arguments"]["contact_id"]
    phrase = words_of(gold[1]["arguments"]["search_term"])
    day = gold[2]["arguments"]["purchase_date"][:10]
    rows = con.execute(
        "SELECT DISTINCT p.Id, p.Name, p.Description FROM OrderItem oi JOIN \"Order\" o ON o.Id = oi.OrderId "
        "JOIN Product2 p ON p.Id = oi.Product2Id JOIN Contact c ON c.AccountId = o.AccountId "
        "WHERE c.Id = ? AND o.EffectiveDate = ? AND o.Status = 'Activated' ORDER BY p.Id", (cid, day)).fetchall()
    out = []
    for pid, name, desc in rows:
        found = all(w in words_of(name) + words_of(desc) for w in phrase)
        named = all(any(loose(w, x) for x in words_of(name)) for w in phrase)
        if found or named:
            out.append(pid)
    return out


def period_end_ok(task, step):
    """An end_date as get_period returns it: a reference to get_period's
    end_date, today (the end of "the past N ..."), or the first moment of a
    year (the end of a named year)."""
    end = step["arguments"].get("end_date")
    if end is None:
        return True
    if isinstance(end, dict):
        ref = end.get("$ref", "")
        m = re.fullmatch(r"/(\d+)/end_date", ref)
        return bool(m) and task["gold"][int(m.group(1))]["name"] == "get_period"
    if end == task["context"].get("today", "") + "T00:00:00Z":
        return True
    return bool(re.fullmatch(r"\d{4}-01-01T00:00:00Z", end))


def load(path):
    with open(path) as f:
        return json.load(f)


for profile in ("crmarena", "b2b", "b2c"):
    db = os.path.join(tmp, f"{profile}.db")
    r = run("gen", "--profile", profile, "--seed", "1", "--force", "-o", db)
    if not t.ok(r.returncode == 0, f"{profile}: gen", detail=r.stderr):
        continue
    out = os.path.join(tmp, f"{profile}.json")
    t0 = time.monotonic()
    r = run("tasks", "gen", "--db", db, "--per-family", str(PER), "--seed", "2", "--test-share", "0.3",
            "--holdout", "knowledge_qa", "--json", "-o", out)
    secs = time.monotonic() - t0
    if not t.ok(r.returncode == 0, f"{profile}: tasks gen, {PER} per family", detail=r.stderr):
        continue
    rep = json.loads(r.stdout)
    tasks = load(out)
    fams = rep["families"]
    t.diag(f"{profile}: {len(tasks)} tasks in {secs:.1f} s; duplicates turned away "
           f"{sum(f.get('duplicates', 0) for f in fams.values())}, short {sum(f.get('short', 0) for f in fams.values())}, "
           f"ambiguous {sum(f.get('ambiguous', 0) for f in fams.values())}, cut {sum(f.get('cut', 0) for f in fams.values())}")
    t.ok(all({"duplicates", "short", "cut", "ambiguous"} <= set(f) for f in fams.values()) and
         all(f["tasks"] + f.get("short", 0) == PER for f in fams.values()) and
         sum(f["tasks"] for f in fams.values()) == len(tasks),
         f"{profile}: the report counts each family's duplicates, shortfall, cut and ambiguous tasks", detail=fams)
    t.ok(all(f["disagreements"] == 0 for f in fams.values()),
         f"{profile}: gold programs and reference solutions never disagree", detail=fams)

    # no two identical tasks; no identity on two sides of the split
    seen = {}
    dup = [(seen[k], x["id"]) for x in tasks for k in [identity(x)] if seen.setdefault(k, x["id"]) != x["id"]]
    t.ok(not dup, f"{profile}: no two identical tasks", detail=dup[:5])
    strict = {(x["family"], x["query"], json.dumps(x["metadata"], sort_keys=True), json.dumps(x["context"], sort_keys=True))
              for x in tasks}
    t.ok(len(strict) == len(tasks), f"{profile}: no two tasks with the same query, metadata and context")
    by_split = {}
    for x in tasks:
        by_split.setdefault(x["split"], set()).add(identity(x))
    shared = [(a, b) for a in by_split for b in by_split if a < b and by_split[a] & by_split[b]]
    t.ok(set(by_split) == {"train", "test", "holdout"} and not shared,
         f"{profile}: train, test and holdout share no task", detail=shared)

    # named-entity tasks name one product of the day's purchases, or none
    con = sqlite3.connect(db)
    bad = []
    for x in tasks:
        if x["family"] == "named_entity_disambiguation":
            m = ned_matches(con, x)
            if (x["answer"] == [None] and m) or (x["answer"] != [None] and m != x["answer"]):
                bad.append((x["id"], x["gold"][1]["arguments"]["search_term"], x["answer"], m))
    con.close()
    t.ok(not bad, f"{profile}: every named-entity task is unambiguous", detail=bad[:5])

    # period ends as get_period returns them, in every gold program
    bad = [(x["id"], s["name"], s["arguments"].get("end_date")) for x in tasks for s in x["gold"]
           if not period_end_ok(x, s)]
    t.ok(not bad, f"{profile}: gold programs pass period ends as get_period returns them", detail=bad[:5])

    # every gold program reaches its answer with the tools
    c = run("tasks", "check", "--db", db, "--tasks", out, "--json")
    chk = json.loads(c.stdout) if c.stdout.startswith("{") else {}
    t.ok(c.returncode == 0 and chk.get("gold_ok") == len(tasks),
         f"{profile}: tasks check: every gold program reaches reward 1", detail=c.stdout[-800:] + c.stderr[-800:])
    # ... also where synthesis did not check them: families and tools agree
    raw = os.path.join(tmp, f"{profile}-raw.json")
    r = run("tasks", "gen", "--db", db, "--per-family", str(max(PER // 2, 5)), "--seed", "3", "--no-verify", "--json",
            "-o", raw)
    if t.ok(r.returncode == 0, f"{profile}: tasks gen --no-verify", detail=r.stderr):
        n = len(load(raw))
        c = run("tasks", "check", "--db", db, "--tasks", raw, "--json")
        chk = json.loads(c.stdout) if c.stdout.startswith("{") else {}
        t.ok(c.returncode == 0 and chk.get("gold_ok") == n,
             f"{profile}: unverified gold programs reach reward 1 too ({n} tasks)",
             detail=c.stdout[-800:] + c.stderr[-800:])

# the text report shows the copies turned away and the slots left empty
r = run("tasks", "gen", "--db", db, "--families", "invalid_config", "--per-family", "5", "-o", os.path.join(tmp, "t.json"))
head = r.stdout.splitlines()[0].split() if r.stdout else []
t.ok(r.returncode == 0 and head[-2:] == ["copies", "short"], "tasks gen: the table has copies and short", detail=r.stdout)

t.done()
