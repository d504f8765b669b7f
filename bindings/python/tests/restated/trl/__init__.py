"""A restatement of TRL 1.0.0's `environment_factory` path of GRPOTrainer
(trl/trainer/grpo_trainer.py), for testing adapters without TRL: not TRL.

What it keeps, in TRL's order:
  1. __init__: one environment per rollout slot, `environment_factory()` with
     no argument; `inspect.getmembers(env, predicate=inspect.ismethod)`: a
     `reset` is required, every other name not starting with "_" is a tool,
     its schema from transformers.utils.get_json_schema (restated below with
     its checks: a docstring, a type hint and an "Args:" line per parameter);
  2. per batch: `environment.reset(**row)` for each row (the row's columns,
     "prompt" included); a str it returns is appended to the prompt's last
     message;
  3. generation with tool calls: the model's tool calls are run as
     `tool(**arguments)` (an exception becomes {"error": str(e)}), each
     result appended as {"role": "tool", "name": name, "content": str(result)},
     until a reply without tool calls or max_tool_calling_iterations;
  4. rewards: each reward function is called with prompts, completions,
     completion_ids, trainer_state, log_extra, log_metric, environments and
     the other columns as keyword arguments.
The model is a callable policy(messages, tools) -> assistant message (with
"tool_calls": [{"type": "function", "function": {"name", "arguments": {...}}}]).
"""
import copy
import inspect
import re
import typing
from dataclasses import dataclass

__version__ = "1.0.0 (restated)"


class DocstringParsingException(Exception):
    pass


class TypeHintParsingException(Exception):
    pass


_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}


def _parse_type_hint(hint):
    origin = typing.get_origin(hint)
    if origin is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        out = _parse_type_hint(args[0]) if len(args) == 1 else {"type": [_parse_type_hint(a)["type"] for a in args]}
        if len(args) < len(typing.get_args(hint)):
            out = dict(out, nullable=True)
        return out
    if origin in (list, dict):
        return {"type": _TYPES[origin]}
    if hint in _TYPES:
        return {"type": _TYPES[hint]}
    if hint is typing.Any:
        return {}
    raise TypeHintParsingException(f"Couldn't parse this type hint: {hint}")


def _parse_google_docstring(doc):
    main = re.split(r"\n\s*(Args|Returns|Raises):", doc)[0].strip()
    params = {}
    m = re.search(r"\n\s*Args:\n(.*?)(\n\s*(Returns|Raises):|\Z)", doc, re.S)
    if m:
        for line in m.group(1).splitlines():
            pm = re.match(r"\s*(\w+)\s*(\(.*?\))?:\s*(.*)", line)
            if pm:
                params[pm.group(1)] = pm.group(3).strip()
    r = re.search(r"\n\s*Returns:\n\s*(.*)", doc, re.S)
    return main, params, (r.group(1).strip() if r else None)


def get_json_schema(func):
    """transformers.utils.get_json_schema, as TRL uses it for tools."""
    doc = inspect.getdoc(func)
    if not doc:
        raise DocstringParsingException(f"Cannot generate JSON schema for {func.__name__} because it has no docstring!")
    main, param_desc, ret = _parse_google_docstring(doc)
    hints = typing.get_type_hints(func)
    sig = inspect.signature(func)
    required = []
    for p in sig.parameters.values():
        if p.annotation is inspect.Parameter.empty:
            raise TypeHintParsingException(f"Argument {p.name} is missing a type hint in function {func.__name__}")
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
    props = {n: _parse_type_hint(h) for n, h in hints.items() if n != "return"}
    for n in props:
        if n not in param_desc:
            raise DocstringParsingException(
                f"Cannot generate JSON schema for {func.__name__} because the docstring has no description for the "
                f"argument '{n}'")
        props[n]["description"] = param_desc[n]
    params = {"type": "object", "properties": props}
    if required:
        params["required"] = required
    return {"type": "function", "function": {"name": func.__name__, "description": main, "parameters": params}}


@dataclass
class GRPOConfig:
    per_device_train_batch_size: int = 4
    steps_per_generation: int = 1
    max_tool_calling_iterations: int = 10
    max_steps: int = 1


class GRPOTrainer:
    def __init__(self, model, reward_funcs, args=None, train_dataset=None, tools=None, environment_factory=None):
        self.model = model
        self.args = args or GRPOConfig()
        self.reward_funcs = reward_funcs if isinstance(reward_funcs, list) else [reward_funcs]
        self.train_dataset = list(train_dataset or [])
        self.max_tool_calling_iterations = self.args.max_tool_calling_iterations
        generation_batch_size = self.args.per_device_train_batch_size * self.args.steps_per_generation
        if environment_factory is not None:
            self.environments = [environment_factory() for _ in range(generation_batch_size)]
            environment_methods = [[] for _ in range(generation_batch_size)]
            for i, environment in enumerate(self.environments):
                has_reset = False
                for name, member in inspect.getmembers(environment, predicate=inspect.ismethod):
                    if name == "reset":
                        has_reset = True
                    elif not name.startswith("_"):
                        environment_methods[i].append(member)
                if not has_reset:
                    raise ValueError("Each environment instance returned by `environment_factory` must define a "
                                     "callable `reset` ")
        else:
            self.environments = None
        tools = tools or []
        self._sync_tool_dicts = [{} for _ in range(generation_batch_size)]
        for i in range(generation_batch_size):
            for tool in tools + (environment_methods[i] if self.environments is not None else []):
                if inspect.iscoroutinefunction(tool):
                    raise NotImplementedError("async tools are not restated")
                self._sync_tool_dicts[i][tool.__name__] = tool
        self.tools = tools + (environment_methods[0] if self.environments is not None else [])
        self.tool_schemas = [get_json_schema(t) for t in self.tools]
        self.logged = {}

    def _generate(self, prompt):
        return copy.deepcopy(self.model(copy.deepcopy(prompt), self.tool_schemas))

    def _generate_and_score_completions(self, inputs):
        prompts = [copy.deepcopy(x["prompt"]) for x in inputs]
        if self.environments:
            for prompt, environment, reset_kwargs in zip(prompts, self.environments, inputs, strict=True):
                observation = environment.reset(**reset_kwargs)
                if observation is None:
                    continue
                prompt[-1]["content"] += observation
        completions = [[self._generate(p)] for p in prompts]
        idxs_with_tool = [i for i, c in enumerate(completions) if c[-1].get("tool_calls")]
        iteration_num = 0
        self.tool_failure_count = 0
        while idxs_with_tool and iteration_num < self.max_tool_calling_iterations:
            for idx_with_tool in idxs_with_tool:
                sync_tool_dict = self._sync_tool_dicts[idx_with_tool]
                prompt_completion_tool = prompts[idx_with_tool] + completions[idx_with_tool]
                for tool_call in completions[idx_with_tool][-1]["tool_calls"]:
                    function = tool_call["function"]
                    name = function["name"]
                    try:
                        if name in sync_tool_dict:
                            result = sync_tool_dict[name](**function["arguments"])
                        else:
                            raise ValueError(f"Tool {name} not found.")
                    except Exception as e:
                        self.tool_failure_count += 1
                        result = {"error": str(e)}
                    tool_message = {"role": "tool", "name": name, "content": str(result)}
                    prompt_completion_tool.append(tool_message)
                    completions[idx_with_tool].append(tool_message)
                completions[idx_with_tool].append(self._generate(prompt_completion_tool))
            idxs_with_tool = [i for i in idxs_with_tool if completions[i][-1].get("tool_calls")]
            iteration_num += 1
        rewards = []
        for func in self.reward_funcs:
            reward_kwargs = {k: [x[k] for x in inputs] for k in inputs[0] if k != "prompt"}
            if self.environments is not None:
                reward_kwargs["environments"] = self.environments
            rewards.append(func(prompts=prompts, completions=completions, completion_ids=[[0] for _ in completions],
                                trainer_state=None, log_extra=lambda col, vals: self.logged.update({col: vals}),
                                log_metric=lambda n, v: self.logged.update({n: v}), **reward_kwargs))
        return prompts, completions, rewards

    def train(self):
        """Every row once, in batches of per_device_train_batch_size: (prompts, completions, rewards) per batch."""
        n = self.args.per_device_train_batch_size * self.args.steps_per_generation
        out = []
        for start in range(0, len(self.train_dataset), n):
            batch = self.train_dataset[start:start + n]
            if self.environments and len(batch) < len(self.environments):
                batch = batch + batch[: len(self.environments) - len(batch)]
            out.append(self._generate_and_score_completions(batch))
        return out
