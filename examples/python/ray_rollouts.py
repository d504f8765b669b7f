"""A Ray rollout fleet: one actor per machine (or GPU worker) holds an
EnvPool over a copy of the org; the driver sends groups of model outputs and
gets steps back, batched over the actor's worker threads.

Follows Ray 2.x's core actor API (ray.init, ray.remote on a class,
Actor.remote(...), actor.method.remote(...) -> ObjectRef, ray.get): an
actor's methods run one at a time, so each actor's environments are used by
one thread at a time, and arguments and results are plain data (lists of
messages, numbers) that Ray serialises.  Ray is not a dependency; without it
the same Fleet class runs in-process.

    import ray
    ray.init()
    Fleet = ray.remote(Fleet)
    fleet = [Fleet.remote("org.db", "tasks.json") for _ in range(4)]
    obs = ray.get([f.reset_group.remote(task_index=i, size=8) for i, f in enumerate(fleet)])
    steps = ray.get([f.step_group.remote(outputs[i]) for i, f in enumerate(fleet)])

Ray was not run here: the example is tested against a restatement of that
API (bindings/python/tests/restated/ray).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

import crmweaver as cw

RAY_VERSION = "2.x"


class Fleet:
    """One actor's environments: an EnvPool and the group of the moment."""

    def __init__(self, org_path: str, tasks_path: str, workers: int = 2, memory_path: Optional[str] = None) -> None:
        self.pool = cw.EnvPool(org_path, workers=workers, memory="write" if memory_path else "off")
        self.tasks = cw.TaskSet.load(tasks_path)
        self.pool.set_tasks(self.tasks)
        if memory_path:
            self.memory = cw.Memory(memory_path)
            self.pool.set_memory(self.memory)
        self.envs: List[cw.Env] = []

    def reset_group(self, task_index: int, size: int) -> List[List[Dict[str, Any]]]:
        """GRPO: `size` episodes of one task; their first observations."""
        for e in self.envs:
            e.close()
        self.envs = [self.pool.env() for _ in range(size)]
        return [e.reset(index=task_index)[0] for e in self.envs]

    def step_group(self, outputs: List[Union[str, Dict[str, Any]]]) -> List[Any]:
        """One model output (text or a message dict) per environment of the
        group, stepped in a batch: (observation, reward, terminated,
        truncated, info) each."""
        return self.pool.step_batch(self.envs, outputs)

    def advantages(self) -> Dict[str, Any]:
        """The group's statistics and advantages from the episodes' rewards."""
        rewards = [(e.trajectory().get("reward") or 0.0) for e in self.envs]
        return cw.group_stats(rewards)


if __name__ == "__main__":
    import sys
    f = Fleet(sys.argv[1], sys.argv[2])
    f.reset_group(0, 4)
    print([s[2] for s in f.step_group(["I do not know."] * 4)], f.advantages())
