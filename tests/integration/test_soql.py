#!/usr/bin/env python3
"""SOQL/SOSL conformance: every feature of the query engine against SQL
written by hand over the same fixture org, compared as data (TAP).

usage: test_soql.py PATH_TO_CRMWEAVER
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402
from fixture_org import make_org  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-soql-")
ORG = os.path.join(tmp, "org.db")
make_org(exe, ORG)
db = sqlite3.connect(f"file:{ORG}?mode=ro", uri=True)
db.row_factory = sqlite3.Row
TODAY = "2024-06-15"  # a Saturday


def q(text, *extra):
    r = subprocess.run([exe, "query", "--db", ORG, "--today", TODAY, *extra, text],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


def sql(text, *args):
    return [dict(r) for r in db.execute(text, args)]


def norm(x):
    """Numbers compare as numbers: 120 and 120.0 are the same value."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x


def key(x):
    return json.dumps(norm(x), sort_keys=True)


def same(got, want, ordered=False):
    if got is None:
        return False
    if ordered:
        return norm(got) == norm(want)
    return sorted(map(key, got)) == sorted(map(key, want))


def check(desc, soql, want, ordered=False, extra=()):
    got, err = q(soql, *extra)
    ok = same(got, want, ordered)
    detail = err or f"got  {json.dumps(got)[:600]}\nwant {json.dumps(want)[:600]}"
    t.ok(ok, desc, "" if ok else f"{soql}\n{detail}")
    return got


def check_error(desc, soql, *needles, extra=()):
    r = subprocess.run([exe, "query", "--db", ORG, "--today", TODAY, *extra, soql],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    ok = r.returncode != 0 and all(n in r.stderr for n in needles)
    t.ok(ok, desc, f"{soql}\nrc={r.returncode} stderr={r.stderr.strip()}")


def boolv(v):
    return None if v is None else bool(v)


# ------------------------------------------------------------ field lists
check("field list", "SELECT Id, Subject, Status FROM Case",
      sql('SELECT "Id", "Subject", "Status" FROM "Case"'))
check("keywords and names are case-insensitive", "select id, SUBJECT from CASE where status = 'new'",
      sql('SELECT "Id", "Subject" FROM "Case" WHERE "Status" = \'New\''))
check("= on text ignores case", "SELECT Id FROM Case WHERE Subject = 'REFUND REQUEST (4)'",
      sql('SELECT "Id" FROM "Case" WHERE lower("Subject") = \'refund request (4)\''))
check("numbers and booleans keep their JSON types", "SELECT Name, IsActive FROM Product2",
      [{"Name": r["Name"], "IsActive": bool(r["IsActive"])} for r in sql('SELECT "Name", "IsActive" FROM "Product2"')])
check("TRUE and FALSE", "SELECT Name FROM Product2 WHERE IsActive = false",
      sql('SELECT "Name" FROM "Product2" WHERE "IsActive" = 0'))
check("currency values", "SELECT UnitPrice FROM PricebookEntry WHERE UnitPrice > 50",
      sql('SELECT "UnitPrice" FROM "PricebookEntry" WHERE "UnitPrice" > 50'))
check("compound Name of people", "SELECT Name FROM User WHERE LastName = 'Stone'",
      [{"Name": f"{r['FirstName']} {r['LastName']}"} for r in sql('SELECT * FROM "User" WHERE "LastName" = \'Stone\'')])

# ------------------------------------------------------ parent relationships
want = []
for r in sql('SELECT c."Id", a."Id" AS aid, a."ShippingState", u."Id" AS uid, u."Email" FROM "Case" c '
             'LEFT JOIN "Account" a ON a."Id" = c."AccountId" LEFT JOIN "User" u ON u."Id" = c."OwnerId"'):
    want.append({"Id": r["Id"], "Account": {"ShippingState": r["ShippingState"]} if r["aid"] else None,
                 "Owner": {"Email": r["Email"]} if r["uid"] else None})
check("parent fields nest; a missing parent is null", "SELECT Id, Account.ShippingState, Owner.Email FROM Case", want)
t.ok(any(w["Account"] is None for w in want), "the fixture has cases without an account")
check("object-prefixed paths", "SELECT Case.Id, Case.Account.ShippingState, Case.Owner.Email FROM Case", want)
check("an alias on FROM", "SELECT c.Id, c.Account.ShippingState, c.Owner.Email FROM Case c", want)

want = []
for r in sql('SELECT e."Id", a."ShippingState", a."Id" AS aid, o."Id" AS oid, oi."Id" AS iid, c."Id" AS cid FROM "EmailMessage" e '
             'LEFT JOIN "Case" c ON c."Id" = e."ParentId" LEFT JOIN "OrderItem" oi ON oi."Id" = c."OrderItemId__c" '
             'LEFT JOIN "Order" o ON o."Id" = oi."OrderId" LEFT JOIN "Account" a ON a."Id" = o."AccountId"'):
    acc = {"ShippingState": r["ShippingState"]} if r["aid"] else None
    want.append({"Id": r["Id"], "Parent": {"OrderItemId__r": {"Order": {"Account": acc}}}})
check("five relationship levels", "SELECT Id, Parent.OrderItemId__r.Order.Account.ShippingState FROM EmailMessage", want)
check("a relationship path in WHERE", "SELECT Id FROM Case WHERE Account.ShippingState = 'CA'",
      sql('SELECT c."Id" FROM "Case" c JOIN "Account" a ON a."Id" = c."AccountId" WHERE a."ShippingState" = \'CA\''))
check("the object-prefixed form in WHERE (OrderItem.Order.AccountId)",
      "SELECT Id FROM OrderItem WHERE OrderItem.Order.AccountId != null AND OrderItem.Order.Status = 'Activated'",
      sql('SELECT i."Id" FROM "OrderItem" i JOIN "Order" o ON o."Id" = i."OrderId" WHERE o."Status" = \'Activated\''))
check_error("six relationship levels are refused",
            "SELECT Id FROM EmailMessage WHERE Parent.OrderItemId__r.Order.Account.Parent.Name = 'x'",
            "INVALID_FIELD")

# ------------------------------------------------------ child subqueries
want = []
for a in sql('SELECT "Id", "LastName" FROM "Account"'):
    cs = sql('SELECT "Subject" FROM "Case" WHERE "AccountId" = ? AND "Status" = \'Closed\' ORDER BY "CreatedDate" DESC LIMIT 2', a["Id"])
    cnt = len(cs)
    want.append({"LastName": a["LastName"],
                 "Cases": {"totalSize": cnt, "done": True, "records": cs} if cnt else None})
check("parent-to-child subquery with WHERE, ORDER BY and LIMIT",
      "SELECT LastName, (SELECT Subject FROM Cases WHERE Status = 'Closed' ORDER BY CreatedDate DESC LIMIT 2) FROM Account",
      want)
t.ok(any(w["Cases"] is None for w in want) and any(w["Cases"] for w in want), "some accounts have no closed case")
check_error("an unknown child relationship", "SELECT Id, (SELECT Id FROM Casess) FROM Account", "INVALID_FIELD", "did you mean 'Cases'")

# ------------------------------------------------------ semi- and anti-joins
check("semi-join: Id IN (SELECT ...)",
      "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case WHERE Status = 'Escalated')",
      sql('SELECT "Id" FROM "Account" WHERE "Id" IN (SELECT "AccountId" FROM "Case" WHERE "Status" = \'Escalated\')'))
check("anti-join: Id NOT IN (SELECT ...)",
      "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Case WHERE Status = 'Escalated')",
      sql('SELECT "Id" FROM "Account" WHERE "Id" NOT IN (SELECT "AccountId" FROM "Case" WHERE "Status" = \'Escalated\' AND "AccountId" IS NOT NULL)'))
check("semi-join on a reference field",
      "SELECT Id FROM Case WHERE OwnerId IN (SELECT Id FROM User WHERE LastName = 'Park')",
      sql('SELECT "Id" FROM "Case" WHERE "OwnerId" IN (SELECT "Id" FROM "User" WHERE "LastName" = \'Park\')'))
check_error("a semi-join must select one Id field", "SELECT Id FROM Account WHERE Id IN (SELECT Subject FROM Case)",
            "MALFORMED_QUERY")

# ------------------------------------------------------------ conditions
check("AND, OR, NOT with parentheses",
      "SELECT Id FROM Case WHERE (Status = 'New' OR Status = 'Working') AND NOT (Priority = 'Low')",
      sql('SELECT "Id" FROM "Case" WHERE ("Status" IN (\'New\', \'Working\')) AND coalesce("Priority" <> \'Low\', 1)'))
check_error("AND and OR mixed without parentheses", "SELECT Id FROM Case WHERE Status = 'New' OR Status = 'Working' AND Priority = 'Low'",
            "MALFORMED_QUERY", "parentheses")
check("!= keeps records whose field is null (SOQL semantics)", "SELECT Id FROM Case WHERE Priority != 'Low'",
      sql('SELECT "Id" FROM "Case" WHERE "Priority" IS NULL OR "Priority" <> \'Low\''))
check("<> is !=", "SELECT Id FROM Case WHERE Priority <> 'Low'",
      sql('SELECT "Id" FROM "Case" WHERE "Priority" IS NULL OR "Priority" <> \'Low\''))
check("= null", "SELECT Id FROM Case WHERE ClosedDate = null", sql('SELECT "Id" FROM "Case" WHERE "ClosedDate" IS NULL'))
check("!= null", "SELECT Id FROM Case WHERE ClosedDate != null", sql('SELECT "Id" FROM "Case" WHERE "ClosedDate" IS NOT NULL'))
check("< <= > >= on numbers", "SELECT Id FROM OrderItem WHERE Quantity >= 2 AND UnitPrice < 100 AND UnitPrice > 20 AND Quantity <= 3",
      sql('SELECT "Id" FROM "OrderItem" WHERE "Quantity" >= 2 AND "UnitPrice" < 100 AND "UnitPrice" > 20'))
check("LIKE with % is case-insensitive", "SELECT Id FROM Case WHERE Subject LIKE '%ZIPPER%'",
      sql('SELECT "Id" FROM "Case" WHERE "Subject" LIKE \'%zipper%\''))
check("LIKE with _", "SELECT Name FROM Product2 WHERE Name LIKE 'Y_ga Mat'", [{"Name": "Yoga Mat"}])
check("NOT LIKE", "SELECT Id FROM Case WHERE NOT Subject LIKE 'Refund%'",
      sql('SELECT "Id" FROM "Case" WHERE "Subject" NOT LIKE \'Refund%\''))
check("IN and NOT IN lists", "SELECT Id FROM Case WHERE Status IN ('New', 'Closed') AND Channel NOT IN ('Chat')",
      sql('SELECT "Id" FROM "Case" WHERE "Status" IN (\'New\', \'Closed\') AND "Channel" <> \'Chat\''))
check("IN with 15-character ids", "SELECT Id FROM User WHERE Id IN ('%s', '%s')" % (
    sql('SELECT "Id" FROM "User" LIMIT 1')[0]["Id"][:15], sql('SELECT "Id" FROM "User" LIMIT 1 OFFSET 1')[0]["Id"][:15]),
    sql('SELECT "Id" FROM "User" LIMIT 2'))
check("unquoted datetime literal", "SELECT Id FROM Case WHERE CreatedDate > 2024-03-01T00:00:00Z",
      sql('SELECT "Id" FROM "Case" WHERE "CreatedDate" > \'2024-03-01T00:00:00Z\''))
check("datetime literal with an offset", "SELECT Id FROM Case WHERE CreatedDate >= 2024-03-01T02:00:00+02:00",
      sql('SELECT "Id" FROM "Case" WHERE "CreatedDate" >= \'2024-03-01T00:00:00Z\''))
check("unquoted date literal", "SELECT Id FROM Order WHERE EffectiveDate <= 2023-06-30",
      sql('SELECT "Id" FROM "Order" WHERE "EffectiveDate" <= \'2023-06-30\''))

# ------------------------------------------------------------ date literals
# Ranges for today = 2024-06-15 (Saturday), written out by hand.
RANGES = {
    "YESTERDAY": ("2024-06-14", "2024-06-15"), "TODAY": ("2024-06-15", "2024-06-16"),
    "TOMORROW": ("2024-06-16", "2024-06-17"), "LAST_WEEK": ("2024-06-02", "2024-06-09"),
    "THIS_WEEK": ("2024-06-09", "2024-06-16"), "NEXT_WEEK": ("2024-06-16", "2024-06-23"),
    "LAST_MONTH": ("2024-05-01", "2024-06-01"), "THIS_MONTH": ("2024-06-01", "2024-07-01"),
    "NEXT_MONTH": ("2024-07-01", "2024-08-01"), "LAST_90_DAYS": ("2024-03-17", "2024-06-16"),
    "NEXT_90_DAYS": ("2024-06-16", "2024-09-14"), "THIS_QUARTER": ("2024-04-01", "2024-07-01"),
    "LAST_QUARTER": ("2024-01-01", "2024-04-01"), "NEXT_QUARTER": ("2024-07-01", "2024-10-01"),
    "THIS_YEAR": ("2024-01-01", "2025-01-01"), "LAST_YEAR": ("2023-01-01", "2024-01-01"),
    "NEXT_YEAR": ("2025-01-01", "2026-01-01"),
    "LAST_N_DAYS:30": ("2024-05-16", "2024-06-16"), "NEXT_N_DAYS:7": ("2024-06-16", "2024-06-23"),
    "N_DAYS_AGO:3": ("2024-06-12", "2024-06-13"), "LAST_N_WEEKS:2": ("2024-05-26", "2024-06-09"),
    "NEXT_N_WEEKS:1": ("2024-06-16", "2024-06-23"), "N_WEEKS_AGO:1": ("2024-06-02", "2024-06-09"),
    "LAST_N_MONTHS:3": ("2024-03-01", "2024-06-01"), "NEXT_N_MONTHS:2": ("2024-07-01", "2024-09-01"),
    "N_MONTHS_AGO:2": ("2024-04-01", "2024-05-01"), "LAST_N_QUARTERS:2": ("2023-10-01", "2024-04-01"),
    "NEXT_N_QUARTERS:1": ("2024-07-01", "2024-10-01"), "N_QUARTERS_AGO:1": ("2024-01-01", "2024-04-01"),
    "LAST_N_YEARS:1": ("2023-01-01", "2024-01-01"), "NEXT_N_YEARS:1": ("2025-01-01", "2026-01-01"),
    "N_YEARS_AGO:1": ("2023-01-01", "2024-01-01"),
}
cases = sql('SELECT "Id", "CreatedDate" FROM "Case"')
orders = sql('SELECT "Id", "EffectiveDate" FROM "Order"')
nonempty = 0
for lit, (lo, hi) in RANGES.items():
    dlo, dhi = lo + "T00:00:00Z", hi + "T00:00:00Z"
    exp = [{"Id": c["Id"]} for c in cases if dlo <= c["CreatedDate"] < dhi]
    nonempty += bool(exp)
    check(f"datetime field = {lit}", f"SELECT Id FROM Case WHERE CreatedDate = {lit}", exp)
    check(f"date field = {lit}", f"SELECT Id FROM Order WHERE EffectiveDate = {lit}",
          [{"Id": o["Id"]} for o in orders if lo <= o["EffectiveDate"] < hi])
t.ok(nonempty >= 12, f"date-literal checks hit records for {nonempty} literals")
lo, hi = RANGES["LAST_N_MONTHS:3"]
for op, f in (("<", lambda v: v < lo + "T"), ("<=", lambda v: v < hi + "T"), (">", lambda v: v >= hi + "T"),
              (">=", lambda v: v >= lo + "T"), ("!=", lambda v: not (lo + "T" <= v < hi + "T"))):
    check(f"CreatedDate {op} LAST_N_MONTHS:3", f"SELECT Id FROM Case WHERE CreatedDate {op} LAST_N_MONTHS:3",
          [{"Id": c["Id"]} for c in cases if f(c["CreatedDate"])])
check_error("a date literal needs :n", "SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY", ":n")
check_error("a date literal on a text field", "SELECT Id FROM Case WHERE Subject = TODAY", "INVALID_FIELD")
got_a, _ = q("SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:30")
r = subprocess.run([exe, "query", "--db", ORG, "--today", "2024-02-01", "SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:30"],
                   capture_output=True, text=True)
t.ok(r.returncode == 0 and json.loads(r.stdout) != got_a, "date literals resolve against the query's today")

# ------------------------------------------------------------ date functions
for fn, f in (("CALENDAR_MONTH", lambda v: int(v[5:7])), ("CALENDAR_YEAR", lambda v: int(v[:4])),
              ("CALENDAR_QUARTER", lambda v: (int(v[5:7]) + 2) // 3), ("DAY_IN_MONTH", lambda v: int(v[8:10])),
              ("HOUR_IN_DAY", lambda v: int(v[11:13]))):
    counts = {}
    for c in cases:
        counts[f(c["CreatedDate"])] = counts.get(f(c["CreatedDate"]), 0) + 1
    check(f"{fn}() in SELECT and GROUP BY", f"SELECT {fn}(CreatedDate), COUNT(Id) n FROM Case GROUP BY {fn}(CreatedDate)",
          [{"expr0": k, "n": v} for k, v in counts.items()])
wd = {}
for c in sql('SELECT "CreatedDate", CAST(strftime(\'%w\', "CreatedDate") AS INTEGER) + 1 AS w, '
             'CAST(strftime(\'%j\', "CreatedDate") AS INTEGER) AS j FROM "Case"'):
    wd.setdefault(c["w"], 0)
    wd[c["w"]] += 1
check("DAY_IN_WEEK() (Sunday is 1)", "SELECT DAY_IN_WEEK(CreatedDate) d, COUNT(Id) n FROM Case GROUP BY DAY_IN_WEEK(CreatedDate)",
      [{"d": k, "n": v} for k, v in wd.items()])
check("DAY_ONLY() and a date function in WHERE",
      "SELECT Id, DAY_ONLY(CreatedDate) FROM Case WHERE CALENDAR_YEAR(CreatedDate) = 2024 AND CALENDAR_MONTH(CreatedDate) = 3",
      [{"Id": c["Id"], "expr0": c["CreatedDate"][:10]} for c in cases if c["CreatedDate"].startswith("2024-03")])
check("DAY_IN_YEAR() and WEEK_IN_YEAR()", "SELECT Id, DAY_IN_YEAR(CreatedDate), WEEK_IN_YEAR(CreatedDate) FROM Case",
      [{"Id": c["Id"], "expr0": c["j"], "expr1": (c["j"] + 6) // 7} for c in sql(
          'SELECT "Id", CAST(strftime(\'%j\', "CreatedDate") AS INTEGER) AS j FROM "Case"')])

# ---------------------------------------------------------------- aggregates
got, err = q("SELECT COUNT() FROM Case WHERE Status = 'Closed'")
n_closed = sql('SELECT count(*) AS n FROM "Case" WHERE "Status" = \'Closed\'')[0]["n"]
t.ok(got == {"totalSize": n_closed, "done": True, "records": []}, "COUNT() gives {totalSize, done, records: []}", f"{got} {err}")
got, err = q("SELECT COUNT() FROM Case LIMIT 5")
t.ok(got == {"totalSize": 5, "done": True, "records": []}, "COUNT() counts up to LIMIT", f"{got} {err}")
want = [{"OwnerId": r["OwnerId"], "expr0": r["n"], "expr1": r["d"], "total": r["n"]}
        for r in sql('SELECT "OwnerId", count("Id") n, count(DISTINCT "Status") d FROM "Case" GROUP BY "OwnerId"')]
check("COUNT(field), COUNT_DISTINCT, an alias, exprN naming",
      "SELECT OwnerId, COUNT(Id), COUNT_DISTINCT(Status), COUNT(Id) total FROM Case GROUP BY OwnerId", want)
want = [{"Product2Id": r["Product2Id"], "expr0": r["s"], "expr1": r["a"], "expr2": r["mi"], "expr3": r["ma"]} for r in sql(
    'SELECT "Product2Id", sum("Quantity") s, avg("UnitPrice") a, min("UnitPrice") mi, max("Quantity") ma FROM "OrderItem" GROUP BY "Product2Id"')]
check("SUM, AVG, MIN, MAX", "SELECT Product2Id, SUM(Quantity), AVG(UnitPrice), MIN(UnitPrice), MAX(Quantity) FROM OrderItem GROUP BY Product2Id", want)
want = [{"State": r["s"], "n": r["n"]} for r in sql(
    'SELECT a."ShippingState" s, count(c."Id") n FROM "Case" c LEFT JOIN "Account" a ON a."Id" = c."AccountId" '
    'GROUP BY a."ShippingState" HAVING count(c."Id") > 8 ORDER BY count(c."Id") DESC, a."ShippingState"')]
got = check("GROUP BY a parent field, HAVING, ORDER BY an aggregate",
            "SELECT Account.ShippingState State, COUNT(Id) n FROM Case GROUP BY Account.ShippingState HAVING COUNT(Id) > 8 "
            "ORDER BY COUNT(Id) DESC, Account.ShippingState", want, ordered=True)
check_error("a field neither grouped nor aggregated", "SELECT Status, Subject, COUNT(Id) FROM Case GROUP BY Status",
            "MALFORMED_QUERY", "Field must be grouped or aggregated: Subject")
check_error("COUNT() with other fields", "SELECT COUNT(), Status FROM Case", "MALFORMED_QUERY")
check_error("SUM of a text field", "SELECT SUM(Subject) FROM Case", "MALFORMED_QUERY", "cannot be aggregated")
check_error("an aggregate in WHERE", "SELECT Id FROM Case WHERE COUNT(Id) > 1", "MALFORMED_QUERY")

# ---------------------------------------------------------- ORDER BY, LIMIT
check("ORDER BY DESC, LIMIT and OFFSET", "SELECT Id FROM Case ORDER BY CreatedDate DESC LIMIT 5 OFFSET 3",
      sql('SELECT "Id" FROM "Case" ORDER BY "CreatedDate" DESC LIMIT 5 OFFSET 3'), ordered=True)
check("ORDER BY ... NULLS LAST (a picklist sorts in its defined order: Low, Medium, High, Critical)",
      "SELECT Id FROM Case ORDER BY Priority ASC NULLS LAST, Id",
      sql('SELECT "Id" FROM "Case" ORDER BY "Priority" IS NULL, CASE lower("Priority") WHEN \'low\' THEN 0 '
          'WHEN \'medium\' THEN 1 WHEN \'high\' THEN 2 WHEN \'critical\' THEN 3 ELSE 4 END, '
          '"Priority" COLLATE NOCASE, "Id"'), ordered=True)
check("ORDER BY ... DESC NULLS FIRST", "SELECT Id FROM Case ORDER BY ClosedDate DESC NULLS FIRST, Id",
      sql('SELECT "Id" FROM "Case" ORDER BY "ClosedDate" IS NOT NULL, "ClosedDate" DESC, "Id"'), ordered=True)
check("default ASC puts nulls first", "SELECT Id FROM Case ORDER BY ClosedDate, Id",
      sql('SELECT "Id" FROM "Case" ORDER BY "ClosedDate", "Id"'), ordered=True)
check("text sorts ignore case", "SELECT LastName FROM User ORDER BY LastName DESC, FirstName",
      sql('SELECT "LastName" FROM "User" ORDER BY "LastName" COLLATE NOCASE DESC, "FirstName"'), ordered=True)
check("ORDER BY a parent field", "SELECT Id FROM Contact ORDER BY Account.ShippingState DESC NULLS LAST, Id",
      sql('SELECT c."Id" FROM "Contact" c LEFT JOIN "Account" a ON a."Id" = c."AccountId" '
          'ORDER BY a."ShippingState" IS NULL, a."ShippingState" DESC, c."Id"'), ordered=True)
check("OFFSET without LIMIT", "SELECT Id FROM User ORDER BY Id OFFSET 6",
      sql('SELECT "Id" FROM "User" ORDER BY "Id" LIMIT -1 OFFSET 6'), ordered=True)

# -------------------------------------------------------------- options
allc = sql('SELECT "Id", "ClosedDate" FROM "Case" WHERE "Status" = \'New\'')
check("--drop-null-columns leaves out fields null in every record",
      "SELECT Id, ClosedDate FROM Case WHERE Status = 'New'", [{"Id": r["Id"]} for r in allc],
      extra=("--drop-null-columns",))
check("without it the nulls stay", "SELECT Id, ClosedDate FROM Case WHERE Status = 'New'", allc)
check_error("--max-rows is enforced", "SELECT Id FROM Case", "LIMIT_EXCEEDED", "more than 10 records", extra=("--max-rows", "10"))
check_error("--max-bytes is enforced", "SELECT Id, Description FROM Case", "LIMIT_EXCEEDED", "larger than 500 bytes",
            extra=("--max-bytes", "500"))

# ----------------------------------------------------------------- errors
check_error("a misspelt field: code, position and suggestion", "SELECT Id, Subjetc FROM Case",
            "INVALID_FIELD: No such column 'Subjetc' on entity 'Case' (line 1, column 12); did you mean 'Subject'?")
check_error("a misspelt object", "SELECT Id FROM Csae", "INVALID_TYPE: sObject type 'Csae' is not supported", "did you mean 'Case'")
check_error("a misspelt keyword", "SELECT Id FORM Case", "MALFORMED_QUERY", "line 1, column 11")
check_error("a relationship written as its Id field", "SELECT AccountId.Name FROM Case", "INVALID_FIELD", "relationship is 'Account'")
check_error("a string where a number goes", "SELECT Id FROM OrderItem WHERE Quantity = '2'", "INVALID_FIELD",
            "must be of type number and should not be enclosed in quotes")
check_error("a quoted date", "SELECT Id FROM Case WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD", "dateTime")
check_error("a date for a datetime field", "SELECT Id FROM Case WHERE CreatedDate > 2024-01-01", "INVALID_FIELD", "dateTime")
check_error("an invalid id", "SELECT Id FROM Case WHERE OwnerId = 'nobody'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field")
check_error("LIKE on a number", "SELECT Id FROM OrderItem WHERE Quantity LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR")
check_error("< with null", "SELECT Id FROM Case WHERE ClosedDate < null", "INVALID_QUERY_FILTER_OPERATOR")
check_error("an unterminated string (line 2)", "SELECT Id FROM Case\nWHERE Subject = 'oops", "MALFORMED_QUERY", "line 2")
check_error("an invalid date", "SELECT Id FROM Order WHERE EffectiveDate = 2024-02-30", "MALFORMED_QUERY", "invalid date")
check_error("bind variables", "SELECT Id FROM Case WHERE Id = :caseId", "MALFORMED_QUERY", "bind variables")
check_error("duplicate fields", "SELECT Id, id FROM Case", "MALFORMED_QUERY", "duplicate field")
check_error("INCLUDES on a non-multi-select field", "SELECT Id FROM Case WHERE Status INCLUDES ('New')",
            "INVALID_QUERY_FILTER_OPERATOR")
check_error("FOR UPDATE", "SELECT Id FROM Case FOR UPDATE", "MALFORMED_QUERY", "read-only")
check_error("trailing garbage", "SELECT Id FROM Case LIMIT 5 junk", "MALFORMED_QUERY")

# ------------------------------------------------------------- INCLUDES
# A host org with a multi-select picklist.
mdir = os.path.join(tmp, "multi")
os.makedirs(mdir)
json.dump({"schema_version": 1, "name": "hobbies", "objects": [
    {"name": "Person__c", "key_prefix": "a70", "fields": [
        {"name": "Name", "type": "string"},
        {"name": "Hobbies__c", "type": "multipicklist", "picklist": ["Golf", "Tennis", "Yoga", "Swim"], "restricted": True}]}]},
    open(os.path.join(mdir, "schema.json"), "w"))
with open(os.path.join(mdir, "Person__c.jsonl"), "w") as f:
    for n, h in (("A", "Golf;Tennis"), ("B", "Yoga"), ("C", None), ("D", "Tennis;Yoga;Swim"), ("E", "Golf")):
        f.write(json.dumps({"Name": n, "Hobbies__c": h} if h else {"Name": n}) + "\n")
MORG = os.path.join(tmp, "multi.db")
subprocess.run([exe, "import", "--db", MORG, "--format", "jsonl", mdir], check=True, capture_output=True)


def mq(text):
    r = subprocess.run([exe, "query", "--db", MORG, text], capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else r.stderr


names = lambda rs: sorted(x["Name"] for x in rs) if isinstance(rs, list) else rs  # noqa: E731
t.ok(names(mq("SELECT Name FROM Person__c WHERE Hobbies__c INCLUDES ('Tennis')")) == ["A", "D"], "INCLUDES one value")
t.ok(names(mq("SELECT Name FROM Person__c WHERE Hobbies__c INCLUDES ('Golf', 'Yoga')")) == ["A", "B", "D", "E"], "INCLUDES any of a list")
t.ok(names(mq("SELECT Name FROM Person__c WHERE Hobbies__c INCLUDES ('Tennis;Yoga')")) == ["D"], "INCLUDES 'a;b' needs both")
t.ok(names(mq("SELECT Name FROM Person__c WHERE Hobbies__c EXCLUDES ('Golf')")) == ["B", "C", "D"], "EXCLUDES (nulls included)")

# ------------------------------------------------------------------ SOSL
def sq(text, org=ORG):
    r = subprocess.run([exe, "query", "--db", org, text], capture_output=True, text=True)
    return (json.loads(r.stdout), "") if r.returncode == 0 else (None, r.stderr.strip())


def words(s):
    import re
    return re.findall(r"[a-z0-9]+", (s or "").lower())


csql = sql('SELECT * FROM "Case"')
text_fields = ["Subject", "Description", "Status", "Priority", "Channel"]
zipper = sorted(c["Id"] for c in csql if any("zipper" in words(c[f]) for f in text_fields))
got, err = sq("FIND {zipper} RETURNING Case(Id)")
t.ok(got is not None and sorted(x["Id"] for x in got["Case"]) == zipper and zipper, "SOSL: one word in all fields", err)
pref = sorted(c["Id"] for c in csql if any(any(w.startswith("zip") for w in words(c[f])) for f in text_fields))
got, err = sq("FIND {zip*} RETURNING Case")
t.ok(got is not None and sorted(x["Id"] for x in got["Case"]) == pref, "SOSL: trailing wildcard; Id by default", err)
phr = sorted(c["Id"] for c in csql if "arrived late" in " ".join(words(c["Subject"]) + ["|"] + words(c["Description"])))
got, err = sq('FIND {"arrived late"} RETURNING Case(Id)')
t.ok(got is not None and sorted(x["Id"] for x in got["Case"]) == phr and phr, "SOSL: a quoted phrase", err)
both = sorted(c["Id"] for c in csql if any("refund" in words(c[f]) for f in text_fields) or
              any("sole" in words(c[f]) for f in text_fields))
got, err = sq("FIND {refund OR sole} RETURNING Case(Id)")
t.ok(got is not None and sorted(x["Id"] for x in got["Case"]) == both, "SOSL: OR", err)
andnot = sorted(c["Id"] for c in csql if any("customer" in words(c[f]) for f in text_fields) and
                not any("late" in words(c[f]) for f in text_fields))
got, err = sq("FIND {customer AND NOT late} RETURNING Case(Id)")
t.ok(got is not None and sorted(x["Id"] for x in got["Case"]) == andnot, "SOSL: AND NOT", err)
got, err = sq("FIND {stone} IN NAME FIELDS RETURNING User(LastName), Case")
t.ok(got is not None and {x["LastName"] for x in got["User"]} == {"Stone"} and got["Case"] == [],
     "SOSL: IN NAME FIELDS; an object with no match gives []", err)
got, err = sq("FIND {agent3} IN EMAIL FIELDS RETURNING User(Email)")
t.ok(got is not None and [x["Email"] for x in got["User"]] == ["agent3@shop.example"], "SOSL: IN EMAIL FIELDS", err)
got, err = sq('FIND {"010 1002"} IN PHONE FIELDS RETURNING User(Phone)')
t.ok(got is not None and [x["Phone"] for x in got["User"]] == ["(555) 010-1002"], "SOSL: IN PHONE FIELDS", err)
want = [{"Subject": c["Subject"]} for c in sorted(csql, key=lambda c: c["Subject"].lower())
        if "zipper" in words(c["Subject"]) + words(c["Description"]) and c["Status"] != "New"][:3]
got, err = sq("FIND {zipper} RETURNING Case(Subject WHERE Status != 'New' ORDER BY Subject LIMIT 3)")
t.ok(got is not None and got["Case"] == want, "SOSL: RETURNING with WHERE, ORDER BY, LIMIT", f"{got} {err} {want}")
got, err = sq("FIND {zipper} RETURNING Case(Subject), Issue__c(Name), Product2(Name) LIMIT 4")
t.ok(got is not None and sum(len(v) for v in got.values()) == 4 and set(got) == {"Case", "Issue__c", "Product2"},
     "SOSL: overall LIMIT across objects; results grouped per object", f"{got} {err}")
got, err = sq("FIND {warranty}")
t.ok(got is not None and [x["Id"] for x in got.get("Knowledge__kav", [])] and all(k for k in got),
     "SOSL without RETURNING searches every object", err)
got, err = sq("FIND {Customer Max1 wrote} RETURNING Case(Id)")
t.ok(got is not None and len(got["Case"]) > 0, "SOSL: several words are ANDed", err)
for bad, needle in (("FIND {*ip} RETURNING Case", "a wildcard cannot start a term"), ("FIND {} RETURNING Case", "no term"),
                    ("FIND {zipper} RETURNING Csae", "INVALID_TYPE"), ("FIND zipper RETURNING Case", "MALFORMED_SEARCH"),
                    ("FIND {OR zipper}", "needs a term"), ("FIND {zipper} RETURNING Case(Subjcet)", "did you mean 'Subject'")):
    got, err = sq(bad)
    t.ok(got is None and needle in err, f"SOSL error: {bad}", err)

# Search indexes stay in step with writes (insert, update, delete).
wdir = os.path.join(tmp, "w")
os.makedirs(wdir)
with open(os.path.join(wdir, "Issue__c.jsonl"), "w") as f:
    f.write(json.dumps({"Name": "Frayed shoelace", "Description__c": "laces fray"}) + "\n")
r = subprocess.run([exe, "import", "--db", ORG, "--format", "jsonl", wdir], capture_output=True, text=True)
got, err = sq("FIND {shoelace} RETURNING Issue__c(Name)")
t.ok(r.returncode == 0 and got and [x["Name"] for x in got["Issue__c"]] == ["Frayed shoelace"],
     "SOSL finds a record imported after the org was built", r.stderr + err)

sys.exit(t.done())
