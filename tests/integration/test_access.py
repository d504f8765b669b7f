#!/usr/bin/env python3
"""Access control on a generated B2B org: the external (customer) role
through SOQL, SOSL, relationship paths, subqueries, semi-joins, aggregates
and every built-in tool, each against SQL written by hand; the internal
role; a policy file; CLI errors (TAP).

usage: test_access.py PATH_TO_CRMWEAVER
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = sys.argv[1]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-access-")
db = os.path.join(tmp, "b2b.db")
r = subprocess.run([exe, "gen", "--profile", "b2b", "--seed", "21", "--force", "-o", db], capture_output=True, text=True)
if r.returncode:
    raise SystemExit(r.stderr)

con = sqlite3.connect(db)
con.row_factory = sqlite3.Row


def sql(q, *p):
    return [dict(x) for x in con.execute(q, p)]


def ids(q, *p):
    return {x[0] for x in con.execute(q, p)}


# A customer with cases, e-mails, orders and quotes; another one to spy on.
me = sql('''SELECT c."Id" contact, c."AccountId" account FROM "Contact" c
    WHERE EXISTS (SELECT 1 FROM "Case" k WHERE k."AccountId" = c."AccountId")
      AND EXISTS (SELECT 1 FROM "Quote" q WHERE q."AccountId" = c."AccountId")
      AND EXISTS (SELECT 1 FROM "LiveChatTranscript" l WHERE l."AccountId" = c."AccountId")
      AND EXISTS (SELECT 1 FROM "EmailMessage" e JOIN "Case" k ON k."Id" = e."ParentId" WHERE k."AccountId" = c."AccountId")
    ORDER BY c."Id" LIMIT 1''')[0]
ME, ACC = me["contact"], me["account"]
other = sql('''SELECT c."Id" contact, c."AccountId" account FROM "Contact" c WHERE c."AccountId" != ?
    AND EXISTS (SELECT 1 FROM "Case" k WHERE k."AccountId" = c."AccountId")
    AND EXISTS (SELECT 1 FROM "Quote" q WHERE q."AccountId" = c."AccountId")
    AND EXISTS (SELECT 1 FROM "EmailMessage" e JOIN "Case" k ON k."Id" = e."ParentId" WHERE k."AccountId" = c."AccountId")
    ORDER BY c."Id" LIMIT 1''', ACC)[0]
OTHER_C, OTHER_A = other["contact"], other["account"]
ROLE = f"external:{ME}"


def query(q, role=ROLE, *extra):
    args = [exe, "query", "--db", db, "--max-rows", "0"] + (["--role", role] if role else []) + list(extra) + [q]
    r = subprocess.run(args, capture_output=True, text=True)
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else None), r.stderr


def denied(q, what, role=ROLE):
    rc, _, err = query(q, role)
    return rc == 1 and "INSUFFICIENT_ACCESS" in err and what in err


exercised = set()


def call(name, args, role=ROLE, sets="query,crmarena,pro"):
    if role == ROLE:
        exercised.add(name)
    cmd = [exe, "tools", "call", "--db", db, "--set", sets, "--max-rows", "0"] + (["--role", role] if role else [])
    r = subprocess.run(cmd + [name, json.dumps(args)], capture_output=True, text=True)
    text = r.stdout.rstrip("\n")
    try:
        return r.returncode, json.loads(text) if text else None
    except ValueError:
        return r.returncode, text  # respond answers in plain text


# ----------------------------------------------------------- row rules
own = {
    "Account": ids('SELECT "Id" FROM "Account" WHERE "Id" = ?', ACC),
    "Contact": ids('SELECT "Id" FROM "Contact" WHERE "AccountId" = ?', ACC),
    "Case": ids('SELECT "Id" FROM "Case" WHERE "AccountId" = ?', ACC),
    "EmailMessage": ids('SELECT "Id" FROM "EmailMessage" WHERE "ParentId" IN (SELECT "Id" FROM "Case" WHERE "AccountId" = ?)', ACC),
    "LiveChatTranscript": ids('SELECT "Id" FROM "LiveChatTranscript" WHERE "AccountId" = ?', ACC),
    "Order": ids('SELECT "Id" FROM "Order" WHERE "AccountId" = ?', ACC),
    "OrderItem": ids('SELECT "Id" FROM "OrderItem" WHERE "OrderId" IN (SELECT "Id" FROM "Order" WHERE "AccountId" = ?)', ACC),
    "Quote": ids('SELECT "Id" FROM "Quote" WHERE "AccountId" = ?', ACC),
    "QuoteLineItem": ids('SELECT "Id" FROM "QuoteLineItem" WHERE "QuoteId" IN (SELECT "Id" FROM "Quote" WHERE "AccountId" = ?)', ACC),
    "Contract": ids('SELECT "Id" FROM "Contract" WHERE "AccountId" = ?', ACC),
    "Knowledge__kav": ids('''SELECT "Id" FROM "Knowledge__kav" WHERE "PublishStatus" = 'Online' AND "IsVisibleInCsp" = 1'''),
}
for obj in ("Product2", "Pricebook2", "PricebookEntry", "ProductCategory", "ProductCategoryProduct", "Issue__c", "User"):
    own[obj] = ids(f'SELECT "Id" FROM "{obj}"')
for obj, want in own.items():
    rc, got, err = query(f"SELECT Id FROM {obj}")
    t.ok(rc == 0 and {x["Id"] for x in got} == want, f"external sees exactly {len(want)} {obj} records", err)
t.ok(len(own["Case"]) > 0 and len(own["Knowledge__kav"]) < len(ids('SELECT "Id" FROM "Knowledge__kav"')),
     "the customer has cases; some articles are hidden")
for obj in ("CaseHistory__c", "Opportunity", "OpportunityLineItem", "Lead", "Task", "Event", "VoiceCallTranscript__c",
            "Territory2", "UserTerritory2Association"):
    t.ok(denied(f"SELECT Id FROM {obj}", f"cannot read '{obj}'"), f"external cannot read {obj}")
rc, got, _ = query("SELECT Id FROM Knowledge__kav", "internal")
t.ok(rc == 0 and len(got) == len(ids('SELECT "Id" FROM "Knowledge__kav"')), "internal sees every article")
rc, got, _ = query("SELECT COUNT() FROM Case", None)
t.ok(got["totalSize"] == len(ids('SELECT "Id" FROM "Case"')), "no role: every case")

# ------------------------------------------------- paths and subqueries
rc, got, _ = query("SELECT Id, Order.Account.Id, Product2.Name FROM OrderItem")
t.ok(rc == 0 and got and all(x["Order"]["Account"]["Id"] == ACC for x in got), "relationship paths stay in the customer's rows")
rc, got, _ = query("SELECT Id, Parent.Subject FROM EmailMessage")
t.ok(rc == 0 and all(x["Parent"] is not None for x in got), "e-mails lead to the customer's own cases")
t.ok(denied("SELECT Id, Owner.Email FROM Case", "field 'Email' of 'User'"), "a hidden field through a path is denied")
t.ok(denied("SELECT Id, Opportunity.Amount FROM Quote", "cannot read 'Opportunity'"), "a denied object through a path is denied")
rc, got, _ = query("SELECT Id, (SELECT Id FROM Cases), (SELECT Id FROM Contacts) FROM Account")
n_cases = sum(x["Cases"]["totalSize"] for x in got if x["Cases"])
t.ok(rc == 0 and len(got) == 1 and n_cases == len(own["Case"]), "child subqueries hold only the customer's children")
t.ok(denied("SELECT Id, (SELECT Id FROM Opportunities) FROM Account", "'Opportunity'"), "a denied child relationship is denied")
rc, got, _ = query("SELECT Id FROM Product2 WHERE Id IN (SELECT Product2Id FROM OrderItem)")
want = ids('''SELECT DISTINCT i."Product2Id" FROM "OrderItem" i JOIN "Order" o ON o."Id" = i."OrderId" WHERE o."AccountId" = ?''', ACC)
t.ok(rc == 0 and {x["Id"] for x in got} == want, "a semi-join sees only the customer's order items")
t.ok(denied("SELECT Id FROM Case WHERE Id IN (SELECT CaseId__c FROM CaseHistory__c)", "CaseHistory__c"), "a semi-join on a denied object")
rc, got, _ = query("SELECT COUNT(Id) n, SUM(Quantity) q FROM OrderItem")
want = sql('''SELECT count(*) n, sum(i."Quantity") q FROM "OrderItem" i JOIN "Order" o ON o."Id" = i."OrderId" WHERE o."AccountId" = ?''', ACC)[0]
t.ok(rc == 0 and got[0]["n"] == want["n"] and abs(got[0]["q"] - want["q"]) < 1e-6, "aggregates count only visible rows")
rc, got, _ = query(f"SELECT Id FROM Case WHERE AccountId = '{OTHER_A}'")
t.ok(rc == 0 and got == [], "asking for another customer's cases by id finds none")
t.ok(denied("SELECT Id FROM User WHERE Email != null", "'Email'"), "filtering on a hidden field is denied")
rc, _, err = subprocess.run([exe, "sql", "--db", db, "--role", ROLE, "SELECT 1"], capture_output=True, text=True).returncode, None, ""
t.ok(rc == 1, "raw SQL is refused to the customer")

# ------------------------------------------------------------------ SOSL
other_name = sql('SELECT "Name" FROM "Account" WHERE "Id" = ?', OTHER_A)[0]["Name"].split()[0]
rc, got, _ = query(f"FIND {{{other_name}}} RETURNING Account(Id, Name), Contact(Id)")
t.ok(rc == 0 and all(x["Id"] == ACC for x in got["Account"]) and all(x["Id"] in own["Contact"] for x in got["Contact"]),
     "searching another customer's name finds nothing of theirs")
rc, got, _ = query("FIND {qualification}")
conf = sql("SELECT value FROM crmw_latent_meta WHERE key = 'confidential_article'")[0]["value"]
t.ok(rc == 0 and conf not in {x["Id"] for x in got.get("Knowledge__kav", [])} and "Lead" not in got,
     "searching everywhere skips denied objects and the confidential article")
email = sql('SELECT "Email" FROM "User" WHERE "Email" IS NOT NULL LIMIT 1')[0]["Email"].split("@")[0]
rc, got, _ = query(f"FIND {{{email}}} RETURNING User(Id)")
rc2, got2, _ = query(f"FIND {{{email}}} RETURNING User(Id)", "internal")
t.ok(rc == 0 and got["User"] == [] and got2["User"], "a hidden field (User.Email) never matches a search")
t.ok(denied("FIND {deal} RETURNING Opportunity(Id)", "'Opportunity'"), "returning a denied object is denied")

# ----------------------------------------------------------------- tools
for name, args in [("get_agent_handled_cases_by_period", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}),
                   ("calculate_average_handle_time", {"cases": []}),
                   ("get_agent_transferred_cases_by_period", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}),
                   ("get_non_transferred_case_ids", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}),
                   ("calculate_region_average_closure_times", {"cases": [{"ShippingState": "CA", "CreatedDate": "2024-01-01T00:00:00Z", "ClosedDate": "2024-01-02T00:00:00Z"}]}),
                   ("get_agent_lead_conversion_rates", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}),
                   ("get_agent_sales_amounts", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}),
                   ("get_agent_sales_cycles", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"})]:
    rc, out = call(name, args)
    t.ok(rc == 1 and out["error"]["code"] == "INSUFFICIENT_ACCESS" and "internal metrics" in out["error"]["message"],
         f"{name}: internal metrics are denied to the customer", out)
    rc, out = call(name, args, "internal")
    t.ok(rc == 0, f"{name}: allowed to the internal role", out)
for name, args, what in [("get_lead", {"lead_id": sql('SELECT "Id" FROM "Lead" LIMIT 1')[0]["Id"]}, "'Lead'"),
                         ("get_leads", {"is_converted": True}, "'Lead'"),
                         ("get_opportunities", {"account_id": ACC}, "'Opportunity'"),
                         ("get_opportunity", {"opportunity_id": sql('SELECT "Id" FROM "Opportunity" LIMIT 1')[0]["Id"]}, "'Opportunity'"),
                         ("get_territories", {}, "'Territory2'"),
                         ("get_territory_users", {"territory_ids": ["0MI000000000000AAA"]}, "'UserTerritory2Association'"),
                         ("get_tasks", {"what_id": "006000000000000AAA"}, "'Task'"),
                         ("get_events", {"what_id": "006000000000000AAA"}, "'Event'"),
                         ("get_voice_call_transcripts", {"lead_id": "00Q000000000000EAA"}, "'VoiceCallTranscript__c'"),
                         ("describe_object", {"object": "CaseHistory__c"}, "'CaseHistory__c'"),
                         ("issue_soql_query", {"query": "SELECT Id FROM Lead"}, "'Lead'"),
                         ("issue_sosl_query", {"query": "FIND {x} RETURNING Lead(Id)"}, "'Lead'")]:
    rc, out = call(name, args)
    t.ok(rc == 1 and out["error"]["code"] == "INSUFFICIENT_ACCESS" and what in out["error"]["message"],
         f"{name}: denied ({what})", out)

rc, out = call("get_cases", {"statuses": ["New", "Working", "Escalated", "Waiting on Customer", "Closed"]})
t.ok(rc == 0 and {x["Id"] for x in out} == own["Case"], "get_cases: the customer's cases only")
rc, out = call("get_account_id_by_contact_id", {"contact_id": OTHER_C})
t.ok(rc == 0 and out is None, "get_account_id_by_contact_id: another customer's contact is not there")
rc, out = call("get_account_id_by_contact_id", {"contact_id": ME})
t.ok(rc == 0 and out == ACC, "get_account_id_by_contact_id: one's own account")
other_case = sorted(ids('SELECT "ParentId" FROM "EmailMessage" WHERE "ParentId" IN (SELECT "Id" FROM "Case" WHERE "AccountId" = ?)', OTHER_A))
my_case = sorted(ids('SELECT "ParentId" FROM "EmailMessage" WHERE "ParentId" IN (SELECT "Id" FROM "Case" WHERE "AccountId" = ?)', ACC))
if other_case and my_case:
    rc, out = call("get_email_messages_by_case_id", {"case_id": other_case[0]})
    t.ok(rc == 0 and out == [], "get_email_messages_by_case_id: nothing from another customer's case")
    rc, out = call("get_email_messages_by_case_id", {"case_id": my_case[0]})
    t.ok(rc == 0 and len(out) == len(ids('SELECT "Id" FROM "EmailMessage" WHERE "ParentId" = ?', my_case[0])),
         "get_email_messages_by_case_id: one's own case")
chat_other = sorted(ids('SELECT "CaseId" FROM "LiveChatTranscript" WHERE "AccountId" = ?', OTHER_A))
if chat_other:
    rc, out = call("get_livechat_transcript_by_case_id", {"case_id": chat_other[0]})
    t.ok(rc == 0 and out == [], "get_livechat_transcript_by_case_id: nothing from another customer")
buy = sql('''SELECT o."AccountId" a, o."EffectiveDate" d, i."Product2Id" p FROM "OrderItem" i JOIN "Order" o ON o."Id" = i."OrderId"
    WHERE o."AccountId" = ? AND o."Status" = 'Activated' LIMIT 1''', OTHER_A)
if buy:
    b = buy[0]
    rc, out = call("get_purchase_history", {"account_id": b["a"], "purchase_date": b["d"], "related_product_ids": [b["p"]]})
    t.ok(rc == 0 and out == [], "get_purchase_history: another customer's purchases are not there")
    rc, out = call("get_purchase_history", {"account_id": b["a"], "purchase_date": b["d"], "related_product_ids": [b["p"]]}, "internal")
    t.ok(rc == 0 and out, "... while the internal role finds them")
prod = sql('SELECT "Product2Id" p FROM "OrderItem" GROUP BY 1 ORDER BY count(*) DESC LIMIT 1')[0]["p"]
rc, out = call("get_order_item_ids_by_product", {"product_id": prod})
t.ok(rc == 0 and set(out) <= own["OrderItem"], "get_order_item_ids_by_product: the customer's items only")
rc, out = call("get_shipping_state", {"cases": [{"AccountId": OTHER_A}, {"AccountId": ACC}]})
t.ok(rc == 0 and out[0]["ShippingState"] is None and out[1]["ShippingState"] is not None,
     "get_shipping_state: another customer's state stays unknown")
rc, out = call("search_knowledge_articles", {"search_term": "qualification"})
t.ok(rc == 0 and conf not in {x["Id"] for x in out}, "search_knowledge_articles: no confidential article")
rc, out = call("search_knowledge", {"search_term": "qualification"})
t.ok(rc == 0 and conf not in {x["Id"] for x in out}, "search_knowledge: no confidential article")
rc, out = call("get_knowledge_article", {"article_id": conf})
t.ok(rc == 0 and out is None, "get_knowledge_article: the confidential article is not there")
rc, out = call("get_knowledge_article", {"article_id": conf}, "internal")
t.ok(rc == 0 and out and out["Id"] == conf, "... the internal role reads it")
rc, out = call("search_products", {"search_term": sql('SELECT "Name" FROM "Product2" LIMIT 1')[0]["Name"].split()[-1]})
t.ok(rc == 0 and out, "search_products: the catalogue is public")
rc, out = call("get_issues", {})
t.ok(rc == 0 and len(out) == len(ids('SELECT "Id" FROM "Issue__c"')), "get_issues: the issue list is public")
rc, out = call("get_quotes", {"statuses": ["Accepted", "Draft", "Needs Review", "In Review", "Approved", "Presented"]})
t.ok(rc == 0 and {x["Id"] for x in out} == own["Quote"] and all("OwnerId" not in x for x in out),
     "get_quotes: the customer's quotes, without the internal owner")
rc, out = call("get_quotes", {"owner_ids": ["005000000000000AAA"]})
t.ok(rc == 1 and out["error"]["code"] == "INSUFFICIENT_ACCESS", "get_quotes: filtering by deal owner is denied")
oq = sorted(ids('SELECT "Id" FROM "Quote" WHERE "AccountId" = ?', OTHER_A))[0]
rc, out = call("get_quote", {"quote_id": oq})
t.ok(rc == 0 and out is None, "get_quote: another customer's quote is not there")
mq = sorted(own["Quote"])[0]
rc, out = call("get_quote", {"quote_id": mq})
t.ok(rc == 0 and out["Id"] == mq and len(out["LineItems"]) == len(ids('SELECT "Id" FROM "QuoteLineItem" WHERE "QuoteId" = ?', mq)),
     "get_quote: one's own quote with its lines")
rc, out = call("get_contracts", {"account_id": OTHER_A})
t.ok(rc == 0 and out == [], "get_contracts: another customer's contracts are not there")
rc, out = call("list_objects", {})
names = {x["name"] for x in out}
t.ok(rc == 0 and "Case" in names and "Lead" not in names and "CaseHistory__c" not in names, "list_objects: readable objects only")
rc, out = call("describe_object", {"object": "User"})
fields = {f["name"] for f in out["fields"]}
t.ok(rc == 0 and "FirstName" in fields and "Email" not in fields, "describe_object: hidden fields are not listed")
rc, out = call("get_period", {"period_name": "Q1", "year": 2024})
t.ok(rc == 0 and out["start_date"] == "2024-01-01T00:00:00Z", "pure tools work for every role")
rc, out = call("get_cases", {"statuses": ["Closed"]}, "external")
t.ok(rc == 1 and "not bound" in out["error"]["message"], "an unbound customer role sees no cases (fails closed)")

# The tools that work on their arguments only behave the same for everyone.
mine = [{"Id": c, "OwnerId": "005000000000000AAA", "CreatedDate": "2024-01-02T00:00:00Z"} for c in sorted(own["Case"])]
for name, args, want in [
        ("get_agents_with_max_cases", {"subset_cases": mine}, ["005000000000000AAA"]),
        ("get_agents_with_min_cases", {"subset_cases": mine}, ["005000000000000AAA"]),
        ("get_start_date", {"end_date": "2024-03-31T00:00:00Z", "period": "month", "interval_count": 1}, "2024-02-29T00:00:00Z"),
        ("get_qualified_agent_ids_by_case_count", {"agent_handled_cases": {"a": 3, "b": 1}, "n_cases": 2}, ["a"]),
        ("get_month_to_case_count", {"cases": mine}, {"January": len(mine)}),
        ("find_id_with_max_value", {"values_by_id": {"a": 1, "b": 2}}, ["b"]),
        ("find_id_with_min_value", {"values_by_id": {"a": 1, "b": 2}}, ["a"]),
        ("count_records_by", {"records": mine, "field": "OwnerId"}, {"005000000000000AAA": len(mine)}),
        ("respond", {"content": "I cannot share other customers' data."}, "I cannot share other customers' data.")]:
    rc, out = call(name, args)
    t.ok(rc == 0 and out == want, f"{name}: works on its arguments for the customer too", out)
rc, out = call("get_issue_counts", {"start_date": "2020-01-01T00:00:00Z", "end_date": "2030-01-01T00:00:00Z",
                                    "order_item_ids": sorted(ids('SELECT "Id" FROM "OrderItem"'))[:3000]})
want = {r["IssueId__c"]: r["n"] for r in sql(
    'SELECT "IssueId__c", count(*) n FROM "Case" WHERE "AccountId" = ? AND "IssueId__c" IS NOT NULL '
    'AND "OrderItemId__c" IN (SELECT "Id" FROM "OrderItem" ORDER BY "Id" LIMIT 3000) GROUP BY 1', ACC)}
t.ok(rc == 0 and out == want, "get_issue_counts: only the customer's own cases are counted", (out, want))
chat_mine = sorted(ids('SELECT "CaseId" FROM "LiveChatTranscript" WHERE "AccountId" = ?', ACC))
rc, out = call("get_livechat_transcript_by_case_id", {"case_id": chat_mine[0]})
t.ok(rc == 0 and len(out) >= 1, "get_livechat_transcript_by_case_id: one's own chat")
rc, out = call("issue_soql_query", {"query": "SELECT Id FROM Case"})
t.ok(rc == 0 and {x["Id"] for x in out} == own["Case"], "issue_soql_query: the customer's own cases")
rc, out = call("issue_sosl_query", {"query": "FIND {" + other_name + "} RETURNING Account(Id)"})
t.ok(rc == 0 and all(x["Id"] == ACC for x in out["Account"]), "issue_sosl_query: nobody else's account")
every = [x["name"] for x in json.loads(subprocess.run([exe, "tools", "list", "--set", "query,crmarena,pro", "--json"],
                                                      capture_output=True, text=True).stdout)]
t.ok(set(every) <= exercised, "every built-in tool was called as the customer above", sorted(set(every) - exercised))

# ------------------------------------------------------------ policy file
policy = os.path.join(tmp, "tier1.json")
with open(policy, "w") as f:
    json.dump({"schema_version": 1, "name": "tier1", "default": "read", "metrics": False, "raw_sql": False,
               "objects": {"Lead": {"read": False}, "User": {"hidden_fields": ["Email", "Phone"]},
                           "Case": {"where": "Status != 'Closed'"}}}, f)
rc, got, err = query("SELECT COUNT() FROM Case", policy)
t.ok(rc == 0 and got["totalSize"] == len(ids('''SELECT "Id" FROM "Case" WHERE "Status" != 'Closed' ''')), "a policy file's row rule", err)
t.ok(denied("SELECT Id FROM Lead", "role 'tier1' cannot read 'Lead'", policy), "a policy file's denied object")
t.ok(denied("SELECT Phone FROM User", "'Phone'", policy), "a policy file's hidden field")
rc, got, _ = query("SELECT COUNT() FROM Opportunity", policy)
t.ok(rc == 0 and got["totalSize"] == len(ids('SELECT "Id" FROM "Opportunity"')), "default read covers the rest")
rc, out = call("get_agent_sales_amounts", {"start_date": "2023-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, policy)
t.ok(rc == 1 and "role 'tier1' may not see internal metrics" in out["error"]["message"], "metrics can be denied to an internal role")
bad = os.path.join(tmp, "bad.json")
with open(bad, "w") as f:
    json.dump({"objects": {"Case": {"where": "Stauts = 'New'"}}}, f)
for spec, what in [(bad, "objects.Case.where: INVALID_FIELD"), ("superuser", "no built-in role 'superuser'"),
                   ("external:500000000000000AAA", "not the Id of a Contact or an Account"),
                   (os.path.join(tmp, "missing.json"), "No such file")]:
    r = subprocess.run([exe, "query", "--db", db, "--role", spec, "SELECT Id FROM Case"], capture_output=True, text=True)
    t.ok(r.returncode in (1, 2) and what in r.stderr, f"--role {os.path.basename(spec)}: {what}", r.stderr)

sys.exit(t.done())
