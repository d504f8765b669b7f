#!/usr/bin/env python3
"""Integration tests of `crmweaver memory` (TAP): add and search, the JSON
shapes, filters, merged duplicates, list/show/delete, stats, export and
import round trips, the faiss index (when the build has faiss), capacity,
and the error paths (one line on stderr, exit 1 or 2).

usage: test_memory_cli.py PATH_TO_CRMWEAVER
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-memory-")


def run(*args):
    r = subprocess.run([exe, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def mem(*args):
    return run("memory", *args)


def js(out):
    try:
        return json.loads(out)
    except ValueError:
        return None


def one_line_error(err):
    lines = err.strip("\n").split("\n")
    return len(lines) == 1 and lines[0].startswith("crmweaver: ")


def p(name):
    return os.path.join(tmp, name)


def add(store, text, *extra):
    rc, out, err = mem("add", "--store", store, "--text", text, *extra, "--json")
    doc = js(out) if rc == 0 else None
    if not isinstance(doc, dict):
        t.diag(f"add {text!r} failed: rc={rc} out={out!r} err={err!r}")
        return None, None
    return doc.get("id"), doc.get("merged")


def search(store, text, *extra):
    rc, out, err = mem("search", "--store", store, "--text", text, *extra, "--json")
    doc = js(out) if rc == 0 else None
    return doc if isinstance(doc, list) else None, rc, err


def listing(store, *extra):
    rc, out, err = mem("list", "--store", store, *extra, "--json")
    doc = js(out) if rc == 0 else None
    return doc if isinstance(doc, list) else None


def stats(store):
    rc, out, err = mem("stats", "--store", store, "--json")
    doc = js(out) if rc == 0 else None
    return doc if isinstance(doc, dict) else {}


# ------------------------------------------------------------------ help
rc, out, err = run("--help")
t.ok(rc == 0 and "\n  memory " in out, "crmweaver --help lists memory", out)
rc, out, err = mem("--help")
t.ok(rc == 0 and out.startswith("usage: crmweaver memory add") and "examples:" in out and err == "",
     "memory --help: usage with examples on stdout", out + err)
rc2, out2, _ = mem("search", "--help")
t.ok(rc2 == 0 and out2 == out, "memory search --help is memory --help")
rc, out, err = mem()
t.ok(rc == 2 and out == "" and err.startswith("usage: crmweaver memory"), "memory alone: usage on stderr, exit 2")

# ------------------------------------------------------------- add, search
S = p("mem.db")
ROUTE = "Count the closed cases of each agent for the issue before routing a new case."
POLICY = "Quote the knowledge article of the policy when a customer asks for a refund."
TREND = "Group the order items by month and report the month with the most cases."
VOLUME = "Shipping damage claims need a photo of the parcel before a replacement is sent."

rc, out, err = mem("add", "--store", S, "--text", ROUTE, "--family", "case_routing", "--kind", "guideline")
t.ok(rc == 0 and out.strip().isdigit() and out.count("\n") == 1 and err == "",
     "add prints the new id alone", f"rc={rc} out={out!r} err={err!r}")
id_route = int(out) if rc == 0 and out.strip().isdigit() else None
t.ok(os.path.exists(S), "add creates the store")

rc, out, err = mem("add", "--store", S, "--text", POLICY, "--title", "Refunds follow the policy article",
                   "--family", "knowledge_qa", "--kind", "fact", "--tag", "policy", "--tag", "refund",
                   "--metadata", '{"source": "expert", "level": {"n": 2}}', "--provenance", "traj-1",
                   "--query", "Can I get my money back?", "--json")
doc = js(out) if rc == 0 else None
t.ok(isinstance(doc, dict) and set(doc) == {"id", "merged"} and isinstance(doc["id"], int)
     and doc["merged"] is False and out.count("\n") == 1,
     'add --json prints {"id":N,"merged":false}', f"rc={rc} out={out!r} err={err!r}")
id_policy = doc["id"] if isinstance(doc, dict) else None
id_trend, _ = add(S, TREND, "--family", "monthly_trend_analysis", "--kind", "plan", "--title", "Monthly trends")
id_volume, _ = add(S, VOLUME, "--family", "case_routing", "--kind", "episode", "--tag", "shipping")
ids = [id_route, id_policy, id_trend, id_volume]
t.ok(None not in ids and len(set(ids)) == 4, "four distinct ids", ids)

hits, rc, err = search(S, ROUTE, "-k", "3")
t.ok(hits is not None and 1 <= len(hits) <= 3, "search --json prints an array of at most k hits", err)
hits = hits or [{}]
top = hits[0]
t.ok(top.get("id") == id_route and abs(top.get("score", 0) - 1.0) < 1e-3,
     "search with an entry's own text finds it first with score ~1", hits)
t.ok({"id", "score", "title", "text", "family", "kind"} <= set(top) and top.get("text") == ROUTE
     and top.get("family") == "case_routing" and top.get("kind") == "guideline",
     "search hits carry id, score, title, text, family, kind", top)
t.ok(all(hits[i]["score"] >= hits[i + 1]["score"] for i in range(len(hits) - 1)), "hits are best first", hits)

hits, rc, err = search(S, "Can I get my money back?", "-k", "1")
t.ok(hits and hits[0]["id"] == id_policy and abs(hits[0]["score"] - 1.0) < 1e-3,
     "an entry with a query is found by that query (score ~1)", hits or err)

rc, out, err = mem("search", "--store", S, "--text", ROUTE, "-k", "2")
lines = out.splitlines()
t.ok(rc == 0 and len(lines) == 3 and lines[0].split()[:4] == ["score", "id", "kind", "family"]
     and lines[1].split()[:4] == ["1.000", str(id_route), "guideline", "case_routing"]
     and ROUTE[:40] in lines[1] and not js(out),
     "search without --json prints a table (score, id, kind, family, text)", out + err)
rc, out, err = mem("search", "--store", S, "--text", "Can I get my money back?", "-k", "1")
t.ok(rc == 0 and "Refunds follow the policy article" in out and POLICY[:30] not in out,
     "the table shows the title when there is one", out + err)

# ---------------------------------------------------------------- filters
hits, rc, err = search(S, ROUTE, "-k", "10", "--family", "case_routing")
t.ok(hits is not None and {h["id"] for h in hits} == {id_route, id_volume},
     "--family keeps that family only", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--family", "knowledge_qa", "--family", "monthly_trend_analysis")
t.ok(hits is not None and {h["id"] for h in hits} == {id_policy, id_trend}, "--family twice: any of them", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--kind", "episode")
t.ok(hits is not None and [h["id"] for h in hits] == [id_volume], "--kind keeps that kind only", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--kind", "plan", "--family", "case_routing")
t.ok(hits == [], "--kind and --family together: both apply", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--tag", "refund")
t.ok(hits is not None and [h["id"] for h in hits] == [id_policy], "--tag filters by tag", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--metadata", '{"source": "expert"}')
t.ok(hits is not None and [h["id"] for h in hits] == [id_policy], "--metadata filters by metadata", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--metadata", '{"level.n": 2}')
t.ok(hits is not None and [h["id"] for h in hits] == [id_policy], "--metadata with a dotted path", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--min-score", "0.99")
t.ok(hits is not None and [h["id"] for h in hits] == [id_route], "--min-score drops weaker hits", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "3", "--mmr", "0.5")
t.ok(hits is not None and len(hits) == 3 and len({h["id"] for h in hits}) == 3 and hits[0]["id"] == id_route,
     "--mmr: k distinct hits, the best first", hits or err)
hits, rc, err = search(S, ROUTE, "-k", "10", "--engine", "exact")
t.ok(hits is not None and len(hits) == 4, "--engine exact", hits or err)

# ------------------------------------------------------- merged duplicates
before = stats(S).get("entries")
t.ok(before == 4, "stats: 4 entries", before)
i, merged = add(S, ROUTE, "--family", "case_routing", "--kind", "guideline", "--tag", "routing",
                "--provenance", "traj-9")
t.ok(i == id_route and merged is True, "adding the same text, kind and family merges", (i, merged))
i, merged = add(S, "  " + ROUTE.upper() + "  ", "--family", "case_routing", "--kind", "guideline")
t.ok(i == id_route and merged is True, "equal normalised text merges too", (i, merged))
i, merged = add(S, ROUTE, "--family", "handle_time", "--kind", "guideline")
t.ok(i not in ids and merged is False, "the same text in another family is a new entry", (i, merged))
id_other = i
t.ok(stats(S).get("entries") == 5, "merges add no entries")

# --------------------------------------------------------- list, show, delete
rows = listing(S)
t.ok(rows is not None and [r["id"] for r in rows] == sorted(ids + [id_other]), "list --json: every entry by id",
     rows)
rows = listing(S, "--order", "id", "--desc")
t.ok(rows is not None and [r["id"] for r in rows] == sorted(ids + [id_other], reverse=True), "list --desc", rows)
rows = listing(S, "--limit", "2", "--offset", "1")
t.ok(rows is not None and [r["id"] for r in rows] == sorted(ids + [id_other])[1:3], "list --limit --offset", rows)
rows = listing(S, "--family", "case_routing")
t.ok(rows is not None and {r["id"] for r in rows} == {id_route, id_volume}, "list --family", rows)
rows = listing(S, "--kind", "fact")
t.ok(rows is not None and [r["id"] for r in rows] == [id_policy], "list --kind", rows)
rows = listing(S, "--order", "utility", "--desc")
t.ok(rows is not None and len(rows) == 5, "list --order utility", rows)
rc, out, err = mem("list", "--store", S)
t.ok(rc == 0 and len(out.splitlines()) == 6 and out.split()[0] == "id", "list without --json: a table", out + err)

rc, out, err = mem("show", "--store", S, str(id_policy))
e = js(out) if rc == 0 else None
t.ok(isinstance(e, dict) and {"id", "kind", "title", "text", "query", "family", "tags", "metadata", "provenance",
                              "counters", "utility", "created_at", "updated_at"} <= set(e),
     "show ID prints the entry's JSON", out + err)
e = e or {}
t.ok(e.get("id") == id_policy and e.get("text") == POLICY and e.get("kind") == "fact"
     and e.get("title") == "Refunds follow the policy article" and e.get("query") == "Can I get my money back?"
     and sorted(e.get("tags") or []) == ["policy", "refund"]
     and e.get("metadata") == {"source": "expert", "level": {"n": 2}}
     and [str(x) for x in e.get("provenance") or []] == ["traj-1"],
     "show: every field add was given", e)
rc, out, err = mem("show", "--store", S, str(id_route))
e = js(out) or {}
t.ok("routing" in (e.get("tags") or []) and "traj-9" in [str(x) for x in e.get("provenance") or []],
     "a merge joins tags and provenance", e)

rc, out, err = mem("delete", "--store", S, str(id_other))
t.ok(rc == 0 and err == "", "delete ID", err)
rc, out, err = mem("show", "--store", S, str(id_other))
t.ok(rc == 1 and out == "" and one_line_error(err), "show of a deleted id: exit 1, one line", f"rc={rc} err={err!r}")
rc, out, err = mem("delete", "--store", S, str(id_other))
t.ok(rc == 1 and one_line_error(err), "delete of a missing id: exit 1, one line", f"rc={rc} err={err!r}")

# ------------------------------------------------------------------ stats
st = stats(S)
t.ok(st.get("entries") == 4 and st.get("embedder") == "crmw-hash-v1" and st.get("dim") == 384
     and st.get("kinds", {}).get("guideline") == 1 and st.get("families", {}).get("case_routing") == 2,
     "stats --json: entries, embedder, dim, kinds, families", st)
rc, out, err = mem("stats", "--store", S)
t.ok(rc == 0 and any(l.split()[:2] == ["entries", "4"] for l in out.splitlines()), "stats without --json",
     out + err)

# ----------------------------------------------------- export and import
X = p("mem.jsonl")
rc, out, err = mem("export", "--store", S, "-o", X)
t.ok(rc == 0 and os.path.exists(X) and "4" in out, "export -o FILE", out + err)
with open(X) if os.path.exists(X) else open(os.devnull) as f:
    lines = [json.loads(x) for x in f if x.strip()]
t.ok(len(lines) == 4 and all(len(x.get("embedding", [])) == 384 and x.get("text") for x in lines),
     "export: one line per entry with its embedding", [sorted(x) for x in lines])


def content(rows):
    return sorted((r["text"], r.get("title"), r["kind"], r.get("family"), sorted(r.get("tags") or []),
                   json.dumps(r.get("metadata"), sort_keys=True)) for r in rows)


def hit_list(store, text):
    h, _, _ = search(store, text, "-k", "4")
    return [(x["text"], round(x["score"], 5)) for x in h or []]


S2 = p("copy.db")
rc, out, err = mem("import", "--store", S2, X)
t.ok(rc == 0 and out == "added 4, merged 0\n", "import into a new store: added/merged counts", out + err)
t.ok(content(listing(S2) or []) == content(listing(S) or []), "import: the same entries")
t.ok(all(hit_list(S2, q) == hit_list(S, q) for q in (ROUTE, POLICY, "refund money back")),
     "import: the same search results", [hit_list(S2, ROUTE), hit_list(S, ROUTE)])
rc, out, err = mem("import", "--store", S2, X, "--json")
t.ok(rc == 0 and js(out) == {"added": 0, "merged": 4}, "import again: every line merges (--json)", out + err)
S3 = p("keep.db")
rc, out, err = mem("import", "--store", S3, "--keep-ids", "--no-dedup", X)
t.ok(rc == 0 and out == "added 4, merged 0\n"
     and [r["id"] for r in listing(S3) or []] == [r["id"] for r in listing(S) or []],
     "import --keep-ids keeps the ids", out + err)
rc, out, err = mem("import", "--store", S3, "--no-dedup", X)
t.ok(rc == 0 and out == "added 4, merged 0\n" and stats(S3).get("entries") == 8,
     "import --no-dedup adds duplicates", out + err)
rc, out, err = mem("import", "--store", S3, "--keep-ids", "--no-dedup", X)
t.ok(rc == 1 and one_line_error(err) and stats(S3).get("entries") == 8,
     "import --keep-ids of present ids fails whole, one line", f"rc={rc} err={err!r}")
bad = p("bad.jsonl")
with open(bad, "w") as f:
    f.write('{"text": "a fine line"}\n{"text": \n')
rc, out, err = mem("import", "--store", S3, bad)
t.ok(rc == 1 and one_line_error(err) and stats(S3).get("entries") == 8,
     "import of a broken file: nothing added, one line", f"rc={rc} err={err!r}")

# ------------------------------------------------------------------ index
rc, out, err = run("features")
faiss = bool((js(out) or {}).get("features", {}).get("faiss"))
if faiss:
    rc, out, err = mem("index", "--store", S, "--factory", "Flat", "--json")
    idx = js(out) if rc == 0 else None
    t.ok(rc == 0 and isinstance(idx, dict) and idx.get("factory") == "Flat", "index --factory Flat", out + err)
    t.ok(os.path.exists(S + ".faiss"), "the index is saved beside the store")
    exact, _, _ = search(S, ROUTE, "--engine", "exact")
    fa, rc, err = search(S, ROUTE, "--engine", "faiss")
    t.ok(fa is not None and [h["id"] for h in fa] == [h["id"] for h in exact or []],
         "search --engine faiss agrees with exact on a Flat index", (fa, exact, err))
    rc, out, err = mem("index", "--store", S, "--factory", "IVF4096,Flat")
    t.ok(rc == 1 and one_line_error(err), "an index that needs more entries to train: one line", err)
else:
    t.skip("index --factory Flat", "faiss is not in this build")
    rc, out, err = mem("index", "--store", S, "--factory", "Flat")
    t.ok(rc == 1 and one_line_error(err), "index without faiss: exit 1, one line", err)

# --------------------------------------------------------------- capacity
C = p("cap.db")
for n, word in enumerate(("alpha", "bravo", "charlie", "delta", "echo")):
    add(C, f"Remember the {word} rule number {n} about {word} accounts.", "--capacity", "3")
t.ok(stats(C).get("entries") == 3, "--capacity 3 keeps three entries", stats(C))

# ------------------------------------------------------------------ scopes
SC = p("scopes.db")
A_TEXT = "Customer A: the subject of case 500Sj00000A1b2cDEF is Timeline slip"
id_ga, _ = add(SC, "Read the case subject from the case record.", "--family", "case_subject")
id_a, _ = add(SC, A_TEXT, "--family", "case_subject", "--scope", "account:001SjA")
id_b, _ = add(SC, "Customer B: check the order status first.", "--family", "case_subject", "--scope", "account:001SjB")
hits, rc, err = search(SC, A_TEXT, "-k", "1")
t.ok(hits and hits[0]["id"] == id_a and hits[0].get("scope") == "account:001SjA",
     "search without --scope sees every entry, each with its scope", hits or err)
hits, rc, err = search(SC, A_TEXT, "-k", "10", "--scope", "account:001SjB")
t.ok(hits is not None and {h["id"] for h in hits} == {id_ga, id_b} and A_TEXT not in json.dumps(hits),
     "search --scope S: S's and the global entries, never another scope's", hits or err)
hits, rc, err = search(SC, A_TEXT, "-k", "10", "--scope", "global")
t.ok(hits is not None and [h["id"] for h in hits] == [id_ga], "search --scope global: the global entries", hits or err)
rows = listing(SC, "--scope", "account:001SjA")
t.ok(rows is not None and {r["id"] for r in rows} == {id_ga, id_a}, "list --scope", rows)
st = stats(SC)
t.ok(st.get("scopes") == {"global": 1, "account:001SjA": 1, "account:001SjB": 1}, "stats counts the scopes", st)
rc, out, err = mem("add", "--store", SC, "--text", "x", "--scope", "bad\x01scope")
t.ok(rc == 2 and one_line_error(err) and "scope" in err, "a scope with a control character: exit 2", err)

# ----------------------------------------------------------- error paths
missing = p("nope.db")
for args in (("search", "--text", "x"), ("list",), ("stats",), ("show", "1"), ("delete", "1"),
             ("export", "-o", p("x.jsonl")), ("index",)):
    rc, out, err = mem(args[0], "--store", missing, *args[1:])
    t.ok(rc == 1 and out == "" and one_line_error(err) and missing in err and not os.path.exists(missing),
         f"{args[0]} on a missing store: exit 1, one line, nothing created", f"rc={rc} err={err!r}")

usage_cases = [
    (("show", "--store", S, "abc"), "a bad id"),
    (("show", "--store", S), "show without an id"),
    (("search", "--store", S, "--text", "x", "-k", "0"), "-k 0"),
    (("search", "--store", S, "--text", "x", "-k", "many"), "-k many"),
    (("search", "--store", S, "--text", "x", "--bogus"), "an unknown flag"),
    (("search", "--store", S, "--text"), "a flag without its value"),
    (("search", "--store", S), "search without --text"),
    (("search", "--store", S, "--text", "x", "--mmr", "2"), "--mmr out of range"),
    (("search", "--store", S, "--text", "x", "--engine", "warp"), "an unknown engine"),
    (("list", "--store", S, "--text", "x"), "an option of another subcommand"),
    (("stats", "--store", S, "--capacity", "1"), "--capacity on a command that does not write"),
    (("list", "--text", "x"), "no --store"),
    (("add", "--store", S, "--text", "x", "--metadata", "{bad"), "bad --metadata JSON"),
    (("add", "--store", S, "--text", "x", "--metadata", "[1, 2]"), "--metadata not an object"),
    (("add", "--store", S, "--text", "x", "--kind", "poem"), "an unknown kind"),
    (("add", "--store", S, "--text", ""), "empty text"),
    (("search", "--store", S, "--text", "x", "--metadata", "{"), "bad --metadata JSON in search"),
    (("frob", "--store", S), "an unknown subcommand"),
    (("stats", "--store", S, "--dim", "128"), "another dimension than the store's"),
]
for args, what in usage_cases:
    rc, out, err = mem(*args)
    t.ok(rc == 2 and out == "" and one_line_error(err), f"{what}: exit 2, one line", f"rc={rc} err={err!r}")
t.ok(stats(S).get("entries") == 4, "failed commands changed nothing", stats(S))

rc, out, err = mem("show", "--store", S, "999999")
t.ok(rc == 1 and out == "" and one_line_error(err), "show of an unknown id: exit 1, one line", err)
notmem = p("not-memory.db")
with open(notmem, "w") as f:
    f.write("this is not a database\n" * 100)
rc, out, err = mem("stats", "--store", notmem)
t.ok(rc == 1 and one_line_error(err), "a file that is not a memory store: exit 1, one line", err)
rc, out, err = mem("import", "--store", S, p("no-such.jsonl"))
t.ok(rc == 1 and one_line_error(err), "import of a missing file: exit 1, one line", err)

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
