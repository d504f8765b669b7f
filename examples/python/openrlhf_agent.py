"""CRM episodes for OpenRLHF's multi-turn agent mode (--agent_func_path).

Follows OpenRLHF 0.11.0 (openrlhf/utils/agent.py; README, "Multi-Turn Agent"):

  - the module defines `AgentExecutor(MultiTurnAgentExecutor)`, built with no
    argument, which makes one `AgentInstance()` per prompt;
  - `await reset({"observation": prompt, "label": label})` returns
    {"observation": text};
  - after each generation `await step({"observation_text", "action_text",
    "label", "sampling_params"})` returns {"rewards" (read with .item()),
    "scores", "environment_feedback" (text appended to the conversation),
    "done", "sampling_params", "extra_logs"}.

The label names the task ({"task_index": N}, written by write_dataset); each
action is one crmweaver environment step (any tool-call dialect the model
writes), the tool results come back as environment feedback in the chat
template's form (ChatML by default: <|im_start|>tool ... <|im_end|> then the
assistant's turn; set FEEDBACK_TEMPLATE for another template), and the reward
is the task's, given when the episode ends (0 before).  The org and the tasks
come from the environment variables CRMW_ORG and CRMW_TASKS (OpenRLHF loads
this file by path, without arguments).

    python -m openrlhf.cli.train_ppo_ray ... --agent_func_path examples/python/openrlhf_agent.py \\
        --prompt_data prompts.jsonl --input_key input --label_key label

OpenRLHF is not a dependency of libcrmweaver and was not run here: the
adapter is tested against a restatement of 0.11.0's classes and
MultiTurnAgentExecutor's call order (bindings/python/tests/restated/openrlhf).
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any, Dict, List, Optional

from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

import crmweaver as cw

OPENRLHF_VERSION = "0.11.0"

# How a message is written into the conversation (ChatML: Qwen, many others).
MESSAGE_TEMPLATE = "<|im_start|>{role}\n{content}<|im_end|>\n"
FEEDBACK_TEMPLATE = MESSAGE_TEMPLATE
ASSISTANT_START = "<|im_start|>assistant\n"

_lock = threading.Lock()
_state: Dict[str, Any] = {}


def _pool() -> cw.EnvPool:
    with _lock:
        if "pool" not in _state:
            org, tasks_path = os.environ.get("CRMW_ORG"), os.environ.get("CRMW_TASKS")
            if not org or not tasks_path:
                raise RuntimeError("openrlhf_agent: set CRMW_ORG (the org database) and CRMW_TASKS (the task file)")
            pool = cw.EnvPool(org, workers=1, memory="off", agent={"max_turns": 50})
            tasks = cw.TaskSet.load(tasks_path)
            pool.set_tasks(tasks)
            _state.update(pool=pool, tasks=tasks)
        return _state["pool"]


class _Scalar(float):
    """A reward with .item(), as a torch scalar has (torch is not needed)."""

    def item(self) -> float:
        return float(self)


def _reward(x: float) -> Any:
    try:
        import torch  # the type OpenRLHF's own examples return
        return torch.tensor(float(x))
    except ImportError:
        return _Scalar(x)


def render(messages: List[Dict[str, Any]], template: str = MESSAGE_TEMPLATE) -> str:
    """Messages as chat-template text (tool calls kept as their JSON)."""
    out = []
    for m in messages:
        content = m.get("content") or ""
        if m.get("tool_calls"):
            content += "".join("<tool_call>" + json.dumps({"name": c["function"]["name"],
                                                           "arguments": json.loads(c["function"]["arguments"])})
                               + "</tool_call>" for c in m["tool_calls"])
        out.append(template.format(role=m["role"], content=content))
    return "".join(out)


class AgentInstance(AgentInstanceBase):
    """One CRM episode per prompt."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.env = _pool().env()
        self.done = False

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        label = states["label"]
        task = json.loads(label) if isinstance(label, str) else label
        index = task["task_index"] if isinstance(task, dict) else int(task)
        await asyncio.to_thread(self.env.reset, index=int(index))
        self.done = False
        return {"observation": states["observation"]}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        action = states["action_text"]
        for end in ("<|im_end|>", "<|endoftext|>", "</s>"):
            action = action.replace(end, "")
        obs, reward, terminated, truncated, info = await asyncio.to_thread(self.env.step, action)
        self.done = terminated or truncated
        feedback = [m for m in obs if m.get("role") in ("tool", "user")]
        text = "".join(FEEDBACK_TEMPLATE.format(role=m["role"], content=m.get("content") or "") for m in feedback)
        if not self.done:
            text += ASSISTANT_START
        r = float(reward) if self.done else 0.0
        return {"rewards": _reward(r), "scores": _reward(r), "environment_feedback": text, "done": self.done,
                "sampling_params": states.get("sampling_params", None),
                "extra_logs": {"turn": info.get("turn", 0), "format_error": 1.0 if info.get("format_error") else 0.0}}


class AgentExecutor(MultiTurnAgentExecutor):
    def __init__(self) -> None:
        super().__init__(AgentInstance)


def write_dataset(path: str, org_path: str, tasks_path: str) -> None:
    """The prompt file: {"input": the episode's first messages as chat-template
    text ending with the assistant's turn, "label": {"task_index": N}} per task."""
    pool = cw.EnvPool(org_path, workers=1, memory="off")
    tasks = cw.TaskSet.load(tasks_path)
    pool.set_tasks(tasks)
    env = pool.env()
    with open(path, "w") as f:
        for i in range(len(tasks)):
            obs, _ = env.reset(index=i)
            f.write(json.dumps({"input": render(obs) + ASSISTANT_START, "label": json.dumps({"task_index": i})}) + "\n")
    env.close()
    pool.close()
