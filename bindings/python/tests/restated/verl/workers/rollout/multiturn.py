"""The per-request tool lifecycle of verl 0.5.0's multi-turn rollout
(verl/workers/rollout/sglang_rollout/sglang_rollout.py, AsyncRolloutRequest),
restated with a scripted policy in place of the engine:

  1. pending: for each tool of the request's tools_kwargs,
     `await tool.create(request_id, **create_kwargs)` (gathered);
  2. running/tool calling, up to max_assistant_turns: the policy's tool calls
     (arguments parsed from their JSON string into a dict) are run as
     `await tool.execute(request_id, arguments, **execute_kwargs)` (gathered)
     and each (text, reward, metrics) text becomes a tool message;
  3. at the end, for each tool of tools_kwargs:
     `await tool.calc_reward(request_id, **calc_reward_kwargs)` then
     `await tool.release(request_id, **release_kwargs)`.
`policy(messages)` returns a list of {"name", "arguments": JSON text}, or []
to end the conversation."""
import asyncio
import copy
import json


async def run_request(tools, row, policy, request_id, max_assistant_turns=10):
    tool_map = {t.name: t for t in tools}
    tools_kwargs = row["extra_info"]["tools_kwargs"]
    messages = copy.deepcopy(row["prompt"])
    await asyncio.gather(*[tool_map[name].create(request_id, **kw.get("create_kwargs", {}))
                           for name, kw in tools_kwargs.items()])
    turns = 0
    while turns < max_assistant_turns:
        calls = policy(messages)
        turns += 1
        if not calls:
            messages.append({"role": "assistant", "content": "(done)"})
            break
        messages.append({"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": c} for c in calls]})
        results = await asyncio.gather(*[
            tool_map[c["name"]].execute(request_id, json.loads(c["arguments"]),
                                        **tools_kwargs[c["name"]].get("execute_kwargs", {}))
            for c in calls])
        for text, _reward, _metrics in results:
            messages.append({"role": "tool", "content": text})

    async def calc_reward_and_release_fn(name, tool):
        reward = await tool.calc_reward(request_id, **tools_kwargs[name].get("calc_reward_kwargs", {}))
        await tool.release(request_id, **tools_kwargs[name].get("release_kwargs", {}))
        return name, reward

    scores = await asyncio.gather(*[calc_reward_and_release_fn(name, tool_map[name]) for name in tools_kwargs])
    return {"rewards": dict(scores), "messages": messages}
