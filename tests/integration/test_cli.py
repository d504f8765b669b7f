#!/usr/bin/env python3
"""Integration tests of the crmweaver command-line program (TAP).

usage: test_cli.py PATH_TO_CRMWEAVER PROJECT_VERSION
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe, version = sys.argv[1:3]
t = Tap()


def run(*args):
    r = subprocess.run([exe, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def one_line_error(err):
    lines = err.strip("\n").split("\n")
    return len(lines) == 1 and lines[0].startswith("crmweaver: ")


rc, out, err = run("--version")
t.ok(rc == 0 and out == f"crmweaver {version}\n" and err == "",
     "--version prints the project version", f"rc={rc} out={out!r} err={err!r}")

rc, out, err = run("--help")
t.ok(rc == 0 and out.startswith("usage: crmweaver") and "features" in out and err == "",
     "--help prints usage and the commands on stdout", out + err)
rc2, out2, _ = run("-h")
t.ok(rc2 == 0 and out2 == out, "-h is --help")

rc, out, err = run()
t.ok(rc == 2 and out == "" and err.startswith("usage: crmweaver"),
     "no command: usage on stderr, exit 2", f"rc={rc} err={err!r}")

rc, out, err = run("frobnicate")
t.ok(rc == 2 and out == "" and one_line_error(err) and "frobnicate" in err,
     "unknown command: one-line error naming it, exit 2", f"rc={rc} err={err!r}")

rc, out, err = run("--frob")
t.ok(rc == 2 and one_line_error(err) and "--frob" in err,
     "unknown option: one-line error naming it, exit 2", f"rc={rc} err={err!r}")

for args in (("features",), ("features", "--json")):
    rc, out, err = run(*args)
    try:
        doc = json.loads(out)
    except ValueError as e:
        doc = None
        err += f"\n(not JSON: {e})"
    good = (rc == 0 and isinstance(doc, dict) and doc.get("schema_version") == 1
            and doc.get("version") == version
            and set(doc.get("features", {})) == {"faiss", "fts5", "curl"}
            and all(isinstance(v, bool) for v in doc["features"].values())
            and doc["features"]["fts5"] is True
            and "sqlite" in doc.get("libraries", {}))
    t.ok(good, f"{' '.join(args)} prints the features object", out + err)
    t.ok(out.count("\n") == 1 and out.endswith("}\n"), f"{' '.join(args)}: one JSON line")

rc, out, err = run("features", "--help")
t.ok(rc == 0 and out.startswith("usage: crmweaver features") and "example" in out,
     "features --help with an example", out + err)

rc, out, err = run("features", "--bogus")
t.ok(rc == 2 and one_line_error(err) and "--bogus" in err,
     "features with a bad flag: one-line error, exit 2", f"rc={rc} err={err!r}")

sys.exit(t.done())
