#!/usr/bin/env python3
"""The Python reference environment of `crmweaver bench env`: an RL
environment built the usual way, the same tools as Python functions over the
same SQLite org through the sqlite3 module, JSON observations.

It plays the episodes `crmweaver bench env` gives it (a JSON file: the tools'
specs, and per episode the task's query, today, gold answer and the model
outputs of each step) and prints the latencies it measured, in microseconds,
as JSON: {"reset_us": [...], "step_us": [...], "reward_us": [...]}.

usage: env_reference.py ORG.db EPISODES.json
"""
import json
import re
import sqlite3
import sys
import time

SYSTEM = (
    "You are a CRM analyst working inside the company's Salesforce org. Answer from the "
    "records of the org. Call the tools with JSON arguments; give the final answer as text.\n"
    "Today's date: {today}\n"
)


class Tools:
    """The tools the scripted policy calls, as the crmarena set defines them."""

    def __init__(self, con):
        self.con = con

    def get_period(self, period_name, year):
        quarters = {"Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}
        seasons = {"Spring": 3, "Summer": 6, "Fall": 9, "Autumn": 9, "Winter": 12}
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        if period_name in quarters:
            start, n = quarters[period_name], 3
        elif period_name in seasons:
            start, n = seasons[period_name], 3
        elif period_name in months:
            start, n = months.index(period_name) + 1, 1
        else:
            raise ValueError("unknown period_name")
        end_m = start - 1 + n
        ey, em = year + end_m // 12, end_m % 12 + 1
        return {"start_date": f"{year:04d}-{start:02d}-01T00:00:00Z", "end_date": f"{ey:04d}-{em:02d}-01T00:00:00Z"}

    def get_agent_handled_cases_by_period(self, start_date, end_date):
        rows = self.con.execute(
            "SELECT NewValue__c, COUNT(Id) FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
            "AND CreatedDate >= ? AND CreatedDate < ? AND NewValue__c IS NOT NULL GROUP BY NewValue__c",
            (start_date, end_date)).fetchall()
        return {owner: n for owner, n in rows}

    def get_cases(self, start_date=None, end_date=None, statuses=None, agent_ids=None):
        sql = "SELECT Id, OwnerId, CreatedDate, ClosedDate, AccountId FROM \"Case\""
        where, args = [], []
        if start_date:
            where.append("CreatedDate >= ?")
            args.append(start_date)
        if end_date:
            where.append("CreatedDate < ?")
            args.append(end_date)
        if statuses:
            where.append("Status IN (%s)" % ",".join("?" * len(statuses)))
            args += statuses
        if agent_ids:
            where.append("OwnerId IN (%s)" % ",".join("?" * len(agent_ids)))
            args += agent_ids
        if not where:
            raise ValueError("At least one filter criteria must be provided")
        sql += " WHERE " + " AND ".join(where)
        cur = self.con.execute(sql, args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.S)


class Env:
    def __init__(self, con, tool_specs):
        self.tools = Tools(con)
        self.specs = tool_specs
        self.by_name = {s["function"]["name"]: s["function"] for s in tool_specs}

    def reset(self, task):
        self.task = task
        self.turn = 0
        self.messages = [
            {"role": "system", "content": SYSTEM.format(today=task["today"])},
            {"role": "user", "content": task["query"]},
        ]
        return json.dumps({"task_id": task["id"], "turn": 0, "messages": self.messages, "tools": self.specs})

    def _check(self, name, args):
        spec = self.by_name.get(name)
        if spec is None:
            return f"unknown tool {name}"
        props = spec["parameters"].get("properties", {})
        for k in spec["parameters"].get("required", []):
            if k not in args:
                return f"missing argument {k}"
        for k, v in args.items():
            if k not in props:
                return f"unknown argument {k}"
            t = props[k].get("type")
            ok = {"string": str, "integer": int, "number": (int, float), "array": list, "object": dict,
                  "boolean": bool}.get(t, object)
            if not isinstance(v, ok):
                return f"argument {k} must be {t}"
        return None

    def step(self, output):
        self.turn += 1
        new = [{"role": "assistant", "content": output}]
        m = CALL.search(output)
        done, reward = False, None
        if m:
            call = json.loads(m.group(1))
            name, args = call["name"], call.get("arguments", {})
            err = self._check(name, args)
            if err:
                content = "Error: " + err
            else:
                try:
                    content = json.dumps(getattr(self.tools, name)(**args))
                except Exception as e:  # the tool's error is the observation
                    content = "Error: " + str(e)
            new.append({"role": "tool", "name": name, "content": content})
        else:
            done = True
            reward = self.reward(output)
        self.messages += new
        return json.dumps({"messages": new, "reward": reward, "done": done, "info": {"turn": self.turn}})

    def reward(self, answer):
        gold = [str(g if g is not None else "None").strip().lower() for g in self.task["answer"]]
        return 1.0 if answer.strip().lower() in gold else 0.0


def main():
    org, episodes_path = sys.argv[1], sys.argv[2]
    with open(episodes_path) as f:
        spec = json.load(f)
    con = sqlite3.connect(f"file:{org}?mode=ro", uri=True, check_same_thread=False)
    env = Env(con, spec["tools"])
    reset_us, step_us, reward_us = [], [], []
    ns = time.perf_counter_ns
    for ep in spec["episodes"]:
        t = ns()
        env.reset(ep["task"])
        reset_us.append((ns() - t) / 1000)
        for out in ep["outputs"]:
            t = ns()
            env.step(out)
            step_us.append((ns() - t) / 1000)
        t = ns()
        env.reward(ep["answer"])
        reward_us.append((ns() - t) / 1000)
    print(json.dumps({"reset_us": reset_us, "step_us": step_us, "reward_us": reward_us}))


if __name__ == "__main__":
    main()
