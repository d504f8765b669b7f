#!/usr/bin/env python3
"""crmweaver demo and crmweaver report end to end: the demo at a small scale
prints per-family tables that match its trajectories, writes a self-contained
report whose charts and episodes are there (checked in headless Chromium when
it is installed), and every error path of both exits non-zero with one line.

usage: test_demo.py CRMWEAVER_EXE
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-demo-")
out = os.path.join(tmp, "demo")


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def load(p):
    with open(p) as f:
        return [json.loads(line) for line in f if line.strip()]


r = run("demo", "--out", out, "--scale", "0.3", "--per-family", "12", "--seed", "5", "--jobs", "2")
t.ok(r.returncode == 0, "demo runs", r.stderr[-2000:])
for name in ("org.db", "tasks.json", "memory.db", "train.jsonl", "test.jsonl", "holdout.jsonl", "report.html"):
    t.ok(os.path.exists(os.path.join(out, name)), f"demo wrote {name}")
text = r.stdout
t.ok("--backend http" in text and "--model-url" in text, "the demo ends with how to run a real model")
for step in ("1. Generate", "2. Synthesise", "3. Build the shared memory", "4. The agent", "5. The same", "6. The report"):
    t.ok(step in text, f"step shown: {step}")

# the tables match the trajectories
alls = re.findall(r"^all\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", text, re.M)
t.ok(len(alls) == 2, "two tables (test, held out)", alls)
for (tasks, solved, acc, wrong, abst, errors, plans, hits), name in zip(alls, ("test.jsonl", "holdout.jsonl")):
    tr = load(os.path.join(out, name))
    want = (len(tr), sum(x["reward"] == 1.0 for x in tr), sum(x["end_reason"] == "abstained" for x in tr),
            sum(x["end_reason"] == "answered" and x["reward"] < 1 for x in tr),
            sum(x["plan"] is not None for x in tr))
    got = (int(tasks), int(solved), int(abst), int(wrong), int(plans))
    t.ok(int(errors) == 0, f"{name}: no backend errors")
    t.ok(got == want, f"{name}: the table's counts are the trajectories'", f"{got} != {want}")
    t.ok(abs(float(acc) - sum(x["reward"] for x in tr) / len(tr)) < 0.0006, f"{name}: accuracy is the mean reward")
hold = load(os.path.join(out, "holdout.jsonl"))
t.ok(all(x["end_reason"] == "abstained" for x in hold), "held-out families: every episode abstained")
test = load(os.path.join(out, "test.jsonl"))
t.ok(sum(x["reward"] == 1.0 for x in test) > 0, "some test tasks solved by the memory policy")
train = load(os.path.join(out, "train.jsonl"))
t.ok(all(x["reward"] == 1.0 for x in train), "every gold training episode solved")


# the report: self-contained, charts, episodes
class Scan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.ext = {}, set(), []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for k in ("src", "href"):
            if a.get(k, "").startswith(("http:", "https:", "//")):
                self.ext.append(a[k])


page = open(os.path.join(out, "report.html")).read()
s = Scan()
s.feed(page)
t.ok(not s.ext and "<script src" not in page and "<link" not in page, "no network resources", s.ext[:3])
t.ok(s.tags.get("svg", 0) >= 8, "inline SVG charts (4 per split)", s.tags.get("svg"))
for cid in ("acc-family-0", "acc-skill-0", "turns-0", "latency-0", "acc-family-1"):
    t.ok(cid in s.ids, f"chart {cid} present")
t.ok(s.tags.get("details", 0) == len(test) + len(hold), "one collapsible episode per trajectory",
     (s.tags.get("details"), len(test) + len(hold)))
# Since issue 26 the memory policy rarely replays a plan with tool calls at
# 12 tasks per family (the phrasings vary; it solves the refusals): the
# check applies when an episode made calls.
if any(m.get("tool_calls") for x in test + hold for m in x.get("messages") or []):
    t.ok("get_period" in page or "tool_calls" in page or "&#8594;" in page, "tool calls are shown")
else:
    t.skip("tool calls are shown", "no test or held-out episode made a tool call")
t.ok("database querying and numerical computation" in page, "skill groups are named")

# crmweaver report on its own, several files
rp = os.path.join(tmp, "r.html")
r = run("report", os.path.join(out, "test.jsonl"), "-o", rp, "--title", "Mine <b>")
t.ok(r.returncode == 0 and os.path.exists(rp), "report on one file", r.stderr)
t.ok("Mine &lt;b&gt;" in open(rp).read(), "the title is escaped")

# in a browser, when there is one
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if chromium:
    dom = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--dump-dom",
                          "file://" + os.path.join(out, "report.html")], capture_output=True, text=True, timeout=120)
    t.ok(dom.returncode == 0 and dom.stdout.count("<svg") >= 8 and "acc-family-0" in dom.stdout,
         "headless Chromium renders the page with its charts", dom.stderr[-500:])
    png = os.path.join(tmp, "shot.png")
    shot = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--window-size=1200,2000",
                           "--screenshot=" + png, "file://" + os.path.join(out, "report.html")],
                          capture_output=True, text=True, timeout=120)
    t.ok(shot.returncode == 0 and os.path.exists(png) and os.path.getsize(png) > 20000,
         "a screenshot of the page", shot.stderr[-500:])
else:
    t.skip("headless Chromium renders the page", "chromium is not installed")
    t.skip("a screenshot of the page", "chromium is not installed")

# errors: non-zero, one line
for args, code, word in [
    (["demo", "--per-family", "2"], 2, "--per-family"),
    (["demo", "--profile", "b2x"], 2, "--profile"),
    (["demo", "--scale", "abc"], 2, "--scale"),
    (["demo", "extra"], 2, "unexpected"),
    (["report"], 2, "trajectory file"),
    (["report", os.path.join(out, "test.jsonl")], 2, "-o"),
    (["report", os.path.join(tmp, "missing.jsonl"), "-o", rp], 1, "missing.jsonl"),
]:
    r = run(*args)
    t.ok(r.returncode == code and word in r.stderr and r.stderr.count("\n") == 1, f"error: {' '.join(args[:2])}",
         r.stderr)
bad = os.path.join(tmp, "bad.jsonl")
with open(bad, "w") as f:
    f.write("{}\n[1]\n")
r = run("report", bad, "-o", rp)
t.ok(r.returncode == 1 and "line 2" in r.stderr, "a bad line is named", r.stderr)

# docs/cli.md carries every subcommand's --help (scripts/cli-doc writes it)
doc_path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "cli.md")
doc = open(doc_path).read() if os.path.exists(doc_path) else ""
for c in ("features", "gen", "schema", "import", "export", "query", "sql", "tools", "tasks", "memory", "run",
          "rollout", "eval", "report", "demo", "bench"):
    h = run(c, "--help")
    t.ok(h.returncode == 0 and "example" in h.stdout, f"{c} --help with examples")
    t.ok(h.stdout.strip() in doc, f"docs/cli.md has the current {c} --help (run scripts/cli-doc)")

shutil.rmtree(tmp)
sys.exit(t.done())
