#!/usr/bin/env python3
"""Attacks on access control through the CLI and the query tools (TAP).

Each test is an attack that tries to read what a role may not: values of
records outside its row rule (an error oracle: a condition that fails only
when SQLite evaluates it, placed after a condition on the hidden value),
hidden reference fields through relationship paths, subqueries and
semi-joins, hidden field and object names through "did you mean"
suggestions, and queries that crash the process.  Each asserts what a
correct library does: the attack recovers nothing, the process is not
killed by a signal, and the org file is byte-identical afterwards.  The
diagnostics say what each attack recovered and how many queries it took.

usage: test_attacks.py PATH_TO_CRMWEAVER

CRMW_ATTACK_FULL=1 in the environment recovers whole strings instead of
their first few characters: slower, for measuring what the attacks get.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
FULL = os.environ.get("CRMW_ATTACK_FULL") == "1"
tmp = tempfile.mkdtemp(prefix="crmw-attacks-")
ORG = os.path.join(tmp, "org.db")
r = subprocess.run([exe, "gen", "--profile", "b2b", "--seed", "1", "--scale", "0.05", "--force", "-o", ORG],
                   capture_output=True, text=True)
if r.returncode:
    raise SystemExit(r.stderr)


def digest():
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = ORG + suffix
        if os.path.exists(p):
            h.update(open(p, "rb").read())
    return h.hexdigest()


BEFORE = digest()
con = sqlite3.connect(f"file:{ORG}?mode=ro", uri=True)
con.row_factory = sqlite3.Row


def sql(q, *p):
    return [dict(x) for x in con.execute(q, p)]


def col(q, *p):
    return [x[0] for x in con.execute(q, p)]


# The attacker: a customer with cases.  The victim: another account with
# cases and a contact with an e-mail (its id is what the attacker knows, as
# from an invoice or a forwarded e-mail).
ME, MY_ACC = [(x["Id"], x["AccountId"]) for x in sql('''SELECT c."Id", c."AccountId" FROM "Contact" c
    WHERE EXISTS (SELECT 1 FROM "Case" k WHERE k."AccountId" = c."AccountId") ORDER BY c."Id" LIMIT 1''')][0]
VICTIM = col('''SELECT a."Id" FROM "Account" a WHERE a."Id" != ?
    AND (SELECT count(*) FROM "Case" k WHERE k."AccountId" = a."Id") >= 2
    AND EXISTS (SELECT 1 FROM "Contact" c WHERE c."AccountId" = a."Id" AND c."Email" IS NOT NULL)
    ORDER BY (SELECT count(*) FROM "Case" k WHERE k."AccountId" = a."Id"), a."Id" LIMIT 1''', MY_ACC)[0]
ROLE = f"external:{ME}"
VICTIM_SUBJECTS = col('SELECT "Subject" FROM "Case" WHERE "AccountId" = ? AND "Subject" IS NOT NULL', VICTIM)
VICTIM_EMAILS = col('SELECT "Email" FROM "Contact" WHERE "AccountId" = ? AND "Email" IS NOT NULL', VICTIM)
HIDDEN_KB = sql('''SELECT "Id", "Title", "FAQ_Answer__c" body FROM "Knowledge__kav"
    WHERE NOT ("PublishStatus" = 'Online' AND "IsVisibleInCsp" = 1)''')
CONFIDENTIAL = col("SELECT value FROM crmw_latent_meta WHERE key = 'confidential_article'")[0]
t.diag(f"attacker {ROLE} (account {MY_ACC}); victim account {VICTIM}: {len(VICTIM_SUBJECTS)} case subjects, "
       f"{len(VICTIM_EMAILS)} e-mails; {len(HIDDEN_KB)} articles hidden from customers")

# A LIKE pattern longer than the sandbox's limit (1,000 characters): an
# error when SQLite evaluates it, nothing when it does not.
LONG = "%" * 1001


def unchanged(what):
    t.ok(digest() == BEFORE, f"{what}: the org file is byte-identical")


def lit(s):
    """A SOQL string literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def like_lit(s):
    """A SOQL LIKE literal matching s literally, then anything."""
    s = s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "'" + s.replace("'", "\\'") + "%'"


# --------------------------------------------------------------- routes

class Route:
    """One way to run a query as a role; error() says whether it failed."""

    def __init__(self, kind, role=ROLE):
        self.kind, self.role, self.n, self.t0 = kind, role, 0, time.monotonic()

    def error(self, q):
        self.n += 1
        if self.kind == "cli":
            r = subprocess.run([exe, "query", "--db", ORG, "--role", self.role, "--max-rows", "0", q],
                               capture_output=True, text=True)
            if r.returncode < 0:
                raise RuntimeError(f"crmweaver query killed by signal {-r.returncode}")
            return r.returncode != 0
        name = "issue_sosl_query" if q.startswith("FIND") else "issue_soql_query"
        r = subprocess.run([exe, "tools", "call", "--db", ORG, "--set", "query", "--role", self.role, name,
                            json.dumps({"query": q})], capture_output=True, text=True)
        if r.returncode < 0:
            raise RuntimeError(f"crmweaver tools call killed by signal {-r.returncode}")
        try:
            out = json.loads(r.stdout)
        except ValueError:
            return True
        return r.returncode != 0 or (isinstance(out, dict) and "error" in out)

    def stats(self):
        return f"{self.n} queries in {time.monotonic() - self.t0:.1f} s"


# ------------------------------------------------------------ recovery

# Characters in the order SQLite's NOCASE collation sorts them (upper-case
# letters fold to lower case, so they are left out: the recovered text is in
# lower case).
CHARS = [chr(c) for c in range(32, 127) if not "A" <= chr(c) <= "Z"]


def upper(c):
    """The bound just above character c in NOCASE order."""
    i = CHARS.index(c) if c in CHARS else len(CHARS) - 1
    return CHARS[i + 1] if i + 1 < len(CHARS) else "\x7f"


def range_recover(exists, limit, many):
    """Strings s with exists(lo, hi) telling whether one lies in [lo, hi):
    the smallest, then (with many) the next ones, each up to `limit`
    characters (a cut string skips every string it starts).  Each character
    is a binary search over "the string ends here" and CHARS."""
    found, lo = [], ""
    while (many or not found) and exists(lo, None):
        p = ""
        while len(p) < limit:
            def bound(i):
                return p + (" " if i == 0 else upper(CHARS[i - 1]))
            a, b = 0, len(CHARS) + 1  # the first candidate whose upper bound holds it
            while a < b:
                m = (a + b) // 2
                if exists(lo, bound(m)):
                    b = m
                else:
                    a = m + 1
            if a == 0:  # nothing after p: p is whole
                break
            if a == len(CHARS) + 1:  # beyond ASCII: stop here
                p += "?"
                break
            p += CHARS[a - 1]
        found.append(p)
        nxt = p + "\x01" if len(p) < limit else p[:-1] + upper(p[-1])
        if nxt <= lo or len(found) >= 100:  # no progress (a character below ' '), or enough
            break
        lo = nxt
    return found


# Body text: LIKE only (long text cannot be compared), one character at a
# time in order of English frequency; "_" stands for any other character.
FREQ = " etaoinsrhldcumfpgwybvkxjqz0123456789.,-()'/:;%$!?\"&"


def like_recover(exists_like, limit):
    p = ""
    while len(p) < limit:
        for c in FREQ + "_":
            pat = like_lit(p + c) if c != "_" else like_lit(p)[:-2] + "_%'"
            if exists_like(pat):
                p += c if c != "_" else "?"
                break
        else:
            break
    return p


def leaked(recovered, hidden):
    """The recovered strings that are the start of a hidden value ('?' is
    any character; case ignored)."""
    def starts(h, r):
        return len(h) >= len(r) and all(a == "?" or a == b for a, b in zip(r.lower(), h.lower()))
    return [r for r in recovered if r and any(h and starts(h, r) for h in hidden)]


NO_SUCH = "zz no such value zz"
LIMIT = 200 if FULL else 6


def range_attack(route, make, field, limit, many=False):
    """The values of `field` on the hidden records that make(condition)
    selects, by the error oracle.  An attacker first checks that the oracle
    is not always on: a condition no record meets must not fail."""
    if route.error(make(f"{field} = {lit(NO_SUCH)} AND {field} LIKE '{LONG}'")):
        return []

    def exists(lo, hi):
        c = f"{field} >= {lit(lo)}" + (f" AND {field} < {lit(hi)}" if hi else "")
        return route.error(make(f"{c} AND {field} LIKE '{LONG}'"))
    return range_recover(exists, limit, many)


def report(desc, route, got, hidden):
    bad = leaked(got, hidden)
    t.ok(not bad, desc, f"recovered {bad} ({route.stats()}); the hidden values are {hidden}")
    t.diag(f"  recovered {got} with {route.stats()}")


# ------------------------------------------- 1. error oracle: case subjects

route = Route("cli")
got = range_attack(route, lambda c: f"SELECT Id FROM Case WHERE AccountId = {lit(VICTIM)} AND {c}", "Subject", LIMIT,
                   many=True)
report("error oracle, crmweaver query --role external: no subject of another account's cases", route, got,
       VICTIM_SUBJECTS)
unchanged("subject oracle")

# ------------------------------------ 2. error oracle: a contact's e-mail

route = Route("tool")
got = range_attack(route, lambda c: f"SELECT Id FROM Contact WHERE AccountId = {lit(VICTIM)} AND {c}", "Email", LIMIT)
report("error oracle, tool issue_soql_query: no e-mail of another account's contacts", route, got, VICTIM_EMAILS)
unchanged("e-mail oracle")

# ------------------- 3. error oracle in a child subquery: anyone's cases

# No account id needed: an agent (User, readable by customers) owns cases
# of many accounts, and the child subquery's WHERE runs on all of them.
agent = col('SELECT "OwnerId" FROM "Case" WHERE "AccountId" != ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1',
            MY_ACC)[0]
others = col('SELECT "Subject" FROM "Case" WHERE "OwnerId" = ? AND "AccountId" != ?', agent, MY_ACC)
route = Route("cli")
got = range_attack(route, lambda c: f"SELECT Id, (SELECT Id FROM Cases WHERE AccountId != {lit(MY_ACC)} AND {c}) "
                                    f"FROM User WHERE Id = {lit(agent)}", "Subject", LIMIT)
report("error oracle in a child subquery (FROM User, (SELECT ... FROM Cases WHERE ...)): no subject of other "
       "customers' cases", route, got, others)
unchanged("child subquery oracle")

# ------------------------------ 4. error oracle in a semi-join subquery

route = Route("tool")
got = range_attack(route, lambda c: f"SELECT Id FROM User WHERE Id IN (SELECT OwnerId FROM Case WHERE AccountId = "
                                    f"{lit(VICTIM)} AND {c})", "Subject", LIMIT)
report("error oracle in a semi-join (tool issue_soql_query): no subject of another account's cases", route, got,
       VICTIM_SUBJECTS)
unchanged("semi-join oracle")

# ----------------------- 5. error oracle in SOSL: an internal article's title

# Every word: a prefix search on each letter and digit.
EVERYTHING = " OR ".join(c + "*" for c in "abcdefghijklmnopqrstuvwxyz0123456789")
KB_HIDDEN = "(IsVisibleInCsp = false OR PublishStatus != 'Online')"
hidden_titles = [x["Title"] for x in HIDDEN_KB]
for kind in ("cli", "tool"):
    route = Route(kind)
    got = range_attack(route, lambda c: f"FIND {{{EVERYTHING}}} RETURNING Knowledge__kav(Id WHERE {KB_HIDDEN} AND {c})",
                       "Title", 200 if FULL else 8)
    how = "crmweaver query FIND" if kind == "cli" else "tool issue_sosl_query"
    report(f"error oracle in SOSL RETURNING WHERE ({how}): no title of an article hidden from customers", route, got,
           hidden_titles)
unchanged("title oracle")

# ------------------------- 6. error oracle in SOSL: an internal article's body

route = Route("tool")
hidden_bodies = [x["body"] for x in HIDDEN_KB]


def body_exists(pat):
    return route.error(f"FIND {{{EVERYTHING}}} RETURNING Knowledge__kav(Id WHERE {KB_HIDDEN} "
                       f"AND FAQ_Answer__c LIKE {pat} AND FAQ_Answer__c LIKE '{LONG}')")


got = []
if not body_exists(like_lit(NO_SUCH)):
    got = [like_recover(body_exists, 400 if FULL else 6)]
report("error oracle in SOSL (tool issue_sosl_query): no text of a hidden article's body (LIKE by LIKE)", route, got,
       hidden_bodies)
unchanged("body oracle")

# ----------------------------- 7. the FTS5 MATCH itself as the oracle

# Which words do hidden articles hold?  The search runs on hidden rows; the
# failing condition tells whether one matched.
route = Route("cli")
WORDS = ["discount", "margin", "approval", "budget", "authority", "qualification", "internal", "proposed",
         "revision", "stage", "bant", "timeline", "closed", "prospect", "zebra", "xylophone"]
found = []
if not route.error(f"FIND {{zzqqxx}} RETURNING Knowledge__kav(Id WHERE {KB_HIDDEN} AND Title LIKE '{LONG}')"):
    found = [w for w in WORDS
             if route.error(f"FIND {{{w}}} RETURNING Knowledge__kav(Id WHERE {KB_HIDDEN} AND Title LIKE '{LONG}')")]
t.ok(not found, "SOSL search words as the oracle: no word of a hidden article is confirmed",
     f"confirmed {found} ({route.stats()})")
t.diag(f"  confirmed {found} with {route.stats()}")
unchanged("search-word oracle")

# ------------------------------- 8. the same through a policy file's rule

policy = os.path.join(tmp, "tier1.json")
with open(policy, "w") as f:
    json.dump({"schema_version": 1, "name": "tier1", "default": "read",
               "objects": {"Case": {"where": "Status != 'Closed'"}}}, f)
closed_acc = col('''SELECT "AccountId" FROM "Case" WHERE "Status" = 'Closed' AND "AccountId" IS NOT NULL
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1''')[0]
closed_subjects = col('''SELECT "Subject" FROM "Case" WHERE "Status" = 'Closed' AND "AccountId" = ?''', closed_acc)
route = Route("cli", policy)
got = range_attack(route, lambda c: f"SELECT Id FROM Case WHERE AccountId = {lit(closed_acc)} AND Status = 'Closed' "
                                    f"AND {c}", "Subject", LIMIT)
report("error oracle under a policy file (Case where Status != 'Closed'): no subject of a closed case", route, got,
       closed_subjects)
unchanged("policy oracle")

# ---------------- 9. error oracle through a relationship path (a policy)

# A guard (this route holds today): accounts outside the rule read as null
# through Contact.Account because the rule is in the join's ON, so a WHERE on
# Account.Name never sees their values.  A fix that moves rules around must
# keep it so.
policy2 = os.path.join(tmp, "tech.json")
with open(policy2, "w") as f:
    json.dump({"schema_version": 1, "name": "tech_accounts", "default": "read",
               "objects": {"Account": {"where": "Industry = 'Technology'"}}}, f)
hidden_acc, hidden_name = [(x["Id"], x["Name"]) for x in sql('''SELECT a."Id", a."Name" FROM "Account" a
    WHERE a."Industry" != 'Technology' AND EXISTS (SELECT 1 FROM "Contact" c WHERE c."AccountId" = a."Id")
    ORDER BY a."Id" LIMIT 1''')][0]
route = Route("cli", policy2)
got = range_attack(route, lambda c: f"SELECT Id FROM Contact WHERE AccountId = {lit(hidden_acc)} AND {c}",
                   "Account.Name", LIMIT)
report("error oracle through a path (Contact WHERE Account.Name ..., policy Account where Industry = 'Technology'): "
       "no name of a hidden account", route, got, [hidden_name])
unchanged("path oracle")

# -------------------------------------- 10. hidden reference fields

hide = os.path.join(tmp, "hide.json")
with open(hide, "w") as f:
    json.dump({"schema_version": 1, "name": "no_owner", "default": "read",
               "objects": {"Case": {"hidden_fields": ["OwnerId", "AccountId"]}}}, f)
truth = {x["Id"]: (x["OwnerId"], x["AccountId"]) for x in sql('SELECT "Id", "OwnerId", "AccountId" FROM "Case"')}
users = col('SELECT "Id" FROM "User" ORDER BY "Id"')
user_name = {x["Id"]: x["FirstName"] for x in sql('SELECT "Id", "FirstName" FROM "User"')}


def hq(q):
    r = subprocess.run([exe, "query", "--db", ORG, "--role", hide, "--max-rows", "0", q], capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else None


def pairs(rows, key):
    """(case, owner or account) pairs of rows, counted against the truth."""
    out = set()
    for x in rows or []:
        v = (x.get(key) or {}).get("Id")
        if v:
            out.add((x["Id"], v))
    return {p for p in out if p[1] in truth.get(p[0], ())}


routes = {}
routes["SELECT Owner.Id"] = pairs(hq("SELECT Id, Owner.Id FROM Case"), "Owner")
routes["SELECT Account.Id"] = pairs(hq("SELECT Id, Account.Id FROM Case"), "Account")
routes["SELECT Owner.FirstName (a unique first name names the owner)"] = {
    (x["Id"], u) for x in hq("SELECT Id, Owner.FirstName FROM Case") or []
    for u in users if x.get("Owner") and list(user_name.values()).count(x["Owner"]["FirstName"]) == 1
    and user_name[u] == x["Owner"]["FirstName"] and truth[x["Id"]][0] == u}
where = set()
for u in users:
    for x in hq(f"SELECT Id FROM Case WHERE Owner.Id = {lit(u)}") or []:
        if truth[x["Id"]][0] == u:
            where.add((x["Id"], u))
routes["WHERE Owner.Id = <user>, for each user"] = where
grouped = hq("SELECT Owner.Id, COUNT(Id) n FROM Case GROUP BY Owner.Id") or []
true_counts = {u: sum(1 for o, _ in truth.values() if o == u) for u in users}
routes["GROUP BY Owner.Id (case counts per owner)"] = {(x["Id"], x["n"]) for x in grouped
                                                      if x.get("Id") and true_counts.get(x["Id"]) == x["n"]}
child = set()
for x in hq("SELECT Id, (SELECT Id FROM Cases) FROM User") or []:
    for c in (x.get("Cases") or {}).get("records", []):
        if truth[c["Id"]][0] == x["Id"]:
            child.add((c["Id"], x["Id"]))
routes["child subquery (SELECT Id FROM Cases) FROM User"] = child
semi = set()
for cid in sorted(truth)[:10]:
    for x in hq(f"SELECT Id FROM User WHERE Id IN (SELECT Owner.Id FROM Case WHERE Id = {lit(cid)})") or []:
        if truth[cid][0] == x["Id"]:
            semi.add((cid, x["Id"]))
routes["semi-join Id IN (SELECT Owner.Id FROM Case WHERE Id = <case>), 10 cases"] = semi
for what, got in routes.items():
    t.ok(not got, f"a policy hiding Case.OwnerId and AccountId: {what} reveals nothing",
         f"recovered {len(got)} hidden values ({len(truth)} cases), e.g. {sorted(got)[:3]}")
    t.diag(f"  {what}: {len(got)} values recovered")
unchanged("hidden references")

# ------------------------------------------------ 11. names in suggestions

schema = json.loads(subprocess.run([exe, "schema", "--db", ORG], capture_output=True, text=True).stdout)
all_objs = {o["name"]: o for o in schema["objects"]}


def tool(name, args, role=ROLE):
    r = subprocess.run([exe, "tools", "call", "--db", ORG, "--set", "query,crmarena,pro", "--role", role, name,
                        json.dumps(args)], capture_output=True, text=True)
    return r.stdout + r.stderr


visible_objs = {x["name"] for x in json.loads(tool("list_objects", {}).splitlines()[0])}
hidden_objs = set(all_objs) - visible_objs
hidden_fields = {}
for name in sorted(visible_objs):
    shown = {f["name"] for f in json.loads(tool("describe_object", {"object": name}).splitlines()[0])["fields"]}
    hidden_fields[name] = {f["name"] for f in all_objs[name]["fields"]} - shown
hidden_names = hidden_objs | {f for fs in hidden_fields.values() for f in fs}
hidden_rels = {f["relationship_name"] for o in visible_objs for f in all_objs[o]["fields"]
               if f.get("relationship_name") and not set(f.get("references", [])) & visible_objs}
hidden_children = {f["child_relationship_name"] for o in hidden_objs for f in all_objs[o]["fields"]
                   if f.get("child_relationship_name") and set(f.get("references", [])) & visible_objs}
secret = hidden_names | hidden_rels | hidden_children
probes = []
for o in sorted(hidden_objs):
    probes += [f"SELECT Id FROM {o[:-1]}", f"FIND {{x}} RETURNING {o[:-1]}(Id)"]
for o, fs in sorted(hidden_fields.items()):
    probes += [f"SELECT Id, {f[:-1]} FROM {o}" for f in sorted(fs)]
for f in sorted(hidden_fields.get("User", ())):
    probes.append(f"SELECT Id, Owner.{f[:-1]} FROM Case")
for o in sorted(visible_objs):
    for f in all_objs[o]["fields"]:
        if f.get("relationship_name") in hidden_rels:
            probes.append(f"SELECT Id, {f['relationship_name'][:-1]}.Id FROM {o}")
    for h in sorted(hidden_objs):
        for f in all_objs[h]["fields"]:
            if o in f.get("references", []) and f.get("child_relationship_name"):
                probes.append(f"SELECT Id, (SELECT Id FROM {f['child_relationship_name'][:-1]}) FROM {o}")
revealed = {}
for q in probes:
    r = subprocess.run([exe, "query", "--db", ORG, "--role", ROLE, q], capture_output=True, text=True)
    for n in secret:
        if f"'{n}'" in r.stderr and n not in q.replace("(", " ").replace(")", " ").replace(".", " ").split():
            revealed.setdefault(n, q)
for o in sorted(hidden_objs):
    out = tool("describe_object", {"object": o[:-1]})
    for n in secret:
        if f"'{n}'" in out:
            revealed.setdefault(n, f"describe_object {o[:-1]}")
t.ok(not revealed, f"{len(probes)} misspelt names: no suggestion names a field or object the customer cannot read",
     "\n".join(f"{n!r} named by: {q}" for n, q in sorted(revealed.items())))
t.diag(f"  {len(revealed)} hidden names revealed: {sorted(revealed)}")
described = set()
for o in sorted(visible_objs):
    d = json.loads(tool("describe_object", {"object": o}).splitlines()[0])
    for f in d["fields"]:
        described |= set(f.get("references", [])) & hidden_objs
    described |= {c.get("object") for c in d.get("child_relationships", [])} & hidden_objs
t.ok(not described, "describe_object of the readable objects names no object the customer cannot read",
     f"named: {sorted(described)}")
t.diag(f"  describe_object named {sorted(described)}")
unchanged("names")

# ------------------------------------------------------------ 12. crashes


def cli(*args, **kw):
    return subprocess.run([exe, *args], capture_output=True, text=True, **kw)


# A hundred conditions: SOQL takes them (a WHERE may be 4,000 characters
# and more); the answer must be right.
conds = [f"Subject != 'no such subject {i}'" for i in range(100)]
for role in ("internal", ROLE):
    r = cli("query", "--db", ORG, "--role", role, "--max-rows", "0", "SELECT COUNT() FROM Case WHERE " + " AND ".join(conds))
    want = len(col('SELECT "Id" FROM "Case"')) if role == "internal" else len(col(
        'SELECT "Id" FROM "Case" WHERE "AccountId" = ?', MY_ACC))
    t.ok(r.returncode == 0 and json.loads(r.stdout)["totalSize"] == want,
         f"100 AND-ed conditions ({role}): answered, {want} cases", r.stderr.strip()[:300])
subjects = col('SELECT "Subject" FROM "Case" WHERE "Subject" IS NOT NULL ORDER BY "Id" LIMIT 100')
subjects += [f"no such subject {i}" for i in range(100 - len(subjects))]
r = cli("query", "--db", ORG, "--max-rows", "0",
        "SELECT COUNT() FROM Case WHERE " + " OR ".join(f"Subject = {lit(s)}" for s in subjects))
want = len(col(f'SELECT "Id" FROM "Case" WHERE "Subject" IN ({",".join("?" * len(subjects))})', *subjects))
t.ok(r.returncode == 0 and json.loads(r.stdout)["totalSize"] == want, f"{len(subjects)} OR-ed conditions: answered",
     r.stderr.strip()[:300])

# 285 child subqueries nested in each other: a clear error, not a signal.
q = "SELECT Id FROM Cases"
for _ in range(284):
    q = f"SELECT Id, ({q}) FROM Cases"
q = f"SELECT Id, ({q}) FROM Account"
r = cli("query", "--db", ORG, "--role", ROLE, q)
t.ok(r.returncode == 1 and "MALFORMED_QUERY" in r.stderr,
     "285 nested child subqueries: a MALFORMED_QUERY error, the process lives",
     f"exit {r.returncode} {'(signal %d)' % -r.returncode if r.returncode < 0 else ''} {r.stderr.strip()[:200]}")

# 200,000 conditions: longer than a command-line argument may be, so the
# query comes as a recorded model turn (crmweaver run --backend replay).
big = "SELECT Id FROM Case WHERE " + " AND ".join(f"Subject != 'x{i}'" for i in range(200000))
tasks = os.path.join(tmp, "deep-tasks.json")
with open(tasks, "w") as f:
    json.dump([{"id": "attack-deep-where", "family": "custom", "query": "List my cases.", "answer": [None],
                "context": {"role": ROLE}}], f)
replay = os.path.join(tmp, "deep-replay.jsonl")
with open(replay, "w") as f:
    call = {"id": "c1", "type": "function", "function": {"name": "issue_soql_query", "arguments": json.dumps({"query": big})}}
    f.write(json.dumps({"task_id": "attack-deep-where",
                        "messages": [{"role": "assistant", "content": None, "tool_calls": [call]}]}) + "\n")
out = os.path.join(tmp, "deep-out.jsonl")
r = cli("run", "--db", ORG, "--tasks", tasks, "--backend", "replay", "--replay", replay,
        "--agent", json.dumps({"max_output_bytes": 1 << 26, "tools": "query"}), "-o", out)
obs = ""  # what the episode made of the call: the tool's answer or error, or the reply's error
# (the recording has no second turn: the episode ends on a backend error, so run
# exits 1 as every episode did; the file still holds it)
if r.returncode in (0, 1) and os.path.exists(out) and os.path.getsize(out) > 0:
    for d in json.loads(open(out).readline())["decisions"]:
        for a in d.get("actions", []):
            obs = a.get("observation") or obs
        obs = obs or d.get("format_error") or "; ".join(d.get("errors", []))
t.ok(r.returncode in (0, 1) and obs, "a WHERE of 200,000 conditions (crmweaver run, tool issue_soql_query): "
     "an answer or a clear error, the process lives",
     f"exit {r.returncode} {'(signal %d)' % -r.returncode if r.returncode < 0 else ''} {r.stderr.strip()[-200:]}")
t.diag(f"  exit {r.returncode}; the tool said: {obs[:160]}")
unchanged("crashes")

sys.exit(t.done())
