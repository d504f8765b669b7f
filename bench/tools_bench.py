#!/usr/bin/env python3
"""Built-in tool calls through libcrmweaver next to the same tools written the
usual way: Python functions over sqlite3 that check their arguments, run
hand-written SQL and return JSON, like CRMArena's own function set run
against a local copy of the org.  One run, the same org, the same
arguments, with ratios.

usage: bench/tools_bench.py [--iterations N] [--json OUT.json] [--exe build/bench/crmweaver-bench]

--exe is the bench program (or a build tree's crmweaver, which runs it as
`crmweaver bench`).
"""
import argparse
import calendar
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ap = argparse.ArgumentParser()
ap.add_argument("--iterations", type=int, default=2000)
ap.add_argument("--json")
ap.add_argument("--exe", default=os.path.join(os.path.dirname(__file__), "..", "build", "bench", "crmweaver-bench"))
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="crmw-tbench-")
cli = ["bench"] if os.path.basename(args.exe) == "crmweaver" else []
r = subprocess.run([args.exe, *cli, "tools", "--json", "--keep", tmp, "--iterations", str(args.iterations)],
                   capture_output=True, text=True)
if r.returncode:
    sys.exit(f"crmweaver-bench tools failed: {r.stderr}")
lib = json.loads(r.stdout)
con = sqlite3.connect(f"file:{lib['org']}?mode=ro", uri=True)
con.row_factory = sqlite3.Row

FMT = "%Y-%m-%dT%H:%M:%SZ"


def check_dt(s, what):
    if not isinstance(s, str):
        raise ValueError(f"{what} must be a string")
    datetime.strptime(s, FMT)


# The peers: each takes the arguments as JSON text and returns JSON text.
def get_period(text):
    a = json.loads(text)
    name, year = a["period_name"], a["year"]
    if not isinstance(year, int):
        raise ValueError("year must be an integer")
    if name.startswith("Q"):
        m, n = 3 * int(name[1]) - 2, 3
    elif name in ("Spring", "Summer", "Fall", "Winter"):
        m, n = {"Spring": 3, "Summer": 6, "Fall": 9, "Winter": 12}[name], 3
    else:
        m, n = list(calendar.month_name).index(name), 1
    ey, em = year + (m - 1 + n) // 12, (m - 1 + n) % 12 + 1
    return json.dumps({"start_date": f"{year:04d}-{m:02d}-01T00:00:00Z", "end_date": f"{ey:04d}-{em:02d}-01T00:00:00Z"})


def in_list(field, values):
    return f'"{field}" IN ({",".join("?" * len(values))})', list(values)


def get_cases(text):
    a = json.loads(text)
    where, params = [], []
    if a.get("start_date"):
        check_dt(a["start_date"], "start_date")
        where.append('"CreatedDate" >= ?')
        params.append(a["start_date"])
    for key, field in (("agent_ids", "OwnerId"), ("statuses", "Status")):
        if a.get(key):
            if not isinstance(a[key], list):
                raise ValueError(f"{key} must be a list")
            w, p = in_list(field, a[key])
            where.append(w)
            params += p
    rows = con.execute('SELECT "Id", "OwnerId", "CreatedDate", "ClosedDate", "AccountId" FROM "Case" WHERE '
                       + " AND ".join(where), params)
    return json.dumps([dict(x) for x in rows])


def get_cases_customer(text):
    # The same, limited to the customer's account, as a hand-written peer would.
    a = json.loads(text)
    acc = con.execute('SELECT "AccountId" FROM "Contact" WHERE "Id" = ?', (lib["customer"],)).fetchone()[0]
    w, p = in_list("Status", a["statuses"])
    rows = con.execute('SELECT "Id", "OwnerId", "CreatedDate", "ClosedDate", "AccountId" FROM "Case" WHERE '
                       + w + ' AND "AccountId" = ?', p + [acc])
    return json.dumps([dict(x) for x in rows])


def handled(text):
    a = json.loads(text)
    check_dt(a["start_date"], "start_date")
    check_dt(a["end_date"], "end_date")
    counts = {}
    for row in con.execute('''SELECT "NewValue__c" FROM "CaseHistory__c" WHERE "CreatedDate" >= ? AND "CreatedDate" < ?
                              AND "Field__c" = 'Owner Assignment' ''', (a["start_date"], a["end_date"])):
        if row[0] is not None:
            counts[row[0]] = counts.get(row[0], 0) + 1
    return json.dumps(counts)


def issue_counts(text):
    a = json.loads(text)
    check_dt(a["start_date"], "start_date")
    check_dt(a["end_date"], "end_date")
    if not isinstance(a["order_item_ids"], list):
        raise ValueError("order_item_ids must be a list")
    if not a["order_item_ids"]:
        return "{}"  # an empty list matches nothing, as in the tool
    w, p = in_list("OrderItemId__c", a["order_item_ids"])
    rows = con.execute('SELECT "IssueId__c", count("Id") n FROM "Case" WHERE ' + w +
                       ' AND "CreatedDate" >= ? AND "CreatedDate" < ? AND "IssueId__c" IS NOT NULL GROUP BY 1 ORDER BY 2 DESC',
                       p + [a["start_date"], a["end_date"]])
    return json.dumps({x[0]: x[1] for x in rows})


def search_articles(text):
    a = json.loads(text)
    term = a["search_term"].strip()
    if not term:
        raise ValueError("search_term cannot be empty")
    rows = con.execute('''SELECT k."Id", k."Title", k."FAQ_Answer__c" FROM "crmw_fts_Knowledge__kav" f
                          JOIN "Knowledge__kav" k ON k.rowid = f.rowid WHERE f."crmw_fts_Knowledge__kav" MATCH ?
                          ORDER BY f.rank''', ('"' + term.replace('"', '""') + '"',))
    return json.dumps([{"Id": x[0], "Title": x[1], "Content": x[2]} for x in rows])


def soql_point(text):
    json.loads(text)
    case_id = lib["soql_args"]["query"].split("'")[1]
    rows = [{"Id": x["Id"], "Subject": x["Subject"], "Status": x["Status"], "Account": {"ShippingState": x["ShippingState"]}}
            for x in con.execute('''SELECT c."Id", c."Subject", c."Status", a."ShippingState" FROM "Case" c
                                    LEFT JOIN "Account" a ON a."Id" = c."AccountId" WHERE c."Id" = ?''', (case_id,))]
    return json.dumps(rows)


peers = {"period": get_period, "cases": get_cases, "handled": handled, "issues": issue_counts,
         "search": search_articles, "soql": soql_point, "cases_customer": get_cases_customer}
labels = {"period": "get_period (no query)", "cases": "get_cases (one agent's closed cases)",
          "handled": "get_agent_handled_cases_by_period (6 months)", "issues": "get_issue_counts (a product's items)",
          "search": "search_knowledge_articles (SOSL / FTS5)", "soql": "issue_soql_query (point lookup, 1 parent)",
          "cases_customer": "get_cases as the customer (row rule)"}


def timed(fn, text, n):
    for _ in range(20):
        fn(text)
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn(text)
        ts.append((time.perf_counter() - t0) * 1e6)
    ts.sort()
    return ts[len(ts) // 2], ts[int(0.95 * (len(ts) - 1))]


res = {"benchmark": "tools", "org": "default CRMArena org", "records": lib["records"], "iterations": args.iterations,
       "peak_rss_kb": lib["peak_rss_kb"],
       "python_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
print(f"tool calls on the default CRMArena org ({lib['records']} records), libcrmweaver vs Python functions over sqlite3")
print(f"  {'tool':46s} {'crmw p50':>9s} {'p95':>8s} {'python p50':>11s} {'p95':>8s} {'speedup':>8s}")
for key, fn in peers.items():
    text = json.dumps(lib[f"{key}_args"])
    n = args.iterations // 5 + 1 if key in ("handled", "issues") else args.iterations
    p50, p95 = timed(fn, text, n)
    a50, a95 = lib[f"{key}_p50_us"], lib[f"{key}_p95_us"]
    res[f"{key}_p50_us"], res[f"{key}_p95_us"] = a50, a95
    res[f"python_{key}_p50_us"], res[f"python_{key}_p95_us"] = round(p50, 2), round(p95, 2)
    res[f"{key}_speedup_vs_python"] = round(p50 / a50, 2)
    print(f"  {labels[key]:46s} {a50:8.1f}us {a95:7.1f}us {p50:10.1f}us {p95:7.1f}us {p50 / a50:7.2f}x")
if args.json:
    json.dump(res, open(args.json, "w"), indent=1)
subprocess.run(["rm", "-rf", tmp])
