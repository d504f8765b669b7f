"""Roles through the Python bindings (pytest): bound policies, intersections,
a registry's base role, the role of agents, sessions and environment pools,
tools and approvers that receive the call's context."""
import json

import pytest

import crmweaver as cw


@pytest.fixture(scope="module")
def org_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("roles") / "org.db"
    cw.Org.generate(p, profile="b2b", seed=3, scale=0.1).close()
    return p


@pytest.fixture(scope="module")
def org(org_path):
    with cw.Org(org_path) as o:
        yield o


@pytest.fixture(scope="module")
def customers(org):
    """Two contacts of different accounts that both have cases: (contact, account, {case ids})."""
    out = []
    for c in org.query("SELECT Id, AccountId FROM Contact WHERE AccountId != null ORDER BY Id"):
        cases = {r["Id"] for r in org.query(f"SELECT Id FROM Case WHERE AccountId = '{c['AccountId']}'")}
        if cases and all(c["AccountId"] != o[1] for o in out):
            out.append((c["Id"], c["AccountId"], cases))
        if len(out) == 2:
            return out
    pytest.skip("the org has no two customers with cases")


def soql_call(q):
    return '<tool_call>{"name": "issue_soql_query", "arguments": {"query": "%s"}}</tool_call>' % q


def ids_seen(trajectory):
    seen = set()
    for m in trajectory["messages"]:
        if m["role"] == "tool":
            try:
                rows = json.loads(m["content"])
            except ValueError:
                continue
            if isinstance(rows, list):
                seen |= {r.get("Id") for r in rows if isinstance(r, dict)}
    return seen


def attacker(other_account):
    """A model that asks for another customer's cases, then for every case."""
    def backend(req):
        n = sum(1 for m in req["messages"] if m["role"] == "tool")
        if n == 0:
            return soql_call(f"SELECT Id FROM Case WHERE AccountId = '{other_account}'")
        if n == 1:
            return soql_call("SELECT Id FROM Case")
        return "done"
    return backend


def test_role_bindings_and_intersections(org):
    user = org.query("SELECT OwnerId FROM Case WHERE OwnerId != null LIMIT 1")[0]["OwnerId"]
    tier1 = cw.Role(org, {"name": "tier1", "default": "read", "raw_sql": True,
                          "objects": {"Case": {"where": "OwnerId = :user_id"}}}, bindings={"user_id": user})
    assert tier1.name == "tier1" and tier1.binding("user_id") == user and tier1.binding("account_id") is None
    assert tier1.allows("raw_sql") and not tier1.allows("metrics")
    mine = org.query("SELECT COUNT() FROM Case", role=tier1)["totalSize"]
    assert mine == org.query(f"SELECT COUNT() FROM Case WHERE OwnerId = '{user}'")["totalSize"]
    ext = cw.Role(org, "external")
    both = tier1 & ext
    assert both.name == "tier1 & external"
    assert not both.allows("raw_sql") and both.can_read("Case") and not both.can_read("Opportunity")
    assert both.binding("user_id") == user
    assert "AND" in both.describe()["objects"]["Case"]["where"]
    assert tier1.intersect(cw.Role(org, "internal")).describe() == tier1.describe()


def test_registry_base_role_and_context_tools(org, customers):
    (con_a, acc_a, cases_a), (con_b, acc_b, cases_b) = customers
    seen = []

    def my_account(args, ctx):
        seen.append(ctx)
        if ctx.role and not ctx.binding("account_id"):
            raise PermissionError("no customer bound")
        return {"account": ctx.binding("account_id"), "today": ctx.today}

    with cw.Registry(org, sets="query,crmarena", role=cw.Role(org, f"external:{con_a}")) as reg:
        assert reg.role == "external"
        reg.add("my_account", "The customer's account.", None, my_account, context=True)
        reg.add("plain", "An old-style tool.", None, lambda a: {"plain": True})
        got = reg.call("issue_soql_query", {"query": "SELECT Id FROM Case"})
        assert {r["Id"] for r in got} == cases_a
        assert reg.call("my_account", {})["account"] == acc_a
        assert seen[-1].task_id is None and seen[-1].episode_id is None and seen[-1].role == "external"
        assert reg.call("plain", {}) == {"plain": True}
        # an agent over it: a task without a role is still customer A, a task
        # claiming B gets A and B at once (nothing)
        agent = cw.Agent(org, backend=attacker(acc_b), max_turns=4)
        agent.set_registry(reg)
        tr = agent.run({"id": "t1", "query": "My cases?", "context": {"today": "2024-03-01"}})
        assert ids_seen(tr) == cases_a and not ids_seen(tr) & cases_b
        tr = agent.run({"id": "t2", "query": "My cases?", "context": {"role": f"external:{con_b}"}})
        assert ids_seen(tr) == set()
        # the context tool inside an episode
        agent.set_backend(lambda req: '<tool_call>{"name": "my_account", "arguments": {}}</tool_call>'
                          if not any(m["role"] == "tool" for m in req["messages"]) else "done")
        agent.run({"id": "t3", "query": "Mine?", "context": {"today": "2024-03-01"}}, episode_id="ep-3")
        assert seen[-1].task_id == "t3" and seen[-1].episode_id == "ep-3" and seen[-1].today == "2024-03-01"
        assert seen[-1].bindings == {"account_id": acc_a, "contact_id": con_a}
        # afterwards: the base role again
        got = reg.call("issue_soql_query", {"query": "SELECT Id FROM Case"})
        assert {r["Id"] for r in got} == cases_a
        reg.set_role(None)
        assert reg.role is None
        assert len(reg.call("issue_soql_query", {"query": "SELECT Id FROM Case"})) > len(cases_a)
        agent.close()


def test_agent_session_and_approver_roles(org, customers):
    (con_a, acc_a, cases_a), (con_b, acc_b, cases_b) = customers
    agent = cw.Agent(org, backend=attacker(acc_b), max_turns=4)
    agent.set_role(cw.Role(org, f"external:{con_a}"))
    calls = []

    def approve(call, ctx):
        calls.append((call["name"], ctx.role, ctx.binding("account_id")))
        return "customers may not run this" if "WHERE AccountId" in json.dumps(call) else True

    agent.set_approver(approve)
    tr = agent.run({"id": "s1", "query": "Cases?"})
    assert ids_seen(tr) == cases_a
    assert calls and all(c[1] == "external" and c[2] == acc_a for c in calls)
    assert any("customers may not run this" in (m.get("content") or "") for m in tr["messages"])
    with agent.session({"id": "s2", "query": "Cases?"}, role=cw.Role(org, f"external:{con_b}")) as s:
        assert s.role == "external"
    with agent.session({"id": "s3", "query": "Cases?"}, role=cw.Role(org, "internal")) as s:
        assert s.role is None

    def deny(call, ctx):
        raise RuntimeError("approver broke")

    agent.set_approver(deny)
    with pytest.raises(RuntimeError, match="approver broke"):
        agent.run({"id": "s4", "query": "Cases?"})
    agent.set_approver(None)
    agent.set_role(None)
    tr = agent.run({"id": "s5", "query": "Cases?"})
    assert cases_b <= ids_seen(tr)
    agent.close()


def test_env_pool_role(org, org_path, customers):
    (con_a, acc_a, cases_a), (con_b, acc_b, cases_b) = customers
    with cw.EnvPool(org_path, workers=0, agent={"max_turns": 4}) as pool:
        pool.set_role(cw.Role(org, f"external:{con_a}"))
        env = pool.env()
        env.reset(task={"id": "e1", "query": "Cases?", "context": {"role": "internal"}})
        obs, reward, term, trunc, info = env.step(soql_call("SELECT Id FROM Case"))
        tool = [m for m in obs if m["role"] == "tool"]
        assert {r["Id"] for r in json.loads(tool[0]["content"])} == cases_a
