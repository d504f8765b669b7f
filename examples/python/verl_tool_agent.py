"""Adapter for verl's tool agent loop: verl calls the model, this class turns
each tool call into a crmweaver environment step and returns the tool
messages and, at the end, the task's reward.  verl is not a dependency; the
class follows its BaseTool/agent-loop shape (create, execute, calc_reward,
release) so it can be registered in a verl tool config.
"""
import json

import crmweaver as cw


class CRMArenaTool:
    """One instance per rollout: the environment keeps the episode (its
    messages, tool results, the final reward)."""

    def __init__(self, pool):
        self.pool = pool
        self.envs = {}

    def create(self, instance_id, task_index=None, seed=None):
        env = self.pool.env()
        messages, info = env.reset(index=task_index) if task_index is not None else env.reset(seed=seed or 0)
        self.envs[instance_id] = env
        return messages, info["tools"]

    def execute(self, instance_id, assistant_message):
        """assistant_message: the OpenAI message verl produced (dict) or raw text."""
        text = assistant_message if isinstance(assistant_message, str) else json.dumps(assistant_message)
        messages, reward, terminated, truncated, info = self.envs[instance_id].step(text)
        tool_messages = [m for m in messages if m["role"] in ("tool", "user")]
        return tool_messages, reward, terminated or truncated, info

    def calc_reward(self, instance_id):
        return self.envs[instance_id].trajectory().get("reward") or 0.0

    def release(self, instance_id):
        env = self.envs.pop(instance_id, None)
        if env is not None:
            env.close()


def make_tool(org_path, tasks_path, workers=2):
    pool = cw.EnvPool(org_path, workers=workers)
    pool.set_tasks(cw.TaskSet.load(tasks_path))
    return CRMArenaTool(pool)
