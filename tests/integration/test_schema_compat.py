#!/usr/bin/env python3
"""The built-in schema sets hold the real CRMArena / CRMArena-Pro object graphs:
the same objects, field API names, references and picklist values as the
published schema files in ../shared/crmarena (skipped when they are absent).

usage: test_schema_compat.py PATH_TO_CRMWEAVER SHARED_CRMARENA_DIR
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe, shared = sys.argv[1:3]
t = Tap()

# Fields listed in the published files that are not fields of the org, with why.
NOT_FIELDS = {
    # relationship names of ProductCategoryId / ProductId, listed as if fields
    ("crmarena", "ProductCategoryProduct", "ProductCategory"),
    ("crmarena", "ProductCategoryProduct", "Product"),
    # a case-insensitive duplicate of PricebookEntryId (Salesforce names ignore case)
    ("crmarena", "OrderItem", "PriceBookEntryId"),
}


def ours(set_name):
    out = subprocess.run([exe, "schema", "--set", set_name, "--json"], capture_output=True,
                         text=True, check=True).stdout
    return {o["name"]: o for o in json.loads(out)["objects"]}


def published(fname):
    with open(os.path.join(shared, fname)) as f:
        return {o["object"]: o["fields"] for o in json.load(f)}


def deps(fname):
    """{(object, field): referenced object} from crmarena_dependencies.txt"""
    out, obj = {}, None
    for line in open(os.path.join(shared, fname)):
        m = re.match(r"Dependencies for (\w+):", line)
        if m:
            obj = m.group(1)
        m = re.search(r"Field: (\w+), Referenced Object: (\w+)", line)
        if m:
            out[(obj, m.group(1))] = m.group(2)
    return out


sets = [("crmarena", "crmarena_schema.json", 16), ("b2b", "b2b_schema.json", 27),
        ("b2c", "b2c_schema.json", 27)]
if not os.path.isdir(shared):
    t.skip("published schema files", f"{shared} not present")
    sys.exit(t.done())

for set_name, fname, nobj in sets:
    mine, theirs = ours(set_name), published(fname)
    t.ok(len(mine) == nobj, f"{set_name}: {nobj} objects", f"got {len(mine)}")
    t.ok(set(mine) == set(theirs), f"{set_name}: the published object names",
         f"missing {sorted(set(theirs) - set(mine))}, extra {sorted(set(mine) - set(theirs))}")
    for obj, fields in theirs.items():
        if obj not in mine:
            continue
        my_fields = {f["name"]: f for f in mine[obj]["fields"]}
        want = {f for f in fields if (set_name, obj, f) not in NOT_FIELDS} | {"Id"}
        t.ok(set(my_fields) == want, f"{set_name}.{obj}: the published field API names",
             f"missing {sorted(want - set(my_fields))}, extra {sorted(set(my_fields) - want)}")
        for fname_, desc in fields.items():
            f = my_fields.get(fname_)
            if not f:
                continue
            # "References X object" / "References Case and Opportunity objects"
            m = re.search(r"References ((?:\w+)(?: and \w+)*) objects?", desc)
            if m and "if the type of change" not in desc:
                refs = set(m.group(1).split(" and "))
                t.ok(f["type"] == "reference" and set(f["references"]) == refs,
                     f"{set_name}.{obj}.{fname_} references {sorted(refs)}", json.dumps(f))
            m = re.search(r"One of \[(.*)\]", desc)
            if m:
                values = re.findall(r"'([^']*)'", m.group(1))
                t.ok(f.get("picklist") == values,
                     f"{set_name}.{obj}.{fname_} picklist values", f"{f.get('picklist')} != {values}")
            # Our descriptions are our own words, never the published ones.
            t.ok(f["description"] != desc, f"{set_name}.{obj}.{fname_}: own description")

# The dependency list of the original org.
mine = ours("crmarena")
for (obj, field), target in deps("crmarena_dependencies.txt").items():
    f = next((x for x in mine[obj]["fields"] if x["name"] == field), None)
    t.ok(f is not None and f["type"] == "reference" and target in f["references"],
         f"crmarena dependency {obj}.{field} -> {target}", json.dumps(f))

# Real differences between the Pro orgs.
b2b, b2c = ours("b2b"), ours("b2c")
names = lambda o, k: {f["name"] for f in o[k]["fields"]}  # noqa: E731
t.ok("Industry" in names(b2b, "Account") and "PersonEmail" in names(b2c, "Account"),
     "B2B Account is a company, B2C Account a person")
t.ok("IssueDescription__c" in names(b2b, "Issue__c") and "Description__c" in names(b2c, "Issue__c"),
     "Issue__c: IssueDescription__c (B2B) vs Description__c (B2C)")
t.ok("CompanySignedDate" in names(b2b, "Contract") and "CompanySignedDate" not in names(b2c, "Contract"),
     "Contract.CompanySignedDate only in B2B")
sys.exit(t.done())
