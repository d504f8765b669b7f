#!/usr/bin/env python3
"""Integration tests of `crmweaver schema`, `import` and `export` (TAP).

usage: test_cli_data.py PATH_TO_CRMWEAVER
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-cli-")


def run(*args):
    r = subprocess.run([exe, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def one_line_error(err):
    lines = err.strip("\n").split("\n")
    return len(lines) == 1 and lines[0].startswith("crmweaver: ")


def p(name):
    return os.path.join(tmp, name)


# ---------------------------------------------------------------- schema
for s, n in (("crmarena", 16), ("b2b", 27), ("b2c", 27)):
    rc, out, err = run("schema", "--set", s, "--json")
    doc = json.loads(out) if rc == 0 else {}
    objs = doc.get("objects", [])
    t.ok(rc == 0 and len(objs) == n and all({"name", "label", "key_prefix", "fields"} <= set(o) for o in objs),
         f"schema --set {s} --json: {n} objects in the contract shape", err)
    t.ok(all({"name", "type"} <= set(f) for o in objs for f in o["fields"]),
         f"schema --set {s}: every field has name and type")

rc, out, err = run("schema", "--set", "b2b", "--prompt")
t.ok(rc == 0 and out.startswith("Objects: User, Account") and "\nLead (key prefix 00Q)" in out,
     "schema --prompt renders the agent's text", err)
rc, out, err = run("schema", "--set", "crmarena", "--object", "Case", "--json")
doc = json.loads(out) if rc == 0 else {}
t.ok(rc == 0 and doc.get("name") == "Case" and
     {c["name"] for c in doc.get("child_relationships", [])} >= {"EmailMessages", "LiveChatTranscripts"},
     "schema --object Case --json: describe with child relationships", out + err)
rc, out, err = run("schema", "--set", "crmarena", "--object", "Case,Account", "--json")
doc = json.loads(out) if rc == 0 else {}
t.ok(rc == 0 and [o["name"] for o in doc.get("objects", [])] == ["Case", "Account"],
     "schema --object A,B --json: the listed objects", out + err)
rc, out, err = run("schema", "--set", "crmarena", "--object", "Csae", "--json")
t.ok(rc == 1 and out == "" and one_line_error(err) and "did you mean 'Case'" in err,
     "schema: unknown object is a one-line error with a suggestion", err)
rc, out, err = run("schema", "--set", "b2z")
t.ok(rc == 1 and one_line_error(err) and "crmarena, b2b, b2c" in err, "schema: unknown set", err)
rc, out, err = run("schema", "--json")
t.ok(rc == 2 and one_line_error(err), "schema without --set or --db: usage error", err)
rc, out, err = run("schema", "--set", "b2b", "--db", "x.db")
t.ok(rc == 2 and one_line_error(err), "schema with both --set and --db: usage error", err)
rc, out, err = run("schema", "--set", "b2b", "--bogus")
t.ok(rc == 2 and one_line_error(err) and "--bogus" in err, "schema: unknown flag", err)
for cmd in ("schema", "import", "export", "query", "sql"):
    rc, out, err = run(cmd, "--help")
    t.ok(rc == 0 and out.startswith(f"usage: crmweaver {cmd}") and "example" in out, f"{cmd} --help")

# ---------------------------------------------- import a CRMArena-style dump
dump = p("dump.db")
con = sqlite3.connect(dump)
con.executescript("""
CREATE TABLE User (Id TEXT, FirstName TEXT, LastName TEXT);
INSERT INTO User VALUES ('005Wt000003NIc7IAG', 'Ava', 'Stone');
CREATE TABLE Account (Id TEXT, FirstName TEXT, LastName TEXT, ShippingState TEXT);
INSERT INTO Account VALUES ('001Wt00000PFj3zIAD', 'Max', 'Ng', 'TX');
CREATE TABLE "Case" (Id TEXT, Subject TEXT, Status TEXT, AccountId TEXT, OwnerId TEXT, CreatedDate TEXT);
INSERT INTO "Case" VALUES ('500Wt00000DDJ5nIAH', 'Strap, "snapped"', 'New', '001Wt00000PFj3zIAD',
                           '005Wt000003NIc7IAG', '2024-05-26T06:58:00.000+0000');
""")
con.commit()
con.close()

org = p("org.db")
rc, out, err = run("import", "--db", org, "--set", "crmarena", "--format", "crmarena-sqlite", "--json", dump)
t.ok(rc == 0 and json.loads(out or "{}").get("records") == 3, "import a crmarena-sqlite dump into a new org", out + err)
con = sqlite3.connect(org)
row = con.execute('SELECT CreatedDate FROM "Case"').fetchone()
con.close()
t.ok(row == ("2024-05-26T06:58:00Z",), "the dump's datetimes are normalised in the stored layout", repr(row))
rc, out, err = run("schema", "--db", org, "--json")
rc2, out2, _ = run("schema", "--set", "crmarena", "--json")
t.ok(rc == 0 and json.loads(out) == json.loads(out2), "schema --db reads the schema saved in the org", err)

rc, out, err = run("import", "--db", p("new.db"), "--format", "jsonl", p("nowhere"))
t.ok(rc == 1 and one_line_error(err) and "--set" in err, "import into a missing db without --set", err)
rc, out, err = run("import", "--db", org, "--set", "b2b", "--format", "crmarena-sqlite", dump)
t.ok(rc == 2 and one_line_error(err), "import: --set on an existing db is a usage error", err)
rc, out, err = run("import", "--db", org, "--format", "xml", dump)
t.ok(rc == 2 and one_line_error(err) and "xml" in err, "import: unknown format", err)

# A failing import into a new database leaves no file behind.
with open(p("bad.csv"), "w") as f:
    f.write("Name,IsActive\nBall,true\nBat,sometimes\n")
rc, out, err = run("import", "--db", p("fresh.db"), "--set", "crmarena", "--format", "csv",
                   "--object", "Product2", p("bad.csv"))
t.ok(rc == 1 and one_line_error(err) and "row 3 of bad.csv" in err and "'sometimes'" in err,
     "import: a bad CSV value names its row and value", err)
t.ok(not os.path.exists(p("fresh.db")), "a failed import into a new database leaves no file")

# ------------------------------------------------------ export round trip
for fmt in ("jsonl", "json", "csv"):
    d1, d2 = p(f"exp1-{fmt}"), p(f"exp2-{fmt}")
    rc, out, err = run("export", "--db", org, "--format", fmt, "-o", d1)
    t.ok(rc == 0 and os.path.exists(os.path.join(d1, f"Case.{fmt}")) and os.path.exists(os.path.join(d1, "schema.json")),
         f"export --format {fmt} writes one file per object and schema.json", err)
    org2 = p(f"org2-{fmt}.db")
    rc, out, err = run("import", "--db", org2, "--set", "crmarena", "--format", fmt, d1)
    t.ok(rc == 0, f"import --format {fmt} of the exported folder", err)
    rc, out, err = run("export", "--db", org2, "--format", fmt, "-o", d2)
    same = rc == 0 and all(open(os.path.join(d1, f), "rb").read() == open(os.path.join(d2, f), "rb").read()
                           for f in os.listdir(d1))
    t.ok(same, f"{fmt}: export -> import -> export is identical", err)

# The contract form: no --set; a dump makes a crmarena org, an exported folder
# brings its own schema.json.
rc, out, err = run("import", "--db", p("contract.db"), "--format", "crmarena-sqlite", dump)
t.ok(rc == 0 and "3 records" in out, "import --db NEW --format crmarena-sqlite DUMP (contract form)", out + err)
rc, out, err = run("import", "--db", p("from-dir.db"), "--format", "jsonl", p("exp1-jsonl"))
rc2, s1, _ = run("schema", "--db", p("from-dir.db"), "--json")
t.ok(rc == 0 and rc2 == 0 and json.loads(s1)["name"] == "crmarena",
     "import of an exported folder into a new db uses its schema.json", out + err)

rc, out, err = run("export", "--db", org, "--format", "csv", "--object", "Case", "-o", p("cases.csv"))
text = open(p("cases.csv")).read() if rc == 0 else ""
t.ok(rc == 0 and text.startswith("Id,Subject,") and '"Strap, ""snapped"""' in text,
     "export --object Case --format csv quotes cells", text + err)
rc, out, err = run("export", "--db", p("missing.db"), "-o", p("x"))
t.ok(rc == 1 and one_line_error(err), "export from a missing db", err)

rc, out, err = run("query", "SELECT Id FROM Case")
t.ok(rc == 2 and one_line_error(err) and "--db" in err, "query without --db: usage error", err)
rc, out, err = run("query", "--db", org, "--today", "2024-13-01", "SELECT Id FROM Case")
t.ok(rc == 2 and one_line_error(err) and "--today" in err, "query with a bad --today", err)
rc, out, err = run("query", "--db", org, "--role", "customer", "SELECT Id FROM Case")
t.ok(rc == 2 and one_line_error(err) and "role" in err, "query with an unknown role", err)
rc, out, err = run("query", "--db", org, "--max-rows", "x", "SELECT Id FROM Case")
t.ok(rc == 2 and one_line_error(err), "query with a bad --max-rows", err)
rc, out, err = run("query", "--db", org, "SELECT Id FROM Csae")
t.ok(rc == 1 and one_line_error(err) and "INVALID_TYPE" in err, "a failing query: one line, exit 1", err)
rc, out, err = run("query", "--db", p("missing.db"), "SELECT Id FROM Case")
t.ok(rc == 1 and one_line_error(err), "query on a missing db", err)
rc, out, err = run("query", "--db", org, "SELECT Id, Subject FROM Case")
t.ok(rc == 0 and json.loads(out) == [{"Id": "500Wt00000DDJ5nIAH", "Subject": 'Strap, "snapped"'}], "query prints records", out + err)

sys.exit(t.done())
