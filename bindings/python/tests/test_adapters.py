"""The trainer adapters of examples/python against restatements of the
trainers' documented interfaces (tests/restated: the same module paths, class
names, signatures and call order as the versions each adapter names; the
trainers themselves are not installable here and were not run)."""
import asyncio
import importlib
import importlib.util
import json
import os
import sys

import pytest

import crmweaver as cw

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "..", "examples", "python")
sys.path.insert(0, os.path.join(HERE, "restated"))


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # verl's tool registry imports the adapter by its module name
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("adapters")
    cw.Org.generate(d / "org.db", profile="b2b", seed=3, scale=0.1).close()
    with cw.Org(d / "org.db") as org:
        ts = cw.TaskSet.generate(org, per_family=3, seed=3, families="handle_time,case_routing")
        tasks = list(ts)
        ts.close()
    with open(d / "tasks.jsonl", "w") as f:
        for t in tasks:
            f.write(json.dumps(dict(t, split="train")) + "\n")
    return {"org": str(d / "org.db"), "tasks": str(d / "tasks.jsonl"), "list": tasks, "dir": d}


def gold_by_question(tasks):
    return {t["query"]: (t["answer"][0] if t["answer"] else "None") for t in tasks}


def question_of(messages):
    for m in messages:
        if m.get("role") == "user":
            return m["content"]
    return ""


# ------------------------------------------------------------------- TRL 1.0.0

def test_trl_environment_factory(world):
    trl = importlib.import_module("trl")
    mod = load("trl_environment")
    CRMEnvironment = mod.make_environment_class(world["org"], world["tasks"])
    rows = mod.dataset_rows(CRMEnvironment)
    gold = gold_by_question(world["list"])
    seen_tools = []

    def policy(messages, tools):  # a call on the first turn, then the gold answer
        seen_tools.append([t["function"]["name"] for t in tools])
        if messages[-1]["role"] != "tool":
            return {"role": "assistant", "content": "",
                    "tool_calls": [{"type": "function", "function": {"name": "issue_soql_query",
                                    "arguments": {"query": "SELECT Id FROM Account LIMIT 1"}}}]}
        return {"role": "assistant", "content": str(gold[question_of(messages)])}

    trainer = trl.GRPOTrainer(model=policy, reward_funcs=mod.crm_reward,
                              args=trl.GRPOConfig(per_device_train_batch_size=2), train_dataset=rows,
                              environment_factory=CRMEnvironment)
    names = [t["function"]["name"] for t in trainer.tool_schemas]
    assert "issue_soql_query" in names and "get_period" in names
    assert "step" not in names and not any(n.startswith("_") for n in names) and "reset" not in names
    specs = {t["function"]["name"]: t for t in trainer.tool_schemas}
    assert specs["get_period"]["function"]["parameters"]["required"] == ["period_name", "year"] or \
        set(specs["get_period"]["function"]["parameters"]["required"]) == {"period_name", "year"}
    batches = trainer.train()
    rewards = [r for _, _, rs in batches for r in rs[0]]
    completions = [c for _, cs, _ in batches for c in cs]
    assert len(rewards) >= len(rows) and all(r == 1.0 for r in rewards), rewards
    assert all(c[1]["role"] == "tool" and c[1]["name"] == "issue_soql_query" and c[1]["content"].startswith("[")
               for c in completions)
    assert trainer.tool_failure_count == 0
    # a bad call is the tool's error text for the model, not an exception in the trainer
    env = CRMEnvironment()
    env.reset(task_index=0)
    assert "error" in env.issue_soql_query(query="SELECT Nope FROM Case").lower()
    # reset without a task_index column: the next task of the shuffle, its question returned
    q = env.reset()
    assert isinstance(q, str) and q in gold


# -------------------------------------------------------------------- verl 0.5.0

def test_verl_base_tool(world, tmp_path):
    mod = load("verl_tool_agent")
    from verl.tools.utils.tool_registry import initialize_tools_from_config
    from verl.workers.rollout.multiturn import run_request
    cfg = tmp_path / "tools.yaml"
    mod.write_tool_config(str(cfg), world["org"], world["tasks"])
    tools = initialize_tools_from_config(str(cfg))
    assert {t.name for t in tools} >= {"issue_soql_query", "respond", "get_period"}
    assert all(asyncio.iscoroutinefunction(t.execute) for t in tools)
    rows = mod.dataset_rows(world["org"], world["tasks"])
    gold = gold_by_question(world["list"])

    def policy(messages):
        if messages[-1]["role"] != "tool":
            return [{"name": "issue_soql_query", "arguments": json.dumps({"query": "SELECT Id FROM Case LIMIT 2"})},
                    {"name": "get_period", "arguments": json.dumps({"period_name": "Q1", "year": 2024})}]
        if messages[-1]["content"].startswith("Answer recorded"):
            return []
        return [{"name": "respond", "arguments": json.dumps({"content": str(gold[question_of(messages)])})}]

    async def main():
        # several requests at once on one event loop, as the rollout runs them
        return await asyncio.gather(*[run_request(tools, row, policy, request_id=f"req{i}")
                                      for i, row in enumerate(rows)])

    results = asyncio.run(main())
    for res in results:
        assert res["rewards"]["respond"] == 1.0, res
        assert all(v == 0.0 for k, v in res["rewards"].items() if k != "respond")
        assert [m["role"] for m in res["messages"][2:5]] == ["assistant", "tool", "tool"]
    assert mod.live_episodes() == 0  # every episode released


# ---------------------------------------------------------------- OpenRLHF 0.11.0

def test_openrlhf_agent(world, tmp_path, monkeypatch):
    monkeypatch.setenv("CRMW_ORG", world["org"])
    monkeypatch.setenv("CRMW_TASKS", world["tasks"])
    mod = load("openrlhf_agent")
    from openrlhf.utils.agent import MultiTurnAgentExecutor, AgentInstanceBase
    from openrlhf.restated import CharTokenizer, ScriptedEngine, SamplingParams
    assert issubclass(mod.AgentExecutor, MultiTurnAgentExecutor) and issubclass(mod.AgentInstance, AgentInstanceBase)
    data = tmp_path / "prompts.jsonl"
    mod.write_dataset(str(data), world["org"], world["tasks"])
    rows = [json.loads(line) for line in open(data)]
    gold = gold_by_question(world["list"])

    def policy(text):
        if "<|im_start|>tool" not in text:
            return ('<tool_call>{"name": "issue_soql_query", "arguments": {"query": "SELECT Id FROM Case LIMIT 1"}}'
                    "</tool_call><|im_end|>")
        q = next(k for k in gold if k in text)
        return f"{gold[q]}<|im_end|>"

    executor = mod.AgentExecutor()

    async def main():
        return await asyncio.gather(*[executor.execute(r["input"], r["label"], SamplingParams(max_tokens=4096),
                                                       max_length=200000, hf_tokenizer=CharTokenizer(),
                                                       llm_engine=ScriptedEngine(policy)) for r in rows])

    outs = asyncio.run(main())
    assert all(o["reward"] == 1.0 and o["turns"] == 2 for o in outs), outs
    assert all("<|im_start|>tool" in o["observation_text"] for o in outs)


# --------------------------------------------------------------------- Ray 2.x

def test_ray_rollouts(world):
    import ray
    mod = load("ray_rollouts")
    ray.init()
    Fleet = ray.remote(mod.Fleet)
    fleet = [Fleet.remote(world["org"], world["tasks"]) for _ in range(2)]
    obs = ray.get([f.reset_group.remote(task_index=i, size=3) for i, f in enumerate(fleet)])
    assert len(obs) == 2 and all(len(g) == 3 and g[0][0]["role"] == "system" for g in obs)
    steps = ray.get([f.step_group.remote([{"role": "assistant", "content": "I do not know."}] * 3) for f in fleet])
    assert all(s[2] for g in steps for s in g)
    adv = ray.get([f.advantages.remote() for f in fleet])
    assert all(a["size"] == 3 for a in adv)
    ray.shutdown()
