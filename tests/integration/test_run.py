#!/usr/bin/env python3
"""crmweaver run and eval end to end: gold runs build a memory from a
training split, the memory policy answers the test split without a wrong
answer and abstains on held-out families, replay reproduces a run, --jobs
gives the same trajectories as one job, eval's table and JSON agree with
the trajectories, and every usage error exits 2 with one line.

usage: test_run.py CRMWEAVER_EXE
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
tmp = tempfile.mkdtemp(prefix="crmw-run-")


def run(*args, env=None):
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env)


def path(name):
    return os.path.join(tmp, name)


def load(p):
    with open(p) as f:
        return [json.loads(line) for line in f if line.strip()]


def stable(traj):
    """A trajectory without its timings (they differ run to run)."""
    d = dict(traj)
    d.pop("timings_us", None)
    d.pop("episode_id", None)
    d["decisions"] = len(d.get("decisions", []))
    return json.dumps(d, sort_keys=True)


org, tasks, mem = path("org.db"), path("tasks.json"), path("mem.db")
r = run("gen", "--profile", "b2b", "--seed", "4", "--scale", "0.3", "-o", org)
t.ok(r.returncode == 0, "org generated", r.stderr)
r = run("tasks", "gen", "--db", org, "--per-family", "16", "--seed", "3", "--test-share", "0.3",
        "--holdout", "knowledge_qa,lead_routing", "-o", tasks)
t.ok(r.returncode == 0, "tasks generated", r.stderr)
all_tasks = json.load(open(tasks))
splits = {s: sum(1 for x in all_tasks if x["split"] == s) for s in ("train", "test", "holdout")}

# gold on the training split builds the memory
r = run("run", "--db", org, "--tasks", tasks, "--split", "train", "--backend", "gold", "--memory", mem,
        "--write-memory", "--json", "-o", path("train.jsonl"))
t.ok(r.returncode == 0, "gold run on train", r.stderr)
rep = json.loads(r.stdout)
t.ok(rep["tasks"] == splits["train"] and rep["solved"] == rep["tasks"], "every training task solved by its gold program",
     rep)
train = load(path("train.jsonl"))
t.ok(len(train) == splits["train"], "one trajectory per task")
t.ok(sum(1 for x in train if x.get("memory_written")) > 10, "guidelines written or corroborated")
ids = [x["task_id"] for x in train]
want = [x["id"] for x in all_tasks if x["split"] == "train"]
t.ok(ids == want, "trajectories in task order")

# the memory policy on the test split: no confident wrong answer
r = run("run", "--db", org, "--tasks", tasks, "--split", "test", "--backend", "memory", "--memory", mem,
        "--json", "-o", path("test.jsonl"))
t.ok(r.returncode == 0, "memory policy on test", r.stderr)
rep = json.loads(r.stdout)
t.diag(f"memory policy on test: {rep['tasks']} tasks, {rep['solved']} solved, {rep['wrong']} wrong, "
       f"{rep['abstained']} abstained")
t.ok(rep["wrong"] == 0, "no confident wrong answer", rep)
t.ok(rep["solved"] > 0 and rep["plans"] >= rep["solved"], "some test tasks solved by plans", rep)
test = load(path("test.jsonl"))
t.ok(all(x["end_reason"] in ("answered", "abstained") for x in test), "every episode answered or abstained")
t.ok(all(x["backend_calls"]["model"] == 0 for x in test), "no model call: the policy alone answered")

# eval agrees with the trajectories
r = run("eval", "--trajectories", path("test.jsonl"), "--json")
t.ok(r.returncode == 0, "eval --json", r.stderr)
ev = json.loads(r.stdout)
t.ok(ev["tasks"] == len(test) and ev["solved"] == sum(1 for x in test if x["reward"] == 1.0), "eval counts", ev)
fam = {}
for x in test:
    fam.setdefault(x["task_family"], []).append(x["reward"])
t.ok(all(abs(ev["families"][f]["score"] - sum(v) / len(v)) < 1e-9 for f, v in fam.items()),
     "eval's per-family accuracy is the mean reward")
r = run("eval", path("test.jsonl"))
t.ok(r.returncode == 0 and "accuracy" in r.stdout and "abstain" in r.stdout, "eval table", r.stdout)

# held-out families: abstention
r = run("run", "--db", org, "--tasks", tasks, "--split", "holdout", "--backend", "memory", "--memory", mem, "--json",
        "-o", path("hold.jsonl"))
rep = json.loads(r.stdout)
t.ok(rep["abstained"] == rep["tasks"] == splits["holdout"], "held-out families abstain", rep)

# two jobs: the same trajectories
r = run("run", "--db", org, "--tasks", tasks, "--split", "test", "--backend", "memory", "--memory", mem, "--jobs", "2",
        "--json", "-o", path("test2.jsonl"))
t.ok(r.returncode == 0, "memory policy with --jobs 2", r.stderr)
a, b = load(path("test.jsonl")), load(path("test2.jsonl"))
t.ok([stable(x) for x in a] == [stable(x) for x in b], "--jobs 2 gives the trajectories of one job")

# replay reproduces the run
r = run("run", "--db", org, "--tasks", tasks, "--split", "test", "--backend", "replay", "--replay",
        path("test.jsonl"), "--json", "-o", path("replay.jsonl"))
t.ok(r.returncode == 0, "replay", r.stderr)
c = load(path("replay.jsonl"))
t.ok([(x["answer"], x["reward"], x["end_reason"]) for x in a] == [(x["answer"], x["reward"], x["end_reason"]) for x in c],
     "replay gives the same answers, rewards and ends")

# grouped rollouts: every task N times with the group's statistics; the same
# with two jobs (long task ids make distinct episode ids)
r = run("rollout", "--db", org, "--tasks", tasks, "--split", "train", "--backend", "gold", "--group", "3", "--jobs", "2",
        "--json", "-o", path("ro.jsonl"))
t.ok(r.returncode == 0, "rollout --group 3 --jobs 2", r.stderr)
ro = load(path("ro.jsonl"))
t.ok(len(ro) == 3 * splits["train"], "three episodes per task", len(ro))
t.ok(all(x["reward"] == 1.0 for x in ro), "every gold episode solved (no episode-id collision across jobs)",
     [x["episode_id"] for x in ro if x["reward"] != 1.0][:3])
g = [x["group"] for x in ro]
t.ok(all(x["size"] == 3 and x["reward_mean"] == 1 and x["reward_std"] == 0 and x["advantage"] == 0 for x in g),
     "group statistics: mean 1, std 0, advantages 0", g[:2])
t.ok([x["group"]["index"] for x in ro[:3]] == [0, 1, 2] and ro[0]["episode_id"].endswith("#g0")
     and len({x["episode_id"] for x in ro}) == len(ro), "episode ids <task>#g<k>, all distinct")
# mixed rewards: the memory policy on the test split (solved and abstained)
r = run("rollout", "--db", org, "--tasks", tasks, "--split", "test", "--backend", "memory", "--memory", mem,
        "--group", "2", "--json", "-o", path("ro2.jsonl"))
ro2 = load(path("ro2.jsonl"))
t.ok(r.returncode == 0 and all(abs(x["group"]["reward_mean"] - x["reward"]) < 1e-9 for x in ro2),
     "deterministic groups: the mean is each episode's reward", r.stderr)
# SFT data: the solved gold episodes as chat lines
r = run("rollout", "--db", org, "--tasks", tasks, "--split", "train", "--backend", "gold", "--group", "1",
        "--format", "sft", "-o", path("sft.jsonl"))
sft = load(path("sft.jsonl"))
t.ok(r.returncode == 0 and len(sft) == splits["train"] and all(set(x) == {"messages", "tools"} for x in sft),
     "SFT lines {messages, tools}, one per solved task", r.stderr)
t.ok(all(x["messages"][0]["role"] == "system" and x["messages"][-1]["role"] == "assistant" for x in sft),
     "each SFT conversation runs from the system prompt to the final answer")
for args, word in [(["run", "--db", org, "--tasks", tasks, "--backend", "gold", "--group", "2", "-o", path("x.jsonl")],
                    "--group"),
                   (["rollout", "--db", org, "--tasks", tasks, "--backend", "gold", "--group", "0", "-o", path("x.jsonl")],
                    "--group"),
                   (["rollout", "--db", org, "--tasks", tasks, "--backend", "gold", "--memory-policy", "x", "-o",
                     path("x.jsonl")], "--memory-policy"),
                   (["rollout", "--db", org, "--tasks", tasks, "--backend", "gold", "--format", "csv", "-o",
                     path("x.jsonl")], "--format")]:
    r = run(*args)
    t.ok(r.returncode == 2 and word in r.stderr, f"usage error: {args[0]} {word}", r.stderr)

# usage errors: exit 2, one line
cases = [
    (["run"], "required"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "memory", "-o", path("x.jsonl")], "--memory"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "nope", "-o", path("x.jsonl")], "unknown backend"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "gold", "--write-memory", "-o", path("x.jsonl")], "--memory"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "replay", "-o", path("x.jsonl")], "--replay"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "http", "-o", path("x.jsonl")], "--model-url"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "gold", "--jobs", "0", "-o", path("x.jsonl")], "--jobs"),
    (["run", "--db", org, "--tasks", tasks, "--backend", "gold", "--agent", "[", "-o", path("x.jsonl")], "--agent"),
    (["eval"], "--trajectories"),
]
for args, word in cases:
    r = run(*args)
    t.ok(r.returncode == 2 and word in r.stderr and r.stderr.count("\n") == 1,
         f"usage error: {' '.join(args[:1] + args[-3:])}", r.stderr)
r = run("run", "--db", org, "--tasks", tasks, "--backend", "memory", "--memory", mem, "--policy", "{\"k\":0}",
        "-o", path("x.jsonl"))
t.ok(r.returncode != 0 and "\"k\"" in r.stderr, "bad policy option named", r.stderr)
r = run("run", "--db", path("missing.db"), "--tasks", tasks, "--backend", "gold", "-o", path("x.jsonl"))
t.ok(r.returncode == 1, "a missing org fails with 1", r.stderr)
with open(path("bad.jsonl"), "w") as f:
    f.write('{"task_family":"x","reward":1}\nnot json\n')
r = run("eval", path("bad.jsonl"))
t.ok(r.returncode == 1 and "line 2" in r.stderr, "a bad trajectory line is named", r.stderr)
r = run("run", "--help")
t.ok(r.returncode == 0 and "examples:" in r.stdout, "run --help")

shutil.rmtree(tmp)
sys.exit(t.done())
