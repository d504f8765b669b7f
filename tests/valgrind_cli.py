#!/usr/bin/env python3
"""Run a CLI integration test with every crmweaver process under valgrind
memcheck (the 'slow' suite: leaks and invalid reads of the CLI).

The test script gets, in place of the crmweaver executable, a small wrapper
that runs it under valgrind with one log file per process, so that exit codes,
stdout and stderr stay the program's own and the test's checks still hold.
Afterwards every log is read: the script's TAP output is passed on with one
more case, which fails when any process reported a memory error or a definite
leak (the report is shown), or when a log is unfinished (a process killed).

usage: valgrind_cli.py VALGRIND SUPPRESSIONS TEST_SCRIPT [ARG...] CRMWEAVER_EXE [ARG...]

The first argument after TEST_SCRIPT that names the crmweaver executable is
replaced (run_examples.py takes its build directory first).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

valgrind, supp, script, *args = sys.argv[1:]
at = next(i for i, a in enumerate(args) if os.path.basename(a) == "crmweaver")
exe = args[at]
logdir = tempfile.mkdtemp(prefix="crmw-vgcli-")
wrapper = os.path.join(logdir, "crmweaver")
vg_args = [valgrind, "--tool=memcheck", "--leak-check=full", "--errors-for-leak-kinds=definite",
           "--num-callers=30", "--read-inline-info=no", f"--suppressions={supp}",
           f"--log-file={logdir}/vg.%p.log"]
prefix = " ".join(shlex.quote(a) for a in vg_args)
with open(wrapper, "w") as f:
    f.write(f"#!/bin/sh\nexec {prefix} {shlex.quote(os.path.abspath(exe))} \"$@\"\n")
os.chmod(wrapper, 0o755)

# Timing-based checks stretch their waits; tests may skip what cannot hold
# at valgrind's speed (each says why).
# The C example hosts run under the same prefix (CRMW_TEST_WRAP).
env = {**os.environ, "CRMW_TEST_VALGRIND": "1", "CRMW_TEST_TIME_SCALE": "40",
       "OPENBLAS_NUM_THREADS": "1", "CRMW_TEST_WRAP": prefix}
args[at] = wrapper
r = subprocess.run([sys.executable, script, *args], env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
sys.stderr.write(r.stderr)
lines = r.stdout.splitlines()
plan = None
for line in lines:
    m = re.fullmatch(r"1\.\.(\d+)", line.strip())
    if m:
        plan = int(m.group(1))
    else:
        print(line, flush=True)
if plan is None:
    print(f"not ok 1 - {os.path.basename(script)} printed no TAP plan (exit {r.returncode})")
    plan = 1

logs = sorted(p for p in os.listdir(logdir) if p.startswith("vg."))
bad, unfinished = [], []
for name in logs:
    with open(os.path.join(logdir, name), errors="replace") as f:
        text = f.read()
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    if not m:
        unfinished.append(name)
    elif int(m.group(1)):
        bad.append((name, text))

n = plan + 1
desc = f"{len(logs)} processes under valgrind memcheck: no memory error, no definite leak"
if bad:
    print(f"not ok {n} - {desc}")
    for name, text in bad[:3]:
        print(f"# ---- {name}")
        for line in text.splitlines()[:80]:
            print(f"# {line}")
    print(f"# {len(bad)} of {len(logs)} processes reported errors")
else:
    print(f"ok {n} - {desc}")
if unfinished:
    # a process the test killed on purpose (a timeout check) ends without a
    # summary; say so, it is not an error
    print(f"# {len(unfinished)} processes ended without a valgrind summary (killed)")
print(f"1..{n}", flush=True)
if not bad:
    shutil.rmtree(logdir, ignore_errors=True)
else:
    print(f"# the logs are kept in {logdir}")
sys.exit(1 if bad or r.returncode else 0)
