"""The package itself: its version against the library's and the project's,
the version check, py.typed, a docstring and type hints on every public name;
Env.reset() moving through the task set in a seeded shuffle, and step() taking
a message dict as well as text."""
import inspect
import json
import os
import re

import pytest

import crmweaver as cw

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..", "..")


def test_versions_agree():
    meson = open(os.path.join(TOP, "meson.build")).read()
    project = re.search(r"version:\s*'([^']+)'", meson).group(1)
    pyproject = open(os.path.join(HERE, "..", "pyproject.toml")).read()
    package = re.search(r'^version\s*=\s*"([^"]+)"', pyproject, re.M).group(1)
    assert cw.__version__ == project == package
    assert cw.version() == cw.__version__


def test_version_check():
    ok = cw._version_ok
    assert ok("0.1.0", "0.1.0") and ok("0.2.0", "0.1.0") and ok("0.1.3", "0.1.0")
    assert not ok("0.0.9", "0.1.0")      # older: functions may be missing
    assert not ok("1.0.0", "0.1.0")      # another major version
    assert not ok("", "0.1.0") and not ok("junk", "0.1.0")


def test_py_typed():
    assert os.path.exists(os.path.join(os.path.dirname(cw.__file__), "py.typed"))


def _public(cls):
    for k, v in vars(cls).items():
        if k.startswith("_"):
            continue
        if isinstance(v, property):
            yield k, v.fget
        elif isinstance(v, (staticmethod, classmethod)):
            yield k, v.__func__
        elif callable(v):
            yield k, v


def test_every_public_name_has_a_docstring_and_type_hints():
    missing = []
    for name in cw.__all__:
        obj = getattr(cw, name)
        if isinstance(obj, str):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(f"{name}: no docstring")
        funcs = list(_public(obj)) if inspect.isclass(obj) else [("", obj)] if callable(obj) else []
        for k, f in funcs:
            where = f"{name}.{k}" if k else name
            if not (f.__doc__ or "").strip():
                missing.append(f"{where}: no docstring")
            sig = inspect.signature(f)
            for p in sig.parameters.values():
                if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty:
                    missing.append(f"{where}({p.name}): no type")
            if sig.return_annotation is inspect.Signature.empty:
                missing.append(f"{where}: no return type")
    assert missing == []


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    d = tmp_path_factory.mktemp("pkg")
    cw.Org.generate(d / "org.db", profile="b2b", seed=2, scale=0.1).close()
    with cw.Org(d / "org.db") as org:
        ts = cw.TaskSet.generate(org, per_family=1, seed=2, families="handle_time,case_routing,lead_routing")
    p = cw.EnvPool(d / "org.db", workers=1)
    p.set_tasks(ts)
    yield p, ts
    p.close()
    ts.close()


def test_reset_moves_through_the_tasks(pool):
    p, ts = pool
    n = len(ts)
    env = p.env()
    first = [env.reset()[1]["index"] for _ in range(n)]
    second = [env.reset()[1]["index"] for _ in range(n)]
    assert sorted(first) == list(range(n)) and sorted(second) == list(range(n))
    ids = [env.reset(index=i)[1]["task_id"] for i in first]
    assert len(set(ids)) == n  # n different tasks, not one forever
    again = p.env()
    assert [again.reset()[1]["index"] for _ in range(n)] == first  # the same default seed: the same order
    seeded = p.env(seed=7)
    order7 = [seeded.reset()[1]["index"] for _ in range(n)]
    assert [p.env().reset(seed=7)[1]["index"]] == order7[:1]  # reset(seed=) reseeds, as in Gymnasium
    with pytest.raises(TypeError):
        env.reset(task_index=0)  # a mistyped argument is an error, not a silent default


def test_step_takes_a_message_dict(pool):
    p, _ = pool
    env = p.env()
    env.reset(index=0)
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"id": "c1", "type": "function",
                            "function": {"name": "get_period",
                                         "arguments": json.dumps({"period_name": "Q1", "year": 2024})}}]}
    obs, reward, terminated, truncated, info = env.step(call)
    assert obs[-1]["role"] == "tool" and "2024-01-01" in obs[-1]["content"] and not terminated
    obs, reward, terminated, truncated, info = env.step({"role": "assistant", "content": "I do not know."})
    assert terminated and info["end_reason"] == "answered"
    env.reset(index=1)
    with pytest.raises(TypeError):
        env.step(42)
    steps = p.step_batch([env], [{"role": "assistant", "content": "No idea."}])
    assert steps[0][2] is True
