#!/usr/bin/env python3
"""Every sandbox rule of the query path, each with an attack that would work
without it; afterwards the database file is byte-identical (TAP).

usage: test_sandbox.py PATH_TO_CRMWEAVER
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402
from fixture_org import make_org  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-sandbox-")
ORG = os.path.join(tmp, "org.db")
make_org(exe, ORG)


def digest():
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = ORG + suffix
        if os.path.exists(p):
            h.update(open(p, "rb").read())
    return h.hexdigest()


before = digest()


def run(cmd, text, *extra):
    t0 = time.monotonic()
    r = subprocess.run([exe, cmd, "--db", ORG, *extra, text], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr.strip(), time.monotonic() - t0


def refused(desc, text, *needles, cmd="sql", extra=()):
    rc, out, err, _ = run(cmd, text, *extra)
    t.ok(rc == 1 and out == "" and all(n in err for n in needles), desc, f"{text}\nrc={rc} out={out[:200]} err={err}")


# Writes of every kind.
for stmt in ('INSERT INTO "User" ("Id", "LastName") VALUES (\'005000000000001AAA\', \'x\')',
             'UPDATE "Case" SET "Status" = \'Closed\'', 'DELETE FROM "Case"', 'DROP TABLE "Case"',
             'CREATE TABLE t (x)', 'CREATE INDEX i ON "Case"("Subject")', 'ALTER TABLE "Case" ADD COLUMN x',
             'REPLACE INTO "User" ("Id") VALUES (\'005000000000001AAA\')', 'VACUUM', 'REINDEX',
             'CREATE TRIGGER tr AFTER INSERT ON "Case" BEGIN DELETE FROM "Case"; END'):
    refused(f"sql refuses: {stmt[:40]}", stmt, "INSUFFICIENT_ACCESS")
refused("sql refuses ATTACH", f"ATTACH DATABASE '{tmp}/other.db' AS o", "INSUFFICIENT_ACCESS")
refused("sql refuses PRAGMA (writable_schema)", "PRAGMA writable_schema = 1", "INSUFFICIENT_ACCESS")
refused("sql refuses PRAGMA (table_info)", 'PRAGMA table_info("Case")', "INSUFFICIENT_ACCESS")
refused("sql refuses a transaction", "BEGIN", "INSUFFICIENT_ACCESS")
refused("sql refuses stacked statements", 'SELECT 1; DELETE FROM "Case"', "INSUFFICIENT_ACCESS", "one statement")
refused("sql refuses parameters", 'SELECT * FROM "Case" WHERE "Id" = ?', "INSUFFICIENT_ACCESS")
refused("sql hides the bookkeeping tables", "SELECT * FROM crmw_meta", "INSUFFICIENT_ACCESS", "crmw_meta")
refused("sql hides the search index", "SELECT * FROM crmw_fts_Case", "INSUFFICIENT_ACCESS")
refused("sql hides sqlite_master", "SELECT sql FROM sqlite_master", "INSUFFICIENT_ACCESS")
refused("sql hides sqlite_schema through a subquery", 'SELECT (SELECT count(*) FROM sqlite_schema) FROM "Case"', "INSUFFICIENT_ACCESS")
refused("sql refuses load_extension()", "SELECT load_extension('/tmp/evil.so')", "INSUFFICIENT_ACCESS", "load_extension")
refused("sql refuses zeroblob() (memory)", "SELECT zeroblob(1000000000)", "INSUFFICIENT_ACCESS", "zeroblob")
refused("sql refuses randomblob()", "SELECT randomblob(10)", "INSUFFICIENT_ACCESS")
refused("sql refuses the fts5 functions outside SOSL", "SELECT highlight(crmw_fts_Case, 0, '[', ']') FROM crmw_fts_Case", "INSUFFICIENT_ACCESS")
refused("a SOQL query cannot name a bookkeeping table", "SELECT key FROM crmw_meta", "INVALID_TYPE", cmd="query")

# Runaway work is stopped by the time budget.
rc, out, err, dt = run("sql", "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
                       "--timeout-ms", "300")
t.ok(rc == 1 and "QUERY_TIMEOUT" in err and dt < 3, f"a runaway recursive query stops at its budget ({dt:.2f} s)", err)
rc, out, err, dt = run("sql", 'SELECT count(*) FROM "Case" a, "Case" b, "Case" c, "Case" d, "Case" e', "--timeout-ms", "300")
t.ok(rc == 1 and "QUERY_TIMEOUT" in err and dt < 3, f"a cross join stops at its budget ({dt:.2f} s)", err)
rc, out, err, dt = run("sql", "SELECT count(*) FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 3000000) "
                       "SELECT printf('%.*c', 200, 'a') AS s FROM r) WHERE s LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%b'",
                       "--timeout-ms", "400")
t.ok(rc in (0, 1) and dt < 3 and (rc == 0 or "QUERY_TIMEOUT" in err), f"a pathological LIKE ends within its budget ({dt:.2f} s)", err)
# Long IN lists (a tool passes every order item of a product): up to 20,000 values, each bound.
big = ", ".join(f"'v{i}'" for i in range(5000))
rc, out, err, _ = run("query", f"SELECT COUNT() FROM Case WHERE Subject IN ({big}, 'x')")
t.ok(rc == 0 and json.loads(out)["totalSize"] == 0, "an IN list of 5,001 values runs (regression: capped at 1,024)", err)
too_big = ", ".join(["'v'"] * 20001)
refused("an IN list over 20,000 values is refused", f"SELECT Id FROM Case WHERE Subject IN ({too_big})",
        "MALFORMED_QUERY", "at most 20000", cmd="query")
long_pattern = "%" + "a" * 2000 + "%"
refused("an oversized LIKE pattern is refused", f"SELECT Id FROM Case WHERE Subject LIKE '{long_pattern}'", "LIMIT_EXCEEDED", cmd="query")
rc, out, err, dt = run("sql", "SELECT printf('%.*c', 100000000, 'x') AS s")
t.ok(rc == 0 and json.loads(out) == [{"s": None}], "a huge generated string is capped (SQLite gives NULL)", out + err)

# Literals are bound, never spliced: quotes and SQL in values do nothing.
for lit in ("x' OR '1'='1", "x\\' OR 1=1 --", "'); DELETE FROM \"Case\"; --", "%' OR Subject LIKE '%"):
    esc = lit.replace("\\", "\\\\").replace("'", "\\'")
    rc, out, err, _ = run("query", f"SELECT Id FROM Case WHERE Subject = '{esc}'")
    t.ok(rc == 0 and json.loads(out) == [], f"a literal is data, not SQL: {lit!r}", out + err)
rc, out, err, _ = run("query", "SELECT Id FROM Case WHERE Subject LIKE '100\\% sure\\_x'")
t.ok(rc == 0 and json.loads(out) == [], "escaped LIKE wildcards are literal", err)
# Identifiers come from the schema only.
for bad in ('SELECT Id FROM "Case"', 'SELECT "Id" FROM Case', "SELECT Id FROM Case; DROP TABLE Case",
            "SELECT Id FROM Case WHERE Id = '1' UNION SELECT key FROM crmw_meta", "SELECT Id FROM `Case`",
            "SELECT Id, Subject -- comment\nFROM Case"):
    rc, out, err, _ = run("query", bad)
    t.ok(rc == 1 and out == "" and ("MALFORMED_QUERY" in err or "INVALID" in err), f"identifier injection fails: {bad[:40]!r}", err)

# Budgets in the raw path too.
rc, out, err, _ = run("sql", 'SELECT "Id" FROM "Case"', "--max-rows", "5")
t.ok(rc == 1 and "LIMIT_EXCEEDED" in err, "sql: --max-rows", err)
rc, out, err, _ = run("sql", 'SELECT "Description" FROM "Case"', "--max-bytes", "300")
t.ok(rc == 1 and "LIMIT_EXCEEDED" in err, "sql: --max-bytes", err)
rc, out, err, _ = run("sql", 'SELECT "Status", count(*) AS n FROM "Case" GROUP BY "Status" ORDER BY 1')
t.ok(rc == 0 and [r["Status"] for r in json.loads(out)] == ["Closed", "Escalated", "New", "Working"],
     "sql: a legitimate read works", err)

t.ok(digest() == before, "the database file is byte-identical after every attack")
rc, out, err, _ = run("query", "SELECT COUNT() FROM Case")
t.ok(rc == 0 and json.loads(out)["totalSize"] == 60, "and still answers queries", err)
sys.exit(t.done())
