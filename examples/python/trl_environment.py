"""CRM episodes for TRL's GRPOTrainer through `environment_factory`.

Follows TRL 1.0.0 (trl/trainer/grpo_trainer.py, "environment_factory"; the
interface is marked experimental there):

  - the trainer calls the factory once per rollout slot, with no argument;
  - every public method of the instance but `reset` becomes a tool: its name,
    type hints and Google-style docstring are the tool's schema
    (transformers.utils.get_json_schema), and the trainer calls it with the
    model's arguments as keyword arguments; what it returns is the tool message;
  - `reset(**row)` is called before each rollout with the dataset row's
    columns; a string it returns is appended to the last user message;
  - the reward functions receive the instances as `environments`.

So the CRM tools are the environment's methods (one generated method per
tool of the task set's registry, with the tool's own description and
parameters), `reset` starts the row's task, and the reward is read by the
reward function `crm_reward`, which ends each episode with the model's final
message and returns the task's reward.  The rest of the class is private
(underscore names), so the model sees the CRM tools and nothing else.

    from trl import GRPOConfig, GRPOTrainer
    CRMEnvironment = make_environment_class("org.db", "tasks.json")
    trainer = GRPOTrainer(model="Qwen/Qwen3-0.6B", args=GRPOConfig(...),
                          train_dataset=Dataset.from_list(dataset_rows(CRMEnvironment)),
                          reward_funcs=crm_reward, environment_factory=CRMEnvironment)

TRL is not a dependency of libcrmweaver and was not run here: the adapter is
tested against a restatement of TRL 1.0.0's calls (the same class names,
signatures and call order: bindings/python/tests/restated/trl).
"""
from __future__ import annotations

import json
import keyword
from typing import Any, Dict, List, Optional

import crmweaver as cw

TRL_VERSION = "1.0.0"

_PY = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list", "object": "dict"}


def _method_source(spec: Dict[str, Any]) -> str:
    """A method for one tool: typed parameters, a Google-style docstring."""
    fn = spec["function"]
    name = fn["name"]
    params = fn.get("parameters") or {}
    props = params.get("properties") or {}
    required = set(params.get("required") or [])
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_") or name == "reset":
        raise ValueError(f"tool {name!r} cannot be a method name")
    args, doc_args, call = [], [], []
    for pname in sorted(props, key=lambda p: p not in required):  # required ones first
        if not pname.isidentifier() or keyword.iskeyword(pname):
            raise ValueError(f"tool {name!r}: parameter {pname!r} cannot be a Python name")
        ptype = _PY.get(props[pname].get("type"), "str")
        if pname in required:
            args.append(f"{pname}: {ptype}")
        else:
            args.append(f"{pname}: Optional[{ptype}] = None")
        desc = " ".join(str(props[pname].get("description") or pname).split())
        doc_args.append(f"            {pname}: {desc}")
        call.append(f"{pname!r}: {pname}")
    desc = " ".join(str(fn.get("description") or name).split()).replace('"""', "'''")
    doc = desc + "\n\n"
    if doc_args:
        doc += "        Args:\n" + "\n".join(doc_args) + "\n\n"
    doc += "        Returns:\n            The tool's result (JSON text)."
    sig = ", ".join(["self"] + args)
    return (f"    def {name}({sig}) -> str:\n"
            f"        \"\"\"{doc}\n        \"\"\"\n"
            f"        return self._call({name!r}, {{{', '.join(call)}}})\n")


class _Base:
    """What every generated environment class shares (private names only)."""

    _pool: cw.EnvPool
    _ntasks: int

    def __init__(self) -> None:
        self._env = self._pool.env()
        self._done = True
        self._reward = 0.0
        self._calls = 0

    def _call(self, name: str, arguments: Dict[str, Any]) -> str:
        if self._done:
            return "The episode is over: answer without calling a tool."
        args = {k: v for k, v in arguments.items() if v is not None}
        self._calls += 1
        msg = {"role": "assistant", "content": None,
               "tool_calls": [{"id": f"call_{self._calls}", "type": "function",
                               "function": {"name": name, "arguments": json.dumps(args)}}]}
        obs, reward, terminated, truncated, info = self._env.step(msg)
        self._done = terminated or truncated
        if self._done:
            self._reward = reward
        tool = [m["content"] for m in obs if m.get("role") in ("tool", "user") and m.get("content")]
        return "\n".join(tool) if tool else ("Answer recorded." if self._done else "")

    def _finish(self, final_text: str) -> float:
        """End the episode with the model's final message; the task's reward."""
        if not self._done:
            obs, reward, terminated, truncated, info = self._env.step({"role": "assistant", "content": final_text})
            self._done = True
            self._reward = reward
        return float(self._reward)


def make_environment_class(org_path: str, tasks_path: str, split: Optional[str] = "train",
                           memory_path: Optional[str] = None, agent: Optional[Dict[str, Any]] = None,
                           workers: int = 1) -> type:
    """The class to give as environment_factory: reset(task_index=..., **row)
    and one method per CRM tool of the episodes' registry."""
    pool = cw.EnvPool(org_path, workers=workers, memory="write" if memory_path else "off",
                      agent=dict({"max_turns": 50}, **(agent or {})))
    tasks = cw.TaskSet.load(tasks_path)
    if split:
        tasks = tasks.select(split=split)
    pool.set_tasks(tasks)
    if memory_path:
        pool.set_memory(cw.Memory(memory_path))
    probe = pool.env()
    specs = probe.reset(index=0)[1]["tools"]
    probe.close()
    src = "class CRMEnvironment(_Base):\n"
    src += "    \"\"\"One CRM episode per rollout: reset(task_index=...) starts it, the CRM tools are methods.\"\"\"\n\n"
    src += ("    def reset(self, task_index: Optional[int] = None, **kwargs: Any) -> Optional[str]:\n"
            "        \"\"\"Start the task of the row (its task_index column), else the next task of a\n"
            "        seeded shuffle, whose question is then returned (appended to the prompt).\"\"\"\n"
            "        if task_index is not None:\n"
            "            self._env.reset(index=int(task_index))\n"
            "            question = None\n"
            "        else:\n"
            "            obs, _ = self._env.reset()\n"
            "            question = obs[-1]['content']\n"
            "        self._done, self._reward, self._calls = False, 0.0, 0\n"
            "        return question\n\n")
    src += "\n".join(_method_source(s) for s in specs)
    ns: Dict[str, Any] = {"_Base": _Base, "Optional": Optional, "Any": Any}
    exec(compile(src, "<crmweaver environment class>", "exec"), ns)
    cls = ns["CRMEnvironment"]
    cls._pool = pool
    cls._ntasks = len(tasks)
    cls._keep = (tasks,)
    return cls


def dataset_rows(env_class: type) -> List[Dict[str, Any]]:
    """One row per task: the prompt (system and user messages, as an episode
    starts) and its task_index, which the trainer hands to reset()."""
    env = env_class._pool.env()
    rows = []
    for i in range(env_class._ntasks):
        obs, _ = env.reset(index=i)
        rows.append({"prompt": [{"role": m["role"], "content": m["content"]} for m in obs], "task_index": i})
    env.close()
    return rows


def _final_text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    for m in reversed(completion or []):
        if m.get("role") == "assistant" and not m.get("tool_calls"):
            return m.get("content") or ""
    return ""


def crm_reward(completions: List[Any], environments: List[Any], **kwargs: Any) -> List[float]:
    """The reward function: each environment's episode ends with its
    completion's final assistant message, scored with the task's metric."""
    return [env._finish(_final_text(c)) for c, env in zip(completions, environments)]


if __name__ == "__main__":  # a smoke run with a scripted "model"
    import sys
    CRMEnvironment = make_environment_class(sys.argv[1], sys.argv[2], split=None)
    env = CRMEnvironment()
    env.reset(task_index=0)
    print([n for n in dir(env) if not n.startswith("_")][:5], "...")
    print(crm_reward([[{"role": "assistant", "content": "I do not know."}]], [env]))
