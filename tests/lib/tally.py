#!/usr/bin/env python3
"""Add up test results from meson's testlog.json files.

Every TAP line counts as one test ("ok" passed, "not ok" failed, "# SKIP"
skipped); a test without TAP output counts once by its result; a test that
failed (crash, timeout) although all its TAP lines passed adds one failure.
Prints failing tests, then one closing line "N passed, N failed[, N skipped]".

usage: tally.py LABEL=BUILD_DIR/meson-logs/testlog.json ...
Exit status: 0 when nothing failed.
"""
import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")
passed = failed = skipped = 0
failures = []
for arg in sys.argv[1:]:
    label, _, path = arg.partition("=")
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        failed += 1
        failures.append(f"{label}: no test log ({e})")
        continue
    for line in lines:
        rec = json.loads(line)
        name, result = rec["name"], rec["result"]
        p = f = s = 0
        for out in (rec.get("stdout") or "").splitlines():
            m = TAP.match(out)
            if not m:
                continue
            if "# SKIP" in m.group(2):
                s += 1
            elif m.group(1) == "ok":
                p += 1
            else:
                f += 1
                failures.append(f"{label}: {name}: not ok{m.group(2)}")
        if p + f + s == 0:
            if result in ("OK", "EXPECTEDFAIL"):
                p = 1
            elif result == "SKIP":
                s = 1
            else:
                f = 1
                failures.append(f"{label}: {name}: {result}")
        elif result not in ("OK", "EXPECTEDFAIL", "SKIP") and f == 0:
            f = 1
            failures.append(f"{label}: {name}: {result} (exit {rec.get('returncode')})")
        passed += p
        failed += f
        skipped += s

for line in failures:
    print(f"FAILED {line}")
tail = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{tail}")
sys.exit(1 if failed else 0)
