"""An environment factory for TRL's GRPO trainer (environment_factory style):
one crmweaver.Env per rollout worker, text in and text out.  TRL is not a
dependency of libcrmweaver; this file shows the shape of the adapter.

    from trl import GRPOConfig, GRPOTrainer
    trainer = GRPOTrainer(model=..., args=GRPOConfig(...),
                          environment_factory=CRMEnvironmentFactory("org.db", "tasks.json"))
"""
import crmweaver as cw


class CRMEnvironment:
    """One episode at a time: reset(prompt metadata) -> messages; step(text) -> (messages, reward, done)."""

    def __init__(self, pool):
        self.env = pool.env()

    def reset(self, seed=None, task_index=None):
        messages, info = self.env.reset(index=task_index) if task_index is not None else self.env.reset(seed=seed or 0)
        return messages, info

    def step(self, completion_text):
        messages, reward, terminated, truncated, info = self.env.step(completion_text)
        return messages, reward, terminated or truncated, info


class CRMEnvironmentFactory:
    def __init__(self, org_path, tasks_path, memory_path=None, workers=0):
        self.pool = cw.EnvPool(org_path, workers=workers, memory="write" if memory_path else "off")
        self.tasks = cw.TaskSet.load(tasks_path).select(split="train")
        self.pool.set_tasks(self.tasks)
        if memory_path:
            self.memory = cw.Memory(memory_path)
            self.pool.set_memory(self.memory)

    def __call__(self):
        return CRMEnvironment(self.pool)


if __name__ == "__main__":  # a smoke run with a scripted "model"
    import sys
    factory = CRMEnvironmentFactory(sys.argv[1], sys.argv[2])
    env = factory()
    msgs, info = env.reset(seed=1)
    print(info["task_id"], msgs[-1]["content"][:80])
    print(env.step("I do not know.")[1:3])
