#!/usr/bin/env python3
"""Build an org with the CLI, run a C example host over it, check that it
printed one trajectory that ended with an answer.

usage: run_example.py EXAMPLE_EXE CRMWEAVER_EXE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

example, exe = sys.argv[1], sys.argv[2]
t = Tap()
tmp = tempfile.mkdtemp(prefix="crmw-example-")
org = os.path.join(tmp, "org.db")
r = subprocess.run([exe, "gen", "--profile", "crmarena", "--seed", "1", "--scale", "0.1", "-o", org],
                   capture_output=True, text=True)
t.ok(r.returncode == 0, "org generated", r.stderr)
r = subprocess.run([example, org], capture_output=True, text=True)
t.ok(r.returncode == 0, "the example host runs", r.stderr)
try:
    traj = json.loads(r.stdout)
except ValueError:
    traj = {}
t.ok(traj.get("end_reason") == "answered" and traj.get("turns") == 2, "it answered after one tool call",
     r.stdout[:500])
t.ok(any(m.get("role") == "tool" and "2024-01-01" in m.get("content", "") for m in traj.get("messages", [])),
     "the tool's result is in the conversation")
r = subprocess.run([example], capture_output=True, text=True)
t.ok(r.returncode == 1 and "error" in r.stderr, "no org: an error and exit 1", r.stderr)
shutil.rmtree(tmp)
sys.exit(t.done())
