"""CRM episodes as verl tools: one `BaseTool` per CRM tool, async.

Follows verl 0.5.0 (verl/tools/base_tool.py, verl/tools/utils/tool_registry.py):

  - a tool class is built from `(config, tool_schema)` as the tool config
    file names it (class_name, config, tool_schema: write_tool_config writes
    one entry per CRM tool);
  - `await create(instance_id, **create_kwargs) -> instance_id`,
    `await execute(instance_id, parameters) -> (text, step reward, metrics)`,
    `await calc_reward(instance_id) -> float`, `await release(instance_id)`;
  - the multi-turn rollout (verl/workers/rollout/sglang_rollout) drives them
    per request: every tool of the row's `extra_info.tools_kwargs` is created
    with the request id as instance id, the model's calls are executed with
    that id, then each tool's calc_reward and release run.

One episode (a crmweaver Env) is kept per instance id and shared by the
request's tools (created by the first create, freed by the last release);
the row's create_kwargs name its task (`task_index`, written by
dataset_rows).  The episode's reward is returned by the `respond` tool's
calc_reward (the CRM prompt asks the model to answer with it); the other
tools return 0.0, so that a sum over the tools counts it once.  The tool
calls of one episode run one at a time (an environment is used by one thread
at a time), off the event loop.

verl 0.5.0's experimental ToolAgentLoop creates a fresh instance for every
call, without create_kwargs, so it cannot carry an episode: create() then
fails with a message saying so.  verl 0.6 and later changed the signatures
(ToolResponse instead of text): not covered.

verl is not a dependency of libcrmweaver and was not run here: the adapter is
tested against a restatement of verl 0.5.0's classes and of the rollout's
per-request call order (bindings/python/tests/restated/verl).
"""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Dict, List, Optional, Tuple
from uuid import uuid4

from verl.tools.base_tool import BaseTool
from verl.tools.schemas import OpenAIFunctionToolSchema

import crmweaver as cw

VERL_VERSION = "0.5.0"

_lock = threading.Lock()
_pools: Dict[str, Tuple[cw.EnvPool, cw.TaskSet]] = {}
_episodes: Dict[str, "_Episode"] = {}


def _pool(config: Dict[str, Any]) -> cw.EnvPool:
    """One pool per (org, tasks, agent options) in the process."""
    key = json.dumps([config["org_path"], config["tasks_path"], config.get("agent") or {}], sort_keys=True)
    with _lock:
        if key not in _pools:
            pool = cw.EnvPool(config["org_path"], workers=1, memory="off",
                              agent=dict({"max_turns": 50}, **(config.get("agent") or {})))
            tasks = cw.TaskSet.load(config["tasks_path"])
            pool.set_tasks(tasks)
            _pools[key] = (pool, tasks)
        return _pools[key][0]


class _Episode:
    def __init__(self, env: cw.Env) -> None:
        self.env = env
        self.refs = 0
        self.done = False
        self.reward = 0.0
        self.calls = 0
        self.lock: Optional[asyncio.Lock] = None


def live_episodes() -> int:
    """How many episodes are held (0 once every request released its tools)."""
    with _lock:
        return len(_episodes)


class CRMTool(BaseTool):
    """One CRM tool over the request's episode."""

    def __init__(self, config: dict, tool_schema: OpenAIFunctionToolSchema):
        super().__init__(config, tool_schema)
        self.pool = _pool(config)

    async def create(self, instance_id: Optional[str] = None, task_index: Optional[int] = None, **kwargs: Any) -> str:
        if instance_id is None or task_index is None:
            raise ValueError("CRMTool.create needs the request id and create_kwargs {\"task_index\": N} (the rows of "
                             "dataset_rows); a loop that creates a tool per call (verl 0.5.0's ToolAgentLoop) cannot "
                             "hold a CRM episode")
        with _lock:
            ep = _episodes.get(instance_id)
            if ep is None:
                env = self.pool.env()
                env.reset(index=int(task_index), episode_id=instance_id)
                ep = _episodes[instance_id] = _Episode(env)
            ep.refs += 1
        return instance_id

    async def execute(self, instance_id: str, parameters: Dict[str, Any], **kwargs: Any) -> Tuple[str, float, dict]:
        ep = _episodes[instance_id]
        if ep.lock is None:
            ep.lock = asyncio.Lock()
        async with ep.lock:
            if ep.done:
                return "The episode is over.", 0.0, {"status": "over"}
            ep.calls += 1
            msg = {"role": "assistant", "content": None,
                   "tool_calls": [{"id": f"call_{ep.calls}", "type": "function",
                                   "function": {"name": self.name, "arguments": json.dumps(parameters)}}]}
            obs, reward, terminated, truncated, info = await asyncio.to_thread(ep.env.step, msg)
            if terminated or truncated:
                ep.done, ep.reward = True, float(reward)
            text = "\n".join(m["content"] for m in obs if m.get("role") in ("tool", "user") and m.get("content"))
            status = (info.get("actions") or [{}])[0].get("status", "ok")
            return text or ("Answer recorded." if ep.done else ""), 0.0, {"status": status}

    async def calc_reward(self, instance_id: str, **kwargs: Any) -> float:
        ep = _episodes.get(instance_id)
        return ep.reward if ep is not None and self.name == "respond" else 0.0

    async def release(self, instance_id: str, **kwargs: Any) -> None:
        with _lock:
            ep = _episodes.get(instance_id)
            if ep is None:
                return
            ep.refs -= 1
            if ep.refs > 0:
                return
            del _episodes[instance_id]
        ep.env.close()


def _tool_specs(org_path: str, tasks_path: str, agent: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    pool = _pool({"org_path": org_path, "tasks_path": tasks_path, "agent": agent})
    env = pool.env()
    specs = env.reset(index=0)[1]["tools"]
    env.close()
    return specs


def write_tool_config(path: str, org_path: str, tasks_path: str, agent: Optional[Dict[str, Any]] = None,
                      module: str = "verl_tool_agent") -> None:
    """The tool config file (multi_turn.tool_config_path): one native tool
    entry per CRM tool.  Written as JSON, which YAML readers accept."""
    config = {"type": "native", "org_path": org_path, "tasks_path": tasks_path, "agent": agent or {}}
    tools = []
    for s in _tool_specs(org_path, tasks_path, agent):
        params = s["function"].setdefault("parameters", {"type": "object", "properties": {}})
        params.setdefault("required", [])  # verl's schema model requires the list, empty or not
        tools.append({"class_name": f"{module}.CRMTool", "config": config, "tool_schema": s})
    with open(path, "w") as f:
        json.dump({"tools": tools}, f, indent=2)


def dataset_rows(org_path: str, tasks_path: str, agent: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """One row per task: the prompt (system and user messages) and
    extra_info.tools_kwargs naming the task in every tool's create_kwargs."""
    pool = _pool({"org_path": org_path, "tasks_path": tasks_path, "agent": agent})
    names = [s["function"]["name"] for s in _tool_specs(org_path, tasks_path, agent)]
    env = pool.env()
    rows = []
    for i in range(pool._ntasks):
        obs, info = env.reset(index=i)
        rows.append({"prompt": [{"role": m["role"], "content": m["content"]} for m in obs],
                     "extra_info": {"index": i, "task_id": info["task_id"],
                                    "tools_kwargs": {n: {"create_kwargs": {"task_index": i}} for n in names}}})
    env.close()
    return rows
