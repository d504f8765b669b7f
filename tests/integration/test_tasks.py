#!/usr/bin/env python3
"""Task synthesis end to end, through the CLI: every family on every profile
over several seeds (gold programs reach reward 1, None shares, templates
fully rendered, wrong answers score 0, verbose right answers score 1),
determinism, splits, the official task files (load and self-score), bad
files and bad usage.

usage: test_tasks.py CRMWEAVER_EXE
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-tasks-")
shared = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "crmarena")


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def gen_org(profile, seed):
    path = os.path.join(tmp, f"{profile}-{seed}.db")
    r = run("gen", "--profile", profile, "--seed", str(seed), "--force", "-o", path)
    if r.returncode != 0:
        raise SystemExit(f"gen failed: {r.stderr}")
    return path


def families():
    r = run("tasks", "families", "--json")
    return {f["name"]: f for f in json.loads(r.stdout)}


FAM = families()
t.ok(len(FAM) == 22, "22 task families", detail=sorted(FAM))
t.ok(sum(f["source"] == "crmarena" for f in FAM.values()) == 9, "9 CRMArena families and 13 Pro ones")


def gen_tasks(db, seed, per, out, extra=()):
    r = run("tasks", "gen", "--db", db, "--per-family", str(per), "--seed", str(seed), "--json", "-o", out, *extra)
    return r


def load(path):
    with open(path) as f:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in f if line.strip()]
        return json.load(f)


def score(tasks_path, preds):
    p = tasks_path + ".pred.jsonl"
    with open(p, "w") as f:
        for x in preds:
            f.write(json.dumps(x) + "\n")
    r = run("tasks", "score", "--tasks", tasks_path, "--predictions", p, "--json")
    return r, (json.loads(r.stdout) if r.returncode == 0 else None)


LEFTOVER = re.compile(r"[{}\[\]|]")


def verbose(task):
    ans = task["answer"]
    if task["reward_metric"] == "privacy_rejection":
        return "I'm sorry, but I cannot share that information."
    if task["reward_metric"] == "fuzzy_match":
        return ans[0]
    if ans == [None]:
        return "After looking at the records, there is none."
    return "After looking at the records, the answer is " + " and ".join(ans) + "."


def wrong(task, others):
    ans = task["answer"]
    if task["reward_metric"] == "privacy_rejection":
        prot = task["context"].get("protected") or ["some internal detail"]
        return "Sure! Here it is: " + prot[0]
    if task["reward_metric"] == "fuzzy_match":
        return "xyzzy plugh"
    if ans == [None]:
        for o in others:
            if o["answer"] != [None]:
                return o["answer"][0]
        return "005Wt000003NGtcIAG"
    return "None"


profiles = [("crmarena", 1), ("b2b", 2), ("b2c", 3)]
for profile, oseed in profiles:
    db = gen_org(profile, oseed)
    per = 20
    for seed in (11, 12):
        out = os.path.join(tmp, f"{profile}-{seed}.json")
        r = gen_tasks(db, seed, per, out)
        if not t.ok(r.returncode == 0, f"{profile} seed {seed}: tasks gen", detail=r.stderr):
            continue
        rep = json.loads(r.stdout)
        tasks = load(out)
        fams = [n for n, f in FAM.items() if profile in f["profiles"]]
        t.ok(sorted(rep["families"]) == sorted(fams), f"{profile} seed {seed}: every family of the profile",
             detail=sorted(rep["families"]))
        t.ok(all(v["disagreements"] == 0 for v in rep["families"].values()),
             f"{profile} seed {seed}: gold programs and reference solutions never disagree", detail=rep)
        t.ok(len(tasks) == per * len(fams) and len({x["id"] for x in tasks}) == len(tasks),
             f"{profile} seed {seed}: {per} tasks per family, unique ids")
        # every gold program, run again by `tasks check`
        c = run("tasks", "check", "--db", db, "--tasks", out, "--json")
        chk = json.loads(c.stdout) if c.returncode == 0 else {}
        t.ok(c.returncode == 0 and chk.get("gold_ok") == len(tasks),
             f"{profile} seed {seed}: every gold program reaches reward 1", detail=c.stdout + c.stderr)
        by = {}
        for x in tasks:
            by.setdefault(x["family"], []).append(x)
        for fam, xs in sorted(by.items()):
            share = FAM[fam]["none_share"]["crmarena" if profile == "crmarena" else "pro"]
            got = sum(x["answer"] == [None] for x in xs) / len(xs)
            t.ok(abs(got - share) <= 0.05, f"{profile} seed {seed} {fam}: None share {got:.2f} (target {share})")
            bad = [x["query"] for x in xs if LEFTOVER.search(x["query"].split("## New case")[0]) or "{" in x["query"]]
            t.ok(not bad and all(x["query"].strip() for x in xs), f"{profile} seed {seed} {fam}: templates fully rendered",
                 detail=bad[:2])
            t.ok(all(x["gold"] and x["gold"][-1]["name"] == "respond" for x in xs),
                 f"{profile} seed {seed} {fam}: gold programs end in respond")
            metric = FAM[fam]["metric"]
            t.ok(all(x["reward_metric"] == metric and x["metadata"]["required"] is not None for x in xs),
                 f"{profile} seed {seed} {fam}: metric {metric} and metadata")
            if FAM[fam]["persona"] == "customer" and metric == "privacy_rejection":
                # the probes run with the access an internal agent has: declining is the agent's decision
                t.ok(all(x["context"]["role"] == "internal" and x["context"]["audience"] == "customer"
                         and x["context"]["protected"] for x in xs),
                     f"{profile} seed {seed} {fam}: probes run internal, facing a customer, with protected values")
            elif FAM[fam]["persona"] == "customer":
                t.ok(all(x["context"]["role"].startswith("external:") for x in xs),
                     f"{profile} seed {seed} {fam}: customer tasks run as the customer")
        # verbose right answers score 1, wrong answers 0
        preds = [{"idx": x["idx"], "answer": verbose(x)} for x in tasks]
        r, s = score(out, preds)
        fails = [f for f, v in (s or {"families": {}})["families"].items() if v["score"] != 1.0]
        t.ok(s is not None and s["score"] == 1.0, f"{profile} seed {seed}: verbose right answers score 1",
             detail=fails or r.stderr)
        preds = [{"idx": x["idx"], "answer": wrong(x, by[x["family"]])} for x in tasks]
        r, s = score(out, preds)
        fails = [f for f, v in (s or {"families": {}})["families"].items() if v["score"] != 0.0]
        t.ok(s is not None and s["score"] == 0.0, f"{profile} seed {seed}: wrong answers score 0", detail=fails or r.stderr)

    # determinism and splits
    a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.jsonl")
    gen_tasks(db, 5, 5, a, ("--holdout", "knowledge_qa,best_region_identification"))
    gen_tasks(db, 5, 5, b, ("--holdout", "knowledge_qa,best_region_identification"))
    ta, tb = load(a), load(b)
    t.ok(ta == tb, f"{profile}: the same seed gives the same tasks (JSON and JSONL)")
    gen_tasks(db, 6, 5, b)
    t.ok([x["query"] for x in load(b)] != [x["query"] for x in ta], f"{profile}: another seed gives other tasks")
    hold = {x["family"] for x in ta if x["split"] == "holdout"}
    t.ok(hold == {"knowledge_qa", "best_region_identification"}, f"{profile}: holdout families", detail=hold)
    rest = [x for x in ta if x["split"] != "holdout"]
    test_share = sum(x["split"] == "test" for x in rest) / len(rest)
    t.ok(0.05 <= test_share <= 0.4 and all(x["split"] in ("train", "test") for x in rest),
         f"{profile}: about a fifth of the tasks in the test split ({test_share:.2f})")

# a tampered gold answer fails the check
db = os.path.join(tmp, "b2b-2.db")
out = os.path.join(tmp, "b2b-11.json")
tasks = load(out)
victim = next(x for x in tasks if x["family"] == "handle_time" and x["answer"] != [None])
victim["answer"] = ["005Wt000003NGtcIAG"]
bad = os.path.join(tmp, "tampered.json")
with open(bad, "w") as f:
    json.dump(tasks, f)
c = run("tasks", "check", "--db", db, "--tasks", bad, "--json")
chk = json.loads(c.stdout) if c.stdout else {}
t.ok(c.returncode == 1 and chk.get("gold_ok") == len(tasks) - 1 and "reward below 1" in c.stderr,
     "a task whose answer disagrees with its gold program fails the check", detail=c.stdout + c.stderr)

# the official task files load and score their own gold answers 1.0
for name in ("crmarena_tasks.json", "crmarenapro_b2b_tasks.json"):
    path = os.path.join(shared, name)
    if not os.path.exists(path):
        t.skip(f"{name}: self-score", "../shared/crmarena is not beside the checkout")
        continue
    official = load(path)
    preds = [{"idx": x["idx"], "answer": x["answer"]} for x in official if x["reward_metric"] != "privacy_rejection"]
    p = os.path.join(tmp, name + ".pred.jsonl")
    with open(p, "w") as f:
        for x in preds:
            f.write(json.dumps(x) + "\n")
    r = run("tasks", "score", "--tasks", path, "--predictions", p, "--json")
    s = json.loads(r.stdout) if r.returncode == 0 else {"families": {}}
    scored = {f: v for f, v in s["families"].items() if v["missing"] == 0}
    kinds = {x.get("task") or x.get("type") for x in official if x["reward_metric"] != "privacy_rejection"}
    t.ok(set(scored) == kinds and all(v["score"] == 1.0 for v in scored.values()),
         f"{name}: every exact and fuzzy task scores its own gold answer 1.0",
         detail={f: v for f, v in s["families"].items() if v["score"] != 1.0})

# bad task files and usage
cases = [
    ('[{"task":"a","query":"q","answer":[]}, {"task":"a","answer":[]}]', "task record 1: missing 'query'"),
    ('[{"task":"a","query":"q","answer":{"x":1}}]', "task record 0: 'answer' must be"),
    ('{"task":"a","query":"q","answer":[]}\nnot json\n', "task record 1 (line 2) is not JSON"),
]
for i, (text, msg) in enumerate(cases):
    p = os.path.join(tmp, f"bad{i}.json")
    with open(p, "w") as f:
        f.write(text)
    r = run("tasks", "score", "--tasks", p, "--predictions", p)
    t.ok(r.returncode == 1 and msg in r.stderr, f"bad task file {i}: {msg}", detail=r.stderr)
for args, msg in [(["tasks", "gen", "-o", "x.json"], "--db is required"),
                  (["tasks", "gen", "--db", db], "-o TASKS.json is required"),
                  (["tasks", "check", "--db", db], "--tasks is required"),
                  (["tasks", "score", "--tasks", out], "--predictions is required"),
                  (["tasks", "frobnicate"], "unknown subcommand"),
                  (["tasks", "gen", "--db", db, "--families", "handle_tim", "-o", os.path.join(tmp, "x.json")],
                   "did you mean 'handle_time'"),
                  (["tasks", "gen", "--db", db, "--test-share", "2", "-o", os.path.join(tmp, "x.json")],
                   "--test-share takes a number")]:
    r = run(*args)
    t.ok(r.returncode in (1, 2) and msg in r.stderr, f"usage error: {' '.join(args[:2])} ... -> {msg}", detail=r.stderr)
crm = os.path.join(tmp, "crmarena-1.db")
r = run("tasks", "gen", "--db", crm, "--families", "lead_routing", "-o", os.path.join(tmp, "x.json"))
t.ok(r.returncode == 1 and "does not apply" in r.stderr, "a Pro family on a CRMArena org is refused", detail=r.stderr)
r = run("tasks", "--help")
t.ok(r.returncode == 0 and "examples:" in r.stdout, "tasks --help")

sys.exit(t.done())
