"""A small, deterministic CRMArena-style org for the query conformance tests.

make_org(crmweaver, path) writes JSONL files for the crmarena schema set and
imports them with `crmweaver import`; every value is chosen so that each
query feature has rows on both sides of its filters (nulls included).
"""
import json
import os
import random
import subprocess
import tempfile

SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def sfid(prefix, n):
    """An 18-character id with a valid case-safe suffix."""
    s = prefix + "Fx" + format(n, "010d")
    out = s
    for chunk in range(3):
        bits = 0
        for k in range(5):
            if "A" <= s[chunk * 5 + k] <= "Z":
                bits |= 1 << k
        out += SUFFIX[bits]
    return out


STATES = ["CA", "NY", "TX", "WA", None]
STATUSES = ["New", "Working", "Escalated", "Closed"]


def rows():
    rnd = random.Random(20240615)
    users = [{"Id": sfid("005", i), "FirstName": f"Ava{i}", "LastName": ["Stone", "Reed", "Park", "Cole"][i % 4],
              "Email": f"agent{i}@shop.example", "Username": f"agent{i}@shop.example", "Alias": f"ag{i}",
              "Phone": f"(555) 010-{1000 + i}"} for i in range(8)]
    accounts = []
    for i in range(12):
        accounts.append({"Id": sfid("001", i), "FirstName": f"Max{i}", "LastName": ["Ng", "Diaz", "Olsen"][i % 3],
                         "PersonEmail": f"max{i}@mail.example", "Phone": f"555-02{i:02d}",
                         "ShippingCity": ["Austin", "Boston", None][i % 3], "ShippingState": STATES[i % 5]})
    contacts = [{"Id": sfid("003", i), "FirstName": a["FirstName"], "LastName": a["LastName"],
                 "Email": a["PersonEmail"], "AccountId": a["Id"], "OwnerId": users[i % 8]["Id"]}
                for i, a in enumerate(accounts)]
    products = [{"Id": sfid("01t", i), "Name": n, "Description": d, "IsActive": i != 4,
                 "External_ID__c": f"SKU-{i:03d}"}
                for i, (n, d) in enumerate([("Trail Runner Shoe", "Light shoe for trails"),
                                            ("Rain Jacket", "Waterproof jacket with zipper"),
                                            ("Yoga Mat", "Non-slip mat"),
                                            ("Golf Glove", "Leather glove"),
                                            ("Old Racket", "Discontinued racket"),
                                            ("Swim Goggles", "Anti-fog goggles")])]
    pricebooks = [{"Id": sfid("01s", 0), "Name": "Standard", "IsActive": True,
                   "ValidFrom": "2023-01-01T00:00:00Z", "ValidTo": "2025-12-31T23:59:59Z"}]
    entries = [{"Id": sfid("01u", i), "Pricebook2Id": pricebooks[0]["Id"], "Product2Id": p["Id"],
                "UnitPrice": [89.99, 120.0, 35.5, 19.95, 60.0, 24.0][i]} for i, p in enumerate(products)]
    orders, items = [], []
    for i in range(20):
        m = 1 + i % 12
        orders.append({"Id": sfid("801", i), "AccountId": accounts[i % 12]["Id"], "Pricebook2Id": pricebooks[0]["Id"],
                       "Status": "Activated" if i % 4 else "Draft",
                       "EffectiveDate": f"{2023 + (i % 3 == 0)}-{m:02d}-{1 + (i * 3) % 28:02d}"})
        for k in range(2):
            p = (i + k) % 6
            items.append({"Id": sfid("802", i * 2 + k), "OrderId": orders[-1]["Id"], "Product2Id": products[p]["Id"],
                          "PricebookEntryId": entries[p]["Id"], "Quantity": 1 + (i + k) % 3,
                          "UnitPrice": entries[p]["UnitPrice"]})
    issues = [{"Id": sfid("a01", i), "Name": n, "Description__c": f"Problems about {n.lower()}"}
              for i, n in enumerate(["Broken zipper", "Late delivery", "Wrong size", "Defective sole"])]
    cases, history, emails = [], [], []
    subjects = ["Zipper broke on my jacket", "Package arrived late", "Shoes are too small",
                "Sole came off", "Refund request", "Where is my order"]
    hid = 0
    for i in range(60):
        day = rnd.randrange(0, 240)  # 2023-11-01 .. 2024-06-27
        y, mo, d = 2023, 11, 1
        # add days by hand (no datetime: keep the fixture independent)
        mdays = {2023: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
                 2024: [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]}
        dd = day
        while True:
            left = mdays[y][mo - 1] - d + 1
            if dd < left:
                d += dd
                break
            dd -= left
            d = 1
            mo += 1
            if mo == 13:
                mo, y = 1, y + 1
        hour = rnd.randrange(0, 24)
        created = f"{y}-{mo:02d}-{d:02d}T{hour:02d}:{rnd.randrange(60):02d}:00Z"
        status = STATUSES[i % 4]
        closed = None
        if status == "Closed":
            ch = min(hour + 1 + i % 9, 23)
            closed = f"{y}-{mo:02d}-{d:02d}T{ch:02d}:30:00Z"
        owner = users[i % 8]["Id"]
        acc = accounts[i % 12]
        c = {"Id": sfid("500", i), "Subject": subjects[i % 6] + f" ({i})",
             "Description": f"Customer {acc['FirstName']} wrote about {subjects[i % 6].lower()}",
             "Status": status, "Priority": ["Low", "Medium", "High", None][i % 4],
             "Channel": ["Email", "Phone", "Web", "Chat"][i % 4],
             "AccountId": acc["Id"] if i % 11 else None, "ContactId": contacts[i % 12]["Id"],
             "OwnerId": owner, "CreatedDate": created, "ClosedDate": closed,
             "OrderItemId__c": items[i % 40]["Id"], "IssueId__c": issues[i % 4]["Id"] if i % 7 else None}
        cases.append(c)
        history.append({"Id": sfid("a02", hid), "CaseId__c": c["Id"], "Field__c": "Case Creation", "CreatedDate": created})
        hid += 1
        history.append({"Id": sfid("a02", hid), "CaseId__c": c["Id"], "Field__c": "Owner Assignment",
                        "NewValue__c": users[(i + 3) % 8]["Id"], "CreatedDate": created})
        hid += 1
        if i % 5 == 0:
            history.append({"Id": sfid("a02", hid), "CaseId__c": c["Id"], "Field__c": "Owner Assignment",
                            "OldValue__c": users[(i + 3) % 8]["Id"], "NewValue__c": owner, "CreatedDate": created})
            hid += 1
        if i % 2 == 0:
            emails.append({"Id": sfid("02s", i), "ParentId": c["Id"], "Subject": "Re: " + c["Subject"],
                           "TextBody": f"Hello {acc['FirstName']}, about your {subjects[i % 6].lower()}.",
                           "FromAddress": acc["PersonEmail"], "MessageDate": created})
    knowledge = [{"Id": sfid("ka0", i), "Title": t, "Summary": s, "FAQ_Answer__c": a, "UrlName": f"kb-{i}"}
                 for i, (t, s, a) in enumerate([
                     ("Return policy", "How returns work", "Items can be returned within 30 days of delivery."),
                     ("Warranty", "Warranty terms", "Shoes carry a 12 month warranty against sole defects."),
                     ("Shipping times", "Delivery windows", "Standard delivery takes 3 to 5 business days."),
                 ])]
    return {"User": users, "Account": accounts, "Contact": contacts, "Product2": products,
            "Pricebook2": pricebooks, "PricebookEntry": entries, "Order": orders, "OrderItem": items,
            "Issue__c": issues, "Case": cases, "CaseHistory__c": history, "EmailMessage": emails,
            "Knowledge__kav": knowledge}


def make_org(crmweaver, path):
    data = rows()
    with tempfile.TemporaryDirectory() as d:
        for obj, recs in data.items():
            with open(os.path.join(d, obj + ".jsonl"), "w") as f:
                for r in recs:
                    f.write(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n")
        if os.path.exists(path):
            os.remove(path)
        subprocess.run([crmweaver, "import", "--db", path, "--set", "crmarena", "--format", "jsonl", d],
                       check=True, capture_output=True)
    return data
