#!/usr/bin/env python3
"""Roles with bound variables on the command line: --role POLICY.json
--bind KEY=VALUE on query, sql, tools call, run and rollout (the episodes
run under the role; a task's context.role only narrows it), and every
mistake with --bind: a one-line error naming it, exit 2 (TAP).

usage: test_roles_cli.py PATH_TO_CRMWEAVER
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
tmp = tempfile.mkdtemp(prefix="crmw-roles-cli-")
db = os.path.join(tmp, "org.db")
r = subprocess.run([exe, "gen", "--profile", "b2b", "--seed", "21", "--scale", "0.1", "--force", "-o", db],
                   capture_output=True, text=True)
if r.returncode:
    raise SystemExit(r.stderr)
con = sqlite3.connect(db)
# the agent with the most cases, and one other
owners = [x[0] for x in con.execute('SELECT "OwnerId" FROM "Case" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2')]
ME, OTHER = owners
MINE = {x[0] for x in con.execute('SELECT "Id" FROM "Case" WHERE "OwnerId" = ?', (ME,))}
ALL = {x[0] for x in con.execute('SELECT "Id" FROM "Case"')}
t.ok(0 < len(MINE) < len(ALL), "the org has cases of several agents")

policy = os.path.join(tmp, "tier1.json")
with open(policy, "w") as f:
    json.dump({"schema_version": 1, "name": "tier1", "default": "read", "raw_sql": False, "metrics": False,
               "objects": {"Case": {"where": "OwnerId = :user_id"}}}, f)


def run(*args):
    r = subprocess.run([exe] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def one_line_error(rc, err, code, what):
    lines = err.strip().splitlines()
    return rc == code and len(lines) == 1 and what in lines[0] and lines[0].startswith("crmweaver: ")


# ------------------------------------------------------------ query, sql, tools
rc, out, err = run("query", "--db", db, "--role", policy, "--bind", f"user_id={ME}", "SELECT Id FROM Case")
t.ok(rc == 0 and {x["Id"] for x in json.loads(out)} == MINE, "query --role policy --bind user_id: the agent's cases", err)
rc, out, err = run("query", "--db", db, "--role", policy, "--bind", f"user_id={ME[:15]}", "SELECT Id FROM Case")
t.ok(rc == 0 and {x["Id"] for x in json.loads(out)} == MINE, "a 15-character Id binds too", err)
rc, out, err = run("query", "--db", db, "--role", policy, "SELECT Id FROM Case")
t.ok(rc == 1 and "not bound" in err, "without --bind the rule fails closed (as before)", err)
rc, out, err = run("sql", "--db", db, "--role", policy, "--bind", f"user_id={ME}", 'SELECT "Id" FROM "Case"')
t.ok(rc == 1 and "may not run raw SQL" in err, "sql --role policy --bind: no raw SQL for the policy", err)
rc, out, err = run("tools", "call", "--db", db, "--set", "query,crmarena", "--role", policy, "--bind", f"user_id={ME}",
                   "issue_soql_query", json.dumps({"query": "SELECT Id FROM Case"}))
t.ok(rc == 0 and {x["Id"] for x in json.loads(out)} == MINE, "tools call --role policy --bind: the agent's cases", err)
rc, out, err = run("tools", "call", "--db", db, "--set", "crmarena", "--role", policy, "--bind", f"user_id={ME}",
                   "get_cases", json.dumps({"agent_ids": [OTHER]}))
t.ok(rc == 0 and json.loads(out) == [], "get_cases of another agent: nothing", out + err)

# ------------------------------------------------------------------ run, rollout
tasks = os.path.join(tmp, "tasks.json")
with open(tasks, "w") as f:
    json.dump([{"idx": 0, "task": "custom", "query": "Which cases are there?", "answer": ["x"],
                "reward_metric": "exact_match"},
               {"idx": 1, "task": "custom", "query": "Which cases are there?", "answer": ["x"],
                "reward_metric": "exact_match", "context": {"role": "internal"}}], f)
call = {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
    "name": "issue_soql_query", "arguments": json.dumps({"query": "SELECT Id FROM Case"})}}]}
replay = os.path.join(tmp, "model.jsonl")
with open(replay, "w") as f:
    for k in ("0", "1"):
        f.write(json.dumps({"task_id": k, "messages": [call, {"role": "assistant", "content": "done"}]}) + "\n")


def seen_cases(path):
    out = []
    with open(path) as f:
        for line in f:
            tr = json.loads(line)
            tool = [m for m in tr["messages"] if m["role"] == "tool"]
            out.append({x["Id"] for x in json.loads(tool[0]["content"])} if tool else None)
    return out


for cmd in ("run", "rollout"):
    traj = os.path.join(tmp, f"{cmd}.jsonl")
    extra = ["--group", "1"] if cmd == "rollout" else []
    rc, out, err = run(cmd, "--db", db, "--tasks", tasks, "--backend", "replay", "--replay", replay, "--role", policy,
                       "--bind", f"user_id={ME}", "-o", traj, "--json", *extra)
    seen = seen_cases(traj) if rc == 0 else None
    t.ok(rc == 0 and seen == [MINE, MINE], f"{cmd} --role policy --bind: every episode sees the agent's cases only, "
         "also a task claiming context.role internal", err)
traj = os.path.join(tmp, "open.jsonl")
rc, out, err = run("run", "--db", db, "--tasks", tasks, "--backend", "replay", "--replay", replay, "-o", traj, "--json")
t.ok(rc == 0 and seen_cases(traj) == [ALL, ALL], "run without --role: internal access, as the host asked", err)

# ------------------------------------------------------------------ mistakes
bad = [
    (["query", "--db", db, "--bind", f"user_id={ME}", "SELECT Id FROM Case"], "--bind user_id=" + ME + " needs --role"),
    (["query", "--db", db, "--role", policy, "--bind", f"region={ME}", "SELECT Id FROM Case"], 'unknown variable "region"'),
    (["query", "--db", db, "--role", policy, "--bind", "user_id", "SELECT Id FROM Case"], "--bind takes KEY=VALUE"),
    (["query", "--db", db, "--role", policy, "--bind", f"={ME}", "SELECT Id FROM Case"], "--bind takes KEY=VALUE"),
    (["query", "--db", db, "--role", policy, "--bind", "user_id=", "SELECT Id FROM Case"], "--bind takes KEY=VALUE"),
    (["query", "--db", db, "--role", policy, "--bind", "user_id=Robert'); DROP", "SELECT Id FROM Case"],
     "is not a record Id"),
    (["query", "--db", db, "--role", policy, "--bind", f"user_id={ME}", "--bind", f"user_id={OTHER}",
      "SELECT Id FROM Case"], "--bind user_id is given twice"),
    (["query", "--db", db, "--role", policy, "--bind", "account_id=001000000000000AAA", "SELECT Id FROM Case"],
     "role 'tier1' has no variable :account_id"),
    (["query", "--db", db, "--role", "internal", "--bind", f"user_id={ME}", "SELECT Id FROM Case"],
     "role 'internal' has no variable :user_id"),
    (["sql", "--db", db, "--bind", f"user_id={ME}", "SELECT 1"], "needs --role"),
    (["tools", "call", "--db", db, "--set", "query", "--bind", f"user_id={ME}", "issue_soql_query",
      '{"query":"SELECT Id FROM Case"}'], "needs --role"),
    (["tools", "list", "--set", "query", "--role", policy], "belong to tools call"),
    (["run", "--db", db, "--tasks", tasks, "--backend", "replay", "--replay", replay, "--bind", f"user_id={ME}",
      "-o", os.path.join(tmp, "x.jsonl")], "needs --role"),
    (["rollout", "--db", db, "--tasks", tasks, "--backend", "replay", "--replay", replay, "--role", policy,
      "--bind", "user_id=x", "-o", os.path.join(tmp, "x.jsonl")], "is not a record Id"),
    (["run", "--db", db, "--tasks", tasks, "--backend", "replay", "--replay", replay, "--role", policy, "--role",
      "internal", "-o", os.path.join(tmp, "x.jsonl")], "--role is given twice"),
]
for args, what in bad:
    rc, out, err = run(*args)
    t.ok(one_line_error(rc, err, 2, what) and out == "", f"{args[0]} ... {what}: exit 2, one line", err)
t.ok(not os.path.exists(os.path.join(tmp, "x.jsonl")), "a run with a bad --bind writes nothing")

sys.exit(t.done())
