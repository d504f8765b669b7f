"""A Ray rollout fleet: one actor per machine (or GPU worker) holds an
EnvPool over a copy of the org; the driver sends groups of model outputs and
gets steps back, batched over the actor's worker threads.  Ray is not a
dependency; without it the same Fleet class runs in-process.

    import ray
    ray.init()
    Fleet = ray.remote(Fleet)
    fleet = [Fleet.remote("org.db", "tasks.json") for _ in range(4)]
    obs = ray.get([f.reset_group.remote(task_index=i, size=8) for i, f in enumerate(fleet)])
"""
import crmweaver as cw


class Fleet:
    def __init__(self, org_path, tasks_path, workers=2, memory_path=None):
        self.pool = cw.EnvPool(org_path, workers=workers, memory="write" if memory_path else "off")
        self.pool.set_tasks(cw.TaskSet.load(tasks_path))
        if memory_path:
            self.pool.set_memory(cw.Memory(memory_path))
        self.envs = []

    def reset_group(self, task_index, size):
        """GRPO: `size` episodes of one task."""
        self.envs = [self.pool.env() for _ in range(size)]
        return [e.reset(index=task_index)[0] for e in self.envs]

    def step_group(self, outputs):
        """One model output per environment of the group, stepped in a batch."""
        return self.pool.step_batch(self.envs, outputs)

    def advantages(self):
        rewards = [(e.trajectory().get("reward") or 0.0) for e in self.envs]
        return cw.group_stats(rewards)


if __name__ == "__main__":
    import sys
    f = Fleet(sys.argv[1], sys.argv[2])
    f.reset_group(0, 4)
    print([s[2] for s in f.step_group(["I do not know."] * 4)], f.advantages())
