"""Tests of the Python bindings (pytest).  CRMWEAVER_LIB names the library."""
import json
import threading

import pytest

import crmweaver as cw

CALL = '<tool_call>{"name": "get_period", "arguments": {"period_name": "Q1", "year": 2024}}</tool_call>'


@pytest.fixture(scope="module")
def org_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("org") / "org.db"
    cw.Org.generate(p, profile="b2b", seed=1, scale=0.1).close()
    return p


@pytest.fixture(scope="module")
def org(org_path):
    with cw.Org(org_path) as o:
        yield o


@pytest.fixture(scope="module")
def tasks(org):
    with cw.TaskSet.generate(org, per_family=2, seed=1) as ts:
        yield ts


def test_version():
    assert cw.version().count(".") >= 1


def test_query(org):
    rows = org.query("SELECT Id, Subject FROM Case LIMIT 3")
    assert len(rows) == 3 and all(r["Id"].startswith("500") for r in rows)
    found = org.query("FIND {a} RETURNING Case(Subject LIMIT 2)")
    assert isinstance(found, dict)


def test_errors(org, tmp_path):
    with pytest.raises(cw.QueryError) as e:
        org.query("SELECT Nope FROM Case")
    assert "Nope" in e.value.message and e.value.name == "CRMW_EQUERY"
    with pytest.raises(cw.Error) as e:
        cw.Org(tmp_path / "missing.db")
    assert "missing.db" in str(e.value)
    o = cw.Org(org.path)
    o.close()
    o.close()  # twice is fine
    with pytest.raises(cw.StateError):
        o.query("SELECT Id FROM Case")


def test_tools(org):
    with cw.Registry(org) as reg:
        assert "get_period" in reg.names()
        assert reg.call("get_period", {"period_name": "Q1", "year": 2024})["start_date"] == "2024-01-01T00:00:00Z"
        specs = reg.export()
        assert any(s["function"]["name"] == "get_cases" for s in specs)
        reg.add("double", "Double a number.", {"type": "object", "properties": {"x": {"type": "number"}},
                                                "required": ["x"]}, lambda a: {"y": a["x"] * 2})
        assert reg.call("double", {"x": 21}) == {"y": 42}
        with pytest.raises(cw.Invalid):
            reg.call("double", {"x": "many"})  # validated against the schema

        def boom(a):
            raise ValueError("the CRM said no")

        reg.add("boom", "Fails.", None, boom)
        with pytest.raises(ValueError, match="the CRM said no"):
            reg.call("boom", {})
        with pytest.raises(cw.NotFound):
            reg.call("no_such_tool", {})


def test_memory(tmp_path):
    with cw.Memory(tmp_path / "mem.db") as m:
        i, merged = m.add("Count the closed cases per agent for the issue first.", family="case_routing",
                          kind="guideline")
        assert i > 0 and not merged
        m.add("Quotes above 20% discount need approval.", family="quote_approval")
        hits = m.search("which agent closed most cases for this issue", k=1)
        assert hits[0]["id"] == i
        assert len(m) == 2 and m.get(i)["family"] == "case_routing"


def test_host_embedder(tmp_path):
    with cw.Memory(tmp_path / "emb.db", embedder="mine", dim=8) as m:
        m.set_embedder("mine", 8, lambda t: [1.0, float(len(t) % 7), 0.5, 0.25, 0, 0, 0, 1])
        i, _ = m.add("hello")
        assert m.search("hello", k=1)[0]["id"] == i


def test_agent_python_backend(org):
    seen = []

    def model(request):
        seen.append(request)
        if not any(m["role"] == "tool" for m in request["messages"]):
            return CALL
        return "Q1 2024 starts on 2024-01-01."

    with cw.Agent(org, backend=model, max_turns=5) as a:
        t = a.run({"id": "t1", "query": "When does Q1 2024 start?"})
    assert t["end_reason"] == "answered" and t["turns"] == 2
    assert seen[0]["task"]["query"] == "When does Q1 2024 start?"
    assert "answer" not in seen[0]["task"]  # the backend never sees the solution
    assert any(m["role"] == "tool" and "2024-01-01" in m["content"] for m in t["messages"])


def test_agent_dict_message_and_gold(org, tasks):
    def model(request):
        return {"role": "assistant", "content": "no idea"}

    with cw.Agent(org, backend=model) as a:
        t = a.run(tasks[0])
        assert t["end_reason"] == "answered" and t["answer"] == "no idea"
    with cw.Agent(org, backend=cw.gold_backend(org)) as a:
        assert all(a.run(x)["reward"] == 1.0 for x in list(tasks)[:6])


def test_backend_that_raises(org):
    def model(request):
        raise KeyError("model exploded")

    with cw.Agent(org, backend=model) as a:
        with pytest.raises(KeyError, match="model exploded"):
            a.run({"id": "t", "query": "hello?"})
        # the agent still works afterwards
        a.set_backend(lambda r: "fine")
        assert a.run({"id": "t", "query": "hello?"})["answer"] == "fine"


def test_env(org_path, tasks):
    with cw.EnvPool(org_path, workers=1) as pool:
        pool.set_tasks(tasks)
        env = pool.env()
        obs, info = env.reset(index=0)
        assert obs[0]["role"] == "system" and obs[1]["role"] == "user" and info["tools"]
        obs, reward, terminated, truncated, info = env.step(CALL)
        assert not terminated and obs[-1]["role"] == "tool" and info["actions"][0]["status"] == "ok"
        obs, reward, terminated, truncated, info = env.step("I do not know.")
        assert terminated and reward == 0.0 and info["end_reason"] == "answered"
        assert env.trajectory()["turns"] == 2
        envs = [pool.env() for _ in range(8)]
        for k, e in enumerate(envs):
            e.reset(index=k)
        results = pool.step_batch(envs, [CALL] * 8)
        assert all(r[4]["actions"][0]["status"] == "ok" for r in results)


def test_env_threads(org_path, tasks):
    """8 Python threads stepping environments at once (the GIL is released)."""
    errors = []
    with cw.EnvPool(org_path, workers=0) as pool:
        pool.set_tasks(tasks)

        def work(k):
            try:
                env = pool.env()
                for r in range(10):
                    env.reset(index=(k * 10 + r) % len(tasks))
                    _, _, term, _, info = env.step(CALL)
                    assert info["actions"][0]["status"] == "ok"
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert not errors, errors


def test_memory_policy_and_groups(org, tasks, tmp_path):
    with cw.Memory(tmp_path / "m.db") as mem:
        with cw.Agent(org, backend=cw.gold_backend(org), store=mem, memory={"write": True}) as a:
            for t in tasks:
                a.run(t)
        assert len(mem) > 5
        with cw.Agent(org, backend=cw.memory_policy(mem, min_support=1)) as a:
            ends = {a.run(t)["end_reason"] for t in tasks}
        assert ends <= {"answered", "abstained"}
    g = cw.group_stats([1.0, 0.0, 1.0, 0.0])
    assert g["mean"] == 0.5 and g["std"] == 0.5 and len(g["advantages"]) == 4


def test_schema_records_roles(org, tmp_path):
    s = cw.Schema("crmarena")
    assert any(o["name"] == "Case" for o in s.to_json()["objects"])
    assert "Case" in s.prompt("Case")
    with cw.Org.create(tmp_path / "new.db", s) as o:
        i = o.insert("Account", {"FirstName": "Ada", "LastName": "Acme"})
        assert o.get("Account", i)["LastName"] == "Acme"
        o.update("Account", i, {"LastName": "Acme Corp"})
        assert o.get("Account", i)["LastName"] == "Acme Corp"
        p = tmp_path / "acc.jsonl"
        p.write_text("{\"LastName\": \"Globex\"}\n{\"LastName\": \"Initech\"}\n")
        assert o.import_file("Account", p) == 2 and o.count("Account") == 3
        o.delete("Account", i)
        assert o.count("Account") == 2
        with pytest.raises(cw.SchemaError):
            o.insert("Account", {"Colour": "red"})
        with o.bulk() as b:
            for k in range(50):
                b.add("Account", {"LastName": f"Bulk {k}"})
            assert len(b) == 50
        assert o.count("Account") == 52
        with pytest.raises(cw.SchemaError):
            with o.bulk() as b:
                b.add("Account", {"LastName": "kept?"})
                b.add("Account", {"Colour": "red"})
        assert o.count("Account") == 52  # all or nothing
        names = [r["LastName"] for r in o.records("Account")]
        assert len(names) == 52 and "Bulk 7" in names
        i2 = o.insert("Account", {"LastName": "x"})
        assert o.upsert("Account", {"Id": i2, "LastName": "Changed"}) == i2
        assert o.get("Account", i2)["LastName"] == "Changed"
        o.export_dir(tmp_path / "out")
        assert (tmp_path / "out" / "Account.jsonl").exists()
    assert any(x["name"] == "Case" for x in org.schema()["objects"])
    contact = org.query("SELECT ContactId FROM Case WHERE ContactId != null LIMIT 1")[0]["ContactId"]
    with cw.Role(org, "external:" + contact) as role:
        assert role.describe()
        mine = org.query("SELECT Id FROM Case", role=role)
        assert 0 < len(mine) < len(org.query("SELECT Id FROM Case"))


def test_sessions_user_and_progress(org, tasks):
    calls = []
    ts = cw.TaskSet.generate(org, per_family=1, seed=3, families="handle_time",
                             progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert len(ts) == 1 and calls and calls[-1][0] == "tasks"
    with cw.Agent(org) as a:
        s = a.session({"id": "s1", "query": "When does Q1 2024 start?"})
        kind, req = s.next()
        assert kind == "model" and req["messages"][1]["role"] == "user"
        s.feed(CALL)
        kind, req = s.next()
        assert kind == "model" and req["messages"][-1]["role"] == "tool"
        s.feed("It starts on 2024-01-01.")
        kind, traj = s.next()
        assert kind == "done" and traj["end_reason"] == "answered" and traj["turns"] == 2
        s.close()
    said = []
    with cw.Agent(org, backend=lambda r: "I do not know yet.", multi_turn=True, max_turns=4) as a:
        a.set_user(lambda req: (said.append(req), "###STOP###")[1])
        t = a.run(tasks[0])
        assert said and t["end_reason"] in ("answered", "user_stop", "max_turns")


def test_the_rest_of_the_api(org, tasks, tmp_path):
    f = cw.features()
    assert "features" in f or "version" in f
    s = cw.Schema("crmarena")
    with pytest.raises(cw.SchemaError, match="key_prefix"):
        s.add_object({"name": "Visit__c", "fields": []})
    s.add_object({"name": "Visit__c", "label": "Visit", "key_prefix": "a9V", "fields": [{"name": "Note__c", "type": "string"}]})
    s.add_field("Visit__c", {"name": "Minutes__c", "type": "int"})
    assert any(o["name"] == "Visit__c" for o in s.to_json()["objects"])
    assert org.sql("SELECT COUNT(*) AS n FROM \"Case\"")[0]["n"] > 0
    assert "sql" in org.explain("SELECT Id FROM Case LIMIT 1")
    with cw.Registry(org) as reg:
        assert reg.describe("get_period")["name"] == "get_period"
        assert reg.validate("get_period", {"period_name": "Q1", "year": 2024}) is None
        assert reg.validate("get_period", {"year": "soon"}) is not None
    assert tasks.check(0, org)["ok"] is True
    gold = tasks[0]["answer"][0]
    score, info = tasks.score(0, gold if gold is not None else "None")
    assert score == 1.0 and info
    tasks.save(tmp_path / "t.jsonl")
    assert len(cw.TaskSet.load(tmp_path / "t.jsonl")) == len(tasks)
    with cw.Memory(tmp_path / "m2.db") as m:
        i, _ = m.add("Check the quote's discount against the pricing article.", family="quote_approval")
        assert m.feedback([i], "success") == 1
        m.update(i, title="pricing")
        assert m.get(i)["title"] == "pricing" and m.list()[0]["id"] == i and m.stats()["entries"] == 1
        m.export(tmp_path / "m.jsonl")
        with cw.Memory(tmp_path / "m3.db") as m3:
            assert m3.import_jsonl(tmp_path / "m.jsonl")[0] == 1
        m.delete(i)
        assert len(m) == 0
