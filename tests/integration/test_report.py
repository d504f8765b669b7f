#!/usr/bin/env python3
"""crmweaver report over two runs: the per-family comparison with deltas, the
KPI table, the shortcut baselines (only when given), each run's metadata,
backend errors as a KPI with their summary, the gold answer beside every
answer, the text of the memories that answered, and the filters by family and
outcome.  The page is checked as HTML, then in headless Chromium when it is
installed (tests/lib/chromium.py drives it over the DevTools pipe): the
comparison table and gold answers in the rendered DOM, the filter controls
changed as a user would, and a filter given in the address.

usage: test_report.py CRMWEAVER_EXE
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402
import chromium  # noqa: E402

exe = os.path.abspath(sys.argv[1])
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-report-")


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=tmp)


def path(name):
    return os.path.join(tmp, name)


def load(p):
    with open(p) as f:
        return [json.loads(line) for line in f if line.strip()]


r = run("gen", "--profile", "b2b", "--seed", "5", "--scale", "0.2", "-o", "org.db")
t.ok(r.returncode == 0, "org generated", r.stderr)
r = run("tasks", "gen", "--db", "org.db", "--per-family", "12", "--seed", "5", "--test-share", "0.3", "-o", "tasks.json")
t.ok(r.returncode == 0, "tasks generated", r.stderr)
r = run("run", "--db", "org.db", "--tasks", "tasks.json", "--split", "train", "--backend", "gold", "--memory", "mem.db",
        "--write-memory", "-o", "train.jsonl")
t.ok(r.returncode == 0, "the memory built from gold episodes", r.stderr)
r = run("run", "--db", "org.db", "--tasks", "tasks.json", "--split", "test", "--backend", "memory", "--memory", "mem.db",
        "-o", "policy.jsonl")
t.ok(r.returncode == 0, "the memory policy on the test split", r.stderr)
open(path("empty.jsonl"), "w").close()
r = run("run", "--db", "org.db", "--tasks", "tasks.json", "--split", "test", "--backend", "replay", "--replay",
        "empty.jsonl", "-o", "errors.jsonl")
t.ok(r.returncode == 1 and "backend error" in r.stderr, "a run whose every episode fails on the backend", r.stderr)
pol, err = load(path("policy.jsonl")), load(path("errors.jsonl"))
tasks = {x["id"]: x for x in json.load(open(path("tasks.json")))}
t.ok(sum(1 for x in pol if x["plan"]) > 0 and all(x["end_reason"] == "backend_error" for x in err),
     "plans answered some episodes; every replayed episode has a backend error")
baselines = [{"name": "always None", "score": 0.1, "families": {"handle_time": {"score": 0.0}}},
             {"name": "most frequent answer", "score": 0.25}]
json.dump(baselines, open(path("baselines.json"), "w"))
r = run("report", "policy.jsonl", "errors.jsonl", "--baselines", "baselines.json", "-o", "r.html")
t.ok(r.returncode == 0, "report over two runs with baselines", r.stderr)
page = open(path("r.html")).read()
r1 = run("report", "policy.jsonl", "-o", "one.html")
one = open(path("one.html")).read()
t.ok(r1.returncode == 0 and 'id="compare"' not in one and 'id="baselines"' not in one,
     "one run and no --baselines: neither a comparison nor a baselines section")
r2 = run("report", "policy.jsonl", "--baselines", "nope.json", "-o", "x.html")
t.ok(r2.returncode == 1 and "nope.json" in r2.stderr, "a missing baselines file is an error", r2.stderr)


class Page(html.parser.HTMLParser):
    """Rows of the tables by id, texts of elements by class, attributes of details."""

    def __init__(self):
        super().__init__()
        self.tables, self.cls, self.details, self.ext = {}, {}, [], []
        self.table = None
        self.row = None
        self.cell = None
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if (a.get(k) or "").startswith(("http:", "https:", "//")):
                self.ext.append(a[k])
        if tag == "table" and a.get("id"):
            self.table = a["id"]
            self.tables[self.table] = []
        if tag == "tr" and self.table:
            self.row = []
            self.tables[self.table].append(self.row)
        if tag in ("td", "th") and self.row is not None:
            self.cell = []
        if tag == "details":
            self.details.append(a)
        self.stack.append((tag, a.get("class"), []))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        if tag == "table":
            self.table = None
        while self.stack:
            t_, c, text = self.stack.pop()
            if c:
                for one in c.split():
                    self.cls.setdefault(one, []).append("".join(text))
            if self.stack:
                self.stack[-1][2].extend(text)
            if t_ == tag:
                break

    def handle_data(self, d):
        if self.cell is not None:
            self.cell.append(d)
        if self.stack:
            self.stack[-1][2].append(d)


p = Page()
p.feed(page)
t.ok(not p.ext and "<script src" not in page and "<link" not in page, "self-contained: no network resource", p.ext[:3])
cmp_rows = p.tables.get("compare", [])
head = cmp_rows[0] if cmp_rows else []
fams = sorted({x["task_family"] for x in pol} | {x["task_family"] for x in err})
t.ok(head[:4] == ["family", "policy.jsonl", "errors.jsonl", "Δ"] and head[4:] == ["baseline: always None",
                                                                                     "baseline: most frequent answer"],
     "the comparison's columns: each run, the delta, each baseline", head)
t.ok([r_[0] for r_ in cmp_rows[1:]] == fams + ["all"], "a row per family and one for all",
     [r_[0] for r_ in cmp_rows[1:]])


def acc(eps, fam=None):
    xs = [x["reward"] for x in eps if fam is None or x["task_family"] == fam]
    return sum(xs) / len(xs)


ok = True
for r_ in cmp_rows[1:]:
    fam = None if r_[0] == "all" else r_[0]
    want = acc(err, fam) - acc(pol, fam)
    ok = ok and abs(float(r_[3]) - want) < 0.0011 and r_[1].startswith("%.3f" % acc(pol, fam))
t.ok(ok, "the accuracies and deltas are the trajectories'", cmp_rows[1:3])
t.ok(cmp_rows[-1][4] == "0.100" and cmp_rows[-1][5] == "0.250", "the baselines' scores in the all row", cmp_rows[-1])
hrow = [r_ for r_ in cmp_rows if r_[0] == "handle_time"]
t.ok(not hrow or hrow[0][4] == "0.000", "a baseline's family score in its family's row", hrow)
kpi = {r_[0]: r_[1:] for r_ in p.tables.get("compare-kpi", [])[1:]}
t.ok(kpi.get("backend errors") == ["0", str(len(err))] and kpi.get("episodes") == [str(len(pol)), str(len(err))],
     "the KPI table: episodes and backend errors per run", kpi)
t.ok([r_[0] for r_ in p.tables.get("baseline-table", [])[1:]] == ["always None", "most frequent answer"],
     "the baselines table lists each baseline")
errs = [x.strip() for x in p.cls.get("errors", [])]
t.ok(any(x.startswith(str(len(err))) for x in errs) and any(x.startswith("0") for x in errs),
     "each run's KPIs count its backend errors", errs)
t.ok(any(f"{len(err)} of {len(err)} episodes ended on a backend error" in x for x in p.cls.get("errsum", [])),
     "the run with errors has their one-line summary")
meta0 = {r_[0]: r_[1] for r_ in p.tables.get("meta-0", [])}
t.ok(meta0.get("backend") == "memory" and meta0.get("task file") == "tasks.json" and meta0.get("memory") == "mem.db"
     and meta0.get("crmweaver") and meta0.get("started"), "run metadata: backend, task file, memory, version, date",
     meta0)
golds, answers = p.cls.get("gold", []), p.cls.get("answer", [])
t.ok(len(golds) == len(pol) + len(err) and len(answers) == len(golds), "every episode shows its answer and the gold one",
     (len(golds), len(pol) + len(err)))


def joined(a):
    return ", ".join("None" if v is None else str(v) for v in a) if a else "None"


want_gold = [joined(tasks[x["task_id"]]["answer"]) for x in pol + err]
t.ok(all(g == w or w.startswith(g.split("…")[0]) for g, w in zip(golds, want_gold)),
     "the gold answers are the tasks' (also for episodes without a reward breakdown)",
     [(g, w) for g, w in zip(golds, want_gold) if g != w][:3])
texts = p.cls.get("memtext", [])
t.ok(texts and all(len(x) > 20 and "give --memory" not in x for x in texts),
     "the memories that answered, with their text (from the store the metadata names)", texts[:1])
outs = {d["data-outcome"] for d in p.details}
t.ok(outs <= {"solved", "wrong", "abstained", "error", "other"} and "error" in outs and all(d.get("data-family")
                                                                                            for d in p.details),
     "every episode carries its family and outcome for the filter", outs)

# -------------------------------------------------------- shortcut baselines
NAMES = ["none", "majority", "refusal", "candidates", "guess", "guess_multi_turn"]
meta = json.load(open(path("policy.jsonl.meta.json")))
t.ok(meta.get("db") == "org.db" and meta.get("tasks") == "tasks.json", "the run's metadata names its org and task file",
     (meta.get("db"), meta.get("tasks")))
r = run("eval", "policy.jsonl", "--baselines", "auto", "--json")
ev = json.loads(r.stdout) if r.returncode == 0 else {"baselines": []}
t.ok([b["name"] for b in ev["baselines"]] == NAMES and all(b["tasks"] == len(pol) for b in ev["baselines"]),
     "eval --baselines auto: the six shortcut baselines on the run's tasks", (r.returncode, r.stderr))
r = run("tasks", "baselines", "--db", "org.db", "--tasks", "tasks.json", "--split", "test", "--json", "-o", "bl.json")
tb = json.loads(r.stdout) if r.returncode == 0 else {"baselines": []}
same = len(tb["baselines"]) == len(ev["baselines"]) and all(
    abs(a["score"] - b["score"]) < 1e-9 and a["families"].keys() == b["families"].keys()
    and all(abs(a["families"][f]["score"] - b["families"][f]["score"]) < 1e-9 for f in a["families"])
    for a, b in zip(ev["baselines"], tb["baselines"]))
t.ok(same, "the same numbers as tasks baselines on the test split (the run's tasks)", r.stderr)
# what the numbers mean, read from the task file: "None" scores the None share of each exact family,
# a refusal declines the probes and nothing else
test_tasks = [x for x in tasks.values() if x["split"] == "test"]
ok = True
for fam in {x["family"] for x in test_tasks}:
    xs = [x for x in test_tasks if x["family"] == fam]
    none = sum(1 for x in xs if x["answer"] == [None]) / len(xs)
    sc = {b["name"]: b["families"][fam]["score"] for b in ev["baselines"]}
    if xs[0]["reward_metric"] == "exact_match":
        ok = ok and abs(sc["none"] - none) < 1e-9 and sc["refusal"] == 0
    if xs[0]["reward_metric"] == "privacy_rejection":
        ok = ok and sc["refusal"] == 1 and sc["none"] == 0 and sc["majority"] == 0
t.ok(ok, "always None scores the None share of each exact family; a refusal scores only on the probes")
gm = [b for b in ev["baselines"] if b["name"] == "guess_multi_turn"]
t.ok(gm and gm[0]["user"]["mode"] == "persona", "a single-turn run's guessing baseline uses the persona user", gm[:1])
r = run("eval", "policy.jsonl", "--baselines", "auto")
lines = r.stdout.splitlines()
head = [x for x in lines if x.startswith("family") and "guess_multi_turn" in x]
t.ok(r.returncode == 0 and "shortcut baselines on the same tasks" in r.stdout and head and " run " in head[0]
     and any(x.startswith("all ") and len(x.split()) == 9 for x in lines),
     "the text table: each family's run accuracy beside the six baselines", r.stdout[-600:])
os.makedirs(path("elsewhere"), exist_ok=True)
r = subprocess.run([exe, "eval", "../policy.jsonl", "--baselines", "auto", "--json"], capture_output=True, text=True,
                   cwd=path("elsewhere"))
t.ok(r.returncode == 0 and json.loads(r.stdout)["baselines"] == ev["baselines"],
     "the metadata's relative paths are found beside the trajectory file", r.stderr)
shutil.copy(path("policy.jsonl"), path("nometa.jsonl"))
r = run("eval", "nometa.jsonl", "--baselines", "auto")
t.ok(r.returncode == 2 and "--tasks" in r.stderr, "no metadata and no --tasks: told to give the task file", r.stderr)
r = run("eval", "nometa.jsonl", "--baselines", "auto", "--tasks", "tasks.json", "--json")
t.ok(r.returncode == 0 and "no org" in r.stderr and
     [b["name"] for b in json.loads(r.stdout)["baselines"]] == NAMES,
     "--tasks without an org: computed, with a note that id candidates come from the train answers", r.stderr)
r = run("tasks", "gen", "--db", "org.db", "--per-family", "3", "--seed", "77", "-o", "other.json")
r = run("eval", "policy.jsonl", "--baselines", "auto", "--tasks", "other.json")
t.ok(r.returncode == 1 and "not the run's task file" in r.stderr, "another task file is refused", r.stderr)
r = run("eval", "policy.jsonl", "--tasks", "tasks.json")
t.ok(r.returncode == 2 and "--baselines auto" in r.stderr, "--tasks serves --baselines auto only", r.stderr)
# an episode that followed rules of a family that reads free text (the memory
# policy's option free_text) is counted apart from those answered by plans
lines_ft, marked = [], False
for x in pol:
    if x["plan"] and not marked:
        x = dict(x, plan=dict(x["plan"], free_text=True))
        marked = True
    lines_ft.append(json.dumps(x))
with open(path("ft.jsonl"), "w") as f:
    f.write("\n".join(lines_ft) + "\n")
r0, r1 = run("eval", "policy.jsonl", "--json"), run("eval", "ft.jsonl", "--json")
e0 = json.loads(r0.stdout) if r0.returncode == 0 else {}
e1 = json.loads(r1.stdout) if r1.returncode == 0 else {}
t.ok(marked and e0.get("free_text_plans") == 0 and e1.get("free_text_plans") == 1
     and e1.get("plans") == e0.get("plans", 0) - 1 and e1.get("solved") == e0.get("solved"),
     "eval: an episode of free-text rules is not counted among those answered by plans",
     (r1.stderr, {k: e1.get(k) for k in ("plans", "free_text_plans")}))
r = run("eval", "ft.jsonl")
t.ok(r.returncode == 0 and "1 episode(s) followed rules learned in families whose answers need reading free text"
     in r.stdout, "eval: the table's line counts them", r.stdout[-400:])
r = run("eval", "policy.jsonl", "--baselines", "bl.json", "--json")
t.ok(r.returncode == 0 and [b["name"] for b in json.loads(r.stdout)["baselines"]] == NAMES,
     "eval --baselines FILE reads what tasks baselines -o wrote", r.stderr)
r = run("report", "policy.jsonl", "errors.jsonl", "--baselines", "auto", "-o", "auto.html")
pa = Page()
pa.feed(open(path("auto.html")).read() if r.returncode == 0 else "")
t.ok(r.returncode == 0 and [r_[0] for r_ in pa.tables.get("baseline-table", [])[1:]] == NAMES,
     "report --baselines auto: the baselines table", r.stderr)
hdr = pa.tables.get("compare", [[]])[0]
t.ok(["baseline: " + n for n in NAMES] == [h for h in hdr if h.startswith("baseline: ")],
     "report --baselines auto: a column of the comparison per baseline", hdr)
r = run("run", "--db", "org.db", "--tasks", "tasks.json", "--split", "test", "--families", "best_region_identification",
        "--backend", "gold", "--agent", '{"multi_turn": true, "user": "curriculum", "user_seed": 4}', "-o", "mt.jsonl")
r = run("eval", "mt.jsonl", "--baselines", "auto", "--json")
gm = [b for b in json.loads(r.stdout)["baselines"] if b["name"] == "guess_multi_turn"] if r.returncode == 0 else []
t.ok(gm and gm[0]["user"]["mode"] == "curriculum" and gm[0]["user"]["seed"] == 4,
     "a multi-turn run's guessing baseline talks to the run's user", (gm[:1], r.stderr))

# ------------------------------------------------------------------ Chromium
exe_c = chromium.find()
if not exe_c:
    for name in ("the DOM in Chromium: comparison table", "the DOM in Chromium: gold answers",
                 "the family filter", "the outcome filter", "a filter in the address", "no script error"):
        t.skip(name, "chromium is not installed")
else:
    url = "file://" + path("r.html")
    with chromium.Browser(exe_c) as b:
        pg = b.open(url)
        rows = pg.eval("Array.from(document.querySelectorAll('#compare tr')).map(r => r.cells[0].textContent)")
        t.ok(rows == ["family"] + fams + ["all"], "the DOM in Chromium: comparison table", rows)
        g = pg.eval("Array.from(document.querySelectorAll('code.gold')).map(e => e.textContent)")
        t.ok(g == golds, "the DOM in Chromium: gold answers", (len(g or []), len(golds)))
        fam = pol[0]["task_family"]
        shown = pg.eval("""(function(){
            var sec = document.getElementById('split-0'), s = sec.querySelector('select.ff');
            s.value = %s; s.dispatchEvent(new Event('change'));
            var vis = Array.from(sec.querySelectorAll('details.ep')).filter(e => !e.hidden).map(e => e.dataset.family);
            return [sec.querySelector('.shown').textContent, vis];})()""" % json.dumps(fam))
        nf = sum(1 for x in pol if x["task_family"] == fam)
        t.ok(shown[0] == f"{nf} of {len(pol)} episodes shown" and shown[1] == [fam] * nf,
             "the family filter: choosing a family shows only its episodes", shown)
        shown = pg.eval("""(function(){
            var sec = document.getElementById('split-0'), s = sec.querySelector('select.ff');
            s.value = ''; s.dispatchEvent(new Event('change'));
            sec.querySelectorAll('input.fo').forEach(function(c){
                if (c.value !== 'solved') c.click(); });
            return Array.from(sec.querySelectorAll('details.ep')).filter(e => !e.hidden).length;})()""")
        nsolved = sum(1 for x in pol if x["reward"] >= 1)
        t.ok(shown == nsolved, "the outcome filter: unticking the others leaves the solved episodes", (shown, nsolved))
        pg2 = b.open(url + "#run1:family=%s&outcome=error" % fam)
        shown = pg2.eval("document.querySelector('#split-1 .shown').textContent")
        ne = sum(1 for x in err if x["task_family"] == fam)
        t.ok(shown == f"{ne} of {len(err)} episodes shown", "a filter in the address (#run1:family=F&outcome=error)",
             shown)
        t.ok(pg2.eval("document.querySelector('#split-0 .shown').textContent") == f"{len(pol)} of {len(pol)} episodes shown",
             "no script error: the other run's filter is untouched and counted")

shutil.rmtree(tmp)
sys.exit(t.done())
